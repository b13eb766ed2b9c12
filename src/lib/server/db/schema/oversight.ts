import {
	boolean,
	date,
	index,
	integer,
	pgTable,
	text,
	timestamp,
	uuid,
	uniqueIndex
} from 'drizzle-orm/pg-core';
import { settlement } from './settlements';
import { user } from './accounts';

/**
 * A point's register figures, counted once and kept: the county and province dashboards sum these
 * rows instead of counting millions of residents. A trigger marks the row dirty on every register
 * change; a row counted on an earlier day (ages move) or dirty is counted again when read.
 */
export const settlementStat = pgTable(
	'settlement_stat',
	{
		settlementId: uuid('settlement_id')
			.primaryKey()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		dirty: boolean('dirty').notNull().default(true),
		countedOn: date('counted_on'),
		households: integer('households').notNull().default(0),
		people: integer('people').notNull().default(0),
		laborers: integer('laborers').notNull().default(0),
		employedLaborers: integer('employed_laborers').notNull().default(0),
		// households with labour, and those of them with at least one member employed (goal: all)
		laborHouseholds: integer('labor_households').notNull().default(0),
		zeroEmploymentHouseholds: integer('zero_employment_households').notNull().default(0),
		elderly: integer('elderly').notNull().default(0),
		children: integer('children').notNull().default(0),
		countedAt: timestamp('counted_at', { withTimezone: true })
	},
	(t) => [
		index('settlement_stat_region_idx').on(t.regionPath.op('text_pattern_ops')),
		index('settlement_stat_stale_idx').on(t.countedOn, t.dirty)
	]
);

/** The one daily digest a user who chose it is sent per day, instead of one message per event. */
export const notificationDigest = pgTable(
	'notification_digest',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		// the Shanghai day it covers
		day: date('day').notNull(),
		count: integer('count').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('notification_digest_user_day_key').on(t.userId, t.day)]
);
