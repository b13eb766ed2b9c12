import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { categorySchema } from '$lib/schemas/services';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as services from '$lib/server/services';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'service.catalogue');
	return {
		rows: await services.listCatalogue(actor),
		edit: event.url.searchParams.get('edit'),
		saved: event.url.searchParams.get('saved')
	};
};

export const actions: Actions = {
	update: async (event) => {
		const actor = requireUser(event);
		requireAnywhere(actor, 'service.catalogue', 'write');
		const data = await event.request.formData();
		const categoryId = String(data.get('categoryId') ?? '');
		// one form per entry: the id says which row gets its errors back
		const form = await superValidate(data, zod4(categorySchema), { id: `cat-${categoryId}` });
		if (!form.valid) return fail(400, { form });
		await services.updateCategory(actor, categoryId, form.data);
		redirect(303, `/services/catalogue?saved=${encodeURIComponent(categoryId)}#cat-${categoryId}`);
	}
};
