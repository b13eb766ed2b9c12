import { and, asc, count, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { helpKinds, needCategories } from '$lib/charity/vocab';
import {
	cancelSchema,
	needFilterSchema,
	pledgeSchemas,
	publicNeedFilterSchema,
	raiseNeedSchema,
	verifyNeedSchema
} from '$lib/schemas/needs';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createNeed,
	createOrganization,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	cancelNeed,
	getNeed,
	getPublicNeed,
	listNeeds,
	listNeedSettlements,
	listPublicNeedCounties,
	listPublicNeeds,
	needNumber,
	raiseNeed,
	verifyNeed
} from './needs';

// Needs on a real database: who may raise, read and verify whose need; the anonymiser's refusal
// at verification; cancelling; the scoped list and its paging; the public view, which must never
// carry a name, unit, ID number, phone or the internal story; and the forms under fuzzing.
// Pledges and delivery are in pledges.db.spec.ts.

useTestDatabase();

let county: County;
let otherCounty: County;
let pointA: Settlement;
let pointB: Settlement;
let otherPoint: Settlement;
let home: Household & { members: Member[] };
let neighbour: Household & { members: Member[] };
let movedOut: Household & { members: Member[] };
let faraway: Household & { members: Member[] };
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	county = await createCounty();
	otherCounty = await createCounty(county.city);
	pointA = await createSettlement(county, { name: '幸福安置点' });
	pointB = await createSettlement(county, { name: '和谐安置点' });
	otherPoint = await createSettlement(otherCounty);
	home = await createHousehold(pointA, { members: 3, headName: '钟文华' });
	neighbour = await createHousehold(pointA, { members: 2 });
	movedOut = await createHousehold(pointA, { status: 'moved_out' });
	faraway = await createHousehold(otherPoint);
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('resident', { household: home, grants: [{ role: 'resident', on: pointA }] });
	await make('neighbour', { household: neighbour, grants: [{ role: 'resident', on: pointA }] });
	await make('community worker', { grants: [{ role: 'community_worker', on: pointA }] });
	await make('point admin', { grants: [{ role: 'point_admin', on: pointA }] });
	await make('point admin of B', { grants: [{ role: 'point_admin', on: pointB }] });
	await make('chief of points', { grants: [{ role: 'chief_of_points', on: county }] });
	await make('civil affairs elsewhere', { grants: [{ role: 'civil_affairs', on: otherCounty }] });
	const org = await createOrganization(county);
	await make('org member', { grants: [{ role: 'org_member', on: org }] });
});

const ok = <T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> => {
	expect(r).toMatchObject({ ok: true });
	return r as Extract<T, { ok: true }>;
};

/** The raise form as posted and parsed. */
function raiseInput(input: Partial<z.input<typeof raiseNeedSchema>> = {}) {
	return raiseNeedSchema.parse({
		category: 'schooling',
		kind: 'money',
		quantity: '1,200.50',
		urgency: '2',
		title: `孩子升学需要学习用品 ${Math.random().toString(36).slice(2, 6)}`,
		publicDetail: '孩子今年秋季升入初中。',
		detail: '户主钟文华务工受伤，收入中断。',
		...input
	});
}

async function needRow(id: string) {
	const [row] = await db().select().from(schema.need).where(eq(schema.need.id, id));
	return row;
}

async function auditOf(id: string) {
	return db()
		.select({ action: schema.auditEntry.action, summary: schema.auditEntry.summary })
		.from(schema.auditEntry)
		.where(and(eq(schema.auditEntry.entity, 'need'), eq(schema.auditEntry.entityId, id)))
		.orderBy(asc(schema.auditEntry.id));
}

