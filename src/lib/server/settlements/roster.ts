import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { AssignmentKind, assignmentSchema, endAssignmentSchema } from '$lib/schemas/register';
import { can, requirePermission, type Actor } from '../access';
import * as audit from '../audit';
import { invalidateUserSessions } from '../auth/session';
import { db, schema } from '../db';
import type { Failure } from '../failure';
import type { Role } from '../db/schema';
import { getSettlement, type VisibleSettlement } from './places';
import { isUuid, refreshDerived, settlementResource } from './shared';
import { notFound } from './shared';

/** The role an assignment grants over the settlement; property staff work as community workers. */
const grantedRole: Partial<Record<AssignmentKind, Role>> = {
	point_chief: 'point_chief',
	point_admin: 'point_admin',
	property_staff: 'community_worker'
};

/** 点长, 专职管理员 and the property company are the county's to assign; staff and posts the point's. */
const permissionFor = (kind: AssignmentKind) =>
	kind === 'point_chief' || kind === 'point_admin' || kind === 'property_company'
		? ('roster.manage' as const)
		: ('roster.post' as const);

const postLabels = { security: '保安', cleaning: '保洁', greening: '保绿' } as const;

/** The point's roster: who holds each post now, and who held it before. */
export async function listRoster(actor: Actor, settlementId: string) {
	return rosterOf(actor, await getSettlement(actor, settlementId));
}

/** The roster of a settlement the caller has already checked with getSettlement. */
export async function rosterOf(actor: Actor, s: VisibleSettlement) {
	const { staffAssignment, user, resident } = schema;
	const rows = await db()
		.select({
			id: staffAssignment.id,
			kind: staffAssignment.kind,
			name: staffAssignment.name,
			postKind: staffAssignment.postKind,
			startedOn: staffAssignment.startedOn,
			endedOn: staffAssignment.endedOn,
			userDisplayName: user.displayName,
			username: user.username,
			residentName: resident.name
		})
		.from(staffAssignment)
		.leftJoin(user, eq(user.id, staffAssignment.userId))
		.leftJoin(resident, eq(resident.id, staffAssignment.residentId))
		.where(eq(staffAssignment.settlementId, s.id))
		.orderBy(
			sql`${staffAssignment.endedOn} is not null`,
			asc(staffAssignment.kind),
			desc(staffAssignment.startedOn)
		)
		.limit(300);
	const resource = { settlementId: s.id, regionPath: s.regionPath };
	return {
		current: rows.filter((r) => !r.endedOn),
		history: rows.filter((r) => r.endedOn),
		canManage: can(actor, 'roster.manage', resource),
		canPost: can(actor, 'roster.post', resource)
	};
}

/**
 * Assigns a post. Staff posts grant the matching role over the point; at most one 点长 and two
 * 专职管理员 at a time (hand over first); a public-welfare post is held by a resident of the point.
 */
export async function assignStaff(
	actor: Actor,
	settlementId: string,
	input: z.infer<typeof assignmentSchema>
): Promise<
	| { ok: true; id: string }
	| Failure<
			| 'no_user'
			| 'no_resident'
			| 'ambiguous_resident'
			| 'chief_exists'
			| 'admins_full'
			| 'company_exists'
			| 'already_assigned'
	  >
