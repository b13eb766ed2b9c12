import { requireUser } from '$lib/server/access';
import { reportFileName, reportPack, reportWorkbook } from '$lib/server/oversight/report';
import { contentDisposition } from '$lib/server/settlements/import';
import type { RequestHandler } from './$types';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The report pack as .xlsx: same parameters as /dashboard/report, aggregates only. */
export const GET: RequestHandler = async (event) => {
	const actor = requireUser(event);
	const q = event.url.searchParams;
	const pack = await reportPack(actor, {
		period: q.get('period'),
		month: q.get('month'),
		region: q.get('region'),
		settlement: q.get('settlement')
	});
	const { fileName, asciiFileName } = reportFileName(pack);
	return new Response(new Uint8Array(await reportWorkbook(pack)), {
		headers: {
			'content-type': xlsxType,
			'content-disposition': contentDisposition(fileName, asciiFileName),
			'cache-control': 'no-store'
		}
	});
};
