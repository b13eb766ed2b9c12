import { connect, disconnect } from './db';
import { migrateDatabase } from './db/migrate';

let booted: Promise<void> | undefined;
let ready = false;
let inFlight = 0;

/** Counts a request while it runs, so shutdown can let it finish before closing the database. */
export async function tracked<T>(run: () => Promise<T>): Promise<T> {
	inFlight++;
	try {
		return await run();
	} finally {
		inFlight--;
	}
}

/** On SIGTERM: let running requests finish (10 s at most), close the pool, and make sure we exit. */
async function shutdown() {
	const deadline = Date.now() + 10_000;
	while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
	await disconnect().catch((err) => console.error('closing the database:', err));
	// postgres.js may hold sockets until their idle timeout after end(): do not wait for them
	setTimeout(() => process.exit(0), 1000).unref();
}

/** Connects, migrates and, when asked, seeds the demo county into an empty database. */
async function bootOnce(seedDemo: boolean): Promise<void> {
	const connection = await connect();
	await migrateDatabase(connection);
	if (seedDemo) {
		const { seedDemo: seed, isEmpty } = await import('./seed');
		if (await isEmpty()) await seed();
	}
	ready = true;
}

/**
 * Boots the data layer. When the database is down at start the process still comes up: pages
 * answer 503 and /healthz says so, and boot retries every few seconds until the database answers.
 */
export function boot(options: { seedDemo: boolean; retryMs?: number }): Promise<void> {
	if (booted) return booted;
	process.once('sveltekit:shutdown', () => {
		void shutdown();
	});
	const attempt = (): Promise<void> =>
		bootOnce(options.seedDemo).catch((err) => {
			console.error('database not ready, retrying:', err instanceof Error ? err.message : err);
			return new Promise<void>((resolve) =>
				setTimeout(() => resolve(attempt()), options.retryMs ?? 5000).unref()
			);
		});
	booted = attempt();
	return booted;
}

export function isReady(): boolean {
	return ready;
}
