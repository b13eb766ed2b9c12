import {
	and,
	asc,
	count,
	desc,
	eq,
	gte,
	inArray,
	isNull,
	lte,
	or,
	sql,
	type SQL
} from 'drizzle-orm';
import {
	councilKinds,
	councilKindWords,
	memberRoleWords,
	quorumNeeded,
	type CouncilKind,
	type MemberRole,
	type QuorumRule
} from '$lib/governance/vocab';
import { shanghaiDay } from '$lib/working-days';
import { can, requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import { escapeLike } from '../db/like';
import type { Failure } from '../failure';
import { storable } from '../services/shared';
import { isUuid, notFound, settlementResource } from '../settlements/shared';

// 一约四会: each settlement's four councils, their members and terms. A member serves from
// termStart to termEnd unless the term was ended early (endedOn).

const c = schema.council;
const cm = schema.councilMember;

/** Roles that run a council's meetings besides the point's staff (the chair keeps order, the secretary the record). */
export const officerRoles: readonly MemberRole[] = ['chair', 'vice_chair', 'secretary'];

/** The SQL test of a member serving on `today`. */
export function servingOn(today: string): SQL {
	return and(lte(cm.termStart, today), gte(cm.termEnd, today), isNull(cm.endedOn))!;
}

/** A real day written YYYY-MM-DD between 2000 and 2100 (what the forms let through). */
export function isDay(value: unknown): value is string {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
	const at = new Date(`${value}T00:00:00Z`);
	const y = Number(value.slice(0, 4));
	return (
		!Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value && y >= 2000 && y <= 2100
	);
}

/** Where a member's term stands on `today`. */
export function termStatus(
	m: { termStart: string; termEnd: string; endedOn: string | null },
	today: string
): 'serving' | 'upcoming' | 'ended' {
	if (m.endedOn || m.termEnd < today) return 'ended';
	return m.termStart > today ? 'upcoming' : 'serving';
}

/** A council as a resource for `can()`, with what the commands check; null when there is none. */
export async function councilResource(councilId: string, executor: Executor = db()) {
	if (!isUuid(councilId)) return null;
	const [row] = await executor
		.select({
			councilId: c.id,
			settlementId: c.settlementId,
			regionPath: c.regionPath,
			kind: c.kind,
			name: c.name,
			quorumRule: c.quorumRule
		})
		.from(c)
		.where(eq(c.id, councilId));
	return row ?? null;
}
export type CouncilResource = NonNullable<Awaited<ReturnType<typeof councilResource>>>;

/** The serving member row of that account on the council, or null. */
export async function servingSeat(
	executor: Executor,
	councilId: string,
	userId: string,
	today: string = shanghaiDay()
) {
	if (!isUuid(councilId) || !isUuid(userId)) return null;
	const [row] = await executor
		.select({ id: cm.id, name: cm.name, role: cm.role, councilId: cm.councilId })
		.from(cm)
		.where(and(eq(cm.councilId, councilId), eq(cm.userId, userId), servingOn(today)))
		.orderBy(asc(cm.createdAt))
		.limit(1);
	return row ?? null;
}

/** How many members serve on the council on `today`. */
export async function servingCount(executor: Executor, councilId: string, today: string) {
	const [row] = await executor
		.select({ n: count() })
		.from(cm)
		.where(and(eq(cm.councilId, councilId), servingOn(today)));
	return Number(row?.n ?? 0);
}

/** The accounts of the serving members of a settlement's councils of some kinds (who hear of a breach). */
export async function councilMemberUserIds(
	executor: Executor,
	settlementId: string,
	kinds: readonly CouncilKind[],
	today: string = shanghaiDay()
): Promise<string[]> {
	if (kinds.length === 0) return [];
	const rows = await executor
		.selectDistinct({ id: cm.userId })
		.from(cm)
		.innerJoin(c, eq(c.id, cm.councilId))
		.innerJoin(schema.user, eq(schema.user.id, cm.userId))
		.where(
			and(
				eq(c.settlementId, settlementId),
				inArray(c.kind, [...kinds]),
				servingOn(today),
				isNull(schema.user.disabledAt)
			)
		);
	return rows.flatMap((r) => (r.id ? [r.id] : []));
}

/**
 * Whether the actor runs the council's meetings: the point's staff who manage councils, or a
 * serving chair, vice-chair or secretary with an account that may act for the council.
 */
export async function mayRun(
	actor: Actor,
	council: CouncilResource,
	executor: Executor = db(),
	today: string = shanghaiDay()
): Promise<boolean> {
	if (can(actor, 'council.manage', council)) return true;
	if (!can(actor, 'council.vote', council)) return false;
	const seat = await servingSeat(executor, council.councilId, actor.id, today);
	return !!seat && officerRoles.includes(seat.role);
}

/** The council for a read: 404 when there is none or the actor may not see it. */
export async function readableCouncil(actor: Actor, councilId: string, executor: Executor = db()) {
	const council = await councilResource(councilId, executor);
	requirePermission(actor, 'council.read', council ?? {}, 'read');
	if (!council) notFound();
	return council;
}

/** The council for a change by its managers: 404 when unseen, 403 when the actor may not manage it. */
async function managedCouncil(actor: Actor, councilId: string, executor: Executor = db()) {
	const council = await readableCouncil(actor, councilId, executor);
	requirePermission(actor, 'council.manage', council, 'write');
	return council;
}

export interface CouncilRow {
	id: string;
	settlementId: string;
	settlementName: string;
	kind: CouncilKind;
	name: string;
	quorumRule: QuorumRule;
	serving: number;
	nextMeetingAt: Date | null;
}

/** The councils the actor may read (their own settlement's for a resident), by settlement and kind. */
export async function listCouncils(
	actor: Actor,
	q: { settlementId?: string } = {},
	now: Date = new Date()
): Promise<CouncilRow[]> {
	requireAnywhere(actor, 'council.read', 'read');
	const today = shanghaiDay(now);
	const where: SQL[] = [
		scopeFilter(actor, 'council.read', { settlementId: c.settlementId, regionPath: c.regionPath })
	];
	if (q.settlementId !== undefined) {
		if (!isUuid(q.settlementId)) return [];
		where.push(eq(c.settlementId, q.settlementId));
	}
	const rows = await db()
		.select({
			id: c.id,
			settlementId: c.settlementId,
			settlementName: schema.settlement.name,
			kind: c.kind,
			name: c.name,
			quorumRule: c.quorumRule,
			serving: sql<number>`(select count(*)::int from council_member m where m.council_id = ${c}.id and m.term_start <= ${today} and m.term_end >= ${today} and m.ended_on is null)`,
			nextMeetingAt: sql<
				string | null
			>`(select min(x.starts_at)::text from meeting x where x.council_id = ${c}.id and x.status in ('scheduled', 'in_session'))`
		})
		.from(c)
		.innerJoin(schema.settlement, eq(schema.settlement.id, c.settlementId))
		.where(and(...where))
		.orderBy(asc(schema.settlement.name), asc(c.settlementId), asc(c.kind))
		.limit(2000);
	const order = new Map(councilKinds.map((k, i) => [k, i]));
	return rows
		.map((r) => ({
			...r,
			serving: Number(r.serving),
			nextMeetingAt: r.nextMeetingAt ? new Date(r.nextMeetingAt) : null
		}))
		.sort(
			(a, b) =>
				a.settlementName.localeCompare(b.settlementName, 'zh-CN') ||
				a.settlementId.localeCompare(b.settlementId) ||
				order.get(a.kind)! - order.get(b.kind)!
		);
}

/**
 * The settlements whose councils the actor may read, with how many of the four are set up and
 * whether the actor may set up the rest.
 */
export async function listCouncilSettlements(actor: Actor) {
	requireAnywhere(actor, 'council.read', 'read');
	const s = schema.settlement;
	const rows = await db()
		.select({
			id: s.id,
			name: s.name,
			regionPath: s.regionPath,
			// qualified by hand: in a one-table select drizzle writes a bare "id", which here is x.id
			established: sql<number>`(select count(*)::int from council x where x.settlement_id = ${s}.id)`
		})
		.from(s)
		.where(scopeFilter(actor, 'council.read', { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(asc(s.name))
		.limit(1000);
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		established: Number(r.established),
		canManage: can(actor, 'council.manage', { settlementId: r.id, regionPath: r.regionPath })
	}));
}

/** One council with its members (serving first) and meetings; 404 unless the actor may read it. */
export async function getCouncil(actor: Actor, councilId: string, now: Date = new Date()) {
	const council = await readableCouncil(actor, councilId);
	const today = shanghaiDay(now);
	const [row] = await db()
		.select({ council: c, settlementName: schema.settlement.name })
		.from(c)
		.innerJoin(schema.settlement, eq(schema.settlement.id, c.settlementId))
		.where(eq(c.id, council.councilId));
	const canManage = can(actor, 'council.manage', council);
	const members = await db()
		.select({
			id: cm.id,
			name: cm.name,
			residentId: cm.residentId,
			userId: cm.userId,
			username: schema.user.username,
			role: cm.role,
			termStart: cm.termStart,
			termEnd: cm.termEnd,
			endedOn: cm.endedOn
		})
		.from(cm)
		.leftJoin(schema.user, eq(schema.user.id, cm.userId))
		.where(eq(cm.councilId, council.councilId))
		.orderBy(asc(cm.termStart), asc(cm.createdAt))
		.limit(500);
	const roleOrder = new Map(Object.keys(memberRoleWords).map((r, i) => [r, i]));
	const statusOrder = { serving: 0, upcoming: 1, ended: 2 };
	const shown = members
		.map((m) => ({
			id: m.id,
			name: m.name,
			role: m.role,
			termStart: m.termStart,
			termEnd: m.termEnd,
			endedOn: m.endedOn,
			status: termStatus(m, today),
			linkedResident: !!m.residentId,
			hasAccount: !!m.userId,
			// the account's login only for those who manage the council
			account: canManage ? m.username : null
		}))
		.sort(
			(a, b) =>
				statusOrder[a.status] - statusOrder[b.status] ||
				roleOrder.get(a.role)! - roleOrder.get(b.role)!
		);
	const m = schema.meeting;
	const meetings = await db()
		.select({
			id: m.id,
			title: m.title,
			startsAt: m.startsAt,
			place: m.place,
			status: m.status
		})
		.from(m)
		.where(eq(m.councilId, council.councilId))
		.orderBy(desc(m.startsAt), desc(m.id))
		.limit(100);
	const serving = shown.filter((x) => x.status === 'serving').length;
	const seat = await servingSeat(db(), council.councilId, actor.id, today);
	return {
		id: row.council.id,
		settlementId: row.council.settlementId,
		settlementName: row.settlementName,
		kind: row.council.kind,
		name: row.council.name,
		quorumRule: row.council.quorumRule,
		charter: row.council.charter,
		serving,
		quorumNeeded: quorumNeeded(row.council.quorumRule, serving),
		members: shown,
		meetings,
		seat,
		can: {
			manage: canManage,
			run: await mayRun(actor, council, db(), today),
			searchRegister: can(actor, 'household.read', council)
		}
	};
}

/**
 * Sets up the four councils of a settlement: creates those missing, named by kind; again is
 * harmless (creates none). 404 for a settlement the actor cannot see, 403 unless they manage its councils.
 */
export async function establishCouncils(
	actor: Actor,
	settlementId: string
): Promise<{ ok: true; created: CouncilKind[] }> {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'council.read', s ?? {}, 'read');
	if (!s) notFound();
	requirePermission(actor, 'council.manage', s, 'write');
	return db().transaction(async (tx) => {
		const rows = await tx
			.insert(c)
			.values(
				councilKinds.map((kind) => ({
					settlementId: s.settlementId,
					regionPath: s.regionPath,
					kind,
					name: councilKindWords[kind]
				}))
			)
			.onConflictDoNothing({ target: [c.settlementId, c.kind] })
			.returning({ kind: c.kind });
		const created = rows.map((r) => r.kind);
		if (created.length > 0)
			await audit.record(tx, {
				actor,
				action: 'council.establish',
				entity: 'settlement',
				entityId: s.settlementId,
				scopePath: s.regionPath,
				summary: { created }
			});
		return { ok: true, created } as const;
	});
}

