import * as decisions from '$lib/server/governance/decisions';
import type { PageServerLoad } from './$types';

// one disclosed decision, open to all; 404 until its resolution is made public
export const load: PageServerLoad = async (event) => ({
	decision: await decisions.getPublicDecision(event.params.decisionId)
});
