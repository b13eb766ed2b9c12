import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { placeQuerySchema, shopItemSchema } from '$lib/schemas/governance-points';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import * as shop from '$lib/server/governance/shop';
import { staffPlace, viewOf } from '../place.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'points.read');
	const q = placeQuerySchema.parse(Object.fromEntries(event.url.searchParams));
	const saved = event.url.searchParams.get('ok');

	if (viewOf(actor) === 'resident') {
		if (!actor.householdId) return { view: 'resident' as const, mine: null };
		const mine = await points.householdPoints(actor, actor.householdId, { limit: 1 });
		const settlementId = mine.household.settlementId;
		return {
			view: 'resident' as const,
			mine: { balance: mine.balance, settlementName: mine.household.settlementName },
			items: await shop.listShopItems(actor, settlementId),
			donations: await shop.listDonations(actor, settlementId),
			saved
		};
	}

	// a household chosen at the counter names its settlement
	const counter = q.household
		? await points.householdPoints(actor, q.household, { limit: 1 })
		: null;
	const { places, settlement } = await staffPlace(
		actor,
		counter?.household.settlementId ?? q.settlement
	);
	if (!settlement) return { view: 'staff' as const, places, settlement: null };
	return {
		view: 'staff' as const,
		places,
		settlement: { id: settlement.settlementId, name: settlement.name, can: settlement.can },
		openAppeals: await points.countOpenAppeals(actor, settlement.settlementId),
		items: await shop.listShopItems(actor, settlement.settlementId),
		donations: await shop.listDonations(actor, settlement.settlementId),
		household:
			counter && counter.can.redeemAtCounter
				? {
						id: counter.household.id,
						headName: counter.household.headName,
						unit: counter.household.unit,
						balance: counter.balance
					}
				: null,
		saved
	};
};

export const actions: Actions = {
	create: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(shopItemSchema), { id: 'create' });
		if (!form.valid) return fail(400, { form });
		const settlementId = event.url.searchParams.get('settlement') ?? '';
		const result = await shop.createShopItem(actor, settlementId, form.data);
		if (!result.ok) return setError(form, 'cost', m.shop_fail_cost());
		redirect(303, `/points/shop/${result.id}?ok=created`);
	}
};
