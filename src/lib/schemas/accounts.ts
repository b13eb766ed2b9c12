import { z } from 'zod';
import { roles, roleScopeKind } from './roles';

export const mobilePattern = /^1[3-9]\d{9}$/;

export const loginSchema = z.object({
	username: z.string().trim().min(1, '请输入用户名或手机号').max(64, '用户名太长'),
	password: z.string().min(1, '请输入密码').max(256, '密码太长')
});

const password = z
	.string()
	.min(8, '密码至少 8 位')
	.max(128, '密码最多 128 位')
	.refine((p) => /[A-Za-z]/.test(p) && /\d/.test(p), '密码需同时包含字母和数字');

export const registerSchema = z
	.object({
		phone: z.string().trim().regex(mobilePattern, '请输入 11 位手机号码'),
		invitationCode: z
			.string()
			.trim()
			.toUpperCase()
			.regex(/^[0-9A-Z]{8}$/, '邀请码为 8 位字母或数字，请向安置点管理员索取'),
		displayName: z.string().trim().min(2, '请输入姓名').max(20, '姓名最多 20 个字'),
		password,
		confirm: z.string()
	})
	.refine((v) => v.password === v.confirm, { message: '两次输入的密码不一致', path: ['confirm'] });

export const passwordChangeSchema = z
	.object({
		current: z.string().min(1, '请输入当前密码'),
		password,
		confirm: z.string()
	})
	.refine((v) => v.password === v.confirm, { message: '两次输入的密码不一致', path: ['confirm'] });

export const createUserSchema = z
	.object({
		username: z
			.string()
			.trim()
			.min(3, '用户名至少 3 位')
			.max(32, '用户名最多 32 位')
			.regex(/^[a-zA-Z][a-zA-Z0-9_.-]*$/, '用户名以字母开头，只含字母、数字、点、横线和下划线'),
		displayName: z.string().trim().min(2, '请输入姓名').max(40, '姓名最多 40 个字'),
		phone: z
			.string()
			.trim()
			.regex(mobilePattern, '请输入 11 位手机号码')
			.or(z.literal(''))
			.default(''),
		password,
		role: z.enum(roles, { error: '请选择角色' }),
		scopeId: z.string().trim().default('')
	})
	.refine((v) => roleScopeKind[v.role] === 'global' || /^[0-9a-f-]{36}$/.test(v.scopeId), {
		message: '请选择范围',
		path: ['scopeId']
	});

export const grantSchema = z
	.object({
		userId: z.uuid(),
		role: z.enum(roles, { error: '请选择角色' }),
		scopeId: z.string().trim().default('')
	})
	.refine((v) => roleScopeKind[v.role] === 'global' || /^[0-9a-f-]{36}$/.test(v.scopeId), {
		message: '请选择范围',
		path: ['scopeId']
	});
