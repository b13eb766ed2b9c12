import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus as status } from '../../../../tests/http';
import { createCounty, createRegion, createUser, type County } from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	createSettlement,
	getSettlement,
	listSettlementRegions,
	listSettlements,
	updateSettlement
} from '.';

// Opening and correcting settlements: county staff, inside their county, in a township or village.

useTestDatabase();

let county: County;
let other: County;
let township: { id: string; path: string };
let village: { id: string; path: string };
let otherTownship: { id: string };
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	county = await createCounty();
	other = await createCounty();
	township = await createRegion(county, { level: 'township', name: '贡江镇' });
	village = await createRegion(township as never, { level: 'village', name: '长征村' });
	otherTownship = await createRegion(other, { level: 'township' });
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('civil affairs', { grants: [{ role: 'civil_affairs', on: county }] });
	await make('chief of points', { grants: [{ role: 'chief_of_points', on: county }] });
	await make('civil affairs elsewhere', { grants: [{ role: 'civil_affairs', on: other }] });
});

const input = (over: Partial<Parameters<typeof createSettlement>[1]> = {}) => ({
	name: '长征源安置小区',
	kind: 'urban_park' as const,
	regionId: township.id,
	committeeKind: 'new_residents_committee' as const,
	committeeName: '长征源社区居委会',
	address: '于都县贡江镇长征大道 1 号',
	openedOn: '2020-05-01',
	capacity: 2400,
	...over
});

describe('createSettlement', () => {
	it('opens a settlement with its region path and an audit entry', async () => {
		const result = await createSettlement(actors['civil affairs'], input());
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const s = await getSettlement(actors['chief of points'], result.id);
		expect(s).toMatchObject({
			name: '长征源安置小区',
			kind: 'urban_park',
			regionPath: township.path,
			capacity: 2400
		});
		expect((await listSettlements(actors['chief of points'])).map((x) => x.id)).toContain(
			result.id
		);
		const [entry] = await db()
			.select()
			.from(schema.auditEntry)
			.where(
				and(
					eq(schema.auditEntry.action, 'settlement.create'),
					eq(schema.auditEntry.entityId, result.id)
				)
			);
		expect(entry.scopePath).toBe(township.path);
		expect(await status(getSettlement(actors['civil affairs elsewhere'], result.id))).toBe(404);
	});

	it('refuses a name taken in the same place, a county or a region outside scope', async () => {
		expect(
			await createSettlement(actors['civil affairs'], input({ name: '重名安置点' }))
		).toMatchObject({ ok: true });
		expect(await createSettlement(actors['civil affairs'], input({ name: '重名安置点' }))).toEqual({
			ok: false,
			reason: 'name_taken',
			field: 'name'
		});
		// a county is not a place for a settlement: a township or a village is
		expect(
			await createSettlement(actors['civil affairs'], input({ name: '县里', regionId: county.id }))
		).toEqual({
			ok: false,
			reason: 'no_region',
			field: 'regionId'
		});
		expect(
			await status(
				createSettlement(
					actors['civil affairs'],
					input({ name: '外县', regionId: otherTownship.id })
				)
			)
		).toBe(403);
	});

	it('is for county staff only', async () => {
		const s = await createSettlement(
			actors['civil affairs'],
			input({ name: '村级点', kind: 'village', regionId: village.id })
		);
		expect(s.ok).toBe(true);
		if (!s.ok) return;
		const [row] = await db().select().from(schema.settlement).where(eq(schema.settlement.id, s.id));
		const { actor: admin } = await createUser({ grants: [{ role: 'point_admin', on: row }] });
		expect(await status(createSettlement(admin, input({ name: '自己开的点' })))).toBe(403);
		expect(
			await status(
				updateSettlement(
					admin,
					s.id,
					input({ name: '改名', kind: 'village', regionId: village.id })
				)
			)
		).toBe(403);
	});
});

describe('updateSettlement', () => {
	it('corrects the record and moves it with its scope', async () => {
		const created = await createSettlement(actors['civil affairs'], input({ name: '待更正' }));
		if (!created.ok) throw new Error('not created');
		expect(
			await updateSettlement(
				actors['civil affairs'],
				created.id,
				input({
					name: '已更正',
					regionId: village.id,
					kind: 'village',
					committeeKind: 'village_committee'
				})
			)
		).toEqual({ ok: true });
		const s = await getSettlement(actors['civil affairs'], created.id);
		expect(s).toMatchObject({ name: '已更正', kind: 'village', regionPath: village.path });
		expect(
			await status(updateSettlement(actors['civil affairs elsewhere'], created.id, input()))
		).toBe(404);
	});

	it('offers only the actor’s townships and villages', async () => {
		const regions = await listSettlementRegions(actors['civil affairs']);
		expect(regions.map((r) => r.id).sort()).toEqual([township.id, village.id].sort());
	});
});
