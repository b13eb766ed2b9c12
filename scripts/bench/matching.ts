// The matching step of npm run bench: a county of its own (匹配压测县, region codes 99…, so
// nothing of the demo county changes) with 10,000 live offers of 200 verified organisations and
// 100,000 published needs of 20,000 households, made in PostgreSQL with generate_series like the
// volume steps (volume.ts); deterministic (hashint4 of the row number, never random()).
//
// As a script it times the matching through the app's own code on one connection and prints
// one JSON line: ranking one need against the 10,000 offers (staff view, median of 15 runs),
// the needs ranked for one organisation, and the bulk allocation of the 100,000 needs over the
// 10,000 offers (seconds, lines, peak memory of the process):
//
//   tsx scripts/bench/matching.ts run <databaseUrl>       build the data if missing, then time
//   tsx scripts/bench/matching.ts timings <databaseUrl>   time only (the data must be there)
//
// To wire it into scripts/bench.ts: a Step whose prepare calls `growMatching(ctx.sql)` and then
// runs `npx tsx scripts/bench/matching.ts timings <ctx.databaseUrl>` in a child process (as the
// services step does), reading the last JSON line as `MatchingTimings` and printing
// `matchingLines(timings)`.
import { pathToFileURL } from 'node:url';
import type { Sql } from 'postgres';
import type { Database } from '../../src/lib/server/db';

export const matchingCounty = {
	provinceCode: '990000000000',
	cityCode: '990100000000',
	countyCode: '990101000000',
	townships: 20,
	settlements: 50,
	households: 20_000,
	organizations: 200,
	offers: 10_000,
	needs: 100_000,
	/** delivered pledges this year, so "help received" has something to sum */
	delivered: 10_000
};

const path = (...codes: string[]) => '/' + codes.join('/') + '/';
const countyPath = path(
	matchingCounty.provinceCode,
	matchingCounty.cityCode,
	matchingCounty.countyCode
);
const categories = `array['medical','schooling','elder_care','disability_aid','housing_repair','living_costs','employment']`;
const civilName = 'bench-matching-civil';
const orgMemberName = 'bench-matching-org';

export interface GrowMatchingResult {
	/** false when the data was there already */
	built: boolean;
	offers: number;
	needs: number;
	ms: number;
}

