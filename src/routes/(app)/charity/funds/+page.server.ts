import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { fundSchema } from '$lib/schemas/funds';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import { shanghaiDay } from '$lib/working-days';
import type { Actions, PageServerLoad } from './$types';

const querySchema = z.object({ cursor: z.string().max(80).optional().catch(undefined) });

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'fund.read');
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const [page, organizations] = await Promise.all([
		charity.listFunds(actor, { cursor: q.cursor }),
		charity.fundOrganizations(actor)
	]);
	return {
		funds: page.rows,
		next: page.next,
		paged: !!q.cursor,
		organizations,
		today: shanghaiDay()
	};
};

export const actions: Actions = {
	create: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(fundSchema), { id: 'create' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.createFund(actor, form.data);
		if (!result.ok) return setError(form, 'organizationId', m.fund_fail_unverified());
		redirect(303, `/charity/funds/${result.id}?ok=created`);
	}
};
