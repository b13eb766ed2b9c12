import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { linkSchema } from '$lib/schemas/visits';
import { requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const visit = await activities.getVisit(actor, event.params.visitId);
	return {
		visit,
		linkForm: await superValidate(zod4(linkSchema), { id: 'link', errors: false }),
		saved: event.url.searchParams.get('ok')
	};
};

const failures = {
	not_found: () => m.visit_fail_link_not_found(),
	other_household: () => m.visit_fail_link_other_household(),
	already_linked: () => m.visit_fail_link_already(),
	nothing: () => m.visit_fail_link_not_found()
};

export const actions: Actions = {
	link: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(linkSchema), { id: 'link' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.linkVisitByRef(actor, event.params.visitId, form.data.ref);
		if (!result.ok) return setError(form, 'ref', failures[result.reason]());
		redirect(303, `/visits/${event.params.visitId}?ok=link`);
	}
};
