import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
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
import {
	commandChecks,
	expectReached,
	fuzzCalls,
	fuzzInputs,
	localTimeBetween,
	momentBetween,
	parsed,
	pickMostly,
	validKey,
	type FuzzedForm
} from '../../../../tests/fuzz';
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

const { number, field, words, mostly, idFrom, fuzzForms } = fuzzInputs({
	table: 'risk_flag',
	nasty: ['2026-02-30T10:00', '9999-12-31T23:59', '2026-13', '重病住院'],
	words: ['户主重病住院', '已核实'],
	numbers: [28, 29, 72, 720, 721],
	long: { minLength: 990, maxLength: 1010 },
	longest: 3000,
	bigInt: false
});
const month = fc
	.tuple(fc.integer({ min: 1990, max: 2110 }), fc.integer({ min: 0, max: 13 }))
	.map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`);
const localTime = localTimeBetween('1990-01-01', '2040-01-01');

const forms: Record<string, FuzzedForm> = {
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
		},
		flags: ['nothingFound']
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
};

describe('every risk form schema, fuzzed', () => {
	fuzzForms(forms, { numRuns: 150 });

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

const anyActor = pickMostly(actors, [1, 3]);
const anyNow = momentBetween('2024-01-01T00:00:00Z', '2030-12-31T00:00:00Z');

const { expectHandled, expectRead } = commandChecks({ field: true });

const runs = 60;

describe('every risk command, fed what its schema lets through', () => {
	it('raiseFlag', async () => {
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
					category: mostly(fc.constantFrom(...riskCategories)),
					description: words,
					foundAt: mostly(localTime),
					idempotencyKey: mostly(validKey)
				}),
				anyNow
			],
			async (tally, actor, form, now) => {
				const input = parsed(raiseFlagSchema, form, tally);
				if (!input) return;
				const r = await expectHandled(raiseFlag(actor, input, now), tally);
				if (r?.ok) ids.flags.push(r.id);
			}
		);
		expectReached(tally);
	});

	it('verifyFlag, linkFlag and closeFlag', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				idFrom(() => ids.flags),
				fc.constantFrom('verify', 'link', 'close'),
				fc.record({
					note: words,
					kind: mostly(fc.constantFrom(...riskLinkKinds)),
					targetId: idFrom(() => ids.targets),
					outcome: mostly(fc.constantFrom(...riskOutcomes))
				}),
				anyNow
			],
			async (tally, actor, flagId, step, form, now) => {
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
		);
		expectReached(tally);
	});

	it('submitReport and saveRiskSetting', async () => {
		const tally = await fuzzCalls(
			runs,
			[
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
				anyNow
			],
			async (tally, actor, report, setting, now) => {
				const r = parsed(reportSchema, report, tally);
				if (r) await expectHandled(submitReport(actor, r, now), tally);
				const s = parsed(riskSettingSchema, setting, tally);
				if (s) await expectHandled(saveRiskSetting(actor, s), tally);
			}
		);
		expectReached(tally);
	});

	it('runDuplicateCheck and resolveDuplicate', async () => {
		const tally = await fuzzCalls(
			40,
			[
				anyActor,
				fc.record({
					month: mostly(month),
					regionId: fc.oneof(
						fc.constant(''),
						idFrom(() => ids.regions)
					)
				}),
				fc.record({ status: mostly(fc.constantFrom('resolved', 'dismissed')), note: words }),
				anyNow
			],
			async (tally, actor, run, resolution, now) => {
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
		);
		expectReached(tally);
	});

	it('the reads: listFlags, flagCounts, getFlag, monthReport, reportStatus, listDuplicates', async () => {
		const tally = await fuzzCalls(
			40,
			[
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
				anyNow
			],
			async (tally, actor, flagId, settlementId, form, m, now) => {
				const filter = flagFilterSchema.parse(form);
				await expectRead(listFlags(actor, filter, now), tally);
				await expectRead(flagCounts(actor, { settlementId, month: m }, now), tally);
				await expectRead(getFlag(actor, flagId, now), tally);
				await expectRead(monthReport(actor, { settlementId, month: m }, now), tally);
				await expectRead(reportStatus(actor, { month: m }, now), tally);
				await expectRead(listDuplicates(actor, duplicateFilterSchema.parse(form)), tally);
			}
		);
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
		expect(tally.denied, JSON.stringify(tally)).toBeGreaterThan(0);
	});
});
