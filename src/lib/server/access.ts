import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Role } from './db/schema';
import { db, schema, type Executor } from './db';
import { escapeLike } from './db/like';

/** One grant of a role over a scope, with the scope's region path resolved. */
export type Grant =
	| { role: Role; scope: 'global' }
	| { role: Role; scope: 'region'; regionId: string; regionPath: string }
	| { role: Role; scope: 'settlement'; settlementId: string; regionPath: string }
	| { role: Role; scope: 'organization'; organizationId: string };

/** Who is acting: the signed-in user with every live grant. */
export interface Actor {
	id: string;
	username: string;
	displayName: string;
	householdId: string | null;
	grants: Grant[];
}

/** What an action touches; a capability fills in what it knows about the record. */
export interface Resource {
	settlementId?: string | null;
	regionPath?: string | null;
	organizationId?: string | null;
	householdId?: string | null;
	userId?: string | null;
}

/**
 * How a role holds a permission: over its scope; only over what is the actor's own (their
 * household, their account); or over their own settlement's shared pages.
 */
type Reach = 'scope' | 'own' | 'ownSettlement';

export const permissions = [
	'settlement.read',
	'settlement.manage',
	'roster.manage',
	'roster.post',
	'household.read',
	'household.update',
	'household.import',
	'household.export',
	'household.invite',
	'person.reveal',
	'correction.create',
	'compliance.read',
	'organization.read',
	'organization.verify',
	'user.read',
	'user.manage',
	'audit.read',
	'service.read',
	'service.file',
	'service.handle',
	'service.internal',
	'service.withdraw',
	'service.rate',
	'service.catalogue',
	'need.read',
	'need.create',
	'need.verify',
	'offer.manage',
	'pledge.create',
	'pledge.deliver',
	'pledge.confirm',
	'fund.read',
	'fund.entry.create',
	'aid.manage',
	'rule.read',
	'rule.manage',
	'rule.comment',
	'council.read',
	'council.manage',
	'council.vote',
	'decision.read',
	'decision.manage',
	'ceremony.read',
	'ceremony.file',
	'ceremony.review',
	'points.read',
	'points.award',
	'points.appeal',
	'points.appeal.decide',
	'shop.manage',
	'shop.redeem',
	'activity.read',
	'activity.manage',
	'activity.signup',
	'activity.checkin',
	'visit.read',
	'visit.record',
	'visit.manage',
	'risk.read',
	'risk.report',
	'risk.verify',
	'risk.settings',
	'report.read',
	'report.submit',
	'benefit.read',
	'benefit.check',
	'benefit.resolve',
	'dashboard.read'
] as const;
export type Permission = (typeof permissions)[number];

const staffRead: Partial<Record<Permission, Reach>> = {
	'settlement.read': 'scope',
	'household.read': 'scope',
	'service.read': 'scope',
	'service.internal': 'scope',
	'need.read': 'scope',
	'rule.read': 'scope',
	'council.read': 'scope',
	'decision.read': 'scope',
	'ceremony.read': 'scope',
	'points.read': 'scope',
	'activity.read': 'scope',
	'visit.read': 'scope',
	'risk.read': 'scope',
	// 即发现即报告: any staff member who finds a household at risk reports it
	'risk.report': 'scope',
	'report.read': 'scope',
	// the figures of the settlements in scope: dashboards, the report pack and its exports
	'dashboard.read': 'scope'
};

/** Community work at a point: run activities and check people in, visit, report risks. */
const communityWork: Partial<Record<Permission, Reach>> = {
	'activity.manage': 'scope',
	'activity.checkin': 'scope',
	'visit.record': 'scope'
};

/** The point's own staff over community work: targets and schedules, verification, the monthly report. */
const pointMonitoring: Partial<Record<Permission, Reach>> = {
	...communityWork,
	'visit.manage': 'scope',
	'risk.verify': 'scope',
	'report.submit': 'scope',
	'benefit.read': 'scope',
	'benefit.resolve': 'scope'
};

/** A point's own staff: keep the rules, councils, decisions and points of the settlements they serve. */
const pointGovernance: Partial<Record<Permission, Reach>> = {
	'rule.manage': 'scope',
	'council.manage': 'scope',
	// recording votes also needs a seat on the council (checked by the command)
	'council.vote': 'scope',
	'decision.manage': 'scope',
	'ceremony.file': 'scope',
	'ceremony.review': 'scope',
	'points.award': 'scope',
	'points.appeal.decide': 'scope',
	'shop.manage': 'scope',
	'shop.redeem': 'scope'
};

/** The one-stop window: file for residents (帮代办) and carry requests through. */
const serviceWindow: Partial<Record<Permission, Reach>> = {
	'service.file': 'scope',
	'service.handle': 'scope',
	'need.create': 'scope',
	'pledge.confirm': 'scope'
};

const countyStaff: Partial<Record<Permission, Reach>> = {
	...staffRead,
	'settlement.manage': 'scope',
	'roster.manage': 'scope',
	'roster.post': 'scope',
	'household.export': 'scope',
	'compliance.read': 'scope',
	'organization.read': 'scope',
	'service.catalogue': 'scope',
	'need.verify': 'scope',
	'fund.read': 'scope'
};

