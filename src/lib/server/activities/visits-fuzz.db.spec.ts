import { isHttpError } from '@sveltejs/kit';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
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
import {
	commandChecks,
	dayBetween,
	expectReached,
	fuzzCalls,
	fuzzInputs,
	isCjk,
	momentBetween,
	parsed,
	pickMostly,
	validKey,
	type FuzzedForm
} from '../../../../tests/fuzz';
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

const { text, spiked, field, words, mostly, idFrom, fuzzForms } = fuzzInputs({
	table: 'care_visit',
	nasty: ['2026-02-30', '0000-01-01', 'FW', 'XQ00000000000000000000', '独居老人'],
	words: ['老人独自在家，身体尚可', '家中漏雨需要维修'],
	numbers: [7, 366, 367],
	long: { minLength: 990, maxLength: 2010 }
});

const day = dayBetween('2025-01-01T00:00:00Z', '2027-12-31T00:00:00Z');
/** A day a visit may well be on: after the targets' start, before the commands' "now". */
const visitDay = fc
	.integer({ min: 0, max: 333 })
	.map((n) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10));
const intervalText = fc.oneof(
	fc.constant(''),
	fc.integer({ min: -2, max: 400 }).map(String),
	fc.constantFrom('7', '014', '1.5', ' 30 ')
);

const forms: Record<string, FuzzedForm> = {
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
};

describe('every care-visit form schema, fuzzed', () => {
	fuzzForms(forms, { numRuns: 200 });

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

/** Anyone, but mostly the point's own staff, whose calls get furthest. */
const anyActor = pickMostly(actors, [0, 1, 2]);
const anyNow = momentBetween('2026-12-01T00:00:00Z', '2027-12-31T00:00:00Z');

const { expectHandled } = commandChecks({
	reasons: [
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
	],
	field: true
});

/** A read's answer: a value, or a 404; anything else fails. */
async function expectRead(p: Promise<unknown>): Promise<void> {
	try {
		expect(await p).toBeDefined();
	} catch (e) {
		if (isHttpError(e) && e.status === 404) return;
		throw e;
	}
}

const fuzzRuns = 60;

describe('every care-visit command, fed what its schema lets through', () => {
	it('addTarget', async () => {
		const tally = await fuzzCalls(
			fuzzRuns,
			[
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
				})
			],
			async (tally, actor, form) => {
				const input = parsed(targetSchema, form, tally);
				if (!input) return;
				const r = await expectHandled(addTarget(actor, input), tally);
				if (r?.ok) ids.targets.push(r.id);
			}
		);
		expectReached(tally);
	});

	it('recordVisit, with and without a risk', async () => {
		const tally = await fuzzCalls(
			80,
			[
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
				anyNow
			],
			async (tally, actor, form, now) => {
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
		);
		// visits were recorded, not only refused
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('linkVisitByRef and linkVisit', async () => {
		const tally = await fuzzCalls(
			fuzzRuns,
			[
				anyActor,
				idFrom(() => ids.visits),
				fc.oneof(
					idFrom(() => ids.refs),
					fc.constantFrom('FW00000000', 'xq1', 'FW999999999999')
				),
				fc.boolean()
			],
			async (tally, actor, visitId, ref, byId) => {
				if (byId) {
					await expectHandled(linkVisit(actor, visitId, { serviceRequestId: ref }), tally);
					await expectHandled(linkVisit(actor, visitId, { needId: ref }), tally);
					return;
				}
				const input = parsed(linkSchema, { ref }, tally);
				if (input) await expectHandled(linkVisitByRef(actor, visitId, input.ref), tally);
			}
		);
		expectReached(tally);
	});

	it('endTarget', async () => {
		const tally = await fuzzCalls(
			40,
			[anyActor, fc.record({ targetId: idFrom(() => ids.targets), endReason: words }), anyNow],
			async (tally, actor, form, now) => {
				const input = parsed(endTargetSchema, form, tally);
				if (input) await expectHandled(endTarget(actor, input, now), tally);
			}
		);
		expectReached(tally);
	});

	it('saveCareSetting', async () => {
		const tally = await fuzzCalls(
			40,
			[
				anyActor,
				fc.record({
					regionId: idFrom(() => ids.regions),
					livingAloneElderlyDays: intervalText,
					severeDisabilityDays: intervalText,
					leftBehindChildDays: intervalText,
					childInDifficultyDays: intervalText,
					extremePovertyDays: intervalText
				})
			],
			async (tally, actor, form) => {
				const input = parsed(settingSchema, form, tally);
				if (input) await expectHandled(saveCareSetting(actor, input), tally);
			}
		);
		expect(tally.ok + tally.failed + tally.denied, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('the reads: lists, schedules, rates, searches and records answer or 404', async () => {
		await fuzzCalls(
			40,
			[
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
				anyNow
			],
			async (_tally, actor, q, now) => {
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
		);
		// the fuzz reached records, not only refusals
		expect(ids.visits.length).toBeGreaterThan(0);
	});
});
