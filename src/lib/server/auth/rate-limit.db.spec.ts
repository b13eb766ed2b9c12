import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sequence } from '../../../../tests/factories';
import { useTestDatabase } from '../../../../tests/db';
import { db, schema } from '../db';
import { consume, isExhausted, purgeExpired, reset } from './rate-limit';

useTestDatabase();

const limit = { max: 3, windowSeconds: 60 };
const key = () => `test:${sequence()}`;

/** Moves a key's window into the past, as if `seconds` had gone by. */
async function age(k: string, seconds: number) {
	await db()
		.update(schema.throttle)
		.set({ windowStart: sql`${schema.throttle.windowStart} - make_interval(secs => ${seconds})` })
		.where(eq(schema.throttle.key, k));
}

async function count(k: string) {
	const [row] = await db()
		.select({ count: schema.throttle.count })
		.from(schema.throttle)
		.where(eq(schema.throttle.key, k));
	return row?.count;
}

describe('consume', () => {
	it('allows max hits in a window, then refuses and keeps counting', async () => {
		const k = key();
		const answers = [];
		for (let i = 0; i < 5; i++) answers.push(await consume(k, limit));
		expect(answers).toEqual([true, true, true, false, false]);
		expect(await count(k)).toBe(5);
	});

	it('starts a new window once the old one has passed', async () => {
		const k = key();
		for (let i = 0; i < 4; i++) await consume(k, limit);
		expect(await consume(k, limit)).toBe(false);
		await age(k, 61);
		expect(await consume(k, limit)).toBe(true);
		expect(await count(k)).toBe(1);
	});

	it('keeps the window while it lasts', async () => {
		const k = key();
		for (let i = 0; i < 3; i++) await consume(k, limit);
		await age(k, 50);
		expect(await consume(k, limit)).toBe(false);
	});

	it('resets after a real one-second window', async () => {
		const k = key();
		const short = { max: 1, windowSeconds: 1 };
		expect(await consume(k, short)).toBe(true);
		expect(await consume(k, short)).toBe(false);
		await new Promise((r) => setTimeout(r, 1100));
		expect(await consume(k, short)).toBe(true);
	});

	it('counts keys apart', async () => {
		const a = key();
		const b = key();
		for (let i = 0; i < 4; i++) await consume(a, limit);
		expect(await consume(a, limit)).toBe(false);
		expect(await consume(b, limit)).toBe(true);
		expect(await count(b)).toBe(1);
	});

	it('lets exactly max of many simultaneous hits through', async () => {
		const k = key();
		const answers = await Promise.all(
			Array.from({ length: 20 }, () => consume(k, { max: 7, windowSeconds: 60 }))
		);
		expect(answers.filter(Boolean)).toHaveLength(7);
		expect(await count(k)).toBe(20);
	});
});

describe('isExhausted', () => {
	it('is false for an unknown key and below the limit, true at it, without counting', async () => {
		const k = key();
		expect(await isExhausted(k, limit)).toBe(false);
		await consume(k, limit);
		await consume(k, limit);
		expect(await isExhausted(k, limit)).toBe(false);
		await consume(k, limit);
		expect(await isExhausted(k, limit)).toBe(true);
		expect(await isExhausted(k, limit)).toBe(true);
		expect(await count(k)).toBe(3);
	});

	it('is false again once the window has passed', async () => {
		const k = key();
		for (let i = 0; i < 5; i++) await consume(k, limit);
		expect(await isExhausted(k, limit)).toBe(true);
		await age(k, 61);
		expect(await isExhausted(k, limit)).toBe(false);
	});
});

describe('reset and purgeExpired', () => {
	it('reset forgets one key', async () => {
		const a = key();
		const b = key();
		for (let i = 0; i < 3; i++) await Promise.all([consume(a, limit), consume(b, limit)]);
		await reset(a);
		expect(await isExhausted(a, limit)).toBe(false);
		expect(await count(a)).toBeUndefined();
		expect(await isExhausted(b, limit)).toBe(true);
	});

	it('purgeExpired removes only windows older than asked', async () => {
		const old = key();
		const fresh = key();
		await consume(old, limit);
		await consume(fresh, limit);
		await age(old, 2 * 24 * 3600);
		await purgeExpired();
		expect(await count(old)).toBeUndefined();
		expect(await count(fresh)).toBe(1);
	});
});
