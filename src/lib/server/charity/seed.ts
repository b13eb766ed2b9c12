// Demo data of the charity capability: the county's organisations described (and one more
// waiting for civil affairs), live offers of the charity, the enterprise and the social
// organisation, about 40 needs over the points in every status with anonymised public words,
// pledges that keep each need's pledged and delivered figures, the charity's project fund and
// the 互助社's emergency fund with their entries posted through the ledger (so the double-entry
// trigger and fund.balance hold), the 互助社's rules, member households and cases.
// Called at the end of the demo seed (../seed.ts) inside its transaction, with random streams of
// its own, so two seeds make the same rows (ids included); times are relative to the seed's
// `now`. Material entries (1,000 yuan and more) fall within the last 30 days: the seed posts
// them today, and anything older would show as disclosed late.
import { eq, inArray } from 'drizzle-orm';
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import { findIdentifying, unitStrings } from '$lib/charity/anonymise';
import type {
	AidCaseStatus,
	HelpKind,
	NeedCategory,
	NeedStatus,
	PledgeStatus
} from '$lib/charity/vocab';
import { creditCodeCheck } from '$lib/schemas/organizations';
import { anonymousDonor } from '$lib/schemas/funds';
import { shanghaiDay } from '$lib/working-days';
import { schema, type Transaction } from '../db';
import { contributionCounterparty } from './aid';
import { postTransaction, type PostingInput } from './ledger';
import { needNumber } from './needs';

interface SeedRandom {
	next(): number;
	int(min: number, max: number): number;
	chance(p: number): boolean;
	pick<T>(list: readonly T[]): T;
}

interface SeedHousehold {
	id: string;
	settlementId: string;
	building: string;
	unitNo: string;
	room: string;
	headName: string;
	tags: readonly string[];
}

interface SeedPerson {
	id: string;
	householdId: string;
	name: string;
	relation: string;
	/** as of mid-2026, as the demo seed planned it */
	age: number;
	health: string;
	employment: string;
	laborAbility: string;
	schooling: string;
}

export interface CharitySeedInput {
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
	settlements: readonly { id: string; name: string; regionPath: string }[];
	households: readonly SeedHousehold[];
	people: readonly SeedPerson[];
	users: readonly { id?: string; username: string; householdId?: string | null }[];
	organizations: {
		charity: string;
		socialWork: string;
		mutualAid: string;
		enterprise: string;
		volunteers: string;
	};
}

const dayMs = 86_400_000;

/** A 统一社会信用代码 with its check character (GB 32100-2015). */
function creditCode(first17: string): string {
	const check = creditCodeCheck(first17);
	if (!check) throw new Error(`seed: ${first17} cannot be a credit code`);
	return first17 + check;
}

// ---------------------------------------------------------------------------------------------
// Needs: what households ask for, in public words that name nobody

interface NeedTemplate {
	category: NeedCategory;
	kind: HelpKind;
	/** yuan for money, pieces for goods, hours for service */
	range: [number, number];
	step: number;
	unit?: string;
	title: string;
	publicDetail: string;
	/** the household agreed that health words may be published */
	consent?: boolean;
	urgency: 1 | 2 | 3;
	/** the households it suits, and the member it is about */
	about: (members: readonly SeedPerson[], h: SeedHousehold) => SeedPerson | undefined;
	/** the full story, for staff only: it may name the household */
	detail: (head: SeedPerson, who: SeedPerson, h: SeedHousehold) => string;
}

const isChild = (p: SeedPerson) => ['子', '女', '孙子', '孙女'].includes(p.relation);

