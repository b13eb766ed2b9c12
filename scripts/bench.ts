// npm run bench — load figures for the built app on PostgreSQL. Prints figures; never a test.
//
// 1. database: DATABASE_URL, else a fresh `anju_bench` (dropped and created) on the local server;
//    migrated and seeded with the demo county by `npx tsx scripts/seed.ts`
// 2. `npx vite build` unless build/ is newer than the sources (or BENCH_SKIP_BUILD=1 / --skip-build)
// 3. `node build` on port 4300 (from a snapshot of build/, so a rebuild in the tree meanwhile
//    cannot swap chunks under the running server), ready at /healthz 200
// 4. per step, autocannon against each target: warm-up, then a measured run
// 5. SIGTERM to the server; it must exit within 10 s
//
// Knobs: BENCH_DURATION (s, 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (50), DATABASE_POOL_MAX
// (10, passed to the server), BENCH_ONLY (comma-separated target or step names: `services`,
// `ledger`, `volume`, `matching`; a step none of whose targets is chosen is skipped, data and all;
// BENCH_MATCHING=0 leaves out the charity matching step), BENCH_VOLUMES
// (comma-separated household totals for the signed-in settlement, one step each; default
// 50000,500000 — a county's worth of households, ~200,000 members, then 10×; `none` for no steps).
//
// BENCH_IMPORT (households, default 10000; 0 skips it): after the demo-data step, a ledger of that
// many households (~4 members each) is imported into the signed-in settlement through
// previewImport + confirmImport, in a child process of its own (scripts/bench/ledger-import.ts),
// which reports seconds per phase and its peak memory; then the household list is measured again.
//
// BENCH_DASHBOARD=0 leaves out the dashboard steps (BENCH_ONLY=dashboard runs only them): the demo
// county grown to 50 points and 50,000 households of ~3 members with a year of each capability's
// rows (scripts/bench/dashboard.ts), then /dashboard for its 总点长 and a point's page for its point
// admin against /about; and the cold recount of every point's register figures (refreshStats with
// all of them dirty) and the warm figures timed through the app's code. BENCH_PROVINCE=1 (off: it
// makes 950,000 more households and takes long) adds the province scale: 1,000 points and
// 1,000,000 households in the demo province, /dashboard?region=<province> for the system admin;
// that step's targets run at BENCH_PROVINCE_CONNECTIONS (5) connections, its /about baseline too.
//
// BENCH_SERVICES (requests, default 1000000; 0 skips it): the county grown to 50 points holding
// that many service requests (scripts/bench/services.ts, generate_series in PostgreSQL); then the
// staff queue /services for the county's 总点长 (zongdianzhang) and for the point admin, and the
// queue's queries timed and explained through the app's code. BENCH_SERVICES_10X=1 (off: it adds
// 9,000,000 more rows and takes long) measures the same again at 10× the requests.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import {
	cpSync,
	createWriteStream,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { growServiceRequests, type Timing, type UserTimings } from './bench/services';
import { growMatching, matchingLines, type MatchingTimings } from './bench/matching';
import { growHouseholds, volume } from './bench/volume';
import { dashboardLines, growDashboard, type DashboardTimings } from './bench/dashboard';

const root = path.resolve(import.meta.dirname, '..');
const port = 4300;
const origin = `http://localhost:${port}`;
// the server listens on IPv4 (adapter-node's HOST 0.0.0.0); `localhost` may resolve to ::1 first
const base = `http://127.0.0.1:${port}`;
const adminUrl = 'postgres://root@127.0.0.1:5432/postgres';
const benchDbName = 'anju_bench';
const login = { username: 'guanliyuan', password: 'anju-demo' };
/** The county-level account of the demo (chief_of_points over the county), for the services queue. */
const countyLogin = 'zongdianzhang';

/** The household list at 50,000 households / ~200,000 members in one point, and at 10× that. */
const defaultVolumes = '50000,500000';

const num = (name: string, fallback: number, min = 1) => {
	const raw = process.env[name];
	const v = Number(raw);
	return raw !== undefined && raw !== '' && Number.isFinite(v) && v >= min ? v : fallback;
};
const config = {
	duration: num('BENCH_DURATION', 10),
	warmup: num('BENCH_WARMUP', 2, 0),
	connections: num('BENCH_CONNECTIONS', 50),
	importHouseholds: num('BENCH_IMPORT', 10_000, 0),
	serviceRequests: num('BENCH_SERVICES', 1_000_000, 0),
	services10x: process.env.BENCH_SERVICES_10X === '1',
	dashboard: process.env.BENCH_DASHBOARD !== '0',
	province: process.env.BENCH_PROVINCE === '1',
	poolMax: num('DATABASE_POOL_MAX', 10),
	skipBuild: process.env.BENCH_SKIP_BUILD === '1' || process.argv.includes('--skip-build'),
	only: process.env.BENCH_ONLY?.split(',')
		.map((s) => s.trim())
		.filter(Boolean),
	volumes: (process.env.BENCH_VOLUMES ?? defaultVolumes)
		.split(',')
		.map((s) => Number(s.trim().replace(/_/g, '')))
		.filter((n) => Number.isInteger(n) && n > 0)
};

