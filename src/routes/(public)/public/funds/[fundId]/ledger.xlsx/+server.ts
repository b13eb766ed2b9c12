import * as charity from '$lib/server/charity';
import { contentDisposition } from '../../download';
import type { RequestHandler } from './$types';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The public ledger as .xlsx, with a sheet of totals and deadlines; no login. */
export const GET: RequestHandler = async ({ params }) => {
	const xlsx = await charity.publicLedgerXlsx(params.fundId);
	return new Response(new Uint8Array(xlsx.file), {
		headers: {
			'content-type': xlsxType,
			'content-disposition': contentDisposition(xlsx.fileName, 'ledger.xlsx'),
			'cache-control': 'no-cache'
		}
	});
};
