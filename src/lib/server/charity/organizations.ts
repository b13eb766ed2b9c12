import { and, asc, eq, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { maskPhone } from '$lib/mask';
import type { OrganizationKind, RegisterOrganizationInput } from '$lib/schemas/organizations';
import {
	can,
	canAnywhere,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor,
	type Resource
} from '../access';
import * as audit from '../audit';
import { hashPassword } from '../auth/password';
import { consume } from '../auth/rate-limit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { isUuid, notFound } from '../settlements/shared';

const o = schema.organization;

/** The organisation a member acts for, and whether civil affairs has verified it. */
export interface ActingOrganization {
	id: string;
	name: string;
	kind: OrganizationKind;
	regionId: string;
	regionPath: string;
	settlementId: string | null;
	verified: boolean;
	rejected: boolean;
	/** the actor's role over it */
	role: 'org_member' | 'mutual_aid_admin';
}

/**
 * The organisation the actor acts for (from their organisation grant; the first by id when
 * they hold several, or the one asked for), with its verified state; null for anyone else.
 * Every act of an organisation (offers, pledges, fund entries) must refuse while `verified` is
 * false: return `organizationUnverified` below, which pages show as m.org_unverified_act().
 */
export async function actingOrganization(
	actor: Actor | null | undefined,
	options: { organizationId?: string; executor?: Executor } = {}
): Promise<ActingOrganization | null> {
	if (!actor) return null;
	const grants = actor.grants
		.flatMap((g) =>
			g.scope === 'organization' && (g.role === 'org_member' || g.role === 'mutual_aid_admin')
				? [{ id: g.organizationId, role: g.role }]
				: []
		)
		.filter((g) => !options.organizationId || g.id === options.organizationId)
		.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	if (grants.length === 0) return null;
	const [row] = await (options.executor ?? db())
		.select({
			id: o.id,
			name: o.name,
			kind: o.kind,
			regionId: o.regionId,
			regionPath: o.regionPath,
			settlementId: o.settlementId,
			verifiedAt: o.verifiedAt,
			rejectedAt: o.rejectedAt
		})
		.from(o)
		.where(eq(o.id, grants[0].id));
	if (!row) return null;
	return {
		id: row.id,
		name: row.name,
		kind: row.kind,
		regionId: row.regionId,
		regionPath: row.regionPath,
		settlementId: row.settlementId,
		verified: !!row.verifiedAt,
		rejected: !row.verifiedAt && !!row.rejectedAt,
		role: grants[0].role
	};
}

/** What a command of an unverified organisation answers (pages: m.org_unverified_act()). */
export const organizationUnverified = {
	ok: false,
	reason: 'unverified'
} as const satisfies Failure<'unverified'>;

/** An organisation as a resource for `can()`; null when there is none. */
export async function organizationResource(organizationId: string, executor: Executor = db()) {
	if (!isUuid(organizationId)) return null;
	const [row] = await executor
		.select({ organizationId: o.id, regionPath: o.regionPath })
		.from(o)
		.where(eq(o.id, organizationId));
	return (row ?? null) satisfies Resource | null;
}

/** The counties an organisation may register in, for the public form (by city, then code). */
export async function listRegistrationCounties() {
	const { region } = schema;
	const rows = await db().execute(sql`
		select c.id, c.name, coalesce(p.name, '') as "cityName"
		from ${region} c left join ${region} p on p.id = c.parent_id
		where c.level = 'county'
		order by c.code
		limit 1000`);
	return rowsOf<{ id: string; name: string; cityName: string }>(rows);
}

/** The settlements of a county, for a 互助社's registration (it belongs to one). */
export async function listRegistrationSettlements(countyId: string) {
	if (!isUuid(countyId)) return [];
	const { region, settlement } = schema;
	const [county] = await db()
		.select({ path: region.path })
		.from(region)
		.where(and(eq(region.id, countyId), eq(region.level, 'county')));
	if (!county) return [];
	return db()
		.select({ id: settlement.id, name: settlement.name })
		.from(settlement)
		.where(sql`starts_with(${settlement.regionPath}, ${county.path})`)
		.orderBy(settlement.name)
		.limit(500);
}

/** Registrations a client address may send in ten minutes. */
export const organizationRegistrationLimit = { max: 5, windowSeconds: 600 };

/**
 * A charity, social organisation, enterprise or 互助社 registers with its first member's account,
 * in one transaction with its audit entry: the organisation waits unverified, the member holds
 * org_member (mutual_aid_admin for a 互助社) over it and is signed in. Throttled per address;
 * fails at a field for an unknown county or settlement, a taken username or a credit code
 * already registered (a rejected application may apply again).
 */
export async function registerOrganization(
	input: RegisterOrganizationInput,
	ctx: { ip: string }
): Promise<
	| { ok: true; organizationId: string; userId: string; token: string; expiresAt: Date }
	| Failure<'throttled' | 'no_county' | 'no_settlement' | 'username_taken' | 'credit_code_taken'>
> {
	if (!(await consume(`register-org:ip:${ctx.ip}`, organizationRegistrationLimit)))
		return { ok: false, reason: 'throttled' };
	const { region, settlement, user, roleGrant } = schema;
	// loaded here: the session module needs SvelteKit's $app, and scripts (the bench) import this one
	const { createSession, generateSessionToken } = await import('../auth/session');
	const passwordHash = await hashPassword(input.password);
	const token = generateSessionToken();
	const result = db().transaction(async (tx) => {
		const [county] = isUuid(input.countyId)
			? await tx
					.select({ id: region.id, path: region.path })
					.from(region)
					.where(and(eq(region.id, input.countyId), eq(region.level, 'county')))
			: [];
		if (!county) return { ok: false, reason: 'no_county', field: 'countyId' } as const;
		let settlementId: string | null = null;
		if (input.kind === 'mutual_aid_group') {
			const [s] = isUuid(input.settlementId)
				? await tx
						.select({ id: settlement.id })
						.from(settlement)
						.where(
							and(
								eq(settlement.id, input.settlementId),
								sql`starts_with(${settlement.regionPath}, ${county.path})`
							)
						)
				: [];
			if (!s) return { ok: false, reason: 'no_settlement', field: 'settlementId' } as const;
			settlementId = s.id;
		}
		// one live registration per credit code: the lock queues two at once (no unique index on it)
		await tx.execute(
			sql`select pg_advisory_xact_lock(hashtext(${'organization:' + input.creditCode}))`
		);
		const [dup] = await tx
			.select({ id: o.id })
			.from(o)
			.where(
				and(eq(o.creditCode, input.creditCode), or(isNotNull(o.verifiedAt), isNull(o.rejectedAt)))
			);
		if (dup) return { ok: false, reason: 'credit_code_taken', field: 'creditCode' } as const;
		const [taken] = await tx
			.select({ id: user.id })
			.from(user)
			.where(sql`lower(${user.username}) = ${input.username.toLowerCase()}`);
		if (taken) return { ok: false, reason: 'username_taken', field: 'username' } as const;
		const [org] = await tx
			.insert(o)
			.values({
				name: input.name,
				kind: input.kind,
				regionId: county.id,
				regionPath: county.path,
				settlementId,
				creditCode: input.creditCode,
				description: input.description,
				contactName: input.contactName,
				contactPhone: input.contactPhone
			})
			.returning({ id: o.id });
		const [member] = await tx
			.insert(user)
			.values({ username: input.username, displayName: input.contactName, passwordHash })
			.returning({ id: user.id });
		await tx.insert(roleGrant).values({
			userId: member.id,
			role: input.kind === 'mutual_aid_group' ? 'mutual_aid_admin' : 'org_member',
			scopeKind: 'organization',
			organizationId: org.id
		});
		const session = await createSession(token, member.id, false, tx);
		await audit.record(tx, {
			actor: { id: member.id, displayName: input.contactName },
			action: 'organization.register',
			entity: 'organization',
			entityId: org.id,
			scopePath: county.path,
			summary: {
				name: input.name,
				kind: input.kind,
				creditCode: input.creditCode,
				username: input.username
			},
			ip: ctx.ip
		});
		return {
			ok: true,
			organizationId: org.id,
			userId: member.id,
			token,
			expiresAt: session.expiresAt
		} as const;
	});
	// the same username sent twice at once: the loser hits the unique index, and nothing stays
	return result.catch((e: unknown) => {
		if (uniqueViolation(e) === null) throw e;
		return { ok: false, reason: 'username_taken', field: 'username' } as const;
	});
}

/** The index a unique violation hit ('' when the driver does not say), or null for any other error. */
function uniqueViolation(e: unknown): string | null {
	for (let err = e; err instanceof Error; err = err.cause) {
		const pg = err as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
		if (pg.code === '23505') return String(pg.constraint_name ?? pg.constraint ?? '');
	}
	return null;
}

function rowsOf<T>(result: unknown): T[] {
	return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** The organisation for a decision, locked: 404 unless the actor may read it, 403 unless they may verify. */
async function organizationToDecide(actor: Actor, organizationId: string, tx: Executor) {
	const [row] = isUuid(organizationId)
		? await tx.select().from(o).where(eq(o.id, organizationId)).for('update')
		: [];
	const resource = row ? { organizationId: row.id, regionPath: row.regionPath } : {};
	requirePermission(actor, 'organization.read', resource, 'read');
	if (!row) notFound();
	requirePermission(actor, 'organization.verify', resource, 'write');
	return row;
}

async function memberIds(tx: Executor, organizationId: string): Promise<string[]> {
	const { roleGrant } = schema;
	const rows = await tx
		.select({ userId: roleGrant.userId })
		.from(roleGrant)
		.where(and(eq(roleGrant.organizationId, organizationId), isNull(roleGrant.revokedAt)));
	return rows.map((r) => r.userId);
}

/**
 * Civil affairs of the organisation's county verifies it (a rejected one too, on a second look);
 * audited, its members told. 404 outside the actor's scope, 403 without organization.verify;
 * fails 'already_verified'.
 */
export async function verifyOrganization(
	actor: Actor,
	organizationId: string
): Promise<{ ok: true } | Failure<'already_verified'>> {
	requireAnywhere(actor, 'organization.read', 'read');
	return db().transaction(async (tx) => {
		const row = await organizationToDecide(actor, organizationId, tx);
		if (row.verifiedAt) return { ok: false, reason: 'already_verified' } as const;
		await tx
			.update(o)
			.set({ verifiedAt: new Date(), rejectedAt: null, rejectReason: null })
			.where(eq(o.id, row.id));
		await audit.record(tx, {
			actor,
			action: 'organization.verify',
			entity: 'organization',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: { name: row.name, wasRejected: !!row.rejectedAt }
		});
		await notifications.notify(tx, {
			userIds: await memberIds(tx, row.id),
			kind: 'organization.verified',
			title: `「${row.name}」已通过民政部门认证`,
			body: '现在可以发布帮扶资源、认捐需求了。',
			link: '/charity/offers'
		});
		return { ok: true } as const;
	});
}

/**
 * Civil affairs rejects a waiting application with a reason the applicant reads; audited, the
 * members told. 404 outside the actor's scope, 403 without organization.verify; fails
 * 'not_pending' for one already verified or rejected.
 */
export async function rejectOrganization(
	actor: Actor,
	organizationId: string,
	input: { reason: string }
): Promise<{ ok: true } | Failure<'not_pending'>> {
	requireAnywhere(actor, 'organization.read', 'read');
	return db().transaction(async (tx) => {
		const row = await organizationToDecide(actor, organizationId, tx);
		if (row.verifiedAt || row.rejectedAt) return { ok: false, reason: 'not_pending' } as const;
		await tx
			.update(o)
			.set({ rejectedAt: new Date(), rejectReason: input.reason })
			.where(eq(o.id, row.id));
		await audit.record(tx, {
			actor,
			action: 'organization.reject',
			entity: 'organization',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: { name: row.name, reason: input.reason }
		});
		await notifications.notify(tx, {
			userIds: await memberIds(tx, row.id),
			kind: 'organization.rejected',
			title: `「${row.name}」的认证申请未通过`,
			body: input.reason,
			link: `/charity/organizations/${row.id}`
		});
		return { ok: true } as const;
	});
}

export type OrganizationStatus = 'pending' | 'verified' | 'rejected';

function statusOf(row: { verifiedAt: Date | null; rejectedAt: Date | null }): OrganizationStatus {
	return row.verifiedAt ? 'verified' : row.rejectedAt ? 'rejected' : 'pending';
}

const statusWhere: Record<OrganizationStatus, SQL> = {
	pending: and(isNull(o.verifiedAt), isNull(o.rejectedAt))!,
	verified: isNotNull(o.verifiedAt),
	rejected: and(isNull(o.verifiedAt), isNotNull(o.rejectedAt))!
};

/**
 * The organisations the actor may read, of one state: waiting ones oldest first (the queue),
 * the others by name; keyset-paged, 50 a page; with the count of each state.
 */
export async function listOrganizations(
	actor: Actor,
	q: { status?: OrganizationStatus; after?: string } = {}
) {
	requireAnywhere(actor, 'organization.read', 'read');
	const status = q.status ?? 'pending';
	const mine = scopeFilter(actor, 'organization.read', {
		organizationId: o.id,
		regionPath: o.regionPath
	});
	const limit = 50;
	// pending: (created_at, id), the oldest first; the others: (name, id)
	const byTime = status === 'pending';
	const where: SQL[] = [mine, statusWhere[status]];
	const cut = q.after?.lastIndexOf('|') ?? -1;
	if (q.after && cut > 0) {
		const [key, id] = [q.after.slice(0, cut), q.after.slice(cut + 1)];
		if (isUuid(id))
			where.push(
				byTime
					? sql`(${o.createdAt}, ${o.id}) > (${key}::timestamptz, ${id}::uuid)`
					: sql`(${o.name}, ${o.id}) > (${key}, ${id}::uuid)`
			);
	}
	const rows = await db()
		.select({
			id: o.id,
			name: o.name,
			kind: o.kind,
			creditCode: o.creditCode,
			regionPath: o.regionPath,
			regionName: schema.region.name,
			contactName: o.contactName,
			createdAt: o.createdAt,
			verifiedAt: o.verifiedAt,
			rejectedAt: o.rejectedAt,
			rejectReason: o.rejectReason,
			key: byTime ? sql<string>`${o.createdAt}::text` : sql<string>`${o.name}`
		})
		.from(o)
		.innerJoin(schema.region, eq(schema.region.id, o.regionId))
		.where(and(...where))
		.orderBy(byTime ? asc(o.createdAt) : asc(o.name), asc(o.id))
		.limit(limit + 1);
	const [counts] = await db()
		.select({
			pending: sql<number>`count(*) filter (where ${statusWhere.pending})::int`,
			verified: sql<number>`count(*) filter (where ${statusWhere.verified})::int`,
			rejected: sql<number>`count(*) filter (where ${statusWhere.rejected})::int`
		})
		.from(o)
		.where(mine);
	const page = rows.slice(0, limit);
	const last = page[page.length - 1];
	return {
		rows: page.map(({ key: _key, ...r }) => ({ ...r, status: statusOf(r) })),
		next: rows.length > limit ? `${last.key}|${last.id}` : null,
		counts: { pending: counts.pending, verified: counts.verified, rejected: counts.rejected },
		canVerify: canAnywhere(actor, 'organization.verify')
	};
}

/**
 * One organisation's profile: 404 unless the actor may read it (civil affairs and county staff
 * of its county, its own members). The contact phone is whole for those who verify it and for
 * its members, masked for other staff.
 */
export async function getOrganization(actor: Actor, organizationId: string) {
	const [row] = isUuid(organizationId)
		? await db()
				.select({
					org: o,
					regionName: schema.region.name,
					settlementName: schema.settlement.name
				})
				.from(o)
				.innerJoin(schema.region, eq(schema.region.id, o.regionId))
				.leftJoin(schema.settlement, eq(schema.settlement.id, o.settlementId))
				.where(eq(o.id, organizationId))
		: [];
	const resource = row ? { organizationId: row.org.id, regionPath: row.org.regionPath } : {};
	requirePermission(actor, 'organization.read', resource, 'read');
	if (!row) notFound();
	const own = actor.grants.some(
		(g) => g.scope === 'organization' && g.organizationId === row.org.id
	);
	const canVerify = can(actor, 'organization.verify', resource);
	const { roleGrant, user, offer } = schema;
	const [members, [offers]] = await Promise.all([
		db()
			.select({ displayName: user.displayName, username: user.username, role: roleGrant.role })
			.from(roleGrant)
			.innerJoin(user, eq(user.id, roleGrant.userId))
			.where(and(eq(roleGrant.organizationId, row.org.id), isNull(roleGrant.revokedAt)))
			.orderBy(user.username)
			.limit(100),
		db()
			.select({
				live: sql<number>`count(*) filter (where ${offer.closedAt} is null)::int`,
				all: sql<number>`count(*)::int`
			})
			.from(offer)
			.where(eq(offer.organizationId, row.org.id))
	]);
	const org = row.org;
	return {
		id: org.id,
		name: org.name,
		kind: org.kind,
		creditCode: org.creditCode,
		description: org.description,
		regionName: row.regionName,
		regionPath: org.regionPath,
		settlementName: row.settlementName,
		contactName: org.contactName,
		contactPhone: own || canVerify ? org.contactPhone : maskPhone(org.contactPhone),
		createdAt: org.createdAt,
		verifiedAt: org.verifiedAt,
		rejectedAt: org.rejectedAt,
		rejectReason: org.rejectReason,
		status: statusOf(org),
		members: own || canVerify ? members : [],
		offers,
		own,
		canVerify: canVerify && !org.verifiedAt
	};
}
