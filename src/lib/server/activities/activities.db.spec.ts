import { and, eq, isNull, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActivityKind } from '$lib/activities/vocab';
import { activitySchema, type ActivityInput } from '$lib/schemas/activities';
import { useTestDatabase } from '../../../../tests/db';
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
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	activityRollup,
	activityTotals,
	cancelActivity,
	cancelSignup,
	checkIn,
	createActivity,
	getActivity,
	householdSignups,
	listActivities,
	listActivityOrganizations,
	listActivityPointItems,
	listParticipants,
	listSignups,
	searchParticipants,
	signUp,
	updateActivity
} from '.';

useTestDatabase();

const { activity, activitySignup, activityCheckin, activityTally, auditEntry, pointsEntry } =
	schema;

/** A moment in Shanghai time. */
const at = (day: string, time = '09:00') => new Date(`${day}T${time}:00+08:00`);

/** An activity form as posted, parsed by its schema. */
function form(
	settlement: { id: string },
	input: Partial<Record<keyof ActivityInput, unknown>> = {}
): ActivityInput {
	return activitySchema.parse({
		settlementId: settlement.id,
		kind: 'culture_sports',
		title: '广场舞比赛',
		place: '安置点文化广场',
		startsAt: '2027-03-10T09:00',
		endsAt: '2027-03-10T11:00',
		organizationId: '',
		capacity: '',
		pointsItemCode: '',
		description: '欢迎居民报名参加。',
		...input
	});
}

/** The result of a command that must succeed. */
function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
	if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
	return r as Extract<T, { ok: true }>;
}

let titleNo = 0;
/** A new activity at a settlement, logged by `by`; its id. */
async function newActivity(
	by: Actor,
	settlement: { id: string },
	input: Partial<Record<keyof ActivityInput, unknown>> = {}
) {
	return ok(await createActivity(by, form(settlement, { title: `活动${++titleNo}`, ...input }))).id;
}

async function activityRow(id: string) {
	const [row] = await db().select().from(activity).where(eq(activity.id, id));
	return row;
}

async function liveSignups(id: string) {
	return db()
		.select()
		.from(activitySignup)
		.where(and(eq(activitySignup.activityId, id), isNull(activitySignup.cancelledAt)));
}

async function checkins(id: string) {
	return db().select().from(activityCheckin).where(eq(activityCheckin.activityId, id));
}

/** Adopts a points list at a settlement straight in the tables (governance's commands are tested there). */
async function adoptPointsList(
	settlement: Settlement,
	items: { code: string; label: string; points: number }[]
) {
	const [rule] = await db()
		.insert(schema.rule)
		.values({
			settlementId: settlement.id,
			regionPath: settlement.regionPath,
			kind: 'points_list',
			title: '积分清单'
		})
		.returning();
	const [version] = await db()
		.insert(schema.ruleVersion)
		.values({
			ruleId: rule.id,
			settlementId: settlement.id,
			regionPath: settlement.regionPath,
			versionNo: 1,
			status: 'adopted',
			pointItems: items,
			adoptedOn: '2026-01-01'
		})
		.returning();
	return version;
}

let county: County;
let a: Settlement;
let b: Settlement;
let homeA: Household & { members: Member[] };
let homeA2: Household & { members: Member[] };
let homeB: Household & { members: Member[] };
let residentA: Actor;
let residentA2: Actor;
let residentB: Actor;
let workerA: Actor;
let workerB: Actor;
let adminA: Actor;
let civil: Actor;
let chief: Actor;
let otherCivil: Actor;

beforeAll(async () => {
	county = await createCounty();
	const otherCounty = await createCounty(county.city);
	a = await createSettlement(county);
	b = await createSettlement(county);
	await createSettlement(otherCounty);
	homeA = await createHousehold(a, { members: 3 });
	homeA2 = await createHousehold(a, { members: 2 });
	homeB = await createHousehold(b, { members: 2 });
	const users = await Promise.all([
		createUser({ household: homeA, grants: [{ role: 'resident', on: a }] }),
		createUser({ household: homeA2, grants: [{ role: 'resident', on: a }] }),
		createUser({ household: homeB, grants: [{ role: 'resident', on: b }] }),
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ grants: [{ role: 'community_worker', on: b }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'chief_of_points', on: county }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: otherCounty }] })
	]);
	[residentA, residentA2, residentB, workerA, workerB, adminA, civil, chief, otherCivil] =
		users.map((u) => u.actor);
	await adoptPointsList(a, [
		{ code: 'join_activity', label: '参加社区活动', points: 3 },
		{ code: 'over_cap_banquet', label: '大操大办', points: -10 }
	]);
});

