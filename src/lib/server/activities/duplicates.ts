// 防重复保: the monthly duplicate-benefit check of a county — the same ID number active in two
// households (of one point or two), and a household with two open aid cases for the same
// hardship. Findings keep hashes and row ids, never an ID number; staff resolve them, audited.
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DuplicateKind, DuplicateStatus } from '$lib/activities/vocab';
import { maskIdNumber } from '$lib/mask';
import {
	can,
	canAnywhere,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor,
	type Permission
} from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import { storable } from '../services/shared';
import { isUuid, notFound, rowsOf } from '../settlements/shared';
import { openAidCaseStatuses, reportingMonth } from './risks';

const d = schema.duplicateBenefit;
const run = schema.benefitCheckRun;

/** Spaces and punctuation (ASCII and Chinese) dropped before two hardships are compared. */
const hardshipNoise = '[[:space:][:punct:]　，。、；：！？（）《》【】“”‘’…—·]+';

interface Finding {
	kind: DuplicateKind;
	key: string;
	settlementIds: string[];
	householdIds: string[];
	residentIds: string[];
	aidCaseIds: string[];
}

const sameSet = (a: string[], b: string[]) =>
	a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** (a) an ID number active in two active households: one finding per person, keyed by its hash. */
async function samePersonTwice(tx: Executor, regionPath: string): Promise<Finding[]> {
	const rows = rowsOf<{
		key: string;
		resident_ids: string[] | string;
		household_ids: string[] | string;
		settlement_ids: string[] | string;
	}>(
		await tx.execute(sql`
			with county as (
				select distinct r.id_number from resident r
				join household h on h.id = r.household_id
				join settlement s on s.id = h.settlement_id
				where r.status = 'active' and h.status = 'active' and s.region_path like ${regionPath + '%'}
			)
			select encode(sha256(convert_to(r.id_number, 'UTF8')), 'hex') as key,
				array_agg(r.id order by r.id)::text[] as resident_ids,
				array_agg(distinct r.household_id)::text[] as household_ids,
				array_agg(distinct h.settlement_id)::text[] as settlement_ids
			from resident r
			join household h on h.id = r.household_id
			where r.status = 'active' and h.status = 'active' and r.id_number in (select id_number from county)
			group by r.id_number
			having count(distinct r.household_id) > 1
			limit 5000`)
	);
	return rows.map((r) => ({
		kind: 'same_person_two_households',
		key: r.key,
		residentIds: pgArray(r.resident_ids),
		householdIds: pgArray(r.household_ids),
		settlementIds: pgArray(r.settlement_ids),
		aidCaseIds: []
	}));
}

/** (b) two open aid cases of one household for the same hardship (spaces and punctuation aside). */
async function twoOpenAidCases(tx: Executor, regionPath: string): Promise<Finding[]> {
	const open = sql.join(
		openAidCaseStatuses.map((s) => sql`${s}`),
		sql`, `
	);
	const rows = rowsOf<{
		key: string;
		household_id: string;
		settlement_id: string;
		aid_case_ids: string[] | string;
	}>(
		await tx.execute(sql`
			select c.household_id::text || ':' || encode(sha256(convert_to(c.norm, 'UTF8')), 'hex') as key,
				c.household_id::text as household_id, h.settlement_id::text as settlement_id,
				array_agg(c.id order by c.id)::text[] as aid_case_ids
			from (
				select id, household_id, lower(regexp_replace(hardship, ${hardshipNoise}, '', 'g')) as norm
				from aid_case where status in (${open})
			) c
			join household h on h.id = c.household_id
			join settlement s on s.id = h.settlement_id
			where s.region_path like ${regionPath + '%'} and c.norm <> ''
			group by c.household_id, h.settlement_id, c.norm
			having count(*) > 1
			limit 5000`)
	);
	return rows.map((r) => ({
		kind: 'two_open_aid_cases',
		key: r.key,
		residentIds: [],
		householdIds: [r.household_id],
		settlementIds: [r.settlement_id],
		aidCaseIds: pgArray(r.aid_case_ids)
	}));
}

