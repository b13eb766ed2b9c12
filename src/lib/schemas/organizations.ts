import { z } from 'zod';
import { createUserSchema } from './accounts';

// The organisation forms: flat, so each posts as a plain HTML form without JavaScript.

export const organizationKinds = [
	'charity',
	'social_org',
	'enterprise',
	'mutual_aid_group'
] as const;
export type OrganizationKind = (typeof organizationKinds)[number];

// 统一社会信用代码 (GB 32100-2015): 18 characters of this alphabet (no I, O, S, V, Z)
const creditAlphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
// the weight of position i is 3^i mod 31
const creditWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const creditPattern = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The check character (18th) of the first 17 characters of a credit code, or null if they cannot be one. */
export function creditCodeCheck(first17: string): string | null {
	if (first17.length !== 17) return null;
	let sum = 0;
	for (let i = 0; i < 17; i++) {
		const v = creditAlphabet.indexOf(first17[i]);
		if (v < 0) return null;
		sum += v * creditWeights[i];
	}
	return creditAlphabet[(31 - (sum % 31)) % 31];
}

/** True for a well-formed 统一社会信用代码 whose check character agrees (GB 32100-2015). */
export function isCreditCode(code: string): boolean {
	return creditPattern.test(code) && creditCodeCheck(code.slice(0, 17)) === code[17];
}

/** A mobile (13812341234) or a landline with its area code (0797-1234567). */
export const contactPhonePattern = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;

/** 社会组织 / 企业 / 互助社 registers itself and its first member's account, in one form. */
export const registerOrganizationSchema = z
	.object({
		name: z.string().trim().min(4, '请填写组织全称（至少 4 个字）').max(60, '名称最多 60 个字'),
		kind: z.enum(organizationKinds, { error: '请选择组织类型' }),
		creditCode: z
			.string()
			.trim()
			.toUpperCase()
			.refine((v) => v.length === 18, '统一社会信用代码为 18 位')
			.refine(
				(v) => v.length !== 18 || isCreditCode(v),
				'统一社会信用代码有误，请核对营业执照或登记证书'
			),
		countyId: z.uuid({ error: '请选择所在县（市、区）' }),
		// a 互助社 belongs to one settlement
		settlementId: z.string().trim().max(36, '参数错误').default(''),
		description: z
			.string()
			.trim()
			.min(10, '请简单介绍组织和能提供的帮扶（至少 10 个字）')
			.max(1000, '介绍最多 1000 个字'),
		contactName: z.string().trim().min(2, '请填写联系人姓名').max(20, '姓名最多 20 个字'),
		contactPhone: z
			.string()
			.trim()
			.regex(contactPhonePattern, '请填写手机号码，或带区号的固定电话（如 0797-1234567）'),
		username: createUserSchema.shape.username,
		password: createUserSchema.shape.password,
		confirm: z.string()
	})
	.refine((v) => v.password === v.confirm, { message: '两次输入的密码不一致', path: ['confirm'] })
	.refine((v) => v.kind !== 'mutual_aid_group' || /^[0-9a-f-]{36}$/.test(v.settlementId), {
		message: '互助社请选择所在安置点',
		path: ['settlementId']
	});
export type RegisterOrganizationInput = z.infer<typeof registerOrganizationSchema>;

/** Civil affairs rejects an application, saying why (the applicant reads it). */
export const rejectOrganizationSchema = z.object({
	reason: z
		.string()
		.trim()
		.min(4, '请写明不予认证的理由（至少 4 个字）')
		.max(500, '理由最多 500 个字')
});

/** The civil-affairs list's filter, read from the address bar. */
export const organizationFilterSchema = z.object({
	status: z.enum(['pending', 'verified', 'rejected']).catch('pending'),
	after: z.string().max(80).optional().catch(undefined)
});
