import { redirect } from '@sveltejs/kit';
import { organizationFilterSchema } from '$lib/schemas/organizations';
import { canAnywhere, requireAnywhere, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	// an organisation's member has one organisation here: its profile
	if (!canAnywhere(actor, 'organization.verify')) {
		const acting = await charity.actingOrganization(actor);
		if (acting) redirect(303, `/charity/organizations/${acting.id}`);
	}
	requireAnywhere(actor, 'organization.read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = organizationFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const page = await charity.listOrganizations(actor, filter);
	return { ...page, filter, saved: event.url.searchParams.get('ok') };
};
