import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, sum } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { pledgeSchemas } from '$lib/schemas/needs';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createFund,
	createHousehold,
	createNeed,
	createOffer,
	createOrganization,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Organization,
	type Settlement
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import { ledgerBalance, postTransaction } from './ledger';
import { getNeed, getPublicNeed, listPublicNeeds, raiseNeed, verifyNeed } from './needs';
import {
	cancelPledge,
	confirmDelivery,
	getPledge,
	getPledgingOrganization,
	listPledgeOffers,
	listPledges,
	pledgeToNeed,
	recordDelivery
} from './pledges';

// Pledges on a real database (both engines): never over-funded under 50 concurrent pledges, one
// pledge per idempotency key however often it is sent, unverified organisations refused, the
// full flow raise → verify → pledge → deliver (a fund disbursement) → confirm → delivered, and
// an organisation seeing only its own pledges.

useTestDatabase();

let county: County;
let point: Settlement;
let home: Household & { members: Member[] };
let neighbour: Household & { members: Member[] };
let charity: Organization;
let rival: Organization;
let unverified: Organization;
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	county = await createCounty();
	point = await createSettlement(county);
	home = await createHousehold(point, { members: 2 });
	neighbour = await createHousehold(point);
	charity = await createOrganization(county);
	rival = await createOrganization(county);
	unverified = await createOrganization(county, { verified: false });
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('resident', { household: home, grants: [{ role: 'resident', on: point }] });
	await make('neighbour', { household: neighbour, grants: [{ role: 'resident', on: point }] });
	await make('community worker', { grants: [{ role: 'community_worker', on: point }] });
	await make('point admin', { grants: [{ role: 'point_admin', on: point }] });
	await make('charity', { grants: [{ role: 'org_member', on: charity }] });
	await make('rival', { grants: [{ role: 'org_member', on: rival }] });
	await make('unverified', { grants: [{ role: 'org_member', on: unverified }] });
});

let keys = 0;
const newKey = () => `k${++keys}-${randomUUID().slice(0, 8)}`;

const ok = <T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> => {
	expect(r).toMatchObject({ ok: true });
	return r as Extract<T, { ok: true }>;
};

async function needRow(id: string) {
	const [row] = await db().select().from(schema.need).where(eq(schema.need.id, id));
	return row;
}

async function pledgeCount(needId: string) {
	const [{ n }] = await db()
		.select({ n: count() })
		.from(schema.pledge)
		.where(eq(schema.pledge.needId, needId));
	return Number(n);
}

/** A published need of the home household: 1,000 yuan unless told. */
const publishedNeed = (input: Parameters<typeof createNeed>[2] = {}) =>
	createNeed(home, actors['point admin'], input);

