import { canAnywhere, requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	return {
		settlements: await settlements.listSettlements(actor),
		canCompliance: canAnywhere(actor, 'compliance.read'),
		canCreate: canAnywhere(actor, 'settlement.manage')
	};
};