/** Builds the bench county with its offers and needs unless it is there; returns the counts. */
export async function growMatching(
	sql: Sql,
	log: (line: string) => void = () => {}
): Promise<GrowMatchingResult> {
	const started = performance.now();
	const c = matchingCounty;
	const [existing] = await sql<
		{ id: string }[]
	>`select id from region where code = ${c.countyCode}`;
	if (!existing) {
		await sql.begin(async (tx) => {
			const [province] = await tx<{ id: string }[]>`
				insert into region (code, name, level, path)
				values (${c.provinceCode}, '匹配压测省', 'province', ${path(c.provinceCode)}) returning id`;
			const [city] = await tx<{ id: string }[]>`
				insert into region (code, name, level, parent_id, path)
				values (${c.cityCode}, '匹配压测市', 'city', ${province.id}, ${path(c.provinceCode, c.cityCode)})
				returning id`;
			const [county] = await tx<{ id: string }[]>`
				insert into region (code, name, level, parent_id, path)
				values (${c.countyCode}, '匹配压测县', 'county', ${city.id}, ${countyPath}) returning id`;
			await tx`
				insert into region (code, name, level, parent_id, path)
				select '990101' || lpad(g::text, 3, '0') || '000', '压测' || g || '镇', 'township', ${county.id},
					${countyPath} || '990101' || lpad(g::text, 3, '0') || '000/'
				from generate_series(1, ${c.townships}) g`;
			await tx`
				insert into settlement (name, kind, region_id, region_path, committee_kind, committee_name, address)
				select '匹配压测安置点 ' || lpad(g::text, 2, '0'), 'town', t.id, t.path, 'town_committee',
					'匹配压测安置点 ' || lpad(g::text, 2, '0') || '居委会', '压测数据'
				from generate_series(1, ${c.settlements}) g
				join region t on t.code = '990101' || lpad((1 + (g - 1) % ${c.townships})::text, 3, '0') || '000'`;
			await tx`
				insert into household (settlement_id, building, unit_no, room, head_name, moved_in_on)
				select s.id, 'M' || (g / 100 + 1) || '栋', '', g::text, '压测户' || g, date '2019-06-01'
				from generate_series(0, ${c.households - 1}) g
				join (select id, row_number() over (order by name) - 1 as k from settlement
					where starts_with(region_path, ${countyPath})) s on s.k = g % ${c.settlements}`;
			await tx`
				insert into organization (name, kind, region_id, region_path, verified_at, description)
				select '压测慈善组织 ' || lpad(g::text, 3, '0'), 'charity', ${county.id}, ${countyPath}, now(), '压测数据'
				from generate_series(1, ${c.organizations}) g`;
			const [civil] = await tx<{ id: string }[]>`
				insert into "user" (username, display_name, password_hash)
				values (${civilName}, '压测民政', 'bench: no login') returning id`;
			await tx`
				insert into role_grant (user_id, role, scope_kind, region_id)
				values (${civil.id}, 'civil_affairs', 'region', ${county.id})`;
			const [member] = await tx<{ id: string }[]>`
				insert into "user" (username, display_name, password_hash)
				values (${orgMemberName}, '压测组织成员', 'bench: no login') returning id`;
			await tx`
				insert into role_grant (user_id, role, scope_kind, organization_id)
				select ${member.id}, 'org_member', 'organization', id from organization
				where name = '压测慈善组织 001'`;
			log('matching: regions, points, households, organisations made');
			// offers: 70% money, 20% goods (three units), 10% hours; 1–3 categories; the county or a township
			await tx`
				with g as (
					select g, (hashint4(g) & 2147483647) as h1, (hashint4(g + 100003) & 2147483647) as h2,
						(hashint4(g + 200003) & 2147483647) as h3
					from generate_series(1, ${c.offers}) g
				), o as (select id, row_number() over (order by name) - 1 as k from organization
					where starts_with(region_path, ${countyPath}))
				insert into offer (organization_id, kind, categories, region_paths, capacity, unit, title,
					description, valid_from, valid_to, created_by)
				select o.id, kind,
					array(select distinct x from unnest(array[
						(${sql.unsafe(categories)})[1 + h1 % 7],
						case when h2 % 3 > 0 then (${sql.unsafe(categories)})[1 + h2 % 7] end,
						case when h3 % 3 = 0 then (${sql.unsafe(categories)})[1 + h3 % 7] end
					]) x where x is not null),
					case when h2 % 2 = 0 then array[${countyPath}::text]
						else array[${countyPath} || '990101' || lpad((1 + h3 % ${c.townships})::text, 3, '0') || '000/'] end,
					case kind when 'money' then (1000 + h3 % 49000) * 100::bigint
						when 'goods' then 10 + h3 % 490 else 20 + h3 % 380 end,
					case when kind = 'goods' then (array['件','袋','箱'])[1 + h2 % 3] else '' end,
					'压测资源 ' || g, '压测数据', date '2025-01-01', current_date + (h1 % 365)::int,
					${member.id}
				from (select g.*, case when h1 % 10 < 7 then 'money' when h1 % 10 < 9 then 'goods'
					else 'service_hours' end as kind from g) g
				join o on o.k = g.g % ${c.organizations}`;
			log('matching: 10,000 offers made');
			// needs: the same kinds; one in five partly pledged; waiting up to 180 days
			await tx`
				with g as (
					select g, (hashint4(g + 7) & 2147483647) as h1, (hashint4(g + 300007) & 2147483647) as h2,
						(hashint4(g + 400009) & 2147483647) as h3
					from generate_series(1, ${c.needs}) g
				), h as (
					select hh.id, hh.settlement_id, s.region_path, row_number() over (order by hh.id) - 1 as k
					from household hh join settlement s on s.id = hh.settlement_id
					where starts_with(s.region_path, ${countyPath})
				)
				insert into need (household_id, settlement_id, region_path, category, kind, quantity, pledged,
					unit, title, status, urgency, raised_by, verified_by, verified_at, created_at, updated_at)
				select h.id, h.settlement_id, h.region_path, (${sql.unsafe(categories)})[1 + h1 % 7], kind, quantity,
					case when h2 % 5 = 0 then quantity / 3 else 0 end,
					case when kind = 'goods' then (array['件','袋','箱'])[1 + h3 % 3] else '' end,
					'压测需求 ' || g, 'published', 1 + (h2 / 7) % 3, ${civil.id}, ${civil.id},
					now() - make_interval(days => h3 % 180, hours => 1 + h1 % 20),
					now() - make_interval(days => h3 % 180 + 1), now()
				from (select g.*, case when h1 % 10 < 7 then 'money' when h1 % 10 < 9 then 'goods'
					else 'service_hours' end as kind,
					case when h1 % 10 < 7 then (500 + h2 % 19500) * 100::bigint
						when h1 % 10 < 9 then 1 + h2 % 50 else 2 + h2 % 39 end as quantity from g) g
				join h on h.k = g.g % ${c.households}`;
			log('matching: 100,000 needs made');
			// help already delivered this year: needs closed in full, with their pledges
			await tx`
				with made as (
					insert into need (household_id, settlement_id, region_path, category, kind, quantity, pledged,
						delivered, title, status, urgency, raised_by, verified_at)
					select hh.id, hh.settlement_id, s.region_path, 'living_costs', 'money',
						(100 + g % 3000) * 100, (100 + g % 3000) * 100, (100 + g % 3000) * 100,
						'压测已送达需求 ' || g, 'delivered', 1, ${civil.id}, now() - interval '30 days'
					from generate_series(1, ${c.delivered}) g
					join (select hh.id, hh.settlement_id, row_number() over (order by hh.id) - 1 as k
						from household hh join settlement s on s.id = hh.settlement_id
						where starts_with(s.region_path, ${countyPath})) hh on hh.k = g % ${c.households}
					join settlement s on s.id = hh.settlement_id
					returning id, quantity
				)
				insert into pledge (need_id, organization_id, quantity, status, idempotency_key, created_by,
					created_at, delivered_at)
				select made.id, (select id from organization where name = '压测慈善组织 001'), made.quantity,
					'delivered', 'bench-' || made.id, ${member.id}, now() - interval '20 days',
					now() - interval '10 days'
				from made`;
			log('matching: delivered help made');
		});
		await sql`analyze region, settlement, household, organization, offer, need, pledge`;
	}
	const [counts] = await sql<{ offers: number; needs: number }[]>`
		select (select count(*)::int from offer o join organization org on org.id = o.organization_id
				where starts_with(org.region_path, ${countyPath})) as offers,
			(select count(*)::int from need where starts_with(region_path, ${countyPath})
				and status = 'published') as needs`;
	return { built: !existing, ...counts, ms: performance.now() - started };
}

