import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HelpKind, NeedCategory } from '$lib/charity/vocab';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createNeed,
	createOffer,
	createOrganization,
	createRegion,
	createSettlement,
	createUser,
	sequence,
	type County,
	type Household,
	type Member,
	type Organization,
	type Settlement
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	byMatchScore,
	listNeedsToMatch,
	receivedYear,
	scoreMatch,
	proposeAllocation,
	rankNeedsForOrganization,
	rankOffersForNeed,
	type ProposedLine
} from './matching';

useTestDatabase();

const day = 86_400_000;
const now = new Date();
const year = now.getUTCFullYear();
/** Published `days` whole days (and an hour) before now. */
const publishedDaysAgo = (days: number) => new Date(now.getTime() - days * day - 3_600_000);

async function deliveredPledge(
	need: { id: string },
	org: { id: string },
	by: { id: string },
	quantity: number,
	deliveredAt: Date
) {
	await db()
		.insert(schema.pledge)
		.values({
			needId: need.id,
			organizationId: org.id,
			quantity,
			status: 'delivered',
			idempotencyKey: `k${sequence()}`,
			createdBy: by.id,
			deliveredAt
		});
}

describe('rankOffersForNeed', () => {
	let county: County;
	let township: Awaited<ReturnType<typeof createRegion>>;
	let place: Settlement;
	let home: Household & { members: Member[] };
	let staff: Actor;
	let charity: Organization;
	let member: Actor;
	let need: Awaited<ReturnType<typeof createNeed>>;
	const offers: Record<string, string> = {};

	beforeAll(async () => {
		county = await createCounty();
		township = await createRegion(county, { level: 'township' });
		const otherCounty = await createCounty(county.city);
		place = await createSettlement(township);
		home = await createHousehold(place);
		staff = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		charity = await createOrganization(county);
		member = (await createUser({ grants: [{ role: 'org_member', on: charity }] })).actor;
		const other = await createOrganization(county);
		const waiting = await createOrganization(county, { verified: false });
		need = await createNeed(home, staff, {
			category: 'medical',
			kind: 'money',
			quantity: 150_000,
			pledged: 50_000,
			urgency: 3,
			verifiedAt: publishedDaysAgo(45)
		});
		// 2,500 yuan of money delivered to the household this year: half the received points
		const earlier = await createNeed(home, staff, {
			quantity: 250_000,
			pledged: 250_000,
			delivered: 250_000,
			status: 'delivered'
		});
		await deliveredPledge(earlier, charity, member, 250_000, now);
		// not counted: last year, and another kind
		const old = await createNeed(home, staff, {
			quantity: 900_000,
			pledged: 900_000,
			delivered: 900_000,
			status: 'delivered'
		});
		await deliveredPledge(old, charity, member, 900_000, new Date(Date.UTC(year - 1, 5, 1)));
		const goods = await createNeed(home, staff, {
			kind: 'goods',
			quantity: 50,
			pledged: 50,
			delivered: 50,
			status: 'delivered'
		});
		await deliveredPledge(goods, charity, member, 50, now);

		const make = async (
			key: string,
			org: Organization,
			region: { path: string },
			input: Parameters<typeof createOffer>[3] = {}
		) => {
			offers[key] = (await createOffer(org, member, region, { title: key, ...input })).id;
		};
		await make('full', charity, county, { categories: ['medical'], capacity: 200_000 });
		await make('twin', other, county, { categories: ['medical'], capacity: 500_000 });
		await make('half', charity, township, { categories: ['medical'], capacity: 50_000 });
		await make('categoryOnly', other, otherCounty, { categories: ['medical'], capacity: 100_000 });
		await make('regionOnly', charity, county, { categories: ['schooling'], capacity: 10_000 });
		// never listed
		await make('neither', other, otherCounty, { categories: ['schooling'] });
		await make('goods', other, county, { kind: 'goods', categories: ['medical'], unit: '件' });
		await make('closed', other, county, { categories: ['medical'], closedAt: new Date() });
		await make('expired', other, county, { categories: ['medical'], validTo: `${year - 1}-12-31` });
		await make('notYet', other, county, {
			categories: ['medical'],
			validFrom: `${year + 1}-01-01`
		});
		await make('usedUp', other, county, { categories: ['medical'], capacity: 10, allocated: 10 });
		await make('unverified', waiting, county, { categories: ['medical'] });
	});

	it('ranks the matching live offers by score, ties by id, with every reason', async () => {
		const { need: card, offers: ranked, view } = await rankOffersForNeed(staff, need.id, { now });
		expect(view).toBe('staff');
		expect(card).toMatchObject({
			remaining: 100_000,
			urgency: 3,
			daysWaiting: 45,
			receivedThisYear: 250_000
		});
		const twins = [offers.full, offers.twin].sort();
		expect(ranked.map((r) => r.id)).toEqual([
			...twins,
			offers.half,
			offers.categoryOnly,
			offers.regionOnly
		]);
		// constant for one need: urgency 15, waiting 45/90 → 5, received 2,500/5,000 yuan → 5
		const constant = 15 + 5 + 5;
		expect(ranked.map((r) => r.score)).toEqual([
			65 + constant,
			65 + constant,
			57 + constant,
			40 + constant,
			26 + constant
		]);
		const half = ranked.find((r) => r.id === offers.half)!;
		expect(Object.fromEntries(half.reasons.map((r) => [r.key, r.points]))).toEqual({
			category: 25,
			region: 25,
			capacity: 7,
			urgency: 15,
			waiting: 5,
			received: 5
		});
		expect(half).toMatchObject({ categoryMatch: true, regionMatch: true, capacityLeft: 50_000 });
		const regionOnly = ranked.find((r) => r.id === offers.regionOnly)!;
		expect(regionOnly).toMatchObject({ categoryMatch: false, regionMatch: true });
	});

	it('shows a member of an organisation only its own offers, and only for a published need', async () => {
		const seen = await rankOffersForNeed(member, need.id, { now });
		const { offers: ranked, view } = seen;
		expect(view).toBe('organization');
		// the need as an organisation sees it: no household name, unit, ID number or phone
		const text = JSON.stringify(seen);
		for (const secret of [
			home.headName,
			home.id,
			home.room,
			...home.members.flatMap((p) => [p.name, p.idNumber, p.phone!])
		])
			expect(text).not.toContain(secret);
		expect(ranked.map((r) => r.id)).toEqual([offers.full, offers.half, offers.regionOnly]);
		expect(ranked.every((r) => r.organizationId === charity.id)).toBe(true);
		const pending = await createNeed(home, staff, { status: 'pending' });
		expect(await httpStatus(rankOffersForNeed(member, pending.id, { now }))).toBe(404);
		expect((await rankOffersForNeed(staff, pending.id, { now })).view).toBe('staff');
	});

	it('is 404 for staff of another place, residents and unknown needs', async () => {
		const elsewhere = await createSettlement(county);
		const stranger = (await createUser({ grants: [{ role: 'point_admin', on: elsewhere }] })).actor;
		const resident = (
			await createUser({ grants: [{ role: 'resident', on: place }], household: home })
		).actor;
		expect(await httpStatus(rankOffersForNeed(stranger, need.id, { now }))).toBe(404);
		expect(await httpStatus(rankOffersForNeed(resident, need.id, { now }))).toBe(404);
		expect(await httpStatus(rankOffersForNeed(staff, crypto.randomUUID(), { now }))).toBe(404);
		expect(await httpStatus(rankOffersForNeed(staff, 'nope', { now }))).toBe(404);
	});

	it('lists the open needs staff may read in allocation order', async () => {
		const list = await listNeedsToMatch(staff, { now });
		expect(list.map((n) => n.id)).toContain(need.id);
		expect(list.every((n) => n.remaining > 0 && n.status === 'published')).toBe(true);
		expect(await httpStatus(listNeedsToMatch(member))).toBe(404);
	});
});

