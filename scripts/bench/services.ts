// The services step of npm run bench: a county of 50 points with 1,000,000 service requests (and
// 10× that behind BENCH_SERVICES_10X=1), made in PostgreSQL like the volume steps (volume.ts):
// `insert … select … from generate_series`, 200,000 rows a statement, so the statement-level
// tally triggers count each chunk once. Rows spread over three years, oldest first (so the
// identity `no` follows the filing time): most of them closed, about half of those within their
// time limit still running, some 0.4% overdue (already escalated, as the sweep would have left
// them, so the server's sweep has nothing to do during the runs). Bulk rows have no timeline events: the queue never reads them.
//
// As a script it times the queue's queries through the app's own code, on one connection, for
// some accounts, and prints one JSON line (EXPLAIN ANALYZE plans go to a file):
//
//   tsx scripts/bench/services.ts timings <databaseUrl> <plansFile> <username>...
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Sql } from 'postgres';
import type { Database } from '../../src/lib/server/db';
import { surnames } from './sql';

export interface GrowRequestsResult {
	/** requests added by this call */
	added: number;
	/** points the county has now, and how many this call made */
	points: number;
	pointsAdded: number;
	/** requests in the county after the call */
	total: number;
	ms: number;
}

/** Bulk requests (and bulk points) are marked so, for anyone looking at the bench database. */
const bulkDescription = '压测数据：批量生成的服务申请';

/**
 * Makes the county (by region code) hold `points` settlement points, adding 批量安置点 NN with
 * `householdsPerPoint` households each (without members: the queue reads households only).
 */
async function ensurePoints(
	sql: Sql,
	countyPath: string,
	points: number,
	householdsPerPoint: number
): Promise<number> {
	const [{ n }] = await sql<{ n: number }[]>`
		select count(*)::int as n from settlement where region_path like ${countyPath + '%'}`;
	if (n >= points) return 0;
	const townships = await sql<{ id: string; path: string; name: string }[]>`
		select id, path, name from region
		where level = 'township' and path like ${countyPath + '%'} order by code`;
	if (townships.length === 0) throw new Error('the county has no townships to put points in');
	const rows = Array.from({ length: points - n }, (_, i) => {
		const t = townships[i % townships.length];
		const name = `批量安置点 ${String(n + i + 1).padStart(2, '0')}`;
		return {
			name,
			kind: 'town',
			region_id: t.id,
			region_path: t.path,
			committee_kind: 'town_committee',
			committee_name: `${t.name}${name}居委会`,
			address: `于都县${t.name}（压测数据）`,
			opened_on: '2019-06-01',
			capacity: householdsPerPoint * 5
		};
	});
	const made = await sql<{ id: string }[]>`insert into settlement ${sql(rows)} returning id`;
	await sql`
		insert into household (settlement_id, building, unit_no, room, head_name, moved_in_on)
		select s.id, 'S' || (g / 100 + 1) || '栋', ((g / 50) % 2 + 1) || '单元',
		       ((g % 50) / 2 + 1)::text || lpad((g % 2 + 1)::text, 2, '0'),
		       substr(${surnames}, 1 + (hashint4(g) & 2147483647) % ${surnames.length}, 1) || '某某',
		       date '2019-06-01' + g % 400
		from unnest(${made.map((m) => m.id)}::uuid[]) as s(id)
		cross join generate_series(0, ${householdsPerPoint - 1}) g`;
	return made.length;
}

/**
 * Adds requests to the county until it holds `total`, over `points` points (made if missing);
 * the point of `firstPointId` (the signed-in point admin's) is carried by `staff` (filer and two
 * assignees), the others filed by `staff.admin` as paper forms keyed in, like the demo seed.
 */
