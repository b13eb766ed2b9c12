// Demo data of the governance capability: for the first three points, the 居民公约 / 村规民约
// and the 积分清单, each adopted by a 四议两公开 decision with all six stage records; at the
// first point also the 公约's second version out for consultation with jumin's comments, two
// more decisions (one under way, one voted down by the party members), the four councils with
// closed meetings and one to come (guanliyuan is secretary of 村民议事会 and 红白理事会, dianzhang
// vice-chair of the other two, so each has an account that records votes), a year of 红白事
// filings (three over the caps, with the clause they break and the council's follow-up), the
// points ledger of about 40 households with its accounts, appeals and one reversal, and the
// 积分超市 with stock, the charity's donations and redemptions.
// Called at the end of the demo seed (../seed.ts) inside its transaction, with random streams
// of its own, so two seeds make the same rows (ids included); times are relative to the seed's
// `now`. Rows go straight into the tables (the seed plays the history back): the ledger's sums
// are kept here, and the deferred trigger checks them at commit.
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import {
	checkCaps,
	resolutionPasses,
	type Breach,
	type Cap,
	type CeremonyKind,
	type Clause,
	type CouncilKind,
	type DecisionStage,
	type MemberRole,
	type PointItem,
	type PointsSource,
	type QuorumRule,
	type VoteChoice
} from '$lib/governance/vocab';
import { shanghaiDay } from '$lib/working-days';
import { schema, type Transaction } from '../db';

interface SeedRandom {
	next(): number;
	int(min: number, max: number): number;
	chance(p: number): boolean;
	pick<T>(list: readonly T[]): T;
}

interface SeedPerson {
	id: string;
	householdId: string;
	name: string;
	relation: string;
	gender: 'male' | 'female';
	/** as of mid-2026, as the demo seed planned it */
	age: number;
}

export interface GovernanceSeedInput {
	random: SeedRandom;
	newId: () => string;
	insertAll: <T extends PgTable>(
		tx: Transaction,
		table: T,
		rows: PgInsertValue<T>[],
		batch?: number
	) => Promise<void>;
	now: Date;
	/** the county's points, the demo staff's first */
	settlements: readonly {
		id: string;
		name: string;
		kind: 'urban_park' | 'town' | 'village';
		regionPath: string;
		committeeName: string;
	}[];
	households: readonly { id: string; settlementId: string; headName: string }[];
	people: readonly SeedPerson[];
	users: readonly {
		id?: string;
		username: string;
		displayName: string;
		householdId?: string | null;
	}[];
	organizations: { charity: string };
}

const dayMs = 86_400_000;

/** The points that have governance demo data: the demo staff's, jumin2's and a village. */
export const governedPoints = [0, 1, 2] as const;

// ---------------------------------------------------------------------------------------------
// The words of the rules

/** 第六条 caps weddings, 第七条 funerals. */
export const covenantCaps: Cap[] = [
	{ key: 'bride_price', limit: 3_000_000, clauseNo: 6 },
	{ key: 'wedding_tables', limit: 20, clauseNo: 6 },
	{ key: 'funeral_tables', limit: 20, clauseNo: 7 },
	{ key: 'funeral_banquet_days', limit: 1, clauseNo: 7 }
];

function covenantClauses(community: string): Clause[] {
	return [
		{
			no: 1,
			title: '爱党爱国',
			text: `热爱祖国，拥护中国共产党的领导，遵守国家法律法规和${community}的各项管理规定，自觉维护安置社区和谐稳定。`
		},
		{
			no: 2,
			title: '遵纪守法',
			text: '依法理性表达诉求，不信谣、不传谣；不参与非法集会、邪教和封建迷信活动；有困难和问题先到社区窗口反映。'
		},
		{
			no: 3,
			title: '邻里和睦',
			text: '邻里之间互相尊重、互帮互助、和睦相处；发生矛盾纠纷先找楼栋长或人民调解委员会调解，不打架斗殴、不恶语伤人、不聚众闹事。'
		},
		{
			no: 4,
			title: '孝老爱亲',
			text: '赡养老人、关爱子女，子女应经常看望照顾父母，不虐待、遗弃家庭成员；鼓励居民为独居、留守老人提供助老服务，倡导评选好婆婆、好媳妇。'
		},
		{
			no: 5,
			title: '环境卫生',
			text: '生活垃圾袋装入桶，不乱扔乱倒；不在楼道、消防通道堆放杂物；不毁绿种菜、不私搭乱建；爱护电梯、路灯、健身器材等公共设施。'
		},
		{
			no: 6,
			title: '婚事新办',
			text: '倡导婚事新办，彩礼（礼金）不超过 3 万元，婚宴不超过 20 桌；不比排场、不讲阔气，婚事在办理前向红白理事会备案。'
		},
		{
			no: 7,
			title: '丧事简办',
			text: '丧事从简，宴席不超过 20 桌，办酒不超过 1 天；提倡文明祭祀，不在安置区内搭棚办丧、不燃放烟花爆竹，丧事在办理前向红白理事会备案。'
		},
		{
			no: 8,
			title: '禁赌禁毒',
			text: '不参与赌博和变相赌博，不吸毒、不贩毒，不为赌博、吸毒提供场所；发现线索及时向禁赌禁毒会或派出所报告。'
		},
		{
			no: 9,
			title: '安全文明',
			text: '电动车不进楼入户充电，不占用消防通道；文明养犬，出户拴绳并及时清理粪便；严禁高空抛物。'
		},
		{
			no: 10,
			title: '奖惩',
			text: '居民遵守本公约的情况纳入积分制管理，按《积分清单》加分或扣分，积分可在积分超市兑换物品；违反本公约的，由居委会和相关理事会劝导教育，情节严重的取消当年评先评优资格。'
		}
	];
}

/** Version 2 of the first point's 公约: 第五条 and 第九条 rewritten, 第十一条 new. */
function covenantClausesV2(community: string): Clause[] {
	const v2 = covenantClauses(community).map((c) => ({ ...c }));
	v2[4].text =
		'生活垃圾分类投放：厨余垃圾、其他垃圾、可回收物、有害垃圾分别投入对应的桶，不乱扔乱倒；不在楼道、消防通道堆放杂物；不毁绿种菜、不私搭乱建；爱护电梯、路灯、健身器材等公共设施。';
	v2[8].text =
		'电动车到小区集中充电桩充电，不进楼入户、不飞线充电，不占用消防通道；文明养犬，出户拴绳并及时清理粪便；严禁高空抛物。';
	v2.push({
		no: 11,
		title: '志愿服务',
		text: '鼓励居民加入社区志愿服务队，每户每年至少参加 2 次志愿服务活动；党员、楼栋长带头参加。'
	});
	return v2;
}

