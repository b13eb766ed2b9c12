import { and, asc, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { settlementSchema } from '$lib/schemas/register';
import {
	can,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor,
	type Resource
} from '../access';
import * as audit from '../audit';
import { db, schema } from '../db';
import { refreshStats } from '../oversight/figures';
import { isUuid, notFound } from './shared';

/** The settlements the actor may see, by name, with their headline counts (kept per point). */
export async function listSettlements(actor: Actor) {
	const { settlement, region, settlementStat: stat } = schema;
	const visible = scopeFilter(actor, 'settlement.read', {
		settlementId: settlement.id,
		regionPath: settlement.regionPath
	});
	const ids = await db().select({ id: settlement.id }).from(settlement).where(visible).limit(1000);
	await refreshStats({ ids: ids.map((r) => r.id) });
	return db()
		.select({
			id: settlement.id,
			name: settlement.name,
			kind: settlement.kind,
			committeeName: settlement.committeeName,
			regionName: region.name,
			households: sql<number>`coalesce(${stat.households}, 0)`,
			people: sql<number>`coalesce(${stat.people}, 0)`
		})
		.from(settlement)
		.innerJoin(region, eq(region.id, settlement.regionId))
		.leftJoin(stat, eq(stat.settlementId, settlement.id))
		.where(visible)
		.orderBy(asc(settlement.name))
		.limit(1000);
}

/** One settlement, or 404 when it does not exist or is outside the actor's scope. */
export async function getSettlement(actor: Actor, settlementId: string) {
	const { settlement, region } = schema;
	const [row] = isUuid(settlementId)
		? await db()
				.select({
					id: settlement.id,
					name: settlement.name,
					kind: settlement.kind,
					committeeKind: settlement.committeeKind,
					committeeName: settlement.committeeName,
					address: settlement.address,
					openedOn: settlement.openedOn,
					capacity: settlement.capacity,
					regionId: settlement.regionId,
					regionPath: settlement.regionPath,
					regionName: region.name
				})
				.from(settlement)
				.innerJoin(region, eq(region.id, settlement.regionId))
				.where(eq(settlement.id, settlementId))
		: [];
	requirePermission(actor, 'settlement.read', row ? { ...row, settlementId: row.id } : {}, 'read');
	// a county or global grant passes the check on an empty resource: a missing settlement is still 404
	if (!row) notFound();
	return row;
}

/** A settlement the actor may see: only what `getSettlement` returned. */
export type VisibleSettlement = Awaited<ReturnType<typeof getSettlement>>;

export interface SettlementFigures {
	households: number;
	people: number;
	laborers: number;
	employed: number;
	/** employed labourers / labourers, 0–1; null with no labourers */
	employmentRate: number | null;
	zeroEmploymentHouseholds: number;
	elderly: number;
	children: number;
	publicPosts: number;
}

/** The point's key figures, counted from the register as it is now. */
export async function getFigures(actor: Actor, settlementId: string): Promise<SettlementFigures> {
	return figuresOf(await getSettlement(actor, settlementId));
}

// The *Of helpers take a settlement the caller has already checked with getSettlement; the
// overview page loads the settlement once and passes it to each.

export async function figuresOf(s: VisibleSettlement): Promise<SettlementFigures> {
	// the point's kept figures (settlement_stat), counted again first when the register changed
	// since or they were counted on an earlier day: the same numbers as a count of the register
	await refreshStats({
		kind: 'settlement',
		settlementId: s.id,
		regionPath: s.regionPath,
		name: s.name
	});
	const t = schema.settlementStat;
	const [row] = await db().select().from(t).where(eq(t.settlementId, s.id));
	if (!row)
		return {
			households: 0,
			people: 0,
			laborers: 0,
			employed: 0,
			employmentRate: null,
			zeroEmploymentHouseholds: 0,
			elderly: 0,
			children: 0,
			publicPosts: 0
		};
	return {
		households: row.households,
		people: row.people,
		laborers: row.laborers,
		employed: row.employed,
		employmentRate: row.laborers > 0 ? row.employedLaborers / row.laborers : null,
		zeroEmploymentHouseholds: row.zeroEmploymentHouseholds,
		elderly: row.elderly,
		children: row.children,
		publicPosts: row.publicPosts
	};
}

/** Where the point's households came from (迁出地), by township and village. */
export async function listOrigins(actor: Actor, settlementId: string) {
	return originsOf(await getSettlement(actor, settlementId));
}

export function originsOf(s: VisibleSettlement) {
	const { household } = schema;
	return db()
		.select({
			township: household.originTownship,
			village: household.originVillage,
			households: sql<number>`count(*)::int`
		})
		.from(household)
		.where(and(eq(household.settlementId, s.id), eq(household.status, 'active')))
		.groupBy(household.originTownship, household.originVillage)
		.orderBy(desc(sql`count(*)`), asc(household.originTownship))
		.limit(100);
}

/** Open correction requests of the point's residents, oldest first. */
export async function listOpenCorrections(actor: Actor, settlementId: string) {
	return openCorrectionsOf(actor, await getSettlement(actor, settlementId));
}

export function openCorrectionsOf(actor: Actor, s: VisibleSettlement) {
	requirePermission(actor, 'household.update', { settlementId: s.id, regionPath: s.regionPath });
	const { correctionRequest, household, resident } = schema;
	return db()
		.select({
			id: correctionRequest.id,
			householdId: correctionRequest.householdId,
			headName: household.headName,
			memberName: resident.name,
			field: correctionRequest.field,
			message: correctionRequest.message,
			createdAt: correctionRequest.createdAt
		})
		.from(correctionRequest)
		.innerJoin(household, eq(household.id, correctionRequest.householdId))
		.leftJoin(resident, eq(resident.id, correctionRequest.residentId))
		.where(
			and(
				eq(household.settlementId, s.id),
				eq(correctionRequest.status, 'open'),
				isNull(correctionRequest.resolvedAt)
			)
		)
		.orderBy(asc(correctionRequest.createdAt))
		.limit(100);
}

/** The townships and villages where the actor may open a settlement, for the form's choices. */
export async function listSettlementRegions(actor: Actor) {
	requireAnywhere(actor, 'settlement.manage');
	const { region } = schema;
	return db()
		.select({ id: region.id, name: region.name, level: region.level, path: region.path })
		.from(region)
		.where(
			and(
				inArray(region.level, ['township', 'village']),
				scopeFilter(actor, 'settlement.manage', { regionPath: region.path })
			)
		)
		.orderBy(region.code)
		.limit(2000);
}

type SettlementInput = z.infer<typeof settlementSchema>;

/** The region a settlement is put in, as a resource; null when it is not a township or village. */
async function placeRegion(regionId: string) {
	const { region } = schema;
	const [r] = await db()
		.select({ id: region.id, path: region.path })
		.from(region)
		.where(and(eq(region.id, regionId), inArray(region.level, ['township', 'village'])));
	return r ?? null;
}

function settlementValues(input: SettlementInput, regionPath: string) {
	return {
		name: input.name,
		kind: input.kind,
		regionId: input.regionId,
		regionPath,
		committeeKind: input.committeeKind,
		committeeName: input.committeeName,
		address: input.address,
		openedOn: input.openedOn || null,
		capacity: input.capacity ?? null
	};
}

async function nameTaken(regionId: string, name: string, exceptId?: string) {
	const { settlement } = schema;
	const [row] = await db()
		.select({ id: settlement.id })
		.from(settlement)
		.where(
			and(
				eq(settlement.regionId, regionId),
				eq(settlement.name, name),
				exceptId ? ne(settlement.id, exceptId) : undefined
			)
		);
	return !!row;
}

/** Opens a settlement in a township or village of the actor's county. Fails on a name taken there. */
export async function createSettlement(
	actor: Actor,
	input: SettlementInput
): Promise<
	{ ok: true; id: string } | { ok: false; reason: 'no_region' | 'name_taken'; field: string }
> {
	requireAnywhere(actor, 'settlement.manage', 'write');
	const r = await placeRegion(input.regionId);
	if (!r) return { ok: false, reason: 'no_region', field: 'regionId' };
	requirePermission(actor, 'settlement.manage', { regionPath: r.path }, 'write');
	if (await nameTaken(r.id, input.name)) return { ok: false, reason: 'name_taken', field: 'name' };
	const { settlement } = schema;
	return db().transaction(async (tx) => {
		const [row] = await tx
			.insert(settlement)
			.values(settlementValues(input, r.path))
			.returning({ id: settlement.id });
		await audit.record(tx, {
			actor,
			action: 'settlement.create',
			entity: 'settlement',
			entityId: row.id,
			scopePath: r.path,
			summary: { name: input.name, kind: input.kind }
		});
		return { ok: true, id: row.id } as const;
	});
}

/** Corrects a settlement's record; moving it to another region needs that region in scope too. */
export async function updateSettlement(
	actor: Actor,
	settlementId: string,
	input: SettlementInput
): Promise<{ ok: true } | { ok: false; reason: 'no_region' | 'name_taken'; field: string }> {
	const s = await getSettlement(actor, settlementId);
	requirePermission(
		actor,
		'settlement.manage',
		{ settlementId: s.id, regionPath: s.regionPath },
		'write'
	);
	const r = await placeRegion(input.regionId);
	if (!r) return { ok: false, reason: 'no_region', field: 'regionId' };
	requirePermission(actor, 'settlement.manage', { regionPath: r.path }, 'write');
	if (await nameTaken(r.id, input.name, s.id))
		return { ok: false, reason: 'name_taken', field: 'name' };
	const { settlement } = schema;
	return db().transaction(async (tx) => {
		await tx.update(settlement).set(settlementValues(input, r.path)).where(eq(settlement.id, s.id));
		await audit.record(tx, {
			actor,
			action: 'settlement.update',
			entity: 'settlement',
			entityId: s.id,
			scopePath: r.path,
			summary: { name: input.name, kind: input.kind, moved: r.path !== s.regionPath }
		});
		return { ok: true } as const;
	});
}

/** Which ledger actions (import, export, export with full values) the actor has over a point. */
export function ledgerAccess(actor: Actor, resource: Resource) {
	const exportable = can(actor, 'household.export', resource);
	return {
		import: can(actor, 'household.import', resource),
		export: exportable,
		exportFull: exportable && can(actor, 'person.reveal', resource)
	};
}
