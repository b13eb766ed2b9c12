import { ledgerQuerySchema } from '$lib/schemas/governance-points';
import { isStaff, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const q = ledgerQuerySchema.parse(Object.fromEntries(event.url.searchParams));
	const p = await points.householdPoints(actor, event.params.householdId, { before: q.before });
	const delta = Number(event.url.searchParams.get('delta'));
	return {
		...p,
		staff: isStaff(actor),
		before: q.before ?? null,
		saved:
			event.url.searchParams.get('ok') === 'award' && Number.isSafeInteger(delta) ? delta : null
	};
};