type UpdateFailure = 'in_session';

/**
 * Renames a council, sets its quorum rule and charter. Fails 'in_session' at quorumRule while
 * one of its meetings is in session (the rule that meeting is held under may not move).
 */
export async function updateCouncil(
	actor: Actor,
	councilId: string,
	input: { name: string; quorumRule: QuorumRule; charter: string }
): Promise<{ ok: true } | (Failure<UpdateFailure> & { message: string })> {
	input = storable(input);
	const council = await managedCouncil(actor, councilId);
	return db().transaction(async (tx) => {
		const [current] = await tx.select().from(c).where(eq(c.id, council.councilId)).for('update');
		if (input.quorumRule !== current.quorumRule) {
			const [open] = await tx
				.select({ id: schema.meeting.id })
				.from(schema.meeting)
				.where(
					and(
						eq(schema.meeting.councilId, council.councilId),
						eq(schema.meeting.status, 'in_session')
					)
				)
				.limit(1);
			if (open)
				return {
					ok: false,
					reason: 'in_session',
					field: 'quorumRule',
					message: '有会议正在进行，闭会后再修改到会规则'
				} as const;
		}
		await tx
			.update(c)
			.set({ name: input.name, quorumRule: input.quorumRule, charter: input.charter })
			.where(eq(c.id, council.councilId));
		const changed = (['name', 'quorumRule', 'charter'] as const).filter(
			(k) => input[k] !== current[k]
		);
		await audit.record(tx, {
			actor,
			action: 'council.update',
			entity: 'council',
			entityId: council.councilId,
			scopePath: council.regionPath,
			summary: { kind: council.kind, changed, quorumRule: input.quorumRule }
		});
		return { ok: true } as const;
	});
}

