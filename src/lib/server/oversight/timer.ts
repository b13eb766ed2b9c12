// The register figures of every point counted again soon after Shanghai midnight (ages move) and
// whenever the register changed, in small batches, so the first dashboard of the day does not pay.
import { shanghaiDay } from '$lib/working-days';
import { refreshStats } from './figures';

/** Counts again every stale point, `batch` points per transaction; returns how many. */
export async function recountStale(today = shanghaiDay(), batch = 100): Promise<number> {
	let total = 0;
	for (;;) {
		const n = await refreshStats(null, today, batch);
		total += n;
		if (n < batch) return total;
	}
}

let timer: ReturnType<typeof setInterval> | undefined;

/**
 * Runs now and then every `STATS_EVERY_MS` (ten minutes by default) in this process. Several
 * processes may run it: each batch locks its rows with SKIP LOCKED, so none counts a point twice.
 */
export function startStatsTimer(everyMs = Number(process.env.STATS_EVERY_MS) || 600_000) {
	if (timer) return;
	let running = false;
	const run = async () => {
		if (running) return;
		running = true;
		try {
			await recountStale();
		} catch (err: unknown) {
			console.error('register figures:', err instanceof Error ? err.message : err);
		} finally {
			running = false;
		}
	};
	void run();
	timer = setInterval(() => void run(), everyMs);
	timer.unref();
}
