import { z } from 'zod';
import * as charity from '$lib/server/charity';
import type { PageServerLoad } from './$types';

const querySchema = z.object({ cursor: z.string().max(80).optional().catch(undefined) });

/** Every verified organisation's funds, newest first; no login. */
export const load: PageServerLoad = async ({ url }) => {
	const q = querySchema.parse(Object.fromEntries(url.searchParams));
	const page = await charity.listPublicFunds({ cursor: q.cursor });
	return { funds: page.rows, next: page.next, paged: !!q.cursor };
};
