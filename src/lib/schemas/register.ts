import { z } from 'zod';
import { householdSchema, memberFields, withMemberChecks } from './household';

// The register's forms: each is flat so that it posts as a plain HTML form, without JavaScript.

/** A new household with its head, in one form. */
export const householdCreateSchema = withMemberChecks(
	householdSchema.extend(memberFields.omit({ relation: true }).shape)
);

export const householdUpdateSchema = householdSchema;

/** Adding or correcting one member. */
export const memberFormSchema = withMemberChecks(memberFields);

export const endReasons = ['moved_out', 'deceased'] as const;

/** Ending a membership (迁出 or 死亡): history stays, the person leaves the active register. */
export const endMembershipSchema = z.object({
	reason: z.enum(endReasons, { error: '请选择原因' }),
	endedOn: z.iso.date({ error: '请填写日期（YYYY-MM-DD）' }),
	note: z.string().trim().max(200, '说明最多 200 个字').default(''),
	// when the head leaves a household with other members, who takes over
	newHeadId: z.string().trim().default('')
});

export const moveOutSchema = z.object({
	endedOn: z.iso.date({ error: '请填写日期（YYYY-MM-DD）' }),
	note: z.string().trim().min(2, '请说明迁出原因').max(200, '说明最多 200 个字')
});

export const revealFields = ['idNumber', 'phone'] as const;

/** Seeing a full ID number or phone needs a stated reason, which is audited. */
export const revealSchema = z.object({
	residentId: z.uuid({ error: '参数错误' }),
	field: z.enum(revealFields, { error: '参数错误' }),
	reason: z.string().trim().min(4, '请说明查看原因（至少 4 个字）').max(200, '原因最多 200 个字')
});

export const correctionFields = [
	'姓名',
	'身份证号',
	'出生日期',
	'联系电话',
	'房号',
	'就业情况',
	'其他'
] as const;

/** A resident asks the point admin to correct their household's record. */
export const correctionSchema = z.object({
	residentId: z.string().trim().default(''),
	field: z.enum(correctionFields, { error: '请选择要更正的内容' }),
	message: z.string().trim().min(4, '请写明正确的信息（至少 4 个字）').max(500, '最多 500 个字')
});

export const correctionResolveSchema = z.object({
	correctionId: z.uuid({ error: '参数错误' }),
	status: z.enum(['done', 'rejected'], { error: '请选择处理结果' }),
	resolution: z.string().trim().min(2, '请填写处理说明').max(300, '最多 300 个字')
});

export const assignmentKinds = [
	'point_chief',
	'point_admin',
	'property_company',
	'property_staff',
	'public_post'
] as const;
export type AssignmentKind = (typeof assignmentKinds)[number];
export const postKinds = ['security', 'cleaning', 'greening'] as const;

/** One line of the 三员 roster. Which fields matter depends on the kind. */
export const assignmentSchema = z
	.object({
		kind: z.enum(assignmentKinds, { error: '请选择岗位' }),
		username: z.string().trim().max(64).default(''),
		// the holder of a public post: by member id, or as people name them, by name and ID tail
		residentId: z.string().trim().default(''),
		residentName: z.string().trim().max(30, '姓名最多 30 个字').default(''),
		residentIdTail: z.string().trim().toUpperCase().max(6, '最多填写 6 位').default(''),
		name: z.string().trim().max(100, '最多 100 个字').default(''),
		postKind: z.enum([...postKinds, ''], { error: '请选择岗位类别' }).default(''),
		startedOn: z.iso.date({ error: '请填写开始日期（YYYY-MM-DD）' })
	})
	.superRefine((v, ctx) => {
		if (['point_chief', 'point_admin', 'property_staff'].includes(v.kind) && !v.username)
			ctx.addIssue({ code: 'custom', path: ['username'], message: '请填写工作人员的用户名' });
		if (v.kind === 'property_company' && v.name.length < 2)
			ctx.addIssue({ code: 'custom', path: ['name'], message: '请填写物业公司名称' });
		if (v.kind === 'public_post') {
			if (!/^[0-9a-f-]{36}$/.test(v.residentId)) {
				if (v.residentName.length < 2)
					ctx.addIssue({ code: 'custom', path: ['residentName'], message: '请填写上岗居民的姓名' });
				if (!/^[0-9]{3,5}[0-9X]$/.test(v.residentIdTail))
					ctx.addIssue({
						code: 'custom',
						path: ['residentIdTail'],
						message: '请填写其身份证号后 4–6 位'
					});
			}
			if (!v.postKind)
				ctx.addIssue({ code: 'custom', path: ['postKind'], message: '请选择岗位类别' });
		}
	});

export const endAssignmentSchema = z.object({
	assignmentId: z.uuid({ error: '参数错误' }),
	endedOn: z.iso.date({ error: '请填写结束日期（YYYY-MM-DD）' })
});

export const settlementKinds = ['urban_park', 'town', 'village'] as const;
export const committeeKinds = [
	'new_residents_committee',
	'town_committee',
	'village_committee'
] as const;

/** A settlement's own record: where it is, what kind, who manages it. */
export const settlementSchema = z.object({
	name: z.string().trim().min(2, '请填写安置点名称').max(60, '名称最多 60 个字'),
	kind: z.enum(settlementKinds, { error: '请选择安置点类型' }),
	regionId: z.uuid({ error: '请选择所在乡镇或村' }),
	committeeKind: z.enum(committeeKinds, { error: '请选择管理组织类型' }),
	committeeName: z.string().trim().min(2, '请填写管理组织名称').max(60, '最多 60 个字'),
	address: z.string().trim().max(120, '地址最多 120 个字').default(''),
	openedOn: z.iso.date({ error: '请填写启用日期（YYYY-MM-DD）' }).or(z.literal('')).default(''),
	capacity: z
		.number({ error: '设计容量应为整数' })
		.int('设计容量应为整数')
		.min(1, '设计容量应大于 0')
		.max(100_000, '设计容量过大')
		.optional()
});
