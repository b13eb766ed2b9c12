import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { offerSchema, type OfferInput } from '$lib/schemas/offers';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createOffer as makeOffer,
	createOrganization,
	createRegion,
	createSettlement,
	createUser,
	type County,
	type Organization
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	closeOffer,
	createOffer,
	getOffer,
	listOfferRegions,
	listOffers,
	offerStatus,
	updateOffer
} from './offers';

useTestDatabase();

const { offer, auditEntry } = schema;

/** An offer form as posted, parsed by its schema. */
function form(input: Partial<Record<keyof OfferInput, unknown>> = {}): OfferInput {
	return offerSchema.parse({
		title: '助学金资助计划',
		description: '为就读高中的学生每人资助 2,000 元。',
		kind: 'money',
		amount: '30,000.50',
		unit: '',
		categories: ['schooling'],
		regionIds: [],
		validFrom: '2026-01-01',
		validTo: '2027-12-31',
		...input
	});
}

let county: County;
let township: Awaited<ReturnType<typeof createRegion>>;
let otherCounty: County;
let charity: Organization;
let member: Actor;
let rival: Organization;
let rivalMember: Actor;
let civil: Actor;
let otherCivil: Actor;

beforeAll(async () => {
	county = await createCounty();
	township = await createRegion(county, { level: 'township' });
	otherCounty = await createCounty(county.city);
	charity = await createOrganization(county);
	member = (await createUser({ grants: [{ role: 'org_member', on: charity }] })).actor;
	rival = await createOrganization(county);
	rivalMember = (await createUser({ grants: [{ role: 'org_member', on: rival }] })).actor;
	civil = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] })).actor;
	otherCivil = (await createUser({ grants: [{ role: 'civil_affairs', on: otherCounty }] })).actor;
});

describe('createOffer', () => {
	it('keeps money in fen, serves the organisation’s own region by default, and is audited', async () => {
		const r = await createOffer(member, form());
		if (!r.ok) throw new Error(r.reason);
		const [row] = await db().select().from(offer).where(eq(offer.id, r.id));
		expect(row).toMatchObject({
			organizationId: charity.id,
			kind: 'money',
			capacity: 3_000_050,
			allocated: 0,
			unit: '',
			categories: ['schooling'],
			regionPaths: [county.path],
			validFrom: '2026-01-01',
			validTo: '2027-12-31',
			createdBy: member.id,
			closedAt: null
		});
		const audit = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'offer.create'), eq(auditEntry.entityId, r.id)));
		expect(audit).toHaveLength(1);
		expect(audit[0].scopePath).toBe(county.path);
	});

	it('takes goods with their unit and service hours, for the regions chosen (the widest kept)', async () => {
		const goods = await createOffer(
			member,
			form({
				kind: 'goods',
				amount: '200',
				unit: '袋',
				categories: ['living_costs', 'elder_care'],
				regionIds: [township.id, otherCounty.id]
			})
		);
		if (!goods.ok) throw new Error(goods.reason);
		const [g] = await db().select().from(offer).where(eq(offer.id, goods.id));
		expect(g).toMatchObject({ kind: 'goods', capacity: 200, unit: '袋' });
		expect([...g.regionPaths].sort()).toEqual([township.path, otherCounty.path].sort());
		// a township under a chosen county adds nothing
		const hours = await createOffer(
			member,
			form({
				kind: 'service_hours',
				amount: '120',
				unit: '小时',
				regionIds: [county.id, township.id]
			})
		);
		if (!hours.ok) throw new Error(hours.reason);
		const [h] = await db().select().from(offer).where(eq(offer.id, hours.id));
		expect(h).toMatchObject({
			kind: 'service_hours',
			capacity: 120,
			unit: '',
			regionPaths: [county.path]
		});
	});

	it('refuses a region that is not a county or township', async () => {
		const village = await createRegion(township, { level: 'village' });
		expect(await createOffer(member, form({ regionIds: [village.id] }))).toEqual({
			ok: false,
			reason: 'no_region',
			field: 'regionIds'
		});
		expect(await createOffer(member, form({ regionIds: [crypto.randomUUID()] }))).toMatchObject({
			reason: 'no_region'
		});
	});

	it('is refused while the organisation is not verified, and 403 for those who manage no offers', async () => {
		const waiting = await createOrganization(county, { verified: false });
		const newcomer = (await createUser({ grants: [{ role: 'org_member', on: waiting }] })).actor;
		const before = await db().select().from(offer).where(eq(offer.organizationId, waiting.id));
		expect(await createOffer(newcomer, form())).toEqual({ ok: false, reason: 'unverified' });
		expect(await db().select().from(offer).where(eq(offer.organizationId, waiting.id))).toEqual(
			before
		);
		const group = await createOrganization(county, {
			settlement: await createSettlement(county)
		});
		const aidAdmin = (await createUser({ grants: [{ role: 'mutual_aid_admin', on: group }] }))
			.actor;
		expect(await httpStatus(createOffer(aidAdmin, form()))).toBe(403);
		expect(await httpStatus(createOffer(civil, form()))).toBe(403);
	});

	it('offers the counties of the organisation’s city and their townships as regions', async () => {
		const regions = await listOfferRegions(member);
		const ids = regions.map((r) => r.id);
		expect(ids).toEqual(expect.arrayContaining([county.id, township.id, otherCounty.id]));
		expect(regions.every((r) => r.level === 'county' || r.level === 'township')).toBe(true);
		expect(await listOfferRegions(civil)).toEqual([]);
	});
});

