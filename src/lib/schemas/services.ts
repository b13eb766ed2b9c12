import { z } from 'zod';
import { mobilePattern } from './accounts';
import { consentMethods, requestStatuses, stepNames, type Step } from '../services/workflow';

// The service forms: flat, so each posts as a plain HTML form without JavaScript.

/** Filing a request: a resident for their household, or staff for a resident (帮代办). */
export const fileRequestSchema = z.object({
	categoryId: z.uuid({ error: '请选择要办理的事项' }),
	// staff choose the household; a resident's own is taken from their account
	householdId: z.string().trim().max(36, '参数错误').default(''),
	residentId: z.string().trim().max(36, '参数错误').default(''),
	description: z
		.string()
		.trim()
		.min(4, '请简单说明要办什么（至少 4 个字）')
		.max(1000, '说明最多 1000 个字'),
	contactPhone: z
		.string()
		.trim()
		.max(20, '手机号码格式不正确')
		.refine((v) => v === '' || mobilePattern.test(v), '手机号码格式不正确')
		.default(''),
	// 帮代办 only: how the resident agreed to staff acting for them
	consentMethod: z.enum(['', ...consentMethods], { error: '请选择居民同意代办的方式' }).default(''),
	consentNote: z.string().trim().max(200, '说明最多 200 个字').default(''),
	// one per form shown, so a double submit or a retry files one request
	idempotencyKey: z
		.string()
		.trim()
		.regex(/^[A-Za-z0-9_-]{8,64}$/, '表单已过期，请刷新页面后重试')
});
export type FileRequestInput = z.infer<typeof fileRequestSchema>;

const note = z.string().trim().max(500, '最多 500 个字').default('');

/** The words each step needs, and where. */
export const stepNeeds: Partial<
	Record<Step, { field: 'note' | 'originOffice'; message: string }[]>
> = {
	askOrigin: [
		{ field: 'originOffice', message: '请填写迁出地经办单位' },
		{ field: 'note', message: '请写明需要迁出地办理什么' }
	],
	originReplied: [{ field: 'note', message: '请写明迁出地的答复' }],
	askResident: [{ field: 'note', message: '请写明需要居民补充什么' }],
	complete: [{ field: 'note', message: '请写明办理结果' }],
	reject: [{ field: 'note', message: '请写明不予办理的理由' }]
};

/** One step of the workflow, with its note (public: the resident reads it). */
export const stepSchema = z
	.object({
		step: z.enum(stepNames as [Step, ...Step[]], { error: '参数错误' }),
		note,
		originOffice: z.string().trim().max(100, '最多 100 个字').default('')
	})
	.superRefine((v, ctx) => {
		for (const need of stepNeeds[v.step] ?? [])
			if (v[need.field].length < 2)
				ctx.addIssue({ code: 'custom', path: [need.field], message: need.message });
	});
export type StepInput = z.infer<typeof stepSchema>;

/** A note on the timeline: public (the resident reads it) or internal (staff only). */
export const noteSchema = z.object({
	note: z.string().trim().min(2, '请填写内容').max(1000, '最多 1000 个字'),
	internal: z.boolean().default(false)
});

export const assignSchema = z.object({
	assigneeId: z.uuid({ error: '请选择经办人' })
});

/** The resident's rating of a finished request. */
export const rateSchema = z.object({
	rating: z.coerce
		.number({ error: '请选择 1 到 5 星' })
		.int('请选择 1 到 5 星')
		.min(1, '请选择 1 到 5 星')
		.max(5, '请选择 1 到 5 星'),
	comment: z.string().trim().max(500, '评价最多 500 个字').default('')
});

/** The staff queue's filters, read from the address bar. */
export const queueFilterSchema = z.object({
	status: z.enum(['', 'open', 'closed', ...requestStatuses]).catch(''),
	categoryId: z.uuid().or(z.literal('')).catch(''),
	// 'me', 'none', or a staff member's id
	assignee: z
		.string()
		.regex(/^(me|none|[0-9a-f-]{36})$/)
		.or(z.literal(''))
		.catch(''),
	due: z.enum(['', 'overdue', 'soon']).catch(''),
	settlementId: z.uuid().or(z.literal('')).catch(''),
	// keyset cursor: the last request number of the previous page
	before: z.coerce.number().int().positive().optional().catch(undefined)
});
export type QueueFilter = z.infer<typeof queueFilterSchema>;

/** A county's catalogue entry, edited by civil affairs. */
export const categorySchema = z.object({
	name: z.string().trim().min(2, '请填写事项名称').max(40, '名称最多 40 个字'),
	description: z.string().trim().max(500, '说明最多 500 个字').default(''),
	// one material per line
	materials: z.string().trim().max(2000, '材料清单最多 2000 个字').default(''),
	timeLimitDays: z.coerce
		.number({ error: '请填写办理时限（工作日）' })
		.int('请填写整数天数')
		.min(1, '时限至少 1 个工作日')
		.max(120, '时限最多 120 个工作日'),
	needsOrigin: z.boolean().default(false),
	urgent: z.boolean().default(false),
	active: z.boolean().default(true)
});
