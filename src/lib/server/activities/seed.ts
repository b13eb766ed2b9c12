// Demo data of activities, care visits and risk monitoring (动态监测): about 60 activities a
// point over the past year and a few to come, with the check-ins (and the demo residents'
// sign-ups) that make their counters and the monthly tallies; the first point's care targets
// (elders living alone, the severely disabled, left-behind children) with their visits, some
// overdue; risk flags in every status, one linked to a service request of its household; the
// points' monthly zero reports (one late, one missing); and the county's duplicate-benefit
// check over the register's doubly registered fathers. Called at the end of the demo seed
// (../seed.ts) inside its transaction, with random streams of its own, so two seeds make the
// same rows (ids included); times are relative to the seed's `now`.
// No points: past activities carry no points item, so their check-ins earned none; only
// upcoming ones at the first point name an item of its points list.
// The other points have no portal accounts of their own in the demo: what their staff did
// (check-ins from the paper sign-in sheets, the monthly reports) is entered under the system
// administrator's account, and their risk flags come from the register rules.
import { createHash } from 'node:crypto';
import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import {
	defaultIntervalDays,
	defaultVerifyWithinHours,
	reportDueOn,
	type ActivityKind,
	type CareGroup,
	type RiskCategory,
	type RiskOutcome,
	type RiskStatus,
	type VisitMode,
	type Wellbeing
} from '$lib/activities/vocab';
import { shanghaiDay } from '$lib/working-days';
import { schema, type Transaction } from '../db';

interface SeedRandom {
	next(): number;
	int(min: number, max: number): number;
	chance(p: number): boolean;
	pick<T>(list: readonly T[]): T;
	weighted<T>(entries: readonly (readonly [T, number])[]): T;
}

interface SeedPerson {
	id: string;
	householdId: string;
	name: string;
	relation: string;
	gender: 'male' | 'female';
	idNumber: string;
	/** as of mid-2026, as the demo seed planned it */
	age: number;
	/** works away from home (外出务工) */
	away: boolean;
	health: string;
	disabilityLevel: number | null;
	laborAbility: string;
	employment: string;
	publicPost: string | null;
}

interface SeedHousehold {
	id: string;
	settlementId: string;
	headName: string;
	movedInOn: string;
	tags: readonly string[];
}

export interface ActivitiesSeedInput {
	random: SeedRandom;
	newId: () => string;
	insertAll: <T extends PgTable>(
		tx: Transaction,
		table: T,
		rows: PgInsertValue<T>[],
		batch?: number
	) => Promise<void>;
	now: Date;
	county: { id: string; path: string };
	/** the county's points, the demo staff's first */
	settlements: readonly {
		id: string;
		name: string;
		regionPath: string;
		committeeName: string;
		workshop: string;
	}[];
	households: readonly SeedHousehold[];
	people: readonly SeedPerson[];
	users: readonly {
		id?: string;
		username: string;
		displayName: string;
		householdId?: string | null;
	}[];
	organizations: { charity: string; socialWork: string; enterprise: string };
}

const minute = 60_000;
const hour = 60 * minute;
const dayMs = 24 * hour;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => isoDay(Date.parse(`${day}T00:00:00Z`) + n * dayMs);
/** `minutes` past midnight of `day` in Asia/Shanghai (UTC+8). */
const shanghaiTime = (day: string, minutes: number) =>
	new Date(Date.parse(`${day}T00:00:00Z`) - 8 * hour + minutes * minute);
const monthOf = (at: Date) => shanghaiDay(at).slice(0, 7);
/** 'YYYY-MM' plus n months. */
function addMonths(month: string, n: number): string {
	const [y, m] = month.split('-').map(Number);
	const k = y * 12 + (m - 1) + n;
	return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}
/** 0 = Sunday … 6 = Saturday. */
const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

// ---------------------------------------------------------------------------------------------
// Activities

type Audience =
	'all' | 'adults' | 'women' | 'volunteers' | 'elders' | 'children' | 'workers' | 'party' | 'heads';

type Place = 'center' | 'square' | 'station' | 'canteen' | 'children' | 'hall' | 'workshop';

interface Template {
	kind: ActivityKind;
	title: string;
	description: string;
	audience: Audience;
	place: Place;
	/** Shanghai minutes past midnight, and how long it lasts */
	at: number;
	minutes: number;
	/** participants at the first point (the largest); smaller points scale it down */
	size: [number, number];
	capacity?: number;
	/** only in these months (1–12) */
	months?: number[];
	/** held on a Saturday */
	weekend?: boolean;
	/** numbered sessions: 第N期 */
	numbered?: boolean;
	/** who organises it, when not the point's staff */
	organization?: 'charity' | 'socialWork' | 'enterprise';
}