describe('offers of another organisation (IDOR)', () => {
	it('are 404 to read and 403 to change, and never listed', async () => {
		const mine = await makeOffer(charity, member, county, { title: '本会的资源' });
		const theirs = await makeOffer(rival, rivalMember, county, { title: '别家的资源' });
		expect(await httpStatus(getOffer(member, theirs.id))).toBe(404);
		expect(await httpStatus(updateOffer(member, theirs.id, form()))).toBe(403);
		expect(await httpStatus(closeOffer(member, theirs.id))).toBe(403);
		expect(await httpStatus(getOffer(member, crypto.randomUUID()))).toBe(404);
		expect(await httpStatus(updateOffer(member, crypto.randomUUID(), form()))).toBe(404);
		expect(await httpStatus(closeOffer(member, 'x'))).toBe(404);
		const [after] = await db().select().from(offer).where(eq(offer.id, theirs.id));
		expect(after).toMatchObject({ title: '别家的资源', closedAt: null });
		const listed = await listOffers(member, { status: 'all' });
		expect(listed.rows.map((r) => r.id)).toContain(mine.id);
		expect(listed.rows.every((r) => r.organizationId === charity.id)).toBe(true);
		expect((await getOffer(member, mine.id)).canEdit).toBe(true);
	});

	it('are readable (not editable) by the county’s staff, and 404 to another county’s', async () => {
		const theirs = await makeOffer(rival, rivalMember, county);
		const seen = await getOffer(civil, theirs.id);
		expect(seen).toMatchObject({ id: theirs.id, canEdit: false, organizationId: rival.id });
		expect((await listOffers(civil, { status: 'all' })).rows.map((r) => r.id)).toContain(theirs.id);
		expect(await httpStatus(updateOffer(civil, theirs.id, form()))).toBe(403);
		expect(await httpStatus(getOffer(otherCivil, theirs.id))).toBe(404);
		expect((await listOffers(otherCivil, { status: 'all' })).rows.map((r) => r.id)).not.toContain(
			theirs.id
		);
	});
});

