import { error } from '@sveltejs/kit';
import { ledgerQuerySchema } from '$lib/schemas/governance-points';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import { staffPlace, viewOf } from '../place.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'points.read');
	// a resident's ledger is their household's history on /points
	if (viewOf(actor) === 'resident') error(404, '页面不存在');
	const q = ledgerQuerySchema.parse(Object.fromEntries(event.url.searchParams));
	const { places, settlement } = await staffPlace(actor, q.settlement);
	if (!settlement) return { places, settlement: null };
	const page = await points.listLedger(actor, {
		settlementId: settlement.settlementId,
		householdId: q.household || null,
		before: q.before
	});
	const household = q.household
		? (page.rows.find((r) => r.householdId === q.household) ??
			(await points.householdPoints(actor, q.household, { limit: 1 }).then((p) => ({
				headName: p.household.headName,
				unit: p.household.unit
			}))))
		: null;
	return {
		places,
		settlement: { id: settlement.settlementId, name: settlement.name, can: settlement.can },
		openAppeals: await points.countOpenAppeals(actor, settlement.settlementId),
		...page,
		household:
			household && q.household
				? { id: q.household, headName: household.headName, unit: household.unit }
				: null,
		before: q.before ?? null
	};
};
