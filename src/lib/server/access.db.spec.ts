import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../tests/db';
import {
	createCounty,
	createHousehold,
	createOrganization,
	createRegion,
	createSettlement,
	createUser
} from '../../../tests/factories';
import {
	can,
	loadGrants,
	permissions,
	scopeFilter,
	type Actor,
	type Permission,
	type Resource
} from './access';
import * as audit from './audit';
import { db, schema } from './db';

useTestDatabase();

const { settlement, household, organization, auditEntry } = schema;

/**
 * Each kind of record with its scope columns for scopeFilter and the same facts as a Resource
 * for can(): the list and the check must agree on every row.
 */
const kinds = {
	settlement: async (actor: Actor, permission: Permission) => {
		const rows = await db()
			.select({ id: settlement.id, settlementId: settlement.id, regionPath: settlement.regionPath })
			.from(settlement);
		const visible = await db()
			.select({ id: settlement.id })
			.from(settlement)
			.where(
				scopeFilter(actor, permission, {
					settlementId: settlement.id,
					regionPath: settlement.regionPath
				})
			);
		return { rows, visible };
	},
	household: async (actor: Actor, permission: Permission) => {
		const select = {
			id: household.id,
			householdId: household.id,
			settlementId: household.settlementId,
			regionPath: settlement.regionPath
		};
		const rows = await db()
			.select(select)
			.from(household)
			.innerJoin(settlement, eq(settlement.id, household.settlementId));
		const visible = await db()
			.select({ id: household.id })
			.from(household)
			.innerJoin(settlement, eq(settlement.id, household.settlementId))
			.where(
				scopeFilter(actor, permission, {
					settlementId: household.settlementId,
					regionPath: settlement.regionPath,
					householdId: household.id
				})
			);
		return { rows, visible };
	},
	organization: async (actor: Actor, permission: Permission) => {
		const rows = await db()
			.select({
				id: organization.id,
				organizationId: organization.id,
				regionPath: organization.regionPath
			})
			.from(organization);
		const visible = await db()
			.select({ id: organization.id })
			.from(organization)
			.where(
				scopeFilter(actor, permission, {
					organizationId: organization.id,
					regionPath: organization.regionPath
				})
			);
		return { rows, visible };
	},
	audit: async (actor: Actor, permission: Permission) => {
		const rows = (
			await db().select({ id: auditEntry.id, regionPath: auditEntry.scopePath }).from(auditEntry)
		).map((r) => ({ ...r, id: String(r.id) }));
		const visible = (
			await db()
				.select({ id: auditEntry.id })
				.from(auditEntry)
				.where(scopeFilter(actor, permission, { regionPath: auditEntry.scopePath }))
		).map((r) => ({ id: String(r.id) }));
		return { rows, visible };
	}
} satisfies Record<
	string,
	(
		actor: Actor,
		permission: Permission
	) => Promise<{ rows: (Resource & { id: string })[]; visible: { id: string }[] }>
>;

const actors: Record<string, Actor> = {};
const ids: Record<string, string> = {};