describe('createActivity', () => {
	it('logs an activity with its organiser, counts it in its month and kind, and is audited', async () => {
		const before = await tallyOf(a.id, '2027-03', 'culture_sports');
		const r = ok(await createActivity(workerA, form(a, { capacity: '30' })));
		expect(r.duplicate).toBe(false);
		const row = await activityRow(r.id);
		expect(row).toMatchObject({
			settlementId: a.id,
			regionPath: a.regionPath,
			kind: 'culture_sports',
			title: '广场舞比赛',
			place: '安置点文化广场',
			organizerId: workerA.id,
			organizationId: null,
			capacity: 30,
			pointsItemCode: null,
			status: 'scheduled',
			signups: 0,
			participants: 0,
			createdBy: workerA.id
		});
		expect(row.startsAt).toEqual(at('2027-03-10'));
		expect(row.endsAt).toEqual(at('2027-03-10', '11:00'));
		expect(await tallyOf(a.id, '2027-03', 'culture_sports')).toEqual({
			activities: before.activities + 1,
			participants: before.participants
		});
		const entries = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'activity.create'), eq(auditEntry.entityId, r.id)));
		expect(entries).toHaveLength(1);
		expect(entries[0].scopePath).toBe(a.regionPath);
	});

	it('logs one activity when the same form is sent twice at once', async () => {
		const input = form(a, {
			title: '重复提交的活动',
			startsAt: '2027-04-02T14:00',
			endsAt: '2027-04-02T16:00'
		});
		const before = await tallyOf(a.id, '2027-04', 'culture_sports');
		const results = await Promise.all([
			createActivity(workerA, input),
			createActivity(workerA, input)
		]);
		const ids = new Set(results.map((r) => ok(r).id));
		expect(ids.size).toBe(1);
		expect(results.filter((r) => ok(r).duplicate)).toHaveLength(1);
		expect((await tallyOf(a.id, '2027-04', 'culture_sports')).activities).toBe(
			before.activities + 1
		);
	});

	it('takes a verified organisation of the county as organiser, and no other', async () => {
		const charity = await createOrganization(county);
		const waiting = await createOrganization(county, { verified: false });
		const far = await createOrganization(await createCounty());
		const id = await newActivity(workerA, a, { organizationId: charity.id });
		expect(await activityRow(id)).toMatchObject({ organizationId: charity.id, organizerId: null });
		for (const o of [waiting, far])
			expect(await createActivity(workerA, form(a, { organizationId: o.id }))).toEqual({
				ok: false,
				reason: 'organization',
				field: 'organizationId'
			});
		const offered = await listActivityOrganizations(workerA);
		expect(offered.map((o) => o.id)).toContain(charity.id);
		expect(offered.map((o) => o.id)).not.toContain(waiting.id);
		expect(offered.map((o) => o.id)).not.toContain(far.id);
	});

	it('takes an award item of the adopted points list only', async () => {
		const id = await newActivity(workerA, a, { pointsItemCode: 'join_activity' });
		expect((await activityRow(id)).pointsItemCode).toBe('join_activity');
		for (const code of ['over_cap_banquet', 'no_such_item'])
			expect(await createActivity(workerA, form(a, { pointsItemCode: code }))).toEqual({
				ok: false,
				reason: 'points_item',
				field: 'pointsItemCode'
			});
		// B has no points list
		expect(
			await createActivity(workerB, form(b, { pointsItemCode: 'join_activity' }))
		).toMatchObject({ reason: 'points_item' });
		const offered = await listActivityPointItems(workerA, [a.id, b.id]);
		expect(offered).toEqual([
			{
				settlementId: a.id,
				settlementName: a.name,
				items: [{ code: 'join_activity', label: '参加社区活动', points: 3 }]
			}
		]);
	});

	it('refuses an end before the start and a bad capacity, in Chinese at the field', () => {
		const bad = activitySchema.safeParse({
			...form(a),
			startsAt: '2027-03-10T09:00',
			endsAt: '2027-03-10T08:00',
			capacity: '0'
		});
		expect(bad.success).toBe(false);
		const fields = Object.fromEntries(
			(bad.error?.issues ?? []).map((i) => [i.path.join('.'), i.message])
		);
		expect(fields.endsAt).toBe('结束时间不能早于开始时间');
		expect(fields.capacity).toMatch(/名额/);
		expect(
			activitySchema.safeParse({ ...form(a), startsAt: '2027-02-30T09:00' }).error?.issues[0]
		).toMatchObject({ path: ['startsAt'], message: '请填写有效的开始时间' });
	});

	it('is 403 at a point the worker does not serve, and for county staff and residents', async () => {
		for (const who of [workerA, civil, chief, residentA])
			expect(await httpStatus(createActivity(who, form(b)))).toBe(403);
		// and a settlement that does not exist says nothing more
		expect(await httpStatus(createActivity(workerA, form({ id: crypto.randomUUID() })))).toBe(403);
	});
});

