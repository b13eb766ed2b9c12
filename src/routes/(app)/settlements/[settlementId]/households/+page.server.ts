import { requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const q = event.url.searchParams.get('q')?.trim().slice(0, 50) || undefined;
	const afterName = event.url.searchParams.get('afterName');
	const afterId = event.url.searchParams.get('afterId');
	const after =
		afterName !== null && afterId && settlements.isUuid(afterId)
			? { name: afterName, id: afterId }
			: undefined;
	const page = await settlements.listHouseholds(actor, event.params.settlementId, {
		search: q,
		after
	});
	return { ...page, q: q ?? '' };
};