/** A text[] as either driver hands it back: an array, or PostgreSQL's '{a,b}' literal. */
function pgArray(v: string[] | string | null): string[] {
	if (Array.isArray(v)) return v;
	if (!v || v === '{}') return [];
	return v.replace(/^\{|\}$/g, '').split(',');
}

/**
 * Runs the check over a county (a region path) for a month: writes the run and the findings not
 * already open (an open finding of the same key is not repeated; one dismissed for the same
 * households or cases is not raised again). Callable from a timer or script with no actor.
 */
export async function checkDuplicates(
	regionPath: string,
	month: string,
	actor: Actor | null = null,
	now: Date = new Date()
): Promise<{ runId: string; found: number; added: number }> {
	return db().transaction(async (tx) => {
		const findings = [
			...(await samePersonTwice(tx, regionPath)),
			...(await twoOpenAidCases(tx, regionPath))
		];
		const [r] = await tx
			.insert(run)
			.values({ regionPath, month, found: findings.length, ranBy: actor?.id ?? null, ranAt: now })
			.returning({ id: run.id });
		const dismissed = findings.length
			? await tx
					.select({
						kind: d.kind,
						key: d.key,
						householdIds: d.householdIds,
						aidCaseIds: d.aidCaseIds
					})
					.from(d)
					.where(
						and(
							eq(d.status, 'dismissed'),
							inArray(
								d.key,
								findings.map((x) => x.key)
							)
						)
					)
			: [];
		const fresh = findings.filter(
			(x) =>
				!dismissed.some(
					(y) =>
						y.kind === x.kind &&
						y.key === x.key &&
						(x.kind === 'same_person_two_households'
							? sameSet(y.householdIds, x.householdIds)
							: sameSet(y.aidCaseIds, x.aidCaseIds))
				)
		);
		let added = 0;
		for (let i = 0; i < fresh.length; i += 500) {
			const rows = await tx
				.insert(d)
				.values(
					fresh.slice(i, i + 500).map((x) => ({
						runId: r.id,
						regionPath,
						settlementIds: x.settlementIds,
						kind: x.kind,
						key: x.key,
						residentIds: x.residentIds,
						householdIds: x.householdIds,
						aidCaseIds: x.aidCaseIds,
						createdAt: now
					}))
				)
				// the open finding of the same key stays the one finding
				.onConflictDoNothing()
				.returning({ id: d.id });
			added += rows.length;
		}
		await audit.record(tx, {
			actor,
			action: 'benefit.check',
			entity: 'benefit_check_run',
			entityId: r.id,
			scopePath: regionPath,
			summary: { month, found: findings.length, added }
		});
		return { runId: r.id, found: findings.length, added };
	});
}

/** The regions (counties) the actor may run the check over. */
export async function listCheckRegions(actor: Actor) {
	if (!canAnywhere(actor, 'benefit.check')) return [];
	const r = schema.region;
	return db()
		.select({ id: r.id, name: r.name, path: r.path })
		.from(r)
		.where(and(eq(r.level, 'county'), scopeFilter(actor, 'benefit.check', { regionPath: r.path })))
		.orderBy(r.name)
		.limit(200);
}

/**
 * Civil affairs runs the check for its county and a month (not one still to come). With more
 * than one county in reach, the county is named. 403 for anyone else.
 */
export async function runDuplicateCheck(
	actor: Actor,
	input: { month: string; regionId?: string },
	now: Date = new Date()
): Promise<
	{ ok: true; runId: string; found: number; added: number } | Failure<'future_month' | 'no_region'>
