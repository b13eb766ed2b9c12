// The dashboard steps of npm run bench: the demo county grown to 50 points and 50,000 households
// (~3 members each), and the demo province to 1,000 points and 1,000,000 households, with what the
// dashboards read besides the register: activity tallies, service requests, care targets and
// visits, risk flags, needs and points. Rows are made in PostgreSQL like the other steps
// (volume.ts, services.ts): `insert … select … from generate_series`, a batch of points a
// statement, deterministic, repeatable (a second call adds only what is missing).
//
// As a script it times, through the app's own code, the cold recount of every point's register
// figures (refreshStats after marking them all dirty) and the warm figures of a region, and prints
// one JSON line:
//
//   tsx scripts/bench/dashboard.ts timings <databaseUrl> <username> [<regionId>]
import { pathToFileURL } from 'node:url';
import type { Sql } from 'postgres';
import type { Database } from '../../src/lib/server/db';
import { checkDigitSql, employedSql, givenChars, laborerSql, surnames } from './sql';

export interface GrowDashboardResult {
	/** points in the region after the call, and how many this call made */
	points: number;
	pointsAdded: number;
	/** active households and members in the region after the call; households added */
	households: number;
	residents: number;
	householdsAdded: number;
	ms: number;
}

/** Bulk rows are marked so, for anyone looking at the bench database. */
const bulkNote = '压测数据';

/**
 * Makes a region hold `points` settlement points: new ones go under `counties` (a county each, in
 * turn), named 看板安置点 NNNN.
 */
async function ensurePoints(
	sql: Sql,
	regionPath: string,
	points: number,
	counties: { id: string; path: string; name: string }[]
): Promise<number> {
	const [{ n }] = await sql<{ n: number }[]>`
		select count(*)::int as n from settlement where region_path like ${regionPath + '%'}`;
	if (n >= points) return 0;
	const [{ made }] = await sql<{ made: number }[]>`
		select count(*)::int as made from settlement where name like '看板安置点 %'`;
	const rows = Array.from({ length: points - n }, (_, i) => {
		const c = counties[i % counties.length];
		const name = `看板安置点 ${String(made + i + 1).padStart(4, '0')}`;
		return {
			name,
			kind: 'town',
			region_id: c.id,
			region_path: c.path,
			committee_kind: 'town_committee',
			committee_name: `${name}居委会`,
			address: `${c.name}（${bulkNote}）`,
			opened_on: '2019-06-01',
			capacity: 5000
		};
	});
	for (let i = 0; i < rows.length; i += 500)
		await sql`insert into settlement ${sql(rows.slice(i, i + 500))}`;
	return rows.length;
}

/**
 * Grows a region (the demo county, or the province) to `points` points and about `households`
 * active households of ~3 members, spread evenly, with a year of the other capabilities' rows.
 * `newCounties` says where new points go: the region's own county, or bench counties made under a
 * bench city of the region (a province).
 */