/** What the targets and steps can use once the server is up. */
interface Context {
	sql: Sql;
	/** `anju_session=…` for the signed-in account, when login worked */
	cookie?: string;
	/** session cookies of other demo accounts, by username */
	cookies: Record<string, string>;
	/** the signed-in account's settlement */
	settlementId?: string;
	/** the bench database, for steps that run the app's code in a process of their own */
	databaseUrl?: string;
	/** the region the province-scale dashboard is asked for (`?region=`) */
	dashboardRegionId?: string;
}

interface Target {
	name: string;
	/** a path, or one built from the context (undefined: skip, with the reason in `needs`) */
	path: string | ((ctx: Context) => string | undefined);
	signedIn?: boolean;
	/** signed in as this demo account instead (its cookie from `ctx.cookies`) */
	account?: string;
	/** the page every ratio is taken against (one per run) */
	baseline?: boolean;
	/** measured again at every data-volume step */
	atVolume?: boolean;
	note?: string;
	needs?: string;
}

interface Step {
	name: string;
	/** BENCH_ONLY may name the step by this, choosing all its targets */
	key?: string;
	/** not run, with the reason for the report */
	skipped?: string;
	/** makes the data this step measures; returns a line for the report */
	prepare?: (ctx: Context) => Promise<string | void>;
	targets: Target[];
	/** autocannon connections for this step's targets (its baseline too), instead of BENCH_CONNECTIONS */
	connections?: number;
}

// Add targets here; later issues append theirs.
const targets: Target[] = [
	{ name: 'about', path: '/about', baseline: true, atVolume: true, note: 'no database' },
	{ name: 'login page', path: '/login', note: 'no database' },
	{ name: 'healthz', path: '/healthz', note: 'select 1' },
	{
		name: 'household list',
		path: (ctx) => ctx.settlementId && `/settlements/${ctx.settlementId}/households`,
		signedIn: true,
		atVolume: true,
		note: 'first page, signed in as point admin',
		needs: 'the signed-in settlement'
	},
	{
		name: 'services queue (county)',
		path: '/services',
		account: countyLogin,
		note: 'staff queue, first page, 总点长 over the county'
	},
	{
		name: 'services queue (point)',
		path: '/services',
		signedIn: true,
		note: 'staff queue, first page, point admin of one point'
	},
	{
		name: 'services overdue (county)',
		path: '/services?due=overdue',
		account: countyLogin,
		note: 'the overdue filter, 总点长 over the county'
	}
];
const servicesTargets = targets.filter((t) => t.name === 'about' || t.name.startsWith('services'));

interface LedgerFigures {
	rows: number;
	parseS: number;
	previewS: number;
	confirmS: number;
	result: { created: number; membersCreated: number };
	reimport: { previewS: number; confirmS: number; result: { unchanged: number } };
	peakRss?: number;
}

/** A county ledger of `households` imported into the signed-in settlement, then the same file again. */
function ledgerImportStep(households: number): Step {
	const script = 'scripts/bench/ledger-import.ts';
	return {
		name: `a ledger of ${households.toLocaleString('en')} households imported into the signed-in settlement`,
		key: 'ledger',
		prepare: async (ctx) => {
			if (!ctx.settlementId || !ctx.databaseUrl) throw new Error('no signed-in settlement');
			const file = path.join(work, 'ledger.xlsx');
			const makeLog = path.join(work, 'ledger-make.log');
			const made = await run(
				'npx',
				['tsx', script, 'make', file, String(households)],
				process.env,
				makeLog
			);
			if (made !== 0) throw new Error(`making the ledger failed (exit ${made}):\n${tail(makeLog)}`);
			const runLog = path.join(work, 'ledger-import.log');
			const args = ['tsx', script, 'run', file, ctx.databaseUrl, ctx.settlementId, login.username];
			const code = await run('npx', args, process.env, runLog);
			const line = readFileSync(runLog, 'utf8')
				.split('\n')
				.findLast((l) => l.startsWith('{'));
			if (code !== 0 || !line)
				throw new Error(`the import failed (exit ${code}):\n${tail(runLog)}`);
			const r = JSON.parse(line) as LedgerFigures;
			const s = (x: number) => `${x.toFixed(1)} s`;
			const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
			const line1 = `${r.rows.toLocaleString('en')} rows (${mb(statSync(file).size)} .xlsx): parse ${s(r.parseS)}; preview ${s(r.previewS)} (parse, checks against the register, batch stored); confirm ${s(r.confirmS)} (${r.result.created.toLocaleString('en')} households, ${r.result.membersCreated.toLocaleString('en')} members created)`;
			const line2 = `the same file again: preview ${s(r.reimport.previewS)}, confirm ${s(r.reimport.confirmS)} (${r.reimport.result.unchanged.toLocaleString('en')} unchanged); importing process peak RSS (VmHWM) ${r.peakRss ? mb(r.peakRss) : 'n/a'}`;
			log(`ledger import: ${line1}; ${line2}`);
			return `${line1};\n ${line2}`;
		},
		targets: targets.filter((t) => t.name === 'household list')
	};
}

