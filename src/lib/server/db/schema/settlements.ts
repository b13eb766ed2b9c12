import { sql } from 'drizzle-orm';
import {
	boolean,
	date,
	index,
	integer,
	jsonb,
	numeric,
	pgTable,
	smallint,
	text,
	timestamp,
	uniqueIndex,
	uuid,
	varchar
} from 'drizzle-orm/pg-core';
import {
	employmentStatuses,
	healthStatuses,
	laborAbilities,
	publicPosts,
	relations,
	schoolings,
	type HouseholdTag
} from '../../../schemas/household';

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
		originTownship: text('origin_township').notNull().default(''),
		originVillage: text('origin_village').notNull().default(''),
		movedInOn: date('moved_in_on'),
		tags: text('tags')
			.array()
			.$type<HouseholdTag[]>()
			.notNull()
			.default(sql`'{}'::text[]`),
		// derived from the members in the same transaction as any change to them
		zeroEmployment: boolean('zero_employment').notNull().default(false),
		status: text('status', { enum: ['active', 'moved_out'] })
			.notNull()
			.default('active'),
		endedOn: date('ended_on'),
		endReason: text('end_reason'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('household_settlement_idx').on(t.settlementId, t.headName, t.id),
		index('household_unit_idx').on(t.settlementId, t.building, t.unitNo, t.room),
		uniqueIndex('household_unit_key')
			.on(t.settlementId, t.building, t.unitNo, t.room)
			.where(sql`${t.status} = 'active'`)
	]
);

/** 家庭成员: a member of a household (not necessarily a user). Leaving ends the membership; nothing is deleted. */
export const resident = pgTable(
	'resident',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		name: text('name').notNull(),
		relation: text('relation', { enum: relations }).notNull(),
		isHead: boolean('is_head').notNull().default(false),
		idNumber: varchar('id_number', { length: 18 }).notNull(),
		gender: text('gender', { enum: ['male', 'female'] }).notNull(),
		birthDate: date('birth_date').notNull(),
		phone: varchar('phone', { length: 11 }),
		schooling: text('schooling', { enum: schoolings }),
		health: text('health', { enum: healthStatuses }),
		disabilityLevel: smallint('disability_level'),
		laborAbility: text('labor_ability', { enum: laborAbilities }),
		employment: text('employment', { enum: employmentStatuses }),
		employer: text('employer'),
		job: text('job'),
		publicPost: text('public_post', { enum: publicPosts }),
		training: text('training'),
		status: text('status', { enum: ['active', 'moved_out', 'deceased'] })
			.notNull()
			.default('active'),
		endedOn: date('ended_on'),
		endReason: text('end_reason'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('resident_household_idx').on(t.householdId),
		index('resident_id_number_idx').on(t.idNumber),
		index('resident_name_idx').on(t.name)
	]
);

/** 安置房: the housing stock of a settlement; when a point has it, imports must name a known unit. */
export const dwelling = pgTable(
	'dwelling',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		building: text('building').notNull(),
		unitNo: text('unit_no').notNull().default(''),
		room: text('room').notNull(),
		areaSqm: numeric('area_sqm', { precision: 6, scale: 2 })
	},
	(t) => [uniqueIndex('dwelling_unit_key').on(t.settlementId, t.building, t.unitNo, t.room)]
);

/**
 * 三员 roster: who runs a point — its 点长, 专职管理员, property company and staff, and the
 * public-welfare posts held by residents. Ending an assignment keeps it as history.
 */
export const staffAssignment = pgTable(
	'staff_assignment',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		kind: text('kind', {
			enum: ['point_chief', 'point_admin', 'property_company', 'property_staff', 'public_post']
		}).notNull(),
		// a staff account (point_chief, point_admin, property_staff)
		userId: uuid('user_id'),
		// the resident holding a public-welfare post
		residentId: uuid('resident_id').references(() => resident.id),
		// the property company's name, or the person's title (e.g. 县委常委、副县长)
		name: text('name').notNull().default(''),
		postKind: text('post_kind', { enum: ['security', 'cleaning', 'greening'] }),
		// the role grant this assignment gave, revoked when it ends
		grantId: uuid('grant_id'),
		startedOn: date('started_on').notNull(),
		endedOn: date('ended_on'),
		createdBy: uuid('created_by'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('staff_assignment_settlement_idx').on(t.settlementId, t.kind)]
);

/** A resident's request to correct their household's record, for the point admin. */
export const correctionRequest = pgTable(
	'correction_request',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		residentId: uuid('resident_id').references(() => resident.id),
		field: text('field').notNull(),
		message: text('message').notNull(),
		status: text('status', { enum: ['open', 'done', 'rejected'] })
			.notNull()
			.default('open'),
		createdBy: uuid('created_by').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		resolvedBy: uuid('resolved_by'),
		resolvedAt: timestamp('resolved_at', { withTimezone: true }),
		resolution: text('resolution')
	},
	(t) => [index('correction_request_household_idx').on(t.householdId, t.status)]
);

/** An uploaded ledger: parsed and previewed first, imported on confirmation. */
export const importBatch = pgTable(
	'import_batch',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		createdBy: uuid('created_by').notNull(),
		fileName: text('file_name').notNull(),
		fileSha256: text('file_sha256').notNull(),
		status: text('status', { enum: ['previewed', 'imported', 'discarded'] })
			.notNull()
			.default('previewed'),
		// the valid households, as parsed, waiting for confirmation
		payload: jsonb('payload').$type<unknown[]>().notNull(),
		errors: jsonb('errors').$type<unknown[]>().notNull(),
		counts: jsonb('counts').$type<Record<string, number>>().notNull(),
		result: jsonb('result').$type<Record<string, number>>(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		importedAt: timestamp('imported_at', { withTimezone: true })
	},
	(t) => [index('import_batch_settlement_idx').on(t.settlementId, t.createdAt)]
);
