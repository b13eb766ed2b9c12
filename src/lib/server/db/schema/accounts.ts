import { sql } from 'drizzle-orm';
import {
	boolean,
	index,
	integer,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import { household, region, settlement } from './settlements';
import { organization } from './charity';

import { roles } from '../../../schemas/roles';
export { roles, type Role } from '../../../schemas/roles';

/** A person who signs in: staff, resident or organisation member. */
export const user = pgTable(
	'user',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		username: text('username').notNull(),
		displayName: text('display_name').notNull(),
		passwordHash: text('password_hash').notNull(),
		phone: text('phone'),
		// a resident's own household
		householdId: uuid('household_id').references(() => household.id),
		disabledAt: timestamp('disabled_at', { withTimezone: true }),
		// outside channels (SMS, WeChat) send one daily digest instead of one message per event
		notifyDigest: boolean('notify_digest').notNull().default(false),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('user_username_key').on(sql`lower(${t.username})`),
		uniqueIndex('user_phone_key').on(t.phone)
	]
);

/** A signed-in browser: id is the SHA-256 of the cookie token, never the token itself. */
export const session = pgTable(
	'session',
	{
		id: text('id').primaryKey(),
		userId: uuid('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		absoluteExpiresAt: timestamp('absolute_expires_at', { withTimezone: true }).notNull(),
		idleSeconds: integer('idle_seconds').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('session_user_idx').on(t.userId)]
);

/** grant(user, role, scope): scope is everything, a region subtree, a settlement or an organisation. */
export const roleGrant = pgTable(
	'role_grant',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		role: text('role', { enum: roles }).notNull(),
		scopeKind: text('scope_kind', {
			enum: ['global', 'region', 'settlement', 'organization']
		}).notNull(),
		regionId: uuid('region_id').references(() => region.id),
		settlementId: uuid('settlement_id').references(() => settlement.id),
		organizationId: uuid('organization_id').references(() => organization.id),
		grantedBy: uuid('granted_by'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		revokedAt: timestamp('revoked_at', { withTimezone: true })
	},
	(t) => [
		index('role_grant_user_idx')
			.on(t.userId)
			.where(sql`${t.revokedAt} is null`)
	]
);

/** 邀请码: a one-time code a point admin gives a household so a resident can register. */
export const invitation = pgTable(
	'invitation',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		codeHash: text('code_hash').notNull(),
		householdId: uuid('household_id')
			.notNull()
			.references(() => household.id),
		issuedBy: uuid('issued_by')
			.notNull()
			.references(() => user.id),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		usedAt: timestamp('used_at', { withTimezone: true }),
		usedBy: uuid('used_by').references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('invitation_code_key').on(t.codeHash)]
);

/** Fixed-window counters for login throttling, shared by every app process. */
export const throttle = pgTable('throttle', {
	key: text('key').primaryKey(),
	windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
	count: integer('count').notNull()
});
