import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	canMeetingStep,
	meetingStatuses,
	meetingSteps,
	quorumNeeded,
	type MeetingStatus,
	type MeetingStep,
	type QuorumRule
} from '$lib/governance/vocab';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import { makeCouncil, makeMember } from '../../../../tests/governance-councils';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import { endMemberTerm, updateCouncil } from './councils';
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

useTestDatabase();

const { meeting, meetingResolution, meetingVote, meetingAttendance, meetingAmendment, auditEntry } =
	schema;

type Council = Awaited<ReturnType<typeof makeCouncil>>;
type CouncilMember = Awaited<ReturnType<typeof makeMember>>;

let county: County;
let a: Settlement;
let b: Settlement;
let homeA: Household & { members: Member[] };
let admin: Actor;
let adminB: Actor;
let worker: Actor;
/** a resident of A who is the council's secretary (a seat with an account) */
let secretary: Actor;
/** a resident of A with a plain seat */
let memberActor: Actor;
/** a resident of A without a seat */
let bystander: Actor;
/** a resident of A who sits on another council of A */
let otherCouncilMember: Actor;
let residentB: Actor;
let talk: Council;
let other: Council;
/** talk's seven serving members: [secretary's, memberActor's, five without accounts] */
let seats: CouncilMember[];
let otherSeat: CouncilMember;

const schedule = {
	title: '月度议事会',
	startsAt: '2026-05-01T19:30',
	place: '议事厅',
	agenda: '一\n二'
};

beforeAll(async () => {
	county = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	homeA = await createHousehold(a, { members: 3 });
	const homes = await Promise.all([createHousehold(a), createHousehold(a), createHousehold(a)]);
	const homeB = await createHousehold(b);
	const resident = (home: { id: string }, on: Settlement) =>
		createUser({ household: home, grants: [{ role: 'resident', on }] }).then((u) => u.actor);
	[admin, adminB, worker] = await Promise.all([
		createUser({ grants: [{ role: 'point_admin', on: a }] }).then((u) => u.actor),
		createUser({ grants: [{ role: 'point_admin', on: b }] }).then((u) => u.actor),
		createUser({ grants: [{ role: 'community_worker', on: a }] }).then((u) => u.actor)
	]);
	[secretary, memberActor, bystander, otherCouncilMember, residentB] = await Promise.all([
		resident(homeA, a),
		resident(homes[0], a),
		resident(homes[1], a),
		resident(homes[2], a),
		resident(homeB, b)
	]);
	talk = await makeCouncil(a, 'deliberation', 'majority');
	other = await makeCouncil(a, 'moral_review');
	seats = [
		await makeMember(talk, { userId: secretary.id, role: 'secretary', name: '秘书' }),
		await makeMember(talk, { userId: memberActor.id, name: '成员乙' })
	];
	for (let i = 0; i < 5; i++) seats.push(await makeMember(talk, { name: `成员${i}` }));
	// not serving: ended and upcoming
	await makeMember(talk, { name: '前任', endedOn: '2025-01-01' });
	await makeMember(talk, { name: '候任', termStart: '2099-01-01' });
	otherSeat = await makeMember(other, { userId: otherCouncilMember.id, name: '评议员' });
});

/** A meeting of the council written straight in a status (the stage tests move it from there). */
async function meetingIn(status: MeetingStatus, council: Council = talk, servingMembers = 7) {
	const [row] = await db()
		.insert(meeting)
		.values({
			councilId: council.id,
			settlementId: council.settlementId,
			regionPath: council.regionPath,
			title: `会议-${status}`,
			startsAt: new Date('2026-05-01T11:30:00Z'),
			agenda: ['议题'],
			status,
			servingMembers: status === 'scheduled' ? null : servingMembers,
			minutes: status === 'closed' ? '已闭会' : null
		})
		.returning();
	return row;
}

async function meetingRow(id: string) {
	const [row] = await db().select().from(meeting).where(eq(meeting.id, id));
	return row;
}

