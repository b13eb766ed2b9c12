import { sql } from 'drizzle-orm';
import {
	bigint,
	boolean,
	check,
	date,
	index,
	pgTable,
	primaryKey,
	smallint,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import {
	aidCaseStatuses,
	fundKinds,
	helpKinds,
	ledgerAccounts,
	needCategories,
	needStatuses,
	pledgeStatuses,
	transactionKinds
} from '../../../charity/vocab';
import { household, region, settlement } from './settlements';

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
		// 统一社会信用代码, shown on the public pages
		creditCode: text('credit_code'),
		description: text('description').notNull().default(''),
		contactName: text('contact_name'),
		contactPhone: text('contact_phone'),
		rejectedAt: timestamp('rejected_at', { withTimezone: true }),
		rejectReason: text('reject_reason'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('organization_region_path_idx').on(t.regionPath.op('text_pattern_ops'))]
);

/** 需求: what a household needs, in fen, pieces or hours; public only once verified, and anonymised. */
export const need = pgTable(
	'need',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		no: bigint('no', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		settlementId: uuid('settlement_id')
			.notNull()
			.references(() => settlement.id),
		regionPath: text('region_path').notNull(),
		category: text('category', { enum: needCategories }).notNull(),
		kind: text('kind', { enum: helpKinds }).notNull(),
		// fen for money, pieces for goods, hours for service
		quantity: bigint('quantity', { mode: 'number' }).notNull(),
		unit: text('unit').notNull().default(''),
		// the words the public reads: no name, unit, ID, phone, exact age or rare detail
		title: text('title').notNull(),
		publicDetail: text('public_detail').notNull().default(''),
		// the full story, for staff only
		detail: text('detail').notNull().default(''),
		// the household agreed that health details may be shared
		healthConsent: boolean('health_consent').notNull().default(false),
		urgency: smallint('urgency').notNull().default(1),
		deadline: date('deadline'),
		status: text('status', { enum: needStatuses }).notNull().default('pending'),
		pledged: bigint('pledged', { mode: 'number' }).notNull().default(0),
		delivered: bigint('delivered', { mode: 'number' }).notNull().default(0),
		raisedBy: uuid('raised_by').notNull(),
		verifiedBy: uuid('verified_by'),
		verifiedAt: timestamp('verified_at', { withTimezone: true }),
		rejectReason: text('reject_reason'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('need_no_key').on(t.no),
		index('need_region_idx').on(t.regionPath.op('text_pattern_ops'), t.no),
		index('need_settlement_idx').on(t.settlementId, t.no),
		index('need_household_idx').on(t.householdId),
		index('need_open_idx')
			.on(t.status, t.category)
			.where(sql`${t.status} = 'published'`),
		// never over-funded, never delivered beyond what was pledged
		check('need_quantity_positive', sql`${t.quantity} > 0`),
		check('need_pledged_within', sql`${t.pledged} >= 0 and ${t.pledged} <= ${t.quantity}`),
		check('need_delivered_within', sql`${t.delivered} >= 0 and ${t.delivered} <= ${t.pledged}`),
		check('need_urgency_range', sql`${t.urgency} between 1 and 3`)
	]
);

/** 帮扶资源: what an organisation offers, where, how much, until when. */
export const offer = pgTable(
	'offer',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		organizationId: uuid('organization_id')
			.notNull()
			.references(() => organization.id),
		kind: text('kind', { enum: helpKinds }).notNull(),
		categories: text('categories', { enum: needCategories }).array().notNull(),
		// the regions it serves (region paths; a county, a township) — empty means its own region
		regionPaths: text('region_paths').array().notNull(),
		capacity: bigint('capacity', { mode: 'number' }).notNull(),
		allocated: bigint('allocated', { mode: 'number' }).notNull().default(0),
		unit: text('unit').notNull().default(''),
		title: text('title').notNull(),
		description: text('description').notNull().default(''),
		validFrom: date('valid_from').notNull(),
		validTo: date('valid_to').notNull(),
		closedAt: timestamp('closed_at', { withTimezone: true }),
		createdBy: uuid('created_by').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('offer_organization_idx').on(t.organizationId),
		index('offer_live_idx')
			.on(t.kind, t.validTo)
			.where(sql`${t.closedAt} is null`),
		check('offer_capacity_positive', sql`${t.capacity} > 0`),
		check('offer_allocated_within', sql`${t.allocated} >= 0 and ${t.allocated} <= ${t.capacity}`)
	]
);

/** 认捐: an organisation's commitment to (part of) a need; one per idempotency key. */
export const pledge = pgTable(
	'pledge',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		needId: uuid('need_id')
			.notNull()
			.references(() => need.id),
		organizationId: uuid('organization_id')
			.notNull()
			.references(() => organization.id),
		offerId: uuid('offer_id').references(() => offer.id),
		quantity: bigint('quantity', { mode: 'number' }).notNull(),
		status: text('status', { enum: pledgeStatuses }).notNull().default('pledged'),
		idempotencyKey: text('idempotency_key').notNull(),
		createdBy: uuid('created_by').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		deliveredAt: timestamp('delivered_at', { withTimezone: true }),
		deliveredBy: uuid('delivered_by'),
		deliveryNote: text('delivery_note'),
		confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
		confirmedBy: uuid('confirmed_by'),
		// the disbursement from the organisation's fund, for money
		transactionId: uuid('transaction_id')
	},
	(t) => [
		uniqueIndex('pledge_idempotency_key').on(t.organizationId, t.idempotencyKey),
		index('pledge_need_idx').on(t.needId),
		index('pledge_organization_idx').on(t.organizationId, t.createdAt),
		check('pledge_quantity_positive', sql`${t.quantity} > 0`)
	]
);

