import { isHttpError } from '@sveltejs/kit';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
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

/** Strings that have broken forms before: NUL, controls, bidi, BOM, lone surrogates, emoji, SQL. */
const nasty = fc.constantFrom(
	'\u0000',
	'\u0007',
	'\u202e',
	'\ufeff',
	'\ud800',
	'\udfff',
	'😀',
	'\r\n',
	'　',
	'%',
	'_',
	'\\',
	"'; drop table activity; --",
	'<script>alert(1)</script>',
	'NaN',
	'-1',
	'1e309',
	'2026-02-30T09:00',
	'3栋',
	'广场舞'
);

/** Any string a form field may carry, up to 5,000 characters. */
const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'grapheme', maxLength: 60 }),
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.array(nasty, { maxLength: 8 }).map((parts) => parts.join('')),
	fc.string({ minLength: 1990, maxLength: 2010 }),
	fc.string({ unit: 'grapheme-composite', minLength: 1000, maxLength: 5000 }),
	fc.uuid().map(String),
	fc.constant('')
);

/** Words a form would take, with something nasty inside. */
const spiked = fc
	.tuple(
		fc.array(nasty, { minLength: 1, maxLength: 3 }),
		fc.constantFrom('广场舞比赛', '社区中心', 'ok')
	)
	.map(([parts, words]) => words + parts.join(words));

const number = fc.oneof(
	fc.integer(),
	fc.double(),
	fc.constantFrom(0, 1, 5, -1, 2.5, 100_001, Number.MAX_SAFE_INTEGER + 2, 1e308)
);

const anything: fc.Arbitrary<unknown> = fc.oneof(
	text,
	number,
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.bigInt(),
	fc.array(fc.oneof(text, number), { maxLength: 4 }),
	fc.dictionary(fc.string({ maxLength: 5 }), text, { maxKeys: 3 })
);

const isCjk = /[\u3400-\u9fff]/;
type Schema = z.ZodType;

/** safeParse never throws; a refusal names a field and says why (in Chinese, for posted forms). */
function expectAnswered(schema: Schema, input: unknown, { chinese }: { chinese: boolean }) {
	const result = schema.safeParse(input);
	if (result.success) {
		expect(schema.parse(result.data)).toEqual(result.data);
		return;
	}
	expect(result.error.issues.length).toBeGreaterThan(0);
	for (const issue of result.error.issues) {
		expect(typeof issue.message).toBe('string');
		expect(issue.message.trim()).not.toBe('');
		if (chinese) {
			expect(issue.message, JSON.stringify(issue)).toMatch(isCjk);
			expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
		}
	}
}

/** A moment as a datetime-local field posts it, mostly a real one. */
const localTime = fc
	.date({
		min: new Date('2024-01-01T00:00:00Z'),
		max: new Date('2030-12-31T00:00:00Z'),
		noInvalidDate: true
	})
	.map((d) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16));
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

/** As a page gets a post through superforms: every field there, each a string (or the checkboxes' array). */
const posted = (fields: Record<string, fc.Arbitrary<unknown>>, arrays: string[] = []) =>
	fc.record(
		Object.fromEntries(
			Object.keys(fields).map((k) => {
				const one = fc.oneof(
					fields[k].filter((v): v is string => typeof v === 'string'),
					text,
					spiked,
					fc.constant('')
				);
				return [k, arrays.includes(k) ? fc.array(one, { maxLength: 5 }) : one];
			})
		)
	);

const forms = {
	activitySchema: { schema: activitySchema, fields: formFields, arrays: [] as string[] },
	signUpSchema: {
		schema: signUpSchema,
		fields: { residentIds: fc.uuid().map(String) },
		arrays: ['residentIds']
	},
	personSchema: { schema: personSchema, fields: { residentId: fc.uuid().map(String) }, arrays: [] },
	cancelActivitySchema: {
		schema: cancelActivitySchema,
		fields: { reason: fc.constantFrom('天气原因', '场地维修') },
		arrays: []
	}
};

