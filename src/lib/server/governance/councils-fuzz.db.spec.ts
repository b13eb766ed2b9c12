import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	ceremonyKinds,
	memberRoles,
	meetingStatuses,
	quorumRules,
	voteChoices
} from '$lib/governance/vocab';
import {
	amendSchema,
	attendanceSchema,
	ballotsOf,
	ceremonyFilterSchema,
	ceremonyInput,
	ceremonySchema,
	councilFilterSchema,
	councilSchema,
	endTermSchema,
	establishSchema,
	followUpInput,
	followUpSchema,
	meetingSchema,
	memberSchema,
	minutesSchema,
	resolutionSchema,
	votesSchema
} from '$lib/schemas/governance-councils';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createSettlement,
	createUser,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import {
	commandChecks,
	dayBetween,
	expectReached,
	fuzzCalls,
	fuzzInputs,
	kept,
	localTimeBetween,
	odd,
	parsed,
	pickMostly,
	validKey,
	type FuzzedForm
} from '../../../../tests/fuzz';
import { makeCouncil, makeMember, makeRuleVersion } from '../../../../tests/governance-councils';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	ceremonyFigures,
	fileCeremony,
	followUpCeremony,
	getCeremony,
	listCeremonies
} from './ceremonies';
import { addMember, endMemberTerm, getCouncil, listCouncils, updateCouncil } from './councils';
import {
	addResolution,
	amendMeeting,
	cancelMeeting,
	closeMeeting,
	getMeeting,
	openMeeting,
	recordVotes,
	scheduleMeeting,
	setAttendance
} from './meetings';

// Bad input, fuzzed: every council, meeting and ceremony form's schema takes anything without
// throwing and answers in Chinese at a field; whatever a schema lets through, the commands answer
// with a result, a typed failure with a Chinese reason, or a 403/404 — never an exception (a 500).

useTestDatabase();

// ---------------------------------------------------------------------------------------------
// what people and scripts post

const { text, spiked, number, anything, field, words, mostly, idFrom, fuzzForms } = fuzzInputs({
	table: 'meeting',
	nasty: ['2026-02-30', '2026-05-01T25:00', '99999999', '0.001', '婚宴'],
	words: ['修缮议事厅', '会议记录'],
	numbers: [30, 31, 500, 501],
	long: { minLength: 990, maxLength: 1010 }
});

const day = dayBetween('1990-01-01', '2110-12-31');
const localTime = localTimeBetween('1990-01-01', '2110-12-31');
const yuan = fc.oneof(
	fc.integer({ min: 0, max: 20_000_000 }).map(String),
	fc.constantFrom('0', '28,000', '30000.01', '1.234', '-5', '¥100', '')
);
const ballot = fc
	.tuple(fc.uuid(), fc.constantFrom(...voteChoices))
	.map(([id, choice]) => `${id}:${choice}`);

const list = (...valid: fc.Arbitrary<unknown>[]) =>
	fc.option(fc.oneof(fc.array(fc.oneof(...valid, text), { maxLength: 6 }), text, number), {
		nil: undefined
	});

