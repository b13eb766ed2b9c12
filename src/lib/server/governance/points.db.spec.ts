import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import {
	accountAndLedger,
	createPointsList,
	createShopItemRow,
	givePoints,
	testItems
} from '../../../../tests/governance-points';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	awardForActivity,
	awardPoints,
	countOpenAppeals,
	currentYear,
	decideAppeal,
	fileAppeal,
	getAppeal,
	getEntry,
	householdForAward,
	householdPoints,
	listAppeals,
	listLedger,
	listPointsSettlements,
	myPoints,
	pointsList,
	ranking,
	reverseEntry
} from './points';
import { redeem } from './shop';

// Points on a real database (both engines): awards only under the adopted points list, an
// append-only ledger whose sum is every household's balance after each command, corrections as
// reversing entries (once, also when concurrent), appeals (one open per entry; upheld reverses,
// rejected does not), the activities' award posted once per person, and who may see and do what.

useTestDatabase();

let county: County;
let a: Settlement;
let b: Settlement;
let home: Household & { members: Member[] };
let neighbour: Household & { members: Member[] };
let away: Household & { members: Member[] };
let moved: Household & { members: Member[] };
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	county = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	home = await createHousehold(a, { members: 3 });
	neighbour = await createHousehold(a);
	away = await createHousehold(b);
	moved = await createHousehold(a, { status: 'moved_out' });
	await createPointsList(a);
	await createPointsList(b, [{ code: 'elder_care', label: '照护老人', points: 8 }]);
	// items only in versions that are not in force: never awarded
	await createPointsList(a, [{ code: 'draft_only', label: '草案中的事项', points: 50 }], {
		status: 'consultation'
	});
	await createPointsList(a, [{ code: 'old_item', label: '旧清单事项', points: 3 }], {
		status: 'superseded'
	});
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('resident', { household: home, grants: [{ role: 'resident', on: a }] });
	await make('neighbour', { household: neighbour, grants: [{ role: 'resident', on: a }] });
	await make('resident of B', { household: away, grants: [{ role: 'resident', on: b }] });
	await make('worker', { grants: [{ role: 'community_worker', on: a }] });
	await make('admin', { grants: [{ role: 'point_admin', on: a }] });
	await make('chief', { grants: [{ role: 'point_chief', on: a }] });
	await make('admin of B', { grants: [{ role: 'point_admin', on: b }] });
	await make('county chief', { grants: [{ role: 'chief_of_points', on: county }] });
	await make('system admin', { grants: [{ role: 'system_admin' }] });
});

let keys = 0;
const newKey = () => `k${++keys}-${randomUUID().slice(0, 8)}`;

const ok = <T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> => {
	expect(r).toMatchObject({ ok: true });
	return r as Extract<T, { ok: true }>;
};

/** The balance is the sum of the ledger, and the account's earned and spent add up. */
async function expectBalanced(householdId: string) {
	const x = await accountAndLedger(householdId);
	expect(x.balance).toBe(x.sum);
	return x;
}

const award = (
	actor: Actor,
	household: { id: string },
	itemCode: string,
	extra: Partial<Parameters<typeof awardPoints>[1]> = {}
) =>
	awardPoints(actor, {
		householdId: household.id,
		itemCode,
		reason: '参加楼道清扫',
		idempotencyKey: newKey(),
		...extra
	});

describe('the points ledger table', () => {
	it('refuses UPDATE, DELETE and TRUNCATE of an entry', async () => {
		const posted = await givePoints(neighbour, 4);
		const attempts = [
			sql`update points_entry set delta = 400 where id = ${posted.entryId}`,
			sql`update points_entry set reason = '改过' where id = ${posted.entryId}`,
			sql`delete from points_entry where id = ${posted.entryId}`,
			sql`truncate points_entry cascade`
		];
		for (const attempt of attempts) {
			const err = await db()
				.execute(attempt)
				.then(
					() => null,
					(e: unknown) => e
				);
			expect(err, String(attempt)).toBeInstanceOf(Error);
		}
		const [row] = await db()
			.select({ delta: schema.pointsEntry.delta })
			.from(schema.pointsEntry)
			.where(eq(schema.pointsEntry.id, posted.entryId));
		expect(row.delta).toBe(4);
		await expectBalanced(neighbour.id);
	});

	it('refuses a balance that does not match the ledger at commit', async () => {
		const before = await expectBalanced(neighbour.id);
		const err = await db()
			.execute(
				sql`update points_account set balance = balance + 1000 where household_id = ${neighbour.id}`
			)
			.then(
				() => null,
				(e: unknown) => e
			);
		expect(err).toBeInstanceOf(Error);
		expect((await expectBalanced(neighbour.id)).balance).toBe(before.balance);
	});
});

