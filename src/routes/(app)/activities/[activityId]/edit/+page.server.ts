import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { activitySchema, activityTimeValue } from '$lib/schemas/activities';
import { requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import { notFound } from '$lib/server/settlements/shared';
import type { Actions, PageServerLoad } from './$types';
import { activityFailure } from '../../failures';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const activity = await activities.getActivity(actor, event.params.activityId);
	// the edit page is for those who run it, while it is on
	if (!activity.can.manage) notFound();
	const [organizations, pointItems] = await Promise.all([
		activities.listActivityOrganizations(actor, [activity.settlementId]),
		activities.listActivityPointItems(actor, [activity.settlementId])
	]);
	return {
		activity: { id: activity.id, title: activity.title, settlementName: activity.settlementName },
		me: activity.organizerName ?? actor.displayName,
		settlements: [{ id: activity.settlementId, name: activity.settlementName }],
		organizations,
		pointItems,
		form: await superValidate(
			{
				settlementId: activity.settlementId,
				kind: activity.kind,
				title: activity.title,
				place: activity.place,
				startsAt: activityTimeValue(activity.startsAt),
				endsAt: activityTimeValue(activity.endsAt),
				organizationId: activity.organizationId ?? '',
				capacity: activity.capacity === null ? '' : String(activity.capacity),
				pointsItemCode: activity.pointsItemCode ?? '',
				description: activity.description
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
		const result = await activities.updateActivity(actor, event.params.activityId, form.data);
		if (!result.ok) {
			const { field, message } = activityFailure(result.reason);
			return setError(form, field, message);
		}
		redirect(303, `/activities/${event.params.activityId}?ok=update`);
	}
};
