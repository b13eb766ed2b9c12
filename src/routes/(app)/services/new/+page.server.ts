import { fail, isHttpError, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { fileRequestSchema } from '$lib/schemas/services';
import {
	isStaff,
	requireAnywhere,
	requirePermission,
	requireUser,
	type Actor
} from '$lib/server/access';
import * as activities from '$lib/server/activities';
import * as services from '$lib/server/services';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

// the choices made so far, carried in the address so every step works without JavaScript
const querySchema = z.object({
	category: z.uuid().optional().catch(undefined),
	settlement: z.uuid().optional().catch(undefined),
	household: z.uuid().optional().catch(undefined),
	// filed from a care visit: the new request is linked back to it
	from_visit: z.uuid().optional().catch(undefined),
	q: z.string().trim().max(50).optional().catch(undefined)
});

/** One key per form shown: a double submit or a retry of it files one request. */
const newKey = () => crypto.randomUUID().replaceAll('-', '');

/** The household a request is for, with its members and the county catalogue it may ask from. */
async function householdFor(actor: Actor, householdId: string) {
	const h = await settlements.getHousehold(actor, householdId);
	return {
		household: {
			id: h.id,
			headName: h.headName,
			unit: `${h.building}${h.unitNo}${h.room}`,
			settlementId: h.settlementId,
			settlementName: h.settlementName,
			active: h.status === 'active'
		},
		members: h.members
			.filter((p) => p.status === 'active')
			.map((p) => ({ id: p.id, name: p.name, relation: p.relation })),
		categories: await services.categoriesFor(h.regionPath),
		resource: { settlementId: h.settlementId, regionPath: h.regionPath, householdId: h.id }
	};
}

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'service.file');
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const staff = isStaff(actor);

	let chosen: Awaited<ReturnType<typeof householdFor>> | null = null;
	let places: { id: string; name: string }[] = [];
	let settlementId: string | null = null;
	let results: { id: string; headName: string; unit: string; members: number }[] | null = null;
	let more = false;
	if (!staff) {
		if (actor.householdId) chosen = await householdFor(actor, actor.householdId);
	} else {
		places = (await services.listServiceSettlements(actor, 'service.file')).map((s) => ({
			id: s.id,
			name: s.name
		}));
		if (q.household) {
			chosen = await householdFor(actor, q.household);
			// a household the actor may read but not file for is not offered here
			requirePermission(actor, 'service.file', chosen.resource, 'read');
			settlementId = chosen.household.settlementId;
		} else {
			settlementId =
				places.find((s) => s.id === q.settlement)?.id ??
				(places.length === 1 ? places[0].id : null);
			if (settlementId && q.q) {
				const page = await settlements.listHouseholds(actor, settlementId, { search: q.q });
				results = page.rows.map((h) => ({
					id: h.id,
					headName: h.headName,
					unit: `${h.building}${h.unitNo}${h.room}`,
					members: h.members
				}));
				more = !!page.next;
			}
		}
	}
	const category = chosen?.categories.find((c) => c.id === q.category) ?? null;
	return {
		view: staff ? ('staff' as const) : ('resident' as const),
		household: chosen?.household ?? null,
		members: chosen?.members ?? [],
		categories: chosen?.categories ?? [],
		category,
		places,
		settlementId,
		q: q.q ?? '',
		fromVisit: staff && chosen ? (q.from_visit ?? null) : null,
		results,
		more,
		form: await superValidate(
			{
				categoryId: category?.id ?? '',
				householdId: staff ? (chosen?.household.id ?? '') : '',
				idempotencyKey: newKey()
			},
			zod4(fileRequestSchema),
			{ errors: false }
		)
	};
};

const failures = {
	no_household: () => m.svc_fail_no_household(),
	no_category: () => m.svc_fail_no_category(),
	no_member: () => m.svc_fail_no_member(),
	consent: () => m.svc_fail_consent(),
	household_ended: () => m.svc_fail_household_ended()
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(fileRequestSchema));
		if (!form.valid) return fail(400, { form });
		const result = await services.fileRequest(actor, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'householdId' | 'categoryId' | 'residentId' | 'consentMethod',
				failures[result.reason]()
			);
		// filed from a visit: linked back to it, as the visit page's own link would (its household
		// only, visit.record over it); if that is refused the request stands and the visit page
		// still links it by its number
		const fromVisit = querySchema.shape.from_visit.parse(
			event.url.searchParams.get('from_visit') ?? undefined
		);
		if (fromVisit && !result.duplicate)
			await activities
				.linkVisit(actor, fromVisit, { serviceRequestId: result.id })
				.catch((err: unknown) => {
					if (!isHttpError(err)) throw err;
				});
		redirect(303, `/services/${result.id}/receipt?new=1`);
	}
};
