// Demo data of the services capability: 于都县's catalogue of common services and about 300
// requests over its points, with timelines, 帮代办 consent, ratings, pauses, a few overdue
// requests escalated to the 点长, and notifications for the demo accounts. Called at the end of
// the demo seed (../seed.ts) inside its transaction, with its random streams, so two seeds make
// the same rows (ids included); times are relative to the seed's `now`.
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import { inArray } from 'drizzle-orm';
import {
	requestNumber,
	type ConsentMethod,
	type EventKind,
	type RequestStatus
} from '$lib/services/workflow';
import { addWorkingDays, isWorkingDay, shanghaiDay, workingDaysBetween } from '$lib/working-days';
import { schema, type Transaction } from '../db';
import { statusWords } from './shared';

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
	/** as of mid-2026, as the demo seed planned it */
	age: number;
	phone: string | null;
	health: string;
	employment: string;
}

export interface ServicesSeedInput {
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
		admins: readonly string[];
		chief: string | null;
		workshop: string;
	}[];
	households: readonly {
		id: string;
		settlementId: string;
		headName: string;
		originTownship: string;
		originVillage: string;
		tags: readonly string[];
	}[];
	people: readonly SeedPerson[];
	users: readonly {
		id?: string;
		username: string;
		displayName: string;
		householdId?: string | null;
	}[];
}

// ---------------------------------------------------------------------------------------------
// The catalogue

export type ServiceCode =
	| 'hukou_transfer'
	| 'insurance_transfer'
	| 'dibao'
	| 'temporary_relief'
	| 'disability_card'
	| 'employment'
	| 'schooling'
	| 'elder_care'
	| 'documents'
	| 'other';

interface CatalogueEntry {
	code: ServiceCode;
	name: string;
	description: string;
	materials: string[];
	timeLimitDays: number;
	needsOrigin: boolean;
	urgent: boolean;
}

/** 于都县's common services, in the order the service tiles show them. */
export const demoCatalogue: CatalogueEntry[] = [
	{
		code: 'hukou_transfer',
		name: '户籍迁移',
		description:
			'搬迁群众把户口从原籍村迁入安置点所在社区，或办理分户、地址变更。由安置点窗口代为向迁出地派出所申请迁移证明、向县公安局户政部门申请落户，群众不用回老家来回跑。',
		materials: [
			'户口簿',
			'居民身份证（迁移人员本人）',
			'安置房分配或入住证明',
			'户口迁移申请表（窗口提供）',
			'近期免冠照片 1 张（16 周岁以上办理新身份证用）'
		],
		timeLimitDays: 20,
		needsOrigin: true,
		urgent: false
	},
	{
		code: 'insurance_transfer',
		name: '社保/医保接续',
		description:
			'城乡居民基本养老保险、基本医疗保险的参保关系由原籍地转入安置地，或变更参保地、补缴断缴月份。窗口与原籍地社保所、医保经办机构对接，办好后在县内定点医院看病直接结算。',
		materials: ['居民身份证', '户口簿', '社会保障卡', '参保缴费凭证（原籍地开具，可由窗口代取）'],
		timeLimitDays: 15,
		needsOrigin: true,
		urgent: false
	},
	{
		code: 'dibao',
		name: '低保/特困申请',
		description:
			'申请城乡最低生活保障或特困人员救助供养。窗口受理后入户调查、核对家庭经济状况，经民主评议和张榜公示，报乡镇审核、县民政局确认，批准后按月发放到“一卡通”。',
		materials: [
			'户口簿',
			'全体家庭成员居民身份证',
			'低保（特困）申请书（户主签字）',
			'家庭经济状况核对授权书（成年家庭成员签字）',
			'收入证明或无收入声明',
			'残疾人证、疾病诊断证明（如有）'
		],
		timeLimitDays: 20,
		needsOrigin: false,
		urgent: false
	},
	{
		code: 'temporary_relief',
		name: '临时救助',
		description:
			'因火灾、交通事故、突发重大疾病等导致基本生活暂时出现严重困难的家庭，可申请临时救助。急难型救助实行“先行救助”：24 小时内受理，先救助、后补材料。',
		materials: [
			'居民身份证',
			'户口簿',
			'临时救助申请书',
			'事故证明、医院诊断书或医疗费用清单',
			'银行卡或“一卡通”'
		],
		timeLimitDays: 5,
		needsOrigin: false,
		urgent: true
	},
	{
		code: 'disability_card',
		name: '残疾证办理',
		description:
			'第二代残疾人证的新办、换领和等级变更。窗口帮助预约县残联指定医院评残，评定结果出来后由窗口代领残疾人证，行动不便的送证上门。',
		materials: [
			'户口簿',
			'居民身份证',
			'近期二寸白底免冠彩色照片 3 张',
			'《残疾人证申请表》（窗口提供）',
			'相关病历或诊断证明'
		],
		timeLimitDays: 20,
		needsOrigin: false,
		urgent: false
	},
	{
		code: 'employment',
		name: '就业登记/培训',
		description:
			'办理就业失业登记、领取《就业创业证》，报名缝纫工、电工、家政服务、电商等免费技能培训，推荐扶贫车间、园区企业和公益性岗位。',
		materials: ['居民身份证', '户口簿', '一寸照片 1 张', '学历或职业技能证书（如有）'],
		timeLimitDays: 5,
		needsOrigin: false,
		urgent: false
	},
	{
		code: 'schooling',
		name: '子女入学',
		description:
			'随迁子女在安置地就近入读幼儿园、小学、初中，或从原籍学校转学。窗口与县教育局对接学位，协助办理学籍转接和教育资助。',
		materials: [
			'户口簿',
			'儿童居民身份证或出生医学证明',
			'安置房入住证明',
			'原就读学校学籍信息（转学时）',
			'预防接种证'
		],
		timeLimitDays: 10,
		needsOrigin: false,
		urgent: false
	},
	{
		code: 'elder_care',
		name: '养老服务',
		description:
			'申请高龄津贴、居家养老上门服务、社区日间照料中心和老年助餐点；生活不能自理的特困老人可申请敬老院集中供养。',
		materials: ['居民身份证', '户口簿', '老年人能力评估表（窗口协助填写）', '银行卡或“一卡通”'],
		timeLimitDays: 10,
		needsOrigin: false,
		urgent: false
	},
	{
		code: 'documents',
		name: '证照代办',
		description:
			'居民身份证换领补领、社会保障卡补换、安置房不动产权证书等证照由窗口代办代领，办好后通知领取，行动不便的送证上门。',
		materials: [
			'居民身份证或户口簿',
			'近期免冠照片（按证件要求）',
			'代办委托书（代领时）',
			'原证件（换领时）'
		],
		timeLimitDays: 10,
		needsOrigin: false,
		urgent: false
	},
	{
		code: 'other',
		name: '其他',
		description:
			'上面没有列出的事项。请写清楚要办什么事，窗口工作人员会联系您，帮您找到负责的部门并跟进到底。',
		materials: ['居民身份证', '与所办事项有关的证明材料'],
		timeLimitDays: 10,
		needsOrigin: false,
		urgent: false
	}
];

