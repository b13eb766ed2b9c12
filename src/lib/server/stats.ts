import { sql } from 'drizzle-orm';
import { db, schema } from './db';

type Figures = { settlements: number; households: number; people: number };

// the home page is the busiest public page and these counts scan whole tables: count once a minute
const maxAgeMs = 60_000;
let cached: { at: number; figures: Promise<Figures> } | undefined;

/** Portal-wide figures for the public home page: counts only, nothing about a person; up to a minute old. */
export function publicFigures(now = Date.now()): Promise<Figures> {
	if (!cached || now - cached.at > maxAgeMs) {
		const figures = countFigures();
		cached = { at: now, figures };
		// a failed count is not kept: the next visitor asks again
		figures.catch(() => {
			if (cached?.figures === figures) cached = undefined;
		});
	}
	return cached.figures;
}

async function countFigures(): Promise<Figures> {
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