/** A meeting in session with these members present and a resolution put to it. */
async function sessionWith(present: CouncilMember[]) {
	const s = await scheduleMeeting(admin, talk.id, schedule);
	if (!s.ok) throw new Error(s.message);
	const att = await setAttendance(admin, s.id, {
		memberIds: present.map((m) => m.id),
		residentIds: [],
		guests: ''
	});
	if (!att.ok) throw new Error(att.message);
	const open = await openMeeting(admin, s.id);
	if (!open.ok) throw new Error(open.message);
	const r = await addResolution(admin, s.id, { text: '修缮议事厅' });
	if (!r.ok) throw new Error(r.message);
	return { meetingId: s.id, resolutionId: r.id };
}

const stepCalls: Record<MeetingStep, (who: Actor, id: string) => Promise<{ ok: boolean }>> = {
	open: (who, id) => openMeeting(who, id),
	close: (who, id) => closeMeeting(who, id, { minutes: '会议记录：通过两项决议。' }),
	cancel: (who, id) => cancelMeeting(who, id)
};

describe('the meeting stage machine, in the database', () => {
	const cases = meetingStatuses.flatMap((from) =>
		(Object.keys(meetingSteps) as MeetingStep[]).map((step) => ({
			from,
			step,
			legal: canMeetingStep(step, from)
		}))
	);

	it.each(cases)('$step from $from: legal=$legal', async ({ from, step, legal }) => {
		const m = await meetingIn(from);
		const before = await meetingRow(m.id);
		const result = await stepCalls[step](admin, m.id);
		const after = await meetingRow(m.id);
		if (legal) {
			expect(result.ok).toBe(true);
			expect(after.status).toBe(meetingSteps[step].to);
			const audits = await db()
				.select()
				.from(auditEntry)
				.where(and(eq(auditEntry.action, `meeting.${step}`), eq(auditEntry.entityId, m.id)));
			expect(audits).toHaveLength(1);
		} else {
			expect(result).toMatchObject({ ok: false, reason: 'illegal_step' });
			expect((result as unknown as { message: string }).message).toMatch(/[\u4e00-\u9fff]/);
			expect(after).toEqual(before);
		}
	});

	it('walks scheduled → in_session → closed, counting the serving members when it opens', async () => {
		const s = await scheduleMeeting(admin, talk.id, schedule);
		if (!s.ok) throw new Error(s.message);
		expect((await meetingRow(s.id)).status).toBe('scheduled');
		expect(await openMeeting(admin, s.id)).toEqual({ ok: true });
		expect(await meetingRow(s.id)).toMatchObject({ status: 'in_session', servingMembers: 7 });
		expect(await closeMeeting(admin, s.id, { minutes: '记录' })).toEqual({
			ok: true,
			passed: 0,
			failed: 0
		});
		expect(await meetingRow(s.id)).toMatchObject({
			status: 'closed',
			minutes: '记录',
			closedBy: admin.id
		});
	});

	it('refuses to open with nobody serving', async () => {
		const empty = await makeCouncil(a, 'anti_gambling_drugs');
		const m = await meetingIn('scheduled', empty);
		expect(await openMeeting(admin, m.id)).toMatchObject({ ok: false, reason: 'no_members' });
		expect((await meetingRow(m.id)).status).toBe('scheduled');
	});

	it('lets one of two concurrent closes (and opens) through', async () => {
		const m = await meetingIn('in_session');
		const results = await Promise.all([
			closeMeeting(admin, m.id, { minutes: '甲的记录' }),
			closeMeeting(secretary, m.id, { minutes: '乙的记录' })
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok)).toMatchObject([{ reason: 'illegal_step' }]);
		const row = await meetingRow(m.id);
		expect(row.minutes).toBe(results[0].ok ? '甲的记录' : '乙的记录');
		expect(
			await db()
				.select()
				.from(auditEntry)
				.where(and(eq(auditEntry.action, 'meeting.close'), eq(auditEntry.entityId, m.id)))
		).toHaveLength(1);

		const n = await meetingIn('scheduled');
		const opens = await Promise.all([openMeeting(admin, n.id), cancelMeeting(secretary, n.id)]);
		expect(opens.filter((r) => r.ok)).toHaveLength(1);
	});

	it('after closing takes no edit, only amendments shown with author and time', async () => {
		const { meetingId, resolutionId } = await sessionWith(seats.slice(0, 4));
		expect(await closeMeeting(admin, meetingId, { minutes: '记录' })).toMatchObject({ ok: true });
		const snapshot = async () => ({
			meeting: await meetingRow(meetingId),
			attendance: await db()
				.select()
				.from(meetingAttendance)
				.where(eq(meetingAttendance.meetingId, meetingId)),
			resolutions: await db()
				.select()
				.from(meetingResolution)
				.where(eq(meetingResolution.meetingId, meetingId)),
			votes: await db().select().from(meetingVote).where(eq(meetingVote.resolutionId, resolutionId))
		});
		const before = await snapshot();
		const refused = [
			await setAttendance(admin, meetingId, { memberIds: [], residentIds: [], guests: '' }),
			await addResolution(admin, meetingId, { text: '再加一项' }),
			await recordVotes(secretary, resolutionId, {
				votes: [{ memberId: seats[0].id, choice: 'for' }]
			}),
			await closeMeeting(admin, meetingId, { minutes: '改写记录' }),
			await openMeeting(admin, meetingId),
			await cancelMeeting(admin, meetingId)
		];
		for (const r of refused) {
			expect(r).toMatchObject({ ok: false, reason: 'illegal_step' });
			expect((r as { message: string }).message).toContain('已闭会');
		}
		expect(await snapshot()).toEqual(before);

		const when = new Date('2026-05-02T02:00:00Z');
		expect(
			await amendMeeting(secretary, meetingId, { note: '第2项决议的表述更正为……' }, when)
		).toMatchObject({ ok: true });
		const shown = await getMeeting(bystander, meetingId);
		expect(shown.amendments).toEqual([
			{
				id: expect.any(String),
				note: '第2项决议的表述更正为……',
				authorName: secretary.displayName,
				createdAt: when
			}
		]);
		expect(shown.minutes).toBe('记录');
		expect(shown.can).toMatchObject({ amend: false, attendance: false, vote: false });
		expect((await getMeeting(admin, meetingId)).can.amend).toBe(true);
	});

	it('amends only a closed meeting; 403 for those who do not run it', async () => {
		for (const status of ['scheduled', 'in_session', 'cancelled'] as const) {
			const m = await meetingIn(status);
			expect(await amendMeeting(admin, m.id, { note: '更正' })).toMatchObject({
				ok: false,
				reason: 'illegal_step'
			});
		}
		const m = await meetingIn('closed');
		expect(await httpStatus(amendMeeting(memberActor, m.id, { note: '更正' }))).toBe(403);
		expect(await httpStatus(amendMeeting(worker, m.id, { note: '更正' }))).toBe(403);
		expect(await httpStatus(amendMeeting(adminB, m.id, { note: '更正' }))).toBe(404);
		expect(await httpStatus(amendMeeting(residentB, m.id, { note: '更正' }))).toBe(404);
		expect(
			await db().select().from(meetingAmendment).where(eq(meetingAmendment.meetingId, m.id))
		).toEqual([]);
	});
});

