// 积分超市: a settlement's shop of goods bought with points. Stock comes in by restocking (donors
// credited); a redemption takes stock and points in one transaction and never either below zero.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import { can, requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { householdUserIds, storable } from '../services/shared';
import { householdResource, isUuid, notFound, settlementResource } from '../settlements/shared';
import { parseCursor } from './points';
import { postPoints } from './shared';

const item = schema.shopItem;
const rs = schema.shopRestock;
const rd = schema.redemption;
const hh = schema.household;
const org = schema.organization;

/** The most of one item a household takes at once. */
export const maxRedeemQuantity = 99;
const pageSize = 50;

/** A refusal found inside a transaction: thrown to roll it back, caught and returned. */
class Refusal<F extends string> extends Error {
	constructor(readonly failure: Failure<F>) {
		super(failure.reason);
	}
}

/**
 * Whether the actor may see this settlement's shop: its staff (points or shop permissions
 * there), or a resident whose household lives there (`own`: they redeem for it).
 */
async function shopAccess(
	actor: Actor,
	s: { settlementId: string; regionPath: string }
): Promise<{ visible: boolean; own: boolean }> {
	let own = false;
	if (actor.householdId) {
		const h = await householdResource(actor.householdId);
		own =
			!!h &&
			h.settlementId === s.settlementId &&
			can(actor, 'shop.redeem', { ...s, householdId: h.householdId });
	}
	const staff =
		can(actor, 'points.read', s) || can(actor, 'shop.manage', s) || can(actor, 'shop.redeem', s);
	return { visible: staff || own, own };
}

/** The settlement of a shop page: 404 unless the actor may see its shop. */
async function visibleSettlement(actor: Actor, settlementId: string) {
	const s = await settlementResource(settlementId);
	if (!s || !(await shopAccess(actor, s)).visible) notFound();
	return s;
}

export interface ShopItemRow {
	id: string;
	settlementId: string;
	name: string;
	unit: string;
	cost: number;
	stock: number;
	active: boolean;
}

const itemColumns = {
	id: item.id,
	settlementId: item.settlementId,
	name: item.name,
	unit: item.unit,
	cost: item.cost,
	stock: item.stock,
	active: item.active
};

/**
 * The settlement's shop: its items by name, the withdrawn ones only for those who manage it.
 * 404 unless the actor may see the shop.
 */
export async function listShopItems(actor: Actor, settlementId: string): Promise<ShopItemRow[]> {
	const s = await visibleSettlement(actor, settlementId);
	const where: SQL[] = [eq(item.settlementId, s.settlementId)];
	if (!can(actor, 'shop.manage', s)) where.push(eq(item.active, true));
	return db()
		.select(itemColumns)
		.from(item)
		.where(and(...where))
		.orderBy(desc(item.active), item.name, item.id)
		.limit(500);
}

/** An item as a resource for `can()`, with what the commands check; null when there is none. */
async function itemResource(itemId: string, executor: Executor = db()) {
	if (!isUuid(itemId)) return null;
	const [row] = await executor
		.select({ ...itemColumns, regionPath: item.regionPath })
		.from(item)
		.where(eq(item.id, itemId));
	return row ? { ...row, itemId: row.id } : null;
}

/** One item with its latest restocks (donors credited): 404 unless the actor may see the shop. */
export async function getShopItem(actor: Actor, itemId: string) {
	const it = await itemResource(itemId);
	const access = it ? await shopAccess(actor, it) : null;
	if (!it || !access?.visible) notFound();
	const manage = can(actor, 'shop.manage', it);
	if (!it.active && !manage) notFound();
	const restocks = await db()
		.select({
			id: rs.id,
			quantity: rs.quantity,
			donorName: rs.donorName,
			organizationName: org.name,
			note: rs.note,
			createdAt: rs.createdAt
		})
		.from(rs)
		.leftJoin(org, eq(org.id, rs.donorOrganizationId))
		.where(eq(rs.itemId, it.itemId))
		.orderBy(desc(rs.createdAt), desc(rs.id))
		.limit(20);
	const { regionPath: _regionPath, itemId: _itemId, ...row } = it;
	return {
		...row,
		restocks,
		can: { manage, redeem: can(actor, 'shop.redeem', it) || access.own, own: access.own }
	};
}

