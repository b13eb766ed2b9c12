import { z } from 'zod';
import { fundKinds } from '../charity/vocab';
import { isIsoDate } from './household';
import { yuanField } from './money';

// The fund forms: flat, so each posts as a plain HTML form without JavaScript. Every text that
// reaches the public ledger is checked for an ID number or a phone number before it is kept.

/** What a donor is shown as when they give no name or ask not to be named. */
export const anonymousDonor = '爱心人士';

const idNumberLike = /\d{17}[\dXx]/;
const phoneLike = /(?<!\d)1[3-9]\d{9}(?!\d)/;

/** True when a text meant for the public carries something like an ID number or a phone. */
export function looksPersonal(text: string): boolean {
	const digits = text.replace(/[\s-]/g, '');
	return idNumberLike.test(digits) || phoneLike.test(digits);
}

/** NUL (which PostgreSQL text refuses) and lone surrogates become U+FFFD, one unit for one. */
export function storable(text: string): string {
	return text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/** A text field: trimmed, within bounds, storable. */
export function textField(label: string, min: number, max: number) {
	return z
		.string({ error: `请填写${label}` })
		.trim()
		.min(min, min <= 1 ? `请填写${label}` : `${label}至少 ${min} 个字`)
		.max(max, `${label}最多 ${max} 个字`)
		.transform(storable);
}

/** A text the public reads: trimmed, within bounds, without an ID number or a phone. */
export function publicText(label: string, min: number, max: number) {
	return textField(label, min, max).refine(
		(v) => !looksPersonal(v),
		`${label}会公开显示，不能包含身份证号或手机号`
	);
}

/** A calendar date written YYYY-MM-DD (the browser's date input posts this). */
export function dateField(label: string) {
	return z
		.string({ error: `请填写${label}` })
		.trim()
		.max(10, `${label}格式不正确，应为 YYYY-MM-DD`)
		.superRefine((v, ctx) => {
			if (!v) ctx.addIssue({ code: 'custom', message: `请填写${label}` });
			else if (!isIsoDate(v) || v < '2000-01-01')
				ctx.addIssue({ code: 'custom', message: `${label}格式不正确，应为 YYYY-MM-DD` });
		});
}

/** One key per form shown, so a double submit or a retry posts one entry. */
export const idempotencyKey = z
	.string({ error: '表单已过期，请刷新页面后重试' })
	.trim()
	.regex(/^[A-Za-z0-9_-]{8,64}$/, '表单已过期，请刷新页面后重试');

/** A new fund of an organisation: a project fund or a 救急难 emergency fund. */
export const fundSchema = z
	.object({
		organizationId: z.uuid({ error: '请选择所属组织' }),
		name: publicText('基金名称', 2, 60),
		kind: z.enum(fundKinds, { error: '请选择基金类型' }),
		description: publicText('说明', 0, 1000).default(''),
		startsOn: dateField('开始日期'),
		endsOn: z
			.string()
			.trim()
			.max(10, '结束日期格式不正确，应为 YYYY-MM-DD')
			.refine((v) => v === '' || isIsoDate(v), '结束日期格式不正确，应为 YYYY-MM-DD')
			.default(''),
		// entries of at least this much must be public within 30 days
		materialYuan: yuanField('重大收支标准', 100_000_000).default(100_000)
	})
	.superRefine((v, ctx) => {
		if (v.endsOn && v.startsOn && v.endsOn < v.startsOn)
			ctx.addIssue({ code: 'custom', path: ['endsOn'], message: '结束日期不能早于开始日期' });
		if (v.kind === 'project' && !v.endsOn)
			ctx.addIssue({
				code: 'custom',
				path: ['endsOn'],
				message: '项目基金请填写结束日期（结束后 3 个月内须公开剩余资金）'
			});
	});
export type FundInput = z.infer<typeof fundSchema>;

/** 捐赠: money in from a donor, shown by the name they chose or as 爱心人士. */
export const donationSchema = z.object({
	amount: yuanField('金额'),
	counterparty: publicText('捐赠方', 0, 60).default(''),
	anonymous: z.boolean().default(false),
	occurredOn: dateField('到账日期'),
	memo: publicText('用途说明', 2, 200),
	idempotencyKey
});
export type DonationInput = z.infer<typeof donationSchema>;

/** 支出: money out, to a need (its public title is what the ledger shows) or for a stated purpose. */
export const disbursementSchema = z.object({
	amount: yuanField('金额'),
	needId: z
		.string()
		.trim()
		.refine((v) => v === '' || z.uuid().safeParse(v).success, '请选择关联的需求')
		.default(''),
	occurredOn: dateField('支出日期'),
	memo: publicText('用途说明', 2, 200),
	idempotencyKey
});
export type DisbursementInput = z.infer<typeof disbursementSchema>;

/** 冲正: the only correction — a reversing entry with its reason. */
export const reversalSchema = z.object({
	transactionId: z.uuid({ error: '请选择要冲正的记录' }),
	reason: publicText('冲正原因', 4, 200)
});
export type ReversalInput = z.infer<typeof reversalSchema>;

/** The ledger page's cursor, read from the address bar. */
export const ledgerQuerySchema = z.object({
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined)
});
