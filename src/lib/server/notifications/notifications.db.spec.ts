import { setTimeout as sleep } from 'node:timers/promises';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import { createUser, sequence } from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	dispatchOutbox,
	isInternalPath,
	listNotifications,
	markAllRead,
	markRead,
	maxAttempts,
	notify,
	pageSize,
	unreadCount,
	type Channel,
	type NotificationSender
} from '.';

useTestDatabase();

const { notification, notificationOutbox } = schema;
type Message = Parameters<NotificationSender['send']>[0];

let ana: Actor;
let bo: Actor;
const anaPhone = `1380000${String(sequence()).padStart(4, '0')}`;

beforeAll(async () => {
	ana = (await createUser({ displayName: '安娜', phone: anaPhone })).actor;
	bo = (await createUser({ displayName: '伯' })).actor;
});

afterEach(() => {
	vi.unstubAllEnvs();
});

/** A user of their own, so counts and pages are not shared with other tests. */
async function freshActor(): Promise<Actor> {
	return (await createUser()).actor;
}

async function rowsOfKind(kind: string) {
	return db()
		.select()
		.from(notification)
		.where(eq(notification.kind, kind))
		.orderBy(asc(notification.userId));
}

async function outboxOf(notificationIds: string[]) {
	if (notificationIds.length === 0) return [];
	return db()
		.select()
		.from(notificationOutbox)
		.where(inArray(notificationOutbox.notificationId, notificationIds))
		.orderBy(asc(notificationOutbox.notificationId), asc(notificationOutbox.channel));
}

describe('notify', () => {
	it('writes one notification per distinct user', async () => {
		await notify(db(), {
			userIds: [ana.id, bo.id, ana.id],
			kind: 'test.distinct',
			title: '您的申请已受理'
		});
		const rows = await rowsOfKind('test.distinct');
		expect(rows.map((r) => r.userId).sort()).toEqual([ana.id, bo.id].sort());
		for (const r of rows)
			expect(r).toMatchObject({ title: '您的申请已受理', body: '', link: null });
	});

	it('writes nothing for an empty list', async () => {
		vi.stubEnv('NOTIFY_CHANNELS', 'sms,wechat');
		const before = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(notificationOutbox);
		await notify(db(), { userIds: [], kind: 'test.empty', title: '无' });
		expect(await rowsOfKind('test.empty')).toEqual([]);
		const after = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(notificationOutbox);
		expect(after[0].n).toBe(before[0].n);
	});

	it('queues outbox rows only for the configured channels', async () => {
		const notifyAs = async (kind: string) => {
			await notify(db(), {
				userIds: [ana.id, bo.id],
				kind,
				title: '请补充材料',
				body: '缺少户口簿复印件',
				link: '/services/1'
			});
			return outboxOf((await rowsOfKind(kind)).map((r) => r.id));
		};

		expect(await notifyAs('test.channels.none')).toEqual([]);

		vi.stubEnv('NOTIFY_CHANNELS', 'sms');
		const sms = await notifyAs('test.channels.sms');
		expect(sms.map((r) => r.channel)).toEqual(['sms', 'sms']);
		for (const r of sms) {
			expect(r).toMatchObject({ status: 'pending', attempts: 0, lastError: null, sentAt: null });
			expect(r.payload).toEqual({
				title: '请补充材料',
				body: '缺少户口簿复印件',
				link: '/services/1'
			});
		}

		// spaces and unknown names are tolerated; each channel once
		vi.stubEnv('NOTIFY_CHANNELS', ' wechat, SMS ,fax,sms');
		const both = await notifyAs('test.channels.both');
		expect(both.map((r) => r.channel)).toEqual(['sms', 'wechat', 'sms', 'wechat']);
	});

	it("runs in the caller's transaction: a rollback takes the messages with it", async () => {
		vi.stubEnv('NOTIFY_CHANNELS', 'sms');
		const rolledBack = await db()
			.transaction(async (tx) => {
				await notify(tx, { userIds: [ana.id], kind: 'test.rollback', title: '撤回' });
				expect(
					await tx.select().from(notification).where(eq(notification.kind, 'test.rollback'))
				).toHaveLength(1);
				tx.rollback();
			})
			.then(
				() => false,
				() => true
			);
		expect(rolledBack).toBe(true);
		expect(await rowsOfKind('test.rollback')).toEqual([]);
	});
});

