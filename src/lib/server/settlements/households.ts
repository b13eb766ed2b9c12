import { and, asc, desc, eq, gt, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { maskIdNumber, maskPhone } from '$lib/mask';
import type { HouseholdTag } from '$lib/schemas/household';
import type {
	correctionResolveSchema,
	correctionSchema,
	endMembershipSchema,
	householdCreateSchema,
	householdUpdateSchema,
	memberFormSchema,
	moveOutSchema,
	revealSchema
} from '$lib/schemas/register';
import { can, requirePermission, scopeFilter, type Actor } from '../access';
import { raiseIfLastLaborerLeft } from '../activities/risks';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import { escapeLike } from '../db/like';
import type { Failure } from '../failure';
import { getSettlement } from './places';
import {
	householdResource,
	isUuid,
	notFound,
	refreshDerived,
	residentResource,
	residentValues,
	settlementResource
} from './shared';

export interface HouseholdQuery {
	/** a name (head or member), a unit like 3栋 or 502, or the last 4–6 characters of an ID number */
	search?: string;
	tag?: HouseholdTag;
	zeroEmployment?: boolean;
	after?: { name: string; id: string };
}

/** The household for a register write: 404 when the actor cannot see it, 403 when they cannot change it. */
async function writableHousehold(actor: Actor, householdId: string) {
	const h = await householdResource(householdId);
	requirePermission(actor, 'household.read', h ?? {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'household.update', h, 'write');
	return h;
}

/** The member for a register write, likewise. */
async function writableResident(actor: Actor, residentId: string) {
	const r = await residentResource(residentId);
	requirePermission(actor, 'household.read', r ?? {}, 'read');
	if (!r) notFound();
	requirePermission(actor, 'household.update', r, 'write');
	return r;
}

/** A page of a settlement's active households, keyset by (head name, id); never the whole table. */
export async function listHouseholds(actor: Actor, settlementId: string, q: HouseholdQuery = {}) {
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
	const search = q.search?.trim();
	if (search) {
		const prefix = escapeLike(search) + '%';
		const conditions: SQL[] = [
			sql`${household.headName} like ${prefix}`,
			sql`exists (select 1 from resident r where r.household_id = ${household}.id and r.status = 'active' and r.name like ${prefix})`
		];
		// 3栋2单元502 and 3栋-2单元-502 both find the unit (and nothing but separators finds nothing)
		const unit = search.replace(/[\s\-—_/]/g, '');
		if (unit)
			conditions.push(
				sql`(${household.building} || ${household.unitNo} || ${household.room}) like ${'%' + escapeLike(unit) + '%'}`
			);
		if (/^\d{3,5}[\dXx]$/.test(search))
			conditions.push(
				sql`exists (select 1 from resident r where r.household_id = ${household}.id and r.status = 'active' and r.id_number like ${'%' + search.toUpperCase()})`
			);
		where.push(or(...conditions)!);
	}
	if (q.tag) where.push(sql`${q.tag} = any(${household.tags})`);
	if (q.zeroEmployment) where.push(eq(household.zeroEmployment, true));
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
			tags: household.tags,
			zeroEmployment: household.zeroEmployment,
			// qualified by hand: in a one-table select drizzle writes a bare "id", which here is r.id
			members: sql<number>`(select count(*)::int from resident r where r.household_id = ${household}.id and r.status = 'active')`
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

/** One household with its members (personal data masked), flags and history; 404 outside scope. */
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
					originTownship: household.originTownship,
					originVillage: household.originVillage,
					movedInOn: household.movedInOn,
					tags: household.tags,
					zeroEmployment: household.zeroEmployment,
					status: household.status,
					endedOn: household.endedOn,
					endReason: household.endReason
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
	if (!h) notFound();
	const members = await db()
		.select()
		.from(resident)
		.where(eq(resident.householdId, householdId))
		.orderBy(
			sql`${resident.status} <> 'active'`,
			desc(resident.isHead),
			asc(resident.birthDate),
			asc(resident.id)
		);
	const duplicates = await findDuplicates(
		db(),
		householdId,
		members.filter((m) => m.status === 'active').map((m) => m.idNumber)
	);
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
			phone: maskPhone(m.phone),
			hasPhone: !!m.phone,
			schooling: m.schooling,
			health: m.health,
			disabilityLevel: m.disabilityLevel,
			laborAbility: m.laborAbility,
			employment: m.employment,
			employer: m.employer,
			job: m.job,
			publicPost: m.publicPost,
			training: m.training,
			status: m.status,
			endedOn: m.endedOn,
			endReason: m.endReason,
			// the same person active in another household (防止重复登记)
			duplicates: duplicates
				.filter((d) => d.idNumber === m.idNumber && m.status === 'active')
				.map((d) => ({
					householdId: can(actor, 'household.read', d) ? d.householdId : null,
					settlementName: d.settlementName
				}))
		}))
	};
}

