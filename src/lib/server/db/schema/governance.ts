import { sql } from 'drizzle-orm';
import {
	bigint,
	check,
	date,
	index,
	integer,
	jsonb,
	pgTable,
	smallint,
	text,
	timestamp,
	uniqueIndex,
	uuid,
	boolean
} from 'drizzle-orm/pg-core';
import {
	appealStatuses,
	ceremonyKinds,
	ceremonyStatuses,
	councilKinds,
	decisionStages,
	decisionStatuses,
	meetingStatuses,
	memberRoles,
	pointsSources,
	quorumRules,
	ruleKinds,
	versionStatuses,
	voteChoices,
	type Breach,
	type Cap,
	type Clause,
	type PointItem
} from '../../../governance/vocab';
import { household, resident, settlement } from './settlements';
import { user } from './accounts';
import { organization } from './charity';

/** 村规民约 / 居民公约 (or the 红白理事会's articles, or a points list): one document of a settlement. */
export const rule = pgTable(
	'rule',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		kind: text('kind', { enum: ruleKinds }).notNull(),
		title: text('title').notNull(),
		createdBy: uuid('created_by').references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('rule_settlement_idx').on(t.settlementId),
		index('rule_region_idx').on(t.regionPath.op('text_pattern_ops'))
	]
);

/** One version of a rule: numbered clauses, the caps and point items it sets, and where it stands. */
export const ruleVersion = pgTable(
	'rule_version',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		ruleId: uuid('rule_id')
			.notNull()
			.references(() => rule.id),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		// 1, 2, 3… within the rule
		versionNo: integer('version_no').notNull(),
		status: text('status', { enum: versionStatuses }).notNull().default('draft'),
		clauses: jsonb('clauses').$type<Clause[]>().notNull().default([]),
		caps: jsonb('caps').$type<Cap[]>().notNull().default([]),
		pointItems: jsonb('point_items').$type<PointItem[]>().notNull().default([]),
		// what changed and why, in the drafters' words
		note: text('note').notNull().default(''),
		consultationEndsOn: date('consultation_ends_on'),
		consultationOpenedAt: timestamp('consultation_opened_at', { withTimezone: true }),
		// the decision whose 决议公开 adopted it
		adoptedByDecisionId: uuid('adopted_by_decision_id'),
		adoptedOn: date('adopted_on'),
		supersededOn: date('superseded_on'),
		createdBy: uuid('created_by').references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('rule_version_no_key').on(t.ruleId, t.versionNo),
		// one adopted version per rule at a time
		uniqueIndex('rule_version_adopted_key')
			.on(t.ruleId)
			.where(sql`${t.status} = 'adopted'`),
		index('rule_version_settlement_idx').on(t.settlementId, t.status)
	]
);

/** A resident's comment on one clause during public consultation. */
export const ruleComment = pgTable(
	'rule_comment',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		versionId: uuid('version_id')
			.notNull()
			.references(() => ruleVersion.id),
		clauseNo: integer('clause_no').notNull(),
		authorId: uuid('author_id')
			.notNull()
			.references(() => user.id),
		householdId: uuid('household_id').references(() => household.id),
		body: text('body').notNull(),
		// staff's answer, shown under the comment
		reply: text('reply'),
		repliedBy: uuid('replied_by').references(() => user.id),
		repliedAt: timestamp('replied_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('rule_comment_version_idx').on(t.versionId, t.clauseNo, t.createdAt)]
);

/** One of a settlement's four councils (一约四会). */
export const council = pgTable(
	'council',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		kind: text('kind', { enum: councilKinds }).notNull(),
		name: text('name').notNull(),
		quorumRule: text('quorum_rule', { enum: quorumRules }).notNull().default('majority'),
		// its standing rules, in its own words
		charter: text('charter').notNull().default(''),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('council_settlement_kind_key').on(t.settlementId, t.kind),
		index('council_region_idx').on(t.regionPath.op('text_pattern_ops'))
	]
);

