import { connect, disconnect } from './db';
import { migrateDatabase } from './db/migrate';

let booted: Promise<void> | undefined;
let ready = false;

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
		void disconnect();
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
