import { requireAnywhere, requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'compliance.read');
	const [rows, duplicates] = await Promise.all([
		settlements.listCompliance(actor),
		settlements.listDuplicates(actor)
	]);
	return { rows, duplicates };
};
