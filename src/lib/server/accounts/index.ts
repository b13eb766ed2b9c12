import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { error } from '@sveltejs/kit';
import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { createUserSchema, registerSchema } from '$lib/schemas/accounts';
import { roleScopeKind } from '$lib/schemas/roles';
import {
	can,
	isStaff,
	loadGrants,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor
} from '../access';
import * as audit from '../audit';
import { burnPasswordCheck, hashPassword, verifyPasswordHash } from '../auth/password';
import { consume, isExhausted, loginLimits, reset } from '../auth/rate-limit';
import { createSession, generateSessionToken, invalidateUserSessions } from '../auth/session';
import { db, schema, type Executor } from '../db';
import { escapeLike } from '../db/like';
import type { Failure } from '../failure';
import { isUuid } from '../settlements';
import type { Role } from '../db/schema';

/** Signs a user in by username or phone; throttled per address and per account before any hashing. */
export async function login(
	input: { username: string; password: string },
	ctx: { ip: string }
): Promise<
	| { ok: true; token: string; expiresAt: Date; user: { id: string; displayName: string } }
	| Failure<'throttled' | 'invalid'>
> {
	const name = input.username.trim().toLowerCase();
	const accountKey = `login:account:${name}`;
	const ipAllowed = await consume(`login:ip:${ctx.ip}`, loginLimits.ip);
	if (!ipAllowed || (await isExhausted(accountKey, loginLimits.account))) {
		await audit.record(db(), {
			action: 'login.throttled',
			entity: 'user',
			summary: { username: name.slice(0, 64) },
			ip: ctx.ip
		});
		return { ok: false, reason: 'throttled' };
	}
	const { user } = schema;
	const [found] = await db()
		.select()
		.from(user)
		.where(or(sql`lower(${user.username}) = ${name}`, eq(user.phone, name)))
		.limit(1);
	const valid = found
		? await verifyPasswordHash(found.passwordHash, input.password)
		: await burnPasswordCheck(input.password);
	const grants = found ? await loadGrants(found.id) : [];
	// county staff see their own people's sign-ins in the audit log
	const scopePath = grants.map((g) => ('regionPath' in g ? g.regionPath : null)).find(Boolean);
	if (!found || !valid || found.disabledAt) {
		await consume(accountKey, loginLimits.account);
		await audit.record(db(), {
			actor: found ? { id: found.id, displayName: found.displayName } : null,
			action: 'login.failure',
			entity: 'user',
			entityId: found?.id,
			scopePath,
			summary: { username: name.slice(0, 64) },
			ip: ctx.ip
		});
		return { ok: false, reason: 'invalid' };
	}
	await reset(accountKey);
	const token = generateSessionToken();
	const session = await db().transaction(async (tx) => {
		const s = await createSession(token, found.id, isStaff({ grants }), tx);
		await audit.record(tx, {
			actor: found,
			action: 'login.success',
			entity: 'user',
			entityId: found.id,
			scopePath,
			ip: ctx.ip
		});
		return s;
	});
	return {
		ok: true,
		token,
		expiresAt: session.expiresAt,
		user: { id: found.id, displayName: found.displayName }
	};
}

export function hashInvitationCode(code: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(code.trim().toUpperCase())));
}

const codeAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** 8 characters of 32 (40 bits), without 0/O and 1/I that people misread. */
export function generateInvitationCode(): string {
	const bytes = new Uint8Array(8);
	crypto.getRandomValues(bytes);
	return Array.from(bytes, (b) => codeAlphabet[b % 32]).join('');
}

