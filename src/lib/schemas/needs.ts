import { z } from 'zod';
import { helpKinds, needCategories, needStatuses, type HelpKind } from '../charity/vocab';
import { yuanField } from './money';

// The need and pledge forms: flat, so each posts as a plain HTML form without JavaScript.

/** The most pieces of goods and hours of service one need or pledge may ask for. */
export const maxPieces = 100_000;
export const maxHours = 10_000;
/** A need asks for at most this many yuan. */
export const maxNeedYuan = 1_000_000;

const label: Record<HelpKind, string> = {
	money: '金额',
	goods: '数量',
	service_hours: '时长'
};

/** A form field of a whole number from 1 to `max`: pieces of goods or hours of service. */
export function countField(what: string, max: number) {
	return z
		.string({ error: `请填写${what}` })
		.trim()
		.min(1, `请填写${what}`)
		.max(20, `${what}格式不正确`)
		.transform((v, ctx) => {
			const t = v.replace(/[,，\s]/g, '');
			if (!/^\d{1,9}$/.test(t) || Number(t) < 1) {
				ctx.addIssue({ code: 'custom', message: `${what}须为大于 0 的整数` });
				return z.NEVER;
			}
			if (Number(t) > max) {
				ctx.addIssue({ code: 'custom', message: `${what}不能超过 ${max.toLocaleString()}` });
				return z.NEVER;
			}
			return Number(t);
		});
}

const quantityFields: Record<HelpKind, z.ZodType<number, string>> = {
	money: yuanField(label.money, maxNeedYuan),
	goods: countField(label.goods, maxPieces),
	service_hours: countField(label.service_hours, maxHours)
};

/**
 * An amount as typed, in the kind's own unit: fen for money (typed in yuan), pieces, hours.
 * The message says what is wrong when it is not one.
 */
export function parseQuantity(
	kind: HelpKind,
	text: string
): { ok: true; value: number } | { ok: false; message: string } {
	const r = quantityFields[kind].safeParse(text);
	return r.success
		? { ok: true, value: r.data }
		: { ok: false, message: r.error.issues[0].message };
}

