import { fail, redirect } from '@sveltejs/kit';
import { councilKinds } from '$lib/governance/vocab';
import { councilFilterSchema, establishSchema } from '$lib/schemas/governance-councils';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as councils from '$lib/server/governance/councils';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'council.read');
	// a bad filter in the address bar is dropped, never a 500
	const filter = councilFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const places = await councils.listCouncilSettlements(actor);
	const chosen =
		places.find((p) => p.id === filter.settlement) ?? (places.length === 1 ? places[0] : null);
	const rows = chosen ? await councils.listCouncils(actor, { settlementId: chosen.id }) : [];
	return {
		places,
		chosen,
		councils: rows,
		missing: chosen ? councilKinds.filter((k) => !rows.some((r) => r.kind === k)) : [],
		saved: event.url.searchParams.get('ok')
	};
};

export const actions: Actions = {
	establish: async (event) => {
		const actor = requireUser(event);
		const data = Object.fromEntries(await event.request.formData());
		const parsed = establishSchema.safeParse(data);
		if (!parsed.success) return fail(400, { error: parsed.error.issues[0].message });
		await councils.establishCouncils(actor, parsed.data.settlementId);
		redirect(303, `/governance/councils?settlement=${parsed.data.settlementId}&ok=established`);
	}
};
