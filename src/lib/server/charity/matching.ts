// Matching: offers ranked for a need, needs ranked for an organisation, and a bulk allocation
// that spreads live offers' capacity over open needs. The score is one pure function
// (`scoreMatch`) whose integer formula the SQL repeats (`pairPointsSql` + `needPointsSql`), so
// the database ranks and limits the candidates and the page shows the same points, reason by reason.
import { error } from '@sveltejs/kit';
import { sql, type SQL } from 'drizzle-orm';
import { helpKinds, type HelpKind, type NeedCategory } from '$lib/charity/vocab';
import { shanghaiDay } from '$lib/working-days';
import { can, isStaff, requireAnywhere, scopeFilter, type Actor } from '../access';
import { db, type Executor } from '../db';
import type { Failure } from '../failure';
import { isUuid, notFound } from '../settlements/shared';
import { actingOrganization, organizationUnverified } from './organizations';

// ---------------------------------------------------------------------------------------------
// The score

/**
 * The points of each reason; a perfect match scores 100. Category and region say whether the
 * offer is meant for this need at all, so they weigh most; then how much of what the need still
 * lacks the offer can cover, how urgent the need is, how long it has waited, and — so help
 * reaches those who have had least — how little the household has received this year.
 */
export const matchWeights = {
	/** the offer covers the need's category */
	category: 25,
	/** the offer serves a region the need's settlement lies in */
	region: 25,
	/** × min(capacity left, still lacking) / still lacking: full when the offer covers the rest */
	capacity: 15,
	/** × (urgency − 1) / 2: 0, 7, 15 for normal, urgent, critical */
	urgency: 15,
	/** × min(days waiting, waitingFullDays) / waitingFullDays */
	waiting: 10,
	/** × (1 − min(received, saturation) / saturation): full for a household helped by nobody yet */
	received: 10
} as const;

/** Days of waiting at which the waiting points are full. */
export const waitingFullDays = 90;

/**
 * Help of the need's kind received this calendar year at which the received points reach zero:
 * 5,000 yuan, 20 pieces, 40 hours.
 */
export const receivedSaturation: Record<HelpKind, number> = {
	money: 500_000,
	goods: 20,
	service_hours: 40
};

/** What the score of one (need, offer) pair is made of. */
export interface MatchFacts {
	kind: HelpKind;
	categoryMatch: boolean;
	regionMatch: boolean;
	/** the offer's capacity − allocated (fen, pieces, hours) */
	capacityLeft: number;
	/** the need's quantity − pledged */
	remaining: number;
	/** 1 normal, 2 urgent, 3 critical */
	urgency: number;
	/** whole days since the need was published */
	daysWaiting: number;
	/** delivered help of the need's kind to its household this calendar year (Asia/Shanghai) */
	receivedThisYear: number;
}

export type MatchReasonKey = keyof typeof matchWeights;

export interface MatchReason {
	key: MatchReasonKey;
	points: number;
	max: number;
}

