// The fault test's victim (src/lib/server/charity/fault.db.spec.ts): posts payouts to one fund in
// transactions, several at once, until it is killed with SIGKILL mid-way. Each transaction posts
// a few payouts (topping the fund up when it runs dry) and lingers before committing, so a kill
// often lands inside one.
//
//   node --import tsx tests/charity-payout-child.ts <DATABASE_URL> <fundId>
// (or node_modules/.bin/tsx …, which runs it in a child process of its own)
import { sql } from 'drizzle-orm';
import { postTransaction } from '../src/lib/server/charity/ledger';
import { openConnection, useConnection } from '../src/lib/server/db';

const [url, fundId] = process.argv.slice(2);
if (!url || !fundId) {
	console.error('usage: charity-payout-child.ts <DATABASE_URL> <fundId>');
	process.exit(2);
}

const connection = await openConnection(url);
useConnection(connection);

let committed = 0;

async function loop(worker: number) {
	for (let n = 0; ; n++) {
		await connection.db.transaction(async (tx) => {
			for (let k = 0; k < 3; k++) {
				const amount = 100 + ((n * 7 + k * 13 + worker) % 900);
				const paid = await postTransaction(tx, {
					fundId,
					kind: 'payout',
					amount,
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
				// linger inside the transaction, with its postings written and not yet committed
				await tx.execute(sql`select pg_sleep(0.003)`);
			}
		});
		committed++;
		if (committed === 1 || committed % 25 === 0) process.stdout.write(`committed ${committed}\n`);
	}
}

await Promise.all([0, 1, 2, 3].map(loop));
