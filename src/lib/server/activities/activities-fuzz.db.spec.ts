import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { activityKinds } from '$lib/activities/vocab';
import {
	activityFilterSchema,
	activitySchema,
	cancelActivitySchema,
	checkInSchema,
	participantSearchSchema,
	personSchema,
	signUpSchema
} from '$lib/schemas/activities';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createOrganization,
	createSettlement,
	createUser,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import {
	commandChecks,
	expectReached,
	fuzzCalls,
	fuzzInputs,
	kept,
	localTimeBetween,
	momentBetween,
	odd,
	parsed,
	pickMostly,
	type FuzzedForm
} from '../../../../tests/fuzz';
import type { Actor } from '../access';
import { db, schema } from '../db';
import { rowsOf } from '../settlements/shared';
import {
	activityRollup,
	activityTotals,
	cancelActivity,
	cancelSignup,
	checkIn,
	createActivity,
	getActivity,
	listActivities,
	searchParticipants,
	signUp,
	updateActivity
} from '.';

// Bad input, fuzzed: every activity form's schema takes anything without throwing and answers in
// Chinese at a field; whatever a schema lets through, the commands answer with a result, a typed
// failure, or a 403/404, never an exception (a 500); and the counters still agree with the rows.

useTestDatabase();

const { text, words, mostly, idFrom, fuzzForms } = fuzzInputs({
	table: 'activity',
	nasty: ['2026-02-30T09:00', '3栋', '广场舞'],
	words: ['广场舞比赛', '社区中心'],
	numbers: [5, 100_001],
	long: { minLength: 1990, maxLength: 2010 }
});

/** A moment as a datetime-local field posts it, mostly a real one. */
const localTime = localTimeBetween('2024-01-01T00:00:00Z', '2030-12-31T00:00:00Z');
const capacity = fc.oneof(
	fc.constant(''),
	fc.integer({ min: 1, max: 8 }).map(String),
	fc.integer({ min: -5, max: 200_000 }).map(String)
);

const formFields = {
	settlementId: fc.uuid().map(String),
	kind: fc.constantFrom(...activityKinds),
	title: fc.constantFrom('广场舞比赛', '电工培训'),
	place: fc.constantFrom('文化广场', '社区中心'),
	startsAt: localTime,
	endsAt: localTime,
	organizationId: fc.constant('') as fc.Arbitrary<string>,
	capacity,
	pointsItemCode: fc.constantFrom('', 'join', 'nope'),
	description: fc.constant('')
};

const forms: Record<string, FuzzedForm> = {
	activitySchema: { schema: activitySchema, fields: formFields },
	signUpSchema: {
		schema: signUpSchema,
		fields: { residentIds: fc.uuid().map(String) },
		lists: { residentIds: 5 }
	},
	personSchema: { schema: personSchema, fields: { residentId: fc.uuid().map(String) } },
	cancelActivitySchema: {
		schema: cancelActivitySchema,
		fields: { reason: fc.constantFrom('天气原因', '场地维修') }
	}
};

describe('every activity form schema, fuzzed', () => {
	fuzzForms(forms, { numRuns: 200 });

	it('the list filter and the register search take anything in the address bar', () => {
		fc.assert(
			fc.property(
				fc.dictionary(
					fc.constantFrom('when', 'kind', 'month', 'settlement', 'after', 'year', 'q', 'x'),
					fc.oneof(text, fc.constantFrom('past', 'volunteer', '2027-03', '2027-13', '1999'))
				),
				(input) => {
					expect(activityFilterSchema.safeParse(input).success).toBe(true);
					expect(participantSearchSchema.safeParse(input).success).toBe(true);
				}
			),
			{ numRuns: 300 }
		);
	});
});

// ---------------------------------------------------------------------------------------------
// what the commands do with whatever got through

let a: Settlement;
let b: Settlement;
let homes: (Household & { members: Member[] })[];
const actors: Actor[] = [];
const ids = { activities: [] as string[], members: [] as string[], settlements: [] as string[] };