export interface ShopItemInput {
	name: string;
	unit: string;
	cost: number;
	active: boolean;
}

/** Points a form's cost may be; the schema holds the same bounds. */
function validCost(cost: number) {
	return Number.isSafeInteger(cost) && cost >= 1 && cost <= 100_000;
}

/**
 * The point's staff (shop.manage) add an item to the settlement's shop, with no stock (stock
 * comes by restocking). 404/403 outside their settlements; fails 'cost' at cost out of bounds.
 */
export async function createShopItem(
	actor: Actor,
	settlementId: string,
	input: ShopItemInput
): Promise<{ ok: true; id: string } | Failure<'cost'>> {
	input = storable(input);
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'points.read', s ?? {}, 'read');
	if (!s) notFound();
	requirePermission(actor, 'shop.manage', s, 'write');
	if (!validCost(input.cost)) return { ok: false, reason: 'cost', field: 'cost' };
	return db().transaction(async (tx) => {
		const [row] = await tx
			.insert(item)
			.values({
				settlementId: s.settlementId,
				regionPath: s.regionPath,
				name: input.name,
				unit: input.unit || '件',
				cost: input.cost,
				active: input.active
			})
			.returning({ id: item.id });
		await audit.record(tx, {
			actor,
			action: 'shop.item.create',
			entity: 'shop_item',
			entityId: row.id,
			scopePath: s.regionPath,
			summary: { settlementId: s.settlementId, name: input.name, cost: input.cost }
		});
		return { ok: true, id: row.id } as const;
	});
}

/**
 * Changes an item's name, unit, cost or whether it is offered (a withdrawn item is not
 * redeemed). 404 for an item the actor cannot see, 403 unless they manage the shop.
 */
export async function updateShopItem(
	actor: Actor,
	itemId: string,
	input: ShopItemInput
): Promise<{ ok: true } | Failure<'cost'>> {
	input = storable(input);
	const it = await itemResource(itemId);
	requirePermission(actor, 'points.read', it ?? {}, 'read');
	if (!it) notFound();
	requirePermission(actor, 'shop.manage', it, 'write');
	if (!validCost(input.cost)) return { ok: false, reason: 'cost', field: 'cost' };
	return db().transaction(async (tx) => {
		const changes = {
			name: input.name,
			unit: input.unit || '件',
			cost: input.cost,
			active: input.active
		};
		await tx.update(item).set(changes).where(eq(item.id, it.itemId));
		await audit.record(tx, {
			actor,
			action: 'shop.item.update',
			entity: 'shop_item',
			entityId: it.itemId,
			scopePath: it.regionPath,
			summary: {
				changed: Object.fromEntries(
					Object.entries(changes).filter(([k, v]) => it[k as keyof typeof changes] !== v)
				)
			}
		});
		return { ok: true } as const;
	});
}

/**
 * The organisations that may be credited with a donation to the settlement's shop: those of
 * its region or a region above it, and its own 互助社; not rejected ones.
 */
export async function listDonorOrganizations(actor: Actor, settlementId: string) {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'shop.manage', s ?? {}, 'read');
	if (!s) notFound();
	return db()
		.select({ id: org.id, name: org.name })
		.from(org)
		.where(
			and(
				isNull(org.rejectedAt),
				sql`(starts_with(${s.regionPath}, ${org.regionPath}) or ${org.settlementId} = ${s.settlementId})`
			)
		)
		.orderBy(org.name)
		.limit(300);
}

export interface RestockInput {
	quantity: number;
	donorOrganizationId?: string | null;
	donorName: string;
	note: string;
}

/**
 * Goods into the shop: bought, or donated by an organisation or a person (credited on the
 * item's page). 404/403 as updateShopItem; fails 'quantity' for a count out of bounds,
 * 'no_organization' at donorOrganizationId for one that may not be credited here.
 */