describe('pointsList', () => {
	it('lists the adopted items only, awards first, with the rule that lists them', async () => {
		const items = await pointsList(actors['admin'], a.id);
		expect(items.map((i) => i.code).sort()).toEqual(testItems.map((i) => i.code).sort());
		expect(items.findIndex((i) => i.points < 0)).toBe(items.length - 1);
		for (const i of items) {
			expect(i.ruleId).toMatch(/^[0-9a-f-]{36}$/);
			expect(i.versionNo).toBe(1);
		}
		// the settlement's own residents read it too; another settlement's do not
		expect((await pointsList(actors['resident'], a.id)).length).toBe(testItems.length);
		expect(await httpStatus(pointsList(actors['resident of B'], a.id))).toBe(404);
		expect(await httpStatus(pointsList(actors['admin of B'], a.id))).toBe(404);
		expect(await httpStatus(pointsList(actors['admin'], randomUUID()))).toBe(404);
		expect(await httpStatus(pointsList(actors['admin'], 'not-an-id'))).toBe(404);
	});

	it('names the settlements a staff member keeps, none for a resident', async () => {
		expect((await listPointsSettlements(actors['admin'])).map((s) => s.id)).toEqual([a.id]);
		const county_ = (await listPointsSettlements(actors['county chief'])).map((s) => s.id);
		expect(county_).toEqual(expect.arrayContaining([a.id, b.id]));
		expect(await listPointsSettlements(actors['resident'])).toEqual([]);
	});
});

