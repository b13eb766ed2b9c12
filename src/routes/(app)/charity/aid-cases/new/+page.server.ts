import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { aidCaseSchema } from '$lib/schemas/aid';
import { requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import { newKey } from '../../funds/back';
import { groupFor } from '../group.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const { group, groups } = await groupFor(actor, event.url);
	const choices = await charity.listAidMemberChoices(actor, group.organizationId);
	return {
		group: {
			organizationId: group.organizationId,
			name: group.name,
			fundId: group.fundId,
			capFen: group.capFen === null ? null : Number(group.capFen),
			quorum: group.quorum,
			approvers: Number(group.approvers),
			balance: group.balance === null ? null : Number(group.balance)
		},
		many: groups.length > 1,
		choices,
		key: newKey()
	};
};

const words = {
	unverified: () => m.aid_fail_unverified(),
	no_group: () => m.aid_fail_no_group(),
	not_member: () => m.aid_fail_not_member(),
	personal: () => m.aid_fail_personal(),
	insufficient: () => m.aid_fail_insufficient_open()
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const { group } = await groupFor(actor, event.url);
		const form = await superValidate(event.request, zod4(aidCaseSchema), { id: 'case' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.openAidCase(actor, group.organizationId, form.data);
		if (!result.ok)
			return setError(
				form,
				(result.field ?? 'amount') as 'amount' | 'householdId' | 'publicSummary' | 'hardship',
				words[result.reason]()
			);
		redirect(303, `/charity/aid-cases/${result.id}?ok=${result.status}`);
	}
};
