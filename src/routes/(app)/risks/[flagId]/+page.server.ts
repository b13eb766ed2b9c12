import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { closeSchema, linkSchema, verifySchema } from '$lib/schemas/risks';
import { requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const flag = await activities.getFlag(actor, event.params.flagId);
	return { flag, saved: event.url.searchParams.get('ok') };
};

/** Back to the flag after a change, so a reload never posts twice. */
const done = (flagId: string, what: string) => redirect(303, `/risks/${flagId}?ok=${what}`);

export const actions: Actions = {
	verify: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(verifySchema), { id: 'verify' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.verifyFlag(actor, event.params.flagId, form.data);
		if (!result.ok) return setError(form, 'note', result.message);
		done(event.params.flagId, 'verify');
	},
	link: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const kind = String(data.get('kind') ?? '');
		// one form per kind on the page: the id says which one gets the errors back
		const form = await superValidate(data, zod4(linkSchema), { id: `link-${kind}` });
		if (!form.valid) return fail(400, { form });
		const result = await activities.linkFlag(actor, event.params.flagId, form.data);
		if (!result.ok)
			return setError(
				form,
				'targetId',
				result.reason === 'illegal_step'
					? result.message
					: result.reason === 'already_linked'
						? m.risk_fail_already_linked()
						: m.risk_fail_no_target()
			);
		done(event.params.flagId, 'link');
	},
	close: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(closeSchema), { id: 'close' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.closeFlag(actor, event.params.flagId, form.data);
		if (!result.ok)
			return setError(
				form,
				'outcome',
				result.reason === 'illegal_step' ? result.message : m.risk_fail_unverified_outcome()
			);
		done(event.params.flagId, 'close');
	}
};
