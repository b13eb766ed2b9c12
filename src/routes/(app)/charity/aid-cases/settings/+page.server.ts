import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { aidGroupSchema } from '$lib/schemas/aid';
import { requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import { groupFor } from '../group.server';
import { groupHref } from '../href';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const { group, groups } = await groupFor(actor, event.url);
	const page = await charity.getAidGroup(actor, group.organizationId);
	return { ...page, many: groups.length > 1 };
};

const words = {
	unverified: () => m.aid_fail_unverified(),
	no_fund: () => m.aid_fail_no_fund(),
	not_candidate: () => m.aid_fail_not_candidate()
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const { group, groups } = await groupFor(actor, event.url);
		const form = await superValidate(event.request, zod4(aidGroupSchema), { id: 'settings' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.saveAidGroup(actor, group.organizationId, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field === 'approverIds'
					? 'approverIds._errors'
					: ((result.field ?? 'fundId') as 'fundId' | 'quorum'),
				words[result.reason]()
			);
		redirect(
			303,
			groupHref('/charity/aid-cases', group.organizationId, groups.length > 1, 'ok=settings')
		);
	}
};