/** A council member for a term: a resident of the point or a staff member, maybe with an account. */
export const councilMember = pgTable(
	'council_member',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		councilId: uuid('council_id')
			.notNull()
			.references(() => council.id),
		name: text('name').notNull(),
		residentId: uuid('resident_id').references(() => resident.id),
		// the account that acts for this member (records votes when a member)
		userId: uuid('user_id').references(() => user.id),
		role: text('role', { enum: memberRoles }).notNull().default('member'),
		termStart: date('term_start').notNull(),
		termEnd: date('term_end').notNull(),
		endedOn: date('ended_on'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('council_member_council_idx').on(t.councilId),
		index('council_member_user_idx')
			.on(t.userId)
			.where(sql`${t.userId} is not null`),
		check('council_member_term', sql`${t.termEnd} >= ${t.termStart}`)
	]
);

/** A council's meeting: agenda, attendance, minutes, resolutions; closed, it is only amended. */
export const meeting = pgTable(
	'meeting',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		councilId: uuid('council_id')
			.notNull()
			.references(() => council.id),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		title: text('title').notNull(),
		startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
		place: text('place').notNull().default(''),
		agenda: jsonb('agenda').$type<string[]>().notNull().default([]),
		status: text('status', { enum: meetingStatuses }).notNull().default('scheduled'),
		// serving members when the meeting opened, and the quorum then
		servingMembers: integer('serving_members'),
		minutes: text('minutes'),
		closedAt: timestamp('closed_at', { withTimezone: true }),
		closedBy: uuid('closed_by').references(() => user.id),
		createdBy: uuid('created_by').references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('meeting_council_idx').on(t.councilId, t.startsAt),
		index('meeting_settlement_idx').on(t.settlementId, t.startsAt)
	]
);

/** Who attended: a council member, or a resident or guest sitting in. */
export const meetingAttendance = pgTable(
	'meeting_attendance',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meeting.id),
		memberId: uuid('member_id').references(() => councilMember.id),
		residentId: uuid('resident_id').references(() => resident.id),
		name: text('name').notNull(),
		kind: text('kind', { enum: ['member', 'resident', 'guest'] }).notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('meeting_attendance_member_key')
			.on(t.meetingId, t.memberId)
			.where(sql`${t.memberId} is not null`),
		uniqueIndex('meeting_attendance_resident_key')
			.on(t.meetingId, t.residentId)
			.where(sql`${t.residentId} is not null`),
		index('meeting_attendance_meeting_idx').on(t.meetingId)
	]
);

/** A resolution put to the vote in a meeting. */
export const meetingResolution = pgTable(
	'meeting_resolution',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meeting.id),
		no: integer('no').notNull(),
		text: text('text').notNull(),
		// set when the vote is closed
		passed: boolean('passed'),
		votesFor: integer('votes_for').notNull().default(0),
		votesAgainst: integer('votes_against').notNull().default(0),
		votesAbstain: integer('votes_abstain').notNull().default(0),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('meeting_resolution_no_key').on(t.meetingId, t.no)]
);

/** One member's vote on a resolution, recorded by a member of the council. */
export const meetingVote = pgTable(
	'meeting_vote',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		resolutionId: uuid('resolution_id')
			.notNull()
			.references(() => meetingResolution.id),
		memberId: uuid('member_id')
			.notNull()
			.references(() => councilMember.id),
		choice: text('choice', { enum: voteChoices }).notNull(),
		recordedBy: uuid('recorded_by')
			.notNull()
			.references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('meeting_vote_member_key').on(t.resolutionId, t.memberId)]
);

/** A visible note amending a closed meeting's record. */
export const meetingAmendment = pgTable(
	'meeting_amendment',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meeting.id),
		note: text('note').notNull(),
		authorId: uuid('author_id')
			.notNull()
			.references(() => user.id),
		authorName: text('author_name').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('meeting_amendment_meeting_idx').on(t.meetingId, t.createdAt)]
);

/** A 四议两公开 decision: six stages in order; a failed vote ends it. */
export const decision = pgTable(
	'decision',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		// D00000012 is made from this
		no: bigint('no', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		title: text('title').notNull(),
		// what is proposed, in public words
		summary: text('summary').notNull(),
		// the rule version it adopts when its resolution is made public
		ruleVersionId: uuid('rule_version_id').references(() => ruleVersion.id),
		status: text('status', { enum: decisionStatuses }).notNull().default('in_progress'),
		// the last stage recorded
		stage: text('stage', { enum: decisionStages }),
		createdBy: uuid('created_by').references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('decision_no_key').on(t.no),
		index('decision_settlement_idx').on(t.settlementId, t.no),
		index('decision_region_idx').on(t.regionPath.op('text_pattern_ops'), t.no),
		// one live decision per rule version
		uniqueIndex('decision_rule_version_key')
			.on(t.ruleVersionId)
			.where(sql`${t.ruleVersionId} is not null and ${t.status} <> 'failed'`)
	]
);

