import { error } from '@sveltejs/kit';
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
	canMeetingStep,
	meetingStatusWords,
	quorumMet,
	quorumNeeded,
	resolutionPasses,
	voteChoices,
	type MeetingStatus,
	type MeetingStep,
	type QuorumRule,
	type VoteChoice
} from '$lib/governance/vocab';
import { linesOf, shanghaiMoment } from '$lib/schemas/governance-councils';
import { shanghaiDay } from '$lib/working-days';
import { can, requirePermission, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import { storable } from '../services/shared';
import { isUuid, notFound } from '../settlements/shared';
import {
	councilResource,
	mayRun,
	readableCouncil,
	servingCount,
	servingOn,
	servingSeat,
	type CouncilResource
} from './councils';

// A council's meeting: scheduled → in_session (opened: the serving members counted) → closed
// (with its minutes; each resolution's outcome fixed), or scheduled → cancelled. Every step is a
// conditional UPDATE on the status, so two people closing at once cannot both close it; after
// closing nothing is edited, only amended with a visible note.

const mt = schema.meeting;
const att = schema.meetingAttendance;
const res = schema.meetingResolution;
const vt = schema.meetingVote;
const cm = schema.councilMember;

type MeetingFailureReason =
	| 'illegal_step'
	| 'no_members'
	| 'no_quorum'
	| 'not_member'
	| 'not_present'
	| 'not_resident'
	| 'already_voted'
	| 'voted';
export type MeetingFailure = Failure<MeetingFailureReason> & { message: string };

const fail = (reason: MeetingFailureReason, message: string, field?: string): MeetingFailure =>
	field ? { ok: false, reason, field, message } : { ok: false, reason, message };

/** Why a meeting in `status` refuses what was asked, in the words a page shows. */
function refusal(status: MeetingStatus, field?: string): MeetingFailure {
	const words: Record<MeetingStatus, string> = {
		scheduled: '会议尚未开始，请先宣布开会',
		in_session: '会议正在进行中',
		closed: '会议已闭会，记录不能再修改，只能添加更正说明',
		cancelled: '会议已取消'
	};
	return fail('illegal_step', `${words[status]}（当前状态：${meetingStatusWords[status]}）`, field);
}

/** A meeting with its council as a resource; null when there is none. */
async function meetingResource(meetingId: string, executor: Executor = db()) {
	if (!isUuid(meetingId)) return null;
	const [row] = await executor.select({ meeting: mt }).from(mt).where(eq(mt.id, meetingId));
	if (!row) return null;
	const council = await councilResource(row.meeting.councilId, executor);
	return council ? { ...row.meeting, council } : null;
}
type MeetingResource = NonNullable<Awaited<ReturnType<typeof meetingResource>>>;

/** The meeting for a read: 404 when there is none or the actor may not see its council. */
async function readableMeeting(actor: Actor, meetingId: string): Promise<MeetingResource> {
	const found = await meetingResource(meetingId);
	requirePermission(actor, 'council.read', found?.council ?? {}, 'read');
	if (!found) notFound();
	return found;
}

/** The meeting for a step: 404 unseen, 403 unless the actor runs the council's meetings. */
async function runnableMeeting(actor: Actor, meetingId: string, today: string) {
	const found = await readableMeeting(actor, meetingId);
	if (!(await mayRun(actor, found.council, db(), today))) error(403, '无权执行此操作');
	return found;
}

/** Locks the meeting row for the rest of the transaction and reads its status again. */
async function lockMeeting(tx: Executor, meetingId: string) {
	const [row] = await tx
		.select({ status: mt.status, servingMembers: mt.servingMembers })
		.from(mt)
		.where(eq(mt.id, meetingId))
		.for('update');
	return row;
}

/** How many members are present at the meeting. */
async function presentCount(executor: Executor, meetingId: string) {
	const [row] = await executor
		.select({ n: count() })
		.from(att)
		.where(and(eq(att.meetingId, meetingId), eq(att.kind, 'member')));
	return Number(row?.n ?? 0);
}

export interface Quorum {
	rule: QuorumRule;
	present: number;
	serving: number;
	needed: number;
	met: boolean;
}

/** The quorum now: present members against those serving (counted when it opened, live before). */
async function quorumOf(
	executor: Executor,
	meeting: { id: string; servingMembers: number | null },
	council: CouncilResource,
	today: string
): Promise<Quorum> {
	const present = await presentCount(executor, meeting.id);
	const serving =
		meeting.servingMembers ?? (await servingCount(executor, council.councilId, today));
	return {
		rule: council.quorumRule,
		present,
		serving,
		needed: quorumNeeded(council.quorumRule, serving),
		met: quorumMet(council.quorumRule, present, serving)
	};
}

export interface ScheduleInput {
	title: string;
	/** a Date, or 'YYYY-MM-DDTHH:MM' in Shanghai time as the form posts it */
	startsAt: Date | string;
	place: string;
	/** one item a line, or the items */
	agenda: string | string[];
}

/**
 * Schedules a meeting of the council with its agenda. 404 for a council the actor cannot see,
 * 403 unless they run its meetings; fails at startsAt for a time that is none.
 */
export async function scheduleMeeting(
	actor: Actor,
	councilId: string,
	input: ScheduleInput,
	now: Date = new Date()
): Promise<{ ok: true; id: string } | MeetingFailure> {
	const council = await readableCouncil(actor, councilId);
	if (!(await mayRun(actor, council, db(), shanghaiDay(now)))) error(403, '无权执行此操作');
	const startsAt =
		input.startsAt instanceof Date ? input.startsAt : shanghaiMoment(String(input.startsAt));
	if (!startsAt || Number.isNaN(startsAt.getTime()))
		return fail('illegal_step', '请填写有效的开会时间', 'startsAt');
	const agenda = (Array.isArray(input.agenda) ? input.agenda : linesOf(input.agenda)).map(
		(item) => storable({ item }).item
	);
	const { title, place } = storable({ title: input.title, place: input.place });
	return db().transaction(async (tx) => {
		const [row] = await tx
			.insert(mt)
			.values({
				councilId: council.councilId,
				settlementId: council.settlementId,
				regionPath: council.regionPath,
				title,
				startsAt,
				place,
				agenda,
				createdBy: actor.id
			})
			.returning({ id: mt.id });
		await audit.record(tx, {
			actor,
			action: 'meeting.schedule',
			entity: 'meeting',
			entityId: row.id,
			scopePath: council.regionPath,
			summary: { councilId: council.councilId, kind: council.kind, agendaItems: agenda.length }
		});
		return { ok: true, id: row.id } as const;
	});
}

/** One meeting with its attendance, quorum, resolutions and their ballots, and amendments. */
export async function getMeeting(actor: Actor, meetingId: string, now: Date = new Date()) {
	const found = await readableMeeting(actor, meetingId);
	const today = shanghaiDay(now);
	const council = found.council;
	const [place] = await db()
		.select({ name: schema.settlement.name })
		.from(schema.settlement)
		.where(eq(schema.settlement.id, council.settlementId));
	const attendance = await db()
		.select({
			id: att.id,
			kind: att.kind,
			name: att.name,
			memberId: att.memberId,
			residentId: att.residentId
		})
		.from(att)
		.where(eq(att.meetingId, found.id))
		// members first, then residents sitting in, then guests
		.orderBy(
			sql`case ${att.kind} when 'member' then 0 when 'resident' then 1 else 2 end`,
			asc(att.createdAt),
			asc(att.id)
		);
	const presentIds = new Set(attendance.flatMap((a) => (a.memberId ? [a.memberId] : [])));
	// the members one may tick: those serving today, and any already ticked
	const members = await db()
		.select({ id: cm.id, name: cm.name, role: cm.role, userId: cm.userId })
		.from(cm)
		.where(
			and(
				eq(cm.councilId, council.councilId),
				presentIds.size > 0
					? sql`(${servingOn(today)} or ${inArray(cm.id, [...presentIds])})`
					: servingOn(today)
			)
		)
		.orderBy(asc(cm.termStart), asc(cm.createdAt));
	const recorder = alias(schema.user, 'recorder');
	const resolutions = await db()
		.select()
		.from(res)
		.where(eq(res.meetingId, found.id))
		.orderBy(asc(res.no));
	const ballots = resolutions.length
		? await db()
				.select({
					resolutionId: vt.resolutionId,
					memberId: vt.memberId,
					memberName: cm.name,
					choice: vt.choice,
					recordedBy: recorder.displayName,
					at: vt.createdAt
				})
				.from(vt)
				.innerJoin(cm, eq(cm.id, vt.memberId))
				.innerJoin(recorder, eq(recorder.id, vt.recordedBy))
				.where(
					inArray(
						vt.resolutionId,
						resolutions.map((r) => r.id)
					)
				)
				// ballots of one recording share a time: then in the members' order
				.orderBy(asc(vt.createdAt), asc(cm.termStart), asc(cm.createdAt), asc(cm.id))
		: [];
	const amendments = await db()
		.select({
			id: schema.meetingAmendment.id,
			note: schema.meetingAmendment.note,
			authorName: schema.meetingAmendment.authorName,
			createdAt: schema.meetingAmendment.createdAt
		})
		.from(schema.meetingAmendment)
		.where(eq(schema.meetingAmendment.meetingId, found.id))
		.orderBy(asc(schema.meetingAmendment.createdAt), asc(schema.meetingAmendment.id));
	const [closer] = found.closedBy
		? await db()
				.select({ name: schema.user.displayName })
				.from(schema.user)
				.where(eq(schema.user.id, found.closedBy))
		: [];
	const quorum = await quorumOf(db(), found, council, today);
	const run = await mayRun(actor, council, db(), today);
	const seat = await servingSeat(db(), council.councilId, actor.id, today);
	const status = found.status;
	const canVote = !!seat && can(actor, 'council.vote', council) && status === 'in_session';
	return {
		id: found.id,
		title: found.title,
		startsAt: found.startsAt,
		place: found.place,
		agenda: found.agenda,
		status,
		minutes: found.minutes,
		closedAt: found.closedAt,
		closedByName: closer?.name ?? null,
		council: {
			id: council.councilId,
			kind: council.kind,
			name: council.name,
			quorumRule: council.quorumRule,
			settlementId: council.settlementId,
			settlementName: place?.name ?? ''
		},
		quorum,
		members: members.map((x) => ({
			id: x.id,
			name: x.name,
			role: x.role,
			present: presentIds.has(x.id)
		})),
		attendance,
		resolutions: resolutions.map((r) => ({
			id: r.id,
			no: r.no,
			text: r.text,
			passed: r.passed,
			votesFor: r.votesFor,
			votesAgainst: r.votesAgainst,
			votesAbstain: r.votesAbstain,
			ballots: ballots.filter((b) => b.resolutionId === r.id).map(({ resolutionId: _r, ...b }) => b)
		})),
		amendments,
		seat,
		can: {
			run,
			open: run && canMeetingStep('open', status),
			cancel: run && canMeetingStep('cancel', status),
			close: run && canMeetingStep('close', status),
			attendance: run && (status === 'scheduled' || status === 'in_session'),
			resolve: run && status === 'in_session' && quorum.met,
			vote: canVote && quorum.met,
			amend: run && status === 'closed',
			searchRegister: run && can(actor, 'household.read', council)
		}
	};
}

export interface AttendanceInput {
	memberIds: string[];
	residentIds: string[];
	/** guests' names, one a line or as a list */
	guests: string | string[];
}

/**
 * Records who is present (replacing what was recorded): ticked members serving on the council,
 * residents of the settlement sitting in, guests by name. Only while scheduled or in session.
 * Fails 'not_member' / 'not_resident' at the field for someone who is not, and 'voted' for a
 * member taken off after casting a ballot in this meeting.
 */
export async function setAttendance(
	actor: Actor,
	meetingId: string,
	input: AttendanceInput,
	now: Date = new Date()
): Promise<{ ok: true; quorum: Quorum } | MeetingFailure> {
	const today = shanghaiDay(now);
	const found = await runnableMeeting(actor, meetingId, today);
	const memberIds = [...new Set(input.memberIds)];
	const residentIds = [...new Set(input.residentIds)];
	const guests = (Array.isArray(input.guests) ? input.guests : linesOf(input.guests)).map(
		(g) => storable({ g }).g
	);
	if (!memberIds.every(isUuid)) return fail('not_member', '所选成员不是本会在任成员', 'memberIds');
	if (!residentIds.every(isUuid))
		return fail('not_resident', '所选居民不在本安置点的台账中', 'residentIds');
	return db().transaction(async (tx) => {
		const locked = await lockMeeting(tx, found.id);
		if (locked.status !== 'scheduled' && locked.status !== 'in_session')
			return refusal(locked.status, 'memberIds');
		const members = memberIds.length
			? await tx
					.select({ id: cm.id, name: cm.name })
					.from(cm)
					.where(
						and(
							eq(cm.councilId, found.council.councilId),
							inArray(cm.id, memberIds),
							servingOn(today)
						)
					)
			: [];
		if (members.length !== memberIds.length)
			return fail('not_member', '所选成员不是本会在任成员', 'memberIds');
		const r = schema.resident;
		const h = schema.household;
		const residents = residentIds.length
			? await tx
					.select({ id: r.id, name: r.name })
					.from(r)
					.innerJoin(h, eq(h.id, r.householdId))
					.where(
						and(
							inArray(r.id, residentIds),
							eq(r.status, 'active'),
							eq(h.status, 'active'),
							eq(h.settlementId, found.council.settlementId)
						)
					)
			: [];
		if (residents.length !== residentIds.length)
			return fail('not_resident', '所选居民不在本安置点的台账中', 'residentIds');
		// a member who has voted stays present: their ballot counts against those present
		const voters = await tx
			.selectDistinct({ memberId: vt.memberId })
			.from(vt)
			.innerJoin(res, eq(res.id, vt.resolutionId))
			.where(eq(res.meetingId, found.id));
		if (voters.some((v) => !memberIds.includes(v.memberId)))
			return fail('voted', '已参加表决的成员不能取消到会', 'memberIds');
		await tx.delete(att).where(eq(att.meetingId, found.id));
		const rows = [
			...members.map((x) => ({
				meetingId: found.id,
				memberId: x.id,
				name: x.name,
				kind: 'member' as const
			})),
			...residents.map((x) => ({
				meetingId: found.id,
				residentId: x.id,
				name: x.name,
				kind: 'resident' as const
			})),
			...guests.map((name) => ({ meetingId: found.id, name, kind: 'guest' as const }))
		];
		if (rows.length > 0) await tx.insert(att).values(rows);
		const quorum = await quorumOf(
			tx,
			{ id: found.id, servingMembers: locked.servingMembers },
			found.council,
			today
		);
		await audit.record(tx, {
			actor,
			action: 'meeting.attendance',
			entity: 'meeting',
			entityId: found.id,
			scopePath: found.council.regionPath,
			summary: {
				members: members.length,
				residents: residents.length,
				guests: guests.length,
				quorumMet: quorum.met
			}
		});
		return { ok: true, quorum } as const;
	});
}

/** Moves the meeting by one step with a conditional UPDATE; the caller's `set` goes with it. */
async function step(
	tx: Executor,
	meetingId: string,
	name: MeetingStep,
	to: MeetingStatus,
	from: MeetingStatus,
	set: Partial<typeof mt.$inferInsert> = {}
) {
	const [row] = await tx
		.update(mt)
		.set({ ...set, status: to })
		.where(and(eq(mt.id, meetingId), eq(mt.status, from)))
		.returning({ id: mt.id });
	return !!row && canMeetingStep(name, from);
}

/** The status now, for the words of a refused step. */
async function statusNow(tx: Executor, meetingId: string): Promise<MeetingStatus> {
	const [row] = await tx.select({ status: mt.status }).from(mt).where(eq(mt.id, meetingId));
	return row.status;
}

/**
 * Opens a scheduled meeting: the members serving today are counted for its quorum. Fails
 * 'illegal_step' unless it is scheduled (also when someone opened or cancelled it meanwhile),
 * 'no_members' when nobody serves on the council.
 */
export async function openMeeting(
	actor: Actor,
	meetingId: string,
	now: Date = new Date()
): Promise<{ ok: true } | MeetingFailure> {
	const today = shanghaiDay(now);
	const found = await runnableMeeting(actor, meetingId, today);
	return db().transaction(async (tx) => {
		const serving = await servingCount(tx, found.council.councilId, today);
		if (serving === 0) {
			const status = await statusNow(tx, found.id);
			if (status !== 'scheduled') return refusal(status);
			return fail('no_members', '本会目前没有在任成员，请先添加成员再开会');
		}
		if (!(await step(tx, found.id, 'open', 'in_session', 'scheduled', { servingMembers: serving })))
			return refusal(await statusNow(tx, found.id));
		await audit.record(tx, {
			actor,
			action: 'meeting.open',
			entity: 'meeting',
			entityId: found.id,
			scopePath: found.council.regionPath,
			summary: { from: 'scheduled', to: 'in_session', servingMembers: serving }
		});
		return { ok: true } as const;
	});
}

/** Cancels a scheduled meeting. Fails 'illegal_step' unless it is scheduled. */
export async function cancelMeeting(
	actor: Actor,
	meetingId: string,
	now: Date = new Date()
): Promise<{ ok: true } | MeetingFailure> {
	const found = await runnableMeeting(actor, meetingId, shanghaiDay(now));
	return db().transaction(async (tx) => {
		if (!(await step(tx, found.id, 'cancel', 'cancelled', 'scheduled')))
			return refusal(await statusNow(tx, found.id));
		await audit.record(tx, {
			actor,
			action: 'meeting.cancel',
			entity: 'meeting',
			entityId: found.id,
			scopePath: found.council.regionPath,
			summary: { from: 'scheduled', to: 'cancelled' }
		});
		return { ok: true } as const;
	});
}

/**
 * Puts a resolution to the meeting (numbered 1, 2, 3…). Only in session with a quorum present:
 * fails 'illegal_step' otherwise, 'no_quorum' without one.
 */
export async function addResolution(
	actor: Actor,
	meetingId: string,
	input: { text: string },
	now: Date = new Date()
): Promise<{ ok: true; id: string; no: number } | MeetingFailure> {
	const today = shanghaiDay(now);
	const found = await runnableMeeting(actor, meetingId, today);
	const { text } = storable(input);
	return db().transaction(async (tx) => {
		const locked = await lockMeeting(tx, found.id);
		if (locked.status !== 'in_session') return refusal(locked.status, 'text');
		const quorum = await quorumOf(
			tx,
			{ id: found.id, servingMembers: locked.servingMembers },
			found.council,
			today
		);
		if (!quorum.met)
			return fail(
				'no_quorum',
				`到会成员不足：到会 ${quorum.present} / 在任 ${quorum.serving}，需 ${quorum.needed} 人`,
				'text'
			);
		const [last] = await tx
			.select({ no: sql<number>`coalesce(max(${res.no}), 0)::int` })
			.from(res)
			.where(eq(res.meetingId, found.id));
		const no = Number(last?.no ?? 0) + 1;
		const [row] = await tx
			.insert(res)
			.values({ meetingId: found.id, no, text })
			.returning({ id: res.id });
		await audit.record(tx, {
			actor,
			action: 'meeting.resolution',
			entity: 'meeting',
			entityId: found.id,
			scopePath: found.council.regionPath,
			summary: { resolutionId: row.id, no }
		});
		return { ok: true, id: row.id, no } as const;
	});
}

export interface Ballot {
	memberId: string;
	choice: VoteChoice;
}

/**
 * Records members' ballots on a resolution, one per member. Only by an actor who may vote for
 * the council (council.vote) AND holds a serving seat on THAT council (403 otherwise, 404 for a
 * resolution they cannot see); only in session with a quorum; each ballot for a serving member
 * present at the meeting who has not voted on it yet. Nothing is recorded unless all are.
 */
export async function recordVotes(
	actor: Actor,
	resolutionId: string,
	input: { votes: Ballot[] },
	now: Date = new Date()
): Promise<{ ok: true; recorded: number } | MeetingFailure> {
	const today = shanghaiDay(now);
	const [found] = isUuid(resolutionId)
		? await db().select({ meetingId: res.meetingId }).from(res).where(eq(res.id, resolutionId))
		: [];
	const meeting = await meetingResource(found?.meetingId ?? '');
	requirePermission(actor, 'council.read', meeting?.council ?? {}, 'read');
	if (!meeting || !found) notFound();
	requirePermission(actor, 'council.vote', meeting.council, 'write');
	const seat = await servingSeat(db(), meeting.council.councilId, actor.id, today);
	if (!seat) error(403, '只有本会在任成员才能记录表决');
	const votes = input.votes;
	if (votes.length === 0) return fail('not_member', '请至少记录一位成员的表决', 'votes');
	if (!votes.every((v) => isUuid(v.memberId) && voteChoices.includes(v.choice)))
		return fail('not_member', '表决选项不正确', 'votes');
	const memberIds = votes.map((v) => v.memberId.toLowerCase());
	if (new Set(memberIds).size !== memberIds.length)
		return fail('already_voted', '每位成员只能投一票', 'votes');
	return db().transaction(async (tx) => {
		// the meeting row first: a close waits for these ballots, or these see it closed
		const locked = await lockMeeting(tx, meeting.id);
		if (locked.status !== 'in_session') return refusal(locked.status, 'votes');
		const quorum = await quorumOf(
			tx,
			{ id: meeting.id, servingMembers: locked.servingMembers },
			meeting.council,
			today
		);
		if (!quorum.met)
			return fail(
				'no_quorum',
				`到会成员不足：到会 ${quorum.present} / 在任 ${quorum.serving}，需 ${quorum.needed} 人`,
				'votes'
			);
		const members = await tx
			.select({ id: cm.id, name: cm.name, present: sql<boolean>`${att.id} is not null` })
			.from(cm)
			.leftJoin(att, and(eq(att.memberId, cm.id), eq(att.meetingId, meeting.id)))
			.where(
				and(
					eq(cm.councilId, meeting.council.councilId),
					inArray(cm.id, memberIds),
					servingOn(today)
				)
			);
		if (members.length !== memberIds.length)
			return fail('not_member', '只能为本会在任成员记录表决', 'votes');
		const absent = members.filter((x) => !x.present);
		if (absent.length > 0)
			return fail(
				'not_present',
				`${absent.map((x) => x.name).join('、')} 未登记到会，不能记录表决`,
				'votes'
			);
		const cast = await tx
			.select({ memberId: vt.memberId })
			.from(vt)
			.where(and(eq(vt.resolutionId, resolutionId), inArray(vt.memberId, memberIds)));
		if (cast.length > 0) {
			const names = members.filter((x) => cast.some((v) => v.memberId === x.id)).map((x) => x.name);
			return fail('already_voted', `${names.join('、')} 已经投过票，每人只能投一票`, 'votes');
		}
		await tx.insert(vt).values(
			votes.map((v) => ({
				resolutionId,
				memberId: v.memberId.toLowerCase(),
				choice: v.choice,
				recordedBy: actor.id
			}))
		);
		const tally = (choice: VoteChoice) =>
			sql<number>`(select count(*)::int from ${vt} where ${vt.resolutionId} = ${resolutionId} and ${vt.choice} = ${choice})`;
		const [counts] = await tx
			.update(res)
			.set({
				votesFor: tally('for'),
				votesAgainst: tally('against'),
				votesAbstain: tally('abstain')
			})
			.where(eq(res.id, resolutionId))
			.returning({
				no: res.no,
				for: res.votesFor,
				against: res.votesAgainst,
				abstain: res.votesAbstain
			});
		await audit.record(tx, {
			actor,
			action: 'meeting.vote',
			entity: 'meeting',
			entityId: meeting.id,
			scopePath: meeting.council.regionPath,
			summary: {
				resolutionId,
				no: counts.no,
				recorded: votes.length,
				for: counts.for,
				against: counts.against,
				abstain: counts.abstain
			}
		});
		return { ok: true, recorded: votes.length } as const;
	});
}

/**
 * Closes a meeting in session with its minutes, and fixes each resolution's outcome: passed with
 * more than half of the members present for it. Fails 'illegal_step' unless in session (one of
 * two concurrent closes).
 */
export async function closeMeeting(
	actor: Actor,
	meetingId: string,
	input: { minutes: string },
	now: Date = new Date()
): Promise<{ ok: true; passed: number; failed: number } | MeetingFailure> {
	const found = await runnableMeeting(actor, meetingId, shanghaiDay(now));
	const { minutes } = storable(input);
	if (minutes.trim().length === 0) return fail('illegal_step', '闭会前请填写会议记录', 'minutes');
	return db().transaction(async (tx) => {
		const closed = await step(tx, found.id, 'close', 'closed', 'in_session', {
			minutes,
			closedAt: now,
			closedBy: actor.id
		});
		if (!closed) return refusal(await statusNow(tx, found.id), 'minutes');
		const present = await presentCount(tx, found.id);
		const resolutions = await tx
			.select({ id: res.id, votesFor: res.votesFor })
			.from(res)
			.where(eq(res.meetingId, found.id));
		let passed = 0;
		for (const r of resolutions) {
			const outcome = resolutionPasses(r.votesFor, present);
			if (outcome) passed++;
			await tx.update(res).set({ passed: outcome }).where(eq(res.id, r.id));
		}
		await audit.record(tx, {
			actor,
			action: 'meeting.close',
			entity: 'meeting',
			entityId: found.id,
			scopePath: found.council.regionPath,
			summary: {
				from: 'in_session',
				to: 'closed',
				present,
				resolutions: resolutions.length,
				passed
			}
		});
		return { ok: true, passed, failed: resolutions.length - passed } as const;
	});
}

/**
 * Adds a visible note (with its author and time) to a closed meeting's record: the only change a
 * closed meeting takes. Fails 'illegal_step' unless it is closed.
 */
export async function amendMeeting(
	actor: Actor,
	meetingId: string,
	input: { note: string },
	now: Date = new Date()
): Promise<{ ok: true; id: string } | MeetingFailure> {
	const found = await runnableMeeting(actor, meetingId, shanghaiDay(now));
	const { note } = storable(input);
	return db().transaction(async (tx) => {
		const locked = await lockMeeting(tx, found.id);
		if (locked.status !== 'closed')
			return fail('illegal_step', '只有已闭会的会议才能添加更正说明', 'note');
		const [row] = await tx
			.insert(schema.meetingAmendment)
			.values({
				meetingId: found.id,
				note,
				authorId: actor.id,
				authorName: actor.displayName,
				createdAt: now
			})
			.returning({ id: schema.meetingAmendment.id });
		await audit.record(tx, {
			actor,
			action: 'meeting.amend',
			entity: 'meeting',
			entityId: found.id,
			scopePath: found.council.regionPath,
			summary: { amendmentId: row.id }
		});
		return { ok: true, id: row.id } as const;
	});
}