export interface MemberInput {
	name: string;
	residentId?: string | null;
	userId?: string | null;
	/** the account's login, when the form names it instead of an id */
	username?: string | null;
	role: MemberRole;
	termStart: string;
	termEnd: string;
}

type MemberFailure =
	'no_name' | 'no_resident' | 'no_user' | 'already_member' | 'chair_taken' | 'bad_term';

/** Terms that overlap: [a1, a2] and [b1, b2] share a day. */
const overlaps = (termStart: string, termEnd: string) =>
	and(lte(cm.termStart, termEnd), gte(cm.termEnd, termStart), isNull(cm.endedOn))!;

/**
 * Adds a member for a term: a resident of the settlement's register (their name taken when none
 * is typed) and/or an account of the settlement (a resident's, or staff of the point), or just a name. Fails at the field for a
 * resident or account not of the settlement, 'already_member' when that person already sits on
 * the council for an overlapping term, 'chair_taken' for a second chair at once.
 */
export async function addMember(
	actor: Actor,
	councilId: string,
	input: MemberInput
): Promise<{ ok: true; id: string } | (Failure<MemberFailure> & { message: string })> {
	input = storable(input);
	const council = await managedCouncil(actor, councilId);
	if (!isDay(input.termStart))
		return {
			ok: false,
			reason: 'bad_term',
			field: 'termStart',
			message: '请填写有效的任期开始日期'
		};
	if (!isDay(input.termEnd) || input.termEnd < input.termStart)
		return {
			ok: false,
			reason: 'bad_term',
			field: 'termEnd',
			message: '任期结束日期不能早于开始日期'
		};
	return db().transaction(async (tx) => {
		// one addition at a time per council: the overlap checks below hold
		await tx.select({ id: c.id }).from(c).where(eq(c.id, council.councilId)).for('update');
		let residentId: string | null = null;
		let residentName = '';
		if (input.residentId) {
			const r = schema.resident;
			const h = schema.household;
			const [found] = isUuid(input.residentId)
				? await tx
						.select({ id: r.id, name: r.name })
						.from(r)
						.innerJoin(h, eq(h.id, r.householdId))
						.where(
							and(
								eq(r.id, input.residentId),
								eq(r.status, 'active'),
								eq(h.settlementId, council.settlementId),
								eq(h.status, 'active')
							)
						)
				: [];
			if (!found)
				return {
					ok: false,
					reason: 'no_resident',
					field: 'residentId',
					message: '所选居民不在本安置点的台账中'
				} as const;
			residentId = found.id;
			residentName = found.name;
		}
		let userId: string | null = null;
		const wanted = input.userId || input.username;
		if (wanted) {
			userId = await settlementAccount(tx, council.settlementId, {
				userId: input.userId ?? null,
				username: input.userId ? null : (input.username ?? null)
			});
			if (!userId)
				return {
					ok: false,
					reason: 'no_user',
					field: input.userId ? 'userId' : 'username',
					message: '找不到本安置点的这个账号（须为本点居民或本点工作人员的账号）'
				} as const;
		}
		const same: SQL[] = [];
		if (residentId) same.push(eq(cm.residentId, residentId));
		if (userId) same.push(eq(cm.userId, userId));
		if (same.length > 0) {
			const [dup] = await tx
				.select({ id: cm.id })
				.from(cm)
				.where(
					and(
						eq(cm.councilId, council.councilId),
						overlaps(input.termStart, input.termEnd),
						or(...same)
					)
				)
				.limit(1);
			if (dup)
				return {
					ok: false,
					reason: 'already_member',
					field: residentId ? 'residentId' : 'username',
					message: '此人在该任期内已是本会成员'
				} as const;
		}
		if (input.role === 'chair') {
			const [chair] = await tx
				.select({ id: cm.id })
				.from(cm)
				.where(
					and(
						eq(cm.councilId, council.councilId),
						eq(cm.role, 'chair'),
						overlaps(input.termStart, input.termEnd)
					)
				)
				.limit(1);
			if (chair)
				return {
					ok: false,
					reason: 'chair_taken',
					field: 'role',
					message: '该任期内本会已有会长，请先结束现任会长的任期'
				} as const;
		}
		const name = input.name.trim() || residentName;
		if (!name)
			return {
				ok: false,
				reason: 'no_name',
				field: 'name',
				message: '请填写成员姓名，或从台账中选择居民'
			} as const;
		const [row] = await tx
			.insert(cm)
			.values({
				councilId: council.councilId,
				name,
				residentId,
				userId,
				role: input.role,
				termStart: input.termStart,
				termEnd: input.termEnd
			})
			.returning({ id: cm.id });
		await audit.record(tx, {
			actor,
			action: 'council.member.add',
			entity: 'council_member',
			entityId: row.id,
			scopePath: council.regionPath,
			summary: {
				councilId: council.councilId,
				kind: council.kind,
				role: input.role,
				termStart: input.termStart,
				termEnd: input.termEnd,
				resident: !!residentId,
				account: !!userId
			}
		});
		return { ok: true, id: row.id } as const;
	});
}