const needTemplates: NeedTemplate[] = [
	{
		category: 'medical',
		kind: 'money',
		range: [2000, 5000],
		step: 100,
		title: '家中老人长期服药，医药费自付部分有缺口',
		publicDetail:
			'家中老人常年需要服药，医保报销后每月仍需自付一部分，家庭收入主要靠务工，负担较重，希望帮扶一段时间的医药费。',
		consent: true,
		urgency: 2,
		about: (ms) => ms.find((p) => p.health === '长期慢性病' && p.age >= 55),
		detail: (head, who) =>
			`${who.name}（${who.age}岁，${who.relation === '户主' ? '户主' : `户主${head.name}的${who.relation}`}）患高血压、糖尿病多年，每月自付药费约 500 元，已纳入门诊慢特病报销，仍有缺口。`
	},
	{
		category: 'medical',
		kind: 'money',
		range: [5000, 8000],
		step: 500,
		title: '家庭成员今年医疗支出较大，自付部分有缺口',
		publicDetail:
			'家庭成员今年医疗支出较大，医保报销后仍有一部分需要自付，家庭已尽力筹措，尚有缺口。',
		urgency: 3,
		about: (ms) => ms.find((p) => p.health === '大病'),
		detail: (head, who) =>
			`${who.name}（${who.age}岁）今年两次住院，医保和大病保险报销后自付约 1.2 万元，户主${head.name}已向亲友借款。未同意公开病情。`
	},
	{
		category: 'schooling',
		kind: 'money',
		range: [2000, 3000],
		step: 200,
		title: '孩子读高中的学杂费和住宿费帮扶',
		publicDetail:
			'家中有孩子在县城读高中，学杂费、住宿费和生活费开支较大，父母务工收入不稳定，希望获得一学年的助学帮扶。',
		urgency: 1,
		about: (ms) => ms.find((p) => isChild(p) && p.age >= 15 && p.age <= 18),
		detail: (head, who) =>
			`${who.name}（${who.age}岁）在于都中学读高${who.age - 14 > 3 ? 3 : who.age - 14}，户主${head.name}在扶贫车间上班，月收入约 2,600 元。`
	},
	{
		category: 'schooling',
		kind: 'money',
		range: [3000, 6000],
		step: 500,
		title: '大学新生的学费和路费帮扶',
		publicDetail:
			'家中孩子今年考上大学，学费和开学路费一次性支出较大，已申请生源地助学贷款，仍有缺口。',
		urgency: 2,
		about: (ms) => ms.find((p) => isChild(p) && p.age >= 18 && p.age <= 22),
		detail: (head, who) =>
			`${who.name}（${who.age}岁）考入南昌的高校，学费每年 5,000 元，助学贷款已办理，户主${head.name}希望解决路费和生活费。`
	},
	{
		category: 'schooling',
		kind: 'goods',
		range: [2, 2],
		step: 1,
		unit: '套',
		title: '两个孩子需要冬季校服和保暖衣物',
		publicDetail: '家中孩子在安置点附近上小学，冬季校服和保暖衣物不够，希望帮助添置。',
		urgency: 1,
		about: (ms) => {
			const kids = ms.filter((p) => isChild(p) && p.age >= 6 && p.age <= 13);
			return kids.length >= 2 ? kids[0] : undefined;
		},
		detail: (head, who) =>
			`户主${head.name}家有两个孩子在贡江镇中心小学就读，${who.name}（${who.age}岁）等冬季只有一套校服。`
	},
	{
		category: 'elder_care',
		kind: 'service_hours',
		range: [24, 48],
		step: 4,
		unit: '小时',
		title: '独居老人希望每周有人上门陪伴和打扫',
		publicDetail:
			'老人一人居住，子女在外务工，希望每周有志愿者上门陪伴聊天、帮忙打扫和采购，先安排三个月。',
		urgency: 2,
		about: (ms, h) => (h.tags.includes('elderly_alone') ? ms[0] : undefined),
		detail: (head) =>
			`${head.name}（${head.age}岁）独居，儿子在广东务工，每月回来一次。社工每周电话联系一次。`
	},
	{
		category: 'elder_care',
		kind: 'goods',
		range: [2, 2],
		step: 1,
		unit: '床',
		title: '老人冬季需要厚棉被',
		publicDetail: '家中老人怕冷，现有被褥单薄，希望添置厚棉被过冬。',
		urgency: 1,
		about: (ms) => ms.find((p) => p.age >= 65),
		detail: (head, who) =>
			`${who.name}（${who.age}岁）与户主${head.name}同住，被褥是搬迁时带来的旧被。`
	},
	{
		category: 'disability_aid',
		kind: 'goods',
		range: [1, 1],
		step: 1,
		unit: '台',
		title: '家庭成员出行需要一台轮椅',
		publicDetail: '家庭成员行动不便，外出就医和晒太阳都要人背，希望有一台轮椅。',
		consent: true,
		urgency: 2,
		about: (ms) => ms.find((p) => p.health === '残疾'),
		detail: (head, who) =>
			`${who.name}（${who.age}岁）肢体残疾，已办残疾人证，户主${head.name}同意公开需要轮椅一事。`
	},
	{
		category: 'disability_aid',
		kind: 'service_hours',
		range: [24, 36],
		step: 6,
		unit: '小时',
		title: '家庭成员需要上门康复训练指导',
		publicDetail: '家庭成员因残疾行动不便，需要专业人员上门指导康复训练，每周两次。',
		consent: true,
		urgency: 1,
		about: (ms) => ms.find((p) => p.health === '残疾'),
		detail: (head, who) => `${who.name}（${who.age}岁），户主${head.name}，县残联建议居家康复训练。`
	},
	{
		category: 'housing_repair',
		kind: 'money',
		range: [800, 1500],
		step: 100,
		title: '厨房和卫生间水管老化漏水需要维修',
		publicDetail: '安置房入住多年，厨卫水管老化漏水，影响楼下邻居，维修材料和人工费家庭难以承担。',
		urgency: 2,
		about: (ms) => ms[0],
		detail: (head, _who, h) =>
			`${h.building}${h.unitNo}${h.room}，户主${head.name}。物业已查看，需更换进水管和下水管。`
	},
	{
		category: 'living_costs',
		kind: 'money',
		range: [2000, 4000],
		step: 500,
		title: '主要劳动力务工受伤，临时生活困难',
		publicDetail:
			'家中主要劳动力在外务工时受伤，暂时不能上班，收入骤减，孩子上学和日常生活开支难以维持。',
		urgency: 3,
		about: (ms) => ms.find((p) => p.employment === '务工' && p.age < 55),
		detail: (head, who) =>
			`${who.name}在工地摔伤，工伤认定中，预计三个月不能上班。户主${head.name}，家中还有孩子上学。`
	},
	{
		category: 'living_costs',
		kind: 'goods',
		range: [3, 4],
		step: 1,
		unit: '床',
		title: '家中人口多，冬季需要棉被',
		publicDetail: '家中人口多，被褥不够，冬季取暖困难，希望添置几床棉被。',
		urgency: 1,
		about: (ms) => (ms.length >= 5 ? ms[0] : undefined),
		detail: (head) => `户主${head.name}家人口多，入冬后被褥不够用。`
	},
	{
		category: 'employment',
		kind: 'service_hours',
		range: [40, 80],
		step: 10,
		unit: '小时',
		title: '希望参加缝纫技能培训后到车间就业',
		publicDetail: '家中有劳动力暂未就业，希望参加缝纫工培训，结业后到安置点扶贫车间上班。',
		urgency: 1,
		about: (ms) =>
			ms.find(
				(p) =>
					p.employment === '未就业' &&
					['普通劳动力', '技能劳动力', '弱劳动力'].includes(p.laborAbility)
			),
		detail: (head, who) =>
			`${who.name}（${who.age}岁）未就业，户主${head.name}。本人愿意学缝纫，车间表示结业后可以录用。`
	},
	{
		category: 'living_costs',
		kind: 'money',
		range: [1500, 3000],
		step: 500,
		title: '单亲家庭日常生活费用帮扶',
		publicDetail: '家长一边照顾孩子一边打零工，收入不稳定，希望帮扶几个月的基本生活费。',
		urgency: 2,
		about: (ms) =>
			!ms.some((p) => p.relation === '配偶') && ms.some((p) => isChild(p) && p.age < 16)
				? ms[0]
				: undefined,
		detail: (head) => `户主${head.name}（${head.age}岁）独自抚养孩子，打零工月收入约 1,500 元。`
	},
	{
		category: 'elder_care',
		kind: 'money',
		range: [900, 1800],
		step: 300,
		title: '老人在孝老食堂用餐的费用帮扶',
		publicDetail: '家中老人行动不便，子女不在身边，希望帮扶在社区孝老食堂半年的用餐费用。',
		urgency: 1,
		about: (ms) => ms.find((p) => p.age >= 72),
		detail: (head, who) =>
			`${who.name}（${who.age}岁），户主${head.name}。孝老食堂每餐自付 5 元，半年约 1,800 元。`
	}
];

