import { z } from 'zod';
import { dateField, idempotencyKey, publicText, textField } from './funds';
import { yuanField } from './money';

// The 互助社 forms: flat, so each posts as a plain HTML form without JavaScript.

const uuidList = (label: string, max: number) =>
	z
		.array(z.uuid({ error: `${label}选择有误，请重新选择` }), { error: `请选择${label}` })
		.max(max, `${label}最多 ${max} 位`);

/**
 * The group's rules: its emergency fund (or '' to open a new one), the 先行救助 cap, and the
 * case conference — N of the M named approvers must approve above the cap.
 */
export const aidGroupSchema = z
	.object({
		fundId: z
			.string()
			.trim()
			.refine((v) => v === '' || z.uuid().safeParse(v).success, '请选择互助金基金')
			.default(''),
		capYuan: yuanField('先行救助限额', 1_000_000),
		quorum: z.coerce
			.number({ error: '请填写需要几位审批人同意' })
			.int('请填写整数')
			.min(1, '至少需要 1 位审批人同意')
			.max(20, '最多 20 位'),
		approverIds: uuidList('审批人', 20).min(1, '请至少选择 1 位审批人')
	})
	.superRefine((v, ctx) => {
		if (new Set(v.approverIds).size !== v.approverIds.length)
			ctx.addIssue({ code: 'custom', path: ['approverIds'], message: '审批人重复，请重新选择' });
		if (v.quorum > v.approverIds.length)
			ctx.addIssue({
				code: 'custom',
				path: ['quorum'],
				message: `需要同意的人数不能多于所选审批人（${v.approverIds.length} 位）`
			});
	});
export type AidGroupInput = z.infer<typeof aidGroupSchema>;

/** A household of the group's settlement joins, or leaves, on a date. */
export const aidMemberSchema = z.object({
	householdId: z.uuid({ error: '请选择家庭' }),
	on: dateField('日期')
});
export type AidMemberInput = z.infer<typeof aidMemberSchema>;

/** A member household's contribution to the group's fund. */
export const contributionSchema = z.object({
	householdId: z.uuid({ error: '请选择缴纳互助金的社员家庭' }),
	amount: yuanField('金额', 100_000),
	occurredOn: dateField('缴纳日期'),
	memo: publicText('说明', 0, 200).default(''),
	idempotencyKey
});
export type ContributionInput = z.infer<typeof contributionSchema>;

/** 救急难: a case for a member household; the hardship stays internal, the summary is public. */
export const aidCaseSchema = z.object({
	householdId: z.uuid({ error: '请选择受助的社员家庭' }),
	hardship: textField('困难情况', 4, 2000),
	publicSummary: publicText('公开摘要', 4, 100),
	amount: yuanField('救助金额', 1_000_000),
	idempotencyKey
});
export type AidCaseInput = z.infer<typeof aidCaseSchema>;

/** One approver's vote in the case conference; a rejection says why. */
export const aidVoteSchema = z
	.object({
		decision: z.enum(['approve', 'reject'], { error: '请选择同意或不同意' }),
		note: textField('意见', 0, 500).default('')
	})
	.superRefine((v, ctx) => {
		if (v.decision === 'reject' && v.note.length < 2)
			ctx.addIssue({ code: 'custom', path: ['note'], message: '不同意时请写明理由' });
	});
export type AidVoteInput = z.infer<typeof aidVoteSchema>;

/** The review after a case: the paperwork of 先行救助, or the outcome of a conference case. */
export const aidReviewSchema = z.object({
	note: textField('复核意见', 4, 2000)
});
export type AidReviewInput = z.infer<typeof aidReviewSchema>;
