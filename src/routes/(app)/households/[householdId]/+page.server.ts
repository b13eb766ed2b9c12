import { requireUser, can } from '$lib/server/access';
import * as accounts from '$lib/server/accounts';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const household = await settlements.getHousehold(actor, event.params.householdId);
	return {
		household,
		canInvite: can(actor, 'household.invite', {
			settlementId: household.settlementId,
			regionPath: household.regionPath
		})
	};
};

export const actions: Actions = {
	invite: async (event) => {
		const actor = requireUser(event);
		const { code } = await accounts.issueInvitation(actor, event.params.householdId);
		return { code };
	}
};