/** The record of one stage of a decision: when, who took part, votes, minutes or evidence. */
export const decisionStage = pgTable(
	'decision_stage',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		decisionId: uuid('decision_id')
			.notNull()
			.references(() => decision.id),
		stage: text('stage', { enum: decisionStages }).notNull(),
		heldOn: date('held_on').notNull(),
		// who took part, in words (e.g. '党支部委员5人'), and how many
		participants: text('participants').notNull(),
		attendees: integer('attendees').notNull().default(0),
		votesFor: integer('votes_for'),
		votesAgainst: integer('votes_against'),
		votesAbstain: integer('votes_abstain'),
		passed: boolean('passed'),
		minutes: text('minutes').notNull(),
		// where the evidence is kept (公示栏 photo, file number)
		evidence: text('evidence').notNull().default(''),
		recordedBy: uuid('recorded_by')
			.notNull()
			.references(() => user.id),
		recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('decision_stage_key').on(t.decisionId, t.stage)]
);

/** 红白事备案: a household's wedding or funeral, checked against the adopted caps. */
export const ceremonyFiling = pgTable(
	'ceremony_filing',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		kind: text('kind', { enum: ceremonyKinds }).notNull(),
		eventOn: date('event_on').notNull(),
		tables: integer('tables').notNull(),
		guests: integer('guests').notNull(),
		// weddings: 彩礼 in fen
		bridePrice: bigint('bride_price', { mode: 'number' }),
		// funerals: days of banquets
		banquetDays: integer('banquet_days'),
		gifts: text('gifts').notNull().default(''),
		note: text('note').notNull().default(''),
		overCap: boolean('over_cap').notNull().default(false),
		breaches: jsonb('breaches').$type<Breach[]>().notNull().default([]),
		status: text('status', { enum: ceremonyStatuses }).notNull().default('filed'),
		followUp: text('follow_up'),
		// what the council reckons the household saved against custom (fen)
		savings: bigint('savings', { mode: 'number' }),
		followedUpBy: uuid('followed_up_by').references(() => user.id),
		followedUpAt: timestamp('followed_up_at', { withTimezone: true }),
		filedBy: uuid('filed_by')
			.notNull()
			.references(() => user.id),
		idempotencyKey: text('idempotency_key'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('ceremony_filing_settlement_idx').on(t.settlementId, t.eventOn),
		index('ceremony_filing_region_idx').on(t.regionPath.op('text_pattern_ops'), t.eventOn),
		index('ceremony_filing_household_idx').on(t.householdId, t.eventOn),
		uniqueIndex('ceremony_filing_idempotency_key')
			.on(t.filedBy, t.idempotencyKey)
			.where(sql`${t.idempotencyKey} is not null`),
		check('ceremony_filing_counts', sql`${t.tables} >= 0 and ${t.guests} >= 0`)
	]
);

