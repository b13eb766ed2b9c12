import { z } from 'zod';
import {
	capKeys,
	capWords,
	decisionStages,
	decisionStatuses,
	ruleKinds,
	votedStages,
	type Cap,
	type CapKey,
	type Clause,
	type DecisionStage,
	type PointItem
} from '../governance/vocab';
import { yuanToFen } from './money';

// The rules (村规民约) and 四议两公开 forms. Each posted form is flat — strings, and arrays of
// strings for the repeated rows — so it works as a plain HTML form without JavaScript; a pure
// function turns a valid form into the command's input, and the commands check that input again
// with the domain schemas below (the seed and other capabilities call them directly).

export const maxClauses = 200;
export const maxClauseText = 2000;
export const maxPointItems = 100;
/** The highest bride-price cap one may write, in yuan. */
export const maxBridePriceYuan = 1_000_000;
/** The highest cap of tables, days or guests. */
export const maxCapCount = 10_000;
export const maxPoints = 1000;

const isoDate = (label: string) =>
	z
		.string({ error: `请填写${label}` })
		.trim()
		.min(1, `请填写${label}`)
		.pipe(z.iso.date({ error: `${label}格式不正确（YYYY-MM-DD）` }))
		.refine((d) => {
			const y = Number(d.slice(0, 4));
			return y >= 2000 && y <= 2100;
		}, `${label}不在有效范围内`);

const uuidField = (message: string) => z.string({ error: message }).trim().pipe(z.uuid(message));

// ---------------------------------------------------------------- domain shapes (what commands take)

export const clauseSchema = z.object(
	{
		no: z
			.number({ error: '条款序号须为整数' })
			.int('条款序号须为整数')
			.min(1, '条款序号须从 1 开始')
			.max(999, '条款序号最大为 999'),
		title: z
			.string({ error: '条款标题须为文字' })
			.trim()
			.max(60, '条款标题最多 60 个字')
			.default(''),
		text: z
			.string({ error: '请填写条款内容' })
			.trim()
			.min(1, '请填写条款内容')
			.max(maxClauseText, `每条最多 ${maxClauseText} 个字`)
	},
	{ error: '条款格式不正确' }
);

export const clausesSchema = z
	.array(clauseSchema, { error: '条款格式不正确' })
	.max(maxClauses, `最多 ${maxClauses} 条`)
	.superRefine((clauses, ctx) => {
		const seen = new Set<number>();
		for (const [i, c] of clauses.entries()) {
			if (seen.has(c.no))
				ctx.addIssue({ code: 'custom', path: [i, 'no'], message: `第${c.no}条重复` });
			seen.add(c.no);
		}
	})
	// kept in their numbers' order
	.transform((clauses): Clause[] => [...clauses].sort((a, b) => a.no - b.no));

/** The highest limit a cap may have, in its stored unit (bride price in fen). */
export const capMax = (key: CapKey) =>
	key === 'bride_price' ? maxBridePriceYuan * 100 : maxCapCount;

export const capSchema = z
	.object(
		{
			key: z.enum(capKeys, { error: '上限项目不正确' }),
			limit: z.number({ error: '上限须为整数' }).int('上限须为整数').min(0, '上限不能为负数'),
			clauseNo: z
				.number({ error: '请填写规定此上限的条款序号' })
				.int('条款序号须为整数')
				.min(1, '条款序号须从 1 开始')
				.max(999, '条款序号最大为 999')
		},
		{ error: '上限格式不正确' }
	)
	.superRefine((cap, ctx) => {
		if (cap.limit > capMax(cap.key))
			ctx.addIssue({
				code: 'custom',
				path: ['limit'],
				message: `${capWords[cap.key].label}过大`
			});
	});

export const pointCodePattern = /^[a-z][a-z0-9_]{1,39}$/;

export const pointItemSchema = z.object(
	{
		code: z
			.string({ error: '请填写项目代码' })
			.trim()
			.regex(pointCodePattern, '项目代码须为 2–40 位小写字母、数字或下划线，以字母开头'),
		label: z
			.string({ error: '请填写项目名称' })
			.trim()
			.min(2, '请填写项目名称（至少 2 个字）')
			.max(60, '项目名称最多 60 个字'),
		points: z
			.number({ error: '分值须为整数' })
			.int('分值须为整数')
			.min(-maxPoints, `分值不能低于 -${maxPoints}`)
			.max(maxPoints, `分值不能超过 ${maxPoints}`)
			.refine((n) => n !== 0, '分值不能为 0')
	},
	{ error: '积分项目格式不正确' }
);

