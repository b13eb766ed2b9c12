import { randomUUID } from 'node:crypto';
import { and, count, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createFund,
	createOrganization,
	createUser,
	type Fund,
	type Organization
} from '../../../../tests/factories';
import { db, schema } from '../db';
import { ledgerBalance, postTransaction, reverseTransaction, type PostingInput } from './ledger';

// The ledger core on a real database, with the figures: 50 parallel payouts of 30 yuan
// from 1,000 yuan → exactly 33, 10 yuan left; one entry per idempotency key under 10 parallel
// sends; a reversal once only; the append-only and balanced-postings triggers.

useTestDatabase();

const { fundTransaction, fundPosting, fund } = schema;

let org: Organization;
let userId: string;

beforeAll(async () => {
	const county = await createCounty();
	org = await createOrganization(county);
	userId = (await createUser({ grants: [{ role: 'org_member', on: org }] })).user.id;
});

const today = '2026-03-01';

function post(
	fundId: string,
	input: Partial<PostingInput> & Pick<PostingInput, 'kind' | 'amount'>
) {
	return db().transaction((tx) =>
		postTransaction(tx, {
			fundId,
			memo: input.kind === 'donation' ? '测试捐赠' : '测试支出',
			occurredOn: today,
			createdBy: userId,
			...input
		})
	);
}

async function fundOf(amountFen: number): Promise<Fund> {
	const f = await createFund(org);
	if (amountFen > 0) {
		const r = await post(f.id, { kind: 'donation', amount: amountFen });
		expect(r.ok).toBe(true);
	}
	return f;
}

async function balanceOf(fundId: string) {
	const [row] = await db().select({ balance: fund.balance }).from(fund).where(eq(fund.id, fundId));
	return Number(row.balance);
}

/** Every transaction of the fund has postings that sum to zero; the total sum is zero too. */
async function postingsBalance(fundId: string) {
	const rows = await db()
		.select({
			transactionId: fundPosting.transactionId,
			total: sql<string>`sum(${fundPosting.amount})`,
			lines: sql<string>`count(*)`
		})
		.from(fundPosting)
		.where(eq(fundPosting.fundId, fundId))
		.groupBy(fundPosting.transactionId);
	return {
		transactions: rows.length,
		unbalanced: rows.filter((r) => Number(r.total) !== 0).length,
		notTwoLines: rows.filter((r) => Number(r.lines) !== 2).length
	};
}

/** The text of an error and its causes (drivers wrap the server's message). */
function errorText(e: unknown): string {
	const parts: string[] = [];
	for (let x = e as { message?: string; cause?: unknown } | undefined; x; x = x.cause as typeof x)
		parts.push(String(x.message ?? x));
	return parts.join(' / ');
}

describe('postTransaction', () => {
	it('50 parallel payouts of 30 yuan from 1,000 yuan: exactly 33 succeed, 10 yuan left', async () => {
		const f = await fundOf(100_000);
		const results = await Promise.all(
			Array.from({ length: 50 }, () => post(f.id, { kind: 'payout', amount: 3_000 }))
		);
		const ok = results.filter((r) => r.ok);
		expect(ok).toHaveLength(33);
		expect(results.filter((r) => !r.ok && r.reason === 'insufficient')).toHaveLength(17);
		expect(await balanceOf(f.id)).toBe(1_000);
		expect(await ledgerBalance(f.id)).toBe(1_000);
		const [{ total }] = await db()
			.select({ total: sql<string>`coalesce(sum(${fundPosting.amount}), 0)` })
			.from(fundPosting)
			.where(eq(fundPosting.fundId, f.id));
		expect(Number(total)).toBe(0);
		expect(await postingsBalance(f.id)).toEqual({
			transactions: 34,
			unbalanced: 0,
			notTwoLines: 0
		});
	});

	it('the same idempotency key sent 10 times at once posts one entry', async () => {
		const f = await fundOf(0);
		const key = randomUUID();
		const results = await Promise.all(
			Array.from({ length: 10 }, () =>
				post(f.id, { kind: 'donation', amount: 5_000, idempotencyKey: key })
			)
		);
		expect(results.every((r) => r.ok)).toBe(true);
		const ids = new Set(results.map((r) => (r.ok ? r.id : '')));
		expect(ids.size).toBe(1);
		expect(results.filter((r) => r.ok && !r.duplicate)).toHaveLength(1);
		const [{ n }] = await db()
			.select({ n: count() })
			.from(fundTransaction)
			.where(and(eq(fundTransaction.fundId, f.id), eq(fundTransaction.idempotencyKey, key)));
		expect(n).toBe(1);
		expect(await balanceOf(f.id)).toBe(5_000);
	});

	it('the same key on another fund is another entry', async () => {
		const a = await fundOf(0);
		const b = await fundOf(0);
		const key = randomUUID();
		const ra = await post(a.id, { kind: 'donation', amount: 100, idempotencyKey: key });
		const rb = await post(b.id, { kind: 'donation', amount: 100, idempotencyKey: key });
		expect(ra.ok && rb.ok && ra.id !== rb.id).toBe(true);
	});

	it('refuses money out beyond the balance and writes nothing', async () => {
		const f = await fundOf(1_000);
		const r = await post(f.id, { kind: 'disbursement', amount: 1_001 });
		expect(r).toMatchObject({ ok: false, reason: 'insufficient' });
		const [{ n }] = await db()
			.select({ n: count() })
			.from(fundTransaction)
			.where(eq(fundTransaction.fundId, f.id));
		expect(n).toBe(1);
		expect(await post(f.id, { kind: 'disbursement', amount: 1_000 })).toMatchObject({ ok: true });
		expect(await balanceOf(f.id)).toBe(0);
	});

	it('refuses a fund that does not exist', async () => {
		expect(await post(randomUUID(), { kind: 'donation', amount: 100 })).toMatchObject({
			ok: false,
			field: 'fundId'
		});
	});
});

