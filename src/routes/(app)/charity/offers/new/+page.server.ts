import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { offerSchema } from '$lib/schemas/offers';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import { shanghaiDay } from '$lib/working-days';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'offer.manage');
	const acting = await charity.actingOrganization(actor);
	const today = shanghaiDay();
	return {
		organization: acting && { id: acting.id, name: acting.name, verified: acting.verified },
		regions: await charity.listOfferRegions(actor),
		form: await superValidate(
			{
				kind: 'money' as const,
				categories: [],
				regionIds: acting ? [acting.regionId] : [],
				validFrom: today,
				validTo: `${today.slice(0, 4)}-12-31`
			},
			zod4(offerSchema),
			{ errors: false }
		)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(offerSchema));
		if (!form.valid) return fail(400, { form });
		const result = await charity.createOffer(actor, form.data);
		if (!result.ok) {
			if (result.reason === 'unverified') return setError(form, '', m.org_unverified_act());
			return setError(form, 'regionIds._errors', m.offer_fail_no_region());
		}
		redirect(303, `/charity/offers/${result.id}?ok=create`);
	}
};