export async function restock(
	actor: Actor,
	itemId: string,
	input: RestockInput
): Promise<{ ok: true; stock: number } | Failure<'quantity' | 'no_organization'>> {
	input = storable(input);
	const it = await itemResource(itemId);
	requirePermission(actor, 'points.read', it ?? {}, 'read');
	if (!it) notFound();
	requirePermission(actor, 'shop.manage', it, 'write');
	const q = input.quantity;
	if (!Number.isSafeInteger(q) || q < 1 || q > 100_000)
		return { ok: false, reason: 'quantity', field: 'quantity' };
	const organizationId = input.donorOrganizationId || null;
	return db().transaction(async (tx) => {
		let organizationName: string | null = null;
		if (organizationId) {
			const [o] = isUuid(organizationId)
				? await tx
						.select({ name: org.name })
						.from(org)
						.where(
							and(
								eq(org.id, organizationId),
								isNull(org.rejectedAt),
								sql`(starts_with(${it.regionPath}, ${org.regionPath}) or ${org.settlementId} = ${it.settlementId})`
							)
						)
				: [];
			if (!o)
				return { ok: false, reason: 'no_organization', field: 'donorOrganizationId' } as const;
			organizationName = o.name;
		}
		const [moved] = await tx
			.update(item)
			.set({ stock: sql`${item.stock} + ${q}` })
			.where(eq(item.id, it.itemId))
			.returning({ stock: item.stock });
		const [row] = await tx
			.insert(rs)
			.values({
				itemId: it.itemId,
				quantity: q,
				donorOrganizationId: organizationId,
				donorName: input.donorName,
				note: input.note,
				createdBy: actor.id
			})
			.returning({ id: rs.id });
		await audit.record(tx, {
			actor,
			action: 'shop.restock',
			entity: 'shop_item',
			entityId: it.itemId,
			scopePath: it.regionPath,
			summary: {
				restockId: row.id,
				quantity: q,
				donorOrganizationId: organizationId,
				donated: !!(organizationName || input.donorName)
			}
		});
		return { ok: true, stock: moved.stock } as const;
	});
}

export interface RedeemInput {
	itemId: string;
	/** staff at the counter name the household; a resident's own is taken from their account */
	householdId?: string | null;
	quantity: number;
	idempotencyKey: string;
}

export type RedeemFailure = 'balance' | 'stock' | 'inactive' | 'no_item' | 'quantity' | 'household';

/**
 * 兑换: a household spends points on goods — a resident for their own, staff (shop.redeem) at
 * the counter for a household they serve. One transaction: a conditional UPDATE takes the stock
 * only while enough is left, then the points move only while the balance covers them; when
 * either fails nothing is written. The same idempotency key from the same person redeems once.
 * 404 for a household the actor cannot see, 403 when they may not redeem for it; fails
 * 'no_item' at itemId (not this settlement's), 'quantity', 'inactive' (withdrawn), 'stock',
 * 'balance'.
 */
export async function redeem(
	actor: Actor,
	input: RedeemInput
): Promise<
	{ ok: true; redemptionId: string; balance: number; duplicate: boolean } | Failure<RedeemFailure>
