import { asc, eq, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIdNumber } from '$lib/id-number';
import { useTestDatabase } from '../../../tests/db';
import { loadGrants, type Grant } from './access';
import { verifyPasswordHash } from './auth/password';
import { db, schema } from './db';
import { demoCountyCode, demoPassword, demoSettlements, isEmpty, seedDemo } from './seed';

useTestDatabase();

const { region, settlement, household, resident, organization, user, roleGrant } = schema;
const tables: PgTable[] = [region, settlement, household, resident, organization, user, roleGrant];

async function rowCounts() {
	const counts: Record<string, number> = {};
	for (const t of tables) {
		const [{ n }] = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(t);
		counts[getTableName(t)] = n;
	}
	return counts;
}

/** The grant a demo account should hold, as DESIGN.md lists it, in terms of the seeded rows. */
type Expected = (ctx: {
	county: string;
	first: string;
	second: string;
	charity: string;
	mutualAid: string;
}) => Pick<Grant, 'role' | 'scope'> & Record<string, unknown>;

// DESIGN.md, "Demo data"
const demoAccounts: [username: string, expected: Expected][] = [
	['admin', () => ({ role: 'system_admin', scope: 'global' })],
	['minzheng', (c) => ({ role: 'civil_affairs', scope: 'region', regionId: c.county })],
	['zongdianzhang', (c) => ({ role: 'chief_of_points', scope: 'region', regionId: c.county })],
	['dianzhang', (c) => ({ role: 'point_chief', scope: 'settlement', settlementId: c.first })],
	['guanliyuan', (c) => ({ role: 'point_admin', scope: 'settlement', settlementId: c.first })],
	['shegong', (c) => ({ role: 'community_worker', scope: 'settlement', settlementId: c.first })],
	['jumin', (c) => ({ role: 'resident', scope: 'settlement', settlementId: c.first })],
	['jumin2', (c) => ({ role: 'resident', scope: 'settlement', settlementId: c.second })],
	['cishan', (c) => ({ role: 'org_member', scope: 'organization', organizationId: c.charity })],
	[
		'huzhushe',
		(c) => ({ role: 'mutual_aid_admin', scope: 'organization', organizationId: c.mutualAid })
	]
];

describe('seedDemo', () => {
	let emptyBefore: boolean;
	let firstRun: { created: boolean };
	beforeAll(async () => {
		emptyBefore = await isEmpty();
		firstRun = await seedDemo();
	});

	it('seeds an empty database with the demo accounts of DESIGN.md', async () => {
		expect(emptyBefore).toBe(true);
		expect(firstRun).toEqual({ created: true });
		expect(await isEmpty()).toBe(false);

		const [county] = await db().select().from(region).where(eq(region.code, demoCountyCode));
		expect(county.level).toBe('county');
		const points = await db().select().from(settlement).orderBy(asc(settlement.createdAt));
		const byName = (name: string) => points.find((p) => p.name === name)!;
		const first = byName(demoSettlements[0].name);
		const second = byName(demoSettlements[1].name);
		// points of all three kinds
		expect(new Set(points.map((p) => p.kind))).toEqual(new Set(['urban_park', 'town', 'village']));
		const orgs = await db().select().from(organization);
		const charity = orgs.find((o) => o.kind === 'charity' && o.verifiedAt)!;
		const mutualAid = orgs.find((o) => o.kind === 'mutual_aid_group')!;
		expect(mutualAid.settlementId).toBe(first.id);
		const ctx = {
			county: county.id,
			first: first.id,
			second: second.id,
			charity: charity.id,
			mutualAid: mutualAid.id
		};

		const users = await db().select().from(user);
		expect(users.map((u) => u.username).sort()).toEqual(demoAccounts.map(([u]) => u).sort());
		for (const [username, expected] of demoAccounts) {
			const u = users.find((x) => x.username === username)!;
			const grants = await loadGrants(u.id);
			expect(grants, username).toEqual([expect.objectContaining(expected(ctx))]);
			expect(await verifyPasswordHash(u.passwordHash, demoPassword), username).toBe(true);
		}
		// the residents' accounts belong to a household of their settlement
		for (const [username, point] of [
			['jumin', first],
			['jumin2', second]
		] as const) {
			const u = users.find((x) => x.username === username)!;
			const [h] = await db().select().from(household).where(eq(household.id, u.householdId!));
			expect(h.settlementId, username).toBe(point.id);
		}
	});

	it('does nothing the second time', async () => {
		const before = await rowCounts();
		expect(before.household).toBeGreaterThan(50);
		expect(before.resident).toBeGreaterThan(before.household);
		expect(await seedDemo()).toEqual({ created: false });
		expect(await rowCounts()).toEqual(before);
	});

	it('gives every resident a valid ID number that matches their birth date and gender', async () => {
		const people = await db().select().from(resident);
		expect(people.length).toBeGreaterThan(100);
		for (const p of people) {
			const info = parseIdNumber(p.idNumber);
			expect(info, p.idNumber).not.toBeNull();
			expect(info, p.idNumber).toMatchObject({ birthDate: p.birthDate, gender: p.gender });
		}
		const ids = people.map((p) => p.idNumber);
		expect(new Set(ids).size).toBe(ids.length);
	});
});
