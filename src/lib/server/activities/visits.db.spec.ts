import { and, count, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays, defaultIntervalDays } from '$lib/activities/vocab';
import { requestNumber } from '$lib/services/workflow';
import {
	endTargetSchema,
	settingSchema,
	targetSchema,
	visitSchema,
	type TargetInput,
	type VisitInput
} from '$lib/schemas/visits';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCategory,
	createCounty,
	createHousehold,
	createNeed,
	createRegion,
	createServiceRequest,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import { needNumber } from '../charity/needs';
import {
	addTarget,
	endTarget,
	getCareTarget,
	getVisit,
	linkVisit,
	linkVisitByRef,
	listOverdue,
	listSchedule,
	listTargets,
	recordVisit,
	saveCareSetting,
	searchVisitResidents,
	visitRates
} from './visits';

useTestDatabase();

const { careTarget, careVisit, careSetting, riskFlag, auditEntry, notification } = schema;

// Shanghai noon on 15 June 2026: "today" for every command below
const now = new Date('2026-06-15T04:00:00Z');
const today = '2026-06-15';

let county: County;
let otherCounty: County;
let a: Settlement;
let b: Settlement;
let far: Settlement;
let homeA: Household & { members: Member[] };
let homeA2: Household & { members: Member[] };
let homeB: Household & { members: Member[] };
let homeFar: Household & { members: Member[] };
let workerA: Actor;
let workerA2: Actor;
let workerB: Actor;
let adminA: Actor;
let chiefA: Actor;
let civil: Actor;
let otherCivil: Actor;
let residentA: Actor;

let keys = 0;
const key = () => `visit-key-${++keys}-${Math.random().toString(36).slice(2, 10)}`;

/** A target form as posted, parsed by its schema. */
function targetForm(input: Partial<Record<keyof TargetInput, unknown>>): TargetInput {
	return targetSchema.parse({ group: 'living_alone_elderly', since: today, ...input });
}

/** A visit form as posted, parsed by its schema. */
function visitForm(input: Partial<Record<keyof VisitInput, unknown>>): VisitInput {
	return visitSchema.parse({
		visitedOn: today,
		mode: 'home',
		wellbeing: 'well',
		findings: '老人身体尚好，家中整洁。',
		idempotencyKey: key(),
		...input
	});
}

async function target(actor: Actor, input: Partial<Record<keyof TargetInput, unknown>>) {
	const r = await addTarget(actor, targetForm(input));
	if (!r.ok) throw new Error(r.reason);
	const [row] = await db().select().from(careTarget).where(eq(careTarget.id, r.id));
	return row;
}

async function visit(actor: Actor, input: Partial<Record<keyof VisitInput, unknown>>) {
	const r = await recordVisit(actor, visitForm(input), now);
	if (!r.ok) throw new Error(r.reason);
	return r;
}

async function targetRow(id: string) {
	const [row] = await db().select().from(careTarget).where(eq(careTarget.id, id));
	return row;
}

beforeAll(async () => {
	county = await createCounty();
	otherCounty = await createCounty(county.city);
	a = await createSettlement(county);
	b = await createSettlement(county);
	far = await createSettlement(otherCounty);
	homeA = await createHousehold(a, { members: 4 });
	homeA2 = await createHousehold(a, { members: 2 });
	homeB = await createHousehold(b, { members: 2 });
	homeFar = await createHousehold(far, { members: 2 });
	const users = await Promise.all([
		createUser({ displayName: '社工甲', grants: [{ role: 'community_worker', on: a }] }),
		createUser({ displayName: '社工乙', grants: [{ role: 'community_worker', on: a }] }),
		createUser({ displayName: '社工丙', grants: [{ role: 'community_worker', on: b }] }),
		createUser({ displayName: '管理员甲', grants: [{ role: 'point_admin', on: a }] }),
		createUser({ displayName: '点长甲', grants: [{ role: 'point_chief', on: a }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: otherCounty }] }),
		createUser({ household: homeA, grants: [{ role: 'resident', on: a }] })
	]);
	[workerA, workerA2, workerB, adminA, chiefA, civil, otherCivil, residentA] = users.map(
		(u) => u.actor
	);
});

