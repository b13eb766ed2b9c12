import { error } from '@sveltejs/kit';
import { and, count, desc, eq, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../access';
import { db, schema, type Executor } from '../db';

const { notification, notificationOutbox, user } = schema;

export type Channel = 'sms' | 'wechat';
const channels: readonly Channel[] = ['sms', 'wechat'];

/** The outside channels named in NOTIFY_CHANNELS ('sms,wechat'); none unless set. */
export function configuredChannels(value = process.env.NOTIFY_CHANNELS): Channel[] {
	const names = (value ?? '').split(',').map((s) => s.trim().toLowerCase());
	return channels.filter((c) => names.includes(c));
}

export interface NotifyInput {
	userIds: string[];
	/** dotted like permissions: 'service.step', 'service.assigned' */
	kind: string;
	title: string;
	body?: string;
	/** a path inside the portal, e.g. /services/<id> */
	link?: string | null;
}

/**
 * Writes one notification per distinct user, and one outbox row per notification for each
 * channel of NOTIFY_CHANNELS, in the caller's transaction (so a rolled-back change tells no one).
 */
export async function notify(executor: Executor, input: NotifyInput): Promise<void> {
	const userIds = [...new Set(input.userIds)];
	if (userIds.length === 0) return;
	const body = input.body ?? '';
	const link = input.link ?? null;
	const rows = await executor
		.insert(notification)
		.values(userIds.map((userId) => ({ userId, kind: input.kind, title: input.title, body, link })))
		.returning({ id: notification.id, userId: notification.userId });
	const outside = configuredChannels();
	if (outside.length === 0) return;
	// who chose the daily digest hears of this event in it, not now
	const digest = new Set(
		(
			await executor
				.select({ id: user.id })
				.from(user)
				.where(and(inArray(user.id, userIds), eq(user.notifyDigest, true)))
		).map((u) => u.id)
	);
	const now = rows.filter((r) => !digest.has(r.userId));
	if (now.length === 0) return;
	const payload: Record<string, string> = { title: input.title, body, ...(link ? { link } : {}) };
	await executor
		.insert(notificationOutbox)
		.values(
			now.flatMap((r) =>
				outside.map((channel) => ({ notificationId: r.id, userId: r.userId, channel, payload }))
			)
		);
}

/** Chooses, for the actor's own account, one daily digest or one message per event. */
export async function setDigest(actor: Actor, on: boolean): Promise<void> {
	await db().update(user).set({ notifyDigest: on }).where(eq(user.id, actor.id));
}

/** Whether the actor chose the daily digest. */
export async function digestChosen(actor: Actor): Promise<boolean> {
	const [row] = await db()
		.select({ on: user.notifyDigest })
		.from(user)
		.where(eq(user.id, actor.id));
	return !!row?.on;
}

/**
 * Queues the daily digests of `day` (a Shanghai day, YYYY-MM-DD, normally yesterday): for every
 * user who chose the digest and had messages that day, one outbox row per channel saying how many
 * and naming the first few. A user gets one digest per day however often this runs (a unique key
 * on user and day, claimed in the same transaction as the outbox rows). Returns how many users.
 */
export async function queueDigests(
	day: string,
	channelsNow = configuredChannels()
): Promise<number> {
	if (channelsNow.length === 0) return 0;
	return db().transaction(async (tx) => {
		const counted = rowsOf<{ userId: string; n: number; titles: string[] }>(
			await tx.execute(sql`
				select n.user_id as "userId", count(*)::int as n,
					(array_agg(n.title order by n.created_at))[1:3] as titles
				from ${notification} n
				join ${user} u on u.id = n.user_id
				where u.notify_digest and u.disabled_at is null
					and (n.created_at at time zone 'Asia/Shanghai')::date = ${day}::date
				group by n.user_id`)
		);
		if (counted.length === 0) return 0;
		const claimed = await tx
			.insert(schema.notificationDigest)
			.values(counted.map((c) => ({ userId: c.userId, day, count: c.n })))
			.onConflictDoNothing({
				target: [schema.notificationDigest.userId, schema.notificationDigest.day]
			})
			.returning({ userId: schema.notificationDigest.userId });
		const claimedIds = new Set(claimed.map((c) => c.userId));
		const rows = counted
			.filter((c) => claimedIds.has(c.userId))
			.flatMap((c) =>
				channelsNow.map((channel) => ({
					notificationId: null,
					userId: c.userId,
					channel,
					payload: {
						title: `安居 ${day.slice(5).replace('-', '月')}日共 ${c.n} 条新消息`,
						body: c.titles.join('；') + (c.n > c.titles.length ? '……' : ''),
						link: '/notifications'
					}
				}))
			);
		if (rows.length > 0) await tx.insert(notificationOutbox).values(rows);
		return claimedIds.size;
	});
}

function rowsOf<T>(result: unknown): T[] {
	return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

/** True for a path inside the portal ('/services/1'); false for '//host', 'https://…' and the like. */
export function isInternalPath(link: string | null | undefined): link is string {
	return !!link && /^\/(?![/\\])/.test(link) && !/[\s\\]/.test(link);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const cursorPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)\|([0-9a-f-]{36})$/i;

/** A keyset cursor 'ISO time|id', or null when it is not one (a hand-edited URL). */
function parseCursor(value: string | undefined): { at: string; id: string } | null {
	const match = value ? cursorPattern.exec(value) : null;
	if (!match || !uuidPattern.test(match[2]) || Number.isNaN(Date.parse(match[1]))) return null;
	return { at: match[1], id: match[2] };
}

export interface NotificationQuery {
	/** keyset cursor 'ISO time|id': the previous page's `next` */
	before?: string;
	unread?: boolean;
}

export const pageSize = 30;

/** The actor's own notifications, newest first, 30 a page; `next` is the cursor of the page after. */
export async function listNotifications(actor: Actor, q: NotificationQuery = {}) {
	const where: SQL[] = [eq(notification.userId, actor.id)];
	if (q.unread) where.push(isNull(notification.readAt));
	const cursor = parseCursor(q.before);
	if (cursor)
		where.push(
			sql`(${notification.createdAt}, ${notification.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
		);
	const rows = await db()
		.select({
			id: notification.id,
			kind: notification.kind,
			title: notification.title,
			body: notification.body,
			link: notification.link,
			createdAt: notification.createdAt,
			readAt: notification.readAt,
			// the cursor keeps the microseconds a JS Date would drop, or ties would skip rows
			cursor: sql<string>`to_char(${notification.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' || ${notification.id}`
		})
		.from(notification)
		.where(and(...where))
		.orderBy(desc(notification.createdAt), desc(notification.id))
		.limit(pageSize + 1);
	const page = rows.slice(0, pageSize);
	return {
		rows: page.map(({ cursor: _cursor, ...row }) => row),
		next: rows.length > pageSize ? page[pageSize - 1].cursor : null
	};
}

/** How many of the actor's notifications are unread. */
export async function unreadCount(actor: Actor): Promise<number> {
	const [row] = await db()
		.select({ n: count() })
		.from(notification)
		.where(and(eq(notification.userId, actor.id), isNull(notification.readAt)));
	return Number(row?.n ?? 0);
}

/**
 * Marks one of the actor's notifications read (again is fine) and returns its link.
 * Fails with 404 for someone else's notification or an id that is not one.
 */
export async function markRead(actor: Actor, id: string): Promise<{ link: string | null }> {
	if (!uuidPattern.test(id)) error(404, '页面不存在');
	const [row] = await db()
		.update(notification)
		.set({ readAt: sql`coalesce(${notification.readAt}, now())` })
		.where(and(eq(notification.id, id), eq(notification.userId, actor.id)))
		.returning({ link: notification.link });
	if (!row) error(404, '页面不存在');
	return row;
}

/** Marks every unread notification of the actor read; returns how many. */
export async function markAllRead(actor: Actor): Promise<number> {
	const rows = await db()
		.update(notification)
		.set({ readAt: sql`now()` })
		.where(and(eq(notification.userId, actor.id), isNull(notification.readAt)))
		.returning({ id: notification.id });
	return rows.length;
}

/**
 * An outside channel. None ships; to add one (say SMS through a provider):
 * 1. write `senders/sms.ts` exporting an object `{ channel: 'sms', send }` whose `send` calls the
 *    provider and throws on failure (the message is stored as lastError, so keep secrets out of it);
 *    skip or throw for a user without a phone, and time out well inside `leaseMs`;
 * 2. call `dispatchOutbox([sms])` every minute or so (a timer started in hooks.server.ts init, or a
 *    script run by cron);
 * 3. set NOTIFY_CHANNELS=sms, so notify() queues rows for it. Leave it unset until a sender runs,
 *    or the outbox only grows.
 */
export interface NotificationSender {
	channel: Channel;
	send(message: {
		userId: string;
		phone: string | null;
		title: string;
		body: string;
		link: string | null;
	}): Promise<void>;
}

/** A claimed row stays out of other dispatchers' reach this long; a crash mid-send retries after it. */
export const leaseMs = 10 * 60_000;
/** After this many failed sends a row is marked 'failed' and left alone. */
export const maxAttempts = 5;
const baseDelayMs = 60_000;

/**
 * Sends due outbox rows of the senders' channels. Rows are claimed in a short transaction with
 * `for update skip locked` and leased (nextAttemptAt pushed out), then sent outside it, so two
 * dispatchers never send one row twice and no network call holds a transaction open.
 * A send that throws is retried after 1, 2, 4, 8 minutes, then marked 'failed'.
 * Returns how many sends this run succeeded and how many threw.
 */
export async function dispatchOutbox(
	senders: NotificationSender[],
	options: { limit?: number; now?: Date } = {}
): Promise<{ sent: number; failed: number }> {
	const bySender = new Map(senders.map((s) => [s.channel, s]));
	if (bySender.size === 0) return { sent: 0, failed: 0 };
	const now = options.now ?? new Date();
	const leaseUntil = new Date(now.getTime() + leaseMs);
	const claimed = await db().transaction(async (tx) => {
		const due = await tx
			.select({
				id: notificationOutbox.id,
				channel: notificationOutbox.channel,
				attempts: notificationOutbox.attempts,
				payload: notificationOutbox.payload,
				userId: notificationOutbox.userId,
				phone: user.phone
			})
			.from(notificationOutbox)
			.innerJoin(user, eq(user.id, notificationOutbox.userId))
			.where(
				and(
					eq(notificationOutbox.status, 'pending'),
					lte(notificationOutbox.nextAttemptAt, now),
					inArray(notificationOutbox.channel, [...bySender.keys()])
				)
			)
			.orderBy(notificationOutbox.nextAttemptAt)
			.limit(options.limit ?? 50)
			.for('update', { of: notificationOutbox, skipLocked: true });
		if (due.length > 0)
			await tx
				.update(notificationOutbox)
				.set({ nextAttemptAt: leaseUntil })
				.where(
					inArray(
						notificationOutbox.id,
						due.map((r) => r.id)
					)
				);
		return due;
	});

	let sent = 0;
	let failed = 0;
	for (const row of claimed) {
		// only while our lease holds: a row someone else reclaimed is theirs to record
		const ours = and(
			eq(notificationOutbox.id, row.id),
			eq(notificationOutbox.status, 'pending'),
			eq(notificationOutbox.nextAttemptAt, leaseUntil)
		);
		try {
			await bySender.get(row.channel)!.send({
				userId: row.userId,
				phone: row.phone,
				title: row.payload.title ?? '',
				body: row.payload.body ?? '',
				link: row.payload.link ?? null
			});
			await db()
				.update(notificationOutbox)
				.set({ status: 'sent', sentAt: now, attempts: row.attempts + 1 })
				.where(ours);
			sent++;
		} catch (e) {
			const attempts = row.attempts + 1;
			const message = (e instanceof Error ? e.message : String(e)).slice(0, 1000);
			await db()
				.update(notificationOutbox)
				.set(
					attempts >= maxAttempts
						? { status: 'failed', attempts, lastError: message }
						: {
								attempts,
								lastError: message,
								nextAttemptAt: new Date(now.getTime() + baseDelayMs * 2 ** (attempts - 1))
							}
				)
				.where(ours);
			failed++;
		}
	}
	return { sent, failed };
}
