import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber } from '$lib/mask';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus as status } from '../../../../tests/http';
import {
	createAssignment,
	createCounty,
	createHousehold,
	createOrganization,
	createSettlement,
	createUser,
	householdInput,
	memberInput,
	type County,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import * as settlements from '.';
import { listCompliance, listDuplicates } from '.';

// The county's compliance list and the duplicate-registration list, on crafted points whose
// findings are known by construction.

useTestDatabase();

/** Active residents in households of up to 50 (the factory's people, no labour data: no zero-employment flag). */
async function populate(s: Settlement, people: number) {
	while (people > 0) {
		const size = Math.min(50, people);
		await createHousehold(s, { members: size });
		people -= size;
	}
}

let countyA: County;
let countyB: County;
const points: Record<string, Settlement> = {};
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	countyA = await createCounty();
	countyB = await createCounty();
	const make = async (
		key: string,
		kind: Settlement['kind'],
		setup: {
			people?: number;
			chief?: 'active' | 'ended' | 'none';
			admin?: 'active' | 'ended';
			company?: 'active' | 'ended';
		},
		county: County = countyA
	) => {
		const s = await createSettlement(county, { kind, name: `合规-${key}` });
		points[key] = s;
		await populate(s, setup.people ?? 3);
		const chief = setup.chief ?? 'active';
		if (chief !== 'none')
			await createAssignment(s, {
				kind: 'point_chief',
				endedOn: chief === 'ended' ? '2024-12-31' : null
			});
		if (setup.admin)
			await createAssignment(s, {
				kind: 'point_admin',
				endedOn: setup.admin === 'ended' ? '2024-12-31' : null
			});
		if (setup.company)
			await createAssignment(s, {
				kind: 'property_company',
				endedOn: setup.company === 'ended' ? '2024-12-31' : null
			});
	};
	await make('over200', 'town', { people: 201 });
	await make('over200-admin', 'town', { people: 201, admin: 'active' });
	await make('over200-ended-admin', 'town', { people: 201, admin: 'ended' });
	await make('exactly200', 'town', { people: 200 });
	await make('no-chief', 'town', { chief: 'none' });
	await make('ended-chief', 'town', { chief: 'ended' });
	await make('urban-no-company', 'urban_park', {});
	await make('urban-company', 'urban_park', { company: 'active' });
	await make('urban-ended-company', 'urban_park', { company: 'ended' });
	await make('village', 'village', {});
	await make('everything', 'urban_park', { people: 250, chief: 'none' });
	await make('zero', 'town', { people: 0 });
	await make('county-b', 'town', { chief: 'none' }, countyB);

	// exactly200: 200 active people; a moved-out household (its members' rows even left active)
	// and a household whose only member died do not count
	await createHousehold(points['exactly200'], { members: 5, status: 'moved_out' });
	const emptied = await createHousehold(points['exactly200'], { members: 1 });
	await db()
		.update(schema.resident)
		.set({ status: 'deceased', endedOn: '2024-08-01' })
		.where(eq(schema.resident.householdId, emptied.id));

	const org = await createOrganization(countyA);
	const user = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await user('civil affairs A', { grants: [{ role: 'civil_affairs', on: countyA }] });
	await user('chief of points A', { grants: [{ role: 'chief_of_points', on: countyA }] });
	await user('civil affairs B', { grants: [{ role: 'civil_affairs', on: countyB }] });
	await user('point chief', { grants: [{ role: 'point_chief', on: points['zero'] }] });
	await user('point admin', { grants: [{ role: 'point_admin', on: points['zero'] }] });
	await user('community worker', { grants: [{ role: 'community_worker', on: points['zero'] }] });
	await user('org member', { grants: [{ role: 'org_member', on: org }] });
	await user('system admin', { grants: [{ role: 'system_admin' }] });

	// zero: two households with labour and nobody in work, one with work, one moved out
	const as = actors['point admin'];
	const zero = points['zero'];
	for (let i = 0; i < 2; i++)
		await settlements.createHousehold(
			as,
			zero.id,
			householdInput({ age: 40, laborAbility: '普通劳动力', employment: '未就业' })
		);
	await settlements.createHousehold(
		as,
		zero.id,
		householdInput({ age: 40, laborAbility: '普通劳动力', employment: '务工' })
	);
	const moved = await settlements.createHousehold(
		as,
		zero.id,
		householdInput({ age: 40, laborAbility: '普通劳动力', employment: '未就业' })
	);
	if (!moved.ok) throw new Error('setup');
	await settlements.moveOutHousehold(as, moved.id, { endedOn: '2025-01-01', note: '整户迁出' });
});

