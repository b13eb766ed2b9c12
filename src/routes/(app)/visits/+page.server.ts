import { scheduleFilterSchema } from '$lib/schemas/visits';
import { canAnywhere, hasRole, requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import { shanghaiDay } from '$lib/working-days';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'visit.read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = scheduleFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const records = canAnywhere(actor, 'visit.record');
	const manages = canAnywhere(actor, 'visit.manage');
	const county = hasRole(actor, 'chief_of_points', 'civil_affairs', 'system_admin');
	const tabs = [
		...(records ? (['mine'] as const) : []),
		...(manages || county ? (['overdue'] as const) : []),
		...(manages || county ? (['rates'] as const) : [])
	];
	// a worker starts on their own schedule; county staff on the settlements' rates
	const tab =
		tabs.find((x) => x === filter.tab && event.url.searchParams.has('tab')) ??
		(records ? 'mine' : 'rates');
	const places = await activities.listVisitSettlements(actor);
	const settlementId = places.find((s) => s.id === filter.settlement)?.id ?? '';
	const month = filter.month || shanghaiDay().slice(0, 7);

	// a point's staff may read a worker's schedule: the workers of the chosen (or only) point
	const pickPlace = settlementId || (places.length === 1 ? places[0].id : '');
	const workers =
		tab === 'mine' && manages && pickPlace
			? await activities.listVisitWorkers(actor, pickPlace)
			: [];
	const workerId = workers.find((w) => w.id === filter.worker)?.id ?? '';

	return {
		tab,
		tabs: [...tabs],
		filter: { ...filter, settlement: settlementId, worker: workerId, month },
		places,
		workers,
		manages,
		schedule:
			tab === 'mine'
				? await activities.listSchedule(actor, {
						workerId: workerId || undefined,
						settlementId: settlementId || undefined
					})
				: null,
		overdue:
			tab === 'overdue'
				? await activities.listOverdue(actor, { settlementId: settlementId || undefined })
				: null,
		rates: tab === 'rates' ? await activities.visitRates(actor, { month }) : null
	};
};