describe('signUp', () => {
	it('signs up members of the resident’s own household, once each, taking places', async () => {
		const id = await newActivity(workerA, a, { capacity: '10' });
		const now = at('2027-03-01');
		const [m0, m1] = homeA.members;
		expect(await signUp(residentA, id, { residentIds: [m0.id, m1.id] }, now)).toEqual({
			ok: true,
			signedUp: 2,
			already: 0
		});
		expect(await signUp(residentA, id, { residentIds: [m1.id] }, now)).toEqual({
			ok: true,
			signedUp: 0,
			already: 1
		});
		expect((await activityRow(id)).signups).toBe(2);
		expect(await liveSignups(id)).toHaveLength(2);
		const mine = await householdSignups(residentA, id);
		expect(mine.map((p) => [p.residentId, p.signedUp])).toEqual(
			expect.arrayContaining([
				[m0.id, true],
				[m1.id, true],
				[homeA.members[2].id, false]
			])
		);
		const got = await getActivity(residentA, id, now);
		expect(got).toMatchObject({ signups: 2, left: 8, capacity: 10 });
		expect(got.can).toMatchObject({
			signup: true,
			checkin: false,
			manage: false,
			seePeople: false
		});
	});

	it('takes exactly the places there are when 20 households sign up at once for 5', async () => {
		const id = await newActivity(workerA, a, { capacity: '5' });
		const households = await Promise.all(
			Array.from({ length: 20 }, () => createHousehold(a, { members: 1 }))
		);
		const people = await Promise.all(
			households.map((h) => createUser({ household: h, grants: [{ role: 'resident', on: a }] }))
		);
		const results = await Promise.all(
			people.map((p, i) =>
				signUp(p.actor, id, { residentIds: [households[i].members[0].id] }, at('2027-03-01'))
			)
		);
		expect(results.filter((r) => r.ok)).toHaveLength(5);
		expect(results.filter((r) => !r.ok)).toEqual(
			Array.from({ length: 15 }, () => ({ ok: false, reason: 'full', field: 'residentIds' }))
		);
		expect((await activityRow(id)).signups).toBe(5);
		expect(await liveSignups(id)).toHaveLength(5);
	});

	it('signs up nobody when the places left do not take the whole household', async () => {
		const id = await newActivity(workerA, a, { capacity: '2' });
		const now = at('2027-03-01');
		ok(await signUp(residentA2, id, { residentIds: [homeA2.members[0].id] }, now));
		expect(
			await signUp(residentA, id, { residentIds: homeA.members.map((m) => m.id) }, now)
		).toEqual({ ok: false, reason: 'full', field: 'residentIds' });
		expect(await liveSignups(id)).toHaveLength(1);
		expect((await activityRow(id)).signups).toBe(1);
	});

	it('is 404 for a resident of another point, 403 for another household’s member or for staff', async () => {
		const id = await newActivity(workerA, a);
		const now = at('2027-03-01');
		expect(
			await httpStatus(signUp(residentB, id, { residentIds: [homeB.members[0].id] }, now))
		).toBe(404);
		expect(await httpStatus(getActivity(residentB, id))).toBe(404);
		expect(
			await httpStatus(signUp(residentA, id, { residentIds: [homeA2.members[0].id] }, now))
		).toBe(403);
		// one foreign member among one's own signs up nobody
		expect(
			await httpStatus(
				signUp(residentA, id, { residentIds: [homeA.members[0].id, homeA2.members[0].id] }, now)
			)
		).toBe(403);
		for (const staff of [workerA, adminA, civil])
			expect(await httpStatus(signUp(staff, id, { residentIds: [homeA.members[0].id] }, now))).toBe(
				403
			);
		expect(await liveSignups(id)).toHaveLength(0);
		expect(await signUp(residentA, id, { residentIds: [crypto.randomUUID()] }, now)).toEqual({
			ok: false,
			reason: 'not_member',
			field: 'residentIds'
		});
	});

	it('closes when the activity ends or is cancelled', async () => {
		const id = await newActivity(workerA, a);
		const m = homeA.members[0].id;
		expect(await signUp(residentA, id, { residentIds: [m] }, at('2027-03-10', '11:30'))).toEqual({
			ok: false,
			reason: 'ended'
		});
		// while it runs, people may still join
		ok(await signUp(residentA, id, { residentIds: [m] }, at('2027-03-10', '10:00')));
		const other = await newActivity(workerA, a);
		ok(await cancelActivity(workerA, other, { reason: '天气原因' }));
		expect(await signUp(residentA, other, { residentIds: [m] }, at('2027-03-01'))).toEqual({
			ok: false,
			reason: 'cancelled'
		});
	});
});

