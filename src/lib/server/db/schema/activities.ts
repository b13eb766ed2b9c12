import { sql } from 'drizzle-orm';
import {
	bigint,
	boolean,
	check,
	date,
	index,
	integer,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import {
	activityKinds,
	activityStatuses,
	careGroups,
	duplicateKinds,
	duplicateStatuses,
	registerRules,
	riskCategories,
	riskLinkKinds,
	riskOutcomes,
	riskSources,
	riskStatuses,
	visitModes,
	wellbeings
} from '../../../activities/vocab';
import { household, region, resident, settlement } from './settlements';
import { user } from './accounts';
import { organization } from './charity';

/** 活动: a settlement's activity, organised by its staff or by an organisation. */
export const activity = pgTable(
	'activity',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		kind: text('kind', { enum: activityKinds }).notNull(),
		title: text('title').notNull(),
		description: text('description').notNull().default(''),
		place: text('place').notNull(),
		startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
		endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
		// the staff member who organises it, or an organisation
		organizerId: uuid('organizer_id').references(() => user.id),
		organizationId: uuid('organization_id').references(() => organization.id),
		// null: no limit
		capacity: integer('capacity'),
		// the points list item a check-in earns (once per person), when any
		pointsItemCode: text('points_item_code'),
		status: text('status', { enum: activityStatuses }).notNull().default('scheduled'),
		cancelReason: text('cancel_reason'),
		// kept with every sign-up and check-in, in the same transaction
		signups: integer('signups').notNull().default(0),
		participants: integer('participants').notNull().default(0),
		createdBy: uuid('created_by').references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('activity_settlement_idx').on(t.settlementId, t.startsAt),
		index('activity_region_idx').on(t.regionPath.op('text_pattern_ops'), t.startsAt),
		check('activity_capacity_positive', sql`${t.capacity} is null or ${t.capacity} > 0`),
		check(
			'activity_counts',
			sql`${t.signups} >= 0 and ${t.participants} >= 0 and (${t.capacity} is null or ${t.signups} <= ${t.capacity})`
		),
		check('activity_times', sql`${t.endsAt} >= ${t.startsAt}`)
	]
);

/** A resident signed up (by themselves on the phone, or by their household's account). */
export const activitySignup = pgTable(
	'activity_signup',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		activityId: uuid('activity_id')
			.notNull()
			.references(() => activity.id),
		residentId: uuid('resident_id')
			.notNull()
			.references(() => resident.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		signedUpBy: uuid('signed_up_by')
			.notNull()
			.references(() => user.id),
		cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('activity_signup_live_key')
			.on(t.activityId, t.residentId)
			.where(sql`${t.cancelledAt} is null`),
		index('activity_signup_household_idx').on(t.householdId)
	]
);

