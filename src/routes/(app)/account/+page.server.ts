import { fail } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { passwordChangeSchema } from '$lib/schemas/accounts';
import { requireUser } from '$lib/server/access';
import * as accounts from '$lib/server/accounts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	return {
		form: await superValidate(zod4(passwordChangeSchema)),
		username: actor.username,
		roles: [...new Set(actor.grants.map((g) => g.role))]
	};
};

export const actions: Actions = {
	password: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(passwordChangeSchema));
		const input = { ...form.data };
		form.data = { current: '', password: '', confirm: '' };
		if (!form.valid) return fail(400, { form });
		const result = await accounts.changePassword(actor, event.locals.session!.id, input);
		if (!result.ok) return setError(form, 'current', m.account_wrong_password());
		return message(form, m.account_saved());
	}
};