beforeAll(async () => {
	const county = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	homes = [
		await createHousehold(a, { members: 3 }),
		await createHousehold(a, { members: 2 }),
		await createHousehold(b, { members: 2 })
	];
	const org = await createOrganization(county);
	const users = await Promise.all([
		createUser({ household: homes[0], grants: [{ role: 'resident', on: a }] }),
		createUser({ household: homes[1], grants: [{ role: 'resident', on: a }] }),
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ household: homes[2], grants: [{ role: 'resident', on: b }] }),
		createUser({ grants: [{ role: 'community_worker', on: b }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'system_admin' }] }),
		createUser({})
	]);
	actors.push(...users.map((u) => u.actor));
	ids.members.push(...homes.flatMap((h) => h.members.map((m) => m.id)));
	ids.settlements.push(a.id, b.id);
	formFields.organizationId = fc.constantFrom('', org.id);
	const [rule] = await db()
		.insert(schema.rule)
		.values({
			settlementId: a.id,
			regionPath: a.regionPath,
			kind: 'points_list',
			title: '积分清单'
		})
		.returning();
	await db()
		.insert(schema.ruleVersion)
		.values({
			ruleId: rule.id,
			settlementId: a.id,
			regionPath: a.regionPath,
			versionNo: 1,
			status: 'adopted',
			pointItems: [{ code: 'join', label: '参加活动', points: 2 }],
			adoptedOn: '2026-01-01'
		});
	// something for the sign-ups and check-ins to work on from the start
	for (const [s, by] of [
		[a, actors[2]],
		[b, actors[5]]
	] as const)
		for (let i = 0; i < 3; i++) {
			const r = await createActivity(
				by,
				activitySchema.parse({
					settlementId: s.id,
					kind: activityKinds[i],
					title: `种子活动${i}`,
					place: '文化广场',
					startsAt: '2027-06-01T09:00',
					endsAt: '2027-06-01T18:00',
					capacity: i === 0 ? '3' : '',
					pointsItemCode: s === a ? 'join' : ''
				})
			);
			if (r.ok) ids.activities.push(r.id);
		}
});

/** Anyone, but mostly the residents and the staff of A, whose calls get furthest. */
const anyActor = pickMostly(actors, [0, 1, 2, 3]);
/** Around the seeded activities' day, and anywhere else. */
const anyNow = fc.oneof(
	momentBetween('2027-05-20T00:00:00Z', '2027-06-03T00:00:00Z'),
	momentBetween('2024-01-01T00:00:00Z', '2030-12-31T00:00:00Z')
);

/** Mostly the days the seeded activities run (check-in is open), sometimes any day. */
const checkinNow = fc.oneof(
	{ arbitrary: momentBetween('2027-06-01T01:00:00Z', '2027-06-02T12:00:00Z'), weight: 4 },
	{ arbitrary: anyNow, weight: 1 }
);
/** Mostly the staff of A who check people in there. */
const checkinActor = pickMostly(actors, [2, 3], [4, 1]);

const { expectHandled, expectRead } = commandChecks({
	reasons: [
		'times',
		'capacity',
		'organization',
		'points_item',
		'cancelled',
		'below_signups',
		'has_participants',
		'ended',
		'full',
		'not_member',
		'not_in_settlement',
		'household_ended',
		'not_signed_up',
		'started',
		'already',
		'not_open',
		'closed'
	]
});

const activityForm = () =>
	fc.record({
		settlementId: idFrom(() => ids.settlements),
		kind: mostly(fc.constantFrom(...activityKinds)),
		title: mostly(fc.constantFrom('广场舞比赛', '电工培训', '孝老食堂助餐'), words),
		place: mostly(fc.constantFrom('文化广场', '社区中心'), words),
		startsAt: mostly(fc.constantFrom('2027-06-01T09:00', '2027-05-31T20:00'), localTime),
		endsAt: mostly(fc.constantFrom('2027-06-01T18:00', '2027-06-02T10:00'), localTime),
		organizationId: formFields.organizationId,
		capacity: mostly(capacity),
		pointsItemCode: mostly(fc.constantFrom('', 'join', 'nope')),
		description: words
	});

const runs = 60;

