import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import {
	placeQuerySchema,
	redeemSchema,
	restockSchema,
	shopItemSchema
} from '$lib/schemas/governance-points';
import { requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import * as shop from '$lib/server/governance/shop';
import * as settlements from '$lib/server/settlements';
import { newKey, withQuery } from '../../back';
import { viewOf } from '../../place.server';
import type { Actions, PageServerLoad } from './$types';

const querySchema = placeQuerySchema.extend({
	q: z.string().trim().max(50).optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const item = await shop.getShopItem(actor, event.params.itemId);
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const staff = viewOf(actor) === 'staff';
	// whose points pay: the resident's own household, or the one staff chose at the counter
	const householdId = staff
		? item.can.redeem
			? q.household
			: ''
		: item.can.own
			? actor.householdId
			: '';
	const payer = householdId ? await points.householdPoints(actor, householdId, { limit: 1 }) : null;
	const household =
		payer && payer.household.settlementId === item.settlementId
			? {
					id: payer.household.id,
					headName: payer.household.headName,
					unit: payer.household.unit,
					balance: payer.balance
				}
			: null;
	let results: { id: string; headName: string; unit: string }[] | null = null;
	if (staff && item.can.redeem && !household && q.q) {
		const page = await settlements.listHouseholds(actor, item.settlementId, { search: q.q });
		results = page.rows.map((h) => ({
			id: h.id,
			headName: h.headName,
			unit: `${h.building}${h.unitNo}${h.room}`
		}));
	}
	return {
		item,
		staff,
		household,
		q: q.q ?? '',
		results,
		donors: item.can.manage ? await shop.listDonorOrganizations(actor, item.settlementId) : [],
		key: newKey(),
		saved: event.url.searchParams.get('ok')
	};
};

const failures: Record<string, () => string> = {
	balance: () => m.shop_fail_balance(),
	stock: () => m.shop_fail_stock(),
	inactive: () => m.shop_fail_inactive(),
	no_item: () => m.shop_fail_no_item(),
	quantity: () => m.shop_fail_quantity(),
	household: () => m.shop_fail_household(),
	cost: () => m.shop_fail_cost(),
	no_organization: () => m.shop_fail_no_organization()
};

const done = (itemId: string, what: string) => redirect(303, `/points/shop/${itemId}?ok=${what}`);

export const actions: Actions = {
	update: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(shopItemSchema), { id: 'update' });
		if (!form.valid) return fail(400, { form });
		const result = await shop.updateShopItem(actor, event.params.itemId, form.data);
		if (!result.ok) return setError(form, 'cost', failures[result.reason]());
		done(event.params.itemId, 'updated');
	},
	restock: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(restockSchema), { id: 'restock' });
		if (!form.valid) return fail(400, { form });
		const result = await shop.restock(actor, event.params.itemId, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'quantity' | 'donorOrganizationId',
				failures[result.reason]()
			);
		done(event.params.itemId, 'restocked');
	},
	redeem: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(redeemSchema), { id: 'redeem' });
		if (!form.valid) return fail(400, { form });
		const result = await shop.redeem(actor, { ...form.data, itemId: event.params.itemId });
		if (!result.ok)
			return setError(
				form,
				result.field as 'quantity' | 'itemId' | 'householdId',
				failures[result.reason]()
			);
		if (viewOf(actor) === 'resident') redirect(303, '/points/redemptions?ok=redeemed');
		redirect(303, withQuery('/points/shop', { household: form.data.householdId, ok: 'redeemed' }));
	}
};
