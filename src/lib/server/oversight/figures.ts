import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { shanghaiDay } from '$lib/working-days';
import { canAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import { db, schema, type Executor } from '../db';
import { escapeLike } from '../db/like';
import { notFound, rIsChild, rIsElderly, rIsEmployed, rIsLaborer } from '../settlements/shared';

// ---------------------------------------------------------------- months

/** 'YYYY-MM' of a Shanghai day. */
export function monthOf(day: string): string {
	return day.slice(0, 7);
}

/** Whether a string is a month 2000-01 … 2099-12. */
export function isMonth(s: string | null | undefined): s is string {
	return !!s && /^20\d\d-(0[1-9]|1[0-2])$/.test(s);
}

/** The month before 'YYYY-MM'. */
export function previousMonth(month: string): string {
	const [y, m] = month.split('-').map(Number);
	return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

function followingMonth(month: string): string {
	const [y, m] = month.split('-').map(Number);
	return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The twelve months ending with `month`, oldest first. */
export function monthsEnding(month: string, n = 12): string[] {
	const out = [month];
	while (out.length < n) out.unshift(previousMonth(out[0]));
	return out;
}

/** The instants a Shanghai month starts and ends (ISO strings for SQL). */
export function monthBounds(month: string): {
	from: string;
	to: string;
	fromDay: string;
	toDay: string;
} {
	const next = followingMonth(month);
	return {
		from: `${month}-01T00:00:00+08:00`,
		to: `${next}-01T00:00:00+08:00`,
		fromDay: `${month}-01`,
		toDay: `${next}-01`
	};
}

// ---------------------------------------------------------------- scope

/** What a dashboard covers: one point, or a region (a county, a province) by its path. */
export type FigureScope =
	| { kind: 'settlement'; settlementId: string; regionPath: string; name: string }
	| { kind: 'region'; regionPath: string; name: string };

/** The point the actor may read figures of; 404 otherwise. */
export async function settlementScope(actor: Actor, settlementId: string): Promise<FigureScope> {
	const { settlement } = schema;
	const [row] = /^[0-9a-f-]{36}$/i.test(settlementId)
		? await db()
				.select({ id: settlement.id, regionPath: settlement.regionPath, name: settlement.name })
				.from(settlement)
				.where(eq(settlement.id, settlementId))
		: [];
	requirePermission(
		actor,
		'dashboard.read',
		row ? { settlementId: row.id, regionPath: row.regionPath } : {}
	);
	if (!row) notFound();
	return { kind: 'settlement', settlementId: row.id, regionPath: row.regionPath, name: row.name };
}

/**
 * The region dashboard of the actor: the widest region they hold dashboard.read over (a county for
 * 总点长 and civil affairs; the whole country for the system admin), or the region given by its id
 * when inside it. 404 for anyone whose grants are only over points or who asks outside their reach.
 */
export async function regionScope(actor: Actor, regionId?: string | null): Promise<FigureScope> {
	const { region } = schema;
	if (regionId) {
		const [row] = /^[0-9a-f-]{36}$/i.test(regionId)
			? await db()
					.select({ path: region.path, name: region.name })
					.from(region)
					.where(eq(region.id, regionId))
			: [];
		const mayRegion = actor.grants.some(
			(g) =>
				(g.scope === 'global' ||
					(g.scope === 'region' && !!row && row.path.startsWith(g.regionPath))) &&
				canAnywhere({ ...actor, grants: [g] }, 'dashboard.read')
		);
		if (!row || !mayRegion) notFound();
		return { kind: 'region', regionPath: row.path, name: row.name };
	}
	const grants = actor.grants.filter((g) =>
		canAnywhere({ ...actor, grants: [g] }, 'dashboard.read')
	);
	if (grants.some((g) => g.scope === 'global'))
		return { kind: 'region', regionPath: '/', name: '全国' };
	const regional = grants
		.filter((g) => g.scope === 'region')
		.sort((a, b) => a.regionPath.length - b.regionPath.length)[0];
	if (!regional || regional.scope !== 'region') notFound();
	const [row] = await db()
		.select({ name: region.name })
		.from(region)
		.where(eq(region.path, regional.regionPath));
	return { kind: 'region', regionPath: regional.regionPath, name: row?.name ?? '' };
}

/** The condition keeping a table's rows inside the scope, by its settlement or region column. */
function within(
	scope: FigureScope,
	cols: { settlementId: AnyPgColumn | SQL; regionPath: AnyPgColumn | SQL }
): SQL {
	return scope.kind === 'settlement'
		? sql`${cols.settlementId} = ${scope.settlementId}`
		: scope.regionPath === '/'
			? sql`true`
			: sql`${cols.regionPath} like ${escapeLike(scope.regionPath) + '%'}`;
}

// ---------------------------------------------------------------- register figures, kept per point

/**
 * Counts again the figures of the points in scope whose row is dirty or was counted before today
 * (ages move daily), up to `limit` points per call. The rows are locked first, so a register write
 * in flight either is seen by the count or marks the row dirty again after it.
 */
export async function refreshStats(
	scope: FigureScope | null,
	today = shanghaiDay(),
	limit = 2_000,
	executor: Executor = db()
): Promise<number> {
	const s = schema.settlementStat;
	return executor.transaction(async (tx) => {
		const stale = await tx
			.select({ id: s.settlementId })
			.from(s)
			.where(
				and(
					scope
						? within(scope, { settlementId: s.settlementId, regionPath: s.regionPath })
						: undefined,
					or(eq(s.dirty, true), sql`${s.countedOn} is distinct from ${today}::date`)
				)
			)
			.limit(limit)
			.for('update', { skipLocked: true });
		if (stale.length === 0) return 0;
		const ids = stale.map((r) => r.id);
		const idList = sql.join(
			ids.map((id) => sql`${id}::uuid`),
			sql`, `
		);
		await tx.execute(sql`
			update settlement_stat s set
				dirty = false,
				counted_on = ${today}::date,
				counted_at = now(),
				households = coalesce(c.households, 0),
				people = coalesce(c.people, 0),
				laborers = coalesce(c.laborers, 0),
				employed_laborers = coalesce(c.employed_laborers, 0),
				labor_households = coalesce(c.labor_households, 0),
				zero_employment_households = coalesce(c.zero_employment_households, 0),
				elderly = coalesce(c.elderly, 0),
				children = coalesce(c.children, 0)
			from (select unnest(array[${idList}]) as id) ids
			left join (
				select h.settlement_id,
					count(distinct h.id)::int as households,
					count(r.id)::int as people,
					(count(r.id) filter (where ${rIsLaborer}))::int as laborers,
					(count(r.id) filter (where ${rIsLaborer} and ${rIsEmployed}))::int as employed_laborers,
					(count(distinct h.id) filter (where ${rIsLaborer}))::int as labor_households,
					(count(distinct h.id) filter (where h.zero_employment))::int as zero_employment_households,
					(count(r.id) filter (where ${rIsElderly}))::int as elderly,
					(count(r.id) filter (where ${rIsChild}))::int as children
				from household h
				left join resident r on r.household_id = h.id and r.status = 'active'
				where h.status = 'active' and h.settlement_id in (${idList})
				group by h.settlement_id
			) c on c.settlement_id = ids.id
			where s.settlement_id = ids.id`);
		return ids.length;
	});
}

export interface RegisterFigures {
	settlements: number;
	households: number;
	people: number;
	laborers: number;
	employedLaborers: number;
	/** employed labourers / labourers; null without labourers */
	employmentRate: number | null;
	laborHouseholds: number;
	/** households with labour and at least one member employed (the goal: all of them) */
	laborHouseholdsEmployed: number;
	zeroEmploymentHouseholds: number;
	elderly: number;
	children: number;
}

const statSums = () => {
	const s = schema.settlementStat;
	return {
		settlements: sql<number>`count(*)::int`,
		households: sql<number>`coalesce(sum(${s.households}), 0)::int`,
		people: sql<number>`coalesce(sum(${s.people}), 0)::int`,
		laborers: sql<number>`coalesce(sum(${s.laborers}), 0)::int`,
		employedLaborers: sql<number>`coalesce(sum(${s.employedLaborers}), 0)::int`,
		laborHouseholds: sql<number>`coalesce(sum(${s.laborHouseholds}), 0)::int`,
		zeroEmploymentHouseholds: sql<number>`coalesce(sum(${s.zeroEmploymentHouseholds}), 0)::int`,
		elderly: sql<number>`coalesce(sum(${s.elderly}), 0)::int`,
		children: sql<number>`coalesce(sum(${s.children}), 0)::int`
	};
};

function registerOf(
	r: Omit<RegisterFigures, 'employmentRate' | 'laborHouseholdsEmployed'>
): RegisterFigures {
	return {
		...r,
		employmentRate: r.laborers > 0 ? r.employedLaborers / r.laborers : null,
		laborHouseholdsEmployed: r.laborHouseholds - r.zeroEmploymentHouseholds
	};
}

/** The register figures of the scope, summed from the kept rows (stale ones counted again first). */
export async function registerFigures(
	scope: FigureScope,
	today = shanghaiDay()
): Promise<RegisterFigures> {
	await refreshStats(scope, today);
	const s = schema.settlementStat;
	const [row] = await db()
		.select(statSums())
		.from(s)
		.where(within(scope, { settlementId: s.settlementId, regionPath: s.regionPath }));
	return registerOf(row);
}

// ---------------------------------------------------------------- the other capabilities

export interface ServiceFigures {
	open: number;
	overdue: number;
	filedInMonth: number;
	doneInMonth: number;
	/** median days from filing to done, of the requests done in the month; null when none */
	medianDaysToDone: number | null;
	ratings: number;
	averageRating: number | null;
}

async function serviceFigures(
	scope: FigureScope,
	month: string,
	today: string
): Promise<ServiceFigures> {
	const r = schema.serviceRequest;
	const t = schema.serviceRequestTally;
	const { from, to } = monthBounds(month);
	const inScope = within(scope, { settlementId: r.settlementId, regionPath: r.regionPath });
	const [tally] = await db()
		.select({
			open: sql<number>`coalesce(sum(${t.n}) filter (where ${t.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin', 'waiting_resident')), 0)::int`
		})
		.from(t)
		.where(within(scope, { settlementId: t.settlementId, regionPath: t.regionPath }));
	const [overdue] = await db()
		.select({ n: sql<number>`count(*)::int` })
		.from(r)
		.where(
			and(
				inScope,
				sql`${r.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin')`,
				sql`${r.dueOn} < ${today}::date`
			)
		);
	const [done] = await db()
		.select({
			n: sql<number>`count(*)::int`,
			median: sql<
				number | null
			>`percentile_cont(0.5) within group (order by extract(epoch from ${r.closedAt} - ${r.submittedAt}) / 86400)`,
			ratings: sql<number>`count(${r.rating})::int`,
			average: sql<number | null>`avg(${r.rating})::float`
		})
		.from(r)
		.where(
			and(
				inScope,
				eq(r.status, 'done'),
				sql`${r.closedAt} >= ${from}::timestamptz`,
				sql`${r.closedAt} < ${to}::timestamptz`
			)
		);
	const [filed] = await db()
		.select({ n: sql<number>`count(*)::int` })
		.from(r)
		.where(
			and(
				inScope,
				sql`${r.submittedAt} >= ${from}::timestamptz`,
				sql`${r.submittedAt} < ${to}::timestamptz`
			)
		);
	return {
		open: tally.open,
		overdue: overdue.n,
		filedInMonth: filed.n,
		doneInMonth: done.n,
		medianDaysToDone: done.median === null ? null : Math.round(Number(done.median) * 10) / 10,
		ratings: done.ratings,
		averageRating: done.average === null ? null : Math.round(Number(done.average) * 10) / 10
	};
}

export interface MonthCount {
	month: string;
	activities: number;
	participants: number;
}

async function activityFigures(scope: FigureScope, month: string) {
	const t = schema.activityTally;
	const months = monthsEnding(month);
	const rows = await db()
		.select({
			month: t.month,
			kind: t.kind,
			activities: sql<number>`sum(${t.activities})::int`,
			participants: sql<number>`sum(${t.participants})::int`
		})
		.from(t)
		.where(
			and(
				within(scope, { settlementId: t.settlementId, regionPath: t.regionPath }),
				inArray(t.month, months)
			)
		)
		.groupBy(t.month, t.kind);
	const byMonth: MonthCount[] = months.map((m) => ({
		month: m,
		activities: rows.filter((r) => r.month === m).reduce((a, r) => a + r.activities, 0),
		participants: rows.filter((r) => r.month === m).reduce((a, r) => a + r.participants, 0)
	}));
	const byKind = rows
		.filter((r) => r.month === month)
		.map((r) => ({ kind: r.kind, activities: r.activities, participants: r.participants }))
		.sort((a, b) => b.participants - a.participants);
	return { byMonth, byKind };
}

async function visitFigures(scope: FigureScope, month: string, today: string) {
	const v = schema.careVisit;
	const c = schema.careTarget;
	const { fromDay, toDay } = monthBounds(month);
	const [visits] = await db()
		.select({
			n: sql<number>`count(*)::int`,
			onTime: sql<number>`(count(*) filter (where ${v.onTime}))::int`
		})
		.from(v)
		.where(
			and(
				within(scope, { settlementId: v.settlementId, regionPath: v.regionPath }),
				sql`${v.visitedOn} >= ${fromDay}::date`,
				sql`${v.visitedOn} < ${toDay}::date`
			)
		);
	const [targets] = await db()
		.select({
			n: sql<number>`count(*)::int`,
			overdue: sql<number>`(count(*) filter (where ${c.nextDueOn} < ${today}::date))::int`
		})
		.from(c)
		.where(
			and(
				within(scope, { settlementId: c.settlementId, regionPath: c.regionPath }),
				sql`${c.endedOn} is null`
			)
		);
	return {
		inMonth: visits.n,
		onTime: visits.onTime,
		onTimeRate: visits.n > 0 ? visits.onTime / visits.n : null,
		targets: targets.n,
		overdueTargets: targets.overdue
	};
}

async function riskFigures(scope: FigureScope, month: string, now: Date) {
	const f = schema.riskFlag;
	const { from, to } = monthBounds(month);
	const inScope = within(scope, { settlementId: f.settlementId, regionPath: f.regionPath });
	const rows = await db()
		.select({ category: f.category, status: f.status, n: sql<number>`count(*)::int` })
		.from(f)
		.where(inScope)
		.groupBy(f.category, f.status);
	const [month_] = await db()
		.select({
			reported: sql<number>`count(*)::int`,
			unverifiedLate: sql<number>`(count(*) filter (where ${f.status} = 'reported' and ${f.verifyDueAt} < ${now.toISOString()}::timestamptz))::int`
		})
		.from(f)
		.where(
			and(
				inScope,
				sql`${f.reportedAt} >= ${from}::timestamptz`,
				sql`${f.reportedAt} < ${to}::timestamptz`
			)
		);
	const [late] = await db()
		.select({ n: sql<number>`count(*)::int` })
		.from(f)
		.where(
			and(
				inScope,
				eq(f.status, 'reported'),
				sql`${f.verifyDueAt} < ${now.toISOString()}::timestamptz`
			)
		);
	return { byCategoryAndStatus: rows, reportedInMonth: month_.reported, unverifiedOverdue: late.n };
}

async function charityFigures(scope: FigureScope, month: string) {
	const n = schema.need;
	const [needs] = await db()
		.select({
			open: sql<number>`(count(*) filter (where ${n.status} = 'published'))::int`,
			funded: sql<number>`(count(*) filter (where ${n.status} in ('funded', 'delivered')))::int`,
			pending: sql<number>`(count(*) filter (where ${n.status} = 'pending'))::int`,
			moneyNeeded: sql<number>`coalesce(sum(${n.quantity}) filter (where ${n.kind} = 'money' and ${n.status} in ('published', 'funded', 'delivered')), 0)::float8`,
			moneyPledged: sql<number>`coalesce(sum(${n.pledged}) filter (where ${n.kind} = 'money' and ${n.status} in ('published', 'funded', 'delivered')), 0)::float8`
		})
		.from(n)
		.where(within(scope, { settlementId: n.settlementId, regionPath: n.regionPath }));
	// money in and out of the funds of the organisations in the region, or paid to the point's needs
	const { fromDay, toDay } = monthBounds(month);
	const p = schema.fundPosting;
	const t = schema.fundTransaction;
	const o = schema.organization;
	const fund = schema.fund;
	const where =
		scope.kind === 'settlement'
			? sql`${t.needId} in (select id from need where settlement_id = ${scope.settlementId})`
			: scope.regionPath === '/'
				? sql`true`
				: sql`${o.regionPath} like ${escapeLike(scope.regionPath) + '%'}`;
	const [money] = await db()
		.select({
			in: sql<number>`coalesce(sum(${p.amount}) filter (where ${p.amount} > 0), 0)::float8`,
			out: sql<number>`coalesce(-sum(${p.amount}) filter (where ${p.amount} < 0), 0)::float8`
		})
		.from(p)
		.innerJoin(t, eq(t.id, p.transactionId))
		.innerJoin(fund, eq(fund.id, p.fundId))
		.innerJoin(o, eq(o.id, fund.organizationId))
		.where(
			and(
				eq(p.account, 'bank'),
				where,
				sql`${t.occurredOn} >= ${fromDay}::date`,
				sql`${t.occurredOn} < ${toDay}::date`
			)
		);
	return {
		needsOpen: needs.open,
		needsFunded: needs.funded,
		needsPending: needs.pending,
		moneyNeededFen: Number(needs.moneyNeeded),
		moneyPledgedFen: Number(needs.moneyPledged),
		moneyInFen: Number(money.in),
		moneyOutFen: Number(money.out)
	};
}

async function pointsFigures(scope: FigureScope, month: string) {
	const e = schema.pointsEntry;
	const { from, to } = monthBounds(month);
	const [row] = await db()
		.select({
			issued: sql<number>`coalesce(sum(${e.delta}) filter (where ${e.delta} > 0 and ${e.source} in ('award', 'activity')), 0)::int`,
			deducted: sql<number>`coalesce(-sum(${e.delta}) filter (where ${e.source} = 'deduct'), 0)::int`,
			redeemed: sql<number>`coalesce(-sum(${e.delta}) filter (where ${e.source} = 'redeem'), 0)::int`
		})
		.from(e)
		.where(
			and(
				within(scope, { settlementId: e.settlementId, regionPath: e.regionPath }),
				sql`${e.createdAt} >= ${from}::timestamptz`,
				sql`${e.createdAt} < ${to}::timestamptz`
			)
		);
	return row;
}

export type Figures = Awaited<ReturnType<typeof figuresOf>>;

/** Every capability's figures for the scope and month, each read from what it keeps. */
export async function figuresOf(scope: FigureScope, month: string, now: Date = new Date()) {
	const today = shanghaiDay(now);
	const [register, services, activities, visits, risks, charity, points] = await Promise.all([
		registerFigures(scope, today),
		serviceFigures(scope, month, today),
		activityFigures(scope, month),
		visitFigures(scope, month, today),
		riskFigures(scope, month, now),
		charityFigures(scope, month),
		pointsFigures(scope, month)
	]);
	return { scope, month, today, register, services, activities, visits, risks, charity, points };
}

export interface SettlementRow extends RegisterFigures {
	settlementId: string;
	name: string;
	openRequests: number;
	participants: number;
	pointsIssued: number;
	openFlags: number;
}

/**
 * One row per point of a region scope, for the ranking and the table under the charts: its register
 * figures, open requests, participants and points issued in the month, open risk flags.
 */
export async function settlementRows(
	actor: Actor,
	scope: FigureScope,
	month: string
): Promise<SettlementRow[]> {
	if (scope.kind !== 'region') return [];
	const s = schema.settlementStat;
	const st = schema.settlement;
	const { from, to } = monthBounds(month);
	const stats = await db()
		.select({ settlementId: s.settlementId, name: st.name, ...statSums() })
		.from(s)
		.innerJoin(st, eq(st.id, s.settlementId))
		.where(
			and(
				within(scope, { settlementId: s.settlementId, regionPath: s.regionPath }),
				scopeFilter(actor, 'dashboard.read', {
					settlementId: s.settlementId,
					regionPath: s.regionPath
				})
			)
		)
		.groupBy(s.settlementId, st.name)
		.orderBy(st.name)
		.limit(5_000);
	// each capability once, grouped by point over the region's index, then put side by side
	const t = schema.serviceRequestTally;
	const a = schema.activityTally;
	const e = schema.pointsEntry;
	const f = schema.riskFlag;
	const [open, participants, points, flags] = await Promise.all([
		db()
			.select({ id: t.settlementId, n: sql<number>`sum(${t.n})::int` })
			.from(t)
			.where(
				and(
					within(scope, { settlementId: t.settlementId, regionPath: t.regionPath }),
					sql`${t.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin', 'waiting_resident')`
				)
			)
			.groupBy(t.settlementId),
		db()
			.select({ id: a.settlementId, n: sql<number>`sum(${a.participants})::int` })
			.from(a)
			.where(
				and(
					within(scope, { settlementId: a.settlementId, regionPath: a.regionPath }),
					eq(a.month, month)
				)
			)
			.groupBy(a.settlementId),
		db()
			.select({ id: e.settlementId, n: sql<number>`sum(${e.delta})::int` })
			.from(e)
			.where(
				and(
					within(scope, { settlementId: e.settlementId, regionPath: e.regionPath }),
					sql`${e.createdAt} >= ${from}::timestamptz`,
					sql`${e.createdAt} < ${to}::timestamptz`,
					sql`${e.delta} > 0`,
					inArray(e.source, ['award', 'activity'])
				)
			)
			.groupBy(e.settlementId),
		db()
			.select({ id: f.settlementId, n: sql<number>`count(*)::int` })
			.from(f)
			.where(
				and(
					within(scope, { settlementId: f.settlementId, regionPath: f.regionPath }),
					sql`${f.status} <> 'closed'`
				)
			)
			.groupBy(f.settlementId)
	]);
	const by = (rows: { id: string; n: number }[]) => new Map(rows.map((r) => [r.id, r.n]));
	const [o, p, pt, fl] = [by(open), by(participants), by(points), by(flags)];
	return stats.map((r) => ({
		...registerOf(r),
		settlementId: r.settlementId,
		name: r.name,
		openRequests: o.get(r.settlementId) ?? 0,
		participants: p.get(r.settlementId) ?? 0,
		pointsIssued: pt.get(r.settlementId) ?? 0,
		openFlags: fl.get(r.settlementId) ?? 0
	}));
}
