import { sql } from 'drizzle-orm';
import { db, schema } from './db';

/** Portal-wide figures for the public home page: counts only, nothing about a person. */
export async function publicFigures() {
	const { settlement, household, resident } = schema;
	const [row] = await db()
		.select({
			settlements: sql<number>`(select count(*)::int from ${settlement})`,
			households: sql<number>`(select count(*)::int from ${household} where ${household.status} = 'active')`,
			people: sql<number>`(select count(*)::int from ${resident})`
		})
		.from(sql`(select 1) as one`);
	return row;
}
