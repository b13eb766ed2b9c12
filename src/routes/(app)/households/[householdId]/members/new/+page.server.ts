import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { memberFormSchema } from '$lib/schemas/register';
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
	return {
		household: { id: h.id, headName: h.headName },
		form: await superValidate(zod4(memberFormSchema), { errors: false })
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(memberFormSchema));
		if (!form.valid) return fail(400, { form });
		const result = await settlements.addMember(actor, event.params.householdId, form.data);
		if (!result.ok) {
			if (result.reason === 'already_member')
				return setError(form, 'idNumber', m.reg_already_member());
			if (result.reason === 'head_exists') return setError(form, 'relation', m.reg_head_exists());
			return message(form, m.reg_ended(), { status: 400 });
		}
		redirect(
			303,
			`/households/${event.params.householdId}?${result.duplicate ? 'duplicate' : 'saved'}=1`
		);
	}
};