describe('listCompliance', () => {
	const byKey = async (actor: Actor) => {
		const rows = await listCompliance(actor);
		const key = Object.fromEntries(Object.entries(points).map(([k, s]) => [s.id, k]));
		return Object.fromEntries(rows.map((r) => [key[r.id] ?? r.id, r]));
	};

	it('finds exactly the expected issues on each crafted point', async () => {
		const rows = await byKey(actors['civil affairs A']);
		const issues = Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, r.issues]));
		expect(issues).toEqual({
			over200: ['no_admin_over_200'],
			'over200-admin': [],
			// an ended 专职管理员 is no administrator
			'over200-ended-admin': ['no_admin_over_200'],
			// 200 is not over 200
			exactly200: [],
			'no-chief': ['no_chief'],
			// the 点长 handed over and nobody took over
			'ended-chief': ['no_chief'],
			'urban-no-company': ['no_property_company'],
			'urban-company': [],
			'urban-ended-company': ['no_property_company'],
			// a town or village point needs no property company
			village: [],
			everything: ['no_admin_over_200', 'no_chief', 'no_property_company'],
			zero: ['zero_employment']
		});
	});

	it('counts residents, staff and zero-employment households as they are now', async () => {
		const rows = await byKey(actors['civil affairs A']);
		expect(rows['over200']).toMatchObject({
			name: '合规-over200',
			kind: 'town',
			residents: 201,
			pointAdmins: 0,
			pointChiefs: 1,
			propertyCompanies: 0,
			zeroEmploymentHouseholds: 0
		});
		expect(rows['exactly200'].residents).toBe(200);
		expect(rows['over200-admin']).toMatchObject({ residents: 201, pointAdmins: 1 });
		expect(rows['over200-ended-admin'].pointAdmins).toBe(0);
		expect(rows['ended-chief'].pointChiefs).toBe(0);
		expect(rows['urban-company'].propertyCompanies).toBe(1);
		expect(rows['urban-ended-company'].propertyCompanies).toBe(0);
		// two of four: one has work, one moved out
		expect(rows['zero']).toMatchObject({ zeroEmploymentHouseholds: 2, residents: 3 });
	});

	it('is cut to the actor’s scope: a county’s points, a point chief’s point; 404 to those without it', async () => {
		const ids = async (name: string) =>
			(await listCompliance(actors[name])).map((r) => r.id).sort();
		const countyAIds = Object.entries(points)
			.filter(([k]) => k !== 'county-b')
			.map(([, s]) => s.id)
			.sort();
		expect(await ids('civil affairs A')).toEqual(countyAIds);
		expect(await ids('chief of points A')).toEqual(countyAIds);
		expect(await ids('civil affairs B')).toEqual([points['county-b'].id]);
		expect((await listCompliance(actors['civil affairs B']))[0].issues).toEqual(['no_chief']);
		expect(await ids('point chief')).toEqual([points['zero'].id]);
		expect(await ids('system admin')).toEqual([...countyAIds, points['county-b'].id].sort());
		for (const name of ['point admin', 'community worker', 'org member'])
			expect(await status(listCompliance(actors[name])), name).toBe(404);
		const { actor: resident } = await createUser({
			grants: [{ role: 'resident', on: points['zero'] }]
		});
		expect(await status(listCompliance(resident))).toBe(404);
	});
});

