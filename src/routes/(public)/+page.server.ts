import { publicFigures } from '$lib/server/stats';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({ figures: await publicFigures() });
