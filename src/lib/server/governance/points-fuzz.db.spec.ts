import { isHttpError } from '@sveltejs/kit';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
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

/** Strings that have broken forms before: NUL, controls, bidi, BOM, lone surrogates, emoji, SQL. */
const nasty = fc.constantFrom(
	'\u0000',
	'\u0007',
	'\u202e',
	'\ufeff',
	'\ud800',
	'\udfff',
	'😀',
	'\r\n',
	'　',
	'%',
	'_',
	'\\',
	"'; drop table points_entry; --",
	'<script>alert(1)</script>',
	'NaN',
	'Infinity',
	'-1',
	'1e309',
	'0x1F',
	'elder_care'
);

const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'grapheme', maxLength: 60 }),
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.array(nasty, { maxLength: 8 }).map((parts) => parts.join('')),
	fc.string({ minLength: 490, maxLength: 520 }),
	fc.string({ unit: 'grapheme-composite', minLength: 1000, maxLength: 5000 }),
	fc.uuid().map(String),
	fc.constant('')
);

const spiked = fc
	.tuple(
		fc.array(nasty, { minLength: 1, maxLength: 3 }),
		fc.constantFrom('帮助邻居搬家', '维持', 'ok')
	)
	.map(([parts, w]) => w + parts.join(w));

const number = fc.oneof(
	fc.integer(),
	fc.double(),
	fc.constantFrom(0, 1, 99, 100, -1, 2.5, 100_001, Number.MAX_SAFE_INTEGER + 2, 1e308)
);

const anything: fc.Arbitrary<unknown> = fc.oneof(
	text,
	number,
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.bigInt(),
	fc.array(fc.oneof(text, number), { maxLength: 4 }),
	fc.dictionary(fc.string({ maxLength: 5 }), text, { maxKeys: 3 })
);

const isCjk = /[\u3400-\u9fff]/;
type Schema = z.ZodType;

function expectAnswered(schema: Schema, input: unknown, { chinese }: { chinese: boolean }) {
	const result = schema.safeParse(input);
	if (result.success) {
		expect(schema.parse(result.data)).toEqual(result.data);
		return result;
	}
	expect(result.error.issues.length).toBeGreaterThan(0);
	for (const issue of result.error.issues) {
		expect(typeof issue.message).toBe('string');
		expect(issue.message.trim()).not.toBe('');
		if (chinese) {
			expect(issue.message, JSON.stringify(issue)).toMatch(isCjk);
			expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
		}
	}
	return result;
}

const validKey = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
const itemCodes = fc.constantFrom(...testItems.map((i) => i.code), 'draft_only', 'no_such');

/** Each form's fields with values a page might get. */
const forms = {
	awardSchema: {
		schema: awardSchema,
		fields: {
			householdId: fc.uuid(),
			residentId: fc.uuid(),
			itemCode: itemCodes,
			reason: spiked,
			idempotencyKey: validKey
		},
		flags: []
	},
	reversalSchema: { schema: reversalSchema, fields: { reason: spiked }, flags: [] },
	appealSchema: { schema: appealSchema, fields: { reason: spiked }, flags: [] },
	appealDecisionSchema: {
		schema: appealDecisionSchema,
		fields: { decision: fc.constantFrom('uphold', 'reject'), note: spiked },
		flags: []
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
		},
		flags: []
	},
	redeemSchema: {
		schema: redeemSchema,
		fields: {
			itemId: fc.uuid(),
			householdId: fc.uuid(),
			quantity: fc.integer({ min: -2, max: 120 }).map(String),
			idempotencyKey: validKey
		},
		flags: []
	},
	handoverSchema: { schema: handoverSchema, fields: { redemptionId: fc.uuid() }, flags: [] }
} satisfies Record<
	string,
	{ schema: Schema; fields: Record<string, fc.Arbitrary<unknown>>; flags: string[] }
>;

/** As a page gets a post through superforms: every field there, strings but the flags. */
const posted = (fields: Record<string, fc.Arbitrary<unknown>>, flags: string[]) =>
	fc.record(
		Object.fromEntries(
			Object.keys(fields).map((k) => [
				k,
				flags.includes(k)
					? fc.boolean()
					: fc.oneof(
							fields[k].filter((v): v is string => typeof v === 'string'),
							text,
							spiked,
							fc.constant('')
						)
			])
		)
	);

