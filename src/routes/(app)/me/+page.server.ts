import { fail } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { correctionSchema } from '$lib/schemas/register';
import { requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import * as services from '$lib/server/services';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const household = actor.householdId
		? await settlements.getHousehold(actor, actor.householdId)
		: null;
	return {
		household,
		corrections: household ? await settlements.listCorrections(actor, household.id) : [],
		// the household's latest requests; the rest are on /services
		requests: household ? (await services.listRequests(actor)).rows.slice(0, 3) : [],
		// the household's points and its latest entries; the rest are on /points
		points: household ? await points.myPoints(actor, 3) : null,
		form: await superValidate(zod4(correctionSchema), { errors: false })
	};
};

export const actions: Actions = {
	correction: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(correctionSchema));
		if (!form.valid) return fail(400, { form });
		if (!actor.householdId) return message(form, m.me_no_household(), { status: 400 });
		const result = await settlements.requestCorrection(actor, actor.householdId, form.data);
		if (!result.ok) return setError(form, 'residentId', m.reg_no_resident());
		return message(form, m.reg_correction_sent());
	}
};