/** Other active households holding any of these ID numbers. */
async function findDuplicates(executor: Executor, householdId: string, idNumbers: string[]) {
	if (idNumbers.length === 0) return [];
	const { household, settlement, resident } = schema;
	return executor
		.select({
			idNumber: resident.idNumber,
			householdId: household.id,
			settlementId: household.settlementId,
			regionPath: settlement.regionPath,
			settlementName: settlement.name
		})
		.from(resident)
		.innerJoin(household, eq(household.id, resident.householdId))
		.innerJoin(settlement, eq(settlement.id, household.settlementId))
		.where(
			and(
				inArray(resident.idNumber, idNumbers),
				eq(resident.status, 'active'),
				eq(household.status, 'active'),
				ne(household.id, householdId)
			)
		)
		.limit(50);
}

/** The members of a household for a form's choices (e.g. the new head, a public-post holder). */
export async function listActiveMembers(actor: Actor, householdId: string) {
	const h = await getHousehold(actor, householdId);
	return h.members.filter((m) => m.status === 'active');
}

type HouseholdCreate = z.infer<typeof householdCreateSchema>;

/**
 * Serialises writes to one household (or, for addresses, one settlement): under READ COMMITTED the
 * checks that follow see whatever a concurrent writer committed before us.
 */
async function lockSettlement(executor: Executor, id: string) {
	await executor.execute(sql`select id from settlement where id = ${id} for update`);
}

/** Locks a household and tells whether it is still active, as a concurrent move-out may have ended it. */
async function lockHousehold(executor: Executor, id: string): Promise<boolean> {
	const { household } = schema;
	const [row] = await executor
		.select({ status: household.status })
		.from(household)
		.where(eq(household.id, id))
		.for('update');
	return row?.status === 'active';
}

/** A member as it is after the household lock (a double submit sees the first one's work); null once ended. */
async function activeMember(executor: Executor, residentId: string) {
	const { resident } = schema;
	const [row] = await executor
		.select({ status: resident.status, isHead: resident.isHead })
		.from(resident)
		.where(eq(resident.id, residentId));
	return row?.status === 'active' ? row : null;
}

/** A public-welfare post ends when its holder leaves the point. */
async function endPostsOf(executor: Executor, residentIds: string[], endedOn: string) {
	if (residentIds.length === 0) return;
	const { staffAssignment } = schema;
	await executor
		.update(staffAssignment)
		.set({ endedOn })
		.where(
			and(
				inArray(staffAssignment.residentId, residentIds),
				eq(staffAssignment.kind, 'public_post'),
				sql`${staffAssignment.endedOn} is null`
			)
		);
}

async function unitTaken(
	executor: Executor,
	settlementId: string,
	unit: { building: string; unitNo: string; room: string },
	exceptHouseholdId?: string
) {
	const { household } = schema;
	const [row] = await executor
		.select({ id: household.id })
		.from(household)
		.where(
			and(
				eq(household.settlementId, settlementId),
				eq(household.building, unit.building),
				eq(household.unitNo, unit.unitNo),
				eq(household.room, unit.room),
				eq(household.status, 'active'),
				exceptHouseholdId ? ne(household.id, exceptHouseholdId) : undefined
			)
		)
		.limit(1);
	return !!row;
}