> {
	requireAnywhere(actor, 'benefit.check', 'write');
	let path: string | null = null;
	if (input.regionId) {
		const [region] = isUuid(input.regionId)
			? await db()
					.select({ path: schema.region.path })
					.from(schema.region)
					.where(eq(schema.region.id, input.regionId))
			: [];
		requirePermission(actor, 'benefit.check', region ? { regionPath: region.path } : {}, 'write');
		if (!region) notFound();
		path = region.path;
	} else {
		const regions = await listCheckRegions(actor);
		if (regions.length !== 1) return { ok: false, reason: 'no_region', field: 'regionId' };
		path = regions[0].path;
	}
	if (!/^(20\d{2})-(0[1-9]|1[0-2])$/.test(input.month) || input.month > reportingMonth(now))
		return { ok: false, reason: 'future_month', field: 'month' };
	return { ok: true, ...(await checkDuplicates(path, input.month, actor, now)) };
}

/** Findings the actor may see: over the county that ran the check, or over a settlement involved. */
function visible(actor: Actor, permission: Permission): SQL {
	const s = schema.settlement;
	return sql`(${scopeFilter(actor, permission, { regionPath: d.regionPath })} or exists (select 1 from ${s} where ${s.id} = any(${d.settlementIds}) and ${scopeFilter(actor, permission, { settlementId: s.id, regionPath: s.regionPath })}))`;
}

/** The findings of the actor's scope (open ones unless asked), newest first, with names and masked IDs. */
export async function listDuplicates(actor: Actor, q: { status?: DuplicateStatus | '' } = {}) {
	requireAnywhere(actor, 'benefit.read', 'read');
	const rows = await db()
		.select()
		.from(d)
		.where(and(visible(actor, 'benefit.read'), q.status ? eq(d.status, q.status) : undefined))
		.orderBy(desc(d.createdAt), desc(d.id))
		.limit(200);
	return describe(actor, rows);
}

async function describe(actor: Actor, rows: (typeof d.$inferSelect)[]) {
	const residentIds = [...new Set(rows.flatMap((r) => r.residentIds))];
	const householdIds = [...new Set(rows.flatMap((r) => r.householdIds))];
	const caseIds = [...new Set(rows.flatMap((r) => r.aidCaseIds))];
	const h = schema.household;
	const s = schema.settlement;
	const [people, homes, cases, resolvers, scopes] = await Promise.all([
		residentIds.length
			? db()
					.select({
						id: schema.resident.id,
						name: schema.resident.name,
						idNumber: schema.resident.idNumber,
						householdId: schema.resident.householdId
					})
					.from(schema.resident)
					.where(inArray(schema.resident.id, residentIds))
			: [],
		householdIds.length
			? db()
					.select({
						id: h.id,
						headName: h.headName,
						unit: sql<string>`${h.building} || ${h.unitNo} || ${h.room}`,
						settlementName: s.name
					})
					.from(h)
					.innerJoin(s, eq(s.id, h.settlementId))
					.where(inArray(h.id, householdIds))
			: [],
		caseIds.length
			? db()
					.select({
						id: schema.aidCase.id,
						no: schema.aidCase.no,
						status: schema.aidCase.status,
						amount: schema.aidCase.amount,
						createdAt: schema.aidCase.createdAt,
						organizationName: schema.organization.name
					})
					.from(schema.aidCase)
					.innerJoin(schema.organization, eq(schema.organization.id, schema.aidCase.organizationId))
					.where(inArray(schema.aidCase.id, caseIds))
			: [],
		(() => {
			const ids = [...new Set(rows.map((r) => r.resolvedBy).filter((x): x is string => !!x))];
			return ids.length
				? db()
						.select({ id: schema.user.id, name: schema.user.displayName })
						.from(schema.user)
						.where(inArray(schema.user.id, ids))
				: [];
		})(),
		scopesOf(rows.flatMap((r) => r.settlementIds))
	]);
	const home = new Map(homes.map((x) => [x.id, x]));
	const names = new Map(resolvers.map((x) => [x.id, x.name]));
	return rows.map((r) => ({
		id: r.id,
		kind: r.kind,
		status: r.status,
		createdAt: r.createdAt,
		resolution: r.resolution,
		resolvedAt: r.resolvedAt,
		resolvedByName: r.resolvedBy ? (names.get(r.resolvedBy) ?? '') : '',
		people: people
			.filter((p) => r.residentIds.includes(p.id))
			.map((p) => ({
				name: p.name,
				idNumber: maskIdNumber(p.idNumber),
				household: home.get(p.householdId) ?? null
			})),
		households: r.householdIds.map((id) => home.get(id)).filter((x) => !!x),
		cases: cases
			.filter((c) => r.aidCaseIds.includes(c.id))
			.map((c) => ({ ...c, no: Number(c.no), amount: Number(c.amount) })),
		canResolve: r.status === 'open' && canOn(actor, 'benefit.resolve', r, scopes)
	}));
}

