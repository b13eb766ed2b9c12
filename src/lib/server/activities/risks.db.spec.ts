import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '$lib/id-number';
import {
	canRiskStep,
	riskStatuses,
	type RiskLinkKind,
	type RiskStatus
} from '$lib/activities/vocab';
import type { Member as LedgerMember } from '$lib/schemas/household';
import { endMembershipSchema } from '$lib/schemas/register';
import { raiseFlagSchema, toShanghaiLocal } from '$lib/schemas/risks';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus } from '../../../../tests/http';
import {
	createCategory,
	createCounty,
	createHousehold,
	createNeed,
	createOrganization,
	createServiceRequest,
	createSettlement,
	createUser,
	householdInput,
	memberInput,
	type County,
	type Household,
	type Member,
	type ServiceCategory,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import * as register from '../settlements/households';
import { confirmImport, previewImport } from '../settlements/import';
import { buildExport, type RegisterHousehold } from '../settlements/ledger';
import {
	closeFlag,
	escalateUnverified,
	flagCounts,
	getFlag,
	linkFlag,
	listFlags,
	raiseFlag,
	raiseFlagInTx,
	raiseRegisterFlag,
	verifyFlag
} from './risks';
import { saveRiskSetting } from './reports';

useTestDatabase();

let county: County;
let a: Settlement;
let b: Settlement;
let homeA: Household & { members: Member[] };
let homeA2: Household & { members: Member[] };
let homeB: Household & { members: Member[] };
let category: ServiceCategory;
const who = {} as Record<
	| 'worker'
	| 'admin'
	| 'chief'
	| 'adminB'
	| 'civil'
	| 'chiefOfPoints'
	| 'resident'
	| 'sysadmin'
	| 'civilElsewhere',
	Actor
>;

const key = () => crypto.randomUUID().replaceAll('-', '');
const hoursAgo = (h: number, from = new Date()) => new Date(from.getTime() - h * 3600_000);

/** A flag form as the page posts it: found an hour before `at`. */
const flagForm = (householdId: string, over: Record<string, unknown> = {}, at = new Date()) =>
	raiseFlagSchema.parse({
		householdId,
		category: 'serious_illness',
		description: '户主突发重病住院，家庭收入中断',
		foundAt: toShanghaiLocal(hoursAgo(1, at)),
		idempotencyKey: key(),
		...over
	});

async function raised(actor: Actor, householdId: string, at = new Date()) {
	const r = await raiseFlag(actor, flagForm(householdId, {}, at), at);
	if (!r.ok) throw new Error(`raise failed: ${r.reason}`);
	return r.id;
}

async function flagRow(id: string) {
	const [row] = await db().select().from(schema.riskFlag).where(eq(schema.riskFlag.id, id));
	return row;
}

async function notificationsOf(userId: string, link: string) {
	return db()
		.select()
		.from(schema.notification)
		.where(and(eq(schema.notification.userId, userId), eq(schema.notification.link, link)));
}

beforeAll(async () => {
	county = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	homeA = await createHousehold(a, { members: 3 });
	homeA2 = await createHousehold(a);
	homeB = await createHousehold(b);
	category = await createCategory(county);
	const elsewhere = await createCounty();
	const [worker, admin, chief, adminB, civil, chiefOfPoints, resident, sysadmin, civilElsewhere] =
		await Promise.all([
			createUser({ grants: [{ role: 'community_worker', on: a }] }),
			createUser({ grants: [{ role: 'point_admin', on: a }] }),
			createUser({ grants: [{ role: 'point_chief', on: a }] }),
			createUser({ grants: [{ role: 'point_admin', on: b }] }),
			createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
			createUser({ grants: [{ role: 'chief_of_points', on: county }] }),
			createUser({ household: homeA, grants: [{ role: 'resident', on: a }] }),
			createUser({ grants: [{ role: 'system_admin' }] }),
			createUser({ grants: [{ role: 'civil_affairs', on: elsewhere }] })
		]);
	Object.assign(who, {
		worker: worker.actor,
		admin: admin.actor,
		chief: chief.actor,
		adminB: adminB.actor,
		civil: civil.actor,
		chiefOfPoints: chiefOfPoints.actor,
		resident: resident.actor,
		sysadmin: sysadmin.actor,
		civilElsewhere: civilElsewhere.actor
	});
});

describe('raiseFlag (即发现即报告)', () => {
	it('raises a flag with the time found and reported, due for verification in 72 hours, told to the point', async () => {
		const now = new Date();
		const form = flagForm(homeA.id, { residentId: homeA.members[1].id, category: 'accident' }, now);
		const r = await raiseFlag(who.worker, form, now);
		expect(r).toMatchObject({ ok: true, duplicate: false });
		if (!r.ok) return;
		expect(r.number).toMatch(/^FX\d{8}$/);
		const row = await flagRow(r.id);
		expect(row).toMatchObject({
			status: 'reported',
			category: 'accident',
			source: 'discovery',
			householdId: homeA.id,
			residentId: homeA.members[1].id,
			settlementId: a.id,
			regionPath: a.regionPath,
			reportedBy: who.worker.id,
			escalatedAt: null
		});
		expect(row.reportedAt.getTime()).toBe(now.getTime());
		expect(row.foundAt.getTime()).toBeLessThan(now.getTime());
		expect(row.verifyDueAt.getTime() - now.getTime()).toBe(72 * 3600_000);
		// the point's admin and 点长 hear of it; the reporter does not hear of their own
		expect(await notificationsOf(who.admin.id, `/risks/${r.id}`)).toHaveLength(1);
		expect(await notificationsOf(who.chief.id, `/risks/${r.id}`)).toHaveLength(1);
		expect(await notificationsOf(who.worker.id, `/risks/${r.id}`)).toHaveLength(0);
		const [entry] = await db()
			.select()
			.from(schema.auditEntry)
			.where(
				and(eq(schema.auditEntry.entityId, r.id), eq(schema.auditEntry.action, 'risk.report'))
			);
		expect(entry.summary).toMatchObject({ category: 'accident', source: 'discovery' });
		// the summary carries no free text
		expect(JSON.stringify(entry.summary)).not.toContain('住院');
	});

	it('raises one flag however often the same form is sent', async () => {
		const form = flagForm(homeA.id);
		const first = await raiseFlag(who.admin, form);
		const again = await raiseFlag(who.admin, form);
		expect(first).toMatchObject({ ok: true, duplicate: false });
		expect(again).toMatchObject({ ok: true, duplicate: true });
		if (first.ok && again.ok) expect(again.id).toBe(first.id);
	});

	it('refuses at a field: a time found still to come, a member of another household, a household gone', async () => {
		const now = new Date();
		expect(
			await raiseFlag(
				who.worker,
				flagForm(homeA.id, { foundAt: toShanghaiLocal(new Date(now.getTime() + 3 * 3600_000)) }),
				now
			)
		).toMatchObject({ ok: false, reason: 'found_later', field: 'foundAt' });
		expect(
			await raiseFlag(who.worker, flagForm(homeA.id, { residentId: homeA2.members[0].id }), now)
		).toMatchObject({ ok: false, reason: 'no_member', field: 'residentId' });
		const gone = await createHousehold(a, { status: 'moved_out' });
		expect(await raiseFlag(who.worker, flagForm(gone.id), now)).toMatchObject({
			ok: false,
			reason: 'household_ended',
			field: 'householdId'
		});
	});

	it('is for staff of the household’s scope only: 404 to a resident and to another point', async () => {
		expect(await httpStatus(raiseFlag(who.resident, flagForm(homeA.id)))).toBe(404);
		expect(await httpStatus(raiseFlag(who.adminB, flagForm(homeA.id)))).toBe(404);
		expect(await httpStatus(raiseFlag(who.civilElsewhere, flagForm(homeA.id)))).toBe(404);
		// county staff report too
		expect(await raiseFlag(who.civil, flagForm(homeB.id))).toMatchObject({ ok: true });
	});

	it('raiseFlagInTx raises inside the caller’s transaction and goes with its rollback', async () => {
		const before = await db().select({ id: schema.riskFlag.id }).from(schema.riskFlag);
		await expect(
			db().transaction(async (tx) => {
				const r = await raiseFlagInTx(tx, who.worker, {
					householdId: homeA.id,
					residentId: homeB.members[0].id,
					category: 'other',
					description: '走访中发现',
					foundAt: new Date(),
					source: 'visit'
				});
				expect(r.ok).toBe(true);
				if (r.ok)
					expect(
						(await tx.select().from(schema.riskFlag).where(eq(schema.riskFlag.id, r.id)))[0]
							.residentId
					).toBeNull();
				throw new Error('the visit failed');
			})
		).rejects.toThrow('the visit failed');
		const after = await db().select({ id: schema.riskFlag.id }).from(schema.riskFlag);
		expect(after).toHaveLength(before.length);
		const ended = await createHousehold(a, { status: 'moved_out' });
		expect(
			await db().transaction((tx) =>
				raiseFlagInTx(tx, who.worker, {
					householdId: ended.id,
					category: 'other',
					description: '走访中发现',
					foundAt: new Date(),
					source: 'visit'
				})
			)
		).toMatchObject({ ok: false, reason: 'household_ended' });
	});
});

describe('the workflow: reported → verified → assisted → closed', () => {
	it('walks every legal step with its note, link and outcome', async () => {
		const id = await raised(who.worker, homeA.id);
		expect((await getFlag(who.admin, id)).can).toEqual({ verify: true, link: false, close: true });
		expect(await verifyFlag(who.admin, id, { note: '入户核实，属实' })).toEqual({ ok: true });
		expect(await flagRow(id)).toMatchObject({
			status: 'verified',
			verifiedBy: who.admin.id,
			verifyNote: '入户核实，属实'
		});
		const req = await createServiceRequest(homeA, category, who.admin);
		const need = await createNeed(homeA, who.admin, { status: 'pending' });
		const linked = await linkFlag(who.admin, id, { kind: 'service_request', targetId: req.id });
		expect(linked).toEqual({ ok: true, status: 'assisted' });
		expect((await flagRow(id)).assistedAt).not.toBeNull();
		// a second link keeps it assisted
		expect(await linkFlag(who.chief, id, { kind: 'need', targetId: need.id })).toEqual({
			ok: true,
			status: 'assisted'
		});
		const detail = await getFlag(who.worker, id);
		expect(detail.links.map((l) => [l.kind, l.targetId])).toEqual([
			['service_request', req.id],
			['need', need.id]
		]);
		expect(detail.events.map((e) => e.kind)).toEqual([
			'found',
			'reported',
			'verified',
			'linked_service_request',
			'linked_need'
		]);
		// a community worker reads, but does not verify, link or close
		expect(detail.can).toEqual({ verify: false, link: false, close: false });
		expect(
			await closeFlag(who.civil, id, { outcome: 'risk_removed', note: '已纳入低保，风险消除' })
		).toEqual({ ok: true });
		expect(await flagRow(id)).toMatchObject({
			status: 'closed',
			outcome: 'risk_removed',
			closedBy: who.civil.id
		});
		const audits = await db()
			.select({ action: schema.auditEntry.action })
			.from(schema.auditEntry)
			.where(eq(schema.auditEntry.entityId, id));
		expect(audits.map((x) => x.action).sort()).toEqual(
			['risk.close', 'risk.link', 'risk.link', 'risk.report', 'risk.verify'].sort()
		);
	});

	it('closes a reported flag straight away only as not a risk', async () => {
		const id = await raised(who.worker, homeA.id);
		expect(await closeFlag(who.admin, id, { outcome: 'risk_removed', note: '说明' })).toMatchObject(
			{
				ok: false,
				reason: 'unverified_outcome',
				field: 'outcome'
			}
		);
		expect(
			await closeFlag(who.admin, id, { outcome: 'not_a_risk', note: '核实后不属于风险' })
		).toEqual({
			ok: true
		});
	});

	/** A flag walked to a status by the legal steps. */
	async function flagIn(status: RiskStatus) {
		const id = await raised(who.worker, homeA.id);
		if (status === 'reported') return id;
		if (status === 'closed') {
			await closeFlag(who.admin, id, { outcome: 'not_a_risk', note: '不属于风险' });
			return id;
		}
		await verifyFlag(who.admin, id, { note: '核实' });
		if (status === 'assisted') {
			const req = await createServiceRequest(homeA, category, who.admin);
			await linkFlag(who.admin, id, { kind: 'service_request', targetId: req.id });
		}
		return id;
	}

	it('takes every step its state allows and refuses every other jump, in words', async () => {
		for (const status of riskStatuses) {
			// verify
			let id = await flagIn(status);
			const verified = await verifyFlag(who.admin, id, { note: '核实' });
			expect(verified.ok, `verify from ${status}`).toBe(canRiskStep('verify', status));
			if (!verified.ok) {
				expect(verified).toMatchObject({ reason: 'illegal_step', field: 'note' });
				if (!verified.ok) expect(verified.message).toMatch(/[\u4e00-\u9fff]/);
				expect((await flagRow(id)).status).toBe(status);
			}
			// link: on verified and assisted only
			id = await flagIn(status);
			const req = await createServiceRequest(homeA, category, who.admin);
			const linked = await linkFlag(who.admin, id, { kind: 'service_request', targetId: req.id });
			expect(linked.ok, `link from ${status}`).toBe(status === 'verified' || status === 'assisted');
			if (!linked.ok) expect((await flagRow(id)).status).toBe(status);
			else expect((await flagRow(id)).status).toBe('assisted');
			// close (as not a risk, which every open state takes)
			id = await flagIn(status);
			const closed = await closeFlag(who.admin, id, { outcome: 'not_a_risk', note: '销号' });
			expect(closed.ok, `close from ${status}`).toBe(canRiskStep('close', status));
			if (!closed.ok) expect((await flagRow(id)).status).toBe(status);
		}
	});

	it('links only a request, need or aid case of THAT household, each once', async () => {
		const id = await flagIn('verified');
		const other = await createServiceRequest(homeA2, category, who.admin);
		expect(
			await linkFlag(who.admin, id, { kind: 'service_request', targetId: other.id })
		).toMatchObject({ ok: false, reason: 'no_target', field: 'targetId' });
		// a need's id offered as a request is nothing of that kind
		const need = await createNeed(homeA, who.admin);
		expect(
			await linkFlag(who.admin, id, { kind: 'service_request', targetId: need.id })
		).toMatchObject({ ok: false, reason: 'no_target' });
		expect(await linkFlag(who.admin, id, { kind: 'need', targetId: need.id })).toMatchObject({
			ok: true
		});
		expect(await linkFlag(who.admin, id, { kind: 'need', targetId: need.id })).toMatchObject({
			ok: false,
			reason: 'already_linked'
		});
		// an aid case of the household
		const group = await createOrganization(county, { settlement: a });
		const [kase] = await db()
			.insert(schema.aidCase)
			.values({
				organizationId: group.id,
				householdId: homeA.id,
				hardship: '因病住院',
				publicSummary: '因病救助',
				amount: 100_000,
				status: 'conference',
				createdBy: who.admin.id
			})
			.returning();
		const options = (await getFlag(who.admin, id)).options!;
		expect(options.aid_case.map((o) => o.id)).toContain(kase.id);
		expect(options.need.map((o) => o.id)).not.toContain(need.id);
		expect(options.service_request.map((o) => o.id)).not.toContain(other.id);
		expect(
			await linkFlag(who.admin, id, { kind: 'aid_case' as RiskLinkKind, targetId: kase.id })
		).toMatchObject({
			ok: true
		});
	});

	it('lets only point_admin, point_chief and civil affairs (and the system admin) verify', async () => {
		const id = await raised(who.worker, homeA.id);
		expect(await httpStatus(verifyFlag(who.worker, id, { note: '核实' }))).toBe(403);
		expect(await httpStatus(verifyFlag(who.chiefOfPoints, id, { note: '核实' }))).toBe(403);
		expect(await httpStatus(verifyFlag(who.adminB, id, { note: '核实' }))).toBe(404);
		expect(await httpStatus(verifyFlag(who.resident, id, { note: '核实' }))).toBe(404);
		expect(await httpStatus(verifyFlag(who.civilElsewhere, id, { note: '核实' }))).toBe(404);
		expect(
			await httpStatus(closeFlag(who.worker, id, { outcome: 'not_a_risk', note: '说明' }))
		).toBe(403);
		expect(await httpStatus(verifyFlag(who.admin, 'not-a-uuid', { note: '核实' }))).toBe(404);
		for (const actor of [who.chief, who.civil, who.sysadmin]) {
			const x = await raised(who.worker, homeA.id);
			expect(await verifyFlag(actor, x, { note: '核实' })).toEqual({ ok: true });
		}
		expect(await verifyFlag(who.admin, id, { note: '核实' })).toEqual({ ok: true });
	});

	it('of two verifying at once, one succeeds', async () => {
		const id = await raised(who.worker, homeA.id);
		const results = await Promise.all([
			verifyFlag(who.admin, id, { note: '管理员核实' }),
			verifyFlag(who.chief, id, { note: '点长核实' })
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok)).toMatchObject([{ reason: 'illegal_step' }]);
		const audits = await db()
			.select()
			.from(schema.auditEntry)
			.where(and(eq(schema.auditEntry.entityId, id), eq(schema.auditEntry.action, 'risk.verify')));
		expect(audits).toHaveLength(1);
	});
});

describe('escalation after the county’s limit', () => {
	it('escalates a flag still reported once, after the county’s hours, to the 点长 and civil affairs', async () => {
		const own = await createCounty();
		const s = await createSettlement(own);
		const home = await createHousehold(s);
		const [civil, chief, admin] = await Promise.all([
			createUser({ grants: [{ role: 'civil_affairs', on: own }] }),
			createUser({ grants: [{ role: 'point_chief', on: s }] }),
			createUser({ grants: [{ role: 'point_admin', on: s }] })
		]);
		expect(
			await saveRiskSetting(civil.actor, {
				regionId: own.id,
				verifyWithinHours: 24,
				reportDueDay: 5
			})
		).toEqual({ ok: true });
		const t0 = new Date('2026-01-10T02:00:00Z');
		const id = await raised(admin.actor, home.id, t0);
		const verifiedId = await raised(admin.actor, home.id, t0);
		await verifyFlag(
			admin.actor,
			verifiedId,
			{ note: '已核实' },
			new Date(t0.getTime() + 3600_000)
		);
		expect((await flagRow(id)).verifyDueAt.toISOString()).toBe('2026-01-11T02:00:00.000Z');

		await escalateUnverified(new Date(t0.getTime() + 23 * 3600_000));
		expect((await flagRow(id)).escalatedAt).toBeNull();
		const at = new Date(t0.getTime() + 25 * 3600_000);
		await escalateUnverified(at);
		expect((await flagRow(id)).escalatedAt?.toISOString()).toBe(at.toISOString());
		// once: a later sweep leaves it as it is
		await escalateUnverified(new Date(t0.getTime() + 48 * 3600_000));
		expect((await flagRow(id)).escalatedAt?.toISOString()).toBe(at.toISOString());
		expect((await flagRow(verifiedId)).escalatedAt).toBeNull();
		const told = async (userId: string) =>
			(await notificationsOf(userId, `/risks/${id}`)).filter((n) => n.kind === 'risk.escalated');
		expect(await told(chief.user.id)).toHaveLength(1);
		expect(await told(civil.user.id)).toHaveLength(1);
		expect(await told(admin.user.id)).toHaveLength(0);
		// the list shows it overdue
		const page = await listFlags(civil.actor, { overdue: '1' }, at);
		expect(page.rows.map((r) => r.id)).toEqual([id]);
		expect((await flagCounts(civil.actor, {}, at)).overdue).toBe(1);
	});

	it('uses 72 hours where the county set none', async () => {
		const t0 = new Date('2026-02-01T00:00:00Z');
		const id = await raised(who.admin, homeA.id, t0);
		await escalateUnverified(new Date(t0.getTime() + 71 * 3600_000));
		expect((await flagRow(id)).escalatedAt).toBeNull();
		await escalateUnverified(new Date(t0.getTime() + 73 * 3600_000));
		expect((await flagRow(id)).escalatedAt).not.toBeNull();
	});
});

describe('the register rules', () => {
	/** A household registered by the commands, with a working head of 40 and an old parent. */
	async function registered(settlement: Settlement, admin: Actor) {
		const created = await register.createHousehold(
			admin,
			settlement.id,
			householdInput({ age: 40, laborAbility: '普通劳动力', employment: '务工' })
		);
		if (!created.ok) throw new Error('household not created');
		const parent = await register.addMember(
			admin,
			created.id,
			memberInput({
				relation: '父亲',
				age: 72,
				laborAbility: '无劳动能力',
				employment: '退休或无需就业'
			})
		);
		if (!parent.ok) throw new Error('member not added');
		const [head] = await db()
			.select()
			.from(schema.resident)
			.where(and(eq(schema.resident.householdId, created.id), eq(schema.resident.isHead, true)));
		return { householdId: created.id, head, parentId: parent.id };
	}

	const ruleFlags = (householdId: string) =>
		db()
			.select()
			.from(schema.riskFlag)
			.where(
				and(
					eq(schema.riskFlag.householdId, householdId),
					eq(schema.riskFlag.source, 'register_rule')
				)
			);

	const headAs = (head: typeof schema.resident.$inferSelect, over: Record<string, unknown>) =>
		memberInput({
			name: head.name,
			relation: '户主',
			idNumber: head.idNumber,
			gender: head.gender,
			birthDate: head.birthDate,
			...over
		});

	it('a member edit that makes the household zero-employment raises exactly one flag, and no second while it is open', async () => {
		const { householdId, head } = await registered(a, who.admin);
		expect(await ruleFlags(householdId)).toHaveLength(0);
		expect(
			await register.updateMember(who.admin, head.id, headAs(head, { employment: '未就业' }))
		).toEqual({
			ok: true
		});
		const flags = await ruleFlags(householdId);
		expect(flags).toHaveLength(1);
		expect(flags[0]).toMatchObject({
			registerRule: 'zero_employment',
			category: 'unemployment',
			status: 'reported',
			reportedBy: null,
			settlementId: a.id
		});
		// the point is told, in the same transaction as the change
		expect(await notificationsOf(who.admin.id, `/risks/${flags[0].id}`)).toHaveLength(1);
		// back to work and out of work again while the flag is open: still one
		await register.updateMember(who.admin, head.id, headAs(head, { employment: '务工' }));
		await register.updateMember(who.admin, head.id, headAs(head, { employment: '未就业' }));
		await register.addMember(
			who.admin,
			householdId,
			memberInput({ relation: '配偶', employment: '未就业' })
		);
		expect(await ruleFlags(householdId)).toHaveLength(1);
		// once closed, the next time it happens is a new flag
		await closeFlag(who.admin, flags[0].id, { outcome: 'not_a_risk', note: '已安排公益岗' });
		await register.updateMember(who.admin, head.id, headAs(head, { employment: '务工' }));
		await register.updateMember(who.admin, head.id, headAs(head, { employment: '未就业' }));
		expect(await ruleFlags(householdId)).toHaveLength(2);
	});

	it('a household registered without work raises nothing: it did not become so', async () => {
		const created = await register.createHousehold(
			who.admin,
			a.id,
			householdInput({ age: 35, employment: '未就业' })
		);
		expect(created).toMatchObject({ ok: true });
		if (!created.ok) return;
		const [h] = await db()
			.select({ zero: schema.household.zeroEmployment })
			.from(schema.household)
			.where(eq(schema.household.id, created.id));
		expect(h.zero).toBe(true);
		expect(await ruleFlags(created.id)).toHaveLength(0);
	});

	it('the last labourer dying raises one flag; moving out likewise; one labourer of two leaving does not', async () => {
		const end = (reason: 'deceased' | 'moved_out', newHeadId = '') =>
			endMembershipSchema.parse({ reason, endedOn: '2026-03-01', newHeadId });

		const dies = await registered(a, who.admin);
		const r1 = await register.endMembership(
			who.admin,
			dies.head.id,
			end('deceased', dies.parentId)
		);
		expect(r1).toMatchObject({ ok: true, householdEnded: false });
		const f1 = await ruleFlags(dies.householdId);
		expect(f1.map((f) => f.registerRule)).toEqual(['no_laborer_left']);
		expect(f1[0].category).toBe('income_drop');

		const moves = await registered(a, who.admin);
		await register.endMembership(who.admin, moves.head.id, end('moved_out', moves.parentId));
		expect((await ruleFlags(moves.householdId)).map((f) => f.registerRule)).toEqual([
			'no_laborer_left'
		]);

		// two labourers, one leaves: labour is left
		const two = await registered(a, who.admin);
		const spouse = await register.addMember(
			who.admin,
			two.householdId,
			memberInput({ relation: '配偶', laborAbility: '技能劳动力', employment: '务工' })
		);
		if (!spouse.ok) throw new Error('spouse not added');
		await register.endMembership(who.admin, spouse.id, end('moved_out'));
		expect(await ruleFlags(two.householdId)).toHaveLength(0);
		// a member who was no labourer leaving raises nothing either
		await register.endMembership(who.admin, two.parentId, end('deceased'));
		expect(await ruleFlags(two.householdId)).toHaveLength(0);

		// a household of one whose only member leaves is gone: nobody is left at risk
		const alone = await register.createHousehold(who.admin, a.id, householdInput({ age: 45 }));
		if (!alone.ok) throw new Error('household not created');
		const [only] = await db()
			.select()
			.from(schema.resident)
			.where(eq(schema.resident.householdId, alone.id));
		expect(await register.endMembership(who.admin, only.id, end('deceased'))).toMatchObject({
			householdEnded: true
		});
		expect(await ruleFlags(alone.id)).toHaveLength(0);
	});

	it('an import that leaves a household without work raises one flag', async () => {
		const s = await createSettlement(county);
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: s }] });
		const person = (over: Partial<LedgerMember> & Pick<LedgerMember, 'name' | 'relation'>) => ({
			gender: 'male' as const,
			birthDate: '1980-04-12',
			idNumber: makeIdNumber(
				'360782',
				over.birthDate ?? '1980-04-12',
				2 + (over.relation === '户主' ? 0 : 2),
				over.gender ?? 'male'
			),
			schooling: '初中' as const,
			health: '健康' as const,
			laborAbility: '普通劳动力' as const,
			employment: '务工' as const,
			...over
		});
		const home = (employment: LedgerMember['employment']): RegisterHousehold[] => [
			{
				building: '9栋',
				unitNo: '1单元',
				room: '101',
				originTownship: '禾丰镇',
				originVillage: '大坪村',
				movedInOn: '2019-06-18',
				tags: [],
				members: [person({ name: '赵大山', relation: '户主', employment })]
			} as RegisterHousehold
		];
		const load = async (employment: LedgerMember['employment']) => {
			const preview = await previewImport(actor, s.id, {
				name: '台账.xlsx',
				bytes: await buildExport(home(employment), { reveal: true })
			});
			if (!preview.ok) throw new Error(preview.message);
			expect(preview.errors).toEqual([]);
			return confirmImport(actor, preview.batchId);
		};
		expect(await load('务工')).toMatchObject({ ok: true, result: { created: 1 } });
		const [h] = await db()
			.select({ id: schema.household.id })
			.from(schema.household)
			.where(eq(schema.household.settlementId, s.id));
		expect(await ruleFlags(h.id)).toHaveLength(0);
		expect(await load('未就业')).toMatchObject({ ok: true, result: { updated: 1 } });
		expect((await ruleFlags(h.id)).map((f) => f.registerRule)).toEqual(['zero_employment']);
		// the same file again changes nothing and raises nothing
		expect(await load('未就业')).toMatchObject({ ok: true, result: { unchanged: 1 } });
		expect(await ruleFlags(h.id)).toHaveLength(1);
	});

	it('raiseRegisterFlag keeps one open flag per household and rule', async () => {
		const h = await createHousehold(b);
		const results = await db().transaction(async (tx) => [
			await raiseRegisterFlag(tx, { householdId: h.id, rule: 'zero_employment' }),
			await raiseRegisterFlag(tx, { householdId: h.id, rule: 'zero_employment' }),
			await raiseRegisterFlag(tx, { householdId: h.id, rule: 'no_laborer_left' })
		]);
		expect(results[0]).toBeTypeOf('string');
		expect(results[1]).toBeNull();
		expect(results[2]).toBeTypeOf('string');
		const gone = await createHousehold(b, { status: 'moved_out' });
		expect(
			await db().transaction((tx) =>
				raiseRegisterFlag(tx, { householdId: gone.id, rule: 'zero_employment' })
			)
		).toBeNull();
	});
});

