import * as charity from '$lib/server/charity';
import { contentDisposition } from '../../download';
import type { RequestHandler } from './$types';

/** The public ledger as CSV (UTF-8 with a BOM, so Excel reads the Chinese); no login. */
export const GET: RequestHandler = async ({ params }) => {
	const csv = await charity.publicLedgerCsv(params.fundId);
	return new Response(csv.stream, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': contentDisposition(csv.fileName, 'ledger.csv'),
			'cache-control': 'no-cache'
		}
	});
};