/** What a draft holds: its clauses, the caps and point items it sets, and the drafters' note. */
export const draftSchema = z
	.object({
		clauses: clausesSchema,
		caps: z
			.array(capSchema, { error: '上限格式不正确' })
			.max(capKeys.length, '上限项目重复')
			.default([]),
		pointItems: z
			.array(pointItemSchema, { error: '积分项目格式不正确' })
			.max(maxPointItems, `积分项目最多 ${maxPointItems} 项`)
			.default([]),
		note: z
			.string({ error: '修订说明须为文字' })
			.trim()
			.max(1000, '修订说明最多 1000 个字')
			.default('')
	})
	.superRefine((d, ctx) => {
		const numbers = new Set(d.clauses.map((c) => c.no));
		const keys = new Set<string>();
		for (const [i, cap] of d.caps.entries()) {
			if (keys.has(cap.key))
				ctx.addIssue({ code: 'custom', path: ['caps', i, 'key'], message: '上限项目重复' });
			keys.add(cap.key);
			if (!numbers.has(cap.clauseNo))
				ctx.addIssue({
					code: 'custom',
					path: ['caps', i, 'clauseNo'],
					message: `没有第${cap.clauseNo}条`
				});
		}
		const codes = new Set<string>();
		for (const [i, item] of d.pointItems.entries()) {
			if (codes.has(item.code))
				ctx.addIssue({
					code: 'custom',
					path: ['pointItems', i, 'code'],
					message: `项目代码 ${item.code} 重复`
				});
			codes.add(item.code);
		}
	});
export type DraftInput = z.input<typeof draftSchema>;
export type Draft = z.output<typeof draftSchema>;

const votes = z
	.number({ error: '票数须为整数' })
	.int('票数须为整数')
	.min(0, '票数不能为负数')
	.max(100_000, '票数过大')
	.nullish();

/** A decision stage as the command takes it (numbers as numbers). */
export const stageInputSchema = z
	.object({
		stage: z.enum(decisionStages, { error: '环节不正确' }),
		heldOn: isoDate('日期'),
		participants: z
			.string({ error: '请填写参加人员' })
			.trim()
			.min(2, '请填写参加人员（如 党支部委员 5 人）')
			.max(200, '参加人员最多 200 个字'),
		attendees: z
			.number({ error: '到会人数须为整数' })
			.int('到会人数须为整数')
			.min(0, '到会人数不能为负数')
			.max(100_000, '到会人数过大'),
		votesFor: votes,
		votesAgainst: votes,
		votesAbstain: votes,
		minutes: z
			.string({ error: '请填写会议纪要或公开内容' })
			.trim()
			.min(2, '请填写会议纪要或公开内容')
			.max(5000, '最多 5000 个字'),
		evidence: z
			.string({ error: '佐证材料须为文字' })
			.trim()
			.max(500, '佐证材料最多 500 个字')
			.default('')
	})
	.superRefine((s, ctx) => checkStageFigures(s, ctx));
export type StageInput = z.input<typeof stageInputSchema>;

/** The stages held as meetings (the first four); the last two are disclosures (公示). */
export const meetingStages: readonly DecisionStage[] = decisionStages.slice(0, 4);

function checkStageFigures(
	s: {
		stage: DecisionStage;
		attendees: number;
		votesFor?: number | null;
		votesAgainst?: number | null;
		votesAbstain?: number | null;
	},
	ctx: z.RefinementCtx
) {
	if (meetingStages.includes(s.stage) && s.attendees < 1)
		ctx.addIssue({ code: 'custom', path: ['attendees'], message: '请填写到会人数' });
	if (!votedStages.includes(s.stage)) return;
	const votes = [
		['votesFor', s.votesFor],
		['votesAgainst', s.votesAgainst],
		['votesAbstain', s.votesAbstain]
	] as const;
	for (const [field, n] of votes)
		if (n === null || n === undefined)
			ctx.addIssue({ code: 'custom', path: [field], message: '本环节须表决，请填写票数' });
	const total = (s.votesFor ?? 0) + (s.votesAgainst ?? 0) + (s.votesAbstain ?? 0);
	if (total > s.attendees)
		ctx.addIssue({
			code: 'custom',
			path: ['votesFor'],
			message: `赞成、反对、弃权合计 ${total} 票，多于到会人数 ${s.attendees}`
		});
}