/** A household's points balance, kept with every entry in the same transaction. */
export const pointsAccount = pgTable('points_account', {
	householdId: uuid('household_id')
		.primaryKey()
		.references(() => household.id),
	settlementId: uuid('settlement_id')
		.notNull()
		.references(() => settlement.id),
	balance: integer('balance').notNull().default(0),
	earned: integer('earned').notNull().default(0),
	spent: integer('spent').notNull().default(0),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/** The points ledger: append-only; a correction is a reversing entry. */
export const pointsEntry = pgTable(
	'points_entry',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		no: bigint('no', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		// the member who earned it, when it is one person's deed
		residentId: uuid('resident_id').references(() => resident.id),
		delta: integer('delta').notNull(),
		source: text('source', { enum: pointsSources }).notNull(),
		// the points list item it is under, and the version that listed it
		itemCode: text('item_code'),
		ruleVersionId: uuid('rule_version_id').references(() => ruleVersion.id),
		reason: text('reason').notNull(),
		reversesId: uuid('reverses_id'),
		// what it came from, once: 'activity:<id>:<residentId>', 'redemption:<id>', 'ceremony:<id>'
		ref: text('ref'),
		createdBy: uuid('created_by').references(() => user.id),
		createdByName: text('created_by_name').notNull().default(''),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('points_entry_no_key').on(t.no),
		index('points_entry_household_idx').on(t.householdId, t.no),
		index('points_entry_settlement_idx').on(t.settlementId, t.no),
		// the dashboards' points issued and redeemed in a month, over a county
		index('points_entry_region_idx').on(t.regionPath.op('text_pattern_ops'), t.createdAt),
		uniqueIndex('points_entry_reverses_key')
			.on(t.reversesId)
			.where(sql`${t.reversesId} is not null`),
		uniqueIndex('points_entry_ref_key')
			.on(t.ref)
			.where(sql`${t.ref} is not null`),
		check('points_entry_delta_nonzero', sql`${t.delta} <> 0`)
	]
);

/** A resident's appeal against one points entry. */
export const pointsAppeal = pgTable(
	'points_appeal',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		entryId: uuid('entry_id')
			.notNull()
			.references(() => pointsEntry.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		reason: text('reason').notNull(),
		status: text('status', { enum: appealStatuses }).notNull().default('open'),
		decisionNote: text('decision_note'),
		decidedBy: uuid('decided_by').references(() => user.id),
		decidedAt: timestamp('decided_at', { withTimezone: true }),
		reversalEntryId: uuid('reversal_entry_id').references(() => pointsEntry.id),
		filedBy: uuid('filed_by')
			.notNull()
			.references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		// one open appeal per entry
		uniqueIndex('points_appeal_open_key')
			.on(t.entryId)
			.where(sql`${t.status} = 'open'`),
		index('points_appeal_settlement_idx').on(t.settlementId, t.status)
	]
);

/** An item of a settlement's points shop (积分超市); stock never goes below zero. */
export const shopItem = pgTable(
	'shop_item',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		name: text('name').notNull(),
		unit: text('unit').notNull().default('件'),
		cost: integer('cost').notNull(),
		stock: integer('stock').notNull().default(0),
		active: boolean('active').notNull().default(true),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('shop_item_settlement_idx').on(t.settlementId, t.name),
		check('shop_item_stock_nonnegative', sql`${t.stock} >= 0`),
		check('shop_item_cost_positive', sql`${t.cost} > 0`)
	]
);

/** Goods into the shop: bought, or donated by an organisation or a person. */
export const shopRestock = pgTable(
	'shop_restock',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		itemId: uuid('item_id')
			.notNull()
			.references(() => shopItem.id),
		quantity: integer('quantity').notNull(),
		donorOrganizationId: uuid('donor_organization_id').references(() => organization.id),
		// a donor's name as they wish it shown; '' when bought
		donorName: text('donor_name').notNull().default(''),
		note: text('note').notNull().default(''),
		createdBy: uuid('created_by').references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('shop_restock_item_idx').on(t.itemId, t.createdAt),
		check('shop_restock_quantity_positive', sql`${t.quantity} > 0`)
	]
);

/** A redemption: points out of a household's balance, goods out of stock, in one transaction. */
export const redemption = pgTable(
	'redemption',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		itemId: uuid('item_id')
			.notNull()
			.references(() => shopItem.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		quantity: smallint('quantity').notNull(),
		cost: integer('cost').notNull(),
		entryId: uuid('entry_id')
			.notNull()
			.references(() => pointsEntry.id),
		redeemedBy: uuid('redeemed_by')
			.notNull()
			.references(() => user.id),
		idempotencyKey: text('idempotency_key'),
		handedOverAt: timestamp('handed_over_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('redemption_household_idx').on(t.householdId, t.createdAt),
		index('redemption_item_idx').on(t.itemId, t.createdAt),
		uniqueIndex('redemption_idempotency_key')
			.on(t.redeemedBy, t.idempotencyKey)
			.where(sql`${t.idempotencyKey} is not null`),
		check('redemption_quantity_positive', sql`${t.quantity} > 0`)
	]
);
