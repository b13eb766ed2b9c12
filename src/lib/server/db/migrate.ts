import { sql } from 'drizzle-orm';
import path from 'node:path';
import type { Connection } from './index';

// any fixed number shared by every Anju process
const MIGRATION_LOCK = 4_711_2026;

export const migrationsFolder = process.env.MIGRATIONS_DIR ?? path.resolve('drizzle');

/** Applies pending migrations under an advisory lock, so processes starting together apply each once. */
export async function migrateDatabase(connection: Connection): Promise<void> {
	if (connection.engine === 'pglite') {
		// PGlite has one connection and one process: no lock needed
		const { migrate } = await import('drizzle-orm/pglite/migrator');
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		await migrate(connection.db as any, { migrationsFolder });
		return;
	}
	// the advisory lock is per connection: use a dedicated single connection for lock and migration
	const url = connection.url;
	if (!url) throw new Error('the postgres engine needs its url to migrate');
	const { default: postgres } = await import('postgres');
	const { drizzle } = await import('drizzle-orm/postgres-js');
	const { migrate } = await import('drizzle-orm/postgres-js/migrator');
	const client = postgres(url, { max: 1, onnotice: () => {} });
	try {
		const db = drizzle(client);
		await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
		try {
			await migrate(db, { migrationsFolder });
		} finally {
			await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
		}
	} finally {
		await client.end({ timeout: 5 });
	}
}
