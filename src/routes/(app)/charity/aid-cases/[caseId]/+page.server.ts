import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { aidReviewSchema, aidVoteSchema } from '$lib/schemas/aid';
import { requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const kase = await charity.getAidCase(actor, event.params.caseId);
	return { ...kase, saved: event.url.searchParams.get('ok') };
};

const done = (caseId: string, what: string) =>
	redirect(303, `/charity/aid-cases/${caseId}?ok=${what}`);

export const actions: Actions = {
	vote: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(aidVoteSchema), { id: 'vote' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.voteAidCase(actor, event.params.caseId, form.data);
		if (!result.ok)
			return setError(
				form,
				'decision',
				result.reason === 'closed' ? m.aid_fail_closed() : m.aid_fail_already_voted()
			);
		done(
			event.params.caseId,
			result.status === 'paid'
				? 'paid'
				: result.status === 'approved'
					? 'approved'
					: result.status === 'rejected'
						? 'rejected'
						: 'vote'
		);
	},
	pay: async (event) => {
		const actor = requireUser(event);
		const result = await charity.payAidCase(actor, event.params.caseId);
		if (!result.ok)
			return fail(400, {
				pay: result.reason === 'insufficient' ? m.aid_fail_insufficient_pay() : m.aid_fail_closed()
			});
		done(event.params.caseId, 'paid');
	},
	review: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(aidReviewSchema), { id: 'review' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.reviewAidCase(actor, event.params.caseId, form.data);
		if (!result.ok) return setError(form, 'note', m.aid_fail_not_reviewable());
		done(event.params.caseId, 'reviewed');
	}
};
