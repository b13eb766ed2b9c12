import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { householdCreateSchema } from '$lib/schemas/register';
import { requirePermission, requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const settlement = await settlements.getSettlement(actor, event.params.settlementId);
	requirePermission(actor, 'household.update', {
		settlementId: settlement.id,
		regionPath: settlement.regionPath
	});
	return {
		settlement,
		form: await superValidate(zod4(householdCreateSchema), { errors: false })
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(householdCreateSchema));
		if (!form.valid) return fail(400, { form });
		const result = await settlements.createHousehold(actor, event.params.settlementId, form.data);
		if (!result.ok) return setError(form, 'room', m.reg_unit_taken());
		redirect(303, `/households/${result.id}${result.duplicate ? '?duplicate=1' : '?created=1'}`);
	}
};
