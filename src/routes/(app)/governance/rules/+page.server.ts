import { ruleKinds } from '$lib/governance/vocab';
import { ruleFilterSchema } from '$lib/schemas/governance-rules';
import { canAnywhere, requireAnywhere, requireUser } from '$lib/server/access';
import * as rules from '$lib/server/governance/rules';
import type { PageServerLoad } from './$types';

// 村规民约: the rules of the settlements the actor may read, by settlement and kind
export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'rule.read', 'read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = ruleFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const [rows, settlements] = await Promise.all([
		rules.listRules(actor, filter),
		rules.settlementsFor(actor, 'rule.read')
	]);
	return {
		rows,
		filter,
		settlements,
		kinds: ruleKinds,
		canCreate: canAnywhere(actor, 'rule.manage')
	};
};
