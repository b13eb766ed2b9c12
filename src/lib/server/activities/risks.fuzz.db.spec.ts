import { isHttpError } from '@sveltejs/kit';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
	duplicateStatuses,
	riskCategories,
	riskLinkKinds,
	riskOutcomes,
	riskStatuses
} from '$lib/activities/vocab';
import {
	closeSchema,
	duplicateFilterSchema,
	flagFilterSchema,
	linkSchema,
	raiseFlagSchema,
	reportSchema,
	resolutionSchema,
	riskSettingSchema,
	runCheckSchema,
	toShanghaiLocal,
	verifySchema
} from '$lib/schemas/risks';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCategory,
	createCounty,
	createHousehold,
	createServiceRequest,
	createSettlement,
	createUser,
	type County
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import { listDuplicates, resolveDuplicate, runDuplicateCheck } from './duplicates';
import { monthReport, reportStatus, saveRiskSetting, submitReport } from './reports';
import {
	closeFlag,
	flagCounts,
	getFlag,
	linkFlag,
	listFlags,
	raiseFlag,
	verifyFlag
} from './risks';

// Bad input, fuzzed: every risk form's schema takes anything without throwing and answers in
// Chinese at a field; what a schema lets through, the commands answer with a result, a typed
// failure at a field, or a 403/404 — never an exception (a 500).

useTestDatabase();

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
	"'; drop table risk_flag; --",
	'<script>alert(1)</script>',
	'NaN',
	'-1',
	'1e309',
	'2026-02-30T10:00',
	'9999-12-31T23:59',
	'2026-13',
	'重病住院'
);

const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'grapheme', maxLength: 60 }),
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.array(nasty, { maxLength: 8 }).map((p) => p.join('')),
	fc.string({ minLength: 990, maxLength: 1010 }),
	fc.string({ unit: 'grapheme-composite', minLength: 1000, maxLength: 3000 }),
	fc.uuid().map(String),
	fc.constant('')
);
const spiked = fc
	.tuple(
		fc.array(nasty, { minLength: 1, maxLength: 3 }),
		fc.constantFrom('户主重病住院', '已核实', 'ok')
	)
	.map(([parts, words]) => words + parts.join(words));
const number = fc.oneof(
	fc.integer(),
	fc.double(),
	fc.constantFrom(0, 1, 28, 29, 72, 720, 721, -1, 2.5, Number.MAX_SAFE_INTEGER + 2)
);
const anything: fc.Arbitrary<unknown> = fc.oneof(
	text,
	number,
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.array(fc.oneof(text, number), { maxLength: 3 }),
	fc.dictionary(fc.string({ maxLength: 5 }), text, { maxKeys: 3 })
);
const field = (...valid: fc.Arbitrary<unknown>[]) =>
	fc.option(fc.oneof(...valid, text, number, fc.boolean()), { nil: undefined });