// ---------------------------------------------------------------- posted forms

const formText = (max: number, message: string) =>
	z.string({ error: '参数错误' }).trim().max(max, message).default('');
const rows = (max: number, each: number, message: string) =>
	z
		.array(z.string({ error: '参数错误' }).max(each, message), { error: '参数错误' })
		.max(max, '行数过多')
		.default([]);

export const ruleCreateSchema = z.object({
	settlementId: uuidField('请选择安置点'),
	kind: z.enum(ruleKinds, { error: '请选择规约类别' }),
	title: z
		.string({ error: '请填写规约名称' })
		.trim()
		.min(2, '请填写规约名称（至少 2 个字）')
		.max(60, '规约名称最多 60 个字')
});
export type RuleCreateInput = z.infer<typeof ruleCreateSchema>;

const digits = /^\d{1,9}$/;
const signedDigits = /^[+-]?\d{1,4}$/;

/**
 * The draft editor: a title and a text per clause row (a blank row is left out, the others
 * numbered in order), one limit and clause number per cap (in `capKeys` order; a blank limit
 * sets no cap), and rows of point items (a blank row is left out).
 */
export const draftFormSchema = z
	.object({
		clauseTitle: rows(maxClauses + 20, 200, '条款标题最多 60 个字'),
		clauseText: rows(maxClauses + 20, maxClauseText + 200, `每条最多 ${maxClauseText} 个字`),
		capLimit: rows(capKeys.length, 30, '上限格式不正确'),
		capClause: rows(capKeys.length, 10, '条款序号格式不正确'),
		itemCode: rows(maxPointItems + 20, 60, '项目代码过长'),
		itemLabel: rows(maxPointItems + 20, 200, '项目名称最多 60 个字'),
		itemPoints: rows(maxPointItems + 20, 20, '分值格式不正确'),
		note: formText(1000, '修订说明最多 1000 个字')
	})
	.superRefine((f, ctx) => {
		const issue = (path: (string | number)[], message: string) =>
			ctx.addIssue({ code: 'custom', path, message });
		if (f.clauseTitle.length !== f.clauseText.length) issue(['clauseText'], '参数错误');
		// the number each kept row gets
		let kept = 0;
		for (let i = 0; i < f.clauseText.length; i++) {
			const title = (f.clauseTitle[i] ?? '').trim();
			const text = f.clauseText[i].trim();
			if (!title && !text) continue;
			kept++;
			if (!text) issue(['clauseText', i], `请填写第${kept}条的内容`);
			else if (text.length > maxClauseText)
				issue(['clauseText', i], `第${kept}条最多 ${maxClauseText} 个字`);
			if (title.length > 60) issue(['clauseTitle', i], '条款标题最多 60 个字');
		}
		if (kept > maxClauses) issue(['clauseText'], `最多 ${maxClauses} 条`);
		if (f.capLimit.length > 0 || f.capClause.length > 0) {
			if (f.capLimit.length !== capKeys.length || f.capClause.length !== capKeys.length)
				issue(['capLimit'], '参数错误');
			else
				for (const [i, key] of capKeys.entries()) {
					const limit = f.capLimit[i].trim();
					const clause = f.capClause[i].trim();
					if (!limit) continue;
					if (capLimitFromText(key, limit) === null)
						issue(
							['capLimit', i],
							key === 'bride_price'
								? `彩礼上限须为 0 到 ${maxBridePriceYuan.toLocaleString('en')} 元之间的金额`
								: `${capWords[key].label}须为 0 到 ${maxCapCount} 之间的整数`
						);
					if (!digits.test(clause)) issue(['capClause', i], '请填写规定此上限的条款序号');
					else if (Number(clause) < 1 || Number(clause) > kept)
						issue(['capClause', i], kept ? `条款序号须在 1 到 ${kept} 之间` : '请先填写条款');
				}
		}
		const n = Math.max(f.itemCode.length, f.itemLabel.length, f.itemPoints.length);
		const codes = new Set<string>();
		for (let i = 0; i < n; i++) {
			const code = (f.itemCode[i] ?? '').trim();
			const label = (f.itemLabel[i] ?? '').trim();
			const points = (f.itemPoints[i] ?? '').trim();
			if (!code && !label && !points) continue;
			if (!pointCodePattern.test(code))
				issue(['itemCode', i], '项目代码须为 2–40 位小写字母、数字或下划线，以字母开头');
			else if (codes.has(code)) issue(['itemCode', i], `项目代码 ${code} 重复`);
			codes.add(code);
			if (label.length < 2) issue(['itemLabel', i], '请填写项目名称（至少 2 个字）');
			else if (label.length > 60) issue(['itemLabel', i], '项目名称最多 60 个字');
			if (
				!signedDigits.test(points) ||
				Number(points) === 0 ||
				Math.abs(Number(points)) > maxPoints
			)
				issue(['itemPoints', i], `分值须为 -${maxPoints} 到 ${maxPoints} 之间、不为 0 的整数`);
		}
		if (codes.size > maxPointItems) issue(['itemCode'], `积分项目最多 ${maxPointItems} 项`);
	});