// ---------------------------------------------------------------------------------------------
// Words

const schools = [
	'于都县第三小学',
	'于都县长征源小学',
	'于都县贡江中学',
	'于都县第二中学',
	'于都县实验幼儿园'
];

const descriptions: Record<ServiceCode, ((w: Words) => string)[]> = {
	hukou_transfer: [
		(w) =>
			`${w.member}的户口还在${w.origin}，想迁到安置点所在社区，以后孩子上学、办事都在这边，不用再回老家开证明。`,
		(w) => `全家搬到安置点好几年了，户口还没迁过来。申请把${w.member}的户口迁入现住址。`,
		(w) => `${w.member}结婚后要分户，户口簿上的地址也要改成安置点的新地址。`
	],
	insurance_transfer: [
		(w) => `${w.member}的城乡居民医保还在${w.origin}交，看病要回老家报销，申请转到安置地参保。`,
		(w) => `${w.member}的养老保险关系在原籍，想转到这边续交，年纪大了来回跑不动。`,
		(w) => `${w.member}的医保去年断交了几个月，想补缴并把参保地改到安置点。`
	],
	dibao: [
		(w) => `家里${w.member}常年生病，没有劳动能力，靠亲戚接济过日子，申请低保。`,
		(w) => `${w.member}去年查出尿毒症，每周要透析，家里收入不够看病和生活，申请低保。`,
		(w) => `${w.member}年纪大了，无儿无女，申请特困供养。`
	],
	temporary_relief: [
		() => `家里厨房昨晚失火，电器和家具烧坏了，一家人暂时没有做饭的地方，申请临时救助。`,
		(w) => `${w.member}突发脑出血住院，已花了三万多元，家里拿不出钱，申请临时救助。`,
		(w) => `${w.member}在工地摔伤，住院期间没有收入，孩子学费交不上，请求救助。`
	],
	disability_card: [
		(w) => `${w.member}腿脚不便多年，一直没有办残疾证，申请评残办证。`,
		(w) => `${w.member}的残疾证是第一代的，快到期了，申请换领第二代残疾人证。`,
		(w) => `${w.member}的病情加重了，申请重新评定残疾等级。`
	],
	employment: [
		(w) => `${w.member}想在家门口找份工作，方便照顾老人孩子，想报名扶贫车间的缝纫工。`,
		(w) => `${w.member}从外地打工回来，想办就业登记，参加电工培训。`,
		(w) => `${w.member}想学电商直播卖本地特产，报名免费培训。`
	],
	schooling: [
		(w) => `${w.member}今年秋季上一年级，申请在安置点附近的小学就读。`,
		(w) => `${w.member}在原籍读书，全家搬过来后想转学到这边，方便接送。`,
		(w) => `${w.member}明年上幼儿园，想报名社区附近的公办幼儿园。`
	],
	elder_care: [
		(w) => `${w.member}今年满 80 岁了，申请高龄津贴。`,
		(w) => `${w.member}一个人在家，子女在外打工，申请居家养老上门服务和助餐。`,
		(w) => `${w.member}生活不能完全自理，想了解能不能去敬老院。`
	],
	documents: [
		(w) => `${w.member}的身份证过期了，行动不方便，请帮忙代办换领。`,
		(w) => `${w.member}的社保卡丢了，申请补办。`,
		() => `安置房的不动产权证书还没拿到，请帮忙问问什么时候能办好。`
	],
	other: [
		() => `楼道的路灯坏了一个多月，晚上老人上下楼不安全，请帮忙联系修理。`,
		() => `家里的电表一直跳闸，想申请换一个大一点的电表。`,
		() => `想咨询老家的山林和承包地怎么流转出去。`
	]
};

interface Words {
	member: string;
	origin: string;
	settlement: string;
	workshop: string;
}