const templates: Template[] = [
	// 文体
	{
		kind: 'culture_sports',
		title: '广场舞教学',
		description: '老师带大家学新编的广场舞《红都之恋》，每周一次，零基础也能跟上，欢迎居民参加。',
		audience: 'women',
		place: 'square',
		at: 19 * 60 + 30,
		minutes: 90,
		size: [18, 40]
	},
	{
		kind: 'culture_sports',
		title: '“乐享安居”乒乓球友谊赛',
		description: '居民乒乓球友谊赛，分青年组和中老年组，现场报名，赛后颁发纪念品。',
		audience: 'adults',
		place: 'center',
		at: 14 * 60 + 30,
		minutes: 150,
		size: [16, 32]
	},
	{
		kind: 'culture_sports',
		title: '露天电影放映：《闪闪的红星》',
		description: '在文化广场放映红色经典电影，请自带小板凳，家长看好小孩。',
		audience: 'all',
		place: 'square',
		at: 19 * 60,
		minutes: 120,
		size: [40, 90]
	},
	{
		kind: 'culture_sports',
		title: '客家山歌对唱会',
		description: '邀请县文化馆的老师和居民一起唱客家山歌，会唱的来唱，爱听的来听。',
		audience: 'adults',
		place: 'square',
		at: 19 * 60 + 30,
		minutes: 120,
		size: [25, 60]
	},
	{
		kind: 'culture_sports',
		title: '写春联送福字',
		description: '县书法家协会的老师现场写春联、送福字，居民也可以自己动手写，笔墨纸张由社区提供。',
		audience: 'all',
		place: 'center',
		at: 9 * 60 + 30,
		minutes: 180,
		size: [40, 80],
		months: [1, 2, 12]
	},
	{
		kind: 'culture_sports',
		title: '元宵节猜灯谜游园会',
		description: '猜灯谜、套圈、投壶，猜中有小礼品，欢迎全家一起来。',
		audience: 'all',
		place: 'square',
		at: 19 * 60,
		minutes: 120,
		size: [50, 100],
		months: [2, 3]
	},
	{
		kind: 'culture_sports',
		title: '“三八”妇女节趣味运动会',
		description: '拔河、夹弹珠、跳绳等趣味项目，为搬迁妇女群众送上节日祝福。',
		audience: 'women',
		place: 'square',
		at: 9 * 60,
		minutes: 150,
		size: [30, 60],
		months: [3]
	},
	{
		kind: 'culture_sports',
		title: '端午节包粽子比赛',
		description: '邻里一起包粽子，比速度也比手艺，包好的粽子送给独居老人。',
		audience: 'adults',
		place: 'center',
		at: 9 * 60,
		minutes: 150,
		size: [20, 40],
		months: [5, 6]
	},
	{
		kind: 'culture_sports',
		title: '中秋节“邻里一家亲”游园晚会',
		description: '中秋游园晚会：文艺节目、猜灯谜、分月饼，欢迎新老邻居一起过节。',
		audience: 'all',
		place: 'square',
		at: 19 * 60,
		minutes: 150,
		size: [60, 120],
		months: [9, 10]
	},
	// 志愿服务
	{
		kind: 'volunteer',
		title: '周末环境卫生志愿服务',
		description:
			'组织居民志愿者清理楼道杂物、小区绿化带垃圾，整治乱堆乱放。手套、垃圾袋由社区提供。',
		audience: 'volunteers',
		place: 'square',
		at: 8 * 60 + 30,
		minutes: 120,
		size: [12, 30],
		weekend: true
	},
	{
		kind: 'volunteer',
		title: '义务理发进楼栋',
		description: '志愿者上门为行动不便的老人义务理发，其他老人可到党群服务中心理发。',
		audience: 'elders',
		place: 'center',
		at: 9 * 60,
		minutes: 180,
		size: [15, 35],
		organization: 'charity'
	},
	{
		kind: 'volunteer',
		title: '义诊进社区：量血压、测血糖',
		description: '县人民医院医生到社区义诊，免费量血压、测血糖，解答慢性病用药问题。请带上医保卡。',
		audience: 'elders',
		place: 'center',
		at: 8 * 60 + 30,
		minutes: 180,
		size: [30, 60],
		organization: 'charity'
	},
	{
		kind: 'volunteer',
		title: '反诈宣传进万家',
		description: '志愿者入户发放反诈宣传单，帮居民安装国家反诈中心 App，提醒不要轻信陌生来电。',
		audience: 'volunteers',
		place: 'center',
		at: 9 * 60 + 30,
		minutes: 120,
		size: [10, 24]
	},
	{
		kind: 'volunteer',
		title: '防溺水安全巡河',
		description: '暑期防溺水巡河志愿服务，沿河段劝离戏水儿童，检查警示牌和救生设施。',
		audience: 'volunteers',
		place: 'station',
		at: 15 * 60,
		minutes: 120,
		size: [8, 20],
		months: [5, 6, 7, 8, 9]
	},
	{
		kind: 'volunteer',
		title: '垃圾分类宣传志愿服务',
		description: '在小区出入口设宣传点，教居民分清可回收物、有害垃圾、厨余垃圾和其他垃圾。',
		audience: 'volunteers',
		place: 'square',
		at: 9 * 60,
		minutes: 120,
		size: [10, 22],
		weekend: true
	},
	// 技能培训
	{
		kind: 'skills_training',
		title: '缝纫工技能培训班',
		description:
			'免费缝纫工培训，结业后推荐到扶贫车间和县内服装企业就业。培训期间按规定发放生活补贴。',
		audience: 'workers',
		place: 'workshop',
		at: 9 * 60,
		minutes: 480,
		size: [20, 40],
		capacity: 40,
		numbered: true,
		organization: 'enterprise'
	},
	{
		kind: 'skills_training',
		title: '电商直播带货培训',
		description: '教大家用手机开网店、做直播，卖本地脐橙、腐竹、米粉等特产。',
		audience: 'workers',
		place: 'center',
		at: 9 * 60,
		minutes: 420,
		size: [15, 30],
		capacity: 30,
		numbered: true
	},
	{
		kind: 'skills_training',
		title: '家政服务员培训',
		description: '家政服务员（育婴、保洁、护理）技能培训，考核合格颁发职业技能等级证书。',
		audience: 'women',
		place: 'center',
		at: 9 * 60,
		minutes: 420,
		size: [15, 35],
		capacity: 40,
		numbered: true
	},
	{
		kind: 'skills_training',
		title: '脐橙种植与病虫害防治技术培训',
		description:
			'县农业农村局技术员讲授脐橙栽培管理和黄龙病防治，适合有果园或想到产业园务工的居民。',
		audience: 'workers',
		place: 'center',
		at: 9 * 60,
		minutes: 240,
		size: [15, 30]
	},
	{
		kind: 'skills_training',
		title: '就业招聘会暨用工对接会',
		description: '县内企业、扶贫车间现场招聘，提供普工、缝纫工、保洁、保安等岗位，请带身份证。',
		audience: 'workers',
		place: 'square',
		at: 9 * 60,
		minutes: 240,
		size: [30, 70]
	},
	// 党建
	{
		kind: 'party_building',
		title: '主题党日：重温入党誓词',
		description: '社区党支部主题党日活动：重温入党誓词，集中学习，党员认领志愿服务岗位。',
		audience: 'party',
		place: 'center',
		at: 9 * 60,
		minutes: 120,
		size: [12, 30]
	},
	{
		kind: 'party_building',
		title: '“三会一课”专题党课',
		description: '支部书记讲专题党课：发挥党员作用，做好搬迁群众“稳得住、能致富”工作。',
		audience: 'party',
		place: 'center',
		at: 14 * 60 + 30,
		minutes: 120,
		size: [12, 30]
	},
	{
		kind: 'party_building',
		title: '理论宣讲进小区',
		description: '宣讲员用群众听得懂的话讲惠民政策：就业补贴、医保报销、教育资助。',
		audience: 'adults',
		place: 'square',
		at: 19 * 60 + 30,
		minutes: 90,
		size: [30, 60]
	},
	{
		kind: 'party_building',
		title: '“七一”党员大会暨优秀党员表彰',
		description: '庆祝建党纪念日，表彰优秀共产党员和党员先锋岗。',
		audience: 'party',
		place: 'center',
		at: 9 * 60,
		minutes: 150,
		size: [15, 35],
		months: [7]
	},
	{
		kind: 'party_building',
		title: '党员冬训集中学习',
		description: '党员冬训集中学习，观看专题教育片，分组讨论。',
		audience: 'party',
		place: 'center',
		at: 14 * 60 + 30,
		minutes: 180,
		size: [15, 35],
		months: [12, 1, 2]
	},
	// 议事
	{
		kind: 'deliberation',
		title: '居民议事会：电动车集中充电棚选址',
		description: '楼道充电隐患大，请各楼栋居民代表商量集中充电棚建在哪里、怎么收费。',
		audience: 'heads',
		place: 'hall',
		at: 19 * 60 + 30,
		minutes: 120,
		size: [12, 25]
	},
	{
		kind: 'deliberation',
		title: '楼栋长会议：冬季消防安全',
		description: '布置冬季消防安全检查，楼栋长分片入户提醒用电用火安全。',
		audience: 'heads',
		place: 'hall',
		at: 19 * 60 + 30,
		minutes: 90,
		size: [10, 20],
		months: [11, 12, 1]
	},
	{
		kind: 'deliberation',
		title: '居民议事会：小区停车管理',
		description: '商议小区内车辆停放规则和访客停车办法，形成方案后公示。',
		audience: 'heads',
		place: 'hall',
		at: 19 * 60 + 30,
		minutes: 120,
		size: [12, 25]
	},
	{
		kind: 'deliberation',
		title: '“一约四会”居民代表座谈会',
		description: '听取居民代表对居民公约修订稿的意见，重点是红白事简办和高价彩礼。',
		audience: 'heads',
		place: 'hall',
		at: 14 * 60 + 30,
		minutes: 120,
		size: [15, 30]
	},
	{
		kind: 'deliberation',
		title: '物业服务恳谈会',
		description: '居民代表和物业面对面，反映保洁、维修、收费方面的问题。',
		audience: 'heads',
		place: 'hall',
		at: 19 * 60 + 30,
		minutes: 90,
		size: [10, 22]
	},
	// 一老一小
	{
		kind: 'elder_child',
		title: '孝老食堂集体生日会',
		description: '为本月过生日的老人办集体生日会，吃长寿面、切蛋糕，志愿者表演节目。',
		audience: 'elders',
		place: 'canteen',
		at: 11 * 60,
		minutes: 120,
		size: [15, 35],
		organization: 'socialWork'
	},
	{
		kind: 'elder_child',
		title: '老年人健康知识讲座',
		description: '社区医生讲高血压、糖尿病的日常管理和冬季防跌倒。',
		audience: 'elders',
		place: 'center',
		at: 9 * 60 + 30,
		minutes: 90,
		size: [20, 45]
	},
	{
		kind: 'elder_child',
		title: '适老化智能手机使用课',
		description: '手把手教老人用手机视频通话、扫码乘车、在“赣服通”上查社保。',
		audience: 'elders',
		place: 'center',
		at: 9 * 60 + 30,
		minutes: 120,
		size: [12, 25],
		capacity: 30
	},
	{
		kind: 'elder_child',
		title: '童伴之家课后作业辅导',
		description: '大学生志愿者辅导小学生写作业、读绘本，家长 18:30 前来接。',
		audience: 'children',
		place: 'children',
		at: 16 * 60 + 30,
		minutes: 120,
		size: [12, 30],
		organization: 'socialWork'
	},
	{
		kind: 'elder_child',
		title: '留守儿童亲情视频连线',
		description: '在童伴之家和在外务工的爸爸妈妈视频通话，社工陪伴。',
		audience: 'children',
		place: 'children',
		at: 19 * 60,
		minutes: 90,
		size: [8, 20],
		organization: 'socialWork'
	},
	{
		kind: 'elder_child',
		title: '童伴之家暑期托管班',
		description: '暑期托管：作业辅导、安全教育、手工和体育游戏，工作日全天开放。',
		audience: 'children',
		place: 'children',
		at: 8 * 60 + 30,
		minutes: 480,
		size: [20, 45],
		capacity: 50,
		months: [7, 8]
	},
	{
		kind: 'elder_child',
		title: '重阳节敬老宴',
		description: '重阳节为 70 岁以上老人办敬老宴，志愿者上门接送行动不便的老人。',
		audience: 'elders',
		place: 'canteen',
		at: 11 * 60,
		minutes: 150,
		size: [30, 60],
		months: [10]
	}
];