/** The single table of who may do what. Later capabilities add their permissions here. */
export const policy: Record<Role, Partial<Record<Permission, Reach>>> = {
	resident: {
		'settlement.read': 'ownSettlement',
		'household.read': 'own',
		'correction.create': 'own',
		'service.read': 'own',
		'service.file': 'own',
		'service.withdraw': 'own',
		'service.rate': 'own',
		'need.read': 'own',
		'need.create': 'own',
		'pledge.confirm': 'own',
		// the settlement's rules, councils and their members are the residents' own business
		'rule.read': 'ownSettlement',
		'rule.comment': 'ownSettlement',
		'council.read': 'ownSettlement',
		// a resident who sits on a council records its votes (the command checks the seat)
		'council.vote': 'ownSettlement',
		'ceremony.read': 'own',
		'ceremony.file': 'own',
		'points.read': 'own',
		'points.appeal': 'own',
		'shop.redeem': 'own',
		'activity.read': 'ownSettlement',
		'activity.signup': 'own'
	},
	community_worker: {
		...staffRead,
		...serviceWindow,
		'ceremony.file': 'scope',
		'points.award': 'scope',
		'shop.redeem': 'scope',
		...communityWork
	},
	point_admin: {
		...staffRead,
		...serviceWindow,
		...pointGovernance,
		...pointMonitoring,
		'need.verify': 'scope',
		'roster.post': 'scope',
		'household.update': 'scope',
		'household.import': 'scope',
		'household.export': 'scope',
		'household.invite': 'scope',
		'person.reveal': 'scope'
	},
	point_chief: {
		...staffRead,
		...serviceWindow,
		...pointGovernance,
		...pointMonitoring,
		'need.verify': 'scope',
		'roster.post': 'scope',
		'household.export': 'scope',
		'person.reveal': 'scope',
		'compliance.read': 'scope'
	},
	chief_of_points: { ...countyStaff, 'benefit.read': 'scope' },
	civil_affairs: {
		...countyStaff,
		'person.reveal': 'scope',
		'organization.verify': 'scope',
		'user.read': 'scope',
		'user.manage': 'scope',
		'audit.read': 'scope',
		'risk.verify': 'scope',
		'risk.settings': 'scope',
		'benefit.read': 'scope',
		'benefit.check': 'scope',
		'benefit.resolve': 'scope'
	},
	org_member: {
		'organization.read': 'scope',
		'offer.manage': 'scope',
		'pledge.create': 'scope',
		'pledge.deliver': 'scope',
		'fund.read': 'scope',
		'fund.entry.create': 'scope'
	},
	mutual_aid_admin: {
		'organization.read': 'scope',
		'fund.read': 'scope',
		'fund.entry.create': 'scope',
		'aid.manage': 'scope'
	},
	system_admin: Object.fromEntries(
		// a resident's own acts (asking for a correction, rating a service, confirming help) are not done for them
		permissions
			.filter(
				(p) =>
					![
						'correction.create',
						'service.rate',
						'pledge.confirm',
						'rule.comment',
						'points.appeal',
						'activity.signup'
					].includes(p)
			)
			.map((p) => [p, 'scope'])
	) as Record<Permission, Reach>
};

export const staffRoles: readonly Role[] = [
	'community_worker',
	'point_admin',
	'point_chief',
	'chief_of_points',
	'civil_affairs',
	'system_admin'
];

export function isStaff(actor: Pick<Actor, 'grants'>): boolean {
	return actor.grants.some((g) => staffRoles.includes(g.role));
}

export function hasRole(actor: Pick<Actor, 'grants'> | null | undefined, ...roles: Role[]) {
	return !!actor?.grants.some((g) => roles.includes(g.role));
}

function inScope(grant: Grant, resource: Resource): boolean {
	switch (grant.scope) {
		case 'global':
			return true;
		case 'region':
			return !!resource.regionPath && resource.regionPath.startsWith(grant.regionPath);
		case 'settlement':
			return !!resource.settlementId && resource.settlementId === grant.settlementId;
		case 'organization':
			return !!resource.organizationId && resource.organizationId === grant.organizationId;
	}
}

function isOwn(actor: Actor, resource: Resource): boolean {
	if (resource.userId && resource.userId === actor.id) return true;
	return !!resource.householdId && resource.householdId === actor.householdId;
}

function reaches(actor: Actor, grant: Grant, reach: Reach, resource: Resource): boolean {
	switch (reach) {
		case 'scope':
			return inScope(grant, resource);
		case 'own':
			return isOwn(actor, resource);
		case 'ownSettlement':
			// the shared pages of the settlement the grant is over (a resident's own)
			return (
				grant.scope === 'settlement' &&
				!!resource.settlementId &&
				resource.settlementId === grant.settlementId
			);
	}
}

/** can(actor, permission, resource): the one answer to every access question. */
export function can(
	actor: Actor | null | undefined,
	permission: Permission,
	resource: Resource = {}
): boolean {
	if (!actor) return false;
	return actor.grants.some((grant) => {
		const reach = policy[grant.role][permission];
		return !!reach && reaches(actor, grant, reach, resource);
	});
}

