import { needCategories } from '$lib/charity/vocab';
import { publicNeedFilterSchema } from '$lib/schemas/needs';
import * as charity from '$lib/server/charity';
import type { PageServerLoad } from './$types';

// 爱心需求: open to all, no login; the needs staff verified, in their anonymised words
export const load: PageServerLoad = async (event) => {
	// a bad filter in the address bar is dropped, never a 500
	const filter = publicNeedFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const [page, counties] = await Promise.all([
		charity.listPublicNeeds(filter),
		charity.listPublicNeedCounties()
	]);
	return { ...page, filter, counties, categories: needCategories };
};