const ms = (t: Timing) => `${t.median} ms (max ${t.max})`;

/** The query figures of one account, for the report. */
function timingLines(u: UserTimings): string[] {
	return [
		`${u.username}: listRequests ${ms(u.list)}, with the overdue filter ${ms(u.listOverdue)}; countRequests ${ms(u.count)}: tally read ${ms(u.tally)}, overdue count ${ms(u.overdueCount)} (${u.open.toLocaleString('en')} open, ${u.overdue.toLocaleString('en')} overdue)`,
		...Object.entries(u.plans).map(([q, plan]) => `  EXPLAIN ANALYZE ${q}: ${plan}`)
	];
}

/** The county of the signed-in settlement grown to 50 points and `total` service requests. */
function servicesStep(total: number): Step {
	return {
		name: `${total.toLocaleString('en')} service requests in the county (50 points)`,
		key: 'services',
		prepare: async (ctx) => {
			if (!ctx.settlementId || !ctx.databaseUrl) throw new Error('no signed-in settlement');
			const [place] = await ctx.sql<{ county: string }[]>`
				select split_part(region_path, '/', 4) as county from settlement where id = ${ctx.settlementId}`;
			const staff = await ctx.sql<{ username: string; id: string }[]>`
				select username, id from "user" where username in ('guanliyuan', 'shegong', 'admin')`;
			const idOf = (username: string) => {
				const id = staff.find((u) => u.username === username)?.id;
				if (!id) throw new Error(`no demo account ${username}`);
				return id;
			};
			const grown = await growServiceRequests(ctx.sql, {
				countyCode: place.county,
				total,
				firstPointId: ctx.settlementId,
				staff: {
					filer: idOf('guanliyuan'),
					assignees: [idOf('guanliyuan'), idOf('shegong')],
					admin: idOf('admin')
				},
				log: (line) => console.info(line)
			});
			const made = `${grown.total.toLocaleString('en')} requests in ${grown.points} points (added ${grown.added.toLocaleString('en')}${grown.pointsAdded ? ` and ${grown.pointsAdded} points of 250 households` : ''} in ${(grown.ms / 1000).toFixed(1)} s)`;
			log(`services: ${made}`);

			// the queue's queries, through the app's code, in a process of their own
			const script = 'scripts/bench/services.ts';
			const plans = path.join(work, `services-plans-${total}.txt`);
			const runLog = path.join(work, `services-timings-${total}.log`);
			const args = ['tsx', script, 'timings', ctx.databaseUrl, plans, countyLogin, login.username];
			const code = await run('npx', args, process.env, runLog);
			const line = readFileSync(runLog, 'utf8')
				.split('\n')
				.findLast((l) => l.startsWith('{'));
			if (code !== 0 || !line) {
				log(`services: query timings failed (exit ${code}): ${runLog}`);
				return `${made};\n query timings failed (exit ${code}):\n${tail(runLog, 10)}`;
			}
			const { users } = JSON.parse(line) as { users: UserTimings[] };
			const lines = users.flatMap(timingLines);
			for (const l of lines) log(`services: ${l}`);
			return [
				made,
				`queries through the app's code, one connection, median of 15 runs (plans: ${plans}):`,
				...lines
			].join(';\n ');
		},
		targets: servicesTargets
	};
}

/**
 * Charity matching at scale, through the app's code in a process of its own: ranking one need
 * against 10,000 offers, and the bulk allocation of 100,000 open needs over 10,000 offers (a
 * county of its own, so the demo's is untouched). Measures no page; its figures are its report.
 */
const matchingStep: Step = {
	name: 'charity matching: 10,000 offers, 100,000 open needs',
	key: 'matching',
	prepare: async (ctx) => {
		if (!ctx.databaseUrl) throw new Error('no bench database');
		const grown = await growMatching(ctx.sql, (line) => console.info(line));
		const runLog = path.join(work, 'matching-timings.log');
		const args = ['tsx', 'scripts/bench/matching.ts', 'timings', ctx.databaseUrl];
		const code = await run('npx', args, process.env, runLog);
		const line = readFileSync(runLog, 'utf8')
			.split('\n')
			.findLast((l) => l.startsWith('{'));
		const made = `${grown.offers.toLocaleString('en')} offers, ${grown.needs.toLocaleString('en')} open needs (${grown.built ? 'built' : 'found'} in ${(grown.ms / 1000).toFixed(1)} s)`;
		if (code !== 0 || !line)
			return `${made};\n timings failed (exit ${code}):\n${tail(runLog, 10)}`;
		const lines = matchingLines(JSON.parse(line) as MatchingTimings);
		for (const l of lines) log(`matching: ${l}`);
		return [made, ...lines].join(';\n ');
	},
	targets: []
};