describe('reading', () => {
	it("lists only the actor's own notifications, newest first", async () => {
		const mine = await freshActor();
		const theirs = await freshActor();
		await notify(db(), { userIds: [mine.id], kind: 'test.own', title: '第一条' });
		await notify(db(), { userIds: [theirs.id], kind: 'test.own', title: '别人的' });
		await notify(db(), { userIds: [mine.id, theirs.id], kind: 'test.own', title: '第二条' });
		const { rows, next } = await listNotifications(mine);
		expect(rows.map((r) => r.title)).toEqual(['第二条', '第一条']);
		expect(next).toBeNull();
		const theirIds = (
			await db().select().from(notification).where(eq(notification.userId, theirs.id))
		).map((r) => r.id);
		for (const r of rows) expect(theirIds).not.toContain(r.id);
	});

	it('pages by keyset with no gaps and no overlaps, even when times tie', async () => {
		const reader = await freshActor();
		// one transaction: every row gets the same created_at, so only the id orders them
		await db().transaction(async (tx) => {
			for (let i = 0; i < 40; i++)
				await notify(tx, { userIds: [reader.id], kind: 'test.page', title: `tie-${i}` });
		});
		for (let i = 0; i < 25; i++)
			await notify(db(), { userIds: [reader.id], kind: 'test.page', title: `own-${i}` });

		const pages: string[][] = [];
		let before: string | undefined;
		do {
			const page = await listNotifications(reader, { before });
			pages.push(page.rows.map((r) => r.id));
			before = page.next ?? undefined;
		} while (before && pages.length < 10);
		expect(pages.map((p) => p.length)).toEqual([pageSize, pageSize, 65 - 2 * pageSize]);
		const all = pages.flat();
		expect(new Set(all).size).toBe(65);
		const expected = await db()
			.select({ id: notification.id })
			.from(notification)
			.where(eq(notification.userId, reader.id))
			.orderBy(sql`${notification.createdAt} desc, ${notification.id} desc`);
		expect(all).toEqual(expected.map((r) => r.id));
	});

	it('ignores a malformed cursor and shows the first page', async () => {
		const reader = await freshActor();
		await notify(db(), { userIds: [reader.id], kind: 'test.cursor', title: 'x' });
		for (const before of ['nonsense', '2024-13-45T99:00:00Z|x', "'; drop table user; --"])
			expect((await listNotifications(reader, { before })).rows).toHaveLength(1);
	});

	it('counts unread, marks one read, and filters to unread', async () => {
		const reader = await freshActor();
		await notify(db(), { userIds: [reader.id], kind: 'test.unread', title: '旧', link: '/a' });
		await notify(db(), { userIds: [reader.id], kind: 'test.unread', title: '新' });
		expect(await unreadCount(reader)).toBe(2);
		const { rows } = await listNotifications(reader);
		const old = rows.find((r) => r.title === '旧')!;

		expect(await markRead(reader, old.id)).toEqual({ link: '/a' });
		expect(await unreadCount(reader)).toBe(1);
		const [first] = await db().select().from(notification).where(eq(notification.id, old.id));
		expect(first.readAt).toBeInstanceOf(Date);

		// a second time answers the same and keeps the first reading time
		expect(await markRead(reader, old.id)).toEqual({ link: '/a' });
		const [again] = await db().select().from(notification).where(eq(notification.id, old.id));
		expect(again.readAt).toEqual(first.readAt);

		const unread = await listNotifications(reader, { unread: true });
		expect(unread.rows.map((r) => r.title)).toEqual(['新']);
	});

	it("answers 404 to someone else's notification or a malformed id, and changes nothing", async () => {
		const owner = await freshActor();
		const other = await freshActor();
		await notify(db(), { userIds: [owner.id], kind: 'test.404', title: '私信' });
		const [row] = (await listNotifications(owner)).rows;
		expect(await httpStatus(markRead(other, row.id))).toBe(404);
		expect(await httpStatus(markRead(other, 'not-a-uuid'))).toBe(404);
		expect(await httpStatus(markRead(owner, crypto.randomUUID()))).toBe(404);
		const [after] = await db().select().from(notification).where(eq(notification.id, row.id));
		expect(after.readAt).toBeNull();
		expect(await unreadCount(owner)).toBe(1);
	});

	it("marks all of the actor's own read, and nobody else's", async () => {
		const reader = await freshActor();
		const other = await freshActor();
		for (let i = 0; i < 3; i++)
			await notify(db(), { userIds: [reader.id, other.id], kind: 'test.all', title: `m${i}` });
		expect(await markAllRead(reader)).toBe(3);
		expect(await unreadCount(reader)).toBe(0);
		expect(await unreadCount(other)).toBe(3);
		expect(await markAllRead(reader)).toBe(0);
	});

	it('tells internal paths from everything else', () => {
		for (const good of ['/services/1', '/notifications?x=1', '/'])
			expect(isInternalPath(good)).toBe(true);
		for (const bad of [
			'//evil.example',
			'/\\evil.example',
			'https://evil.example',
			'javascript:x',
			'',
			null
		])
			expect(isInternalPath(bad)).toBe(false);
	});
});

