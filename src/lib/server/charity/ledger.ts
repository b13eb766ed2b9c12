import { and, eq, gte, sql } from 'drizzle-orm';
import type { LedgerAccount, TransactionKind } from '$lib/charity/vocab';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';

/** The bank line and the other account of each kind of transaction (money in is +bank). */
const legs: Record<
	Exclude<TransactionKind, 'reversal'>,
	{ bankSign: 1 | -1; other: LedgerAccount }
> = {
	donation: { bankSign: 1, other: 'donations' },
	contribution: { bankSign: 1, other: 'contributions' },
	disbursement: { bankSign: -1, other: 'disbursements' },
	payout: { bankSign: -1, other: 'payouts' }
};

export interface PostingInput {
	fundId: string;
	kind: Exclude<TransactionKind, 'reversal'>;
	/** fen, positive */
	amount: number;
	/** public words: what it was for, never a person's name */
	memo: string;
	counterparty?: string;
	needId?: string | null;
	aidCaseId?: string | null;
	occurredOn: string;
	/** the same key on the same fund posts once */
	idempotencyKey?: string | null;
	createdBy: string | null;
}

export type Posted = { ok: true; id: string; no: number; duplicate: boolean };

/**
 * Posts one double-entry transaction inside the caller's transaction: the bank line and its
 * counter-account line, summing to zero. Money out takes the fund's balance down only if it
 * stays at or above zero — one conditional UPDATE, so concurrent payouts can never overdraw.
 * Fails with 'insufficient' (nothing written) when the balance does not cover it.
 */
export async function postTransaction(
	tx: Executor,
	input: PostingInput
): Promise<Posted | Failure<'insufficient'>> {
	const t = schema.fundTransaction;
	const f = schema.fund;
	// every posting to a fund takes its row first: postings to one fund queue up, and the
	// idempotency check below sees whatever an earlier one committed
	const [locked] = await tx
		.select({ id: f.id })
		.from(f)
		.where(eq(f.id, input.fundId))
		.for('update');
	if (!locked) return { ok: false, reason: 'insufficient', field: 'fundId' };
	if (input.idempotencyKey) {
		const [seen] = await tx
			.select({ id: t.id, no: t.no })
			.from(t)
			.where(and(eq(t.fundId, input.fundId), eq(t.idempotencyKey, input.idempotencyKey)));
		if (seen) return { ok: true, id: seen.id, no: seen.no, duplicate: true };
	}
	const leg = legs[input.kind];
	const delta = leg.bankSign * input.amount;
	const moved = await tx
		.update(f)
		.set({ balance: sql`${f.balance} + ${delta}` })
		.where(and(eq(f.id, input.fundId), delta < 0 ? gte(f.balance, -delta) : undefined))
		.returning({ id: f.id });
	if (moved.length === 0) return { ok: false, reason: 'insufficient', field: 'amount' };
	const [row] = await tx
		.insert(t)
		.values({
			fundId: input.fundId,
			kind: input.kind,
			amount: input.amount,
			memo: input.memo,
			counterparty: input.counterparty ?? '',
			needId: input.needId ?? null,
			aidCaseId: input.aidCaseId ?? null,
			occurredOn: input.occurredOn,
			idempotencyKey: input.idempotencyKey ?? null,
			createdBy: input.createdBy
		})
		.returning({ id: t.id, no: t.no });
	await tx.insert(schema.fundPosting).values([
		{ transactionId: row.id, fundId: input.fundId, account: 'bank', amount: delta },
		{ transactionId: row.id, fundId: input.fundId, account: leg.other, amount: -delta }
	]);
	return { ok: true, id: row.id, no: row.no, duplicate: false };
}

/**
 * Reverses an earlier transaction inside the caller's transaction: the mirror postings, once
 * (a second reversal of the same one fails 'already_reversed'); reversing money in fails
 * 'insufficient' when it has already been spent.
 */
export async function reverseTransaction(
	tx: Executor,
	input: { transactionId: string; memo: string; occurredOn: string; createdBy: string | null }
): Promise<
	| { ok: true; id: string; no: number }
	| Failure<'not_found' | 'already_reversed' | 'insufficient' | 'is_reversal'>
> {
	const t = schema.fundTransaction;
	const [orig] = await tx.select().from(t).where(eq(t.id, input.transactionId));
	if (!orig) return { ok: false, reason: 'not_found' };
	if (orig.kind === 'reversal') return { ok: false, reason: 'is_reversal' };
	const f = schema.fund;
	// the fund's row orders this against every other posting and reversal of the fund
	await tx.select({ id: f.id }).from(f).where(eq(f.id, orig.fundId)).for('update');
	const [already] = await tx.select({ id: t.id }).from(t).where(eq(t.reversesId, orig.id));
	if (already) return { ok: false, reason: 'already_reversed' };
	const lines = await tx
		.select({ account: schema.fundPosting.account, amount: schema.fundPosting.amount })
		.from(schema.fundPosting)
		.where(eq(schema.fundPosting.transactionId, orig.id));
	const bank = lines.filter((l) => l.account === 'bank').reduce((s, l) => s + Number(l.amount), 0);
	const moved = await tx
		.update(f)
		.set({ balance: sql`${f.balance} - ${bank}` })
		.where(and(eq(f.id, orig.fundId), bank > 0 ? gte(f.balance, bank) : undefined))
		.returning({ id: f.id });
	if (moved.length === 0) return { ok: false, reason: 'insufficient', field: 'amount' };
	const [row] = await tx
		.insert(t)
		.values({
			fundId: orig.fundId,
			kind: 'reversal',
			amount: orig.amount,
			memo: input.memo,
			counterparty: orig.counterparty,
			needId: orig.needId,
			aidCaseId: orig.aidCaseId,
			reversesId: orig.id,
			occurredOn: input.occurredOn,
			createdBy: input.createdBy
		})
		.returning({ id: t.id, no: t.no });
	await tx.insert(schema.fundPosting).values(
		lines.map((l) => ({
			transactionId: row.id,
			fundId: orig.fundId,
			account: l.account,
			amount: -Number(l.amount)
		}))
	);
	return { ok: true, id: row.id, no: row.no };
}

/** A fund's balance as its postings sum it (the check that `fund.balance` is right). */
export async function ledgerBalance(fundId: string, executor: Executor = db()): Promise<number> {
	const p = schema.fundPosting;
	const [row] = await executor
		.select({ total: sql<string>`coalesce(sum(${p.amount}), 0)` })
		.from(p)
		.where(and(eq(p.fundId, fundId), eq(p.account, 'bank')));
	return Number(row.total);
}