/** jumin's household: a schooling need already published, a repair it raised itself, pending. */
const juminTemplates: Record<'published' | 'pending', NeedTemplate> = {
	published: {
		category: 'schooling',
		kind: 'money',
		range: [2400, 2400],
		step: 100,
		title: '孩子上学的学杂费和生活费帮扶',
		publicDetail:
			'家中孩子在读书，学杂费和生活费开支较大，家里有劳动力刚开始上班，希望帮扶一学期的费用。',
		urgency: 1,
		about: (ms) => ms[0],
		detail: (head) => `户主${head.name}家三代同住，孙辈在读，儿子刚到贡江新区扶贫车间上班。`
	},
	pending: {
		category: 'housing_repair',
		kind: 'money',
		range: [600, 600],
		step: 100,
		title: '家里窗户和门锁损坏需要维修',
		publicDetail: '阳台窗户关不严，入户门锁也坏了，想请师傅维修。',
		urgency: 1,
		about: (ms) => ms[0],
		detail: (head, _who, h) =>
			`${h.building}${h.unitNo}${h.room}，户主${head.name}自己在手机上登记的需求。`
	}
};

const rejectReasons = [
	'经核实，该户本月已获临时救助，暂不重复帮扶。',
	'家庭情况与登记不符，请补充材料后重新登记。',
	'该需求属于物业维修范围，已转物业处理。'
];
const cancelReasons = ['家庭已自行解决。', '亲属已承担这笔费用，户主要求撤回。'];

// ---------------------------------------------------------------------------------------------