describe('cancelSignup', () => {
	it('frees the place before the start, for the household or the staff; not after it starts', async () => {
		const id = await newActivity(workerA, a, { capacity: '3' });
		const now = at('2027-03-01');
		const [m0, m1] = homeA.members;
		ok(await signUp(residentA, id, { residentIds: [m0.id, m1.id] }, now));
		expect(await httpStatus(cancelSignup(residentA2, id, { residentId: m0.id }, now))).toBe(403);
		expect(await httpStatus(cancelSignup(residentB, id, { residentId: m0.id }, now))).toBe(404);
		expect(await httpStatus(cancelSignup(civil, id, { residentId: m0.id }, now))).toBe(403);
		expect(await cancelSignup(residentA, id, { residentId: m0.id }, now)).toEqual({ ok: true });
		expect(await cancelSignup(residentA, id, { residentId: m0.id }, now)).toEqual({
			ok: false,
			reason: 'not_signed_up',
			field: 'residentId'
		});
		expect(
			await cancelSignup(residentA, id, { residentId: m1.id }, at('2027-03-10', '09:30'))
		).toEqual({ ok: false, reason: 'started', field: 'residentId' });
		expect(await cancelSignup(workerA, id, { residentId: m1.id }, now)).toEqual({ ok: true });
		expect((await activityRow(id)).signups).toBe(0);
		// signed up again after cancelling: a new live row
		ok(await signUp(residentA, id, { residentIds: [m0.id] }, now));
		expect(await liveSignups(id)).toHaveLength(1);
		expect((await activityRow(id)).signups).toBe(1);
	});
});

describe('checkIn', () => {
	const during = at('2027-03-10', '09:30');

	it('checks a person in once, counts them, and awards the item’s points once', async () => {
		const id = await newActivity(workerA, a, { pointsItemCode: 'join_activity' });
		const m = homeA.members[0];
		const balanceBefore = await balanceOf(homeA.id);
		const before = await tallyOf(a.id, '2027-03', 'culture_sports');
		expect(await checkIn(workerA, id, { residentId: m.id }, during)).toEqual({
			ok: true,
			points: 3
		});
		expect(await checkIn(adminA, id, { residentId: m.id }, during)).toEqual({
			ok: false,
			reason: 'already',
			field: 'residentId'
		});
		expect(await checkins(id)).toHaveLength(1);
		expect((await activityRow(id)).participants).toBe(1);
		expect(await tallyOf(a.id, '2027-03', 'culture_sports')).toEqual({
			activities: before.activities,
			participants: before.participants + 1
		});
		const entries = await db()
			.select()
			.from(pointsEntry)
			.where(eq(pointsEntry.ref, `activity:${id}:${m.id}`));
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({
			householdId: homeA.id,
			residentId: m.id,
			delta: 3,
			source: 'activity',
			itemCode: 'join_activity'
		});
		expect(await balanceOf(homeA.id)).toBe(balanceBefore + 3);
		const [row] = await checkins(id);
		expect(row.pointsEntryId).toBe(entries[0].id);
		const came = await listParticipants(workerA, id);
		expect(came).toMatchObject([{ residentId: m.id, points: 3, name: m.name }]);
		// the household sees its own check-in, and nobody else's
		expect(await listParticipants(residentA, id)).toHaveLength(1);
		expect(await listParticipants(residentA2, id)).toHaveLength(0);
	});

	it('counts one check-in and posts points once when the same person is checked in twice at once', async () => {
		const id = await newActivity(workerA, a, { pointsItemCode: 'join_activity' });
		const m = homeA2.members[1];
		const balanceBefore = await balanceOf(homeA2.id);
		const results = await Promise.all(
			Array.from({ length: 6 }, (_, i) =>
				checkIn(i % 2 ? workerA : adminA, id, { residentId: m.id }, during)
			)
		);
		expect(results.filter((r) => r.ok)).toEqual([{ ok: true, points: 3 }]);
		expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'already')).toBe(true);
		expect(await checkins(id)).toHaveLength(1);
		expect((await activityRow(id)).participants).toBe(1);
		expect(
			await db()
				.select()
				.from(pointsEntry)
				.where(eq(pointsEntry.ref, `activity:${id}:${m.id}`))
		).toHaveLength(1);
		expect(await balanceOf(homeA2.id)).toBe(balanceBefore + 3);
	});

	it('checks in walk-ins beyond the places, without points when the activity has no item', async () => {
		const id = await newActivity(workerA, a, { capacity: '1' });
		ok(await signUp(residentA, id, { residentIds: [homeA.members[0].id] }, at('2027-03-01')));
		for (const m of [...homeA.members, ...homeA2.members])
			expect(await checkIn(workerA, id, { residentId: m.id }, during)).toEqual({
				ok: true,
				points: null
			});
		expect((await activityRow(id)).participants).toBe(5);
		expect((await listSignups(workerA, id)).map((s) => s.checkedIn)).toEqual([true]);
	});

	it('awards nothing once the item is no longer on an adopted list, and still checks in', async () => {
		const c = await createSettlement(county);
		const home = await createHousehold(c, { members: 1 });
		const worker = (await createUser({ grants: [{ role: 'community_worker', on: c }] })).actor;
		const version = await adoptPointsList(c, [{ code: 'help', label: '志愿服务', points: 5 }]);
		const id = await newActivity(worker, c, { pointsItemCode: 'help' });
		await db()
			.update(schema.ruleVersion)
			.set({ status: 'superseded' })
			.where(eq(schema.ruleVersion.id, version.id));
		expect(await checkIn(worker, id, { residentId: home.members[0].id }, during)).toEqual({
			ok: true,
			points: null
		});
		expect(await balanceOf(home.id)).toBe(0);
	});

	it('refuses someone who is not an active resident of the settlement, and outside its days', async () => {
		const id = await newActivity(workerA, a);
		for (const residentId of [homeB.members[0].id, crypto.randomUUID(), 'nope'])
			expect(await checkIn(workerA, id, { residentId }, during)).toEqual({
				ok: false,
				reason: 'not_in_settlement',
				field: 'residentId'
			});
		const m = homeA.members[1].id;
		expect(await checkIn(workerA, id, { residentId: m }, at('2027-03-09', '20:00'))).toEqual({
			ok: false,
			reason: 'not_open'
		});
		// the day it starts, before the hour, is open: people come early
		ok(await checkIn(workerA, id, { residentId: m }, at('2027-03-10', '07:00')));
		expect(
			await checkIn(workerA, id, { residentId: homeA.members[2].id }, at('2027-04-10', '12:00'))
		).toEqual({ ok: false, reason: 'closed' });
		const gone = await newActivity(workerA, a);
		ok(await cancelActivity(workerA, gone, { reason: '场地维修' }));
		expect(await checkIn(workerA, gone, { residentId: m }, during)).toEqual({
			ok: false,
			reason: 'cancelled'
		});
	});

	it('is 404 / 403 for another point’s worker, and 403 for county staff and residents', async () => {
		const id = await newActivity(workerA, a);
		const m = homeA.members[0].id;
		expect(await httpStatus(checkIn(workerB, id, { residentId: m }, during))).toBe(404);
		for (const who of [civil, chief, residentA])
			expect(await httpStatus(checkIn(who, id, { residentId: m }, during))).toBe(403);
		// who checks nobody in anywhere is refused before anything is looked up
		expect(await httpStatus(checkIn(otherCivil, id, { residentId: m }, during))).toBe(403);
		expect(await checkins(id)).toHaveLength(0);
		// county staff read it
		const seen = await getActivity(civil, id, during);
		expect(seen.can).toMatchObject({ checkin: false, manage: false, seePeople: true });
		expect((await getActivity(workerA, id, during)).can).toMatchObject({
			checkin: true,
			manage: true
		});
	});
});

