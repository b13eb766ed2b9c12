import { queueFilterSchema } from '$lib/schemas/services';
import { canAnywhere, isStaff, requireAnywhere, requireUser } from '$lib/server/access';
import * as services from '$lib/server/services';
import * as settlements from '$lib/server/settlements';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'service.read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = queueFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	if (!isStaff(actor)) {
		const counts = await services.countRequests(actor);
		const household = actor.householdId
			? await settlements.getHousehold(actor, actor.householdId)
			: null;
		return {
			view: 'resident' as const,
			household: household && {
				id: household.id,
				settlementName: household.settlementName,
				active: household.status === 'active'
			},
			categories: household ? await services.categoriesFor(household.regionPath) : [],
			requests: household ? await services.listRequests(actor, { before: filter.before }) : null,
			before: filter.before ?? null,
			counts
		};
	}

	const [counts, page, categories, places] = await Promise.all([
		services.countRequests(actor),
		services.listRequests(actor, filter),
		services.listQueueCategories(actor),
		services.listServiceSettlements(actor, 'service.read')
	]);
	return {
		view: 'staff' as const,
		...page,
		filter,
		counts,
		categories,
		settlements: places.map((s) => ({ id: s.id, name: s.name })),
		can: {
			file: canAnywhere(actor, 'service.file'),
			catalogue: canAnywhere(actor, 'service.catalogue')
		}
	};
};