/**
 * The organisation's ranking read straight from the tables and scored in JavaScript: every open
 * need against every live offer of the organisation, each need by its best offer (ties by id).
 */
async function referenceRanking(organizationId: string, limit: number) {
	const { need, offer, pledge } = schema;
	const today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
	const needs = (await db().select().from(need)).filter(
		(n) => n.status === 'published' && n.pledged < n.quantity
	);
	const offers = (
		await db().select().from(offer).where(eq(offer.organizationId, organizationId))
	).filter(
		(o) => !o.closedAt && o.validFrom <= today && o.validTo >= today && o.allocated < o.capacity
	);
	const [yearStart, yearEnd] = receivedYear(now);
	const households = new Map((await db().select().from(need)).map((n) => [n.id, n]));
	const received = new Map<string, number>();
	for (const p of await db().select().from(pledge)) {
		const n = households.get(p.needId)!;
		if (!['delivered', 'confirmed'].includes(p.status) || !p.deliveredAt) continue;
		if (p.deliveredAt < yearStart || p.deliveredAt >= yearEnd) continue;
		const key = `${n.householdId}|${n.kind}`;
		received.set(key, (received.get(key) ?? 0) + p.quantity);
	}
	const ranked = [];
	for (const n of needs) {
		let best: { id: string; score: number } | null = null;
		for (const o of offers) {
			if (o.kind !== n.kind || (n.kind === 'goods' && o.unit !== n.unit)) continue;
			const categoryMatch = o.categories.includes(n.category);
			const regionMatch = o.regionPaths.some((p) => n.regionPath.startsWith(p));
			if (!categoryMatch && !regionMatch) continue;
			const { score } = scoreMatch({
				kind: n.kind,
				categoryMatch,
				regionMatch,
				capacityLeft: o.capacity - o.allocated,
				remaining: n.quantity - n.pledged,
				urgency: n.urgency,
				daysWaiting: Math.max(
					0,
					Math.floor((now.getTime() - (n.verifiedAt ?? n.createdAt).getTime()) / day)
				),
				receivedThisYear: received.get(`${n.householdId}|${n.kind}`) ?? 0
			});
			if (!best || score > best.score || (score === best.score && o.id < best.id))
				best = { id: o.id, score };
		}
		if (best) ranked.push({ id: n.id, score: best.score, offerId: best.id });
	}
	return ranked
		.sort(byMatchScore)
		.slice(0, limit)
		.map((r) => [r.id, r.score, r.offerId]);
}

