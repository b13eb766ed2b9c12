import { activityFilterSchema } from '$lib/schemas/activities';
import { canAnywhere, isStaff, requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import { shanghaiDay } from '$lib/working-days';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'activity.read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = activityFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const thisYear = Number(shanghaiDay().slice(0, 4));
	const year = filter.year ?? thisYear;
	const [page, settlements, totals] = await Promise.all([
		activities.listActivities(actor, filter),
		activities.listActivitySettlements(actor),
		activities.activityTotals(actor, { year, settlementId: filter.settlement || null })
	]);
	return {
		...page,
		filter,
		year,
		thisYear,
		totals,
		settlements: settlements.map((s) => ({ id: s.id, name: s.name })),
		staff: isStaff(actor),
		canCreate: canAnywhere(actor, 'activity.manage')
	};
};
