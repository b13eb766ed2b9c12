#!/usr/bin/env node
// npm test — every test: vitest (unit, database on PGlite, and on PostgreSQL when
// TEST_DATABASE_URL is set), then the end-to-end suite in Chromium (scripts/e2e.js).
// With DATABASE_URL set, the database tests and the e2e server use that PostgreSQL server.
// Exits non-zero when anything fails.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
process.chdir(root);

const env = { ...process.env };
if (env.DATABASE_URL && !env.TEST_DATABASE_URL) env.TEST_DATABASE_URL = env.DATABASE_URL;

const redact = (url) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
const engine = env.DATABASE_URL
	? `a fresh database on the PostgreSQL server of ${redact(env.DATABASE_URL)}`
	: 'a fresh PGlite folder';
console.log(
	`[test] database tests: PGlite${env.TEST_DATABASE_URL ? ` and ${redact(env.TEST_DATABASE_URL)}` : ''}; e2e server: ${engine}`
);

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const steps = [
	{ name: 'vitest (unit + db)', cmd: npx, args: ['vitest', 'run'] },
	{
		name: `e2e (Playwright, ${env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`,
		cmd: process.execPath,
		args: ['scripts/e2e.js']
	}
];

const results = [];
let interrupted = false;
for (const step of steps) {
	console.log(
		`\n[test] ── ${step.name}: ${[step.cmd === process.execPath ? 'node' : step.cmd, ...step.args].join(' ')}`
	);
	const t0 = Date.now();
	const r = spawnSync(step.cmd, step.args, { stdio: 'inherit', env });
	const seconds = (Date.now() - t0) / 1000;
	const status = r.error ? 1 : (r.status ?? 1);
	if (r.error) console.error(`[test] could not run ${step.cmd}: ${r.error.message}`);
	results.push({ name: step.name, ok: status === 0, status, seconds, signal: r.signal });
	if (r.signal === 'SIGINT' || r.signal === 'SIGTERM') {
		interrupted = true;
		break;
	}
}

const failed = results.filter((r) => !r.ok);
console.log('\n[test] summary');
for (const r of results) {
	const verdict = r.ok ? 'passed' : `FAILED (${r.signal ?? `exit ${r.status}`})`;
	console.log(`  ${r.name.padEnd(32)} ${verdict.padEnd(16)} ${r.seconds.toFixed(1).padStart(6)} s`);
}
for (const s of steps.slice(results.length)) console.log(`  ${s.name.padEnd(32)} not run`);
console.log(
	failed.length === 0 && !interrupted
		? '[test] all passed'
		: `[test] ${failed.length} of ${steps.length} steps failed${interrupted ? ' (interrupted)' : ''}`
);
process.exit(failed.length === 0 && !interrupted ? 0 : 1);
