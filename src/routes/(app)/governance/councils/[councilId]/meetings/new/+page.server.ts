import { error, fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { meetingSchema } from '$lib/schemas/governance-councils';
import { requireUser } from '$lib/server/access';
import * as councils from '$lib/server/governance/councils';
import * as meetings from '$lib/server/governance/meetings';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const council = await councils.getCouncil(actor, event.params.councilId);
	if (!council.can.run) error(403, '无权执行此操作');
	return {
		council: { id: council.id, name: council.name, settlementName: council.settlementName },
		form: await superValidate(zod4(meetingSchema))
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(meetingSchema));
		if (!form.valid) return fail(400, { form });
		const result = await meetings.scheduleMeeting(actor, event.params.councilId, form.data);
		if (!result.ok) return setError(form, 'startsAt', result.message);
		redirect(303, `/governance/meetings/${result.id}?ok=scheduled`);
	}
};