const dashboardTargets: Target[] = [
	targets[0],
	{
		name: 'dashboard (county)',
		path: '/dashboard',
		account: countyLogin,
		note: '总点长: the county, this month, stats counted'
	},
	{
		name: 'point page with its dashboard',
		path: (ctx) => ctx.settlementId && `/settlements/${ctx.settlementId}`,
		signedIn: true,
		note: 'point admin: the point and its dashboard section',
		needs: 'the signed-in settlement'
	}
];
const provinceTarget: Target = {
	name: 'dashboard (province)',
	path: (ctx) => ctx.dashboardRegionId && `/dashboard?region=${ctx.dashboardRegionId}`,
	account: 'admin',
	note: 'system admin: the province and its 1,000 points',
	needs: 'the province'
};

/** The timings of scripts/bench/dashboard.ts for an account (and region), as report lines. */
async function dashboardTimings(ctx: Context, label: string, args: string[]): Promise<string[]> {
	const runLog = path.join(work, `dashboard-timings-${label}.log`);
	const code = await run(
		'npx',
		['tsx', 'scripts/bench/dashboard.ts', 'timings', ctx.databaseUrl!, ...args],
		process.env,
		runLog
	);
	const line = readFileSync(runLog, 'utf8')
		.split('\n')
		.findLast((l) => l.startsWith('{'));
	if (code !== 0 || !line) return [`timings failed (exit ${code}):\n${tail(runLog, 10)}`];
	const lines = dashboardLines(JSON.parse(line) as DashboardTimings);
	for (const l of lines) log(`dashboard: ${l}`);
	return lines;
}

const provinceConnections = num('BENCH_PROVINCE_CONNECTIONS', 5);

/**
 * The dashboards at county scale (the demo county: 50 points, 50,000 households) or at province
 * scale (the demo province: 1,000 points, 1,000,000 households).
 */
function dashboardStep(scale: 'county' | 'province'): Step {
	const county = scale === 'county';
	const points = county ? 50 : 1_000;
	const households = county ? 50_000 : 1_000_000;
	return {
		name: `dashboards at ${scale} scale: ${points.toLocaleString('en')} points, ${households.toLocaleString('en')} households`,
		key: 'dashboard',
		prepare: async (ctx) => {
			if (!ctx.settlementId || !ctx.databaseUrl) throw new Error('no signed-in settlement');
			// the demo county (province) of the signed-in point
			const [place] = await ctx.sql<{ path: string; id: string }[]>`
				select r.path, r.id from settlement s join region r
				  on r.path = '/' || array_to_string((string_to_array(trim(both '/' from s.region_path), '/'))[1:${county ? 3 : 1}], '/') || '/'
				where s.id = ${ctx.settlementId}`;
			if (!place) throw new Error('the signed-in point has no county');
			const grown = await growDashboard(ctx.sql, {
				regionPath: place.path,
				points,
				households,
				newCounties: county ? undefined : 19,
				log: (line) => console.info(line)
			});
			const made = `${grown.points.toLocaleString('en')} points, ${grown.households.toLocaleString('en')} households, ${grown.residents.toLocaleString('en')} members in the ${scale} (added ${grown.pointsAdded} points and ${grown.householdsAdded.toLocaleString('en')} households in ${(grown.ms / 1000).toFixed(1)} s)`;
			log(`dashboard: ${made}`);
			const lines = await dashboardTimings(ctx, `${scale}-county`, [countyLogin]);
			if (!county) {
				ctx.dashboardRegionId = place.id;
				const admin = await postLogin('admin');
				if (admin.cookie) ctx.cookies.admin = admin.cookie;
				lines.push(...(await dashboardTimings(ctx, 'province', ['admin', place.id])));
			}
			return [made, ...lines].join(';\n ');
		},
		targets: county ? dashboardTargets : [...dashboardTargets, provinceTarget],
		// at 50 connections every province page waits past autocannon's 10 s timeout: fewer, so
		// each page's time is measured (the baseline in the same step at the same concurrency)
		connections: county ? undefined : provinceConnections
	};
}