/** A real sender: records what it was given, waits a moment like a network call, or throws. */
class TestSender implements NotificationSender {
	messages: Message[] = [];
	calls = 0;
	constructor(
		readonly channel: Channel,
		private readonly failWith?: string
	) {}
	async send(message: Message): Promise<void> {
		this.calls++;
		await sleep(2);
		if (this.failWith) throw new Error(this.failWith);
		this.messages.push(message);
	}
}

const minute = 60_000;

describe('dispatchOutbox', () => {
	let t0: Date;

	beforeEach(async () => {
		// each test starts from an empty outbox, a moment after its rows become due
		await db().delete(notificationOutbox);
		t0 = new Date(Date.now() + 1000);
	});

	async function queue(userIds: string[], channels: string, title = '办结通知') {
		vi.stubEnv('NOTIFY_CHANNELS', channels);
		const kind = `test.dispatch.${sequence()}`;
		await notify(db(), { userIds, kind, title, body: '请到窗口领取', link: '/services/9' });
		vi.unstubAllEnvs();
		return (await rowsOfKind(kind)).map((r) => r.id);
	}

	it('sends due rows with the user phone and marks them sent', async () => {
		const ids = await queue([ana.id, bo.id], 'sms');
		const sms = new TestSender('sms');
		expect(await dispatchOutbox([sms], { now: t0 })).toEqual({ sent: 2, failed: 0 });
		expect(sms.messages.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(
			[
				{ userId: ana.id, phone: anaPhone },
				{ userId: bo.id, phone: null }
			]
				.sort((a, b) => a.userId.localeCompare(b.userId))
				.map((u) => ({ ...u, title: '办结通知', body: '请到窗口领取', link: '/services/9' }))
		);
		for (const r of await outboxOf(ids))
			expect(r).toMatchObject({ status: 'sent', sentAt: t0, attempts: 1, lastError: null });
		expect(await dispatchOutbox([sms], { now: new Date(t0.getTime() + 60 * minute) })).toEqual({
			sent: 0,
			failed: 0
		});
		expect(sms.calls).toBe(2);
	});

	it('leaves rows of a channel without a sender, and rows not yet due, pending', async () => {
		const ids = await queue([ana.id], 'sms,wechat');
		const wechat = new TestSender('wechat');
		expect(await dispatchOutbox([], { now: t0 })).toEqual({ sent: 0, failed: 0 });
		expect(await dispatchOutbox([wechat], { now: new Date(Date.now() - 60 * minute) })).toEqual({
			sent: 0,
			failed: 0
		});
		expect(await dispatchOutbox([wechat], { now: t0 })).toEqual({ sent: 1, failed: 0 });
		const rows = await outboxOf(ids);
		expect(rows.map((r) => [r.channel, r.status])).toEqual([
			['sms', 'pending'],
			['wechat', 'sent']
		]);
	});

	it('backs off 1, 2, 4, 8 minutes after a failed send, then marks the row failed', async () => {
		const [id] = await queue([ana.id], 'sms');
		const broken = new TestSender('sms', 'gateway timeout');
		let now = t0;
		for (const [attempt, delay] of [1, 2, 4, 8].entries()) {
			expect(await dispatchOutbox([broken], { now })).toEqual({ sent: 0, failed: 1 });
			const [row] = await outboxOf([id]);
			expect(row).toMatchObject({
				status: 'pending',
				attempts: attempt + 1,
				lastError: 'gateway timeout',
				nextAttemptAt: new Date(now.getTime() + delay * minute)
			});
			// not due a second early
			const early = new Date(row.nextAttemptAt.getTime() - 1000);
			expect(await dispatchOutbox([broken], { now: early })).toEqual({ sent: 0, failed: 0 });
			now = row.nextAttemptAt;
		}
		expect(await dispatchOutbox([broken], { now })).toEqual({ sent: 0, failed: 1 });
		const [row] = await outboxOf([id]);
		expect(row).toMatchObject({ status: 'failed', attempts: maxAttempts, sentAt: null });
		expect(row.lastError).toBe('gateway timeout');
		const later = new Date(now.getTime() + 24 * 60 * minute);
		expect(await dispatchOutbox([new TestSender('sms')], { now: later })).toEqual({
			sent: 0,
			failed: 0
		});
		expect(broken.calls).toBe(maxAttempts);
	});

	it('does not hand a row that is being sent to a second dispatcher', async () => {
		const [id] = await queue([ana.id], 'sms');
		let release!: () => void;
		let started!: () => void;
		const sending = new Promise<void>((r) => (started = r));
		const slow: NotificationSender = {
			channel: 'sms',
			send: () => {
				started();
				return new Promise<void>((r) => (release = r));
			}
		};
		const first = dispatchOutbox([slow], { now: t0 });
		await sending;
		const other = new TestSender('sms');
		expect(await dispatchOutbox([other], { now: t0 })).toEqual({ sent: 0, failed: 0 });
		release();
		expect(await first).toEqual({ sent: 1, failed: 0 });
		expect(other.calls).toBe(0);
		const [row] = await outboxOf([id]);
		expect(row.status).toBe('sent');
	});

	it('sends each message exactly once when two dispatchers run at the same time', async () => {
		const users = [ana, bo, ...(await Promise.all([1, 2, 3, 4].map(() => freshActor())))];
		const ids: string[] = [];
		for (let i = 0; i < 4; i++)
			ids.push(
				...(await queue(
					users.map((u) => u.id),
					'sms',
					`批次${i}`
				))
			);
		expect(ids).toHaveLength(24);
		const sender = new TestSender('sms');
		const drain = async () => {
			let sent = 0;
			for (let round = 0; round < 50; round++) {
				const r = await dispatchOutbox([sender], { now: t0, limit: 5 });
				if (r.sent + r.failed === 0) return sent;
				sent += r.sent;
			}
			throw new Error('the outbox did not drain');
		};
		const [a, b] = await Promise.all([drain(), drain()]);
		expect(a + b).toBe(24);
		const keys = sender.messages.map((m) => `${m.userId}|${m.title}`);
		expect(keys).toHaveLength(24);
		expect(new Set(keys).size).toBe(24);
		const pending = await db()
			.select()
			.from(notificationOutbox)
			.where(
				and(inArray(notificationOutbox.notificationId, ids), isNull(notificationOutbox.sentAt))
			);
		expect(pending).toEqual([]);
	});
});