describe('pledgeToNeed', () => {
	it('accepts exactly 33 of 50 concurrent pledges of 30 yuan to a 1,000 yuan need, ending at 990', async () => {
		const need = await publishedNeed({ quantity: 100_000 });
		const results = await Promise.all(
			Array.from({ length: 50 }, () =>
				pledgeToNeed(actors['charity'], {
					needId: need.id,
					quantity: 3_000,
					idempotencyKey: newKey()
				})
			)
		);
		const accepted = results.filter((r) => r.ok);
		const refused = results.filter((r) => !r.ok);
		expect(accepted).toHaveLength(33);
		expect(refused).toHaveLength(17);
		for (const r of refused)
			expect(r).toEqual({ ok: false, reason: 'exceeds', field: 'quantity', remaining: 1_000 });
		expect(await needRow(need.id)).toMatchObject({ pledged: 99_000, status: 'published' });
		// the refused ones left no pledge behind
		expect(await pledgeCount(need.id)).toBe(33);
		const [{ total }] = await db()
			.select({ total: sum(schema.pledge.quantity) })
			.from(schema.pledge)
			.where(eq(schema.pledge.needId, need.id));
		expect(Number(total)).toBe(99_000);
	});

	it('makes one pledge, counted once, when the same key is sent 10 times at once', async () => {
		const need = await publishedNeed({ quantity: 100_000 });
		const key = newKey();
		const results = await Promise.all(
			Array.from({ length: 10 }, () =>
				pledgeToNeed(actors['charity'], { needId: need.id, quantity: 5_000, idempotencyKey: key })
			)
		);
		const ids = new Set(results.map((r) => ok(r).id));
		expect(ids.size).toBe(1);
		expect(results.filter((r) => ok(r).duplicate)).toHaveLength(9);
		expect(await pledgeCount(need.id)).toBe(1);
		expect((await needRow(need.id)).pledged).toBe(5_000);
		// the same key from another organisation is its own pledge
		ok(
			await pledgeToNeed(actors['rival'], { needId: need.id, quantity: 5_000, idempotencyKey: key })
		);
		expect((await needRow(need.id)).pledged).toBe(10_000);
		const audits = await db()
			.select({ n: count() })
			.from(schema.auditEntry)
			.where(
				and(
					eq(schema.auditEntry.action, 'pledge.create'),
					eq(schema.auditEntry.entityId, [...ids][0])
				)
			);
		expect(Number(audits[0].n)).toBe(1);
	});

	it('refuses an over-pledge with what is left, and funds the need when it fills', async () => {
		const need = await publishedNeed({ quantity: 10_000 });
		ok(
			await pledgeToNeed(actors['charity'], {
				needId: need.id,
				quantity: 6_000,
				idempotencyKey: newKey()
			})
		);
		expect(
			await pledgeToNeed(actors['rival'], {
				needId: need.id,
				quantity: 5_000,
				idempotencyKey: newKey()
			})
		).toEqual({ ok: false, reason: 'exceeds', field: 'quantity', remaining: 4_000 });
		expect(
			await pledgeToNeed(actors['rival'], {
				needId: need.id,
				quantity: 20_000,
				idempotencyKey: newKey()
			})
		).toEqual({ ok: false, reason: 'exceeds', field: 'quantity', remaining: 4_000 });
		for (const bad of [0, -1, 1.5, Number.NaN])
			expect(
				await pledgeToNeed(actors['rival'], {
					needId: need.id,
					quantity: bad,
					idempotencyKey: newKey()
				})
			).toEqual({ ok: false, reason: 'quantity', field: 'quantity' });
		const full = ok(
			await pledgeToNeed(actors['rival'], {
				needId: need.id,
				quantity: 4_000,
				idempotencyKey: newKey()
			})
		);
		expect(full.needStatus).toBe('funded');
		expect(await needRow(need.id)).toMatchObject({ pledged: 10_000, status: 'funded' });
		expect(
			await pledgeToNeed(actors['charity'], {
				needId: need.id,
				quantity: 1,
				idempotencyKey: newKey()
			})
		).toEqual({ ok: false, reason: 'closed', field: 'quantity' });
	});

	it('refuses an organisation civil affairs has not verified', async () => {
		const need = await publishedNeed();
		expect(
			await pledgeToNeed(actors['unverified'], {
				needId: need.id,
				quantity: 100,
				idempotencyKey: newKey()
			})
		).toEqual({ ok: false, reason: 'unverified' });
		expect(await getPledgingOrganization(actors['unverified'])).toMatchObject({ verified: false });
		expect(await getPledgingOrganization(actors['charity'])).toMatchObject({
			id: charity.id,
			verified: true
		});
		expect(await getPledgingOrganization(actors['resident'])).toBeNull();
		expect(await pledgeCount(need.id)).toBe(0);
	});

	it('is for organisations only, and only to public needs', async () => {
		const need = await publishedNeed();
		for (const who of ['resident', 'point admin', 'community worker'])
			expect(
				await httpStatus(
					pledgeToNeed(actors[who], { needId: need.id, quantity: 100, idempotencyKey: newKey() })
				),
				who
			).toBe(403);
		const pending = await publishedNeed({ status: 'pending' });
		expect(
			await httpStatus(
				pledgeToNeed(actors['charity'], {
					needId: pending.id,
					quantity: 100,
					idempotencyKey: newKey()
				})
			)
		).toBe(404);
		expect(
			await httpStatus(
				pledgeToNeed(actors['charity'], { needId: 'nope', quantity: 100, idempotencyKey: newKey() })
			)
		).toBe(404);
	});

	it('draws on the organisation’s own live offer within its capacity', async () => {
		const need = await publishedNeed({ quantity: 100_000 });
		const offer = await createOffer(charity, actors['charity'], county, { capacity: 5_000 });
		const theirs = await createOffer(rival, actors['rival'], county);
		const goods = await createOffer(charity, actors['charity'], county, { kind: 'goods' });
		const expired = await createOffer(charity, actors['charity'], county, {
			validFrom: '2020-01-01',
			validTo: '2020-12-31'
		});
		ok(
			await pledgeToNeed(actors['charity'], {
				needId: need.id,
				quantity: 3_000,
				idempotencyKey: newKey(),
				offerId: offer.id
			})
		);
		const [after] = await db().select().from(schema.offer).where(eq(schema.offer.id, offer.id));
		expect(after.allocated).toBe(3_000);
		expect(
			await pledgeToNeed(actors['charity'], {
				needId: need.id,
				quantity: 3_000,
				idempotencyKey: newKey(),
				offerId: offer.id
			})
		).toEqual({ ok: false, reason: 'offer_full', field: 'offerId' });
		for (const bad of [theirs, goods, expired])
			expect(
				await pledgeToNeed(actors['charity'], {
					needId: need.id,
					quantity: 100,
					idempotencyKey: newKey(),
					offerId: bad.id
				})
			).toEqual({ ok: false, reason: 'offer', field: 'offerId' });
		// a refused offer rolled the pledge and the need back
		expect((await needRow(need.id)).pledged).toBe(3_000);
		expect(await pledgeCount(need.id)).toBe(1);
		const offers = await listPledgeOffers(actors['charity'], 'money');
		expect(offers.map((o) => o.id)).toContain(offer.id);
		expect(offers.map((o) => o.id)).not.toContain(expired.id);
		expect(offers.map((o) => o.id)).not.toContain(theirs.id);
	});
});

