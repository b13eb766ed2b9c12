import { redirect } from '@sveltejs/kit';
import { isLocale, cookieName, cookieMaxAge } from '$lib/paraglide/runtime';
import type { Actions, PageServerLoad } from './$types';

/** Only same-site paths: never bounce a visitor to another site. */
function back(form: FormData): string {
	const to = String(form.get('redirectTo') ?? '/');
	return to.startsWith('/') && !to.startsWith('//') ? to : '/';
}

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	locale: async ({ request, cookies }) => {
		const form = await request.formData();
		const locale = String(form.get('locale'));
		if (isLocale(locale))
			cookies.set(cookieName, locale, {
				path: '/',
				maxAge: cookieMaxAge,
				httpOnly: false,
				sameSite: 'lax'
			});
		redirect(303, back(form));
	},
	elder: async ({ request, cookies }) => {
		const form = await request.formData();
		const on = form.get('elder') === '1';
		cookies.set('anju_elder', on ? '1' : '0', {
			path: '/',
			maxAge: 400 * 24 * 3600,
			httpOnly: false,
			sameSite: 'lax'
		});
		redirect(303, back(form));
	}
};
