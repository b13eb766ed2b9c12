import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { assignSchema, noteSchema, rateSchema, stepSchema } from '$lib/schemas/services';
import { isStaff, requireUser } from '$lib/server/access';
import * as services from '$lib/server/services';
import { stepNames, type Step } from '$lib/services/workflow';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const request = await services.getRequest(actor, event.params.requestId);
	return {
		request,
		staff: isStaff(actor),
		assignable: request.can.assign
			? await services.listAssignable(actor, event.params.requestId)
			: [],
		saved: event.url.searchParams.get('ok')
	};
};

/** Back to the request after a change, so a reload never posts twice. */
const done = (requestId: string, what: string) =>
	redirect(303, `/services/${requestId}?ok=${what}`);

export const actions: Actions = {
	step: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const step = String(data.get('step') ?? '');
		// one form per step on the page: the id says which one gets the errors back
		const id = stepNames.includes(step as Step) ? `step-${step}` : 'step';
		const form = await superValidate(data, zod4(stepSchema), { id });
		if (!form.valid) return fail(400, { form });
		const result = await services.takeStep(actor, event.params.requestId, form.data);
		if (!result.ok) return setError(form, 'step', result.message);
		done(event.params.requestId, 'step');
	},
	note: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(noteSchema), { id: 'note' });
		if (!form.valid) return fail(400, { form });
		const result = await services.addNote(actor, event.params.requestId, form.data);
		if (!result.ok) return setError(form, 'note', m.svc_fail_closed());
		done(event.params.requestId, 'note');
	},
	assign: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(assignSchema), { id: 'assign' });
		if (!form.valid) return fail(400, { form });
		const result = await services.assignRequest(actor, event.params.requestId, form.data);
		if (!result.ok)
			return setError(
				form,
				'assigneeId',
				result.reason === 'closed' ? m.svc_fail_closed() : m.svc_fail_not_staff()
			);
		done(event.params.requestId, 'assign');
	},
	rate: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(rateSchema), { id: 'rate' });
		if (!form.valid) return fail(400, { form });
		const result = await services.rateRequest(actor, event.params.requestId, form.data);
		if (!result.ok)
			return setError(
				form,
				'rating',
				result.reason === 'not_done' ? m.svc_fail_not_done() : m.svc_fail_already_rated()
			);
		done(event.params.requestId, 'rate');
	}
};