/** The form-shaped fields of each schema: what the page's form (or a hand-made post) sends. */
const forms: Record<string, FuzzedForm> = {
	councilSchema: {
		schema: councilSchema,
		fields: {
			name: field(fc.constantFrom('村民议事会', '禁毒协会')),
			quorumRule: field(fc.constantFrom(...quorumRules)),
			charter: field()
		}
	},
	establishSchema: { schema: establishSchema, fields: { settlementId: field(fc.uuid()) } },
	memberSchema: {
		schema: memberSchema,
		fields: {
			name: field(),
			residentId: field(fc.uuid(), fc.constant('')),
			username: field(),
			role: field(fc.constantFrom(...memberRoles)),
			termStart: field(day),
			termEnd: field(day)
		}
	},
	endTermSchema: {
		schema: endTermSchema,
		fields: { memberId: field(fc.uuid()), endedOn: field(day) }
	},
	meetingSchema: {
		schema: meetingSchema,
		fields: {
			title: field(),
			startsAt: field(localTime),
			place: field(),
			agenda: field(fc.array(spiked, { maxLength: 40 }).map((l) => l.join('\n')))
		}
	},
	attendanceSchema: {
		schema: attendanceSchema,
		fields: {
			memberIds: list(fc.uuid()),
			residentIds: list(fc.uuid()),
			guests: field(fc.array(spiked, { maxLength: 60 }).map((l) => l.join('\n')))
		},
		lists: { memberIds: 6, residentIds: 6 },
		items: [fc.uuid().map(String), ballot]
	},
	resolutionSchema: { schema: resolutionSchema, fields: { text: field() } },
	votesSchema: {
		schema: votesSchema,
		fields: { resolutionId: field(fc.uuid()), votes: list(ballot, fc.constant('')) },
		lists: { votes: 6 },
		items: [fc.uuid().map(String), ballot]
	},
	minutesSchema: { schema: minutesSchema, fields: { minutes: field() } },
	amendSchema: { schema: amendSchema, fields: { note: field() } },
	ceremonySchema: {
		schema: ceremonySchema,
		fields: {
			householdId: field(fc.uuid(), fc.constant('')),
			kind: field(fc.constantFrom(...ceremonyKinds)),
			eventOn: field(day),
			tables: field(fc.integer({ min: -2, max: 600 }).map(String)),
			guests: field(fc.integer({ min: -2, max: 20_000 }).map(String)),
			bridePrice: field(yuan),
			banquetDays: field(fc.integer({ min: -1, max: 40 }).map(String)),
			gifts: field(),
			note: field(),
			idempotencyKey: field(validKey)
		}
	},
	followUpSchema: {
		schema: followUpSchema,
		fields: { followUp: field(), savings: field(yuan), deductPoints: field() },
		flags: ['deductPoints']
	}
};

describe('every council, meeting and ceremony form schema, fuzzed', () => {
	fuzzForms(forms, { numRuns: 120 });

	it('the filters take anything in the address bar, dropping what they do not know', () => {
		fc.assert(
			fc.property(
				fc.dictionary(
					fc.constantFrom('year', 'kind', 'overCap', 'settlement', 'after', 'q', 'x'),
					anything,
					{ maxKeys: 7 }
				),
				(input) => {
					const c = ceremonyFilterSchema.safeParse(input);
					expect(c.success).toBe(true);
					if (c.success) expect(c.data.year).toBeGreaterThanOrEqual(2000);
					expect(councilFilterSchema.safeParse(input).success).toBe(true);
				}
			),
			{ numRuns: 300 }
		);
	});

	it('a ballot list keeps only well-formed ballots', () => {
		fc.assert(
			fc.property(fc.array(fc.oneof(ballot, text), { maxLength: 10 }), (votes) => {
				for (const b of ballotsOf(votes)) {
					expect(b.memberId).toMatch(/^[0-9a-f-]{36}$/);
					expect(voteChoices).toContain(b.choice);
				}
			}),
			{ numRuns: 120 }
		);
	});
});

// ---------------------------------------------------------------------------------------------
// what the commands do with whatever got through

let a: Settlement;
let home: Household & { members: Member[] };
const actors: Actor[] = [];
const ids = {
	councils: [] as string[],
	members: [] as string[],
	meetings: [] as string[],
	resolutions: [] as string[],
	residents: [] as string[],
	households: [] as string[],
	ceremonies: [] as string[],
	settlements: [] as string[]
};
let seededMeetings = 0;