describe('awardPoints', () => {
	it('awards and deducts by the item, the balance the ledger sum after each', async () => {
		const h = await createHousehold(a, { members: 2 });
		const plus = ok(
			await award(actors['worker'], h, 'elder_care', { residentId: h.members[1].id })
		);
		expect(plus).toMatchObject({ delta: 10, balance: 10, duplicate: false });
		expect((await expectBalanced(h.id)).balance).toBe(10);
		const minus = ok(await award(actors['admin'], h, 'over_cap_banquet'));
		expect(minus).toMatchObject({ delta: -10, balance: 0 });
		const minus2 = ok(await award(actors['chief'], h, 'over_cap_banquet'));
		// a deduction may take the balance below zero (it blocks redemptions until earned back)
		expect(minus2.balance).toBe(-10);
		const x = await expectBalanced(h.id);
		expect(x).toMatchObject({ balance: -10, earned: 10, spent: 0, n: 3 });
		const entries = await db()
			.select()
			.from(schema.pointsEntry)
			.where(eq(schema.pointsEntry.householdId, h.id));
		expect(entries.map((e) => e.source).sort()).toEqual(['award', 'deduct', 'deduct']);
		const first = entries.find((e) => e.id === plus.entryId)!;
		expect(first).toMatchObject({
			itemCode: 'elder_care',
			residentId: h.members[1].id,
			createdBy: actors['worker'].id,
			reason: '参加楼道清扫'
		});
		expect(first.ruleVersionId).toMatch(/^[0-9a-f-]{36}$/);
		const audits = await db()
			.select({ action: schema.auditEntry.action })
			.from(schema.auditEntry)
			.where(eq(schema.auditEntry.entityId, plus.entryId));
		expect(audits.map((r) => r.action)).toEqual(['points.award']);
	});

	it('refuses a code not on the adopted list at itemCode, posting nothing', async () => {
		const h = await createHousehold(a);
		for (const code of ['draft_only', 'old_item', 'no_such_item', '', 'ELDER_CARE'])
			expect(await award(actors['admin'], h, code)).toEqual({
				ok: false,
				reason: 'item',
				field: 'itemCode'
			});
		// B's list is B's: its item code is not A's unless A lists it
		expect(await award(actors['admin of B'], away, 'volunteer_activity')).toMatchObject({
			reason: 'item'
		});
		expect(await award(actors['admin of B'], away, 'elder_care')).toMatchObject({ delta: 8 });
		const x = await expectBalanced(h.id);
		expect(x.n).toBe(0);
	});

	it('refuses a member of another household, and a household that moved out', async () => {
		expect(
			await award(actors['admin'], home, 'elder_care', { residentId: neighbour.members[0].id })
		).toEqual({ ok: false, reason: 'no_member', field: 'residentId' });
		expect(await award(actors['admin'], home, 'elder_care', { residentId: 'x' })).toMatchObject({
			reason: 'no_member'
		});
		expect(await award(actors['admin'], moved, 'elder_care')).toEqual({
			ok: false,
			reason: 'household_ended',
			field: 'householdId'
		});
	});

	it('posts once for one idempotency key, also sent 10 times at once', async () => {
		const h = await createHousehold(a);
		const key = newKey();
		const results = await Promise.all(
			Array.from({ length: 10 }, () =>
				award(actors['worker'], h, 'volunteer_activity', { idempotencyKey: key })
			)
		);
		const ids = new Set(results.map((r) => ok(r).entryId));
		expect(ids.size).toBe(1);
		expect(results.filter((r) => ok(r).duplicate)).toHaveLength(9);
		expect(await expectBalanced(h.id)).toMatchObject({ balance: 5, n: 1 });
	});

	it('lets only staff over the household award: 403/404 for the rest', async () => {
		const h = await createHousehold(a);
		// staff of point B cannot award in point A; nor county staff, who only read
		expect(await httpStatus(award(actors['admin of B'], h, 'elder_care'))).toBe(404);
		expect(await httpStatus(award(actors['county chief'], h, 'elder_care'))).toBe(403);
		expect(await httpStatus(award(actors['resident'], home, 'elder_care'))).toBe(403);
		expect(await httpStatus(award(actors['neighbour'], home, 'elder_care'))).toBe(404);
		expect(await httpStatus(award(actors['admin'], { id: randomUUID() }, 'elder_care'))).toBe(404);
		expect(await httpStatus(award(actors['system admin'], h, 'elder_care'))).toBeNull();
		expect(await httpStatus(householdForAward(actors['admin of B'], h.id))).toBe(404);
		expect(await httpStatus(householdForAward(actors['county chief'], h.id))).toBe(404);
		const form = await householdForAward(actors['worker'], h.id);
		expect(form.members.map((m) => m.id).sort()).toEqual(h.members.map((m) => m.id).sort());
		expect(await expectBalanced(h.id)).toMatchObject({ balance: 10, n: 1 });
	});
});

