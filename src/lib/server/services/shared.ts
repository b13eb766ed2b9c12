import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { requestNumber, type RequestStatus } from '$lib/services/workflow';
import { db, schema, type Executor } from '../db';
import { isUuid } from '../settlements/shared';

/** The words for each state, as people read them (notifications are stored in Chinese). */
export const statusWords: Record<RequestStatus, string> = {
	submitted: '已提交',
	accepted: '已受理',
	in_progress: '办理中',
	waiting_origin: '等待迁出地办理',
	waiting_resident: '等待补充材料',
	done: '已办结',
	rejected: '不予办理',
	withdrawn: '已撤回'
};

/** A request as a resource for `can()`, with what the commands check; null when there is none. */
export async function requestResource(requestId: string, executor: Executor = db()) {
	if (!isUuid(requestId)) return null;
	const r = schema.serviceRequest;
	const [row] = await executor
		.select({
			requestId: r.id,
			no: r.no,
			settlementId: r.settlementId,
			regionPath: r.regionPath,
			householdId: r.householdId,
			status: r.status,
			assigneeId: r.assigneeId,
			filedBy: r.filedBy,
			categoryName: schema.serviceCategory.name
		})
		.from(r)
		.innerJoin(schema.serviceCategory, eq(schema.serviceCategory.id, r.categoryId))
		.where(eq(r.id, requestId));
	return row ? { ...row, number: requestNumber(row.no) } : null;
}
export type RequestResource = NonNullable<Awaited<ReturnType<typeof requestResource>>>;

/** The residents' accounts of a household: who hears about its requests. */
export async function householdUserIds(executor: Executor, householdId: string) {
	const rows = await executor
		.select({ id: schema.user.id })
		.from(schema.user)
		.where(and(eq(schema.user.householdId, householdId), isNull(schema.user.disabledAt)));
	return rows.map((r) => r.id);
}

/** The live holders of some roles over a settlement (the 点长 to escalate to, the window staff). */
export async function settlementStaffIds(
	executor: Executor,
	settlementId: string,
	roles: (typeof schema.roleGrant.$inferSelect)['role'][]
) {
	const g = schema.roleGrant;
	const rows = await executor
		.selectDistinct({ id: g.userId })
		.from(g)
		.innerJoin(schema.user, eq(schema.user.id, g.userId))
		.where(
			and(
				eq(g.settlementId, settlementId),
				inArray(g.role, roles),
				isNull(g.revokedAt),
				isNull(schema.user.disabledAt)
			)
		);
	return rows.map((r) => r.id);
}

/** True while the time limit runs (not paused, not closed) and the due day has passed. */
export const isOverdueSql = (today: string) =>
	sql<boolean>`(${schema.serviceRequest.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin') and ${schema.serviceRequest.dueOn} < ${today})`;

/**
 * A form's strings as PostgreSQL can keep them: NUL (which text columns refuse) and lone
 * surrogates (which jsonb refuses) become U+FFFD, as a browser would show them. One code unit
 * for one, so the form's length limits still hold.
 */
export function storable<T extends object>(input: T): T {
	return Object.fromEntries(
		Object.entries(input).map(([k, v]) => [
			k,
			typeof v === 'string' ? v.toWellFormed().replaceAll('\u0000', '\uFFFD') : v
		])
	) as T;
}
