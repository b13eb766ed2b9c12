import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	appealDecisionSchema,
	appealSchema,
	appealsQuerySchema,
	awardSchema,
	handoverSchema,
	ledgerQuerySchema,
	rankingQuerySchema,
	redeemSchema,
	redemptionsQuerySchema,
	restockSchema,
	reversalSchema,
	shopItemSchema
} from '$lib/schemas/governance-points';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createOrganization,
	createSettlement,
	createUser
} from '../../../../tests/factories';
import {
	createPointsList,
	createShopItemRow,
	givePoints,
	testItems
} from '../../../../tests/governance-points';
import {
	commandChecks,
	expectReached,
	fuzzCalls,
	fuzzInputs,
	parsed,
	pickMostly,
	validKey,
	type FuzzedForm
} from '../../../../tests/fuzz';
import type { Actor } from '../access';
import { db } from '../db';
import { rowsOf } from '../settlements/shared';
import {
	awardPoints,
	decideAppeal,
	fileAppeal,
	householdPoints,
	listAppeals,
	listLedger,
	ranking,
	reverseEntry
} from './points';
import {
	createShopItem,
	listRedemptions,
	markHandedOver,
	redeem,
	restock,
	updateShopItem
} from './shop';

// Bad input, fuzzed: every points and shop form takes anything without throwing and answers in
// Chinese at a field; whatever a schema lets through, the commands answer with a result, a typed
// failure, or a 403/404, never an exception (a 500) — and every balance still is its ledger's sum.

useTestDatabase();

const { text, spiked, words, mostly, idFrom, fuzzForms } = fuzzInputs({
	table: 'points_entry',
	nasty: ['elder_care'],
	words: ['帮助邻居搬家', '维持'],
	numbers: [99, 100, 100_001],
	long: { minLength: 490, maxLength: 520 }
});

const itemCodes = fc.constantFrom(...testItems.map((i) => i.code), 'draft_only', 'no_such');

/** Each form's fields with values a page might get. */
const forms: Record<string, FuzzedForm> = {
	awardSchema: {
		schema: awardSchema,
		fields: {
			householdId: fc.uuid(),
			residentId: fc.uuid(),
			itemCode: itemCodes,
			reason: spiked,
			idempotencyKey: validKey
		}
	},
	reversalSchema: { schema: reversalSchema, fields: { reason: spiked } },
	appealSchema: { schema: appealSchema, fields: { reason: spiked } },
	appealDecisionSchema: {
		schema: appealDecisionSchema,
		fields: { decision: fc.constantFrom('uphold', 'reject'), note: spiked }
	},
	shopItemSchema: {
		schema: shopItemSchema,
		fields: {
			name: spiked,
			unit: fc.constantFrom('件', '袋', ''),
			cost: fc.integer({ min: -5, max: 100_005 }).map(String),
			active: fc.boolean()
		},
		flags: ['active']
	},
	restockSchema: {
		schema: restockSchema,
		fields: {
			quantity: fc.integer({ min: -5, max: 100_005 }).map(String),
			donorOrganizationId: fc.uuid(),
			donorName: spiked,
			note: spiked
		}
	},
	redeemSchema: {
		schema: redeemSchema,
		fields: {
			itemId: fc.uuid(),
			householdId: fc.uuid(),
			quantity: fc.integer({ min: -2, max: 120 }).map(String),
			idempotencyKey: validKey
		}
	},
	handoverSchema: { schema: handoverSchema, fields: { redemptionId: fc.uuid() } }
};

describe('every points and shop form schema, fuzzed', () => {
	fuzzForms(forms, { numRuns: 200 });

	it('the address-bar filters take anything, dropping what they do not know', () => {
		for (const schema of [
			ledgerQuerySchema,
			appealsQuerySchema,
			rankingQuerySchema,
			redemptionsQuerySchema
		])
			fc.assert(
				fc.property(
					fc.dictionary(
						fc.constantFrom('settlement', 'household', 'before', 'status', 'after', 'year', 'x'),
						fc.oneof(text, fc.uuid().map(String), fc.integer().map(String)),
						{ maxKeys: 6 }
					),
					(input) => {
						expect(schema.safeParse(input).success).toBe(true);
					}
				),
				{ numRuns: 200 }
			);
	});
});

// ---------------------------------------------------------------------------------------------

const actors: Actor[] = [];
const ids = {
	settlements: [] as string[],
	households: [] as string[],
	members: [] as string[],
	entries: [] as string[],
	appeals: [] as string[],
	items: [] as string[],
	redemptions: [] as string[],
	organizations: [] as string[]
};

