import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { requireAnywhere, scopeFilter, type Actor } from '../access';
import { db, schema, type Executor } from '../db';
import { escapeLike } from '../db/like';

export interface AuditInput {
	actor?: Pick<Actor, 'id' | 'displayName'> | null;
	action: string;
	entity: string;
	entityId?: string | null;
	/** region path of what was touched, so county staff see their county's entries */
	scopePath?: string | null;
	/** what changed, never personal data (no ID numbers, phones, health) */
	summary?: Record<string, unknown>;
	ip?: string | null;
}

/** Writes one audit entry inside the caller's transaction (or alone, for events like a failed login). */
export async function record(executor: Executor, input: AuditInput): Promise<void> {
	await executor.insert(schema.auditEntry).values({
		actorId: input.actor?.id ?? null,
		actorName: input.actor?.displayName ?? null,
		action: input.action,
		entity: input.entity,
		entityId: input.entityId ?? null,
		scopePath: input.scopePath ?? null,
		summary: input.summary ?? {},
		ip: input.ip ?? null
	});
}

export interface AuditQuery {
	actor?: string;
	entity?: string;
	action?: string;
	from?: Date;
	to?: Date;
	/** keyset cursor: the last row's id of the previous page */
	before?: number;
	limit?: number;
}

/** The conditions of a query over the audit log: the actor's scope, then the filters and the cursor. */
export function entryConditions(actor: Actor, q: AuditQuery): SQL[] {
	const { auditEntry } = schema;
	const where: SQL[] = [scopeFilter(actor, 'audit.read', { regionPath: auditEntry.scopePath })];
	if (q.actor)
		where.push(
			or(
				sql`${auditEntry.actorName} ilike ${'%' + escapeLike(q.actor) + '%'}`,
				sql`${auditEntry.actorId}::text = ${q.actor}`
			)!
		);
	if (q.entity) where.push(eq(auditEntry.entity, q.entity));
	if (q.action) where.push(sql`${auditEntry.action} like ${escapeLike(q.action) + '%'}`);
	if (q.from) where.push(gte(auditEntry.at, q.from));
	if (q.to) where.push(lt(auditEntry.at, q.to));
	if (q.before) where.push(lt(auditEntry.id, q.before));
	return where;
}

/** Lists audit entries the actor may read, newest first, by keyset. */
export async function listEntries(actor: Actor, q: AuditQuery = {}) {
	requireAnywhere(actor, 'audit.read', 'read');
	const { auditEntry } = schema;
	const limit = Math.min(q.limit ?? 50, 200);
	const where = entryConditions(actor, q);
	const rows = await db()
		.select()
		.from(auditEntry)
		.where(and(...where))
		.orderBy(desc(auditEntry.id))
		.limit(limit + 1);
	return { rows: rows.slice(0, limit), next: rows.length > limit ? rows[limit - 1].id : null };
}