/** A participant checked in by staff: once per person per activity. */
export const activityCheckin = pgTable(
	'activity_checkin',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		activityId: uuid('activity_id')
			.notNull()
			.references(() => activity.id),
		residentId: uuid('resident_id')
			.notNull()
			.references(() => resident.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		checkedInBy: uuid('checked_in_by')
			.notNull()
			.references(() => user.id),
		pointsEntryId: uuid('points_entry_id'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('activity_checkin_key').on(t.activityId, t.residentId),
		index('activity_checkin_household_idx').on(t.householdId)
	]
);

/** Activities and participants per settlement, kind and month (YYYY-MM), kept by the commands. */
export const activityTally = pgTable(
	'activity_tally',
	{
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		month: text('month').notNull(),
		kind: text('kind', { enum: activityKinds }).notNull(),
		activities: integer('activities').notNull().default(0),
		participants: integer('participants').notNull().default(0)
	},
	(t) => [
		primaryKey({ columns: [t.settlementId, t.month, t.kind] }),
		index('activity_tally_region_idx').on(t.regionPath.op('text_pattern_ops'), t.month)
	]
);

/** A county's own visit intervals and risk limits (the defaults are in $lib/activities/vocab). */
export const careSetting = pgTable('care_setting', {
	regionId: uuid('region_id')
		.primaryKey()
		.references(() => region.id),
	regionPath: text('region_path').notNull(),
	livingAloneElderlyDays: integer('living_alone_elderly_days'),
	severeDisabilityDays: integer('severe_disability_days'),
	leftBehindChildDays: integer('left_behind_child_days'),
	childInDifficultyDays: integer('child_in_difficulty_days'),
	extremePovertyDays: integer('extreme_poverty_days'),
	// hours within which a reported flag must be verified before it is escalated
	verifyWithinHours: integer('verify_within_hours'),
	// the day of the next month by which a month's zero report is due
	reportDueDay: integer('report_due_day'),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/** A person to be visited regularly, in a target group, with the worker who visits. */
export const careTarget = pgTable(
	'care_target',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		residentId: uuid('resident_id')
			.notNull()
			.references(() => resident.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		group: text('group', { enum: careGroups }).notNull(),
		intervalDays: integer('interval_days').notNull(),
		workerId: uuid('worker_id').references(() => user.id),
		since: date('since').notNull(),
		lastVisitedOn: date('last_visited_on'),
		// since, or the last visit plus the interval: kept with every visit
		nextDueOn: date('next_due_on').notNull(),
		note: text('note').notNull().default(''),
		endedOn: date('ended_on'),
		endReason: text('end_reason'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('care_target_live_key')
			.on(t.residentId, t.group)
			.where(sql`${t.endedOn} is null`),
		index('care_target_due_idx')
			.on(t.settlementId, t.nextDueOn)
			.where(sql`${t.endedOn} is null`),
		// a county's or province's live targets, and those overdue, for its dashboard
		index('care_target_region_idx')
			.on(t.regionPath.op('text_pattern_ops'), t.nextDueOn)
			.where(sql`${t.endedOn} is null`),
		index('care_target_worker_idx')
			.on(t.workerId, t.nextDueOn)
			.where(sql`${t.endedOn} is null`),
		check('care_target_interval', sql`${t.intervalDays} between 1 and 366`)
	]
);

/** One visit: who, when, how, what was found, the follow-up and what it opened. */
export const careVisit = pgTable(
	'care_visit',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		targetId: uuid('target_id')
			.notNull()
			.references(() => careTarget.id),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		residentId: uuid('resident_id')
			.notNull()
			.references(() => resident.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		visitedOn: date('visited_on').notNull(),
		visitorId: uuid('visitor_id')
			.notNull()
			.references(() => user.id),
		visitorName: text('visitor_name').notNull(),
		mode: text('mode', { enum: visitModes }).notNull(),
		wellbeing: text('wellbeing', { enum: wellbeings }).notNull(),
		findings: text('findings').notNull(),
		followUp: text('follow_up').notNull().default(''),
		// what the visit opened directly
		serviceRequestId: uuid('service_request_id'),
		riskFlagId: uuid('risk_flag_id'),
		needId: uuid('need_id'),
		// the visit was on time (on or before the due day)
		onTime: boolean('on_time').notNull(),
		idempotencyKey: text('idempotency_key'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('care_visit_target_idx').on(t.targetId, t.visitedOn),
		index('care_visit_settlement_idx').on(t.settlementId, t.visitedOn),
		index('care_visit_region_idx').on(t.regionPath.op('text_pattern_ops'), t.visitedOn),
		uniqueIndex('care_visit_idempotency_key')
			.on(t.visitorId, t.idempotencyKey)
			.where(sql`${t.idempotencyKey} is not null`)
	]
);

/** 防返贫动态监测: a household at risk, reported on discovery (即发现即报告). */
export const riskFlag = pgTable(
	'risk_flag',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		// FX00000012 is made from this
		no: bigint('no', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		residentId: uuid('resident_id').references(() => resident.id),
		category: text('category', { enum: riskCategories }).notNull(),
		description: text('description').notNull(),
		source: text('source', { enum: riskSources }).notNull(),
		registerRule: text('register_rule', { enum: registerRules }),
		visitId: uuid('visit_id'),
		// when it was found, and when it was reported (now): the gap is what 即发现即报告 watches
		foundAt: timestamp('found_at', { withTimezone: true }).notNull(),
		reportedAt: timestamp('reported_at', { withTimezone: true }).notNull().defaultNow(),
		reportedBy: uuid('reported_by').references(() => user.id),
		status: text('status', { enum: riskStatuses }).notNull().default('reported'),
		verifyDueAt: timestamp('verify_due_at', { withTimezone: true }).notNull(),
		verifiedAt: timestamp('verified_at', { withTimezone: true }),
		verifiedBy: uuid('verified_by').references(() => user.id),
		verifyNote: text('verify_note'),
		assistedAt: timestamp('assisted_at', { withTimezone: true }),
		closedAt: timestamp('closed_at', { withTimezone: true }),
		closedBy: uuid('closed_by').references(() => user.id),
		outcome: text('outcome', { enum: riskOutcomes }),
		outcomeNote: text('outcome_note'),
		escalatedAt: timestamp('escalated_at', { withTimezone: true }),
		idempotencyKey: text('idempotency_key'),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('risk_flag_no_key').on(t.no),
		index('risk_flag_settlement_idx').on(t.settlementId, t.no),
		index('risk_flag_region_idx').on(t.regionPath.op('text_pattern_ops'), t.no),
		index('risk_flag_household_idx').on(t.householdId),
		index('risk_flag_reported_idx').on(t.settlementId, t.reportedAt),
		// the escalation sweep reads only what still waits for verification
		index('risk_flag_verify_due_idx')
			.on(t.verifyDueAt)
			.where(sql`${t.status} = 'reported' and ${t.escalatedAt} is null`),
		// a register rule raises one open flag per household, however often the register changes
		uniqueIndex('risk_flag_rule_open_key')
			.on(t.householdId, t.registerRule)
			.where(sql`${t.registerRule} is not null and ${t.status} <> 'closed'`),
		uniqueIndex('risk_flag_idempotency_key')
			.on(t.reportedBy, t.idempotencyKey)
			.where(sql`${t.idempotencyKey} is not null`),
		check('risk_flag_found_before_reported', sql`${t.foundAt} <= ${t.reportedAt}`)
	]
);

/** What a flag's assistance is: a service request, a charity need or a 互助社 aid case. */
export const riskFlagLink = pgTable(
	'risk_flag_link',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		flagId: uuid('flag_id')
			.notNull()
			.references(() => riskFlag.id),
		kind: text('kind', { enum: riskLinkKinds }).notNull(),
		targetId: uuid('target_id').notNull(),
		linkedBy: uuid('linked_by')
			.notNull()
			.references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('risk_flag_link_key').on(t.flagId, t.kind, t.targetId)]
);

/** 零报告: a settlement's monthly report: its flags, or an explicit nothing found. */
export const monthlyReport = pgTable(
	'monthly_report',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		// YYYY-MM
		month: text('month').notNull(),
		nothingFound: boolean('nothing_found').notNull(),
		flagCount: integer('flag_count').notNull(),
		note: text('note').notNull().default(''),
		dueOn: date('due_on').notNull(),
		late: boolean('late').notNull(),
		submittedBy: uuid('submitted_by')
			.notNull()
			.references(() => user.id),
		submittedByName: text('submitted_by_name').notNull(),
		submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('monthly_report_key').on(t.settlementId, t.month),
		index('monthly_report_region_idx').on(t.regionPath.op('text_pattern_ops'), t.month),
		check('monthly_report_nothing', sql`not ${t.nothingFound} or ${t.flagCount} = 0`)
	]
);

/** A run of the monthly duplicate-benefit check over a county. */
export const benefitCheckRun = pgTable(
	'benefit_check_run',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		regionPath: text('region_path').notNull(),
		month: text('month').notNull(),
		found: integer('found').notNull(),
		ranBy: uuid('ran_by').references(() => user.id),
		ranAt: timestamp('ran_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('benefit_check_run_region_idx').on(t.regionPath.op('text_pattern_ops'), t.ranAt)]
);

/** A finding of the duplicate-benefit check, for staff to resolve (each resolution audited). */
export const duplicateBenefit = pgTable(
	'duplicate_benefit',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		runId: uuid('run_id')
			.notNull()
			.references(() => benefitCheckRun.id),
		// the county path, and the settlements involved (a finding may span two points)
		regionPath: text('region_path').notNull(),
		settlementIds: uuid('settlement_ids').array().notNull(),
		kind: text('kind', { enum: duplicateKinds }).notNull(),
		// what makes it one finding across runs: a hash of the ID number, or the household and hardship
		key: text('key').notNull(),
		residentIds: uuid('resident_ids')
			.array()
			.notNull()
			.default(sql`'{}'::uuid[]`),
		householdIds: uuid('household_ids').array().notNull(),
		aidCaseIds: uuid('aid_case_ids')
			.array()
			.notNull()
			.default(sql`'{}'::uuid[]`),
		status: text('status', { enum: duplicateStatuses }).notNull().default('open'),
		resolution: text('resolution'),
		resolvedBy: uuid('resolved_by').references(() => user.id),
		resolvedAt: timestamp('resolved_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('duplicate_benefit_open_key')
			.on(t.kind, t.key)
			.where(sql`${t.status} = 'open'`),
		index('duplicate_benefit_region_idx').on(t.regionPath.op('text_pattern_ops'), t.status)
	]
);