/** Seeds the charity capability's demo rows; returns what it made, for the log. */
export async function seedCharity(tx: Transaction, input: CharitySeedInput) {
	const { random: r, newId, insertAll, now, county, organizations: orgs } = input;
	const ago = (days: number, hours = 0) =>
		new Date(now.getTime() - days * dayMs - hours * 3_600_000);
	const dayAgo = (days: number) => shanghaiDay(ago(days));
	const today = shanghaiDay(now);
	const addDay = (day: string, n: number) =>
		new Date(Date.parse(`${day}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);
	const userId = (username: string) => {
		const u = input.users.find((x) => x.username === username);
		if (!u?.id) throw new Error(`seed: no demo account ${username}`);
		return u.id;
	};
	const [admin, cishan, huzhushe, shegong, guanliyuan, dianzhang, minzheng, jumin] = [
		'admin',
		'cishan',
		'huzhushe',
		'shegong',
		'guanliyuan',
		'dianzhang',
		'minzheng',
		'jumin'
	].map(userId);
	const membersOf = new Map<string, SeedPerson[]>();
	for (const p of input.people)
		membersOf.set(p.householdId, [...(membersOf.get(p.householdId) ?? []), p]);
	const juminHousehold = input.users.find((u) => u.username === 'jumin')!.householdId!;
	const residentOf = new Map(
		input.users.flatMap((u) => (u.householdId && u.id ? [[u.householdId, u.id] as const] : []))
	);

	// --- organisations: their public particulars, and one more waiting for verification ----------
	const o = schema.organization;
	const particulars: [string, Partial<typeof o.$inferInsert>][] = [
		[
			orgs.charity,
			{
				creditCode: creditCode('51360731MJD417286'),
				description:
					'于都县慈善总会是经县民政局登记的慈善组织，开展助学、助医、安居和困难群众救助项目，项目资金收支在本平台逐笔公开。',
				contactName: '温会长',
				contactPhone: '0797-6221018'
			}
		],
		[
			orgs.socialWork,
			{
				creditCode: creditCode('52360731MJD503277'),
				description:
					'专业社工机构，为安置点老人、残疾人和留守儿童提供上门探访、陪伴、康复训练指导等服务。',
				contactName: '邹社工',
				contactPhone: '0797-6235566'
			}
		],
		[
			orgs.mutualAid,
			{
				description:
					'贡江新区安置点居民自愿参加的互助组织，社员按年缴纳互助金，社员家庭遇到突发困难时先行救助。',
				contactName: '赖互助',
				contactPhone: '0797-6288120'
			}
		],
		[
			orgs.enterprise,
			{
				creditCode: creditCode('91360731MA35L8K24'),
				description:
					'县内服装生产企业，在贡江新区设有扶贫车间，捐赠衣物，并为安置点劳动力提供缝纫工岗前培训和就业岗位。',
				contactName: '钟经理',
				contactPhone: '0797-6310888'
			}
		],
		[
			orgs.volunteers,
			{
				creditCode: creditCode('51360731MJD619453'),
				description: '由县内党员和青年志愿者组成，开展安置点文明劝导、助老和课业辅导等志愿服务。',
				contactName: '刘志愿',
				contactPhone: '0797-6250123'
			}
		]
	];
	for (const [id, set] of particulars) await tx.update(o).set(set).where(eq(o.id, id));
	const pendingOrganization = newId();
	await tx.insert(o).values({
		id: pendingOrganization,
		name: '于都县宏远建材有限公司',
		kind: 'enterprise',
		regionId: county.id,
		regionPath: county.path,
		creditCode: creditCode('91360731MA38H6Q1W'),
		description:
			'县内建材企业，愿为安置点困难家庭的住房维修捐赠水管、门窗五金等建材，并安排师傅上门维修。',
		contactName: '钟先生',
		contactPhone: '0797-6333721',
		createdAt: ago(3)
	});

	// --- offers -------------------------------------------------------------------------------
	const offers = {
		charityHealthSchool: newId(),
		charityLiving: newId(),
		charityQuilts: newId(),
		charityExpired: newId(),
		enterpriseClothes: newId(),
		enterpriseTraining: newId(),
		socialWorkVisits: newId()
	};
	const regionPaths = [county.path];
	const offerRows: (typeof schema.offer.$inferInsert)[] = [
		{
			id: offers.charityHealthSchool,
			organizationId: orgs.charity,
			kind: 'money',
			categories: ['medical', 'schooling', 'disability_aid'],
			regionPaths,
			capacity: 200_000_00,
			unit: '',
			title: '安居助学助医专项资金',
			description:
				'资助安置点困难家庭的医疗自付费用、子女就学费用和残疾人辅助器具，单户一般不超过 1 万元。',
			validFrom: dayAgo(60),
			validTo: addDay(dayAgo(60), 364),
			createdBy: cishan,
			createdAt: ago(60)
		},
		{
			id: offers.charityLiving,
			organizationId: orgs.charity,
			kind: 'money',
			categories: ['living_costs', 'housing_repair', 'elder_care'],
			regionPaths,
			capacity: 100_000_00,
			unit: '',
			title: '困难家庭生活和住房维修救助金',
			description: '用于突发困难家庭的临时生活费、安置房小修小补和老人照护费用。',
			validFrom: dayAgo(60),
			validTo: addDay(dayAgo(60), 364),
			createdBy: cishan,
			createdAt: ago(60, -1)
		},
		{
			id: offers.charityQuilts,
			organizationId: orgs.charity,
			kind: 'goods',
			categories: ['living_costs', 'elder_care'],
			regionPaths,
			capacity: 300,
			unit: '床',
			title: '冬季送温暖棉被',
			description: '新棉被，每户一般 1 至 4 床，由慈善总会志愿者送到家。',
			validFrom: dayAgo(40),
			validTo: addDay(dayAgo(40), 150),
			createdBy: cishan,
			createdAt: ago(40)
		},
		{
			id: offers.charityExpired,
			organizationId: orgs.charity,
			kind: 'money',
			categories: ['schooling'],
			regionPaths,
			capacity: 50_000_00,
			unit: '',
			title: '秋季开学助学金（已结束）',
			description: '秋季学期开学前的一次性助学金，已按期结束。',
			validFrom: dayAgo(150),
			validTo: dayAgo(90),
			createdBy: cishan,
			createdAt: ago(150)
		},
		{
			id: offers.enterpriseClothes,
			organizationId: orgs.enterprise,
			kind: 'goods',
			categories: ['schooling', 'living_costs'],
			regionPaths,
			capacity: 200,
			unit: '套',
			title: '爱心校服和冬衣',
			description: '本公司生产的儿童冬季校服和保暖衣物，按孩子身高配送。',
			validFrom: dayAgo(45),
			validTo: addDay(dayAgo(45), 180),
			createdBy: admin,
			createdAt: ago(45)
		},
		{
			id: offers.enterpriseTraining,
			organizationId: orgs.enterprise,
			kind: 'service_hours',
			categories: ['employment'],
			regionPaths,
			capacity: 600,
			unit: '小时',
			title: '缝纫工岗前技能培训',
			description: '在贡江新区扶贫车间开班，结业考核合格的优先录用。',
			validFrom: dayAgo(30),
			validTo: addDay(dayAgo(30), 240),
			createdBy: admin,
			createdAt: ago(30)
		},
		{
			id: offers.socialWorkVisits,
			organizationId: orgs.socialWork,
			kind: 'service_hours',
			categories: ['elder_care', 'disability_aid'],
			regionPaths,
			capacity: 800,
			unit: '小时',
			title: '居家探访、陪伴和康复训练指导',
			description: '持证社工和康复师上门服务，每次 2 小时，按周安排。',
			validFrom: dayAgo(55),
			validTo: addDay(dayAgo(55), 300),
			createdBy: admin,
			createdAt: ago(55)
		}
	];
	// an offer's allocation is what its pledges take from it (added below)
	const allocated = new Map<string, number>();

	/** The organisation and offer that help with a need of this kind. */
	const helperFor = (
		t: Pick<NeedTemplate, 'kind' | 'category' | 'unit'>
	): { organizationId: string; offerId: string | null } => {
		if (t.kind === 'money')
			return {
				organizationId: orgs.charity,
				offerId: ['medical', 'schooling', 'disability_aid'].includes(t.category)
					? offers.charityHealthSchool
					: offers.charityLiving
			};
		if (t.kind === 'goods')
			return t.unit === '套'
				? { organizationId: orgs.enterprise, offerId: offers.enterpriseClothes }
				: { organizationId: orgs.charity, offerId: t.unit === '床' ? offers.charityQuilts : null };
		return t.category === 'employment'
			? { organizationId: orgs.enterprise, offerId: offers.enterpriseTraining }
			: { organizationId: orgs.socialWork, offerId: offers.socialWorkVisits };
	};

	// --- needs and pledges ----------------------------------------------------------------------
	type Slot = {
		settlement: number;
		status: NeedStatus;
		template?: NeedTemplate;
		household?: string;
	};
	const slots: Slot[] = [
		{
			settlement: 0,
			status: 'published',
			template: juminTemplates.published,
			household: juminHousehold
		},
		{
			settlement: 0,
			status: 'pending',
			template: juminTemplates.pending,
			household: juminHousehold
		}
	];
	const firstPoint: NeedStatus[] = [
		'delivered',
		'published',
		'funded',
		'pending',
		'delivered',
		'published',
		'rejected',
		'delivered',
		'published',
		'funded',
		'pending',
		'published',
		'delivered',
		'cancelled',
		'funded',
		'published',
		'pending',
		'delivered',
		'published',
		'pending'
	];
	for (const status of firstPoint) slots.push({ settlement: 0, status });
	const elsewhere: NeedStatus[] = [
		'published',
		'delivered',
		'pending',
		'funded',
		'rejected',
		'published',
		'delivered',
		'cancelled',
		'published',
		'delivered',
		'funded',
		'pending',
		'published',
		'delivered',
		'rejected',
		'funded',
		'delivered',
		'published'
	];
	for (const [i, status] of elsewhere.entries())
		slots.push({ settlement: 1 + (i % (input.settlements.length - 1)), status });

	const used = new Set<string>([juminHousehold]);
	let turn = 0;
	const needRows: (typeof schema.need.$inferInsert)[] = [];
	const pledgeRows: (typeof schema.pledge.$inferInsert & { id: string; kind: HelpKind })[] = [];
	const settlementById = new Map(input.settlements.map((s) => [s.id, s]));
	const householdsOf = (settlementId: string) =>
		input.households.filter((h) => h.settlementId === settlementId && !used.has(h.id));

	for (const slot of slots) {
		const place = input.settlements[slot.settlement];
		let template = slot.template;
		let household = slot.household
			? input.households.find((h) => h.id === slot.household)
			: undefined;
		let who: SeedPerson | undefined;
		if (household && template) who = template.about(membersOf.get(household.id)!, household);
		// the next template that some household of the point suits, and a household it suits
		for (let tries = 0; !household && tries < needTemplates.length; tries++) {
			const t = needTemplates[turn++ % needTemplates.length];
			const fits = householdsOf(place.id).flatMap((h) => {
				const p = t.about(membersOf.get(h.id)!, h);
				return p ? [{ h, p }] : [];
			});
			if (fits.length === 0) continue;
			const pick = r.pick(fits);
			template = t;
			household = pick.h;
			who = pick.p;
		}
		if (!household || !template || !who)
			throw new Error(`seed: no household for a need in ${place.name}`);
		used.add(household.id);
		const members = membersOf.get(household.id)!;
		const head = members[0];
		const context = {
			names: [household.headName, ...members.map((m) => m.name)],
			units: unitStrings(household),
			healthConsent: !!template.consent
		};
		for (const text of [template.title, template.publicDetail]) {
			const found = findIdentifying(text, context);
			if (found.length > 0)
				throw new Error(
					`seed: public words "${text}" point at a household: ${JSON.stringify(found)}`
				);
		}

		const steps = Math.floor((template.range[1] - template.range[0]) / template.step);
		const amount = template.range[0] + r.int(0, steps) * template.step;
		const quantity = template.kind === 'money' ? amount * 100 : amount;
		const status = slot.status;
		const first = slot.settlement === 0;
		const own = household.id === juminHousehold && status === 'pending';
		const raisedBy = own ? jumin : first ? r.pick([shegong, shegong, guanliyuan]) : minzheng;
		const verifier = first ? r.pick([guanliyuan, guanliyuan, dianzhang]) : minzheng;

		// the need's story backwards from today: delivery, pledges, verification, raising
		const deliveredDaysAgo = r.int(2, 25);
		const pledgedDaysAgo =
			status === 'delivered' || status === 'funded' ? deliveredDaysAgo + r.int(2, 6) : r.int(1, 12);
		const verifiedDaysAgo =
			status === 'published' || status === 'funded' || status === 'delivered'
				? pledgedDaysAgo + r.int(1, 5)
				: r.int(1, 20);
		const raisedDaysAgo = status === 'pending' ? r.int(0, 8) : verifiedDaysAgo + r.int(1, 3);
		const createdAt = ago(raisedDaysAgo, r.int(1, 8));
		const verifiedAt =
			status === 'published' || status === 'funded' || status === 'delivered'
				? ago(verifiedDaysAgo, r.int(1, 8))
				: null;
		const decidedAt =
			status === 'rejected' || status === 'cancelled' ? ago(verifiedDaysAgo, 2) : null;
		const deadline =
			status === 'pending' || status === 'published' || status === 'funded'
				? addDay(today, r.int(15, 75))
				: status === 'delivered'
					? addDay(dayAgo(raisedDaysAgo), r.int(30, 60))
					: null;

		const needId = newId();
		// pledges: part of a published need now and then, all of a funded or delivered one
		let pledged = 0;
		let delivered = 0;
		const helper = helperFor(template);
		// the enterprise and the social organisation have no demo account: the platform keyed theirs in
		const actor = helper.organizationId === orgs.charity ? cishan : admin;
		const pledgeOf = (share: number, pledgeStatus: PledgeStatus, daysAgo: number) => {
			const id = newId();
			const at = ago(daysAgo, r.int(1, 6));
			const deliveredAt =
				pledgeStatus === 'delivered' || pledgeStatus === 'confirmed'
					? ago(deliveredDaysAgo, r.int(2, 6))
					: null;
			const confirmedAt =
				pledgeStatus === 'confirmed' ? ago(Math.max(0, deliveredDaysAgo - r.int(1, 2)), 1) : null;
			pledgeRows.push({
				id,
				kind: template.kind,
				needId,
				organizationId: helper.organizationId,
				offerId: helper.offerId,
				quantity: share,
				status: pledgeStatus,
				idempotencyKey: `seed-${id}`,
				createdBy: actor,
				createdAt: at,
				deliveredAt,
				deliveredBy: deliveredAt ? actor : null,
				deliveryNote: deliveredAt
					? template.kind === 'money'
						? '已转账至户主银行卡，附转账凭证。'
						: template.kind === 'goods'
							? '已送到家中，户主签收。'
							: '已按计划上门服务，服务记录已存档。'
					: null,
				confirmedAt,
				confirmedBy: confirmedAt
					? (residentOf.get(household.id) ?? (first ? r.pick([guanliyuan, shegong]) : minzheng))
					: null
			});
			if (helper.offerId)
				allocated.set(helper.offerId, (allocated.get(helper.offerId) ?? 0) + share);
			pledged += share;
			if (pledgeStatus === 'confirmed') delivered += share;
		};
		if (
			status === 'published' &&
			quantity >= 2 &&
			r.chance(0.35) &&
			household.id !== juminHousehold
		)
			pledgeOf(
				template.kind === 'money' ? Math.round(quantity / 200) * 100 : Math.floor(quantity / 2),
				'pledged',
				pledgedDaysAgo
			);
		if (status === 'funded' || status === 'delivered') {
			// goods and hours now and then come from two pledges; money in one
			const split = template.kind !== 'money' && quantity >= 2 && r.chance(0.5);
			const firstShare = split ? Math.ceil(quantity / 2) : quantity;
			const done: PledgeStatus =
				status === 'delivered' ? 'confirmed' : r.pick(['pledged', 'delivered'] as const);
			pledgeOf(firstShare, done, pledgedDaysAgo);
			if (split)
				pledgeOf(
					quantity - firstShare,
					status === 'delivered' ? 'confirmed' : 'pledged',
					pledgedDaysAgo - 1
				);
		}

		needRows.push({
			id: needId,
			householdId: household.id,
			settlementId: household.settlementId,
			regionPath: settlementById.get(household.settlementId)!.regionPath,
			category: template.category,
			kind: template.kind,
			quantity,
			unit: template.kind === 'money' ? '' : (template.unit ?? ''),
			title: template.title,
			publicDetail: template.publicDetail,
			detail: template.detail(head, who, household),
			healthConsent: !!template.consent,
			urgency: template.urgency,
			deadline,
			status,
			pledged,
			delivered,
			raisedBy,
			verifiedBy: verifiedAt ? verifier : null,
			verifiedAt,
			rejectReason:
				status === 'rejected'
					? r.pick(rejectReasons)
					: status === 'cancelled'
						? r.pick(cancelReasons)
						: null,
			createdAt,
			updatedAt: decidedAt ?? verifiedAt ?? createdAt
		});
	}
	// the database numbers needs in the order they are inserted: the oldest first
	needRows.sort((a, b) => (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime());
	await insertAll(tx, schema.need, needRows, 200);
	for (const row of offerRows) row.allocated = allocated.get(row.id!) ?? 0;
	await insertAll(tx, schema.offer, offerRows);
	pledgeRows.sort((a, b) => (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime());
	await insertAll(
		tx,
		schema.pledge,
		pledgeRows.map(({ kind: _kind, ...p }) => p)
	);
	const numbered = await tx
		.select({ id: schema.need.id, no: schema.need.no, title: schema.need.title })
		.from(schema.need)
		.where(
			inArray(
				schema.need.id,
				needRows.map((n) => n.id!)
			)
		);
	const needById = new Map(numbered.map((n) => [n.id, n]));

	// --- the charity's project fund: donations in, each delivered money pledge out -----------------
	const projectFund = newId();
	await tx.insert(schema.fund).values({
		id: projectFund,
		organizationId: orgs.charity,
		name: '安居助学助医项目',
		kind: 'project',
		description:
			'于都县慈善总会为全县易地扶贫搬迁安置点困难家庭设立的一年期项目：资助医疗自付费用、子女就学和住房小修，每笔收支逐笔公开，项目结束后三个月内公开剩余资金。',
		startsOn: dayAgo(60),
		endsOn: addDay(dayAgo(60), 364),
		createdAt: ago(60)
	});
	type Entry = PostingInput & { at: number };
	const projectEntries: Entry[] = [];
	const donation = (daysAgo: number, yuan: number, counterparty: string, memo: string) =>
		projectEntries.push({
			fundId: projectFund,
			kind: 'donation',
			amount: yuan * 100,
			memo,
			counterparty,
			occurredOn: dayAgo(daysAgo),
			createdBy: cishan,
			at: ago(daysAgo).getTime()
		});
	// material gifts (1,000 yuan and more) within the last month; small ones since the start
	donation(27, 50_000, '于都县锦华服饰有限公司', '企业定向捐赠：安居助学助医项目');
	donation(21, 30_000, '于都县赣南脐橙商会', '商会会员单位集体捐赠');
	donation(15, 20_000, '于都县城投建设工程有限公司', '企业捐赠');
	donation(10, 5_000, anonymousDonor, '个人捐赠');
	donation(6, 3_600, '于都县第一中学教职工', '教职工爱心募捐');
	donation(3, 1_200, '刘先生', '个人捐赠，用于助学');
	const smallDonors = [
		anonymousDonor,
		anonymousDonor,
		anonymousDonor,
		'钟女士',
		'谢先生',
		'于都县实验小学少先队'
	];
	for (let i = 0; i < 16; i++)
		donation(
			r.int(1, 58),
			r.pick([50, 100, 100, 200, 200, 300, 500, 500, 800]),
			r.pick(smallDonors),
			r.pick(['个人捐赠', '网络募捐', '爱心捐赠', '月捐'])
		);
	for (const p of pledgeRows) {
		if (p.kind !== 'money' || !p.deliveredAt) continue;
		const need = needById.get(p.needId)!;
		projectEntries.push({
			fundId: projectFund,
			kind: 'disbursement',
			amount: p.quantity,
			// public words: the need's number and its anonymised title, as recordDelivery writes them
			memo: `认捐需求 ${needNumber(need.no)}：${need.title}`,
			needId: p.needId,
			occurredOn: shanghaiDay(p.deliveredAt as Date),
			idempotencyKey: `pledge-${p.id}`,
			createdBy: cishan,
			at: (p.deliveredAt as Date).getTime()
		});
	}
	projectEntries.push({
		fundId: projectFund,
		kind: 'disbursement',
		amount: 4_000_00,
		memo: '入冬走访慰问安置点困难家庭（20 户，每户 200 元）',
		occurredOn: dayAgo(8),
		createdBy: cishan,
		at: ago(8).getTime()
	});

	// --- the 互助社: its fund, rules, member households, contributions and cases ------------------
	const mutualAid = orgs.mutualAid;
	const aidFund = newId();
	const firstPoint0 = input.settlements[0].id;
	const candidates = input.households.filter(
		(h) => h.settlementId === firstPoint0 && !used.has(h.id)
	);
	const members: { householdId: string; joinedOn: string }[] = [
		{ householdId: juminHousehold, joinedOn: dayAgo(r.int(300, 500)) }
	];
	const chosen = new Set<string>([juminHousehold]);
	while (members.length < 30) {
		const h = r.pick(candidates);
		if (chosen.has(h.id)) continue;
		chosen.add(h.id);
		members.push({ householdId: h.id, joinedOn: dayAgo(r.int(40, 700)) });
	}
	members.sort(
		(a, b) => a.joinedOn.localeCompare(b.joinedOn) || a.householdId.localeCompare(b.householdId)
	);
	const aidStarts = members[0].joinedOn;
	await tx.insert(schema.fund).values({
		id: aidFund,
		organizationId: mutualAid,
		name: '贡江新区救急难互助金',
		kind: 'emergency',
		description:
			'社员家庭每年自愿缴纳的互助金和爱心企业的捐赠，用于社员家庭突发困难的先行救助和个案会商救助。',
		startsOn: aidStarts,
		createdAt: new Date(Date.parse(`${aidStarts}T01:00:00Z`))
	});
	await tx.insert(schema.aidGroup).values({
		organizationId: mutualAid,
		fundId: aidFund,
		aidFirstCapFen: 2_000_00,
		quorum: 2,
		approverIds: [huzhushe, dianzhang, guanliyuan]
	});
	await insertAll(
		tx,
		schema.aidMember,
		members.map((m) => ({ organizationId: mutualAid, ...m }))
	);
	const aidEntries: (Entry & { householdId?: string })[] = [];
	for (const m of members) {
		// a contribution on joining, and again each year since
		for (let day = m.joinedOn; day <= today; day = addDay(day, 365)) {
			const at = Date.parse(`${day}T02:00:00Z`) + r.int(0, 8) * 3_600_000;
			aidEntries.push({
				fundId: aidFund,
				kind: 'contribution',
				amount: r.pick([100, 100, 200]) * 100,
				memo: '社员缴纳互助金',
				counterparty: contributionCounterparty,
				occurredOn: day,
				createdBy: huzhushe,
				householdId: m.householdId,
				at: Math.min(at, now.getTime() - 3_600_000)
			});
		}
	}
	aidEntries.push({
		fundId: aidFund,
		kind: 'donation',
		amount: 10_000_00,
		memo: '爱心企业捐赠救急难互助金',
		counterparty: '于都县锦华服饰有限公司',
		occurredOn: dayAgo(22),
		createdBy: huzhushe,
		at: ago(22).getTime()
	});

	// the cases: one reviewed after 先行救助, one decided by the conference and paid, one paid
	// first last week, one in conference with one approval so far
	interface CaseSeed {
		status: AidCaseStatus;
		yuan: number;
		openedDaysAgo: number;
		paidDaysAgo: number | null;
		/** the group's own record: the household is the case's, never named in words (the page shows it masked) */
		hardship: string;
		publicSummary: string;
		approvals: { by: string; note: string }[];
		review?: { daysAgo: number; note: string };
	}
	const caseSeeds: CaseSeed[] = [
		{
			status: 'reviewed',
			yuan: 1_800,
			openedDaysAgo: 26,
			paidDaysAgo: 26,
			hardship:
				'户主家中夜间电线短路起火，厨房和一间卧室烧毁，一家五口暂住亲戚家，急需添置被褥、衣物和临时生活用品。',
			publicSummary: '社员家庭夜间突发火灾，先行救助临时生活',
			approvals: [],
			review: {
				daysAgo: 9,
				note: '已补齐消防出警记录和居委会证明，救助金已用于购置被褥衣物，合规。'
			}
		},
		{
			status: 'paid',
			yuan: 4_000,
			openedDaysAgo: 15,
			paidDaysAgo: 12,
			hardship:
				'户主在外务工时从脚手架摔下，腰椎骨折住院，家中两个孩子由老人照看，医药费已花去 3 万多元。',
			publicSummary: '社员家庭主要劳动力意外受伤，个案会商救助',
			approvals: [
				{ by: huzhushe, note: '情况属实，建议按 4,000 元救助。' },
				{ by: dianzhang, note: '同意。请社区跟进工伤认定。' }
			]
		},
		{
			status: 'paid_first',
			yuan: 1_500,
			openedDaysAgo: 6,
			paidDaysAgo: 6,
			hardship: '户主的妻子突发急病送县人民医院，家中无现钱缴押金，先行救助 1,500 元，票据后补。',
			publicSummary: '社员家庭成员突发急病，先行救助',
			approvals: []
		},
		{
			status: 'conference',
			yuan: 5_000,
			openedDaysAgo: 2,
			paidDaysAgo: null,
			hardship:
				'户主家的安置房楼上漏水，家中电器和家具泡水损坏，户主本人长期慢性病不能务工，申请 5,000 元救助。',
			publicSummary: '社员家庭遭遇房屋漏水，家具电器受损',
			approvals: [{ by: huzhushe, note: '已入户查看，损失情况属实，同意。' }]
		}
	];
	const caseHouseholds = members.filter((m) => m.householdId !== juminHousehold);
	const caseRows: (typeof schema.aidCase.$inferInsert)[] = [];
	const approvalRows: (typeof schema.aidApproval.$inferInsert)[] = [];
	const casePayouts = new Map<string, Entry>();
	for (const [i, c] of caseSeeds.entries()) {
		const householdId = caseHouseholds[(i * 7 + 3) % caseHouseholds.length].householdId;
		const id = newId();
		const openedAt = ago(c.openedDaysAgo, 5 - i);
		const paidAt =
			c.paidDaysAgo === null
				? null
				: ago(c.paidDaysAgo, c.paidDaysAgo === c.openedDaysAgo ? 4 - i : 3);
		if (paidAt)
			casePayouts.set(id, {
				fundId: aidFund,
				kind: 'payout',
				amount: c.yuan * 100,
				memo: c.approvals.length > 0 ? '个案会商救助' : '先行救助',
				aidCaseId: id,
				occurredOn: shanghaiDay(paidAt),
				idempotencyKey: `aid-case-${id}`,
				createdBy: c.approvals.at(-1)?.by ?? huzhushe,
				at: paidAt.getTime()
			});
		caseRows.push({
			id,
			organizationId: mutualAid,
			householdId,
			hardship: c.hardship,
			publicSummary: c.publicSummary,
			amount: c.yuan * 100,
			status: c.status,
			createdBy: huzhushe,
			createdAt: openedAt,
			paidAt,
			reviewNote: c.review?.note ?? null,
			reviewedAt: c.review ? ago(c.review.daysAgo) : null,
			reviewedBy: c.review ? huzhushe : null
		});
		for (const [k, a] of c.approvals.entries())
			approvalRows.push({
				caseId: id,
				approverId: a.by,
				approve: true,
				note: a.note,
				at: new Date(openedAt.getTime() + (k + 1) * 5 * 3_600_000)
			});
	}
	aidEntries.push(...casePayouts.values());

	// --- post both ledgers in the order things happened: the balance never goes below zero -------
	const postedIds = new Map<Entry, string>();
	const auditRows: (typeof schema.auditEntry.$inferInsert)[] = [];
	for (const entries of [projectEntries, aidEntries]) {
		entries.sort((a, b) => a.at - b.at);
		for (const e of entries) {
			const { at: _at, householdId, ...posting } = e as Entry & { householdId?: string };
			const posted = await postTransaction(tx, posting);
			if (!posted.ok)
				throw new Error(`seed: the ledger refused ${e.kind} ${e.memo} (${posted.reason})`);
			postedIds.set(e, posted.id);
			// a contribution's household lives in the audit trail, not the public ledger (aid.ts)
			if (householdId)
				auditRows.push({
					at: new Date(e.at),
					actorId: huzhushe,
					actorName: '赖互助',
					action: 'aid.contribution',
					entity: 'aid_member',
					entityId: `${mutualAid}:${householdId}`,
					scopePath: county.path,
					summary: { fundId: aidFund, transactionId: posted.id, no: posted.no, amount: e.amount }
				});
		}
	}
	await insertAll(tx, schema.auditEntry, auditRows);

	// the cases and pledges point at their ledger entries
	for (const row of caseRows) {
		const payout = casePayouts.get(row.id!);
		if (payout) row.transactionId = postedIds.get(payout)!;
	}
	caseRows.sort((a, b) => (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime());
	await insertAll(tx, schema.aidCase, caseRows);
	await insertAll(tx, schema.aidApproval, approvalRows);
	const pledgeEntries = projectEntries.filter((e) => e.idempotencyKey?.startsWith('pledge-'));
	for (const e of pledgeEntries)
		await tx
			.update(schema.pledge)
			.set({ transactionId: postedIds.get(e)! })
			.where(eq(schema.pledge.id, e.idempotencyKey!.slice('pledge-'.length)));

	return {
		needs: needRows.length,
		pledges: pledgeRows.length,
		offers: offerRows.length,
		entries: projectEntries.length + aidEntries.length,
		members: members.length,
		cases: caseRows.length
	};
}