describe('updateOffer and closeOffer', () => {
	it('edits an offer and audits what changed', async () => {
		const o = await makeOffer(charity, member, county, { capacity: 500_000 });
		expect(
			await updateOffer(
				member,
				o.id,
				form({ title: '医疗救助金（第二期）', amount: '8000', categories: ['medical'] })
			)
		).toEqual({ ok: true });
		const [row] = await db().select().from(offer).where(eq(offer.id, o.id));
		expect(row).toMatchObject({
			title: '医疗救助金（第二期）',
			capacity: 800_000,
			categories: ['medical']
		});
		const [audit] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'offer.update'), eq(auditEntry.entityId, o.id)));
		expect(Object.keys((audit.summary as { changed: object }).changed)).toEqual(
			expect.arrayContaining(['title', 'capacity', 'categories'])
		);
	});

	it('never sets the capacity below what is already allocated, nor changes a pledged offer’s kind', async () => {
		const o = await makeOffer(charity, member, county, { capacity: 100_000, allocated: 60_000 });
		expect(await updateOffer(member, o.id, form({ amount: '599.99' }))).toEqual({
			ok: false,
			reason: 'below_allocated',
			field: 'amount'
		});
		expect(
			await updateOffer(member, o.id, form({ kind: 'goods', amount: '5000', unit: '件' }))
		).toEqual({
			ok: false,
			reason: 'kind_locked',
			field: 'kind'
		});
		expect(await updateOffer(member, o.id, form({ amount: '600' }))).toEqual({ ok: true });
		const [row] = await db().select().from(offer).where(eq(offer.id, o.id));
		expect(row).toMatchObject({ capacity: 60_000, allocated: 60_000 });
		// and the database's own check stands behind it
		await expect(
			db().update(offer).set({ capacity: 59_999 }).where(eq(offer.id, o.id))
		).rejects.toThrow();
	});

	it('closes an offer once; a closed offer is not edited', async () => {
		const o = await makeOffer(charity, member, county);
		expect(await closeOffer(member, o.id)).toEqual({ ok: true });
		expect(await closeOffer(member, o.id)).toEqual({ ok: false, reason: 'closed' });
		expect(await updateOffer(member, o.id, form())).toEqual({ ok: false, reason: 'closed' });
		const got = await getOffer(member, o.id);
		expect(got).toMatchObject({ status: 'closed', canEdit: false });
		const live = await listOffers(member, { status: 'live' });
		expect(live.rows.map((r) => r.id)).not.toContain(o.id);
		const closed = await listOffers(member, { status: 'closed' });
		expect(closed.rows.map((r) => r.id)).toContain(o.id);
		const audit = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'offer.close'), eq(auditEntry.entityId, o.id)));
		expect(audit).toHaveLength(1);
	});

	it('pages the list by the keyset without repeats', async () => {
		const org = await createOrganization(county);
		const someone = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;
		const made = [];
		for (let i = 0; i < 52; i++) made.push((await makeOffer(org, someone, county)).id);
		const first = await listOffers(someone, { status: 'all' });
		const second = await listOffers(someone, { status: 'all', after: first.next! });
		expect(first.rows).toHaveLength(50);
		expect(second.rows).toHaveLength(2);
		expect(second.next).toBeNull();
		expect([...first.rows, ...second.rows].map((r) => r.id).sort()).toEqual(made.sort());
	});
});

describe('offerStatus', () => {
	it('says closed, expired, used up, upcoming or live', () => {
		const base = {
			closedAt: null,
			validFrom: '2026-01-01',
			validTo: '2026-12-31',
			capacity: 10,
			allocated: 0
		};
		expect(offerStatus(base, '2026-06-01')).toBe('live');
		expect(offerStatus(base, '2025-06-01')).toBe('upcoming');
		expect(offerStatus(base, '2027-01-01')).toBe('expired');
		expect(offerStatus({ ...base, allocated: 10 }, '2026-06-01')).toBe('used_up');
		expect(offerStatus({ ...base, closedAt: new Date() }, '2026-06-01')).toBe('closed');
	});
});