/** Issues a household's one-time registration code; shown once, only its hash kept. Fails with 403. */
export async function issueInvitation(actor: Actor, householdId: string) {
	const { household, settlement, invitation } = schema;
	const [h] = isUuid(householdId)
		? await db()
				.select({
					id: household.id,
					settlementId: household.settlementId,
					regionPath: settlement.regionPath
				})
				.from(household)
				.innerJoin(settlement, eq(settlement.id, household.settlementId))
				.where(eq(household.id, householdId))
		: [];
	requirePermission(actor, 'household.read', h ?? {}, 'read');
	if (!h) error(404, '页面不存在');
	requirePermission(actor, 'household.invite', h, 'write');
	const code = generateInvitationCode();
	const expiresAt = new Date(Date.now() + 14 * 24 * 3600 * 1000);
	await db().transaction(async (tx) => {
		await tx.insert(invitation).values({
			codeHash: hashInvitationCode(code),
			householdId,
			issuedBy: actor.id,
			expiresAt
		});
		await audit.record(tx, {
			actor,
			action: 'invitation.issue',
			entity: 'household',
			entityId: householdId,
			scopePath: h.regionPath
		});
	});
	return { code, expiresAt };
}

/** A resident registers with phone + invitation code; the account is linked to the household. */
export async function register(
	input: z.infer<typeof registerSchema>,
	ctx: { ip: string }
): Promise<
	| { ok: true; token: string; expiresAt: Date }
	| Failure<'throttled' | 'invalid_code' | 'phone_taken'>
> {
	if (!(await consume(`register:ip:${ctx.ip}`, { max: 10, windowSeconds: 600 })))
		return { ok: false, reason: 'throttled' };
	const { invitation, household, settlement, user, roleGrant } = schema;
	const passwordHash = await hashPassword(input.password);
	const token = generateSessionToken();
	const result = db().transaction(async (tx) => {
		const [inv] = await tx
			.select({
				id: invitation.id,
				householdId: invitation.householdId,
				settlementId: household.settlementId,
				regionPath: settlement.regionPath
			})
			.from(invitation)
			.innerJoin(household, eq(household.id, invitation.householdId))
			.innerJoin(settlement, eq(settlement.id, household.settlementId))
			.where(
				and(
					eq(invitation.codeHash, hashInvitationCode(input.invitationCode)),
					isNull(invitation.usedAt),
					sql`${invitation.expiresAt} > now()`
				)
			)
			.for('update', { of: invitation });
		if (!inv) return { ok: false, reason: 'invalid_code', field: 'invitationCode' } as const;
		const [taken] = await tx
			.select({ id: user.id })
			.from(user)
			.where(or(eq(user.phone, input.phone), sql`lower(${user.username}) = ${input.phone}`));
		if (taken) return { ok: false, reason: 'phone_taken', field: 'phone' } as const;
		const [created] = await tx
			.insert(user)
			.values({
				username: input.phone,
				displayName: input.displayName,
				phone: input.phone,
				passwordHash,
				householdId: inv.householdId
			})
			.returning({ id: user.id });
		await tx.insert(roleGrant).values({
			userId: created.id,
			role: 'resident',
			scopeKind: 'settlement',
			settlementId: inv.settlementId
		});
		await tx
			.update(invitation)
			.set({ usedAt: new Date(), usedBy: created.id })
			.where(eq(invitation.id, inv.id));
		const session = await createSession(token, created.id, false, tx);
		await audit.record(tx, {
			actor: { id: created.id, displayName: input.displayName },
			action: 'user.register',
			entity: 'user',
			entityId: created.id,
			scopePath: inv.regionPath,
			summary: { householdId: inv.householdId },
			ip: ctx.ip
		});
		return { ok: true, token, expiresAt: session.expiresAt } as const;
	});
	// the same phone registering at once with two codes: the loser hits the unique index
	return result.catch((e: unknown) => {
		if (uniqueViolation(e) === null) throw e;
		return { ok: false, reason: 'phone_taken', field: 'phone' } as const;
	});
}

/**
 * The index a unique violation hit ('' when the driver does not say), or null for any other
 * error; postgres.js and PGlite errors arrive wrapped by drizzle as the cause.
 */
function uniqueViolation(e: unknown): string | null {
	for (let err = e; err instanceof Error; err = err.cause) {
		const pg = err as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
		if (pg.code === '23505') return String(pg.constraint_name ?? pg.constraint ?? '');
	}
	return null;
}

