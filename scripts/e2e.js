#!/usr/bin/env node
// npm run test:e2e — builds the app, starts it on a throwaway database and runs Playwright.
//
//   SKIP_BUILD=1        reuse ./build
//   E2E_PORT=4173       preferred port (another free one is taken when it is busy)
//   CHROMIUM_PATH=…     the browser to use (else /usr/bin/chromium, else Playwright's own)
//   DATABASE_URL=…      run on this PostgreSQL server, in a fresh database anju_e2e_<pid>
//                       (created and dropped here); unset: a fresh PGlite folder in a temp dir
// Arguments are passed to `playwright test` (e.g. `npm run test:e2e -- tests/e2e/auth.test.ts`).
import { spawn, spawnSync } from 'node:child_process';
import {
	cpSync,
	createWriteStream,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
process.chdir(root);

const log = (msg) => console.log(`[e2e] ${msg}`);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
/** ports other people's servers use on the development machines */
const reservedPorts = new Set([5173, 4300]);
const serverLogPath = join(root, 'test-results', 'e2e-server.log');
const buildLogPath = join(root, 'test-results', 'e2e-build.log');

/** @type {(() => Promise<void> | void)[]} */
const cleanups = [];
/** @type {Promise<void> | undefined} */
let cleaning;

/** Runs the clean-ups once, last first; every caller waits for the same run. */
function cleanUp() {
	cleaning ??= (async () => {
		for (const fn of cleanups.reverse()) {
			try {
				await fn();
			} catch (err) {
				console.error('[e2e] clean-up step failed:', err);
			}
		}
	})();
	return cleaning;
}

/** @type {string | null} */
let interrupted = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		if (interrupted) return;
		interrupted = signal;
		log(`${signal}: stopping after the current step`);
	});
}

/** Between steps: gives up when a signal came (the finally block cleans up). */
function checkInterrupted() {
	if (interrupted) throw new Error(`interrupted by ${interrupted}`);
}

function run(cmd, args, options = {}) {
	const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
	if (r.error) throw r.error;
	return r.status ?? 1;
}

