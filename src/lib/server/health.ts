import { sql } from 'drizzle-orm';
import { connect } from './db';

/** True when the database answers `select 1` within the time limit. */
export async function ping(timeoutMs = 2000): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<false>((resolve) => {
		timer = setTimeout(() => resolve(false), timeoutMs);
	});
	const query = connect()
		.then((c) => c.db.execute(sql`select 1`))
		.then(() => true as const)
		.catch(() => false as const);
	try {
		return await Promise.race([query, timeout]);
	} finally {
		clearTimeout(timer);
	}
}