describe('rankNeedsForOrganization', () => {
	it('ranks published open needs by the organisation’s best offer, anonymised', async () => {
		const county = await createCounty();
		const place = await createSettlement(county);
		const staff = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		const org = await createOrganization(county);
		const member = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;
		const homes = [];
		for (let i = 0; i < 4; i++) homes.push(await createHousehold(place, { members: 3 }));
		const secret = `内部情况${sequence()}：户主患病，住院号 A123`;
		const critical = await createNeed(homes[0], staff, {
			category: 'medical',
			urgency: 3,
			detail: secret,
			publicDetail: '需要住院费用',
			healthConsent: false,
			verifiedAt: publishedDaysAgo(10)
		});
		const waitedLong = await createNeed(homes[1], staff, {
			category: 'schooling',
			urgency: 1,
			detail: secret,
			publicDetail: '高中学费',
			verifiedAt: publishedDaysAgo(90)
		});
		const fresh = await createNeed(homes[2], staff, {
			category: 'schooling',
			urgency: 1,
			verifiedAt: publishedDaysAgo(0)
		});
		// never: pending, fully pledged, another kind
		const pending = await createNeed(homes[3], staff, { status: 'pending' });
		const full = await createNeed(homes[3], staff, { pledged: 100_000, status: 'funded' });
		const goods = await createNeed(homes[3], staff, { kind: 'goods', unit: '件', quantity: 3 });
		const best = await createOffer(org, member, county, { categories: ['medical', 'schooling'] });
		await createOffer(org, member, county, { categories: ['elder_care'], capacity: 100 });

		const { needs, organization } = await rankNeedsForOrganization(member, { now });
		expect(organization).toMatchObject({ id: org.id, verified: true });
		const ids = needs.map((n) => n.id);
		expect(ids.slice(0, 3)).toEqual([critical.id, waitedLong.id, fresh.id]);
		for (const never of [pending.id, full.id, goods.id]) expect(ids).not.toContain(never);
		expect(needs[0]).toMatchObject({ offerId: best.id, categoryMatch: true, regionMatch: true });
		// the public words as staff verified them, never the internal detail
		expect(needs[0].need.publicDetail).toBe('需要住院费用');
		expect(needs[1].need.publicDetail).toBe('高中学费');

		// no personal data anywhere in what the organisation gets
		const text = JSON.stringify(needs);
		for (const h of homes) {
			expect(text).not.toContain(h.headName);
			expect(text).not.toContain(h.id);
			expect(text).not.toContain(h.room);
			for (const p of h.members) {
				expect(text).not.toContain(p.name);
				expect(text).not.toContain(p.idNumber);
				expect(text).not.toContain(p.phone!);
			}
		}
		expect(text).not.toContain(secret);
		expect(text).not.toContain('householdId');
		// and one offer of theirs at a time
		const only = await rankNeedsForOrganization(member, { now, offerId: best.id });
		expect(only.needs.every((n) => n.offerId === best.id)).toBe(true);
		expect((await rankNeedsForOrganization(member, { now, offerId: 'x' })).needs).toEqual([]);
		expect(await httpStatus(rankNeedsForOrganization(staff, { now }))).toBe(403);
	});

	it('agrees with a plain reading of the tables on random worlds (property)', async () => {
		const cats: NeedCategory[] = ['medical', 'schooling', 'housing_repair'];
		const kinds: HelpKind[] = ['money', 'goods'];
		await fc.assert(
			fc.asyncProperty(
				fc.array(
					fc.record({
						kind: fc.constantFrom(...kinds),
						category: fc.constantFrom(...cats),
						place: fc.integer({ min: 0, max: 2 }),
						quantity: fc.integer({ min: 2, max: 40 }),
						urgency: fc.integer({ min: 1, max: 3 }),
						days: fc.integer({ min: 0, max: 120 }),
						received: fc.integer({ min: 0, max: 30 })
					}),
					{ minLength: 1, maxLength: 6 }
				),
				fc.array(
					fc.record({
						kind: fc.constantFrom(...kinds),
						categories: fc.subarray(cats, { minLength: 1 }),
						regions: fc.subarray([0, 1, 2], { minLength: 1 }),
						capacity: fc.integer({ min: 1, max: 60 })
					}),
					{ minLength: 1, maxLength: 4 }
				),
				fc.integer({ min: 1, max: 5 }),
				async (needSpecs, offerSpecs, limit) => {
					const county = await createCounty();
					const town = await createRegion(county, { level: 'township' });
					const places = [
						await createSettlement(town),
						await createSettlement(county),
						await createSettlement(await createCounty(county.city))
					];
					const regions = [county, town, county.city];
					const staff = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] }))
						.actor;
					const org = await createOrganization(county);
					const member = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;
					for (const s of needSpecs) {
						const home = await createHousehold(places[s.place], { members: 0 });
						const unit = s.kind === 'goods' ? '件' : '';
						await createNeed(home, staff, {
							kind: s.kind,
							category: s.category,
							unit,
							quantity: s.quantity,
							urgency: s.urgency,
							verifiedAt: publishedDaysAgo(s.days)
						});
						if (s.received > 0) {
							const done = await createNeed(home, staff, {
								kind: s.kind,
								unit,
								quantity: s.received,
								pledged: s.received,
								delivered: s.received,
								status: 'delivered'
							});
							await deliveredPledge(done, org, member, s.received, now);
						}
					}
					for (const s of offerSpecs)
						await createOffer(org, member, county, {
							kind: s.kind,
							categories: s.categories,
							unit: s.kind === 'goods' ? '件' : '',
							regionPaths: s.regions.map((i) => regions[i].path),
							capacity: s.capacity
						});
					const got = await rankNeedsForOrganization(member, { now, limit });
					const expected = await referenceRanking(org.id, limit);
					expect(got.needs.map((n) => [n.id, n.score, n.offerId])).toEqual(expected);
				}
			),
			{ numRuns: 20 }
		);
	}, 240_000);

	it('puts a full match with few points of its own above an urgent partial match', async () => {
		const county = await createCounty();
		const place = await createSettlement(county);
		const staff = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		const org = await createOrganization(county);
		const member = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;
		const home = await createHousehold(place);
		// urgent but only in the region: 15 + 0 + 10 own, 25 + 15 offer = 65
		const urgent = await createNeed(home, staff, { category: 'employment', urgency: 3 });
		// ordinary but a full match: 0 + 0 + 10 own, 65 offer = 75
		const matching = await createNeed(home, staff, { category: 'disability_aid', urgency: 1 });
		await createOffer(org, member, county, { categories: ['disability_aid'] });
		const { needs } = await rankNeedsForOrganization(member, { now, limit: 1 });
		expect(needs.map((n) => [n.id, n.score])).toEqual([[matching.id, 75]]);
		const two = await rankNeedsForOrganization(member, { now, limit: 2 });
		expect(two.needs.map((n) => [n.id, n.score])).toEqual([
			[matching.id, 75],
			[urgent.id, 65]
		]);
	});
});

