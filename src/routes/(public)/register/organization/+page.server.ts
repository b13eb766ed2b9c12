import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { organizationKinds, registerOrganizationSchema } from '$lib/schemas/organizations';
import { setSessionTokenCookie } from '$lib/server/auth/session';
import * as charity from '$lib/server/charity';
import type { Actions, PageServerLoad } from './$types';

// the county chosen first (a plain GET form), so a 互助社's settlements can be offered without JavaScript
const querySchema = z.object({
	county: z.uuid().optional().catch(undefined),
	kind: z.enum(organizationKinds).optional().catch(undefined)
});

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, '/');
	const q = querySchema.parse(Object.fromEntries(url.searchParams));
	const counties = await charity.listRegistrationCounties();
	const county =
		counties.find((c) => c.id === q.county) ?? (counties.length === 1 ? counties[0] : null);
	return {
		counties,
		county,
		settlements: county ? await charity.listRegistrationSettlements(county.id) : [],
		form: await superValidate(
			{ countyId: county?.id ?? '', kind: q.kind ?? 'charity' },
			zod4(registerOrganizationSchema),
			{ errors: false }
		)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(registerOrganizationSchema));
		const input = { ...form.data };
		// passwords never travel back to the browser
		form.data.password = '';
		form.data.confirm = '';
		if (!form.valid) return fail(400, { form });
		const result = await charity.registerOrganization(input, { ip: event.getClientAddress() });
		if (!result.ok) {
			if (result.reason === 'throttled')
				return message(form, m.org_register_throttled(), { status: 429 });
			const field = {
				no_county: ['countyId', m.org_fail_no_county()],
				no_settlement: ['settlementId', m.org_fail_no_settlement()],
				username_taken: ['username', m.org_fail_username_taken()],
				credit_code_taken: ['creditCode', m.org_fail_credit_code_taken()]
			} as const;
			const [name, text] = field[result.reason];
			return setError(form, name, text);
		}
		setSessionTokenCookie(event.cookies, result.token, result.expiresAt);
		redirect(303, `/charity/organizations/${result.organizationId}?new=1`);
	}
};
