import { fail } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { createUserSchema } from '$lib/schemas/accounts';
import { canAnywhere, requireAnywhere, requireUser } from '$lib/server/access';
import * as accounts from '$lib/server/accounts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'user.read');
	const search = event.url.searchParams.get('q')?.trim().slice(0, 40) || undefined;
	const after = event.url.searchParams.get('after')?.slice(0, 64) || undefined;
	const canManage = canAnywhere(actor, 'user.manage');
	const [page, scopes] = await Promise.all([
		accounts.listUsers(actor, { search, after }),
		canManage ? accounts.listGrantableScopes(actor) : null
	]);
	return {
		...page,
		q: search ?? '',
		scopes,
		isGlobal: actor.grants.some((g) => g.scope === 'global'),
		form: await superValidate(zod4(createUserSchema))
	};
};

const failureMessages = {
	username_taken: ['username', () => m.users_username_taken()],
	phone_taken: ['phone', () => m.users_phone_taken()],
	scope_mismatch: ['role', () => m.users_scope_mismatch()],
	no_scope: ['scopeId', () => m.users_no_scope()],
	forbidden: ['scopeId', () => m.users_forbidden_scope()]
} as const;

export const actions: Actions = {
	create: async (event) => {
		const actor = requireUser(event);
		requireAnywhere(actor, 'user.manage', 'write');
		const form = await superValidate(event.request, zod4(createUserSchema));
		const input = { ...form.data };
		form.data.password = '';
		if (!form.valid) return fail(400, { form });
		const result = await accounts.createUser(actor, input);
		if (!result.ok) {
			const [field, text] = failureMessages[result.reason];
			return setError(form, field, text());
		}
		return message(form, m.users_created());
	},
	revoke: async (event) => {
		const actor = requireUser(event);
		requireAnywhere(actor, 'user.manage', 'write');
		const data = Object.fromEntries(await event.request.formData());
		const parsed = z.object({ grantId: z.uuid() }).safeParse(data);
		if (!parsed.success) return fail(400, { revokeError: m.users_no_scope() });
		const result = await accounts.revokeGrant(actor, parsed.data.grantId);
		if (!result.ok)
			return fail(result.reason === 'forbidden' ? 403 : 404, {
				revokeError: m.users_forbidden_scope()
			});
		return { revoked: true };
	}
};