// Add data-volume steps here (or with BENCH_VOLUMES): each grows the data, then measures its targets.
const steps: Step[] = [
	{ name: 'demo data', key: 'demo', targets },
	...(config.importHouseholds > 0 ? [ledgerImportStep(config.importHouseholds)] : []),
	...(process.env.BENCH_MATCHING === '0' ? [] : [matchingStep]),
	...(config.dashboard
		? [
				dashboardStep('county'),
				config.province
					? dashboardStep('province')
					: {
							name: 'dashboards at province scale: 1,000 points, 1,000,000 households',
							key: 'dashboard',
							skipped:
								'skipped: set BENCH_PROVINCE=1 to run it (it makes 950,000 more households with ~3 members each and takes long)',
							targets: dashboardTargets
						}
			]
		: []),
	...(config.serviceRequests > 0
		? [
				servicesStep(config.serviceRequests),
				config.services10x
					? servicesStep(config.serviceRequests * 10)
					: {
							name: `${(config.serviceRequests * 10).toLocaleString('en')} service requests in the county (10×)`,
							key: 'services',
							skipped:
								'skipped: set BENCH_SERVICES_10X=1 to run it (it adds 9× the requests again and takes long)',
							targets: servicesTargets
						}
			]
		: []),
	...config.volumes.map((total): Step => ({
		name: `${total.toLocaleString('en')} households in the signed-in settlement`,
		key: 'volume',
		prepare: async (ctx) => {
			if (!ctx.settlementId) throw new Error('no signed-in settlement to grow');
			const r = await growHouseholds(ctx.sql, ctx.settlementId, total, {
				log: (line) => console.info(line)
			});
			return `added ${r.added.toLocaleString('en')} households, ${r.residents.toLocaleString('en')} members in ${(r.ms / 1000).toFixed(1)} s`;
		},
		targets: targets.filter((t) => t.atVolume)
	}))
];

// ---------------------------------------------------------------------------------------------

const t0 = performance.now();
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1) + ' s';
const log = (line: string) => console.info(`[bench ${seconds(t0).padStart(7)}] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const loadavg = () =>
	os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');

const loadAtStart = loadavg();

const work = mkdtempSync(path.join(os.tmpdir(), 'anju-bench-'));
const serverLogPath = path.join(work, 'server.log');

function run(
	command: string,
	args: string[],
	env: NodeJS.ProcessEnv,
	logFile: string
): Promise<number> {
	return new Promise((resolve, reject) => {
		const out = createWriteStream(logFile);
		const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout.pipe(out, { end: false });
		child.stderr.pipe(out, { end: false });
		child.on('error', reject);
		child.on('close', (code) => out.end(() => resolve(code ?? 1)));
	});
}

function tail(file: string, lines = 30): string {
	if (!existsSync(file)) return '';
	return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

async function prepareDatabase(): Promise<string> {
	if (process.env.DATABASE_URL) {
		log('database: DATABASE_URL (kept as it is; seeding is a no-op when the demo exists)');
		return process.env.DATABASE_URL;
	}
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(`drop database if exists ${benchDbName} with (force)`);
		await admin.unsafe(`create database ${benchDbName}`);
	} finally {
		await admin.end({ timeout: 5 });
	}
	const url = `postgres://root@127.0.0.1:5432/${benchDbName}`;
	log(`database: ${benchDbName} dropped and created`);
	return url;
}

/** Newest modification time under the paths that feed `vite build`. */
function newestSource(): { mtime: number; file: string } {
	const newest = { mtime: 0, file: '' };
	const skip = new Set([path.join(root, 'src/lib/paraglide')]); // generated from messages/
	const visit = (p: string) => {
		if (skip.has(p) || !existsSync(p) || /\.(spec|test)\.ts$/.test(p)) return;
		const st = statSync(p);
		if (st.isDirectory()) for (const e of readdirSync(p)) visit(path.join(p, e));
		else if (st.mtimeMs > newest.mtime) Object.assign(newest, { mtime: st.mtimeMs, file: p });
	};
	for (const p of [
		'src',
		'messages',
		'static',
		'project.inlang/settings.json',
		'svelte.config.js',
		'vite.config.ts',
		'package.json',
		'package-lock.json'
	])
		visit(path.join(root, p));
	return newest;
}

async function build(): Promise<void> {
	const marker = path.join(root, 'build/index.js');
	if (config.skipBuild) {
		if (!existsSync(marker)) throw new Error('BENCH_SKIP_BUILD=1 but there is no build/');
		log('build: skipped (BENCH_SKIP_BUILD)');
		return;
	}
	const newest = newestSource();
	if (existsSync(marker) && statSync(marker).mtimeMs > newest.mtime) {
		log('build: build/ is newer than the sources, not rebuilding');
		return;
	}
	const why = existsSync(marker)
		? `${path.relative(root, newest.file)} is newer than build/`
		: 'no build/';
	log(`build: npx vite build (${why}) …`);
	const started = performance.now();
	const logFile = path.join(work, 'build.log');
	const code = await run('npx', ['vite', 'build'], process.env, logFile);
	if (code !== 0) {
		console.error(tail(logFile));
		throw new Error(`vite build failed (exit ${code}); log: ${logFile}`);
	}
	log(`build: done in ${seconds(started)}`);
}

