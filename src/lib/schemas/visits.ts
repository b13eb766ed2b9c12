import { z } from 'zod';
import { maxIntervalDays, minIntervalDays } from '../activities/schedule';
import { careGroups, riskCategories, visitModes, wellbeings } from '../activities/vocab';
import { shanghaiDay } from '../working-days';

// The care-visit forms (关爱巡访): flat, so each posts as a plain HTML form without JavaScript.

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A day typed as YYYY-MM-DD, between 2000 and 2100. */
const isoDay = (label: string) =>
	z.iso.date({ error: `请填写${label}（YYYY-MM-DD）` }).refine((d) => {
		const y = Number(d.slice(0, 4));
		return y >= 2000 && y <= 2100;
	}, `${label}不在有效范围内`);

/** An optional id picked on the page: '' when none. */
const optionalId = z
	.string({ error: '参数错误' })
	.trim()
	.max(36, '参数错误')
	.refine((v) => v === '' || uuidPattern.test(v), '参数错误')
	.default('');

/** Days between visits, typed; '' leaves the county's interval for the group. */
const intervalText = (message: string) =>
	z
		.string({ error: message })
		.trim()
		.max(4, message)
		.refine((v) => {
			if (v === '') return true;
			if (!/^\d+$/.test(v)) return false;
			const n = Number(v);
			return n >= minIntervalDays && n <= maxIntervalDays;
		}, message)
		.default('');

/** '' → null, '14' → 14 (the schema has checked it). */
export function intervalValue(v: string): number | null {
	return v === '' ? null : Number(v);
}

/** One form shown, one key: a double submit or a retry records one visit. */
const idempotencyKey = z
	.string({ error: '表单已过期，请刷新页面后重试' })
	.trim()
	.regex(/^[A-Za-z0-9_-]{8,64}$/, '表单已过期，请刷新页面后重试');

/** A person to visit regularly: who, which group, how often, by whom, from when. */
export const targetSchema = z.object({
	residentId: z.uuid({ error: '请从台账中选择走访对象' }),
	group: z.enum(careGroups, { error: '请选择关爱对象类别' }),
	intervalDays: intervalText(`走访间隔须为 ${minIntervalDays} 到 ${maxIntervalDays} 天`),
	workerId: optionalId,
	since: isoDay('开始日期'),
	note: z.string({ error: '备注格式不正确' }).trim().max(500, '备注最多 500 个字').default('')
});
export type TargetInput = z.infer<typeof targetSchema>;

/** Ending a target: why (moved away, no longer in the group, passed away…). */
export const endTargetSchema = z.object({
	targetId: z.uuid({ error: '参数错误' }),
	endReason: z
		.string({ error: '请填写结束原因' })
		.trim()
		.min(2, '请填写结束原因（至少 2 个字）')
		.max(200, '结束原因最多 200 个字')
});
export type EndTargetInput = z.infer<typeof endTargetSchema>;

/**
 * One visit: when, how, how the person is, what was found and the follow-up; with a risk
 * category the same save opens a risk flag (发现风险) for the household.
 */
export const visitSchema = z
	.object({
		targetId: z.uuid({ error: '请选择走访对象' }),
		// a visit is recorded on or after its day (Shanghai), never ahead of it
		visitedOn: isoDay('走访日期').refine((d) => d <= shanghaiDay(), '走访日期不能晚于今天'),
		mode: z.enum(visitModes, { error: '请选择走访方式' }),
		wellbeing: z.enum(wellbeings, { error: '请选择对象状况' }),
		findings: z
			.string({ error: '请填写走访发现' })
			.trim()
			.min(2, '请填写走访发现（至少 2 个字）')
			.max(2000, '走访发现最多 2000 个字'),
		followUp: z
			.string({ error: '后续跟进格式不正确' })
			.trim()
			.max(1000, '后续跟进最多 1000 个字')
			.default(''),
		// 发现风险: '' when no risk was found
		riskCategory: z.enum(['', ...riskCategories], { error: '请选择风险类别' }).default(''),
		riskDescription: z
			.string({ error: '风险情况格式不正确' })
			.trim()
			.max(1000, '风险情况最多 1000 个字')
			.default(''),
		idempotencyKey
	})
	.superRefine((v, ctx) => {
		if (v.riskCategory && v.riskDescription.length < 4)
			ctx.addIssue({
				code: 'custom',
				path: ['riskDescription'],
				message: '请写明发现的风险情况（至少 4 个字）'
			});
		if (!v.riskCategory && v.riskDescription)
			ctx.addIssue({
				code: 'custom',
				path: ['riskCategory'],
				message: '请选择风险类别，或清空风险情况'
			});
	});