// ---------------------------------------------------------------------------------------------
// Bulk allocation

interface WorldNeed {
	id: string;
	kind: HelpKind;
	category: NeedCategory;
	unit: string;
	regionPath: string;
	remaining: number;
	urgency: number;
	days: number;
}
interface WorldOffer {
	id: string;
	organizationId: string;
	kind: HelpKind;
	categories: NeedCategory[];
	unit: string;
	regionPaths: string[];
	left: number;
}

const eligible = (n: WorldNeed, o: WorldOffer) =>
	n.kind === o.kind &&
	o.categories.includes(n.category) &&
	o.regionPaths.some((p) => n.regionPath.startsWith(p)) &&
	(n.kind !== 'goods' || n.unit === o.unit);

/** The order needs are served in: urgency, then days waiting, then id. */
const before = (a: WorldNeed, b: WorldNeed) =>
	b.urgency - a.urgency || b.days - a.days || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Checks every promise of the allocation against the world it ran on. */
function checkAllocation(lines: ProposedLine[], needs: WorldNeed[], offers: WorldOffer[]) {
	const needOf = new Map(needs.map((n) => [n.id, n]));
	const offerOf = new Map(offers.map((o) => [o.id, o]));
	const toNeed = new Map<string, number>();
	const fromOffer = new Map<string, number>();
	for (const l of lines) {
		const n = needOf.get(l.needId)!;
		const o = offerOf.get(l.offerId)!;
		expect(n && o, 'a line names a need and an offer of the scope').toBeTruthy();
		expect(eligible(n, o), 'same kind, category and region (and unit)').toBe(true);
		expect(l.quantity).toBeGreaterThan(0);
		expect(l.organizationId).toBe(o.organizationId);
		toNeed.set(n.id, (toNeed.get(n.id) ?? 0) + l.quantity);
		fromOffer.set(o.id, (fromOffer.get(o.id) ?? 0) + l.quantity);
	}
	for (const n of needs) expect(toNeed.get(n.id) ?? 0).toBeLessThanOrEqual(n.remaining);
	for (const o of offers) expect(fromOffer.get(o.id) ?? 0).toBeLessThanOrEqual(o.left);
	const covered = (n: WorldNeed) => (toNeed.get(n.id) ?? 0) === n.remaining;
	const usedUp = (o: WorldOffer) => (fromOffer.get(o.id) ?? 0) === o.left;
	// urgency first: an offer gives to a need only when every need before it that it could serve is covered
	for (const l of lines) {
		const later = needOf.get(l.needId)!;
		const o = offerOf.get(l.offerId)!;
		for (const earlier of needs)
			if (before(earlier, later) < 0 && eligible(earlier, o))
				expect(covered(earlier), 'a need served earlier is covered first').toBe(true);
	}
	// nothing left on the table: a need not covered has no eligible offer with capacity left
	for (const n of needs)
		if (!covered(n)) for (const o of offers) if (eligible(n, o)) expect(usedUp(o)).toBe(true);
}

