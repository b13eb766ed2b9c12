// Care visits (关爱巡访): the people a point visits regularly (targets, by group and interval, with
// the worker who visits), each worker's schedule of who is due, the visits themselves — which may
// open a risk flag in the same transaction and be linked to the service request or charity need
// they led to — the point's overdue list, on-time rates per settlement and the county's intervals.
import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
	afterVisit,
	daysOverdue,
	dueBucket,
	intervalFor,
	intervalsFor,
	monthRange,
	onTimeRate,
	settingColumn,
	type DueBucket
} from '$lib/activities/schedule';
import { careGroups, type CareGroup } from '$lib/activities/vocab';
import {
	intervalValue,
	parseLinkRef,
	type EndTargetInput,
	type SettingInput,
	type TargetInput,
	type VisitInput
} from '$lib/schemas/visits';
import { requestNumber } from '$lib/services/workflow';
import { shanghaiDay } from '$lib/working-days';
import {
	can,
	canAnywhere,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor
} from '../access';
import * as audit from '../audit';
import { needNumber } from '../charity/needs';
import { db, schema, type Executor } from '../db';
import { escapeLike } from '../db/like';
import type { Failure } from '../failure';
import { storable } from '../services/shared';
import { isUuid, notFound, residentResource, settlementResource } from '../settlements/shared';
import { flagNumber, raiseFlagInTx } from './risks';

const t = schema.careTarget;
const v = schema.careVisit;
const cs = schema.careSetting;
const worker = alias(schema.user, 'worker');

/** A real calendar day 'YYYY-MM-DD' of 2000–2099 (what a date column takes without an error). */
function isDay(s: string): boolean {
	if (!/^20\d\d-\d\d-\d\d$/.test(s)) return false;
	const d = new Date(s + 'T00:00:00Z');
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The roles that visit: a point's community workers and its own staff. */
const visitingRoles = ['community_worker', 'point_admin', 'point_chief'] as const;

// ---------------------------------------------------------------------------------------------
// the county's intervals

/** The care_setting that governs a region path: the nearest county (or region) above it that set one. */
async function settingFor(executor: Executor, regionPath: string) {
	const [row] = await executor
		.select()
		.from(cs)
		.where(sql`starts_with(${regionPath}, ${cs.regionPath})`)
		.orderBy(desc(sql`length(${cs.regionPath})`))
		.limit(1);
	return row ?? null;
}

/** Each group's interval at a settlement: its county's own, else the default. */
export async function visitIntervalsFor(
	actor: Actor,
	settlementId: string
): Promise<Record<CareGroup, number>> {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'visit.read', s ?? {}, 'read');
	if (!s) notFound();
	return intervalsFor(await settingFor(db(), s.regionPath));
}

/** The counties whose intervals the actor sets (risk.settings), with what each set. */
export async function listCareCounties(actor: Actor) {
	if (!canAnywhere(actor, 'risk.settings')) return [];
	const { region } = schema;
	const rows = await db()
		.select({
			id: region.id,
			name: region.name,
			path: region.path,
			livingAloneElderlyDays: cs.livingAloneElderlyDays,
			severeDisabilityDays: cs.severeDisabilityDays,
			leftBehindChildDays: cs.leftBehindChildDays,
			childInDifficultyDays: cs.childInDifficultyDays,
			extremePovertyDays: cs.extremePovertyDays
		})
		.from(region)
		.leftJoin(cs, eq(cs.regionId, region.id))
		.where(
			and(
				eq(region.level, 'county'),
				scopeFilter(actor, 'risk.settings', { regionPath: region.path })
			)
		)
		.orderBy(asc(region.path))
		.limit(200);
	return rows.map(({ path: _path, ...r }) => ({
		...r,
		intervals: intervalsFor(r)
	}));
}

type SettingFailure = 'not_county';

/**
 * Civil affairs set their county's visit intervals per group ('' keeps the default). Writes
 * only the interval columns: the risk limits in the same row are the risk pages'. 403 outside
 * the actor's counties; fails 'not_county' for a region that is not a county.
 */