describe('every activity form schema, fuzzed', () => {
	describe.each(Object.entries(forms))('%s', (_name, { schema, fields, arrays }) => {
		it('answers a posted form in Chinese at a field, or takes it', () => {
			fc.assert(
				fc.property(posted(fields, arrays), (input) => {
					expectAnswered(schema, input, { chinese: true });
				}),
				{ numRuns: 200 }
			);
		});

		it('never throws on values of any type', () => {
			fc.assert(
				fc.property(
					fc.oneof(
						fc.record(Object.fromEntries(Object.keys(fields).map((k) => [k, anything])), {
							requiredKeys: []
						}),
						fc.dictionary(fc.string({ maxLength: 12 }), anything, { maxKeys: 12 })
					),
					(input) => {
						expectAnswered(schema, input, { chinese: false });
					}
				),
				{ numRuns: 200 }
			);
		});
	});

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

/** Now an id that exists, now one that does not, now not an id at all. */
const idFrom = (pool: () => string[]) =>
	fc.oneof(
		{ arbitrary: fc.nat().map((i) => pool()[i % pool().length]), weight: 8 },
		{ arbitrary: fc.uuid().map(String), weight: 1 },
		{ arbitrary: text, weight: 1 }
	);

/** Anyone, but mostly the residents and the staff of A, whose calls get furthest. */
const anyActor = fc
	.oneof({ arbitrary: fc.constantFrom(0, 1, 2, 3), weight: 3 }, { arbitrary: fc.nat(), weight: 2 })
	.map((i) => actors[i % actors.length]);
/** Around the seeded activities' day, and anywhere else. */
const anyNow = fc.oneof(
	fc.date({
		min: new Date('2027-05-20T00:00:00Z'),
		max: new Date('2027-06-03T00:00:00Z'),
		noInvalidDate: true
	}),
	fc.date({
		min: new Date('2024-01-01T00:00:00Z'),
		max: new Date('2030-12-31T00:00:00Z'),
		noInvalidDate: true
	})
);

/** Mostly the days the seeded activities run (check-in is open), sometimes any day. */
const checkinNow = fc.oneof(
	{
		arbitrary: fc.date({
			min: new Date('2027-06-01T01:00:00Z'),
			max: new Date('2027-06-02T12:00:00Z'),
			noInvalidDate: true
		}),
		weight: 4
	},
	{ arbitrary: anyNow, weight: 1 }
);
/** Mostly the staff of A who check people in there. */
const checkinActor = fc
	.oneof({ arbitrary: fc.constantFrom(2, 3), weight: 4 }, { arbitrary: fc.nat(), weight: 1 })
	.map((i) => actors[i % actors.length]);

const failureReasons = [
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
];

type Tally = { refusedByForm: number; ok: number; failed: number; denied: number };
const newTally = (): Tally => ({ refusedByForm: 0, ok: 0, failed: 0, denied: 0 });

/** A command's answer: a result, a typed failure, or a 403/404; anything else fails. */
async function expectHandled(p: Promise<unknown>, tally: Tally): Promise<unknown> {
	try {
		const result = (await p) as { ok: boolean; reason?: string };
		expect(typeof result.ok).toBe('boolean');
		if (result.ok) tally.ok++;
		else {
			tally.failed++;
			expect(failureReasons).toContain(result.reason);
		}
		return result;
	} catch (e) {
		if (isHttpError(e) && (e.status === 403 || e.status === 404)) {
			tally.denied++;
			return null;
		}
		throw e;
	}
}

function parsed<S extends Schema>(schema: S, input: unknown, tally: Tally): z.output<S> | null {
	const result = schema.safeParse(input);
	if (!result.success) tally.refusedByForm++;
	return result.success ? result.data : null;
}

const words = fc.oneof({ arbitrary: spiked, weight: 5 }, { arbitrary: text, weight: 1 });
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = text) =>
	fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: other, weight: 1 });

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

const runs = { numRuns: 60 };