describe('targets and the county’s intervals', () => {
	it('takes the group’s default interval and is due from its start day; audited', async () => {
		const row = await target(adminA, {
			residentId: homeA.members[0].id,
			group: 'severe_disability',
			workerId: workerA.id,
			since: '2026-06-01'
		});
		expect(row).toMatchObject({
			settlementId: a.id,
			householdId: homeA.id,
			intervalDays: defaultIntervalDays.severe_disability,
			workerId: workerA.id,
			since: '2026-06-01',
			lastVisitedOn: null,
			nextDueOn: '2026-06-01'
		});
		const [entry] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.entityId, row.id), eq(auditEntry.action, 'visit.target.add')));
		expect(entry.scopePath).toBe(county.path);
		expect(JSON.stringify(entry.summary)).not.toContain(homeA.members[0].name);
	});

	it('takes the county’s own interval once civil affairs set one, a typed interval over both', async () => {
		await db()
			.insert(careSetting)
			.values({ regionId: county.id, regionPath: county.path, verifyWithinHours: 48 });
		const saved = await saveCareSetting(
			civil,
			settingSchema.parse({ regionId: county.id, childInDifficultyDays: '10' })
		);
		expect(saved.ok).toBe(true);
		const [setting] = await db()
			.select()
			.from(careSetting)
			.where(eq(careSetting.regionId, county.id));
		// only the intervals are this form's: the risk limit in the same row stands
		expect(setting).toMatchObject({ childInDifficultyDays: 10, verifyWithinHours: 48 });
		expect(setting.livingAloneElderlyDays).toBeNull();

		const own = await target(adminA, {
			residentId: homeA.members[3].id,
			group: 'child_in_difficulty'
		});
		expect(own.intervalDays).toBe(10);
		const typed = await target(adminA, {
			residentId: homeA.members[3].id,
			group: 'left_behind_child',
			intervalDays: '21'
		});
		expect(typed.intervalDays).toBe(21);
		// the other county keeps the defaults
		const elsewhere = await addTarget(
			(await createUser({ grants: [{ role: 'point_admin', on: far }] })).actor,
			targetForm({ residentId: homeFar.members[0].id, group: 'child_in_difficulty' })
		);
		if (!elsewhere.ok) throw new Error(elsewhere.reason);
		expect((await targetRow(elsewhere.id)).intervalDays).toBe(14);
	});

	it('lets only civil affairs of the county set its intervals', async () => {
		const input = settingSchema.parse({ regionId: county.id, livingAloneElderlyDays: '3' });
		expect(await httpStatus(saveCareSetting(adminA, input))).toBe(403);
		expect(await httpStatus(saveCareSetting(otherCivil, input))).toBe(403);
		expect(await httpStatus(saveCareSetting(workerA, input))).toBe(403);
		const township = await createRegion(county, { level: 'township' });
		expect(
			await saveCareSetting(civil, settingSchema.parse({ regionId: township.id }))
		).toMatchObject({ ok: false, reason: 'not_county', field: 'regionId' });
	});

	it('refuses a second live target of one group, a worker of another point, someone moved out', async () => {
		await target(adminA, { residentId: homeA.members[1].id, group: 'extreme_poverty' });
		expect(
			await addTarget(
				adminA,
				targetForm({ residentId: homeA.members[1].id, group: 'extreme_poverty' })
			)
		).toMatchObject({ ok: false, reason: 'duplicate', field: 'group' });
		expect(
			await addTarget(adminA, targetForm({ residentId: homeA.members[1].id, workerId: workerB.id }))
		).toMatchObject({ ok: false, reason: 'no_worker', field: 'workerId' });
		const gone = await createHousehold(a, { status: 'moved_out' });
		expect(await addTarget(adminA, targetForm({ residentId: gone.members[0].id }))).toMatchObject({
			ok: false,
			reason: 'inactive',
			field: 'residentId'
		});
	});

	it('is added by the point’s staff only: 403 for a worker, 404 for another point or a resident', async () => {
		const input = targetForm({ residentId: homeA2.members[0].id });
		expect(await httpStatus(addTarget(workerA, input))).toBe(403);
		expect(await httpStatus(addTarget(civil, input))).toBe(403);
		expect(await httpStatus(addTarget(workerB, input))).toBe(404);
		expect(await httpStatus(addTarget(residentA, input))).toBe(404);
	});

	it('searches the register for people, without ID numbers', async () => {
		const found = await searchVisitResidents(adminA, a.id, homeA.headName);
		expect(found.rows.map((r) => r.id)).toContain(homeA.members[0].id);
		const json = JSON.stringify(found);
		for (const m of homeA.members) expect(json).not.toContain(m.idNumber);
		expect(await httpStatus(searchVisitResidents(workerB, a.id, homeA.headName))).toBe(404);
		expect(await httpStatus(searchVisitResidents(workerA, a.id, homeA.headName))).toBe(404);
	});
});