export type DraftForm = z.infer<typeof draftFormSchema>;

/** A typed cap as stored (bride price: yuan → fen), or null when it is not one. */
export function capLimitFromText(key: CapKey, text: string): number | null {
	const t = text.trim();
	if (key === 'bride_price') {
		const fen = yuanToFen(t);
		return fen !== null && fen <= capMax(key) ? fen : null;
	}
	return digits.test(t) && Number(t) <= maxCapCount ? Number(t) : null;
}

/** A stored cap as the form shows it again (bride price in yuan). */
export function capLimitText(key: CapKey, limit: number): string {
	if (key !== 'bride_price') return String(limit);
	const fen = limit % 100;
	return fen === 0
		? String(limit / 100)
		: `${Math.floor(limit / 100)}.${String(fen).padStart(2, '0')}`;
}

/** A valid draft form as `updateDraft` takes it: blank rows out, clauses numbered 1, 2, 3… */
export function draftFromForm(f: DraftForm): DraftInput {
	const clauses: Clause[] = [];
	for (let i = 0; i < f.clauseText.length; i++) {
		const title = (f.clauseTitle[i] ?? '').trim();
		const text = f.clauseText[i].trim();
		if (title || text) clauses.push({ no: clauses.length + 1, title, text });
	}
	const caps: Cap[] = [];
	if (f.capLimit.length === capKeys.length)
		for (const [i, key] of capKeys.entries()) {
			const limit = capLimitFromText(key, f.capLimit[i]);
			if (f.capLimit[i].trim() && limit !== null)
				caps.push({ key, limit, clauseNo: Number(f.capClause[i].trim()) });
		}
	const pointItems: PointItem[] = [];
	const n = Math.max(f.itemCode.length, f.itemLabel.length, f.itemPoints.length);
	for (let i = 0; i < n; i++) {
		const code = (f.itemCode[i] ?? '').trim();
		const label = (f.itemLabel[i] ?? '').trim();
		const points = (f.itemPoints[i] ?? '').trim();
		if (code || label || points) pointItems.push({ code, label, points: Number(points) });
	}
	return { clauses, caps, pointItems, note: f.note };
}

/** The draft editor's rows for a version (blank rows are added by the page). */
export function draftToForm(v: {
	clauses: Clause[];
	caps: Cap[];
	pointItems: PointItem[];
	note: string;
}): DraftForm {
	return {
		clauseTitle: v.clauses.map((c) => c.title),
		clauseText: v.clauses.map((c) => c.text),
		capLimit: capKeys.map((key) => {
			const cap = v.caps.find((c) => c.key === key);
			return cap ? capLimitText(key, cap.limit) : '';
		}),
		capClause: capKeys.map((key) => {
			const cap = v.caps.find((c) => c.key === key);
			return cap ? String(cap.clauseNo) : '';
		}),
		itemCode: v.pointItems.map((p) => p.code),
		itemLabel: v.pointItems.map((p) => p.label),
		itemPoints: v.pointItems.map((p) => String(p.points)),
		note: v.note
	};
}

export const consultationSchema = z.object({
	versionId: uuidField('参数错误'),
	endsOn: isoDate('征求意见截止日期')
});

export const versionActionSchema = z.object({ versionId: uuidField('参数错误') });

export const commentSchema = z.object({
	versionId: uuidField('参数错误'),
	// the clause's number (第N条), as posted
	clauseNo: z
		.string({ error: '请选择条款' })
		.trim()
		.regex(/^[1-9]\d{0,2}$/, '请选择条款'),
	body: z
		.string({ error: '请填写您的意见' })
		.trim()
		.min(2, '请填写您的意见（至少 2 个字）')
		.max(1000, '意见最多 1000 个字')
});
export type CommentInput = z.infer<typeof commentSchema>;

