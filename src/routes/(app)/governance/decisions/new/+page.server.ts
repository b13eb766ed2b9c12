import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { decisionCreateSchema } from '$lib/schemas/governance-rules';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as decisions from '$lib/server/governance/decisions';
import * as rules from '$lib/server/governance/rules';
import type { Actions, PageServerLoad } from './$types';

// a new 四议两公开 decision, maybe to adopt a rule version in consultation (?ruleVersionId=)
export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'decision.manage', 'read');
	const [settlements, versions] = await Promise.all([
		rules.settlementsFor(actor, 'decision.manage'),
		rules.listVersionsToDecide(actor)
	]);
	const asked = event.url.searchParams.get('ruleVersionId') ?? '';
	const version = versions.find((v) => v.id === asked);
	const askedSettlement = event.url.searchParams.get('settlementId') ?? '';
	const settlementId =
		version?.settlementId ??
		(settlements.some((s) => s.id === askedSettlement)
			? askedSettlement
			: settlements.length === 1
				? settlements[0].id
				: '');
	return {
		settlements,
		versions,
		form: await superValidate(
			{
				settlementId,
				title: version
					? m.decision_default_title({ title: version.title, n: String(version.versionNo) })
					: '',
				summary: '',
				ruleVersionId: version?.id ?? ''
			},
			zod4(decisionCreateSchema),
			{ errors: false }
		)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(decisionCreateSchema));
		if (!form.valid) return fail(400, { form });
		const result = await decisions.createDecision(actor, form.data);
		if (!result.ok)
			return setError(
				form,
				(result.field as 'title' | 'summary' | 'ruleVersionId' | undefined) ?? '',
				result.message
			);
		redirect(303, `/governance/decisions/${result.id}`);
	}
};
