import { escalateUnverified } from './risks';

let timer: ReturnType<typeof setInterval> | undefined;

/**
 * Runs the risk escalation sweep now and then every `ESCALATE_EVERY_MS` (10 minutes by default)
 * in this process: flags not verified in the county's time go to the 点长 and civil affairs.
 * Several processes may run it; the sweep skips rows another one holds.
 */
export function startRiskEscalationTimer(
	everyMs = Number(process.env.ESCALATE_EVERY_MS) || 600_000
) {
	if (timer) return;
	const run = () =>
		escalateUnverified().catch((err: unknown) =>
			console.error('risk escalation sweep:', err instanceof Error ? err.message : err)
		);
	void run();
	timer = setInterval(() => void run(), everyMs);
	timer.unref();
}
