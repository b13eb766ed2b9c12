import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus } from '../../../../tests/http';
import {
	createCounty,
	createHousehold,
	createOrganization,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	checkDuplicates,
	listCheckRuns,
	listDuplicates,
	resolveDuplicate,
	runDuplicateCheck
} from './duplicates';

useTestDatabase();

let county: County;
let a: Settlement;
let b: Settlement;
let c: Settlement;
let homeA: Household & { members: Member[] };
let homeB: Household & { members: Member[] };
let twin: Member;
const who = {} as Record<
	| 'civil'
	| 'chiefOfPoints'
	| 'adminA'
	| 'adminC'
	| 'workerA'
	| 'resident'
	| 'civilElsewhere'
	| 'sysadmin',
	Actor
>;
const now = new Date('2026-03-03T02:00:00Z');

beforeAll(async () => {
	county = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	c = await createSettlement(county);
	homeA = await createHousehold(a);
	homeB = await createHousehold(b);
	// the same person (same ID number) also on household B's books
	[twin] = await db()
		.insert(schema.resident)
		.values({
			householdId: homeB.id,
			name: homeA.members[1].name,
			relation: '子',
			idNumber: homeA.members[1].idNumber,
			gender: homeA.members[1].gender,
			birthDate: homeA.members[1].birthDate
		})
		.returning();
	const users = await Promise.all([
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'chief_of_points', on: county }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: c }] }),
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ household: homeA, grants: [{ role: 'resident', on: a }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: await createCounty() }] }),
		createUser({ grants: [{ role: 'system_admin' }] })
	]);
	(
		[
			'civil',
			'chiefOfPoints',
			'adminA',
			'adminC',
			'workerA',
			'resident',
			'civilElsewhere',
			'sysadmin'
		] as const
	).forEach((k, i) => (who[k] = users[i].actor));
});

const findings = (kind: string) =>
	db()
		.select()
		.from(schema.duplicateBenefit)
		.where(and(eq(schema.duplicateBenefit.kind, kind as 'same_person_two_households')));

describe('the same ID number in two households', () => {
	it('is one finding keyed by a hash, never the number; a second run adds none', async () => {
		const first = await runDuplicateCheck(who.civil, { month: '2026-02' }, now);
		expect(first).toMatchObject({ ok: true, found: 1, added: 1 });
		const rows = await findings('same_person_two_households');
		expect(rows).toHaveLength(1);
		const [f] = rows;
		expect(f.key).toMatch(/^[0-9a-f]{64}$/);
		expect(JSON.stringify(f)).not.toContain(twin.idNumber);
		expect(f.residentIds.sort()).toEqual([homeA.members[1].id, twin.id].sort());
		expect(f.householdIds.sort()).toEqual([homeA.id, homeB.id].sort());
		expect(f.settlementIds.sort()).toEqual([a.id, b.id].sort());
		expect(f.regionPath).toBe(county.path);

		const second = await runDuplicateCheck(who.civil, { month: '2026-02' }, now);
		expect(second).toMatchObject({ ok: true, found: 1, added: 0 });
		expect(await findings('same_person_two_households')).toHaveLength(1);
		expect((await listCheckRuns(who.civil)).map((r) => r.found)).toEqual([1, 1]);
	});

	it('shows names and masked ID numbers to staff of the county and of the points involved', async () => {
		const [seen] = (await listDuplicates(who.adminA)).filter(
			(x) => x.kind === 'same_person_two_households'
		);
		expect(seen.people).toHaveLength(2);
		for (const p of seen.people) {
			expect(p.name).toBe(twin.name);
			expect(p.idNumber).not.toBe(twin.idNumber);
			expect(p.idNumber).toMatch(/^\d{4}\*+[\dX]{4}$/);
		}
		expect(seen.households.map((h) => h.settlementName).sort()).toEqual([a.name, b.name].sort());
		expect(seen.canResolve).toBe(true);
		expect((await listDuplicates(who.chiefOfPoints))[0].canResolve).toBe(false);
		// a point not involved, another county, a worker and a resident see nothing of it
		expect(await listDuplicates(who.adminC)).toEqual([]);
		expect(await listDuplicates(who.civilElsewhere)).toEqual([]);
		expect(await httpStatus(listDuplicates(who.workerA))).toBe(404);
		expect(await httpStatus(listDuplicates(who.resident))).toBe(404);
	});

	it('is resolved once, with a note, audited; only by staff with benefit.resolve over it', async () => {
		const [f] = await findings('same_person_two_households');
		const input = {
			status: 'dismissed' as const,
			note: '已核实为同一人户籍迁移未注销，已通知迁出地'
		};
		expect(await httpStatus(resolveDuplicate(who.chiefOfPoints, f.id, input))).toBe(403);
		expect(await httpStatus(resolveDuplicate(who.adminC, f.id, input))).toBe(404);
		expect(await httpStatus(resolveDuplicate(who.civilElsewhere, f.id, input))).toBe(404);
		expect(await httpStatus(resolveDuplicate(who.resident, f.id, input))).toBe(404);
		expect(await httpStatus(resolveDuplicate(who.adminA, 'nope', input))).toBe(404);
		const results = await Promise.all([
			resolveDuplicate(who.adminA, f.id, input, now),
			resolveDuplicate(who.civil, f.id, { status: 'dismissed', note: '同上' }, now)
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok)).toMatchObject([{ reason: 'closed' }]);
		const audits = await db()
			.select()
			.from(schema.auditEntry)
			.where(
				and(eq(schema.auditEntry.entityId, f.id), eq(schema.auditEntry.action, 'benefit.resolve'))
			);
		expect(audits).toHaveLength(1);
		expect(audits[0].scopePath).toBe(county.path);
		expect(JSON.stringify(audits[0].summary)).not.toContain('迁出地');
		const [row] = await db()
			.select()
			.from(schema.duplicateBenefit)
			.where(eq(schema.duplicateBenefit.id, f.id));
		expect(row.status).toBe('dismissed');
		expect(row.resolvedAt?.toISOString()).toBe(now.toISOString());
	});

	it('raises a finding again only when it was not dismissed for the same households', async () => {
		// dismissed for these two households: not raised again
		const again = await runDuplicateCheck(who.civil, { month: '2026-02' }, now);
		expect(again).toMatchObject({ ok: true, found: 1, added: 0 });
		// a third household with the number is new: found again
		const homeC = await createHousehold(c);
		await db().insert(schema.resident).values({
			householdId: homeC.id,
			name: twin.name,
			relation: '子',
			idNumber: twin.idNumber,
			gender: twin.gender,
			birthDate: twin.birthDate
		});
		expect(await runDuplicateCheck(who.civil, { month: '2026-02' }, now)).toMatchObject({
			ok: true,
			added: 1
		});
		// resolved, yet still on three books: the next run finds it again
		const open = (await findings('same_person_two_households')).filter((x) => x.status === 'open');
		expect(open).toHaveLength(1);
		expect(open[0].settlementIds.sort()).toEqual([a.id, b.id, c.id].sort());
		expect(
			await resolveDuplicate(who.adminC, open[0].id, { status: 'resolved', note: '已注销' }, now)
		).toEqual({ ok: true });
		expect(await runDuplicateCheck(who.civil, { month: '2026-02' }, now)).toMatchObject({
			added: 1
		});
		expect(
			(await findings('same_person_two_households')).filter((x) => x.status === 'open')
		).toHaveLength(1);
	});
});

