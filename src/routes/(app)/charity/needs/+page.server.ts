import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { needCategories } from '$lib/charity/vocab';
import { m } from '$lib/paraglide/messages';
import { needFilterSchema, raiseNeedSchema } from '$lib/schemas/needs';
import { canAnywhere, isStaff, requireAnywhere, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

// the staff's household picker, carried in the address so it works without JavaScript
const pickSchema = z.object({
	settlement: z.uuid().optional().catch(undefined),
	household: z.uuid().optional().catch(undefined),
	q: z.string().trim().max(50).optional().catch(undefined)
});

async function emptyForm(householdId = '') {
	return superValidate({ householdId, kind: 'money' as const, urgency: 1 }, zod4(raiseNeedSchema), {
		errors: false
	});
}

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const saved = event.url.searchParams.get('ok');

	// an organisation's members have no household's needs to read: they see their pledges
	if (!canAnywhere(actor, 'need.read')) {
		const organization = await charity.getPledgingOrganization(actor);
		if (!organization) requireAnywhere(actor, 'need.read');
		const before = event.url.searchParams.get('before') ?? undefined;
		return {
			view: 'org' as const,
			organization: organization!,
			pledges: await charity.listPledges(actor, { before }),
			before: before ?? null,
			saved
		};
	}

	const filter = needFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	if (!isStaff(actor)) {
		return {
			view: 'resident' as const,
			hasHousehold: !!actor.householdId,
			needs: await charity.listNeeds(actor, { before: filter.before }),
			before: filter.before ?? null,
			form: await emptyForm(),
			saved
		};
	}

	const pick = pickSchema.parse(Object.fromEntries(event.url.searchParams));
	const places = await charity.listNeedSettlements(actor);
	const raisable = places.filter((p) => p.canRaise);
	let household: {
		id: string;
		headName: string;
		unit: string;
		settlementName: string;
		active: boolean;
	} | null = null;
	let settlementId: string | null = null;
	let results: { id: string; headName: string; unit: string }[] | null = null;
	let more = false;
	if (pick.household) {
		const h = await settlements.getHousehold(actor, pick.household);
		// a household the actor may read but not raise for is not offered here
		if (raisable.some((p) => p.id === h.settlementId)) {
			household = {
				id: h.id,
				headName: h.headName,
				unit: `${h.building}${h.unitNo}${h.room}`,
				settlementName: h.settlementName,
				active: h.status === 'active'
			};
			settlementId = h.settlementId;
		}
	}
	if (!household) {
		settlementId =
			raisable.find((p) => p.id === pick.settlement)?.id ??
			(raisable.length === 1 ? raisable[0].id : null);
		if (settlementId && pick.q) {
			const page = await settlements.listHouseholds(actor, settlementId, { search: pick.q });
			results = page.rows.map((h) => ({
				id: h.id,
				headName: h.headName,
				unit: `${h.building}${h.unitNo}${h.room}`
			}));
			more = !!page.next;
		}
	}
	return {
		view: 'staff' as const,
		needs: await charity.listNeeds(actor, filter),
		filter,
		categories: needCategories,
		places: places.map((p) => ({ id: p.id, name: p.name })),
		raisable: raisable.map((p) => ({ id: p.id, name: p.name })),
		household,
		settlementId,
		q: pick.q ?? '',
		results,
		more,
		form: await emptyForm(household?.id ?? ''),
		saved
	};
};

const failures = {
	no_household: () => m.need_fail_no_household(),
	category: () => m.need_fail_category(),
	household_ended: () => m.need_fail_household_ended(),
	quantity: () => m.need_fail_quantity(),
	unit: () => m.need_fail_unit(),
	deadline: () => m.need_fail_deadline()
};

export const actions: Actions = {
	raise: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(raiseNeedSchema));
		if (!form.valid) return fail(400, { form });
		const result = await charity.raiseNeed(actor, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'householdId' | 'category' | 'quantity' | 'unit' | 'deadline',
				failures[result.reason]()
			);
		redirect(303, `/charity/needs/${result.id}?ok=raise`);
	}
};
