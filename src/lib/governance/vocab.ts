// shared by server and client: the words and state machines of governance (一约四会, 四议两公开, 积分制)

// ---------------------------------------------------------------- rules (村规民约 / 居民公约)

/** What a rule document is: the covenant itself, the 红白理事会's articles, or a points list (积分清单). */
export const ruleKinds = ['covenant', 'ceremony_articles', 'points_list'] as const;
export type RuleKind = (typeof ruleKinds)[number];
export const ruleKindWords: Record<RuleKind, string> = {
	covenant: '村规民约 / 居民公约',
	ceremony_articles: '红白理事会章程',
	points_list: '积分清单'
};

/**
 * A version of a rule: drafted, put to public consultation until an end date, adopted only by
 * a 四议两公开 decision (when its resolution is made public), superseded by the next adoption;
 * a draft or a consultation may be withdrawn.
 */
export const versionStatuses = [
	'draft',
	'consultation',
	'adopted',
	'superseded',
	'withdrawn'
] as const;
export type VersionStatus = (typeof versionStatuses)[number];
export const versionStatusWords: Record<VersionStatus, string> = {
	draft: '草案',
	consultation: '公开征求意见',
	adopted: '已通过施行',
	superseded: '已被新版本替代',
	withdrawn: '已撤回'
};

export const versionSteps = {
	// staff open consultation (with an end date in the future)
	openConsultation: { from: ['draft'], to: 'consultation' },
	// only a decision's 决议公开 adopts (see decisions)
	adopt: { from: ['consultation'], to: 'adopted' },
	// the next version's adoption supersedes
	supersede: { from: ['adopted'], to: 'superseded' },
	withdraw: { from: ['draft', 'consultation'], to: 'withdrawn' }
} as const satisfies Record<string, { from: readonly VersionStatus[]; to: VersionStatus }>;
export type VersionStep = keyof typeof versionSteps;

export function canVersionStep(step: VersionStep, status: VersionStatus): boolean {
	return (versionSteps[step].from as readonly VersionStatus[]).includes(status);
}

/** One numbered clause (第N条) of a version. */
export interface Clause {
	no: number;
	title: string;
	text: string;
}

/** The caps a rule may set for weddings and funerals (移风易俗), each tied to the clause that sets it. */
export const capKeys = [
	'bride_price',
	'wedding_tables',
	'funeral_tables',
	'funeral_banquet_days',
	'guests'
] as const;
export type CapKey = (typeof capKeys)[number];
export const capWords: Record<CapKey, { label: string; unit: string }> = {
	bride_price: { label: '彩礼（礼金）上限', unit: '元' },
	wedding_tables: { label: '婚宴桌数上限', unit: '桌' },
	funeral_tables: { label: '丧事宴席桌数上限', unit: '桌' },
	funeral_banquet_days: { label: '丧事办酒天数上限', unit: '天' },
	guests: { label: '宾客人数上限', unit: '人' }
};
/** A cap: bride_price in fen, the rest in their units. */
export interface Cap {
	key: CapKey;
	limit: number;
	clauseNo: number;
}

/** One item of a points list (积分清单): a stable code, what earns or costs it, and how much. */
export interface PointItem {
	code: string;
	label: string;
	/** signed: +5 for joining a volunteer activity, −10 for an over-cap banquet */
	points: number;
}

/** The codes other capabilities award under (activities' check-in, the ceremony check). */
export const wellKnownPointCodes = {
	volunteerActivity: 'volunteer_activity',
	activity: 'activity',
	elderCare: 'elder_care',
	overCapBanquet: 'over_cap_banquet'
} as const;

// ---------------------------------------------------------------- councils (四会) and meetings

export const councilKinds = [
	'deliberation',
	'moral_review',
	'anti_gambling_drugs',
	'weddings_funerals'
] as const;
export type CouncilKind = (typeof councilKinds)[number];
export const councilKindWords: Record<CouncilKind, string> = {
	deliberation: '村民议事会',
	moral_review: '道德评议会',
	anti_gambling_drugs: '禁赌禁毒会',
	weddings_funerals: '红白理事会'
};

export const memberRoles = ['chair', 'vice_chair', 'secretary', 'member'] as const;
export type MemberRole = (typeof memberRoles)[number];
export const memberRoleWords: Record<MemberRole, string> = {
	chair: '会长',
	vice_chair: '副会长',
	secretary: '秘书',
	member: '成员'
};

/** How many serving members must be present: more than half, or at least two thirds. */
export const quorumRules = ['majority', 'two_thirds'] as const;
export type QuorumRule = (typeof quorumRules)[number];
export const quorumWords: Record<QuorumRule, string> = {
	majority: '过半数成员到会',
	two_thirds: '三分之二以上成员到会'
};

export function quorumMet(rule: QuorumRule, present: number, serving: number): boolean {
	if (serving <= 0) return false;
	return rule === 'majority' ? present * 2 > serving : present * 3 >= serving * 2;
}

/** The fewest present members that make a quorum of `serving`. */
export function quorumNeeded(rule: QuorumRule, serving: number): number {
	return rule === 'majority' ? Math.floor(serving / 2) + 1 : Math.ceil((serving * 2) / 3);
}

/** A resolution passes with more than half of the members present voting for it. */
export function resolutionPasses(votesFor: number, present: number): boolean {
	return present > 0 && votesFor * 2 > present;
}

