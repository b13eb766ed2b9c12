import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { raiseFlagSchema, toShanghaiLocal, type RaiseFlagForm } from '$lib/schemas/risks';
import { can, requireAnywhere, requirePermission, requireUser } from '$lib/server/access';
import * as activities from '$lib/server/activities';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

// the choices made so far, carried in the address so every step works without JavaScript
const querySchema = z.object({
	settlement: z.uuid().optional().catch(undefined),
	household: z.uuid().optional().catch(undefined),
	q: z.string().trim().max(50).optional().catch(undefined)
});

/** One key per form shown: a double submit or a retry of it raises one flag. */
const newKey = () => crypto.randomUUID().replaceAll('-', '');

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'risk.report');
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const places = (await activities.listReportSettlements(actor)).filter((s) =>
		can(actor, 'risk.report', { settlementId: s.id, regionPath: s.regionPath })
	);
	let household: {
		id: string;
		headName: string;
		unit: string;
		settlementId: string;
		settlementName: string;
		active: boolean;
	} | null = null;
	let members: { id: string; name: string; relation: string }[] = [];
	let settlementId: string | null = null;
	let results: { id: string; headName: string; unit: string; members: number }[] | null = null;
	let more = false;
	if (q.household) {
		const h = await settlements.getHousehold(actor, q.household);
		// a household the actor may read but not report on is not offered here
		requirePermission(
			actor,
			'risk.report',
			{ settlementId: h.settlementId, regionPath: h.regionPath },
			'read'
		);
		household = {
			id: h.id,
			headName: h.headName,
			unit: `${h.building}${h.unitNo}${h.room}`,
			settlementId: h.settlementId,
			settlementName: h.settlementName,
			active: h.status === 'active'
		};
		members = h.members
			.filter((p) => p.status === 'active')
			.map((p) => ({ id: p.id, name: p.name, relation: p.relation }));
		settlementId = h.settlementId;
	} else {
		settlementId =
			places.find((s) => s.id === q.settlement)?.id ?? (places.length === 1 ? places[0].id : null);
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
	return {
		places: places.map((s) => ({ id: s.id, name: s.name })),
		settlementId,
		q: q.q ?? '',
		results,
		more,
		household,
		members,
		form: await superValidate(
			// no category chosen yet (superforms would pick the first): the person picks it
			{
				householdId: household?.id ?? '',
				category: '',
				foundAt: toShanghaiLocal(new Date()),
				idempotencyKey: newKey()
			} as unknown as Partial<RaiseFlagForm>,
			zod4(raiseFlagSchema),
			{ errors: false }
		)
	};
};

const failures = {
	household_ended: () => m.risk_fail_household_ended(),
	no_member: () => m.risk_fail_no_member(),
	found_later: () => m.risk_fail_found_later(),
	found_time: () => m.risk_fail_found_time()
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(raiseFlagSchema));
		if (!form.valid) return fail(400, { form });
		const result = await activities.raiseFlag(actor, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field as 'householdId' | 'residentId' | 'foundAt',
				failures[result.reason]()
			);
		redirect(303, `/risks/${result.id}?ok=new`);
	}
};