describe('reverseEntry', () => {
	it('reverses with an entry of the opposite sign, once; the sum matches', async () => {
		const h = await createHousehold(a);
		const plus = ok(await award(actors['worker'], h, 'elder_care'));
		const minus = ok(await award(actors['worker'], h, 'over_cap_banquet'));
		ok(await award(actors['worker'], h, 'volunteer_activity'));
		expect((await expectBalanced(h.id)).balance).toBe(5);
		const back = ok(await reverseEntry(actors['admin'], plus.entryId, { reason: '录错了户' }));
		expect(back.balance).toBe(-5);
		expect(await expectBalanced(h.id)).toMatchObject({ balance: -5, n: 4 });
		expect(await reverseEntry(actors['admin'], plus.entryId, { reason: '再冲一次' })).toEqual({
			ok: false,
			reason: 'already_reversed',
			field: 'reason'
		});
		// a reversal is not reversed back
		expect(await reverseEntry(actors['admin'], back.entryId, { reason: '撤销冲正' })).toMatchObject(
			{
				reason: 'is_reversal'
			}
		);
		ok(await reverseEntry(actors['worker'], minus.entryId, { reason: '未超标' }));
		const x = await expectBalanced(h.id);
		expect(x).toMatchObject({ balance: 5, n: 5 });
		const [rev] = await db()
			.select()
			.from(schema.pointsEntry)
			.where(eq(schema.pointsEntry.id, back.entryId));
		expect(rev).toMatchObject({
			delta: -10,
			source: 'reversal',
			reversesId: plus.entryId,
			itemCode: 'elder_care',
			reason: '录错了户'
		});
		const entry = await getEntry(actors['admin'], plus.entryId);
		expect(entry.reversedById).toBe(back.entryId);
		expect(entry.can).toMatchObject({ reverse: false, appeal: false });
	});

	it('makes one reversal of two sent at once', async () => {
		const h = await createHousehold(a);
		const plus = ok(await award(actors['worker'], h, 'elder_care'));
		const results = await Promise.all([
			reverseEntry(actors['admin'], plus.entryId, { reason: '重复录入' }),
			reverseEntry(actors['chief'], plus.entryId, { reason: '重复录入' }),
			reverseEntry(actors['worker'], plus.entryId, { reason: '重复录入' })
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok && r.reason === 'already_reversed')).toHaveLength(2);
		expect(await expectBalanced(h.id)).toMatchObject({ balance: 0, n: 2 });
	});

	it('refuses a redemption, and anyone but staff who award over the household', async () => {
		const h = await createHousehold(a);
		const plus = ok(await award(actors['worker'], h, 'elder_care'));
		const it = await createShopItemRow(a, { cost: 4, stock: 5 });
		const spent = ok(
			await redeem(actors['admin'], {
				itemId: it.id,
				householdId: h.id,
				quantity: 1,
				idempotencyKey: newKey()
			})
		);
		const [entry] = await db()
			.select({ id: schema.redemption.entryId })
			.from(schema.redemption)
			.where(eq(schema.redemption.id, spent.redemptionId));
		expect(await reverseEntry(actors['admin'], entry.id, { reason: '退货' })).toMatchObject({
			reason: 'redemption'
		});
		expect(
			await httpStatus(reverseEntry(actors['admin of B'], plus.entryId, { reason: '越权' }))
		).toBe(404);
		expect(
			await httpStatus(reverseEntry(actors['county chief'], plus.entryId, { reason: '越权' }))
		).toBe(403);
		expect(
			await httpStatus(reverseEntry(actors['resident'], plus.entryId, { reason: '越权' }))
		).toBe(404);
		expect(
			await httpStatus(reverseEntry(actors['admin'], randomUUID(), { reason: '无此条' }))
		).toBe(404);
		expect(await expectBalanced(h.id)).toMatchObject({ balance: 6, n: 2 });
	});
});

