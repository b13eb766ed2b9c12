import { requireUser } from '$lib/server/access';
import { periodLabel, reportPack, reportPeriod, reportSheets } from '$lib/server/oversight/report';
import { getLocale } from '$lib/paraglide/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const q = event.url.searchParams;
	const asked = {
		period: q.get('period'),
		month: q.get('month'),
		region: q.get('region'),
		settlement: q.get('settlement')
	};
	const pack = await reportPack(actor, asked);
	const locale = getLocale();
	return {
		scope: pack.scope,
		period: pack.period,
		month: pack.month,
		today: pack.today,
		thisMonth: reportPeriod(asked).thisMonth,
		label: periodLabel(pack.period, pack.month, locale),
		sheets: reportSheets(pack, locale),
		region: q.get('region'),
		settlement: pack.scope.kind === 'settlement' ? pack.scope.settlementId : null
	};
};
