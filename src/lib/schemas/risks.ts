import { z } from 'zod';
import {
	duplicateStatuses,
	riskCategories,
	riskLinkKinds,
	riskOutcomes,
	riskStatuses
} from '../activities/vocab';

// The risk monitoring forms (动态监测, 零报告, 防重复保): flat, so each posts as a plain HTML form.

const monthPattern = /^(20\d{2})-(0[1-9]|1[0-2])$/;
/** A month as 'YYYY-MM' (2000–2099). */
export const monthField = z
	.string({ error: '请选择月份' })
	.trim()
	.regex(monthPattern, '请选择月份（如 2026-03）');

/** A time from a datetime-local input ('2026-03-05T14:30'), read as Beijing time. */
const localTimePattern =
	/^(20\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):([0-5]\d)$/;

/** The moment a datetime-local value names in Asia/Shanghai; null when it names none. */
export function shanghaiTime(value: string): Date | null {
	if (!localTimePattern.test(value)) return null;
	const d = new Date(`${value}:00+08:00`);
	if (Number.isNaN(d.getTime())) return null;
	// 2026-02-30 rolls over to March: not a day that exists
	const back = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
	return back === value ? d : null;
}

/** A moment as a datetime-local value in Asia/Shanghai ('2026-03-05T14:30'). */
export function toShanghaiLocal(at: Date): string {
	return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

const idempotencyKey = z
	.string()
	.trim()
	.regex(/^[A-Za-z0-9_-]{8,64}$/, '表单已过期，请刷新页面后重试');

/** 即发现即报告: a staff member raises a flag on a household they found at risk. */
export const raiseFlagSchema = z.object({
	householdId: z.uuid({ error: '请先查找并选择家庭' }),
	// a member of that household, or '' for the household as a whole
	residentId: z
		.string()
		.trim()
		.max(36, '参数错误')
		.refine((v) => v === '' || z.uuid().safeParse(v).success, '请选择家庭成员')
		.default(''),
	category: z.enum(riskCategories, { error: '请选择风险类别' }),
	description: z
		.string()
		.trim()
		.min(4, '请写明发现的情况（至少 4 个字）')
		.max(1000, '情况说明最多 1000 个字'),
	foundAt: z
		.string({ error: '请填写发现时间' })
		.trim()
		.refine((v) => shanghaiTime(v) !== null, '请填写发现时间（日期和时刻）'),
	idempotencyKey
});
export type RaiseFlagForm = z.infer<typeof raiseFlagSchema>;

/** Verifying a reported flag: what the visit or the check found. */
export const verifySchema = z.object({
	note: z.string().trim().min(2, '请写明核实情况').max(1000, '核实情况最多 1000 个字')
});

/** A request, need or aid case of the flag's household that is its assistance. */
export const linkSchema = z.object({
	kind: z.enum(riskLinkKinds, { error: '参数错误' }),
	targetId: z.uuid({ error: '请选择要关联的事项' })
});

/** Closing a flag (销号) with its outcome. */
export const closeSchema = z.object({
	outcome: z.enum(riskOutcomes, { error: '请选择销号结果' }),
	note: z.string().trim().min(2, '请写明销号说明').max(1000, '销号说明最多 1000 个字')
});

/** 零报告: a settlement's report for a month: its flags, or an explicit nothing found. */
export const reportSchema = z.object({
	settlementId: z.uuid({ error: '请选择安置点' }),
	month: monthField,
	nothingFound: z.boolean().default(false),
	note: z.string().trim().max(500, '说明最多 500 个字').default('')
});
export type ReportForm = z.infer<typeof reportSchema>;

/** Resolving a duplicate-benefit finding: fixed, or not a duplicate after all. */
export const resolutionSchema = z.object({
	status: z.enum(duplicateStatuses.filter((s) => s !== 'open') as ['resolved', 'dismissed'], {
		error: '请选择处理结果'
	}),
	note: z.string().trim().min(2, '请写明处理说明').max(500, '处理说明最多 500 个字')
});

/** Running the duplicate-benefit check for a county and month. */
export const runCheckSchema = z.object({
	month: monthField,
	// the county; '' when the actor serves only one
	regionId: z
		.string()
		.trim()
		.max(36, '参数错误')
		.refine((v) => v === '' || z.uuid().safeParse(v).success, '请选择县（区）')
		.default('')
});

/** A county's limits: hours to verify a flag, the day of the next month the zero report is due. */
export const riskSettingSchema = z.object({
	regionId: z.uuid({ error: '请选择县（区）' }),
	verifyWithinHours: z.coerce
		.number({ error: '请填写核实时限（小时）' })
		.int('请填写整数小时')
		.min(1, '核实时限至少 1 小时')
		.max(720, '核实时限最多 720 小时（30 天）'),
	reportDueDay: z.coerce
		.number({ error: '请填写每月报送截止日' })
		.int('请填写整数日')
		.min(1, '截止日为次月 1 至 28 日')
		.max(28, '截止日为次月 1 至 28 日')
});
export type RiskSettingForm = z.infer<typeof riskSettingSchema>;

/** The flag list's filters, read from the address bar; whatever it does not know is dropped. */
export const flagFilterSchema = z.object({
	status: z.enum(['', 'open', ...riskStatuses]).catch(''),
	category: z.enum(['', ...riskCategories]).catch(''),
	settlementId: z.uuid().or(z.literal('')).catch(''),
	// '1': reported and past the time to verify
	overdue: z.enum(['', '1']).catch(''),
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined)
});
export type FlagFilter = z.infer<typeof flagFilterSchema>;

/** The findings list's filter. */
export const duplicateFilterSchema = z.object({
	status: z.enum(['', ...duplicateStatuses]).catch('open')
});