describe('who sees which flags (IDOR)', () => {
	it('a worker of point A sees none of B’s flags; residents see none; county staff see their county', async () => {
		const idA = await raised(who.worker, homeA.id);
		const idB = await raised(who.adminB, homeB.id);
		const workerIds = (await listFlags(who.worker)).rows.map((r) => r.id);
		expect(workerIds).toContain(idA);
		expect(workerIds).not.toContain(idB);
		expect((await listFlags(who.worker, { settlementId: b.id })).rows).toEqual([]);
		expect(await httpStatus(getFlag(who.worker, idB))).toBe(404);
		expect(await httpStatus(getFlag(who.adminB, idA))).toBe(404);
		expect(await httpStatus(getFlag(who.civilElsewhere, idA))).toBe(404);
		expect(await httpStatus(listFlags(who.resident))).toBe(404);
		expect(await httpStatus(getFlag(who.resident, idA))).toBe(404);
		expect(await httpStatus(flagCounts(who.resident))).toBe(404);
		for (const actor of [who.civil, who.chiefOfPoints, who.sysadmin]) {
			const ids = (await listFlags(actor)).rows.map((r) => r.id);
			expect(ids).toEqual(expect.arrayContaining([idA, idB]));
		}
		expect((await listFlags(who.civilElsewhere)).rows).toEqual([]);
		// counts follow the same scope
		const countsA = await flagCounts(who.worker);
		const countsAll = await flagCounts(who.civil);
		expect(countsAll.total).toBeGreaterThan(countsA.total);
		const visibleToWorker = await db()
			.select({ id: schema.riskFlag.id })
			.from(schema.riskFlag)
			.where(eq(schema.riskFlag.settlementId, a.id));
		expect(countsA.total).toBe(visibleToWorker.length);
	});

	it('filters by status, category and settlement, and pages by the flag number', async () => {
		const own = await createSettlement(county);
		const home = await createHousehold(own);
		for (let i = 0; i < 3; i++)
			expect(
				await raiseFlag(
					who.civil,
					flagForm(home.id, { category: i === 0 ? 'disaster' : 'schooling' })
				)
			).toMatchObject({ ok: true });
		const page = await listFlags(who.civil, { settlementId: own.id });
		expect(page.rows).toHaveLength(3);
		expect(page.rows.map((r) => r.no)).toEqual(
			[...page.rows.map((r) => r.no)].sort((x, y) => y - x)
		);
		expect(
			(await listFlags(who.civil, { settlementId: own.id, category: 'disaster' })).rows
		).toHaveLength(1);
		expect(
			(await listFlags(who.civil, { settlementId: own.id, status: 'verified' })).rows
		).toHaveLength(0);
		expect(
			(await listFlags(who.civil, { settlementId: own.id, status: 'open' })).rows
		).toHaveLength(3);
		expect(
			(await listFlags(who.civil, { settlementId: own.id, before: page.rows[0].no })).rows
		).toHaveLength(2);
		const counts = await flagCounts(who.civil, { settlementId: own.id });
		expect(counts.byCategory).toMatchObject({ disaster: 1, schooling: 2 });
		expect(counts.byStatus.reported).toBe(3);
	});
});