const pointsListClauses: Clause[] = [
	{
		no: 1,
		title: '积分对象',
		text: '积分以户为单位，本安置点登记在册的住户均可参加；家庭成员的积分计入本户。'
	},
	{
		no: 2,
		title: '加分',
		text: '参加志愿服务、社区活动，孝老爱亲、环境卫生评比优秀、红白事简办等，按清单加分；同一事项不重复加分。'
	},
	{
		no: 3,
		title: '扣分',
		text: '大操大办超标、参与赌博、楼道乱堆乱放、电动车进楼充电等，按清单扣分；扣分前告知本户。'
	},
	{
		no: 4,
		title: '公示与申诉',
		text: '积分每月在公示栏公示；住户对积分记录有异议的，可在平台或窗口申诉，点长或管理员在 15 日内答复，申诉成立的冲正。'
	},
	{
		no: 5,
		title: '兑换',
		text: '积分可在积分超市兑换生活用品，兑换后扣减相应积分；积分不足的不能兑换。'
	}
];

export const demoPointItems: PointItem[] = [
	{ code: 'volunteer_activity', label: '参加志愿服务活动', points: 5 },
	{ code: 'activity', label: '参加社区活动', points: 2 },
	{ code: 'elder_care', label: '孝老爱亲/助老服务', points: 10 },
	{ code: 'environment', label: '环境卫生评比优秀', points: 3 },
	{ code: 'garbage_sorting', label: '垃圾分类投放准确', points: 2 },
	{ code: 'thrifty_ceremony', label: '红白事简办', points: 10 },
	{ code: 'model_family', label: '评为文明家庭', points: 20 },
	{ code: 'good_deed', label: '见义勇为、好人好事', points: 15 },
	{ code: 'over_cap_banquet', label: '大操大办超标', points: -10 },
	{ code: 'gambling', label: '参与赌博', points: -20 },
	{ code: 'clutter', label: '楼道乱堆乱放', points: -5 },
	{ code: 'ebike_indoor', label: '电动车进楼入户充电', points: -5 }
];
const itemOf = (code: string) => {
	const item = demoPointItems.find((i) => i.code === code);
	if (!item) throw new Error(`seed: no point item ${code}`);
	return item;
};

/** Reasons under each item, in the words staff write. */
const reasons: Record<string, string[]> = {
	volunteer_activity: [
		'参加“清洁家园”志愿服务活动',
		'参加关爱留守儿童志愿服务',
		'参加防汛巡查志愿服务',
		'参加文明交通劝导志愿服务',
		'参加疫苗接种点秩序维护志愿服务'
	],
	activity: [
		'参加社区“我们的节日·中秋”活动',
		'参加居民议事会旁听',
		'参加反诈宣传讲座',
		'参加社区运动会',
		'参加就业技能培训宣讲会'
	],
	elder_care: [
		'长期照料家中失能老人，经楼栋长核实',
		'为独居老人代购生活用品、陪同就医',
		'参加“邻里守望”助老结对服务'
	],
	environment: ['季度环境卫生评比“清洁户”', '门前三包评比优秀'],
	garbage_sorting: ['垃圾分类督导抽查投放准确'],
	thrifty_ceremony: ['红白事按公约简办，红白理事会核实'],
	model_family: ['评为年度“文明家庭”'],
	good_deed: ['拾金不昧，归还失主现金和证件', '协助扑灭楼道初起火情'],
	over_cap_banquet: ['办酒超过公约规定的桌数，经红白理事会劝导'],
	gambling: ['参与打麻将赌博，被派出所查处'],
	clutter: ['楼道堆放纸箱杂物，经劝导逾期未清理'],
	ebike_indoor: ['电动车推进楼道充电，经物业劝导']
};

// ---------------------------------------------------------------------------------------------
// Decisions: the six stages as the record keeps them

interface StagePlan {
	stage: DecisionStage;
	daysAgo: number;
	participants: string;
	attendees: number;
	votes?: [number, number, number];
	minutes: string;
	evidence?: string;
}

/** A decision's stages that adopt a rule version, from the 党组织提议 to the result made public. */
function adoptionStages(
	title: string,
	startDaysAgo: number,
	r: SeedRandom,
	party: number,
	representatives: number
): StagePlan[] {
	const partyPresent = party - r.int(2, 6);
	const repsPresent = representatives - r.int(1, 4);
	const partyAgainst = r.int(0, 2);
	const repsAgainst = r.int(0, 2);
	const repsAbstain = r.int(0, 2);
	return [
		{
			stage: 'proposal',
			daysAgo: startDaysAgo,
			participants: '党支部委员会委员 5 人',
			attendees: 5,
			minutes: `党支部委员会研究，提议制定《${title}》，由居委会起草并公开征求居民意见。`
		},
		{
			stage: 'committees',
			daysAgo: startDaysAgo - 6,
			participants: '党支部委员会和居民委员会委员（两委）9 人',
			attendees: 9,
			minutes: `两委联席会议逐条讨论《${title}》草案和居民意见，修改后提交党员大会审议。`
		},
		{
			stage: 'party_members',
			daysAgo: startDaysAgo - 14,
			participants: `党员 ${partyPresent} 人（应到 ${party} 人）`,
			attendees: partyPresent,
			votes: [partyPresent - partyAgainst, partyAgainst, 0],
			minutes: `党员大会审议《${title}》，同意提交居民代表会议表决。`
		},
		{
			stage: 'representatives',
			daysAgo: startDaysAgo - 20,
			participants: `居民代表 ${repsPresent} 人（应到 ${representatives} 人）`,
			attendees: repsPresent,
			votes: [repsPresent - repsAgainst - repsAbstain, repsAgainst, repsAbstain],
			minutes: `居民代表会议表决通过《${title}》。`
		},
		{
			stage: 'resolution_public',
			daysAgo: startDaysAgo - 22,
			participants: '居民委员会',
			attendees: 0,
			minutes: `居民代表会议表决通过《${title}》，自公布之日起施行。全文在安置点公示栏和本平台公开，公示期 7 天，公示期间无异议。`,
			evidence: '公示栏张贴照片 2 张，存居委会档案'
		},
		{
			stage: 'result_public',
			daysAgo: startDaysAgo - 90,
			participants: '居民委员会',
			attendees: 0,
			minutes: `《${title}》已印发到户，各楼栋张贴上墙；红白理事会、道德评议会按公约开展劝导和评议，施行情况良好。`,
			evidence: '入户发放签收表、楼栋张贴照片'
		}
	];
}

// ---------------------------------------------------------------------------------------------

