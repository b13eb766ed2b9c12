import { ledgerQuerySchema } from '$lib/schemas/funds';
import * as charity from '$lib/server/charity';
import type { PageServerLoad } from './$types';

/** One fund's public ledger: figures, deadlines, entries without personal data; no login. */
export const load: PageServerLoad = async ({ params, url }) => {
	const q = ledgerQuerySchema.parse(Object.fromEntries(url.searchParams));
	const fund = await charity.getPublicFund(params.fundId, { before: q.before });
	return { ...fund, before: q.before ?? null };
};
