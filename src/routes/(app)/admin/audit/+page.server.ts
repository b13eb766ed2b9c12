import { requireAnywhere, requireUser } from '$lib/server/access';
import * as audit from '$lib/server/audit';
import { exportCap, parseAuditFilter } from '$lib/server/audit/export';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'audit.read');
	// the filter lives in the address: a page can be bookmarked, and paging keeps it
	const { filter, query } = parseAuditFilter(event.url.searchParams);
	const page = await audit.listEntries(actor, query);
	return { ...page, filter, exportCap };
};