describe('cancelPledge', () => {
	it('gives the quantity back to the need and the offer, and opens a funded need again', async () => {
		const need = await publishedNeed({ quantity: 5_000 });
		const offer = await createOffer(charity, actors['charity'], county);
		const pledge = ok(
			await pledgeToNeed(actors['charity'], {
				needId: need.id,
				quantity: 5_000,
				idempotencyKey: newKey(),
				offerId: offer.id
			})
		);
		expect((await needRow(need.id)).status).toBe('funded');
		expect(await httpStatus(cancelPledge(actors['rival'], pledge.id))).toBe(404);
		expect(await httpStatus(cancelPledge(actors['point admin'], pledge.id))).toBe(403);
		ok(await cancelPledge(actors['charity'], pledge.id, { reason: '资金调整' }));
		expect(await needRow(need.id)).toMatchObject({ pledged: 0, status: 'published' });
		const [o] = await db().select().from(schema.offer).where(eq(schema.offer.id, offer.id));
		expect(o.allocated).toBe(0);
		expect(await cancelPledge(actors['charity'], pledge.id)).toEqual({
			ok: false,
			reason: 'not_pledged'
		});
	});
});

describe('delivery', () => {
	it('runs raise → verify → pledge → deliver from the fund → confirm → the need delivered', async () => {
		const fund = await createFund(charity, { startsOn: '2020-01-01' });
		await db().transaction(async (tx) => {
			const r = await postTransaction(tx, {
				fundId: fund.id,
				kind: 'donation',
				amount: 50_000,
				memo: '爱心捐赠',
				counterparty: '爱心人士',
				occurredOn: '2026-01-05',
				createdBy: null
			});
			expect(r.ok).toBe(true);
		});
		const raised = ok(
			await raiseNeed(actors['community worker'], {
				householdId: home.id,
				category: 'schooling',
				kind: 'money',
				quantity: '300',
				unit: '',
				urgency: 2,
				deadline: '',
				title: '学习用品',
				publicDetail: '',
				detail: `${home.headName}家的孩子升学`,
				healthConsent: false
			})
		);
		ok(
			await verifyNeed(actors['point admin'], raised.id, {
				publish: true,
				title: '初中新生学习用品',
				publicDetail: '孩子秋季升学。'
			})
		);
		const first = ok(
			await pledgeToNeed(actors['charity'], {
				needId: raised.id,
				quantity: 20_000,
				idempotencyKey: newKey()
			})
		);
		const second = ok(
			await pledgeToNeed(actors['charity'], {
				needId: raised.id,
				quantity: 10_000,
				idempotencyKey: newKey()
			})
		);
		expect(second.needStatus).toBe('funded');

		// only the pledging organisation records its delivery; confirming waits for it
		expect(await httpStatus(recordDelivery(actors['rival'], first.id, { note: '' }))).toBe(404);
		expect(await httpStatus(recordDelivery(actors['point admin'], first.id, { note: '' }))).toBe(
			403
		);
		expect(await confirmDelivery(actors['resident'], first.id)).toEqual({
			ok: false,
			reason: 'not_delivered'
		});

		const delivered = ok(
			await recordDelivery(actors['charity'], first.id, { note: '已转账至学校' })
		);
		expect(delivered.transactionId).not.toBeNull();
		expect(await recordDelivery(actors['charity'], first.id, { note: '' })).toEqual({
			ok: false,
			reason: 'not_pledged'
		});
		const [tx] = await db()
			.select()
			.from(schema.fundTransaction)
			.where(eq(schema.fundTransaction.id, delivered.transactionId!));
		expect(tx).toMatchObject({
			kind: 'disbursement',
			amount: 20_000,
			needId: raised.id,
			fundId: fund.id
		});
		expect(tx.memo).not.toContain(home.headName);
		expect(await ledgerBalance(fund.id)).toBe(30_000);
		// the household is asked to confirm
		const notes = await db()
			.select()
			.from(schema.notification)
			.where(
				and(
					eq(schema.notification.userId, actors['resident'].id),
					eq(schema.notification.kind, 'pledge.delivered')
				)
			);
		expect(notes).toHaveLength(1);

		// the org and another household may not confirm; the household may
		expect(await httpStatus(confirmDelivery(actors['charity'], first.id))).toBe(403);
		expect(await httpStatus(confirmDelivery(actors['neighbour'], first.id))).toBe(404);
		expect(ok(await confirmDelivery(actors['resident'], first.id)).needStatus).toBe('funded');
		expect(await confirmDelivery(actors['resident'], first.id)).toEqual({
			ok: false,
			reason: 'not_delivered'
		});

		ok(await recordDelivery(actors['charity'], second.id, { note: '' }));
		// window staff of the settlement may confirm for the household
		expect(ok(await confirmDelivery(actors['community worker'], second.id)).needStatus).toBe(
			'delivered'
		);
		expect(await needRow(raised.id)).toMatchObject({
			pledged: 30_000,
			delivered: 30_000,
			status: 'delivered'
		});
		expect(await ledgerBalance(fund.id)).toBe(20_000);
		const [f] = await db().select().from(schema.fund).where(eq(schema.fund.id, fund.id));
		expect(f.balance).toBe(20_000);

		const need = await getNeed(actors['resident'], raised.id);
		expect(need.pledges.map((p) => [p.organizationName, p.status])).toEqual([
			[charity.name, 'confirmed'],
			[charity.name, 'confirmed']
		]);
		const shown = await getPublicNeed(raised.id);
		expect(shown).toMatchObject({ status: 'delivered', pledged: 30_000, delivered: 30_000 });
		expect((await listPublicNeeds({ state: 'delivered' })).rows.map((r) => r.id)).toContain(
			raised.id
		);
		const trail = await db()
			.select({ action: schema.auditEntry.action })
			.from(schema.auditEntry)
			.where(eq(schema.auditEntry.entityId, first.id))
			.orderBy(asc(schema.auditEntry.id));
		expect(trail.map((a) => a.action)).toEqual([
			'pledge.create',
			'pledge.deliver',
			'pledge.confirm'
		]);
	});

	it('refuses a money delivery the fund cannot cover, writing nothing', async () => {
		const poor = await createOrganization(county);
		const member = (await createUser({ grants: [{ role: 'org_member', on: poor }] })).actor;
		const fund = await createFund(poor, { startsOn: '2020-01-01' });
		const need = await publishedNeed({ quantity: 10_000 });
		const pledge = ok(
			await pledgeToNeed(member, { needId: need.id, quantity: 10_000, idempotencyKey: newKey() })
		);
		expect(await recordDelivery(member, pledge.id, { note: '' })).toEqual({
			ok: false,
			reason: 'insufficient',
			field: 'note'
		});
		const [p] = await db().select().from(schema.pledge).where(eq(schema.pledge.id, pledge.id));
		expect(p).toMatchObject({ status: 'pledged', transactionId: null });
		expect(await ledgerBalance(fund.id)).toBe(0);
	});

	it('records delivery without a ledger entry for an organisation without a fund, or for goods', async () => {
		const need = await publishedNeed({ quantity: 4, kind: 'goods', unit: '床' });
		const pledge = ok(
			await pledgeToNeed(actors['rival'], {
				needId: need.id,
				quantity: 4,
				idempotencyKey: newKey()
			})
		);
		expect(
			ok(await recordDelivery(actors['rival'], pledge.id, { note: '棉被 4 床' })).transactionId
		).toBeNull();
		ok(await confirmDelivery(actors['resident'], pledge.id));
		expect(await needRow(need.id)).toMatchObject({ delivered: 4, status: 'delivered' });
	});

	it('delivers once when 已交付 is clicked many times at once', async () => {
		const fund = await createFund(rival, { startsOn: '2020-01-01' });
		await db().transaction((tx) =>
			postTransaction(tx, {
				fundId: fund.id,
				kind: 'donation',
				amount: 9_000,
				memo: '捐赠',
				occurredOn: '2026-01-05',
				createdBy: null
			})
		);
		const need = await publishedNeed({ quantity: 3_000 });
		const pledge = ok(
			await pledgeToNeed(actors['rival'], {
				needId: need.id,
				quantity: 3_000,
				idempotencyKey: newKey()
			})
		);
		const results = await Promise.all(
			Array.from({ length: 5 }, () => recordDelivery(actors['rival'], pledge.id, { note: '' }))
		);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(await ledgerBalance(fund.id)).toBe(6_000);
	});
});

