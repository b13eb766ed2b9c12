import { z } from 'zod';
import { appealStatuses } from '../governance/vocab';

// The points (积分制) and points shop (积分超市) forms: flat, so each posts as a plain HTML form
// without JavaScript; every message in Chinese at its field.

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id picked from a list, or '' for none. */
const optionalId = (message: string) =>
	z
		.string({ error: message })
		.trim()
		.max(36, message)
		.refine((v) => v === '' || uuidPattern.test(v), message)
		.default('');

/** An id that must be picked. */
const requiredId = (message: string) =>
	z.string({ error: message }).trim().max(36, message).regex(uuidPattern, message);

/** Words a person writes, trimmed, between `min` and `max` characters. */
const words = (what: string, min: number, max: number) =>
	z
		.string({ error: `请填写${what}` })
		.trim()
		.min(min, min > 1 ? `请填写${what}（至少 ${min} 个字）` : `请填写${what}`)
		.max(max, `${what}最多 ${max} 个字`);

/** A whole number typed in a form, from `min` to `max`. */
const wholeNumber = (what: string, min: number, max: number) =>
	z.coerce
		.number({ error: `请填写${what}` })
		.int(`${what}须为整数`)
		.min(min, `${what}至少为 ${min}`)
		.max(max, `${what}不能超过 ${max.toLocaleString('en-US')}`);

/** One per form shown: a double submit or a retry acts once. */
export const idempotencyKeyField = z
	.string({ error: '表单已过期，请刷新页面后重试' })
	.trim()
	.regex(/^[A-Za-z0-9_-]{8,64}$/, '表单已过期，请刷新页面后重试');

/** 加分 / 扣分: a household, optionally the member who did it, an item of the points list, why. */
export const awardSchema = z.object({
	householdId: requiredId('请先选择要加分或扣分的户'),
	residentId: optionalId('请从本户成员中选择'),
	itemCode: z
		.string({ error: '请选择积分事项' })
		.trim()
		.min(1, '请选择积分事项')
		.max(64, '请选择积分事项'),
	reason: words('加分或扣分的事由', 2, 200),
	idempotencyKey: idempotencyKeyField
});
export type AwardForm = z.infer<typeof awardSchema>;

/** 冲正: a correction of an entry, with its reason. */
export const reversalSchema = z.object({
	reason: words('冲正原因', 2, 200)
});

/** A household's appeal (申诉) against one entry. */
export const appealSchema = z.object({
	reason: words('申诉理由', 4, 500)
});

export const appealDecisions = ['uphold', 'reject'] as const;

/** The staff's decision on an appeal: uphold (the entry is reversed) or reject, with a note. */
export const appealDecisionSchema = z
	.object({
		decision: z.enum(appealDecisions, { error: '请选择处理结果' }),
		note: z.string({ error: '请填写处理意见' }).trim().max(500, '处理意见最多 500 个字').default('')
	})
	.superRefine((v, ctx) => {
		if (v.decision === 'reject' && v.note.length < 2)
			ctx.addIssue({ code: 'custom', path: ['note'], message: '维持原记录时请写明理由' });
	});

/** An item of the points shop: what it is, its unit, what it costs in points, whether offered. */
export const shopItemSchema = z.object({
	name: words('物品名称', 1, 40),
	unit: z
		.string({ error: '请填写单位' })
		.trim()
		.min(1, '请填写单位，如 件、袋、瓶')
		.max(10, '单位最多 10 个字')
		.default('件'),
	cost: wholeNumber('所需积分', 1, 100_000),
	active: z.boolean({ error: '格式不正确' }).default(true)
});
export type ShopItemForm = z.infer<typeof shopItemSchema>;

/** Goods into the shop: how many, and who gave them (an organisation, a name, or neither: bought). */
export const restockSchema = z.object({
	quantity: wholeNumber('入库数量', 1, 100_000),
	donorOrganizationId: optionalId('请从列表中选择捐赠单位'),
	donorName: z.string({ error: '格式不正确' }).trim().max(60, '捐赠人名称最多 60 个字').default(''),
	note: z.string({ error: '格式不正确' }).trim().max(200, '备注最多 200 个字').default('')
});
export type RestockForm = z.infer<typeof restockSchema>;

/** 兑换: an item, how many, for which household (staff at the counter; a resident's is their own). */
export const redeemSchema = z.object({
	itemId: requiredId('请选择要兑换的物品'),
	householdId: optionalId('请先选择兑换的户'),
	quantity: wholeNumber('兑换数量', 1, 99).default(1),
	idempotencyKey: idempotencyKeyField
});
export type RedeemForm = z.infer<typeof redeemSchema>;

/** Marking a redemption handed over, from a row of the list. */
export const handoverSchema = z.object({
	redemptionId: requiredId('参数错误')
});

// ---------------------------------------------------------------------------------------------
// the address bar: anything typed there is dropped, never an error

const idParam = z.string().regex(uuidPattern).or(z.literal('')).catch('');

/** A staff page's settlement and a household in it. */
export const placeQuerySchema = z.object({
	settlement: idParam,
	household: idParam
});

/** The ledger's filters and page: the last entry number of the previous page. */
export const ledgerQuerySchema = placeQuerySchema.extend({
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined)
});

/** The appeals queue's filters and page. */
export const appealsQuerySchema = z.object({
	settlement: idParam,
	status: z.enum(['', 'all', ...appealStatuses]).catch(''),
	after: z.string().max(80).optional().catch(undefined)
});

/** The ranking's settlement and year. */
export const rankingQuerySchema = z.object({
	settlement: idParam,
	year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined)
});

/** The redemptions list's filters and page. */
export const redemptionsQuerySchema = z.object({
	settlement: idParam,
	household: idParam,
	status: z.enum(['', 'pending', 'handed', 'all']).catch(''),
	after: z.string().max(80).optional().catch(undefined)
});
