import { isStaff } from '$lib/server/access';
import { navFor } from '$lib/server/nav';
import * as notifications from '$lib/server/notifications';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, depends }) => {
	// the bell's count: reloaded after every form action, or by invalidate('app:unread')
	depends('app:unread');
	const actor = locals.user;
	return {
		user: actor
			? {
					displayName: actor.displayName,
					roles: [...new Set(actor.grants.map((g) => g.role))],
					staff: isStaff(actor)
				}
			: null,
		unread: actor ? await notifications.unreadCount(actor) : 0,
		nav: navFor(actor),
		elder: locals.elder
	};
};
