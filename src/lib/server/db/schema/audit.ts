import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Append-only audit log (a trigger refuses UPDATE and DELETE). Summaries carry no personal data. */
export const auditEntry = pgTable(
	'audit_entry',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
		actorId: uuid('actor_id'),
		actorName: text('actor_name'),
		action: text('action').notNull(),
		entity: text('entity').notNull(),
		entityId: text('entity_id'),
		// the region path of what was touched, so county staff see only their county's entries
		scopePath: text('scope_path'),
		summary: jsonb('summary').$type<Record<string, unknown>>().notNull().default({}),
		ip: text('ip')
	},
	(t) => [
		index('audit_entry_at_idx').on(t.at, t.id),
		index('audit_entry_actor_idx').on(t.actorId, t.at),
		index('audit_entry_entity_idx').on(t.entity, t.entityId),
		index('audit_entry_scope_idx').on(t.scopePath.op('text_pattern_ops'), t.at)
	]
);
