import { can, type Actor } from '../access';
import { figuresOf, getSettlement, openCorrectionsOf, originsOf } from './places';
import { rosterOf } from './roster';

/** Everything the point's page shows, with the settlement loaded and checked once. */
export async function getOverview(actor: Actor, settlementId: string) {
	const settlement = await getSettlement(actor, settlementId);
	const canUpdate = can(actor, 'household.update', {
		settlementId: settlement.id,
		regionPath: settlement.regionPath
	});
	const [figures, origins, roster, corrections] = await Promise.all([
		figuresOf(settlement),
		originsOf(settlement),
		rosterOf(actor, settlement),
		canUpdate ? openCorrectionsOf(actor, settlement) : []
	]);
	return { settlement, figures, origins, roster, corrections };
}