export async function growDashboard(
	sql: Sql,
	options: {
		regionPath: string;
		points: number;
		households: number;
		/** when the region is a province: new points go to this many bench counties */
		newCounties?: number;
		/** points a statement */
		batch?: number;
		log?: (line: string) => void;
	}
): Promise<GrowDashboardResult> {
	const started = performance.now();
	const log = options.log ?? (() => {});
	const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

	// where new points go
	let counties: { id: string; path: string; name: string }[];
	if (options.newCounties) {
		counties = await benchCounties(sql, options.regionPath, options.newCounties);
	} else {
		counties = await sql<{ id: string; path: string; name: string }[]>`
			select id, path, name from region where path = ${options.regionPath}`;
		if (counties.length === 0)
			throw new Error(`no region ${options.regionPath}: is the demo seeded?`);
	}
	const pointsAdded = await ensurePoints(sql, options.regionPath, options.points, counties);
	if (pointsAdded) log(`  +${pointsAdded} points (${elapsed()})`);
	await sql`analyze settlement, household`;

	const places = await sql<{ id: string; households: number }[]>`
		select s.id, (select count(*)::int from household h where h.settlement_id = s.id and h.status = 'active') as households
		from settlement s where s.region_path like ${options.regionPath + '%'} order by s.created_at, s.id`;
	const perPoint = Math.ceil(options.households / places.length);
	const needs = places.map((p) => Math.max(0, perPoint - p.households));
	const [cat] = await sql<{ id: string }[]>`
		select id from service_category where active order by sort_order, id limit 1`;
	const [filer] = await sql<{ id: string }[]>`select id from "user" where username = 'admin'`;
	if (!cat || !filer) throw new Error('no service catalogue or no admin: is the demo seeded?');

	const employed = sql.unsafe(employedSql);
	const laborer = sql.unsafe(laborerSql);
	const checkDigit = sql.unsafe(checkDigitSql);
	const batch = options.batch ?? Math.max(1, Math.floor(60_000 / Math.max(perPoint, 1)));
	let householdsAdded = 0;
	for (let i = 0; i < places.length; i += batch) {
		const ids = places.slice(i, i + batch).map((p) => p.id);
		const want = needs.slice(i, i + batch);
		if (want.every((w) => w === 0)) continue;
		// one statement: households, members, the zero-employment flag, and a year of each
		// capability's rows for the new households (statement triggers count each once)
		const [row] = await sql<{ households: number; residents: number }[]>`
			with pts as materialized (
				select t.id::uuid as id, t.want::int as want, s.region_path,
				       (select count(*)::int from household h where h.settlement_id = t.id::uuid and h.building like 'K%') as made
				from unnest(${ids}::text[], ${want}::int[]) as t(id, want)
				join settlement s on s.id = t.id::uuid
			),
			hh as materialized (
				select gen_random_uuid() as id, pts.id as settlement_id, pts.region_path, pts.made + g as g,
				       hashint4((pts.made + g) # hashtext(pts.id::text)) & 2147483647 as hh1,
				       -- 1–5 members, 3 on average
				       1 + (hashint4((pts.made + g) # hashtext(pts.id::text || ':size')) & 2147483647) % 5 as size
				from pts cross join lateral generate_series(1, pts.want) g
			),
			m as materialized (
				select hh.id as household_id, hh.g, hh.hh1, k,
				       (hashint4(hh.hh1 # (k * 7919)) & 2147483647) as h,
				       -- the head 25–64, the others 0–89
				       case when k = 1 then 25 + (hashint4(hh.hh1 # k) & 2147483647) % 40
				            else (hashint4(hh.hh1 # (k * 31)) & 2147483647) % 90 end as age
				from hh cross join lateral generate_series(1, hh.size) k
			),
			r as materialized (
				select m.*,
				       (current_date - (m.age * 365 + 30 + m.h % 300) * interval '1 day')::date as birth_date,
				       case when m.h % 2 = 0 or m.k = 1 then 'male' else 'female' end as gender,
				       case when m.age < 16 or m.age >= 70 then '无劳动能力'
				            when m.age >= 60 or m.h % 10 = 0 then '弱劳动力'
				            when m.h % 10 < 8 then '普通劳动力' else '技能劳动力' end as labor_ability,
				       case when m.age < 19 then '在校学生'
				            when m.age >= 60 then '退休或无需就业'
				            when m.h % 100 < 62 then '务工' when m.h % 100 < 72 then '灵活就业'
				            when m.h % 100 < 76 then '公益性岗位' when m.h % 100 < 79 then '自主创业'
				            else '未就业' end as employment
				from m
			),
			ids as (
				select r.*, '360731' || to_char(r.birth_date, 'YYYYMMDD')
				       || lpad(((r.g * 5 + r.k) % 500 * 2 + case when r.gender = 'male' then 1 else 0 end)::text, 3, '0') as first17
				from r
			),
			agg as (
				select r.household_id, not bool_or(${employed}) and bool_or(${laborer}) as zero_employment
				from r group by r.household_id
			),
			inserted_households as (
				insert into household (id, settlement_id, building, unit_no, room, head_name, origin_village, moved_in_on, zero_employment)
				select hh.id, hh.settlement_id, 'K' || (hh.g / 100 + 1) || '栋', ((hh.g / 50) % 2 + 1) || '单元',
				       ((hh.g % 50) / 2 + 1)::text || lpad((hh.g % 2 + 1)::text, 2, '0'),
				       substr(${surnames}, 1 + hh.hh1 % ${surnames.length}, 1) || substr(${givenChars}, 1 + hh.hh1 % 31, 1) || substr(${givenChars}, 1 + hh.hh1 % 29, 1),
				       '原籍村', date '2019-06-01' + hh.g % 1500, agg.zero_employment
				from hh join agg on agg.household_id = hh.id
				returning 1
			),
			inserted_residents as (
				insert into resident (household_id, name, relation, is_head, id_number, gender, birth_date, labor_ability, employment)
				select household_id,
				       substr(${surnames}, 1 + hh1 % ${surnames.length}, 1) || substr(${givenChars}, 1 + h % ${givenChars.length}, 1) || substr(${givenChars}, 1 + (h / 7) % ${givenChars.length}, 1),
				       case when k = 1 then '户主' when k = 2 then '配偶' when gender = 'male' then '子' else '女' end,
				       k = 1, first17 || ${checkDigit}, gender, birth_date, labor_ability, employment
				from ids
				returning 1
			),
			-- about one request per two households over the last year, most of them done and rated
			requests as (
				insert into service_request (category_id, household_id, settlement_id, region_path, description, status,
				                             filed_by, proxy, submitted_at, due_on, accepted_at, closed_at, rating, rated_at, outcome)
				select ${cat.id}::uuid, hh.id, hh.settlement_id, hh.region_path, ${bulkNote}, q.status,
				       ${filer.id}::uuid, true, q.submitted_at, (q.submitted_at + interval '20 days')::date,
				       case when q.status <> 'submitted' then q.submitted_at + interval '2 hours' end,
				       case when q.status in ('done', 'rejected') then q.submitted_at + (1 + hh.hh1 % 19) * interval '1 day' end,
				       case when q.status = 'done' and hh.hh1 % 10 < 7 then 3 + hh.hh1 % 3 end,
				       case when q.status = 'done' and hh.hh1 % 10 < 7 then q.submitted_at + (2 + hh.hh1 % 19) * interval '1 day' end,
				       case when q.status in ('done', 'rejected') then '已办结（压测数据）' end
				from hh cross join lateral (
					select now() - (hh.hh1 % 365) * interval '1 day' - interval '1 hour' as submitted_at,
					       case when hh.hh1 % 365 < 20 and hh.hh1 % 3 = 0 then 'in_progress'
					            when hh.hh1 % 365 < 5 then 'submitted'
					            when (hh.hh1 / 2) % 20 = 1 then 'rejected' else 'done' end as status
				) q
				where hh.hh1 % 2 = 0
				returning 1
			),
			-- 0.5% of households flagged in the last 90 days
			flags as (
				insert into risk_flag (settlement_id, region_path, household_id, category, description, source,
				                       found_at, reported_at, status, verify_due_at)
				select hh.settlement_id, hh.region_path, hh.id,
				       (array['serious_illness', 'unemployment', 'accident', 'income_drop', 'expense_surge'])[1 + (hh.hh1 / 200) % 5],
				       ${bulkNote}, 'discovery', f.at, f.at,
				       (array['reported', 'verified', 'assisted', 'closed'])[1 + (hh.hh1 / 7) % 4], f.at + interval '72 hours'
				from hh cross join lateral (select now() - (hh.hh1 % 90) * interval '1 day' as at) f
				where hh.hh1 % 200 = 3
				returning 1
			),
			-- 0.2% of households with a money need
			needs as (
				insert into need (household_id, settlement_id, region_path, category, kind, quantity, title, status, pledged, raised_by, verified_at, verified_by)
				select hh.id, hh.settlement_id, hh.region_path, 'medical', 'money', 500000, ${bulkNote},
				       (array['published', 'funded', 'delivered', 'pending'])[1 + (hh.hh1 / 500) % 4],
				       case when (hh.hh1 / 500) % 4 in (1, 2) then 500000 else 0 end,
				       ${filer.id}::uuid, now(), ${filer.id}::uuid
				from hh where hh.hh1 % 500 = 7
				returning 1
			),
			-- 30% of households earned points: 10 this month and 5 three months ago
			accounts as (
				insert into points_account (household_id, settlement_id, balance, earned)
				select hh.id, hh.settlement_id, 15, 15 from hh where hh.hh1 % 10 < 3
				returning household_id
			),
			entries as (
				insert into points_entry (settlement_id, region_path, household_id, delta, source, reason, created_at, created_by_name)
				select hh.id_settlement, hh.region_path, hh.id, e.delta, 'award', ${bulkNote}, e.at, '压测'
				from (select id, settlement_id as id_settlement, region_path, hh1 from hh where hh1 % 10 < 3) hh
				cross join lateral (values
					(10, date_trunc('month', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai' + (hh.hh1 % 20) * interval '1 hour'),
					(5, now() - interval '90 days')
				) as e(delta, at)
				returning 1
			)
			select (select count(*)::int from inserted_households) as households,
			       (select count(*)::int from inserted_residents) as residents,
			       (select count(*) from requests) + (select count(*) from flags) + (select count(*) from needs)
			       + (select count(*) from accounts) + (select count(*) from entries) as others`;
		householdsAdded += row.households;
		log(
			`  +${row.households.toLocaleString('en')} households, +${row.residents.toLocaleString('en')} members (points ${i + 1}–${Math.min(i + batch, places.length)} of ${places.length}, ${elapsed()})`
		);
	}

	// a year of activities for every point (3 kinds a month), and care visits of the elderly
	await sql`
		insert into activity_tally (settlement_id, region_path, month, kind, activities, participants)
		select s.id, s.region_path, to_char((now() at time zone 'Asia/Shanghai') - mo * interval '1 month', 'YYYY-MM'), k,
		       1 + (hashint4(hashtext(s.id::text) # mo) & 2147483647) % 4,
		       20 + (hashint4(hashtext(s.id::text) # (mo * 3 + 100)) & 2147483647) % 80
		from settlement s
		cross join generate_series(0, 11) mo
		cross join unnest(array['culture_sports', 'volunteer', 'skills_training']) k
		where s.region_path like ${options.regionPath + '%'}
		on conflict do nothing`;
	const region = options.regionPath + '%';
	const targets = await sql`
		insert into care_target (settlement_id, region_path, resident_id, household_id, "group", interval_days, since, last_visited_on, next_due_on)
		select h.settlement_id, s.region_path, r.id, h.id, 'living_alone_elderly', 30, date '2024-01-01',
		       current_date - (hashint4(hashtext(r.id::text)) & 2147483647) % 40,
		       current_date - (hashint4(hashtext(r.id::text)) & 2147483647) % 40 + 30
		from resident r
		join household h on h.id = r.household_id and h.building like 'K%'
		join settlement s on s.id = h.settlement_id and s.region_path like ${region}
		where r.birth_date < current_date - interval '85 years'
		  and not exists (select 1 from care_target c where c.resident_id = r.id)`;
	// a visit in each of the last three months of each new target, most on time
	await sql`
		insert into care_visit (target_id, settlement_id, region_path, resident_id, household_id, visited_on, visitor_id,
		                        visitor_name, mode, wellbeing, findings, on_time)
		select c.id, c.settlement_id, c.region_path, c.resident_id, c.household_id, c.last_visited_on - mo * 30,
		       ${filer.id}::uuid, '社工', 'home', 'well', ${bulkNote}, (hashint4(hashtext(c.id::text) # mo) & 7) <> 0
		from care_target c cross join generate_series(0, 2) mo
		where c.region_path like ${region} and c.last_visited_on is not null
		  and not exists (select 1 from care_visit v where v.target_id = c.id)`;
	log(
		`  activities, ${targets.count.toLocaleString('en')} care targets and their visits (${elapsed()})`
	);

	// what autovacuum would have done by now; done here so it cannot start during a measured run
	await sql`vacuum (analyze) household, resident, settlement, settlement_stat, service_request, service_request_tally,
		risk_flag, need, points_entry, points_account, activity_tally, care_target, care_visit`;
	const [v] = await sql<{ points: number; households: number; residents: number }[]>`
		select (select count(*)::int from settlement where region_path like ${options.regionPath + '%'}) as points,
		       (select count(*)::int from household h join settlement s on s.id = h.settlement_id
		        where s.region_path like ${options.regionPath + '%'} and h.status = 'active') as households,
		       (select count(*)::int from resident r join household h on h.id = r.household_id
		        join settlement s on s.id = h.settlement_id
		        where s.region_path like ${options.regionPath + '%'} and h.status = 'active' and r.status = 'active') as residents`;
	log(`  vacuum analyze done (${elapsed()})`);
	return { ...v, pointsAdded, householdsAdded, ms: Math.round(performance.now() - started) };
}

