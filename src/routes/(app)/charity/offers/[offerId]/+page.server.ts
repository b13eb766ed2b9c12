import { error, fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { amountText, offerSchema } from '$lib/schemas/offers';
import { requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const offer = await charity.getOffer(actor, event.params.offerId);
	const acting = offer.canEdit
		? await charity.actingOrganization(actor, { organizationId: offer.organizationId })
		: null;
	return {
		offer,
		verified: acting?.verified ?? false,
		regions: offer.canEdit ? await charity.listOfferRegions(actor) : [],
		form: await superValidate(
			{
				title: offer.title,
				description: offer.description,
				kind: offer.kind,
				amount: amountText(offer.kind, offer.capacity),
				unit: offer.unit,
				categories: offer.categories,
				regionIds: offer.regionIds,
				validFrom: offer.validFrom,
				validTo: offer.validTo
			},
			zod4(offerSchema),
			{ errors: false }
		),
		saved: event.url.searchParams.get('ok')
	};
};

export const actions: Actions = {
	update: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(offerSchema));
		if (!form.valid) return fail(400, { form });
		const result = await charity.updateOffer(actor, event.params.offerId, form.data);
		if (!result.ok) {
			switch (result.reason) {
				case 'unverified':
					return setError(form, '', m.org_unverified_act());
				case 'closed':
					return setError(form, '', m.offer_fail_closed());
				case 'below_allocated':
					return setError(form, 'amount', m.offer_fail_below_allocated());
				case 'kind_locked':
					return setError(form, 'kind', m.offer_fail_kind_locked());
				case 'no_region':
					return setError(form, 'regionIds._errors', m.offer_fail_no_region());
			}
		}
		redirect(303, `/charity/offers/${event.params.offerId}?ok=update`);
	},
	close: async (event) => {
		const actor = requireUser(event);
		const result = await charity.closeOffer(actor, event.params.offerId);
		if (!result.ok) error(409, m.offer_fail_closed());
		redirect(303, `/charity/offers/${event.params.offerId}?ok=close`);
	}
};