describe('searchParticipants', () => {
	it('finds the settlement’s active residents by name or building and room, ID numbers masked', async () => {
		const id = await newActivity(workerA, a);
		const m = homeA.members[1];
		const byName = await searchParticipants(workerA, id, m.name);
		expect(byName.map((p) => p.residentId)).toContain(m.id);
		const found = byName.find((p) => p.residentId === m.id)!;
		expect(found.idNumberMasked).not.toBe(m.idNumber);
		expect(found.idNumberMasked).toMatch(/^\d{4}\*+\w{4}$/);
		expect(JSON.stringify(byName)).not.toContain(m.idNumber);
		const byUnit = await searchParticipants(workerA, id, `${homeA.building} ${homeA.room}`);
		expect(byUnit.map((p) => p.residentId).sort()).toEqual(homeA.members.map((x) => x.id).sort());
		const dashed = await searchParticipants(
			workerA,
			id,
			`${homeA.building.replace('栋', '')}-${homeA.room}`
		);
		expect(dashed.map((p) => p.residentId)).toEqual(
			expect.arrayContaining(homeA.members.map((x) => x.id))
		);
		// another point's people are never found
		expect(await searchParticipants(workerA, id, homeB.members[0].name)).toEqual([]);
		expect(await searchParticipants(workerA, id, '%')).toEqual([]);
		expect(await searchParticipants(workerA, id, '   ')).toEqual([]);
	});

	it('is for those who check in only', async () => {
		const id = await newActivity(workerA, a);
		for (const who of [civil, residentA])
			expect(await httpStatus(searchParticipants(who, id, '王'))).toBe(403);
		expect(await httpStatus(searchParticipants(workerB, id, '王'))).toBe(404);
		expect(await httpStatus(listSignups(residentA, id))).toBe(404);
	});
});