/** Registers a household with its head. Fails when the unit is occupied or the head is already in it. */
export async function createHousehold(
	actor: Actor,
	settlementId: string,
	input: HouseholdCreate
): Promise<{ ok: true; id: string; duplicate: boolean } | Failure<'unit_taken'>> {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'settlement.read', s ?? {}, 'read');
	if (!s) notFound();
	requirePermission(actor, 'household.update', s, 'write');
	const { household, resident } = schema;
	return db().transaction(async (tx) => {
		await lockSettlement(tx, settlementId);
		if (await unitTaken(tx, settlementId, input))
			return { ok: false, reason: 'unit_taken', field: 'room' } as const;
		const [h] = await tx
			.insert(household)
			.values({
				settlementId,
				building: input.building,
				unitNo: input.unitNo,
				room: input.room,
				headName: input.name,
				originTownship: input.originTownship,
				originVillage: input.originVillage,
				movedInOn: input.movedInOn,
				tags: input.tags
			})
			.returning({ id: household.id });
		await tx
			.insert(resident)
			.values({ householdId: h.id, relation: '户主', isHead: true, ...residentValues(input) });
		await refreshDerived(tx, h.id);
		const duplicate = (await findDuplicates(tx, h.id, [input.idNumber])).length > 0;
		await audit.record(tx, {
			actor,
			action: 'household.create',
			entity: 'household',
			entityId: h.id,
			scopePath: s.regionPath,
			summary: { settlementId, members: 1, duplicate }
		});
		return { ok: true, id: h.id, duplicate } as const;
	});
}

/** Changes a household's address, origin, move-in date or tags. */
export async function updateHousehold(
	actor: Actor,
	householdId: string,
	input: z.infer<typeof householdUpdateSchema>
): Promise<{ ok: true } | Failure<'unit_taken' | 'ended'>> {
	const h = await writableHousehold(actor, householdId);
	if (h.status !== 'active') return { ok: false, reason: 'ended' };
	const { household } = schema;
	return db().transaction(async (tx) => {
		await lockSettlement(tx, h.settlementId);
		if (!(await lockHousehold(tx, householdId))) return { ok: false, reason: 'ended' } as const;
		if (await unitTaken(tx, h.settlementId, input, householdId))
			return { ok: false, reason: 'unit_taken', field: 'room' } as const;
		const [before] = await tx.select().from(household).where(eq(household.id, householdId));
		await tx
			.update(household)
			.set({
				building: input.building,
				unitNo: input.unitNo,
				room: input.room,
				originTownship: input.originTownship,
				originVillage: input.originVillage,
				movedInOn: input.movedInOn,
				tags: input.tags,
				updatedAt: new Date()
			})
			.where(eq(household.id, householdId));
		const changed = (Object.keys(input) as (keyof typeof input)[]).filter(
			(k) => JSON.stringify(before[k]) !== JSON.stringify(input[k])
		);
		await audit.record(tx, {
			actor,
			action: 'household.update',
			entity: 'household',
			entityId: householdId,
			scopePath: h.regionPath,
			summary: { changed }
		});
		return { ok: true } as const;
	});
}

/** Adds a member. A person already active in another household is added but flagged as a duplicate. */
export async function addMember(
	actor: Actor,
	householdId: string,
	input: z.infer<typeof memberFormSchema>
): Promise<
	{ ok: true; id: string; duplicate: boolean } | Failure<'ended' | 'already_member' | 'head_exists'>
