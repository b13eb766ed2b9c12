// 每日汇总: the hourly timer that queues yesterday's digests for those who chose them.
import { shanghaiDay } from '$lib/working-days';
import { queueDigests } from '.';

/** The Shanghai day before the one `now` falls in. */
export function yesterdayInShanghai(now: Date = new Date()): string {
	return shanghaiDay(new Date(now.getTime() - 24 * 3600_000));
}

/** Queues the digests of the day before `now` (once per user and day however often it runs). */
export function runDigests(now: Date = new Date()): Promise<number> {
	return queueDigests(yesterdayInShanghai(now));
}

let timer: ReturnType<typeof setInterval> | undefined;

/**
 * Runs now and then every `DIGEST_EVERY_MS` (an hour by default) in this process; several
 * processes may run it, since a user's digest of a day is claimed once (a unique key).
 * Does nothing useful until NOTIFY_CHANNELS names a channel.
 */
export function startDigestTimer(everyMs = Number(process.env.DIGEST_EVERY_MS) || 3_600_000) {
	if (timer) return;
	const run = () =>
		runDigests().catch((err: unknown) =>
			console.error('daily digests:', err instanceof Error ? err.message : err)
		);
	void run();
	timer = setInterval(() => void run(), everyMs);
	timer.unref();
}