/** `n` bench counties under a bench city of the province (made once). */
async function benchCounties(sql: Sql, provincePath: string, n: number) {
	const [province] = await sql<{ id: string; code: string }[]>`
		select id, code from region where path = ${provincePath}`;
	if (!province) throw new Error(`no province ${provincePath}`);
	const cityCode = province.code.slice(0, 2) + '9900000000';
	await sql`
		insert into region (code, name, level, parent_id, path)
		values (${cityCode}, '看板压测市', 'city', ${province.id}, ${provincePath + cityCode + '/'})
		on conflict (code) do nothing`;
	const [city] = await sql<{ id: string; path: string }[]>`
		select id, path from region where code = ${cityCode}`;
	const rows = Array.from({ length: n }, (_, i) => {
		const code = cityCode.slice(0, 4) + String(i + 1).padStart(2, '0') + '000000';
		return {
			code,
			name: `看板压测县 ${String(i + 1).padStart(2, '0')}`,
			level: 'county',
			parent_id: city.id,
			path: city.path + code + '/'
		};
	});
	await sql`insert into region ${sql(rows)} on conflict (code) do nothing`;
	return sql<{ id: string; path: string; name: string }[]>`
		select id, path, name from region where parent_id = ${city.id} and level = 'county' order by code`;
}