const isRealDay = (v: string) => {
	const d = new Date(`${v}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

/** Raising a need: staff for a household they serve, or a resident for their own. */
export const raiseNeedSchema = z
	.object({
		// staff choose the household; a resident's own is taken from their account
		householdId: z.string({ error: '格式不正确' }).trim().max(36, '参数错误').default(''),
		// '' until chosen: a form posted without a choice must not fall back to the first category
		category: z.enum(['', ...needCategories], { error: '请选择需求类别' }).default(''),
		kind: z.enum(helpKinds, { error: '请选择需要哪种帮助' }),
		// yuan for money, pieces for goods, hours for service
		quantity: z.string({ error: '请填写数量' }).trim().max(20, '数量格式不正确').default(''),
		// goods only: 件, 台, 床 …
		unit: z.string({ error: '格式不正确' }).trim().max(10, '单位最多 10 个字').default(''),
		urgency: z.coerce
			.number({ error: '请选择紧急程度' })
			.int('请选择紧急程度')
			.min(1, '请选择紧急程度')
			.max(3, '请选择紧急程度')
			.default(1),
		deadline: z
			.string({ error: '格式不正确' })
			.trim()
			.max(10, '日期格式不正确')
			.refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && isRealDay(v)), '日期格式不正确')
			.default(''),
		// the public words: staff rewrite them at verification
		title: z
			.string({ error: '请用一句话说明需要什么' })
			.trim()
			.min(2, '请用一句话说明需要什么（至少 2 个字）')
			.max(40, '标题最多 40 个字'),
		publicDetail: z
			.string({ error: '格式不正确' })
			.trim()
			.max(500, '公开说明最多 500 个字')
			.default(''),
		// the full story, for staff only
		detail: z
			.string({ error: '格式不正确' })
			.trim()
			.max(2000, '详细情况最多 2000 个字')
			.default(''),
		// the household agreed that health details may be shared
		healthConsent: z.boolean({ error: '格式不正确' }).default(false)
	})
	.superRefine((v, ctx) => {
		if (v.category === '')
			ctx.addIssue({ code: 'custom', path: ['category'], message: '请选择需求类别' });
		const q = parseQuantity(v.kind, v.quantity);
		if (!q.ok) ctx.addIssue({ code: 'custom', path: ['quantity'], message: q.message });
		if (v.kind === 'goods' && v.unit.length === 0)
			ctx.addIssue({ code: 'custom', path: ['unit'], message: '请填写单位，如 件、台、床' });
	});
export type RaiseNeedInput = z.infer<typeof raiseNeedSchema>;

/** Staff's decision on a pending need: publish with the public words, or send it back with a reason. */
export const verifyNeedSchema = z
	.object({
		decision: z.enum(['publish', 'reject'], { error: '请选择发布或退回' }),
		title: z.string({ error: '格式不正确' }).trim().max(40, '标题最多 40 个字').default(''),
		publicDetail: z
			.string({ error: '格式不正确' })
			.trim()
			.max(500, '公开说明最多 500 个字')
			.default(''),
		reason: z.string({ error: '格式不正确' }).trim().max(500, '理由最多 500 个字').default('')
	})
	.superRefine((v, ctx) => {
		if (v.decision === 'publish' && v.title.length < 2)
			ctx.addIssue({ code: 'custom', path: ['title'], message: '请填写公开标题（至少 2 个字）' });
		if (v.decision === 'reject' && v.reason.length < 2)
			ctx.addIssue({ code: 'custom', path: ['reason'], message: '请写明退回的理由' });
	});
export type VerifyNeedForm = z.infer<typeof verifyNeedSchema>;

/** Cancelling a need or a pledge: why, for the record. */
export const cancelSchema = z.object({
	reason: z.string({ error: '格式不正确' }).trim().max(200, '理由最多 200 个字').default('')
});

const idempotencyKey = z
	.string({ error: '表单已过期，请刷新页面后重试' })
	.trim()
	.regex(/^[A-Za-z0-9_-]{8,64}$/, '表单已过期，请刷新页面后重试');

const pledgeFields = {
	offerId: z
		.string({ error: '格式不正确' })
		.trim()
		.refine((v) => v === '' || z.uuid().safeParse(v).success, '请选择帮扶资源')
		.default(''),
	// one per form shown, so a double click or a retry makes one pledge
	idempotencyKey
};

/** 认捐: one schema per kind of need, the amount in the need's unit (yuan typed, fen kept). */
export const pledgeSchemas = {
	money: z.object({ quantity: yuanField('认捐金额', maxNeedYuan), ...pledgeFields }),
	goods: z.object({ quantity: countField('认捐数量', maxPieces), ...pledgeFields }),
	service_hours: z.object({ quantity: countField('认捐时长', maxHours), ...pledgeFields })
} as const;
export type PledgeForm = z.infer<(typeof pledgeSchemas)['money']>;

/** The organisation's record of a delivery. */
export const deliverySchema = z.object({
	note: z.string({ error: '格式不正确' }).trim().max(500, '说明最多 500 个字').default('')
});

/** The staff and resident list's filters, read from the address bar. */
export const needFilterSchema = z.object({
	status: z.enum(['', 'open', ...needStatuses]).catch(''),
	category: z.enum(['', ...needCategories]).catch(''),
	settlementId: z.uuid().or(z.literal('')).catch(''),
	// keyset cursor: the last need number of the previous page
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined)
});
export type NeedFilter = z.infer<typeof needFilterSchema>;

/** The public list's filters. */
export const publicNeedFilterSchema = z.object({
	state: z.enum(['open', 'funded', 'delivered', 'all']).catch('open'),
	category: z.enum(['', ...needCategories]).catch(''),
	county: z.uuid().or(z.literal('')).catch(''),
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined)
});
export type PublicNeedFilter = z.infer<typeof publicNeedFilterSchema>;