export interface MatchingTimings {
	offers: number;
	needs: number;
	/** rankOffersForNeed, staff view, over every live offer: median and slowest of 15, ms */
	rankNeed: { median: number; max: number; candidates: number };
	/** rankNeedsForOrganization for an organisation with ~50 offers over the 100,000 needs */
	rankOrganization: { median: number; max: number; offers: number };
	allocation: {
		seconds: number;
		lines: number;
		needsConsidered: number;
		needsGiven: number;
		needsCovered: number;
		offersUsed: number;
		/** resident set before, its peak while allocating, and the heap's peak rise (MB) */
		rssBeforeMb: number;
		rssPeakMb: number;
		heapPeakRiseMb: number;
		/** process.resourceUsage().maxRSS at the end (MB): the whole process's peak */
		maxRssMb: number;
	};
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1024 / 1024);

async function timings(databaseUrl: string): Promise<MatchingTimings> {
	const { default: postgres } = await import('postgres');
	const { drizzle } = await import('drizzle-orm/postgres-js');
	const { eq } = await import('drizzle-orm');
	const { schema, useConnection } = await import('../../src/lib/server/db');
	const { loadGrants } = await import('../../src/lib/server/access');
	// the matching module itself: the capability's index pulls in modules that need SvelteKit's $app
	const charity = await import('../../src/lib/server/charity/matching');

	const client = postgres(databaseUrl, {
		max: 1,
		onnotice: () => {},
		connection: { application_name: 'anju-bench-matching', TimeZone: 'UTC' }
	});
	const db = drizzle(client, { schema }) as unknown as Database;
	useConnection({
		db,
		engine: 'postgres',
		url: databaseUrl,
		close: () => client.end({ timeout: 5 })
	});
	const actorOf = async (username: string) => {
		const [u] = await db.select().from(schema.user).where(eq(schema.user.username, username));
		if (!u) throw new Error(`no user ${username}: run with 'run' to build the data`);
		return {
			id: u.id,
			username: u.username,
			displayName: u.displayName,
			householdId: u.householdId,
			grants: await loadGrants(u.id)
		};
	};
	const civil = await actorOf(civilName);
	const member = await actorOf(orgMemberName);
	const time = async (fn: () => Promise<unknown>, runs = 15) => {
		for (let i = 0; i < 3; i++) await fn();
		const ms: number[] = [];
		for (let i = 0; i < runs; i++) {
			const t = performance.now();
			await fn();
			ms.push(performance.now() - t);
		}
		ms.sort((a, b) => a - b);
		return { median: round(ms[Math.floor(runs / 2)], 2), max: round(ms[runs - 1], 2) };
	};

	const [{ offers, needs }] = await client<{ offers: number; needs: number }[]>`
		select (select count(*)::int from offer o join organization org on org.id = o.organization_id
				where starts_with(org.region_path, ${countyPath})) as offers,
			(select count(*)::int from need where starts_with(region_path, ${countyPath})
				and status = 'published' and pledged < quantity) as needs`;
	// an urgent money need for medical care: the most common kind, so the most candidates
	const [need] = await client<{ id: string }[]>`
		select id from need where starts_with(region_path, ${countyPath}) and status = 'published'
			and kind = 'money' and category = 'medical' and urgency = 3 order by id limit 1`;
	const [{ candidates }] = await client<{ candidates: number }[]>`
		select count(*)::int as candidates from offer o join organization org on org.id = o.organization_id
		where starts_with(org.region_path, ${countyPath}) and o.kind = 'money' and o.closed_at is null
			and o.valid_to >= current_date and o.allocated < o.capacity`;
	const rankNeed = {
		...(await time(() => charity.rankOffersForNeed(civil, need.id))),
		candidates
	};
	const [{ orgOffers }] = await client<{ orgOffers: number }[]>`
		select count(*)::int as "orgOffers" from offer o join organization org on org.id = o.organization_id
		where org.name = '压测慈善组织 001'`;
	const rankOrganization = {
		...(await time(() => charity.rankNeedsForOrganization(member), 5)),
		offers: orgOffers
	};

	// the bulk allocation, once, sampling the process's memory as it runs
	global.gc?.();
	const rssBefore = process.memoryUsage().rss;
	const heapBefore = process.memoryUsage().heapUsed;
	let rssPeak = rssBefore;
	let heapPeak = heapBefore;
	const sample = () => {
		const m = process.memoryUsage();
		rssPeak = Math.max(rssPeak, m.rss);
		heapPeak = Math.max(heapPeak, m.heapUsed);
	};
	const timer = setInterval(sample, 20);
	const t = performance.now();
	const result = await charity.proposeAllocation(civil, {}, { limit: 500, onLine: sample });
	const seconds = (performance.now() - t) / 1000;
	clearInterval(timer);
	sample();
	if (!result.ok) throw new Error(result.reason);
	await client.end({ timeout: 5 });
	return {
		offers,
		needs,
		rankNeed,
		rankOrganization,
		allocation: {
			seconds: round(seconds, 2),
			lines: result.totals.lines,
			needsConsidered: result.totals.needsConsidered,
			needsGiven: result.totals.needs,
			needsCovered: result.totals.needsCovered,
			offersUsed: result.totals.offersUsed,
			rssBeforeMb: mb(rssBefore),
			rssPeakMb: mb(rssPeak),
			heapPeakRiseMb: mb(heapPeak - heapBefore),
			maxRssMb: round(process.resourceUsage().maxRSS / 1024)
		}
	};
}

