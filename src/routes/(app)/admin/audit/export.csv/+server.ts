import { requireUser } from '$lib/server/access';
import { auditCsv, parseAuditFilter } from '$lib/server/audit/export';
import { contentDisposition } from '$lib/server/settlements/import';
import type { RequestHandler } from './$types';

/** The audit entries of the page's filter (all pages, up to the cap) as CSV. */
export const GET: RequestHandler = async (event) => {
	const actor = requireUser(event);
	const { filter, query } = parseAuditFilter(event.url.searchParams);
	// the whole filtered log, not from the page the reader was on
	const { before: _before, ...rest } = filter;
	const csv = await auditCsv(actor, rest, { ...query, before: undefined });
	return new Response(csv.stream, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': contentDisposition(csv.fileName, 'audit-log.csv'),
			'cache-control': 'no-store'
		}
	});
};
