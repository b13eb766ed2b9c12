import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { amountText } from '$lib/schemas/offers';
import { can, isStaff, requireAnywhere, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import type { PageServerLoad } from './$types';

// what to match, carried in the address so every view works without JavaScript
const querySchema = z.object({
	need: z.uuid().optional().catch(undefined),
	offer: z.uuid().optional().catch(undefined),
	view: z.enum(['allocate']).optional().catch(undefined),
	region: z.uuid().optional().catch(undefined)
});

/** One key per pledge form shown: a double click or a retry of it makes one pledge. */
const newKey = () => crypto.randomUUID().replaceAll('-', '');

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const acting = await charity.actingOrganization(actor);
	const organization =
		acting && can(actor, 'pledge.create', { organizationId: acting.id })
			? { id: acting.id, name: acting.name, verified: acting.verified }
			: null;
	if (!organization) {
		requireAnywhere(actor, 'need.read');
		if (!isStaff(actor)) error(404, '页面不存在');
	}
	// an organisation may pledge from a row: the quantity as the pledge form takes it
	const pledgeable = !!organization?.verified;
	const typed = (kind: 'money' | 'goods' | 'service_hours', quantity: number) =>
		amountText(kind, Math.max(quantity, 0));

	if (q.need) {
		const ranked = await charity.rankOffersForNeed(actor, q.need);
		return {
			view: 'need' as const,
			organization,
			pledgeable: pledgeable && ranked.need.status === 'published',
			need: ranked.need,
			offers: ranked.offers.map((o) => ({
				...o,
				key: newKey(),
				typed: typed(o.kind, Math.min(o.capacityLeft, ranked.need.remaining))
			}))
		};
	}

	if (q.view === 'allocate') {
		const [regions, offers] = await Promise.all([
			charity.listAllocationRegions(actor),
			organization ? charity.listOffers(actor, { status: 'live' }) : Promise.resolve(null)
		]);
		const region = regions.find((r) => r.id === q.region) ?? null;
		const chosen = event.url.searchParams
			.getAll('offers')
			.filter((id) => z.uuid().safeParse(id).success);
		const result = await charity.proposeAllocation(
			actor,
			{ regionPath: region?.path, offerIds: chosen.length ? chosen : undefined },
			{ limit: 200 }
		);
		return {
			view: 'allocate' as const,
			organization,
			pledgeable,
			regions,
			region: region?.id ?? '',
			offers: (offers?.rows ?? [])
				.filter((o) => o.status === 'live')
				.map((o) => ({ id: o.id, title: o.title })),
			chosen,
			unverified: !result.ok,
			lines: result.ok
				? result.lines.map((l) => ({ ...l, key: newKey(), typed: typed(l.kind, l.quantity) }))
				: [],
			totals: result.ok ? result.totals : null,
			truncated: result.ok && result.truncated
		};
	}

	if (organization) {
		const [ranked, offers] = await Promise.all([
			charity.rankNeedsForOrganization(actor, { offerId: q.offer }),
			charity.listOffers(actor, { status: 'live' })
		]);
		return {
			view: 'organization' as const,
			organization,
			pledgeable,
			offer: q.offer ?? '',
			offers: offers.rows
				.filter((o) => o.status === 'live')
				.map((o) => ({ id: o.id, title: o.title })),
			needs: ranked.needs.map((n) => ({
				...n,
				key: newKey(),
				typed: typed(n.need.kind, Math.min(n.capacityLeft, n.need.remaining))
			}))
		};
	}

	return {
		view: 'staff' as const,
		organization,
		pledgeable: false,
		needs: await charity.listNeedsToMatch(actor, { limit: 30 })
	};
};
