import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { shanghaiDay } from '$lib/working-days';
import { canAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import { db, schema, type Executor } from '../db';
import { tallyMeasures, type TallyMeasure } from '../db/schema/oversight';
import { escapeLike } from '../db/like';
import {
	isUuid,
	notFound,
	rIsChild,
	rIsElderly,
	rIsEmployed,
	rIsLaborer
} from '../settlements/shared';

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
	// a proper uuid only: '-' × 36 passes a looser pattern and PostgreSQL refuses it (a 500)
	const [row] = isUuid(settlementId)
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
		const [row] = isUuid(regionId)
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
	scope: FigureScope | { ids: string[] } | null,
	today = shanghaiDay(),
	limit = 2_000,
	executor: Executor = db()
): Promise<number> {
	const s = schema.settlementStat;
	if (scope && 'ids' in scope && scope.ids.length === 0) return 0;
	return executor.transaction(async (tx) => {
		const stale = await tx
			.select({ id: s.settlementId })
			.from(s)
			.where(
				and(
					scope === null
						? undefined
						: 'ids' in scope
							? inArray(s.settlementId, scope.ids)
							: within(scope, { settlementId: s.settlementId, regionPath: s.regionPath }),
					or(eq(s.dirty, true), sql`${s.countedOn} is distinct from ${today}::date`)
				)
			)
			.limit(limit)
			.for('update', { skipLocked: true });
		if (stale.length === 0) return 0;
		// ages are taken on current_date: the Shanghai day, as counted_on is (sessions run in UTC)
		await tx.execute(sql`set local time zone 'Asia/Shanghai'`);
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
				children = coalesce(c.children, 0),
				employed = coalesce(c.employed, 0),
				public_posts = coalesce(c.public_posts, 0)
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
					(count(r.id) filter (where ${rIsChild}))::int as children,
					(count(r.id) filter (where ${rIsEmployed}))::int as employed,
					(count(r.id) filter (where r.public_post is not null))::int as public_posts
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

// ---------------------------------------------------------------- monthly tallies, kept per point

/** The scope's monthly tallies over the months, summed per measure (0 where nothing was kept). */
export async function tallySums(
	scope: FigureScope,
	months: string[]
): Promise<Record<TallyMeasure, number>> {
	const t = schema.monthlyTally;
	const rows = await db()
		.select({ measure: t.measure, n: sql<number>`sum(${t.n})::float8` })
		.from(t)
		.where(
			and(
				inArray(t.month, months),
				within(scope, { settlementId: t.settlementId, regionPath: t.regionPath })
			)
		)
		.groupBy(t.measure);
	const out = Object.fromEntries(tallyMeasures.map((k) => [k, 0])) as Record<TallyMeasure, number>;
	for (const r of rows) out[r.measure] = Number(r.n);
	return out;
}

/**
 * The median of values given as (value, how many) pairs, as percentile_cont(0.5) takes it over the
 * values one by one: the middle one, or halfway between the two middle ones; null when none.
 */
export function medianOfBuckets(buckets: { bucket: number; n: number }[]): number | null {
	const sorted = buckets.filter((b) => b.n > 0).sort((a, b) => a.bucket - b.bucket);
	const total = sorted.reduce((a, b) => a + b.n, 0);
	if (total === 0) return null;
	const at = (k: number) => {
		let seen = 0;
		for (const b of sorted) {
			seen += b.n;
			if (k < seen) return b.bucket;
		}
		return sorted[sorted.length - 1].bucket;
	};
	const lo = Math.floor((total - 1) / 2);
	const hi = Math.ceil((total - 1) / 2);
	return (at(lo) + at(hi)) / 2;
}

const tenths = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

/**
 * The requests done in the months: how many, the median whole days from filing to done (Shanghai
 * days, from the tally's buckets) and their ratings. Medians do not add up month by month, so a
 * quarter or a year is asked for at once.
 */
export async function doneFigures(
	scope: FigureScope,
	months: string[],
	summed?: Promise<Record<TallyMeasure, number>>
) {
	const t = schema.monthlyTally;
	const [buckets, sums] = await Promise.all([
		db()
			.select({ bucket: t.bucket, n: sql<number>`sum(${t.n})::float8` })
			.from(t)
			.where(
				and(
					inArray(t.month, months),
					within(scope, { settlementId: t.settlementId, regionPath: t.regionPath }),
					eq(t.measure, 'requests_done')
				)
			)
			.groupBy(t.bucket),
		summed ?? tallySums(scope, months)
	]);
	return {
		done: sums.requests_done,
		median: tenths(medianOfBuckets(buckets.map((b) => ({ bucket: b.bucket, n: Number(b.n) })))),
		ratings: sums.ratings,
		average: sums.ratings > 0 ? tenths(sums.rating_sum / sums.ratings) : null
	};
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
	today: string,
	summed: Promise<Record<TallyMeasure, number>>
): Promise<ServiceFigures> {
	const r = schema.serviceRequest;
	const t = schema.serviceRequestTally;
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
	const [filed, done] = await Promise.all([summed, doneFigures(scope, [month], summed)]);
	return {
		open: tally.open,
		overdue: overdue.n,
		filedInMonth: filed.requests_filed,
		doneInMonth: done.done,
		medianDaysToDone: done.median,
		ratings: done.ratings,
		averageRating: done.average
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

async function visitFigures(
	scope: FigureScope,
	today: string,
	summed: Promise<Record<TallyMeasure, number>>
) {
	const c = schema.careTarget;
	const sums = await summed;
	const visits = { n: sums.visits, onTime: sums.visits_on_time };
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

async function pointsFigures(summed: Promise<Record<TallyMeasure, number>>) {
	const sums = await summed;
	return {
		issued: sums.points_issued,
		deducted: sums.points_deducted,
		redeemed: sums.points_redeemed
	};
}

export type Figures = Awaited<ReturnType<typeof figuresOf>>;

/** Every capability's figures for the scope and month, each read from what it keeps. */
export async function figuresOf(scope: FigureScope, month: string, now: Date = new Date()) {
	const today = shanghaiDay(now);
	// requests filed and done, visits and points of the month: one read of the point's tallies
	const summed = tallySums(scope, [month]);
	const [register, services, activities, visits, risks, charity, points] = await Promise.all([
		registerFigures(scope, today),
		serviceFigures(scope, month, today, summed),
		activityFigures(scope, month),
		visitFigures(scope, today, summed),
		riskFigures(scope, month, now),
		charityFigures(scope, month),
		pointsFigures(summed)
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

/** One line of a region's breakdown: a point, or (above a county) a region one level down. */
export interface BreakdownRow extends RegisterFigures {
	/** the point's id, or the region's */
	id: string;
	name: string;
	openRequests: number;
	participants: number;
	pointsIssued: number;
	openFlags: number;
}

export interface Breakdown {
	/** 'settlement' for a county or below; 'region' above: its cities, counties (or provinces) */
	by: 'settlement' | 'region';
	rows: BreakdownRow[];
}

type Grouping = (cols: {
	settlementId: AnyPgColumn;
	regionPath: AnyPgColumn;
}) => SQL<string | null>;

/** The figures of the ranking and the table, grouped by `key` over the region's tallies. */
async function groupedRows(
	actor: Actor,
	scope: FigureScope & { kind: 'region' },
	month: string,
	key: Grouping
): Promise<Map<string | null, Omit<BreakdownRow, 'id' | 'name'>>> {
	const s = schema.settlementStat;
	const stats = await db()
		.select({ key: key(s), ...statSums() })
		.from(s)
		.where(
			and(
				within(scope, { settlementId: s.settlementId, regionPath: s.regionPath }),
				scopeFilter(actor, 'dashboard.read', {
					settlementId: s.settlementId,
					regionPath: s.regionPath
				})
			)
		)
		.groupBy(sql`1`)
		.limit(5_000);
	// each capability once, grouped the same way over the region's index, then put side by side
	const t = schema.serviceRequestTally;
	const a = schema.activityTally;
	const mt = schema.monthlyTally;
	const f = schema.riskFlag;
	const [open, participants, points, flags] = await Promise.all([
		db()
			.select({ key: key(t), n: sql<number>`sum(${t.n})::int` })
			.from(t)
			.where(
				and(
					within(scope, { settlementId: t.settlementId, regionPath: t.regionPath }),
					sql`${t.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin', 'waiting_resident')`
				)
			)
			.groupBy(sql`1`),
		db()
			.select({ key: key(a), n: sql<number>`sum(${a.participants})::int` })
			.from(a)
			.where(
				and(
					within(scope, { settlementId: a.settlementId, regionPath: a.regionPath }),
					eq(a.month, month)
				)
			)
			.groupBy(sql`1`),
		db()
			.select({ key: key(mt), n: sql<number>`sum(${mt.n})::int` })
			.from(mt)
			.where(
				and(
					eq(mt.month, month),
					within(scope, { settlementId: mt.settlementId, regionPath: mt.regionPath }),
					eq(mt.measure, 'points_issued')
				)
			)
			.groupBy(sql`1`),
		db()
			.select({ key: key(f), n: sql<number>`count(*)::int` })
			.from(f)
			.where(
				and(
					within(scope, { settlementId: f.settlementId, regionPath: f.regionPath }),
					sql`${f.status} <> 'closed'`
				)
			)
			.groupBy(sql`1`)
	]);
	const by = (rows: { key: string | null; n: number }[]) => new Map(rows.map((r) => [r.key, r.n]));
	const [o, p, pt, fl] = [by(open), by(participants), by(points), by(flags)];
	return new Map(
		stats.map(({ key, ...r }) => [
			key,
			{
				...registerOf(r),
				openRequests: o.get(key) ?? 0,
				participants: p.get(key) ?? 0,
				pointsIssued: pt.get(key) ?? 0,
				openFlags: fl.get(key) ?? 0
			}
		])
	);
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
	const grouped = await groupedRows(
		actor,
		scope,
		month,
		(c) => sql<string>`${c.settlementId}::text`
	);
	if (grouped.size === 0) return [];
	const st = schema.settlement;
	const names = await db()
		.select({ id: st.id, name: st.name })
		.from(st)
		.where(
			inArray(
				st.id,
				[...grouped.keys()].filter((k): k is string => k !== null)
			)
		)
		.orderBy(st.name, st.id);
	return names.map(({ id, name }) => ({ ...grouped.get(id)!, settlementId: id, name }));
}

/**
 * A region's breakdown: its points for a county or below; above a county, one row per region one
 * level down (a province's cities, a city's counties, the country's provinces), so a province of a
 * thousand points is a dozen rows, each linking to its own dashboard.
 */
export async function breakdownOf(
	actor: Actor,
	scope: FigureScope,
	month: string
): Promise<Breakdown> {
	if (scope.kind !== 'region') return { by: 'settlement', rows: [] };
	const r = schema.region;
	const [here] =
		scope.regionPath === '/'
			? [{ level: 'country' }]
			: await db().select({ level: r.level }).from(r).where(eq(r.path, scope.regionPath));
	if (!here || !['country', 'province', 'city'].includes(here.level)) {
		const rows = await settlementRows(actor, scope, month);
		return {
			by: 'settlement',
			rows: rows.map(({ settlementId, ...x }) => ({ ...x, id: settlementId }))
		};
	}
	// the region one level below the scope: the first (depth + 1) parts of a path
	const depth = scope.regionPath.split('/').filter(Boolean).length;
	const child = sql.raw(`'^(?:/[^/]+){${depth + 1}}/'`);
	const grouped = await groupedRows(
		actor,
		scope,
		month,
		(c) => sql<string | null>`substring(${c.regionPath} from ${child})`
	);
	const paths = [...grouped.keys()].filter((k): k is string => k !== null);
	const names = paths.length
		? await db()
				.select({ id: r.id, name: r.name, path: r.path })
				.from(r)
				.where(inArray(r.path, paths))
				.orderBy(r.code)
		: [];
	const rows: BreakdownRow[] = names.map(({ id, name, path }) => ({
		...grouped.get(path)!,
		id,
		name
	}));
	// points on the scope's own region, with no region between: one row under the scope's name
	const own = grouped.get(null);
	if (own) rows.push({ ...own, id: '', name: scope.name });
	return { by: 'region', rows };
}