const kindWeights: [ActivityKind, number][] = [
	['culture_sports', 22],
	['volunteer', 18],
	['skills_training', 14],
	['party_building', 14],
	['deliberation', 10],
	['elder_child', 22]
];

/** Whether a member of the household could sign up for an activity for this audience. */
function suits(m: SeedPerson, audience: Audience): boolean {
	switch (audience) {
		case 'elders':
			return m.age >= 60;
		case 'children':
			return m.age >= 3 && m.age <= 15;
		case 'women':
			return m.gender === 'female' && m.age >= 18;
		case 'party':
			return false;
		case 'heads':
			return m.relation === '户主';
		case 'all':
			return m.age >= 3;
		default:
			return m.age >= 18;
	}
}

const cancelReasons = [
	'因台风暴雨天气，活动取消，另行通知。',
	'授课老师临时有事，活动延期。',
	'报名人数不足，本期取消。'
];

// ---------------------------------------------------------------------------------------------
// Care visits

const visitFindings: Record<CareGroup, Record<'well' | 'concern', string[]>> = {
	living_alone_elderly: {
		well: [
			'老人精神状态好，血压平稳，按时吃药。家中有米有油，水电正常。',
			'老人在家看电视，说最近睡得好，孝老食堂每天去吃午饭。',
			'电话问候，老人说身体还好，女儿上周回来看过。',
			'老人在楼下和邻居聊天，腿脚还利索，家里收拾得干净。'
		],
		concern: [
			'老人说最近腿疼，上下楼吃力，药快吃完了。',
			'老人感冒咳嗽几天了，没去看病，家里退烧药不多。',
			'天冷了，老人的被子太薄，电热毯坏了。',
			'老人忘了交电费，家里停电一天。'
		]
	},
	severe_disability: {
		well: [
			'家属照护到位，身上无压疮，护理补贴已按月到账。',
			'精神状态稳定，按时服药，轮椅使用正常。',
			'电话联系家属，说近况平稳，康复训练每周两次。'
		],
		concern: [
			'轮椅刹车坏了，家属希望帮忙联系残联更换。',
			'家属照护压力大，想了解居家托养服务。',
			'近期褥疮有反复，需要社区医生上门看看。'
		]
	},
	left_behind_child: {
		well: [
			'孩子在家写作业，爷爷奶奶照看得好，学习成绩中上。',
			'孩子按时上学，周末去童伴之家，和父母每周视频两次。',
			'视频问候，孩子说在学校交了新朋友，父母春节回来。'
		],
		concern: [
			'孩子这学期成绩下滑，老师反映上课走神，奶奶管不住。',
			'孩子沉迷手机游戏，晚上睡得晚。',
			'奶奶生病住院，孩子暂时由邻居照看。'
		]
	},
	child_in_difficulty: { well: ['孩子生活学习正常。'], concern: ['孩子近期情绪低落。'] },
	extreme_poverty: { well: ['供养金按月到账，生活正常。'], concern: ['身体不适，需要就医。'] }
};
const visitFollowUps: Record<CareGroup, string[]> = {
	living_alone_elderly: [
		'已联系社区医生上门看看，下次走访时再问。',
		'已送去退烧药，嘱咐多喝水，明天电话回访。',
		'已联系物业修好电热毯，送去一床厚被子。',
		'已帮老人在手机上交了电费，教他设置自动缴费。'
	],
	severe_disability: [
		'已联系县残联，登记更换轮椅。',
		'已介绍居家托养服务，家属考虑后答复。',
		'已约社区医生本周上门换药。'
	],
	left_behind_child: [
		'已和班主任沟通，安排童伴之家志愿者课后辅导。',
		'已和孩子父母视频沟通，约定手机使用时间。',
		'已安排童伴之家晚托，等奶奶出院。'
	],
	child_in_difficulty: ['继续关注。'],
	extreme_poverty: ['继续关注。']
};

// ---------------------------------------------------------------------------------------------

