import { isHttpError } from '@sveltejs/kit';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { careGroups, riskCategories, visitModes, wellbeings } from '$lib/activities/vocab';
import {
	endTargetSchema,
	linkSchema,
	parseLinkRef,
	scheduleFilterSchema,
	settingSchema,
	targetFilterSchema,
	targetSchema,
	visitSchema
} from '$lib/schemas/visits';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCategory,
	createCounty,
	createHousehold,
	createNeed,
	createServiceRequest,
	createSettlement,
	createUser,
	type County,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	addTarget,
	endTarget,
	getCareTarget,
	getVisit,
	linkVisit,
	linkVisitByRef,
	listOverdue,
	listSchedule,
	listTargets,
	recordVisit,
	saveCareSetting,
	searchVisitResidents,
	visitRates
} from './visits';

// Bad input, fuzzed: every care-visit form's schema takes anything without throwing and answers
// in Chinese at a field; whatever a schema lets through, the commands answer with a result, a
// typed failure, or a 403/404 — never an exception (a 500).

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
	'👨‍👩‍👧‍👦',
	'\r\n',
	'　',
	'%',
	'_',
	'\\',
	"'; drop table care_visit; --",
	'<script>alert(1)</script>',
	'NaN',
	'-1',
	'1e309',
	'2026-02-30',
	'0000-01-01',
	'FW',
	'XQ00000000000000000000',
	'独居老人'
);

/** Any string a form field may carry, up to 5,000 characters. */
const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'grapheme', maxLength: 60 }),
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.array(nasty, { maxLength: 8 }).map((parts) => parts.join('')),
	fc.string({ minLength: 990, maxLength: 2010 }),
	fc.string({ unit: 'grapheme-composite', minLength: 1000, maxLength: 5000 }),
	fc.uuid().map(String),
	fc.constant('')
);

/** Words a form would take, with something nasty inside. */
const spiked = fc
	.tuple(
		fc.array(nasty, { minLength: 1, maxLength: 3 }),
		fc.constantFrom('老人独自在家，身体尚可', '家中漏雨需要维修', 'ok')
	)
	.map(([parts, words]) => words + parts.join(words));

const number = fc.oneof(
	fc.integer(),
	fc.double(),
	fc.constantFrom(0, 1, 7, 366, 367, -1, 2.5, Number.MAX_SAFE_INTEGER + 2, 1e308)
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

const field = (...valid: fc.Arbitrary<unknown>[]) =>
	fc.option(fc.oneof(...valid, text, number, fc.boolean()), { nil: undefined });

const isCjk = /[\u3400-\u9fff]/;

type Schema = z.ZodType;

/** safeParse never throws; a refusal names a field and says why, in Chinese. */
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
const day = fc
	.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z') })
	.filter((d) => !Number.isNaN(d.getTime()))
	.map((d) => d.toISOString().slice(0, 10));
/** A day a visit may well be on: after the targets' start, before the commands' "now". */
const visitDay = fc
	.integer({ min: 0, max: 333 })
	.map((n) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10));
const intervalText = fc.oneof(
	fc.constant(''),
	fc.integer({ min: -2, max: 400 }).map(String),
	fc.constantFrom('7', '014', '1.5', ' 30 ')
);

const forms = {
	targetSchema: {
		schema: targetSchema,
		fields: {
			residentId: field(fc.uuid()),
			group: field(fc.constantFrom(...careGroups)),
			intervalDays: field(intervalText),
			workerId: field(fc.uuid(), fc.constant('')),
			since: field(day),
			note: field()
		}
	},
	endTargetSchema: {
		schema: endTargetSchema,
		fields: { targetId: field(fc.uuid()), endReason: field() }
	},
	visitSchema: {
		schema: visitSchema,
		fields: {
			targetId: field(fc.uuid()),
			visitedOn: field(day),
			mode: field(fc.constantFrom(...visitModes)),
			wellbeing: field(fc.constantFrom(...wellbeings)),
			findings: field(),
			followUp: field(),
			riskCategory: field(fc.constantFrom('', ...riskCategories)),
			riskDescription: field(),
			idempotencyKey: field(validKey)
		}
	},
	linkSchema: {
		schema: linkSchema,
		fields: {
			ref: field(
				fc.integer({ min: 0, max: 99_999_999 }).map((n) => `FW${String(n).padStart(8, '0')}`),
				fc.integer({ min: 0, max: 999_999 }).map((n) => `xq${n}`),
				fc.uuid()
			)
		}
	},
	settingSchema: {
		schema: settingSchema,
		fields: {
			regionId: field(fc.uuid()),
			livingAloneElderlyDays: field(intervalText),
			severeDisabilityDays: field(intervalText),
			leftBehindChildDays: field(intervalText),
			childInDifficultyDays: field(intervalText),
			extremePovertyDays: field(intervalText)
		}
	}
} satisfies Record<string, { schema: Schema; fields: Record<string, fc.Arbitrary<unknown>> }>;

