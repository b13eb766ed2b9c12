import { z } from 'zod';
import { activityKinds } from '../activities/vocab';

// The activity forms: flat, so each posts as a plain HTML form without JavaScript.

/** 'YYYY-MM-DDTHH:MM' as a datetime-local field posts it, read as Shanghai time. */
const localTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/;

/** A datetime-local value as the moment it names in Asia/Shanghai; null when it is none. */
export function activityMoment(value: string): Date | null {
	const m = localTimePattern.exec(value.trim());
	if (!m) return null;
	const [, y, mo, d, h, mi] = m.map(Number);
	if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59) return null;
	const at = new Date(Date.UTC(y, mo - 1, d, h - 8, mi));
	// 2026-02-30 rolls over: not a day
	const back = new Date(at.getTime() + 8 * 3600_000);
	if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return null;
	return at;
}

/** A moment as a datetime-local value in Shanghai time ('2026-05-01T09:30'). */
export function activityTimeValue(at: Date): string {
	return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

/** The most places an activity may offer. */
export const maxCapacity = 100_000;

/** '' for no limit, or a whole number of places; null when it is neither. */
export function capacityValue(value: string): number | null | undefined {
	const v = value.trim();
	if (v === '') return null;
	if (!/^\d{1,6}$/.test(v)) return undefined;
	const n = Number(v);
	return n >= 1 && n <= maxCapacity ? n : undefined;
}

const time = (what: string) =>
	z
		.string({ error: `请填写${what}` })
		.trim()
		.min(1, `请填写${what}`)
		.max(20, `请填写有效的${what}`)
		.refine((v) => activityMoment(v) !== null, `请填写有效的${what}`);

/** Logging an activity, and editing it (one schema for both; the settlement is kept on edit). */
export const activitySchema = z
	.object({
		settlementId: z.uuid({ error: '请选择安置点' }),
		kind: z.enum(activityKinds, { error: '请选择活动类型' }),
		title: z
			.string({ error: '请填写活动名称' })
			.trim()
			.min(2, '请填写活动名称（至少 2 个字）')
			.max(60, '活动名称最多 60 个字'),
		place: z
			.string({ error: '请填写活动地点' })
			.trim()
			.min(2, '请填写活动地点（至少 2 个字）')
			.max(60, '地点最多 60 个字'),
		startsAt: time('开始时间'),
		endsAt: time('结束时间'),
		// '' for the staff member themselves, or a verified organisation of the county
		organizationId: z
			.string({ error: '请选择组织者' })
			.trim()
			.max(36, '请选择组织者')
			.refine((v) => v === '' || z.uuid().safeParse(v).success, '请选择组织者')
			.default(''),
		// '' for no limit
		capacity: z
			.string({ error: '名额请填写 1 到 100000 之间的整数' })
			.trim()
			.max(8, '名额请填写 1 到 100000 之间的整数')
			.refine(
				(v) => capacityValue(v) !== undefined,
				'名额请填写 1 到 100000 之间的整数，不限请留空'
			)
			.default(''),
		// '' for none, or an item code of the settlement's adopted points list
		pointsItemCode: z
			.string({ error: '请选择积分项目' })
			.trim()
			.max(40, '请选择积分项目')
			.default(''),
		description: z
			.string({ error: '活动介绍格式不正确' })
			.trim()
			.max(2000, '活动介绍最多 2000 个字')
			.default('')
	})
	.superRefine((v, ctx) => {
		const starts = activityMoment(v.startsAt);
		const ends = activityMoment(v.endsAt);
		if (starts && ends && ends < starts)
			ctx.addIssue({ code: 'custom', path: ['endsAt'], message: '结束时间不能早于开始时间' });
		if (starts && ends && ends.getTime() - starts.getTime() > 31 * 86400_000)
			ctx.addIssue({ code: 'custom', path: ['endsAt'], message: '一次活动最长 31 天' });
	});
export type ActivityInput = z.infer<typeof activitySchema>;

/** A resident signs up members of their own household (checkboxes). */
export const signUpSchema = z.object({
	residentIds: z
		.array(z.uuid({ error: '请选择要报名的家庭成员' }), { error: '请选择要报名的家庭成员' })
		.min(1, '请选择要报名的家庭成员')
		.max(30, '一次最多报名 30 人')
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/** One person: cancelling a sign-up, or checking in. */
export const personSchema = z.object({
	residentId: z.uuid({ error: '请选择人员' })
});
export type PersonInput = z.infer<typeof personSchema>;
export const cancelSignupSchema = personSchema;
export const checkInSchema = personSchema;

/** Cancelling an activity, with the reason the people signed up are told. */
export const cancelActivitySchema = z.object({
	reason: z
		.string({ error: '请填写取消原因' })
		.trim()
		.min(2, '请填写取消原因（至少 2 个字）')
		.max(200, '取消原因最多 200 个字')
});
export type CancelActivityInput = z.infer<typeof cancelActivitySchema>;

/** The list's filters, read from the address bar: anything else is dropped, never a 500. */
export const activityFilterSchema = z.object({
	when: z.enum(['upcoming', 'past']).catch('upcoming'),
	kind: z.enum(['', ...activityKinds]).catch(''),
	month: z
		.string()
		.regex(/^20\d{2}-(0[1-9]|1[0-2])$/)
		.or(z.literal(''))
		.catch(''),
	settlement: z.uuid().or(z.literal('')).catch(''),
	// keyset cursor of the next page
	after: z.string().max(80).optional().catch(undefined),
	// the roll-up's year
	year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined)
});
export type ActivityFilter = z.infer<typeof activityFilterSchema>;

/** The register search at check-in: a name, or a building and room ('3栋 502', '3-502'). */
export const participantSearchSchema = z.object({
	q: z.string().trim().max(30).catch('')
});
