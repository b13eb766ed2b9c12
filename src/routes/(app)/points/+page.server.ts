import { z } from 'zod';
import { ledgerQuerySchema } from '$lib/schemas/governance-points';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import * as settlements from '$lib/server/settlements';
import { staffPlace, viewOf } from './place.server';
import type { PageServerLoad } from './$types';

const querySchema = ledgerQuerySchema.extend({
	q: z.string().trim().max(50).optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'points.read');
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));

	if (viewOf(actor) === 'resident') {
		if (!actor.householdId) return { view: 'resident' as const, mine: null, items: [] };
		const mine = await points.householdPoints(actor, actor.householdId, { before: q.before });
		return {
			view: 'resident' as const,
			mine,
			before: q.before ?? null,
			items: await points.pointsList(actor, mine.household.settlementId)
		};
	}

	const { places, settlement } = await staffPlace(actor, q.settlement);
	if (!settlement) return { view: 'staff' as const, places, settlement: null };
	let results: { id: string; headName: string; unit: string; members: number }[] | null = null;
	let more = false;
	if (q.q) {
		const page = await settlements.listHouseholds(actor, settlement.settlementId, { search: q.q });
		results = page.rows.map((h) => ({
			id: h.id,
			headName: h.headName,
			unit: `${h.building}${h.unitNo}${h.room}`,
			members: h.members
		}));
		more = !!page.next;
	}
	return {
		view: 'staff' as const,
		places,
		settlement: {
			id: settlement.settlementId,
			name: settlement.name,
			can: settlement.can
		},
		items: await points.pointsList(actor, settlement.settlementId),
		openAppeals: await points.countOpenAppeals(actor, settlement.settlementId),
		q: q.q ?? '',
		results,
		more
	};
};