describe('every points and shop form schema, fuzzed', () => {
	describe.each(Object.entries(forms))('%s', (_name, { schema, fields, flags }) => {
		it('answers a posted form in Chinese at a field, or takes it', () => {
			fc.assert(
				fc.property(posted(fields, flags), (input) => {
					expectAnswered(schema, input, { chinese: true });
				}),
				{ numRuns: 200 }
			);
		});

		it('never throws on values of any type', () => {
			fc.assert(
				fc.property(
					fc.oneof(
						fc.record(Object.fromEntries(Object.keys(fields).map((k) => [k, anything])), {
							requiredKeys: []
						}),
						fc.dictionary(fc.string({ maxLength: 12 }), anything, { maxKeys: 8 })
					),
					(input) => {
						expectAnswered(schema, input, { chinese: false });
					}
				),
				{ numRuns: 200 }
			);
		});
	});

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

const idFrom = (pool: () => string[]) =>
	fc.oneof(
		{ arbitrary: fc.nat().map((i) => pool()[i % Math.max(pool().length, 1)] ?? ''), weight: 8 },
		{ arbitrary: fc.uuid().map(String), weight: 1 },
		{ arbitrary: text, weight: 1 }
	);

/** Anyone, but mostly the resident and the staff of A, whose calls get furthest. */
const anyActor = fc
	.oneof({ arbitrary: fc.constantFrom(0, 1, 2), weight: 3 }, { arbitrary: fc.nat(), weight: 2 })
	.map((i) => actors[i % actors.length]);

type Tally = { refusedByForm: number; ok: number; failed: number; denied: number };
const newTally = (): Tally => ({ refusedByForm: 0, ok: 0, failed: 0, denied: 0 });

/** A command's answer: a result, a typed failure at a field, or a 403/404; anything else fails. */
async function expectHandled<T>(p: Promise<T>, tally: Tally): Promise<T | null> {
	try {
		const result = await p;
		const r = result as { ok: boolean; reason?: string; field?: string };
		expect(typeof r.ok).toBe('boolean');
		if (r.ok) tally.ok++;
		else {
			tally.failed++;
			expect(typeof r.reason).toBe('string');
			expect(typeof r.field).toBe('string');
		}
		return result;
	} catch (e) {
		if (isHttpError(e) && (e.status === 403 || e.status === 404)) {
			tally.denied++;
			return null;
		}
		throw e;
	}
}

function parsed<S extends Schema>(schema: S, input: unknown, tally: Tally): z.output<S> | null {
	const result = schema.safeParse(input);
	if (!result.success) tally.refusedByForm++;
	return result.success ? result.data : null;
}

const words = fc.oneof({ arbitrary: spiked, weight: 5 }, { arbitrary: text, weight: 1 });
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = text) =>
	fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: other, weight: 1 });
const runs = { numRuns: 60 };

/** The fuzz got past the form and the access check, not only refused. */
const reached = (t: Tally) => expect(t.ok + t.failed, JSON.stringify(t)).toBeGreaterThan(0);

describe('every points and shop command, fed what its schema lets through', () => {
	it('awardPoints', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
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
				}),
				async (actor, form) => {
					const input = parsed(awardSchema, form, tally);
					if (!input) return;
					const r = await expectHandled(awardPoints(actor, input), tally);
					if (r?.ok) ids.entries.push(r.entryId);
				}
			),
			runs
		);
		reached(tally);
	});

	it('fileAppeal and reverseEntry', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.entries),
				fc.record({ reason: words }),
				fc.boolean(),
				async (actor, entryId, form, appeal) => {
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
			),
			runs
		);
		reached(tally);
	});

	it('decideAppeal', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.appeals),
				fc.record({ decision: mostly(fc.constantFrom('uphold', 'reject')), note: words }),
				async (actor, appealId, form) => {
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
			),
			{ numRuns: 40 }
		);
		expect(tally.ok + tally.failed + tally.denied + tally.refusedByForm).toBeGreaterThan(0);
	});

	it('createShopItem, updateShopItem and restock', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
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
				fc.constantFrom('create', 'update', 'restock'),
				async (actor, settlementId, itemId, itemForm, restockForm, what) => {
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
			),
			runs
		);
		reached(tally);
	});

	it('redeem and markHandedOver', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
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
				idFrom(() => ids.redemptions),
				async (actor, form, redemptionId) => {
					const input = parsed(redeemSchema, form, tally);
					if (input) {
						const r = await expectHandled(redeem(actor, input), tally);
						if (r?.ok) ids.redemptions.push(r.redemptionId);
					}
					await expectHandled(markHandedOver(actor, redemptionId), tally);
				}
			),
			runs
		);
		reached(tally);
	});

	it('the reads, with any filters', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.settlements),
				idFrom(() => ids.households),
				fc.oneof(fc.integer(), fc.constant(null)),
				fc.oneof(text, fc.constant(null)),
				async (actor, settlementId, householdId, before, after) => {
					const read = async (p: Promise<unknown>) =>
						expectHandled(
							p.then(() => ({ ok: true })),
							tally
						);
					await read(householdPoints(actor, householdId, { before }));
					await read(listLedger(actor, { settlementId, householdId, before }));
					await read(ranking(actor, { settlementId, year: before ?? 2026 }));
					await read(listAppeals(actor, { settlementId, after }));
					await read(listRedemptions(actor, { settlementId, householdId, after }));
				}
			),
			{ numRuns: 40 }
		);
		reached(tally);
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