describe('raiseNeed', () => {
	it('lets window staff raise a need for a household they serve, pending, in fen, audited', async () => {
		const r = ok(await raiseNeed(actors['community worker'], raiseInput({ householdId: home.id })));
		expect(r.number).toBe(needNumber(r.no));
		const row = await needRow(r.id);
		expect(row).toMatchObject({
			status: 'pending',
			quantity: 120_050,
			unit: '',
			urgency: 2,
			householdId: home.id,
			settlementId: pointA.id,
			regionPath: county.path,
			raisedBy: actors['community worker'].id,
			verifiedAt: null
		});
		const trail = await auditOf(r.id);
		expect(trail.map((a) => a.action)).toEqual(['need.raise']);
		expect(trail[0].summary).toMatchObject({ quantity: 120_050, proxy: true });
		// the audit summary carries no story and no name
		expect(JSON.stringify(trail[0].summary)).not.toContain('钟文华');
	});

	it('lets a resident state a need for their own household; goods in pieces, service in hours', async () => {
		const goods = ok(
			await raiseNeed(
				actors['resident'],
				raiseInput({ kind: 'goods', quantity: '2', unit: '床', category: 'living_costs' })
			)
		);
		expect(await needRow(goods.id)).toMatchObject({
			householdId: home.id,
			quantity: 2,
			unit: '床'
		});
		const hours = ok(
			await raiseNeed(
				actors['resident'],
				raiseInput({ kind: 'service_hours', quantity: '12', category: 'elder_care' })
			)
		);
		expect(await needRow(hours.id)).toMatchObject({ quantity: 12, unit: '小时' });
		const trail = await auditOf(goods.id);
		expect(trail[0].summary).toMatchObject({ proxy: false });
	});

	it('answers 404 for a household outside the actor’s scope and 403 to a reader who may not raise', async () => {
		expect(
			await httpStatus(raiseNeed(actors['resident'], raiseInput({ householdId: neighbour.id })))
		).toBe(404);
		expect(
			await httpStatus(raiseNeed(actors['point admin of B'], raiseInput({ householdId: home.id })))
		).toBe(404);
		expect(
			await httpStatus(raiseNeed(actors['org member'], raiseInput({ householdId: home.id })))
		).toBe(404);
		expect(
			await httpStatus(
				raiseNeed(
					actors['point admin'],
					raiseInput({ householdId: '00000000-0000-4000-8000-000000000000' })
				)
			)
		).toBe(404);
		// county staff read the county's needs but raising is the window's
		expect(
			await httpStatus(raiseNeed(actors['chief of points'], raiseInput({ householdId: home.id })))
		).toBe(403);
	});

	it('refuses at the field: no household, a moved-out one, a deadline in the past', async () => {
		expect(await raiseNeed(actors['point admin'], raiseInput())).toEqual({
			ok: false,
			reason: 'no_household',
			field: 'householdId'
		});
		expect(
			await raiseNeed(actors['point admin'], raiseInput({ householdId: movedOut.id }))
		).toEqual({
			ok: false,
			reason: 'household_ended',
			field: 'householdId'
		});
		expect(await raiseNeed(actors['resident'], { ...raiseInput(), category: '' })).toEqual({
			ok: false,
			reason: 'category',
			field: 'category'
		});
		// a form posted without a category is refused, never taken as the first one
		const unchosen = raiseNeedSchema.safeParse({ kind: 'money', quantity: '5', title: '需要帮助' });
		expect(unchosen.success).toBe(false);
		if (!unchosen.success)
			expect(unchosen.error.issues.map((i) => [i.path[0], i.message])).toEqual([
				['category', '请选择需求类别']
			]);
		const now = new Date('2026-03-10T10:00:00+08:00');
		expect(
			await raiseNeed(actors['resident'], raiseInput({ deadline: '2026-03-09' }), now)
		).toEqual({ ok: false, reason: 'deadline', field: 'deadline' });
		ok(await raiseNeed(actors['resident'], raiseInput({ deadline: '2026-03-10' }), now));
	});

	it('raises one need when the same form is sent twice, also at once', async () => {
		const input = raiseInput({ householdId: neighbour.id });
		const results = await Promise.all(
			Array.from({ length: 5 }, () => raiseNeed(actors['point admin'], input))
		);
		const ids = new Set(results.map((r) => ok(r).id));
		expect(ids.size).toBe(1);
		expect(results.filter((r) => ok(r).duplicate)).toHaveLength(4);
	});
});

