import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { followUpInput, followUpSchema } from '$lib/schemas/governance-councils';
import { requireUser } from '$lib/server/access';
import * as ceremonies from '$lib/server/governance/ceremonies';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const filing = await ceremonies.getCeremony(actor, event.params.ceremonyId);
	return {
		filing,
		filed: event.url.searchParams.get('new') === '1',
		saved: event.url.searchParams.get('ok'),
		form: await superValidate(zod4(followUpSchema), { id: 'followUp' })
	};
};

export const actions: Actions = {
	followUp: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(followUpSchema), { id: 'followUp' });
		if (!form.valid) return fail(400, { form });
		const result = await ceremonies.followUpCeremony(
			actor,
			event.params.ceremonyId,
			followUpInput(form.data)
		);
		if (!result.ok)
			return setError(
				form,
				(result.field ?? 'followUp') as 'followUp' | 'savings' | 'deductPoints',
				result.message
			);
		redirect(303, `/governance/ceremonies/${event.params.ceremonyId}?ok=followed_up`);
	}
};
