import { flagFilterSchema } from '$lib/schemas/risks';
import { canAnywhere, requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'risk.read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = flagFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const [page, counts, places] = await Promise.all([
		activities.listFlags(actor, filter),
		activities.flagCounts(actor, { settlementId: filter.settlementId || undefined }),
		activities.listReportSettlements(actor)
	]);
	return {
		...page,
		filter,
		counts,
		settlements: places.map((s) => ({ id: s.id, name: s.name })),
		can: {
			report: canAnywhere(actor, 'risk.report'),
			reports: canAnywhere(actor, 'report.read'),
			duplicates: canAnywhere(actor, 'benefit.read'),
			settings: canAnywhere(actor, 'risk.settings')
		}
	};
};
