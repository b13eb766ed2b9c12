import { error, fail, redirect } from '@sveltejs/kit';
import { requireUser } from '$lib/server/access';
import * as ledgerImport from '$lib/server/settlements/import';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const batch = await ledgerImport.getImportBatch(actor, event.params.batchId);
	// a batch is addressed under its own settlement only
	if (batch.settlement.id !== event.params.settlementId) error(404, '页面不存在');
	return { batch, again: event.url.searchParams.has('again') };
};

export const actions: Actions = {
	confirm: async (event) => {
		const actor = requireUser(event);
		const { settlementId, batchId } = event.params;
		const outcome = await ledgerImport.confirmImport(actor, batchId);
		if (!outcome.ok)
			return fail(409, {
				message: outcome.message,
				errors: (outcome.errors ?? []).slice(0, 200)
			});
		redirect(
			303,
			`/settlements/${settlementId}/import/${batchId}${outcome.alreadyImported ? '?again' : ''}`
		);
	}
};
