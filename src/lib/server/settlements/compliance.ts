import { asc, sql } from 'drizzle-orm';
import { maskIdNumber } from '$lib/mask';
import { can, requireAnywhere, scopeFilter, type Actor } from '../access';
import { db, schema } from '../db';
import { rowsOf } from './shared';

export interface ComplianceRow {
	id: string;
	name: string;
	kind: 'urban_park' | 'town' | 'village';
	residents: number;
	pointAdmins: number;
	pointChiefs: number;
	propertyCompanies: number;
	zeroEmploymentHouseholds: number;
	issues: ('no_admin_over_200' | 'no_chief' | 'no_property_company' | 'zero_employment')[];
}

/**
 * The county's compliance list: points of over 200 residents without a full-time administrator,
 * points without a 点长, urban points without a property company, and zero-employment households.
 */
export async function listCompliance(actor: Actor): Promise<ComplianceRow[]> {
	requireAnywhere(actor, 'compliance.read');
	const { settlement } = schema;
	const rows = await db()
		.select({
			id: settlement.id,
			name: settlement.name,
			kind: settlement.kind,
			residents: sql<number>`(select count(*)::int from resident r join household h on h.id = r.household_id where h.settlement_id = ${settlement}.id and h.status = 'active' and r.status = 'active')`,
			pointAdmins: sql<number>`(select count(*)::int from staff_assignment a where a.settlement_id = ${settlement}.id and a.kind = 'point_admin' and a.ended_on is null)`,
			pointChiefs: sql<number>`(select count(*)::int from staff_assignment a where a.settlement_id = ${settlement}.id and a.kind = 'point_chief' and a.ended_on is null)`,
			propertyCompanies: sql<number>`(select count(*)::int from staff_assignment a where a.settlement_id = ${settlement}.id and a.kind = 'property_company' and a.ended_on is null)`,
			zeroEmploymentHouseholds: sql<number>`(select count(*)::int from household h where h.settlement_id = ${settlement}.id and h.status = 'active' and h.zero_employment)`
		})
		.from(settlement)
		.where(
			scopeFilter(actor, 'compliance.read', {
				settlementId: settlement.id,
				regionPath: settlement.regionPath
			})
		)
		.orderBy(asc(settlement.name))
		.limit(2000);
	return rows.map((r) => {
		const issues: ComplianceRow['issues'] = [];
		if (r.residents > 200 && r.pointAdmins === 0) issues.push('no_admin_over_200');
		if (r.pointChiefs === 0) issues.push('no_chief');
		if (r.kind === 'urban_park' && r.propertyCompanies === 0) issues.push('no_property_company');
		if (r.zeroEmploymentHouseholds > 0) issues.push('zero_employment');
		return { ...r, issues };
	});
}

export interface DuplicateRow {
	idNumber: string;
	name: string;
	households: {
		householdId: string | null;
		settlementName: string;
		headName: string;
	}[];
}

/**
 * 防止重复登记: the same ID number active in two households, here or in another point. Lists every
 * pair touching the actor's scope; a household outside it shows its settlement but no link.
 */
export async function listDuplicates(actor: Actor): Promise<DuplicateRow[]> {
	requireAnywhere(actor, 'compliance.read');
	const { settlement } = schema;
	const mine = scopeFilter(actor, 'compliance.read', {
		settlementId: sql`s.id`,
		regionPath: sql`s.region_path`
	});
	const result = await db().execute(sql`
		with dup as (
			select r.id_number
			from resident r
			join household h on h.id = r.household_id and h.status = 'active'
			join ${settlement} s on s.id = h.settlement_id
			where r.status = 'active' and ${mine}
			  and exists (
				select 1 from resident r2 join household h2 on h2.id = r2.household_id and h2.status = 'active'
				where r2.id_number = r.id_number and r2.status = 'active' and r2.household_id <> r.household_id)
			group by r.id_number
			limit 500
		)
		select r.id_number as "idNumber", r.name, h.id as "householdId", h.head_name as "headName",
			s.id as "settlementId", s.region_path as "regionPath", s.name as "settlementName"
		from dup
		join resident r on r.id_number = dup.id_number and r.status = 'active'
		join household h on h.id = r.household_id and h.status = 'active'
		join ${settlement} s on s.id = h.settlement_id
		order by r.id_number, s.name`);
	const byId = new Map<string, DuplicateRow>();
	for (const row of rowsOf<{
		idNumber: string;
		name: string;
		householdId: string;
		headName: string;
		settlementId: string;
		regionPath: string;
		settlementName: string;
	}>(result)) {
		const entry = byId.get(row.idNumber) ?? {
			idNumber: maskIdNumber(row.idNumber),
			name: row.name,
			households: []
		};
		const visible = can(actor, 'household.read', row);
		entry.households.push({
			householdId: visible ? row.householdId : null,
			settlementName: row.settlementName,
			headName: visible ? row.headName : ''
		});
		byId.set(row.idNumber, entry);
	}
	return [...byId.values()];
}
