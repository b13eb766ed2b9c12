import { sql } from 'drizzle-orm';
import {
	boolean,
	date,
	index,
	integer,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid,
	varchar
} from 'drizzle-orm/pg-core';

/** 行政区划: province › city › county › township › village with the 12-digit statistical code. */
export const region = pgTable(
	'region',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		code: varchar('code', { length: 12 }).notNull(),
		name: text('name').notNull(),
		level: text('level', {
			enum: ['province', 'city', 'county', 'township', 'village']
		}).notNull(),
		parentId: uuid('parent_id'),
		// '/360000000000/360700000000/' — a prefix match finds a whole subtree with one index
		path: text('path').notNull()
	},
	(t) => [
		uniqueIndex('region_code_key').on(t.code),
		index('region_path_idx').on(t.path.op('text_pattern_ops'))
	]
);

/** 安置点: a relocation settlement point. */
export const settlement = pgTable(
	'settlement',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		name: text('name').notNull(),
		kind: text('kind', { enum: ['urban_park', 'town', 'village'] }).notNull(),
		regionId: uuid('region_id')
			.notNull()
			.references(() => region.id),
		// copied from region.path so scope filters need no join
		regionPath: text('region_path').notNull(),
		committeeKind: text('committee_kind', {
			enum: ['new_residents_committee', 'town_committee', 'village_committee']
		}).notNull(),
		committeeName: text('committee_name').notNull(),
		address: text('address').notNull().default(''),
		openedOn: date('opened_on'),
		capacity: integer('capacity'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('settlement_region_path_idx').on(t.regionPath.op('text_pattern_ops')),
		uniqueIndex('settlement_region_name_key').on(t.regionId, t.name)
	]
);

/** 搬迁户: a relocated household, addressed by building/unit/room. */
export const household = pgTable(
	'household',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		building: text('building').notNull(),
		unitNo: text('unit_no').notNull().default(''),
		room: text('room').notNull(),
		headName: text('head_name').notNull(),
		originRegionId: uuid('origin_region_id').references(() => region.id),
		originVillage: text('origin_village').notNull().default(''),
		movedInOn: date('moved_in_on'),
		status: text('status', { enum: ['active', 'moved_out'] })
			.notNull()
			.default('active'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('household_settlement_idx').on(t.settlementId, t.headName, t.id),
		uniqueIndex('household_unit_key')
			.on(t.settlementId, t.building, t.unitNo, t.room)
			.where(sql`${t.status} = 'active'`)
	]
);

/** 家庭成员: a member of a household (not necessarily a user). */
export const resident = pgTable(
	'resident',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		name: text('name').notNull(),
		relation: text('relation').notNull(),
		isHead: boolean('is_head').notNull().default(false),
		idNumber: varchar('id_number', { length: 18 }).notNull(),
		gender: text('gender', { enum: ['male', 'female'] }).notNull(),
		birthDate: date('birth_date').notNull(),
		phone: varchar('phone', { length: 11 }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('resident_household_idx').on(t.householdId),
		index('resident_id_number_idx').on(t.idNumber)
	]
);
