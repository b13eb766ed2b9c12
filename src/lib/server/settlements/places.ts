import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { requirePermission, scopeFilter, type Actor } from '../access';
import { db, schema } from '../db';
import { isUuid, notFound, rIsChild, rIsElderly, rIsEmployed, rIsLaborer, rowsOf } from './shared';

/** The settlements the actor may see, by name, with their headline counts. */
export async function listSettlements(actor: Actor) {
	const { settlement, region } = schema;
	return db()
		.select({
			id: settlement.id,
			name: settlement.name,
			kind: settlement.kind,
			committeeName: settlement.committeeName,
			regionName: region.name,
			households: sql<number>`(select count(*)::int from household h where h.settlement_id = ${settlement.id} and h.status = 'active')`,
			people: sql<number>`(select count(*)::int from resident r join household h on h.id = r.household_id where h.settlement_id = ${settlement.id} and h.status = 'active' and r.status = 'active')`
		})
		.from(settlement)
		.innerJoin(region, eq(region.id, settlement.regionId))
		.where(
			scopeFilter(actor, 'settlement.read', {
				settlementId: settlement.id,
				regionPath: settlement.regionPath
			})
		)
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
	await getSettlement(actor, settlementId);
	const [row] = await db()
		.execute<Record<string, number>>(
			sql`
		select
			count(distinct h.id)::int as households,
			count(r.id)::int as people,
			(count(r.id) filter (where ${rIsLaborer}))::int as laborers,
			(count(r.id) filter (where ${rIsLaborer} and ${rIsEmployed}))::int as "employedLaborers",
			(count(r.id) filter (where ${rIsEmployed}))::int as employed,
			(count(distinct h.id) filter (where h.zero_employment))::int as "zeroEmploymentHouseholds",
			(count(r.id) filter (where ${rIsElderly}))::int as elderly,
			(count(r.id) filter (where ${rIsChild}))::int as children,
			(count(r.id) filter (where r.public_post is not null))::int as "publicPosts"
		from household h
		left join resident r on r.household_id = h.id and r.status = 'active'
		where h.settlement_id = ${settlementId} and h.status = 'active'`
		)
		.then((r) => rowsOf<Record<string, number>>(r));
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
	await getSettlement(actor, settlementId);
	const { household } = schema;
	return db()
		.select({
			township: household.originTownship,
			village: household.originVillage,
			households: sql<number>`count(*)::int`
		})
		.from(household)
		.where(and(eq(household.settlementId, settlementId), eq(household.status, 'active')))
		.groupBy(household.originTownship, household.originVillage)
		.orderBy(desc(sql`count(*)`), asc(household.originTownship))
		.limit(100);
}

/** Open correction requests of the point's residents, oldest first. */
export async function listOpenCorrections(actor: Actor, settlementId: string) {
	const s = await getSettlement(actor, settlementId);
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
				eq(household.settlementId, settlementId),
				eq(correctionRequest.status, 'open'),
				isNull(correctionRequest.resolvedAt)
			)
		)
		.orderBy(asc(correctionRequest.createdAt))
		.limit(100);
}
