import { redirect } from '@sveltejs/kit';
import { dev } from '$app/environment';
import { fail, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { requireUser } from '$lib/server/access';
import * as ledgerImport from '$lib/server/settlements/import';
import type { Actions, PageServerLoad } from './$types';
import { uploadSchema } from './schema';

/**
 * The largest upload that reaches the action: the import's own limit, or adapter-node's
 * BODY_SIZE_LIMIT (512 KB unless set) when that is smaller.
 */
function uploadLimit(): number {
	const max = ledgerImport.maxImportBytes;
	if (dev) return max;
	const raw = (process.env.BODY_SIZE_LIMIT ?? '512K').trim();
	if (raw === 'Infinity') return max;
	const m = /^(\d+)([KMG]?)$/i.exec(raw);
	if (!m) return max;
	const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K'];
	// the multipart envelope around the file takes a little of the body
	return Math.min(max, Math.max(0, Number(m[1]) * unit - 4096));
}

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const settlement = await ledgerImport.getImportSettlement(actor, event.params.settlementId);
	return {
		settlement,
		batches: await ledgerImport.listImportBatches(actor, settlement.id),
		form: await superValidate(zod4(uploadSchema)),
		limit: uploadLimit()
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const { settlementId } = event.params;
		// the body may be over the server's limit: then reading it fails, and the form says why
		let body: FormData;
		try {
			body = await event.request.formData();
		} catch {
			const form = await superValidate(zod4(uploadSchema));
			const mb = (uploadLimit() / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
			return setError(form, 'file', `文件太大，不能超过 ${mb} MB；请拆分成几个文件分批导入`, {
				status: 413
			});
		}
		const form = await superValidate(body, zod4(uploadSchema));
		if (!form.valid) return fail(400, { form });
		const file = form.data.file;
		const outcome = await ledgerImport.previewImport(actor, settlementId, {
			name: file.name,
			bytes: new Uint8Array(await file.arrayBuffer())
		});
		if (!outcome.ok) return setError(form, 'file', outcome.message);
		redirect(303, `/settlements/${settlementId}/import/${outcome.batchId}`);
	}
};
