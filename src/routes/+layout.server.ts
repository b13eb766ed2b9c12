import { isStaff } from '$lib/server/access';
import { navFor } from '$lib/server/nav';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
	const actor = locals.user;
	return {
		user: actor
			? {
					displayName: actor.displayName,
					roles: [...new Set(actor.grants.map((g) => g.role))],
					staff: isStaff(actor)
				}
			: null,
		nav: navFor(actor),
		elder: locals.elder
	};
};