> {
	const h = await writableHousehold(actor, householdId);
	if (h.status !== 'active') return { ok: false, reason: 'ended' };
	const { resident } = schema;
	return db().transaction(async (tx) => {
		if (!(await lockHousehold(tx, householdId))) return { ok: false, reason: 'ended' } as const;
		const active = await tx
			.select({ idNumber: resident.idNumber, isHead: resident.isHead })
			.from(resident)
			.where(and(eq(resident.householdId, householdId), eq(resident.status, 'active')));
		if (active.some((m) => m.idNumber === input.idNumber))
			return { ok: false, reason: 'already_member', field: 'idNumber' } as const;
		if (input.relation === '户主' && active.some((m) => m.isHead))
			return { ok: false, reason: 'head_exists', field: 'relation' } as const;
		const [m] = await tx
			.insert(resident)
			.values({
				householdId,
				relation: input.relation,
				isHead: input.relation === '户主',
				...residentValues(input)
			})
			.returning({ id: resident.id });
		await refreshDerived(tx, householdId);
		const duplicate = (await findDuplicates(tx, householdId, [input.idNumber])).length > 0;
		await audit.record(tx, {
			actor,
			action: 'resident.create',
			entity: 'resident',
			entityId: m.id,
			scopePath: h.regionPath,
			summary: { householdId, relation: input.relation, duplicate }
		});
		return { ok: true, id: m.id, duplicate } as const;
	});
}

/** The member's full record for the edit form (ID number and phone masked; they are re-entered to change). */
export async function getMemberForEdit(actor: Actor, residentId: string) {
	const r = await writableResident(actor, residentId);
	const { resident } = schema;
	const [m] = await db().select().from(resident).where(eq(resident.id, residentId));
	return { ...m, resource: r };
}

/** Corrects a member's record. The head stays the head; the household's head name follows the head. */
export async function updateMember(
	actor: Actor,
	residentId: string,
	input: z.infer<typeof memberFormSchema>
): Promise<{ ok: true } | Failure<'ended' | 'head_exists' | 'head_relation' | 'already_member'>> {
	const r = await writableResident(actor, residentId);
	if (r.status !== 'active') return { ok: false, reason: 'ended' };
	const { resident, household } = schema;
	return db().transaction(async (tx) => {
		const current = (await lockHousehold(tx, r.householdId))
			? await activeMember(tx, residentId)
			: null;
		if (!current) return { ok: false, reason: 'ended' } as const;
		const others = await tx
			.select({ id: resident.id, idNumber: resident.idNumber, isHead: resident.isHead })
			.from(resident)
			.where(
				and(
					eq(resident.householdId, r.householdId),
					eq(resident.status, 'active'),
					ne(resident.id, residentId)
				)
			);
		if (others.some((m) => m.idNumber === input.idNumber))
			return { ok: false, reason: 'already_member', field: 'idNumber' } as const;
		if (current.isHead && input.relation !== '户主')
			return { ok: false, reason: 'head_relation', field: 'relation' } as const;
		if (!current.isHead && input.relation === '户主')
			return { ok: false, reason: 'head_exists', field: 'relation' } as const;
		const [before] = await tx.select().from(resident).where(eq(resident.id, residentId));
		const values = residentValues(input);
		await tx
			.update(resident)
			.set({ ...values, relation: input.relation, updatedAt: new Date() })
			.where(eq(resident.id, residentId));
		if (current.isHead)
			await tx
				.update(household)
				.set({ headName: input.name, updatedAt: new Date() })
				.where(eq(household.id, r.householdId));
		await refreshDerived(tx, r.householdId);
		const changed = (Object.keys(values) as (keyof typeof values)[]).filter(
			(k) => (before[k] ?? null) !== (values[k] ?? null)
		);
		await audit.record(tx, {
			actor,
			action: 'resident.update',
			entity: 'resident',
			entityId: residentId,
			scopePath: r.regionPath,
			// field names only: the values are personal data
			summary: { householdId: r.householdId, changed }
		});
		return { ok: true } as const;
	});
}

