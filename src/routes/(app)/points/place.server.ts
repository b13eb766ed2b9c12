import { isStaff, type Actor } from '$lib/server/access';
import * as points from '$lib/server/governance/points';

/**
 * The settlement a staff page of points is about: the one in the address when the actor keeps
 * it, else their first (by name); with the list for the picker. Null when they keep none.
 */
export async function staffPlace(actor: Actor, wanted: string | null | undefined) {
	const places = await points.listPointsSettlements(actor);
	const id = places.find((p) => p.id === wanted)?.id ?? places[0]?.id ?? null;
	return {
		places,
		settlement: id ? await points.pointsSettlement(actor, id) : null
	};
}

/** Residents see their household's pages; staff the settlement's. */
export function viewOf(actor: Actor): 'staff' | 'resident' {
	return isStaff(actor) ? 'staff' : 'resident';
}
