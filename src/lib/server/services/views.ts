import { asc, sql, type SQL } from 'drizzle-orm';
import { policy, scopeFilter, type Actor } from '../access';
import { db, schema } from '../db';
import { escapeLike } from '../db/like';

// Reads the service pages need beside the commands: the pickers of the queue and of 帮代办.

/**
 * The settlements where the actor may read the queue (`service.read`) or file for residents
 * (`service.file`), by name: the queue's settlement filter and the 帮代办 settlement picker.
 */
export async function listServiceSettlements(
	actor: Actor,
	permission: 'service.read' | 'service.file'
) {
	const s = schema.settlement;
	return db()
		.select({ id: s.id, name: s.name, regionPath: s.regionPath })
		.from(s)
		.where(scopeFilter(actor, permission, { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(asc(s.name))
		.limit(1000);
}

/**
 * The catalogue entries a staff member's queue can hold, for its category filter: the catalogues
 * of the counties their grants lie in or cover. A resident gets none (their page lists their own).
 */
export async function listQueueCategories(actor: Actor) {
	const c = schema.serviceCategory;
	const conditions: SQL[] = [];
	for (const g of actor.grants) {
		if (policy[g.role]['service.read'] !== 'scope') continue;
		if (g.scope === 'global') {
			conditions.length = 0;
			conditions.push(sql`true`);
			break;
		}
		if (g.scope === 'region' || g.scope === 'settlement')
			conditions.push(
				sql`(${g.regionPath} like ${c.regionPath} || '%' or ${c.regionPath} like ${escapeLike(g.regionPath) + '%'})`
			);
	}
	if (conditions.length === 0) return [];
	return db()
		.selectDistinct({ id: c.id, name: c.name, sortOrder: c.sortOrder })
		.from(c)
		.where(sql`(${sql.join(conditions, sql` or `)})`)
		.orderBy(asc(c.sortOrder), asc(c.name))
		.limit(300);
}
