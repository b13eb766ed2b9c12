import { and, eq, sql } from 'drizzle-orm';
import { db, schema } from '../db';

export interface Limit {
	/** attempts allowed in one window */
	max: number;
	windowSeconds: number;
}

/** Login attempts per client address, and failed attempts per account. */
export const loginLimits = {
	ip: { max: 10, windowSeconds: 60 },
	account: { max: 10, windowSeconds: 15 * 60 }
} satisfies Record<string, Limit>;

/**
 * Counts one hit against a fixed window kept in the database, so every app process shares it.
 * Returns false when the key is over its limit (the hit is still counted).
 */
export async function consume(key: string, limit: Limit): Promise<boolean> {
	const { throttle } = schema;
	const [row] = await db()
		.insert(throttle)
		.values({ key, windowStart: sql`now()`, count: 1 })
		.onConflictDoUpdate({
			target: throttle.key,
			set: {
				count: sql`case when ${throttle.windowStart} <= now() - make_interval(secs => ${limit.windowSeconds}) then 1 else ${throttle.count} + 1 end`,
				windowStart: sql`case when ${throttle.windowStart} <= now() - make_interval(secs => ${limit.windowSeconds}) then now() else ${throttle.windowStart} end`
			}
		})
		.returning({ count: throttle.count });
	return row.count <= limit.max;
}

/** True when the key has used up its window, without counting a new hit. */
export async function isExhausted(key: string, limit: Limit): Promise<boolean> {
	const { throttle } = schema;
	const [row] = await db()
		.select({ count: throttle.count })
		.from(throttle)
		.where(
			and(
				eq(throttle.key, key),
				sql`${throttle.windowStart} > now() - make_interval(secs => ${limit.windowSeconds})`
			)
		);
	return !!row && row.count >= limit.max;
}

export async function reset(key: string): Promise<void> {
	await db().delete(schema.throttle).where(eq(schema.throttle.key, key));
}

/** Forgets windows that ended long ago; run now and then. */
export async function purgeExpired(olderThanSeconds = 24 * 3600): Promise<void> {
	const { throttle } = schema;
	await db()
		.delete(throttle)
		.where(sql`${throttle.windowStart} < now() - make_interval(secs => ${olderThanSeconds})`);
}