/** Copies build/ aside with a node_modules link, so the tree's build/ may change meanwhile. */
function snapshotBuild(): string {
	const dir = path.join(work, 'app');
	mkdirSync(dir);
	cpSync(path.join(root, 'build'), path.join(dir, 'build'), { recursive: true });
	symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
	return path.join(dir, 'build');
}

function portFree(p: number): Promise<boolean> {
	return new Promise((resolve) => {
		const s = createServer();
		s.once('error', () => resolve(false));
		s.listen(p, '0.0.0.0', () => s.close(() => resolve(true)));
	});
}

interface Server {
	child: ChildProcess;
	exited: Promise<number | string>;
	startMs: number;
}

async function startServer(buildDir: string, databaseUrl: string): Promise<Server> {
	if (!(await portFree(port))) throw new Error(`port ${port} is in use: stop what listens there`);
	const out = createWriteStream(serverLogPath);
	const started = performance.now();
	const child = spawn(process.execPath, [buildDir], {
		cwd: root, // migrations are read from ./drizzle
		env: {
			...process.env,
			NODE_ENV: 'production',
			PORT: String(port),
			ORIGIN: origin,
			BODY_SIZE_LIMIT: '11M',
			DATABASE_URL: databaseUrl,
			DATABASE_POOL_MAX: String(config.poolMax)
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout?.pipe(out, { end: false });
	child.stderr?.pipe(out, { end: false });
	const exited = new Promise<number | string>((resolve) =>
		child.once('exit', (code, signal) => resolve(signal ?? code ?? 0))
	);
	let gone: number | string | undefined;
	void exited.then((c) => (gone = c));
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (gone !== undefined)
			throw new Error(`server exited (${gone}) before /healthz answered:\n${tail(serverLogPath)}`);
		try {
			const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
			await res.arrayBuffer();
			if (res.status === 200) {
				const startMs = Math.round(performance.now() - started);
				log(`server: pid ${child.pid}, /healthz 200 after ${startMs} ms`);
				return { child, exited, startMs };
			}
		} catch {
			// not listening yet
		}
		await sleep(100);
	}
	child.kill('SIGKILL');
	throw new Error(`/healthz not 200 within 60 s:\n${tail(serverLogPath)}`);
}

/**
 * Waits until the server has worked off what autocannon left behind: when a run ends its sockets
 * close, but requests already queued for the DB pool still run and would slow the next run.
 * Settled = two /healthz (one pool query each) in a row under 50 ms.
 */
async function settle(limitMs = 30_000): Promise<number> {
	const started = performance.now();
	let fast = 0;
	while (fast < 2 && performance.now() - started < limitMs) {
		const t = performance.now();
		try {
			const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
			await res.arrayBuffer();
			fast = res.status === 200 && performance.now() - t < 50 ? fast + 1 : 0;
		} catch {
			fast = 0;
		}
		if (fast < 2) await sleep(50);
	}
	return Math.round(performance.now() - started);
}

async function stopServer(server: Server): Promise<string> {
	if (server.child.exitCode !== null || server.child.signalCode !== null)
		return `server had already exited (${server.child.exitCode ?? server.child.signalCode})`;
	const started = performance.now();
	server.child.kill('SIGTERM');
	const result = await Promise.race([server.exited, sleep(10_000).then(() => 'timeout' as const)]);
	if (result === 'timeout') {
		server.child.kill('SIGKILL');
		await server.exited;
		return 'server did NOT exit within 10 s of SIGTERM: killed with SIGKILL';
	}
	return `server exited ${seconds(started)} after SIGTERM (${result})`;
}

function memory(pid: number): { hwm?: number; rss?: number } {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key: string) => {
			const m = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
			return m ? Number(m[1]) * 1024 : undefined;
		};
		return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
	} catch {
		return {};
	}
}

/** Signs a demo account in; the session cookie, or undefined with the answer's status. */
async function postLogin(
	username: string
): Promise<{ cookie?: string; status: number; location: string | null }> {
	const res = await fetch(`${base}/login`, {
		method: 'POST',
		redirect: 'manual',
		// a browser's form post: with accept text/html SvelteKit answers 303, not its JSON envelope
		headers: {
			origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ username, password: login.password }).toString()
	});
	await res.arrayBuffer();
	const cookie = res.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.find((c) => c.startsWith('anju_session=') && c.length > 'anju_session='.length);
	return { cookie, status: res.status, location: res.headers.get('location') };
}

