import { error } from '@sveltejs/kit';
import { eq, sql } from 'drizzle-orm';
import { employedStatuses, type Member } from '$lib/schemas/household';
import { raiseRegisterFlag } from '../activities/risks';
import { db, schema, type Executor } from '../db';

export function isUuid(s: string | null | undefined): s is string {
	return !!s && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

export function notFound(): never {
	error(404, '页面不存在');
}

/** A settlement as a resource for `can()`; null when there is none. */
export async function settlementResource(settlementId: string, executor: Executor = db()) {
	if (!isUuid(settlementId)) return null;
	const { settlement } = schema;
	const [row] = await executor
		.select({
			settlementId: settlement.id,
			regionPath: settlement.regionPath,
			name: settlement.name,
			kind: settlement.kind
		})
		.from(settlement)
		.where(eq(settlement.id, settlementId));
	return row ?? null;
}

/** A household as a resource for `can()`, with its settlement's scope; null when there is none. */
export async function householdResource(householdId: string, executor: Executor = db()) {
	if (!isUuid(householdId)) return null;
	const { household, settlement } = schema;
	const [row] = await executor
		.select({
			householdId: household.id,
			settlementId: household.settlementId,
			regionPath: settlement.regionPath,
			status: household.status,
			headName: household.headName
		})
		.from(household)
		.innerJoin(settlement, eq(settlement.id, household.settlementId))
		.where(eq(household.id, householdId));
	return row ?? null;
}

/** A member as a resource for `can()`: the household's scope plus the member's own row. */
export async function residentResource(residentId: string, executor: Executor = db()) {
	if (!isUuid(residentId)) return null;
	const { household, settlement, resident } = schema;
	const [row] = await executor
		.select({
			residentId: resident.id,
			householdId: resident.householdId,
			settlementId: household.settlementId,
			regionPath: settlement.regionPath,
			status: resident.status,
			isHead: resident.isHead,
			name: resident.name
		})
		.from(resident)
		.innerJoin(household, eq(household.id, resident.householdId))
		.innerJoin(settlement, eq(settlement.id, household.settlementId))
		.where(eq(resident.id, residentId));
	return row ?? null;
}

// SQL pieces shared by the figures, over a resident aliased `r`: who counts as labour, employed, old, young
const employedList = sql.join(
	employedStatuses.map((s) => sql`${s}`),
	sql`, `
);
export const rIsEmployed = sql`r.employment in (${employedList})`;
export const rAge = sql`date_part('year', age(current_date, r.birth_date))`;
/** 劳动力: able to work, 16–59, not a pupil nor retired (the same rule as isZeroEmployment). */
export const rIsLaborer = sql`(r.labor_ability in ('弱劳动力', '普通劳动力', '技能劳动力') and r.employment not in ('在校学生', '退休或无需就业') and ${rAge} between 16 and 59)`;
/** 一老一小: 60 and over; under 14. */
export const rIsElderly = sql`${rAge} >= 60`;
export const rIsChild = sql`${rAge} < 14`;

/**
 * Recomputes a household's derived zero-employment flag inside the caller's transaction; a
 * household that becomes zero-employment (not one registered so in this transaction) raises a
 * risk flag by the register rule, in the same transaction.
 */
export async function refreshDerived(executor: Executor, householdId: string) {
	const [row] = rowsOf<{ became: boolean }>(
		await executor.execute(sql`
		with before as (select zero_employment, created_at from household where id = ${householdId})
		update household h set zero_employment = (
			not exists (select 1 from resident r where r.household_id = h.id and r.status = 'active' and ${rIsEmployed})
			and exists (select 1 from resident r where r.household_id = h.id and r.status = 'active' and ${rIsLaborer})
		), updated_at = now()
		where h.id = ${householdId}
		returning (h.zero_employment and h.status = 'active' and not (select zero_employment from before)
			and (select created_at from before) < now()) as became`)
	);
	if (row?.became) await raiseRegisterFlag(executor, { householdId, rule: 'zero_employment' });
}

/** Rows of a raw `execute`, whichever engine ran it (postgres.js gives an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
	return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** A member's details as the resident row stores them (relation and head are the caller's). */
export function residentValues(m: Omit<Member, 'relation'>) {
	return {
		name: m.name,
		idNumber: m.idNumber,
		gender: m.gender,
		birthDate: m.birthDate,
		phone: m.phone || null,
		schooling: m.schooling,
		health: m.health,
		disabilityLevel: m.disabilityLevel ?? null,
		laborAbility: m.laborAbility,
		employment: m.employment,
		employer: m.employer || null,
		job: m.job || null,
		publicPost: m.publicPost || null,
		training: m.training || null
	};
}