/** The figures as report lines. */
export function matchingLines(t: MatchingTimings): string[] {
	const a = t.allocation;
	return [
		`ranking one need against ${t.offers.toLocaleString('en')} offers (${t.rankNeed.candidates.toLocaleString('en')} live of its kind): ${t.rankNeed.median} ms median (max ${t.rankNeed.max})`,
		`needs ranked for one organisation (${t.rankOrganization.offers} offers) over ${t.needs.toLocaleString('en')} open needs: ${t.rankOrganization.median} ms median (max ${t.rankOrganization.max})`,
		`bulk allocation of ${a.needsConsidered.toLocaleString('en')} open needs over ${t.offers.toLocaleString('en')} offers: ${a.seconds} s, ${a.lines.toLocaleString('en')} proposed pledges (${a.needsGiven.toLocaleString('en')} needs given, ${a.needsCovered.toLocaleString('en')} covered, ${a.offersUsed.toLocaleString('en')} offers used); memory: RSS ${a.rssBeforeMb} → peak ${a.rssPeakMb} MB, heap peak +${a.heapPeakRiseMb} MB, process max RSS ${a.maxRssMb} MB`
	];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const [mode, databaseUrl] = process.argv.slice(2);
	if ((mode !== 'run' && mode !== 'timings') || !databaseUrl) {
		console.error('usage: tsx scripts/bench/matching.ts run|timings <databaseUrl>');
		process.exit(2);
	}
	if (mode === 'run') {
		const { default: postgres } = await import('postgres');
		const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
		const grown = await growMatching(sql, (line) => console.info(line));
		console.info(
			`matching: ${grown.built ? 'built' : 'found'} ${grown.offers.toLocaleString('en')} offers, ${grown.needs.toLocaleString('en')} needs in ${round(grown.ms / 1000)} s`
		);
		await sql.end({ timeout: 5 });
	}
	const t = await timings(databaseUrl);
	for (const line of matchingLines(t)) console.info(`matching: ${line}`);
	console.info(JSON.stringify(t));
}
