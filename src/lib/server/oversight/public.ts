import { eq, inArray, sql } from 'drizzle-orm';
import { shanghaiDay } from '$lib/working-days';
import { db, schema } from '../db';
import { rowsOf } from '../settlements/shared';
import { refreshStats } from './figures';

// /public/stats: per county and per point, counts only, and no count small enough to point at a
// household. The numbers are suppressed here, on the server, so neither the page nor its JSON ever
// holds a small figure.

/** Below this a count is not published. */
export const minimumCount = 5;

/** A published count: the number, '<5' when it is small, '—' when withheld so a small one cannot be worked out. */
export type PublicCount = number | '<5' | '—';
/** A published rate (0–1), or '—' when a count it is made from is not published. */
export type PublicRate = number | '—';

export interface PublicRow {
	id: string;
	name: string;
	households: PublicCount;
	people: PublicCount;
	/** employed labourers / labourers */
	employmentRate: PublicRate;
	/** activities held this year, and check-ins at them */
	activities: PublicCount;
	participants: PublicCount;
	/** service requests done this year */
	servicesDone: PublicCount;
	/** needs pledged in full (funded or delivered) */
	needsFunded: PublicCount;
}

export interface PublicCounty extends PublicRow {
	/** how many points the county has */
	settlements: number;
	points: PublicRow[];
}

export interface PublicStats {
	/** the year the yearly figures cover */
	year: string;
	/** when they were counted (ISO) */
	countedAt: string;
	counties: PublicCounty[];
}

/** The figures of one point or county before suppression: never leaves the server. */
export interface RawFigures {
	households: number;
	people: number;
	laborers: number;
	employedLaborers: number;
	activities: number;
	participants: number;
	servicesDone: number;
	needsFunded: number;
}

const countKeys = [
	'households',
	'people',
	'activities',
	'participants',
	'servicesDone',
	'needsFunded'
] as const;
type CountKey = (typeof countKeys)[number];

/**
 * Which of a group's values must be withheld besides the small ones, when the group's total is
 * public: if the small ones add up to 1–4, the total less the others would give that away, so
 * the smallest of the others is withheld too (small ones adding up to 0 give nothing away).
 * Returns their indexes.
 */
export function complementary(values: number[], min = minimumCount): number[] {
	const hidden = values.reduce((a, v) => (v < min ? a + v : a), 0);
	if (hidden === 0 || hidden >= min) return [];
	const pick = smallestShown(values, min);
	return pick < 0 ? [] : [pick];
}

/** The index of the smallest value at or above `min`; -1 when there is none. */
function smallestShown(values: number[], min: number): number {
	let pick = -1;
	values.forEach((v, i) => {
		if (v >= min && (pick < 0 || v < values[pick])) pick = i;
	});
	return pick;
}

/** A count as published: '<5' when small. */
export function publicCount(n: number, min = minimumCount): PublicCount {
	return n < min ? '<5' : n;
}

/** A rate as published: '—' unless both counts it is made of are published, rounded to 0.1%. */
export function publicRate(numerator: number, denominator: number, min = minimumCount): PublicRate {
	if (numerator < min || denominator < min) return '—';
	return Math.round((numerator / denominator) * 1000) / 1000;
}

function publish(id: string, name: string, r: RawFigures, withheld: Set<CountKey>): PublicRow {
	const count = (k: CountKey): PublicCount => {
		const shown = publicCount(r[k]);
		return shown !== '<5' && withheld.has(k) ? '—' : shown;
	};
	return {
		id,
		name,
		households: count('households'),
		people: count('people'),
		employmentRate: publicRate(r.employedLaborers, r.laborers),
		activities: count('activities'),
		participants: count('participants'),
		servicesDone: count('servicesDone'),
		needsFunded: count('needsFunded')
	};
}

/** A county and its points, before suppression. */
export interface StatsGroup {
	id: string;
	name: string;
	path: string;
	points: { id: string; name: string; raw: RawFigures }[];
}

const zero = (): RawFigures => ({
	households: 0,
	people: 0,
	laborers: 0,
	employedLaborers: 0,
	activities: 0,
	participants: 0,
	servicesDone: 0,
	needsFunded: 0
});

function sum(rows: RawFigures[]): RawFigures {
	const out = zero();
	for (const r of rows) for (const k of Object.keys(out) as (keyof RawFigures)[]) out[k] += r[k];
	return out;
}

/**
 * Suppresses the counties' and points' figures: every small count; in each county, one more
 * point when its small ones could be worked out from the county's total (`complementary`); across
 * counties the same (the portal's totals are public on the home page), and in a county withheld
 * that way one of its shown points too, so its points cannot add up to it.
 */