describe('appeals', () => {
	it('one open appeal per entry; upheld posts the reversal, the household is told', async () => {
		const minus = ok(await award(actors['worker'], home, 'over_cap_banquet'));
		const before = (await expectBalanced(home.id)).balance;
		const filed = ok(
			await fileAppeal(actors['resident'], minus.entryId, { reason: '我家只办了八桌，没有超标' })
		);
		expect(await fileAppeal(actors['resident'], minus.entryId, { reason: '再申诉一次' })).toEqual({
			ok: false,
			reason: 'open_exists',
			field: 'reason'
		});
		expect(await countOpenAppeals(actors['admin'], a.id)).toBeGreaterThan(0);
		const queue = await listAppeals(actors['admin'], { settlementId: a.id, status: 'open' });
		expect(queue.rows.map((r) => r.id)).toContain(filed.appealId);
		// the worker awards but does not decide appeals; the resident neither
		expect(
			await httpStatus(decideAppeal(actors['worker'], filed.appealId, { uphold: true, note: '' }))
		).toBe(403);
		expect(
			await httpStatus(decideAppeal(actors['resident'], filed.appealId, { uphold: true, note: '' }))
		).toBe(403);
		expect(
			await httpStatus(
				decideAppeal(actors['admin of B'], filed.appealId, { uphold: true, note: '' })
			)
		).toBe(404);
		const decided = ok(
			await decideAppeal(actors['admin'], filed.appealId, { uphold: true, note: '经核实为八桌' })
		);
		expect(decided.status).toBe('upheld');
		expect(decided.reversalEntryId).toMatch(/^[0-9a-f-]{36}$/);
		expect((await expectBalanced(home.id)).balance).toBe(before + 10);
		const [rev] = await db()
			.select()
			.from(schema.pointsEntry)
			.where(eq(schema.pointsEntry.id, decided.reversalEntryId!));
		expect(rev).toMatchObject({ delta: 10, source: 'reversal', reversesId: minus.entryId });
		// decided once: a second decision finds nothing open
		expect(
			await decideAppeal(actors['chief'], filed.appealId, { uphold: false, note: '不成立' })
		).toEqual({ ok: false, reason: 'decided', field: 'decision' });
		// the reversed entry takes no new appeal
		expect(await fileAppeal(actors['resident'], minus.entryId, { reason: '还想申诉一下' })).toEqual(
			{
				ok: false,
				reason: 'already_reversed',
				field: 'reason'
			}
		);
		const appeal = await getAppeal(actors['resident'], filed.appealId);
		expect(appeal).toMatchObject({
			status: 'upheld',
			reversalEntryId: decided.reversalEntryId,
			can: { decide: false }
		});
		const told = await db()
			.select({ title: schema.notification.title })
			.from(schema.notification)
			.where(
				and(
					eq(schema.notification.userId, actors['resident'].id),
					eq(schema.notification.kind, 'points.appeal.decided')
				)
			);
		expect(told.length).toBeGreaterThan(0);
		await expectBalanced(home.id);
	});

	it('a rejected appeal posts nothing; a new appeal may follow', async () => {
		const minus = ok(await award(actors['worker'], home, 'over_cap_banquet'));
		const before = await expectBalanced(home.id);
		const filed = ok(await fileAppeal(actors['resident'], minus.entryId, { reason: '扣分不合理' }));
		const decided = ok(
			await decideAppeal(actors['chief'], filed.appealId, {
				uphold: false,
				note: '经道德评议会评议，维持扣分'
			})
		);
		expect(decided).toEqual({ ok: true, status: 'rejected', reversalEntryId: null });
		expect(await expectBalanced(home.id)).toEqual(before);
		ok(await fileAppeal(actors['resident'], minus.entryId, { reason: '有新的证明材料' }));
	});

	it('two appeals sent at once open one', async () => {
		const plus = ok(await award(actors['worker'], home, 'volunteer_activity'));
		const results = await Promise.all(
			Array.from({ length: 5 }, () =>
				fileAppeal(actors['resident'], plus.entryId, { reason: '分值应为十分' })
			)
		);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok && r.reason === 'open_exists')).toHaveLength(4);
	});

	it('a reversal by staff upholds the open appeal against the entry', async () => {
		const minus = ok(await award(actors['worker'], home, 'over_cap_banquet'));
		const filed = ok(await fileAppeal(actors['resident'], minus.entryId, { reason: '记错了人家' }));
		const back = ok(await reverseEntry(actors['admin'], minus.entryId, { reason: '记错户' }));
		const appeal = await getAppeal(actors['admin'], filed.appealId);
		expect(appeal).toMatchObject({ status: 'upheld', reversalEntryId: back.entryId });
		expect(
			await decideAppeal(actors['admin'], filed.appealId, { uphold: true, note: '' })
		).toMatchObject({
			reason: 'decided'
		});
		await expectBalanced(home.id);
	});

	it('lets a household appeal only its own entries, and not a redemption or a reversal', async () => {
		const theirs = ok(await award(actors['worker'], neighbour, 'over_cap_banquet'));
		// another household's entry does not exist for the resident
		expect(
			await httpStatus(fileAppeal(actors['resident'], theirs.entryId, { reason: '替邻居申诉' }))
		).toBe(404);
		expect(
			await httpStatus(fileAppeal(actors['resident of B'], theirs.entryId, { reason: '外点申诉' }))
		).toBe(404);
		// staff do not appeal for a household
		expect(
			await httpStatus(fileAppeal(actors['admin'], theirs.entryId, { reason: '代为申诉' }))
		).toBe(403);
		expect(
			await httpStatus(fileAppeal(actors['system admin'], theirs.entryId, { reason: '代为申诉' }))
		).toBe(403);
		expect(await httpStatus(fileAppeal(actors['resident'], 'x', { reason: '无效编号' }))).toBe(404);
		const mine = ok(await award(actors['worker'], home, 'elder_care'));
		const back = ok(await reverseEntry(actors['admin'], mine.entryId, { reason: '重复' }));
		expect(await fileAppeal(actors['resident'], back.entryId, { reason: '冲正不对' })).toEqual({
			ok: false,
			reason: 'not_appealable',
			field: 'reason'
		});
		// a resident's appeal list holds their own household's appeals only
		ok(await fileAppeal(actors['neighbour'], theirs.entryId, { reason: '没有超标办酒' }));
		const mineOnly = await listAppeals(actors['resident']);
		expect(mineOnly.rows.length).toBeGreaterThan(0);
		for (const r of mineOnly.rows) expect(r.householdId).toBe(home.id);
		const ofB = await listAppeals(actors['admin of B']);
		for (const r of ofB.rows) expect(r.settlementId).toBe(b.id);
		expect(
			await httpStatus(
				getAppeal(actors['resident'], (await listAppeals(actors['neighbour'])).rows[0].id)
			)
		).toBe(404);
	});
});

