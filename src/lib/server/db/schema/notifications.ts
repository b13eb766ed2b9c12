import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { user } from './accounts';

/** One in-app message to one user; every capability writes here through notifications.notify. */
export const notification = pgTable(
	'notification',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		// dotted like permissions: 'service.step', 'service.assigned', 'service.escalated'
		kind: text('kind').notNull(),
		title: text('title').notNull(),
		body: text('body').notNull().default(''),
		// a path inside the portal, e.g. /services/<id>
		link: text('link'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		readAt: timestamp('read_at', { withTimezone: true })
	},
	(t) => [
		index('notification_user_idx').on(t.userId, t.createdAt),
		index('notification_unread_idx')
			.on(t.userId)
			.where(sql`${t.readAt} is null`)
	]
);

/** Messages waiting for an outside channel (SMS, WeChat); a sender drains it. */
export const notificationOutbox = pgTable(
	'notification_outbox',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		// one event's message; null for a daily digest
		notificationId: uuid('notification_id').references(() => notification.id, {
			onDelete: 'cascade'
		}),
		userId: uuid('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		channel: text('channel', { enum: ['sms', 'wechat'] }).notNull(),
		status: text('status', { enum: ['pending', 'sent', 'failed'] })
			.notNull()
			.default('pending'),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
		lastError: text('last_error'),
		sentAt: timestamp('sent_at', { withTimezone: true }),
		payload: jsonb('payload').$type<Record<string, string>>().notNull().default({}),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('notification_outbox_pending_idx')
			.on(t.nextAttemptAt)
			.where(sql`${t.status} = 'pending'`)
	]
);
