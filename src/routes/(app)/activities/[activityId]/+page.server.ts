import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import {
	cancelActivitySchema,
	cancelSignupSchema,
	checkInSchema,
	participantSearchSchema,
	signUpSchema
} from '$lib/schemas/activities';
import { requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import type { Actions, PageServerLoad } from './$types';
import { actionFailure } from '../failures';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const id = event.params.activityId;
	const activity = await activities.getActivity(actor, id);
	const { q } = participantSearchSchema.parse({ q: event.url.searchParams.get('q') ?? '' });
	const [household, signups, participants, matches] = await Promise.all([
		actor.householdId ? activities.householdSignups(actor, id) : [],
		activity.can.seePeople ? activities.listSignups(actor, id) : [],
		activities.listParticipants(actor, id),
		activity.can.checkin && q ? activities.searchParticipants(actor, id, q) : null
	]);
	return {
		activity,
		household,
		signups,
		participants,
		q,
		matches,
		saved: event.url.searchParams.get('ok'),
		who: event.url.searchParams.get('who')
	};
};

/** Back to the activity after a change, so a reload never posts twice. */
function done(activityId: string, what: string, extra: Record<string, string> = {}): never {
	const q = new URLSearchParams({ ok: what, ...extra }).toString();
	redirect(303, `/activities/${activityId}?${q}`);
}

export const actions: Actions = {
	signup: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(signUpSchema), { id: 'signup' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.signUp(actor, event.params.activityId, form.data);
		if (!result.ok) return setError(form, 'residentIds._errors', actionFailure(result.reason));
		done(event.params.activityId, 'signup');
	},
	unsignup: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(cancelSignupSchema), {
			id: 'unsignup'
		});
		if (!form.valid) return fail(400, { form });
		const result = await activities.cancelSignup(actor, event.params.activityId, form.data);
		if (!result.ok) return setError(form, 'residentId', actionFailure(result.reason));
		done(event.params.activityId, 'unsignup');
	},
	checkin: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		// the search the check-in came from stays on the page
		const { q } = participantSearchSchema.parse({ q: data.get('q') ?? '' });
		const form = await superValidate(data, zod4(checkInSchema), { id: 'checkin' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.checkIn(actor, event.params.activityId, form.data);
		if (!result.ok) return setError(form, 'residentId', actionFailure(result.reason));
		done(event.params.activityId, 'checkin', { who: form.data.residentId, ...(q ? { q } : {}) });
	},
	cancel: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(cancelActivitySchema), { id: 'cancel' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.cancelActivity(actor, event.params.activityId, form.data);
		if (!result.ok) return setError(form, 'reason', actionFailure(result.reason));
		done(event.params.activityId, 'cancel');
	}
};