describe('updateActivity and cancelActivity', () => {
	it('moves the activity and its participants in the tally when its month or kind changes', async () => {
		const id = await newActivity(workerA, a, {
			kind: 'volunteer',
			startsAt: '2027-05-31T20:00',
			endsAt: '2027-05-31T22:00'
		});
		ok(await checkIn(workerA, id, { residentId: homeA.members[0].id }, at('2027-05-31', '20:30')));
		const may = await tallyOf(a.id, '2027-05', 'volunteer');
		const june = await tallyOf(a.id, '2027-06', 'skills_training');
		ok(
			await updateActivity(
				workerA,
				id,
				form(a, {
					kind: 'skills_training',
					title: '电工培训',
					startsAt: '2027-06-01T09:00',
					endsAt: '2027-06-01T12:00'
				})
			)
		);
		expect(await tallyOf(a.id, '2027-05', 'volunteer')).toEqual({
			activities: may.activities - 1,
			participants: may.participants - 1
		});
		expect(await tallyOf(a.id, '2027-06', 'skills_training')).toEqual({
			activities: june.activities + 1,
			participants: june.participants + 1
		});
		expect(await activityRow(id)).toMatchObject({ title: '电工培训', kind: 'skills_training' });
	});

	it('keeps the places at or above the sign-ups, and is 403 for county staff and another point', async () => {
		const id = await newActivity(workerA, a, { capacity: '5' });
		ok(
			await signUp(residentA, id, { residentIds: homeA.members.map((m) => m.id) }, at('2027-03-01'))
		);
		expect(await updateActivity(workerA, id, form(a, { capacity: '2' }))).toEqual({
			ok: false,
			reason: 'below_signups',
			field: 'capacity'
		});
		ok(await updateActivity(adminA, id, form(a, { capacity: '3' })));
		expect(await httpStatus(updateActivity(civil, id, form(a)))).toBe(403);
		expect(await httpStatus(updateActivity(workerB, id, form(b)))).toBe(404);
		expect(await httpStatus(cancelActivity(civil, id, { reason: '不办了' }))).toBe(403);
	});

	it('cancels once, leaves the tally, tells the households; not once people came', async () => {
		const id = await newActivity(workerA, a, { kind: 'party_building' });
		ok(await signUp(residentA, id, { residentIds: [homeA.members[0].id] }, at('2027-03-01')));
		const before = await tallyOf(a.id, '2027-03', 'party_building');
		expect(await cancelActivity(workerA, id, { reason: '场地临时被占用' })).toEqual({ ok: true });
		expect(await cancelActivity(workerA, id, { reason: '场地临时被占用' })).toEqual({
			ok: false,
			reason: 'cancelled',
			field: 'reason'
		});
		expect(await tallyOf(a.id, '2027-03', 'party_building')).toEqual({
			activities: before.activities - 1,
			participants: before.participants
		});
		expect(await activityRow(id)).toMatchObject({
			status: 'cancelled',
			cancelReason: '场地临时被占用'
		});
		const told = await db()
			.select()
			.from(schema.notification)
			.where(
				and(
					eq(schema.notification.userId, residentA.id),
					eq(schema.notification.kind, 'activity.cancelled')
				)
			);
		expect(told.some((n) => n.link === `/activities/${id}`)).toBe(true);
		expect(await updateActivity(workerA, id, form(a))).toEqual({ ok: false, reason: 'cancelled' });

		const held = await newActivity(workerA, a);
		ok(
			await checkIn(workerA, held, { residentId: homeA.members[0].id }, at('2027-03-10', '10:00'))
		);
		expect(await cancelActivity(workerA, held, { reason: '取消' })).toEqual({
			ok: false,
			reason: 'has_participants',
			field: 'reason'
		});
	});
});

