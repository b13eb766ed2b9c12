import { defineConfig } from 'drizzle-kit';

const url = process.env.DATABASE_URL;

export default defineConfig({
	schema: './src/lib/server/db/schema/index.ts',
	out: './drizzle',
	dialect: 'postgresql',
	strict: true,
	verbose: true,
	...(url
		? { dbCredentials: { url } }
		: { driver: 'pglite', dbCredentials: { url: process.env.PGLITE_DATA_DIR ?? './data/pglite' } })
});
