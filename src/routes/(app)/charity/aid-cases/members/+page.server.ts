import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { aidMemberSchema, contributionSchema } from '$lib/schemas/aid';
import { requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import { shanghaiDay } from '$lib/working-days';
import { newKey } from '../../funds/back';
import { groupFor } from '../group.server';
import { groupHref } from '../href';
import type { Actions, PageServerLoad } from './$types';

const querySchema = z.object({
	q: z.string().trim().max(30).optional().catch(undefined),
	all: z.literal('1').optional().catch(undefined),
	cursor: z.string().max(60).optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const { group, groups } = await groupFor(actor, event.url);
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const id = group.organizationId;
	const [members, results, choices] = await Promise.all([
		charity.listAidMembers(actor, id, { cursor: q.cursor, all: !!q.all }),
		q.q ? charity.searchAidHouseholds(actor, id, q.q) : Promise.resolve(null),
		charity.listAidMemberChoices(actor, id)
	]);
	return {
		group: { organizationId: id, name: group.name, fundId: group.fundId },
		many: groups.length > 1,
		members,
		results,
		choices,
		q: q.q ?? '',
		all: !!q.all,
		paged: !!q.cursor,
		key: newKey(),
		today: shanghaiDay(),
		saved: event.url.searchParams.get('ok')
	};
};

const words = {
	wrong_place: () => m.aid_fail_wrong_place(),
	already_member: () => m.aid_fail_already_member(),
	not_member: () => m.aid_fail_not_member(),
	before_joined: () => m.aid_fail_before_joined(),
	unverified: () => m.aid_fail_unverified(),
	no_group: () => m.aid_fail_no_group(),
	future: () => m.fund_fail_future(),
	personal: () => m.aid_fail_personal(),
	insufficient: () => m.fund_fail_insufficient()
};

/** Back to the members page after a change, keeping the group and the search. */
async function done(event: Parameters<Actions[string]>[0], what: string) {
	const actor = requireUser(event);
	const { group, groups } = await groupFor(actor, event.url);
	const q = event.url.searchParams.get('q');
	const extra = [q ? `q=${encodeURIComponent(q)}` : '', `ok=${what}`].filter(Boolean).join('&');
	redirect(
		303,
		groupHref('/charity/aid-cases/members', group.organizationId, groups.length > 1, extra)
	);
}

export const actions: Actions = {
	add: async (event) => {
		const actor = requireUser(event);
		const { group } = await groupFor(actor, event.url);
		const form = await superValidate(event.request, zod4(aidMemberSchema), { id: 'add' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.addAidMember(actor, group.organizationId, form.data);
		if (!result.ok) return setError(form, 'householdId', words[result.reason]());
		await done(event, 'added');
	},
	remove: async (event) => {
		const actor = requireUser(event);
		const { group } = await groupFor(actor, event.url);
		const form = await superValidate(event.request, zod4(aidMemberSchema), { id: 'remove' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.removeAidMember(actor, group.organizationId, form.data);
		if (!result.ok)
			return setError(form, (result.field ?? 'on') as 'on' | 'householdId', words[result.reason]());
		await done(event, 'removed');
	},
	contribute: async (event) => {
		const actor = requireUser(event);
		const { group } = await groupFor(actor, event.url);
		const form = await superValidate(event.request, zod4(contributionSchema), {
			id: 'contribute'
		});
		if (!form.valid) return fail(400, { form });
		const result = await charity.recordContribution(actor, group.organizationId, form.data);
		if (!result.ok)
			return setError(
				form,
				(result.field ?? 'amount') as 'amount' | 'householdId' | 'occurredOn' | 'memo',
				words[result.reason]()
			);
		await done(event, 'contributed');
	}
};
