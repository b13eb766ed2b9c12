import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { riskSettingSchema } from '$lib/schemas/risks';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import { defaultReportDueDay, defaultVerifyWithinHours } from '$lib/activities/vocab';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'risk.settings');
	const counties = await activities.listRiskSettings(actor);
	return {
		counties: counties.map((c) => ({
			...c,
			verifyWithinHours: c.verifyWithinHours ?? defaultVerifyWithinHours,
			reportDueDay: c.reportDueDay ?? defaultReportDueDay
		})),
		saved: event.url.searchParams.get('ok')
	};
};

export const actions: Actions = {
	save: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const regionId = String(data.get('regionId') ?? '').slice(0, 64);
		const form = await superValidate(data, zod4(riskSettingSchema), { id: `county-${regionId}` });
		if (!form.valid) return fail(400, { form });
		const result = await activities.saveRiskSetting(actor, form.data);
		if (!result.ok) return setError(form, 'regionId', m.risk_fail_not_county());
		redirect(303, '/risks/settings?ok=1');
	}
};