describe('proposeAllocation', () => {
	it('serves urgency first, then the longest wait, never over an offer or a need, the same each time', async () => {
		const county = await createCounty();
		const town = await createRegion(county, { level: 'township' });
		const place = await createSettlement(town);
		const far = await createSettlement(await createCounty(county.city));
		const civil = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] })).actor;
		const org = await createOrganization(county);
		const member = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;
		const home = await createHousehold(place);
		const mk = (input: Parameters<typeof createNeed>[2]) => createNeed(home, civil, input);
		const low = await mk({ urgency: 1, quantity: 60_000, verifiedAt: publishedDaysAgo(80) });
		const highNew = await mk({ urgency: 3, quantity: 50_000, verifiedAt: publishedDaysAgo(1) });
		const highOld = await mk({
			urgency: 3,
			quantity: 30_000,
			pledged: 10_000,
			verifiedAt: publishedDaysAgo(20)
		});
		const mid = await mk({ urgency: 2, quantity: 40_000, verifiedAt: publishedDaysAgo(5) });
		const otherCategory = await mk({ urgency: 3, category: 'employment', quantity: 10_000 });
		const farNeed = await createNeed(await createHousehold(far), civil, { urgency: 3 });
		// 1,000 yuan across two offers: the sooner-ending one drawn first
		const soon = await createOffer(org, member, county, {
			categories: ['medical'],
			capacity: 40_000,
			allocated: 10_000,
			validTo: `${year}-12-31`
		});
		const later = await createOffer(org, member, town, {
			categories: ['medical'],
			capacity: 70_000,
			validTo: `${year + 1}-12-31`
		});
		const result = await proposeAllocation(civil, {}, { now });
		if (!result.ok) throw new Error(result.reason);
		const lines = result.lines.map((l) => [l.needId, l.offerId, l.quantity]);
		expect(lines).toEqual([
			[highOld.id, soon.id, 20_000],
			[highNew.id, soon.id, 10_000],
			[highNew.id, later.id, 40_000],
			[mid.id, later.id, 30_000]
		]);
		expect(result.totals).toMatchObject({
			lines: 4,
			needs: 3,
			needsCovered: 2,
			offersUsed: 2,
			quantity: { money: 100_000, goods: 0, service_hours: 0 }
		});
		for (const l of result.lines)
			expect([low.id, otherCategory.id, farNeed.id]).not.toContain(l.needId);
		// deterministic, and nothing written
		const again = await proposeAllocation(civil, {}, { now });
		expect(again).toEqual(result);
		const [o] = await db().select().from(schema.offer).where(eq(schema.offer.id, soon.id));
		expect(o.allocated).toBe(10_000);
		// a region narrows the needs; chosen offers narrow the offers
		const inTown = await proposeAllocation(
			civil,
			{ regionPath: town.path, offerIds: [later.id] },
			{ now }
		);
		if (!inTown.ok) throw new Error(inTown.reason);
		expect(inTown.lines.every((l) => l.offerId === later.id)).toBe(true);
		expect(inTown.lines[0]).toMatchObject({ needId: highOld.id, quantity: 20_000 });
		// the organisation proposes from its own offers only, over any open need
		const mine = await proposeAllocation(member, {}, { now });
		if (!mine.ok) throw new Error(mine.reason);
		expect(mine.lines.map((l) => [l.needId, l.offerId, l.quantity])).toContainEqual([
			highOld.id,
			soon.id,
			20_000
		]);
		// shown lines carry no personal data
		const text = JSON.stringify(mine.lines);
		expect(text).not.toContain(home.headName);
		expect(text).not.toContain(home.room);
		for (const p of home.members) expect(text).not.toContain(p.idNumber);
		// limit keeps the lines shown, the totals count all
		const one = await proposeAllocation(civil, {}, { now, limit: 1 });
		if (!one.ok) throw new Error(one.reason);
		expect(one.lines).toHaveLength(1);
		expect(one).toMatchObject({ truncated: true, totals: { lines: 4 } });
	});

	it('refuses an unverified organisation, and is 404 for residents', async () => {
		const county = await createCounty();
		const place = await createSettlement(county);
		const waiting = await createOrganization(county, { verified: false });
		const newcomer = (await createUser({ grants: [{ role: 'org_member', on: waiting }] })).actor;
		expect(await proposeAllocation(newcomer, {})).toEqual({ ok: false, reason: 'unverified' });
		const resident = (await createUser({ grants: [{ role: 'resident', on: place }] })).actor;
		expect(await httpStatus(proposeAllocation(resident, {}))).toBe(404);
	});

	it('keeps every promise on random small worlds (property)', async () => {
		const kinds: HelpKind[] = ['money', 'goods'];
		const cats: NeedCategory[] = ['medical', 'schooling', 'elder_care'];
		const needArb = fc.record({
			kind: fc.constantFrom(...kinds),
			category: fc.constantFrom(...cats),
			unit: fc.constantFrom('件', '袋'),
			place: fc.integer({ min: 0, max: 2 }),
			quantity: fc.integer({ min: 1, max: 50 }),
			pledgedPart: fc.integer({ min: 0, max: 3 }),
			urgency: fc.integer({ min: 1, max: 3 }),
			days: fc.integer({ min: 0, max: 4 })
		});
		const offerArb = fc.record({
			kind: fc.constantFrom(...kinds),
			categories: fc.subarray(cats, { minLength: 1 }),
			unit: fc.constantFrom('件', '袋'),
			regions: fc.subarray([0, 1, 2, 3], { minLength: 1 }),
			capacity: fc.integer({ min: 1, max: 80 }),
			allocatedPart: fc.integer({ min: 0, max: 2 }),
			validTo: fc.integer({ min: 0, max: 2 })
		});
		await fc.assert(
			fc.asyncProperty(
				fc.array(needArb, { minLength: 1, maxLength: 8 }),
				fc.array(offerArb, { minLength: 1, maxLength: 5 }),
				async (needSpecs, offerSpecs) => {
					// a world of its own: a new province, a county with two townships
					const county = await createCounty();
					const towns = [
						await createRegion(county, { level: 'township' }),
						await createRegion(county, { level: 'township' })
					];
					const places = [
						await createSettlement(towns[0]),
						await createSettlement(towns[1]),
						await createSettlement(county)
					];
					const regions = [county, towns[0], towns[1], county.city];
					const civil = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] }))
						.actor;
					const homes = await Promise.all(places.map((p) => createHousehold(p, { members: 0 })));
					const org = await createOrganization(county);
					const needs: WorldNeed[] = [];
					for (const s of needSpecs) {
						const pledged = Math.floor((s.quantity * s.pledgedPart) / 4);
						const row = await createNeed(homes[s.place], civil, {
							kind: s.kind,
							category: s.category,
							unit: s.kind === 'goods' ? s.unit : '',
							quantity: s.quantity,
							pledged,
							urgency: s.urgency,
							verifiedAt: publishedDaysAgo(s.days)
						});
						needs.push({
							id: row.id,
							kind: s.kind,
							category: s.category,
							unit: row.unit,
							regionPath: row.regionPath,
							remaining: s.quantity - pledged,
							urgency: s.urgency,
							days: s.days
						});
					}
					const offers: WorldOffer[] = [];
					for (const s of offerSpecs) {
						const allocated = Math.floor((s.capacity * s.allocatedPart) / 3);
						const paths = s.regions.map((i) => regions[i].path);
						const row = await createOffer(org, civil, county, {
							kind: s.kind,
							categories: s.categories,
							unit: s.kind === 'goods' ? s.unit : '',
							regionPaths: paths,
							capacity: s.capacity,
							allocated,
							validTo: `${year + s.validTo}-12-31`
						});
						offers.push({
							id: row.id,
							organizationId: org.id,
							kind: s.kind,
							categories: s.categories,
							unit: row.unit,
							regionPaths: paths,
							left: s.capacity - allocated
						});
					}
					const seen: ProposedLine[] = [];
					const result = await proposeAllocation(
						civil,
						{},
						{ now, limit: 2, onLine: (l) => seen.push(l) }
					);
					if (!result.ok) throw new Error(result.reason);
					const live = offers.filter((o) => o.left > 0);
					checkAllocation(seen, needs, live);
					expect(result.totals.lines).toBe(seen.length);
					expect(
						result.lines.map(({ needId, offerId, quantity }) => ({ needId, offerId, quantity }))
					).toEqual(
						seen.slice(0, 2).map(({ needId, offerId, quantity }) => ({ needId, offerId, quantity }))
					);
					const again: ProposedLine[] = [];
					await proposeAllocation(civil, {}, { now, onLine: (l) => again.push(l) });
					expect(again).toEqual(seen);
				}
			),
			{ numRuns: 25 }
		);
	}, 240_000);
});
