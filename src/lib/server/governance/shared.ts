import { and, eq, sql } from 'drizzle-orm';
import type { Cap, PointItem, PointsSource } from '$lib/governance/vocab';
import { db, schema, type Executor } from '../db';

/** The caps of a settlement's adopted rule versions, each with the version that sets it. */
export async function adoptedCaps(
	settlementId: string,
	executor: Executor = db()
): Promise<{ ruleVersionId: string; caps: Cap[] }[]> {
	const v = schema.ruleVersion;
	const rows = await executor
		.select({ ruleVersionId: v.id, caps: v.caps })
		.from(v)
		.where(and(eq(v.settlementId, settlementId), eq(v.status, 'adopted')));
	return rows.filter((r) => r.caps.length > 0);
}

/**
 * The settlement's points list: the items of its adopted versions, by code (when two adopted
 * versions list one code, the later-adopted wins), with the version that lists each.
 */
export async function adoptedPointItems(
	settlementId: string,
	executor: Executor = db()
): Promise<(PointItem & { ruleVersionId: string })[]> {
	const v = schema.ruleVersion;
	const rows = await executor
		.select({ ruleVersionId: v.id, items: v.pointItems })
		.from(v)
		.where(and(eq(v.settlementId, settlementId), eq(v.status, 'adopted')))
		.orderBy(v.adoptedOn, v.createdAt);
	const byCode = new Map<string, PointItem & { ruleVersionId: string }>();
	for (const r of rows)
		for (const item of r.items) byCode.set(item.code, { ...item, ruleVersionId: r.ruleVersionId });
	return [...byCode.values()];
}

export interface PostPointsInput {
	householdId: string;
	settlementId: string;
	regionPath: string;
	residentId?: string | null;
	delta: number;
	source: PointsSource;
	reason: string;
	itemCode?: string | null;
	ruleVersionId?: string | null;
	reversesId?: string | null;
	/** what the entry comes from, at most once ('activity:<id>:<residentId>') */
	ref?: string | null;
	actor: { id: string; displayName: string } | null;
	/**
	 * For redemptions: refuse (return null) rather than take the balance below zero. Awards and
	 * deductions always post; a deduction may leave a balance below zero, which then blocks
	 * redemptions until it is earned back.
	 */
	mustCover?: boolean;
}

/**
 * Posts one entry to the points ledger and moves the household's balance with it, inside the
 * caller's transaction. The balance moves by one conditional UPDATE on the account row, so
 * concurrent redemptions queue on that row and none can spend what another already spent.
 * Returns null when `mustCover` and the balance does not cover it, or when `ref` was already
 * posted (the entry exists: nothing is posted twice).
 */
export async function postPoints(
	tx: Executor,
	input: PostPointsInput
): Promise<{ entryId: string; balance: number } | null> {
	const a = schema.pointsAccount;
	await tx
		.insert(a)
		.values({ householdId: input.householdId, settlementId: input.settlementId })
		.onConflictDoNothing({ target: a.householdId });
	const earned = input.delta > 0 ? input.delta : 0;
	const spent = input.source === 'redeem' ? -input.delta : 0;
	const values = {
		settlementId: input.settlementId,
		regionPath: input.regionPath,
		householdId: input.householdId,
		residentId: input.residentId ?? null,
		delta: input.delta,
		source: input.source,
		itemCode: input.itemCode ?? null,
		ruleVersionId: input.ruleVersionId ?? null,
		reason: input.reason,
		reversesId: input.reversesId ?? null,
		ref: input.ref ?? null,
		createdBy: input.actor?.id ?? null,
		createdByName: input.actor?.displayName ?? ''
	};
	const move = () =>
		tx
			.update(a)
			.set({
				balance: sql`${a.balance} + ${input.delta}`,
				earned: sql`${a.earned} + ${earned}`,
				spent: sql`${a.spent} + ${spent}`,
				updatedAt: new Date()
			})
			.where(
				and(
					eq(a.householdId, input.householdId),
					input.mustCover ? sql`${a.balance} + ${input.delta} >= 0` : undefined
				)
			)
			.returning({ balance: a.balance });
	const e = schema.pointsEntry;
	if (input.mustCover) {
		// the balance first: when it does not cover, nothing is written (the ledger keeps no failures)
		const [moved] = await move();
		if (!moved) return null;
		const [entry] = await tx.insert(e).values(values).returning({ id: e.id });
		return { entryId: entry.id, balance: moved.balance };
	}
	// the entry first: a ref already posted (a second check-in, a retry) posts nothing, also when concurrent
	const [entry] = await tx
		.insert(e)
		.values(values)
		.onConflictDoNothing({ target: e.ref, where: sql`${e.ref} is not null` })
		.returning({ id: e.id });
	if (!entry) return null;
	const [moved] = await move();
	return { entryId: entry.id, balance: moved.balance };
}