export function suppress(groups: StatsGroup[]): PublicCounty[] {
	const totals = groups.map((g) => sum(g.points.map((p) => p.raw)));
	const countyWithheld = groups.map(() => new Set<CountKey>());
	const pointWithheld = groups.map((g) => g.points.map(() => new Set<CountKey>()));
	for (const k of countKeys) {
		for (const i of complementary(totals.map((t) => t[k]))) countyWithheld[i].add(k);
		groups.forEach((g, gi) => {
			const values = g.points.map((p) => p.raw[k]);
			for (const pi of complementary(values)) pointWithheld[gi][pi].add(k);
			if (!countyWithheld[gi].has(k)) return;
			// a county withheld: its points must not add up to it, so one shown point is withheld too
			if (values.some((v, pi) => v >= minimumCount && pointWithheld[gi][pi].has(k))) return;
			const pick = smallestShown(values, minimumCount);
			if (pick >= 0) pointWithheld[gi][pick].add(k);
		});
	}
	return groups.map((g, gi) => ({
		...publish(g.id, g.name, totals[gi], countyWithheld[gi]),
		settlements: g.points.length,
		points: g.points.map((p, pi) => publish(p.id, p.name, p.raw, pointWithheld[gi][pi]))
	}));
}

/** Every path that is a prefix of a region path: '/a/b/' gives '/a/' and '/a/b/'. */
function prefixes(path: string): string[] {
	const parts = path.split('/').filter(Boolean);
	return parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/') + '/');
}

async function countStats(at: Date): Promise<PublicStats> {
	const today = shanghaiDay(at);
	const year = today.slice(0, 4);
	// the register figures are kept per point; count again what changed or is from an earlier day
	await refreshStats(null, today);
	const yearStart = `${year}-01-01T00:00:00+08:00`;
	const s = schema.settlement;
	const st = schema.settlementStat;
	const [points, activities, done, funded] = await Promise.all([
		db()
			.select({
				id: s.id,
				name: s.name,
				regionPath: s.regionPath,
				households: st.households,
				people: st.people,
				laborers: st.laborers,
				employedLaborers: st.employedLaborers
			})
			.from(s)
			.innerJoin(st, eq(st.settlementId, s.id)),
		db().execute(sql`
			select settlement_id as id, sum(activities)::int as activities, sum(participants)::int as participants
			from activity_tally where month like ${year + '-%'} group by settlement_id`),
		db().execute(sql`
			select settlement_id as id, count(*)::int as n from service_request
			where status = 'done' and closed_at >= ${yearStart}::timestamptz group by settlement_id`),
		db().execute(sql`
			select settlement_id as id, count(*)::int as n from need
			where status in ('funded', 'delivered') group by settlement_id`)
	]);
	const byId = <T extends { id: string }>(rows: unknown) =>
		new Map(rowsOf<T>(rows).map((r) => [r.id, r]));
	const act = byId<{ id: string; activities: number; participants: number }>(activities);
	const dn = byId<{ id: string; n: number }>(done);
	const fd = byId<{ id: string; n: number }>(funded);

	// each point under its county: the region of level county its path runs through
	const paths = [...new Set(points.flatMap((p) => prefixes(p.regionPath)))];
	const r = schema.region;
	const regions = [];
	for (let i = 0; i < paths.length; i += 5_000)
		regions.push(
			...(await db()
				.select({ id: r.id, name: r.name, path: r.path, level: r.level })
				.from(r)
				.where(inArray(r.path, paths.slice(i, i + 5_000))))
		);
	const byPath = new Map(regions.map((x) => [x.path, x]));
	const groups = new Map<string, StatsGroup>();
	for (const p of points) {
		const chain = prefixes(p.regionPath).map((x) => byPath.get(x));
		// a point outside any county (not expected) stands under its own region
		const county = chain.find((x) => x?.level === 'county') ?? chain.at(-1);
		if (!county) continue;
		let g = groups.get(county.id);
		if (!g) groups.set(county.id, (g = { ...county, points: [] }));
		const a = act.get(p.id);
		g.points.push({
			id: p.id,
			name: p.name,
			raw: {
				households: p.households,
				people: p.people,
				laborers: p.laborers,
				employedLaborers: p.employedLaborers,
				activities: a?.activities ?? 0,
				participants: a?.participants ?? 0,
				servicesDone: dn.get(p.id)?.n ?? 0,
				needsFunded: fd.get(p.id)?.n ?? 0
			}
		});
	}
	const collator = new Intl.Collator('zh-CN');
	const ordered = [...groups.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
	for (const g of ordered) g.points.sort((a, b) => collator.compare(a.name, b.name));
	return { year, countedAt: at.toISOString(), counties: suppress(ordered) };
}

// public and unauthenticated: counted at most once a minute, whoever asks
const maxAgeMs = 60_000;
let cached: { at: number; stats: Promise<PublicStats> } | undefined;

/** The public statistics of every county with points, and of its points; up to a minute old. */
export function publicStats(now = Date.now()): Promise<PublicStats> {
	if (!cached || now - cached.at > maxAgeMs || now < cached.at) {
		const stats = countStats(new Date(now));
		cached = { at: now, stats };
		// a failed count is not kept: the next visitor asks again
		stats.catch(() => {
			if (cached?.stats === stats) cached = undefined;
		});
	}
	return cached.stats;
}