/** 基金: a charity's project fund or a 互助社's emergency fund; the balance never goes below zero. */
export const fund = pgTable(
	'fund',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		organizationId: uuid('organization_id')
			.notNull()
			.references(() => organization.id),
		name: text('name').notNull(),
		kind: text('kind', { enum: fundKinds }).notNull(),
		description: text('description').notNull().default(''),
		startsOn: date('starts_on').notNull(),
		// a project's remaining money is disclosed within 3 months of its end
		endsOn: date('ends_on'),
		// entries of at least this many fen are material: public within 30 days
		materialFen: bigint('material_fen', { mode: 'number' }).notNull().default(100_000),
		// the bank account's balance, kept with every posting so a payout can check it atomically
		balance: bigint('balance', { mode: 'number' }).notNull().default(0),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('fund_organization_idx').on(t.organizationId),
		check('fund_balance_not_negative', sql`${t.balance} >= 0`)
	]
);

/** One ledger transaction of a fund: append-only; a mistake is undone by a reversal. */
export const fundTransaction = pgTable(
	'fund_transaction',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		no: bigint('no', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
		fundId: uuid('fund_id')
			.notNull()
			.references(() => fund.id),
		kind: text('kind', { enum: transactionKinds }).notNull(),
		// always positive; the postings carry the direction
		amount: bigint('amount', { mode: 'number' }).notNull(),
		// public words: what it was for, never a person's name
		memo: text('memo').notNull(),
		// a donor's name as they wish it shown ('爱心人士' when anonymous)
		counterparty: text('counterparty').notNull().default(''),
		needId: uuid('need_id').references(() => need.id),
		aidCaseId: uuid('aid_case_id'),
		reversesId: uuid('reverses_id'),
		occurredOn: date('occurred_on').notNull(),
		idempotencyKey: text('idempotency_key'),
		createdBy: uuid('created_by'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('fund_transaction_no_key').on(t.no),
		index('fund_transaction_fund_idx').on(t.fundId, t.no),
		// a transaction is reversed at most once
		uniqueIndex('fund_transaction_reverses_key')
			.on(t.reversesId)
			.where(sql`${t.reversesId} is not null`),
		uniqueIndex('fund_transaction_idempotency_key')
			.on(t.fundId, t.idempotencyKey)
			.where(sql`${t.idempotencyKey} is not null`),
		check('fund_transaction_amount_positive', sql`${t.amount} > 0`)
	]
);

/** The double-entry lines of a transaction: signed fen per account, summing to zero. */
export const fundPosting = pgTable(
	'fund_posting',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		transactionId: uuid('transaction_id')
			.notNull()
			.references(() => fundTransaction.id),
		fundId: uuid('fund_id')
			.notNull()
			.references(() => fund.id),
		account: text('account', { enum: ledgerAccounts }).notNull(),
		amount: bigint('amount', { mode: 'number' }).notNull()
	},
	(t) => [
		index('fund_posting_transaction_idx').on(t.transactionId),
		index('fund_posting_fund_idx').on(t.fundId, t.account)
	]
);

/** A 互助社's rules: its fund, the 先行救助 cap, and who approves above it (N of M). */
export const aidGroup = pgTable('aid_group', {
	organizationId: uuid('organization_id')
		.primaryKey()
		.references(() => organization.id),
	fundId: uuid('fund_id')
		.notNull()
		.references(() => fund.id),
	aidFirstCapFen: bigint('aid_first_cap_fen', { mode: 'number' }).notNull(),
	quorum: smallint('quorum').notNull(),
	approverIds: uuid('approver_ids').array().notNull()
});

/** The households that belong to a 互助社. */
export const aidMember = pgTable(
	'aid_member',
	{
		organizationId: uuid('organization_id')
			.notNull()
			.references(() => organization.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		joinedOn: date('joined_on').notNull(),
		leftOn: date('left_on')
	},
	(t) => [primaryKey({ columns: [t.organizationId, t.householdId] })]
);

/** 救急难 case: paid first within the cap, or decided by a case conference; reviewed afterwards. */
export const aidCase = pgTable(
	'aid_case',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		no: bigint('no', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
		organizationId: uuid('organization_id')
			.notNull()
			.references(() => organization.id),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		hardship: text('hardship').notNull(),
		// the public words of the case in the ledger
		publicSummary: text('public_summary').notNull(),
		amount: bigint('amount', { mode: 'number' }).notNull(),
		status: text('status', { enum: aidCaseStatuses }).notNull(),
		createdBy: uuid('created_by').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		paidAt: timestamp('paid_at', { withTimezone: true }),
		transactionId: uuid('transaction_id'),
		reviewNote: text('review_note'),
		reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
		reviewedBy: uuid('reviewed_by')
	},
	(t) => [
		uniqueIndex('aid_case_no_key').on(t.no),
		index('aid_case_organization_idx').on(t.organizationId, t.no),
		index('aid_case_household_idx').on(t.householdId),
		check('aid_case_amount_positive', sql`${t.amount} > 0`)
	]
);

/** One approver's vote in a case conference. */
export const aidApproval = pgTable(
	'aid_approval',
	{
		caseId: uuid('case_id')
			.notNull()
			.references(() => aidCase.id),
		approverId: uuid('approver_id').notNull(),
		approve: boolean('approve').notNull(),
		note: text('note').notNull().default(''),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.caseId, t.approverId] })]
);