> {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'settlement.read', s ?? {}, 'read');
	if (!s) notFound();
	requirePermission(actor, permissionFor(input.kind), s, 'write');
	const { staffAssignment, user, roleGrant, resident, household } = schema;
	return db().transaction(async (tx) => {
		// serialise roster changes of one point, so two hand-overs cannot both pass the limits
		await tx.execute(sql`select id from settlement where id = ${settlementId} for update`);
		const current = await tx
			.select({
				kind: staffAssignment.kind,
				userId: staffAssignment.userId,
				residentId: staffAssignment.residentId
			})
			.from(staffAssignment)
			.where(and(eq(staffAssignment.settlementId, settlementId), isNull(staffAssignment.endedOn)));
		const count = (k: AssignmentKind) => current.filter((c) => c.kind === k).length;
		if (input.kind === 'point_chief' && count('point_chief') >= 1)
			return { ok: false, reason: 'chief_exists', field: 'kind' } as const;
		if (input.kind === 'point_admin' && count('point_admin') >= 2)
			return { ok: false, reason: 'admins_full', field: 'kind' } as const;
		if (input.kind === 'property_company' && count('property_company') >= 1)
			return { ok: false, reason: 'company_exists', field: 'kind' } as const;

		let userId: string | null = null;
		let residentId: string | null = null;
		let grantId: string | null = null;
		let name = input.name;
		const role = grantedRole[input.kind];
		if (role) {
			const [u] = await tx
				.select({ id: user.id, displayName: user.displayName, householdId: user.householdId })
				.from(user)
				.where(
					and(
						sql`lower(${user.username}) = ${input.username.toLowerCase()}`,
						isNull(user.disabledAt)
					)
				);
			// a resident's own account cannot be made staff here
			if (!u || u.householdId) return { ok: false, reason: 'no_user', field: 'username' } as const;
			if (current.some((c) => c.kind === input.kind && c.userId === u.id))
				return { ok: false, reason: 'already_assigned', field: 'username' } as const;
			userId = u.id;
			name ||= u.displayName;
			const [g] = await tx
				.insert(roleGrant)
				.values({ userId: u.id, role, scopeKind: 'settlement', settlementId, grantedBy: actor.id })
				.returning({ id: roleGrant.id });
			grantId = g.id;
			// a new role: the user signs in again and gets it
			await invalidateUserSessions(u.id, undefined, tx);
		}
		if (input.kind === 'public_post') {
			const byId = isUuid(input.residentId);
			const found = await tx
				.select({ id: resident.id, name: resident.name, householdId: resident.householdId })
				.from(resident)
				.innerJoin(household, eq(household.id, resident.householdId))
				.where(
					and(
						byId
							? eq(resident.id, input.residentId)
							: and(
									eq(resident.name, input.residentName),
									sql`${resident.idNumber} like ${'%' + input.residentIdTail}`
								),
						eq(resident.status, 'active'),
						eq(household.settlementId, settlementId),
						eq(household.status, 'active')
					)
				)
				.limit(2);
			const field = byId ? 'residentId' : 'residentName';
			if (found.length === 0) return { ok: false, reason: 'no_resident', field } as const;
			if (found.length > 1) return { ok: false, reason: 'ambiguous_resident', field } as const;
			const [m] = found;
			if (current.some((c) => c.kind === 'public_post' && c.residentId === m.id))
				return { ok: false, reason: 'already_assigned', field: 'residentId' } as const;
			residentId = m.id;
			name ||= m.name;
			// holding the post is the person's job: the register says so too
			await tx
				.update(resident)
				.set({
					employment: '公益性岗位',
					publicPost: postLabels[input.postKind as keyof typeof postLabels],
					updatedAt: new Date()
				})
				.where(eq(resident.id, m.id));
			await refreshDerived(tx, m.householdId);
		}
		const [a] = await tx
			.insert(staffAssignment)
			.values({
				settlementId,
				kind: input.kind,
				userId,
				residentId,
				name,
				postKind: input.kind === 'public_post' ? (input.postKind as keyof typeof postLabels) : null,
				grantId,
				startedOn: input.startedOn,
				createdBy: actor.id
			})
			.returning({ id: staffAssignment.id });
		await audit.record(tx, {
			actor,
			action: 'roster.assign',
			entity: 'settlement',
			entityId: settlementId,
			scopePath: s.regionPath,
			summary: { kind: input.kind, assignmentId: a.id, role: role ?? null }
		});
		return { ok: true, id: a.id } as const;
	});
}

/** Ends an assignment (hand-over); it stays in the history, and the role it gave is revoked. */
export async function endAssignment(
	actor: Actor,
	input: z.infer<typeof endAssignmentSchema>
): Promise<{ ok: true } | Failure<'ended' | 'before_start'>> {
	const { staffAssignment, roleGrant, resident } = schema;
	const [a] = await db()
		.select()
		.from(staffAssignment)
		.where(eq(staffAssignment.id, input.assignmentId));
	const s = a ? await settlementResource(a.settlementId) : null;
	requirePermission(actor, 'settlement.read', s ?? {}, 'read');
	if (!a || !s) notFound();
	requirePermission(actor, permissionFor(a.kind), s, 'write');
	if (input.endedOn < a.startedOn) return { ok: false, reason: 'before_start', field: 'endedOn' };
	return db().transaction(async (tx) => {
		const ended = await tx
			.update(staffAssignment)
			.set({ endedOn: input.endedOn })
			.where(and(eq(staffAssignment.id, a.id), isNull(staffAssignment.endedOn)))
			.returning({ id: staffAssignment.id });
		if (ended.length === 0) return { ok: false, reason: 'ended' } as const;
		if (a.grantId) {
			await tx
				.update(roleGrant)
				.set({ revokedAt: new Date() })
				.where(and(eq(roleGrant.id, a.grantId), isNull(roleGrant.revokedAt)));
			if (a.userId) await invalidateUserSessions(a.userId, undefined, tx);
		}
		if (a.kind === 'public_post' && a.residentId) {
			const [m] = await tx
				.update(resident)
				.set({ employment: '未就业', publicPost: null, updatedAt: new Date() })
				.where(and(eq(resident.id, a.residentId), eq(resident.employment, '公益性岗位')))
				.returning({ householdId: resident.householdId });
			if (m) await refreshDerived(tx, m.householdId);
		}
		await audit.record(tx, {
			actor,
			action: 'roster.end',
			entity: 'settlement',
			entityId: a.settlementId,
			scopePath: s.regionPath,
			summary: { kind: a.kind, assignmentId: a.id }
		});
		return { ok: true } as const;
	});
}
