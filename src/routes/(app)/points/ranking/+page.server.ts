import { error } from '@sveltejs/kit';
import { rankingQuerySchema } from '$lib/schemas/governance-points';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import { staffPlace, viewOf } from '../place.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'points.read');
	// names of households ranked: for staff only
	if (viewOf(actor) === 'resident') error(404, '页面不存在');
	const q = rankingQuerySchema.parse(Object.fromEntries(event.url.searchParams));
	const { places, settlement } = await staffPlace(actor, q.settlement);
	if (!settlement) return { places, settlement: null };
	const thisYear = points.currentYear();
	const result = await points.ranking(actor, {
		settlementId: settlement.settlementId,
		year: q.year ?? thisYear
	});
	return {
		places,
		settlement: { id: settlement.settlementId, name: settlement.name, can: settlement.can },
		openAppeals: await points.countOpenAppeals(actor, settlement.settlementId),
		...result,
		years: Array.from({ length: 5 }, (_, i) => thisYear - i)
	};
};
