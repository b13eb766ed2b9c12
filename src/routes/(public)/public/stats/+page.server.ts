import { publicStats } from '$lib/server/oversight/public';
import type { PageServerLoad } from './$types';

// 公开统计: no login; every figure comes already suppressed from the server module
export const load: PageServerLoad = async ({ url }) => {
	const stats = await publicStats();
	// a county chosen by its id; an unknown or bad one is simply not chosen, never a 500
	const asked = url.searchParams.get('county');
	const chosen =
		stats.counties.find((c) => c.id === asked) ??
		(stats.counties.length === 1 ? stats.counties[0] : undefined);
	return {
		year: stats.year,
		countedAt: stats.countedAt,
		counties: stats.counties.map(({ points: _points, ...county }) => county),
		county: chosen ?? null
	};
};
