import { sql } from 'drizzle-orm';
import {
	bigint,
	boolean,
	date,
	index,
	integer,
	jsonb,
	pgTable,
	primaryKey,
	smallint,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import { consentMethods, eventKinds, requestStatuses } from '../../../services/workflow';
import { household, region, resident, settlement } from './settlements';
import { user } from './accounts';

/** 服务事项: a service a county offers at its windows, with its time limit in working days. */
export const serviceCategory = pgTable(
	'service_category',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		// the county whose catalogue this is
		regionId: uuid('region_id')
			.notNull()
			.references(() => region.id),
		regionPath: text('region_path').notNull(),
		code: text('code').notNull(),
		name: text('name').notNull(),
		description: text('description').notNull().default(''),
		materials: jsonb('materials').$type<string[]>().notNull().default([]),
		timeLimitDays: integer('time_limit_days').notNull(),
		// 迁出地对接: the place the household left must act too
		needsOrigin: boolean('needs_origin').notNull().default(false),
		// 急难: acknowledged within 24 hours of discovery
		urgent: boolean('urgent').notNull().default(false),
		active: boolean('active').notNull().default(true),
		sortOrder: integer('sort_order').notNull().default(0),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('service_category_region_code_key').on(t.regionId, t.code),
		index('service_category_region_path_idx').on(t.regionPath.op('text_pattern_ops'))
	]
);

/** 服务申请: one request filed by a resident or by staff for them (帮代办). */
export const serviceRequest = pgTable(
	'service_request',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		// the receipt number FW00000123 is made from this
		no: bigint('no', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
		categoryId: uuid('category_id')
			.notNull()
			.references(() => serviceCategory.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		// the member it is for, when it is one person's matter
		residentId: uuid('resident_id').references(() => resident.id),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		// copied from the settlement so scope filters need no join
		regionPath: text('region_path').notNull(),
		description: text('description').notNull(),
		contactPhone: text('contact_phone'),
		status: text('status', { enum: requestStatuses }).notNull().default('submitted'),
		urgent: boolean('urgent').notNull().default(false),
		// who typed it in: the resident, or staff 帮代办 with the resident's consent
		filedBy: uuid('filed_by')
			.notNull()
			.references(() => user.id),
		proxy: boolean('proxy').notNull().default(false),
		consentMethod: text('consent_method', { enum: consentMethods }),
		consentNote: text('consent_note'),
		idempotencyKey: text('idempotency_key'),
		assigneeId: uuid('assignee_id').references(() => user.id),
		submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
		// the last working day within the time limit (Asia/Shanghai), moved on after each pause
		dueOn: date('due_on').notNull(),
		// urgent requests: acknowledged (accepted) by this moment
		ackDueAt: timestamp('ack_due_at', { withTimezone: true }),
		acceptedAt: timestamp('accepted_at', { withTimezone: true }),
		pausedSince: date('paused_since'),
		pausedDays: integer('paused_days').notNull().default(0),
		originOffice: text('origin_office'),
		originAsk: text('origin_ask'),
		// the public words of the outcome: what was done, or why it was refused
		outcome: text('outcome'),
		closedAt: timestamp('closed_at', { withTimezone: true }),
		escalatedAt: timestamp('escalated_at', { withTimezone: true }),
		rating: smallint('rating'),
		ratingComment: text('rating_comment'),
		ratedAt: timestamp('rated_at', { withTimezone: true }),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('service_request_no_key').on(t.no),
		uniqueIndex('service_request_idempotency_key')
			.on(t.filedBy, t.idempotencyKey)
			.where(sql`${t.idempotencyKey} is not null`),
		index('service_request_settlement_idx').on(t.settlementId, t.no),
		index('service_request_region_idx').on(t.regionPath.op('text_pattern_ops'), t.no),
		index('service_request_household_idx').on(t.householdId, t.no),
		index('service_request_assignee_idx')
			.on(t.assigneeId, t.no)
			.where(sql`${t.assigneeId} is not null`),
		index('service_request_status_idx').on(t.status, t.no),
		// requests arrive in time order: a small BRIN index serves Open311's date windows
		index('service_request_submitted_idx').using('brin', t.submittedAt),
		// the overdue sweep reads only what is still running
		index('service_request_due_idx')
			.on(t.dueOn)
			.where(sql`${t.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin')`),
		// a point's or a county's overdue count and filter, from the index alone
		index('service_request_running_settlement_idx')
			.on(t.settlementId, t.dueOn)
			.where(sql`${t.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin')`),
		index('service_request_running_region_idx')
			.on(t.regionPath.op('text_pattern_ops'), t.dueOn)
			.where(sql`${t.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin')`),
		// the dashboards' month of finished requests (days to done, ratings) without reading the rest
		index('service_request_done_region_idx')
			.on(t.regionPath.op('text_pattern_ops'), t.closedAt)
			.where(sql`${t.status} = 'done'`)
	]
);

/** Counts per settlement and status, kept by triggers, so a queue's tallies never count a million rows. */
export const serviceRequestTally = pgTable(
	'service_request_tally',
	{
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		status: text('status', { enum: requestStatuses }).notNull(),
		n: integer('n').notNull().default(0)
	},
	(t) => [
		primaryKey({ columns: [t.settlementId, t.status] }),
		index('service_request_tally_region_idx').on(t.regionPath.op('text_pattern_ops'))
	]
);

/** The timeline of a request: steps, notes (public or internal), assignment, rating, escalation. */
export const serviceEvent = pgTable(
	'service_event',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		requestId: uuid('request_id')
			.notNull()
			.references(() => serviceRequest.id),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
		actorId: uuid('actor_id').references(() => user.id),
		actorName: text('actor_name'),
		kind: text('kind', { enum: eventKinds }).notNull(),
		fromStatus: text('from_status', { enum: requestStatuses }),
		toStatus: text('to_status', { enum: requestStatuses }),
		// internal notes are for staff only; the resident never reads them
		internal: boolean('internal').notNull().default(false),
		note: text('note'),
		data: jsonb('data').$type<Record<string, string | number | null>>().notNull().default({})
	},
	(t) => [index('service_event_request_idx').on(t.requestId, t.id)]
);