/**
 * An account that belongs to the settlement: a resident's of one of its households, or one
 * holding a live grant over it. Null when there is none such.
 */
async function settlementAccount(
	tx: Executor,
	settlementId: string,
	who: { userId: string | null; username: string | null }
): Promise<string | null> {
	const u = schema.user;
	const g = schema.roleGrant;
	const h = schema.household;
	if (who.userId !== null && !isUuid(who.userId)) return null;
	const [row] = await tx
		.select({ id: u.id })
		.from(u)
		.where(
			and(
				who.userId !== null
					? eq(u.id, who.userId)
					: sql`lower(${u.username}) = lower(${who.username ?? ''})`,
				isNull(u.disabledAt),
				or(
					sql`exists (select 1 from ${h} where ${h.id} = ${u.householdId} and ${h.settlementId} = ${settlementId})`,
					sql`exists (select 1 from ${g} where ${g.userId} = ${u.id} and ${g.settlementId} = ${settlementId} and ${g.revokedAt} is null)`
				)
			)
		)
		.limit(1);
	return row?.id ?? null;
}

type EndFailure = 'ended' | 'bad_day';

/**
 * Ends a member's term early on `endedOn` (between the term's start and today); from then the
 * member no longer serves. Fails 'ended' when the term already ended, 'bad_day' at endedOn.
 */