// ---------------------------------------------------------------------------------------------
// The timings, run as a script in a process of its own (the app's modules, its own pool)

export interface DashboardTimings {
	username: string;
	scope: string;
	points: number;
	/** every point marked dirty, then refreshStats(null) until nothing is stale */
	coldRecountMs: number;
	coldRecountPoints: number;
	/** the region's own points only, marked dirty, then its dashboard's figures read */
	coldRegionFiguresMs: number;
	/** figuresOf + breakdownOf (the page's two reads) with every point counted: median and slowest of 15 */
	warmFigures: { median: number; max: number };
	warmRows: { median: number; max: number };
}

async function timings(databaseUrl: string, username: string, regionId?: string) {
	const { default: postgres } = await import('postgres');
	const { drizzle } = await import('drizzle-orm/postgres-js');
	const { eq, sql } = await import('drizzle-orm');
	const { schema, useConnection } = await import('../../src/lib/server/db');
	const { loadGrants } = await import('../../src/lib/server/access');
	const figures = await import('../../src/lib/server/oversight/figures');
	const { shanghaiDay } = await import('../../src/lib/working-days');

	const client = postgres(databaseUrl, {
		max: 4,
		onnotice: () => {},
		connection: { application_name: 'anju-bench-dashboard', TimeZone: 'UTC' }
	});
	const db = drizzle(client, { schema }) as unknown as Database;
	useConnection({
		db,
		engine: 'postgres',
		url: databaseUrl,
		close: () => client.end({ timeout: 5 })
	});

	const [u] = await db.select().from(schema.user).where(eq(schema.user.username, username));
	if (!u) throw new Error(`no user ${username}`);
	const actor = {
		id: u.id,
		username: u.username,
		displayName: u.displayName,
		householdId: u.householdId,
		grants: await loadGrants(u.id)
	};
	const scope = await figures.regionScope(actor, regionId);
	const month = figures.monthOf(shanghaiDay());
	const s = schema.settlementStat;
	const inScope = sql`${s.regionPath} like ${scope.regionPath === '/' ? '%' : scope.regionPath + '%'}`;
	const [{ points }] = await db
		.select({ points: sql<number>`count(*)::int` })
		.from(s)
		.where(inScope);

	// cold: every point of the database to count again, as on the first read of a day
	await db.update(s).set({ dirty: true });
	let t = performance.now();
	let coldRecountPoints = 0;
	for (;;) {
		const n = await figures.refreshStats(null);
		if (n === 0) break;
		coldRecountPoints += n;
	}
	const coldRecountMs = Math.round(performance.now() - t);

	// cold for the region's own dashboard: its points dirty, the page's two reads
	await db.update(s).set({ dirty: true }).where(inScope);
	t = performance.now();
	await figures.figuresOf(scope, month);
	await figures.breakdownOf(actor, scope, month);
	const coldRegionFiguresMs = Math.round(performance.now() - t);

	const time = async (fn: () => Promise<unknown>) => {
		for (let i = 0; i < 3; i++) await fn();
		const ms: number[] = [];
		for (let i = 0; i < 15; i++) {
			const t0 = performance.now();
			await fn();
			ms.push(performance.now() - t0);
		}
		ms.sort((a, b) => a - b);
		const round = (x: number) => Math.round(x * 10) / 10;
		return { median: round(ms[7]), max: round(ms[14]) };
	};
	const out: DashboardTimings = {
		username,
		scope: scope.name,
		points,
		coldRecountMs,
		coldRecountPoints,
		coldRegionFiguresMs,
		warmFigures: await time(() => figures.figuresOf(scope, month)),
		warmRows: await time(() => figures.breakdownOf(actor, scope, month))
	};
	await client.end({ timeout: 5 });
	console.info(JSON.stringify(out));
}

/** The report lines of a timings run. */
export function dashboardLines(r: DashboardTimings): string[] {
	const ms = (x: { median: number; max: number }) => `${x.median} ms (max ${x.max})`;
	return [
		`cold recount of every point's register figures (refreshStats, all ${r.coldRecountPoints.toLocaleString('en')} points dirty): ${(r.coldRecountMs / 1000).toFixed(1)} s`,
		`${r.username}, ${r.scope} (${r.points.toLocaleString('en')} points): first read with its points dirty (figuresOf + breakdownOf) ${(r.coldRegionFiguresMs / 1000).toFixed(1)} s; warm figuresOf ${ms(r.warmFigures)}, breakdownOf ${ms(r.warmRows)} (app code, median of 15)`
	];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const [mode, databaseUrl, username, regionId] = process.argv.slice(2);
	if (mode !== 'timings' || !databaseUrl || !username) {
		console.error(
			'usage: tsx scripts/bench/dashboard.ts timings <databaseUrl> <username> [<regionId>]'
		);
		process.exit(2);
	}
	await timings(databaseUrl, username, regionId);
}
