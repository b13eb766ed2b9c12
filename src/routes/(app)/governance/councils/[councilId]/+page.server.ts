import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import {
	councilFilterSchema,
	councilSchema,
	endTermSchema,
	memberSchema
} from '$lib/schemas/governance-councils';
import { requireUser } from '$lib/server/access';
import * as councils from '$lib/server/governance/councils';
import { shanghaiDay } from '$lib/working-days';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const council = await councils.getCouncil(actor, event.params.councilId);
	const filter = councilFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	// the register search for a new member: names and units, for those who manage the council
	const found =
		council.can.manage && council.can.searchRegister && filter.q
			? await councils.searchSettlementResidents(actor, council.settlementId, filter.q)
			: null;
	const today = shanghaiDay();
	const year = Number(today.slice(0, 4));
	return {
		council,
		q: filter.q,
		found,
		today,
		saved: event.url.searchParams.get('ok'),
		councilForm: await superValidate(
			{ name: council.name, quorumRule: council.quorumRule, charter: council.charter },
			zod4(councilSchema),
			{ id: 'council', errors: false }
		),
		memberForm: await superValidate(
			{ role: 'member', termStart: today, termEnd: `${year + 2}-12-31` },
			zod4(memberSchema),
			{ id: 'member', errors: false }
		)
	};
};

/** Back to the council after a change, so a reload never posts twice. */
const done = (councilId: string, what: string) =>
	redirect(303, `/governance/councils/${councilId}?ok=${what}`);

export const actions: Actions = {
	update: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(councilSchema), { id: 'council' });
		if (!form.valid) return fail(400, { form });
		const result = await councils.updateCouncil(actor, event.params.councilId, form.data);
		if (!result.ok) return setError(form, 'quorumRule', result.message);
		done(event.params.councilId, 'updated');
	},
	addMember: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(memberSchema), { id: 'member' });
		if (!form.valid) return fail(400, { form });
		const result = await councils.addMember(actor, event.params.councilId, form.data);
		if (!result.ok)
			return setError(
				form,
				(result.field === 'userId' ? 'username' : result.field) as
					'name' | 'residentId' | 'username' | 'role' | 'termStart' | 'termEnd',
				result.message
			);
		done(event.params.councilId, 'member');
	},
	endTerm: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const memberId = String(data.get('memberId') ?? '');
		// one form per member on the page: the id says which one gets the errors back
		const form = await superValidate(data, zod4(endTermSchema), { id: `end-${memberId}` });
		if (!form.valid) return fail(400, { form });
		const result = await councils.endMemberTerm(actor, form.data.memberId, form.data);
		if (!result.ok) return setError(form, 'endedOn', result.message);
		done(event.params.councilId, 'ended');
	}
};