export async function growServiceRequests(
	sql: Sql,
	options: {
		countyCode: string;
		total: number;
		firstPointId: string;
		staff: { filer: string; assignees: [string, string]; admin: string };
		points?: number;
		householdsPerPoint?: number;
		chunk?: number;
		/** the time the rows spread over, in days before now */
		spanDays?: number;
		log?: (line: string) => void;
	}
): Promise<GrowRequestsResult> {
	const started = performance.now();
	const pointsWanted = options.points ?? 50;
	const chunk = options.chunk ?? 200_000;
	const spanDays = options.spanDays ?? 1095;
	const [county] = await sql<{ path: string }[]>`
		select path from region where code = ${options.countyCode}`;
	if (!county) throw new Error(`no county ${options.countyCode}: is the demo seeded?`);
	const pointsAdded = await ensurePoints(
		sql,
		county.path,
		pointsWanted,
		options.householdsPerPoint ?? 250
	);
	// fresh statistics, or the planner takes the new points' households for a handful and joins
	// them to every generated row by a filter (minutes instead of seconds a chunk)
	await sql`analyze household, settlement, service_category`;
	const places = await sql<{ id: string }[]>`
		select id from settlement where region_path like ${county.path + '%'}
		order by id = ${options.firstPointId} desc, created_at, id`;
	const categories = await sql<{ n: number }[]>`
		select count(*)::int as n from service_category where region_path = ${county.path}`;
	if (categories[0].n === 0) throw new Error('the county has no service catalogue');
	const [{ existing }] = await sql<{ existing: number }[]>`
		select count(*)::int as existing from service_request where region_path like ${county.path + '%'}`;
	const want = Math.max(0, options.total - existing);
	const ids = places.map((p) => p.id);
	const points = ids.length;
	const filers = ids.map((_, i) => (i === 0 ? options.staff.filer : options.staff.admin));
	const first = ids.map((_, i) => (i === 0 ? options.staff.assignees[0] : ''));
	const second = ids.map((_, i) => (i === 0 ? options.staff.assignees[1] : ''));

	let added = 0;
	// g numbers every bulk request of the county: hashes and points never repeat across calls
	const g0 = existing + 1;
	while (added < want) {
		const n = Math.min(chunk, want - added);
		const from = g0 + added;
		const to = from + n - 1;
		const [row] = await sql<{ n: number }[]>`
			with pts as materialized (
				select (t.ord - 1)::int as idx, t.id::uuid as id, s.region_path,
				       t.filer::uuid as filer, nullif(t.a1, '')::uuid as a1, nullif(t.a2, '')::uuid as a2,
				       (select count(*)::int from household h
				        where h.settlement_id = t.id::uuid and h.status = 'active') as households
				from unnest(${ids}::text[], ${filers}::text[], ${first}::text[], ${second}::text[])
				     with ordinality as t(id, filer, a1, a2, ord)
				join settlement s on s.id = t.id::uuid
			),
			hh as materialized (
				select h.settlement_id,
				       (row_number() over (partition by h.settlement_id order by h.id) - 1)::int as k, h.id
				from household h join pts on pts.id = h.settlement_id
				where h.status = 'active'
			),
			cats as materialized (
				select (row_number() over (order by sort_order, id) - 1)::int as idx, id,
				       time_limit_days as lim, urgent, count(*) over ()::int as n
				from service_category where region_path = ${county.path} and active
			),
			gs as materialized (
				select g, pts.id as settlement_id, pts.region_path, pts.filer, pts.a1, pts.a2,
				       -- the household (its number in the point) and the service, by hash
				       ((hashint4(g::int) & 2147483647) % greatest(pts.households, 1))::int as k,
				       ((hashint4(g::int + 5) & 2147483647) % (select max(n) from cats))::int as ci
				from generate_series(${from}::bigint, ${to}::bigint) g
				join pts on pts.idx = (g % ${points})::int
			),
			base as (
				select gs.g, gs.settlement_id, gs.region_path, gs.filer, gs.a1, gs.a2,
				       hh.id as household_id, c.id as category_id, c.lim, c.urgent,
				       (hashint4(g::int + 11) & 2147483647) % 1000 as h1,
				       (hashint4(g::int + 23) & 2147483647) % 1000 as h2,
				       -- days before now: this call's rows spread over the span, oldest first
				       ${spanDays}::float8 * (1 - (g - ${g0}::bigint + 0.5) / ${want}::float8) as age
				from gs
				join hh on hh.settlement_id = gs.settlement_id and hh.k = gs.k
				join cats c on c.idx = gs.ci
			),
			st as (
				select base.*, now() - age * interval '1 day' as submitted_at,
				       case when age < 2 then case when h1 < 500 then 'submitted' when h1 < 700 then 'accepted'
				                                  when h1 < 900 then 'in_progress' else 'done' end
				            -- within the time limit (about lim working days): half still running
				            when age < lim * 1.4 then case when h1 < 100 then 'accepted' when h1 < 400 then 'in_progress'
				                                          when h1 < 480 then 'waiting_origin'
				                                          when h1 < 530 then 'waiting_resident'
				                                          when h1 < 930 then 'done' when h1 < 970 then 'rejected'
				                                          else 'withdrawn' end
				            -- past it: a few still running (overdue), the rest closed
				            when age < 60 then case when h1 < 40 then 'in_progress' when h1 < 60 then 'waiting_origin'
				                                   when h1 < 70 then 'waiting_resident' when h1 < 900 then 'done'
				                                   when h1 < 950 then 'rejected' else 'withdrawn' end
				            else case when h1 < 2 then 'in_progress' when h1 < 882 then 'done'
				                      when h1 < 942 then 'rejected' else 'withdrawn' end
				       end as status
				from base
			),
			dd as (
				-- about the time limit in working days (weekends only: holidays are the app's business)
				select st.*, (submitted_at at time zone 'Asia/Shanghai')::date + ceil(lim * 1.4)::int as due_on,
				       (now() at time zone 'Asia/Shanghai')::date as today
				from st
			),
			closed as (
				select dd.*,
				       case when status in ('done', 'rejected', 'withdrawn')
				            then submitted_at + least(age, lim * 1.4) * 0.9 * interval '1 day' end as closed_at,
				       status in ('submitted', 'accepted', 'in_progress', 'waiting_origin') and due_on < today
				         as overdue
				from dd
			),
			inserted as (
				insert into service_request
					(category_id, household_id, settlement_id, region_path, description, status, urgent,
					 filed_by, proxy, consent_method, consent_note, assignee_id, submitted_at, due_on,
					 ack_due_at, accepted_at, paused_since, origin_office, origin_ask, outcome, closed_at,
					 escalated_at, rating, rating_comment, rated_at, updated_at)
				select category_id, household_id, settlement_id, region_path, ${bulkDescription}, status, urgent,
				       filer, true, 'paper_signature', '户主在纸质申请表上签字委托（压测数据）',
				       case when status <> 'submitted' then case when h2 % 2 = 0 then a1 else a2 end end,
				       submitted_at, due_on,
				       case when urgent then submitted_at + interval '24 hours' end,
				       case when status <> 'submitted' then least(submitted_at + interval '2 hours', now()) end,
				       case when status = 'waiting_resident' then today - 1 end,
				       case when status = 'waiting_origin' or (status = 'done' and h2 % 5 = 0) then '原籍地派出所' end,
				       case when status = 'waiting_origin' or (status = 'done' and h2 % 5 = 0)
				            then '请出具户口迁移证明' end,
				       case when status in ('done', 'rejected') then '已办结（压测数据）' end,
				       closed_at,
				       -- escalated as the sweep would have: overdue, or urgent and not accepted in 24 hours
				       case when overdue
				            then least(((due_on + 1)::timestamp at time zone 'Asia/Shanghai') + interval '10 minutes', now())
				            when status = 'submitted' and urgent and submitted_at + interval '24 hours' < now()
				            then submitted_at + interval '24 hours 10 minutes' end,
				       case when status = 'done' and h2 < 800 then 3 + h2 % 3 end,
				       case when status = 'done' and h2 < 800 and h2 % 7 = 0 then '办得很快，谢谢。' end,
				       case when status = 'done' and h2 < 800 then least(closed_at + interval '1 day', now()) end,
				       coalesce(closed_at, submitted_at)
				from closed
				order by g
				returning 1
			)
			select count(*)::int as n from inserted`;
		added += row.n;
		options.log?.(
			`  +${row.n.toLocaleString('en')} requests (${(existing + added).toLocaleString('en')} in the county, ${((performance.now() - started) / 1000).toFixed(1)} s)`
		);
		if (row.n === 0) throw new Error('no request made: does every point have households?');
	}
	// what autovacuum would have done by now; done here so it cannot start during a measured run
	if (added > 0 || pointsAdded > 0) {
		const t = performance.now();
		await sql`vacuum (analyze) service_request, service_request_tally, household, settlement`;
		options.log?.(`  vacuum analyze: ${((performance.now() - t) / 1000).toFixed(1)} s`);
	}
	return {
		added,
		points,
		pointsAdded,
		total: existing + added,
		ms: Math.round(performance.now() - started)
	};
}

