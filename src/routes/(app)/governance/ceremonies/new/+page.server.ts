import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { ceremonyInput, ceremonySchema } from '$lib/schemas/governance-councils';
import {
	isStaff,
	requireAnywhere,
	requirePermission,
	requireUser,
	type Actor
} from '$lib/server/access';
import * as ceremonies from '$lib/server/governance/ceremonies';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

// the choices made so far, carried in the address so every step works without JavaScript
const querySchema = z.object({
	settlement: z.uuid().optional().catch(undefined),
	household: z.uuid().optional().catch(undefined),
	q: z.string().trim().max(50).optional().catch(undefined)
});

/** One key per form shown: a double submit or a retry of it files once. */
const newKey = () => crypto.randomUUID().replaceAll('-', '');

/** The household a filing is for, as the form shows it. */
async function householdFor(actor: Actor, householdId: string) {
	const h = await settlements.getHousehold(actor, householdId);
	return {
		id: h.id,
		headName: h.headName,
		unit: `${h.building}${h.unitNo}${h.room}`,
		settlementId: h.settlementId,
		settlementName: h.settlementName,
		active: h.status === 'active',
		resource: { settlementId: h.settlementId, regionPath: h.regionPath, householdId: h.id }
	};
}

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'ceremony.file');
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const staff = isStaff(actor);
	let chosen: Awaited<ReturnType<typeof householdFor>> | null = null;
	let places: { id: string; name: string }[] = [];
	let settlementId: string | null = null;
	let results: { id: string; headName: string; unit: string }[] | null = null;
	let more = false;
	if (!staff) {
		if (actor.householdId) chosen = await householdFor(actor, actor.householdId);
	} else {
		places = await ceremonies.ceremonySettlements(actor);
		if (q.household) {
			chosen = await householdFor(actor, q.household);
			// a household the actor may read but not file for is not offered here
			requirePermission(actor, 'ceremony.file', chosen.resource, 'read');
			settlementId = chosen.settlementId;
		} else {
			settlementId =
				places.find((s) => s.id === q.settlement)?.id ??
				(places.length === 1 ? places[0].id : null);
			if (settlementId && q.q) {
				const page = await settlements.listHouseholds(actor, settlementId, { search: q.q });
				results = page.rows.map((h) => ({
					id: h.id,
					headName: h.headName,
					unit: `${h.building}${h.unitNo}${h.room}`
				}));
				more = !!page.next;
			}
		}
	}
	return {
		view: staff ? ('staff' as const) : ('resident' as const),
		household: chosen && {
			id: chosen.id,
			headName: chosen.headName,
			unit: chosen.unit,
			settlementId: chosen.settlementId,
			settlementName: chosen.settlementName,
			active: chosen.active
		},
		places,
		settlementId,
		q: q.q ?? '',
		results,
		more,
		form: await superValidate(
			{
				householdId: staff ? (chosen?.id ?? '') : '',
				kind: 'wedding' as const,
				idempotencyKey: newKey()
			},
			zod4(ceremonySchema),
			{ errors: false }
		)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(ceremonySchema));
		if (!form.valid) return fail(400, { form });
		const result = await ceremonies.fileCeremony(actor, ceremonyInput(form.data));
		if (!result.ok)
			return setError(
				form,
				(result.field ?? 'householdId') as
					'householdId' | 'kind' | 'eventOn' | 'tables' | 'guests' | 'bridePrice' | 'banquetDays',
				result.message
			);
		redirect(303, `/governance/ceremonies/${result.id}?new=1`);
	}
};