/** Changes the actor's password and ends every other session of theirs. */
export async function changePassword(
	actor: Actor,
	currentSessionId: string,
	input: { current: string; password: string }
): Promise<{ ok: true } | Failure<'wrong_password'>> {
	const { user } = schema;
	const [row] = await db().select().from(user).where(eq(user.id, actor.id));
	if (!row || !(await verifyPasswordHash(row.passwordHash, input.current)))
		return { ok: false, reason: 'wrong_password', field: 'current' };
	const passwordHash = await hashPassword(input.password);
	await db().transaction(async (tx) => {
		await tx.update(user).set({ passwordHash }).where(eq(user.id, actor.id));
		await invalidateUserSessions(actor.id, currentSessionId, tx);
		await audit.record(tx, { actor, action: 'user.password', entity: 'user', entityId: actor.id });
	});
	return { ok: true };
}

export interface GrantInput {
	role: Role;
	scopeKind: 'global' | 'region' | 'settlement' | 'organization';
	scopeId?: string;
}

/** Resolves a grant's scope to the resource `can()` checks, or null when the scope does not exist. */
async function scopeResource(g: GrantInput, executor: Executor) {
	const { region, settlement, organization } = schema;
	switch (g.scopeKind) {
		case 'global':
			return { regionPath: null };
		case 'region': {
			const [r] = await executor.select().from(region).where(eq(region.id, g.scopeId!));
			return r ? { regionPath: r.path, regionId: r.id } : null;
		}
		case 'settlement': {
			const [s] = await executor.select().from(settlement).where(eq(settlement.id, g.scopeId!));
			return s ? { regionPath: s.regionPath, settlementId: s.id } : null;
		}
		case 'organization': {
			const [o] = await executor.select().from(organization).where(eq(organization.id, g.scopeId!));
			return o ? { regionPath: o.regionPath, organizationId: o.id } : null;
		}
	}
}

/** Checks that a grant is well-formed and that the actor may hand it out. */
async function checkGrant(actor: Actor, g: GrantInput, executor: Executor) {
	if (roleScopeKind[g.role] !== g.scopeKind)
		return { ok: false, reason: 'scope_mismatch', field: 'scopeKind' } as const;
	const resource = await scopeResource(g, executor);
	if (!resource) return { ok: false, reason: 'no_scope', field: 'scopeId' } as const;
	// only a system admin hands out global grants; others only inside their own region
	const allowed =
		g.scopeKind === 'global'
			? can(actor, 'user.manage', {}) && actor.grants.some((x) => x.scope === 'global')
			: can(actor, 'user.manage', resource);
	if (!allowed || (g.role === 'system_admin' && !actor.grants.some((x) => x.scope === 'global')))
		return { ok: false, reason: 'forbidden', field: 'scopeId' } as const;
	return { ok: true, resource } as const;
}

/** Creates a staff or organisation account with one grant. Fails on a taken name or a scope the actor does not hold. */
export async function createUser(
	actor: Actor,
	input: z.infer<typeof createUserSchema>
): Promise<
	| { ok: true; id: string }
	| Failure<'username_taken' | 'phone_taken' | 'scope_mismatch' | 'no_scope' | 'forbidden'>