describe('the scheduler', () => {
	it('puts a worker’s targets in overdue, today, this week and later by their due days', async () => {
		const people = (await createHousehold(a, { members: 4 })).members;
		const starts = [addDays(today, -5), today, addDays(today, 3), addDays(today, 20)];
		const ids = [];
		for (const [i, since] of starts.entries())
			ids.push(
				(await target(adminA, { residentId: people[i].id, workerId: workerA2.id, since })).id
			);
		const s = await listSchedule(workerA2, {}, now);
		expect(s.workerId).toBe(workerA2.id);
		expect(s.buckets.overdue.map((r) => r.id)).toEqual([ids[0]]);
		expect(s.buckets.overdue[0].daysOverdue).toBe(5);
		expect(s.buckets.today.map((r) => r.id)).toEqual([ids[1]]);
		expect(s.buckets.week.map((r) => r.id)).toEqual([ids[2]]);
		expect(s.buckets.later.map((r) => r.id)).toEqual([ids[3]]);
		// the point admin reads the same worker's schedule; the worker's own schedule holds only theirs
		const seen = await listSchedule(adminA, { workerId: workerA2.id }, now);
		expect(seen.buckets.overdue.map((r) => r.id)).toEqual([ids[0]]);
		const mine = await listSchedule(workerA, {}, now);
		expect(
			Object.values(mine.buckets)
				.flat()
				.map((r) => r.id)
		).not.toContain(ids[0]);
	});

	it('a visit moves the due day by the interval and is on time by the old due day', async () => {
		const row = await target(adminA, {
			residentId: homeA2.members[0].id,
			group: 'living_alone_elderly',
			workerId: workerA.id,
			since: '2026-06-10'
		});
		// never visited: due on its start day, five days ago
		const late = await visit(workerA, { targetId: row.id, visitedOn: '2026-06-12' });
		let after = await targetRow(row.id);
		expect(after).toMatchObject({ lastVisitedOn: '2026-06-12', nextDueOn: '2026-06-19' });
		let [saved] = await db().select().from(careVisit).where(eq(careVisit.id, late.visitId));
		expect(saved).toMatchObject({
			onTime: false,
			visitorId: workerA.id,
			visitorName: '社工甲',
			householdId: homeA2.id,
			residentId: homeA2.members[0].id
		});
		// an early visit: on time, and the next due day comes forward from it
		const early = await visit(workerA, { targetId: row.id, visitedOn: today });
		after = await targetRow(row.id);
		expect(after).toMatchObject({ lastVisitedOn: today, nextDueOn: '2026-06-22' });
		[saved] = await db().select().from(careVisit).where(eq(careVisit.id, early.visitId));
		expect(saved.onTime).toBe(true);
		// a visit entered late for an earlier day moves nothing back
		await visit(workerA2, { targetId: row.id, visitedOn: '2026-06-13' });
		expect(await targetRow(row.id)).toMatchObject({
			lastVisitedOn: today,
			nextDueOn: '2026-06-22'
		});
		const [entry] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.entityId, early.visitId), eq(auditEntry.action, 'visit.record')));
		expect(entry.summary).toMatchObject({ onTime: true, nextDueOn: '2026-06-22' });
		expect(JSON.stringify(entry.summary)).not.toContain('老人身体');
	});

	it('refuses a visit in the future, before the target’s start, or to an ended target', async () => {
		const row = await target(adminA, {
			residentId: homeA2.members[1].id,
			group: 'living_alone_elderly',
			since: '2026-06-10'
		});
		expect(
			await recordVisit(workerA, visitForm({ targetId: row.id, visitedOn: '2026-06-16' }), now)
		).toMatchObject({ ok: false, reason: 'future', field: 'visitedOn' });
		expect(
			await recordVisit(workerA, visitForm({ targetId: row.id, visitedOn: '2026-06-09' }), now)
		).toMatchObject({ ok: false, reason: 'before_since', field: 'visitedOn' });
		expect(
			await endTarget(adminA, endTargetSchema.parse({ targetId: row.id, endReason: '已搬离' }), now)
		).toEqual({ ok: true });
		expect(
			await endTarget(adminA, endTargetSchema.parse({ targetId: row.id, endReason: '再次' }), now)
		).toMatchObject({ ok: false, reason: 'ended' });
		expect(await targetRow(row.id)).toMatchObject({ endedOn: today, endReason: '已搬离' });
		expect(await recordVisit(workerA, visitForm({ targetId: row.id }), now)).toMatchObject({
			ok: false,
			reason: 'ended'
		});
		const live = await listTargets(adminA, { settlementId: a.id }, now);
		expect(live.rows.map((r) => r.id)).not.toContain(row.id);
		const ended = await listTargets(adminA, { settlementId: a.id, ended: true }, now);
		expect(ended.rows.map((r) => r.id)).toContain(row.id);
		// a target may be started again in the same group once the old one ended
		await target(adminA, { residentId: homeA2.members[1].id, group: 'living_alone_elderly' });
	});

	it('lists the point’s overdue targets by worker for its staff, not for another point', async () => {
		const people = (await createHousehold(a, { members: 2 })).members;
		const t1 = await target(adminA, {
			residentId: people[0].id,
			workerId: workerA.id,
			since: addDays(today, -3)
		});
		const t2 = await target(adminA, { residentId: people[1].id, since: addDays(today, -9) });
		const seen = await listOverdue(chiefA, { settlementId: a.id }, now);
		const byWorker = new Map(seen.groups.map((g) => [g.workerId, g.rows.map((r) => r.id)]));
		expect(byWorker.get(workerA.id)).toContain(t1.id);
		expect(byWorker.get(null)).toContain(t2.id);
		// the unassigned come first: nobody is visiting them
		expect(seen.groups[0].workerId).toBeNull();
		for (const g of seen.groups) for (const r of g.rows) expect(r.daysOverdue).toBeGreaterThan(0);
		const other = await listOverdue(workerB, {}, now);
		expect(other.groups.flatMap((g) => g.rows.map((r) => r.id))).not.toContain(t1.id);
		const county_ = await listOverdue(civil, {}, now);
		expect(county_.groups.flatMap((g) => g.rows.map((r) => r.id))).toContain(t1.id);
	});

	it('counts on-time visits per settlement for a month', async () => {
		const rates = await visitRates(civil, { month: '2026-06' }, now);
		const rowA = rates.rows.find((r) => r.settlementId === a.id)!;
		const [{ n }] = await db()
			.select({ n: count() })
			.from(careVisit)
			.where(
				and(
					eq(careVisit.settlementId, a.id),
					sql`${careVisit.visitedOn} >= '2026-06-01' and ${careVisit.visitedOn} < '2026-07-01'`
				)
			);
		const [{ onTime }] = await db()
			.select({ onTime: count() })
			.from(careVisit)
			.where(and(eq(careVisit.settlementId, a.id), eq(careVisit.onTime, true)));
		expect(rowA.visits).toBe(n);
		expect(rowA.onTime).toBe(onTime);
		expect(rowA.visits).toBeGreaterThan(rowA.onTime);
		expect(rowA.rate).toBe(Math.round((100 * onTime) / n));
		expect(rowA.overdue).toBeGreaterThan(0);
		expect(rates.rows.map((r) => r.settlementId)).not.toContain(far.id);
		const none = await visitRates(civil, { month: '2026-05' }, now);
		expect(none.rows.find((r) => r.settlementId === a.id)?.visits).toBe(0);
		const theirs = await visitRates(workerB, { month: '2026-06' }, now);
		expect(theirs.rows.map((r) => r.settlementId)).not.toContain(a.id);
	});
});

