import * as charity from '$lib/server/charity';
import type { PageServerLoad } from './$types';

// one public need: 404 unless it was verified and published; nothing in it names the household
export const load: PageServerLoad = async (event) => {
	const [need, organization] = await Promise.all([
		charity.getPublicNeed(event.params.needId),
		charity.getPledgingOrganization(event.locals.user)
	]);
	return { need, organization: organization && { name: organization.name } };
};