describe('who sees which pledges', () => {
	it('shows an organisation only its own pledges; another organisation’s is 404', async () => {
		const need = await publishedNeed({ quantity: 100_000 });
		const mine = ok(
			await pledgeToNeed(actors['charity'], {
				needId: need.id,
				quantity: 100,
				idempotencyKey: newKey()
			})
		);
		const theirs = ok(
			await pledgeToNeed(actors['rival'], {
				needId: need.id,
				quantity: 100,
				idempotencyKey: newKey()
			})
		);
		const seen = await listPledges(actors['charity']);
		expect(seen.rows.length).toBeGreaterThan(0);
		expect(seen.rows.every((r) => r.organizationId === charity.id)).toBe(true);
		expect(seen.rows.map((r) => r.id)).toContain(mine.id);
		expect(seen.rows.map((r) => r.id)).not.toContain(theirs.id);
		expect(
			(await listPledges(actors['charity'], { needId: need.id })).rows.map((r) => r.id)
		).toEqual([mine.id]);
		expect((await getPledge(actors['charity'], mine.id)).id).toBe(mine.id);
		expect(await httpStatus(getPledge(actors['charity'], theirs.id))).toBe(404);
		expect(await httpStatus(cancelPledge(actors['charity'], theirs.id))).toBe(404);
		expect(await httpStatus(recordDelivery(actors['charity'], theirs.id, {}))).toBe(404);
		expect(await httpStatus(getPledge(actors['charity'], 'x'))).toBe(404);
		// the household and its staff see every pledge to its need; a neighbour none of them
		const forNeed = (await listPledges(actors['resident'], { needId: need.id })).rows.map(
			(r) => r.id
		);
		expect(forNeed.sort()).toEqual([mine.id, theirs.id].sort());
		expect((await listPledges(actors['neighbour'], { needId: need.id })).rows).toEqual([]);
		expect(await httpStatus(getPledge(actors['neighbour'], mine.id))).toBe(404);
		expect((await listPledges(actors['point admin'], { needId: need.id })).rows).toHaveLength(2);
	});

	it('pages an organisation’s pledges by keyset', async () => {
		const org = await createOrganization(county);
		const member = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;
		const need = await publishedNeed({ quantity: 100_000 });
		const base = Date.now();
		for (let i = 0; i < 52; i++)
			ok(
				await pledgeToNeed(
					member,
					{ needId: need.id, quantity: 1, idempotencyKey: newKey() },
					new Date(base + i * 1000)
				)
			);
		const first = await listPledges(member);
		expect(first.rows).toHaveLength(50);
		const second = await listPledges(member, { before: first.next! });
		expect(second.rows).toHaveLength(2);
		expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(52);
		expect((await listPledges(member, { before: 'garbage' })).rows).toHaveLength(50);
	});
});

describe('the pledge form under fuzzing', () => {
	it('never throws on any quantity or key; only whole fen, pieces and hours pass', async () => {
		const need = await publishedNeed({ quantity: 1_000_000 });
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.double().map(String)),
				fc.string({ maxLength: 80 }),
				async (quantity, key) => {
					const form = pledgeSchemas.money.safeParse({
						quantity,
						idempotencyKey: key,
						offerId: ''
					});
					if (!form.success) {
						for (const issue of form.error.issues) expect(issue.message).toMatch(/[\u4e00-\u9fff]/);
						return;
					}
					expect(Number.isSafeInteger(form.data.quantity)).toBe(true);
					const r = await pledgeToNeed(actors['charity'], { needId: need.id, ...form.data });
					expect(typeof r.ok).toBe('boolean');
				}
			),
			{ numRuns: 100 }
		);
		const row = await needRow(need.id);
		expect(row.pledged).toBeLessThanOrEqual(row.quantity);
	});
});
