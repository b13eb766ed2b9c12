import { publicDecisionFilterSchema } from '$lib/schemas/governance-rules';
import * as decisions from '$lib/server/governance/decisions';
import type { PageServerLoad } from './$types';

// 四议两公开: what was made public — the resolution and, later, the result; no login
export const load: PageServerLoad = async (event) => {
	const filter = publicDecisionFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const [list, settlements] = await Promise.all([
		decisions.listPublicDecisions(filter),
		decisions.listPublicDecisionSettlements()
	]);
	return { ...list, filter, settlements };
};