/** Seeds the activities, care visits, risk flags, zero reports and duplicate-benefit check. */
export async function seedActivities(tx: Transaction, input: ActivitiesSeedInput): Promise<void> {
	const { random: r, newId, insertAll, now, county } = input;
	const today = shanghaiDay(now);
	const thisMonth = today.slice(0, 7);
	const ago = (days: number, hours = 0) => new Date(now.getTime() - days * dayMs - hours * hour);

	const account = (username: string) => {
		const u = input.users.find((x) => x.username === username);
		if (!u?.id) throw new Error(`activities seed: no demo account ${username}`);
		return { id: u.id, name: u.displayName };
	};
	const [shegong, guanliyuan, dianzhang, minzheng, admin, jumin] = [
		'shegong',
		'guanliyuan',
		'dianzhang',
		'minzheng',
		'admin',
		'jumin'
	].map(account);
	const householdOf = (username: string) =>
		input.users.find((u) => u.username === username)!.householdId!;

	const first = input.settlements[0];
	const settlementById = new Map(input.settlements.map((s) => [s.id, s]));
	const householdById = new Map(input.households.map((h) => [h.id, h]));
	const membersOf = new Map<string, SeedPerson[]>();
	for (const p of input.people)
		membersOf.set(p.householdId, [...(membersOf.get(p.householdId) ?? []), p]);
	const householdsOf = new Map<string, SeedHousehold[]>();
	for (const h of input.households)
		householdsOf.set(h.settlementId, [...(householdsOf.get(h.settlementId) ?? []), h]);
	const peopleOf = (settlementId: string) =>
		(householdsOf.get(settlementId) ?? []).flatMap((h) => membersOf.get(h.id)!);

	// ---------------------------------------------------------------- activities
	type ActivityRow = typeof schema.activity.$inferInsert;
	const activities: ActivityRow[] = [];
	const signups: (typeof schema.activitySignup.$inferInsert)[] = [];
	const checkins: (typeof schema.activityCheckin.$inferInsert)[] = [];
	const audienceOf = new Map<string, Audience>();

	/** Draws n of the list without repeats (a partial shuffle of a copy). */
	const sample = <T>(list: readonly T[], n: number): T[] => {
		const copy = [...list];
		const k = Math.min(n, copy.length);
		for (let i = 0; i < k; i++) {
			const j = i + Math.floor(r.next() * (copy.length - i));
			[copy[i], copy[j]] = [copy[j], copy[i]];
		}
		return copy.slice(0, k);
	};

	for (const [si, s] of input.settlements.entries()) {
		const isFirst = si === 0;
		const community = s.committeeName.replace(/居委会|村民委员会/, '');
		const places: Record<Place, string> = {
			center: `${community}党群服务中心`,
			square: `${community}文化广场`,
			station: `${community}新时代文明实践站`,
			canteen: `${community}孝老食堂`,
			children: `${community}童伴之家`,
			hall: `${community}居民议事厅`,
			workshop: s.workshop
		};
		const people = peopleOf(s.id).filter((p) => !p.away);
		const partyMembers = people.filter((p) => p.age >= 25 && p.age <= 85 && r.chance(0.07));
		const pools: Record<Audience, SeedPerson[]> = {
			all: people.filter((p) => p.age >= 3),
			adults: people.filter((p) => p.age >= 18 && p.age <= 75),
			women: people.filter((p) => p.gender === 'female' && p.age >= 18 && p.age <= 70),
			volunteers: people.filter((p) => p.age >= 18 && p.age <= 68),
			elders: people.filter((p) => p.age >= 60),
			children: people.filter((p) => p.age >= 3 && p.age <= 15),
			workers: people.filter((p) => p.age >= 18 && p.age <= 55 && p.laborAbility !== '无劳动能力'),
			party: partyMembers,
			heads: people.filter((p) => p.relation === '户主')
		};
		// participants scale with the point: the largest gets the template's numbers (the smaller
		// ones get fewer than they would in life, to keep the seed quick)
		const scale = Math.min(1, Math.max(0.12, (householdsOf.get(s.id)?.length ?? 0) / 1080));
		const sessions = new Map<string, number>();
		// staff of the first point organise and check in; elsewhere the sheets are entered centrally
		const staffFor = (t: Template) =>
			!isFirst
				? null
				: t.kind === 'party_building'
					? r.pick([dianzhang, guanliyuan])
					: t.kind === 'deliberation'
						? guanliyuan
						: r.weighted([
								[shegong, 3],
								[guanliyuan, 1]
							] as const);

		const make = (t: Template, day: string, future: boolean, extra: Partial<ActivityRow> = {}) => {
			const staff = t.organization ? null : staffFor(t);
			const startsAt = shanghaiTime(day, t.at);
			const n = (sessions.get(t.title) ?? 0) + 1;
			sessions.set(t.title, n);
			const row: ActivityRow = {
				id: newId(),
				settlementId: s.id,
				regionPath: s.regionPath,
				kind: t.kind,
				title: t.numbered ? `${t.title}（第${n}期）` : t.title,
				description: t.description,
				place: places[t.place],
				startsAt,
				endsAt: new Date(startsAt.getTime() + t.minutes * minute),
				organizerId: staff?.id ?? null,
				organizationId: t.organization ? input.organizations[t.organization] : null,
				capacity: t.capacity ?? null,
				pointsItemCode: null,
				status: 'scheduled',
				signups: 0,
				participants: 0,
				createdBy: isFirst ? (staff ?? shegong).id : admin.id,
				// announced a week or two before
				createdAt: new Date(
					Math.min(startsAt.getTime() - r.int(5, 14) * dayMs, now.getTime() - r.int(1, 3) * dayMs)
				),
				...extra
			};
			activities.push(row);
			audienceOf.set(row.id!, t.audience);
			if (future || extra.status === 'cancelled') return row;
			const checker = isFirst ? (staff ?? shegong) : admin;
			const wanted = Math.max(3, Math.round(r.int(t.size[0], t.size[1]) * scale));
			const who = sample(pools[t.audience], Math.min(wanted, t.capacity ?? wanted));
			for (const p of who)
				checkins.push({
					id: newId(),
					activityId: row.id!,
					residentId: p.id,
					householdId: p.householdId,
					checkedInBy: checker.id,
					createdAt: new Date(startsAt.getTime() + r.int(-15, 30) * minute)
				});
			return row;
		};

		// the past year, about five a month
		const count = r.int(56, 64);
		const days: string[] = [];
		for (let i = 0; i < count; i++) days.push(addDays(today, -r.int(1, 364)));
		days.sort();
		for (let day of days) {
			const kind = r.weighted(kindWeights);
			const month = Number(day.slice(5, 7));
			const fitting = templates.filter(
				(t) => t.kind === kind && (!t.months || t.months.includes(month))
			);
			const t = r.pick(fitting);
			if (t.weekend) day = addDays(day, -((weekday(day) + 1) % 7));
			const cancelled = r.chance(0.03);
			make(
				t,
				day,
				false,
				cancelled ? { status: 'cancelled', cancelReason: r.pick(cancelReasons) } : {}
			);
		}

		// what is coming: at the first point a set the demo walks through, elsewhere two or three
		if (isFirst) {
			const find = (title: string) => templates.find((t) => t.title === title)!;
			const saturday = addDays(today, 6 - weekday(today) || 7);
			make(find('周末环境卫生志愿服务'), saturday, true, {
				capacity: 30,
				pointsItemCode: 'volunteer_activity',
				organizerId: shegong.id,
				createdBy: shegong.id,
				createdAt: ago(2),
				description:
					'清理楼道杂物和小区绿化带垃圾，整治乱堆乱放。请穿方便干活的衣服，手套、垃圾袋、火钳由社区提供。参加可得志愿服务积分。'
			});
			make(find('电商直播带货培训'), addDays(today, 9), true, { createdAt: ago(3) });
			make(find('孝老食堂集体生日会'), addDays(today, 12), true, { createdAt: ago(1) });
			const dance = make(
				{
					...find('广场舞教学'),
					title: '“迎新年”广场舞展演',
					description: '各楼栋广场舞队展演，欢迎居民报名参加或来现场加油。'
				},
				addDays(today, 16),
				true,
				{
					pointsItemCode: 'activity',
					organizerId: shegong.id,
					createdBy: shegong.id,
					createdAt: ago(1)
				}
			);
			// jumin signed his wife up on the phone
			const wife = membersOf.get(householdOf('jumin'))!.find((m) => m.relation === '配偶');
			if (wife)
				signups.push({
					id: newId(),
					activityId: dance.id!,
					residentId: wife.id,
					householdId: wife.householdId,
					signedUpBy: jumin.id,
					createdAt: ago(0, 20)
				});
		} else {
			const upcoming = r.int(2, 3);
			for (let i = 0; i < upcoming; i++) {
				const month = Number(addDays(today, 10).slice(5, 7));
				const t = r.pick(templates.filter((x) => !x.months || x.months.includes(month)));
				make(t, addDays(today, r.int(2, 20)), true, { createdAt: ago(r.int(1, 4)) });
			}
		}
	}

	// the demo residents' households signed up for some past activities on the phone and came
	const signUp = (username: string, settlementId: string, times: number) => {
		const account_ = account(username);
		const household = householdOf(username);
		const members = membersOf.get(household)!.filter((m) => !m.away);
		const past = activities.filter(
			(a) =>
				a.settlementId === settlementId &&
				a.status === 'scheduled' &&
				(a.startsAt as Date) < now &&
				a.capacity === null &&
				['culture_sports', 'elder_child', 'volunteer'].includes(a.kind)
		);
		const fits = (a: ActivityRow) => members.some((m) => suits(m, audienceOf.get(a.id!)!));
		const chosen = sample(past.filter(fits), times);
		for (const [k, a] of chosen.entries()) {
			const who = r.pick(members.filter((m) => suits(m, audienceOf.get(a.id!)!)));
			const startsAt = a.startsAt as Date;
			const cancelled = k === chosen.length - 1;
			signups.push({
				id: newId(),
				activityId: a.id!,
				residentId: who.id,
				householdId: household,
				signedUpBy: account_.id,
				createdAt: new Date(startsAt.getTime() - r.int(1, 4) * dayMs),
				cancelledAt: cancelled ? new Date(startsAt.getTime() - r.int(3, 20) * hour) : null
			});
			if (cancelled || checkins.some((c) => c.activityId === a.id && c.residentId === who.id))
				continue;
			checkins.push({
				id: newId(),
				activityId: a.id!,
				residentId: who.id,
				householdId: household,
				checkedInBy: settlementId === first.id ? shegong.id : admin.id,
				createdAt: new Date(startsAt.getTime() + r.int(-10, 20) * minute)
			});
		}
	};
	signUp('jumin', first.id, 6);
	signUp('jumin2', input.settlements[1].id, 3);

	// counters and tallies from the rows
	const byActivity = new Map(activities.map((a) => [a.id!, a]));
	for (const s of signups) if (!s.cancelledAt) byActivity.get(s.activityId)!.signups! += 1;
	for (const c of checkins) byActivity.get(c.activityId)!.participants! += 1;
	const tallies = new Map<string, typeof schema.activityTally.$inferInsert>();
	for (const a of activities) {
		if (a.status === 'cancelled') continue;
		const month = monthOf(a.startsAt as Date);
		const key = `${a.settlementId}|${month}|${a.kind}`;
		const t = tallies.get(key) ?? {
			settlementId: a.settlementId,
			regionPath: a.regionPath,
			month,
			kind: a.kind,
			activities: 0,
			participants: 0
		};
		t.activities! += 1;
		t.participants! += a.participants!;
		tallies.set(key, t);
	}
	activities.sort((a, b) => (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime());
	await insertAll(tx, schema.activity, activities, 300);
	await insertAll(tx, schema.activitySignup, signups);
	await insertAll(tx, schema.activityCheckin, checkins, 1000);
	await insertAll(tx, schema.activityTally, [...tallies.values()]);

	// ---------------------------------------------------------------- care targets and visits
	type TargetRow = typeof schema.careTarget.$inferInsert;
	type VisitRow = typeof schema.careVisit.$inferInsert;
	const targets: TargetRow[] = [];
	const visits: VisitRow[] = [];
	const firstHouseholds = householdsOf.get(first.id)!;
	const aloneElders = firstHouseholds
		.map((h) => membersOf.get(h.id)!)
		.filter((ms) => ms.length === 1 && ms[0].age >= 70)
		.map((ms) => ms[0]);
	const severelyDisabled = peopleOf(first.id).filter(
		(p) => p.health === '残疾' && (p.disabilityLevel ?? 4) <= 2
	);
	const leftBehind = firstHouseholds
		.filter((h) => h.tags.includes('left_behind_child'))
		.flatMap((h) => membersOf.get(h.id)!.filter((m) => m.age < 16));
	const chosen: [CareGroup, SeedPerson][] = [
		...sample(aloneElders, 24).map((p) => ['living_alone_elderly', p] as [CareGroup, SeedPerson]),
		...sample(severelyDisabled, 10).map((p) => ['severe_disability', p] as [CareGroup, SeedPerson]),
		...sample(leftBehind, 12).map((p) => ['left_behind_child', p] as [CareGroup, SeedPerson])
	];
	if (chosen.length < 30) throw new Error('activities seed: too few people for care targets');
	const lateJitter: [number, number][] = [
		[-2, 10],
		[-1, 15],
		[0, 45],
		[1, 12],
		[2, 10],
		[5, 8]
	];
	for (const [k, [group, person]] of chosen.entries()) {
		const intervalDays = defaultIntervalDays[group];
		const household = householdById.get(person.householdId)!;
		let since = addDays(today, -r.int(40, 300));
		if (since < household.movedInOn) since = household.movedInOn;
		// one target in five was left unvisited for a while: overdue now
		const overdue = k % 5 === 2;
		const stopAfter = overdue ? addDays(today, -intervalDays - r.int(3, 12)) : addDays(today, -1);
		const target: TargetRow = {
			id: newId(),
			settlementId: first.id,
			regionPath: first.regionPath,
			residentId: person.id,
			householdId: person.householdId,
			group,
			intervalDays,
			workerId: shegong.id,
			since,
			lastVisitedOn: null,
			nextDueOn: since,
			note:
				group === 'living_alone_elderly'
					? r.pick(['子女在外地务工', '有一个女儿在县城，偶尔回来', '无子女', ''])
					: group === 'left_behind_child'
						? '父母在外务工，由祖父母照看'
						: r.pick(['家属照护', '配偶照护，家中另有老人', '']),
			createdAt: shanghaiTime(since, 10 * 60)
		};
		targets.push(target);
		let due = since;
		let last: string | null = null;
		for (;;) {
			if (due >= today) break;
			let day = addDays(due, r.weighted(lateJitter));
			if (last && day <= last) day = addDays(last, 1);
			if (day < since) day = since;
			if (day > stopAfter) break;
			const visitor = r.chance(0.85) ? shegong : guanliyuan;
			const mode: VisitMode =
				group === 'left_behind_child'
					? r.weighted([
							['home', 60],
							['video', 25],
							['phone', 15]
						] as const)
					: r.weighted([
							['home', 60],
							['phone', 40]
						] as const);
			const wellbeing: Wellbeing = r.chance(0.12) ? 'concern' : 'well';
			const findings = r.pick(visitFindings[group][wellbeing === 'concern' ? 'concern' : 'well']);
			const at = shanghaiTime(day, r.int(9 * 60, 17 * 60));
			visits.push({
				id: newId(),
				targetId: target.id!,
				settlementId: first.id,
				regionPath: first.regionPath,
				residentId: person.id,
				householdId: person.householdId,
				visitedOn: day,
				visitorId: visitor.id,
				visitorName: visitor.name,
				mode,
				wellbeing,
				findings,
				followUp: wellbeing === 'concern' ? r.pick(visitFollowUps[group]) : '',
				onTime: day <= due,
				createdAt: new Date(at.getTime() + r.int(5, 90) * minute)
			});
			last = day;
			due = addDays(day, intervalDays);
		}
		target.lastVisitedOn = last;
		target.nextDueOn = last ? addDays(last, intervalDays) : since;
	}

	// ---------------------------------------------------------------- risk flags
	type FlagRow = typeof schema.riskFlag.$inferInsert;
	const flags: FlagRow[] = [];
	const links: (typeof schema.riskFlagLink.$inferInsert)[] = [];
	const verifyDue = (reportedAt: Date) =>
		new Date(reportedAt.getTime() + defaultVerifyWithinHours * hour);
	const protectedHouseholds = new Set([householdOf('jumin'), householdOf('jumin2')]);
	const usedHouseholds = new Set<string>();
	const flag = (
		household: string,
		row: Omit<FlagRow, 'id' | 'settlementId' | 'regionPath' | 'householdId' | 'verifyDueAt'>
	): FlagRow => {
		const h = householdById.get(household)!;
		usedHouseholds.add(household);
		const out: FlagRow = {
			id: newId(),
			settlementId: h.settlementId,
			regionPath: settlementById.get(h.settlementId)!.regionPath,
			householdId: household,
			verifyDueAt: verifyDue(row.reportedAt as Date),
			...row
		};
		out.updatedAt = [out.reportedAt, out.verifiedAt, out.assistedAt, out.closedAt]
			.filter((x): x is Date => !!x)
			.reduce((a, b) => (a > b ? a : b));
		flags.push(out);
		return out;
	};
	const freeHousehold = (settlementId: string, test: (ms: SeedPerson[]) => boolean) => {
		const h = (householdsOf.get(settlementId) ?? []).find(
			(x) =>
				!protectedHouseholds.has(x.id) && !usedHouseholds.has(x.id) && test(membersOf.get(x.id)!)
		);
		if (!h) throw new Error('activities seed: no household for a risk flag');
		return h.id;
	};
	const verification = (reportedAt: Date, by: { id: string }, verifyNote: string) => ({
		verifiedAt: new Date(reportedAt.getTime() + r.int(4, 40) * hour),
		verifiedBy: by.id,
		verifyNote
	});

	// (A) reported on discovery four days ago and still not verified: past its limit
	{
		const h = freeHousehold(first.id, (ms) => ms.some((m) => m.health === '大病' && m.age >= 18));
		const ill = membersOf.get(h)!.find((m) => m.health === '大病' && m.age >= 18)!;
		const foundAt = ago(4, 5);
		flag(h, {
			category: 'serious_illness',
			description: `楼栋长反映，${ill.name}（${ill.age}岁）近期查出肺部肿瘤，要去南昌住院手术，预计自付费用较大；家中主要靠打零工，已向亲戚借钱。`,
			source: 'discovery',
			foundAt,
			reportedAt: new Date(foundAt.getTime() + 2 * hour),
			reportedBy: shegong.id,
			status: 'reported'
		});
	}

	// (B) opened yesterday from a care visit: an old woman living alone fell at home
	{
		const day = addDays(today, -1);
		// targets are in the order of `chosen`
		const k = chosen.findIndex(
			([g, p], i) =>
				g === 'living_alone_elderly' &&
				i % 5 !== 2 &&
				!protectedHouseholds.has(p.householdId) &&
				!!targets[i].lastVisitedOn &&
				targets[i].lastVisitedOn! < day
		);
		if (k >= 0) {
			const target = targets[k];
			const person = chosen[k][1];
			const at = shanghaiTime(day, 10 * 60 + 20);
			const visitId = newId();
			const f = flag(person.householdId, {
				residentId: person.id,
				category: 'accident',
				description: `${person.name}（${person.age}岁，独居）前天在家中摔倒，右手腕肿痛，一直没去医院；一个人住，做饭、取水都困难。`,
				source: 'visit',
				visitId,
				foundAt: at,
				reportedAt: new Date(at.getTime() + 40 * minute),
				reportedBy: shegong.id,
				status: 'reported'
			});
			visits.push({
				id: visitId,
				targetId: target.id!,
				settlementId: first.id,
				regionPath: first.regionPath,
				residentId: person.id,
				householdId: person.householdId,
				visitedOn: day,
				visitorId: shegong.id,
				visitorName: shegong.name,
				mode: 'home',
				wellbeing: 'urgent',
				findings: '老人前天在家中摔倒，右手腕肿痛，没去医院，做饭取水都困难。',
				followUp: '已报告风险，联系社区医生上门检查；孝老食堂这几天送餐上门。',
				riskFlagId: f.id,
				onTime: day <= target.nextDueOn!,
				createdAt: new Date(at.getTime() + 35 * minute)
			});
			target.lastVisitedOn = day;
			target.nextDueOn = addDays(day, target.intervalDays);
		}
	}

	// (C) verified: the family's earner lost his job
	{
		const h = freeHousehold(
			first.id,
			(ms) =>
				ms.length >= 3 &&
				ms.filter((m) => ['务工', '灵活就业'].includes(m.employment)).length === 1 &&
				ms.some((m) => m.age < 16)
		);
		const earner = membersOf.get(h)!.find((m) => ['务工', '灵活就业'].includes(m.employment))!;
		const reportedAt = ago(9, 3);
		flag(h, {
			residentId: earner.id,
			category: 'unemployment',
			description: `${earner.name}所在的工厂停产，已两个月没有收入；家中还有孩子上学，其他人没有工作。`,
			source: 'discovery',
			foundAt: new Date(reportedAt.getTime() - 3 * hour),
			reportedAt,
			reportedBy: shegong.id,
			status: 'verified',
			...verification(
				reportedAt,
				guanliyuan,
				'已入户核实，情况属实。拟推荐扶贫车间岗位，并登记就业帮扶。'
			)
		});
	}

	// (D) assisted: a service request the household filed, linked to the flag
	const requestCategories: [string, RiskCategory, string][] = [
		['temporary_relief', 'accident', '家中突发变故，一时生活困难，已帮助申请临时救助。'],
		['dibao', 'income_drop', '家庭收入骤减，已帮助申请低保。'],
		[
			'disability_card',
			'severe_disability',
			'家庭成员重度残疾，护理负担重，已帮助办理残疾证和补贴。'
		]
	];
	const requests = await tx
		.select({
			id: schema.serviceRequest.id,
			householdId: schema.serviceRequest.householdId,
			status: schema.serviceRequest.status,
			submittedAt: schema.serviceRequest.submittedAt,
			closedAt: schema.serviceRequest.closedAt,
			code: schema.serviceCategory.code
		})
		.from(schema.serviceRequest)
		.innerJoin(
			schema.serviceCategory,
			eq(schema.serviceCategory.id, schema.serviceRequest.categoryId)
		)
		.where(
			and(
				eq(schema.serviceRequest.settlementId, first.id),
				inArray(
					schema.serviceCategory.code,
					requestCategories.map(([code]) => code)
				)
			)
		)
		.orderBy(asc(schema.serviceRequest.submittedAt));
	const usable = (x: (typeof requests)[number]) =>
		!protectedHouseholds.has(x.householdId) && !usedHouseholds.has(x.householdId);
	{
		const running = requests.filter(
			(x) =>
				usable(x) &&
				['accepted', 'in_progress', 'waiting_origin', 'waiting_resident'].includes(x.status) &&
				x.submittedAt >= ago(60) &&
				x.submittedAt <= ago(5)
		);
		const req = running[0];
		if (!req) throw new Error('activities seed: no running request to link to a flag');
		const [, category, description] = requestCategories.find(([code]) => code === req.code)!;
		const foundAt = new Date(req.submittedAt.getTime() - 30 * hour);
		const reportedAt = new Date(foundAt.getTime() + 2 * hour);
		const verified = verification(reportedAt, guanliyuan, '入户核实属实，纳入监测。');
		const linkedAt = new Date(
			Math.max(verified.verifiedAt!.getTime(), req.submittedAt.getTime()) + 2 * hour
		);
		const f = flag(req.householdId, {
			category,
			description,
			source: 'discovery',
			foundAt,
			reportedAt,
			reportedBy: shegong.id,
			status: 'assisted',
			...verified,
			assistedAt: linkedAt
		});
		links.push({
			id: newId(),
			flagId: f.id!,
			kind: 'service_request',
			targetId: req.id,
			linkedBy: guanliyuan.id,
			createdAt: linkedAt
		});
	}

	// (E) assisted through a charity need of the household
	{
		const needs = await tx
			.select({
				id: schema.need.id,
				householdId: schema.need.householdId,
				category: schema.need.category,
				createdAt: schema.need.createdAt
			})
			.from(schema.need)
			.where(
				and(
					eq(schema.need.settlementId, first.id),
					inArray(schema.need.status, ['published', 'funded', 'delivered']),
					lte(schema.need.createdAt, ago(3)),
					gte(schema.need.createdAt, ago(120))
				)
			)
			.orderBy(asc(schema.need.createdAt));
		const need = needs.find(
			(n) => !protectedHouseholds.has(n.householdId) && !usedHouseholds.has(n.householdId)
		);
		if (need) {
			const category: RiskCategory =
				need.category === 'medical'
					? 'serious_illness'
					: need.category === 'schooling'
						? 'schooling'
						: 'expense_surge';
			const reportedAt = new Date(need.createdAt.getTime() - 50 * hour);
			const verified = verification(reportedAt, guanliyuan, '核实属实，已帮助发布帮扶需求。');
			const linkedAt = new Date(
				Math.max(verified.verifiedAt!.getTime(), need.createdAt.getTime()) + hour
			);
			const f = flag(need.householdId, {
				category,
				description:
					category === 'schooling'
						? '孩子考上大学，学费和生活费一时凑不齐，家庭支出骤增。'
						: category === 'serious_illness'
							? '家庭成员患病，医疗支出大，报销后自付部分家庭难以承担。'
							: '家庭近期支出骤增，生活出现困难。',
				source: 'discovery',
				foundAt: new Date(reportedAt.getTime() - 5 * hour),
				reportedAt,
				reportedBy: shegong.id,
				status: 'assisted',
				...verified,
				assistedAt: linkedAt
			});
			links.push({
				id: newId(),
				flagId: f.id!,
				kind: 'need',
				targetId: need.id,
				linkedBy: guanliyuan.id,
				createdAt: linkedAt
			});
		}
	}

	// (F) closed, risk removed: 低保 granted after the request was done
	{
		const done = requests.find(
			(x) => usable(x) && x.status === 'done' && x.closedAt && x.submittedAt >= ago(200)
		);
		if (!done) throw new Error('activities seed: no finished request to close a flag with');
		const [, category, description] = requestCategories.find(([code]) => code === done.code)!;
		const reportedAt = new Date(done.submittedAt.getTime() - 26 * hour);
		const verified = verification(reportedAt, guanliyuan, '核实属实。');
		const linkedAt = new Date(
			Math.max(verified.verifiedAt!.getTime(), done.submittedAt.getTime()) + hour
		);
		const closedAt = new Date(
			Math.min(done.closedAt!.getTime() + r.int(3, 10) * dayMs, now.getTime() - dayMs)
		);
		const f = flag(done.householdId, {
			category,
			description,
			source: 'discovery',
			foundAt: new Date(reportedAt.getTime() - 4 * hour),
			reportedAt,
			reportedBy: shegong.id,
			status: 'closed',
			...verified,
			assistedAt: linkedAt,
			closedAt,
			closedBy: guanliyuan.id,
			outcome: 'risk_removed',
			outcomeNote: '帮扶措施已落实，家庭收支恢复稳定，经评议予以消除风险。'
		});
		links.push({
			id: newId(),
			flagId: f.id!,
			kind: 'service_request',
			targetId: done.id,
			linkedBy: guanliyuan.id,
			createdAt: linkedAt
		});
	}

	// (G) closed as not a risk, straight from reported
	{
		const h = freeHousehold(first.id, (ms) => ms.length >= 4);
		const reportedAt = ago(48, 6);
		flag(h, {
			category: 'expense_surge',
			description: '邻居反映该户最近借了不少钱，怀疑家里出了事。',
			source: 'discovery',
			foundAt: new Date(reportedAt.getTime() - 20 * hour),
			reportedAt,
			reportedBy: shegong.id,
			status: 'closed',
			closedAt: new Date(reportedAt.getTime() + 30 * hour),
			closedBy: guanliyuan.id,
			outcome: 'not_a_risk',
			outcomeNote: '经入户核实，借款是为儿子结婚买车，家庭收入稳定，不属于返贫风险。'
		});
	}

	// (H) closed, transferred: the house back home fell in the rains; verified late (escalated)
	{
		const h = freeHousehold(first.id, (ms) => ms.length >= 2 && ms[0].age >= 50);
		const reportedAt = ago(130, 2);
		const verifiedAt = new Date(reportedAt.getTime() + 80 * hour);
		flag(h, {
			category: 'disaster',
			description: '户主反映老家的旧房在暴雨中倒塌，存放的农具和粮食损毁，担心影响原籍的承包地。',
			source: 'discovery',
			foundAt: new Date(reportedAt.getTime() - 6 * hour),
			reportedAt,
			reportedBy: guanliyuan.id,
			status: 'closed',
			escalatedAt: verifyDue(reportedAt),
			verifiedAt,
			verifiedBy: dianzhang.id,
			verifyNote: '属实，旧房已不住人，安置房居住正常。',
			closedAt: new Date(verifiedAt.getTime() + 5 * dayMs),
			closedBy: dianzhang.id,
			outcome: 'transferred',
			outcomeNote: '已转交迁出地乡镇处理旧房拆除复垦和灾损补助。'
		});
	}

	// (I) a register rule: the household became zero-employment; verified
	const zeroHouseholds = await tx
		.select({ id: schema.household.id, settlementId: schema.household.settlementId })
		.from(schema.household)
		.where(eq(schema.household.zeroEmployment, true))
		.orderBy(
			asc(schema.household.building),
			asc(schema.household.unitNo),
			asc(schema.household.room)
		);
	const zeroIn = (settlementId: string) =>
		zeroHouseholds.find(
			(h) =>
				h.settlementId === settlementId &&
				!protectedHouseholds.has(h.id) &&
				!usedHouseholds.has(h.id)
		);
	const ruleFlag = (
		settlementId: string,
		reportedAt: Date,
		status: RiskStatus,
		verifier: { id: string },
		outcome?: [RiskOutcome, string, Date]
	) => {
		const h = zeroIn(settlementId);
		if (!h) return;
		flag(h.id, {
			category: 'unemployment',
			description: '家庭成为零就业家庭：有劳动力，但没有一人就业。',
			source: 'register_rule',
			registerRule: 'zero_employment',
			foundAt: reportedAt,
			reportedAt,
			reportedBy: null,
			status,
			...(status === 'reported'
				? {}
				: verification(reportedAt, verifier, '核实属实，已登记就业帮扶需求，推荐公益性岗位。')),
			...(outcome
				? {
						closedAt: outcome[2],
						closedBy: verifier.id,
						outcome: outcome[0],
						outcomeNote: outcome[1]
					}
				: {})
		});
	};
	ruleFlag(first.id, ago(21, 4), 'verified', guanliyuan);
	// elsewhere in the county, verified and closed by civil affairs
	ruleFlag(input.settlements[3].id, ago(12, 2), 'verified', minzheng);
	{
		// a household that became zero-employment and was helped into a 公益性岗位
		const s = input.settlements[1];
		const h = (householdsOf.get(s.id) ?? []).find(
			(x) =>
				!protectedHouseholds.has(x.id) &&
				membersOf.get(x.id)!.some((m) => m.publicPost) &&
				membersOf
					.get(x.id)!
					.every((m) => m.publicPost || !['务工', '灵活就业', '自主创业'].includes(m.employment))
		);
		if (h) {
			const post = membersOf.get(h.id)!.find((m) => m.publicPost)!;
			const reportedAt = ago(110, 1);
			flag(h.id, {
				category: 'unemployment',
				description: '家庭成为零就业家庭：有劳动力，但没有一人就业。',
				source: 'register_rule',
				registerRule: 'zero_employment',
				foundAt: reportedAt,
				reportedAt,
				reportedBy: null,
				status: 'closed',
				...verification(reportedAt, minzheng, '核实属实。'),
				closedAt: new Date(reportedAt.getTime() + 25 * dayMs),
				closedBy: minzheng.id,
				outcome: 'risk_removed',
				outcomeNote: `已安排${post.name}到公益性岗位（${post.publicPost}）上岗，家庭有了稳定收入。`
			});
		}
	}

	flags.sort((a, b) => (a.reportedAt as Date).getTime() - (b.reportedAt as Date).getTime());
	await insertAll(tx, schema.careTarget, targets);
	await insertAll(tx, schema.careVisit, visits, 500);
	await insertAll(tx, schema.riskFlag, flags);
	await insertAll(tx, schema.riskFlagLink, links);

	// ---------------------------------------------------------------- monthly zero reports
	// the last six months; the current one is still open. 禾丰 (no 专职管理员) missed one, 盘古山
	// (no 点长) filed one late; last month's reports come in during the first days of this one.
	const flagsIn = new Map<string, number>();
	for (const f of flags) {
		const key = `${f.settlementId}|${monthOf(f.reportedAt as Date)}`;
		flagsIn.set(key, (flagsIn.get(key) ?? 0) + 1);
	}
	const missing = { settlement: 7, month: addMonths(thisMonth, -2) };
	const late = { settlement: 6, month: addMonths(thisMonth, -3) };
	const reports: (typeof schema.monthlyReport.$inferInsert)[] = [];
	for (let back = 6; back >= 1; back--) {
		const month = addMonths(thisMonth, -back);
		const dueOn = reportDueOn(month);
		for (const [si, s] of input.settlements.entries()) {
			if (si === missing.settlement && month === missing.month) continue;
			const isLate = si === late.settlement && month === late.month;
			const day = isLate ? addDays(dueOn, r.int(2, 6)) : `${dueOn.slice(0, 8)}0${r.int(1, 5)}`;
			const submittedAt = shanghaiTime(day, r.int(8 * 60 + 30, 17 * 60 + 30));
			if (submittedAt >= now) continue;
			const flagCount = flagsIn.get(`${s.id}|${month}`) ?? 0;
			const by = si === 0 ? r.pick([guanliyuan, dianzhang]) : admin;
			reports.push({
				id: newId(),
				settlementId: s.id,
				regionPath: s.regionPath,
				month,
				nothingFound: flagCount === 0,
				flagCount,
				note:
					flagCount === 0
						? r.pick(['本月未发现风险户。', '本月走访排查，未发现风险户。', ''])
						: `本月报告风险户 ${flagCount} 户，均已按程序核实处理。`,
				dueOn,
				late: shanghaiDay(submittedAt) > dueOn,
				submittedBy: by.id,
				submittedByName: by.name,
				submittedAt
			});
		}
	}
	await insertAll(tx, schema.monthlyReport, reports);

	// ---------------------------------------------------------------- duplicate-benefit check
	// the register's doubly registered fathers: the same ID in two active households
	const byIdNumber = new Map<string, SeedPerson[]>();
	for (const p of input.people)
		byIdNumber.set(p.idNumber, [...(byIdNumber.get(p.idNumber) ?? []), p]);
	const doubles = [...byIdNumber.values()].filter(
		(ps) => new Set(ps.map((p) => p.householdId)).size > 1
	);
	if (doubles.length > 0) {
		const ranAt = new Date(shanghaiTime(shanghaiDay(ago(3)), 9 * 60 + 40).getTime());
		const run = {
			id: newId(),
			regionPath: county.path,
			month: addMonths(monthOf(ranAt), -1),
			found: doubles.length,
			ranBy: minzheng.id,
			ranAt
		};
		await tx.insert(schema.benefitCheckRun).values(run);
		// the one that touches the first point stays open for its staff; the others were dismissed
		doubles.sort(
			(a, b) =>
				Number(b.some((p) => householdById.get(p.householdId)!.settlementId === first.id)) -
				Number(a.some((p) => householdById.get(p.householdId)!.settlementId === first.id))
		);
		// dismissed, not resolved: the register still holds both entries, and the check raises a
		// resolved (fixed) duplicate again while it stays, but never a dismissed one
		const resolutions: string[] = [
			'经核实，老人两处登记但只在次子户领取高龄津贴和养老金，不属于重复享受待遇；已提醒原登记户办理迁出。',
			'经核实，两处登记均未享受同一项待遇（仅一处领取养老金），不属于重复保障，台账待迁移后更正。'
		];
		await insertAll(
			tx,
			schema.duplicateBenefit,
			doubles.map((ps, i) => {
				const households = [...new Set(ps.map((p) => p.householdId))];
				const resolution = i === 0 ? null : resolutions[(i - 1) % resolutions.length];
				return {
					id: newId(),
					runId: run.id,
					regionPath: county.path,
					settlementIds: [...new Set(households.map((h) => householdById.get(h)!.settlementId))],
					kind: 'same_person_two_households' as const,
					key: createHash('sha256').update(ps[0].idNumber).digest('hex'),
					residentIds: ps.map((p) => p.id),
					householdIds: households,
					status: resolution ? ('dismissed' as const) : ('open' as const),
					resolution,
					resolvedBy: resolution ? minzheng.id : null,
					resolvedAt: resolution ? new Date(ranAt.getTime() + (i + 1) * 20 * hour) : null,
					createdAt: ranAt
				};
			})
		);
	}
}