export const meetingStatuses = ['scheduled', 'in_session', 'closed', 'cancelled'] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];
export const meetingStatusWords: Record<MeetingStatus, string> = {
	scheduled: '待召开',
	in_session: '会议进行中',
	closed: '已闭会',
	cancelled: '已取消'
};
export const meetingSteps = {
	open: { from: ['scheduled'], to: 'in_session' },
	// closing needs the minutes; after it only amendments with a visible note
	close: { from: ['in_session'], to: 'closed' },
	cancel: { from: ['scheduled'], to: 'cancelled' }
} as const satisfies Record<string, { from: readonly MeetingStatus[]; to: MeetingStatus }>;
export type MeetingStep = keyof typeof meetingSteps;
export function canMeetingStep(step: MeetingStep, status: MeetingStatus): boolean {
	return (meetingSteps[step].from as readonly MeetingStatus[]).includes(status);
}

export const voteChoices = ['for', 'against', 'abstain'] as const;
export type VoteChoice = (typeof voteChoices)[number];
export const voteWords: Record<VoteChoice, string> = {
	for: '赞成',
	against: '反对',
	abstain: '弃权'
};

// ---------------------------------------------------------------- 四议两公开 decisions

export const decisionStages = [
	'proposal',
	'committees',
	'party_members',
	'representatives',
	'resolution_public',
	'result_public'
] as const;
export type DecisionStage = (typeof decisionStages)[number];
export const decisionStageWords: Record<DecisionStage, string> = {
	proposal: '党组织提议',
	committees: '两委会商议',
	party_members: '党员大会审议',
	representatives: '村民（代表）会议决议',
	resolution_public: '决议公开',
	result_public: '实施结果公开'
};
/** Stages that are decided by a vote; a failed vote ends the decision there. */
export const votedStages: readonly DecisionStage[] = ['party_members', 'representatives'];

export const decisionStatuses = ['in_progress', 'completed', 'failed'] as const;
export type DecisionStatus = (typeof decisionStatuses)[number];
export const decisionStatusWords: Record<DecisionStatus, string> = {
	in_progress: '进行中',
	completed: '已完成',
	failed: '未通过（终止）'
};

/**
 * The one stage that may be recorded next, given the stages recorded so far (in order) and the
 * decision's status; null when none may (finished or failed). Stages are never skipped or reordered.
 */
export function nextStage(
	recorded: readonly DecisionStage[],
	status: DecisionStatus
): DecisionStage | null {
	if (status !== 'in_progress') return null;
	for (let i = 0; i < recorded.length; i++) if (recorded[i] !== decisionStages[i]) return null;
	return decisionStages[recorded.length] ?? null;
}

/** A voted stage passes with more than half of those present for it. */
export function stagePasses(votesFor: number, attendees: number): boolean {
	return attendees > 0 && votesFor * 2 > attendees;
}

// ---------------------------------------------------------------- ceremonies (红白事备案)

export const ceremonyKinds = ['wedding', 'funeral'] as const;
export type CeremonyKind = (typeof ceremonyKinds)[number];
export const ceremonyKindWords: Record<CeremonyKind, string> = { wedding: '婚事', funeral: '丧事' };

export const ceremonyStatuses = ['filed', 'followed_up'] as const;
export type CeremonyStatus = (typeof ceremonyStatuses)[number];

/** What a filing declares, in the caps' units (bride price in fen). */
export interface CeremonyFigures {
	kind: CeremonyKind;
	tables: number;
	guests: number;
	bridePriceFen: number | null;
	banquetDays: number | null;
}

export interface Breach {
	key: CapKey;
	limit: number;
	value: number;
	clauseNo: number;
	ruleVersionId: string;
}

/** The caps that apply to a kind of ceremony. */
export function capsFor(kind: CeremonyKind): CapKey[] {
	return kind === 'wedding'
		? ['bride_price', 'wedding_tables', 'guests']
		: ['funeral_tables', 'funeral_banquet_days', 'guests'];
}

/** The value a filing declares for a cap, or null when it says nothing of it. */
function declared(f: CeremonyFigures, key: CapKey): number | null {
	switch (key) {
		case 'bride_price':
			return f.bridePriceFen;
		case 'wedding_tables':
		case 'funeral_tables':
			return f.tables;
		case 'funeral_banquet_days':
			return f.banquetDays;
		case 'guests':
			return f.guests;
	}
}

/**
 * Every cap of the adopted versions that the filing goes over, with the clause it breaks. When
 * two adopted versions cap the same thing, the stricter one counts.
 */
export function checkCaps(
	figures: CeremonyFigures,
	adopted: readonly { ruleVersionId: string; caps: readonly Cap[] }[]
): Breach[] {
	const breaches: Breach[] = [];
	for (const key of capsFor(figures.kind)) {
		const value = declared(figures, key);
		if (value === null) continue;
		let strictest: Breach | null = null;
		for (const v of adopted)
			for (const cap of v.caps)
				if (cap.key === key && (!strictest || cap.limit < strictest.limit))
					strictest = {
						key,
						limit: cap.limit,
						value,
						clauseNo: cap.clauseNo,
						ruleVersionId: v.ruleVersionId
					};
		if (strictest && value > strictest.limit) breaches.push(strictest);
	}
	return breaches;
}

// ---------------------------------------------------------------- points (积分制 / 积分超市)

export const pointsSources = ['award', 'deduct', 'redeem', 'reversal', 'activity'] as const;
export type PointsSource = (typeof pointsSources)[number];
export const pointsSourceWords: Record<PointsSource, string> = {
	award: '加分',
	deduct: '扣分',
	redeem: '积分兑换',
	reversal: '冲正',
	activity: '参加活动'
};

export const appealStatuses = ['open', 'upheld', 'rejected'] as const;
export type AppealStatus = (typeof appealStatuses)[number];
export const appealStatusWords: Record<AppealStatus, string> = {
	open: '待处理',
	upheld: '申诉成立（已冲正）',
	rejected: '维持原记录'
};