export async function saveCareSetting(
	actor: Actor,
	input: SettingInput
): Promise<{ ok: true } | Failure<SettingFailure>> {
	requireAnywhere(actor, 'risk.settings', 'write');
	const { region } = schema;
	const [r] = isUuid(input.regionId)
		? await db()
				.select({ id: region.id, path: region.path, level: region.level })
				.from(region)
				.where(eq(region.id, input.regionId))
		: [];
	requirePermission(actor, 'risk.settings', r ? { regionPath: r.path } : {}, 'write');
	if (!r || r.level !== 'county') return { ok: false, reason: 'not_county', field: 'regionId' };
	const days = Object.fromEntries(
		careGroups.map((g) => [settingColumn[g], intervalValue(input[settingColumn[g]])])
	) as Record<(typeof settingColumn)[CareGroup], number | null>;
	return db().transaction(async (tx) => {
		await tx
			.insert(cs)
			.values({ regionId: r.id, regionPath: r.path, ...days })
			.onConflictDoUpdate({ target: cs.regionId, set: { ...days, updatedAt: new Date() } });
		await audit.record(tx, {
			actor,
			action: 'care.setting',
			entity: 'care_setting',
			entityId: r.id,
			scopePath: r.path,
			summary: days
		});
		return { ok: true } as const;
	});
}

// ---------------------------------------------------------------------------------------------
// targets