describe('reverseTransaction', () => {
	const reverse = (transactionId: string) =>
		db().transaction((tx) =>
			reverseTransaction(tx, {
				transactionId,
				memo: '录入错误',
				occurredOn: today,
				createdBy: userId
			})
		);

	it('reverses once: a concurrent double reversal makes one', async () => {
		const f = await fundOf(10_000);
		const out = await post(f.id, { kind: 'disbursement', amount: 4_000 });
		expect(out.ok).toBe(true);
		if (!out.ok) return;
		const results = await Promise.all([reverse(out.id), reverse(out.id)]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok && r.reason === 'already_reversed')).toHaveLength(1);
		expect(await balanceOf(f.id)).toBe(10_000);
		expect(await ledgerBalance(f.id)).toBe(10_000);
		expect((await postingsBalance(f.id)).unbalanced).toBe(0);
		// and later, once more
		expect(await reverse(out.id)).toMatchObject({ ok: false, reason: 'already_reversed' });
	});

	it('refuses to reverse a donation that has been spent', async () => {
		const f = await fundOf(0);
		const gift = await post(f.id, { kind: 'donation', amount: 10_000 });
		expect(gift.ok).toBe(true);
		if (!gift.ok) return;
		expect(await post(f.id, { kind: 'payout', amount: 8_000 })).toMatchObject({ ok: true });
		expect(await reverse(gift.id)).toMatchObject({ ok: false, reason: 'insufficient' });
		expect(await balanceOf(f.id)).toBe(2_000);
		const [{ n }] = await db()
			.select({ n: count() })
			.from(fundTransaction)
			.where(eq(fundTransaction.reversesId, gift.id));
		expect(n).toBe(0);
	});

	it('refuses to reverse a reversal, and an entry that is not there', async () => {
		const f = await fundOf(5_000);
		const out = await post(f.id, { kind: 'payout', amount: 1_000 });
		if (!out.ok) throw new Error('payout refused');
		const back = await reverse(out.id);
		expect(back.ok).toBe(true);
		if (!back.ok) return;
		expect(await reverse(back.id)).toMatchObject({ ok: false, reason: 'is_reversal' });
		expect(await reverse(randomUUID())).toMatchObject({ ok: false, reason: 'not_found' });
	});
});

describe('the ledger tables', () => {
	it('refuse UPDATE and DELETE of entries and postings', async () => {
		const f = await fundOf(2_000);
		const [entry] = await db()
			.select({ id: fundTransaction.id })
			.from(fundTransaction)
			.where(eq(fundTransaction.fundId, f.id));
		const attempts = [
			db().execute(sql`update fund_transaction set memo = '改过' where id = ${entry.id}`),
			db().execute(sql`delete from fund_transaction where id = ${entry.id}`),
			db().execute(sql`update fund_posting set amount = 0 where transaction_id = ${entry.id}`),
			db().execute(sql`delete from fund_posting where transaction_id = ${entry.id}`)
		];
		for (const attempt of attempts) {
			const e = await attempt.then(
				() => null,
				(err: unknown) => err
			);
			expect(errorText(e)).toMatch(/append-only/);
		}
		expect(await ledgerBalance(f.id)).toBe(2_000);
	});

	it('refuse an unbalanced pair of postings at commit (the deferred trigger)', async () => {
		const f = await fundOf(0);
		const e = await db()
			.transaction(async (tx) => {
				const [row] = await tx
					.insert(fundTransaction)
					.values({
						fundId: f.id,
						kind: 'donation',
						amount: 500,
						memo: '不平衡',
						occurredOn: today
					})
					.returning({ id: fundTransaction.id });
				await tx.insert(fundPosting).values([
					{ transactionId: row.id, fundId: f.id, account: 'bank', amount: 500 },
					{ transactionId: row.id, fundId: f.id, account: 'donations', amount: -400 }
				]);
			})
			.then(
				() => null,
				(err: unknown) => err
			);
		expect(errorText(e)).toMatch(/does not balance/);
		const [{ n }] = await db()
			.select({ n: count() })
			.from(fundTransaction)
			.where(eq(fundTransaction.fundId, f.id));
		expect(n).toBe(0);
	});

	it('keep the balance from going below zero even when written directly', async () => {
		const f = await fundOf(100);
		const e = await db()
			.execute(sql`update fund set balance = balance - 101 where id = ${f.id}`)
			.then(
				() => null,
				(err: unknown) => err
			);
		expect(errorText(e)).toMatch(/fund_balance_not_negative|check constraint/);
	});
});
