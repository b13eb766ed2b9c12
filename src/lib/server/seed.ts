import { eq, sql } from 'drizzle-orm';
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import { makeIdNumber } from '../id-number';
import {
	isZeroEmployment,
	type EmploymentStatus,
	type HealthStatus,
	type HouseholdTag,
	type LaborAbility,
	type PublicPost,
	type Relation,
	type Schooling
} from '../schemas/household';
import { hashPassword } from './auth/password';
import { db, schema, type Transaction } from './db';
import type { Role } from './db/schema';
import { rIsEmployed, rIsLaborer } from './settlements/shared';
import { seedActivities } from './activities/seed';
import { seedCharity } from './charity/seed';
import { seedGovernance } from './governance/seed';
import { seedServices } from './services/seed';

// The demo county: 于都县 (Jiangxi) with ten settlement points of all three kinds, ~3,000
// households of fictitious people, the 三员 roster, organisations and the demo accounts of
// DESIGN.md. Everything comes from one seeded generator, so every seed makes the same county
// (ids included); ages are as of mid-2026 (referenceYear).

export const demoPassword = 'anju-demo';
export const demoCountyCode = '360731000000';
/** People's ages are planned as of 1 July of this year. */
const referenceYear = 2026;

/** A small deterministic generator, so every seed makes the same county. */
function rng(seed: number) {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

type Random = ReturnType<typeof randomTools>;
function randomTools(seed: number) {
	const next = rng(seed);
	const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
	return {
		next,
		int,
		chance: (p: number) => next() < p,
		pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
		/** one of the entries, by weight */
		weighted: <T>(entries: readonly (readonly [T, number])[]): T => {
			const total = entries.reduce((s, [, w]) => s + w, 0);
			let x = next() * total;
			for (const [v, w] of entries) if ((x -= w) < 0) return v;
			return entries[entries.length - 1][0];
		}
	};
}

/** UUID v4-shaped ids from their own stream, so a seed is the same database twice over. */
function uuids(seed: number) {
	const next = rng(seed);
	return () => {
		let hex = '';
		for (let i = 0; i < 4; i++)
			hex += Math.floor(next() * 0x100000000)
				.toString(16)
				.padStart(8, '0');
		const variant = ((parseInt(hex[16], 16) & 3) | 8).toString(16);
		hex = hex.slice(0, 12) + '4' + hex.slice(13, 16) + variant + hex.slice(17);
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
	};
}

export async function isEmpty(): Promise<boolean> {
	const [row] = await db()
		.select({ n: sql<number>`count(*)::int` })
		.from(schema.region);
	return row.n === 0;
}

// ---------------------------------------------------------------------------------------------
// Places

interface RegionSeed {
	code: string;
	name: string;
	level: 'province' | 'city' | 'county' | 'township' | 'village';
	parent?: string;
}

/** 于都县's 9 towns and 14 townships (codes of the first five are the seed's since the start). */
const townships: [code: string, name: string][] = [
	['360731100000', '贡江镇'],
	['360731101000', '银坑镇'],
	['360731102000', '岭背镇'],
	['360731103000', '铁山垅镇'],
	['360731104000', '盘古山镇'],
	['360731105000', '禾丰镇'],
	['360731106000', '祁禄山镇'],
	['360731107000', '梓山镇'],
	['360731108000', '罗坳镇'],
	['360731200000', '黄麟乡'],
	['360731201000', '沙心乡'],
	['360731202000', '罗江乡'],
	['360731203000', '小溪乡'],
	['360731204000', '利村乡'],
	['360731205000', '新陂乡'],
	['360731206000', '靖石乡'],
	['360731207000', '宽田乡'],
	['360731208000', '葛坳乡'],
	['360731209000', '桥头乡'],
	['360731210000', '马安乡'],
	['360731211000', '仙下乡'],
	['360731212000', '车溪乡'],
	['360731213000', '段屋乡']
];

/** Villages that settlements stand in (and that the first seeds had), with their fixed codes. */
const fixedVillages: RegionSeed[] = [
	{ code: '360731200201', name: '黄麟村', level: 'village', parent: '360731200000' },
	{ code: '360731201202', name: '沙心村', level: 'village', parent: '360731201000' },
	{ code: '360731101203', name: '银坑村', level: 'village', parent: '360731101000' },
	{ code: '360731107201', name: '潭头村', level: 'village', parent: '360731107000' }
];

/** Province › city › county › townships › 5–7 villages each (made-up village names). */
function buildRegions(r: Random): RegionSeed[] {
	const out: RegionSeed[] = [
		{ code: '360000000000', name: '江西省', level: 'province' },
		{ code: '360700000000', name: '赣州市', level: 'city', parent: '360000000000' },
		{ code: demoCountyCode, name: '于都县', level: 'county', parent: '360700000000' }
	];
	for (const [code, name] of townships)
		out.push({ code, name, level: 'township', parent: demoCountyCode });
	const used = new Set(fixedVillages.map((v) => v.name));
	const first = '上下大小新高石黄长横罗洋坝松竹梅桃枫禾龙凤金白青岭塘水山湖田桥'.split('');
	const second = '坪坝坑背岭田塘口排溪坳围岗陂寨洞湾源坵垄'.split('');
	for (const [code] of townships) {
		const fixed = fixedVillages.filter((v) => v.parent === code);
		out.push(...fixed);
		const n = r.int(5, 7) - fixed.length;
		for (let i = 0; i < n; i++) {
			let name: string;
			do name = r.pick(first) + r.pick(second) + '村';
			while (used.has(name));
			used.add(name);
			out.push({ code: code.slice(0, 9) + String(210 + i), name, level: 'village', parent: code });
		}
	}
	return out;
}

type Layout =
	| { kind: 'flats'; floors: number; units: number; perFloor: number }
	| { kind: 'rows'; perRow: number };

interface SettlementSeed {
	name: string;
	kind: 'urban_park' | 'town' | 'village';
	region: string;
	committeeKind: 'new_residents_committee' | 'town_committee' | 'village_committee';
	committeeName: string;
	address: string;
	openedOn: string;
	/** 设计容量（人） */
	capacity: number;
	households: number;
	layout: Layout;
	/** where the households came from: township codes, the first one weighted ×4 */
	origins: string[];
	/** the 三员 roster: null where the point has none (a compliance finding) */
	chief: string | null;
	admins: string[];
	propertyCompany: string | null;
	/** 扶贫车间 next to the point, where many residents work */
	workshop: string;
}

const remoteTownships = [
	'360731103000',
	'360731104000',
	'360731106000',
	'360731107000',
	'360731200000',
	'360731201000',
	'360731206000',
	'360731207000',
	'360731208000',
	'360731209000',
	'360731101000',
	'360731102000',
	'360731105000',
	'360731210000',
	'360731212000'
];

/**
 * The county's points. The first is 贡江新区 (the demo staff's point, the largest). Findings on
 * purpose: 禾丰 has over 200 residents and no 专职管理员, 盘古山 no 点长, 罗坳工业园 (urban) no
 * property company.
 */
export const demoSettlements: SettlementSeed[] = [
	{
		name: '贡江新区安置点',
		kind: 'urban_park',
		region: '360731100000',
		committeeKind: 'new_residents_committee',
		committeeName: '贡江新区社区居委会',
		address: '于都县贡江镇长征大道 88 号',
		openedOn: '2019-06-18',
		capacity: 4200,
		households: 1080,
		layout: { kind: 'flats', floors: 11, units: 2, perFloor: 2 },
		origins: remoteTownships,
		chief: '县人大常委会副主任',
		admins: ['贡江新区社区党支部书记', '谢红梅（社区专职管理员）'],
		propertyCompany: '于都县安居物业服务有限公司',
		workshop: '贡江新区扶贫车间'
	},
	{
		name: '银坑镇集镇安置点',
		kind: 'town',
		region: '360731101000',
		committeeKind: 'town_committee',
		committeeName: '银坑镇社区居委会',
		address: '于都县银坑镇新街 12 号',
		openedOn: '2018-11-02',
		capacity: 1100,
		households: 300,
		layout: { kind: 'flats', floors: 6, units: 2, perFloor: 2 },
		origins: ['360731101000', '360731104000', '360731102000'],
		chief: '管建平（银坑镇党委副书记、镇长）',
		admins: ['邱丽芳（专职管理员）'],
		propertyCompany: null,
		workshop: '银坑镇扶贫车间'
	},
	{
		name: '黄麟村安置点',
		kind: 'village',
		region: '360731200201',
		committeeKind: 'village_committee',
		committeeName: '黄麟村村民委员会',
		address: '于都县黄麟乡黄麟村',
		openedOn: '2017-09-20',
		capacity: 200,
		households: 55,
		layout: { kind: 'rows', perRow: 8 },
		origins: ['360731200000'],
		chief: '肖文华（黄麟乡党委委员、副乡长）',
		admins: ['黄志明（黄麟村党支部书记）'],
		propertyCompany: null,
		workshop: '黄麟乡扶贫车间'
	},
	{
		name: '长征源安置小区',
		kind: 'urban_park',
		region: '360731100000',
		committeeKind: 'new_residents_committee',
		committeeName: '长征源社区居委会',
		address: '于都县贡江镇长征源大道 166 号',
		openedOn: '2020-01-10',
		capacity: 2200,
		households: 600,
		layout: { kind: 'flats', floors: 11, units: 2, perFloor: 2 },
		origins: remoteTownships,
		chief: '刘国平（县政府党组成员、副县长）',
		admins: ['钟晓燕（社区专职管理员）', '刘志勇（社区专职管理员）'],
		propertyCompany: '于都县红都物业管理有限公司',
		workshop: '长征源社区扶贫车间'
	},
	{
		name: '罗坳工业园安置点',
		kind: 'urban_park',
		region: '360731108000',
		committeeKind: 'new_residents_committee',
		committeeName: '罗坳工业园社区居委会',
		address: '于都县罗坳镇工业园区纬一路 9 号',
		openedOn: '2020-05-26',
		capacity: 1100,
		households: 300,
		layout: { kind: 'flats', floors: 9, units: 2, perFloor: 2 },
		origins: [
			'360731108000',
			'360731202000',
			'360731203000',
			'360731204000',
			'360731205000',
			'360731206000'
		],
		chief: '丁建华（罗坳镇党委书记）',
		admins: ['曾丽萍（社区专职管理员）'],
		propertyCompany: null,
		workshop: '罗坳工业园扶贫车间'
	},
	{
		name: '岭背镇集镇安置点',
		kind: 'town',
		region: '360731102000',
		committeeKind: 'town_committee',
		committeeName: '岭背镇社区居委会',
		address: '于都县岭背镇岭背圩新区 3 号',
		openedOn: '2018-12-20',
		capacity: 800,
		households: 210,
		layout: { kind: 'flats', floors: 6, units: 2, perFloor: 2 },
		origins: ['360731102000', '360731211000', '360731213000'],
		chief: '李国华（岭背镇人大主席）',
		admins: ['宋春兰（专职管理员）'],
		propertyCompany: null,
		workshop: '岭背镇扶贫车间'
	},
	{
		name: '盘古山镇集镇安置点',
		kind: 'town',
		region: '360731104000',
		committeeKind: 'town_committee',
		committeeName: '盘古山镇社区居委会',
		address: '于都县盘古山镇盘古山圩新街 18 号',
		openedOn: '2019-03-15',
		capacity: 650,
		households: 170,
		layout: { kind: 'flats', floors: 6, units: 2, perFloor: 2 },
		origins: ['360731104000', '360731103000', '360731106000'],
		chief: null,
		admins: ['赖建英（专职管理员）'],
		propertyCompany: null,
		workshop: '盘古山镇扶贫车间'
	},
	{
		name: '禾丰镇集镇安置点',
		kind: 'town',
		region: '360731105000',
		committeeKind: 'town_committee',
		committeeName: '禾丰镇社区居委会',
		address: '于都县禾丰镇禾丰圩东街 6 号',
		openedOn: '2018-10-08',
		capacity: 600,
		households: 150,
		layout: { kind: 'flats', floors: 6, units: 2, perFloor: 2 },
		origins: ['360731105000', '360731212000'],
		chief: '温志强（禾丰镇党委副书记）',
		admins: [],
		propertyCompany: null,
		workshop: '禾丰镇扶贫车间'
	},
	{
		name: '沙心村安置点',
		kind: 'village',
		region: '360731201202',
		committeeKind: 'village_committee',
		committeeName: '沙心村村民委员会',
		address: '于都县沙心乡沙心村',
		openedOn: '2017-11-28',
		capacity: 150,
		households: 40,
		layout: { kind: 'rows', perRow: 8 },
		origins: ['360731201000'],
		chief: '朱明亮（沙心乡党委委员）',
		admins: ['蓝小英（沙心村党支部书记）'],
		propertyCompany: null,
		workshop: '沙心乡扶贫车间'
	},
	{
		name: '潭头村安置点',
		kind: 'village',
		region: '360731107201',
		committeeKind: 'village_committee',
		committeeName: '潭头村村民委员会',
		address: '于都县梓山镇潭头村',
		openedOn: '2018-04-16',
		capacity: 260,
		households: 65,
		layout: { kind: 'rows', perRow: 10 },
		origins: ['360731107000'],
		chief: '黄建军（梓山镇党委副书记）',
		admins: ['谢春华（潭头村党支部书记）'],
		propertyCompany: null,
		workshop: '潭头村富硒蔬菜产业园'
	}
];

// ---------------------------------------------------------------------------------------------
// Accounts

interface AccountSeed {
	username: string;
	displayName: string;
	role: Role;
	scope: 'global' | 'county' | 'settlement0' | 'charity' | 'mutualAid';
}

export const demoAccounts: AccountSeed[] = [
	{ username: 'admin', displayName: '系统管理员', role: 'system_admin', scope: 'global' },
	{ username: 'minzheng', displayName: '刘民政', role: 'civil_affairs', scope: 'county' },
	{ username: 'zongdianzhang', displayName: '陈总点长', role: 'chief_of_points', scope: 'county' },
	{ username: 'dianzhang', displayName: '钟点长', role: 'point_chief', scope: 'settlement0' },
	{ username: 'guanliyuan', displayName: '曾管理员', role: 'point_admin', scope: 'settlement0' },
	{ username: 'shegong', displayName: '肖社工', role: 'community_worker', scope: 'settlement0' },
	{ username: 'cishan', displayName: '温慈善', role: 'org_member', scope: 'charity' },
	{ username: 'huzhushe', displayName: '赖互助', role: 'mutual_aid_admin', scope: 'mutualAid' }
];

/** The resident accounts: the head of the first household of the first and second points. */
export const demoResidents = [
	{ username: 'jumin', settlement: 0 },
	{ username: 'jumin2', settlement: 1 }
] as const;

// ---------------------------------------------------------------------------------------------
// People

// 于都 is Hakka country: 刘, 谢, 钟, 曾, 肖, 黄, 管… weighted by repetition
const surnames = (
	'刘刘刘刘谢谢谢钟钟钟曾曾曾肖肖肖黄黄黄李李陈陈管管丁丁罗罗邱邱赖赖温温宋宋朱朱' +
	'袁张王杨易邹郭胡吴何林徐彭段范蓝孙廖卢'
).split('');
const givenNames = {
	male: {
		old: '德福贵华明建国文水生发荣金根清林仁有祥昌春先光长兴福仕庆永'.split(''),
		mid: '建伟军平勇强志华明斌海林波鑫东辉成刚剑峰亮俊良'.split(''),
		young: '俊浩宇轩杰涛磊鑫博然子梓睿晨阳豪天辰航鹏宏锦泽铭'.split('')
	},
	female: {
		old: '秀英桂兰凤玉莲花珍梅香娥菊招娣金翠芳春满'.split(''),
		mid: '丽红燕艳霞芳萍琴玲娟梅英华敏冬群莉春'.split(''),
		young: '欣怡婷雅静佳琪雨萱涵颖慧娜诗梦思悦晓可馨妍'.split('')
	}
};

function personName(r: Random, surname: string, gender: Gender, age: number): string {
	const era = age >= 60 ? 'old' : age >= 30 ? 'mid' : 'young';
	const chars = givenNames[gender][era];
	return surname + r.pick(chars) + (r.chance(0.15) ? '' : r.pick(chars));
}

type Gender = 'male' | 'female';

interface Person {
	id: string;
	householdId: string;
	name: string;
	relation: Relation;
	isHead: boolean;
	idNumber: string;
	gender: Gender;
	birthDate: string;
	phone: string | null;
	schooling: Schooling;
	health: HealthStatus;
	disabilityLevel: number | null;
	laborAbility: LaborAbility;
	employment: EmploymentStatus;
	employer: string | null;
	job: string | null;
	publicPost: PublicPost | null;
	training: string | null;
	/** planning only: age as of mid-referenceYear, and whether they work outside the province */
	age: number;
	away: boolean;
}

interface Plan {
	relation: Relation;
	gender: Gender;
	age: number;
	surname: string;
	/** works away from home (外出务工) */
	away?: boolean;
	/** at school although old enough to work */
	student?: boolean;
}

type FamilyKind =
	| 'elderly_alone'
	| 'elderly_couple'
	| 'single'
	| 'couple'
	| 'nuclear'
	| 'three_generations'
	| 'with_parents'
	| 'single_parent';

const familyKinds: [FamilyKind, number][] = [
	['elderly_alone', 8],
	['elderly_couple', 11],
	['single', 5],
	['couple', 4],
	['nuclear', 41],
	['three_generations', 14],
	['with_parents', 9],
	['single_parent', 8]
];

const other = (g: Gender): Gender => (g === 'male' ? 'female' : 'male');
const childRelation = (g: Gender): Relation => (g === 'male' ? '子' : '女');

/** Who lives in a household: relations, ages and genders of a plausible family. */
function planFamily(r: Random, kind: FamilyKind): Plan[] {
	const surname = r.pick(surnames);
	const spouse = (head: Plan): Plan => ({
		relation: '配偶',
		gender: other(head.gender),
		age: Math.max(20, head.age + (head.gender === 'male' ? -r.int(0, 5) : r.int(0, 5))),
		surname: r.pick(surnames)
	});
	// children of a mother of this age, eldest first
	const children = (motherAge: number, n: number, family: string): Plan[] => {
		const out: Plan[] = [];
		let age = motherAge - r.int(21, 27);
		for (let i = 0; i < n && age >= 0; i++) {
			const gender: Gender = r.chance(0.53) ? 'male' : 'female';
			out.push({ relation: childRelation(gender), gender, age, surname: family });
			age -= r.int(2, 5);
		}
		return out;
	};
	const kids = () =>
		r.weighted([
			[1, 35],
			[2, 50],
			[3, 15]
		]);
	switch (kind) {
		case 'elderly_alone':
			return [
				{
					relation: '户主',
					gender: r.chance(0.55) ? 'female' : 'male',
					age: r.int(62, 88),
					surname
				}
			];
		case 'elderly_couple': {
			const head: Plan = { relation: '户主', gender: 'male', age: r.int(60, 82), surname };
			return [head, spouse(head)];
		}
		case 'single': {
			const head: Plan = {
				relation: '户主',
				gender: r.chance(0.8) ? 'male' : 'female',
				age: r.int(24, 58),
				surname
			};
			if (r.chance(0.15))
				return [
					head,
					{ relation: '兄弟姐妹', gender: 'male', age: head.age + r.int(-6, 6), surname }
				];
			return [head];
		}
		case 'couple': {
			const head: Plan = { relation: '户主', gender: 'male', age: r.int(23, 38), surname };
			return [head, spouse(head)];
		}
		case 'nuclear': {
			const head: Plan = {
				relation: '户主',
				gender: r.chance(0.92) ? 'male' : 'female',
				age: r.int(28, 55),
				surname
			};
			const family: Plan[] = [head];
			if (r.chance(0.95)) family.push(spouse(head));
			const mother = head.gender === 'female' ? head.age : (family[1]?.age ?? head.age - 2);
			return [...family, ...children(mother, kids(), surname)];
		}
		case 'three_generations': {
			const head: Plan = { relation: '户主', gender: 'male', age: r.int(50, 68), surname };
			const wife = spouse(head);
			// the son's family; with small children, the parents often work away and the
			// grandparents look after the children (留守儿童)
			const son: Plan = { relation: '子', gender: 'male', age: wife.age - r.int(21, 27), surname };
			const family: Plan[] = [head, wife, son];
			const grandchildren: Plan[] = [];
			if (r.chance(0.9)) {
				const daughterInLaw: Plan = {
					relation: '儿媳',
					gender: 'female',
					age: son.age - r.int(0, 4),
					surname: r.pick(surnames)
				};
				family.push(daughterInLaw);
				for (const c of children(
					daughterInLaw.age,
					r.weighted([
						[1, 45],
						[2, 45],
						[3, 10]
					]),
					surname
				))
					grandchildren.push({ ...c, relation: c.gender === 'male' ? '孙子' : '孙女' });
			}
			const leftBehind = grandchildren.some((c) => c.age < 16) && r.chance(0.35);
			if (leftBehind) for (const p of family.slice(2)) p.away = true;
			if (r.chance(0.2)) {
				const age = son.age - r.int(2, 6);
				if (age >= 16) family.push({ relation: '女', gender: 'female', age, surname });
			}
			return [...family, ...grandchildren];
		}
		case 'with_parents': {
			const head: Plan = { relation: '户主', gender: 'male', age: r.int(30, 52), surname };
			const wife = spouse(head);
			const family: Plan[] = [head, wife];
			const kidsOf = children(
				wife.age,
				r.weighted([
					[1, 45],
					[2, 45],
					[3, 10]
				]),
				surname
			);
			const parentsAge = head.age + r.int(24, 32);
			if (r.chance(0.7))
				family.push({ relation: '父亲', gender: 'male', age: parentsAge, surname });
			if (r.chance(0.8) || family.length === 2)
				family.push({
					relation: '母亲',
					gender: 'female',
					age: parentsAge - r.int(0, 5),
					surname: r.pick(surnames)
				});
			if (kidsOf.some((c) => c.age < 16) && r.chance(0.2)) {
				head.away = true;
				wife.away = true;
			}
			return [...family, ...kidsOf];
		}
		case 'single_parent': {
			const head: Plan = {
				relation: '户主',
				gender: r.chance(0.6) ? 'female' : 'male',
				age: r.int(28, 50),
				surname
			};
			const mother = head.gender === 'female' ? head.age : head.age - r.int(0, 4);
			const kidsOf = children(
				mother,
				r.weighted([
					[1, 55],
					[2, 45]
				]),
				surname
			);
			return [head, ...kidsOf];
		}
	}
}

const countyEmployers = [
	'于都县锦华服饰有限公司',
	'于都县鸿盛服装有限公司',
	'于都县赣源纺织有限公司',
	'于都县祥瑞针织有限公司',
	'于都县华坤电子科技有限公司',
	'于都县红都鞋业有限公司',
	'于都县新纪元食品有限公司',
	'于都县通达物流有限公司',
	'于都县城投建设工程有限公司',
	'于都县富硒农业开发有限公司'
];
const cityEmployers = ['赣州市恒达电子有限公司', '赣州市南康区家具产业园某家具厂'];
const awayEmployers = [
	'东莞市鑫源电子有限公司',
	'深圳市华达科技有限公司',
	'广州市锦程服装有限公司',
	'惠州市长兴电器有限公司',
	'厦门市瑞丰鞋业有限公司',
	'宁波市恒通塑料制品有限公司',
	'温州市永胜鞋业有限公司'
];
const factoryJobs = ['缝纫工', '裁剪工', '质检员', '包装工', '普工', '电子装配工', '仓管员'];
const otherJobs = ['搬运工', '叉车司机', '厨工', '建筑工', '销售员', '保安', '保洁员'];
const flexibleJobs = [
	'外卖配送',
	'家政服务',
	'建筑零工',
	'网约车司机',
	'小商贩',
	'电商直播带货',
	'快递分拣'
];
const businesses = [
	['个体工商户（小吃店）', '经营者'],
	['个体工商户（便利店）', '经营者'],
	['个体工商户（理发店）', '经营者'],
	['个体工商户（摩托车修理）', '经营者'],
	['脐橙种植', '种植户'],
	['蔬菜大棚种植', '种植户'],
	['肉牛养殖', '养殖户'],
	['家禽养殖', '养殖户']
] as const;
const trainings = [
	'缝纫工技能培训',
	'电工培训（初级）',
	'育婴员培训',
	'养老护理员培训',
	'电商直播培训',
	'家政服务员培训',
	'挖掘机操作培训',
	'中式烹调师培训',
	'脐橙种植技术培训',
	'创业培训（SYB）'
];

/** The rest of a member's record, plausible for the age, health and family plan. */
function memberDetails(
	r: Random,
	p: Plan,
	workshop: string
): Omit<Person, 'id' | 'householdId' | 'name' | 'isHead' | 'idNumber' | 'birthDate' | 'phone'> {
	const { age } = p;
	const born = referenceYear - age;
	// schooling: children by age; adults by the years they grew up in
	let schooling: Schooling;
	let student = false;
	if (age < 6) schooling = '学龄前';
	else if (age < 12) schooling = '小学';
	else if (age < 15) schooling = '初中';
	else if (age < 19 && r.chance(0.85) && !p.away) {
		schooling = '高中/中专';
		student = true;
	} else if (age < 23 && r.chance(0.3) && !p.away) {
		schooling = '大专及以上';
		student = true;
	} else if (born < 1960)
		schooling = r.weighted([
			['文盲或半文盲', 40],
			['小学', 45],
			['初中', 15]
		] as const);
	else if (born < 1976)
		schooling = r.weighted([
			['文盲或半文盲', 5],
			['小学', 35],
			['初中', 45],
			['高中/中专', 15]
		] as const);
	else if (born < 1991)
		schooling = r.weighted([
			['小学', 10],
			['初中', 50],
			['高中/中专', 30],
			['大专及以上', 10]
		] as const);
	else
		schooling = r.weighted([
			['初中', 35],
			['高中/中专', 45],
			['大专及以上', 20]
		] as const);
	if (age >= 6 && age < 15) student = true;
	if (age >= 3 && age < 6) student = true; // 幼儿园

	// health: disability and illness grow with age
	let health: HealthStatus = '健康';
	let disabilityLevel: number | null = null;
	const x = r.next();
	const disabled = age < 16 ? 0.015 : age < 60 ? 0.04 : 0.07;
	const serious = age < 60 ? 0.02 : 0.05;
	const chronic = age < 45 ? 0.04 : age < 60 ? 0.15 : 0.35;
	if (!p.away && x < disabled) {
		health = '残疾';
		disabilityLevel = r.weighted([
			[1, 10],
			[2, 20],
			[3, 35],
			[4, 35]
		] as const);
	} else if (!p.away && x < disabled + serious) health = '大病';
	else if (x < disabled + serious + chronic) health = '长期慢性病';

	let laborAbility: LaborAbility;
	if (age < 16 || age >= 70) laborAbility = '无劳动能力';
	else if (health === '残疾') laborAbility = disabilityLevel! <= 2 ? '无劳动能力' : '弱劳动力';
	else if (health === '大病') laborAbility = r.chance(0.5) ? '无劳动能力' : '弱劳动力';
	else if (age >= 60) laborAbility = r.chance(0.6) ? '弱劳动力' : '无劳动能力';
	else if (health === '长期慢性病' && r.chance(0.4)) laborAbility = '弱劳动力';
	else
		laborAbility = r.weighted([
			['普通劳动力', 70],
			['技能劳动力', 22],
			['弱劳动力', 8]
		] as const);

	let employment: EmploymentStatus;
	let employer: string | null = null;
	let job: string | null = null;
	let away = false;
	if (student) employment = '在校学生';
	else if (laborAbility === '无劳动能力' || age < 16) employment = '退休或无需就业';
	else if (age >= 60) {
		employment = r.chance(0.15) ? '灵活就业' : '退休或无需就业';
		if (employment === '灵活就业') job = r.pick(['建筑零工', '小商贩', '保洁零工']);
	} else {
		const weak = laborAbility === '弱劳动力';
		employment = p.away
			? '务工'
			: r.weighted(
					weak
						? ([
								['务工', 25],
								['灵活就业', 30],
								['未就业', 45]
							] as const)
						: ([
								['务工', 66],
								['灵活就业', 13],
								['自主创业', 6],
								['未就业', 15]
							] as const)
				);
		if (employment === '务工') {
			const where = p.away
				? 'away'
				: r.weighted([
						['workshop', 25],
						['county', 45],
						['city', 8],
						['away', 22]
					] as const);
			away = where === 'away';
			employer =
				where === 'workshop'
					? workshop
					: where === 'county'
						? r.pick(countyEmployers)
						: where === 'city'
							? r.pick(cityEmployers)
							: r.pick(awayEmployers);
			job = r.chance(0.75) ? r.pick(factoryJobs) : r.pick(otherJobs);
		} else if (employment === '灵活就业') job = r.pick(flexibleJobs);
		else if (employment === '自主创业') [employer, job] = r.pick(businesses);
	}
	const training =
		age >= 18 && age < 60 && !student && laborAbility !== '无劳动能力' && r.chance(0.3)
			? `${r.int(2019, 2025)}年 ${r.pick(trainings)}`
			: null;
	return {
		relation: p.relation,
		gender: p.gender,
		schooling,
		health,
		disabilityLevel,
		laborAbility,
		employment,
		employer,
		job,
		publicPost: null,
		training,
		age,
		away
	};
}

const phonePrefixes = [
	'130',
	'131',
	'132',
	'133',
	'135',
	'136',
	'137',
	'138',
	'139',
	'150',
	'151',
	'152',
	'153',
	'155',
	'156',
	'157',
	'158',
	'159',
	'177',
	'180',
	'181',
	'182',
	'183',
	'185',
	'186',
	'187',
	'188',
	'189',
	'191',
	'198',
	'199'
];

interface HouseholdRow {
	id: string;
	settlementId: string;
	building: string;
	unitNo: string;
	room: string;
	headName: string;
	originRegionId: string;
	originTownship: string;
	originVillage: string;
	movedInOn: string;
	tags: HouseholdTag[];
}

interface DwellingRow {
	id: string;
	settlementId: string;
	building: string;
	unitNo: string;
	room: string;
	areaSqm: string;
}

/** The flats of one building, in order. */
function buildingUnits(
	layout: Layout,
	n: number
): { building: string; unitNo: string; room: string }[] {
	const out = [];
	if (layout.kind === 'rows') {
		for (let k = 1; k <= layout.perRow; k++)
			out.push({ building: `${n}排`, unitNo: '', room: `${k}号` });
		return out;
	}
	for (let u = 1; u <= layout.units; u++)
		for (let f = 1; f <= layout.floors; f++)
			for (let k = 1; k <= layout.perFloor; k++)
				out.push({
					building: `${n}栋`,
					unitNo: `${u}单元`,
					room: `${f}${String(k).padStart(2, '0')}`
				});
	return out;
}

/** 人均不超过 25 ㎡: the flat types by family size. */
const areaFor = (size: number) => (size <= 2 ? 50 : size === 3 ? 75 : size === 4 ? 100 : 125);

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (date: string, days: number) => isoDay(Date.parse(date) + days * 86_400_000);

// ---------------------------------------------------------------------------------------------

/** Seeds the demo county, its points, households, organisations and accounts; does nothing if it exists. */
export async function seedDemo(): Promise<{ created: boolean }> {
	const passwordHash = await hashPassword(demoPassword);
	return db().transaction(async (tx) => {
		const [exists] = await tx
			.select({ id: schema.region.id })
			.from(schema.region)
			.where(eq(schema.region.code, demoCountyCode));
		if (exists) return { created: false };
		await seedInto(tx, passwordHash);
		return { created: true };
	});
}

/** Inserts in statements of `batch` rows: one per row would take minutes on PGlite. */
async function insertAll<T extends PgTable>(
	tx: Transaction,
	table: T,
	rows: PgInsertValue<T>[],
	batch = 400
) {
	for (let i = 0; i < rows.length; i += batch)
		await tx.insert(table).values(rows.slice(i, i + batch));
}

async function seedInto(tx: Transaction, passwordHash: string) {
	const {
		region,
		settlement,
		household,
		resident,
		dwelling,
		staffAssignment,
		correctionRequest,
		organization,
		user,
		roleGrant
	} = schema;
	const r = randomTools(360731);
	const newId = uuids(731360);
	const now = new Date();

	// regions
	const regionSeeds = buildRegions(r);
	const regions = new Map<string, RegionSeed & { id: string; path: string }>();
	for (const s of regionSeeds) {
		const parent = s.parent ? regions.get(s.parent) : undefined;
		regions.set(s.code, { ...s, id: newId(), path: (parent?.path ?? '/') + s.code + '/' });
	}
	await insertAll(
		tx,
		region,
		[...regions.values()].map((x) => ({
			id: x.id,
			code: x.code,
			name: x.name,
			level: x.level,
			parentId: x.parent ? regions.get(x.parent)!.id : null,
			path: x.path
		}))
	);
	const county = regions.get(demoCountyCode)!;
	const villagesOf = (townshipCode: string) =>
		[...regions.values()].filter((v) => v.level === 'village' && v.parent === townshipCode);

	// settlements
	const settlementIds = demoSettlements.map(() => newId());
	await tx.insert(settlement).values(
		demoSettlements.map((s, i) => {
			const place = regions.get(s.region)!;
			return {
				id: settlementIds[i],
				name: s.name,
				kind: s.kind,
				regionId: place.id,
				regionPath: place.path,
				committeeKind: s.committeeKind,
				committeeName: s.committeeName,
				address: s.address,
				openedOn: s.openedOn,
				capacity: s.capacity,
				// the list orders by creation: the first point first
				createdAt: new Date(now.getTime() - (demoSettlements.length - i) * 1000)
			};
		})
	);

	// organisations
	const orgIds = {
		charity: newId(),
		socialWork: newId(),
		mutualAid: newId(),
		enterprise: newId(),
		volunteers: newId()
	};
	const inCounty = { regionId: county.id, regionPath: county.path };
	await tx.insert(organization).values([
		{ id: orgIds.charity, name: '于都县慈善总会', kind: 'charity', ...inCounty, verifiedAt: now },
		{
			id: orgIds.socialWork,
			name: '于都县红土地社会工作服务中心',
			kind: 'social_org',
			...inCounty,
			verifiedAt: now
		},
		{
			id: orgIds.mutualAid,
			name: '贡江新区救急难互助社',
			kind: 'mutual_aid_group',
			...inCounty,
			settlementId: settlementIds[0],
			verifiedAt: now
		},
		{
			id: orgIds.enterprise,
			name: '于都县锦华服饰有限公司',
			kind: 'enterprise',
			...inCounty,
			verifiedAt: now
		},
		// waiting for civil affairs to verify it
		{ id: orgIds.volunteers, name: '于都县长征源志愿者协会', kind: 'social_org', ...inCounty }
	]);

	// households, members and flats, point by point
	const households: HouseholdRow[] = [];
	const people: Person[] = [];
	const dwellings: DwellingRow[] = [];
	const byHousehold = new Map<string, Person[]>();
	const usedIds = new Set<string>();
	const usedPhones = new Set<string>();
	const firstHousehold: string[] = [];

	const idNumberFor = (birthDate: string, gender: Gender) => {
		// sequences 1–398 (npm run bench's bulk people use 400–999), never twice
		for (;;) {
			const id = makeIdNumber('360731', birthDate, r.int(1, 397), gender);
			if (!usedIds.has(id)) {
				usedIds.add(id);
				return id;
			}
		}
	};
	const phoneFor = (age: number) => {
		if (age < 18 || !r.chance(age < 65 ? 0.9 : age < 80 ? 0.6 : 0.3)) return null;
		for (;;) {
			const phone = r.pick(phonePrefixes) + String(r.int(0, 99_999_999)).padStart(8, '0');
			if (!usedPhones.has(phone)) {
				usedPhones.add(phone);
				return phone;
			}
		}
	};
	const birthDateFor = (age: number) => addDays(`${referenceYear - age - 1}-07-02`, r.int(0, 364));

	for (const [si, s] of demoSettlements.entries()) {
		const settlementId = settlementIds[si];
		const townshipWeights = s.origins.map((code, i) => [code, i === 0 ? 4 : 1] as const);
		let buildingNo = 0;
		let queue: { building: string; unitNo: string; room: string }[] = [];
		const nextFlat = () => {
			if (queue.length === 0) queue = buildingUnits(s.layout, ++buildingNo);
			return queue.shift()!;
		};
		const emptyFlat = (flat: { building: string; unitNo: string; room: string }) =>
			dwellings.push({
				id: newId(),
				settlementId,
				...flat,
				areaSqm: String(r.pick([50, 75, 100, 125]))
			});

		for (let i = 0; i < s.households; i++) {
			const householdId = newId();
			if (i === 0) firstHousehold.push(householdId);
			// the demo residents' households are families with something to show
			const kind = i === 0 ? 'three_generations' : r.weighted(familyKinds);
			const plan = planFamily(r, kind);
			const members: Person[] = plan.map((p, k) => {
				const birthDate = birthDateFor(p.age);
				const details = memberDetails(r, p, s.workshop);
				return {
					id: newId(),
					householdId,
					name: personName(r, p.surname, p.gender, p.age),
					isHead: k === 0,
					idNumber: idNumberFor(birthDate, p.gender),
					birthDate,
					phone: phoneFor(p.age),
					...details,
					away: details.away || !!p.away
				};
			});
			byHousehold.set(householdId, members);
			people.push(...members);

			// about one flat in twenty stays empty
			let flat = nextFlat();
			while (r.chance(0.05)) {
				emptyFlat(flat);
				flat = nextFlat();
			}
			dwellings.push({
				id: newId(),
				settlementId,
				...flat,
				areaSqm: String(
					s.layout.kind === 'rows' ? Math.max(75, areaFor(members.length)) : areaFor(members.length)
				)
			});

			const township = regions.get(r.weighted(townshipWeights))!;
			const villages = villagesOf(township.code).filter((v) => v.code !== s.region);
			const village = r.pick(villages);
			// most moved in within months of the opening, some in later years
			const movedInOn = addDays(s.openedOn, r.chance(0.88) ? r.int(0, 150) : r.int(150, 900));
			households.push({
				id: householdId,
				settlementId,
				...flat,
				headName: members[0].name,
				originRegionId: village.id,
				originTownship: township.name,
				originVillage: village.name,
				movedInOn,
				tags: []
			});
		}
		// the rest of the last building stands empty
		for (const flat of queue) emptyFlat(flat);
	}

	// 防止重复登记: three fathers registered with a son in one point and another son in another
	const settlementOf = new Map(households.map((h) => [h.id, h.settlementId]));
	const protectedHouseholds = new Set(firstHousehold);
	const duplicatePairs: [from: number, to: number][] = [
		[0, 1],
		[3, 5],
		[1, 6]
	];
	for (const [from, to] of duplicatePairs) {
		const father = people.find(
			(p) =>
				p.relation === '父亲' &&
				settlementOf.get(p.householdId) === settlementIds[from] &&
				!protectedHouseholds.has(p.householdId)
		);
		if (!father) throw new Error(`seed: no father to duplicate in point ${from}`);
		const surname = father.name[0];
		const target = households.find((h) => {
			if (h.settlementId !== settlementIds[to] || protectedHouseholds.has(h.id)) return false;
			const members = byHousehold.get(h.id)!;
			const head = members[0];
			return (
				head.gender === 'male' &&
				head.name[0] === surname &&
				head.age < father.age - 20 &&
				!members.some((m) => m.relation === '父亲')
			);
		});
		if (!target) throw new Error(`seed: no household in point ${to} for a duplicate`);
		const copy: Person = { ...father, id: newId(), householdId: target.id };
		byHousehold.get(target.id)!.push(copy);
		people.push(copy);
		protectedHouseholds.add(father.householdId).add(target.id);
	}

	// jumin's household: one member found work and asks for the record to be corrected
	const juminMembers = byHousehold.get(firstHousehold[0])!;
	const jobSeeker =
		juminMembers.find((m) => m.age >= 18 && m.age < 45 && m.relation !== '户主') ?? juminMembers[0];
	Object.assign(jobSeeker, { employment: '未就业', employer: null, job: null, away: false });

	// 公益性岗位: security, cleaning and greening posts for people of the point with no job,
	// those of households with nobody in work first
	interface Post {
		settlement: number;
		person: Person;
		postKind: 'security' | 'cleaning' | 'greening';
		startedOn: string;
	}
	const posts: Post[] = [];
	const postLabel = { security: '保安', cleaning: '保洁', greening: '保绿' } as const;
	for (const [si, s] of demoSettlements.entries()) {
		const count = Math.max(2, Math.round(s.households / 60));
		const candidates = people.filter(
			(p) =>
				settlementOf.get(p.householdId) === settlementIds[si] &&
				!protectedHouseholds.has(p.householdId) &&
				p.employment === '未就业' &&
				p.age >= 35
		);
		const jobless = (p: Person) =>
			!byHousehold
				.get(p.householdId)!
				.some((m) => ['务工', '公益性岗位', '自主创业', '灵活就业'].includes(m.employment));
		candidates.sort((a, b) => Number(jobless(b)) - Number(jobless(a)));
		for (const person of candidates.slice(0, count)) {
			let postKind = r.weighted([
				['cleaning', 45],
				['security', 30],
				['greening', 25]
			] as const);
			if (postKind === 'security' && person.gender === 'female') postKind = 'cleaning';
			Object.assign(person, {
				employment: '公益性岗位',
				publicPost: postLabel[postKind],
				employer: s.committeeName,
				job: `${postLabel[postKind]}员`
			});
			posts.push({
				settlement: si,
				person,
				postKind,
				startedOn: addDays(s.openedOn, r.int(30, 700))
			});
		}
	}

	// household tags, from the members as they now are
	const reference = new Date(Date.UTC(referenceYear, 6, 1));
	for (const h of households) {
		const members = byHousehold.get(h.id)!;
		const tags: HouseholdTag[] = [];
		const alone = members.length === 1 && members[0].age >= 60;
		const severe = members.some(
			(m) => m.health === '大病' || (m.health === '残疾' && (m.disabilityLevel ?? 4) <= 2)
		);
		const noIncome = !members.some((m) =>
			['务工', '公益性岗位', '自主创业', '灵活就业'].includes(m.employment)
		);
		const zero = isZeroEmployment(members, reference);
		if (r.chance(0.87)) tags.push('lifted_out');
		if (r.chance(0.04 + (severe ? 0.15 : 0) + (zero ? 0.3 : 0))) tags.push('monitored');
		if (alone && members[0].age >= 70 && noIncome && r.chance(0.3)) tags.push('extreme_poverty');
		else if (r.chance(0.04 + (severe ? 0.3 : 0) + (alone ? 0.2 : 0) + (noIncome ? 0.15 : 0)))
			tags.push('subsistence');
		else if (r.chance(0.035)) tags.push('near_subsistence');
		if (alone) tags.push('elderly_alone');
		const children = members.filter((m) => m.age < 16);
		const parentsAway = members.filter(
			(m) => ['子', '儿媳', '户主', '配偶'].includes(m.relation) && m.age < 60
		);
		if (
			children.length > 0 &&
			parentsAway.length > 0 &&
			parentsAway.every((m) => m.away && m.employment === '务工')
		)
			tags.push('left_behind_child');
		if (members.some((m) => m.health === '残疾')) tags.push('disabled');
		h.tags = tags;
	}

	await insertAll(tx, dwelling, dwellings, 1000);
	await insertAll(tx, household, households, 500);
	await insertAll(
		tx,
		resident,
		people.map(({ age: _age, away: _away, ...p }) => p),
		400
	);

	// accounts and their grants
	const userIds = new Map<string, string>();
	const grantIds = new Map<string, string>();
	const scopeOf = (scope: AccountSeed['scope']) => {
		switch (scope) {
			case 'global':
				return { scopeKind: 'global' as const };
			case 'county':
				return { scopeKind: 'region' as const, regionId: county.id };
			case 'settlement0':
				return { scopeKind: 'settlement' as const, settlementId: settlementIds[0] };
			case 'charity':
				return { scopeKind: 'organization' as const, organizationId: orgIds.charity };
			case 'mutualAid':
				return { scopeKind: 'organization' as const, organizationId: orgIds.mutualAid };
		}
	};
	const users: (typeof user.$inferInsert)[] = [];
	const grants: (typeof roleGrant.$inferInsert)[] = [];
	for (const a of demoAccounts) {
		const id = newId();
		userIds.set(a.username, id);
		users.push({ id, username: a.username, displayName: a.displayName, passwordHash });
		const grantId = newId();
		grantIds.set(a.username, grantId);
		grants.push({ id: grantId, userId: id, role: a.role, ...scopeOf(a.scope) });
	}
	for (const d of demoResidents) {
		const id = newId();
		const householdId = firstHousehold[d.settlement];
		userIds.set(d.username, id);
		users.push({
			id,
			username: d.username,
			displayName: byHousehold.get(householdId)![0].name,
			passwordHash,
			householdId
		});
		grants.push({
			id: newId(),
			userId: id,
			role: 'resident',
			scopeKind: 'settlement',
			settlementId: settlementIds[d.settlement]
		});
	}
	await tx.insert(user).values(users);
	await tx.insert(roleGrant).values(grants);

	// the 三员 roster
	const roster: (typeof staffAssignment.$inferInsert)[] = [];
	const assign = (si: number, row: Omit<typeof staffAssignment.$inferInsert, 'settlementId'>) =>
		roster.push({ id: newId(), settlementId: settlementIds[si], ...row });
	for (const [si, s] of demoSettlements.entries()) {
		const opened = s.openedOn;
		if (si === 0) {
			// the demo staff, linked to the grants they hold; the first 点长 handed over in 2023
			assign(0, {
				kind: 'point_chief',
				name: '谢建国（时任县政府党组成员、副县长）',
				startedOn: opened,
				endedOn: '2023-02-28'
			});
			assign(0, {
				kind: 'point_chief',
				userId: userIds.get('dianzhang'),
				grantId: grantIds.get('dianzhang'),
				name: s.chief ?? '',
				startedOn: '2023-03-01'
			});
			assign(0, {
				kind: 'point_admin',
				userId: userIds.get('guanliyuan'),
				grantId: grantIds.get('guanliyuan'),
				name: s.admins[0],
				startedOn: opened
			});
			for (const name of s.admins.slice(1))
				assign(0, { kind: 'point_admin', name, startedOn: addDays(opened, 200) });
		} else {
			if (s.chief) assign(si, { kind: 'point_chief', name: s.chief, startedOn: opened });
			for (const name of s.admins) assign(si, { kind: 'point_admin', name, startedOn: opened });
		}
		if (s.propertyCompany) {
			assign(si, { kind: 'property_company', name: s.propertyCompany, startedOn: opened });
			for (const title of ['物业项目经理', '物业客服', '水电维修工', '物业客服'].slice(
				0,
				si === 0 ? 4 : 3
			)) {
				const gender: Gender = title === '物业客服' ? 'female' : 'male';
				assign(si, {
					kind: 'property_staff',
					name: `${personName(r, r.pick(surnames), gender, r.int(28, 50))}（${title}）`,
					startedOn: addDays(opened, r.int(0, 60))
				});
			}
		}
	}
	for (const p of posts)
		assign(p.settlement, {
			kind: 'public_post',
			residentId: p.person.id,
			name: p.person.name,
			postKind: p.postKind,
			startedOn: p.startedOn
		});
	await insertAll(tx, staffAssignment, roster);

	// an open correction request from jumin's household
	await tx.insert(correctionRequest).values({
		id: newId(),
		householdId: firstHousehold[0],
		residentId: jobSeeker.id,
		field: '就业情况',
		message: `${jobSeeker.name}已于今年 9 月到贡江新区扶贫车间上班，做缝纫工，请把就业情况改为务工。`,
		createdBy: userIds.get('jumin')!
	});

	// 零就业家庭, by the same rule as refreshDerived
	await tx.execute(sql`
		update household h set zero_employment = (
			not exists (select 1 from resident r where r.household_id = h.id and r.status = 'active' and ${rIsEmployed})
			and exists (select 1 from resident r where r.household_id = h.id and r.status = 'active' and ${rIsLaborer})
		)
		where h.settlement_id in (${sql.join(
			settlementIds.map((id) => sql`${id}::uuid`),
			sql`, `
		)})`);

	// the services catalogue and demo requests, from random streams of their own
	await seedServices(tx, {
		random: randomTools(4_360_731),
		newId: uuids(4_731_360),
		insertAll,
		now,
		county,
		settlements: demoSettlements.map((s, i) => ({
			...s,
			id: settlementIds[i],
			regionPath: regions.get(s.region)!.path
		})),
		households,
		people,
		users
	});

	// the charity capability: offers, needs, pledges, funds and the 互助社, from streams of its own
	await seedCharity(tx, {
		random: randomTools(6_360_731),
		newId: uuids(6_731_360),
		insertAll,
		now,
		county,
		settlements: demoSettlements.map((s, i) => ({
			id: settlementIds[i],
			name: s.name,
			regionPath: regions.get(s.region)!.path
		})),
		households,
		people,
		users,
		organizations: orgIds
	});

	// governance: rules, decisions, councils, ceremonies and points, from streams of its own
	await seedGovernance(tx, {
		random: randomTools(5_360_731),
		newId: uuids(5_731_360),
		insertAll,
		now,
		settlements: demoSettlements.map((s, i) => ({
			id: settlementIds[i],
			name: s.name,
			kind: s.kind,
			regionPath: regions.get(s.region)!.path,
			committeeName: s.committeeName
		})),
		households,
		people,
		users,
		organizations: orgIds
	});

	// activities, care visits, risk flags, zero reports and the duplicate-benefit check
	await seedActivities(tx, {
		random: randomTools(7_360_731),
		newId: uuids(7_731_360),
		insertAll,
		now,
		county,
		settlements: demoSettlements.map((s, i) => ({
			id: settlementIds[i],
			name: s.name,
			regionPath: regions.get(s.region)!.path,
			committeeName: s.committeeName,
			workshop: s.workshop
		})),
		households,
		people,
		users,
		organizations: orgIds
	});
}
