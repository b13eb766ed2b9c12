import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';

const testDatabaseUrl = process.env.TEST_DATABASE_URL;

export default defineConfig({
	plugins: [
		// under vitest the messages come from `npm run prepare`'s compile (scripts/test.js runs it too):
		// the plugin's watcher would keep vitest waiting at exit
		...(process.env.VITEST
			? []
			: [
					paraglideVitePlugin({
						project: './project.inlang',
						outdir: './src/lib/paraglide',
						strategy: ['cookie', 'baseLocale']
					})
				]),
		sveltekit()
	],
	server: { port: 5173 },
	test: {
		expect: { requireAssertions: true },
		// when paraglide's plugin has just compiled, it leaves file handles open and vitest would
		// wait the default 10 s for them at exit; every spec file has closed its database by then
		teardownTimeout: 2_000,
		// PGlite is WASM on the main thread: one spec file a core
		maxWorkers: 2,
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					environment: 'node',
					include: ['src/**/*.spec.ts'],
					exclude: ['src/**/*.db.spec.ts']
				}
			},
			{
				extends: true,
				test: {
					name: 'db',
					environment: 'node',
					include: ['src/**/*.db.spec.ts'],
					globalSetup: ['tests/db-global-setup.ts'],
					testTimeout: 30_000,
					hookTimeout: 60_000
				}
			},
			// the same specs on a real server, only when one is given
			...(testDatabaseUrl
				? [
						{
							extends: true as const,
							test: {
								name: 'db-pg',
								environment: 'node',
								include: ['src/**/*.db.spec.ts'],
								globalSetup: ['tests/db-global-setup.ts'],
								provide: { testDatabaseUrl },
								testTimeout: 30_000,
								hookTimeout: 60_000
							}
						}
					]
				: [])
		]
	}
});
