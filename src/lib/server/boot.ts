import { connect, disconnect } from './db';
import { migrateDatabase } from './db/migrate';

let booted: Promise<void> | undefined;

/** Connects, migrates and, when asked, seeds the demo county into an empty database. */
export function boot(options: { seedDemo: boolean }): Promise<void> {
	booted ??= (async () => {
		const connection = await connect();
		await migrateDatabase(connection);
		if (options.seedDemo) {
			const { seedDemo, isEmpty } = await import('./seed');
			if (await isEmpty()) await seedDemo();
		}
		process.once('sveltekit:shutdown', () => {
			void disconnect();
		});
	})();
	return booted;
}
