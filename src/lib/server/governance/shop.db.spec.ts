import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEngine, useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createOrganization,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import {
	accountAndLedger,
	createPointsList,
	createShopItemRow,
	givePoints
} from '../../../../tests/governance-points';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	createShopItem,
	getShopItem,
	listDonations,
	listDonorOrganizations,
	listRedemptions,
	listShopItems,
	markHandedOver,
	redeem,
	restock,
	updateShopItem
} from './shop';

// The points shop on a real database (both engines; on PostgreSQL the redemptions really run at
// once on ten connections, on PGlite they are serialised): 50 concurrent redemptions against a
// balance that covers 10 redeem exactly 10, and against a stock of 7 exactly 7, never taking a
// balance or a stock below zero, the ledger's sum the account's balance throughout; one
// redemption per idempotency key; a refused redemption writes nothing; who may do what.

useTestDatabase();

let county: County;
let a: Settlement;
let b: Settlement;
let home: Household & { members: Member[] };
let neighbour: Household & { members: Member[] };
let away: Household & { members: Member[] };
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	county = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	home = await createHousehold(a);
	neighbour = await createHousehold(a);
	away = await createHousehold(b);
	await createPointsList(a);
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('resident', { household: home, grants: [{ role: 'resident', on: a }] });
	await make('neighbour', { household: neighbour, grants: [{ role: 'resident', on: a }] });
	await make('resident of B', { household: away, grants: [{ role: 'resident', on: b }] });
	await make('worker', { grants: [{ role: 'community_worker', on: a }] });
	await make('admin', { grants: [{ role: 'point_admin', on: a }] });
	await make('admin of B', { grants: [{ role: 'point_admin', on: b }] });
	await make('county chief', { grants: [{ role: 'chief_of_points', on: county }] });
});

let keys = 0;
const newKey = () => `k${++keys}-${randomUUID().slice(0, 8)}`;

const ok = <T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> => {
	expect(r).toMatchObject({ ok: true });
	return r as Extract<T, { ok: true }>;
};

async function stockOf(itemId: string) {
	const [row] = await db()
		.select({ stock: schema.shopItem.stock })
		.from(schema.shopItem)
		.where(eq(schema.shopItem.id, itemId));
	return row.stock;
}

async function redemptionsOf(itemId: string) {
	return db().select().from(schema.redemption).where(eq(schema.redemption.itemId, itemId));
}

async function redeemEntries(householdId: string) {
	return db()
		.select()
		.from(schema.pointsEntry)
		.where(
			and(eq(schema.pointsEntry.householdId, householdId), eq(schema.pointsEntry.source, 'redeem'))
		);
}

/** A new household of A with `points` on its account. */
async function householdWith(points: number) {
	const h = await createHousehold(a);
	if (points) await givePoints(h, points);
	return h;
}