beforeAll(async () => {
	const county = await createCounty();
	a = await createSettlement(county);
	const b = await createSettlement(county);
	home = await createHousehold(a, { members: 3 });
	const home2 = await createHousehold(a);
	const hb = await createHousehold(b);
	const users = await Promise.all([
		createUser({ household: home, grants: [{ role: 'resident', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ household: home2, grants: [{ role: 'resident', on: a }] }),
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: b }] }),
		createUser({ household: hb, grants: [{ role: 'resident', on: b }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'system_admin' }] }),
		createUser({})
	]);
	actors.push(...users.map((u) => u.actor));
	const [secretary, admin, member] = actors;
	const talk = await makeCouncil(a, 'deliberation');
	const wf = await makeCouncil(a, 'weddings_funerals');
	const inB = await makeCouncil(b, 'deliberation');
	ids.councils.push(talk.id, wf.id, inB.id);
	const seats = [
		await makeMember(talk, { userId: secretary.id, role: 'secretary' }),
		await makeMember(talk, { userId: member.id }),
		await makeMember(talk, {}),
		await makeMember(talk, {}),
		await makeMember(wf, { userId: secretary.id, role: 'chair' }),
		await makeMember(inB, {})
	];
	ids.members.push(...seats.map((s) => s.id));
	ids.residents.push(...home.members.map((m) => m.id), ...hb.members.map((m) => m.id));
	ids.households.push(home.id, home2.id, hb.id);
	ids.settlements.push(a.id, b.id);
	await makeRuleVersion(a, {
		caps: [
			{ key: 'wedding_tables', limit: 10, clauseNo: 1 },
			{ key: 'bride_price', limit: 2_000_000, clauseNo: 2 },
			{ key: 'funeral_banquet_days', limit: 1, clauseNo: 3 }
		]
	});
	await makeRuleVersion(a, {
		kind: 'points_list',
		pointItems: [{ code: 'over_cap_banquet', label: '红白事超标', points: -10 }]
	});
	// meetings in every state, several in session with a quorum and resolutions to vote on
	for (const status of meetingStatuses)
		for (let i = 0; i < (status === 'in_session' ? 4 : 2); i++) {
			const s = await scheduleMeeting(admin, talk.id, {
				title: `会议${status}${i}`,
				startsAt: '2026-05-01T19:30',
				place: '',
				agenda: '议题'
			});
			if (!s.ok) throw new Error(s.message);
			ids.meetings.push(s.id);
			if (status === 'scheduled') continue;
			if (status === 'cancelled') {
				await cancelMeeting(admin, s.id);
				continue;
			}
			await setAttendance(admin, s.id, {
				memberIds: seats.slice(0, 3).map((x) => x.id),
				residentIds: [],
				guests: ''
			});
			await openMeeting(admin, s.id);
			const r = await addResolution(admin, s.id, { text: '决议' });
			if (r.ok) ids.resolutions.push(r.id);
			if (status === 'closed') await closeMeeting(admin, s.id, { minutes: '记录' });
		}
	seededMeetings = ids.meetings.length;
	for (const household of [home, home2, hb]) {
		const r = await fileCeremony(actors[7], {
			householdId: household.id,
			kind: 'wedding',
			eventOn: '2026-01-01',
			tables: 20,
			guests: 100,
			bridePrice: 0,
			banquetDays: null,
			gifts: '',
			note: '',
			idempotencyKey: `seed-${household.id}`
		});
		if (r.ok) ids.ceremonies.push(r.id);
	}
});

const idsFrom = (pool: () => string[]) => fc.array(idFrom(pool), { maxLength: 5 });

/** Anyone, but mostly the secretary and the admin of A, whose calls get furthest. */
const anyActor = pickMostly(actors, [0, 1, 1, 2]);

const { expectHandled, expectRead } = commandChecks({
	reasons: [
		'illegal_step',
		'no_members',
		'no_quorum',
		'not_member',
		'not_present',
		'not_resident',
		'already_voted',
		'voted',
		'in_session',
		'no_name',
		'no_resident',
		'no_user',
		'already_member',
		'chair_taken',
		'bad_term',
		'ended',
		'bad_day',
		'no_household',
		'household_ended',
		'bad_figures',
		'followed_up',
		'not_over_cap',
		'no_point_item'
	],
	message: true
});

const runs = 50;