/** Ends a membership by moving out or death; the record stays. The last member leaving ends the household. */
export async function endMembership(
	actor: Actor,
	residentId: string,
	input: z.infer<typeof endMembershipSchema>
): Promise<{ ok: true; householdEnded: boolean } | Failure<'ended' | 'new_head_needed'>> {
	const r = await writableResident(actor, residentId);
	if (r.status !== 'active') return { ok: false, reason: 'ended' };
	const { resident, household } = schema;
	return db().transaction(async (tx) => {
		const current = (await lockHousehold(tx, r.householdId))
			? await activeMember(tx, residentId)
			: null;
		if (!current) return { ok: false, reason: 'ended' } as const;
		const others = await tx
			.select({ id: resident.id, name: resident.name })
			.from(resident)
			.where(
				and(
					eq(resident.householdId, r.householdId),
					eq(resident.status, 'active'),
					ne(resident.id, residentId)
				)
			);
		const newHead = current.isHead ? others.find((o) => o.id === input.newHeadId) : undefined;
		if (current.isHead && others.length > 0 && !newHead)
			return { ok: false, reason: 'new_head_needed', field: 'newHeadId' } as const;
		await tx
			.update(resident)
			.set({
				status: input.reason,
				isHead: false,
				endedOn: input.endedOn,
				endReason: input.note || null,
				updatedAt: new Date()
			})
			.where(eq(resident.id, residentId));
		await endPostsOf(tx, [residentId], input.endedOn);
		if (newHead) {
			await tx
				.update(resident)
				.set({ isHead: true, relation: '户主', updatedAt: new Date() })
				.where(eq(resident.id, newHead.id));
			await tx
				.update(household)
				.set({ headName: newHead.name, updatedAt: new Date() })
				.where(eq(household.id, r.householdId));
		}
		const householdEnded = others.length === 0;
		if (householdEnded)
			await tx
				.update(household)
				.set({
					status: 'moved_out',
					endedOn: input.endedOn,
					endReason: input.note || input.reason,
					updatedAt: new Date()
				})
				.where(eq(household.id, r.householdId));
		await refreshDerived(tx, r.householdId);
		await raiseIfLastLaborerLeft(tx, r.householdId, residentId);
		await audit.record(tx, {
			actor,
			action: input.reason === 'deceased' ? 'resident.death' : 'resident.move_out',
			entity: 'resident',
			entityId: residentId,
			scopePath: r.regionPath,
			summary: { householdId: r.householdId, newHead: !!newHead, householdEnded }
		});
		return { ok: true, householdEnded } as const;
	});
}

/** The whole household moves out: it and its active members leave the active register. */
export async function moveOutHousehold(
	actor: Actor,
	householdId: string,
	input: z.infer<typeof moveOutSchema>
): Promise<{ ok: true } | Failure<'ended'>> {
	const h = await writableHousehold(actor, householdId);
	const { resident, household } = schema;
	return db().transaction(async (tx) => {
		const [locked] = await tx
			.select({ status: household.status })
			.from(household)
			.where(eq(household.id, householdId))
			.for('update');
		if (locked.status !== 'active') return { ok: false, reason: 'ended' } as const;
		const moved = await tx
			.update(resident)
			.set({
				status: 'moved_out',
				endedOn: input.endedOn,
				endReason: input.note,
				updatedAt: new Date()
			})
			.where(and(eq(resident.householdId, householdId), eq(resident.status, 'active')))
			.returning({ id: resident.id });
		await endPostsOf(
			tx,
			moved.map((m) => m.id),
			input.endedOn
		);
		await tx
			.update(household)
			.set({
				status: 'moved_out',
				endedOn: input.endedOn,
				endReason: input.note,
				zeroEmployment: false,
				updatedAt: new Date()
			})
			.where(eq(household.id, householdId));
		await audit.record(tx, {
			actor,
			action: 'household.move_out',
			entity: 'household',
			entityId: householdId,
			scopePath: h.regionPath,
			summary: { members: moved.length }
		});
		return { ok: true } as const;
	});
}