describe('listDuplicates', () => {
	let inA: Settlement;
	let inA2: Settlement;
	let inB: Settlement;
	const admins: Record<string, Actor> = {};
	beforeAll(async () => {
		inA = await createSettlement(countyA, { name: '甲县一号点' });
		inA2 = await createSettlement(countyA, { name: '甲县二号点' });
		inB = await createSettlement(countyB, { name: '乙县安置点' });
		for (const s of [inA, inA2, inB])
			admins[s.id] = (await createUser({ grants: [{ role: 'point_admin', on: s }] })).actor;
	});

	/** A household of `s` registered by its admin, with `copies` added as members. */
	async function householdWith(
		s: Settlement,
		head: string,
		copies: ReturnType<typeof memberInput>[]
	) {
		const created = await settlements.createHousehold(
			admins[s.id],
			s.id,
			householdInput({ name: head, age: 45 })
		);
		if (!created.ok) throw new Error('setup');
		const memberIds: string[] = [];
		for (const c of copies) {
			const added = await settlements.addMember(admins[s.id], created.id, c);
			if (!added.ok) throw new Error('setup');
			memberIds.push(added.id);
		}
		return { id: created.id, memberIds };
	}

	it('lists a person active in households of two counties: linked where the actor may look, masked', async () => {
		const person = memberInput({ name: '钟跨县', relation: '父亲', age: 72 });
		const hA = await householdWith(inA, '钟甲', [person]);
		const hB = await householdWith(inB, '钟乙', [person]);

		const a = await listDuplicates(actors['civil affairs A']);
		const mine = a.filter((d) => d.name === '钟跨县');
		expect(mine).toEqual([
			{
				idNumber: maskIdNumber(person.idNumber),
				name: '钟跨县',
				households: expect.arrayContaining([
					{ householdId: hA.id, settlementName: '甲县一号点', headName: '钟甲' },
					{ householdId: null, settlementName: '乙县安置点', headName: '' }
				])
			}
		]);
		expect(mine[0].households).toHaveLength(2);
		expect(JSON.stringify(a)).not.toContain(person.idNumber);

		// county B sees the same pair from its side
		const b = (await listDuplicates(actors['civil affairs B'])).filter((d) => d.name === '钟跨县');
		expect(b[0].households).toEqual(
			expect.arrayContaining([
				{ householdId: null, settlementName: '甲县一号点', headName: '' },
				{ householdId: hB.id, settlementName: '乙县安置点', headName: '钟乙' }
			])
		);
		// the point admin of inA has no compliance.read; a point chief of inA2 does not see inA's people
		expect(await status(listDuplicates(admins[inA.id]))).toBe(404);
		const { actor: chiefA2 } = await createUser({ grants: [{ role: 'point_chief', on: inA2 }] });
		expect((await listDuplicates(chiefA2)).filter((d) => d.name === '钟跨县')).toEqual([]);
		const { actor: chiefA } = await createUser({ grants: [{ role: 'point_chief', on: inA }] });
		expect((await listDuplicates(chiefA)).filter((d) => d.name === '钟跨县')).toHaveLength(1);
	});

	it('lists two households of one county, both linked', async () => {
		const person = memberInput({ name: '钟同县', relation: '母亲', age: 70, gender: 'female' });
		const h1 = await householdWith(inA, '钟一', [person]);
		const h2 = await householdWith(inA2, '钟二', [person]);
		const [row] = (await listDuplicates(actors['chief of points A'])).filter(
			(d) => d.name === '钟同县'
		);
		expect(row.households.map((h) => h.householdId).sort()).toEqual([h1.id, h2.id].sort());
	});

	it('does not count an ended membership or a moved-out household', async () => {
		const left = memberInput({ name: '钟已迁', relation: '父亲', age: 75 });
		await householdWith(inA, '钟三', [left]);
		const past = await householdWith(inB, '钟四', [left]);
		const ended = await settlements.endMembership(admins[inB.id], past.memberIds[0], {
			reason: 'moved_out',
			endedOn: '2025-01-01',
			note: '',
			newHeadId: ''
		});
		expect(ended.ok).toBe(true);

		const moved = memberInput({ name: '钟整户', relation: '父亲', age: 76 });
		await householdWith(inA, '钟五', [moved]);
		const gone = await householdWith(inA2, '钟六', [moved]);
		expect(
			await settlements.moveOutHousehold(admins[inA2.id], gone.id, {
				endedOn: '2025-01-01',
				note: '整户迁出'
			})
		).toEqual({ ok: true });

		for (const name of ['civil affairs A', 'civil affairs B', 'system admin']) {
			const names = (await listDuplicates(actors[name])).map((d) => d.name);
			expect(names, name).not.toContain('钟已迁');
			expect(names, name).not.toContain('钟整户');
		}
	});

	it('lists exactly the two live pairs among the crafted people', async () => {
		const names = (await listDuplicates(actors['system admin']))
			.map((d) => d.name)
			.filter((n) => n.startsWith('钟'))
			.sort();
		expect(names).toEqual(['钟同县', '钟跨县']);
	});
});