describe('redeem under concurrency', () => {
	it('redeems exactly 10 of 50 concurrent redemptions when the balance covers 10', async () => {
		const h = await householdWith(100);
		const resident = (await createUser({ household: h, grants: [{ role: 'resident', on: a }] }))
			.actor;
		const it = await createShopItemRow(a, { cost: 10, stock: 100 });
		// the household at home and the worker at the counter, at once
		const results = await Promise.all(
			Array.from({ length: 50 }, (_, i) =>
				redeem(i % 2 ? resident : actors['worker'], {
					itemId: it.id,
					householdId: i % 2 ? '' : h.id,
					quantity: 1,
					idempotencyKey: newKey()
				})
			)
		);
		const done = results.filter((r) => r.ok);
		const refused = results.filter((r) => !r.ok);
		expect(done).toHaveLength(10);
		expect(refused).toHaveLength(40);
		for (const r of refused) expect(r).toEqual({ ok: false, reason: 'balance', field: 'quantity' });
		// each success saw the balance one step lower, never below zero
		expect(done.map((r) => ok(r).balance).sort((x, y) => x - y)).toEqual(
			Array.from({ length: 10 }, (_, i) => i * 10)
		);
		const x = await accountAndLedger(h.id);
		expect(x).toMatchObject({ balance: 0, sum: 0, spent: 100, earned: 100, n: 11 });
		expect(await stockOf(it.id)).toBe(90);
		expect(await redemptionsOf(it.id)).toHaveLength(10);
		const entries = await redeemEntries(h.id);
		expect(entries).toHaveLength(10);
		expect(entries.every((e) => e.delta === -10)).toBe(true);
		// each redemption points at its own entry, by ref
		for (const r of await redemptionsOf(it.id)) {
			const e = entries.find((x) => x.id === r.entryId)!;
			expect(e.ref).toBe(`redemption:${r.id}`);
			expect(r.cost).toBe(10);
		}
	});

	it('redeems exactly 7 of 50 when the stock of 7 is the limit and the balance covers 50', async () => {
		const h = await householdWith(100);
		const it = await createShopItemRow(a, { cost: 2, stock: 7 });
		const results = await Promise.all(
			Array.from({ length: 50 }, () =>
				redeem(actors['worker'], {
					itemId: it.id,
					householdId: h.id,
					quantity: 1,
					idempotencyKey: newKey()
				})
			)
		);
		expect(results.filter((r) => r.ok)).toHaveLength(7);
		const refused = results.filter((r) => !r.ok);
		expect(refused).toHaveLength(43);
		for (const r of refused) expect(r).toEqual({ ok: false, reason: 'stock', field: 'quantity' });
		expect(await stockOf(it.id)).toBe(0);
		expect(await accountAndLedger(h.id)).toMatchObject({ balance: 86, sum: 86, spent: 14 });
		expect(await redeemEntries(h.id)).toHaveLength(7);
	});

	it('makes one redemption of one idempotency key sent 10 times at once', async () => {
		const h = await householdWith(100);
		const it = await createShopItemRow(a, { cost: 7, stock: 20 });
		const key = newKey();
		const results = await Promise.all(
			Array.from({ length: 10 }, () =>
				redeem(actors['worker'], {
					itemId: it.id,
					householdId: h.id,
					quantity: 2,
					idempotencyKey: key
				})
			)
		);
		const ids = new Set(results.map((r) => ok(r).redemptionId));
		expect(ids.size).toBe(1);
		expect(results.filter((r) => ok(r).duplicate)).toHaveLength(9);
		for (const r of results) expect(ok(r).balance).toBe(86);
		expect(await redemptionsOf(it.id)).toHaveLength(1);
		expect(await stockOf(it.id)).toBe(18);
		expect(await accountAndLedger(h.id)).toMatchObject({ balance: 86, sum: 86, n: 2 });
		// the same key from someone else is their own redemption
		ok(
			await redeem(actors['admin'], {
				itemId: it.id,
				householdId: h.id,
				quantity: 1,
				idempotencyKey: key
			})
		);
		expect(await stockOf(it.id)).toBe(17);
	});

	it('runs on concurrent connections on PostgreSQL, on one serialised connection on PGlite', async () => {
		const pids = await Promise.all(
			Array.from({ length: 5 }, () =>
				db().transaction(async (tx) => {
					const result = await tx.execute(sql`select pg_backend_pid() as pid, pg_sleep(0.2)`);
					const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
					return (rows[0] as { pid: number }).pid;
				})
			)
		);
		const distinct = new Set(pids).size;
		if (testEngine() === 'postgres') expect(distinct).toBeGreaterThan(1);
		else expect(distinct).toBe(1);
	});
});

