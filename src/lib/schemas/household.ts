import { z } from 'zod';
import { idCheckChar, parseIdNumber } from '../id-number';
import { mobilePattern } from './accounts';

// The fixed vocabularies, as const arrays so the database schema, the forms and the ledger share them.

/** 与户主关系 */
export const relations = [
	'户主',
	'配偶',
	'子',
	'女',
	'父亲',
	'母亲',
	'孙子',
	'孙女',
	'儿媳',
	'女婿',
	'兄弟姐妹',
	'其他'
] as const;
export type Relation = (typeof relations)[number];
export const headRelation = '户主' satisfies Relation;

export const genders = ['male', 'female'] as const;
export type Gender = (typeof genders)[number];
export const genderLabels = { male: '男', female: '女' } as const satisfies Record<Gender, string>;

/** 文化程度 */
export const schoolings = [
	'学龄前',
	'小学',
	'初中',
	'高中/中专',
	'大专及以上',
	'文盲或半文盲'
] as const;
export type Schooling = (typeof schoolings)[number];

/** 健康状况 */
export const healthStatuses = ['健康', '长期慢性病', '大病', '残疾'] as const;
export type HealthStatus = (typeof healthStatuses)[number];

/** 残疾等级: 一级 is the most severe. */
export const disabilityLevels = [1, 2, 3, 4] as const;
export type DisabilityLevel = (typeof disabilityLevels)[number];

/** 劳动能力 */
export const laborAbilities = ['无劳动能力', '弱劳动力', '普通劳动力', '技能劳动力'] as const;
export type LaborAbility = (typeof laborAbilities)[number];

/** 就业状态 */
export const employmentStatuses = [
	'未就业',
	'务工',
	'公益性岗位',
	'自主创业',
	'灵活就业',
	'在校学生',
	'退休或无需就业'
] as const;
export type EmploymentStatus = (typeof employmentStatuses)[number];

/** The employment statuses that count as 就业 (employed). */
export const employedStatuses = [
	'务工',
	'公益性岗位',
	'自主创业',
	'灵活就业'
] as const satisfies readonly EmploymentStatus[];

/** 公益性岗位: security, cleaning, greening, other. */
export const publicPosts = ['保安', '保洁', '保绿', '其他'] as const;
export type PublicPost = (typeof publicPosts)[number];

/** 户类别: Chinese label → identifier. */
export const householdTagIds = {
	脱贫户: 'lifted_out',
	监测户: 'monitored',
	低保: 'subsistence',
	特困: 'extreme_poverty',
	低保边缘: 'near_subsistence',
	独居老人: 'elderly_alone',
	留守儿童: 'left_behind_child',
	残疾: 'disabled'
} as const;
export type HouseholdTagLabel = keyof typeof householdTagIds;
export type HouseholdTag = (typeof householdTagIds)[HouseholdTagLabel];
export const householdTagLabels = Object.keys(householdTagIds) as HouseholdTagLabel[];
export const householdTags = Object.values(householdTagIds) as HouseholdTag[];
/** Identifier → Chinese label. */
export const householdTagLabel = Object.fromEntries(
	Object.entries(householdTagIds).map(([label, id]) => [id, label])
) as Record<HouseholdTag, HouseholdTagLabel>;

// ---------------------------------------------------------------------------

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
	const m = isoDatePattern.exec(value);
	if (!m) return false;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const date = new Date(Date.UTC(y, mo - 1, d));
	return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** What is wrong with an ID number, in Chinese, or null when it is valid. */
export function idNumberProblem(value: string): string | null {
	const id = value.trim().toUpperCase();
	if (!id) return '请填写身份证号';
	if (!/^\d{17}[\dX]$/.test(id)) return '身份证号格式不正确';
	if (idCheckChar(id.slice(0, 17)) !== id[17]) return '身份证号校验位不正确';
	// right checksum but an impossible or future birth date
	if (!parseIdNumber(id)) return '身份证号格式不正确';
	return null;
}

function text(label: string, max: number) {
	return z
		.string({ error: `请填写${label}` })
		.trim()
		.min(1, `请填写${label}`)
		.max(max, `${label}最多 ${max} 个字`);
}

function optionalText(label: string, max: number) {
	return z.string().trim().max(max, `${label}最多 ${max} 个字`).optional();
}

function choice<const T extends readonly [string, ...string[]]>(label: string, values: T) {
	return z.enum(values, {
		error: (issue) =>
			issue.input === undefined || issue.input === ''
				? `请填写${label}`
				: `${label}应为：${values.join('、')}`
	});
}

function isoDate(label: string) {
	return z
		.string({ error: `请填写${label}` })
		.trim()
		.superRefine((v, ctx) => {
			if (!v) ctx.addIssue({ code: 'custom', message: `请填写${label}` });
			else if (!isIsoDate(v))
				ctx.addIssue({ code: 'custom', message: `${label}格式不正确，应为 YYYY-MM-DD` });
		});
}

