// npm run db:seed — migrates, then seeds the demo county once (a second run changes nothing).
import { connect, disconnect } from '../src/lib/server/db';
import { migrateDatabase } from '../src/lib/server/db/migrate';
import { seedDemo } from '../src/lib/server/seed';

const connection = await connect();
await migrateDatabase(connection);
const { created } = await seedDemo();
console.info(
	created ? `demo data seeded (${connection.engine})` : 'demo data already present: nothing changed'
);
await disconnect();
