import { appealsQuerySchema } from '$lib/schemas/governance-points';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import { staffPlace, viewOf } from '../place.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'points.read');
	const q = appealsQuerySchema.parse(Object.fromEntries(event.url.searchParams));
	// staff see the open ones first; a resident all of their household's
	const status = q.status === 'all' ? '' : q.status || (viewOf(actor) === 'staff' ? 'open' : '');
	if (viewOf(actor) === 'resident') {
		const page = await points.listAppeals(actor, { after: q.after });
		return { view: 'resident' as const, ...page, status: q.status, after: q.after ?? null };
	}
	const { places, settlement } = await staffPlace(actor, q.settlement);
	if (!settlement) return { view: 'staff' as const, places, settlement: null };
	const page = await points.listAppeals(actor, {
		settlementId: settlement.settlementId,
		status,
		after: q.after
	});
	return {
		view: 'staff' as const,
		places,
		settlement: { id: settlement.settlementId, name: settlement.name, can: settlement.can },
		openAppeals: await points.countOpenAppeals(actor, settlement.settlementId),
		...page,
		status: q.status || 'open',
		after: q.after ?? null
	};
};
