import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { householdUpdateSchema } from '$lib/schemas/register';
import { requirePermission, requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const h = await settlements.getHousehold(actor, event.params.householdId);
	requirePermission(actor, 'household.update', {
		settlementId: h.settlementId,
		regionPath: h.regionPath
	});
	const form = await superValidate(
		{
			building: h.building,
			unitNo: h.unitNo,
			room: h.room,
			originTownship: h.originTownship,
			originVillage: h.originVillage,
			movedInOn: h.movedInOn ?? '',
			tags: h.tags
		},
		zod4(householdUpdateSchema),
		{ errors: false }
	);
	return { household: { id: h.id, headName: h.headName }, form };
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(householdUpdateSchema));
		if (!form.valid) return fail(400, { form });
		const result = await settlements.updateHousehold(actor, event.params.householdId, form.data);
		if (!result.ok) {
			if (result.reason === 'unit_taken') return setError(form, 'room', m.reg_unit_taken());
			return message(form, m.reg_ended(), { status: 400 });
		}
		redirect(303, `/households/${event.params.householdId}?saved=1`);
	}
};
