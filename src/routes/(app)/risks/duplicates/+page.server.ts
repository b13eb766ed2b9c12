import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { duplicateFilterSchema, resolutionSchema, runCheckSchema } from '$lib/schemas/risks';
import { canAnywhere, requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'benefit.read');
	const filter = duplicateFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const check = canAnywhere(actor, 'benefit.check');
	const [rows, runs, regions] = await Promise.all([
		activities.listDuplicates(actor, filter),
		activities.listCheckRuns(actor),
		check ? activities.listCheckRegions(actor) : []
	]);
	return {
		rows,
		runs,
		regions: regions.map((r) => ({ id: r.id, name: r.name })),
		filter,
		saved: event.url.searchParams.get('ok'),
		added: event.url.searchParams.get('added'),
		can: { check },
		runForm: await superValidate(
			{ month: activities.reportingMonth(), regionId: regions.length === 1 ? regions[0].id : '' },
			zod4(runCheckSchema),
			{ errors: false, id: 'run' }
		)
	};
};

export const actions: Actions = {
	run: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(runCheckSchema), { id: 'run' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.runDuplicateCheck(actor, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'month' | 'regionId',
				result.reason === 'no_region' ? m.risk_fail_no_region() : m.risk_fail_future_month()
			);
		redirect(303, `/risks/duplicates?ok=run&added=${result.added}`);
	},
	resolve: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const findingId = String(data.get('findingId') ?? '').slice(0, 64);
		// one form per finding on the page: the id says which one gets the errors back
		const form = await superValidate(data, zod4(resolutionSchema), { id: `resolve-${findingId}` });
		if (!form.valid) return fail(400, { form });
		const result = await activities.resolveDuplicate(actor, findingId, form.data);
		if (!result.ok) return setError(form, 'status', m.risk_fail_finding_closed());
		redirect(303, '/risks/duplicates?ok=resolve');
	}
};