/** The region paths of some settlements: a finding's scopes for `can()`. */
async function scopesOf(settlementIds: string[]): Promise<Map<string, string>> {
	if (settlementIds.length === 0) return new Map();
	const s = schema.settlement;
	const rows = await db()
		.select({ id: s.id, regionPath: s.regionPath })
		.from(s)
		.where(inArray(s.id, [...new Set(settlementIds)]));
	return new Map(rows.map((r) => [r.id, r.regionPath]));
}

/** `can()` over a finding: the county that ran the check, or any settlement involved. */
function canOn(
	actor: Actor,
	permission: Permission,
	finding: { regionPath: string; settlementIds: string[] },
	scopes: Map<string, string>
) {
	if (can(actor, permission, { regionPath: finding.regionPath })) return true;
	return finding.settlementIds.some((id) =>
		can(actor, permission, { settlementId: id, regionPath: scopes.get(id) ?? null })
	);
}

/**
 * Staff with benefit.resolve over the county or a settlement involved resolve an open finding
 * (resolved: fixed; dismissed: not a duplicate) with a note, audited. 404 when the actor cannot
 * see it, 403 when they may not resolve; 'closed' when someone resolved it first.
 */
export async function resolveDuplicate(
	actor: Actor,
	id: string,
	input: { status: 'resolved' | 'dismissed'; note: string },
	now: Date = new Date()
): Promise<{ ok: true } | Failure<'closed'>> {
	const [row] = isUuid(id)
		? await db()
				.select({
					id: d.id,
					kind: d.kind,
					regionPath: d.regionPath,
					settlementIds: d.settlementIds
				})
				.from(d)
				.where(eq(d.id, id))
		: [];
	const scopes = await scopesOf(row?.settlementIds ?? []);
	if (!row || !canOn(actor, 'benefit.read', row, scopes)) {
		requirePermission(actor, 'benefit.read', {}, 'read');
		notFound();
	}
	if (!canOn(actor, 'benefit.resolve', row, scopes))
		requirePermission(actor, 'benefit.resolve', {}, 'write');
	input = storable(input);
	return db().transaction(async (tx) => {
		const done = await tx
			.update(d)
			.set({ status: input.status, resolution: input.note, resolvedBy: actor.id, resolvedAt: now })
			.where(and(eq(d.id, row.id), eq(d.status, 'open')))
			.returning({ id: d.id });
		if (done.length === 0) return { ok: false, reason: 'closed', field: 'status' } as const;
		await audit.record(tx, {
			actor,
			action: 'benefit.resolve',
			entity: 'duplicate_benefit',
			entityId: row.id,
			scopePath: row.regionPath,
			// the kind and outcome only: the note and the people are not for the log
			summary: { kind: row.kind, status: input.status }
		});
		return { ok: true } as const;
	});
}

/** The last runs of the check over the actor's scope. */
export async function listCheckRuns(actor: Actor) {
	requireAnywhere(actor, 'benefit.read', 'read');
	return db()
		.select({
			id: run.id,
			month: run.month,
			found: run.found,
			ranAt: run.ranAt,
			ranByName: schema.user.displayName
		})
		.from(run)
		.leftJoin(schema.user, eq(schema.user.id, run.ranBy))
		.where(scopeFilter(actor, 'benefit.read', { regionPath: run.regionPath }))
		.orderBy(desc(run.ranAt))
		.limit(12);
}