export async function endMemberTerm(
	actor: Actor,
	memberId: string,
	input: { endedOn: string },
	now: Date = new Date()
): Promise<{ ok: true } | (Failure<EndFailure> & { message: string })> {
	const [member] = isUuid(memberId)
		? await db().select({ councilId: cm.councilId }).from(cm).where(eq(cm.id, memberId))
		: [];
	const council = await managedCouncil(actor, member?.councilId ?? '');
	if (!member) notFound();
	const today = shanghaiDay(now);
	return db().transaction(async (tx) => {
		const [current] = await tx.select().from(cm).where(eq(cm.id, memberId)).for('update');
		if (current.endedOn || current.termEnd < today)
			return {
				ok: false,
				reason: 'ended',
				field: 'endedOn',
				message: '该成员的任期已经结束'
			} as const;
		if (!isDay(input.endedOn) || input.endedOn < current.termStart || input.endedOn > today)
			return {
				ok: false,
				reason: 'bad_day',
				field: 'endedOn',
				message: `离任日期须在任期开始（${current.termStart}）到今天之间`
			} as const;
		// the row is locked: the test above holds
		await tx.update(cm).set({ endedOn: input.endedOn }).where(eq(cm.id, memberId));
		await audit.record(tx, {
			actor,
			action: 'council.member.end',
			entity: 'council_member',
			entityId: memberId,
			scopePath: council.regionPath,
			summary: { councilId: council.councilId, role: current.role, endedOn: input.endedOn }
		});
		return { ok: true } as const;
	});
}

/**
 * Residents of a settlement's register whose name starts with `q`, for picking a member or a
 * resident sitting in on a meeting: names and units only. 404 unless the actor reads the register.
 */
export async function searchSettlementResidents(
	actor: Actor,
	settlementId: string,
	q: string
): Promise<{ id: string; name: string; unit: string }[]> {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'household.read', s ?? {}, 'read');
	if (!s) notFound();
	const term = q.trim();
	if (!term) return [];
	const r = schema.resident;
	const h = schema.household;
	const rows = await db()
		.select({
			id: r.id,
			name: r.name,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room
		})
		.from(r)
		.innerJoin(h, eq(h.id, r.householdId))
		.where(
			and(
				eq(h.settlementId, s.settlementId),
				eq(h.status, 'active'),
				eq(r.status, 'active'),
				sql`${r.name} like ${escapeLike(term) + '%'}`,
				scopeFilter(actor, 'household.read', {
					settlementId: h.settlementId,
					regionPath: sql`${s.regionPath}`,
					householdId: h.id
				})
			)
		)
		.orderBy(asc(r.name), asc(r.id))
		.limit(20);
	return rows.map((x) => ({ id: x.id, name: x.name, unit: `${x.building}${x.unitNo}${x.room}` }));
}