// Two counties under one city and a third elsewhere, settlements at county and township level,
// households (one moved out), organisations of each kind, audit entries, and an actor of every role.
beforeAll(async () => {
	const a = await createCounty();
	const b = await createCounty(a.city);
	const c = await createCounty();
	const townA = await createRegion(a, { level: 'township' });
	const a1 = await createSettlement(a);
	const a2 = await createSettlement(townA, { kind: 'town', committeeKind: 'town_committee' });
	const b1 = await createSettlement(b);
	const c1 = await createSettlement(c);
	const households = {
		a1x: await createHousehold(a1),
		a1y: await createHousehold(a1),
		a2x: await createHousehold(a2),
		b1x: await createHousehold(b1),
		b1y: await createHousehold(b1, { status: 'moved_out' }),
		c1x: await createHousehold(c1)
	};
	const orgA = await createOrganization(a);
	const mutualA1 = await createOrganization(a, { settlement: a1 });
	const orgB = await createOrganization(b, { kind: 'social_org' });
	await createOrganization(c, { verified: false });
	for (const path of [a1.regionPath, townA.path, a.path, b.path, c.path, a.city.path, null])
		await audit.record(db(), { action: 'test.entry', entity: 'test', scopePath: path });
	await audit.record(db(), { action: 'test.entry', entity: 'test', scopePath: undefined });

	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('resident of a1', {
		household: households.a1x,
		grants: [{ role: 'resident', on: a1 }]
	});
	await make('resident without a household', { grants: [{ role: 'resident', on: b1 }] });
	await make('community_worker of a1', { grants: [{ role: 'community_worker', on: a1 }] });
	await make('point_admin of a2', { grants: [{ role: 'point_admin', on: a2 }] });
	await make('point_chief of b1', { grants: [{ role: 'point_chief', on: b1 }] });
	await make('chief_of_points of county a', { grants: [{ role: 'chief_of_points', on: a }] });
	await make('chief_of_points of the city', { grants: [{ role: 'chief_of_points', on: a.city }] });
	await make('civil_affairs of county b', { grants: [{ role: 'civil_affairs', on: b }] });
	await make('org_member of org a', { grants: [{ role: 'org_member', on: orgA }] });
	await make('mutual_aid_admin of a1', { grants: [{ role: 'mutual_aid_admin', on: mutualA1 }] });
	await make('system_admin', { grants: [{ role: 'system_admin' }] });
	await make('point_admin of a1 and org_member of org b', {
		grants: [
			{ role: 'point_admin', on: a1 },
			{ role: 'org_member', on: orgB }
		]
	});
	await make('nobody', {});
	Object.assign(ids, { a1: a1.id, a2: a2.id, b1: b1.id, orgA: orgA.id });
	for (const [k, h] of Object.entries(households)) ids[k] = h.id;
});

describe('scopeFilter in a query returns exactly the rows can() allows', () => {
	const names = [
		'resident of a1',
		'resident without a household',
		'community_worker of a1',
		'point_admin of a2',
		'point_chief of b1',
		'chief_of_points of county a',
		'chief_of_points of the city',
		'civil_affairs of county b',
		'org_member of org a',
		'mutual_aid_admin of a1',
		'system_admin',
		'point_admin of a1 and org_member of org b',
		'nobody'
	];
	it.each(names)('for the %s', async (name) => {
		const actor = actors[name];
		for (const [kind, load] of Object.entries(kinds)) {
			for (const permission of permissions) {
				const { rows, visible } = await load(actor, permission);
				const allowed = rows.filter((r) => can(actor, permission, r)).map((r) => r.id);
				expect(visible.map((r) => r.id).sort(), `${name}: ${permission} over ${kind} rows`).toEqual(
					allowed.sort()
				);
			}
		}
	});

	it('is not vacuous: the dataset gives each kind of answer', async () => {
		const households = await kinds.household(actors['community_worker of a1'], 'household.read');
		expect(households.visible.map((r) => r.id).sort()).toEqual([ids.a1x, ids.a1y].sort());
		const own = await kinds.household(actors['resident of a1'], 'household.read');
		expect(own.visible.map((r) => r.id)).toEqual([ids.a1x]);
		const city = await kinds.settlement(actors['chief_of_points of the city'], 'settlement.read');
		expect(city.visible).toHaveLength(3);
		const all = await kinds.audit(actors['system_admin'], 'audit.read');
		expect(all.visible).toHaveLength(all.rows.length);
		const none = await kinds.settlement(actors['nobody'], 'settlement.read');
		expect(none.rows.length).toBeGreaterThan(0);
		expect(none.visible).toEqual([]);
	});
});

describe('loadGrants', () => {
	it('leaves out revoked grants and resolves scope paths', async () => {
		const county = await createCounty();
		const s = await createSettlement(county);
		const { user } = await createUser({
			grants: [
				{ role: 'civil_affairs', on: county },
				{ role: 'point_admin', on: s }
			]
		});
		await db()
			.update(schema.roleGrant)
			.set({ revokedAt: new Date() })
			.where(and(eq(schema.roleGrant.userId, user.id), eq(schema.roleGrant.role, 'point_admin')));
		expect(await loadGrants(user.id)).toEqual([
			{ role: 'civil_affairs', scope: 'region', regionId: county.id, regionPath: county.path }
		]);
	});
});