const formOf = (fields: Record<string, fc.Arbitrary<unknown>>) =>
	fc.record(fields, { requiredKeys: [] });

/** As superforms hands a post to a page: every field there, every value a string. */
const posted = (fields: Record<string, fc.Arbitrary<unknown>>) =>
	fc.record(
		Object.fromEntries(
			Object.keys(fields).map((k) => [
				k,
				fc.oneof(
					fields[k].filter((v): v is string => typeof v === 'string'),
					text,
					spiked,
					fc.constant('')
				)
			])
		)
	);

describe('every care-visit form schema, fuzzed', () => {
	describe.each(Object.entries(forms))('%s', (_name, { schema, fields }) => {
		it('answers a posted form in Chinese at a field, or takes it', () => {
			fc.assert(
				fc.property(posted(fields), (input) => {
					expectAnswered(schema, input, { chinese: true });
				}),
				{ numRuns: 200 }
			);
		});

		it('never throws on values of any type', () => {
			fc.assert(
				fc.property(
					fc.oneof(
						formOf(fields),
						formOf(Object.fromEntries(Object.keys(fields).map((k) => [k, anything]))),
						fc.dictionary(fc.string({ maxLength: 12 }), anything, { maxKeys: 12 })
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
		fc.assert(
			fc.property(
				fc.dictionary(
					fc.constantFrom(
						'tab',
						'worker',
						'settlement',
						'month',
						'group',
						'q',
						'resident',
						'ended'
					),
					fc.oneof(text, fc.uuid().map(String)),
					{ maxKeys: 8 }
				),
				(input) => {
					expect(scheduleFilterSchema.safeParse(input).success).toBe(true);
					expect(targetFilterSchema.safeParse(input).success).toBe(true);
				}
			),
			{ numRuns: 300 }
		);
	});

	it('a link reference the schema takes is read as a number or an id, never thrown on', () => {
		fc.assert(
			fc.property(fc.oneof(text, spiked, forms.linkSchema.fields.ref), (ref) => {
				const ok = linkSchema.safeParse({ ref });
				if (ok.success) {
					const parsed = parseLinkRef(ok.data.ref);
					if (parsed && parsed.kind !== 'id') expect(Number.isSafeInteger(parsed.no)).toBe(true);
				} else expect(ok.error.issues[0].message).toMatch(isCjk);
			}),
			{ numRuns: 300 }
		);
	});
});

// ---------------------------------------------------------------------------------------------
// what the commands do with whatever got through

let county: County;
let a: Settlement;
const actors: Actor[] = [];
const ids = {
	residents: [] as string[],
	targets: [] as string[],
	visits: [] as string[],
	users: [] as string[],
	regions: [] as string[],
	settlements: [] as string[],
	refs: [] as string[]
};

beforeAll(async () => {
	county = await createCounty();
	const other = await createCounty();
	a = await createSettlement(county);
	const b = await createSettlement(county);
	const away = await createSettlement(other);
	const homes = [
		await createHousehold(a, { members: 4 }),
		await createHousehold(a, { members: 2 }),
		await createHousehold(b, { members: 2 }),
		await createHousehold(away, { members: 2 }),
		await createHousehold(a, { members: 1, status: 'moved_out' })
	];
	const users = await Promise.all([
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ grants: [{ role: 'point_chief', on: a }] }),
		createUser({ grants: [{ role: 'community_worker', on: b }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'system_admin' }] }),
		createUser({ household: homes[0], grants: [{ role: 'resident', on: a }] }),
		createUser({})
	]);
	actors.push(...users.map((u) => u.actor));
	ids.users.push(...actors.map((x) => x.id));
	ids.regions.push(county.id, other.id, county.city.id);
	ids.settlements.push(a.id, b.id, away.id);
	ids.residents.push(...homes.flatMap((h) => h.members.map((m) => m.id)));
	// targets to visit at every point: the fuzz below adds more
	for (const h of homes.slice(0, 4))
		for (const m of h.members.slice(0, 2)) {
			const admin = (
				await createUser({ grants: [{ role: 'point_admin', on: { id: h.settlementId } }] })
			).actor;
			const r = await addTarget(
				admin,
				targetSchema.parse({ residentId: m.id, group: 'living_alone_elderly', since: '2026-01-01' })
			);
			if (r.ok) ids.targets.push(r.id);
		}
	const category = await createCategory(county);
	for (const h of homes.slice(0, 3)) {
		const req = await createServiceRequest(h, category, actors[1]);
		const need = await createNeed(h, actors[1]);
		ids.refs.push(
			`FW${String(req.no).padStart(8, '0')}`,
			`XQ${String(need.no).padStart(6, '0')}`,
			req.id,
			need.id
		);
	}
});

const idFrom = (pool: () => string[]) =>
	fc.oneof(
		{ arbitrary: fc.nat().map((i) => pool()[i % pool().length]), weight: 8 },
		{ arbitrary: fc.uuid().map(String), weight: 1 },
		{ arbitrary: text, weight: 1 }
	);

/** Anyone, but mostly the point's own staff, whose calls get furthest. */
const anyActor = fc
	.oneof({ arbitrary: fc.constantFrom(0, 1, 2), weight: 3 }, { arbitrary: fc.nat(), weight: 2 })
	.map((i) => actors[i % actors.length]);
const anyNow = fc.date({
	min: new Date('2026-12-01T00:00:00Z'),
	max: new Date('2027-12-31T00:00:00Z'),
	noInvalidDate: true
});

const failureReasons = [
	'inactive',
	'no_worker',
	'duplicate',
	'ended',
	'future',
	'before_since',
	'household_ended',
	'not_found',
	'other_household',
	'already_linked',
	'nothing',
	'not_county'
];

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
			expect(failureReasons).toContain(r.reason);
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

/** A read's answer: a value, or a 404; anything else fails. */
async function expectRead(p: Promise<unknown>): Promise<void> {
	try {
		expect(await p).toBeDefined();
	} catch (e) {
		if (isHttpError(e) && e.status === 404) return;
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

const fuzzRuns = { numRuns: 60 };

describe('every care-visit command, fed what its schema lets through', () => {
	it('addTarget', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc.record({
					residentId: idFrom(() => ids.residents),
					group: mostly(fc.constantFrom(...careGroups)),
					intervalDays: mostly(intervalText),
					workerId: fc.oneof(
						fc.constant(''),
						idFrom(() => ids.users)
					),
					since: mostly(day),
					note: words
				}),
				async (actor, form) => {
					const input = parsed(targetSchema, form, tally);
					if (!input) return;
					const r = await expectHandled(addTarget(actor, input), tally);
					if (r?.ok) ids.targets.push(r.id);
				}
			),
			fuzzRuns
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('recordVisit, with and without a risk', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc
					.tuple(
						fc.record({
							targetId: idFrom(() => ids.targets),
							visitedOn: mostly(visitDay, day),
							mode: mostly(fc.constantFrom(...visitModes)),
							wellbeing: mostly(fc.constantFrom(...wellbeings)),
							findings: words,
							followUp: words,
							idempotencyKey: mostly(validKey)
						}),
						// no risk, or a category with its words; now and then one without the other
						fc.oneof(
							{ arbitrary: fc.constant({ riskCategory: '', riskDescription: '' }), weight: 3 },
							{
								arbitrary: fc.record({
									riskCategory: fc.constantFrom(...riskCategories),
									riskDescription: words
								}),
								weight: 3
							},
							{
								arbitrary: fc.record({
									riskCategory: fc.constantFrom('', ...riskCategories),
									riskDescription: text
								}),
								weight: 1
							}
						)
					)
					.map(([visit, risk]) => ({ ...visit, ...risk })),
				anyNow,
				async (actor, form, now) => {
					const input = parsed(visitSchema, form, tally);
					if (!input) return;
					const r = await expectHandled(recordVisit(actor, input, now), tally);
					if (r?.ok) {
						ids.visits.push(r.visitId);
						// the flag and the visit are one
						const [row] = await db()
							.select({ riskFlagId: schema.careVisit.riskFlagId })
							.from(schema.careVisit)
							.where(eq(schema.careVisit.id, r.visitId));
						expect(row.riskFlagId).toBe(r.riskFlagId);
						if (!r.duplicate) expect(!!r.riskFlagId).toBe(!!input.riskCategory);
					}
				}
			),
			{ numRuns: 80 }
		);
		// visits were recorded, not only refused
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('linkVisitByRef and linkVisit', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.visits),
				fc.oneof(
					idFrom(() => ids.refs),
					fc.constantFrom('FW00000000', 'xq1', 'FW999999999999')
				),
				fc.boolean(),
				async (actor, visitId, ref, byId) => {
					if (byId) {
						await expectHandled(linkVisit(actor, visitId, { serviceRequestId: ref }), tally);
						await expectHandled(linkVisit(actor, visitId, { needId: ref }), tally);
						return;
					}
					const input = parsed(linkSchema, { ref }, tally);
					if (input) await expectHandled(linkVisitByRef(actor, visitId, input.ref), tally);
				}
			),
			fuzzRuns
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('endTarget', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc.record({ targetId: idFrom(() => ids.targets), endReason: words }),
				anyNow,
				async (actor, form, now) => {
					const input = parsed(endTargetSchema, form, tally);
					if (input) await expectHandled(endTarget(actor, input, now), tally);
				}
			),
			{ numRuns: 40 }
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('saveCareSetting', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc.record({
					regionId: idFrom(() => ids.regions),
					livingAloneElderlyDays: intervalText,
					severeDisabilityDays: intervalText,
					leftBehindChildDays: intervalText,
					childInDifficultyDays: intervalText,
					extremePovertyDays: intervalText
				}),
				async (actor, form) => {
					const input = parsed(settingSchema, form, tally);
					if (input) await expectHandled(saveCareSetting(actor, input), tally);
				}
			),
			{ numRuns: 40 }
		);
		expect(tally.ok + tally.failed + tally.denied, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('the reads: lists, schedules, rates, searches and records answer or 404', async () => {
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc.record({
					settlement: idFrom(() => ids.settlements),
					worker: idFrom(() => ids.users),
					target: idFrom(() => ids.targets),
					visit: idFrom(() => (ids.visits.length ? ids.visits : ids.targets)),
					q: fc.oneof(words, fc.constantFrom('户主', '1栋', '%', '_', '\\')),
					month: fc.oneof(text, fc.constantFrom('2026-06', '0000-01', '2026-13')),
					after: fc.oneof(
						text,
						fc.constantFrom('2026-02-30|x', `2026-06-01|${crypto.randomUUID()}`)
					),
					group: fc.constantFrom('', ...careGroups),
					ended: fc.boolean()
				}),
				anyNow,
				async (actor, q, now) => {
					await expectRead(
						listTargets(
							actor,
							{
								settlementId: q.settlement,
								workerId: q.worker,
								group: q.group,
								ended: q.ended,
								after: q.after
							},
							now
						)
					);
					await expectRead(
						listSchedule(actor, { workerId: q.worker, settlementId: q.settlement }, now)
					);
					await expectRead(listOverdue(actor, { settlementId: q.settlement }, now));
					await expectRead(visitRates(actor, { month: q.month }, now));
					await expectRead(searchVisitResidents(actor, q.settlement, q.q));
					await expectRead(getCareTarget(actor, q.target, now));
					await expectRead(getVisit(actor, q.visit));
				}
			),
			{ numRuns: 40 }
		);
		// the fuzz reached records, not only refusals
		expect(ids.visits.length).toBeGreaterThan(0);
	});
});