> {
	requireAnywhere(actor, 'user.manage', 'write');
	if (!actor.grants.some((g) => g.scope === 'global' || g.scope === 'region'))
		return { ok: false, reason: 'forbidden' };
	const passwordHash = await hashPassword(input.password);
	const { user, roleGrant } = schema;
	const result = db().transaction(async (tx) => {
		const grant: GrantInput = {
			role: input.role,
			scopeKind: roleScopeKind[input.role],
			scopeId: input.scopeId
		};
		const check = await checkGrant(actor, grant, tx);
		if (!check.ok) return check;
		const [taken] = await tx
			.select({ id: user.id })
			.from(user)
			.where(sql`lower(${user.username}) = ${input.username.toLowerCase()}`);
		if (taken) return { ok: false, reason: 'username_taken', field: 'username' } as const;
		if (input.phone) {
			const [p] = await tx.select({ id: user.id }).from(user).where(eq(user.phone, input.phone));
			if (p) return { ok: false, reason: 'phone_taken', field: 'phone' } as const;
		}
		const [created] = await tx
			.insert(user)
			.values({
				username: input.username,
				displayName: input.displayName,
				phone: input.phone || null,
				passwordHash
			})
			.returning({ id: user.id });
		await tx.insert(roleGrant).values(grantRow(created.id, grant, actor.id));
		await audit.record(tx, {
			actor,
			action: 'user.create',
			entity: 'user',
			entityId: created.id,
			scopePath: check.resource.regionPath,
			summary: { username: input.username, role: input.role, scopeKind: grant.scopeKind }
		});
		return { ok: true, id: created.id } as const;
	});
	// the same account submitted twice at once: the loser hits a unique index
	return result.catch((e: unknown) => {
		const index = uniqueViolation(e);
		if (index === null) throw e;
		return index === 'user_phone_key'
			? ({ ok: false, reason: 'phone_taken', field: 'phone' } as const)
			: ({ ok: false, reason: 'username_taken', field: 'username' } as const);
	});
}

function grantRow(userId: string, g: GrantInput, grantedBy: string) {
	return {
		userId,
		role: g.role,
		scopeKind: g.scopeKind,
		regionId: g.scopeKind === 'region' ? g.scopeId : null,
		settlementId: g.scopeKind === 'settlement' ? g.scopeId : null,
		organizationId: g.scopeKind === 'organization' ? g.scopeId : null,
		grantedBy
	};
}

/** Adds a grant to a user; a role change ends all of that user's sessions. */
export async function addGrant(
	actor: Actor,
	userId: string,
	g: GrantInput
): Promise<{ ok: true } | Failure> {
	requireAnywhere(actor, 'user.manage', 'write');
	return db().transaction(async (tx) => {
		const target = await getManagedUser(actor, userId, tx);
		if (!target) return { ok: false, reason: 'not_found' };
		const check = await checkGrant(actor, g, tx);
		if (!check.ok) return check;
		await tx.insert(schema.roleGrant).values(grantRow(userId, g, actor.id));
		await invalidateUserSessions(userId, undefined, tx);
		await audit.record(tx, {
			actor,
			action: 'grant.add',
			entity: 'user',
			entityId: userId,
			scopePath: check.resource.regionPath,
			summary: { role: g.role, scopeKind: g.scopeKind, scopeId: g.scopeId ?? null }
		});
		return { ok: true };
	});
}

/** Revokes a grant (kept as history); ends all of that user's sessions. */
export async function revokeGrant(
	actor: Actor,
	grantId: string
): Promise<{ ok: true } | Failure<'not_found' | 'forbidden'>> {
	requireAnywhere(actor, 'user.manage', 'write');
	const { roleGrant } = schema;
	return db().transaction(async (tx) => {
		const [g] = await tx
			.select()
			.from(roleGrant)
			.where(and(eq(roleGrant.id, grantId), isNull(roleGrant.revokedAt)))
			.for('update');
		if (!g) return { ok: false, reason: 'not_found' } as const;
		const resource = await scopeResource(
			{
				role: g.role,
				scopeKind: g.scopeKind,
				scopeId: g.regionId ?? g.settlementId ?? g.organizationId ?? undefined
			},
			tx
		);
		const globalActor = actor.grants.some((x) => x.scope === 'global');
		if (
			!resource ||
			(g.scopeKind === 'global' ? !globalActor : !can(actor, 'user.manage', resource))
		)
			return { ok: false, reason: 'forbidden' } as const;
		await tx.update(roleGrant).set({ revokedAt: new Date() }).where(eq(roleGrant.id, grantId));
		await invalidateUserSessions(g.userId, undefined, tx);
		await audit.record(tx, {
			actor,
			action: 'grant.revoke',
			entity: 'user',
			entityId: g.userId,
			scopePath: resource.regionPath,
			summary: { role: g.role, scopeKind: g.scopeKind }
		});
		return { ok: true } as const;
	});
}