describe('verifyNeed', () => {
	async function pending(input: Partial<z.input<typeof raiseNeedSchema>> = {}) {
		return ok(await raiseNeed(actors['resident'], raiseInput(input))).id;
	}

	it('refuses public words that name the household, at the field, saying what it found', async () => {
		const id = await pending();
		const [member] = home.members.filter((m) => !m.isHead);
		const cases: [string, string, string][] = [
			['title', '钟文华家需要帮助', 'name'],
			['title', `${member.name}上学需要书包`, 'name'],
			['publicDetail', `住在${home.building}${home.unitNo}`, 'unit'],
			['publicDetail', `房号${home.room}漏水`, 'unit'],
			['publicDetail', `请联系 ${home.members[0].phone}`, 'phone'],
			['publicDetail', `身份证 ${home.members[0].idNumber}`, 'id_number'],
			['publicDetail', '老人今年73岁', 'exact_age'],
			['publicDetail', '孩子患有白血病', 'health_detail']
		];
		for (const [field, text, kind] of cases) {
			const input =
				field === 'title'
					? { publish: true as const, title: text, publicDetail: '' }
					: { publish: true as const, title: '孩子上学需要帮助', publicDetail: text };
			const r = await verifyNeed(actors['point admin'], id, input);
			expect(r, text).toMatchObject({ ok: false, reason: 'identifying', field });
			if (r.ok || r.reason !== 'identifying') continue;
			expect(
				r.found.map((f) => f.kind),
				text
			).toContain(kind);
		}
		expect(await needRow(id)).toMatchObject({ status: 'pending', verifiedAt: null });
	});

	it('publishes clean words with who and when, and tells the raiser', async () => {
		const id = await pending();
		const now = new Date('2026-04-01T09:00:00+08:00');
		expect(
			await verifyNeed(
				actors['point admin'],
				id,
				{
					publish: true,
					title: '初中新生需要学习用品',
					publicDetail: '家中孩子70多岁的祖辈照看，升学需要资助。'
				},
				now
			)
		).toEqual({ ok: true, status: 'published' });
		expect(await needRow(id)).toMatchObject({
			status: 'published',
			title: '初中新生需要学习用品',
			verifiedBy: actors['point admin'].id,
			verifiedAt: now
		});
		expect((await auditOf(id)).map((a) => a.action)).toEqual(['need.raise', 'need.publish']);
		const [note] = await db()
			.select()
			.from(schema.notification)
			.where(eq(schema.notification.link, `/charity/needs/${id}`));
		expect(note.userId).toBe(actors['resident'].id);
		// decided once
		expect(await verifyNeed(actors['point admin'], id, { publish: false, reason: '重复' })).toEqual(
			{ ok: false, reason: 'not_pending' }
		);
	});

	it('lets health words through only with the household’s consent', async () => {
		const without = await pending({ category: 'medical' });
		const words = { publish: true as const, title: '大病治疗费用', publicDetail: '需要透析治疗' };
		expect(await verifyNeed(actors['point admin'], without, words)).toMatchObject({
			ok: false,
			reason: 'identifying',
			field: 'title'
		});
		const withConsent = await pending({ category: 'medical', healthConsent: true });
		ok(await verifyNeed(actors['point admin'], withConsent, words));
	});

	it('sends a need back with a reason', async () => {
		const id = await pending();
		ok(await verifyNeed(actors['point admin'], id, { publish: false, reason: '材料不全，请补充' }));
		expect(await needRow(id)).toMatchObject({
			status: 'rejected',
			rejectReason: '材料不全，请补充',
			verifiedAt: null
		});
	});

	it('is for 专职管理员, 点长 and county staff: 403 to window staff and the household, 404 outside', async () => {
		const id = await pending();
		const words = { publish: true as const, title: '学习用品', publicDetail: '' };
		expect(await httpStatus(verifyNeed(actors['community worker'], id, words))).toBe(403);
		expect(await httpStatus(verifyNeed(actors['resident'], id, words))).toBe(403);
		expect(await httpStatus(verifyNeed(actors['neighbour'], id, words))).toBe(404);
		expect(await httpStatus(verifyNeed(actors['point admin of B'], id, words))).toBe(404);
		expect(await httpStatus(verifyNeed(actors['org member'], id, words))).toBe(404);
		ok(await verifyNeed(actors['chief of points'], id, words));
	});

	it('shows the verifier what the proposed words would be refused for', async () => {
		const id = await pending({ title: '钟文华家孩子上学', publicDetail: '电话13912345678' });
		const need = await getNeed(actors['point admin'], id);
		expect(need.can.verify).toBe(true);
		expect(need.found?.title.map((f) => f.kind)).toEqual(['name']);
		expect(need.found?.publicDetail.map((f) => f.kind)).toEqual(['phone']);
		// window staff cannot verify, so are shown nothing to verify
		expect((await getNeed(actors['community worker'], id)).found).toBeNull();
	});
});

