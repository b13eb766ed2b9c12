import { requireUser } from '$lib/server/access';
import {
	isMonth,
	monthOf,
	figuresOf,
	regionScope,
	breakdownOf
} from '$lib/server/oversight/figures';
import { shanghaiDay } from '$lib/working-days';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const scope = await regionScope(actor, event.url.searchParams.get('region'));
	// a bad month in the address bar falls back to this month, never a 500
	const asked = event.url.searchParams.get('month');
	const thisMonth = monthOf(shanghaiDay());
	const month = isMonth(asked) && asked <= thisMonth ? asked : thisMonth;
	const figures = await figuresOf(scope, month);
	return {
		figures,
		breakdown: await breakdownOf(actor, scope, month),
		month,
		thisMonth,
		region: event.url.searchParams.get('region')
	};
};