describe('reading points', () => {
	it('a resident reads only their own household; staff their settlements', async () => {
		ok(await award(actors['worker'], neighbour, 'elder_care'));
		const mine = await householdPoints(actors['resident'], home.id);
		expect(mine.household.id).toBe(home.id);
		expect(mine.balance).toBe((await expectBalanced(home.id)).balance);
		for (const e of mine.entries) expect(e.householdId).toBe(home.id);
		expect(await httpStatus(householdPoints(actors['resident'], neighbour.id))).toBe(404);
		expect(await httpStatus(householdPoints(actors['resident of B'], home.id))).toBe(404);
		expect(await httpStatus(householdPoints(actors['admin of B'], home.id))).toBe(404);
		expect((await householdPoints(actors['county chief'], home.id)).household.id).toBe(home.id);
		// the settlement's ledger: a resident gets their own rows only, staff of B nothing of A
		const ledger = await listLedger(actors['resident'], {
			settlementId: a.id,
			householdId: home.id
		});
		expect(ledger.rows.length).toBeGreaterThan(0);
		for (const e of ledger.rows) expect(e.householdId).toBe(home.id);
		expect(await httpStatus(listLedger(actors['resident'], { settlementId: a.id }))).toBe(404);
		expect(
			await httpStatus(
				listLedger(actors['resident'], { settlementId: a.id, householdId: neighbour.id })
			)
		).toBe(404);
		expect(await httpStatus(listLedger(actors['admin of B'], { settlementId: a.id }))).toBe(404);
		const all = await listLedger(actors['admin'], { settlementId: a.id });
		expect(new Set(all.rows.map((r) => r.householdId)).size).toBeGreaterThan(1);
		expect(
			await httpStatus(
				getEntry(actors['resident'], all.rows.find((r) => r.householdId !== home.id)!.id)
			)
		).toBe(404);
		const summary = await myPoints(actors['resident']);
		expect(summary?.balance).toBe(mine.balance);
		expect(summary?.entries.length).toBeLessThanOrEqual(3);
		expect(await myPoints(actors['admin'])).toBeNull();
	});

	it('pages the ledger newest first by entry number, without gaps or repeats', async () => {
		const h = await createHousehold(a);
		for (let i = 0; i < 7; i++) ok(await award(actors['worker'], h, 'activity'));
		const seen: number[] = [];
		let before: number | null = null;
		for (;;) {
			const page = await householdPoints(actors['admin'], h.id, { before, limit: 3 });
			seen.push(...page.entries.map((e) => e.no));
			if (!page.next) break;
			before = page.next;
		}
		expect(seen).toHaveLength(7);
		expect([...seen].sort((x, y) => y - x)).toEqual(seen);
		expect(new Set(seen).size).toBe(7);
		const filtered = await listLedger(actors['admin'], { settlementId: a.id, householdId: h.id });
		expect(filtered.rows.map((r) => r.no)).toEqual(seen);
		expect(filtered.rows[0]).toMatchObject({
			itemLabel: '参加社区活动',
			delta: 2,
			source: 'award'
		});
	});
});

