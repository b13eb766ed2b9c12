import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { loginSchema } from '$lib/schemas/accounts';
import * as accounts from '$lib/server/accounts';
import { setSessionTokenCookie } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

function safeNext(url: URL): string {
	const next = url.searchParams.get('next') ?? '/';
	return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url));
	return { form: await superValidate(zod4(loginSchema)) };
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(loginSchema));
		if (!form.valid) return fail(400, { form });
		const result = await accounts.login(form.data, { ip: event.getClientAddress() });
		form.data.password = '';
		if (!result.ok) {
			if (result.reason === 'throttled') return message(form, m.login_throttled(), { status: 429 });
			return setError(form, 'password', m.login_invalid());
		}
		setSessionTokenCookie(event.cookies, result.token, result.expiresAt);
		redirect(303, safeNext(event.url));
	}
};
