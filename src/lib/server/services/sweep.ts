import { escalateOverdue } from './requests';

let timer: ReturnType<typeof setInterval> | undefined;

/**
 * Runs the escalation sweep now and then every `ESCALATE_EVERY_MS` (10 minutes by default) in
 * this process; several processes may run it, the sweep skips rows another one holds.
 */
export function startEscalationTimer(everyMs = Number(process.env.ESCALATE_EVERY_MS) || 600_000) {
	if (timer) return;
	const run = () =>
		escalateOverdue().catch((err: unknown) =>
			console.error('escalation sweep:', err instanceof Error ? err.message : err)
		);
	void run();
	timer = setInterval(() => void run(), everyMs);
	timer.unref();
}
