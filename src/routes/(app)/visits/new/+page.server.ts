import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { visitSchema } from '$lib/schemas/visits';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import { shanghaiDay } from '$lib/working-days';
import type { Actions, PageServerLoad } from './$types';

/** One key per form shown: a double submit or a retry of it records one visit. */
const newKey = () => crypto.randomUUID().replaceAll('-', '');

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'visit.record');
	const targetId = event.url.searchParams.get('target') ?? '';
	// which target is picked on the schedule; none here means start there
	if (!targetId) redirect(303, '/visits');
	const target = await activities.getCareTarget(actor, targetId);
	return {
		target,
		visits: await activities.listTargetVisits(actor, target.id),
		today: shanghaiDay(),
		form: await superValidate(
			{
				targetId: target.id,
				visitedOn: shanghaiDay(),
				mode: 'home' as const,
				wellbeing: 'well' as const,
				idempotencyKey: newKey()
			},
			zod4(visitSchema),
			{ errors: false }
		)
	};
};

const failures = {
	ended: () => m.visit_fail_target_ended(),
	future: () => m.visit_fail_future(),
	before_since: () => m.visit_fail_before_since(),
	household_ended: () => m.visit_fail_household_ended()
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(visitSchema));
		if (!form.valid) return fail(400, { form });
		const result = await activities.recordVisit(actor, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'targetId' | 'visitedOn' | 'riskCategory',
				failures[result.reason]()
			);
		redirect(303, `/visits/${result.visitId}?ok=new`);
	}
};
