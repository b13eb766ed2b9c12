// npm run db:migrate — applies drizzle/ migrations to DATABASE_URL or the embedded database.
import { connect, disconnect } from '../src/lib/server/db';
import { migrateDatabase } from '../src/lib/server/db/migrate';

const connection = await connect();
await migrateDatabase(connection);
console.info(`migrated (${connection.engine})`);
await disconnect();
