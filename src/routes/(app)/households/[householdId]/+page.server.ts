import { fail } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { correctionResolveSchema, moveOutSchema, revealSchema } from '$lib/schemas/register';
import { can, requireUser } from '$lib/server/access';
import * as accounts from '$lib/server/accounts';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const household = await settlements.getHousehold(actor, event.params.householdId);
	const resource = {
		settlementId: household.settlementId,
		regionPath: household.regionPath,
		householdId: household.id
	};
	const canUpdate = can(actor, 'household.update', resource);
	const today = new Date().toISOString().slice(0, 10);
	return {
		household,
		corrections: await settlements.listCorrections(actor, household.id),
		can: {
			update: canUpdate && household.status === 'active',
			invite: can(actor, 'household.invite', resource) && household.status === 'active',
			reveal: can(actor, 'person.reveal', resource),
			correct: can(actor, 'correction.create', resource)
		},
		moveOutForm: await superValidate({ endedOn: today }, zod4(moveOutSchema), { errors: false }),
		flash: event.url.searchParams.has('duplicate')
			? m.reg_duplicate_warning()
			: event.url.searchParams.has('created')
				? m.reg_created()
				: event.url.searchParams.has('saved')
					? m.reg_saved()
					: null
	};
};

export const actions: Actions = {
	invite: async (event) => {
		const actor = requireUser(event);
		const { code } = await accounts.issueInvitation(actor, event.params.householdId);
		return { code };
	},
	reveal: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(revealSchema));
		if (!form.valid)
			return fail(400, {
				reveal: {
					residentId: form.data.residentId,
					error: form.errors.reason?.[0] ?? m.form_errors()
				}
			});
		const result = await settlements.revealField(actor, form.data);
		return {
			reveal: {
				residentId: form.data.residentId,
				field: form.data.field,
				value: result.value
			}
		};
	},
	moveOut: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(moveOutSchema));
		if (!form.valid) return fail(400, { moveOutForm: form });
		const result = await settlements.moveOutHousehold(actor, event.params.householdId, form.data);
		if (!result.ok) return message(form, m.reg_ended(), { status: 400 });
		return message(form, m.reg_move_out_done());
	},
	resolve: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(correctionResolveSchema));
		if (!form.valid)
			return fail(400, { resolveError: Object.values(form.errors).flat()[0] ?? m.form_errors() });
		const result = await settlements.resolveCorrection(actor, form.data);
		if (!result.ok) return fail(400, { resolveError: m.reg_ended() });
		return { resolved: true };
	}
};