const acceptNotes = ['材料齐全，予以受理。', '已受理，工作人员会电话联系您。', '已受理。'];
const startNotes = [
	'已开始办理，正在核对材料。',
	'材料已报送县政务服务中心对应窗口。',
	'已开始办理，有进展会通知您。'
];
const progressNotes = [
	'已与相关部门联系，正在办理，请耐心等待。',
	'材料已报县里审核，预计下周有结果。',
	'还在办理中，办好后第一时间通知您。'
];
const residentAsks = [
	'请补交近期二寸白底彩色照片 3 张。',
	'请户主带身份证原件到窗口签字确认。',
	'请补交医院诊断证明和费用清单。',
	'请补交家庭成员的收入证明。'
];
const residentReplies = ['已补交材料。', '户主已到窗口签字确认。', '材料已收到，继续办理。'];
const internalNotes = [
	'已电话联系户主，约定周三上午来窗口补签字。',
	'申请人听力不好，联系请打其女儿电话。',
	'该户为监测户，办理进度同步报乡村振兴部门。',
	'入户核实情况属实，家中确实困难。',
	'原籍经办人本周外出培训，下周一再催。',
	'材料原件已扫描存档，原件退还申请人。'
];
const withdrawNotes = [
	'已经在老家办好了，不用再办。',
	'家里情况好转，暂时不申请了。',
	'填错了事项，重新申请。',
	null
];
const rejectNotes: Partial<Record<ServiceCode, string>> & { default: string } = {
	dibao:
		'经入户调查和家庭经济状况核对，家庭人均月收入高于本县低保标准，不符合条件。家庭情况发生变化后可重新申请。',
	disability_card: '经县残联指定医院评定，暂未达到残疾评定标准，不能办理残疾人证。',
	schooling: '所申请学校的学位已满，已协调就近的其他学校，请按新学校重新提交申请。',
	temporary_relief: '经核实，相关医疗费用已由大病保险和医疗救助报销，不再重复救助。',
	default: '经核实，该事项不属于本窗口办理范围，已告知到县政务服务中心相应窗口办理。'
};
const comments: Record<number, (string | null)[]> = {
	5: [
		'不用回老家跑，工作人员全都帮着办好了，感谢！',
		'办得很快，态度很好。',
		'非常满意，谢谢社区。',
		null
	],
	4: ['办得还可以，就是等原籍那边等了挺久。', '总体满意，希望进度能多通知几次。', null],
	3: ['材料补了好几次，希望一次说清楚要带什么。', null],
	2: ['等了很久才办好，中间也没人告诉我进度。'],
	1: ['办了一个多月，跑了好几趟。']
};

/** What was asked of the place the household left, and what it answered. */
function originStep(code: ServiceCode, township: string, member: string) {
	switch (code) {
		case 'hukou_transfer':
			return {
				office: `${township}派出所`,
				ask: `请为${member}出具户口迁移证明（迁往安置点所在社区）。`,
				reply: `${township}派出所已出具户口迁移证明，已寄回窗口。`
			};
		case 'insurance_transfer':
			return {
				office: `${township}社保所`,
				ask: `请办理${member}城乡居民医保和养老保险关系转出，出具参保缴费凭证。`,
				reply: `原籍地社保所已办理转出，参保缴费凭证已收到。`
			};
		case 'dibao':
			return {
				office: `${township}人民政府民政所`,
				ask: '请核实该户在原籍是否享受低保，如有请办理停发并出具证明。',
				reply: `${township}民政所回复：该户原籍低保已停发，可以在安置地申请。`
			};
		default:
			return {
				office: `${township}中心小学`,
				ask: `请为${member}办理学籍转出手续。`,
				reply: `${township}中心小学已办好学籍转出。`
			};
	}
}

function outcomeOf(code: ServiceCode, w: Words, r: SeedRandom): string {
	switch (code) {
		case 'hukou_transfer':
			return '户口已迁入安置点所在社区，新户口簿已办好，请带身份证到窗口领取。';
		case 'insurance_transfer':
			return '参保关系已转入安置地，社保卡可以在县内定点医院直接结算。';
		case 'dibao':
			return '经审核审批，已纳入低保，从下月起按月发放低保金到“一卡通”。';
		case 'temporary_relief':
			return `已批准临时救助金 ${r.pick([1000, 1500, 2000, 3000])} 元，已打入“一卡通”。`;
		case 'disability_card':
			return '残疾人证（第二代）已办好，已送证上门。';
		case 'employment':
			return `已办理就业登记，已推荐到${w.workshop}，下期技能培训已报名。`;
		case 'schooling':
			return `已协调安排在${r.pick(schools)}就读，请按学校通知时间报到。`;
		case 'elder_care':
			return '已纳入居家养老服务对象，每周两次上门服务；高龄津贴从下月起发放。';
		case 'documents':
			return r.pick([
				'新身份证已办好，已送到家中。',
				'社会保障卡已补办，请到窗口领取。',
				'不动产权证书已办好，请户主带身份证到窗口领取。'
			]);
		case 'other':
			return r.pick([
				'已联系物业上门修好。',
				'已协调供电所上门检修，问题已解决。',
				'已联系原籍乡镇农业农村办，由其上门对接流转事宜。'
			]);
	}
}

// ---------------------------------------------------------------------------------------------
// Requests

type Row = typeof schema.serviceRequest.$inferInsert;
type EventRow = typeof schema.serviceEvent.$inferInsert;

interface Actor {
	id: string | null;
	name: string;
}

/** A notification waiting for the request number, which the database gives. */
interface PendingNotification {
	userId: string;
	requestId: string;
	kind: string;
	title: (number: string) => string;
	body: (number: string) => string;
	at: Date;
}

/** One step of a timeline before it has a time. */
interface Step {
	kind: EventKind;
	to?: RequestStatus;
	note?: string | null;
	internal?: boolean;
	actor: Actor;
	data?: Record<string, string | number | null>;
	/** on the same day as the step before (an urgent request is accepted within hours) */
	sameDay?: boolean;
}