export const replySchema = z.object({
	commentId: uuidField('参数错误'),
	reply: z
		.string({ error: '请填写答复' })
		.trim()
		.min(2, '请填写答复（至少 2 个字）')
		.max(1000, '答复最多 1000 个字')
});

export const decisionCreateSchema = z.object({
	settlementId: uuidField('请选择安置点'),
	title: z
		.string({ error: '请填写事项名称' })
		.trim()
		.min(4, '请填写事项名称（至少 4 个字）')
		.max(80, '事项名称最多 80 个字'),
	summary: z
		.string({ error: '请填写事项内容' })
		.trim()
		.min(10, '请写明事项内容（至少 10 个字），此内容将随决议公开')
		.max(2000, '事项内容最多 2000 个字'),
	// '' for none: a decision need not adopt a rule
	ruleVersionId: z
		.string({ error: '参数错误' })
		.trim()
		.refine((v) => v === '' || z.uuid().safeParse(v).success, '请选择征求意见中的规约版本')
		.default('')
});
export type DecisionCreateInput = z.infer<typeof decisionCreateSchema>;

const countText = (label: string) =>
	z
		.string({ error: `${label}须为整数` })
		.trim()
		.max(7, `${label}过大`)
		.refine((v) => v === '' || /^\d{1,6}$/.test(v), `${label}须为整数`)
		.default('');

/** The form of the one stage that may be recorded next; counts as typed, turned by `stageFromForm`. */
export const stageFormSchema = z
	.object({
		stage: z.enum(decisionStages, { error: '环节不正确' }),
		heldOn: isoDate('日期'),
		participants: z
			.string({ error: '请填写参加人员' })
			.trim()
			.min(2, '请填写参加人员或公开方式')
			.max(200, '最多 200 个字'),
		attendees: countText('到会人数'),
		votesFor: countText('赞成票'),
		votesAgainst: countText('反对票'),
		votesAbstain: countText('弃权票'),
		minutes: z
			.string({ error: '请填写会议纪要或公开内容' })
			.trim()
			.min(2, '请填写会议纪要或公开内容')
			.max(5000, '最多 5000 个字'),
		evidence: formText(500, '佐证材料最多 500 个字')
	})
	.superRefine((f, ctx) => checkStageFigures(stageFromForm(f), ctx));
export type StageForm = z.infer<typeof stageFormSchema>;

const countOf = (v: string) => (v === '' ? null : Number(v));

/** A stage form as `recordStage` takes it; votes only for the voted stages. */
export function stageFromForm(f: StageForm): StageInput & { attendees: number } {
	const voted = votedStages.includes(f.stage);
	return {
		stage: f.stage,
		heldOn: f.heldOn,
		participants: f.participants,
		attendees: countOf(f.attendees) ?? 0,
		votesFor: voted ? countOf(f.votesFor) : null,
		votesAgainst: voted ? countOf(f.votesAgainst) : null,
		votesAbstain: voted ? countOf(f.votesAbstain) : null,
		minutes: f.minutes,
		evidence: f.evidence
	};
}

// ---------------------------------------------------------------- filters in the address bar

const optionalUuid = z.uuid().or(z.literal('')).catch('');

export const ruleFilterSchema = z.object({
	settlementId: optionalUuid,
	kind: z.enum(['', ...ruleKinds]).catch('')
});
export type RuleFilter = z.infer<typeof ruleFilterSchema>;

export const decisionFilterSchema = z.object({
	settlementId: optionalUuid,
	status: z.enum(['', ...decisionStatuses]).catch(''),
	// keyset cursor: the last decision number of the previous page
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined)
});
export type DecisionFilter = z.infer<typeof decisionFilterSchema>;

const pageNumber = z.coerce.number().int().min(1).max(10_000).catch(1).default(1);

export const publicRuleFilterSchema = z.object({ settlementId: optionalUuid, page: pageNumber });

export const publicDecisionFilterSchema = z.object({
	settlementId: optionalUuid,
	page: pageNumber
});

/** The two versions a diff compares, from the address bar. */
export const diffQuerySchema = z.object({ from: optionalUuid, to: optionalUuid });
