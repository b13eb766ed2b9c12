import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import * as schema from './schema';

export { schema };

export type Schema = typeof schema;
/** Both engines' drizzle databases are this type, so every query has one code path. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<
	PgQueryResultHKT,
	Schema,
	ExtractTablesWithRelations<Schema>
>;
/** Anything a query can run on: the database or an open transaction. */
export type Executor = Database | Transaction;

export type Engine = 'pglite' | 'postgres';

export interface Connection {
	db: Database;
	engine: Engine;
	/** the server's address, for the postgres engine */
	url?: string;
	close(): Promise<void>;
}

let current: Connection | undefined;
let opening: Promise<Connection> | undefined;

/** Opens the engine chosen by the environment: postgres.js for DATABASE_URL, else embedded PGlite. */
export async function openConnection(
	url = process.env.DATABASE_URL,
	dataDir = process.env.PGLITE_DATA_DIR ?? './data/pglite'
): Promise<Connection> {
	if (url) {
		const { default: postgres } = await import('postgres');
		const { drizzle } = await import('drizzle-orm/postgres-js');
		const client = postgres(url, {
			max: Number(process.env.DATABASE_POOL_MAX ?? 10),
			idle_timeout: 30,
			connect_timeout: 10,
			max_lifetime: 60 * 30,
			onnotice: () => {},
			connection: {
				application_name: 'anju',
				statement_timeout: Number(process.env.DATABASE_STATEMENT_TIMEOUT_MS ?? 15_000),
				lock_timeout: 5_000,
				idle_in_transaction_session_timeout: 30_000,
				TimeZone: 'UTC'
			}
		});
		const db = drizzle(client, { schema }) as unknown as Database;
		return { db, engine: 'postgres', url, close: () => client.end({ timeout: 5 }) };
	}
	const { PGlite } = await import('@electric-sql/pglite');
	const { drizzle } = await import('drizzle-orm/pglite');
	if (!dataDir.startsWith('memory://')) {
		const { mkdirSync } = await import('node:fs');
		mkdirSync(dataDir, { recursive: true });
	}
	const client = await PGlite.create(dataDir);
	const db = drizzle(client, { schema }) as unknown as Database;
	return { db, engine: 'pglite', close: () => client.close() };
}

/** The process's connection, opened on first use (never while `vite build` analyses routes). */
export async function connect(): Promise<Connection> {
	if (current) return current;
	opening ??= openConnection().then((c) => (current = c));
	return opening;
}

/** The process's database; `connect()` must have run (hooks.server.ts init does it). */
export function db(): Database {
	if (!current) throw new Error('database not connected: call connect() first');
	return current.db;
}

export function engine(): Engine | undefined {
	return current?.engine;
}

/** Replaces the process's connection: tests and scripts hand in their own. */
export function useConnection(connection: Connection | undefined) {
	current = connection;
	opening = connection ? Promise.resolve(connection) : undefined;
}

export async function disconnect() {
	const c = current;
	useConnection(undefined);
	await c?.close();
}
