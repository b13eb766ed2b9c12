import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { intervalsFor } from '$lib/activities/schedule';
import { m } from '$lib/paraglide/messages';
import {
	endTargetSchema,
	settingSchema,
	targetFilterSchema,
	targetSchema
} from '$lib/schemas/visits';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import { shanghaiDay } from '$lib/working-days';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'visit.read');
	// the filters and the register search, carried in the address so all works without JavaScript
	const filter = targetFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const after = event.url.searchParams.get('after')?.slice(0, 80) ?? undefined;
	const [places, managed, counties] = await Promise.all([
		activities.listVisitSettlements(actor, 'visit.read'),
		activities.listVisitSettlements(actor, 'visit.manage'),
		activities.listCareCounties(actor)
	]);
	const settlementId = places.find((s) => s.id === filter.settlement)?.id ?? '';

	// adding a target: the point, a person found in its register, then the form
	const chosen = filter.resident ? await activities.getVisitResident(actor, filter.resident) : null;
	const addPlace =
		(chosen && managed.find((s) => s.id === chosen.settlementId)) ||
		managed.find((s) => s.id === filter.settlement) ||
		(managed.length === 1 ? managed[0] : null);
	const results =
		!chosen && addPlace && filter.q
			? await activities.searchVisitResidents(actor, addPlace.id, filter.q)
			: null;
	const [workers, intervals] = chosen
		? await Promise.all([
				activities.listVisitWorkers(actor, chosen.settlementId),
				activities.visitIntervalsFor(actor, chosen.settlementId)
			])
		: [[], intervalsFor(null)];

	const list = await activities.listTargets(actor, {
		settlementId: settlementId || undefined,
		group: filter.group,
		workerId: filter.worker || undefined,
		ended: filter.ended === '1',
		after
	});
	return {
		filter: { ...filter, settlement: settlementId },
		after: after ?? null,
		places,
		managed,
		addPlace,
		results,
		chosen,
		workers,
		intervals,
		list,
		counties,
		addForm: await superValidate(
			{ residentId: chosen?.id ?? '', since: shanghaiDay() },
			zod4(targetSchema),
			{ id: 'add', errors: false }
		),
		saved: event.url.searchParams.get('ok')
	};
};

const addFailures = {
	inactive: () => m.visit_fail_inactive(),
	no_worker: () => m.visit_fail_no_worker(),
	duplicate: () => m.visit_fail_duplicate()
};

export const actions: Actions = {
	add: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(targetSchema), { id: 'add' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.addTarget(actor, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'residentId' | 'workerId' | 'group',
				addFailures[result.reason]()
			);
		redirect(303, `/visits/targets?ok=add`);
	},
	end: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(endTargetSchema), { id: 'end' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.endTarget(actor, form.data);
		if (!result.ok) return setError(form, 'endReason', m.visit_fail_target_ended());
		redirect(303, `/visits/targets?ok=end`);
	},
	setting: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(settingSchema), { id: 'setting' });
		if (!form.valid) return fail(400, { form });
		const result = await activities.saveCareSetting(actor, form.data);
		if (!result.ok) return setError(form, 'regionId', m.visit_fail_not_county());
		redirect(303, `/visits/targets?ok=setting#settings`);
	}
};
