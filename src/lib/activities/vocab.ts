// shared by server and client: the words of activities, care visits and risk monitoring (动态监测)

// ---------------------------------------------------------------- activities

export const activityKinds = [
	'culture_sports',
	'volunteer',
	'skills_training',
	'party_building',
	'deliberation',
	'elder_child'
] as const;
export type ActivityKind = (typeof activityKinds)[number];
export const activityKindWords: Record<ActivityKind, string> = {
	culture_sports: '文体活动',
	volunteer: '志愿服务',
	skills_training: '技能培训',
	party_building: '党建活动',
	deliberation: '议事协商',
	elder_child: '一老一小服务'
};

export const activityStatuses = ['scheduled', 'cancelled'] as const;
export type ActivityStatus = (typeof activityStatuses)[number];

// ---------------------------------------------------------------- care visits (关爱巡访)

export const careGroups = [
	'living_alone_elderly',
	'severe_disability',
	'left_behind_child',
	'child_in_difficulty',
	'extreme_poverty'
] as const;
export type CareGroup = (typeof careGroups)[number];
export const careGroupWords: Record<CareGroup, string> = {
	living_alone_elderly: '独居/空巢老人',
	severe_disability: '重度残疾人',
	left_behind_child: '留守儿童',
	child_in_difficulty: '困境儿童',
	extreme_poverty: '特困供养人员'
};
/** Default days between visits per group; a county or a target may set its own. */
export const defaultIntervalDays: Record<CareGroup, number> = {
	living_alone_elderly: 7,
	severe_disability: 14,
	left_behind_child: 30,
	child_in_difficulty: 14,
	extreme_poverty: 30
};

export const visitModes = ['home', 'phone', 'video', 'other'] as const;
export type VisitMode = (typeof visitModes)[number];
export const visitModeWords: Record<VisitMode, string> = {
	home: '入户走访',
	phone: '电话问候',
	video: '视频问候',
	other: '其他'
};

export const wellbeings = ['well', 'concern', 'urgent'] as const;
export type Wellbeing = (typeof wellbeings)[number];
export const wellbeingWords: Record<Wellbeing, string> = {
	well: '情况良好',
	concern: '需要关注',
	urgent: '情况紧急'
};

/** The day a target is next due: the day after the last visit plus the interval, or its start day. */
export function nextDueOn(
	since: string,
	lastVisitedOn: string | null,
	intervalDays: number
): string {
	if (!lastVisitedOn) return since;
	return addDays(lastVisitedOn, intervalDays);
}

/** A calendar day plus n days (YYYY-MM-DD, no time zone involved). */
export function addDays(day: string, n: number): string {
	const d = new Date(day + 'T00:00:00Z');
	d.setUTCDate(d.getUTCDate() + n);
	return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- risk flags (防返贫动态监测)

export const riskCategories = [
	'serious_illness',
	'severe_disability',
	'disaster',
	'unemployment',
	'schooling',
	'accident',
	'income_drop',
	'expense_surge',
	'other'
] as const;
export type RiskCategory = (typeof riskCategories)[number];
export const riskCategoryWords: Record<RiskCategory, string> = {
	serious_illness: '重病',
	severe_disability: '重残',
	disaster: '重灾',
	unemployment: '失业',
	schooling: '因学',
	accident: '意外事故',
	income_drop: '收入骤减',
	expense_surge: '支出骤增',
	other: '其他'
};

export const riskStatuses = ['reported', 'verified', 'assisted', 'closed'] as const;
export type RiskStatus = (typeof riskStatuses)[number];
export const riskStatusWords: Record<RiskStatus, string> = {
	reported: '已报告待核实',
	verified: '已核实',
	assisted: '帮扶中',
	closed: '已销号'
};
export const riskSteps = {
	verify: { from: ['reported'], to: 'verified' },
	// a link to a request, need or aid case moves a verified flag on to assisted
	assist: { from: ['verified'], to: 'assisted' },
	// closed with the outcome (risk removed, or not a risk after verification)
	close: { from: ['reported', 'verified', 'assisted'], to: 'closed' }
} as const satisfies Record<string, { from: readonly RiskStatus[]; to: RiskStatus }>;
export type RiskStep = keyof typeof riskSteps;
export function canRiskStep(step: RiskStep, status: RiskStatus): boolean {
	return (riskSteps[step].from as readonly RiskStatus[]).includes(status);
}

export const riskSources = ['discovery', 'visit', 'register_rule'] as const;
export type RiskSource = (typeof riskSources)[number];

/** The register rules that raise a flag by themselves. */
export const registerRules = ['zero_employment', 'no_laborer_left'] as const;
export type RegisterRule = (typeof registerRules)[number];
export const registerRuleWords: Record<RegisterRule, string> = {
	zero_employment: '家庭成为零就业家庭',
	no_laborer_left: '家庭最后一名劳动力去世或迁出'
};

export const riskLinkKinds = ['service_request', 'need', 'aid_case'] as const;
export type RiskLinkKind = (typeof riskLinkKinds)[number];

export const riskOutcomes = ['risk_removed', 'not_a_risk', 'transferred'] as const;
export type RiskOutcome = (typeof riskOutcomes)[number];
export const riskOutcomeWords: Record<RiskOutcome, string> = {
	risk_removed: '风险已消除',
	not_a_risk: '核实后不属于风险',
	transferred: '已转交其他部门'
};

/** County defaults: hours to verify a reported flag, and the day of the next month the zero report is due. */
export const defaultVerifyWithinHours = 72;
export const defaultReportDueDay = 5;

/** The month after 'YYYY-MM'. */
export function nextMonth(month: string): string {
	const [y, m] = month.split('-').map(Number);
	return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The last day on which a month's zero report is on time: day `dueDay` of the next month. */
export function reportDueOn(month: string, dueDay: number = defaultReportDueDay): string {
	return `${nextMonth(month)}-${String(dueDay).padStart(2, '0')}`;
}

// ---------------------------------------------------------------- duplicate benefits (防重复保)

export const duplicateKinds = ['same_person_two_households', 'two_open_aid_cases'] as const;
export type DuplicateKind = (typeof duplicateKinds)[number];
export const duplicateKindWords: Record<DuplicateKind, string> = {
	same_person_two_households: '同一身份证号在两个家庭（或两个安置点）在册',
	two_open_aid_cases: '同一家庭同一困难有两笔未结救助'
};
export const duplicateStatuses = ['open', 'resolved', 'dismissed'] as const;
export type DuplicateStatus = (typeof duplicateStatuses)[number];