describe('ranking', () => {
	it('ranks households by what they earned this year, not what they spent; ties share a rank', async () => {
		const p = await createSettlement(county);
		await createPointsList(p);
		const admin = (await createUser({ grants: [{ role: 'point_admin', on: p }] })).actor;
		const [x, y, z] = [
			await createHousehold(p),
			await createHousehold(p),
			await createHousehold(p)
		];
		ok(await award(admin, x, 'elder_care'));
		ok(await award(admin, x, 'elder_care'));
		ok(await award(admin, y, 'elder_care'));
		ok(await award(admin, y, 'volunteer_activity'));
		ok(await award(admin, y, 'volunteer_activity'));
		ok(await award(admin, z, 'elder_care'));
		const wrong = ok(await award(admin, z, 'over_cap_banquet'));
		ok(await reverseEntry(admin, wrong.entryId, { reason: '误扣' }));
		const item = await createShopItemRow(p, { cost: 15 });
		ok(
			await redeem(admin, {
				itemId: item.id,
				householdId: x.id,
				quantity: 1,
				idempotencyKey: newKey()
			})
		);
		const r = await ranking(admin, { settlementId: p.id, year: currentYear() });
		const rows = r.rows.map((row) => [row.householdId, row.points, row.rank]);
		expect(r.year).toBe(currentYear());
		// x and y tie (x's 15 spent in the shop does not count), z's reversed deduction nets out
		expect(rows.slice(0, 2)).toEqual(
			expect.arrayContaining([
				[x.id, 20, 1],
				[y.id, 20, 1]
			])
		);
		expect(rows.slice(2)).toEqual([[z.id, 10, 3]]);
		expect((await ranking(admin, { settlementId: p.id, year: currentYear() - 1 })).rows).toEqual(
			[]
		);
		expect(
			await httpStatus(ranking(actors['resident'], { settlementId: a.id, year: currentYear() }))
		).toBe(404);
		expect(
			await httpStatus(ranking(actors['admin'], { settlementId: p.id, year: currentYear() }))
		).toBe(404);
	});
});

describe('awardForActivity', () => {
	it('posts once per person and activity, nothing for an item not on the list', async () => {
		const h = await createHousehold(a, { members: 2 });
		const activityId = randomUUID();
		const call = (residentId: string, itemCode = 'volunteer_activity') =>
			db().transaction((tx) =>
				awardForActivity(tx, {
					activityId,
					householdId: h.id,
					residentId,
					settlementId: a.id,
					regionPath: a.regionPath,
					itemCode,
					actor: actors['worker']
				})
			);
		const first = await call(h.members[0].id);
		expect(first).toMatchObject({ delta: 5, balance: 5 });
		expect(await call(h.members[0].id)).toBeNull();
		const concurrent = await Promise.all([call(h.members[1].id), call(h.members[1].id)]);
		expect(concurrent.filter((r) => r !== null)).toHaveLength(1);
		expect(await call(h.members[0].id, 'draft_only')).toBeNull();
		expect(await expectBalanced(h.id)).toMatchObject({ balance: 10, n: 2 });
		const [entry] = await db()
			.select()
			.from(schema.pointsEntry)
			.where(eq(schema.pointsEntry.id, first!.entryId));
		expect(entry).toMatchObject({
			source: 'activity',
			ref: `activity:${activityId}:${h.members[0].id}`,
			residentId: h.members[0].id
		});
	});
});
