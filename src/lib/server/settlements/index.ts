import { error } from '@sveltejs/kit';
import { and, asc, eq, gt, or, sql, type SQL } from 'drizzle-orm';
import { maskIdNumber, maskPhone } from '$lib/mask';
import { requirePermission, scopeFilter, type Actor } from '../access';
import { db, schema } from '../db';

/** The settlements the actor may see, by name. */
export async function listSettlements(actor: Actor) {
	const { settlement, region } = schema;
	return db()
		.select({
			id: settlement.id,
			name: settlement.name,
			kind: settlement.kind,
			committeeName: settlement.committeeName,
			regionName: region.name,
			households: sql<number>`(select count(*)::int from household h where h.settlement_id = ${settlement.id} and h.status = 'active')`
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
		.limit(500);
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
	// a global grant passes the check on an empty resource: a missing settlement is still 404
	if (!row) error(404, '页面不存在');
	return row;
}

/** A page of a settlement's active households, keyset by (head name, id). */
export async function listHouseholds(
	actor: Actor,
	settlementId: string,
	q: { search?: string; after?: { name: string; id: string } } = {}
) {
	const s = await getSettlement(actor, settlementId);
	requirePermission(
		actor,
		'household.read',
		{ settlementId: s.id, regionPath: s.regionPath },
		'read'
	);
	const { household } = schema;
	const where: SQL[] = [
		eq(household.settlementId, settlementId),
		eq(household.status, 'active'),
		scopeFilter(actor, 'household.read', {
			settlementId: household.settlementId,
			regionPath: sql`${s.regionPath}`,
			householdId: household.id
		})
	];
	if (q.search) {
		const like = '%' + q.search + '%';
		where.push(
			or(
				sql`${household.headName} ilike ${like}`,
				sql`(${household.building} || '-' || ${household.unitNo} || '-' || ${household.room}) ilike ${like}`
			)!
		);
	}
	if (q.after)
		where.push(
			or(
				gt(household.headName, q.after.name),
				and(eq(household.headName, q.after.name), gt(household.id, q.after.id))
			)!
		);
	const limit = 50;
	const rows = await db()
		.select({
			id: household.id,
			headName: household.headName,
			building: household.building,
			unitNo: household.unitNo,
			room: household.room,
			movedInOn: household.movedInOn,
			// qualified by hand: in a one-table select drizzle writes a bare "id", which here is r.id
			members: sql<number>`(select count(*)::int from resident r where r.household_id = ${household}.id)`
		})
		.from(household)
		.where(and(...where))
		.orderBy(asc(household.headName), asc(household.id))
		.limit(limit + 1);
	const page = rows.slice(0, limit);
	const last = page[page.length - 1];
	return {
		settlement: s,
		rows: page,
		next: rows.length > limit && last ? { name: last.headName, id: last.id } : null
	};
}

/** One household with its members, personal data masked; 404 outside the actor's scope. */
export async function getHousehold(actor: Actor, householdId: string) {
	const { household, settlement, resident } = schema;
	const [h] = isUuid(householdId)
		? await db()
				.select({
					id: household.id,
					settlementId: household.settlementId,
					settlementName: settlement.name,
					regionPath: settlement.regionPath,
					building: household.building,
					unitNo: household.unitNo,
					room: household.room,
					headName: household.headName,
					originVillage: household.originVillage,
					movedInOn: household.movedInOn,
					status: household.status
				})
				.from(household)
				.innerJoin(settlement, eq(settlement.id, household.settlementId))
				.where(eq(household.id, householdId))
		: [];
	requirePermission(
		actor,
		'household.read',
		h ? { settlementId: h.settlementId, regionPath: h.regionPath, householdId: h.id } : {},
		'read'
	);
	// a county or global grant passes the check on an empty resource: a missing household is still 404
	if (!h) error(404, '页面不存在');
	const members = await db()
		.select()
		.from(resident)
		.where(eq(resident.householdId, householdId))
		.orderBy(sql`${resident.isHead} desc`, asc(resident.birthDate));
	return {
		...h,
		members: members.map((m) => ({
			id: m.id,
			name: m.name,
			relation: m.relation,
			isHead: m.isHead,
			gender: m.gender,
			birthDate: m.birthDate,
			idNumber: maskIdNumber(m.idNumber),
			phone: maskPhone(m.phone)
		}))
	};
}

export function isUuid(s: string) {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
