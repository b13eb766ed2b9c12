import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { settlementSchema } from '$lib/schemas/register';
import { requirePermission, requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const s = await settlements.getSettlement(actor, event.params.settlementId);
	requirePermission(actor, 'settlement.manage', { settlementId: s.id, regionPath: s.regionPath });
	return {
		settlement: { id: s.id, name: s.name },
		regions: await settlements.listSettlementRegions(actor),
		form: await superValidate(
			{
				name: s.name,
				kind: s.kind,
				regionId: s.regionId,
				committeeKind: s.committeeKind,
				committeeName: s.committeeName,
				address: s.address,
				openedOn: s.openedOn ?? '',
				capacity: s.capacity ?? undefined
			},
			zod4(settlementSchema),
			{ errors: false }
		)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(settlementSchema));
		if (!form.valid) return fail(400, { form });
		const result = await settlements.updateSettlement(actor, event.params.settlementId, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'name' | 'regionId',
				result.reason === 'name_taken' ? m.reg_name_taken() : m.reg_no_region()
			);
		redirect(303, `/settlements/${event.params.settlementId}`);
	}
};
