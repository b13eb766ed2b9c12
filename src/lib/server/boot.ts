import { connect, disconnect } from './db';
import { migrateDatabase } from './db/migrate';

let booted: Promise<void> | undefined;

/** Connects, migrates and (on an empty embedded database in development) seeds the demo county. */
export function boot(options: { seedDemo: boolean }): Promise<void> {
	booted ??= (async () => {
		const connection = await connect();
		await migrateDatabase(connection);
		if (options.seedDemo && connection.engine === 'pglite') {
			const { seedDemo, isEmpty } = await import('./seed');
			if (await isEmpty()) await seedDemo();
		}
		process.once('sveltekit:shutdown', () => {
			void disconnect();
		});
	})();
	return booted;
}