/** Runs a cross-field check only when the ID number itself is valid. */
function whenIdValid(payload: { value: unknown }) {
	const id = (payload.value as { idNumber?: unknown } | undefined)?.idNumber;
	return typeof id === 'string' && idNumberProblem(id) === null;
}

/** The member's fields without the cross-field checks, for forms that add fields of their own. */
export const memberFields = z.object({
	name: text('姓名', 30),
	relation: choice('与户主关系', relations),
	idNumber: z
		.string({ error: '请填写身份证号' })
		.trim()
		.toUpperCase()
		.superRefine((v, ctx) => {
			const problem = idNumberProblem(v);
			if (problem) ctx.addIssue({ code: 'custom', message: problem });
		}),
	gender: z.enum(genders, {
		error: (issue) =>
			issue.input === undefined || issue.input === '' ? '请填写性别' : '性别应为男或女'
	}),
	birthDate: isoDate('出生日期'),
	phone: z
		.string()
		.trim()
		.refine((v) => v === '' || mobilePattern.test(v), '手机号码格式不正确')
		.optional(),
	schooling: choice('文化程度', schoolings),
	health: choice('健康状况', healthStatuses),
	disabilityLevel: z
		.number({ error: '残疾等级应为 1–4 级' })
		.int('残疾等级应为 1–4 级')
		.min(1, '残疾等级应为 1–4 级')
		.max(4, '残疾等级应为 1–4 级')
		.optional(),
	laborAbility: choice('劳动能力', laborAbilities),
	employment: choice('就业状态', employmentStatuses),
	employer: optionalText('就业单位', 100),
	job: optionalText('工作岗位', 50),
	publicPost: z
		.union([z.enum(publicPosts), z.literal('')], {
			error: `公益性岗位应为：${publicPosts.join('、')}，或不填`
		})
		.optional(),
	training: optionalText('培训情况', 200)
});

type MemberCore = { idNumber: string; birthDate: string; gender: string };

/** Adds the checks of birth date and gender against the ID number to any object with those fields. */
export function withMemberChecks<T extends z.ZodType<MemberCore>>(schema: T) {
	return schema
		.refine(
			(m) => !isIsoDate(m.birthDate) || parseIdNumber(m.idNumber)?.birthDate === m.birthDate.trim(),
			{ message: '出生日期与身份证号不一致', path: ['birthDate'], when: whenIdValid }
		)
		.refine(
			(m) =>
				!(genders as readonly string[]).includes(m.gender) ||
				parseIdNumber(m.idNumber)?.gender === m.gender,
			{ message: '性别与身份证号不一致', path: ['gender'], when: whenIdValid }
		);
}

/** 家庭成员: one person of a household, as a form or a ledger row gives it. */
export const memberSchema = withMemberChecks(memberFields);
export type Member = z.output<typeof memberSchema>;
export type MemberInput = z.input<typeof memberSchema>;

/** 搬迁户: the household's own fields; its members are validated one by one with memberSchema. */
export const householdSchema = z.object({
	building: text('楼栋', 20),
	unitNo: z.string().trim().max(20, '单元最多 20 个字').default(''),
	room: text('房号', 20),
	originTownship: text('迁出地乡镇', 50),
	originVillage: text('迁出地村组', 50),
	movedInOn: isoDate('入住日期'),
	tags: z
		.array(z.enum(householdTags, { error: `户类别应为：${householdTagLabels.join('、')}` }))
		.max(householdTags.length)
		.default([])
});
export type Household = z.output<typeof householdSchema>;
export type HouseholdInput = z.input<typeof householdSchema>;

/** Whole years of age on a date (birthdays count from the day itself). */
export function ageOn(birthDate: string, at: Date = new Date()): number {
	const [y, m, d] = birthDate.split('-').map(Number);
	const years = at.getFullYear() - y;
	const beforeBirthday = at.getMonth() + 1 < m || (at.getMonth() + 1 === m && at.getDate() < d);
	return beforeBirthday ? years - 1 : years;
}

const laborers: readonly LaborAbility[] = ['弱劳动力', '普通劳动力', '技能劳动力'];
// pupils and the retired are of working age but not looking for work, so they are not 劳动力
const notSeekingWork: readonly EmploymentStatus[] = ['在校学生', '退休或无需就业'];

/**
 * 零就业家庭: at least one member able to work and aged 16–59 on `at`, and nobody employed
 * (务工, 公益性岗位, 自主创业, 灵活就业).
 */
export function isZeroEmployment(
	members: readonly Pick<Member, 'birthDate' | 'laborAbility' | 'employment'>[],
	at: Date = new Date()
): boolean {
	const employed = members.some((m) =>
		(employedStatuses as readonly string[]).includes(m.employment)
	);
	if (employed) return false;
	return members.some((m) => {
		if (!laborers.includes(m.laborAbility) || notSeekingWork.includes(m.employment)) return false;
		const age = ageOn(m.birthDate, at);
		return age >= 16 && age <= 59;
	});
}