describe('every council and meeting command, fed what its schema lets through', () => {
	it('updateCouncil, addMember and endMemberTerm', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				idFrom(() => ids.councils),
				fc.record({
					name: mostly(fc.constantFrom('议事会', '张三'), words),
					quorumRule: mostly(fc.constantFrom(...quorumRules)),
					charter: words,
					residentId: fc.oneof(
						idFrom(() => ids.residents),
						fc.constant('')
					),
					username: fc.oneof(
						fc.constant(''),
						fc.constant(actors[0].username),
						fc.constant(actors[5].username),
						words
					),
					role: mostly(fc.constantFrom(...memberRoles)),
					termStart: mostly(day),
					termEnd: mostly(day),
					memberId: idFrom(() => ids.members),
					endedOn: mostly(day)
				})
			],
			async (tally, actor, councilId, f) => {
				const council = parsed(councilSchema, f, tally);
				if (council) await expectHandled(updateCouncil(actor, councilId, council), tally);
				const member = parsed(memberSchema, f, tally);
				if (member) {
					const r = await expectHandled(addMember(actor, councilId, member), tally);
					if (r?.ok) ids.members.push(r.id);
				}
				const end = parsed(endTermSchema, f, tally);
				if (end) await expectHandled(endMemberTerm(actor, end.memberId, end), tally);
			}
		);
		expectReached(tally);
	});

	it('scheduleMeeting, setAttendance and the steps', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				idFrom(() => ids.councils),
				idFrom(() => ids.meetings),
				fc.record({
					title: words,
					startsAt: mostly(localTime),
					place: words,
					agenda: fc.oneof(
						words,
						fc.array(words, { maxLength: 35 }).map((l) => l.join('\n'))
					),
					memberIds: idsFrom(() => ids.members),
					residentIds: idsFrom(() => ids.residents),
					guests: fc.array(words, { maxLength: 5 }).map((l) => l.join('\n')),
					minutes: words
				}),
				fc.constantFrom('open', 'cancel', 'close', 'none')
			],
			async (tally, actor, councilId, meetingId, f, step) => {
				const meeting = parsed(meetingSchema, f, tally);
				if (meeting) {
					const r = await expectHandled(scheduleMeeting(actor, councilId, meeting), tally);
					if (r?.ok) ids.meetings.push(r.id);
				}
				const att = parsed(attendanceSchema, f, tally);
				if (att) await expectHandled(setAttendance(actor, meetingId, att), tally);
				if (step === 'open') await expectHandled(openMeeting(actor, meetingId), tally);
				if (step === 'cancel') await expectHandled(cancelMeeting(actor, meetingId), tally);
				const close = step === 'close' ? parsed(minutesSchema, f, tally) : null;
				if (close) await expectHandled(closeMeeting(actor, meetingId, close), tally);
			}
		);
		expectReached(tally);
	});

	it('addResolution, recordVotes and amendMeeting', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				idFrom(() => ids.meetings),
				idFrom(() => ids.resolutions),
				fc.record({
					text: words,
					note: words,
					votes: fc.array(
						fc.oneof(
							fc
								.tuple(
									idFrom(() => ids.members),
									fc.constantFrom(...voteChoices)
								)
								.map(([id, c]) => `${id}:${c}`),
							fc.constant(''),
							text
						),
						{ maxLength: 5 }
					)
				})
			],
			async (tally, actor, meetingId, resolutionId, f) => {
				const res = parsed(resolutionSchema, f, tally);
				if (res) {
					const r = await expectHandled(addResolution(actor, meetingId, res), tally);
					if (r?.ok) ids.resolutions.push(r.id);
				}
				const votes = parsed(votesSchema, { resolutionId, votes: f.votes }, tally);
				if (votes)
					await expectHandled(
						recordVotes(actor, votes.resolutionId, { votes: ballotsOf(votes.votes) }),
						tally
					);
				const amend = parsed(amendSchema, f, tally);
				if (amend) await expectHandled(amendMeeting(actor, meetingId, amend), tally);
			}
		);
		expectReached(tally);
	});

	it('the reads take any id', async () => {
		const tally = await fuzzCalls(
			40,
			[
				anyActor,
				idFrom(() => ids.councils),
				idFrom(() => ids.meetings),
				fc.option(
					idFrom(() => ids.settlements),
					{ nil: undefined }
				)
			],
			async (tally, actor, councilId, meetingId, settlementId) => {
				await expectRead(getCouncil(actor, councilId), tally);
				await expectRead(getMeeting(actor, meetingId), tally);
				await expectRead(listCouncils(actor, { settlementId }), tally);
			}
		);
		expect(tally.ok).toBeGreaterThan(0);
	});

	it('leaves every meeting consistent: counts equal ballots, ballots from present members, outcomes fixed at close', async () => {
		const v = schema.meetingVote;
		const r = schema.meetingResolution;
		const mismatched = await db().execute(sql`
			select r.id from meeting_resolution r
			where r.votes_for <> (select count(*) from meeting_vote v where v.resolution_id = r.id and v.choice = 'for')
			   or r.votes_against <> (select count(*) from meeting_vote v where v.resolution_id = r.id and v.choice = 'against')
			   or r.votes_abstain <> (select count(*) from meeting_vote v where v.resolution_id = r.id and v.choice = 'abstain')`);
		expect(rowsOf(mismatched)).toEqual([]);
		const absent = await db().execute(sql`
			select v.id from meeting_vote v join meeting_resolution r on r.id = v.resolution_id
			where not exists (select 1 from meeting_attendance a where a.meeting_id = r.meeting_id and a.member_id = v.member_id)`);
		expect(rowsOf(absent)).toEqual([]);
		const unfixed = await db().execute(sql`
			select r.id from meeting_resolution r join meeting m on m.id = r.meeting_id
			where (m.status = 'closed') <> (r.passed is not null)`);
		expect(rowsOf(unfixed)).toEqual([]);
		const unminuted = await db().execute(
			sql`select id from meeting where status = 'closed' and (minutes is null or minutes = '')`
		);
		expect(rowsOf(unminuted)).toEqual([]);
		// and the fuzz scheduled and voted, not only refused
		expect(ids.meetings.length).toBeGreaterThan(seededMeetings);
		expect(
			(await db().select({ id: v.id }).from(v)).length + (await db().select().from(r)).length
		).toBeGreaterThan(0);
	});
});