export interface MatchScore {
	score: number;
	reasons: MatchReason[];
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The score of a (need, offer) pair and its reasons, in whole points (the SQL floors the same way). */
export function scoreMatch(f: MatchFacts): MatchScore {
	const w = matchWeights;
	const saturation = receivedSaturation[f.kind];
	const covered = clamp(Math.min(f.capacityLeft, f.remaining), 0, Infinity);
	const points: Record<MatchReasonKey, number> = {
		category: f.categoryMatch ? w.category : 0,
		region: f.regionMatch ? w.region : 0,
		capacity: f.remaining > 0 ? Math.floor((w.capacity * covered) / f.remaining) : 0,
		urgency: Math.floor((w.urgency * (clamp(f.urgency, 1, 3) - 1)) / 2),
		waiting: Math.floor((w.waiting * clamp(f.daysWaiting, 0, waitingFullDays)) / waitingFullDays),
		received: Math.floor(
			(w.received * (saturation - clamp(f.receivedThisYear, 0, saturation))) / saturation
		)
	};
	const reasons = (Object.keys(w) as MatchReasonKey[]).map((key) => ({
		key,
		points: points[key],
		max: w[key]
	}));
	return { score: reasons.reduce((s, r) => s + r.points, 0), reasons };
}

/** Orders scored items best first, ties by id: the one order the SQL uses too. */
export function byMatchScore<T extends { score: number; id: string }>(a: T, b: T): number {
	return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The highest points the (need, offer) part of a score can reach: category, region and capacity. */
export const maxPairPoints = matchWeights.category + matchWeights.region + matchWeights.capacity;

// only the module's own constants (weights, saturation points) go through here, never input
const raw = (n: number) => sql.raw(String(n));

/**
 * The part of `scoreMatch` that depends on the offer (category, region, capacity), in SQL over
 * bigint columns: integer division floors as Math.floor does on these non-negative values.
 */
function pairPointsSql(f: {
	categoryMatch: SQL;
	regionMatch: SQL;
	capacityLeft: SQL;
	remaining: SQL;
}): SQL {
	const w = matchWeights;
	return sql`(
		(case when ${f.categoryMatch} then ${raw(w.category)} else 0 end)
		+ (case when ${f.regionMatch} then ${raw(w.region)} else 0 end)
		+ (case when ${f.remaining} > 0
			then (${raw(w.capacity)} * greatest(least(${f.capacityLeft}, ${f.remaining}), 0)) / ${f.remaining}
			else 0 end)
	)::int`;
}

/** The part of `scoreMatch` that depends on the need alone (urgency, waiting, received), in SQL. */
function needPointsSql(f: { kind: SQL; urgency: SQL; daysWaiting: SQL; received: SQL }): SQL {
	const w = matchWeights;
	const sat = sql`(case ${f.kind} ${sql.join(
		helpKinds.map((k) => sql`when ${sql.raw(`'${k}'`)} then ${raw(receivedSaturation[k])}::bigint`),
		sql` `
	)} end)`;
	return sql`(
		(${raw(w.urgency)} * (least(greatest(${f.urgency}, 1), 3) - 1)) / 2
		+ (${raw(w.waiting)} * least(greatest(${f.daysWaiting}, 0), ${raw(waitingFullDays)})) / ${raw(waitingFullDays)}
		+ (${raw(w.received)} * (${sat} - least(greatest(${f.received}, 0), ${sat}))) / ${sat}
	)::int`;
}

// ---------------------------------------------------------------------------------------------
// Shared SQL pieces

function rowsOf<T>(result: unknown): T[] {
	return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** Whole days since a need was published (its creation when no verification is recorded). */
function daysWaitingSql(now: Date): SQL {
	// date_part gives float8 seconds: quicker than extract's numeric over a hundred thousand rows
	return sql`greatest(0, floor(date_part('epoch', ${now.toISOString()}::timestamptz - coalesce(n.verified_at, n.created_at)) / 86400))::int`;
}

/** The calendar year of `now` in Asia/Shanghai, as [start, end) instants. */
export function receivedYear(now: Date): [Date, Date] {
	const year = Number(shanghaiDay(now).slice(0, 4));
	const start = new Date(Date.UTC(year, 0, 1) - 8 * 3600_000);
	const end = new Date(Date.UTC(year + 1, 0, 1) - 8 * 3600_000);
	return [start, end];
}

/** Delivered (or confirmed) help of the need's kind to the need's household in the year. */
function receivedSql(now: Date): SQL {
	const [start, end] = receivedYear(now);
	return sql`coalesce((
		select sum(p.quantity)::bigint from pledge p join need n2 on n2.id = p.need_id
		where n2.household_id = n.household_id and n2.kind = n.kind
			and p.status in ('delivered', 'confirmed')
			and p.delivered_at >= ${start.toISOString()}::timestamptz
			and p.delivered_at < ${end.toISOString()}::timestamptz), 0)`;
}

/** Offers that can be pledged from on `today`: open, in their dates, capacity left, verified organisation. */
function liveOfferSql(today: string): SQL {
	return sql`o.closed_at is null and o.valid_from <= ${today}::date and o.valid_to >= ${today}::date
		and o.allocated < o.capacity and org.verified_at is not null`;
}

/** The regions an offer serves: its own list, or its organisation's region when the list is empty. */
const servedSql = sql`(case when cardinality(o.region_paths) = 0 then array[org.region_path] else o.region_paths end)`;

/** '/36/3607/360731/' → ['/36/', '/36/3607/', '/36/3607/360731/']: the paths a region lies in. */
export function ancestorsOf(regionPath: string): string[] {
	const paths: string[] = [];
	for (let i = regionPath.indexOf('/', 1); i > 0; i = regionPath.indexOf('/', i + 1))
		paths.push(regionPath.slice(0, i + 1));
	return paths;
}

/** A text[] literal of parameters. */
function textArray(values: string[]): SQL {
	if (values.length === 0) return sql`array[]::text[]`;
	return sql`array[${sql.join(
		values.map((v) => sql`${v}`),
		sql`, `
	)}]::text[]`;
}

const openNeedSql = sql`n.status = 'published' and n.pledged < n.quantity`;

// ---------------------------------------------------------------------------------------------
// A need as an organisation may see it: anonymised

/**
 * The fields of a need an organisation (and the matching pages) may show: no household name,
 * unit, ID, phone or internal detail; the public words only, as staff verified them (the needs
 * part's anonymiser refuses names, units, numbers and health words without consent there).
 */
export interface MatchNeed {
	id: string;
	title: string;
	publicDetail: string;
	category: NeedCategory;
	kind: HelpKind;
	quantity: number;
	pledged: number;
	remaining: number;
	unit: string;
	urgency: number;
	deadline: string | null;
	status: string;
	settlementName: string;
	daysWaiting: number;
	receivedThisYear: number;
}

/** The SQL select list of a MatchNeed from `need n` joined to `settlement s`. */
function needFieldsSql(now: Date): SQL {
	return sql`n.id, n.title,
		n.public_detail as "publicDetail",
		n.category, n.kind, n.quantity, n.pledged, n.unit, n.urgency, n.deadline::text as deadline,
		n.status, s.name as "settlementName", ${daysWaitingSql(now)} as "daysWaiting",
		${receivedSql(now)} as "receivedThisYear"`;
}

type RawNeed = Omit<MatchNeed, 'remaining'>;

function toNeed(r: RawNeed): MatchNeed {
	const quantity = Number(r.quantity);
	const pledged = Number(r.pledged);
	return {
		id: r.id,
		title: r.title,
		publicDetail: r.publicDetail,
		category: r.category,
		kind: r.kind,
		quantity,
		pledged,
		remaining: quantity - pledged,
		unit: r.unit,
		urgency: Number(r.urgency),
		deadline: r.deadline,
		status: r.status,
		settlementName: r.settlementName,
		daysWaiting: Number(r.daysWaiting),
		receivedThisYear: Number(r.receivedThisYear)
	};
}

// ---------------------------------------------------------------------------------------------
// Offers for a need

export interface RankedOffer extends MatchScore {
	id: string;
	organizationId: string;
	organizationName: string;
	title: string;
	kind: HelpKind;
	unit: string;
	categories: NeedCategory[];
	capacityLeft: number;
	validTo: string;
	categoryMatch: boolean;
	regionMatch: boolean;
}

/**
 * The offers for a need, best first, with the reasons of each score: for staff who may read the
 * need, every live offer of its kind that matches its category or region; for a member of an
 * organisation, a published need and only their own organisation's offers. 404 for anyone else.
 */
export async function rankOffersForNeed(
	actor: Actor,
	needId: string,
	options: { now?: Date; limit?: number } = {}
): Promise<{ need: MatchNeed; offers: RankedOffer[]; view: 'staff' | 'organization' }> {
	const now = options.now ?? new Date();
	const limit = Math.min(options.limit ?? 20, 100);
	if (!isUuid(needId)) notFound();
	const [n] = rowsOf<RawNeed & { settlementId: string; regionPath: string; householdId: string }>(
		await db().execute(sql`
			select ${needFieldsSql(now)}, n.settlement_id as "settlementId", n.region_path as "regionPath",
				n.household_id as "householdId"
			from need n join settlement s on s.id = n.settlement_id
			where n.id = ${needId}`)
	);
	if (!n) notFound();
	const staff = isStaff(actor) && can(actor, 'need.read', n);
	const acting = staff ? null : await actingOrganization(actor);
	const visibleToOrg =
		!!acting &&
		can(actor, 'pledge.create', { organizationId: acting.id }) &&
		isOpenStatus(n.status);
	if (!staff && !visibleToOrg) notFound();
	const need = toNeed(n);
	const today = shanghaiDay(now);
	const rows = rowsOf<{
		id: string;
		organizationId: string;
		organizationName: string;
		title: string;
		kind: HelpKind;
		unit: string;
		categories: NeedCategory[];
		capacityLeft: string | number;
		validTo: string;
		categoryMatch: boolean;
		regionMatch: boolean;
	}>(
		await db().execute(sql`
			select * from (
				select o.id, o.organization_id as "organizationId", org.name as "organizationName", o.title,
					o.kind, o.unit, o.categories, (o.capacity - o.allocated) as "capacityLeft",
					o.valid_to::text as "validTo",
					(${need.category} = any(o.categories)) as "categoryMatch",
					(${servedSql} && ${textArray(ancestorsOf(n.regionPath))}) as "regionMatch"
				from offer o join organization org on org.id = o.organization_id
				where ${liveOfferSql(today)} and o.kind = ${need.kind}
					and (${need.kind} <> 'goods' or o.unit = ${need.unit})
					${acting ? sql`and o.organization_id = ${acting.id}` : sql``}
			) matched
			where "categoryMatch" or "regionMatch"
			-- the need's own points are the same for every offer: the offer's part orders them
			order by ${pairPointsSql({
				categoryMatch: sql`"categoryMatch"`,
				regionMatch: sql`"regionMatch"`,
				capacityLeft: sql`"capacityLeft"`,
				remaining: sql`${need.remaining}::bigint`
			})} desc, id
			limit ${limit}`)
	);
	const offers = rows
		.map((r) => {
			const capacityLeft = Number(r.capacityLeft);
			return {
				id: r.id,
				organizationId: r.organizationId,
				organizationName: r.organizationName,
				title: r.title,
				kind: r.kind,
				unit: r.unit,
				categories: r.categories,
				capacityLeft,
				validTo: r.validTo,
				categoryMatch: r.categoryMatch,
				regionMatch: r.regionMatch,
				...scoreMatch({
					kind: need.kind,
					categoryMatch: r.categoryMatch,
					regionMatch: r.regionMatch,
					capacityLeft,
					remaining: need.remaining,
					urgency: need.urgency,
					daysWaiting: need.daysWaiting,
					receivedThisYear: need.receivedThisYear
				})
			};
		})
		.sort(byMatchScore);
	return { need, offers, view: staff ? 'staff' : 'organization' };
}

const isOpenStatus = (s: string) => s === 'published' || s === 'funded';

// ---------------------------------------------------------------------------------------------
// Needs for an organisation

export interface RankedNeed extends MatchScore {
	id: string;
	need: MatchNeed;
	/** the organisation's offer that matches it best */
	offerId: string;
	offerTitle: string;
	capacityLeft: number;
	categoryMatch: boolean;
	regionMatch: boolean;
}

/**
 * Published needs not yet fully pledged, ranked against the live offers of the actor's
 * organisation (one offer of them when `offerId` is given) — each need by its best offer —
 * anonymised. 403 for anyone who acts for no organisation that may pledge.
 */
export async function rankNeedsForOrganization(
	actor: Actor,
	options: { offerId?: string; now?: Date; limit?: number } = {}
): Promise<{ organization: { id: string; name: string; verified: boolean }; needs: RankedNeed[] }> {
	const now = options.now ?? new Date();
	const limit = Math.min(options.limit ?? 30, 100);
	const acting = await actingOrganization(actor);
	if (!acting || !can(actor, 'pledge.create', { organizationId: acting.id }))
		error(403, '无权执行此操作');
	const organization = { id: acting.id, name: acting.name, verified: acting.verified };
	if (options.offerId !== undefined && !isUuid(options.offerId)) return { organization, needs: [] };
	const today = shanghaiDay(now);
	const [yearStart, yearEnd] = receivedYear(now);
	const needPoints = needPointsSql({
		kind: sql`n.kind`,
		urgency: sql`n.urgency::int`,
		daysWaiting: daysWaitingSql(now),
		received: sql`coalesce(r.quantity, 0)`
	});
	const w = matchWeights;
	const capPoints = (cap: SQL) =>
		pairPointsSql({
			categoryMatch: sql`false`,
			regionMatch: sql`false`,
			capacityLeft: cap,
			remaining: sql`c.remaining`
		});
	// A need's best offer scores the most of: both category and region, category alone, region
	// alone — each with the largest capacity left at that level. So the score of every need comes
	// from its group (kind, category, unit, region) in one pass, without pairing each need with
	// each offer; only the needs shown are then paired to name their best offer.
	const rows = rowsOf<
		RawNeed & {
			offerId: string;
			offerTitle: string;
			capacityLeft: string | number;
			categoryMatch: boolean;
			regionMatch: boolean;
		}
	>(
		await db().execute(sql`
			with offers as materialized (
				-- the organisation's live offers, each with the LIKE patterns of the regions it serves
				select o.id, o.kind, o.unit, o.categories, o.title, (o.capacity - o.allocated) as capacity_left,
					array(select rp.path || '%' from unnest(${servedSql}) as rp(path)) as patterns
				from offer o join organization org on org.id = o.organization_id
				where o.organization_id = ${acting.id} and ${liveOfferSql(today)}
					${options.offerId ? sql`and o.id = ${options.offerId}` : sql``}
			),
			received as (
				-- help delivered this year, per household and kind: one pass, not one query per need
				select n2.household_id, n2.kind, sum(p.quantity)::bigint as quantity
				from pledge p join need n2 on n2.id = p.need_id
				where p.status in ('delivered', 'confirmed')
					and p.delivered_at >= ${yearStart.toISOString()}::timestamptz
					and p.delivered_at < ${yearEnd.toISOString()}::timestamptz
				group by n2.household_id, n2.kind
			),
			candidates as materialized (
				select n.id, n.kind, n.category, n.unit, n.region_path, (n.quantity - n.pledged) as remaining,
					${needPoints} as need_points
				from need n left join received r on r.household_id = n.household_id and r.kind = n.kind
				where ${openNeedSql} and n.kind in (select kind from offers)
			),
			groups as (
				select g.kind, g.category, g.unit, g.region_path,
					max(o.capacity_left) filter (where g.category = any(o.categories) and g.region_path like any(o.patterns)) as cap_both,
					max(o.capacity_left) filter (where g.category = any(o.categories) and not g.region_path like any(o.patterns)) as cap_category,
					max(o.capacity_left) filter (where not g.category = any(o.categories) and g.region_path like any(o.patterns)) as cap_region
				from (select distinct kind, category, unit, region_path from candidates) g
				join offers o on o.kind = g.kind and (g.kind <> 'goods' or o.unit = g.unit)
				group by g.kind, g.category, g.unit, g.region_path
			),
			top as (
				select c.id, c.need_points + greatest(
					case when gr.cap_both is not null then ${raw(w.category + w.region)} + ${capPoints(sql`gr.cap_both`)} end,
					case when gr.cap_category is not null then ${raw(w.category)} + ${capPoints(sql`gr.cap_category`)} end,
					case when gr.cap_region is not null then ${raw(w.region)} + ${capPoints(sql`gr.cap_region`)} end
				) as score
				from candidates c
				join groups gr on gr.kind = c.kind and gr.category = c.category and gr.unit = c.unit
					and gr.region_path = c.region_path
				where gr.cap_both is not null or gr.cap_category is not null or gr.cap_region is not null
				order by score desc, c.id
				limit ${limit}
			)
			select ${needFieldsSql(now)}, b.offer_id as "offerId", b.offer_title as "offerTitle",
				b.capacity_left as "capacityLeft", b.category_match as "categoryMatch",
				b.region_match as "regionMatch"
			from top join need n on n.id = top.id join settlement s on s.id = n.settlement_id
			cross join lateral (
				-- the need's best offer: the most points, ties by offer id
				select m.* from (
					select o.id as offer_id, o.title as offer_title, o.capacity_left,
						(n.category = any(o.categories)) as category_match,
						(n.region_path like any(o.patterns)) as region_match
					from offers o where o.kind = n.kind and (n.kind <> 'goods' or o.unit = n.unit)
				) m
				where m.category_match or m.region_match
				order by ${pairPointsSql({
					categoryMatch: sql`m.category_match`,
					regionMatch: sql`m.region_match`,
					capacityLeft: sql`m.capacity_left`,
					remaining: sql`(n.quantity - n.pledged)`
				})} desc, m.offer_id
				limit 1
			) b`)
	);
	const needs = rows
		.map((r) => {
			const need = toNeed(r);
			const capacityLeft = Number(r.capacityLeft);
			return {
				id: need.id,
				need,
				offerId: r.offerId,
				offerTitle: r.offerTitle,
				capacityLeft,
				categoryMatch: r.categoryMatch,
				regionMatch: r.regionMatch,
				...scoreMatch({
					kind: need.kind,
					categoryMatch: r.categoryMatch,
					regionMatch: r.regionMatch,
					capacityLeft,
					remaining: need.remaining,
					urgency: need.urgency,
					daysWaiting: need.daysWaiting,
					receivedThisYear: need.receivedThisYear
				})
			};
		})
		.sort(byMatchScore);
	return { organization, needs };
}

// ---------------------------------------------------------------------------------------------
// Open needs for staff to match

/**
 * The open needs the staff member may read, in the order the bulk allocation serves them
 * (urgency, then days waiting, then id), anonymised, for the matching page's start.
 */
export async function listNeedsToMatch(
	actor: Actor,
	options: { now?: Date; limit?: number } = {}
): Promise<MatchNeed[]> {
	requireAnywhere(actor, 'need.read', 'read');
	if (!isStaff(actor)) return [];
	const now = options.now ?? new Date();
	const mine = scopeFilter(actor, 'need.read', {
		settlementId: sql`n.settlement_id`,
		regionPath: sql`n.region_path`,
		householdId: sql`n.household_id`
	});
	const rows = rowsOf<RawNeed>(
		await db().execute(sql`
			select ${needFieldsSql(now)}
			from need n join settlement s on s.id = n.settlement_id
			where ${openNeedSql} and ${mine}
			order by n.urgency desc, ${daysWaitingSql(now)} desc, n.id
			limit ${Math.min(options.limit ?? 20, 100)}`)
	);
	return rows.map(toNeed);
}

// ---------------------------------------------------------------------------------------------
// Bulk allocation

/** One proposed pledge: `quantity` of the offer to the need (fen, pieces or hours). */
export interface ProposedLine {
	needId: string;
	offerId: string;
	organizationId: string;
	kind: HelpKind;
	quantity: number;
}

/** A proposed line with what a page shows of it (anonymised). */
export interface AllocationLine extends ProposedLine {
	needTitle: string;
	settlementName: string;
	category: NeedCategory;
	urgency: number;
	daysWaiting: number;
	/** what the need lacked before this proposal */
	needRemaining: number;
	unit: string;
	offerTitle: string;
	organizationName: string;
}

export interface AllocationTotals {
	lines: number;
	/** needs given something, and needs covered in full */
	needs: number;
	needsCovered: number;
	/** open needs of the scope considered */
	needsConsidered: number;
	offersUsed: number;
	offersConsidered: number;
	quantity: Record<HelpKind, number>;
}

export interface AllocationScope {
	/** only these offers (for an organisation: only its own are ever used) */
	offerIds?: string[];
	/** only needs in this region (a path prefix) */
	regionPath?: string;
}

/** Offers held in memory per kind at most; past it the allocation says it was cut. */
export const maxOffersPerKind = 50_000;
const needBatch = 2_000;

interface OfferSlot {
	id: string;
	organizationId: string;
	organizationName: string;
	title: string;
	left: number;
	/** position in the order offers are drawn (validTo, then id) */
	rank: number;
}

/**
 * Proposes pledges that spread the live offers' remaining capacity over the open needs
 * (published, not fully pledged): needs in order of urgency (highest first), then days waiting
 * (longest first), then id; each need drawn from the offers of its kind that cover both its
 * category and its region (goods in the same unit), soonest-ending offer first, then by id;
 * never more than an offer has left or a need lacks. Deterministic: the same data and `now`
 * give the same lines. Writes nothing: organisations confirm each line as a pledge.
 *
 * Staff: the needs they may read, every verified organisation's offers. An organisation's
 * member: any open need, only their own organisation's offers (fails 'unverified' until it is
 * verified). Others 404. Memory stays bounded: offers of one kind at a time (at most
 * `maxOffersPerKind`), needs through a cursor in batches, and only `limit` lines kept to show;
 * `onLine` sees every line.
 */
export async function proposeAllocation(
	actor: Actor,
	scope: AllocationScope = {},
	options: { now?: Date; limit?: number; onLine?: (line: ProposedLine) => void } = {}
): Promise<
	| {
			ok: true;
			lines: AllocationLine[];
			totals: AllocationTotals;
			truncated: boolean;
			cut: boolean;
	  }
	| Failure<'unverified'>
> {
	const now = options.now ?? new Date();
	const limit = options.limit ?? 500;
	const today = shanghaiDay(now);
	const acting = await actingOrganization(actor);
	let needScope: SQL;
	let offerScope: SQL;
	if (acting && can(actor, 'pledge.create', { organizationId: acting.id })) {
		if (!acting.verified) return organizationUnverified;
		needScope = sql`true`;
		offerScope = sql`o.organization_id = ${acting.id}`;
	} else {
		requireAnywhere(actor, 'need.read', 'read');
		if (!isStaff(actor)) notFound();
		needScope = scopeFilter(actor, 'need.read', {
			settlementId: sql`n.settlement_id`,
			regionPath: sql`n.region_path`,
			householdId: sql`n.household_id`
		});
		offerScope = sql`true`;
	}
	if (scope.offerIds) {
		const ids = scope.offerIds.filter(isUuid);
		offerScope = ids.length
			? sql`${offerScope} and o.id in (${sql.join(
					ids.map((id) => sql`${id}::uuid`),
					sql`, `
				)})`
			: sql`false`;
	}
	if (scope.regionPath)
		needScope = sql`${needScope} and starts_with(n.region_path, ${scope.regionPath})`;

	const totals: AllocationTotals = {
		lines: 0,
		needs: 0,
		needsCovered: 0,
		needsConsidered: 0,
		offersUsed: 0,
		offersConsidered: 0,
		quantity: { money: 0, goods: 0, service_hours: 0 }
	};
	const shown: AllocationLine[] = [];
	let cut = false;

	await db().transaction(async (tx) => {
		// one snapshot for the offers and the needs' cursor
		await tx.execute(sql`set transaction isolation level repeatable read, read only`);
		for (const kind of helpKinds) {
			const offers = await loadOffers(tx, kind, today, offerScope);
			if (offers.length > maxOffersPerKind) {
				cut = true;
				offers.length = maxOffersPerKind;
			}
			if (offers.length === 0) continue;
			totals.offersConsidered += offers.length;
			const { index, categories } = indexOffers(offers);
			if (categories.length === 0) continue;
			const used = new Set<string>();
			await tx.execute(sql`
				declare alloc_needs no scroll cursor for
				select n.id, n.category, n.unit, n.region_path as "regionPath",
					(n.quantity - n.pledged) as remaining, n.urgency, ${daysWaitingSql(now)} as "daysWaiting",
					n.title, s.name as "settlementName"
				from need n join settlement s on s.id = n.settlement_id
				where ${openNeedSql} and n.kind = ${kind}
					and n.category in (${sql.join(
						categories.map((c) => sql`${c}`),
						sql`, `
					)})
					and ${needScope}
				order by n.urgency desc, "daysWaiting" desc, n.id`);
			for (;;) {
				const batch = rowsOf<{
					id: string;
					category: NeedCategory;
					unit: string;
					regionPath: string;
					remaining: string | number;
					urgency: number;
					daysWaiting: number;
					title: string;
					settlementName: string;
				}>(await tx.execute(sql.raw(`fetch ${needBatch} from alloc_needs`)));
				for (const n of batch) {
					totals.needsConsidered++;
					const before = Number(n.remaining);
					let remaining = before;
					const lists = listsFor(index, n.category, kind === 'goods' ? n.unit : '', n.regionPath);
					while (remaining > 0) {
						const slot = nextSlot(lists);
						if (!slot) break;
						const quantity = Math.min(slot.left, remaining);
						slot.left -= quantity;
						remaining -= quantity;
						used.add(slot.id);
						const line: ProposedLine = {
							needId: n.id,
							offerId: slot.id,
							organizationId: slot.organizationId,
							kind,
							quantity
						};
						totals.lines++;
						totals.quantity[kind] += quantity;
						options.onLine?.(line);
						if (shown.length < limit)
							shown.push({
								...line,
								needTitle: n.title,
								settlementName: n.settlementName,
								category: n.category,
								urgency: Number(n.urgency),
								daysWaiting: Number(n.daysWaiting),
								needRemaining: before,
								unit: n.unit,
								offerTitle: slot.title,
								organizationName: slot.organizationName
							});
					}
					if (remaining < before) totals.needs++;
					if (remaining === 0) totals.needsCovered++;
				}
				if (batch.length < needBatch) break;
			}
			await tx.execute(sql`close alloc_needs`);
			totals.offersUsed += used.size;
		}
	});
	return { ok: true, lines: shown, totals, truncated: totals.lines > shown.length, cut };
}

/** The live offers of a kind in the scope, in the order they are drawn (validTo, then id). */
async function loadOffers(tx: Executor, kind: HelpKind, today: string, offerScope: SQL) {
	const rows = rowsOf<{
		id: string;
		organizationId: string;
		organizationName: string;
		title: string;
		categories: NeedCategory[];
		paths: string[];
		unit: string;
		left: string | number;
	}>(
		await tx.execute(sql`
			select o.id, o.organization_id as "organizationId", org.name as "organizationName", o.title,
				o.categories, ${servedSql} as paths, o.unit, (o.capacity - o.allocated) as left
			from offer o join organization org on org.id = o.organization_id
			where ${liveOfferSql(today)} and o.kind = ${kind} and ${offerScope}
			order by o.valid_to, o.id
			limit ${maxOffersPerKind + 1}`)
	);
	return rows.map((r, rank) => ({
		slot: {
			id: r.id,
			organizationId: r.organizationId,
			organizationName: r.organizationName,
			title: r.title,
			left: Number(r.left),
			rank
		} satisfies OfferSlot,
		categories: r.categories,
		paths: r.paths,
		unit: kind === 'goods' ? r.unit : ''
	}));
}

/** A list of the offers serving one (category, unit, region path), in draw order, with its head. */
interface SlotList {
	slots: OfferSlot[];
	head: number;
}

/** Offers by category and unit, then by the exact region path they serve. */
function indexOffers(offers: Awaited<ReturnType<typeof loadOffers>>) {
	const index = new Map<string, Map<string, SlotList>>();
	const categories = new Set<NeedCategory>();
	for (const o of offers)
		for (const c of o.categories) {
			categories.add(c);
			const key = `${c}\u0000${o.unit}`;
			let byPath = index.get(key);
			if (!byPath) index.set(key, (byPath = new Map()));
			for (const p of new Set(o.paths)) {
				let list = byPath.get(p);
				if (!list) byPath.set(p, (list = { slots: [], head: 0 }));
				// offers arrive in draw order, so every list is already sorted
				list.slots.push(o.slot);
			}
		}
	return { index, categories: [...categories].sort() };
}

/** The lists of offers that can serve a need: one per ancestor of its region path (itself included). */
function listsFor(
	index: Map<string, Map<string, SlotList>>,
	category: NeedCategory,
	unit: string,
	regionPath: string
): SlotList[] {
	const byPath = index.get(`${category}\u0000${unit}`);
	if (!byPath) return [];
	const lists: SlotList[] = [];
	// '/36/3607/360731/' → '/36/', '/36/3607/', '/36/3607/360731/'
	for (let i = regionPath.indexOf('/', 1); i > 0; i = regionPath.indexOf('/', i + 1)) {
		const list = byPath.get(regionPath.slice(0, i + 1));
		if (list) lists.push(list);
	}
	return lists;
}

/**
 * The earliest-drawn offer with capacity left among the lists. Each list only ever gives from
 * its head, and a head passes an offer only once it is used up, so the whole run costs the
 * lists' lengths plus the needs, not needs × offers.
 */
function nextSlot(lists: SlotList[]): OfferSlot | null {
	let best: OfferSlot | null = null;
	for (const list of lists) {
		while (list.head < list.slots.length && list.slots[list.head].left <= 0) list.head++;
		const head = list.slots[list.head];
		if (head && (!best || head.rank < best.rank)) best = head;
	}
	return best;
}

/**
 * The regions a bulk allocation may be narrowed to: for an organisation's member the counties
 * of its city and their townships; for staff the counties and townships holding settlements
 * whose needs they may read.
 */
export async function listAllocationRegions(
	actor: Actor
): Promise<{ id: string; name: string; level: string; path: string }[]> {
	const acting = await actingOrganization(actor);
	const organizationWide =
		acting && can(actor, 'pledge.create', { organizationId: acting.id })
			? sql`starts_with(r.path, ${cityPathOf(acting.regionPath)})`
			: null;
	if (!organizationWide) {
		requireAnywhere(actor, 'need.read', 'read');
		if (!isStaff(actor)) return [];
	}
	const mine = organizationWide
		? organizationWide
		: sql`exists (select 1 from settlement s where starts_with(s.region_path, r.path) and ${scopeFilter(
				actor,
				'need.read',
				{ settlementId: sql`s.id`, regionPath: sql`s.region_path` }
			)})`;
	return rowsOf<{ id: string; name: string; level: string; path: string }>(
		await db().execute(sql`
			select r.id, r.name, r.level, r.path from region r
			where r.level in ('county', 'township') and ${mine}
			order by r.path
			limit 500`)
	);
}

/** The path of a region's city: '/36/3607/360731/' → '/36/3607/'. */
function cityPathOf(path: string): string {
	const parts = path.split('/').filter(Boolean);
	return '/' + parts.slice(0, Math.min(2, Math.max(1, parts.length - 1))).join('/') + '/';
}