describe('quorum', () => {
	/** A council of `serving` members under `rule`, a meeting with `present` of them ticked, opened. */
	async function tryQuorum(rule: QuorumRule, serving: number, present: number) {
		const c = await makeCouncil(await createSettlement(county), 'deliberation', rule);
		const people: CouncilMember[] = [];
		for (let i = 0; i < serving; i++) people.push(await makeMember(c, {}));
		const place = { id: c.settlementId, regionPath: c.regionPath };
		const boss = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		const s = await scheduleMeeting(boss, c.id, schedule);
		if (!s.ok) throw new Error(s.message);
		await setAttendance(boss, s.id, {
			memberIds: people.slice(0, present).map((p) => p.id),
			residentIds: [],
			guests: []
		});
		await openMeeting(boss, s.id);
		const shown = await getMeeting(boss, s.id);
		const added = await addResolution(boss, s.id, { text: '表决事项' });
		return { quorum: shown.quorum, added };
	}

	const edges: [QuorumRule, number, number, boolean][] = [
		['majority', 7, 3, false],
		['majority', 7, 4, true],
		['majority', 6, 3, false],
		['majority', 6, 4, true],
		['majority', 1, 1, true],
		['majority', 2, 1, false],
		['two_thirds', 6, 3, false],
		['two_thirds', 6, 4, true],
		['two_thirds', 7, 4, false],
		['two_thirds', 7, 5, true],
		['two_thirds', 3, 2, true],
		['two_thirds', 3, 1, false]
	];

	it.each(edges)(
		'%s with %i serving and %i present: met=%s',
		async (rule, serving, present, met) => {
			const { quorum, added } = await tryQuorum(rule, serving, present);
			expect(quorum).toEqual({ rule, present, serving, needed: quorumNeeded(rule, serving), met });
			if (met) expect(added).toMatchObject({ ok: true, no: 1 });
			else {
				expect(added).toMatchObject({ ok: false, reason: 'no_quorum', field: 'text' });
				expect((added as { message: string }).message).toBe(
					`到会成员不足：到会 ${present} / 在任 ${serving}，需 ${quorumNeeded(rule, serving)} 人`
				);
			}
		}
	);

	it('counts the serving members live before opening and as counted at opening after', async () => {
		const c = await makeCouncil(await createSettlement(county), 'deliberation');
		const people = [await makeMember(c, {}), await makeMember(c, {}), await makeMember(c, {})];
		const place = { id: c.settlementId, regionPath: c.regionPath } as Settlement;
		const boss = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		const s = await scheduleMeeting(boss, c.id, schedule);
		if (!s.ok) throw new Error(s.message);
		expect((await getMeeting(boss, s.id)).quorum.serving).toBe(3);
		await makeMember(c, {});
		expect((await getMeeting(boss, s.id)).quorum.serving).toBe(4);
		await openMeeting(boss, s.id);
		// a term ended during the meeting does not move its quorum
		await endMemberTerm(boss, people[2].id, { endedOn: '2020-01-01' });
		expect((await getMeeting(boss, s.id)).quorum).toMatchObject({ serving: 4, needed: 3 });
		// nor may the rule change while it sits
		expect(
			await updateCouncil(boss, c.id, { name: c.name, quorumRule: 'two_thirds', charter: '' })
		).toMatchObject({ ok: false, reason: 'in_session', field: 'quorumRule' });
	});
});

