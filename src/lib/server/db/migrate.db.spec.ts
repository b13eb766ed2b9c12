import { is, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { bigint, getTableConfig, PgTable, pgSchema, serial, text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { openTestDatabase, testEngine } from '../../../../tests/db';
import { openConnection, schema, type Connection } from '.';
import { migrateDatabase, migrationsFolder } from './migrate';

const journal = readMigrationFiles({ migrationsFolder });

const applied = pgSchema('drizzle').table('__drizzle_migrations', {
	id: serial('id'),
	hash: text('hash').notNull(),
	createdAt: bigint('created_at', { mode: 'number' })
});

async function migrationsIn(connection: Connection) {
	return connection.db.select().from(applied).orderBy(applied.id);
}

async function tablesIn(connection: Connection) {
	const rows = await connection.db
		.select({ name: sql<string>`table_name` })
		.from(sql`information_schema.tables`)
		.where(sql`table_schema = 'public'`);
	return rows.map((r) => r.name).sort();
}

// every table the schema declares (drizzle's own bookkeeping lives in another schema)
const expectedTables = (Object.values(schema) as unknown[])
	.filter((t): t is PgTable => is(t, PgTable))
	.map((t) => getTableConfig(t).name)
	.sort();

describe('migrateDatabase', () => {
	it('applies every migration once to an empty database; a second run changes nothing', async () => {
		const connection = await openTestDatabase({ migrate: false });
		try {
			expect(await tablesIn(connection)).toEqual([]);
			await migrateDatabase(connection);
			const first = await migrationsIn(connection);
			expect(first.map((m) => [m.hash, m.createdAt])).toEqual(
				journal.map((m) => [m.hash, m.folderMillis])
			);
			expect(await tablesIn(connection)).toEqual(expectedTables);
			await migrateDatabase(connection);
			expect(await migrationsIn(connection)).toEqual(first);
			expect(await tablesIn(connection)).toEqual(expectedTables);
		} finally {
			await connection.close();
		}
	});

	// PGlite is one process with one connection; on a server several app processes start together
	if (testEngine() === 'postgres')
		it('lets two processes migrate a fresh database at once, each migration recorded once', async () => {
			const connection = await openTestDatabase({ migrate: false });
			const second = await openConnection(connection.url);
			try {
				await Promise.all([migrateDatabase(connection), migrateDatabase(second)]);
				const rows = await migrationsIn(connection);
				expect(rows.map((m) => m.hash)).toEqual(journal.map((m) => m.hash));
				expect(await tablesIn(second)).toEqual(expectedTables);
			} finally {
				await second.close();
				await connection.close();
			}
		});
});
