import { fail } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { assignmentSchema, endAssignmentSchema } from '$lib/schemas/register';
import { can, requireUser } from '$lib/server/access';
import { figuresOf, isMonth, monthOf, settlementScope } from '$lib/server/oversight/figures';
import * as settlements from '$lib/server/settlements';
import { shanghaiDay } from '$lib/working-days';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const overview = await settlements.getOverview(actor, event.params.settlementId);
	const { settlement } = overview;
	const resource = { settlementId: settlement.id, regionPath: settlement.regionPath };
	const canUpdate = can(actor, 'household.update', resource);
	const today = new Date().toISOString().slice(0, 10);
	// the point's dashboard, for its staff: a month from the address (a bad one is this month)
	const thisMonth = monthOf(shanghaiDay());
	const asked = event.url.searchParams.get('month');
	const month = isMonth(asked) && asked <= thisMonth ? asked : thisMonth;
	const dashboard = can(actor, 'dashboard.read', resource)
		? await figuresOf(await settlementScope(actor, settlement.id), month)
		: null;
	return {
		...overview,
		dashboard,
		month,
		thisMonth,
		can: {
			// a resident reads the point's page but not its register
			register: can(actor, 'household.read', resource),
			manage: can(actor, 'settlement.manage', resource),
			update: canUpdate,
			...settlements.ledgerAccess(actor, resource),
			compliance: can(actor, 'compliance.read', resource)
		},
		assignForm: await superValidate({ startedOn: today }, zod4(assignmentSchema), {
			errors: false
		}),
		today
	};
};

const assignFailures = {
	no_user: ['username', () => m.reg_no_user()],
	no_resident: ['residentName', () => m.reg_no_resident()],
	ambiguous_resident: ['residentName', () => m.reg_ambiguous_resident()],
	chief_exists: ['kind', () => m.reg_chief_exists()],
	admins_full: ['kind', () => m.reg_admins_full()],
	company_exists: ['kind', () => m.reg_company_exists()],
	already_assigned: ['kind', () => m.reg_already_assigned()]
} as const;

export const actions: Actions = {
	assign: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(assignmentSchema));
		if (!form.valid) return fail(400, { assignForm: form });
		const result = await settlements.assignStaff(actor, event.params.settlementId, form.data);
		if (!result.ok) {
			const [field, text] = assignFailures[result.reason];
			return setError(form, field, text());
		}
		return message(form, m.reg_roster_saved());
	},
	end: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(endAssignmentSchema));
		if (!form.valid)
			return fail(400, { endError: Object.values(form.errors).flat()[0] ?? m.form_errors() });
		const result = await settlements.endAssignment(actor, form.data);
		if (!result.ok)
			return fail(400, {
				endError: result.reason === 'before_start' ? m.reg_before_start() : m.reg_ended()
			});
		return { ended: true };
	}
};