describe('listActivities', () => {
	it('shows a resident their settlement’s activities and staff their scope’s, upcoming or past', async () => {
		const now = at('2027-01-15');
		const upcomingA = await newActivity(workerA, a, {
			startsAt: '2027-02-01T09:00',
			endsAt: '2027-02-01T10:00'
		});
		const pastA = await newActivity(workerA, a, {
			startsAt: '2026-12-01T09:00',
			endsAt: '2026-12-01T10:00'
		});
		const upcomingB = await newActivity(workerB, b, {
			startsAt: '2027-02-01T09:00',
			endsAt: '2027-02-01T10:00'
		});
		const ids = async (who: Actor, when: 'upcoming' | 'past') =>
			(await listActivities(who, { when }, now)).rows.map((r) => r.id);
		expect(await ids(residentA, 'upcoming')).toContain(upcomingA);
		expect(await ids(residentA, 'upcoming')).not.toContain(upcomingB);
		expect(await ids(residentA, 'upcoming')).not.toContain(pastA);
		expect(await ids(residentA, 'past')).toContain(pastA);
		expect(await ids(workerA, 'upcoming')).not.toContain(upcomingB);
		expect(await ids(civil, 'upcoming')).toEqual(expect.arrayContaining([upcomingA, upcomingB]));
		expect(await ids(otherCivil, 'upcoming')).toEqual([]);
		// soonest first
		const rows = (await listActivities(civil, { when: 'upcoming' }, now)).rows;
		expect(rows.map((r) => r.startsAt.getTime())).toEqual(
			[...rows.map((r) => r.startsAt.getTime())].sort((x, y) => x - y)
		);
	});

	it('filters by kind, month and settlement, marks the household’s sign-ups, and pages by keyset', async () => {
		const place = await createSettlement(county);
		const worker = (await createUser({ grants: [{ role: 'community_worker', on: place }] })).actor;
		const home = await createHousehold(place, { members: 1 });
		const resident = (
			await createUser({ household: home, grants: [{ role: 'resident', on: place }] })
		).actor;
		const made: string[] = [];
		for (let i = 0; i < 53; i++) {
			const day = String(1 + (i % 28)).padStart(2, '0');
			const month = i < 40 ? '2028-01' : '2028-02';
			made.push(
				await newActivity(worker, place, {
					kind: i % 2 ? 'volunteer' : 'elder_child',
					startsAt: `${month}-${day}T09:00`,
					endsAt: `${month}-${day}T10:00`
				})
			);
		}
		ok(await signUp(resident, made[3], { residentIds: [home.members[0].id] }, at('2027-12-01')));
		const now = at('2027-12-01');
		const first = await listActivities(worker, { when: 'upcoming' }, now);
		expect(first.rows).toHaveLength(50);
		expect(first.next).not.toBeNull();
		const second = await listActivities(worker, { when: 'upcoming', after: first.next! }, now);
		expect(second.rows).toHaveLength(3);
		expect(second.next).toBeNull();
		expect(new Set([...first.rows, ...second.rows].map((r) => r.id))).toEqual(new Set(made));
		const feb = await listActivities(worker, { when: 'upcoming', month: '2028-02' }, now);
		expect(feb.rows).toHaveLength(13);
		const volunteer = await listActivities(worker, { when: 'upcoming', kind: 'volunteer' }, now);
		expect(volunteer.rows.every((r) => r.kind === 'volunteer')).toBe(true);
		expect(volunteer.rows).toHaveLength(26);
		const mine = await listActivities(resident, { when: 'upcoming', month: '2028-01' }, now);
		expect(mine.rows.find((r) => r.id === made[3])?.mine).toBe(1);
		expect(mine.rows.filter((r) => r.mine > 0)).toHaveLength(1);
		const bySettlement = await listActivities(
			civil,
			{ when: 'upcoming', settlement: place.id },
			now
		);
		expect(bySettlement.rows.every((r) => r.settlementId === place.id)).toBe(true);
	});
});

