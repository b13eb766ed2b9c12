import { z } from 'zod';
import { householdTags } from '$lib/schemas/household';
import { can, requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { PageServerLoad } from './$types';

// a bad filter in the address bar is dropped, never a 500
const querySchema = z.object({
	q: z.string().trim().max(50).optional().catch(undefined),
	tag: z.enum(householdTags).optional().catch(undefined),
	zero: z.literal('1').optional().catch(undefined),
	afterName: z.string().max(100).optional().catch(undefined),
	afterId: z.uuid().optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const page = await settlements.listHouseholds(actor, event.params.settlementId, {
		search: q.q || undefined,
		tag: q.tag,
		zeroEmployment: q.zero === '1',
		after: q.afterName !== undefined && q.afterId ? { name: q.afterName, id: q.afterId } : undefined
	});
	const resource = { settlementId: page.settlement.id, regionPath: page.settlement.regionPath };
	return {
		...page,
		filter: { q: q.q ?? '', tag: q.tag ?? '', zero: q.zero === '1' },
		can: {
			create: can(actor, 'household.update', resource),
			...settlements.ledgerAccess(actor, resource)
		}
	};
};
