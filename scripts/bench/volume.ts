// Data-volume steps for npm run bench: grow one settlement's register in bulk, in SQL.
//
// Rows are made by generate_series inside PostgreSQL (a 50,000-household step takes seconds,
// not minutes), and are deterministic: the same target gives the same names, sizes and dates.
import type { Sql } from 'postgres';

export interface GrowResult {
	/** households added by this call */
	added: number;
	/** residents added by this call */
	residents: number;
	ms: number;
}

export interface Volume {
	settlements: number;
	households: number;
	residents: number;
}

const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高钟曾谢邱温肖廖赖宋曹彭';
// ID numbers: birth day (u·7919 mod 32,000 — a bijection, 7919 being coprime to 32,000) and sequence
// 400–999 (the demo seed uses ≤ 320) are a function of a per-member number u, so they never repeat
// below 32,000 × 300 = 9.6 million bulk members of one settlement (grow one settlement per database)
const birthDays = 32_000;
const givenChars = '建国华明伟芳秀英丽军平红玉兰强春生金桂林海云福荣德文凤霞梅志勇';

/** Counts of the register, whole database. */
export async function volume(sql: Sql): Promise<Volume> {
	const [row] = await sql<Volume[]>`
		select (select count(*)::int from settlement) as settlements,
		       (select count(*)::int from household where status = 'active') as households,
		       (select count(*)::int from resident) as residents`;
	return row;
}

/**
 * Adds active households (and their members) to one settlement until it has `households` of them.
 * Members per household vary from 1 to 2·avg−1 with mean `membersPerHousehold` (default 4, so
 * 50,000 households carry 200,000 members). Bulk rows live in buildings named 'B<n>栋', which the
 * demo seed never uses, so calls can be repeated to grow further (50,000, then 500,000).
 */
export async function growHouseholds(
	sql: Sql,
	settlementId: string,
	households: number,
	options: { membersPerHousehold?: number; batch?: number; log?: (line: string) => void } = {}
): Promise<GrowResult> {
	const started = performance.now();
	const avg = options.membersPerHousehold ?? 4;
	const spread = Math.max(1, 2 * avg - 1);
	const batch = options.batch ?? 25_000;
	const [{ active, all }] = await sql<{ active: number; all: number }[]>`
		select count(*) filter (where status = 'active')::int as active, count(*)::int as "all"
		from household where settlement_id = ${settlementId}`;
	let added = 0;
	let residents = 0;
	// g numbers every household ever made in the settlement, so buildings/rooms never collide
	let next = all + 1;
	while (active + added < households) {
		const n = Math.min(batch, households - active - added);
		const from = next;
		const to = next + n - 1;
		const [row] = await sql<{ residents: number }[]>`
			with h as (
				insert into household
					(settlement_id, building, unit_no, room, head_name, origin_village, moved_in_on)
				select ${settlementId}::uuid,
				       'B' || (g / 1000 + 1) || '栋',
				       ((g / 100) % 10 + 1) || '单元',
				       lpad((g % 100)::text, 3, '0'),
				       substr(${surnames}, 1 + (hashint4(g) & 2147483647) % ${surnames.length}, 1)
				         || substr(${givenChars}, 1 + (hashint4(g + 1000000000) & 2147483647) % ${givenChars.length}, 1)
				         || substr(${givenChars}, 1 + (hashint4(-g) & 2147483647) % ${givenChars.length}, 1),
				       '批量生成',
				       date '2019-06-18' + (g % 1500)
				from generate_series(${from}::int, ${to}::int) g
				returning id, head_name
			),
			numbered as (
				select id, head_name, ${from}::int - 1 + row_number() over ()::int as g from h
			),
			members as (
				select n.id, n.head_name, n.g, k,
				       -- a number per member, unique across every call: birth day and sequence come from it
				       (n.g::bigint - 1) * ${spread} + k - 1 as u,
				       case when k = 1 then 'male'
				            when (hashint4(n.g * 8 + k) & 1) = 0 then 'male' else 'female' end as gender
				from numbered n
				cross join lateral generate_series(1, 1 + (n.g::bigint * 7919 % ${spread})::int) k
			),
			ids as (
				select m.*, date '1932-01-01' + (m.u * 7919 % ${birthDays})::int as birth,
				       '360731' || to_char(date '1932-01-01' + (m.u * 7919 % ${birthDays})::int, 'YYYYMMDD')
				         || lpad((2 * (200 + (m.u / ${birthDays}) % 300)
				                  + case when m.gender = 'male' then 1 else 0 end)::text, 3, '0')
				         as first17
				from members m
			),
			inserted as (
				insert into resident (household_id, name, relation, is_head, id_number, gender, birth_date)
				select i.id,
				       case when i.k = 1 then i.head_name
				            else substr(${surnames}, 1 + (hashint4(i.g * 8 + i.k + 3) & 2147483647) % ${surnames.length}, 1)
				              || substr(${givenChars}, 1 + (hashint4(i.g * 8 + i.k + 5) & 2147483647) % ${givenChars.length}, 1)
				              || substr(${givenChars}, 1 + (hashint4(i.g * 8 + i.k + 6) & 2147483647) % ${givenChars.length}, 1)
				       end,
				       case when i.k = 1 then '户主' when i.k = 2 then '配偶'
				            when i.gender = 'male' then '子' else '女' end,
				       i.k = 1,
				       i.first17 || substr('10X98765432', 1 + (
				         select sum(substr(i.first17, p, 1)::int * (array[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[p])::int % 11
				         from generate_series(1, 17) p), 1),
				       i.gender,
				       i.birth
				from ids i
				returning 1
			)
			select count(*)::int as residents from inserted`;
		added += n;
		residents += row.residents;
		next = to + 1;
		options.log?.(`  +${n} households, +${row.residents} members (${active + added} active)`);
	}
	if (added > 0) await sql`analyze household, resident`;
	return { added, residents, ms: Math.round(performance.now() - started) };
}