async function signIn(ctx: Context): Promise<void> {
	// the county-level account, for the services queue targets
	const county = await postLogin(countyLogin);
	if (county.cookie) ctx.cookies[countyLogin] = county.cookie;
	log(
		`login: ${countyLogin} ${county.cookie ? 'signed in' : `got ${county.status} and no session cookie: its targets skipped`}`
	);

	const { cookie, status, location } = await postLogin(login.username);
	if (!cookie) {
		log(`login: ${login.username} got ${status} and no session cookie: signed-in targets skipped`);
		return;
	}
	ctx.cookie = cookie;
	log(`login: ${login.username} signed in (${status} → ${location})`);

	// the settlement: the first link on /settlements, else the account's grant in the database
	const page = await fetch(`${base}/settlements`, { headers: { cookie }, redirect: 'manual' });
	const html = await page.text();
	const linked = html.match(/href="\/settlements\/([0-9a-f-]{36})"/)?.[1];
	if (linked) {
		ctx.settlementId = linked;
		log(`settlement: ${linked} (first link on /settlements)`);
		return;
	}
	const [grant] = await ctx.sql<{ id: string }[]>`
		select g.settlement_id as id from role_grant g join "user" u on u.id = g.user_id
		where u.username = ${login.username} and g.settlement_id is not null and g.revoked_at is null
		limit 1`;
	ctx.settlementId = grant?.id;
	log(`settlement: ${grant?.id ?? 'none'} (from role_grant; /settlements answered ${page.status})`);
}

interface Measured {
	target: Target;
	path?: string;
	probe?: string;
	result?: autocannon.Result;
	skipped?: string;
}

async function measure(
	target: Target,
	ctx: Context,
	connections = config.connections
): Promise<Measured> {
	const p = typeof target.path === 'string' ? target.path : target.path(ctx);
	if (!p) return { target, skipped: `needs ${target.needs ?? 'context'}` };
	const cookie = target.account
		? ctx.cookies[target.account]
		: target.signedIn
			? ctx.cookie
			: undefined;
	if ((target.signedIn || target.account) && !cookie)
		return { target, path: p, skipped: 'not signed in' };
	const headers: Record<string, string> = cookie ? { cookie } : {};

	// one request first, so a wrong page (a redirect to /login, a 500) shows before the numbers
	const res = await fetch(base + p, { headers, redirect: 'manual' });
	const body = await res.arrayBuffer();
	const probe = `${res.status}, ${(body.byteLength / 1024).toFixed(1)} KiB`;

	const url = base + p;
	const opts = { url, connections, headers, timeout: 10 };
	if (config.warmup > 0) await autocannon({ ...opts, duration: config.warmup });
	await settle();
	const result = await autocannon({ ...opts, duration: config.duration, title: target.name });
	const settled = await settle();
	log(
		`${target.name}: ${result.requests.mean.toFixed(0)} req/s, p97.5 ${result.latency.p97_5} ms, non-2xx ${result.non2xx}` +
			(settled > 1000 ? ` (server busy ${settled} ms after the run)` : '')
	);
	return { target, path: p, probe, result };
}

function table(rows: Measured[], baseline: number | undefined): string {
	const head = [
		'target',
		'path',
		'probe',
		'req/s',
		'p50 ms',
		'p97.5 ms',
		'p99 ms',
		'non-2xx',
		'errors',
		'× baseline',
		'note'
	];
	const body = rows.map((m) => {
		const r = m.result;
		const shortPath = (m.path ?? '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, ':id');
		const note = m.target.note ?? '';
		if (!r)
			return [m.target.name, shortPath, m.skipped ?? 'failed', '', '', '', '', '', '', '', note];
		return [
			m.target.name,
			shortPath,
			m.probe ?? '',
			r.requests.mean.toFixed(1),
			String(r.latency.p50),
			String(r.latency.p97_5),
			String(r.latency.p99),
			String(r.non2xx),
			String(r.errors + r.timeouts),
			baseline ? (r.requests.mean / baseline).toFixed(3) : '',
			note
		];
	});
	const all = [head, ...body];
	const widths = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
	const numeric = (i: number) => i >= 3 && i < head.length - 1;
	const line = (row: string[]) =>
		row
			.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
			.join('  ')
			.trimEnd();
	const notes = rows
		.filter((m) => m.result && Object.keys(m.result.statusCodeStats).some((s) => !/^2/.test(s)))
		.map(
			(m) =>
				`  ${m.target.name} status codes: ${Object.entries(m.result!.statusCodeStats)
					.map(([s, v]) => `${s}×${v.count}`)
					.join(' ')}`
		);
	return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ...notes].join(
		'\n'
	);
}

function serverLogErrors(): string[] {
	if (!existsSync(serverLogPath)) return [];
	return readFileSync(serverLogPath, 'utf8')
		.split('\n')
		.filter((l) => /error|uncaught|exception|ECONN|too many/i.test(l));
}

// ---------------------------------------------------------------------------------------------

let server: Server | undefined;
let sql: Sql | undefined;
let printed = false;
let stopLine = '';

const interrupt = () => {
	console.error('interrupted: stopping the server');
	if (server) server.child.kill('SIGTERM');
	process.exit(130);
};
process.once('SIGINT', interrupt);

