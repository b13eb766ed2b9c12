import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { ruleKinds } from '$lib/governance/vocab';
import { ruleCreateSchema } from '$lib/schemas/governance-rules';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as rules from '$lib/server/governance/rules';
import type { Actions, PageServerLoad } from './$types';

// a new rule: its settlement, kind and title; the clauses are written on the draft's edit page
export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'rule.manage', 'read');
	const settlements = await rules.settlementsFor(actor, 'rule.manage');
	const asked = event.url.searchParams.get('settlementId') ?? '';
	const settlementId = settlements.some((s) => s.id === asked)
		? asked
		: settlements.length === 1
			? settlements[0].id
			: '';
	return {
		settlements,
		kinds: ruleKinds,
		form: await superValidate(
			{ settlementId, kind: 'covenant' as const, title: '' },
			zod4(ruleCreateSchema),
			{ errors: false }
		)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(ruleCreateSchema));
		if (!form.valid) return fail(400, { form });
		const result = await rules.createRule(actor, form.data);
		if (!result.ok)
			return setError(form, (result.field as 'title' | 'kind' | undefined) ?? '', result.message);
		redirect(303, `/governance/rules/${result.id}/edit`);
	}
};