/** The scope path of whatever a grant row points at, as SQL, for scope filters over users. */
const grantScopePath = sql`coalesce(
	(select r.path from region r where r.id = role_grant.region_id),
	(select s.region_path from settlement s where s.id = role_grant.settlement_id),
	(select o.region_path from organization o where o.id = role_grant.organization_id),
	'/'
)`;

function usersInScope(actor: Actor): SQL {
	return sql`exists (select 1 from role_grant where role_grant.user_id = ${schema.user.id} and ${scopeFilter(
		actor,
		'user.read',
		{ regionPath: grantScopePath }
	)})`;
}

async function getManagedUser(actor: Actor, userId: string, executor: Executor) {
	const { user } = schema;
	const [row] = await executor
		.select({ id: user.id })
		.from(user)
		.where(and(eq(user.id, userId), usersInScope(actor)));
	return row;
}

/** Lists the accounts in the actor's scope, by display name, keyset-paged. */
export async function listUsers(actor: Actor, q: { search?: string; after?: string } = {}) {
	requireAnywhere(actor, 'user.read', 'read');
	const { user } = schema;
	const where: SQL[] = [usersInScope(actor)];
	if (q.search)
		where.push(
			or(
				sql`${user.username} ilike ${'%' + escapeLike(q.search) + '%'}`,
				sql`${user.displayName} ilike ${'%' + escapeLike(q.search) + '%'}`
			)!
		);
	if (q.after) where.push(sql`${user.username} > ${q.after}`);
	const limit = 50;
	const rows = await db()
		.select({
			id: user.id,
			username: user.username,
			displayName: user.displayName,
			disabledAt: user.disabledAt,
			createdAt: user.createdAt
		})
		.from(user)
		.where(and(...where))
		.orderBy(user.username)
		.limit(limit + 1);
	const page = rows.slice(0, limit);
	// one query for the whole page's grants
	const grants = await listGrantsOf(page.map((u) => u.id));
	return {
		rows: page.map((u) => ({ ...u, grants: grants.filter((g) => g.userId === u.id) })),
		next: rows.length > limit ? page[page.length - 1].username : null
	};
}

async function listGrantsOf(userIds: string[]) {
	if (userIds.length === 0) return [];
	const { roleGrant, region, settlement, organization } = schema;
	return db()
		.select({
			id: roleGrant.id,
			userId: roleGrant.userId,
			role: roleGrant.role,
			scopeKind: roleGrant.scopeKind,
			scopeName: sql<
				string | null
			>`coalesce(${region.name}, ${settlement.name}, ${organization.name})`
		})
		.from(roleGrant)
		.leftJoin(region, eq(region.id, roleGrant.regionId))
		.leftJoin(settlement, eq(settlement.id, roleGrant.settlementId))
		.leftJoin(organization, eq(organization.id, roleGrant.organizationId))
		.where(and(inArray(roleGrant.userId, userIds), isNull(roleGrant.revokedAt)))
		.orderBy(desc(roleGrant.createdAt));
}

/** The scopes the actor may hand out, for the create-user form's choices. */
export async function listGrantableScopes(actor: Actor) {
	requireAnywhere(actor, 'user.manage', 'read');
	const { region, settlement, organization } = schema;
	const [regions, settlements, organizations] = await Promise.all([
		db()
			.select({ id: region.id, name: region.name, level: region.level })
			.from(region)
			.where(
				and(
					scopeFilter(actor, 'user.manage', { regionPath: region.path }),
					or(eq(region.level, 'county'), eq(region.level, 'city'), eq(region.level, 'province'))
				)
			)
			.orderBy(region.code)
			.limit(200),
		db()
			.select({ id: settlement.id, name: settlement.name })
			.from(settlement)
			.where(scopeFilter(actor, 'user.manage', { regionPath: settlement.regionPath }))
			.orderBy(settlement.name)
			.limit(500),
		db()
			.select({ id: organization.id, name: organization.name })
			.from(organization)
			.where(scopeFilter(actor, 'user.manage', { regionPath: organization.regionPath }))
			.orderBy(organization.name)
			.limit(500)
	]);
	return { regions, settlements, organizations };
}