try {
	log(
		`node ${process.version}, ${os.cpus().length} cores, load ${loadAtStart}, ${config.connections} connections, ` +
			`${config.warmup} s warm-up + ${config.duration} s per target, pool ${config.poolMax}`
	);
	const databaseUrl = await prepareDatabase();
	const seedStarted = performance.now();
	const seedLog = path.join(work, 'seed.log');
	const seedCode = await run(
		'npx',
		['tsx', 'scripts/seed.ts'],
		{ ...process.env, DATABASE_URL: databaseUrl },
		seedLog
	);
	if (seedCode !== 0) throw new Error(`seed failed (exit ${seedCode}):\n${tail(seedLog)}`);
	log(`seed: ${tail(seedLog, 2).trim()} in ${seconds(seedStarted)}`);

	await build();
	const buildDir = snapshotBuild();
	server = await startServer(buildDir, databaseUrl);

	sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
	const ctx: Context = { sql, databaseUrl, cookies: {} };
	await signIn(ctx);

	const report: string[] = [];
	let baseline: number | undefined;
	for (const step of steps) {
		// BENCH_ONLY: a step named by its key runs whole; otherwise only the targets named
		const whole = !config.only || (step.key !== undefined && config.only.includes(step.key));
		const chosen = step.targets.filter((t) => whole || config.only!.includes(t.name));
		// a step without pages (matching) runs when chosen whole
		if (chosen.length === 0 && (step.targets.length > 0 || !whole)) {
			log(`step "${step.name}": skipped (BENCH_ONLY=${config.only?.join(',')})`);
			continue;
		}
		if (step.skipped) {
			log(`step "${step.name}": ${step.skipped}`);
			report.push(`\n## ${step.name}\n${step.skipped}`);
			continue;
		}
		let prepared = '';
		if (step.prepare) {
			log(`step "${step.name}": preparing …`);
			try {
				prepared = (await step.prepare(ctx)) ?? '';
			} catch (err) {
				report.push(`\n## ${step.name}\nnot measured: ${err instanceof Error ? err.message : err}`);
				continue;
			}
		}
		const v = await volume(sql);
		const rows: Measured[] = [];
		for (const target of chosen) {
			try {
				rows.push(await measure(target, ctx, step.connections));
			} catch (err) {
				rows.push({ target, skipped: `failed: ${err instanceof Error ? err.message : err}` });
			}
			if (target.baseline) baseline = rows.at(-1)?.result?.requests.mean ?? baseline;
		}
		report.push(
			[
				`\n## ${step.name}: ${v.settlements} settlements, ${v.households.toLocaleString('en')} households, ${v.residents.toLocaleString('en')} members` +
					(step.connections ? ` — ${step.connections} connections a target` : ''),
				prepared && `(${prepared})`,
				rows.length > 0 && table(rows, baseline)
			]
				.filter(Boolean)
				.join('\n')
		);
	}

	const mem = memory(server.child.pid!);
	const mb = (b?: number) => (b === undefined ? 'n/a' : `${(b / 1024 / 1024).toFixed(0)} MB`);
	stopLine = await stopServer(server);
	const errors = serverLogErrors();

	console.info(`\n# Anju bench — ${new Date().toISOString()}`);
	console.info(
		`node ${process.version}, ${os.cpus().length} cores (autocannon shares them with the server), ` +
			`${config.connections} connections, ${config.warmup} s warm-up + ${config.duration} s measured per target; ` +
			`× baseline = req/s ÷ the "${targets.find((t) => t.baseline)?.name}" page's req/s in this run`
	);
	console.info(report.join('\n'));
	console.info('');
	console.info(
		`server: peak RSS (VmHWM) ${mb(mem.hwm)}, RSS at end ${mb(mem.rss)}, DB pool max ${config.poolMax} connections, first /healthz 200 after ${server.startMs} ms`
	);
	console.info(`${stopLine}`);
	console.info(
		`server log: ${serverLogPath} — ${errors.length} error line(s)` +
			(errors.length
				? ':\n' +
					errors
						.slice(0, 5)
						.map((l) => '  ' + l.slice(0, 300))
						.join('\n')
				: '')
	);
	const [load1] = os.loadavg();
	console.info(
		`load average at the end: ${loadavg()} (1, 5, 15 min; at the start: ${loadAtStart})` +
			// the bench itself adds about 1.5 to the 1-minute load; well above that, others were busy too
			(Number(loadAtStart.split(' ')[0]) > os.cpus().length / 2 || load1 > os.cpus().length + 1
				? ` — WARNING: other work competed for the ${os.cpus().length} cores; figures are not comparable`
				: '')
	);
	console.info(`total: ${seconds(t0)}`);
	printed = true;
} catch (err) {
	console.error(`bench failed: ${err instanceof Error ? err.message : err}`);
	if (existsSync(serverLogPath)) console.error(`server log: ${serverLogPath}`);
} finally {
	if (server && !stopLine) console.error(await stopServer(server));
	await sql?.end({ timeout: 5 });
	rmSync(path.join(work, 'app'), { recursive: true, force: true });
}
process.exit(printed ? 0 : 1);