beforeAll(async () => {
	const county = await createCounty();
	const a = await createSettlement(county);
	const b = await createSettlement(county);
	await createPointsList(a);
	await createPointsList(b);
	const home = await createHousehold(a, { members: 3 });
	const other = await createHousehold(a);
	const hb = await createHousehold(b);
	for (const h of [home, other, hb]) await givePoints(h, 200);
	const users = await Promise.all([
		createUser({ household: home, grants: [{ role: 'resident', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ household: hb, grants: [{ role: 'resident', on: b }] }),
		createUser({ grants: [{ role: 'point_admin', on: b }] }),
		createUser({ grants: [{ role: 'chief_of_points', on: county }] }),
		createUser({ grants: [{ role: 'system_admin' }] }),
		createUser({})
	]);
	actors.push(...users.map((u) => u.actor));
	ids.settlements.push(a.id, b.id);
	ids.households.push(home.id, other.id, hb.id);
	ids.members.push(...home.members.map((m) => m.id), ...other.members.map((m) => m.id));
	ids.organizations.push((await createOrganization(county)).id);
	for (const s of [a, b, a])
		ids.items.push((await createShopItemRow(s, { cost: 3, stock: 40 })).id);
});

/** Anyone, but mostly the resident and the staff of A, whose calls get furthest. */
const anyActor = pickMostly(actors, [0, 1, 2]);

const { expectHandled, expectRead } = commandChecks({ field: true });

const runs = 60;

describe('every points and shop command, fed what its schema lets through', () => {
	it('awardPoints', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				fc.record({
					householdId: idFrom(() => ids.households),
					residentId: fc.oneof(
						idFrom(() => ids.members),
						fc.constant('')
					),
					itemCode: mostly(itemCodes),
					reason: words,
					idempotencyKey: mostly(validKey)
				})
			],
			async (tally, actor, form) => {
				const input = parsed(awardSchema, form, tally);
				if (!input) return;
				const r = await expectHandled(awardPoints(actor, input), tally);
				if (r?.ok) ids.entries.push(r.entryId);
			}
		);
		expectReached(tally);
	});

	it('fileAppeal and reverseEntry', async () => {
		const tally = await fuzzCalls(
			runs,
			[anyActor, idFrom(() => ids.entries), fc.record({ reason: words }), fc.boolean()],
			async (tally, actor, entryId, form, appeal) => {
				if (appeal) {
					const input = parsed(appealSchema, form, tally);
					if (!input) return;
					const r = await expectHandled(fileAppeal(actor, entryId, input), tally);
					if (r?.ok) ids.appeals.push(r.appealId);
				} else {
					const input = parsed(reversalSchema, form, tally);
					if (input) await expectHandled(reverseEntry(actor, entryId, input), tally);
				}
			}
		);
		expectReached(tally);
	});

	it('decideAppeal', async () => {
		const tally = await fuzzCalls(
			40,
			[
				anyActor,
				idFrom(() => ids.appeals),
				fc.record({ decision: mostly(fc.constantFrom('uphold', 'reject')), note: words })
			],
			async (tally, actor, appealId, form) => {
				const input = parsed(appealDecisionSchema, form, tally);
				if (input)
					await expectHandled(
						decideAppeal(actor, appealId, {
							uphold: input.decision === 'uphold',
							note: input.note
						}),
						tally
					);
			}
		);
		expect(tally.ok + tally.failed + tally.denied + tally.refusedByForm).toBeGreaterThan(0);
	});

	it('createShopItem, updateShopItem and restock', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				idFrom(() => ids.settlements),
				idFrom(() => ids.items),
				fc.record({
					name: words,
					unit: mostly(fc.constantFrom('件', '袋')),
					cost: mostly(fc.integer({ min: 0, max: 200 }).map(String)),
					active: fc.boolean()
				}),
				fc.record({
					quantity: mostly(fc.integer({ min: -1, max: 500 }).map(String)),
					donorOrganizationId: fc.oneof(
						idFrom(() => ids.organizations),
						fc.constant('')
					),
					donorName: words,
					note: words
				}),
				fc.constantFrom('create', 'update', 'restock')
			],
			async (tally, actor, settlementId, itemId, itemForm, restockForm, what) => {
				if (what === 'restock') {
					const input = parsed(restockSchema, restockForm, tally);
					if (input) await expectHandled(restock(actor, itemId, input), tally);
					return;
				}
				const input = parsed(shopItemSchema, itemForm, tally);
				if (!input) return;
				if (what === 'create') {
					const r = await expectHandled(createShopItem(actor, settlementId, input), tally);
					if (r?.ok) ids.items.push(r.id);
				} else await expectHandled(updateShopItem(actor, itemId, input), tally);
			}
		);
		expectReached(tally);
	});

	it('redeem and markHandedOver', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				fc.record({
					itemId: idFrom(() => ids.items),
					householdId: fc.oneof(
						idFrom(() => ids.households),
						fc.constant('')
					),
					quantity: mostly(fc.integer({ min: 0, max: 101 }).map(String)),
					idempotencyKey: mostly(validKey)
				}),
				idFrom(() => ids.redemptions)
			],
			async (tally, actor, form, redemptionId) => {
				const input = parsed(redeemSchema, form, tally);
				if (input) {
					const r = await expectHandled(redeem(actor, input), tally);
					if (r?.ok) ids.redemptions.push(r.redemptionId);
				}
				await expectHandled(markHandedOver(actor, redemptionId), tally);
			}
		);
		expectReached(tally);
	});

	it('the reads, with any filters', async () => {
		const tally = await fuzzCalls(
			40,
			[
				anyActor,
				idFrom(() => ids.settlements),
				idFrom(() => ids.households),
				fc.oneof(fc.integer(), fc.constant(null)),
				fc.oneof(text, fc.constant(null))
			],
			async (tally, actor, settlementId, householdId, before, after) => {
				await expectRead(householdPoints(actor, householdId, { before }), tally);
				await expectRead(listLedger(actor, { settlementId, householdId, before }), tally);
				await expectRead(ranking(actor, { settlementId, year: before ?? 2026 }), tally);
				await expectRead(listAppeals(actor, { settlementId, after }), tally);
				await expectRead(listRedemptions(actor, { settlementId, householdId, after }), tally);
			}
		);
		expectReached(tally);
	});

	it('leaves every balance the sum of its ledger, and no stock below zero', async () => {
		const off = rowsOf<{ n: number }>(
			await db().execute(sql`
				select count(*)::int as n from points_account a
				where a.balance <> coalesce((select sum(delta) from points_entry e where e.household_id = a.household_id), 0)`)
		);
		expect(off[0].n).toBe(0);
		const negative = rowsOf<{ n: number }>(
			await db().execute(sql`select count(*)::int as n from shop_item where stock < 0`)
		);
		expect(negative[0].n).toBe(0);
	});
});