// ---------------------------------------------------------------------------------------------
// The query timings, run as a script in a process of its own (the app's modules, its own pool)

export interface Timing {
	/** median and slowest of the measured runs, in ms */
	median: number;
	max: number;
}

export interface UserTimings {
	username: string;
	/** listRequests, first page, no filter */
	list: Timing;
	/** listRequests, the overdue filter */
	listOverdue: Timing;
	/** countRequests, whole (tallies + overdue count) */
	count: Timing;
	/** its two queries on their own, as sent */
	tally: Timing;
	overdueCount: Timing;
	overdue: number;
	open: number;
	/** EXPLAIN ANALYZE: the plan's first line and its execution time, per query */
	plans: Record<'list' | 'listOverdue' | 'tally' | 'overdueCount', string>;
}

async function timings(databaseUrl: string, plansFile: string, usernames: string[]) {
	const { default: postgres } = await import('postgres');
	const { drizzle } = await import('drizzle-orm/postgres-js');
	const { eq } = await import('drizzle-orm');
	const { schema, useConnection } = await import('../../src/lib/server/db');
	const { loadGrants } = await import('../../src/lib/server/access');
	const services = await import('../../src/lib/server/services');

	// every query the app sends is seen here, so the same SQL can be timed and explained
	let seen: { query: string; params: unknown[] }[] = [];
	const client = postgres(databaseUrl, {
		max: 1,
		onnotice: () => {},
		connection: { application_name: 'anju-bench-services', TimeZone: 'UTC' },
		debug: (_connection, query, params) => seen.push({ query, params })
	});
	const db = drizzle(client, { schema }) as unknown as Database;
	useConnection({
		db,
		engine: 'postgres',
		url: databaseUrl,
		close: () => client.end({ timeout: 5 })
	});

	const runs = 15;
	const time = async (fn: () => Promise<unknown>): Promise<Timing> => {
		for (let i = 0; i < 3; i++) await fn();
		const ms: number[] = [];
		for (let i = 0; i < runs; i++) {
			const t = performance.now();
			await fn();
			ms.push(performance.now() - t);
		}
		ms.sort((a, b) => a - b);
		const round = (x: number) => Math.round(x * 100) / 100;
		return { median: round(ms[Math.floor(runs / 2)]), max: round(ms[runs - 1]) };
	};
	/** The queries `fn` sends (all of them, in order). */
	const capture = async (fn: () => Promise<unknown>) => {
		seen = [];
		await fn();
		const out = seen;
		seen = [];
		return out;
	};
	const planText: string[] = [];
	const explain = async (label: string, q: { query: string; params: unknown[] }) => {
		const rows = await client.unsafe<{ 'QUERY PLAN': string }[]>(
			`explain (analyze, buffers) ${q.query}`,
			q.params as never[]
		);
		const lines = rows.map((r) => r['QUERY PLAN']);
		planText.push(`## ${label}\n${q.query}\n${JSON.stringify(q.params)}\n${lines.join('\n')}\n`);
		const exec = lines.find((l) => l.startsWith('Execution Time'))?.replace('Execution Time: ', '');
		return `${lines[0].trim().replace(/\s+\(cost=[^)]*\)/, '')} — ${exec}`;
	};

	const out: UserTimings[] = [];
	for (const username of usernames) {
		const [u] = await db.select().from(schema.user).where(eq(schema.user.username, username));
		if (!u) throw new Error(`no user ${username}`);
		const actor = {
			id: u.id,
			username: u.username,
			displayName: u.displayName,
			householdId: u.householdId,
			grants: await loadGrants(u.id)
		};
		const list = () => services.listRequests(actor, {});
		const listOverdue = () => services.listRequests(actor, { due: 'overdue' });
		const count = () => services.countRequests(actor);
		const [listQ] = (await capture(list)).slice(-1);
		const [listOverdueQ] = (await capture(listOverdue)).slice(-1);
		const countQs = await capture(count);
		// countRequests for staff: the tallies, then the overdue count
		const [tallyQ, overdueQ] = countQs.slice(-2);
		const counts = await count();
		const raw = (q: { query: string; params: unknown[] }) => () =>
			client.unsafe(q.query, q.params as never[]);
		out.push({
			username,
			list: await time(list),
			listOverdue: await time(listOverdue),
			count: await time(count),
			tally: await time(raw(tallyQ)),
			overdueCount: await time(raw(overdueQ)),
			overdue: counts.overdue,
			open: counts.open,
			plans: {
				list: await explain(`${username}: listRequests`, listQ),
				listOverdue: await explain(`${username}: listRequests overdue`, listOverdueQ),
				tally: await explain(`${username}: countRequests tallies`, tallyQ),
				overdueCount: await explain(`${username}: countRequests overdue count`, overdueQ)
			}
		});
	}
	writeFileSync(plansFile, planText.join('\n'));
	await client.end({ timeout: 5 });
	console.info(JSON.stringify({ users: out }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const [mode, databaseUrl, plansFile, ...usernames] = process.argv.slice(2);
	if (mode !== 'timings' || !databaseUrl || !plansFile || usernames.length === 0) {
		console.error(
			'usage: tsx scripts/bench/services.ts timings <databaseUrl> <plansFile> <username>...'
		);
		process.exit(2);
	}
	await timings(databaseUrl, plansFile, usernames);
}
