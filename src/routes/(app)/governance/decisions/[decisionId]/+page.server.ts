import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { stageFormSchema, stageFromForm } from '$lib/schemas/governance-rules';
import { requireUser } from '$lib/server/access';
import * as decisions from '$lib/server/governance/decisions';
import { shanghaiDay } from '$lib/working-days';
import type { Actions, PageServerLoad } from './$types';

type StageField = 'stage' | 'heldOn' | 'participants' | 'attendees' | 'votesFor' | 'minutes';
const fields: readonly string[] = [
	'stage',
	'heldOn',
	'participants',
	'attendees',
	'votesFor',
	'votesAgainst',
	'votesAbstain',
	'minutes',
	'evidence'
];

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const decision = await decisions.getDecision(actor, event.params.decisionId);
	return {
		decision,
		today: shanghaiDay(),
		saved: event.url.searchParams.get('ok')
	};
};

export const actions: Actions = {
	stage: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(stageFormSchema), { id: 'stage' });
		if (!form.valid) return fail(400, { form });
		const result = await decisions.recordStage(
			actor,
			event.params.decisionId,
			stageFromForm(form.data)
		);
		if (!result.ok) {
			const field = result.field && fields.includes(result.field) ? result.field : '';
			return setError(form, field as StageField | '', result.message);
		}
		redirect(303, `/governance/decisions/${event.params.decisionId}?ok=${result.stage}`);
	}
};