export async function seedGovernance(tx: Transaction, input: GovernanceSeedInput) {
	const { random: r, newId, insertAll, now } = input;
	const ago = (days: number, hours = 0) =>
		new Date(now.getTime() - days * dayMs - hours * 3_600_000);
	const dayAgo = (days: number) => shanghaiDay(ago(days));
	const today = shanghaiDay(now);
	const addDay = (day: string, n: number) =>
		new Date(Date.parse(`${day}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);
	const year = Number(today.slice(0, 4));
	const account = (username: string) => {
		const u = input.users.find((x) => x.username === username);
		if (!u?.id) throw new Error(`seed: no demo account ${username}`);
		return { id: u.id, displayName: u.displayName, householdId: u.householdId ?? null };
	};
	const admin = account('admin');
	const dianzhang = account('dianzhang');
	const guanliyuan = account('guanliyuan');
	const shegong = account('shegong');
	const jumin = account('jumin');
	const jumin2 = account('jumin2');
	const juminHousehold = jumin.householdId!;
	const membersOf = new Map<string, SeedPerson[]>();
	for (const p of input.people)
		membersOf.set(p.householdId, [...(membersOf.get(p.householdId) ?? []), p]);
	const householdsOf = (settlementId: string) =>
		input.households.filter((h) => h.settlementId === settlementId);

	const rules: (typeof schema.rule.$inferInsert)[] = [];
	const versions: (typeof schema.ruleVersion.$inferInsert)[] = [];
	const comments: (typeof schema.ruleComment.$inferInsert)[] = [];
	const decisions: (typeof schema.decision.$inferInsert & { createdAt: Date })[] = [];
	const stages: (typeof schema.decisionStage.$inferInsert)[] = [];
	const councils: (typeof schema.council.$inferInsert)[] = [];
	const members: (typeof schema.councilMember.$inferInsert & { id: string })[] = [];
	const meetings: (typeof schema.meeting.$inferInsert)[] = [];
	const attendance: (typeof schema.meetingAttendance.$inferInsert)[] = [];
	const resolutions: (typeof schema.meetingResolution.$inferInsert)[] = [];
	const votes: (typeof schema.meetingVote.$inferInsert)[] = [];
	const filings: (typeof schema.ceremonyFiling.$inferInsert)[] = [];

	/** A decision and its stage records; a failed vote ends it there. */
	const addDecision = (d: {
		settlementId: string;
		regionPath: string;
		title: string;
		summary: string;
		ruleVersionId?: string;
		stages: StagePlan[];
		recorder: string;
	}) => {
		const id = newId();
		let status: 'in_progress' | 'completed' | 'failed' = 'in_progress';
		let last: DecisionStage | null = null;
		for (const s of d.stages) {
			const passed = s.votes ? s.votes[0] * 2 > s.attendees : null;
			stages.push({
				id: newId(),
				decisionId: id,
				stage: s.stage,
				heldOn: dayAgo(s.daysAgo),
				participants: s.participants,
				attendees: s.attendees,
				votesFor: s.votes?.[0] ?? null,
				votesAgainst: s.votes?.[1] ?? null,
				votesAbstain: s.votes?.[2] ?? null,
				passed,
				minutes: s.minutes,
				evidence: s.evidence ?? '',
				recordedBy: d.recorder,
				recordedAt: ago(s.daysAgo, -10)
			});
			last = s.stage;
			if (passed === false) {
				status = 'failed';
				break;
			}
			if (s.stage === 'result_public') status = 'completed';
		}
		decisions.push({
			id,
			settlementId: d.settlementId,
			regionPath: d.regionPath,
			title: d.title,
			summary: d.summary,
			ruleVersionId: d.ruleVersionId ?? null,
			status,
			stage: last,
			createdBy: d.recorder,
			createdAt: ago(d.stages[0].daysAgo, -9),
			updatedAt: ago(d.stages[d.stages.length - 1].daysAgo, -10)
		});
		return id;
	};

	/** A rule with its first version, out for consultation and adopted by a decision of six stages. */
	const adoptedRule = (
		si: number,
		kind: 'covenant' | 'points_list',
		title: string,
		body: { clauses: Clause[]; caps?: Cap[]; pointItems?: PointItem[] },
		startDaysAgo: number,
		recorder: string
	) => {
		const place = input.settlements[si];
		const ruleId = newId();
		const versionId = newId();
		const plan = adoptionStages(title, startDaysAgo, r, r.int(38, 52), r.int(30, 40));
		const adoptedDaysAgo = plan.find((s) => s.stage === 'resolution_public')!.daysAgo;
		const decisionId = addDecision({
			settlementId: place.id,
			regionPath: place.regionPath,
			title: `制定《${title}》`,
			summary:
				kind === 'covenant'
					? `按照移风易俗、邻里和睦、环境卫生、禁赌禁毒、孝老爱亲和红白事从简的要求，制定《${title}》，共 ${body.clauses.length} 条。`
					: `制定《${title}》，明确加分和扣分项目、积分公示与申诉、积分超市兑换办法。`,
			ruleVersionId: versionId,
			stages: plan,
			recorder
		});
		rules.push({
			id: ruleId,
			settlementId: place.id,
			regionPath: place.regionPath,
			kind,
			title,
			createdBy: recorder,
			createdAt: ago(startDaysAgo + 30)
		});
		versions.push({
			id: versionId,
			ruleId,
			settlementId: place.id,
			regionPath: place.regionPath,
			versionNo: 1,
			status: 'adopted',
			clauses: body.clauses,
			caps: body.caps ?? [],
			pointItems: body.pointItems ?? [],
			note: '首次制定',
			consultationOpenedAt: ago(startDaysAgo + 20),
			consultationEndsOn: dayAgo(startDaysAgo + 5),
			adoptedByDecisionId: decisionId,
			adoptedOn: dayAgo(adoptedDaysAgo),
			createdBy: recorder,
			createdAt: ago(startDaysAgo + 30),
			updatedAt: ago(adoptedDaysAgo, -10)
		});
		return { ruleId, versionId, adoptedDaysAgo };
	};

	// --- rules and the decisions that adopted them ------------------------------------------------
	const covenants: { versionId: string; ruleId: string }[] = [];
	const pointsLists: { versionId: string; adoptedDaysAgo: number }[] = [];
	for (const si of governedPoints) {
		const place = input.settlements[si];
		const community = place.committeeName.replace(/(居委会|村民委员会)$/, '');
		const village = place.kind === 'village';
		const covenantTitle = village
			? `${place.name.replace(/安置点$/, '')}村规民约`
			: `${community}居民公约`;
		const recorder = si === 0 ? guanliyuan.id : admin.id;
		covenants.push(
			adoptedRule(
				si,
				'covenant',
				covenantTitle,
				{ clauses: covenantClauses(village ? '本村' : '本社区'), caps: covenantCaps },
				470 - si * 20,
				recorder
			)
		);
		pointsLists.push(
			adoptedRule(
				si,
				'points_list',
				`${village ? place.name.replace(/安置点$/, '') : community}积分制管理清单`,
				{ clauses: pointsListClauses, pointItems: demoPointItems },
				430 - si * 10,
				recorder
			)
		);
	}

	// the first point's 公约, version 2: out for consultation until ten days from now
	const first = input.settlements[0];
	const v2Id = newId();
	versions.push({
		id: v2Id,
		ruleId: covenants[0].ruleId,
		settlementId: first.id,
		regionPath: first.regionPath,
		versionNo: 2,
		status: 'consultation',
		clauses: covenantClausesV2('本社区'),
		caps: covenantCaps,
		pointItems: [],
		note: '按居民议事会意见：第五条写明垃圾分类，第九条要求电动车到集中充电桩充电，新增第十一条志愿服务。',
		consultationOpenedAt: ago(5),
		consultationEndsOn: addDay(today, 10),
		createdBy: guanliyuan.id,
		createdAt: ago(24),
		updatedAt: ago(5)
	});
	comments.push(
		{
			id: newId(),
			versionId: v2Id,
			clauseNo: 9,
			authorId: jumin.id,
			householdId: juminHousehold,
			body: '集中充电桩目前只有一处，离后面几栋楼比较远，建议先增加充电桩再执行这一条。',
			reply: '已转物业公司核实，计划年底前在北区再装两组充电桩。',
			repliedBy: guanliyuan.id,
			repliedAt: ago(2),
			createdAt: ago(4, 3)
		},
		{
			id: newId(),
			versionId: v2Id,
			clauseNo: 11,
			authorId: jumin.id,
			householdId: juminHousehold,
			body: '家里老人行动不便，志愿服务能不能由其他家庭成员代为参加？',
			createdAt: ago(1, 5)
		}
	);

	// --- the first point's other decisions: one under way, one the party members voted down --------
	addDecision({
		settlementId: first.id,
		regionPath: first.regionPath,
		title: '安置点南侧空地改建停车场和健身广场',
		summary:
			'安置点南侧约 2,000 平方米空地长期闲置，拟改建为停车场（约 80 个车位）和健身广场，资金申请县乡村振兴衔接资金。',
		stages: [
			{
				stage: 'proposal',
				daysAgo: 12,
				participants: '党支部委员会委员 5 人',
				attendees: 5,
				minutes: '党支部委员会根据村民议事会建议，提议改建南侧空地，由居委会测算方案和资金。'
			},
			{
				stage: 'committees',
				daysAgo: 4,
				participants: '党支部委员会和居民委员会委员（两委）9 人',
				attendees: 9,
				minutes: '两委联席会议讨论改建方案，同意停车场和健身广场各占一半，提交党员大会审议。'
			}
		],
		recorder: guanliyuan.id
	});
	addDecision({
		settlementId: first.id,
		regionPath: first.regionPath,
		title: '物业服务费每月每平方米上调 0.3 元',
		summary: '物业公司申请将物业服务费每月每平方米上调 0.3 元，用于增加保洁和夜间巡逻人员。',
		stages: [
			{
				stage: 'proposal',
				daysAgo: 75,
				participants: '党支部委员会委员 5 人',
				attendees: 5,
				minutes: '党支部委员会研究物业公司的调价申请，提议按程序征求意见。'
			},
			{
				stage: 'committees',
				daysAgo: 68,
				participants: '党支部委员会和居民委员会委员（两委）9 人',
				attendees: 9,
				minutes: '两委联席会议讨论调价方案，意见分歧较大，同意提交党员大会审议。'
			},
			{
				stage: 'party_members',
				daysAgo: 60,
				participants: '党员 41 人（应到 47 人）',
				attendees: 41,
				votes: [12, 26, 3],
				minutes:
					'党员大会审议调价方案，多数党员认为搬迁群众收入不高、调价依据不足，表决未通过，本事项终止。'
			}
		],
		recorder: dianzhang.id
	});

	// --- the four councils ----------------------------------------------------------------------
	const used = new Set<string>([
		juminHousehold,
		...(jumin2.householdId ? [jumin2.householdId] : [])
	]);
	/** Adults of the point from households not used yet, one a household. */
	const pickResidents = (settlementId: string, n: number) => {
		const out: SeedPerson[] = [];
		const pool = householdsOf(settlementId).filter((h) => !used.has(h.id));
		for (let tries = 0; out.length < n && tries < 500; tries++) {
			const h = r.pick(pool);
			if (used.has(h.id)) continue;
			const adult = (membersOf.get(h.id) ?? []).find((p) => p.age >= 30 && p.age <= 72);
			if (!adult) continue;
			used.add(h.id);
			out.push(adult);
		}
		if (out.length < n) throw new Error('seed: not enough residents for the councils');
		return out;
	};
	const councilPlans: {
		kind: CouncilKind;
		name: string;
		quorum: QuorumRule;
		charter: string;
		size: number;
	}[] = [
		{
			kind: 'deliberation',
			name: '村民议事会',
			quorum: 'majority',
			charter:
				'议事会由居民推选的代表组成，每季度至少开会一次，对涉及居民切身利益的事项进行协商议事，提出建议提交两委；过半数成员到会方可开会，决议以到会成员过半数赞成通过。',
			size: 7
		},
		{
			kind: 'moral_review',
			name: '道德评议会',
			quorum: 'majority',
			charter:
				'评议会每季度评议一次好人好事和不文明行为，评选文明家庭，对违反居民公约的行为进行劝导评议；评议结果经公示后计入积分。',
			size: 7
		},
		{
			kind: 'anti_gambling_drugs',
			name: '禁赌禁毒会',
			quorum: 'majority',
			charter: '禁赌禁毒会开展禁赌禁毒宣传，收集涉赌涉毒线索并报告派出所，帮教社区戒毒康复人员。',
			size: 5
		},
		{
			kind: 'weddings_funerals',
			name: '红白理事会',
			quorum: 'two_thirds',
			charter:
				'红白理事会受理婚丧事备案，按居民公约第六条、第七条的标准指导操办，对超标操办的住户上门劝导；三分之二以上成员到会方可开会。',
			size: 6
		}
	];
	const termStart = `${year - 2}-01-01`;
	const termEnd = `${year + 2}-12-31`;
	const councilIds = new Map<string, string>();
	const servingOf = new Map<string, (typeof members)[number][]>();
	for (const si of governedPoints) {
		const place = input.settlements[si];
		for (const plan of councilPlans) {
			const councilId = newId();
			councilIds.set(`${si}:${plan.kind}`, councilId);
			councils.push({
				id: councilId,
				settlementId: place.id,
				regionPath: place.regionPath,
				kind: plan.kind,
				name: plan.name,
				quorumRule: plan.quorum,
				charter: plan.charter,
				createdAt: ago(800 - si)
			});
			// the seat an account holds at the first point: guanliyuan the secretary of two, dianzhang
			// vice-chair of the other two
			const staffSeat =
				si !== 0
					? null
					: plan.kind === 'deliberation' || plan.kind === 'weddings_funerals'
						? { role: 'secretary' as MemberRole, who: guanliyuan }
						: { role: 'vice_chair' as MemberRole, who: dianzhang };
			const roles: MemberRole[] = ['chair', 'vice_chair', 'secretary'];
			while (roles.length < plan.size) roles.push('member');
			const people = pickResidents(place.id, plan.size - (staffSeat ? 1 : 0));
			const seated: (typeof members)[number][] = [];
			for (const role of roles) {
				const row = {
					id: newId(),
					councilId,
					role,
					termStart,
					termEnd,
					createdAt: ago(700 - si)
				};
				if (staffSeat && role === staffSeat.role)
					seated.push({ ...row, name: staffSeat.who.displayName, userId: staffSeat.who.id });
				else {
					const p = people.shift()!;
					seated.push({ ...row, name: p.name, residentId: p.id });
				}
			}
			members.push(...seated);
			servingOf.set(councilId, seated);
			// the last term's member who moved away
			if (plan.kind === 'deliberation') {
				const [p] = pickResidents(place.id, 1);
				members.push({
					id: newId(),
					councilId,
					name: p.name,
					residentId: p.id,
					role: 'member',
					termStart: `${year - 5}-01-01`,
					termEnd: `${year - 3}-12-31`,
					createdAt: ago(1500)
				});
			}
		}
	}

	// --- meetings: closed ones with their record, and one to come --------------------------------
	interface MeetingPlan {
		si: number;
		kind: CouncilKind;
		title: string;
		daysAgo: number;
		agenda: string[];
		absent: number;
		resolutions: { text: string; votes: VoteChoice[] }[];
		minutes: string;
		sittingIn?: number;
		guest?: string;
	}
	const meetingPlans: MeetingPlan[] = [
		{
			si: 0,
			kind: 'anti_gambling_drugs',
			title: '禁赌禁毒宣传工作会',
			daysAgo: 120,
			agenda: ['通报上半年涉赌涉毒警情', '部署禁毒宣传进楼栋活动'],
			absent: 1,
			resolutions: [
				{
					text: '开展“禁毒宣传进楼栋”活动，每栋楼张贴宣传海报并入户发放宣传单',
					votes: ['for', 'for', 'for', 'for']
				}
			],
			minutes:
				'会议通报上半年辖区涉赌警情 2 起，均已处理。决定开展禁毒宣传进楼栋活动，由各楼栋长配合入户发放宣传单，活动情况下次会议通报。',
			guest: '贡江派出所社区民警'
		},
		{
			si: 0,
			kind: 'moral_review',
			title: '第三季度道德评议会',
			daysAgo: 90,
			agenda: ['评议本季度文明家庭', '评议楼道乱堆乱放问题'],
			absent: 0,
			resolutions: [
				{
					text: '评定 3 户为本季度“文明家庭”，公示 7 天后按积分清单加分',
					votes: ['for', 'for', 'for', 'for', 'for', 'for', 'abstain']
				},
				{
					text: '对经劝导仍在楼道堆放杂物的住户在公示栏点名曝光',
					votes: ['for', 'for', 'for', 'against', 'against', 'abstain', 'abstain']
				}
			],
			minutes:
				'会议评议本季度文明家庭，评定 3 户，公示后加分。对楼道乱堆乱放问题，多数成员认为应先由楼栋长再次上门劝导，点名曝光的提议未获通过。',
			sittingIn: 1
		},
		{
			si: 0,
			kind: 'deliberation',
			title: '村民议事会第三季度例会',
			daysAgo: 60,
			agenda: ['收集《居民公约》修订意见', '讨论安置点南侧空地的使用'],
			absent: 1,
			resolutions: [
				{
					text: '建议修订《居民公约》第五条、第九条，增加志愿服务条款，提请两委起草修订稿',
					votes: ['for', 'for', 'for', 'for', 'for', 'for']
				},
				{
					text: '建议将南侧空地改建为停车场和健身广场，提请党支部按四议两公开程序提议',
					votes: ['for', 'for', 'for', 'for', 'against', 'abstain']
				}
			],
			minutes:
				'会议收集居民对《居民公约》的修订意见 12 条，主要集中在垃圾分类和电动车充电。南侧空地使用方案经讨论形成建议，提交党支部。',
			sittingIn: 2
		},
		{
			si: 0,
			kind: 'weddings_funerals',
			title: '红白理事会月度例会',
			daysAgo: 35,
			agenda: ['通报近期红白事备案情况', '研究超标办酒户的劝导'],
			absent: 1,
			resolutions: [
				{
					text: '对超标办酒的住户由理事会成员上门劝导，并按积分清单扣分',
					votes: ['for', 'for', 'for', 'for', 'for']
				}
			],
			minutes:
				'会议通报近三个月红白事备案情况，绝大多数按公约简办。对超标办酒的住户，决定由会长带队上门劝导，并按积分清单扣分。'
		}
	];
	// the seat that records: an account of the first point's staff
	const recorderFor = (councilId: string) => {
		const seat = servingOf.get(councilId)!.find((m) => m.userId);
		if (!seat?.userId) throw new Error('seed: a meeting of a council with no account');
		return seat.userId;
	};
	for (const plan of meetingPlans) {
		const place = input.settlements[plan.si];
		const councilId = councilIds.get(`${plan.si}:${plan.kind}`)!;
		const serving = servingOf.get(councilId)!;
		const present = serving.slice(0, serving.length - plan.absent);
		const meetingId = newId();
		const startsAt = new Date(`${dayAgo(plan.daysAgo)}T19:30:00+08:00`);
		const recorder = recorderFor(councilId);
		meetings.push({
			id: meetingId,
			councilId,
			settlementId: place.id,
			regionPath: place.regionPath,
			title: plan.title,
			startsAt,
			place: '社区党群服务中心二楼会议室',
			agenda: plan.agenda,
			status: 'closed',
			servingMembers: serving.length,
			minutes: plan.minutes,
			closedAt: new Date(startsAt.getTime() + 2 * 3_600_000),
			closedBy: recorder,
			createdBy: recorder,
			createdAt: ago(plan.daysAgo + 7)
		});
		for (const m of present)
			attendance.push({
				id: newId(),
				meetingId,
				memberId: m.id,
				name: m.name,
				kind: 'member',
				createdAt: startsAt
			});
		if (plan.sittingIn)
			for (const p of pickResidents(place.id, plan.sittingIn))
				attendance.push({
					id: newId(),
					meetingId,
					residentId: p.id,
					name: p.name,
					kind: 'resident',
					createdAt: startsAt
				});
		if (plan.guest)
			attendance.push({
				id: newId(),
				meetingId,
				name: plan.guest,
				kind: 'guest',
				createdAt: startsAt
			});
		for (const [i, res] of plan.resolutions.entries()) {
			if (res.votes.length !== present.length)
				throw new Error(
					`seed: ${plan.title} has ${present.length} present and ${res.votes.length} votes`
				);
			const resolutionId = newId();
			const count = (c: VoteChoice) => res.votes.filter((v) => v === c).length;
			resolutions.push({
				id: resolutionId,
				meetingId,
				no: i + 1,
				text: res.text,
				passed: resolutionPasses(count('for'), present.length),
				votesFor: count('for'),
				votesAgainst: count('against'),
				votesAbstain: count('abstain'),
				createdAt: new Date(startsAt.getTime() + (30 + i * 20) * 60_000)
			});
			for (const [k, choice] of res.votes.entries())
				votes.push({
					id: newId(),
					resolutionId,
					memberId: present[k].id,
					choice,
					recordedBy: recorder,
					createdAt: new Date(startsAt.getTime() + (40 + i * 20) * 60_000)
				});
		}
	}
	// the 村民议事会's next meeting, in three days: guanliyuan opens it
	const deliberation = councilIds.get('0:deliberation')!;
	meetings.push({
		id: newId(),
		councilId: deliberation,
		settlementId: first.id,
		regionPath: first.regionPath,
		title: '村民议事会第四季度例会',
		startsAt: new Date(`${addDay(today, 3)}T19:30:00+08:00`),
		place: '社区党群服务中心二楼会议室',
		agenda: ['听取《居民公约》修订稿征求意见情况', '讨论冬季消防安全检查安排'],
		status: 'scheduled',
		createdBy: guanliyuan.id,
		createdAt: ago(6)
	});

	// --- 红白事 filings: a year of them, three over the caps ---------------------------------------
	interface FilingPlan {
		si: number;
		kind: CeremonyKind;
		daysAgo: number;
		tables: number;
		bridePriceYuan?: number;
		banquetDays?: number;
		gifts: string;
		followUp?: { text: string; savingsYuan: number };
		household?: string;
		deduct?: boolean;
	}
	const filingPlans: FilingPlan[] = [
		{
			si: 0,
			kind: 'wedding',
			daysAgo: 340,
			tables: 16,
			bridePriceYuan: 20_000,
			gifts: '婚车 4 辆，不放烟花',
			followUp: { text: '按公约简办，理事会成员到场指导。', savingsYuan: 8_000 }
		},
		{
			si: 0,
			kind: 'funeral',
			daysAgo: 318,
			tables: 12,
			banquetDays: 1,
			gifts: '只收花圈挽联，不收礼金',
			followUp: { text: '丧事一天办完，未搭棚，理事会协助联系殡葬服务。', savingsYuan: 6_000 }
		},
		{
			si: 0,
			kind: 'wedding',
			daysAgo: 290,
			tables: 26,
			bridePriceYuan: 58_000,
			gifts: '婚车 8 辆',
			followUp: {
				text: '理事会会长带队上门劝导两次，男方家庭同意退还彩礼 2.8 万元，婚宴压减到 20 桌。已按积分清单扣分。',
				savingsYuan: 35_000
			},
			deduct: true
		},
		{
			si: 0,
			kind: 'wedding',
			daysAgo: 250,
			tables: 18,
			bridePriceYuan: 28_800,
			gifts: '婚车 6 辆',
			followUp: { text: '按公约办理。', savingsYuan: 3_000 },
			household: juminHousehold
		},
		{
			si: 0,
			kind: 'funeral',
			daysAgo: 222,
			tables: 10,
			banquetDays: 1,
			gifts: '不收礼金',
			followUp: { text: '按公约简办。', savingsYuan: 5_000 }
		},
		{ si: 0, kind: 'wedding', daysAgo: 196, tables: 12, bridePriceYuan: 16_600, gifts: '集体婚礼' },
		{
			si: 0,
			kind: 'funeral',
			daysAgo: 170,
			tables: 24,
			banquetDays: 3,
			gifts: '请乐队 2 天',
			followUp: {
				text: '理事会和道德评议会成员上门劝导，丧家同意第二天起不再办酒，停请乐队；按积分清单扣分。',
				savingsYuan: 12_000
			},
			deduct: true
		},
		{ si: 0, kind: 'funeral', daysAgo: 140, tables: 8, banquetDays: 1, gifts: '不收礼金' },
		{
			si: 0,
			kind: 'wedding',
			daysAgo: 118,
			tables: 15,
			bridePriceYuan: 18_800,
			gifts: '婚车 4 辆',
			followUp: { text: '按公约简办，理事会送上“文明婚礼”贺卡。', savingsYuan: 7_000 }
		},
		{ si: 0, kind: 'funeral', daysAgo: 96, tables: 14, banquetDays: 1, gifts: '只收花圈' },
		{ si: 0, kind: 'wedding', daysAgo: 70, tables: 20, bridePriceYuan: 30_000, gifts: '婚车 6 辆' },
		{
			si: 0,
			kind: 'funeral',
			daysAgo: 48,
			tables: 9,
			banquetDays: 1,
			gifts: '不收礼金',
			followUp: { text: '按公约简办。', savingsYuan: 4_000 }
		},
		{
			si: 0,
			kind: 'wedding',
			daysAgo: 27,
			tables: 14,
			bridePriceYuan: 12_000,
			gifts: '旅行结婚，只办答谢宴'
		},
		{ si: 0, kind: 'funeral', daysAgo: 15, tables: 11, banquetDays: 1, gifts: '不收礼金' },
		// the one still waiting for the council
		{ si: 0, kind: 'wedding', daysAgo: 6, tables: 22, bridePriceYuan: 26_000, gifts: '婚车 6 辆' },
		{
			si: 1,
			kind: 'wedding',
			daysAgo: 200,
			tables: 14,
			bridePriceYuan: 18_000,
			gifts: '婚车 4 辆'
		},
		{ si: 1, kind: 'funeral', daysAgo: 80, tables: 10, banquetDays: 1, gifts: '不收礼金' },
		{
			si: 2,
			kind: 'wedding',
			daysAgo: 150,
			tables: 18,
			bridePriceYuan: 26_000,
			gifts: '婚车 4 辆'
		},
		{ si: 2, kind: 'funeral', daysAgo: 40, tables: 12, banquetDays: 1, gifts: '只收花圈' }
	];
	const deductions: { householdId: string; filingId: string; daysAgo: number }[] = [];
	for (const plan of filingPlans) {
		const place = input.settlements[plan.si];
		const householdId =
			plan.household ??
			r.pick(householdsOf(place.id).filter((h) => !used.has(h.id) && h.id !== juminHousehold)).id;
		const id = newId();
		const bridePrice = plan.bridePriceYuan !== undefined ? plan.bridePriceYuan * 100 : null;
		const guests = plan.tables * 10 - r.int(0, 6);
		const breaches: Breach[] = checkCaps(
			{
				kind: plan.kind,
				tables: plan.tables,
				guests,
				bridePriceFen: bridePrice,
				banquetDays: plan.banquetDays ?? null
			},
			[{ ruleVersionId: covenants[plan.si].versionId, caps: covenantCaps }]
		);
		const filedAt = ago(plan.daysAgo + r.int(7, 20));
		const own = householdId === juminHousehold;
		const staff = plan.si === 0 ? r.pick([shegong.id, guanliyuan.id]) : admin.id;
		filings.push({
			id,
			settlementId: place.id,
			regionPath: place.regionPath,
			householdId,
			kind: plan.kind,
			eventOn: dayAgo(plan.daysAgo),
			tables: plan.tables,
			guests,
			bridePrice,
			banquetDays: plan.banquetDays ?? null,
			gifts: plan.gifts,
			overCap: breaches.length > 0,
			breaches,
			status: plan.followUp ? 'followed_up' : 'filed',
			followUp: plan.followUp?.text ?? null,
			savings: plan.followUp ? plan.followUp.savingsYuan * 100 : null,
			followedUpBy: plan.followUp ? guanliyuan.id : null,
			followedUpAt: plan.followUp ? ago(plan.daysAgo - 3) : null,
			filedBy: own ? jumin.id : staff,
			createdAt: filedAt
		});
		if (plan.deduct) deductions.push({ householdId, filingId: id, daysAgo: plan.daysAgo - 3 });
	}

	// --- the points ledger ------------------------------------------------------------------------
	interface EntryPlan {
		id: string;
		settlementId: string;
		regionPath: string;
		householdId: string;
		residentId: string | null;
		delta: number;
		source: PointsSource;
		itemCode: string | null;
		ruleVersionId: string | null;
		reason: string;
		reversesId?: string;
		ref?: string;
		createdBy: string;
		createdByName: string;
		createdAt: Date;
	}
	const entries: EntryPlan[] = [];
	const staffNames = new Map(
		[admin, dianzhang, guanliyuan, shegong, jumin].map((u) => [u.id, u.displayName])
	);
	const post = (
		si: number,
		householdId: string,
		code: string,
		daysAgo: number,
		by: string,
		more: Partial<EntryPlan> = {}
	) => {
		const place = input.settlements[si];
		const item = itemOf(code);
		const adults = (membersOf.get(householdId) ?? []).filter((p) => p.age >= 16);
		const entry: EntryPlan = {
			id: newId(),
			settlementId: place.id,
			regionPath: place.regionPath,
			householdId,
			residentId:
				code === 'volunteer_activity' || code === 'elder_care' || code === 'good_deed'
					? (r.pick(adults)?.id ?? null)
					: null,
			delta: item.points,
			source: item.points > 0 ? 'award' : 'deduct',
			itemCode: code,
			ruleVersionId: pointsLists[si].versionId,
			reason: r.pick(reasons[code]),
			createdBy: by,
			createdByName: staffNames.get(by) ?? '',
			createdAt: ago(daysAgo, r.int(1, 8)),
			...more
		};
		entries.push(entry);
		return entry;
	};
	const awardCodes = [
		'activity',
		'activity',
		'activity',
		'volunteer_activity',
		'volunteer_activity',
		'environment',
		'garbage_sorting',
		'elder_care'
	];
	const firstStaff = [shegong.id, shegong.id, guanliyuan.id];

	// jumin's household: a year of awards, two deductions (one appealed), about 60 points
	const juminPlan: [string, number][] = [
		['volunteer_activity', 330],
		['activity', 300],
		['elder_care', 280],
		['elder_care', 240],
		['garbage_sorting', 200],
		['environment', 250],
		['activity', 210],
		['volunteer_activity', 180],
		['elder_care', 150],
		['environment', 120],
		['activity', 95],
		['volunteer_activity', 70],
		['elder_care', 55],
		['activity', 45],
		['clutter', 40],
		['volunteer_activity', 30],
		['environment', 25],
		['ebike_indoor', 18],
		['activity', 9]
	];
	const juminEntries = juminPlan.map(([code, days]) =>
		post(0, juminHousehold, code, days, r.pick(firstStaff))
	);
	const appealedByJumin = juminEntries.find((e) => e.itemCode === 'clutter')!;

	// about 40 more households of the first point and ten of the second
	const earners = (si: number, n: number) =>
		householdsOf(input.settlements[si].id)
			.filter((h) => h.id !== juminHousehold && h.id !== jumin2.householdId)
			.filter(() => r.chance(0.5))
			.slice(0, n);
	const firstEarners = earners(0, 40);
	for (const h of firstEarners)
		for (let k = r.int(2, 7); k > 0; k--)
			post(0, h.id, r.pick(awardCodes), r.int(20, 360), r.pick(firstStaff));
	const secondEarners = [
		...(jumin2.householdId ? [input.households.find((h) => h.id === jumin2.householdId)!] : []),
		...earners(1, 9)
	];
	for (const h of secondEarners)
		for (let k = r.int(2, 5); k > 0; k--)
			post(1, h.id, r.pick(awardCodes), r.int(20, 300), admin.id);
	// the model families of the 道德评议会's meeting, a good deed, a few deductions
	for (const h of firstEarners.slice(0, 3)) post(0, h.id, 'model_family', 80, guanliyuan.id);
	post(0, firstEarners[3].id, 'good_deed', 150, guanliyuan.id);
	const clutterHouseholds = firstEarners.slice(4, 7);
	const clutterEntries = clutterHouseholds.map((h) =>
		post(0, h.id, 'clutter', r.int(60, 200), shegong.id)
	);
	post(0, firstEarners[7].id, 'ebike_indoor', 100, shegong.id);
	const gamblingEntries = [firstEarners[8], firstEarners[9]].map((h) =>
		post(0, h.id, 'gambling', r.int(100, 250), guanliyuan.id)
	);
	// over-cap banquets, deducted after the council's follow-up
	for (const d of deductions)
		post(0, d.householdId, 'over_cap_banquet', d.daysAgo, guanliyuan.id, {
			ref: `ceremony:${d.filingId}`
		});

	// appeals: jumin's open one, one rejected, one upheld with its reversal
	const appeals: (typeof schema.pointsAppeal.$inferInsert)[] = [];
	appeals.push({
		id: newId(),
		entryId: appealedByJumin.id,
		householdId: juminHousehold,
		settlementId: first.id,
		regionPath: first.regionPath,
		reason: '楼道里的纸箱不是我家放的，是楼上邻居搬家时暂放的，已经清理了，请核实。',
		filedBy: jumin.id,
		createdAt: ago(36)
	});
	appeals.push({
		id: newId(),
		entryId: clutterEntries[0].id,
		householdId: clutterEntries[0].householdId,
		settlementId: first.id,
		regionPath: first.regionPath,
		reason: '杂物只放了两天，已经清理。',
		status: 'rejected',
		decisionNote: '经楼栋长和物业核实，杂物堆放超过一个月，劝导两次后才清理，维持原记录。',
		decidedBy: dianzhang.id,
		decidedAt: new Date(clutterEntries[0].createdAt.getTime() + 9 * dayMs),
		filedBy: guanliyuan.id,
		createdAt: new Date(clutterEntries[0].createdAt.getTime() + 3 * dayMs)
	});
	const wrong = gamblingEntries[0];
	const reversal = post(0, wrong.householdId, 'gambling', 0, dianzhang.id, {
		delta: -wrong.delta,
		source: 'reversal',
		reason: '申诉成立：经派出所核实，被查处的不是本户成员，冲正原扣分',
		reversesId: wrong.id,
		residentId: null,
		createdAt: new Date(wrong.createdAt.getTime() + 12 * dayMs)
	});
	appeals.push({
		id: newId(),
		entryId: wrong.id,
		householdId: wrong.householdId,
		settlementId: first.id,
		regionPath: first.regionPath,
		reason: '被查处的是同名的外村人员，不是我家的人。',
		status: 'upheld',
		decisionNote: '经派出所核实属实，冲正原扣分。',
		decidedBy: dianzhang.id,
		decidedAt: reversal.createdAt,
		reversalEntryId: reversal.id,
		filedBy: guanliyuan.id,
		createdAt: new Date(wrong.createdAt.getTime() + 4 * dayMs)
	});

	// --- the 积分超市: items, restocks (two donated by the charity), redemptions ----------------------
	const shop: { name: string; unit: string; cost: number; bought: number; donated?: number }[] = [
		{ name: '大米 10斤', unit: '袋', cost: 50, bought: 10, donated: 20 },
		{ name: '食用油 1.8升', unit: '瓶', cost: 40, bought: 10, donated: 15 },
		{ name: '洗衣液 2千克', unit: '瓶', cost: 25, bought: 30 },
		{ name: '毛巾', unit: '条', cost: 10, bought: 40 },
		{ name: '文具套装', unit: '套', cost: 15, bought: 25 },
		{ name: '理发券', unit: '张', cost: 8, bought: 50 }
	];
	const items: (typeof schema.shopItem.$inferInsert & { id: string; stock: number })[] = [];
	const restocks: (typeof schema.shopRestock.$inferInsert)[] = [];
	for (const s of shop) {
		const id = newId();
		items.push({
			id,
			settlementId: first.id,
			regionPath: first.regionPath,
			name: s.name,
			unit: s.unit,
			cost: s.cost,
			stock: s.bought + (s.donated ?? 0),
			createdAt: ago(380)
		});
		restocks.push({
			id: newId(),
			itemId: id,
			quantity: s.bought,
			note: '社区采购',
			createdBy: guanliyuan.id,
			createdAt: ago(380)
		});
		if (s.donated)
			restocks.push({
				id: newId(),
				itemId: id,
				quantity: s.donated,
				donorOrganizationId: input.organizations.charity,
				donorName: '于都县慈善总会',
				note: '慈善总会“积分超市”项目捐赠',
				createdBy: guanliyuan.id,
				createdAt: ago(60)
			});
	}
	// the balance as of a moment, from the entries so far
	const balanceAt = (householdId: string, at: Date) =>
		entries
			.filter((e) => e.householdId === householdId && e.createdAt <= at)
			.reduce((s, e) => s + e.delta, 0);
	const redemptions: (typeof schema.redemption.$inferInsert)[] = [];
	const redeem = (householdId: string, itemName: string, daysAgo: number, by: string) => {
		const item = items.find((i) => i.name === itemName)!;
		const at = ago(daysAgo, 2);
		// the seed keeps the rule the app keeps: a redemption never takes a balance below zero
		if (balanceAt(householdId, at) < item.cost || item.stock < 1) return;
		const id = newId();
		const entry = post(0, householdId, 'activity', daysAgo, by, {
			delta: -item.cost,
			source: 'redeem',
			itemCode: null,
			ruleVersionId: null,
			residentId: null,
			reason: `兑换 ${item.name} ×1${item.unit}`,
			ref: `redemption:${id}`,
			createdAt: at
		});
		item.stock -= 1;
		redemptions.push({
			id,
			itemId: item.id,
			householdId,
			settlementId: first.id,
			quantity: 1,
			cost: item.cost,
			entryId: entry.id,
			redeemedBy: by,
			handedOverAt: daysAgo > 1 ? new Date(at.getTime() + 600_000) : null,
			createdAt: at
		});
	};
	redeem(juminHousehold, '毛巾', 14, jumin.id);
	const shelf = shop.map((s) => s.name);
	for (const [k, h] of firstEarners.slice(10, 22).entries())
		redeem(h.id, shelf[k % shelf.length], r.int(1, 50), r.pick([guanliyuan.id, shegong.id]));

	// the ledger in time order (its numbers follow), and each household's account from it
	entries.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
	const accounts = new Map<string, typeof schema.pointsAccount.$inferInsert>();
	for (const e of entries) {
		const a = accounts.get(e.householdId) ?? {
			householdId: e.householdId,
			settlementId: e.settlementId,
			balance: 0,
			earned: 0,
			spent: 0,
			updatedAt: e.createdAt
		};
		a.balance! += e.delta;
		if (e.delta > 0) a.earned! += e.delta;
		if (e.source === 'redeem') a.spent! -= e.delta;
		a.updatedAt = e.createdAt;
		accounts.set(e.householdId, a);
	}

	// --- in order of the foreign keys -------------------------------------------------------------
	const {
		rule,
		ruleVersion,
		ruleComment,
		decision,
		decisionStage,
		council,
		councilMember,
		meeting,
		meetingAttendance,
		meetingResolution,
		meetingVote,
		ceremonyFiling,
		pointsAccount,
		pointsEntry,
		pointsAppeal,
		shopItem,
		shopRestock,
		redemption
	} = schema;
	await insertAll(tx, rule, rules);
	await insertAll(tx, ruleVersion, versions);
	await insertAll(tx, ruleComment, comments);
	// decision numbers in the order they were raised
	decisions.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
	await insertAll(tx, decision, decisions);
	await insertAll(tx, decisionStage, stages);
	await insertAll(tx, council, councils);
	await insertAll(tx, councilMember, members);
	await insertAll(tx, meeting, meetings);
	await insertAll(tx, meetingAttendance, attendance);
	await insertAll(tx, meetingResolution, resolutions);
	await insertAll(tx, meetingVote, votes);
	await insertAll(tx, ceremonyFiling, filings);
	await insertAll(tx, pointsAccount, [...accounts.values()]);
	await insertAll(tx, pointsEntry, entries);
	await insertAll(tx, pointsAppeal, appeals);
	await insertAll(tx, shopItem, items);
	await insertAll(tx, shopRestock, restocks);
	await insertAll(tx, redemption, redemptions);
}