describe('every activity command, fed what its schema lets through', () => {
	it('createActivity', async () => {
		const tally = await fuzzCalls(runs, [anyActor, activityForm()], async (tally, actor, form) => {
			const input = parsed(activitySchema, form, tally);
			if (!input) return;
			const r = await expectHandled(createActivity(actor, input), tally);
			if (r?.ok) ids.activities.push(r.id);
		});
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('updateActivity', async () => {
		const tally = await fuzzCalls(
			runs,
			[anyActor, idFrom(() => ids.activities), activityForm()],
			async (tally, actor, id, form) => {
				const input = parsed(activitySchema, form, tally);
				if (input) await expectHandled(updateActivity(actor, id, input), tally);
			}
		);
		expectReached(tally);
	});

	it('signUp and cancelSignup', async () => {
		const tally = await fuzzCalls(
			100,
			[
				anyActor,
				idFrom(() => ids.activities),
				fc.array(
					idFrom(() => ids.members),
					{ minLength: 0, maxLength: 4 }
				),
				fc.boolean(),
				anyNow
			],
			async (tally, actor, id, residentIds, cancel, now) => {
				if (cancel) {
					const input = parsed(personSchema, { residentId: residentIds[0] ?? '' }, tally);
					if (input) await expectHandled(cancelSignup(actor, id, input, now), tally);
					return;
				}
				const input = parsed(signUpSchema, { residentIds }, tally);
				if (input) await expectHandled(signUp(actor, id, input, now), tally);
			}
		);
		expectReached(tally);
	});

	it('checkIn and searchParticipants', async () => {
		let checkedIn = 0;
		const tally = await fuzzCalls(
			100,
			[
				checkinActor,
				idFrom(() => ids.activities),
				idFrom(() => ids.members),
				fc.oneof(text, words, fc.constantFrom('户主', '1栋 1001', '2-1002')),
				checkinNow
			],
			async (tally, actor, id, residentId, q, now) => {
				const input = parsed(checkInSchema, { residentId }, tally);
				if (input) {
					const r = await expectHandled(checkIn(actor, id, input, now), tally);
					if (r?.ok) {
						checkedIn++;
						expect(r.points === null || r.points === 2).toBe(true);
					}
				}
				await expectRead(
					searchParticipants(actor, id, q).then((rows) => {
						expect(rows.length).toBeLessThanOrEqual(20);
					}),
					tally
				);
			}
		);
		expect(checkedIn, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('cancelActivity', async () => {
		const tally = await fuzzCalls(
			40,
			[anyActor, idFrom(() => ids.activities), fc.record({ reason: words })],
			async (tally, actor, id, form) => {
				const input = parsed(cancelActivitySchema, form, tally);
				if (input) await expectHandled(cancelActivity(actor, id, input), tally);
			}
		);
		expect(tally.ok + tally.failed + tally.denied, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('getActivity, listActivities and the roll-ups', async () => {
		const tally = await fuzzCalls(
			50,
			[
				anyActor,
				idFrom(() => ids.activities),
				fc.dictionary(
					fc.constantFrom('when', 'kind', 'month', 'settlement', 'after', 'year'),
					fc.oneof(
						text,
						fc.constantFrom(
							'past',
							'volunteer',
							'2027-06',
							`2027-06-01T01:00:00.000Z|${ids.activities[0]}`
						)
					)
				),
				fc.oneof(fc.integer(), fc.constantFrom(2027, 2026, NaN, -1)),
				anyNow
			],
			async (tally, actor, id, query, year, now) => {
				const filter = activityFilterSchema.parse(query);
				await expectRead(
					listActivities(actor, filter, now).then((p) => {
						expect(p.rows.length).toBeLessThanOrEqual(50);
					}),
					tally
				);
				await expectRead(getActivity(actor, id, now), tally);
				await expectRead(
					activityRollup(actor, { year, settlementId: filter.settlement || id }),
					tally
				);
				await expectRead(activityTotals(actor, { year }), tally);
			}
		);
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('leaves the counters equal to the rows, and the places never overtaken', async () => {
		const counted = rowsOf<{ mismatched: number }>(
			await db().execute(sql`
				select count(*)::int as mismatched from activity a
				where a.signups <> (select count(*) from activity_signup s where s.activity_id = a.id and s.cancelled_at is null)
					or a.participants <> (select count(*) from activity_checkin c where c.activity_id = a.id)
					or (a.capacity is not null and a.signups > a.capacity)`)
		);
		expect(Number(counted[0].mismatched)).toBe(0);
		const drift = rowsOf<{ n: number }>(
			await db().execute(sql`
				with hand as (
					select a.settlement_id, to_char(a.starts_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, a.kind,
						count(*) filter (where a.status = 'scheduled')::int as activities,
						coalesce(sum(a.participants), 0)::int as participants
					from activity a group by 1, 2, 3)
				select count(*)::int as n from activity_tally t
				full join hand h on h.settlement_id = t.settlement_id and h.month = t.month and h.kind = t.kind
				where coalesce(t.activities, 0) <> coalesce(h.activities, 0)
					or coalesce(t.participants, 0) <> coalesce(h.participants, 0)`)
		);
		expect(Number(drift[0].n)).toBe(0);
		// points: one entry per check-in that earned any, never two
		const doubled = rowsOf<{ n: number }>(
			await db().execute(
				sql`select count(*)::int as n from (select ref from points_entry where ref like 'activity:%' group by ref having count(*) > 1) d`
			)
		);
		expect(Number(doubled[0].n)).toBe(0);
		const [{ n: checked }] = rowsOf<{ n: number }>(
			await db().execute(sql`select count(*)::int as n from activity_checkin`)
		);
		expect(Number(checked)).toBeGreaterThan(0);
	});
});

describe('what the fuzz found: NUL and lone surrogates', () => {
	it('are kept as U+FFFD in the activity’s words', async () => {
		const r = await createActivity(
			actors[2],
			activitySchema.parse({
				settlementId: a.id,
				kind: 'volunteer',
				title: odd('清扫'),
				place: odd('广场'),
				startsAt: '2027-06-05T09:00',
				endsAt: '2027-06-05T10:00',
				description: odd('说明')
			})
		);
		if (!r.ok) throw new Error(r.reason);
		const got = await getActivity(actors[2], r.id);
		expect(got).toMatchObject({
			title: kept('清扫'),
			place: kept('广场'),
			description: kept('说明')
		});
		expect(await cancelActivity(actors[2], r.id, { reason: odd('取消') })).toEqual({ ok: true });
		expect((await getActivity(actors[2], r.id)).cancelReason).toBe(kept('取消'));
		expect(await searchParticipants(actors[2], ids.activities[0], '\u0000\ud800')).toEqual([]);
	});
});