function rowsOf(result: unknown): unknown[] {
	return Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
}

describe('every ceremony command, fed what its schema lets through', () => {
	it('fileCeremony and followUpCeremony', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				fc.record({
					householdId: fc.oneof(
						{ arbitrary: idFrom(() => ids.households), weight: 2 },
						{ arbitrary: fc.constant(''), weight: 2 }
					),
					kind: mostly(fc.constantFrom(...ceremonyKinds)),
					eventOn: mostly(day),
					tables: mostly(fc.integer({ min: 0, max: 30 }).map(String)),
					guests: mostly(fc.integer({ min: 0, max: 600 }).map(String)),
					bridePrice: mostly(yuan),
					banquetDays: mostly(fc.integer({ min: 0, max: 5 }).map(String)),
					gifts: words,
					note: words,
					idempotencyKey: mostly(validKey)
				}),
				idFrom(() => ids.ceremonies),
				fc.record({ followUp: words, savings: mostly(yuan), deductPoints: fc.boolean() })
			],
			async (tally, actor, filing, ceremonyId, follow) => {
				const input = parsed(ceremonySchema, filing, tally);
				if (input) {
					const r = await expectHandled(fileCeremony(actor, ceremonyInput(input)), tally);
					if (r?.ok) ids.ceremonies.push(r.id);
				}
				const f = parsed(followUpSchema, follow, tally);
				if (f) await expectHandled(followUpCeremony(actor, ceremonyId, followUpInput(f)), tally);
			}
		);
		expectReached(tally);
	});

	it('the reads take any id and any filter', async () => {
		const tally = await fuzzCalls(
			40,
			[
				anyActor,
				idFrom(() => ids.ceremonies),
				fc.dictionary(fc.constantFrom('year', 'kind', 'overCap', 'settlement', 'after'), anything, {
					maxKeys: 5
				})
			],
			async (tally, actor, id, raw) => {
				const filter = ceremonyFilterSchema.parse(raw);
				await expectRead(getCeremony(actor, id), tally);
				const page = await listCeremonies(actor, filter);
				expect(page.rows.length).toBeLessThanOrEqual(50);
				const figures = await ceremonyFigures(actor, {
					year: filter.year,
					settlementId: filter.settlement || undefined
				});
				expect(figures.total.filings).toBeGreaterThanOrEqual(figures.total.overCap);
			}
		);
		expect(tally.ok).toBeGreaterThan(0);
	});

	it('leaves every filing consistent: over-cap exactly when it names a breach; a deduction only for an over-cap one', async () => {
		const rows = await db().select().from(schema.ceremonyFiling);
		for (const row of rows) expect(row.overCap).toBe(row.breaches.length > 0);
		const entries = await db()
			.select()
			.from(schema.pointsEntry)
			.where(sql`${schema.pointsEntry.ref} like 'ceremony:%'`);
		for (const e of entries) {
			const filing = rows.find((r) => `ceremony:${r.id}` === e.ref);
			expect(filing).toMatchObject({ overCap: true, status: 'followed_up' });
			expect(e.delta).toBe(-10);
		}
	});
});

