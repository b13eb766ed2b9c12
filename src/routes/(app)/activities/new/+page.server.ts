import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { activitySchema, activityTimeValue } from '$lib/schemas/activities';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import type { Actions, PageServerLoad } from './$types';
import { activityFailure } from '../failures';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'activity.manage');
	const settlements = await activities.listManagedSettlements(actor);
	const asked = event.url.searchParams.get('settlement');
	const settlementId = settlements.find((s) => s.id === asked)?.id ?? settlements[0]?.id ?? '';
	// this hour, today: an activity logged on the day can be checked in at once
	const hour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
	const [organizations, pointItems] = await Promise.all([
		activities.listActivityOrganizations(actor),
		activities.listActivityPointItems(
			actor,
			settlements.map((s) => s.id)
		)
	]);
	return {
		me: actor.displayName,
		settlements: settlements.map((s) => ({ id: s.id, name: s.name })),
		organizations,
		pointItems,
		form: await superValidate(
			{
				settlementId,
				kind: 'culture_sports' as const,
				startsAt: activityTimeValue(hour),
				endsAt: activityTimeValue(new Date(hour.getTime() + 2 * 3600_000)),
				organizationId: '',
				capacity: '',
				pointsItemCode: ''
			},
			zod4(activitySchema),
			{ errors: false }
		)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(activitySchema));
		if (!form.valid) return fail(400, { form });
		const result = await activities.createActivity(actor, form.data);
		if (!result.ok) {
			const { field, message } = activityFailure(result.reason);
			return setError(form, field, message);
		}
		redirect(303, `/activities/${result.id}?ok=create`);
	}
};
