import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { registerSchema } from '$lib/schemas/accounts';
import * as accounts from '$lib/server/accounts';
import { setSessionTokenCookie } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (locals.user) redirect(303, '/me');
	return { form: await superValidate(zod4(registerSchema)) };
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(registerSchema));
		const input = { ...form.data };
		// passwords never travel back to the browser
		form.data.password = '';
		form.data.confirm = '';
		if (!form.valid) return fail(400, { form });
		const result = await accounts.register(input, { ip: event.getClientAddress() });
		if (!result.ok) {
			if (result.reason === 'throttled') return message(form, m.login_throttled(), { status: 429 });
			if (result.reason === 'phone_taken') return setError(form, 'phone', m.register_phone_taken());
			return setError(form, 'invitationCode', m.register_invalid_code());
		}
		setSessionTokenCookie(event.cookies, result.token, result.expiresAt);
		redirect(303, '/me');
	}
};