describe('what the fuzz found: NUL and lone surrogates', () => {
	it('are kept as U+FFFD by every command that writes text', async () => {
		const [secretary, admin] = actors;
		const c = await makeCouncil(await createSettlement(await createCounty()), 'moral_review');
		const place = { id: c.settlementId, regionPath: c.regionPath } as Settlement;
		const boss = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		const seat = await makeMember(c, { userId: boss.id, role: 'secretary' });
		expect(
			await updateCouncil(boss, c.id, {
				name: odd('会'),
				quorumRule: 'majority',
				charter: odd('章程')
			})
		).toEqual({ ok: true });
		const added = await addMember(boss, c.id, {
			name: odd('张'),
			role: 'member',
			termStart: '2020-01-01',
			termEnd: '2099-01-01'
		});
		if (!added.ok) throw new Error(added.message);
		const s = await scheduleMeeting(boss, c.id, {
			title: odd('会议'),
			startsAt: '2026-05-01T19:30',
			place: odd('厅'),
			agenda: `${odd('议题')}\n${odd('二')}`
		});
		if (!s.ok) throw new Error(s.message);
		expect(
			await setAttendance(boss, s.id, {
				memberIds: [seat.id, added.id],
				residentIds: [],
				guests: odd('来宾')
			})
		).toMatchObject({ ok: true });
		await openMeeting(boss, s.id);
		const r = await addResolution(boss, s.id, { text: odd('决议') });
		if (!r.ok) throw new Error(r.message);
		await closeMeeting(boss, s.id, { minutes: odd('记录') });
		await amendMeeting(boss, s.id, { note: odd('更正') });
		const shown = await getMeeting(boss, s.id);
		expect(shown).toMatchObject({
			title: kept('会议'),
			place: kept('厅'),
			agenda: [kept('议题'), kept('二')],
			minutes: kept('记录')
		});
		expect(shown.attendance.map((x) => x.name)).toContain(kept('来宾'));
		expect(shown.attendance.map((x) => x.name)).toContain(kept('张'));
		expect(shown.resolutions[0].text).toBe(kept('决议'));
		expect(shown.amendments[0].note).toBe(kept('更正'));
		const council = await getCouncil(boss, c.id);
		expect(council).toMatchObject({ name: kept('会'), charter: kept('章程') });

		const filed = await fileCeremony(secretary, {
			householdId: '',
			kind: 'funeral',
			eventOn: '2026-02-02',
			tables: 5,
			guests: 50,
			banquetDays: 1,
			gifts: odd('礼'),
			note: odd('注'),
			idempotencyKey: 'nul-and-surrogates'
		});
		if (!filed.ok) throw new Error(filed.message);
		expect(
			await followUpCeremony(admin, filed.id, { followUp: odd('跟进'), savings: null })
		).toMatchObject({ ok: true });
		const [row] = await db()
			.select()
			.from(schema.ceremonyFiling)
			.where(eq(schema.ceremonyFiling.id, filed.id));
		expect(row).toMatchObject({ gifts: kept('礼'), note: kept('注'), followUp: kept('跟进') });
	});
});