describe('a visit that finds a risk', () => {
	it('opens a risk flag in the same transaction, for the household and the person, and notifies the point', async () => {
		const row = await target(adminA, {
			residentId: homeA.members[2].id,
			group: 'living_alone_elderly',
			workerId: workerA.id,
			since: '2026-06-01'
		});
		const r = await visit(workerA, {
			targetId: row.id,
			wellbeing: 'urgent',
			riskCategory: 'serious_illness',
			riskDescription: '老人确诊重病，医疗支出骤增。'
		});
		expect(r.riskFlagId).not.toBeNull();
		const [flag] = await db().select().from(riskFlag).where(eq(riskFlag.id, r.riskFlagId!));
		expect(flag).toMatchObject({
			settlementId: a.id,
			regionPath: county.path,
			householdId: homeA.id,
			residentId: homeA.members[2].id,
			category: 'serious_illness',
			source: 'visit',
			visitId: r.visitId,
			reportedBy: workerA.id,
			status: 'reported'
		});
		expect(flag.foundAt.getTime()).toBe(now.getTime());
		// the county set 48 hours above
		expect(flag.verifyDueAt.getTime() - flag.reportedAt.getTime()).toBe(48 * 3600_000);
		const [saved] = await db().select().from(careVisit).where(eq(careVisit.id, r.visitId));
		expect(saved.riskFlagId).toBe(flag.id);
		const told = await db()
			.select({ userId: notification.userId })
			.from(notification)
			.where(eq(notification.link, `/risks/${flag.id}`));
		expect(told.map((n) => n.userId).sort()).toEqual([adminA.id, chiefA.id].sort());
		const detail = await getVisit(adminA, r.visitId);
		expect(detail.riskFlagNumber).toMatch(/^FX\d{8}$/);
		expect(detail.riskCategory).toBe('serious_illness');
	});

	it('a flag found on an earlier day is found that day', async () => {
		const row = await target(adminA, {
			residentId: homeA.members[2].id,
			group: 'extreme_poverty',
			since: '2026-06-01'
		});
		const r = await visit(workerA, {
			targetId: row.id,
			visitedOn: '2026-06-11',
			riskCategory: 'income_drop',
			riskDescription: '家中务工人员失业，收入骤减。'
		});
		const [flag] = await db().select().from(riskFlag).where(eq(riskFlag.id, r.riskFlagId!));
		expect(flag.foundAt.toISOString()).toBe('2026-06-10T16:00:00.000Z');
	});

	it('writes no visit and moves no due day when the flag cannot be written', async () => {
		const row = await target(adminA, {
			residentId: homeA.members[0].id,
			group: 'living_alone_elderly',
			since: '2026-06-01'
		});
		// a constraint that refuses this one description: the flag's insert fails in the database
		await db().execute(
			sql`alter table risk_flag add constraint test_refuse_flag check (description <> '无法写入的风险情况')`
		);
		const k = key();
		try {
			await expect(
				recordVisit(
					workerA,
					visitForm({
						targetId: row.id,
						idempotencyKey: k,
						riskCategory: 'accident',
						riskDescription: '无法写入的风险情况'
					}),
					now
				)
			).rejects.toThrow();
		} finally {
			await db().execute(sql`alter table risk_flag drop constraint test_refuse_flag`);
		}
		const visits = await db().select().from(careVisit).where(eq(careVisit.idempotencyKey, k));
		expect(visits).toHaveLength(0);
		expect(await targetRow(row.id)).toMatchObject({ lastVisitedOn: null, nextDueOn: '2026-06-01' });
		const audits = await db()
			.select({ n: count() })
			.from(auditEntry)
			.where(and(eq(auditEntry.entityId, row.id), eq(auditEntry.action, 'visit.record')));
		expect(audits[0].n).toBe(0);
		// the same form sent again, with words the database takes, records it
		const again = await visit(workerA, {
			targetId: row.id,
			idempotencyKey: k,
			riskCategory: 'accident',
			riskDescription: '老人在家摔伤，需要照护。'
		});
		expect(again.riskFlagId).not.toBeNull();
	});

	it('records one visit for one key, however often and however concurrently it is sent', async () => {
		const row = await target(adminA, {
			residentId: homeA.members[1].id,
			group: 'living_alone_elderly',
			since: '2026-06-01'
		});
		const form = visitForm({
			targetId: row.id,
			riskCategory: 'other',
			riskDescription: '房屋漏水无人修缮。'
		});
		const results = await Promise.all([
			recordVisit(workerA, form, now),
			recordVisit(workerA, form, now),
			recordVisit(workerA, form, now)
		]);
		const ok = results.filter((r) => r.ok);
		expect(ok).toHaveLength(3);
		const visitIds = new Set(ok.map((r) => (r.ok ? r.visitId : '')));
		expect(visitIds.size).toBe(1);
		expect(ok.filter((r) => r.ok && !r.duplicate)).toHaveLength(1);
		const rows = await db()
			.select()
			.from(careVisit)
			.where(eq(careVisit.idempotencyKey, form.idempotencyKey));
		expect(rows).toHaveLength(1);
		const flags = await db().select().from(riskFlag).where(eq(riskFlag.visitId, rows[0].id));
		expect(flags).toHaveLength(1);
		// two different visits at once both count, and the clock ends at the later one
		const [x, y] = await Promise.all([
			recordVisit(workerA, visitForm({ targetId: row.id, visitedOn: '2026-06-14' }), now),
			recordVisit(workerA2, visitForm({ targetId: row.id, visitedOn: '2026-06-13' }), now)
		]);
		expect(x.ok && y.ok).toBe(true);
		expect(await targetRow(row.id)).toMatchObject({
			lastVisitedOn: today,
			nextDueOn: addDays(today, 7)
		});
	});
});