/** The settlements in which the actor holds a permission, for a form's choice. */
export async function listVisitSettlements(
	actor: Actor,
	permission: 'visit.read' | 'visit.manage' | 'visit.record' = 'visit.read'
) {
	const s = schema.settlement;
	return db()
		.select({ id: s.id, name: s.name })
		.from(s)
		.where(scopeFilter(actor, permission, { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(asc(s.name))
		.limit(500);
}

/**
 * People of a settlement's register to pick as a target, by a name (head or member) or a unit
 * like 3栋502: no ID numbers, no health. 404 unless the actor manages the settlement's visits.
 */
export async function searchVisitResidents(actor: Actor, settlementId: string, q: string) {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'visit.manage', s ?? {}, 'read');
	if (!s) notFound();
	const search = storable({ q: q.trim().slice(0, 50) }).q;
	if (!search) return { rows: [], more: false };
	const { household: h, resident: r } = schema;
	const prefix = escapeLike(search) + '%';
	const unit = search.replace(/[\s\-—_/]/g, '');
	const matches: SQL[] = [sql`${r.name} like ${prefix}`, sql`${h.headName} like ${prefix}`];
	if (unit)
		matches.push(
			sql`(${h.building} || ${h.unitNo} || ${h.room}) like ${'%' + escapeLike(unit) + '%'}`
		);
	const limit = 30;
	const rows = await db()
		.select({
			id: r.id,
			name: r.name,
			relation: r.relation,
			gender: r.gender,
			age: sql<number>`date_part('year', age(${shanghaiDay()}::date, ${r.birthDate}))::int`,
			householdId: h.id,
			headName: h.headName,
			unit: sql<string>`${h.building} || ${h.unitNo} || ${h.room}`,
			groups: sql<
				CareGroup[]
			>`coalesce((select array_agg(ct."group") from care_target ct where ct.resident_id = ${r.id} and ct.ended_on is null), '{}')`
		})
		.from(r)
		.innerJoin(h, eq(h.id, r.householdId))
		.where(
			and(
				eq(h.settlementId, s.settlementId),
				eq(h.status, 'active'),
				eq(r.status, 'active'),
				or(...matches)
			)
		)
		// the people named first, then the rest of the households found by their head or unit
		.orderBy(desc(sql`${r.name} like ${prefix}`), asc(h.headName), asc(r.name), asc(r.id))
		.limit(limit + 1);
	return { rows: rows.slice(0, limit), more: rows.length > limit };
}

/** One person of the register for the target form: 404 unless the actor manages their visits. */
export async function getVisitResident(actor: Actor, residentId: string) {
	const res = await residentResource(residentId);
	requirePermission(actor, 'visit.manage', res ?? {}, 'read');
	if (!res) notFound();
	const { household: h } = schema;
	const [home] = await db()
		.select({ unit: sql<string>`${h.building} || ${h.unitNo} || ${h.room}`, headName: h.headName })
		.from(h)
		.where(eq(h.id, res.householdId));
	return {
		id: res.residentId,
		name: res.name,
		householdId: res.householdId,
		settlementId: res.settlementId,
		active: res.status === 'active',
		unit: home.unit,
		headName: home.headName
	};
}

/** The people who may be given a settlement's visits: its community workers and own staff. */
export async function listVisitWorkers(actor: Actor, settlementId: string) {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'visit.read', s ?? {}, 'read');
	if (!s) notFound();
	return workersOf(db(), s.settlementId);
}

async function workersOf(executor: Executor, settlementId: string, only?: string) {
	const g = schema.roleGrant;
	const u = schema.user;
	return executor
		.selectDistinct({ id: u.id, name: u.displayName })
		.from(g)
		.innerJoin(u, eq(u.id, g.userId))
		.where(
			and(
				eq(g.settlementId, settlementId),
				inArray(g.role, [...visitingRoles]),
				isNull(g.revokedAt),
				isNull(u.disabledAt),
				only ? eq(u.id, only) : undefined
			)
		)
		.orderBy(asc(u.displayName), asc(u.id))
		.limit(200);
}

type TargetFailure = 'inactive' | 'no_worker' | 'duplicate';

/**
 * Makes a person of the register a target: a group, the interval (the county's for the group
 * unless typed), the worker who visits (one of the point's, or none yet) and the day from which
 * they are due. 404 for a person the actor cannot see, 403 without visit.manage over them; fails
 * 'inactive' for someone moved out or deceased, 'no_worker' for a worker not serving the point,
 * 'duplicate' when they are already a live target of that group.
 */
export async function addTarget(
	actor: Actor,
	input: TargetInput
): Promise<{ ok: true; id: string } | Failure<TargetFailure>> {
	input = storable(input);
	const res = await residentResource(input.residentId);
	requirePermission(actor, 'visit.read', res ?? {}, 'read');
	if (!res) notFound();
	requirePermission(actor, 'visit.manage', res, 'write');
	return db().transaction(async (tx) => {
		// the household's row lock: a concurrent move-out either ends before this or waits for it
		const [home] = await tx
			.select({ status: schema.household.status })
			.from(schema.household)
			.where(eq(schema.household.id, res.householdId))
			.for('update');
		const [person] = await tx
			.select({ status: schema.resident.status })
			.from(schema.resident)
			.where(eq(schema.resident.id, res.residentId));
		if (home?.status !== 'active' || person?.status !== 'active')
			return { ok: false, reason: 'inactive', field: 'residentId' } as const;
		if (input.workerId && (await workersOf(tx, res.settlementId, input.workerId)).length === 0)
			return { ok: false, reason: 'no_worker', field: 'workerId' } as const;
		const intervalDays =
			intervalValue(input.intervalDays) ??
			intervalFor(input.group, await settingFor(tx, res.regionPath));
		const [row] = await tx
			.insert(t)
			.values({
				settlementId: res.settlementId,
				regionPath: res.regionPath,
				residentId: res.residentId,
				householdId: res.householdId,
				group: input.group,
				intervalDays,
				workerId: input.workerId || null,
				since: input.since,
				nextDueOn: input.since,
				note: input.note
			})
			.onConflictDoNothing({
				target: [t.residentId, t.group],
				where: sql`${t.endedOn} is null`
			})
			.returning({ id: t.id });
		if (!row) return { ok: false, reason: 'duplicate', field: 'group' } as const;
		await audit.record(tx, {
			actor,
			action: 'visit.target.add',
			entity: 'care_target',
			entityId: row.id,
			scopePath: res.regionPath,
			summary: {
				group: input.group,
				intervalDays,
				workerId: input.workerId || null,
				since: input.since
			}
		});
		return { ok: true, id: row.id } as const;
	});
}

/** A target as a resource for `can()`; null when there is none. */
async function targetResource(targetId: string, executor: Executor = db(), lock = false) {
	if (!isUuid(targetId)) return null;
	const q = executor
		.select({
			targetId: t.id,
			settlementId: t.settlementId,
			regionPath: t.regionPath,
			householdId: t.householdId,
			residentId: t.residentId,
			group: t.group,
			intervalDays: t.intervalDays,
			workerId: t.workerId,
			since: t.since,
			lastVisitedOn: t.lastVisitedOn,
			nextDueOn: t.nextDueOn,
			endedOn: t.endedOn
		})
		.from(t)
		.where(eq(t.id, targetId));
	const [row] = lock ? await q.for('update') : await q;
	return row ?? null;
}

/**
 * Ends a target (moved away, no longer in the group, passed away): it leaves every schedule;
 * its visits stay. 404 outside the actor's reach, 403 without visit.manage; fails 'ended'.
 */
export async function endTarget(
	actor: Actor,
	input: EndTargetInput,
	now: Date = new Date()
): Promise<{ ok: true } | Failure<'ended'>> {
	input = storable(input);
	return db().transaction(async (tx) => {
		const target = await targetResource(input.targetId, tx, true);
		requirePermission(actor, 'visit.read', target ?? {}, 'read');
		if (!target) notFound();
		requirePermission(actor, 'visit.manage', target, 'write');
		if (target.endedOn) return { ok: false, reason: 'ended', field: 'endReason' } as const;
		const endedOn = shanghaiDay(now);
		await tx
			.update(t)
			.set({ endedOn, endReason: input.endReason })
			.where(and(eq(t.id, target.targetId), isNull(t.endedOn)));
		await audit.record(tx, {
			actor,
			action: 'visit.target.end',
			entity: 'care_target',
			entityId: target.targetId,
			scopePath: target.regionPath,
			summary: { group: target.group, endedOn }
		});
		return { ok: true } as const;
	});
}

/** What a list of targets shows of each. */
const targetColumns = {
	id: t.id,
	settlementId: t.settlementId,
	regionPath: t.regionPath,
	settlementName: schema.settlement.name,
	residentId: t.residentId,
	residentName: schema.resident.name,
	householdId: t.householdId,
	unit: sql<string>`${schema.household.building} || ${schema.household.unitNo} || ${schema.household.room}`,
	group: t.group,
	intervalDays: t.intervalDays,
	workerId: t.workerId,
	workerName: worker.displayName,
	since: t.since,
	lastVisitedOn: t.lastVisitedOn,
	nextDueOn: t.nextDueOn,
	endedOn: t.endedOn,
	endReason: t.endReason
};

function targetsFrom(where: SQL[]) {
	return db()
		.select(targetColumns)
		.from(t)
		.innerJoin(schema.resident, eq(schema.resident.id, t.residentId))
		.innerJoin(schema.household, eq(schema.household.id, t.householdId))
		.innerJoin(schema.settlement, eq(schema.settlement.id, t.settlementId))
		.leftJoin(worker, eq(worker.id, t.workerId))
		.where(and(...where));
}

const readableTargets = (actor: Actor) =>
	scopeFilter(actor, 'visit.read', { settlementId: t.settlementId, regionPath: t.regionPath });

export interface TargetQuery {
	settlementId?: string;
	group?: CareGroup | '';
	workerId?: string;
	/** true: the ended ones; otherwise the live ones */
	ended?: boolean;
	/** keyset cursor: 'nextDueOn|id' of the previous page's last row */
	after?: string;
}

/** A page of the targets the actor may read (live ones by due day, or the ended), 100 a page. */
export async function listTargets(actor: Actor, q: TargetQuery = {}, now: Date = new Date()) {
	requireAnywhere(actor, 'visit.read');
	const today = shanghaiDay(now);
	const where: SQL[] = [readableTargets(actor)];
	where.push(q.ended ? isNotNull(t.endedOn) : isNull(t.endedOn));
	if (q.settlementId && isUuid(q.settlementId)) where.push(eq(t.settlementId, q.settlementId));
	if (q.group) where.push(eq(t.group, q.group));
	if (q.workerId && isUuid(q.workerId)) where.push(eq(t.workerId, q.workerId));
	const cut = q.after?.indexOf('|') ?? -1;
	if (q.after && cut > 0) {
		const [due, id] = [q.after.slice(0, cut), q.after.slice(cut + 1)];
		if (isDay(due) && isUuid(id))
			where.push(sql`(${t.nextDueOn}, ${t.id}) > (${due}::date, ${id}::uuid)`);
	}
	const limit = 100;
	const rows = await targetsFrom(where)
		.orderBy(asc(t.nextDueOn), asc(t.id))
		.limit(limit + 1);
	const page = rows.slice(0, limit).map((r) => ({
		...r,
		bucket: (r.endedOn ? 'later' : dueBucket(r.nextDueOn, today)) as DueBucket,
		daysOverdue: r.endedOn ? 0 : daysOverdue(r.nextDueOn, today),
		canVisit: !r.endedOn && can(actor, 'visit.record', r),
		canEnd: !r.endedOn && can(actor, 'visit.manage', r)
	}));
	const last = page[page.length - 1];
	return { rows: page, next: rows.length > limit && last ? `${last.nextDueOn}|${last.id}` : null };
}

/** One target, for the visit form: 404 unless the actor may read it. */
export async function getCareTarget(actor: Actor, targetId: string, now: Date = new Date()) {
	const target = await targetResource(targetId);
	requirePermission(actor, 'visit.read', target ?? {}, 'read');
	if (!target) notFound();
	const [row] = await targetsFrom([eq(t.id, target.targetId)]);
	const today = shanghaiDay(now);
	return {
		...row,
		bucket: dueBucket(row.nextDueOn, today),
		daysOverdue: daysOverdue(row.nextDueOn, today),
		canVisit: !row.endedOn && can(actor, 'visit.record', target)
	};
}

// ---------------------------------------------------------------------------------------------
// schedules

/**
 * A worker's schedule: their live targets by due day, each in its bucket (overdue, due today,
 * due within 7 days, later). The actor's own unless a worker is named; a settlement narrows it.
 */
export async function listSchedule(
	actor: Actor,
	q: { workerId?: string; settlementId?: string } = {},
	now: Date = new Date()
) {
	requireAnywhere(actor, 'visit.read');
	const today = shanghaiDay(now);
	const workerId = q.workerId && isUuid(q.workerId) ? q.workerId : actor.id;
	const where: SQL[] = [readableTargets(actor), isNull(t.endedOn), eq(t.workerId, workerId)];
	if (q.settlementId && isUuid(q.settlementId)) where.push(eq(t.settlementId, q.settlementId));
	const limit = 300;
	const rows = await targetsFrom(where)
		.orderBy(asc(t.nextDueOn), asc(t.id))
		.limit(limit + 1);
	const buckets: Record<DueBucket, ScheduleRow[]> = { overdue: [], today: [], week: [], later: [] };
	for (const r of rows.slice(0, limit)) {
		const bucket = dueBucket(r.nextDueOn, today);
		buckets[bucket].push({
			...r,
			bucket,
			daysOverdue: daysOverdue(r.nextDueOn, today),
			canVisit: can(actor, 'visit.record', r)
		});
	}
	return { workerId, today, buckets, more: rows.length > limit };
}
export type ScheduleRow = Awaited<ReturnType<typeof targetsFrom>>[number] & {
	bucket: DueBucket;
	daysOverdue: number;
	canVisit: boolean;
};

/**
 * Every overdue live target the actor may read (the 点长's and point admin's view of the point),
 * by worker (the unassigned first) and then by how late; a settlement narrows it. 500 at most.
 */
export async function listOverdue(
	actor: Actor,
	q: { settlementId?: string } = {},
	now: Date = new Date()
) {
	requireAnywhere(actor, 'visit.read');
	const today = shanghaiDay(now);
	const where: SQL[] = [readableTargets(actor), isNull(t.endedOn), sql`${t.nextDueOn} < ${today}`];
	if (q.settlementId && isUuid(q.settlementId)) where.push(eq(t.settlementId, q.settlementId));
	const limit = 500;
	const rows = await targetsFrom(where)
		.orderBy(
			sql`${worker.displayName} asc nulls first`,
			asc(t.workerId),
			asc(t.nextDueOn),
			asc(t.id)
		)
		.limit(limit + 1);
	const groups: {
		workerId: string | null;
		workerName: string | null;
		rows: (ScheduleRow & { settlementName: string })[];
	}[] = [];
	for (const r of rows.slice(0, limit)) {
		let g = groups[groups.length - 1];
		if (!g || g.workerId !== r.workerId) {
			g = { workerId: r.workerId, workerName: r.workerName, rows: [] };
			groups.push(g);
		}
		g.rows.push({
			...r,
			bucket: 'overdue',
			daysOverdue: daysOverdue(r.nextDueOn, today),
			canVisit: can(actor, 'visit.record', r)
		});
	}
	return { today, groups, total: Math.min(rows.length, limit), more: rows.length > limit };
}

/**
 * Per settlement the actor may read, for a month (YYYY-MM): visits, how many were on time and
 * the rate, with the live targets and those overdue today. Settlements with neither are left out.
 */
export async function visitRates(actor: Actor, q: { month: string }, now: Date = new Date()) {
	requireAnywhere(actor, 'visit.read');
	const month = /^20\d\d-(0[1-9]|1[0-2])$/.test(q.month) ? q.month : shanghaiDay(now).slice(0, 7);
	const { from, to } = monthRange(month);
	const today = shanghaiDay(now);
	const s = schema.settlement;
	// the subqueries name the settlement as ${s}.id: in a one-table select drizzle writes a bare "id"
	const rows = await db()
		.select({
			settlementId: s.id,
			name: s.name,
			visits: sql<number>`(select count(*)::int from care_visit cv where cv.settlement_id = ${s}.id and cv.visited_on >= ${from} and cv.visited_on < ${to})`,
			onTime: sql<number>`(select count(*)::int from care_visit cv where cv.settlement_id = ${s}.id and cv.visited_on >= ${from} and cv.visited_on < ${to} and cv.on_time)`,
			targets: sql<number>`(select count(*)::int from care_target ct where ct.settlement_id = ${s}.id and ct.ended_on is null)`,
			overdue: sql<number>`(select count(*)::int from care_target ct where ct.settlement_id = ${s}.id and ct.ended_on is null and ct.next_due_on < ${today})`
		})
		.from(s)
		.where(scopeFilter(actor, 'visit.read', { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(asc(s.regionPath), asc(s.name))
		.limit(1000);
	const kept = rows
		.filter((r) => r.visits > 0 || r.targets > 0)
		.map((r) => ({ ...r, rate: onTimeRate(r.onTime, r.visits) }));
	const visits = kept.reduce((n, r) => n + r.visits, 0);
	const onTime = kept.reduce((n, r) => n + r.onTime, 0);
	return { month, rows: kept, total: { visits, onTime, rate: onTimeRate(onTime, visits) } };
}

// ---------------------------------------------------------------------------------------------
// visits

/** Thrown inside a transaction to roll it back with a typed failure. */
class Rollback extends Error {
	constructor(readonly failure: Failure) {
		super(failure.reason);
	}
}

type VisitFailure = 'ended' | 'future' | 'before_since' | 'household_ended';

/**
 * Records a visit to a target, in one transaction: the visit (on time when on or before the
 * due day), the target's last visit and next due day moved, and — when a risk category is given —
 * a risk flag for the household (source 'visit', found on the visit day), all audited. The same
 * idempotency key from the same visitor records one visit. 404 for a target the actor cannot
 * read, 403 without visit.record over it; fails 'ended' for an ended target, 'future' or
 * 'before_since' for a visit day after today or before the target's start; if the flag cannot
 * be raised, nothing is written.
 */
export async function recordVisit(
	actor: Actor,
	input: VisitInput,
	now: Date = new Date()
): Promise<
	| { ok: true; visitId: string; riskFlagId: string | null; duplicate: boolean }
	| Failure<VisitFailure>
> {
	input = storable(input);
	const res = await targetResource(input.targetId);
	requirePermission(actor, 'visit.read', res ?? {}, 'read');
	if (!res) notFound();
	requirePermission(actor, 'visit.record', res, 'write');
	if (input.riskCategory) requirePermission(actor, 'risk.report', res, 'write');
	const today = shanghaiDay(now);
	if (input.visitedOn > today) return { ok: false, reason: 'future', field: 'visitedOn' };
	try {
		return await db().transaction(async (tx) => {
			// one visit at a time moves a target's clock
			const target = (await targetResource(res.targetId, tx, true))!;
			const [sent] = await tx
				.select({ id: v.id, riskFlagId: v.riskFlagId })
				.from(v)
				.where(and(eq(v.visitorId, actor.id), eq(v.idempotencyKey, input.idempotencyKey)));
			if (sent) return { ok: true, visitId: sent.id, riskFlagId: sent.riskFlagId, duplicate: true };
			if (target.endedOn) return { ok: false, reason: 'ended', field: 'targetId' } as const;
			if (input.visitedOn < target.since)
				return { ok: false, reason: 'before_since', field: 'visitedOn' } as const;
			const clock = afterVisit(target, input.visitedOn);
			const [row] = await tx
				.insert(v)
				.values({
					targetId: target.targetId,
					settlementId: target.settlementId,
					regionPath: target.regionPath,
					residentId: target.residentId,
					householdId: target.householdId,
					visitedOn: input.visitedOn,
					visitorId: actor.id,
					visitorName: actor.displayName,
					mode: input.mode,
					wellbeing: input.wellbeing,
					findings: input.findings,
					followUp: input.followUp,
					onTime: clock.onTime,
					idempotencyKey: input.idempotencyKey
				})
				.onConflictDoNothing({
					target: [v.visitorId, v.idempotencyKey],
					where: sql`${v.idempotencyKey} is not null`
				})
				.returning({ id: v.id });
			if (!row) {
				// the same key on another target, sent at the same moment: the first one stands
				const [first] = await tx
					.select({ id: v.id, riskFlagId: v.riskFlagId })
					.from(v)
					.where(and(eq(v.visitorId, actor.id), eq(v.idempotencyKey, input.idempotencyKey)));
				return { ok: true, visitId: first.id, riskFlagId: first.riskFlagId, duplicate: true };
			}
			await tx
				.update(t)
				.set({ lastVisitedOn: clock.lastVisitedOn, nextDueOn: clock.nextDueOn })
				.where(eq(t.id, target.targetId));
			let riskFlagId: string | null = null;
			if (input.riskCategory) {
				const flag = await raiseFlagInTx(
					tx,
					actor,
					{
						householdId: target.householdId,
						residentId: target.residentId,
						category: input.riskCategory,
						description: input.riskDescription,
						// found on the visit day: now when that is today, else that day's start
						foundAt:
							input.visitedOn === today ? now : new Date(`${input.visitedOn}T00:00:00+08:00`),
						source: 'visit',
						visitId: row.id
					},
					now
				);
				// the flag and the visit are one: no flag, no visit
				if (!flag.ok) throw new Rollback({ ok: false, reason: flag.reason, field: 'riskCategory' });
				riskFlagId = flag.id;
				await tx.update(v).set({ riskFlagId }).where(eq(v.id, row.id));
			}
			await audit.record(tx, {
				actor,
				action: 'visit.record',
				entity: 'care_visit',
				entityId: row.id,
				scopePath: target.regionPath,
				summary: {
					targetId: target.targetId,
					group: target.group,
					visitedOn: input.visitedOn,
					mode: input.mode,
					wellbeing: input.wellbeing,
					onTime: clock.onTime,
					nextDueOn: clock.nextDueOn,
					riskFlagId
				}
			});
			return { ok: true, visitId: row.id, riskFlagId, duplicate: false } as const;
		});
	} catch (e) {
		if (e instanceof Rollback) return e.failure as Failure<VisitFailure>;
		throw e;
	}
}

/** A visit as a resource for `can()`; null when there is none. */
async function visitResource(visitId: string, executor: Executor = db(), lock = false) {
	if (!isUuid(visitId)) return null;
	const q = executor
		.select({
			visitId: v.id,
			settlementId: v.settlementId,
			regionPath: v.regionPath,
			householdId: v.householdId,
			serviceRequestId: v.serviceRequestId,
			needId: v.needId
		})
		.from(v)
		.where(eq(v.id, visitId));
	const [row] = lock ? await q.for('update') : await q;
	return row ?? null;
}

/** One visit: who was visited and by whom, what was found, and what it opened or was linked to. */
export async function getVisit(actor: Actor, visitId: string) {
	const res = await visitResource(visitId);
	requirePermission(actor, 'visit.read', res ?? {}, 'read');
	if (!res) notFound();
	const { resident, household, settlement, riskFlag, serviceRequest, need } = schema;
	const [row] = await db()
		.select({
			id: v.id,
			targetId: v.targetId,
			group: t.group,
			visitedOn: v.visitedOn,
			visitorId: v.visitorId,
			visitorName: v.visitorName,
			mode: v.mode,
			wellbeing: v.wellbeing,
			findings: v.findings,
			followUp: v.followUp,
			onTime: v.onTime,
			createdAt: v.createdAt,
			residentId: v.residentId,
			residentName: resident.name,
			householdId: v.householdId,
			headName: household.headName,
			unit: sql<string>`${household.building} || ${household.unitNo} || ${household.room}`,
			settlementId: v.settlementId,
			settlementName: settlement.name,
			riskFlagId: v.riskFlagId,
			riskFlagNo: riskFlag.no,
			riskCategory: riskFlag.category,
			riskStatus: riskFlag.status,
			serviceRequestId: v.serviceRequestId,
			serviceRequestNo: serviceRequest.no,
			serviceRequestStatus: serviceRequest.status,
			needId: v.needId,
			needNo: need.no,
			needStatus: need.status,
			needTitle: need.title
		})
		.from(v)
		.innerJoin(t, eq(t.id, v.targetId))
		.innerJoin(resident, eq(resident.id, v.residentId))
		.innerJoin(household, eq(household.id, v.householdId))
		.innerJoin(settlement, eq(settlement.id, v.settlementId))
		.leftJoin(riskFlag, eq(riskFlag.id, v.riskFlagId))
		.leftJoin(serviceRequest, eq(serviceRequest.id, v.serviceRequestId))
		.leftJoin(need, eq(need.id, v.needId))
		.where(eq(v.id, res.visitId));
	const record = can(actor, 'visit.record', res);
	return {
		...row,
		riskFlagNumber: row.riskFlagNo === null ? null : flagNumber(row.riskFlagNo),
		serviceRequestNumber:
			row.serviceRequestNo === null ? null : requestNumber(row.serviceRequestNo),
		needNumber: row.needNo === null ? null : needNumber(row.needNo),
		can: {
			link: record && (!row.serviceRequestId || !row.needId),
			fileRequest: can(actor, 'service.file', res),
			raiseNeed: can(actor, 'need.create', res),
			readRisk: can(actor, 'risk.read', res)
		}
	};
}

/** A target's visits, newest first (50): what the visit form shows under it. */
export async function listTargetVisits(actor: Actor, targetId: string) {
	const target = await targetResource(targetId);
	requirePermission(actor, 'visit.read', target ?? {}, 'read');
	if (!target) notFound();
	return db()
		.select({
			id: v.id,
			visitedOn: v.visitedOn,
			visitorName: v.visitorName,
			mode: v.mode,
			wellbeing: v.wellbeing,
			onTime: v.onTime,
			riskFlagId: v.riskFlagId
		})
		.from(v)
		.where(eq(v.targetId, target.targetId))
		.orderBy(desc(v.visitedOn), desc(v.createdAt))
		.limit(50);
}

type LinkFailure = 'not_found' | 'other_household' | 'already_linked' | 'nothing';

/**
 * Links a visit to the service request or charity need it led to: only one of the visit's own
 * household. 404 for a visit the actor cannot read, 403 without visit.record over it; fails
 * 'not_found' for no such request/need, 'other_household' for another household's,
 * 'already_linked' when the visit is linked to another one of that kind.
 */
export async function linkVisit(
	actor: Actor,
	visitId: string,
	input: { serviceRequestId?: string; needId?: string }
): Promise<{ ok: true; kind: 'service_request' | 'need'; id: string } | Failure<LinkFailure>> {
	const res = await visitResource(visitId);
	requirePermission(actor, 'visit.read', res ?? {}, 'read');
	if (!res) notFound();
	requirePermission(actor, 'visit.record', res, 'write');
	const kind = input.serviceRequestId ? 'service_request' : input.needId ? 'need' : null;
	const targetId = input.serviceRequestId || input.needId || '';
	if (!kind) return { ok: false, reason: 'nothing', field: 'ref' };
	if (!isUuid(targetId)) return { ok: false, reason: 'not_found', field: 'ref' };
	return db().transaction(async (tx) => {
		const visit = (await visitResource(res.visitId, tx, true))!;
		const [other] =
			kind === 'service_request'
				? await tx
						.select({ householdId: schema.serviceRequest.householdId })
						.from(schema.serviceRequest)
						.where(eq(schema.serviceRequest.id, targetId))
				: await tx
						.select({ householdId: schema.need.householdId })
						.from(schema.need)
						.where(eq(schema.need.id, targetId));
		if (!other) return { ok: false, reason: 'not_found', field: 'ref' } as const;
		if (other.householdId !== visit.householdId)
			return { ok: false, reason: 'other_household', field: 'ref' } as const;
		const current = kind === 'service_request' ? visit.serviceRequestId : visit.needId;
		if (current === targetId) return { ok: true, kind, id: targetId } as const;
		if (current) return { ok: false, reason: 'already_linked', field: 'ref' } as const;
		const column = kind === 'service_request' ? v.serviceRequestId : v.needId;
		const [done] = await tx
			.update(v)
			.set(kind === 'service_request' ? { serviceRequestId: targetId } : { needId: targetId })
			.where(and(eq(v.id, visit.visitId), isNull(column)))
			.returning({ id: v.id });
		if (!done) return { ok: false, reason: 'already_linked', field: 'ref' } as const;
		await audit.record(tx, {
			actor,
			action: 'visit.link',
			entity: 'care_visit',
			entityId: visit.visitId,
			scopePath: visit.regionPath,
			summary: { kind, id: targetId }
		});
		return { ok: true, kind, id: targetId } as const;
	});
}

/**
 * Links a visit by what people quote: a request number (FW00000012), a need number (XQ000034)
 * or the id of either. Only the visit's household's are looked up, so another household's
 * number answers 'not_found' — the same as none — and says nothing of it.
 */
export async function linkVisitByRef(
	actor: Actor,
	visitId: string,
	ref: string
): Promise<{ ok: true; kind: 'service_request' | 'need'; id: string } | Failure<LinkFailure>> {
	const res = await visitResource(visitId);
	requirePermission(actor, 'visit.read', res ?? {}, 'read');
	if (!res) notFound();
	requirePermission(actor, 'visit.record', res, 'write');
	const parsed = parseLinkRef(ref);
	if (!parsed) return { ok: false, reason: 'not_found', field: 'ref' };
	const r = schema.serviceRequest;
	const n = schema.need;
	if (parsed.kind === 'service_request') {
		const [row] = await db()
			.select({ id: r.id })
			.from(r)
			.where(and(eq(r.no, parsed.no), eq(r.householdId, res.householdId)));
		if (!row) return { ok: false, reason: 'not_found', field: 'ref' };
		return linkVisit(actor, visitId, { serviceRequestId: row.id });
	}
	if (parsed.kind === 'need') {
		const [row] = await db()
			.select({ id: n.id })
			.from(n)
			.where(and(eq(n.no, parsed.no), eq(n.householdId, res.householdId)));
		if (!row) return { ok: false, reason: 'not_found', field: 'ref' };
		return linkVisit(actor, visitId, { needId: row.id });
	}
	const [req] = await db().select({ id: r.id }).from(r).where(eq(r.id, parsed.id));
	if (req) return linkVisit(actor, visitId, { serviceRequestId: req.id });
	return linkVisit(actor, visitId, { needId: parsed.id });
}
