import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { handoverSchema, redemptionsQuerySchema } from '$lib/schemas/governance-points';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import * as shop from '$lib/server/governance/shop';
import { staffPlace, viewOf } from '../place.server';
import { withQuery } from '../back';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'points.read');
	const q = redemptionsQuerySchema.parse(Object.fromEntries(event.url.searchParams));
	const saved = event.url.searchParams.get('ok');
	if (viewOf(actor) === 'resident') {
		const page = await shop.listRedemptions(actor, { after: q.after });
		return { view: 'resident' as const, ...page, after: q.after ?? null, saved };
	}
	const { places, settlement } = await staffPlace(actor, q.settlement);
	if (!settlement) return { view: 'staff' as const, places, settlement: null };
	const status = q.status || 'pending';
	const page = await shop.listRedemptions(actor, {
		settlementId: settlement.settlementId,
		householdId: q.household || null,
		status: status === 'all' ? '' : status,
		after: q.after
	});
	return {
		view: 'staff' as const,
		places,
		settlement: { id: settlement.settlementId, name: settlement.name, can: settlement.can },
		openAppeals: await points.countOpenAppeals(actor, settlement.settlementId),
		...page,
		status,
		household: q.household,
		after: q.after ?? null,
		saved
	};
};

export const actions: Actions = {
	handover: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(handoverSchema), { id: 'handover' });
		if (!form.valid) return fail(400, { form });
		const result = await shop.markHandedOver(actor, form.data.redemptionId);
		if (!result.ok) return setError(form, 'redemptionId', m.shop_fail_already());
		const settlement = event.url.searchParams.get('settlement');
		redirect(303, withQuery('/points/redemptions', { settlement, ok: 'handed' }));
	}
};
