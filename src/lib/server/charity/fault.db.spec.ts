import { spawn } from 'node:child_process';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { testEngine, useTestDatabase } from '../../../../tests/db';
import { createCounty, createFund, createOrganization } from '../../../../tests/factories';
import { db, schema } from '../db';
import { rowsOf } from '../settlements/shared';
import { ledgerBalance, postTransaction } from './ledger';

// The fault test: payouts are interrupted at random moments, again and again, and after each
// interruption the ledger is whole — every transaction has its two postings (a reversal its
// mirror) summing to zero, none is without postings, and fund.balance is what the postings say.
// On PostgreSQL the interruption is real: a child process posting payouts is killed with
// SIGKILL. PGlite lives inside this process and cannot be killed apart from it, so there each
// transaction is broken off by an exception at a random point instead.

const database = useTestDatabase();

const rounds = 5;

/** Everything that must hold of a fund's ledger whatever was interrupted. */
async function checkLedger(fundId: string) {
	const [shape] = rowsOf<{
		transactions: string;
		orphans: string;
		unbalanced: string;
		wrong_lines: string;
		postings_total: string;
	}>(
		await db().execute(sql`
			with lines as (
				select t.id, count(p.id) as n, coalesce(sum(p.amount), 0) as total,
					count(*) filter (where p.account = 'bank') as bank_lines
				from fund_transaction t left join fund_posting p on p.transaction_id = t.id
				where t.fund_id = ${fundId}
				group by t.id
			)
			select
				count(*) as transactions,
				count(*) filter (where n = 0) as orphans,
				count(*) filter (where total <> 0) as unbalanced,
				count(*) filter (where n <> 2 or bank_lines <> 1) as wrong_lines,
				(select coalesce(sum(amount), 0) from fund_posting where fund_id = ${fundId}) as postings_total
			from lines`)
	);
	// postings that belong to no transaction of this fund (or to one of another fund)
	const [stray] = rowsOf<{ n: string }>(
		await db().execute(sql`
			select count(*) as n from fund_posting p
			left join fund_transaction t on t.id = p.transaction_id
			where p.fund_id = ${fundId} and (t.id is null or t.fund_id <> p.fund_id)`)
	);
	const [f] = await db()
		.select({ balance: schema.fund.balance })
		.from(schema.fund)
		.where(eq(schema.fund.id, fundId));
	return {
		transactions: Number(shape.transactions),
		orphans: Number(shape.orphans),
		unbalanced: Number(shape.unbalanced),
		wrongLines: Number(shape.wrong_lines),
		postingsTotal: Number(shape.postings_total),
		stray: Number(stray.n),
		balance: Number(f.balance),
		ledgerBalance: await ledgerBalance(fundId)
	};
}

function expectWhole(state: Awaited<ReturnType<typeof checkLedger>>) {
	expect(state).toMatchObject({
		orphans: 0,
		unbalanced: 0,
		wrongLines: 0,
		postingsTotal: 0,
		stray: 0
	});
	expect(state.balance).toBe(state.ledgerBalance);
	expect(state.balance).toBeGreaterThanOrEqual(0);
}

async function fundWithMoney() {
	const county = await createCounty();
	const org = await createOrganization(county);
	const fund = await createFund(org, { kind: 'emergency' });
	await db().transaction((tx) =>
		postTransaction(tx, {
			fundId: fund.id,
			kind: 'donation',
			amount: 1_000_000,
			memo: '启动资金',
			occurredOn: '2026-01-01',
			createdBy: null
		})
	);
	return fund.id;
}

const randomMs = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** Runs the child against the test database, kills it with SIGKILL `delay` ms after its first commit. */
function killDuringPayouts(url: string, fundId: string, delay: number) {
	const root = path.resolve(import.meta.dirname, '../../../..');
	// node itself runs the script (tsx as its loader), so the SIGKILL hits the process that posts:
	// the tsx command would run it in a child of its own that outlives the kill
	const child = spawn(
		process.execPath,
		['--import', 'tsx', 'tests/charity-payout-child.ts', url, fundId],
		{ cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' } }
	);
	let stderr = '';
	child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
	return new Promise<{ signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
		const giveUp = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`the child never committed a payout: ${stderr}`));
		}, 20_000);
		child.stdout.on('data', (d: Buffer) => {
			if (!d.toString().includes('committed') || child.killed) return;
			clearTimeout(giveUp);
			setTimeout(() => child.kill('SIGKILL'), delay);
		});
		child.on('exit', (_code, signal) => {
			clearTimeout(giveUp);
			resolve({ signal, stderr });
		});
		child.on('error', reject);
	});
}

/** PGlite's stand-in for a kill: transactions broken off by an exception at a random point. */
async function breakOffPayouts(fundId: string, transactions: number) {
	let broken = 0;
	for (let n = 0; n < transactions; n++) {
		const breakAt = randomMs(0, 6); // after 0..2 payouts, before or after the linger; 6 = commit
		await db()
			.transaction(async (tx) => {
				for (let k = 0; k < 3; k++) {
					if (breakAt === k * 2) throw new Error('crash');
					const paid = await postTransaction(tx, {
						fundId,
						kind: 'payout',
						amount: randomMs(100, 1_000),
						memo: '故障测试支出',
						occurredOn: '2026-01-01',
						createdBy: null
					});
					if (!paid.ok)
						await postTransaction(tx, {
							fundId,
							kind: 'donation',
							amount: 500_000,
							memo: '故障测试补充',
							occurredOn: '2026-01-01',
							createdBy: null
						});
					if (breakAt === k * 2 + 1) throw new Error('crash');
				}
			})
			.catch((e: unknown) => {
				if (!(e instanceof Error) || e.message !== 'crash') throw e;
				broken++;
			});
	}
	return broken;
}

describe('payouts interrupted at random', () => {
	it('leave no half-written transfer, round after round', async () => {
		const fundId = await fundWithMoney();
		expectWhole(await checkLedger(fundId));
		let before = (await checkLedger(fundId)).transactions;
		if (testEngine() === 'postgres') {
			expect(database.connection.engine).toBe('postgres');
			const url = database.connection.url!;
			expect(url).toMatch(/^postgres/);
			for (let round = 1; round <= rounds; round++) {
				const exit = await killDuringPayouts(url, fundId, randomMs(100, 600));
				expect(exit.signal, exit.stderr).toBe('SIGKILL');
				// the server rolls back the dead session's open transaction once it notices
				await waitForSessionsToEnd(url);
				const state = await checkLedger(fundId);
				expectWhole(state);
				expect(state.transactions).toBeGreaterThan(before);
				before = state.transactions;
			}
		} else {
			expect(database.connection.engine).toBe('pglite');
			for (let round = 1; round <= rounds; round++) {
				const broken = await breakOffPayouts(fundId, 40);
				expect(broken).toBeGreaterThan(0);
				const state = await checkLedger(fundId);
				expectWhole(state);
				expect(state.transactions).toBeGreaterThan(before);
				before = state.transactions;
			}
		}
	}, 120_000);
});

/** Waits until no other session on the test database is inside a query or a transaction. */
async function waitForSessionsToEnd(url: string) {
	const name = new URL(url).pathname.slice(1);
	for (let i = 0; i < 200; i++) {
		const [row] = rowsOf<{ n: string }>(
			await db().execute(sql`
				select count(*) as n from pg_stat_activity
				where datname = ${name} and pid <> pg_backend_pid() and state <> 'idle'`)
		);
		if (Number(row.n) === 0) return;
		await new Promise((r) => setTimeout(r, 25));
	}
	throw new Error('the killed child’s sessions never ended');
}