describe('links to what a visit led to', () => {
	let visitId: string;
	beforeAll(async () => {
		const row = await target(adminA, {
			residentId: homeA2.members[0].id,
			group: 'extreme_poverty',
			since: '2026-06-01'
		});
		visitId = (await visit(workerA, { targetId: row.id })).visitId;
	});

	it('links the household’s own request by its number, and its need by number', async () => {
		const category = await createCategory(county);
		const req = await createServiceRequest(homeA2, category, adminA);
		const need = await createNeed(homeA2, adminA);
		expect(await linkVisitByRef(workerA, visitId, requestNumber(req.no))).toEqual({
			ok: true,
			kind: 'service_request',
			id: req.id
		});
		expect(await linkVisitByRef(workerA, visitId, needNumber(need.no).toLowerCase())).toEqual({
			ok: true,
			kind: 'need',
			id: need.id
		});
		const detail = await getVisit(workerA, visitId);
		expect(detail).toMatchObject({
			serviceRequestId: req.id,
			serviceRequestNumber: requestNumber(req.no),
			needId: need.id,
			needNumber: needNumber(need.no)
		});
		expect(detail.can.link).toBe(false);
		// linked again to the same: fine; to another: refused
		expect((await linkVisit(workerA, visitId, { serviceRequestId: req.id })).ok).toBe(true);
		const second = await createServiceRequest(homeA2, category, adminA);
		expect(await linkVisit(workerA, visitId, { serviceRequestId: second.id })).toMatchObject({
			ok: false,
			reason: 'already_linked',
			field: 'ref'
		});
		const [entry] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.entityId, visitId), eq(auditEntry.action, 'visit.link')));
		expect(entry).toBeDefined();
	});

	it('links only the same household’s request or need', async () => {
		const row = await target(adminA, {
			residentId: homeA.members[3].id,
			group: 'extreme_poverty',
			since: '2026-06-01'
		});
		const mine = (await visit(workerA, { targetId: row.id })).visitId;
		const category = await createCategory(county);
		const others = await createServiceRequest(homeA2, category, adminA);
		const otherNeed = await createNeed(homeB, adminA);
		expect(await linkVisit(workerA, mine, { serviceRequestId: others.id })).toMatchObject({
			ok: false,
			reason: 'other_household'
		});
		expect(await linkVisit(workerA, mine, { needId: otherNeed.id })).toMatchObject({
			ok: false,
			reason: 'other_household'
		});
		// by number, another household's is as good as none: it says nothing of it
		expect(await linkVisitByRef(workerA, mine, requestNumber(others.no))).toMatchObject({
			ok: false,
			reason: 'not_found',
			field: 'ref'
		});
		expect(await linkVisitByRef(workerA, mine, 'FW99999999')).toMatchObject({
			ok: false,
			reason: 'not_found'
		});
		expect(await linkVisit(workerA, mine, {})).toMatchObject({ ok: false, reason: 'nothing' });
		const [saved] = await db().select().from(careVisit).where(eq(careVisit.id, mine));
		expect(saved.serviceRequestId).toBeNull();
		expect(saved.needId).toBeNull();
	});

	it('is 404 for another point’s worker and a resident, 403 for county staff', async () => {
		expect(await httpStatus(linkVisitByRef(workerB, visitId, 'FW00000001'))).toBe(404);
		expect(await httpStatus(linkVisit(residentA, visitId, { needId: visitId }))).toBe(404);
		expect(await httpStatus(linkVisit(civil, visitId, { needId: visitId }))).toBe(403);
	});
});