const month = fc
	.tuple(fc.integer({ min: 1990, max: 2110 }), fc.integer({ min: 0, max: 13 }))
	.map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`);
const localTime = fc
	.date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
	.map(toShanghaiLocal);
const validKey = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
const isCjk = /[\u3400-\u9fff]/;
type Schema = z.ZodType;

const forms = {
	raiseFlagSchema: {
		schema: raiseFlagSchema,
		fields: {
			householdId: field(fc.uuid()),
			residentId: field(fc.uuid()),
			category: field(fc.constantFrom(...riskCategories)),
			description: field(),
			foundAt: field(localTime),
			idempotencyKey: field(validKey)
		}
	},
	verifySchema: { schema: verifySchema, fields: { note: field() } },
	linkSchema: {
		schema: linkSchema,
		fields: { kind: field(fc.constantFrom(...riskLinkKinds)), targetId: field(fc.uuid()) }
	},
	closeSchema: {
		schema: closeSchema,
		fields: { outcome: field(fc.constantFrom(...riskOutcomes)), note: field() }
	},
	reportSchema: {
		schema: reportSchema,
		fields: {
			settlementId: field(fc.uuid()),
			month: field(month),
			nothingFound: field(),
			note: field()
		}
	},
	resolutionSchema: {
		schema: resolutionSchema,
		fields: { status: field(fc.constantFrom(...duplicateStatuses)), note: field() }
	},
	runCheckSchema: {
		schema: runCheckSchema,
		fields: { month: field(month), regionId: field(fc.uuid()) }
	},
	riskSettingSchema: {
		schema: riskSettingSchema,
		fields: {
			regionId: field(fc.uuid()),
			verifyWithinHours: field(fc.integer({ min: -2, max: 800 })),
			reportDueDay: field(fc.integer({ min: -2, max: 40 }))
		}
	}
} satisfies Record<string, { schema: Schema; fields: Record<string, fc.Arbitrary<unknown>> }>;

const flagsOf: Record<keyof typeof forms, string[]> = {
	raiseFlagSchema: [],
	verifySchema: [],
	linkSchema: [],
	closeSchema: [],
	reportSchema: ['nothingFound'],
	resolutionSchema: [],
	runCheckSchema: [],
	riskSettingSchema: []
};

/** As a page gets a post through superforms: every field there, a string but the flags. */
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

function expectAnswered(schema: Schema, input: unknown, { chinese }: { chinese: boolean }) {
	const result = schema.safeParse(input);
	if (result.success) {
		expect(schema.parse(result.data)).toEqual(result.data);
		return;
	}
	for (const issue of result.error.issues) {
		expect(issue.message.trim()).not.toBe('');
		if (chinese) {
			expect(issue.message, JSON.stringify(issue)).toMatch(isCjk);
			expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
		}
	}
}

describe('every risk form schema, fuzzed', () => {
	describe.each(Object.entries(forms))('%s', (name, { schema, fields }) => {
		it('answers a posted form in Chinese at a field, or takes it', () => {
			fc.assert(
				fc.property(posted(fields, flagsOf[name as keyof typeof forms]), (input) =>
					expectAnswered(schema, input, { chinese: true })
				),
				{ numRuns: 150 }
			);
		});
		it('never throws on values of any type', () => {
			fc.assert(
				fc.property(
					fc.oneof(
						fc.record(fields as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] }),
						fc.record(Object.fromEntries(Object.keys(fields).map((k) => [k, anything])), {
							requiredKeys: []
						}),
						fc.dictionary(fc.string({ maxLength: 12 }), anything, { maxKeys: 8 })
					),
					(input) => expectAnswered(schema, input, { chinese: false })
				),
				{ numRuns: 150 }
			);
		});
	});

	it('the address-bar filters take anything, dropping what they do not know', () => {
		fc.assert(
			fc.property(
				fc.record(
					{
						status: field(fc.constantFrom('open', ...riskStatuses, ...duplicateStatuses)),
						category: field(fc.constantFrom(...riskCategories)),
						settlementId: field(fc.uuid()),
						overdue: field(fc.constant('1')),
						before: field(fc.integer({ min: -5, max: 1000 }))
					},
					{ requiredKeys: [] }
				),
				(input) => {
					expect(flagFilterSchema.safeParse(input).success).toBe(true);
					expect(duplicateFilterSchema.safeParse(input).success).toBe(true);
				}
			),
			{ numRuns: 200 }
		);
	});
});

// ---------------------------------------------------------------------------------------------

let county: County;
const actors: Actor[] = [];
const ids = {
	households: [] as string[],
	members: [] as string[],
	settlements: [] as string[],
	flags: [] as string[],
	targets: [] as string[],
	regions: [] as string[],
	findings: [] as string[]
};

beforeAll(async () => {
	county = await createCounty();
	const other = await createCounty();
	const a = await createSettlement(county);
	const b = await createSettlement(county);
	const homeA = await createHousehold(a, { members: 3 });
	const homeB = await createHousehold(b);
	const category = await createCategory(county);
	const users = await Promise.all([
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ grants: [{ role: 'point_chief', on: b }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'chief_of_points', on: county }] }),
		createUser({ household: homeA, grants: [{ role: 'resident', on: a }] }),
		createUser({ grants: [{ role: 'system_admin' }] }),
		createUser({})
	]);
	actors.push(...users.map((u) => u.actor));
	ids.households.push(homeA.id, homeB.id);
	ids.members.push(...homeA.members.map((m) => m.id), ...homeB.members.map((m) => m.id));
	ids.settlements.push(a.id, b.id);
	ids.regions.push(county.id, other.id, county.city.id);
	for (let i = 0; i < 4; i++) {
		ids.targets.push((await createServiceRequest(homeA, category, users[1].user)).id);
		const r = await raiseFlag(
			users[1].actor,
			raiseFlagSchema.parse({
				householdId: i % 2 ? homeB.id : homeA.id,
				category: 'other',
				description: '测试风险户',
				foundAt: toShanghaiLocal(new Date(Date.now() - 3600_000)),
				idempotencyKey: crypto.randomUUID().replaceAll('-', '')
			})
		).catch(() => null);
		if (r?.ok) ids.flags.push(r.id);
	}
	// the same person on two households: the check has a finding to resolve
	await db().insert(schema.resident).values({
		householdId: homeB.id,
		name: homeA.members[0].name,
		relation: '子',
		idNumber: homeA.members[0].idNumber,
		gender: homeA.members[0].gender,
		birthDate: homeA.members[0].birthDate
	});
});

const idFrom = (pool: () => string[]) =>
	fc.oneof(
		{ arbitrary: fc.nat().map((i) => pool()[i % pool().length]), weight: 8 },
		{ arbitrary: fc.uuid().map(String), weight: 1 },
		{ arbitrary: text, weight: 1 }
	);
const anyActor = fc
	.oneof({ arbitrary: fc.constantFrom(1, 3), weight: 3 }, { arbitrary: fc.nat(), weight: 2 })
	.map((i) => actors[i % actors.length]);
const anyNow = fc.date({
	min: new Date('2024-01-01T00:00:00Z'),
	max: new Date('2030-12-31T00:00:00Z'),
	noInvalidDate: true
});
const words = fc.oneof({ arbitrary: spiked, weight: 5 }, { arbitrary: text, weight: 1 });
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = text) =>
	fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: other, weight: 1 });

type Tally = { refusedByForm: number; ok: number; failed: number; denied: number };
const newTally = (): Tally => ({ refusedByForm: 0, ok: 0, failed: 0, denied: 0 });

/** A command's answer: a result, a typed failure at a field, or a 403/404; anything else fails. */
async function expectHandled(p: Promise<unknown>, tally: Tally) {
	try {
		const result = (await p) as { ok: boolean; reason?: string; field?: string };
		expect(typeof result.ok).toBe('boolean');
		if (result.ok) tally.ok++;
		else {
			tally.failed++;
			expect(typeof result.reason).toBe('string');
			expect(typeof result.field).toBe('string');
		}
	} catch (e) {
		if (isHttpError(e) && (e.status === 403 || e.status === 404)) {
			tally.denied++;
			return;
		}
		throw e;
	}
}

function parsed<S extends Schema>(schema: S, input: unknown, tally: Tally): z.output<S> | null {
	const result = schema.safeParse(input);
	if (!result.success) tally.refusedByForm++;
	return result.success ? result.data : null;
}

const runs = { numRuns: 60 };

describe('every risk command, fed what its schema lets through', () => {
	it('raiseFlag', async () => {
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
					category: mostly(fc.constantFrom(...riskCategories)),
					description: words,
					foundAt: mostly(localTime),
					idempotencyKey: mostly(validKey)
				}),
				anyNow,
				async (actor, form, now) => {
					const input = parsed(raiseFlagSchema, form, tally);
					if (!input) return;
					const p = raiseFlag(actor, input, now);
					await expectHandled(p, tally);
					const r = await p.catch(() => null);
					if (r?.ok) ids.flags.push(r.id);
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('verifyFlag, linkFlag and closeFlag', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.flags),
				fc.constantFrom('verify', 'link', 'close'),
				fc.record({
					note: words,
					kind: mostly(fc.constantFrom(...riskLinkKinds)),
					targetId: idFrom(() => ids.targets),
					outcome: mostly(fc.constantFrom(...riskOutcomes))
				}),
				anyNow,
				async (actor, flagId, step, form, now) => {
					if (step === 'verify') {
						const input = parsed(verifySchema, form, tally);
						if (input) await expectHandled(verifyFlag(actor, flagId, input, now), tally);
					} else if (step === 'link') {
						const input = parsed(linkSchema, form, tally);
						if (input) await expectHandled(linkFlag(actor, flagId, input, now), tally);
					} else {
						const input = parsed(closeSchema, form, tally);
						if (input) await expectHandled(closeFlag(actor, flagId, input, now), tally);
					}
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('submitReport and saveRiskSetting', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc.record({
					settlementId: idFrom(() => ids.settlements),
					month: mostly(month),
					nothingFound: fc.boolean(),
					note: words
				}),
				fc.record({
					regionId: idFrom(() => ids.regions),
					verifyWithinHours: mostly(fc.integer({ min: 1, max: 720 }), number),
					reportDueDay: mostly(fc.integer({ min: 1, max: 28 }), number)
				}),
				anyNow,
				async (actor, report, setting, now) => {
					const r = parsed(reportSchema, report, tally);
					if (r) await expectHandled(submitReport(actor, r, now), tally);
					const s = parsed(riskSettingSchema, setting, tally);
					if (s) await expectHandled(saveRiskSetting(actor, s), tally);
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('runDuplicateCheck and resolveDuplicate', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc.record({
					month: mostly(month),
					regionId: fc.oneof(
						fc.constant(''),
						idFrom(() => ids.regions)
					)
				}),
				fc.record({ status: mostly(fc.constantFrom('resolved', 'dismissed')), note: words }),
				anyNow,
				async (actor, run, resolution, now) => {
					const r = parsed(runCheckSchema, run, tally);
					if (r) await expectHandled(runDuplicateCheck(actor, r, now), tally);
					const open = await db()
						.select({ id: schema.duplicateBenefit.id })
						.from(schema.duplicateBenefit);
					ids.findings = open.map((x) => x.id);
					const input = parsed(resolutionSchema, resolution, tally);
					const id = ids.findings.length ? ids.findings[0] : crypto.randomUUID();
					if (input) await expectHandled(resolveDuplicate(actor, id, input, now), tally);
				}
			),
			{ numRuns: 40 }
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('the reads: listFlags, flagCounts, getFlag, monthReport, reportStatus, listDuplicates', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.flags),
				idFrom(() => ids.settlements),
				fc.record(
					{
						status: field(fc.constantFrom('open', ...riskStatuses)),
						category: field(fc.constantFrom(...riskCategories)),
						settlementId: field(fc.uuid()),
						overdue: field(fc.constant('1')),
						before: field(fc.integer({ min: -5, max: 1000 }))
					},
					{ requiredKeys: [] }
				),
				month,
				anyNow,
				async (actor, flagId, settlementId, form, m, now) => {
					const filter = flagFilterSchema.parse(form);
					const ok = () => ({ ok: true });
					await expectHandled(listFlags(actor, filter, now).then(ok), tally);
					await expectHandled(flagCounts(actor, { settlementId, month: m }, now).then(ok), tally);
					await expectHandled(getFlag(actor, flagId, now).then(ok), tally);
					await expectHandled(monthReport(actor, { settlementId, month: m }, now).then(ok), tally);
					await expectHandled(reportStatus(actor, { month: m }, now).then(ok), tally);
					await expectHandled(
						listDuplicates(actor, duplicateFilterSchema.parse(form)).then(ok),
						tally
					);
				}
			),
			{ numRuns: 40 }
		);
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
		expect(tally.denied, JSON.stringify(tally)).toBeGreaterThan(0);
	});
});
