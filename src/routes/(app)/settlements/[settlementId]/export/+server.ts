import { error, redirect } from '@sveltejs/kit';
import { requireUser } from '$lib/server/access';
import * as ledgerImport from '$lib/server/settlements/import';
import type { RequestHandler } from './$types';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function download(result: { file: Buffer; fileName: string; asciiFileName: string }) {
	return new Response(new Uint8Array(result.file), {
		headers: {
			'content-type': xlsxType,
			'content-disposition': ledgerImport.contentDisposition(result.fileName, result.asciiFileName),
			'cache-control': 'no-store'
		}
	});
}

/** The register as .xlsx with ID numbers and phones masked; audited. */
export const GET: RequestHandler = async (event) => {
	const actor = requireUser(event);
	const result = await ledgerImport.exportRegister(actor, event.params.settlementId);
	if (!result.ok) error(400, result.message);
	return download(result);
};

/**
 * The register with full values: a form post with a reason, from /export/reveal. SvelteKit
 * checks the Origin of form posts; anything else is refused here.
 */
export const POST: RequestHandler = async (event) => {
	const actor = requireUser(event);
	const type = event.request.headers.get('content-type') ?? '';
	if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type))
		error(415, '请从导出页面提交');
	const body = await event.request.formData();
	const reason = String(body.get('reason') ?? '')
		.trim()
		.slice(0, 500);
	const { settlementId } = event.params;
	const result = await ledgerImport.exportRegister(actor, settlementId, { reveal: true, reason });
	if (!result.ok) {
		// back to the form with the reason kept and the error shown
		const query = new URLSearchParams({
			error: reason.length > 200 ? 'long' : 'short',
			reason: reason.slice(0, 200)
		});
		redirect(303, `/settlements/${settlementId}/export/reveal?${query}`);
	}
	return download(result);
};
