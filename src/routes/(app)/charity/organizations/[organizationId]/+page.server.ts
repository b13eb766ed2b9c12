import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { rejectOrganizationSchema } from '$lib/schemas/organizations';
import { can, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const org = await charity.getOrganization(actor, event.params.organizationId);
	return {
		org,
		canOffer: org.own && can(actor, 'offer.manage', { organizationId: org.id }),
		rejectForm: await superValidate(zod4(rejectOrganizationSchema), { id: 'reject' }),
		isNew: event.url.searchParams.has('new'),
		saved: event.url.searchParams.get('ok')
	};
};

export const actions: Actions = {
	verify: async (event) => {
		const actor = requireUser(event);
		const result = await charity.verifyOrganization(actor, event.params.organizationId);
		if (!result.ok) return fail(409, { decision: m.org_fail_already_verified() });
		redirect(303, `/charity/organizations/${event.params.organizationId}?ok=verify`);
	},
	reject: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(rejectOrganizationSchema), {
			id: 'reject'
		});
		if (!form.valid) return fail(400, { rejectForm: form });
		const result = await charity.rejectOrganization(actor, event.params.organizationId, form.data);
		if (!result.ok) return setError(form, 'reason', m.org_fail_not_pending());
		redirect(303, `/charity/organizations/${event.params.organizationId}?ok=reject`);
	}
};