describe('two open aid cases for the same hardship', () => {
	it('is one finding per household and hardship; paid and different hardships are not', async () => {
		const own = await createCounty();
		const s = await createSettlement(own);
		const home = await createHousehold(s);
		const other = await createHousehold(s);
		const group = await createOrganization(own, { settlement: s });
		const { actor: civil } = await createUser({ grants: [{ role: 'civil_affairs', on: own }] });
		const kase = (
			householdId: string,
			hardship: string,
			status: 'paid_first' | 'conference' | 'approved' | 'paid' | 'rejected'
		) => ({
			organizationId: group.id,
			householdId,
			hardship,
			publicSummary: '救急难',
			amount: 50_000,
			status,
			createdBy: civil.id
		});
		const cases = await db()
			.insert(schema.aidCase)
			.values([
				kase(home.id, '因病住院，医疗费用高', 'paid_first'),
				kase(home.id, '因病住院 医疗费用高。', 'conference'),
				kase(home.id, '因病住院，医疗费用高', 'paid'),
				kase(home.id, '房屋漏雨', 'approved'),
				kase(other.id, '因病住院，医疗费用高', 'conference'),
				kase(other.id, '因病住院，医疗费用高', 'rejected')
			])
			.returning();
		const run = await runDuplicateCheck(civil, { month: '2026-02' }, now);
		expect(run).toMatchObject({ ok: true, found: 1, added: 1 });
		const rows = (await listDuplicates(civil, { status: 'open' })).filter(
			(x) => x.kind === 'two_open_aid_cases'
		);
		expect(rows).toHaveLength(1);
		expect(rows[0].cases.map((x) => x.id).sort()).toEqual([cases[0].id, cases[1].id].sort());
		expect(rows[0].households.map((h) => h.headName)).toEqual([home.headName]);
		expect(await runDuplicateCheck(civil, { month: '2026-02' }, now)).toMatchObject({ added: 0 });
		// the findings of one county are not another's
		expect((await listDuplicates(who.civil)).some((x) => x.kind === 'two_open_aid_cases')).toBe(
			false
		);
		expect(await checkDuplicates(own.path, '2026-02')).toMatchObject({ found: 1, added: 0 });
	});
});

describe('who runs the check', () => {
	it('only civil affairs (and the system admin, naming the county); never a month to come', async () => {
		for (const actor of [who.chiefOfPoints, who.adminA, who.workerA, who.resident])
			expect(await httpStatus(runDuplicateCheck(actor, { month: '2026-02' }, now))).toBe(403);
		expect(
			await httpStatus(
				runDuplicateCheck(who.civilElsewhere, { month: '2026-02', regionId: county.id }, now)
			)
		).toBe(403);
		expect(await runDuplicateCheck(who.sysadmin, { month: '2026-02' }, now)).toMatchObject({
			ok: false,
			reason: 'no_region',
			field: 'regionId'
		});
		expect(
			await runDuplicateCheck(who.sysadmin, { month: '2026-02', regionId: county.id }, now)
		).toMatchObject({
			ok: true
		});
		expect(await runDuplicateCheck(who.civil, { month: '2026-04' }, now)).toMatchObject({
			ok: false,
			reason: 'future_month',
			field: 'month'
		});
	});
});