export type VisitInput = z.infer<typeof visitSchema>;

/**
 * Linking what a visit led to: a service request (FW00000012) or a charity need (XQ000034) of
 * the same household, by its number or its id.
 */
export const linkSchema = z.object({
	ref: z
		.string({ error: '请填写服务申请或帮扶需求的编号' })
		.trim()
		.min(1, '请填写服务申请或帮扶需求的编号')
		.max(40, '编号格式不正确')
		.refine(
			(v) => /^(FW|XQ)\d{1,12}$/i.test(v) || uuidPattern.test(v),
			'编号格式不正确（如 FW00000012 或 XQ000034）'
		)
});
export type LinkInput = z.infer<typeof linkSchema>;

/** What a link reference names: a request number, a need number, or an id of either. */
export type LinkRef =
	| { kind: 'service_request'; no: number }
	| { kind: 'need'; no: number }
	| { kind: 'id'; id: string };

/** Reads a reference the link schema let through. */
export function parseLinkRef(ref: string): LinkRef | null {
	const v = ref.trim();
	const m = /^(FW|XQ)(\d{1,12})$/i.exec(v);
	if (m) {
		const no = Number(m[2]);
		if (!Number.isSafeInteger(no) || no <= 0) return null;
		return { kind: m[1].toUpperCase() === 'FW' ? 'service_request' : 'need', no };
	}
	return uuidPattern.test(v) ? { kind: 'id', id: v.toLowerCase() } : null;
}

/** A county's own visit intervals ('' keeps the default of the group). */
export const settingSchema = z.object({
	regionId: z.uuid({ error: '请选择县（区）' }),
	livingAloneElderlyDays: intervalText(`间隔须为 ${minIntervalDays} 到 ${maxIntervalDays} 天`),
	severeDisabilityDays: intervalText(`间隔须为 ${minIntervalDays} 到 ${maxIntervalDays} 天`),
	leftBehindChildDays: intervalText(`间隔须为 ${minIntervalDays} 到 ${maxIntervalDays} 天`),
	childInDifficultyDays: intervalText(`间隔须为 ${minIntervalDays} 到 ${maxIntervalDays} 天`),
	extremePovertyDays: intervalText(`间隔须为 ${minIntervalDays} 到 ${maxIntervalDays} 天`)
});
export type SettingInput = z.infer<typeof settingSchema>;

/** The schedule page's filters, read from the address bar. */
export const scheduleFilterSchema = z.object({
	tab: z.enum(['mine', 'overdue', 'rates']).catch('mine'),
	worker: z.uuid().or(z.literal('')).catch(''),
	settlement: z.uuid().or(z.literal('')).catch(''),
	month: z
		.string()
		.regex(/^20\d\d-(0[1-9]|1[0-2])$/)
		.or(z.literal(''))
		.catch('')
});
export type ScheduleFilter = z.infer<typeof scheduleFilterSchema>;

/** The targets page's filters and register search, read from the address bar. */
export const targetFilterSchema = z.object({
	settlement: z.uuid().or(z.literal('')).catch(''),
	group: z.enum(['', ...careGroups]).catch(''),
	worker: z.uuid().or(z.literal('')).catch(''),
	q: z.string().trim().max(50).catch(''),
	resident: z.uuid().or(z.literal('')).catch(''),
	ended: z.enum(['', '1']).catch('')
});
export type TargetFilter = z.infer<typeof targetFilterSchema>;
