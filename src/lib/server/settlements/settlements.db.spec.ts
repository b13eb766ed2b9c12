import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus as status } from '../../../../tests/http';
import {
	createCounty,
	createHousehold,
	createOrganization,
	createSettlement,
	createUser,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { getHousehold, getSettlement, listHouseholds, listSettlements } from '.';

useTestDatabase();

let s1: Settlement;
let s2: Settlement;
let elsewhere: Settlement;
let home: Household & { members: Member[] };
let neighbour: Household & { members: Member[] };
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	const county = await createCounty();
	const otherCounty = await createCounty();
	s1 = await createSettlement(county);
	s2 = await createSettlement(county);
	elsewhere = await createSettlement(otherCounty);
	home = await createHousehold(s1, { members: 4 });
	neighbour = await createHousehold(s1, { members: 1 });
	const org = await createOrganization(county);
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('point admin', { grants: [{ role: 'point_admin', on: s1 }] });
	await make('point admin of s2', { grants: [{ role: 'point_admin', on: s2 }] });
	await make('civil affairs', { grants: [{ role: 'civil_affairs', on: county }] });
	await make('civil affairs elsewhere', { grants: [{ role: 'civil_affairs', on: otherCounty }] });
	await make('org member', { grants: [{ role: 'org_member', on: org }] });
	await make('resident', { household: home, grants: [{ role: 'resident', on: s1 }] });
	await make('neighbour', { household: neighbour, grants: [{ role: 'resident', on: s1 }] });
});

describe('getHousehold', () => {
	it('returns the household and its members with ID numbers and phones masked', async () => {
		const result = await getHousehold(actors['point admin'], home.id);
		expect(result.id).toBe(home.id);
		expect(result.members).toHaveLength(4);
		expect(result.members[0]).toMatchObject({ isHead: true, name: home.headName });
		const json = JSON.stringify(result);
		for (const m of home.members) {
			expect(json).not.toContain(m.idNumber);
			expect(json).not.toContain(m.phone!);
			const shown = result.members.find((r) => r.id === m.id)!;
			expect(shown.idNumber).toBe(m.idNumber.slice(0, 4) + '*'.repeat(10) + m.idNumber.slice(-4));
			expect(shown.phone).toBe(m.phone!.slice(0, 3) + '****' + m.phone!.slice(-4));
		}
		// no full 18-character ID number and no 11-digit phone anywhere in the result
		expect(json).not.toMatch(/\d{17}[\dX]/);
		expect(json).not.toMatch(/(?<![0-9a-fA-F-])1[3-9]\d{9}(?![0-9a-fA-F])/);
	});

	it('shows residents their own household', async () => {
		const result = await getHousehold(actors['resident'], home.id);
		expect(result.members.map((m) => m.id).sort()).toEqual(home.members.map((m) => m.id).sort());
	});

	it('answers 404 outside the actor’s scope, as if the household did not exist', async () => {
		for (const name of ['point admin of s2', 'civil affairs elsewhere', 'org member', 'neighbour'])
			expect(await status(getHousehold(actors[name], home.id)), name).toBe(404);
		expect(await status(getHousehold(actors['civil affairs'], home.id))).toBeNull();
	});

	it('answers 404 for an unknown or malformed id, even to a system admin', async () => {
		const { actor: admin } = await createUser({ grants: [{ role: 'system_admin' }] });
		for (const actor of [actors['civil affairs'], admin]) {
			expect(await status(getHousehold(actor, '00000000-0000-4000-8000-000000000000'))).toBe(404);
			for (const id of ['', 'not-a-uuid', "1' or '1'='1", home.id + 'x'])
				expect(await status(getHousehold(actor, id)), id).toBe(404);
		}
		expect((await getHousehold(admin, home.id)).members).toHaveLength(4);
	});
});

describe('settlements', () => {
	it('listSettlements shows exactly the settlements in scope, with household counts', async () => {
		const names = async (name: string) =>
			(await listSettlements(actors[name])).map((s) => s.id).sort();
		expect(await names('point admin')).toEqual([s1.id]);
		expect(await names('civil affairs')).toEqual([s1.id, s2.id].sort());
		expect(await names('civil affairs elsewhere')).toEqual([elsewhere.id]);
		expect(await names('resident')).toEqual([s1.id]);
		expect(await names('org member')).toEqual([]);
		const [row] = await listSettlements(actors['point admin']);
		expect(row.households).toBeGreaterThanOrEqual(2);
	});

	it('getSettlement answers 404 outside scope and for a malformed or unknown id', async () => {
		expect((await getSettlement(actors['resident'], s1.id)).id).toBe(s1.id);
		expect(await status(getSettlement(actors['resident'], s2.id))).toBe(404);
		expect(await status(getSettlement(actors['point admin'], 'nope'))).toBe(404);
		const { actor: admin } = await createUser({ grants: [{ role: 'system_admin' }] });
		const unknown = '00000000-0000-4000-8000-000000000000';
		expect(await status(getSettlement(admin, unknown))).toBe(404);
		expect(await status(listHouseholds(admin, unknown))).toBe(404);
	});
});

describe('listHouseholds', () => {
	let big: Settlement;
	const active = new Set<string>();
	beforeAll(async () => {
		big = await createSettlement(await createCounty());
		// many households share a head name, so paging has to break ties by id
		for (let i = 0; i < 130; i++) {
			const h = await createHousehold(big, {
				members: 0,
				headName: i % 3 === 0 ? '王伟' : i % 3 === 1 ? `李明${i % 7}` : `张${i}`
			});
			active.add(h.id);
		}
		await createHousehold(big, { members: 0, headName: '王伟', status: 'moved_out' });
		await createHousehold(elsewhere, { members: 0, headName: '王伟' });
	});

	it('pages by keyset with no overlap and no gap', async () => {
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: big }] });
		const seen: string[] = [];
		const sizes: number[] = [];
		let after: { name: string; id: string } | undefined;
		do {
			const page = await listHouseholds(actor, big.id, { after });
			sizes.push(page.rows.length);
			seen.push(...page.rows.map((r) => r.id));
			after = page.next ?? undefined;
		} while (after);
		expect(sizes).toEqual([50, 50, 30]);
		expect(new Set(seen).size).toBe(seen.length);
		expect(new Set(seen)).toEqual(active);
	});

	it('finds households by head name and by building-unit-room', async () => {
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: big }] });
		const wang = await listHouseholds(actor, big.id, { search: '王伟' });
		expect(wang.rows).toHaveLength(44);
		expect(wang.rows.every((r) => r.headName === '王伟')).toBe(true);
		const li = await listHouseholds(actor, big.id, { search: '李明3' });
		expect(li.rows.length).toBeGreaterThan(0);
		expect(li.rows.every((r) => r.headName === '李明3')).toBe(true);
		const [one] = wang.rows;
		const byRoom = await listHouseholds(actor, big.id, {
			search: `${one.building}-${one.unitNo}-${one.room}`
		});
		expect(byRoom.rows.map((r) => r.id)).toEqual([one.id]);
		expect((await listHouseholds(actor, big.id, { search: '无此人' })).rows).toEqual([]);
	});

	it('is not for residents (they see their own household at /me), an org or another point', async () => {
		expect(await status(listHouseholds(actors['resident'], s1.id))).toBe(404);
		expect(await status(listHouseholds(actors['org member'], s1.id))).toBe(404);
		expect(await status(listHouseholds(actors['point admin of s2'], s1.id))).toBe(404);
	});
});
