import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { monthField, reportSchema } from '$lib/schemas/risks';
import { canAnywhere, requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'report.read');
	const asked = monthField.safeParse(event.url.searchParams.get('month') ?? '');
	const current = activities.reportingMonth();
	const month = asked.success ? asked.data : current;
	const places = await activities.listReportSettlements(actor);
	const wanted = event.url.searchParams.get('settlement');
	const chosen = places.find((s) => s.id === wanted) ?? (places.length === 1 ? places[0] : null);
	const [status, view, history] = await Promise.all([
		places.length > 1 ? activities.reportStatus(actor, { month }) : null,
		chosen ? activities.monthReport(actor, { settlementId: chosen.id, month }) : null,
		chosen ? activities.listReports(actor, chosen.id) : []
	]);
	return {
		month,
		current,
		status,
		view,
		history,
		chosenId: chosen?.id ?? null,
		saved: event.url.searchParams.get('ok'),
		can: { settings: canAnywhere(actor, 'risk.settings') },
		form: await superValidate(
			{
				settlementId: chosen?.id ?? '',
				month,
				nothingFound: false,
				note: ''
			},
			zod4(reportSchema),
			{ errors: false, id: 'submit' }
		)
	};
};

const failures = {
	future_month: () => m.risk_fail_future_month(),
	has_flags: () => m.risk_fail_has_flags(),
	nothing_to_report: () => m.risk_fail_nothing_to_report(),
	already_submitted: () => m.risk_fail_already_submitted()
};

export const actions: Actions = {
	submit: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(reportSchema), { id: 'submit' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.submitReport(actor, form.data);
		if (!result.ok)
			return setError(form, result.field as 'month' | 'nothingFound', failures[result.reason]());
		redirect(
			303,
			`/risks/reports?month=${form.data.month}&settlement=${form.data.settlementId}&ok=submit`
		);
	}
};