describe('cancelNeed', () => {
	it('lets the raiser or a verifier cancel a need nobody pledged to; never twice', async () => {
		const id = ok(await raiseNeed(actors['resident'], raiseInput())).id;
		expect(await httpStatus(cancelNeed(actors['neighbour'], id, { reason: '' }))).toBe(404);
		expect(await httpStatus(cancelNeed(actors['chief of points'], id, { reason: '' }))).toBe(null);
		expect((await needRow(id)).status).toBe('cancelled');
		expect(await cancelNeed(actors['resident'], id, { reason: '' })).toEqual({
			ok: false,
			reason: 'closed'
		});
		const pledged = await createNeed(home, actors['point admin'], { pledged: 100 });
		expect(await cancelNeed(actors['resident'], pledged.id, { reason: '不需要了' })).toEqual({
			ok: false,
			reason: 'has_pledges'
		});
		expect((await auditOf(id)).map((a) => a.action)).toEqual(['need.raise', 'need.cancel']);
	});
});

describe('listNeeds and getNeed', () => {
	it('shows a resident their own household’s needs only; another household’s need is 404', async () => {
		const mine = await createNeed(home, actors['point admin'], { status: 'pending' });
		const theirs = await createNeed(neighbour, actors['point admin'], { status: 'pending' });
		const page = await listNeeds(actors['resident']);
		expect(page.rows.length).toBeGreaterThan(0);
		expect(page.rows.every((r) => r.headName === home.headName)).toBe(true);
		expect(page.rows.map((r) => r.id)).toContain(mine.id);
		expect(page.rows.map((r) => r.id)).not.toContain(theirs.id);
		expect((await getNeed(actors['resident'], mine.id)).detail).toBe('');
		expect(await httpStatus(getNeed(actors['resident'], theirs.id))).toBe(404);
		expect(await httpStatus(getNeed(actors['neighbour'], mine.id))).toBe(404);
		expect(await httpStatus(getNeed(actors['org member'], mine.id))).toBe(404);
		expect(await httpStatus(getNeed(actors['point admin of B'], mine.id))).toBe(404);
		expect(await httpStatus(getNeed(actors['civil affairs elsewhere'], mine.id))).toBe(404);
		expect(await httpStatus(getNeed(actors['resident'], 'not-a-uuid'))).toBe(404);
		expect(await httpStatus(listNeeds(actors['org member']))).toBe(404);
	});

	it('shows staff their scope’s needs with the household, filtered and paged by keyset', async () => {
		const inB = await createHousehold(pointB);
		for (let i = 0; i < 3; i++)
			await createNeed(inB, actors['point admin'], { category: 'employment' });
		const far = await createNeed(faraway, actors['point admin']);
		const admin = await listNeeds(actors['point admin']);
		expect(admin.rows.every((r) => r.settlementName === '幸福安置点')).toBe(true);
		const county = await listNeeds(actors['chief of points'], { category: 'employment' });
		expect(county.rows).toHaveLength(3);
		expect(
			county.rows.every((r) => r.category === 'employment' && r.householdUnit.length > 0)
		).toBe(true);
		expect((await listNeeds(actors['chief of points'])).rows.map((r) => r.id)).not.toContain(
			far.id
		);
		expect(
			(await listNeeds(actors['chief of points'], { settlementId: pointB.id })).rows.every(
				(r) => r.settlementName === '和谐安置点'
			)
		).toBe(true);
		// keyset: the page after the first row's number holds the rest, without repeats
		const all = (await listNeeds(actors['chief of points'])).rows;
		const rest = (await listNeeds(actors['chief of points'], { before: all[0].no })).rows;
		expect(rest.map((r) => r.id)).toEqual(all.slice(1).map((r) => r.id));
		const open = await listNeeds(actors['chief of points'], { status: 'open' });
		expect(open.rows.every((r) => ['pending', 'published', 'funded'].includes(r.status))).toBe(
			true
		);
		const places = await listNeedSettlements(actors['point admin']);
		expect(places).toEqual([{ id: pointA.id, name: '幸福安置点', canRaise: true }]);
		expect((await listNeedSettlements(actors['chief of points'])).every((p) => !p.canRaise)).toBe(
			true
		);
	});

	it('pages 50 at a time', async () => {
		const many = await createHousehold(pointB);
		for (let i = 0; i < 55; i++)
			await createNeed(many, actors['point admin'], { category: 'housing_repair' });
		const first = await listNeeds(actors['point admin of B'], { category: 'housing_repair' });
		expect(first.rows).toHaveLength(50);
		expect(first.next).toBe(first.rows[49].no);
		const second = await listNeeds(actors['point admin of B'], {
			category: 'housing_repair',
			before: first.next!
		});
		expect(second.rows).toHaveLength(5);
		expect(second.next).toBeNull();
	});
});

