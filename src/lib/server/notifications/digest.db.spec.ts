import { and, eq, inArray, isNull } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDay } from '$lib/working-days';
import { useTestDatabase } from '../../../../tests/db';
import { createUser } from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import { digestChosen, notify, queueDigests, setDigest } from '.';
import { yesterdayInShanghai } from './digest';

useTestDatabase();

const { notification, notificationOutbox, notificationDigest } = schema;

let daily: Actor;
let instant: Actor;
const saved = process.env.NOTIFY_CHANNELS;

beforeAll(async () => {
	daily = (await createUser()).actor;
	instant = (await createUser()).actor;
	await setDigest(daily, true);
});

afterEach(() => {
	if (saved === undefined) delete process.env.NOTIFY_CHANNELS;
	else process.env.NOTIFY_CHANNELS = saved;
});

const outboxOf = (userId: string) =>
	db().select().from(notificationOutbox).where(eq(notificationOutbox.userId, userId));

describe('the choice', () => {
	it('is each person’s own, and can be turned back', async () => {
		const other = (await createUser()).actor;
		expect(await digestChosen(other)).toBe(false);
		await setDigest(other, true);
		expect(await digestChosen(other)).toBe(true);
		expect(await digestChosen(instant)).toBe(false);
		await setDigest(other, false);
		expect(await digestChosen(other)).toBe(false);
	});
});

describe('yesterday in Shanghai', () => {
	it('is the day before the Shanghai day, whatever the server’s zone', () => {
		// 01:00 in Shanghai on 2 March is still 1 March in UTC
		expect(yesterdayInShanghai(new Date('2026-03-01T17:00:00Z'))).toBe('2026-03-01');
		expect(yesterdayInShanghai(new Date('2026-03-01T15:00:00Z'))).toBe('2026-02-28');
		expect(yesterdayInShanghai(new Date('2026-01-01T00:00:00+08:00'))).toBe('2025-12-31');
	});
});

describe('with outside channels', () => {
	it('queues one message per event for the instant reader and none for the digest reader', async () => {
		process.env.NOTIFY_CHANNELS = 'sms,wechat';
		await notify(db(), {
			userIds: [daily.id, instant.id],
			kind: 'service.step',
			title: '您的申请已受理',
			link: '/services'
		});
		await notify(db(), { userIds: [daily.id, instant.id], kind: 'service.step', title: '已办结' });
		const instantRows = await outboxOf(instant.id);
		expect(instantRows).toHaveLength(4);
		expect(instantRows.map((r) => r.channel).sort()).toEqual(['sms', 'sms', 'wechat', 'wechat']);
		expect(instantRows.every((r) => r.notificationId !== null)).toBe(true);
		expect(await outboxOf(daily.id)).toEqual([]);
		// both still see the messages on /notifications
		const inbox = await db()
			.select()
			.from(notification)
			.where(inArray(notification.userId, [daily.id, instant.id]));
		expect(inbox).toHaveLength(4);
	});

	it('queues one digest per day for the digest reader, however often it runs', async () => {
		const today = shanghaiDay();
		expect(await queueDigests(today, ['sms'])).toBe(1);
		expect(await queueDigests(today, ['sms'])).toBe(0);
		const rows = await outboxOf(daily.id);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ channel: 'sms', notificationId: null, status: 'pending' });
		expect(rows[0].payload.title).toContain('2 条');
		expect(rows[0].payload.body).toContain('您的申请已受理');
		expect(rows[0].payload.link).toBe('/notifications');
		const digests = await db()
			.select()
			.from(notificationDigest)
			.where(eq(notificationDigest.userId, daily.id));
		expect(digests).toMatchObject([{ day: today, count: 2 }]);
		// the instant reader gets no digest on top of the messages
		const instantDigests = await db()
			.select()
			.from(notificationOutbox)
			.where(
				and(eq(notificationOutbox.userId, instant.id), isNull(notificationOutbox.notificationId))
			);
		expect(instantDigests).toEqual([]);
	});

	it('counts only that day’s messages, and a later day gets its own digest', async () => {
		const reader = (await createUser()).actor;
		await setDigest(reader, true);
		await db()
			.insert(notification)
			.values([
				{
					userId: reader.id,
					kind: 'k',
					title: '前天',
					createdAt: new Date('2026-02-27T12:00:00+08:00')
				},
				{
					userId: reader.id,
					kind: 'k',
					title: '昨天一',
					createdAt: new Date('2026-02-28T00:30:00+08:00')
				},
				{
					userId: reader.id,
					kind: 'k',
					title: '昨天二',
					createdAt: new Date('2026-02-28T23:30:00+08:00')
				}
			]);
		await queueDigests('2026-02-28', ['wechat']);
		await queueDigests('2026-02-28', ['wechat']);
		await queueDigests('2026-02-27', ['wechat']);
		const rows = await outboxOf(reader.id);
		expect(rows.map((r) => r.payload.title).sort()).toEqual([
			'安居 02月27日共 1 条新消息',
			'安居 02月28日共 2 条新消息'
		]);
		const digests = await db()
			.select({ day: notificationDigest.day, count: notificationDigest.count })
			.from(notificationDigest)
			.where(eq(notificationDigest.userId, reader.id))
			.orderBy(notificationDigest.day);
		expect(digests).toEqual([
			{ day: '2026-02-27', count: 1 },
			{ day: '2026-02-28', count: 2 }
		]);
	});
});

describe('without outside channels', () => {
	it('queues nothing at all, neither per event nor digests', async () => {
		delete process.env.NOTIFY_CHANNELS;
		const a = (await createUser()).actor;
		const b = (await createUser()).actor;
		await setDigest(a, true);
		await notify(db(), { userIds: [a.id, b.id], kind: 'k', title: '无渠道' });
		expect(await queueDigests(shanghaiDay(), [])).toBe(0);
		expect(await outboxOf(a.id)).toEqual([]);
		expect(await outboxOf(b.id)).toEqual([]);
		const claimed = await db()
			.select()
			.from(notificationDigest)
			.where(eq(notificationDigest.userId, a.id));
		expect(claimed).toEqual([]);
	});
});