describe('the roll-ups', () => {
	it('match a hand count by kind and month, per settlement and for the county', async () => {
		const home = await createCounty();
		const x = await createSettlement(home);
		const y = await createSettlement(home);
		const hx = await createHousehold(x, { members: 4 });
		const hy = await createHousehold(y, { members: 3 });
		const wx = (await createUser({ grants: [{ role: 'community_worker', on: x }] })).actor;
		const wy = (await createUser({ grants: [{ role: 'community_worker', on: y }] })).actor;
		const countyStaff = (await createUser({ grants: [{ role: 'civil_affairs', on: home }] })).actor;
		const rx = (await createUser({ household: hx, grants: [{ role: 'resident', on: x }] })).actor;
		// [settlement, kind, start (Shanghai), people who come]
		const plan: [Settlement, ActivityKind, string, number][] = [
			[x, 'culture_sports', '2025-03-10T09:00', 3],
			[x, 'culture_sports', '2025-03-31T20:00', 2],
			// 07:00 on 1 April in Shanghai is still 31 March in UTC: it counts in April
			[x, 'culture_sports', '2025-04-01T07:00', 4],
			[x, 'volunteer', '2025-03-15T09:00', 1],
			[x, 'elder_child', '2025-12-31T23:00', 0],
			[y, 'volunteer', '2025-03-02T09:00', 3],
			[y, 'skills_training', '2025-07-20T09:00', 2],
			[y, 'skills_training', '2025-07-21T09:00', 0]
		];
		const expected = new Map<string, { activities: number; participants: number }>();
		const add = (s: Settlement, kind: string, month: string, acts: number, people: number) => {
			const key = `${s.id} ${kind} ${month}`;
			const cur = expected.get(key) ?? { activities: 0, participants: 0 };
			expected.set(key, {
				activities: cur.activities + acts,
				participants: cur.participants + people
			});
		};
		for (const [s, kind, startsAt, people] of plan) {
			const worker = s === x ? wx : wy;
			const members = (s === x ? hx : hy).members;
			const day = startsAt.slice(0, 10);
			const id = await newActivity(worker, s, {
				kind,
				startsAt,
				endsAt: startsAt.slice(0, 11) + '23:59'
			});
			for (const m of members.slice(0, people))
				ok(await checkIn(worker, id, { residentId: m.id }, at(day, '23:59')));
			add(s, kind, startsAt.slice(0, 7), 1, people);
		}
		// a cancelled activity leaves the count; another year is not this year's
		const dropped = await newActivity(wx, x, {
			kind: 'volunteer',
			startsAt: '2025-03-20T09:00',
			endsAt: '2025-03-20T10:00'
		});
		ok(await cancelActivity(wx, dropped, { reason: '取消' }));
		await newActivity(wx, x, { startsAt: '2024-03-10T09:00', endsAt: '2024-03-10T10:00' });

		const asMap = (
			rows: {
				settlementId: string;
				kind: string;
				month: string;
				activities: number;
				participants: number;
			}[]
		) =>
			new Map(
				rows.map((r) => [
					`${r.settlementId} ${r.kind} ${r.month}`,
					{ activities: r.activities, participants: r.participants }
				])
			);
		// the county sees both points
		const county2025 = await activityRollup(countyStaff, { year: 2025 });
		expect(asMap(county2025)).toEqual(expected);
		expect(county2025.find((r) => r.settlementId === x.id)?.settlementName).toBe(x.name);
		// one point's worker and resident see that point only
		const onlyX = new Map([...expected].filter(([k]) => k.startsWith(x.id)));
		expect(asMap(await activityRollup(wx, { year: 2025 }))).toEqual(onlyX);
		expect(asMap(await activityRollup(rx, { year: 2025 }))).toEqual(onlyX);
		expect(asMap(await activityRollup(countyStaff, { year: 2025, settlementId: y.id }))).toEqual(
			new Map([...expected].filter(([k]) => k.startsWith(y.id)))
		);
		expect(await activityRollup(civil, { year: 2025 })).toEqual([]);

		// the page's totals: by kind and month across the county, and per settlement
		const totals = await activityTotals(countyStaff, { year: 2025 });
		const byKindMonth = new Map<string, { activities: number; participants: number }>();
		const bySettlement = new Map<string, { activities: number; participants: number }>();
		for (const [key, v] of expected) {
			const [sid, kind, month] = key.split(' ');
			for (const [map, k] of [
				[byKindMonth, `${kind} ${month}`],
				[bySettlement, sid]
			] as const) {
				const cur = map.get(k) ?? { activities: 0, participants: 0 };
				map.set(k, {
					activities: cur.activities + v.activities,
					participants: cur.participants + v.participants
				});
			}
		}
		expect(
			new Map(
				totals.byKindMonth.map((r) => [
					`${r.kind} ${r.month}`,
					{ activities: r.activities, participants: r.participants }
				])
			)
		).toEqual(byKindMonth);
		expect(
			new Map(
				totals.bySettlement.map((r) => [
					r.settlementId,
					{ activities: r.activities, participants: r.participants }
				])
			)
		).toEqual(bySettlement);
		expect(bySettlement.get(x.id)).toEqual({ activities: 5, participants: 10 });
		expect(bySettlement.get(y.id)).toEqual({ activities: 3, participants: 5 });
	});

	it('agree with the activities and check-ins themselves, everywhere', async () => {
		const counted = await db().execute(sql`
			select a.settlement_id, to_char(a.starts_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, a.kind,
				count(*) filter (where a.status = 'scheduled')::int as activities,
				coalesce(sum((select count(*) from activity_checkin c where c.activity_id = a.id)), 0)::int as participants
			from activity a group by 1, 2, 3`);
		const rows = (Array.isArray(counted) ? counted : (counted as { rows: unknown[] }).rows) as {
			settlement_id: string;
			month: string;
			kind: string;
			activities: number;
			participants: number;
		}[];
		const tallied = await db().select().from(activityTally);
		const key = (s: string, m: string, k: string) => `${s} ${m} ${k}`;
		const fromTally = new Map(
			tallied
				.filter((t) => t.activities !== 0 || t.participants !== 0)
				.map((t) => [key(t.settlementId, t.month, t.kind), [t.activities, t.participants]])
		);
		const fromRows = new Map(
			rows
				.filter((r) => Number(r.activities) !== 0 || Number(r.participants) !== 0)
				.map((r) => [
					key(r.settlement_id, r.month, r.kind),
					[Number(r.activities), Number(r.participants)]
				])
		);
		expect(fromTally).toEqual(fromRows);
		expect(fromTally.size).toBeGreaterThan(5);
	});
});

async function tallyOf(settlementId: string, month: string, kind: ActivityKind) {
	const [row] = await db()
		.select({ activities: activityTally.activities, participants: activityTally.participants })
		.from(activityTally)
		.where(
			and(
				eq(activityTally.settlementId, settlementId),
				eq(activityTally.month, month),
				eq(activityTally.kind, kind)
			)
		);
	return row ?? { activities: 0, participants: 0 };
}

async function balanceOf(householdId: string) {
	const [row] = await db()
		.select({ balance: schema.pointsAccount.balance })
		.from(schema.pointsAccount)
		.where(eq(schema.pointsAccount.householdId, householdId));
	return row?.balance ?? 0;
}
