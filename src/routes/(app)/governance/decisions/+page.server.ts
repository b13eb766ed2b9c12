import { decisionStatuses } from '$lib/governance/vocab';
import { decisionFilterSchema } from '$lib/schemas/governance-rules';
import { canAnywhere, requireAnywhere, requireUser } from '$lib/server/access';
import * as decisions from '$lib/server/governance/decisions';
import * as rules from '$lib/server/governance/rules';
import type { PageServerLoad } from './$types';

// 四议两公开: the decisions of the settlements the actor's staff role covers, newest first
export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'decision.read', 'read');
	const filter = decisionFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const [page, settlements] = await Promise.all([
		decisions.listDecisions(actor, filter),
		rules.settlementsFor(actor, 'decision.read')
	]);
	return {
		...page,
		filter,
		settlements,
		statuses: decisionStatuses,
		canCreate: canAnywhere(actor, 'decision.manage')
	};
};
