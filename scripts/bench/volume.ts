// Data-volume steps for npm run bench: grow one settlement's register in bulk, in SQL.
//
// Rows are made by generate_series inside PostgreSQL, 50,000 households (~200,000 members) a
// statement, so the 10× step (500,000 households, 2,000,000 members) takes a few minutes, not
// hours. They are deterministic (the same target gives the same names, sizes and dates) and
// filled like the register's own: member details, household tags, origins from the county's
// villages, and the zero-employment flag by the register's rule (settlements/shared.ts).
import type { Sql } from 'postgres';
import { checkDigitSql, employedSql, laborerSql, pickFrom, surnames } from './sql';

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

// ID numbers: birth day (u·7919 mod 32,000 — a bijection, 7919 being coprime to 32,000) and sequence
// 400–999 (the demo seed uses 1–398) are a function of a per-member number u, so they never repeat
// below 32,000 × 300 = 9.6 million bulk members of one settlement (grow one settlement per database)
const birthDays = 32_000;
const maleChars = '建国华明伟军平强春生金林海云福荣德文志勇俊浩宇斌';
const femaleChars = '芳秀英丽红玉兰桂凤霞梅欣怡婷燕萍琴玲娟敏莉颖佳慧';
const givenLength = maleChars.length;
const employers = [
	'于都县锦华服饰有限公司',
	'于都县鸿盛服装有限公司',
	'于都县华坤电子科技有限公司',
	'于都县红都鞋业有限公司',
	'贡江新区扶贫车间',
	'东莞市鑫源电子有限公司',
	'深圳市华达科技有限公司',
	'厦门市瑞丰鞋业有限公司'
];
const jobs = ['缝纫工', '裁剪工', '质检员', '包装工', '普工', '电子装配工', '搬运工', '厨工'];
const flexibleJobs = ['外卖配送', '家政服务', '建筑零工', '网约车司机', '小商贩'];
const trainings = [
	'缝纫工技能培训',
	'电工培训（初级）',
	'育婴员培训',
	'电商直播培训',
	'家政服务员培训'
];

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
	const batch = options.batch ?? 50_000;
	const [{ active, all }] = await sql<{ active: number; all: number }[]>`
		select count(*) filter (where status = 'active')::int as active, count(*)::int as "all"
		from household where settlement_id = ${settlementId}`;
	// the origins: villages of the settlement's county (the demo seed's regions)
	const villages = await sql<{ id: string; name: string; township: string }[]>`
		select v.id, v.name, t.name as township
		from settlement s
		join region v on v.level = 'village'
			-- the county: province, city and county codes of the settlement's path
			and v.path like '/' || split_part(s.region_path, '/', 2) || '/' || split_part(s.region_path, '/', 3)
				|| '/' || split_part(s.region_path, '/', 4) || '/%'
		join region t on t.id = v.parent_id
		where s.id = ${settlementId}
		order by v.code`;
	const nv = Math.max(villages.length, 1);
	const villageIds = villages.map((v) => v.id).join('|');
	const villageNames = villages.map((v) => v.name).join('|') || '批量生成村';
	const townshipNames = villages.map((v) => v.township).join('|') || '批量生成乡';
	const employed = sql.unsafe(employedSql);
	const laborer = sql.unsafe(laborerSql);
	const checkDigit = sql.unsafe(checkDigitSql);
	const employerOf = sql.unsafe(pickFrom(employers, 'h3'));
	const jobOf = sql.unsafe(pickFrom(jobs, 'h1'));
	const flexibleJobOf = sql.unsafe(pickFrom(flexibleJobs, 'h1'));
	const postOf = sql.unsafe(pickFrom(['保安', '保洁', '保绿'], 'h2'));
	const trainingOf = sql.unsafe(pickFrom(trainings, 'h1'));

	let added = 0;
	let residents = 0;
	// g numbers every household ever made in the settlement, so buildings/rooms never collide
	let next = all + 1;
	while (active + added < households) {
		const n = Math.min(batch, households - active - added);
		const from = next;
		const to = next + n - 1;
		const [row] = await sql<{ households: number; residents: number }[]>`
			with hh as materialized (
				select g, gen_random_uuid() as id, 1 + (g::bigint * 7919 % ${spread})::int as size,
				       (hashint4(g + 77) & 2147483647) % 100 as hh1,
				       (hashint4(g + 99) & 2147483647) % ${nv} + 1 as origin
				from generate_series(${from}::int, ${to}::int) g
			),
			m as materialized (
				select hh.g, hh.id as household_id, k,
				       -- a number per member, unique across every call: birth day and sequence come from it
				       (hh.g::bigint - 1) * ${spread} + k - 1 as u,
				       case when k = 1 then 'male'
				            when (hashint4(hh.g * 8 + k) & 1) = 0 then 'male' else 'female' end as gender,
				       (hashint4(hh.g * 16 + k) & 2147483647) % 100 as h1,
				       (hashint4(hh.g * 16 + k + 5) & 2147483647) % 100 as h2,
				       (hashint4(hh.g * 16 + k + 9) & 2147483647) % 100 as h3
				from hh cross join lateral generate_series(1, hh.size) k
			),
			ids as materialized (
				select m.*, date '1932-01-01' + (m.u * 7919 % ${birthDays})::int as birth_date,
				       -- the head's surname for the head and the children, another for the spouse
				       substr(${surnames}, 1 + (hashint4(case when m.k = 2 then -m.g else m.g end) & 2147483647) % ${surnames.length}, 1)
				         || substr(case when m.gender = 'male' then ${maleChars} else ${femaleChars} end,
				                   1 + (hashint4(m.g * 8 + m.k + 5) & 2147483647) % ${givenLength}, 1)
				         || substr(case when m.gender = 'male' then ${maleChars} else ${femaleChars} end,
				                   1 + (hashint4(m.g * 8 + m.k + 6) & 2147483647) % ${givenLength}, 1)
				         as name,
				       '360731' || to_char(date '1932-01-01' + (m.u * 7919 % ${birthDays})::int, 'YYYYMMDD')
				         || lpad((2 * (200 + (m.u / ${birthDays}) % 300)
				                  + case when m.gender = 'male' then 1 else 0 end)::text, 3, '0')
				         as first17
				from m
			),
			aged as materialized (
				select ids.*, date_part('year', age(current_date, ids.birth_date))::int as age,
				       case when h1 < 4 then '残疾' when h1 < 7 then '大病'
				            when h1 < 25 then '长期慢性病' else '健康' end as health
				from ids
			),
			able as materialized (
				select aged.*,
				       case when age < 16 or age >= 70 then '无劳动能力'
				            when health = '残疾' and h2 % 4 < 2 then '无劳动能力'
				            when health in ('残疾', '大病') or age >= 60 then '弱劳动力'
				            when h2 < 70 then '普通劳动力' when h2 < 92 then '技能劳动力'
				            else '弱劳动力' end as labor_ability,
				       case when health = '残疾' then 1 + h2 % 4 end as disability_level,
				       case when age < 6 then '学龄前' when age < 12 then '小学' when age < 15 then '初中'
				            when age < 19 then '高中/中专' when h3 < 10 then '文盲或半文盲'
				            when h3 < 35 then '小学' when h3 < 70 then '初中' when h3 < 90 then '高中/中专'
				            else '大专及以上' end as schooling
				from aged
			),
			r as materialized (
				select able.*,
				       case when age < 3 then '退休或无需就业' when age < 19 then '在校学生'
				            when labor_ability = '无劳动能力' or age >= 60 then '退休或无需就业'
				            when h3 < 58 then '务工' when h3 < 70 then '灵活就业' when h3 < 75 then '自主创业'
				            when h3 < 78 then '公益性岗位' else '未就业' end as employment
				from able
			),
			agg as (
				select r.household_id,
				       bool_or(r.health = '残疾') as disabled,
				       count(*) = 1 and bool_or(r.age >= 60) as alone,
				       not bool_or(${employed}) and bool_or(${laborer}) as zero_employment
				from r group by r.household_id
			),
			inserted_households as (
				insert into household
					(id, settlement_id, building, unit_no, room, head_name, origin_region_id,
					 origin_township, origin_village, moved_in_on, tags, zero_employment)
				select hh.id, ${settlementId}::uuid,
				       'B' || (hh.g / 1000 + 1) || '栋',
				       ((hh.g / 100) % 10 + 1) || '单元',
				       -- 25 floors of 4 flats: 101–2504
				       ((hh.g % 100) / 4 + 1)::text || lpad((hh.g % 4 + 1)::text, 2, '0'),
				       head.name,
				       nullif((string_to_array(${villageIds}, '|'))[hh.origin], '')::uuid,
				       (string_to_array(${townshipNames}, '|'))[hh.origin],
				       (string_to_array(${villageNames}, '|'))[hh.origin],
				       date '2019-06-18' + (hh.g % 1500),
				       array_remove(array[
				         case when hh.hh1 < 87 then 'lifted_out' end,
				         case when hh.hh1 % 20 = 3 then 'monitored' end,
				         case when hh.hh1 % 12 = 5 then 'subsistence' end,
				         case when agg.alone then 'elderly_alone' end,
				         case when agg.disabled then 'disabled' end
				       ], null),
				       agg.zero_employment
				from hh
				join agg on agg.household_id = hh.id
				join r head on head.household_id = hh.id and head.k = 1
				returning 1
			),
			inserted_residents as (
				insert into resident
					(household_id, name, relation, is_head, id_number, gender, birth_date, phone,
					 schooling, health, disability_level, labor_ability, employment, employer, job,
					 public_post, training)
				select household_id, name,
				       case when k = 1 then '户主' when k = 2 then '配偶'
				            when gender = 'male' then '子' else '女' end,
				       k = 1,
				       first17 || ${checkDigit},
				       gender,
				       birth_date,
				       case when age >= 18 and h2 < 85
				            then '1' || (3 + h1 % 7)::text || lpad(((hashint4(u::int) & 2147483647) % 1000000000)::text, 9, '0') end,
				       schooling, health, disability_level, labor_ability, employment,
				       case when employment = '务工' then ${employerOf}
				            when employment = '公益性岗位' then '社区居委会' end,
				       case when employment = '务工' then ${jobOf}
				            when employment = '灵活就业' then ${flexibleJobOf}
				            when employment = '自主创业' then '经营者'
				            when employment = '公益性岗位' then ${postOf} || '员' end,
				       case when employment = '公益性岗位' then ${postOf} end,
				       case when age between 18 and 59 and h2 < 30
				            then (2019 + h3 % 7) || '年 ' || ${trainingOf} end
				from r
				returning 1
			)
			select (select count(*)::int from inserted_households) as households,
			       (select count(*)::int from inserted_residents) as residents`;
		added += row.households;
		residents += row.residents;
		next = to + 1;
		options.log?.(
			`  +${row.households.toLocaleString('en')} households, +${row.residents.toLocaleString('en')} members (${(active + added).toLocaleString('en')} active, ${((performance.now() - started) / 1000).toFixed(1)} s)`
		);
	}
	if (added > 0) await sql`analyze household, resident`;
	return { added, residents, ms: Math.round(performance.now() - started) };
}
