import {
	boolean,
	date,
	index,
	bigint,
	integer,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uuid,
	uniqueIndex
} from 'drizzle-orm/pg-core';
import { settlement } from './settlements';
import { user } from './accounts';

export const tallyMeasures = [
	'requests_filed',
	'requests_done',
	'ratings',
	'rating_sum',
	'visits',
	'visits_on_time',
	'points_issued',
	'points_deducted',
	'points_redeemed'
] as const;
export type TallyMeasure = (typeof tallyMeasures)[number];

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
		// everyone in work, labourers or not, and those holding a public-welfare post (公益性岗位)
		employed: integer('employed').notNull().default(0),
		publicPosts: integer('public_posts').notNull().default(0),
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

/**
 * A point's monthly figures that would otherwise be counted from a month of raw rows: requests
 * filed and done (done ones by whole Shanghai days from filing to done, the bucket, so the median
 * comes out of the tally exactly), their ratings, care visits and those on time, points issued,
 * deducted and redeemed. Kept by statement-level triggers in the same transaction as the rows
 * (migration 0016), so a province's month is a few thousand tally rows, not a million entries.
 */
export const monthlyTally = pgTable(
	'monthly_tally',
	{
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		// the Shanghai month, YYYY-MM
		month: text('month').notNull(),
		measure: text('measure', { enum: tallyMeasures }).notNull(),
		bucket: integer('bucket').notNull().default(0),
		n: bigint('n', { mode: 'number' }).notNull().default(0)
	},
	(t) => [
		primaryKey({ columns: [t.settlementId, t.month, t.measure, t.bucket] }),
		index('monthly_tally_region_idx').on(t.month, t.regionPath.op('text_pattern_ops'))
	]
);
