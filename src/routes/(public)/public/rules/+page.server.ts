import { publicRuleFilterSchema } from '$lib/schemas/governance-rules';
import * as rules from '$lib/server/governance/rules';
import type { PageServerLoad } from './$types';

// 村规民约: open to all, no login; only what a decision adopted
export const load: PageServerLoad = async (event) => {
	// a bad filter in the address bar is dropped, never a 500
	const filter = publicRuleFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const [list, settlements] = await Promise.all([
		rules.listPublicRules(filter),
		rules.listPublicRuleSettlements()
	]);
	return { ...list, filter, settlements };
};
