import { canAnywhere } from '$lib/server/access';
import type { LayoutServerLoad } from './$types';

// The governance pages' sub-navigation: a link only where the actor may read something. Each
// page checks its own permission again (a layout load is not a guard).
export const load: LayoutServerLoad = async ({ locals }) => {
	const actor = locals.user;
	return {
		governanceNav: {
			rules: canAnywhere(actor, 'rule.read'),
			councils: canAnywhere(actor, 'council.read'),
			decisions: canAnywhere(actor, 'decision.read'),
			ceremonies: canAnywhere(actor, 'ceremony.read'),
			points: canAnywhere(actor, 'points.read')
		}
	};
};
