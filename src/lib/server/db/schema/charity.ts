import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { region, settlement } from './settlements';

/** 社会组织 / 慈善组织 / 互助社: a body that offers help; acts only once verified. */
export const organization = pgTable(
	'organization',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		name: text('name').notNull(),
		kind: text('kind', {
			enum: ['charity', 'social_org', 'enterprise', 'mutual_aid_group']
		}).notNull(),
		regionId: uuid('region_id')
			.notNull()
			.references(() => region.id),
		regionPath: text('region_path').notNull(),
		// a 互助社 belongs to one settlement
		settlementId: uuid('settlement_id').references(() => settlement.id),
		verifiedAt: timestamp('verified_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('organization_region_path_idx').on(t.regionPath.op('text_pattern_ops'))]
);
