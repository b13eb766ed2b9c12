import { requireUser } from '$lib/server/access';
import * as ledgerImport from '$lib/server/settlements/import';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const settlement = await ledgerImport.getRevealSettlement(actor, event.params.settlementId);
	const q = event.url.searchParams;
	return {
		settlement: { id: settlement.id, name: settlement.name },
		// set when the export refused the reason (a post without JavaScript comes back here)
		error: q.get('error') === 'long' ? 'long' : q.get('error') ? 'short' : null,
		reason: q.get('reason')?.slice(0, 200) ?? ''
	};
};