describe('redeem', () => {
	it('writes nothing when the points do not cover it: the stock taken is put back', async () => {
		const h = await householdWith(15);
		const it = await createShopItemRow(a, { cost: 8, stock: 5 });
		const audits = async () =>
			(
				await db()
					.select({ n: sql<number>`count(*)::int` })
					.from(schema.auditEntry)
					.where(eq(schema.auditEntry.action, 'shop.redeem'))
			)[0].n;
		const before = await audits();
		expect(
			await redeem(actors['worker'], {
				itemId: it.id,
				householdId: h.id,
				quantity: 2,
				idempotencyKey: newKey()
			})
		).toEqual({ ok: false, reason: 'balance', field: 'quantity' });
		expect(await stockOf(it.id)).toBe(5);
		expect(await redemptionsOf(it.id)).toHaveLength(0);
		expect(await accountAndLedger(h.id)).toMatchObject({ balance: 15, sum: 15, n: 1, spent: 0 });
		expect(await audits()).toBe(before);
		// one fits
		const one = ok(
			await redeem(actors['worker'], {
				itemId: it.id,
				householdId: h.id,
				quantity: 1,
				idempotencyKey: newKey()
			})
		);
		expect(one.balance).toBe(7);
		expect(await audits()).toBe(before + 1);
	});

	it('refuses a household below zero after a deduction, until it earns back', async () => {
		const h = await householdWith(5);
		await givePoints(h, -10);
		const it = await createShopItemRow(a, { cost: 1, stock: 5 });
		expect(
			await redeem(actors['worker'], {
				itemId: it.id,
				householdId: h.id,
				quantity: 1,
				idempotencyKey: newKey()
			})
		).toMatchObject({ reason: 'balance' });
		expect(await accountAndLedger(h.id)).toMatchObject({ balance: -5, sum: -5 });
	});

	it('refuses a withdrawn item, too few in stock, a bad quantity, another settlement’s item', async () => {
		const h = await householdWith(100);
		const off = await createShopItemRow(a, { cost: 1, stock: 5, active: false });
		const few = await createShopItemRow(a, { cost: 1, stock: 2 });
		const ofB = await createShopItemRow(b, { cost: 1, stock: 5 });
		const r = (itemId: string, quantity: number, householdId = h.id) =>
			redeem(actors['admin'], { itemId, householdId, quantity, idempotencyKey: newKey() });
		expect(await r(off.id, 1)).toEqual({ ok: false, reason: 'inactive', field: 'itemId' });
		expect(await r(few.id, 3)).toEqual({ ok: false, reason: 'stock', field: 'quantity' });
		for (const q of [0, -1, 1.5, 100, Number.NaN])
			expect(await r(few.id, q)).toEqual({ ok: false, reason: 'quantity', field: 'quantity' });
		expect(await r(ofB.id, 1)).toEqual({ ok: false, reason: 'no_item', field: 'itemId' });
		expect(await r(randomUUID(), 1)).toMatchObject({ reason: 'no_item' });
		expect(await r('nonsense', 1)).toMatchObject({ reason: 'no_item' });
		expect(await stockOf(few.id)).toBe(2);
		expect(await accountAndLedger(h.id)).toMatchObject({ balance: 100, sum: 100 });
		// a staff member must name the household
		expect(
			await redeem(actors['admin'], { itemId: few.id, quantity: 1, idempotencyKey: newKey() })
		).toEqual({ ok: false, reason: 'household', field: 'householdId' });
	});

	it('lets a resident redeem for their own household only; staff for theirs', async () => {
		await givePoints(home, 30);
		await givePoints(neighbour, 30);
		const it = await createShopItemRow(a, { cost: 3, stock: 50 });
		const ofB = await createShopItemRow(b, { cost: 1, stock: 5 });
		const r = (actor: Actor, householdId: string, itemId = it.id) =>
			redeem(actor, { itemId, householdId, quantity: 1, idempotencyKey: newKey() });
		ok(await r(actors['resident'], ''));
		ok(await r(actors['resident'], home.id));
		expect(await httpStatus(r(actors['resident'], neighbour.id))).toBe(404);
		expect(await httpStatus(r(actors['resident of B'], home.id))).toBe(404);
		expect(await r(actors['resident of B'], '', it.id)).toMatchObject({ reason: 'no_item' });
		expect(await httpStatus(r(actors['admin of B'], home.id))).toBe(404);
		expect(await httpStatus(r(actors['county chief'], home.id))).toBe(403);
		expect(await httpStatus(r(actors['admin'], randomUUID()))).toBe(404);
		// B's admin redeems for B's household: refused for its balance (it has none), not for access
		expect(await r(actors['admin of B'], away.id, ofB.id)).toMatchObject({ reason: 'balance' });
		expect(await accountAndLedger(home.id)).toMatchObject({ balance: 24, sum: 24 });
		expect(await accountAndLedger(neighbour.id)).toMatchObject({ balance: 30, sum: 30 });
	});
});

