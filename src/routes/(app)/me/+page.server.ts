import { requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const household = actor.householdId
		? await settlements.getHousehold(actor, actor.householdId)
		: null;
	return { household };
};
