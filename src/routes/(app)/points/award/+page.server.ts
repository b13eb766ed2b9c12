import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { awardSchema, placeQuerySchema } from '$lib/schemas/governance-points';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import * as settlements from '$lib/server/settlements';
import { newKey } from '../back';
import { staffPlace } from '../place.server';
import type { Actions, PageServerLoad } from './$types';

const querySchema = placeQuerySchema.extend({
	q: z.string().trim().max(50).optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'points.award');
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	// a chosen household names its settlement; else the one in the address
	const household = q.household ? await points.householdForAward(actor, q.household) : null;
	const { places, settlement } = await staffPlace(actor, household?.settlementId ?? q.settlement);
	if (!settlement) return { settlement: null, places };
	let results: { id: string; headName: string; unit: string }[] | null = null;
	let more = false;
	if (!household && q.q) {
		const page = await settlements.listHouseholds(actor, settlement.settlementId, { search: q.q });
		results = page.rows.map((h) => ({
			id: h.id,
			headName: h.headName,
			unit: `${h.building}${h.unitNo}${h.room}`
		}));
		more = !!page.next;
	}
	return {
		places,
		settlement: { id: settlement.settlementId, name: settlement.name, can: settlement.can },
		openAppeals: await points.countOpenAppeals(actor, settlement.settlementId),
		items: await points.pointsList(actor, settlement.settlementId),
		household,
		q: q.q ?? '',
		results,
		more,
		key: newKey()
	};
};

const failures = {
	household_ended: () => m.points_fail_household_ended(),
	item: () => m.points_fail_item(),
	no_member: () => m.points_fail_no_member()
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(awardSchema), { id: 'award' });
		if (!form.valid) return fail(400, { form });
		const result = await points.awardPoints(actor, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'householdId' | 'itemCode' | 'residentId',
				failures[result.reason]()
			);
		redirect(303, `/points/households/${form.data.householdId}?ok=award&delta=${result.delta}`);
	}
};