describe('the public view', () => {
	it('lists and shows published, funded and delivered needs only; 404 for the rest', async () => {
		const open = await createNeed(home, actors['point admin'], {
			title: '公开的需求',
			category: 'elder_care'
		});
		const funded = await createNeed(home, actors['point admin'], {
			status: 'funded',
			pledged: 100_000
		});
		const pending = await createNeed(home, actors['point admin'], { status: 'pending' });
		const rejected = await createNeed(home, actors['point admin'], { status: 'rejected' });
		const cancelled = await createNeed(home, actors['point admin'], { status: 'cancelled' });
		const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
		const all = ids((await listPublicNeeds({ state: 'all' })).rows);
		expect(all).toEqual(expect.arrayContaining([open.id, funded.id]));
		for (const hidden of [pending, rejected, cancelled]) {
			expect(all).not.toContain(hidden.id);
			expect(await httpStatus(getPublicNeed(hidden.id))).toBe(404);
		}
		expect(ids((await listPublicNeeds()).rows)).toContain(open.id);
		expect(ids((await listPublicNeeds()).rows)).not.toContain(funded.id);
		expect(ids((await listPublicNeeds({ state: 'funded' })).rows)).toEqual([funded.id]);
		expect(
			(await listPublicNeeds({ category: 'elder_care' })).rows.every(
				(r) => r.category === 'elder_care'
			)
		).toBe(true);
		const shown = await getPublicNeed(open.id);
		expect(shown).toMatchObject({
			title: '公开的需求',
			settlementName: '幸福安置点',
			countyName: county.name
		});
		expect(await httpStatus(getPublicNeed('x'))).toBe(404);
	});

	it('filters by county and keeps other counties’ needs out', async () => {
		const there = await createNeed(faraway, actors['point admin'], { title: '别县的需求' });
		const here = (await listPublicNeeds({ state: 'all', county: county.id })).rows;
		expect(here.length).toBeGreaterThan(0);
		expect(here.every((r) => r.countyName === county.name)).toBe(true);
		const there_ = (await listPublicNeeds({ state: 'all', county: otherCounty.id })).rows;
		expect(there_.map((r) => r.id)).toContain(there.id);
		expect(there_.every((r) => r.countyName === otherCounty.name)).toBe(true);
		// a settlement's id is not a county
		expect((await listPublicNeeds({ county: pointA.id })).rows).toEqual([]);
		const counties = await listPublicNeedCounties();
		expect(counties.map((c) => c.id)).toEqual(expect.arrayContaining([county.id, otherCounty.id]));
	});

	it('never carries a name, unit, ID number, phone, household or internal story', async () => {
		const secret = '内部说明：户主务工受伤';
		const id = ok(
			await raiseNeed(actors['point admin'], raiseInput({ householdId: home.id, detail: secret }))
		).id;
		ok(
			await verifyNeed(actors['point admin'], id, {
				publish: true,
				title: '初中新生需要学习用品',
				publicDetail: '孩子秋季升学。'
			})
		);
		const list = JSON.stringify(await listPublicNeeds({ state: 'all' }));
		const one = JSON.stringify(await getPublicNeed(id));
		const forbidden = [
			home.id,
			home.headName,
			...home.members.flatMap((m) => [m.name, m.idNumber, m.phone ?? '']),
			`${home.building}${home.unitNo}${home.room}`,
			secret,
			'householdId',
			'detail"',
			'healthConsent',
			'raisedBy',
			'verifiedBy'
		].filter(Boolean);
		for (const text of [list, one]) for (const word of forbidden) expect(text).not.toContain(word);
		expect(one).toContain('初中新生需要学习用品');
	});
});

