import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { appealDecisionSchema } from '$lib/schemas/governance-points';
import { isStaff, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const appeal = await points.getAppeal(actor, event.params.appealId);
	return { appeal, staff: isStaff(actor), saved: event.url.searchParams.get('ok') };
};

export const actions: Actions = {
	decide: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(appealDecisionSchema), { id: 'decide' });
		if (!form.valid) return fail(400, { form });
		const result = await points.decideAppeal(actor, event.params.appealId, {
			uphold: form.data.decision === 'uphold',
			note: form.data.note
		});
		if (!result.ok) return setError(form, 'decision', m.points_fail_decided());
		redirect(303, `/points/appeals/${event.params.appealId}?ok=${result.status}`);
	}
};