function commandExists(cmd) {
	return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** CHROMIUM_PATH, then Debian's /usr/bin/chromium, then Playwright's own; installs one when none. */
async function findBrowser() {
	const fromEnv = process.env.CHROMIUM_PATH;
	if (fromEnv) {
		if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
		return { path: fromEnv, how: 'CHROMIUM_PATH' };
	}
	if (existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', how: "Debian's" };
	const playwrightOwn = async () => {
		const { chromium } = await import('@playwright/test');
		const p = chromium.executablePath();
		return p && existsSync(p) ? p : null;
	};
	const own = await playwrightOwn();
	if (own) return { path: null, how: `Playwright's own (${own})` };

	if (process.getuid?.() === 0 && commandExists('apt-get')) {
		log("no Chromium found: installing Debian's chromium with apt-get (running as root)");
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		if (run('apt-get', ['update', '-q'], { env }) !== 0) throw new Error('apt-get update failed');
		// the fonts let screenshots show Chinese text
		const status = run('apt-get', ['install', '-y', '-q', 'chromium', 'fonts-noto-cjk'], { env });
		if (status !== 0 || !existsSync('/usr/bin/chromium'))
			throw new Error('apt-get install chromium failed');
		return { path: '/usr/bin/chromium', how: "Debian's, just installed" };
	}
	log('no Chromium found: installing Playwright\'s ("npx playwright install chromium")');
	if (run(npx, ['playwright', 'install', 'chromium']) !== 0)
		throw new Error('npx playwright install chromium failed');
	return { path: null, how: "Playwright's own, just installed" };
}

function portIsFree(port) {
	return new Promise((res) => {
		const srv = createServer();
		srv.once('error', () => res(false));
		srv.listen({ port, host: '127.0.0.1' }, () => srv.close(() => res(true)));
	});
}

function anyFreePort() {
	return new Promise((res, rej) => {
		const srv = createServer();
		srv.once('error', rej);
		srv.listen({ port: 0, host: '127.0.0.1' }, () => {
			const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
			srv.close(() => res(port));
		});
	});
}

async function pickPort() {
	const preferred = Number(process.env.E2E_PORT ?? 4173);
	if (await portIsFree(preferred)) return preferred;
	for (let i = 0; i < 20; i++) {
		const port = await anyFreePort();
		if (!reservedPorts.has(port)) {
			log(`port ${preferred} is busy, using ${port}`);
			return port;
		}
	}
	throw new Error('no free port');
}

/** A fresh database on DATABASE_URL's server, or a fresh PGlite folder; dropped afterwards. */
async function prepareDatabase() {
	const serverUrl = process.env.DATABASE_URL;
	if (!serverUrl) {
		const dir = mkdtempSync(join(tmpdir(), 'anju-e2e-'));
		cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
		log(`database: PGlite in ${dir}`);
		return { env: { PGLITE_DATA_DIR: join(dir, 'pglite') }, engine: 'PGlite' };
	}
	const { default: postgres } = await import('postgres');
	const name = `anju_e2e_${process.pid}`;
	const admin = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
	try {
		await admin.unsafe(`drop database if exists "${name}" with (force)`);
		await admin.unsafe(`create database "${name}"`);
	} finally {
		await admin.end({ timeout: 5 });
	}
	cleanups.push(async () => {
		const sql = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
		try {
			await sql.unsafe(`drop database if exists "${name}" with (force)`);
			log(`dropped database ${name}`);
		} finally {
			await sql.end({ timeout: 5 });
		}
	});
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	log(`database: PostgreSQL ${url.host}/${name}`);
	return { env: { DATABASE_URL: url.toString() }, engine: 'PostgreSQL' };
}

function delay(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

function tail(path, lines = 60) {
	try {
		return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no server log)';
	}
}

/**
 * A private copy of build/ for this run: other people in the same tree may rebuild while the
 * tests run, and a server whose client files vanish cannot hydrate. Inside the project, so the
 * server still finds node_modules.
 */
function snapshotBuild() {
	const dir = join(root, 'test-results', `e2e-app-${process.pid}`);
	rmSync(dir, { recursive: true, force: true });
	cpSync(join(root, 'build'), dir, { recursive: true });
	cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

/** Starts the built app (`node build`) and waits until /healthz answers 200. */
async function startServer(appDir, port, dbEnv) {
	mkdirSync(join(root, 'test-results'), { recursive: true });
	const out = createWriteStream(serverLogPath);
	const env = { ...process.env, ...dbEnv };
	if (!dbEnv.DATABASE_URL) delete env.DATABASE_URL;
	Object.assign(env, {
		NODE_ENV: 'production',
		HOST: '127.0.0.1',
		PORT: String(port),
		ORIGIN: `http://localhost:${port}`,
		// ledgers of up to 10 MB (adapter-node's default is 512 KB)
		BODY_SIZE_LIMIT: '11M',
		ANJU_SEED_DEMO: '1',
		// Every test is its own client: the browser sends a made-up address in X-Forwarded-For
		// (tests/e2e/fixtures.ts), so the per-address login limit (10 a minute) is the production
		// one and still never trips across tests. This is how the app runs behind a proxy.
		ADDRESS_HEADER: 'x-forwarded-for',
		XFF_DEPTH: '1'
	});
	const started = Date.now();
	const child = spawn(process.execPath, [appDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout.pipe(out);
	child.stderr.pipe(out);
	let exited = null;
	const exitPromise = new Promise((res) =>
		child.once('exit', (code, signal) => {
			exited = { code, signal };
			res(exited);
		})
	);

	/** @type {Promise<{ ok: boolean; note: string }> | undefined} */
	let stopping;
	/** SIGTERM, then waits: the app must close its database and exit by itself. */
	const stop = () =>
		(stopping ??= (async () => {
			if (exited) return { ok: true, note: `had already exited (${JSON.stringify(exited)})` };
			const t0 = Date.now();
			child.kill('SIGTERM');
			const limit = 20_000;
			const result = await Promise.race([exitPromise, delay(limit).then(() => null)]);
			if (result) {
				const how = result.signal ? `signal ${result.signal}` : `code ${result.code}`;
				return { ok: true, note: `exited ${Date.now() - t0} ms after SIGTERM (${how})` };
			}
			child.kill('SIGKILL');
			await exitPromise;
			return { ok: false, note: `did NOT exit within ${limit / 1000} s of SIGTERM; killed` };
		})());
	cleanups.push(async () => {
		await stop();
	});

	const base = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 180_000;
	while (Date.now() < deadline) {
		if (exited) break;
		checkInterrupted();
		try {
			const res = await fetch(`${base}/healthz`);
			if (res.status === 200) {
				log(`server up on http://localhost:${port} in ${Date.now() - started} ms`);
				return { child, stop };
			}
		} catch {
			// not listening yet
		}
		await delay(250);
	}
	const why = exited ? `exited early (${JSON.stringify(exited)})` : 'no /healthz 200 in 180 s';
	await stop();
	throw new Error(`server ${why}; log ${serverLogPath}:\n${tail(serverLogPath)}`);
}

async function main() {
	const browser = await findBrowser();
	log(`browser: ${browser.how}${browser.path ? ` ${browser.path}` : ''}`);

	if (process.env.SKIP_BUILD === '1') {
		if (!existsSync('build/index.js')) throw new Error('SKIP_BUILD=1 but there is no build/');
		log('SKIP_BUILD=1: using the existing build/');
	} else {
		mkdirSync(join(root, 'test-results'), { recursive: true });
		log(`building (npx vite build; output in ${buildLogPath})`);
		const t0 = Date.now();
		// the bundler's warnings about dependencies would bury the test output: keep them in a file
		const r = spawnSync(npx, ['vite', 'build'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
		writeFileSync(buildLogPath, `${r.stdout ?? ''}${r.stderr ?? ''}`);
		if (r.error) throw r.error;
		if (r.status !== 0) throw new Error(`build failed:\n${tail(buildLogPath, 40)}`);
		log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	}
	checkInterrupted();

	const port = await pickPort();
	const db = await prepareDatabase();
	checkInterrupted();
	const server = await startServer(snapshotBuild(), port, db.env);

	const env = {
		...process.env,
		E2E_BASE_URL: `http://localhost:${port}`,
		E2E_ENGINE: db.engine
	};
	if (browser.path) env.CHROMIUM_PATH = browser.path;
	else delete env.CHROMIUM_PATH;
	const t0 = Date.now();
	const status = run(npx, ['playwright', 'test', ...process.argv.slice(2)], { env });
	log(`playwright finished in ${((Date.now() - t0) / 1000).toFixed(1)} s with status ${status}`);

	const shutdown = await server.stop();
	log(`server ${shutdown.note}`);
	if (status !== 0) log(`server log: ${serverLogPath}`);
	if (!shutdown.ok) {
		console.error(`[e2e] FAIL: the server ${shutdown.note} — see ${serverLogPath}`);
		return 1;
	}
	return interrupted ? 130 : status;
}

let code = 1;
try {
	code = await main();
} catch (err) {
	console.error(`[e2e] ${err instanceof Error ? err.message : err}`);
	code = interrupted ? 130 : 1;
} finally {
	await cleanUp();
}
process.exit(code);