describe('the forms under fuzzing', () => {
	const chinese = /[\u4e00-\u9fff]/;
	const junk = fc.oneof(
		fc.string({ maxLength: 50 }),
		fc.string({ minLength: 2_000, maxLength: 3_000 }),
		fc.constantFrom(
			'',
			' ',
			'-1',
			'0',
			'1e9',
			'NaN',
			'９９',
			'1.234',
			'<script>',
			'\u0000',
			'99999999999'
		),
		fc.integer(),
		fc.double(),
		fc.boolean(),
		fc.constant(null),
		fc.constant(undefined),
		fc.array(fc.string(), { maxLength: 3 }),
		fc.object({ maxDepth: 1 })
	);
	const formOf = (keys: string[]) =>
		fc.record(Object.fromEntries(keys.map((k) => [k, junk])), { requiredKeys: [] });

	it('answers every malformed raise, verify, pledge, cancel and filter form with Chinese messages, never a throw', () => {
		const schemas = [
			[
				raiseNeedSchema,
				[
					'householdId',
					'category',
					'kind',
					'quantity',
					'unit',
					'urgency',
					'deadline',
					'title',
					'publicDetail',
					'detail',
					'healthConsent'
				]
			],
			[verifyNeedSchema, ['decision', 'title', 'publicDetail', 'reason']],
			[pledgeSchemas.money, ['quantity', 'offerId', 'idempotencyKey']],
			[pledgeSchemas.goods, ['quantity', 'offerId', 'idempotencyKey']],
			[pledgeSchemas.service_hours, ['quantity', 'offerId', 'idempotencyKey']],
			[cancelSchema, ['reason']]
		] as const;
		for (const [schema, keys] of schemas)
			fc.assert(
				fc.property(formOf([...keys]), (form) => {
					const r = schema.safeParse(form);
					if (!r.success)
						for (const issue of r.error.issues) expect(issue.message).toMatch(chinese);
				}),
				{ numRuns: 300 }
			);
		for (const filter of [needFilterSchema, publicNeedFilterSchema])
			fc.assert(
				fc.property(
					formOf(['status', 'state', 'category', 'settlementId', 'county', 'before']),
					(q) => {
						// a bad address bar is dropped, never a 500
						expect(filter.safeParse(q).success).toBe(true);
					}
				),
				{ numRuns: 200 }
			);
	});

	it('refuses oversized and out-of-range amounts at the quantity field', () => {
		for (const [kind, quantity] of [
			['money', '0'],
			['money', '-5'],
			['money', '1.234'],
			['money', '1000001'],
			['goods', '1.5'],
			['goods', '100001'],
			['service_hours', '0'],
			['service_hours', '10001'],
			['money', '1'.repeat(30)]
		] as const) {
			const r = raiseNeedSchema.safeParse({
				category: 'medical',
				kind,
				quantity,
				unit: '件',
				title: '需要帮助'
			});
			expect(r.success, `${kind} ${quantity}`).toBe(false);
			if (!r.success) expect(r.error.issues.map((i) => i.path[0])).toContain('quantity');
		}
		expect(
			raiseNeedSchema.safeParse({
				category: 'medical',
				kind: 'goods',
				quantity: '2',
				title: '需要帮助'
			}).success
		).toBe(false);
	});

	it('raises needs from any valid form without a throw', async () => {
		const valid = fc.record({
			category: fc.constantFrom(...needCategories),
			kind: fc.constantFrom(...helpKinds),
			quantity: fc.integer({ min: 1, max: 9_999 }).map(String),
			unit: fc.constantFrom('件', '台', '床'),
			urgency: fc.constantFrom('1', '2', '3'),
			title: fc.string({ minLength: 2, maxLength: 40 }).filter((s) => s.trim().length >= 2),
			publicDetail: fc.string({ maxLength: 500 }),
			detail: fc.string({ maxLength: 2000 }),
			healthConsent: fc.boolean()
		});
		await fc.assert(
			fc.asyncProperty(valid, async (form) => {
				const parsed = raiseNeedSchema.safeParse(form);
				if (!parsed.success) return;
				const r = await raiseNeed(actors['resident'], parsed.data);
				expect(r.ok).toBe(true);
			}),
			{ numRuns: 25 }
		);
		const [{ n }] = await db()
			.select({ n: count() })
			.from(schema.need)
			.where(eq(schema.need.householdId, home.id));
		expect(Number(n)).toBeGreaterThan(0);
	});
});