> {
	input = storable(input);
	const householdId = input.householdId || actor.householdId;
	if (!householdId) return { ok: false, reason: 'household', field: 'householdId' };
	const h = await householdResource(householdId);
	requirePermission(actor, 'points.read', h ?? {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'shop.redeem', h, 'write');
	const it = await itemResource(input.itemId);
	if (!it || it.settlementId !== h.settlementId)
		return { ok: false, reason: 'no_item', field: 'itemId' };
	const q = input.quantity;
	if (!Number.isSafeInteger(q) || q < 1 || q > maxRedeemQuantity)
		return { ok: false, reason: 'quantity', field: 'quantity' };
	const key = input.idempotencyKey;

	try {
		return await db().transaction(async (tx) => {
			// one send of a key at a time: a second waits, then finds the first's redemption
			await tx.execute(
				sql`select pg_advisory_xact_lock(hashtext(${`redemption:${actor.id}:${key}`}))`
			);
			const [first] = await tx
				.select({ id: rd.id })
				.from(rd)
				.where(and(eq(rd.redeemedBy, actor.id), eq(rd.idempotencyKey, key)));
			if (first) {
				const [a] = await tx
					.select({ balance: schema.pointsAccount.balance })
					.from(schema.pointsAccount)
					.where(eq(schema.pointsAccount.householdId, h.householdId));
				return {
					ok: true,
					redemptionId: first.id,
					balance: a?.balance ?? 0,
					duplicate: true
				} as const;
			}
			// the stock first, by a conditional UPDATE: concurrent redemptions queue on the item's row
			const [taken] = await tx
				.update(item)
				.set({ stock: sql`${item.stock} - ${q}` })
				.where(and(eq(item.id, it.itemId), eq(item.active, true), sql`${item.stock} >= ${q}`))
				.returning({ cost: item.cost, name: item.name, unit: item.unit, stock: item.stock });
			if (!taken) {
				const [now] = await tx
					.select({ active: item.active })
					.from(item)
					.where(eq(item.id, it.itemId));
				throw new Refusal<RedeemFailure>(
					now.active
						? { ok: false, reason: 'stock', field: 'quantity' }
						: { ok: false, reason: 'inactive', field: 'itemId' }
				);
			}
			const redemptionId = randomUUID();
			const total = taken.cost * q;
			const posted = await postPoints(tx, {
				householdId: h.householdId,
				settlementId: h.settlementId,
				regionPath: h.regionPath,
				delta: -total,
				source: 'redeem',
				reason: `兑换 ${taken.name} ×${q}${taken.unit}`,
				ref: `redemption:${redemptionId}`,
				mustCover: true,
				actor
			});
			// the points do not cover it: roll back the stock taken above, so nothing is written
			if (!posted)
				throw new Refusal<RedeemFailure>({ ok: false, reason: 'balance', field: 'quantity' });
			await tx.insert(rd).values({
				id: redemptionId,
				itemId: it.itemId,
				householdId: h.householdId,
				settlementId: h.settlementId,
				quantity: q,
				cost: total,
				entryId: posted.entryId,
				redeemedBy: actor.id,
				idempotencyKey: key
			});
			await audit.record(tx, {
				actor,
				action: 'shop.redeem',
				entity: 'redemption',
				entityId: redemptionId,
				scopePath: h.regionPath,
				summary: { householdId: h.householdId, itemId: it.itemId, quantity: q, points: total }
			});
			await notifications.notify(tx, {
				userIds: (await householdUserIds(tx, h.householdId)).filter((id) => id !== actor.id),
				kind: 'shop.redeem',
				title: `已兑换 ${taken.name} ×${q}${taken.unit}（−${total} 积分）`,
				link: '/points/redemptions'
			});
			return { ok: true, redemptionId, balance: posted.balance, duplicate: false } as const;
		});
	} catch (err) {
		if (err instanceof Refusal) return err.failure as Failure<RedeemFailure>;
		throw err;
	}
}

export interface RedemptionRow {
	id: string;
	itemId: string;
	itemName: string;
	unit: string;
	householdId: string;
	headName: string;
	householdUnit: string;
	settlementId: string;
	quantity: number;
	cost: number;
	redeemedByName: string;
	handedOverAt: Date | null;
	createdAt: Date;
}

/**
 * Redemptions the actor may read (staff: their scope; a resident: their household's), newest
 * first, keyset-paged by 'time|id'; 'pending' keeps those not yet handed over.
 */
export async function listRedemptions(
	actor: Actor,
	filter: {
		settlementId?: string | null;
		householdId?: string | null;
		status?: 'pending' | 'handed' | '' | null;
		after?: string | null;
	} = {}
): Promise<{ rows: RedemptionRow[]; next: string | null }> {
	requireAnywhere(actor, 'points.read');
	const s = schema.settlement;
	const where: SQL[] = [
		scopeFilter(actor, 'points.read', {
			settlementId: rd.settlementId,
			regionPath: s.regionPath,
			householdId: rd.householdId
		})
	];
	if (filter.settlementId && isUuid(filter.settlementId))
		where.push(eq(rd.settlementId, filter.settlementId));
	if (filter.householdId && isUuid(filter.householdId))
		where.push(eq(rd.householdId, filter.householdId));
	if (filter.status === 'pending') where.push(isNull(rd.handedOverAt));
	if (filter.status === 'handed') where.push(isNotNull(rd.handedOverAt));
	const cursor = parseCursor(filter.after);
	if (cursor)
		where.push(sql`(${rd.createdAt}, ${rd.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
	const rows = await db()
		.select({
			id: rd.id,
			itemId: rd.itemId,
			itemName: item.name,
			unit: item.unit,
			householdId: rd.householdId,
			headName: hh.headName,
			householdUnit: sql<string>`(${hh.building} || ${hh.unitNo} || ${hh.room})`,
			settlementId: rd.settlementId,
			quantity: rd.quantity,
			cost: rd.cost,
			redeemedByName: schema.user.displayName,
			handedOverAt: rd.handedOverAt,
			createdAt: rd.createdAt,
			key: sql<string>`to_char(${rd.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
		})
		.from(rd)
		.innerJoin(item, eq(item.id, rd.itemId))
		.innerJoin(hh, eq(hh.id, rd.householdId))
		.innerJoin(s, eq(s.id, rd.settlementId))
		.innerJoin(schema.user, eq(schema.user.id, rd.redeemedBy))
		.where(and(...where))
		.orderBy(desc(rd.createdAt), desc(rd.id))
		.limit(pageSize + 1);
	const page = rows.slice(0, pageSize);
	const last = page[page.length - 1];
	return {
		rows: page.map(({ key: _key, ...r }) => r),
		next: rows.length > pageSize && last ? `${last.key}|${last.id}` : null
	};
}

/**
 * Staff at the counter (shop.redeem or shop.manage there) record that the goods were handed
 * over, once. 404 for a redemption the actor cannot see, 403 for a resident or staff elsewhere;
 * fails 'already' when it was handed over before.
 */
export async function markHandedOver(
	actor: Actor,
	redemptionId: string
): Promise<{ ok: true } | Failure<'already'>> {
	const [r] = isUuid(redemptionId)
		? await db()
				.select({
					id: rd.id,
					householdId: rd.householdId,
					settlementId: rd.settlementId,
					regionPath: schema.settlement.regionPath
				})
				.from(rd)
				.innerJoin(schema.settlement, eq(schema.settlement.id, rd.settlementId))
				.where(eq(rd.id, redemptionId))
		: [];
	requirePermission(actor, 'points.read', r ?? {}, 'read');
	if (!r) notFound();
	// the counter's staff, not the household: no householdId in the resource
	const counter = { settlementId: r.settlementId, regionPath: r.regionPath };
	if (!can(actor, 'shop.redeem', counter) && !can(actor, 'shop.manage', counter))
		requirePermission(actor, 'shop.redeem', counter, 'write');
	return db().transaction(async (tx) => {
		const [done] = await tx
			.update(rd)
			.set({ handedOverAt: new Date() })
			.where(and(eq(rd.id, r.id), isNull(rd.handedOverAt)))
			.returning({ id: rd.id });
		if (!done) return { ok: false, reason: 'already', field: 'redemptionId' } as const;
		await audit.record(tx, {
			actor,
			action: 'shop.handover',
			entity: 'redemption',
			entityId: r.id,
			scopePath: r.regionPath,
			summary: { householdId: r.householdId }
		});
		return { ok: true } as const;
	});
}

/** What a settlement's shop has been given, by donor, for the page's thanks (最新 50). */
export async function listDonations(actor: Actor, settlementId: string) {
	const s = await visibleSettlement(actor, settlementId);
	return db()
		.select({
			id: rs.id,
			itemName: item.name,
			unit: item.unit,
			quantity: rs.quantity,
			donorName: rs.donorName,
			organizationName: org.name,
			createdAt: rs.createdAt
		})
		.from(rs)
		.innerJoin(item, eq(item.id, rs.itemId))
		.leftJoin(org, eq(org.id, rs.donorOrganizationId))
		.where(
			and(
				eq(item.settlementId, s.settlementId),
				sql`(${rs.donorOrganizationId} is not null or ${rs.donorName} <> '')`
			)
		)
		.orderBy(desc(rs.createdAt), desc(rs.id))
		.limit(50);
}