describe('attendance', () => {
	it('records ticked serving members, residents of the settlement and guests; replaces on each save', async () => {
		const m = await meetingIn('scheduled');
		const r = await setAttendance(admin, m.id, {
			memberIds: [seats[0].id, seats[1].id, seats[0].id],
			residentIds: [homeA.members[1].id],
			guests: '镇干部王某\n\n  驻村第一书记 \u0000'
		});
		expect(r).toMatchObject({ ok: true, quorum: { present: 2, serving: 7, met: false } });
		const rows = await db()
			.select()
			.from(meetingAttendance)
			.where(eq(meetingAttendance.meetingId, m.id));
		expect(rows.map((x) => [x.kind, x.name]).sort()).toEqual(
			[
				['member', '秘书'],
				['member', '成员乙'],
				['resident', homeA.members[1].name],
				['guest', '镇干部王某'],
				['guest', '驻村第一书记 \ufffd']
			].sort()
		);
		expect(
			await setAttendance(admin, m.id, { memberIds: [seats[2].id], residentIds: [], guests: [] })
		).toMatchObject({ ok: true, quorum: { present: 1 } });
		expect(
			await db().select().from(meetingAttendance).where(eq(meetingAttendance.meetingId, m.id))
		).toHaveLength(1);
	});

	it('refuses members not serving on this council and residents of another settlement', async () => {
		const m = await meetingIn('in_session');
		const ended = await makeMember(talk, { endedOn: '2025-06-01' });
		const cases: { memberIds?: string[]; residentIds?: string[]; field: string; reason: string }[] =
			[
				{ memberIds: [otherSeat.id], field: 'memberIds', reason: 'not_member' },
				{ memberIds: [ended.id], field: 'memberIds', reason: 'not_member' },
				{ memberIds: ['x'], field: 'memberIds', reason: 'not_member' },
				{ residentIds: [crypto.randomUUID()], field: 'residentIds', reason: 'not_resident' }
			];
		const b1 = await createHousehold(b);
		cases.push({ residentIds: [b1.members[0].id], field: 'residentIds', reason: 'not_resident' });
		for (const c of cases)
			expect(
				await setAttendance(admin, m.id, {
					memberIds: c.memberIds ?? [],
					residentIds: c.residentIds ?? [],
					guests: ''
				})
			).toMatchObject({ ok: false, reason: c.reason, field: c.field });
		expect(
			await db().select().from(meetingAttendance).where(eq(meetingAttendance.meetingId, m.id))
		).toEqual([]);
	});

	it('is refused on a cancelled meeting, 403 for plain members and workers, 404 outside', async () => {
		const m = await meetingIn('cancelled');
		const input = { memberIds: [seats[0].id], residentIds: [], guests: '' };
		expect(await setAttendance(admin, m.id, input)).toMatchObject({ reason: 'illegal_step' });
		const s = await meetingIn('scheduled');
		expect(await httpStatus(setAttendance(memberActor, s.id, input))).toBe(403);
		expect(await httpStatus(setAttendance(bystander, s.id, input))).toBe(403);
		expect(await httpStatus(setAttendance(worker, s.id, input))).toBe(403);
		expect(await httpStatus(setAttendance(adminB, s.id, input))).toBe(404);
		expect(await httpStatus(setAttendance(admin, 'nope', input))).toBe(404);
	});
});

