import { ceremonyFilterSchema } from '$lib/schemas/governance-councils';
import { canAnywhere, isStaff, requireAnywhere, requireUser } from '$lib/server/access';
import * as ceremonies from '$lib/server/governance/ceremonies';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'ceremony.read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = ceremonyFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const [page, figures] = await Promise.all([
		ceremonies.listCeremonies(actor, filter),
		ceremonies.ceremonyFigures(actor, {
			year: filter.year,
			settlementId: filter.settlement || undefined
		})
	]);
	// the settlement filter offers what the yearly figures cover (all of the actor's scope)
	const places = filter.settlement
		? (await ceremonies.ceremonyFigures(actor, { year: filter.year })).rows
		: figures.rows;
	return {
		...page,
		filter,
		figures,
		places: places.map((p) => ({ id: p.settlementId, name: p.settlementName })),
		staff: isStaff(actor),
		canFile: canAnywhere(actor, 'ceremony.file')
	};
};