const minute = 60_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => isoDay(Date.parse(day) + n * 86_400_000);
/** `minutes` past midnight of `day` in Asia/Shanghai (UTC+8). */
const shanghaiTime = (day: string, minutes: number) =>
	new Date(Date.parse(`${day}T00:00:00Z`) - 8 * 60 * minute + minutes * minute);

const runningStatuses: readonly RequestStatus[] = [
	'submitted',
	'accepted',
	'in_progress',
	'waiting_origin'
];

/** Seeds the county's catalogue and its demo requests; returns how many requests it made. */
export async function seedServices(tx: Transaction, input: ServicesSeedInput): Promise<number> {
	const { random: r, newId, now } = input;
	const today = shanghaiDay(now);
	// working days before today, newest first: every seeded moment lies on one, so before `now`
	const days: string[] = [];
	for (let d = addDays(today, -1); days.length < 260; d = addDays(d, -1))
		if (isWorkingDay(d)) days.push(d);

	const account = (username: string): Actor & { id: string } => {
		const u = input.users.find((x) => x.username === username);
		if (!u?.id) throw new Error(`services seed: no demo account ${username}`);
		return { id: u.id, name: u.displayName };
	};
	const [guanliyuan, shegong, dianzhang, admin] = [
		'guanliyuan',
		'shegong',
		'dianzhang',
		'admin'
	].map(account);
	const residentAccounts = new Map(
		input.users
			.filter((u) => u.householdId && u.id)
			.map((u) => [u.householdId!, account(u.username)])
	);

	// the catalogue
	const categories = demoCatalogue.map((c, i) => ({ ...c, id: newId(), sortOrder: (i + 1) * 10 }));
	await input.insertAll(
		tx,
		schema.serviceCategory,
		categories.map((c) => ({
			id: c.id,
			regionId: input.county.id,
			regionPath: input.county.path,
			code: c.code,
			name: c.name,
			description: c.description,
			materials: c.materials,
			timeLimitDays: c.timeLimitDays,
			needsOrigin: c.needsOrigin,
			urgent: c.urgent,
			sortOrder: c.sortOrder,
			updatedAt: now
		}))
	);
	const category = (code: ServiceCode) => categories.find((c) => c.code === code)!;

	const membersOf = new Map<string, SeedPerson[]>();
	for (const p of input.people)
		membersOf.set(p.householdId, [...(membersOf.get(p.householdId) ?? []), p]);
	const householdsOf = new Map<string, ServicesSeedInput['households'][number][]>();
	for (const h of input.households)
		householdsOf.set(h.settlementId, [...(householdsOf.get(h.settlementId) ?? []), h]);

	const rows: Row[] = [];
	const events: EventRow[] = [];
	const pending: PendingNotification[] = [];
	const notifyUsers = (
		userIds: (string | null | undefined)[],
		n: Omit<PendingNotification, 'userId'>,
		except?: string | null
	) => {
		for (const userId of new Set(userIds))
			if (userId && userId !== except) pending.push({ ...n, userId });
	};

	interface Plan {
		settlement: number;
		household: ServicesSeedInput['households'][number];
		code: ServiceCode;
		member: SeedPerson | null;
		status: RequestStatus;
		/** days[] index of the submission */
		start: number;
		/** days[] index of the last step */
		end: number;
		overdue?: boolean;
		/** closed after its due date (and escalated on the way) */
		late?: boolean;
		withOrigin: boolean;
		/** paused for the resident once on the way (never for an overdue or late one) */
		withPause: boolean;
		description?: string;
		rating?: { stars: number; comment: string | null } | null;
	}

	/** Which services fit a household, and the member each one is for. */
	const fits = (members: SeedPerson[]): [ServiceCode, number, SeedPerson | null][] => {
		const adults = members.filter((m) => m.age >= 18);
		const out: [ServiceCode, number, SeedPerson | null][] = [
			['hukou_transfer', 14, r.pick(members)],
			['insurance_transfer', 14, r.pick(adults.length ? adults : members)],
			['dibao', 8, members.find((m) => m.health !== '健康') ?? members[0]],
			['temporary_relief', 5, r.pick(adults.length ? adults : members)],
			['documents', 12, r.pick(adults.length ? adults : members)],
			['other', 5, null]
		];
		const disabled = members.filter((m) => m.health === '残疾');
		if (disabled.length) out.push(['disability_card', 12, r.pick(disabled)]);
		const pupils = members.filter((m) => m.age >= 3 && m.age <= 15);
		if (pupils.length) out.push(['schooling', 14, r.pick(pupils)]);
		const old = members.filter((m) => m.age >= 60);
		if (old.length) out.push(['elder_care', 12, r.pick(old)]);
		const workers = members.filter((m) => m.age >= 18 && m.age <= 55);
		if (workers.length) out.push(['employment', 14, r.pick(workers)]);
		return out;
	};
	const withOriginStep = (code: ServiceCode) =>
		category(code).needsOrigin ||
		(code === 'dibao' && r.chance(0.3)) ||
		(code === 'schooling' && r.chance(0.3));

	// per point: the first (the demo staff's) 117 (and jumin's 3), the rest ~180 by size; a few overdue
	const others = input.settlements.slice(1);
	const otherHouseholds = others.reduce((n, s) => n + (householdsOf.get(s.id)?.length ?? 0), 0);
	const quota = input.settlements.map((s, i) =>
		i === 0
			? 117
			: Math.max(3, Math.round((180 * (householdsOf.get(s.id)?.length ?? 0)) / otherHouseholds))
	);
	const overdueQuota = input.settlements.map((_, i) => [3, 1, 0, 2, 1, 1][i] ?? 0);

	const plans: Plan[] = [];
	const statusWeights: [RequestStatus, number][] = [
		['done', 42],
		['in_progress', 14],
		['accepted', 8],
		['submitted', 8],
		['waiting_origin', 7],
		['rejected', 6],
		['withdrawn', 5],
		['waiting_resident', 3]
	];
	const overdueStatuses: RequestStatus[] = ['in_progress', 'waiting_origin', 'accepted'];
	for (const [si, s] of input.settlements.entries()) {
		const pool = (householdsOf.get(s.id) ?? []).filter((h) => !residentAccounts.has(h.id));
		for (let i = 0; i < quota[si]; i++) {
			const household = r.pick(pool);
			const members = membersOf.get(household.id)!;
			const overdue = i < overdueQuota[si];
			const status = overdue ? overdueStatuses[i % 3] : r.weighted(statusWeights);
			let choices = fits(members);
			if (status === 'waiting_origin')
				choices = choices.filter(([c]) => ['hukou_transfer', 'insurance_transfer'].includes(c));
			// an urgent request is accepted within 24 hours: none waits unaccepted
			if (status === 'submitted') choices = choices.filter(([c]) => c !== 'temporary_relief');
			const code = r.weighted(choices.map(([c, w]) => [c, w] as const));
			const member = choices.find(([c]) => c === code)![2];
			const limit = category(code).timeLimitDays;
			let start: number;
			let end: number;
			let late = false;
			if (overdue) {
				start = limit + r.int(1, 6);
				end = r.int(0, 2);
			} else if (status === 'submitted') {
				start = r.int(0, Math.min(2, limit - 1));
				end = start;
			} else if (status === 'accepted') {
				start = r.int(1, Math.min(4, limit - 1));
				end = r.int(0, start - 1);
			} else if (['in_progress', 'waiting_origin', 'waiting_resident'].includes(status)) {
				start = r.int(Math.min(2, limit - 1), limit - 1);
				end = r.int(0, Math.min(2, start));
			} else {
				// closed: within the last year; 8% of the finished ones after their due date
				start = r.int(3, 240);
				late = status === 'done' && r.chance(0.08);
				const took = late ? limit + r.int(1, 6) : r.int(status === 'withdrawn' ? 0 : 1, limit);
				end = Math.max(0, start - took);
				if (late && end === 0) late = start > limit;
			}
			const withOrigin =
				status === 'waiting_origin' ||
				(withOriginStep(code) && (status !== 'in_progress' || r.chance(0.5)));
			plans.push({
				settlement: si,
				household,
				code,
				member,
				status,
				start,
				end,
				overdue,
				late,
				withOrigin,
				withPause: !overdue && !late && status !== 'waiting_resident' && r.chance(0.12)
			});
		}
	}

	// the demo residents' own requests: jumin's household has one in progress past the origin
	// step, one finished and rated, one just filed; jumin2's one accepted
	const juminHousehold = input.users.find((u) => u.username === 'jumin')?.householdId;
	const jumin2Household = input.users.find((u) => u.username === 'jumin2')?.householdId;
	const household = (id: string | null | undefined) => {
		const h = input.households.find((x) => x.id === id);
		if (!h) throw new Error('services seed: a demo resident has no household');
		return h;
	};
	const settlementIndex = (h: { settlementId: string }) =>
		input.settlements.findIndex((s) => s.id === h.settlementId);
	{
		const h = household(juminHousehold);
		const members = membersOf.get(h.id)!;
		// the member whose correction request says they found work in the workshop (../seed.ts)
		const jobSeeker =
			members.find((m) => m.age >= 18 && m.age < 45 && m.relation !== '户主') ?? members[0];
		const elder = members.reduce((a, b) => (b.age > a.age ? b : a));
		const pupil = members.find((m) => m.age >= 5 && m.age <= 14);
		const si = settlementIndex(h);
		plans.push(
			{
				settlement: si,
				household: h,
				code: 'insurance_transfer',
				member: elder,
				status: 'in_progress',
				start: 9,
				end: 1,
				withOrigin: true,
				withPause: false,
				description: `${elder.name}的城乡居民医保还在${h.originTownship}交，看病要回老家报销，申请转到安置地参保。`
			},
			{
				settlement: si,
				household: h,
				code: 'employment',
				member: jobSeeker,
				status: 'done',
				start: 62,
				end: 58,
				withOrigin: false,
				withPause: false,
				description: `${jobSeeker.name}想在家门口找份工作，方便照顾家里，想报名扶贫车间的缝纫工培训。`,
				rating: { stars: 5, comment: '帮家里人在车间找到了工作，离家近，谢谢社区！' }
			},
			{
				settlement: si,
				household: h,
				code: pupil ? 'schooling' : 'documents',
				member: pupil ?? members[0],
				status: 'submitted',
				start: 0,
				end: 0,
				withOrigin: false,
				withPause: false,
				description: pupil
					? `${pupil.name}明年春季想转到安置点附近的学校读书，方便接送。`
					: `${members[0].name}的身份证快过期了，请帮忙代办换领。`
			}
		);
	}
	{
		const h = household(jumin2Household);
		plans.push({
			settlement: settlementIndex(h),
			household: h,
			code: 'documents',
			member: membersOf.get(h.id)![0],
			status: 'accepted',
			start: 2,
			end: 1,
			withOrigin: false,
			withPause: false
		});
	}

	// timelines
	for (const plan of plans) {
		const s = input.settlements[plan.settlement];
		const c = category(plan.code);
		const h = plan.household;
		const members = membersOf.get(h.id)!;
		const requestId = newId();
		const resident = residentAccounts.get(h.id) ?? null;
		const words: Words = {
			member: plan.member?.name ?? h.headName,
			origin: `${h.originTownship}${h.originVillage}`,
			settlement: s.name,
			workshop: s.workshop
		};
		const first = plan.settlement === 0;
		// the point's window staff: the demo accounts at the first point, the roster's names elsewhere
		const localStaff: Actor = {
			id: null,
			name: (s.admins[0] ?? s.chief ?? `${s.committeeName}工作人员`).replace(/（.*）$/, '')
		};
		const asResident: Actor = resident ?? { id: null, name: h.headName };

		// who filed it: the resident, or the window for them (帮代办) with their consent
		let filer: Actor & { id: string };
		let consentMethod: ConsentMethod | null = null;
		let consentNote: string | null = null;
		let submittedNote: string | null = null;
		let submittedBy: Actor;
		if (resident) {
			filer = resident;
			submittedBy = resident;
		} else if (first) {
			filer = r.chance(0.6) ? guanliyuan : shegong;
			submittedBy = filer;
			consentMethod = r.weighted([
				['paper_signature', 50],
				['in_person', 35],
				['phone', 15]
			] as const);
			consentNote = {
				paper_signature: '户主在《代办委托书》上签字，原件已存档。',
				in_person: `${h.headName}本人到窗口当面确认委托代办。`,
				phone: `电话联系${h.headName}本人，同意由社区代办。`
			}[consentMethod];
			submittedNote = `由 ${filer.name} 代办提交`;
		} else {
			// no window accounts at the other demo points: their paper forms are keyed in centrally
			filer = admin;
			submittedBy = localStaff;
			consentMethod = 'paper_signature';
			consentNote = `户主在纸质申请表上签字委托，由${localStaff.name}受理，系统管理员录入。`;
			submittedNote = `由 ${localStaff.name} 窗口代办，纸质申请表录入`;
		}

		// who carries it
		let accepter: Actor = localStaff;
		let assignee: (Actor & { id: string }) | null = null;
		let assignedBy: Actor | null = null;
		if (first) {
			const who = r.weighted([
				['guanliyuan', 50],
				['shegong', 35],
				['dianzhang', 15]
			] as const);
			accepter = { guanliyuan, shegong, dianzhang }[who];
			assignee = { guanliyuan, shegong, dianzhang }[who];
			if (who === 'dianzhang' && r.chance(0.7)) {
				assignedBy = dianzhang;
				assignee = r.chance(0.6) ? guanliyuan : shegong;
			}
			if (plan.overdue && assignee.id === dianzhang.id) assignee = guanliyuan;
		}
		const handler: Actor = assignee ?? accepter;

		const steps: Step[] = [
			{
				kind: 'submitted',
				to: 'submitted',
				actor: submittedBy,
				note: submittedNote,
				data: consentMethod && !resident ? { consentMethod } : {}
			}
		];
		const origin = originStep(plan.code, h.originTownship, words.member);
		const final = plan.status;
		// a withdrawal or a refusal comes at some point on the way
		let stopAt =
			final === 'withdrawn'
				? r.pick(['submitted', 'accepted', 'in_progress'] as const)
				: final === 'rejected'
					? r.pick(['submitted', 'accepted', 'in_progress', 'in_progress'] as const)
					: null;
		// an urgent request is accepted within hours, whatever comes after
		if (c.urgent && stopAt === 'submitted') stopAt = 'accepted';
		const internalNote = () => {
			if (r.chance(0.3))
				steps.push({ kind: 'note', internal: true, note: r.pick(internalNotes), actor: handler });
		};
		const proceed = () => {
			if (final === 'submitted' || stopAt === 'submitted') return;
			steps.push({
				kind: 'accepted',
				to: 'accepted',
				actor: accepter,
				note: c.urgent ? '急难事项，已当日受理并入户核实。' : r.pick(acceptNotes),
				sameDay: c.urgent
			});
			if (first && !assignedBy)
				steps.push({
					kind: 'assigned',
					actor: accepter,
					note: `经办人：${accepter.name}`,
					sameDay: true
				});
			if (assignedBy && assignee)
				steps.push({
					kind: 'assigned',
					actor: assignedBy,
					note: `经办人：${assignee.name}`,
					data: { assigneeId: assignee.id },
					sameDay: true
				});
			internalNote();
			if (final === 'accepted' || stopAt === 'accepted') return;
			steps.push({ kind: 'started', to: 'in_progress', actor: handler, note: r.pick(startNotes) });
			if (plan.withOrigin) {
				steps.push({
					kind: 'origin_asked',
					to: 'waiting_origin',
					actor: handler,
					note: origin.ask,
					data: { originOffice: origin.office }
				});
				if (r.chance(0.4))
					steps.push({
						kind: 'note',
						internal: true,
						actor: handler,
						note: `已电话联系${origin.office}经办人，答复本周内办理。`
					});
				if (final === 'waiting_origin') return;
				steps.push({
					kind: 'origin_replied',
					to: 'in_progress',
					actor: handler,
					note: origin.reply
				});
			}
			if (plan.withPause || final === 'waiting_resident') {
				const i = r.int(0, residentAsks.length - 1);
				steps.push({
					kind: 'resident_asked',
					to: 'waiting_resident',
					actor: handler,
					note: residentAsks[i]
				});
				if (final === 'waiting_resident') return;
				steps.push({
					kind: 'resident_replied',
					to: 'in_progress',
					actor: handler,
					note: r.pick(residentReplies)
				});
			}
			if (r.chance(0.2)) steps.push({ kind: 'note', actor: handler, note: r.pick(progressNotes) });
			internalNote();
		};
		proceed();
		if (final === 'done')
			steps.push({
				kind: 'done',
				to: 'done',
				actor: handler,
				note: outcomeOf(plan.code, words, r)
			});
		else if (final === 'rejected')
			steps.push({
				kind: 'rejected',
				to: 'rejected',
				actor: handler,
				note: rejectNotes[plan.code] ?? rejectNotes.default
			});
		else if (final === 'withdrawn')
			steps.push({
				kind: 'withdrawn',
				to: 'withdrawn',
				actor: asResident,
				note: r.pick(withdrawNotes)
			});

		// days for the steps: from the submission's towards the last one's, never backwards
		const dayIndex: number[] = [plan.start];
		const picks = Array.from({ length: steps.length - 1 }, () => r.int(plan.end, plan.start)).sort(
			(a, b) => b - a
		);
		if (picks.length) picks[picks.length - 1] = plan.end;
		for (let i = 1; i < steps.length; i++)
			dayIndex.push(steps[i].sameDay ? dayIndex[i - 1] : Math.min(dayIndex[i - 1], picks[i - 1]));
		let cursor = shanghaiTime(days[plan.start], r.int(8 * 60 + 30, 16 * 60 + 30));
		const times = dayIndex.map((d, i) => {
			if (i === 0) return cursor;
			const dayStart = shanghaiTime(days[d], r.int(8 * 60 + 30, 16 * 60));
			// steps piled on one day stay on it (before 23:00), so none runs into today
			const dayEnd = shanghaiTime(days[d], 23 * 60).getTime();
			const gap = r.int(c.urgent ? 30 : 5, c.urgent ? 240 : 90) * minute;
			let t = Math.max(cursor.getTime() + gap, dayStart.getTime());
			if (t > dayEnd) t = Math.max(cursor.getTime() + minute, dayEnd);
			cursor = new Date(t);
			return cursor;
		});

		// the row, as the workflow's steps would have left it
		const submittedAt = times[0];
		let dueOn = addWorkingDays(shanghaiDay(submittedAt), c.timeLimitDays);
		let pausedSince: string | null = null;
		let pausedDays = 0;
		let acceptedAt: Date | null = null;
		let closedAt: Date | null = null;
		let originOffice: string | null = null;
		let originAsk: string | null = null;
		let outcome: string | null = null;
		let status: RequestStatus = 'submitted';
		const timeline: EventRow[] = [];
		for (const [i, step] of steps.entries()) {
			const at = times[i];
			const from = step.to ? status : undefined;
			if (step.kind === 'resident_replied' && pausedSince) {
				const paused = workingDaysBetween(pausedSince, shanghaiDay(at));
				pausedDays += paused;
				dueOn = addWorkingDays(dueOn, paused);
				pausedSince = null;
			}
			if (step.kind === 'accepted') acceptedAt = at;
			if (step.kind === 'resident_asked') pausedSince = shanghaiDay(at);
			if (step.kind === 'origin_asked') {
				originOffice = origin.office;
				originAsk = origin.ask;
			}
			if (step.kind === 'done' || step.kind === 'rejected' || step.kind === 'withdrawn') {
				closedAt = at;
				outcome = step.note ?? null;
			}
			if (step.to) status = step.to;
			timeline.push({
				requestId,
				at,
				actorId: step.actor.id,
				actorName: step.actor.name,
				kind: step.kind,
				fromStatus: step.kind === 'submitted' ? null : (from ?? null),
				toStatus: step.to ?? null,
				internal: step.internal ?? false,
				note: step.note ?? null,
				data: step.data ?? {}
			});
		}
		const lastAt = times[times.length - 1];
		// only what was accepted has someone carrying it
		const carrier = acceptedAt ? assignee : null;

		// the sweep escalates a running request once, just after midnight past its due day
		let escalatedAt: Date | null = null;
		const overdueNow = runningStatuses.includes(status) && dueOn < today;
		const closedLate = closedAt !== null && shanghaiDay(closedAt) > dueOn && status === 'done';
		if (overdueNow || closedLate) {
			const at = shanghaiTime(addDays(dueOn, 1), r.int(1, 20));
			escalatedAt = new Date(Math.min(at.getTime(), now.getTime() - minute));
			timeline.push({
				requestId,
				at: escalatedAt,
				actorId: null,
				actorName: '系统',
				kind: 'escalated',
				internal: true,
				note: `已超过办理时限（应于 ${dueOn} 前办结），已提请点长督办`,
				data: {}
			});
			if (first && overdueNow) {
				const nextDay = days.findLast((d) => d > dueOn);
				if (nextDay)
					timeline.push({
						requestId,
						at: shanghaiTime(nextDay, r.int(8 * 60 + 40, 10 * 60)),
						actorId: dianzhang.id,
						actorName: dianzhang.name,
						kind: 'note',
						internal: true,
						note: `请${handler.name}本周内办结，每天报一次进度。`,
						data: {}
					});
			}
		}

		// the rating, some days after it was done
		let rating: { stars: number; comment: string | null } | null = null;
		let ratedAt: Date | null = null;
		if (status === 'done' && (plan.rating || r.chance(0.8))) {
			const stars =
				plan.rating?.stars ??
				r.weighted([
					[5, 60],
					[4, 25],
					[3, 10],
					[2, 4],
					[1, 1]
				] as const);
			rating = plan.rating ?? { stars, comment: r.pick(comments[stars]) };
			const ratedDay = Math.max(0, plan.end - r.int(0, 5));
			ratedAt = new Date(
				Math.max(
					closedAt!.getTime() + r.int(30, 240) * minute,
					shanghaiTime(days[ratedDay], r.int(9 * 60, 21 * 60)).getTime()
				)
			);
			ratedAt = new Date(Math.min(ratedAt.getTime(), now.getTime() - minute));
			timeline.push({
				requestId,
				at: ratedAt,
				actorId: asResident.id,
				actorName: asResident.name,
				kind: 'rated',
				internal: false,
				note: rating.comment,
				data: { rating: rating.stars }
			});
		}
		events.push(...timeline);

		const phoneOf = (p: SeedPerson | null) =>
			p?.phone ?? members.find((m) => m.phone)?.phone ?? null;
		rows.push({
			id: requestId,
			categoryId: c.id,
			householdId: h.id,
			residentId: ['dibao', 'temporary_relief', 'other'].includes(plan.code)
				? null
				: (plan.member?.id ?? null),
			settlementId: s.id,
			regionPath: s.regionPath,
			description: plan.description ?? r.pick(descriptions[plan.code])(words),
			contactPhone: phoneOf(plan.member),
			status,
			urgent: c.urgent,
			filedBy: filer.id,
			proxy: !resident,
			consentMethod: resident ? null : consentMethod,
			consentNote: resident ? null : consentNote,
			assigneeId: carrier?.id ?? null,
			submittedAt,
			dueOn,
			ackDueAt: c.urgent ? new Date(submittedAt.getTime() + 24 * 3600_000) : null,
			acceptedAt,
			pausedSince,
			pausedDays,
			originOffice,
			originAsk,
			outcome,
			closedAt,
			escalatedAt,
			rating: rating?.stars ?? null,
			ratingComment: rating?.comment ?? null,
			ratedAt,
			updatedAt: new Date(Math.max(lastAt.getTime(), ratedAt?.getTime() ?? 0))
		});

		// notifications: the residents' account hears of every public step by staff; staff hear of
		// assignments, urgent filings, escalations, ratings (recent ones only, but every escalation)
		const recent = (at: Date) => now.getTime() - at.getTime() < 30 * 86_400_000;
		const name = c.name;
		for (const e of timeline) {
			const at = e.at as Date;
			if (resident && !e.internal && e.actorId !== resident.id && e.kind !== 'assigned') {
				const stepTo = e.toStatus as RequestStatus | null;
				notifyUsers([resident.id], {
					requestId,
					at,
					kind: stepTo ? 'service.step' : 'service.update',
					title: () =>
						stepTo ? `您的申请「${name}」${statusWords[stepTo]}` : `您的申请「${name}」有新消息`,
					body: (n) => (e.note ? `${n}：${e.note}` : n)
				});
			}
			if (!first) continue;
			if (e.kind === 'assigned' && e.data && 'assigneeId' in e.data && recent(at))
				notifyUsers(
					[String(e.data.assigneeId)],
					{
						requestId,
						at,
						kind: 'service.assigned',
						title: () => `分派给您的申请：${name}`,
						body: (n) => `${n}，由 ${e.actorName} 分派。`
					},
					e.actorId
				);
			if (e.kind === 'submitted' && c.urgent && recent(at))
				notifyUsers(
					[guanliyuan.id, dianzhang.id],
					{
						requestId,
						at,
						kind: 'service.urgent',
						title: () => `急难事项待受理：${name}`,
						body: (n) => `${n} 须在 24 小时内受理。`
					},
					e.actorId
				);
			if (e.kind === 'escalated')
				notifyUsers([dianzhang.id, carrier?.id], {
					requestId,
					at,
					kind: 'service.escalated',
					title: (n) => `申请已超期：${n}`,
					body: () => `${name}，应于 ${dueOn} 前办结。`
				});
			if (e.kind === 'rated' && carrier && recent(at))
				notifyUsers([carrier.id], {
					requestId,
					at,
					kind: 'service.rated',
					title: (n) => `居民评价了 ${n}：${rating!.stars} 星`,
					body: () => rating!.comment ?? ''
				});
		}
	}

	// the database numbers requests in the order they are inserted: the oldest first
	rows.sort((a, b) => (a.submittedAt as Date).getTime() - (b.submittedAt as Date).getTime());
	await input.insertAll(tx, schema.serviceRequest, rows, 200);
	events.sort((a, b) => (a.at as Date).getTime() - (b.at as Date).getTime());
	await input.insertAll(tx, schema.serviceEvent, events, 500);

	const ids = rows.map((x) => x.id!);
	const numbered = await tx
		.select({ id: schema.serviceRequest.id, no: schema.serviceRequest.no })
		.from(schema.serviceRequest)
		.where(inArray(schema.serviceRequest.id, ids));
	const numberOf = new Map(numbered.map((x) => [x.id, requestNumber(x.no)]));
	// read, but for the last few days' of each person and, whatever the hour, each one's newest
	pending.sort((a, b) => a.at.getTime() - b.at.getTime());
	const newest = new Map(pending.map((n) => [n.userId, n]));
	await input.insertAll(
		tx,
		schema.notification,
		pending.map((n) => {
			const number = numberOf.get(n.requestId)!;
			const fresh = now.getTime() - n.at.getTime() < 3 * 86_400_000 || newest.get(n.userId) === n;
			return {
				id: newId(),
				userId: n.userId,
				kind: n.kind,
				title: n.title(number),
				body: n.body(number),
				link: `/services/${n.requestId}`,
				createdAt: n.at,
				readAt: fresh ? null : new Date(n.at.getTime() + 3 * 3600_000)
			};
		})
	);
	return rows.length;
}