describe('every activity command, fed what its schema lets through', () => {
	it('createActivity', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(anyActor, activityForm(), async (actor, form) => {
				const input = parsed(activitySchema, form, tally);
				if (!input) return;
				const r = (await expectHandled(createActivity(actor, input), tally)) as {
					ok: boolean;
					id?: string;
				} | null;
				if (r?.ok && r.id) ids.activities.push(r.id);
			}),
			runs
		);
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('updateActivity', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.activities),
				activityForm(),
				async (actor, id, form) => {
					const input = parsed(activitySchema, form, tally);
					if (input) await expectHandled(updateActivity(actor, id, input), tally);
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('signUp and cancelSignup', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.activities),
				fc.array(
					idFrom(() => ids.members),
					{ minLength: 0, maxLength: 4 }
				),
				fc.boolean(),
				anyNow,
				async (actor, id, residentIds, cancel, now) => {
					if (cancel) {
						const input = parsed(personSchema, { residentId: residentIds[0] ?? '' }, tally);
						if (input) await expectHandled(cancelSignup(actor, id, input, now), tally);
						return;
					}
					const input = parsed(signUpSchema, { residentIds }, tally);
					if (input) await expectHandled(signUp(actor, id, input, now), tally);
				}
			),
			{ numRuns: 100 }
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('checkIn and searchParticipants', async () => {
		const tally = newTally();
		let checkedIn = 0;
		await fc.assert(
			fc.asyncProperty(
				checkinActor,
				idFrom(() => ids.activities),
				idFrom(() => ids.members),
				fc.oneof(text, words, fc.constantFrom('户主', '1栋 1001', '2-1002')),
				checkinNow,
				async (actor, id, residentId, q, now) => {
					const input = parsed(checkInSchema, { residentId }, tally);
					if (input) {
						const r = (await expectHandled(checkIn(actor, id, input, now), tally)) as {
							ok: boolean;
							points?: number | null;
						} | null;
						if (r?.ok) {
							checkedIn++;
							expect(r.points === null || r.points === 2).toBe(true);
						}
					}
					await expectHandled(
						searchParticipants(actor, id, q).then((rows) => {
							expect(rows.length).toBeLessThanOrEqual(20);
							return { ok: true };
						}),
						tally
					);
				}
			),
			{ numRuns: 100 }
		);
		expect(checkedIn, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('cancelActivity', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.activities),
				fc.record({ reason: words }),
				async (actor, id, form) => {
					const input = parsed(cancelActivitySchema, form, tally);
					if (input) await expectHandled(cancelActivity(actor, id, input), tally);
				}
			),
			{ numRuns: 40 }
		);
		expect(tally.ok + tally.failed + tally.denied, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('getActivity, listActivities and the roll-ups', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
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
				anyNow,
				async (actor, id, query, year, now) => {
					const filter = activityFilterSchema.parse(query);
					await expectHandled(
						listActivities(actor, filter, now).then((p) => {
							expect(p.rows.length).toBeLessThanOrEqual(50);
							return { ok: true };
						}),
						tally
					);
					await expectHandled(
						getActivity(actor, id, now).then(() => ({ ok: true })),
						tally
					);
					await expectHandled(
						activityRollup(actor, { year, settlementId: filter.settlement || id }).then(() => ({
							ok: true
						})),
						tally
					);
					await expectHandled(
						activityTotals(actor, { year }).then(() => ({ ok: true })),
						tally
					);
				}
			),
			{ numRuns: 50 }
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
		const odd = (w: string) => `${w}\u0000\ud800尾`;
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
			title: '清扫\ufffd\ufffd尾',
			place: '广场\ufffd\ufffd尾',
			description: '说明\ufffd\ufffd尾'
		});
		expect(await cancelActivity(actors[2], r.id, { reason: odd('取消') })).toEqual({ ok: true });
		expect((await getActivity(actors[2], r.id)).cancelReason).toBe('取消\ufffd\ufffd尾');
		expect(await searchParticipants(actors[2], ids.activities[0], '\u0000\ud800')).toEqual([]);
	});
});
