import { offerFilterSchema } from '$lib/schemas/offers';
import { can, requireAnywhere, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'organization.read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = offerFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const acting = await charity.actingOrganization(actor);
	const page = await charity.listOffers(actor, filter);
	return {
		...page,
		filter,
		organization: acting && { id: acting.id, name: acting.name, verified: acting.verified },
		canCreate: !!acting && can(actor, 'offer.manage', { organizationId: acting.id })
	};
};