/** True when the actor holds the permission anywhere (to show a menu entry, say). */
export function canAnywhere(actor: Actor | null | undefined, permission: Permission): boolean {
	return !!actor?.grants.some((g) => !!policy[g.role][permission]);
}

export interface ScopeColumns {
	settlementId?: AnyPgColumn | SQL;
	regionPath?: AnyPgColumn | SQL;
	organizationId?: AnyPgColumn | SQL;
	householdId?: AnyPgColumn | SQL;
	userId?: AnyPgColumn | SQL;
}

/**
 * The SQL condition that keeps only rows `can()` allows: the same rules, in the query.
 * Returns `sql\`false\`` when the actor may see nothing.
 */
export function scopeFilter(actor: Actor, permission: Permission, cols: ScopeColumns): SQL {
	const conditions: SQL[] = [];
	for (const grant of actor.grants) {
		const reach = policy[grant.role][permission];
		if (!reach) continue;
		if (reach === 'own') {
			if (cols.userId) conditions.push(sql`${cols.userId} = ${actor.id}`);
			if (cols.householdId && actor.householdId)
				conditions.push(sql`${cols.householdId} = ${actor.householdId}`);
			continue;
		}
		if (reach === 'ownSettlement') {
			if (cols.settlementId && grant.scope === 'settlement')
				conditions.push(sql`${cols.settlementId} = ${grant.settlementId}`);
			continue;
		}
		switch (grant.scope) {
			case 'global':
				return sql`true`;
			case 'region':
				if (cols.regionPath)
					conditions.push(sql`${cols.regionPath} like ${escapeLike(grant.regionPath) + '%'}`);
				break;
			case 'settlement':
				if (cols.settlementId) conditions.push(sql`${cols.settlementId} = ${grant.settlementId}`);
				break;
			case 'organization':
				if (cols.organizationId)
					conditions.push(sql`${cols.organizationId} = ${grant.organizationId}`);
				break;
		}
	}
	if (conditions.length === 0) return sql`false`;
	return sql`(${sql.join(conditions, sql` or `)})`;
}

/** The signed-in actor, or a redirect to the login page. */
export function requireUser(event: Pick<RequestEvent, 'locals' | 'url'>): Actor {
	const actor = event.locals.user;
	if (!actor) {
		const next = event.url.pathname + event.url.search;
		redirect(303, `/login?next=${encodeURIComponent(next)}`);
	}
	return actor;
}

/** Throws 404 for a denied read and 403 for a denied write, so a denial never says what exists. */
export function requirePermission(
	actor: Actor | null | undefined,
	permission: Permission,
	resource: Resource = {},
	kind: 'read' | 'write' = 'read'
): asserts actor is Actor {
	if (can(actor, permission, resource)) return;
	if (kind === 'read') error(404, '页面不存在');
	error(403, '无权执行此操作');
}

/**
 * For pages and commands over a whole list (the audit log, the accounts): the actor must hold the
 * permission somewhere; the rows are then cut to their scope by `scopeFilter`.
 */
export function requireAnywhere(
	actor: Actor | null | undefined,
	permission: Permission,
	kind: 'read' | 'write' = 'read'
): asserts actor is Actor {
	if (canAnywhere(actor, permission)) return;
	if (kind === 'read') error(404, '页面不存在');
	error(403, '无权执行此操作');
}

/** Loads a user's live grants with their scopes' region paths. */
export async function loadGrants(userId: string, executor: Executor = db()): Promise<Grant[]> {
	const { roleGrant, region, settlement } = schema;
	const rows = await executor
		.select({
			role: roleGrant.role,
			scopeKind: roleGrant.scopeKind,
			regionId: roleGrant.regionId,
			settlementId: roleGrant.settlementId,
			organizationId: roleGrant.organizationId,
			regionPath: region.path,
			settlementRegionPath: settlement.regionPath
		})
		.from(roleGrant)
		.leftJoin(region, eq(region.id, roleGrant.regionId))
		.leftJoin(settlement, eq(settlement.id, roleGrant.settlementId))
		.where(and(eq(roleGrant.userId, userId), isNull(roleGrant.revokedAt)));
	const grants: Grant[] = [];
	for (const r of rows) {
		if (r.scopeKind === 'global') grants.push({ role: r.role, scope: 'global' });
		else if (r.scopeKind === 'region' && r.regionId && r.regionPath)
			grants.push({
				role: r.role,
				scope: 'region',
				regionId: r.regionId,
				regionPath: r.regionPath
			});
		else if (r.scopeKind === 'settlement' && r.settlementId && r.settlementRegionPath)
			grants.push({
				role: r.role,
				scope: 'settlement',
				settlementId: r.settlementId,
				regionPath: r.settlementRegionPath
			});
		else if (r.scopeKind === 'organization' && r.organizationId)
			grants.push({ role: r.role, scope: 'organization', organizationId: r.organizationId });
	}
	return grants;
}