/** Shows one full ID number or phone to a role that needs it, with the reason written to the audit log. */
export async function revealField(
	actor: Actor,
	input: z.infer<typeof revealSchema>
): Promise<{ ok: true; value: string }> {
	const r = await residentResource(input.residentId);
	requirePermission(actor, 'household.read', r ?? {}, 'read');
	if (!r) notFound();
	requirePermission(actor, 'person.reveal', r, 'write');
	const { resident } = schema;
	return db().transaction(async (tx) => {
		const [m] = await tx
			.select({ idNumber: resident.idNumber, phone: resident.phone })
			.from(resident)
			.where(eq(resident.id, input.residentId));
		await audit.record(tx, {
			actor,
			action: 'person.reveal',
			entity: 'resident',
			entityId: input.residentId,
			scopePath: r.regionPath,
			summary: { field: input.field, reason: input.reason, householdId: r.householdId }
		});
		return { ok: true, value: (input.field === 'idNumber' ? m.idNumber : m.phone) ?? '' } as const;
	});
}

/** A resident asks for a correction of their own household's record. */
export async function requestCorrection(
	actor: Actor,
	householdId: string,
	input: z.infer<typeof correctionSchema>
): Promise<{ ok: true; id: string } | Failure<'no_member'>> {
	const h = await householdResource(householdId);
	requirePermission(actor, 'household.read', h ?? {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'correction.create', h, 'write');
	const { correctionRequest, resident } = schema;
	return db().transaction(async (tx) => {
		let residentId: string | null = null;
		if (input.residentId) {
			const [m] = isUuid(input.residentId)
				? await tx
						.select({ id: resident.id })
						.from(resident)
						.where(and(eq(resident.id, input.residentId), eq(resident.householdId, householdId)))
				: [];
			if (!m) return { ok: false, reason: 'no_member', field: 'residentId' } as const;
			residentId = m.id;
		}
		const [c] = await tx
			.insert(correctionRequest)
			.values({
				householdId,
				residentId,
				field: input.field,
				message: input.message,
				createdBy: actor.id
			})
			.returning({ id: correctionRequest.id });
		await audit.record(tx, {
			actor,
			action: 'correction.create',
			entity: 'household',
			entityId: householdId,
			scopePath: h.regionPath,
			summary: { field: input.field }
		});
		return { ok: true, id: c.id } as const;
	});
}

/** The correction requests of a household, newest first. */
export async function listCorrections(actor: Actor, householdId: string) {
	const h = await householdResource(householdId);
	requirePermission(actor, 'household.read', h ?? {}, 'read');
	if (!h) notFound();
	const { correctionRequest } = schema;
	return db()
		.select({
			id: correctionRequest.id,
			field: correctionRequest.field,
			message: correctionRequest.message,
			status: correctionRequest.status,
			createdAt: correctionRequest.createdAt,
			resolution: correctionRequest.resolution,
			resolvedAt: correctionRequest.resolvedAt
		})
		.from(correctionRequest)
		.where(eq(correctionRequest.householdId, householdId))
		.orderBy(desc(correctionRequest.createdAt))
		.limit(50);
}

/** The point admin closes a correction request with what was done. */
export async function resolveCorrection(
	actor: Actor,
	input: z.infer<typeof correctionResolveSchema>
): Promise<{ ok: true } | Failure<'not_open'>> {
	const { correctionRequest } = schema;
	const [c] = await db()
		.select({ householdId: correctionRequest.householdId })
		.from(correctionRequest)
		.where(eq(correctionRequest.id, input.correctionId));
	const h = c ? await householdResource(c.householdId) : null;
	requirePermission(actor, 'household.read', h ?? {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'household.update', h, 'write');
	return db().transaction(async (tx) => {
		const updated = await tx
			.update(correctionRequest)
			.set({
				status: input.status,
				resolution: input.resolution,
				resolvedBy: actor.id,
				resolvedAt: new Date()
			})
			.where(
				and(eq(correctionRequest.id, input.correctionId), eq(correctionRequest.status, 'open'))
			)
			.returning({ id: correctionRequest.id });
		if (updated.length === 0) return { ok: false, reason: 'not_open' } as const;
		await audit.record(tx, {
			actor,
			action: 'correction.resolve',
			entity: 'household',
			entityId: h.householdId,
			scopePath: h.regionPath,
			summary: { status: input.status }
		});
		return { ok: true } as const;
	});
}