describe('who sees and records visits (IDOR)', () => {
	let targetId: string;
	let visitId: string;
	beforeAll(async () => {
		const row = await target(adminA, {
			residentId: homeA.members[0].id,
			group: 'extreme_poverty',
			workerId: workerA.id,
			since: '2026-06-01'
		});
		targetId = row.id;
		visitId = (await visit(workerA, { targetId })).visitId;
	});

	it('a worker of another point can neither see nor visit the point’s targets', async () => {
		expect(await httpStatus(getCareTarget(workerB, targetId))).toBe(404);
		expect(await httpStatus(getVisit(workerB, visitId))).toBe(404);
		expect(await httpStatus(recordVisit(workerB, visitForm({ targetId }), now))).toBe(404);
		expect(
			await httpStatus(endTarget(workerB, endTargetSchema.parse({ targetId, endReason: '搬走了' })))
		).toBe(404);
		const listed = await listTargets(workerB, {}, now);
		expect(listed.rows.map((r) => r.id)).not.toContain(targetId);
		const asked = await listSchedule(workerB, { workerId: workerA.id }, now);
		expect(Object.values(asked.buckets).flat()).toHaveLength(0);
		const foreign = await listTargets(otherCivil, {}, now);
		expect(foreign.rows.map((r) => r.id)).not.toContain(targetId);
	});

	it('residents cannot read visits at all, not even their own household’s', async () => {
		expect(await httpStatus(getVisit(residentA, visitId))).toBe(404);
		expect(await httpStatus(getCareTarget(residentA, targetId))).toBe(404);
		expect(await httpStatus(listTargets(residentA))).toBe(404);
		expect(await httpStatus(listSchedule(residentA))).toBe(404);
		expect(await httpStatus(listOverdue(residentA))).toBe(404);
		expect(await httpStatus(visitRates(residentA, { month: '2026-06' }))).toBe(404);
		expect(await httpStatus(recordVisit(residentA, visitForm({ targetId }), now))).toBe(404);
	});

	it('county staff read but do not record; a worker records but does not end targets', async () => {
		expect((await getVisit(civil, visitId)).id).toBe(visitId);
		expect(await httpStatus(recordVisit(civil, visitForm({ targetId }), now))).toBe(403);
		expect(await httpStatus(recordVisit(otherCivil, visitForm({ targetId }), now))).toBe(404);
		expect(
			await httpStatus(endTarget(workerA, endTargetSchema.parse({ targetId, endReason: '搬走了' })))
		).toBe(403);
		// any worker of the point may cover a colleague's visit
		expect((await recordVisit(workerA2, visitForm({ targetId }), now)).ok).toBe(true);
	});

	it('an id that is no id, or of nothing, is 404', async () => {
		expect(await httpStatus(getVisit(adminA, 'not-an-id'))).toBe(404);
		expect(await httpStatus(getVisit(adminA, crypto.randomUUID()))).toBe(404);
		expect(
			await httpStatus(recordVisit(adminA, visitForm({ targetId: crypto.randomUUID() }), now))
		).toBe(404);
	});
});