describe('votes', () => {
	it('a serving member records present members’ ballots; the counts follow; closing fixes the outcome', async () => {
		const present = seats.slice(0, 4);
		const { meetingId, resolutionId } = await sessionWith(present);
		expect(
			await recordVotes(memberActor, resolutionId, {
				votes: [
					{ memberId: present[0].id, choice: 'for' },
					{ memberId: present[1].id, choice: 'for' }
				]
			})
		).toEqual({ ok: true, recorded: 2 });
		expect(
			await recordVotes(secretary, resolutionId, {
				votes: [
					{ memberId: present[2].id.toUpperCase(), choice: 'against' },
					{ memberId: present[3].id, choice: 'abstain' }
				]
			})
		).toEqual({ ok: true, recorded: 2 });
		const [row] = await db()
			.select()
			.from(meetingResolution)
			.where(eq(meetingResolution.id, resolutionId));
		expect(row).toMatchObject({ votesFor: 2, votesAgainst: 1, votesAbstain: 1, passed: null });
		const shown = await getMeeting(bystander, meetingId);
		expect(shown.resolutions[0].ballots.map((b) => [b.memberId, b.choice, b.recordedBy])).toEqual([
			[present[0].id, 'for', memberActor.displayName],
			[present[1].id, 'for', memberActor.displayName],
			[present[2].id, 'against', secretary.displayName],
			[present[3].id, 'abstain', secretary.displayName]
		]);
		// 2 for of 4 present is not more than half
		expect(await closeMeeting(admin, meetingId, { minutes: '记录' })).toEqual({
			ok: true,
			passed: 0,
			failed: 1
		});
		const [closed] = await db()
			.select()
			.from(meetingResolution)
			.where(eq(meetingResolution.id, resolutionId));
		expect(closed.passed).toBe(false);
	});

	it('passes a resolution with more than half of those present for it', async () => {
		const present = seats.slice(0, 5);
		const { meetingId, resolutionId } = await sessionWith(present);
		await recordVotes(secretary, resolutionId, {
			votes: present.map((p, i) => ({ memberId: p.id, choice: i < 3 ? 'for' : 'against' }))
		});
		const second = await addResolution(admin, meetingId, { text: '第二项' });
		if (!second.ok) throw new Error(second.message);
		expect(second.no).toBe(2);
		await closeMeeting(secretary, meetingId, { minutes: '记录' });
		const rows = await db()
			.select()
			.from(meetingResolution)
			.where(eq(meetingResolution.meetingId, meetingId));
		expect(rows.map((r) => [r.no, r.passed]).sort()).toEqual([
			[1, true],
			[2, false]
		]);
	});

	it('only a serving member of THAT council records votes: 403 for others', async () => {
		const { resolutionId } = await sessionWith(seats.slice(0, 4));
		const ballot = { votes: [{ memberId: seats[0].id, choice: 'for' as const }] };
		// a resident of the settlement who is not a member
		expect(await httpStatus(recordVotes(bystander, resolutionId, ballot))).toBe(403);
		// the point's admin without a seat
		expect(await httpStatus(recordVotes(admin, resolutionId, ballot))).toBe(403);
		// a member of another council
		expect(await httpStatus(recordVotes(otherCouncilMember, resolutionId, ballot))).toBe(403);
		// a community worker (no council.vote), another point's admin and resident (cannot see it)
		expect(await httpStatus(recordVotes(worker, resolutionId, ballot))).toBe(403);
		expect(await httpStatus(recordVotes(adminB, resolutionId, ballot))).toBe(404);
		expect(await httpStatus(recordVotes(residentB, resolutionId, ballot))).toBe(404);
		expect(await httpStatus(recordVotes(secretary, crypto.randomUUID(), ballot))).toBe(404);
		// a member whose term has ended
		const former = (await createUser({ household: homeA, grants: [{ role: 'resident', on: a }] }))
			.actor;
		await makeMember(talk, { userId: former.id, endedOn: '2025-01-01' });
		expect(await httpStatus(recordVotes(former, resolutionId, ballot))).toBe(403);
		expect(
			await db().select().from(meetingVote).where(eq(meetingVote.resolutionId, resolutionId))
		).toEqual([]);
	});

	it('refuses a ballot for a non-member or an absent member, and a second ballot; records none of a mixed batch', async () => {
		const { resolutionId } = await sessionWith(seats.slice(0, 4));
		const absent = seats[5];
		const cases = [
			{ votes: [{ memberId: otherSeat.id, choice: 'for' as const }], reason: 'not_member' },
			{ votes: [{ memberId: crypto.randomUUID(), choice: 'for' as const }], reason: 'not_member' },
			{
				votes: [
					{ memberId: seats[0].id, choice: 'for' as const },
					{ memberId: absent.id, choice: 'for' as const }
				],
				reason: 'not_present'
			},
			{
				votes: [
					{ memberId: seats[1].id, choice: 'for' as const },
					{ memberId: seats[1].id, choice: 'against' as const }
				],
				reason: 'already_voted'
			},
			{ votes: [], reason: 'not_member' }
		];
		for (const c of cases)
			expect(await recordVotes(secretary, resolutionId, { votes: c.votes })).toMatchObject({
				ok: false,
				reason: c.reason,
				field: 'votes'
			});
		expect(
			await db().select().from(meetingVote).where(eq(meetingVote.resolutionId, resolutionId))
		).toEqual([]);
		expect(
			await recordVotes(secretary, resolutionId, {
				votes: [{ memberId: seats[0].id, choice: 'for' }]
			})
		).toMatchObject({ ok: true });
		const again = await recordVotes(memberActor, resolutionId, {
			votes: [{ memberId: seats[0].id, choice: 'against' }]
		});
		expect(again).toMatchObject({ ok: false, reason: 'already_voted' });
		expect((again as { message: string }).message).toContain(seats[0].name);
		const votes = await db()
			.select()
			.from(meetingVote)
			.where(eq(meetingVote.resolutionId, resolutionId));
		expect(votes.map((v) => [v.memberId, v.choice])).toEqual([[seats[0].id, 'for']]);
	});

	it('two concurrent ballots for one member: one is recorded', async () => {
		const { resolutionId } = await sessionWith(seats.slice(0, 4));
		const results = await Promise.all([
			recordVotes(secretary, resolutionId, { votes: [{ memberId: seats[3].id, choice: 'for' }] }),
			recordVotes(memberActor, resolutionId, {
				votes: [{ memberId: seats[3].id, choice: 'against' }]
			})
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		const [row] = await db()
			.select()
			.from(meetingResolution)
			.where(eq(meetingResolution.id, resolutionId));
		expect(row.votesFor + row.votesAgainst).toBe(1);
	});

	it('takes no votes before the meeting opens or without a quorum; a voter stays present', async () => {
		const m = await meetingIn('scheduled');
		const [early] = await db()
			.insert(meetingResolution)
			.values({ meetingId: m.id, no: 1, text: '提前写入' })
			.returning();
		await setAttendance(admin, m.id, { memberIds: [seats[0].id], residentIds: [], guests: '' });
		expect(
			await recordVotes(secretary, early.id, { votes: [{ memberId: seats[0].id, choice: 'for' }] })
		).toMatchObject({ ok: false, reason: 'illegal_step' });
		expect(await addResolution(admin, m.id, { text: '提前' })).toMatchObject({
			reason: 'illegal_step'
		});
		await openMeeting(admin, m.id);
		// one of seven present: no quorum
		expect(
			await recordVotes(secretary, early.id, { votes: [{ memberId: seats[0].id, choice: 'for' }] })
		).toMatchObject({ ok: false, reason: 'no_quorum' });

		const { meetingId, resolutionId } = await sessionWith(seats.slice(0, 4));
		await recordVotes(secretary, resolutionId, {
			votes: [{ memberId: seats[2].id, choice: 'for' }]
		});
		expect(
			await setAttendance(admin, meetingId, {
				memberIds: [seats[0].id, seats[1].id, seats[3].id, seats[4].id],
				residentIds: [],
				guests: ''
			})
		).toMatchObject({ ok: false, reason: 'voted', field: 'memberIds' });
	});
});

describe('reading a meeting', () => {
	it('shows the quorum live, who is present and what each step allows; 404 outside the settlement', async () => {
		const { meetingId } = await sessionWith(seats.slice(0, 4));
		const forSecretary = await getMeeting(secretary, meetingId);
		expect(forSecretary.quorum).toEqual({
			rule: 'majority',
			present: 4,
			serving: 7,
			needed: 4,
			met: true
		});
		expect(forSecretary.members.filter((x) => x.present).map((x) => x.id)).toEqual(
			seats.slice(0, 4).map((s) => s.id)
		);
		expect(forSecretary.members).toHaveLength(7);
		expect(forSecretary.can).toMatchObject({
			run: true,
			close: true,
			open: false,
			resolve: true,
			vote: true
		});
		expect((await getMeeting(admin, meetingId)).can).toMatchObject({ run: true, vote: false });
		expect((await getMeeting(bystander, meetingId)).can).toMatchObject({ run: false, vote: false });
		expect(await httpStatus(getMeeting(residentB, meetingId))).toBe(404);
		expect(await httpStatus(getMeeting(adminB, meetingId))).toBe(404);
		expect(await httpStatus(getMeeting(admin, 'x'))).toBe(404);
	});
});
