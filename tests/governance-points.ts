import { eq, sql } from 'drizzle-orm';
import type { PointItem } from '$lib/governance/vocab';
import { db, schema } from '$lib/server/db';
import { postPoints } from '$lib/server/governance/shared';
import { sequence, type Settlement } from './factories';

// Builders for the points and shop specs: rows written straight to the tables (the rules'
// adoption by a decision is tested by the rules' and decisions' own specs).

/** The items a test points list holds unless told otherwise. */
export const testItems: PointItem[] = [
	{ code: 'volunteer_activity', label: '参加志愿服务活动', points: 5 },
	{ code: 'elder_care', label: '照护孤寡老人', points: 10 },
	{ code: 'over_cap_banquet', label: '超标准操办宴席', points: -10 },
	{ code: 'activity', label: '参加社区活动', points: 2 }
];

/**
 * A points_list rule of the settlement with one version in `status` (adopted unless told)
 * listing `items`: what a decision's 决议公开 would have left behind.
 */
export async function createPointsList(
	settlement: Pick<Settlement, 'id' | 'regionPath'>,
	items: PointItem[] = testItems,
	input: { status?: (typeof schema.ruleVersion.$inferInsert)['status']; adoptedOn?: string } = {}
) {
	const status = input.status ?? 'adopted';
	const [rule] = await db()
		.insert(schema.rule)
		.values({
			settlementId: settlement.id,
			regionPath: settlement.regionPath,
			kind: 'points_list',
			title: `积分清单${sequence()}`
		})
		.returning();
	const [version] = await db()
		.insert(schema.ruleVersion)
		.values({
			ruleId: rule.id,
			settlementId: settlement.id,
			regionPath: settlement.regionPath,
			versionNo: 1,
			status,
			clauses: [{ no: 1, title: '积分事项', text: '按清单加分、扣分。' }],
			pointItems: items,
			adoptedOn:
				status === 'adopted' || status === 'superseded' ? (input.adoptedOn ?? '2026-01-05') : null
		})
		.returning();
	return { rule, version };
}

/** Points straight onto a household's account (as an award under no item would post). */
export async function givePoints(
	household: { id: string; settlementId: string },
	delta: number,
	reason = '测试加分'
) {
	const [s] = await db()
		.select({ regionPath: schema.settlement.regionPath })
		.from(schema.settlement)
		.where(eq(schema.settlement.id, household.settlementId));
	return db().transaction(async (tx) => {
		const posted = await postPoints(tx, {
			householdId: household.id,
			settlementId: household.settlementId,
			regionPath: s.regionPath,
			delta,
			source: delta > 0 ? 'award' : 'deduct',
			reason,
			actor: null
		});
		return posted!;
	});
}

/** A household's account as kept, and the sum of its ledger, side by side. */
export async function accountAndLedger(householdId: string) {
	const [a] = await db()
		.select()
		.from(schema.pointsAccount)
		.where(eq(schema.pointsAccount.householdId, householdId));
	const [l] = await db()
		.select({
			sum: sql<number>`coalesce(sum(${schema.pointsEntry.delta}), 0)::int`,
			n: sql<number>`count(*)::int`
		})
		.from(schema.pointsEntry)
		.where(eq(schema.pointsEntry.householdId, householdId));
	return { balance: a?.balance ?? 0, earned: a?.earned ?? 0, spent: a?.spent ?? 0, ...l };
}

/** An item of a settlement's shop, written straight to the table. */
export async function createShopItemRow(
	settlement: Pick<Settlement, 'id' | 'regionPath'>,
	input: Partial<typeof schema.shopItem.$inferInsert> = {}
) {
	const [row] = await db()
		.insert(schema.shopItem)
		.values({
			name: `物品${sequence()}`,
			cost: 10,
			stock: 100,
			...input,
			settlementId: settlement.id,
			regionPath: settlement.regionPath
		})
		.returning();
	return row;
}
