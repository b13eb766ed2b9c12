import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, inject } from 'vitest';
import {
	openConnection,
	schema,
	useConnection,
	type Connection,
	type Database,
	type Engine
} from '$lib/server/db';
import { migrateDatabase } from '$lib/server/db/migrate';

/** The engine this project's db specs run on: PGlite, or the server of TEST_DATABASE_URL. */
export function testEngine(): Engine {
	return inject('testDatabaseUrl') ? 'postgres' : 'pglite';
}

/**
 * A new database of its own: a copy of the PGlite template, or a new database on the
 * PostgreSQL server, migrated unless asked not to. close() also drops the PostgreSQL database.
 */
export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<Connection> {
	const migrate = options.migrate ?? true;
	const url = inject('testDatabaseUrl');
	return url ? openPostgres(url, migrate) : openPglite(migrate);
}

async function openPglite(migrated: boolean): Promise<Connection> {
	const file = inject(migrated ? 'pgliteTemplate' : 'pgliteEmpty');
	if (!file) throw new Error('no PGlite template: run db specs through `vitest --project db`');
	const { PGlite } = await import('@electric-sql/pglite');
	const { drizzle } = await import('drizzle-orm/pglite');
	const client = await PGlite.create({ loadDataDir: new Blob([await readFile(file)]) });
	const db = drizzle(client, { schema }) as unknown as Database;
	return { db, engine: 'pglite', close: () => client.close() };
}

async function openPostgres(serverUrl: string, migrate: boolean): Promise<Connection> {
	const { default: postgres } = await import('postgres');
	// the time in the name lets a later run drop what a killed run left behind (db-global-setup)
	const name = `anju_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
	const admin = () => postgres(serverUrl, { max: 1, onnotice: () => {} });
	const sql = admin();
	try {
		await sql.unsafe(`create database "${name}"`);
	} finally {
		await sql.end({ timeout: 5 });
	}
	const url = new URL(serverUrl);
	url.pathname = '/' + name;
	const connection = await openConnection(url.toString());
	const drop = async () => {
		const sql = admin();
		try {
			await sql.unsafe(`drop database if exists "${name}" with (force)`);
		} finally {
			await sql.end({ timeout: 5 });
		}
	};
	try {
		if (migrate) await migrateDatabase(connection);
	} catch (e) {
		await connection.close();
		await drop();
		throw e;
	}
	return {
		...connection,
		close: async () => {
			try {
				await connection.close();
			} finally {
				await drop();
			}
		}
	};
}

/**
 * Call at the top of a db spec: the file gets a fresh migrated database, handed to the app code
 * with useConnection() before its tests and closed (and dropped) after them.
 */
export function useTestDatabase(): { readonly connection: Connection } {
	let connection: Connection | undefined;
	beforeAll(async () => {
		connection = await openTestDatabase();
		useConnection(connection);
	});
	afterAll(async () => {
		useConnection(undefined);
		await connection?.close();
	});
	return {
		get connection() {
			if (!connection) throw new Error('the test database opens in beforeAll');
			return connection;
		}
	};
}