describe('the shop', () => {
	it('is kept by the point’s admins: items, restocks with donors credited', async () => {
		const charity = await createOrganization(county);
		const far = await createOrganization(await createCounty());
		const created = ok(
			await createShopItem(actors['admin'], a.id, {
				name: '洗衣液',
				unit: '瓶',
				cost: 30,
				active: true
			})
		);
		expect(await stockOf(created.id)).toBe(0);
		expect(
			await httpStatus(
				createShopItem(actors['worker'], a.id, { name: '盐', unit: '袋', cost: 5, active: true })
			)
		).toBe(403);
		expect(
			await httpStatus(
				createShopItem(actors['resident'], a.id, { name: '盐', unit: '袋', cost: 5, active: true })
			)
		).toBe(404);
		expect(
			await httpStatus(
				createShopItem(actors['admin of B'], a.id, {
					name: '盐',
					unit: '袋',
					cost: 5,
					active: true
				})
			)
		).toBe(404);
		expect(
			await createShopItem(actors['admin'], a.id, { name: '盐', unit: '袋', cost: 0, active: true })
		).toEqual({
			ok: false,
			reason: 'cost',
			field: 'cost'
		});
		const donors = await listDonorOrganizations(actors['admin'], a.id);
		expect(donors.map((d) => d.id)).toContain(charity.id);
		expect(donors.map((d) => d.id)).not.toContain(far.id);
		expect(
			await restock(actors['admin'], created.id, {
				quantity: 40,
				donorOrganizationId: charity.id,
				donorName: '',
				note: '爱心捐赠'
			})
		).toEqual({ ok: true, stock: 40 });
		expect(
			await restock(actors['admin'], created.id, { quantity: 5, donorName: '张先生', note: '' })
		).toEqual({ ok: true, stock: 45 });
		expect(
			await restock(actors['admin'], created.id, { quantity: 5, donorName: '', note: '采购' })
		).toEqual({ ok: true, stock: 50 });
		expect(
			await restock(actors['admin'], created.id, {
				quantity: 5,
				donorOrganizationId: far.id,
				donorName: '',
				note: ''
			})
		).toEqual({ ok: false, reason: 'no_organization', field: 'donorOrganizationId' });
		for (const quantity of [0, -3, 1.5, 100_001])
			expect(
				await restock(actors['admin'], created.id, { quantity, donorName: '', note: '' })
			).toEqual({ ok: false, reason: 'quantity', field: 'quantity' });
		expect(
			await httpStatus(
				restock(actors['worker'], created.id, { quantity: 5, donorName: '', note: '' })
			)
		).toBe(403);
		expect(await stockOf(created.id)).toBe(50);
		const item = await getShopItem(actors['resident'], created.id);
		expect(item).toMatchObject({ name: '洗衣液', stock: 50, can: { manage: false, redeem: true } });
		expect(item.restocks.map((r) => r.organizationName ?? r.donorName)).toEqual(
			expect.arrayContaining([charity.name, '张先生'])
		);
		const thanks = await listDonations(actors['resident'], a.id);
		expect(thanks.filter((d) => d.itemName === '洗衣液')).toHaveLength(2);
		// withdrawn: residents no longer see it; its admins do
		ok(
			await updateShopItem(actors['admin'], created.id, {
				name: '洗衣液',
				unit: '瓶',
				cost: 25,
				active: false
			})
		);
		expect((await listShopItems(actors['resident'], a.id)).map((i) => i.id)).not.toContain(
			created.id
		);
		expect(
			(await listShopItems(actors['admin'], a.id)).find((i) => i.id === created.id)
		).toMatchObject({
			cost: 25,
			active: false
		});
		expect(await httpStatus(getShopItem(actors['resident'], created.id))).toBe(404);
		expect(await httpStatus(listShopItems(actors['resident of B'], a.id))).toBe(404);
		expect(await httpStatus(listShopItems(actors['admin of B'], a.id))).toBe(404);
		expect(
			await httpStatus(
				updateShopItem(actors['worker'], created.id, {
					name: 'x',
					unit: '件',
					cost: 1,
					active: true
				})
			)
		).toBe(403);
	});

	it('lists redemptions by scope, and hands each over once at the counter', async () => {
		await givePoints(neighbour, 20);
		const it = await createShopItemRow(a, { cost: 2, stock: 10 });
		const mine = ok(
			await redeem(actors['neighbour'], { itemId: it.id, quantity: 2, idempotencyKey: newKey() })
		);
		const own = await listRedemptions(actors['neighbour']);
		expect(own.rows.map((r) => r.id)).toContain(mine.redemptionId);
		for (const r of own.rows) expect(r.householdId).toBe(neighbour.id);
		expect((await listRedemptions(actors['resident'])).rows.map((r) => r.id)).not.toContain(
			mine.redemptionId
		);
		expect((await listRedemptions(actors['admin of B'])).rows.map((r) => r.id)).not.toContain(
			mine.redemptionId
		);
		const pending = await listRedemptions(actors['worker'], {
			settlementId: a.id,
			status: 'pending'
		});
		expect(pending.rows.find((r) => r.id === mine.redemptionId)).toMatchObject({
			quantity: 2,
			cost: 4,
			itemName: it.name,
			handedOverAt: null
		});
		expect(await httpStatus(markHandedOver(actors['neighbour'], mine.redemptionId))).toBe(403);
		expect(await httpStatus(markHandedOver(actors['resident'], mine.redemptionId))).toBe(404);
		expect(await httpStatus(markHandedOver(actors['admin of B'], mine.redemptionId))).toBe(404);
		expect(await httpStatus(markHandedOver(actors['county chief'], mine.redemptionId))).toBe(403);
		const results = await Promise.all([
			markHandedOver(actors['worker'], mine.redemptionId),
			markHandedOver(actors['admin'], mine.redemptionId)
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok)).toEqual([
			{ ok: false, reason: 'already', field: 'redemptionId' }
		]);
		const handed = await listRedemptions(actors['admin'], { settlementId: a.id, status: 'handed' });
		expect(handed.rows.map((r) => r.id)).toContain(mine.redemptionId);
		expect(
			(await listRedemptions(actors['admin'], { settlementId: a.id, status: 'pending' })).rows.map(
				(r) => r.id
			)
		).not.toContain(mine.redemptionId);
	});
});
