import { requireUser } from '$lib/server/access';
import * as ledgerImport from '$lib/server/settlements/import';
import { buildTemplate } from '$lib/server/settlements/ledger';
import type { RequestHandler } from './$types';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The blank ledger template with its drop-downs and 填写说明, for those who may import here. */
export const GET: RequestHandler = async (event) => {
	const actor = requireUser(event);
	await ledgerImport.getImportSettlement(actor, event.params.settlementId);
	const file = await buildTemplate();
	return new Response(new Uint8Array(file), {
		headers: {
			'content-type': xlsxType,
			'content-disposition': ledgerImport.contentDisposition(
				'搬迁户台账模板.xlsx',
				'ledger-template.xlsx'
			),
			'cache-control': 'no-store'
		}
	});
};
