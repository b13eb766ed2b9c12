import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import type { Connection, Database } from '../src/lib/server/db';
import { migrateDatabase } from '../src/lib/server/db/migrate';

declare module 'vitest' {
	export interface ProvidedContext {
		/** db project: a dumped PGlite data dir, migrated */
		pgliteTemplate?: string;
		/** db project: a dumped PGlite data dir before any migration */
		pgliteEmpty?: string;
		/** db-pg project: the PostgreSQL server each spec file makes its own database on */
		testDatabaseUrl?: string;
	}
}

/**
 * The db project: builds one PGlite in memory (the 4–5 s start), migrates it and dumps it, so
 * each spec file loads a fresh copy in about a second. The db-pg project: checks the server answers.
 */
export default async function setup(project: TestProject) {
	const url = project.getProvidedContext().testDatabaseUrl;
	if (url) {
		await checkServer(url);
		return;
	}
	const { PGlite } = await import('@electric-sql/pglite');
	const { drizzle } = await import('drizzle-orm/pglite');
	const dir = await mkdtemp(path.join(tmpdir(), 'anju-pglite-'));
	const client = await PGlite.create();
	try {
		const empty = path.join(dir, 'empty.tar');
		await writeFile(empty, await dumpBytes(client));
		const connection: Connection = {
			db: drizzle(client) as unknown as Database,
			engine: 'pglite',
			close: () => client.close()
		};
		await migrateDatabase(connection);
		const migrated = path.join(dir, 'migrated.tar');
		await writeFile(migrated, await dumpBytes(client));
		project.provide('pgliteEmpty', empty);
		project.provide('pgliteTemplate', migrated);
	} finally {
		await client.close();
	}
	return async () => {
		await rm(dir, { recursive: true, force: true });
	};
}

async function dumpBytes(client: { dumpDataDir(c: 'none'): Promise<Blob> }) {
	// uncompressed: loading skips the gunzip
	return new Uint8Array(await (await client.dumpDataDir('none')).arrayBuffer());
}

/** Databases of runs that were killed before their afterAll: older than this, they are dropped. */
const staleAfterMs = 6 * 3600_000;

async function checkServer(url: string) {
	const { default: postgres } = await import('postgres');
	const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
	try {
		const [row] =
			await sql`select rolcreatedb or rolsuper as ok from pg_roles where rolname = current_user`;
		if (!row?.ok) throw new Error(`TEST_DATABASE_URL: the user may not create databases`);
		const names = await sql<{ datname: string }[]>`
			select datname from pg_database where datname ~ '^anju_test_[0-9a-z]+_[0-9a-f]+$'`;
		for (const { datname } of names) {
			const created = parseInt(datname.split('_')[2], 36);
			if (Date.now() - created > staleAfterMs)
				await sql.unsafe(`drop database if exists "${datname}" with (force)`);
		}
	} catch (e) {
		const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
		throw new Error(`TEST_DATABASE_URL=${shown} is not usable: ${(e as Error).message}`, {
			cause: e
		});
	} finally {
		await sql.end({ timeout: 5 });
	}
}
