import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	assignSchema,
	categorySchema,
	fileRequestSchema,
	noteSchema,
	queueFilterSchema,
	rateSchema,
	stepSchema
} from '$lib/schemas/services';
import { consentMethods, isOpen, requestStatuses, stepNames } from '$lib/services/workflow';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCategory,
	createCounty,
	createHousehold,
	createServiceRequest,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type ServiceCategory,
	type Settlement
} from '../../../../tests/factories';
import {
	commandChecks,
	expectReached,
	formOf,
	fuzzCalls,
	fuzzInputs,
	kept,
	momentBetween,
	odd,
	parsed,
	pickMostly,
	validKey,
	type FuzzedForm
} from '../../../../tests/fuzz';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	addNote,
	assignRequest,
	countRequests,
	fileRequest,
	getRequest,
	listRequests,
	rateRequest,
	takeStep,
	updateCategory
} from '.';

// Bad input, fuzzed: every service form's schema takes anything without throwing and answers in
// Chinese at a field; whatever a schema lets through, the commands answer with a result, a typed
// failure, or a 403/404, never an exception (a 500).

useTestDatabase();

// ---------------------------------------------------------------------------------------------
// what people and scripts post

const { text, number, field, words, mostly, idFrom, fuzzForms } = fuzzInputs({
	table: 'service_request',
	nasty: ['13800138000', '户籍迁移'],
	words: ['申请办理低保', '请补充材料'],
	numbers: [5, 6, 120, 121],
	long: { minLength: 990, maxLength: 1010 }
});

/** The form-shaped fields of each schema: what the page's form (or a hand-made post) sends. */
const forms: Record<string, FuzzedForm> = {
	fileRequestSchema: {
		schema: fileRequestSchema,
		fields: {
			categoryId: field(fc.uuid()),
			householdId: field(fc.uuid()),
			residentId: field(fc.uuid()),
			description: field(),
			contactPhone: field(fc.stringMatching(/^1[3-9]\d{9}$/)),
			consentMethod: field(fc.constantFrom('', ...consentMethods)),
			consentNote: field(),
			idempotencyKey: field(validKey)
		}
	},
	stepSchema: {
		schema: stepSchema,
		fields: {
			step: field(fc.constantFrom(...stepNames)),
			note: field(),
			originOffice: field()
		}
	},
	noteSchema: {
		schema: noteSchema,
		fields: { note: field(), internal: field() },
		flags: ['internal']
	},
	assignSchema: { schema: assignSchema, fields: { assigneeId: field(fc.uuid()) } },
	rateSchema: {
		schema: rateSchema,
		fields: { rating: field(fc.integer({ min: 0, max: 6 })), comment: field() }
	},
	categorySchema: {
		schema: categorySchema,
		fields: {
			name: field(),
			description: field(),
			materials: field(),
			timeLimitDays: field(fc.integer({ min: 0, max: 130 })),
			needsOrigin: field(),
			urgent: field(),
			active: field()
		},
		flags: ['needsOrigin', 'urgent', 'active']
	},
	queueFilterSchema: {
		schema: queueFilterSchema,
		fields: {
			status: field(fc.constantFrom('', 'open', 'closed', ...requestStatuses)),
			categoryId: field(fc.uuid()),
			assignee: field(fc.constantFrom('me', 'none'), fc.uuid()),
			due: field(fc.constantFrom('', 'overdue', 'soon')),
			settlementId: field(fc.uuid()),
			before: field(fc.integer({ min: -5, max: 1000 }))
		}
	}
};

describe('every service form schema, fuzzed', () => {
	fuzzForms(forms, { numRuns: 300 });

	it('the queue filter takes anything in the address bar, dropping what it does not know', () => {
		fc.assert(
			fc.property(formOf(forms.queueFilterSchema.fields), (input) => {
				const result = queueFilterSchema.safeParse(input);
				expect(result.success).toBe(true);
			}),
			{ numRuns: 300 }
		);
	});
});

// ---------------------------------------------------------------------------------------------
// what the commands do with whatever got through

let county: County;
let a: Settlement;
let b: Settlement;
let home: Household & { members: Member[] };
let hb: Household & { members: Member[] };
let cats: ServiceCategory[];
const actors: Actor[] = [];
/** How many requests beforeAll wrote. */
let seeded = 0;
const ids = {
	categories: [] as string[],
	households: [] as string[],
	members: [] as string[],
	requests: [] as string[],
	users: [] as string[]
};

beforeAll(async () => {
	county = await createCounty();
	const other = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	home = await createHousehold(a, { members: 3 });
	hb = await createHousehold(b);
	const away = await createHousehold(await createSettlement(other));
	cats = [
		await createCategory(county),
		await createCategory(county, { urgent: true, timeLimitDays: 1 }),
		await createCategory(county, { timeLimitDays: 120 }),
		await createCategory(county, { active: false }),
		await createCategory(other)
	];
	const users = await Promise.all([
		createUser({ household: home, grants: [{ role: 'resident', on: a }] }),
		createUser({ household: hb, grants: [{ role: 'resident', on: b }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: b }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'system_admin' }] }),
		createUser({})
	]);
	actors.push(...users.map((u) => u.actor));
	ids.users.push(...actors.map((x) => x.id));
	ids.categories.push(...cats.map((c) => c.id));
	ids.households.push(home.id, hb.id, away.id);
	ids.members.push(...home.members.map((m) => m.id), ...hb.members.map((m) => m.id));
	// every state at A and B, the open ones five times over: the steps have something to move
	for (const status of requestStatuses)
		for (const household of [home, hb, ...(isOpen(status) ? [home, home, home, home] : [])])
			ids.requests.push(
				(
					await createServiceRequest(
						household,
						cats[0],
						{ id: actors[2].id },
						{
							status,
							pausedSince: status === 'waiting_resident' ? '2026-11-02' : null
						}
					)
				).id
			);
	seeded = ids.requests.length;
});

/** Anyone, but mostly the resident and the window staff of A, whose calls get furthest. */
const anyActor = pickMostly(actors, [0, 2, 3]);
/** A moment between 2024 and 2030: outside the holiday calendars too. */
const anyNow = momentBetween('2024-01-01T00:00:00Z', '2030-12-31T00:00:00Z');

const { expectHandled, expectRead } = commandChecks({
	reasons: [
		'no_household',
		'no_category',
		'no_member',
		'consent',
		'household_ended',
		'illegal_step',
		'closed',
		'not_staff',
		'not_done',
		'already_rated'
	],
	field: true
});

const fuzzRuns = 80;

describe('every service command, fed what its schema lets through', () => {
	it('fileRequest', async () => {
		const tally = await fuzzCalls(
			fuzzRuns,
			[
				anyActor,
				fc.record({
					categoryId: idFrom(() => ids.categories),
					householdId: fc.oneof(
						{ arbitrary: idFrom(() => ids.households), weight: 2 },
						{ arbitrary: fc.constant(''), weight: 1 }
					),
					residentId: fc.oneof(
						idFrom(() => ids.members),
						fc.constant('')
					),
					description: words,
					contactPhone: mostly(fc.oneof(fc.constant(''), fc.stringMatching(/^1[3-9]\d{9}$/))),
					consentMethod: mostly(fc.constantFrom(...consentMethods), fc.constant('')),
					consentNote: words,
					idempotencyKey: mostly(validKey)
				}),
				anyNow
			],
			async (tally, actor, form, now) => {
				const input = parsed(fileRequestSchema, form, tally);
				if (!input) return;
				const result = await expectHandled(fileRequest(actor, input, now), tally);
				// what it filed, the steps and notes below get to work on
				if (result?.ok) ids.requests.push(result.id);
			}
		);
		expectReached(tally);
	});

	it('takeStep', async () => {
		const tally = await fuzzCalls(
			fuzzRuns,
			[
				anyActor,
				idFrom(() => ids.requests),
				fc.record({
					step: mostly(fc.constantFrom(...stepNames)),
					note: words,
					originOffice: words
				}),
				anyNow
			],
			async (tally, actor, requestId, form, now) => {
				const input = parsed(stepSchema, form, tally);
				if (input) await expectHandled(takeStep(actor, requestId, input, now), tally);
			}
		);
		expectReached(tally);
	});

	it('addNote', async () => {
		const tally = await fuzzCalls(
			fuzzRuns,
			[anyActor, idFrom(() => ids.requests), fc.record({ note: words, internal: fc.boolean() })],
			async (tally, actor, requestId, form) => {
				const input = parsed(noteSchema, form, tally);
				if (input) await expectHandled(addNote(actor, requestId, input), tally);
			}
		);
		expectReached(tally);
	});

	it('assignRequest', async () => {
		const tally = await fuzzCalls(
			fuzzRuns,
			[anyActor, idFrom(() => ids.requests), fc.record({ assigneeId: idFrom(() => ids.users) })],
			async (tally, actor, requestId, form) => {
				const input = parsed(assignSchema, form, tally);
				if (input) await expectHandled(assignRequest(actor, requestId, input), tally);
			}
		);
		expectReached(tally);
	});

	it('rateRequest', async () => {
		const tally = await fuzzCalls(
			fuzzRuns,
			[
				anyActor,
				idFrom(() => ids.requests),
				fc.record({
					rating: mostly(fc.integer({ min: 1, max: 5 }), fc.oneof(number, text)),
					comment: words
				}),
				anyNow
			],
			async (tally, actor, requestId, form, now) => {
				const input = parsed(rateSchema, form, tally);
				if (input) await expectHandled(rateRequest(actor, requestId, input, now), tally);
			}
		);
		// only the resident of a done request rates, once: most calls are refused, some are not
		expect(tally.failed + tally.denied).toBeGreaterThan(0);
	});

	it('updateCategory', async () => {
		const tally = await fuzzCalls(
			50,
			[
				anyActor,
				idFrom(() => ids.categories),
				fc.record({
					name: mostly(fc.constantFrom('户籍迁移', '临时救助', '社保😀接续'), words),
					description: words,
					materials: fc.oneof(
						words,
						fc.array(words, { maxLength: 40 }).map((m) => m.join('\n'))
					),
					timeLimitDays: mostly(fc.integer({ min: 1, max: 120 }), fc.oneof(number, text)),
					needsOrigin: fc.boolean(),
					urgent: fc.boolean(),
					active: fc.boolean()
				})
			],
			async (tally, actor, categoryId, form) => {
				const input = parsed(categorySchema, form, tally);
				if (input) await expectHandled(updateCategory(actor, categoryId, input), tally);
			}
		);
		expect(tally.ok + tally.denied).toBeGreaterThan(0);
	});

	it('getRequest, listRequests and countRequests', async () => {
		const tally = await fuzzCalls(
			50,
			[anyActor, idFrom(() => ids.requests), formOf(forms.queueFilterSchema.fields), anyNow],
			async (tally, actor, requestId, form, now) => {
				const filter = queueFilterSchema.parse(form);
				const { rows } = await listRequests(actor, filter, now);
				expect(rows.length).toBeLessThanOrEqual(50);
				const counts = await countRequests(actor, now);
				expect(counts.open).toBeGreaterThanOrEqual(0);
				await expectRead(getRequest(actor, requestId, now), tally);
			}
		);
		expectReached(tally);
	});

	it('leaves the tallies equal to the requests', async () => {
		const { serviceRequest, serviceRequestTally } = schema;
		const tally = await db()
			.select({
				settlementId: serviceRequestTally.settlementId,
				status: serviceRequestTally.status,
				n: serviceRequestTally.n
			})
			.from(serviceRequestTally);
		const rows = await db()
			.select({ settlementId: serviceRequest.settlementId, status: serviceRequest.status })
			.from(serviceRequest);
		const hand = new Map<string, number>();
		for (const r of rows)
			hand.set(
				`${r.settlementId} ${r.status}`,
				(hand.get(`${r.settlementId} ${r.status}`) ?? 0) + 1
			);
		expect(
			Object.fromEntries(
				tally.filter((t) => t.n !== 0).map((t) => [`${t.settlementId} ${t.status}`, t.n])
			)
		).toEqual(Object.fromEntries(hand));
		// and the fuzz filed requests, not only refused them
		expect(rows.length).toBeGreaterThan(seeded);
	});
});

describe('what the fuzz found: NUL and lone surrogates', () => {
	// PostgreSQL text refuses NUL, jsonb refuses lone surrogates: both were 500s

	it('are kept as U+FFFD by every command that writes text', async () => {
		const [resident, , admin, , , civil] = actors;
		// its own catalogue entries: the fuzz above has been editing the others
		const service = await createCategory(county);
		const edited = await createCategory(county);
		const filed = await fileRequest(
			resident,
			fileRequestSchema.parse({
				categoryId: service.id,
				description: odd('申请办理'),
				consentNote: odd('说明'),
				idempotencyKey: 'nul-and-surrogates'
			})
		);
		expect(filed).toMatchObject({ ok: true });
		if (!filed.ok) return;
		const steps = [
			{ step: 'accept', note: odd('受理') },
			{ step: 'askOrigin', note: odd('请迁出地'), originOffice: odd('原籍县') },
			{ step: 'originReplied', note: odd('已回复') },
			{ step: 'complete', note: odd('办结') }
		];
		for (const step of steps)
			expect(await takeStep(admin, filed.id, stepSchema.parse(step))).toMatchObject({ ok: true });
		expect(await addNote(admin, filed.id, { note: odd('内部'), internal: true })).toEqual({
			ok: true
		});
		expect(
			await rateRequest(resident, filed.id, rateSchema.parse({ rating: 5, comment: odd('好') }))
		).toEqual({ ok: true });
		const seen = await getRequest(admin, filed.id);
		expect(seen.description).toBe(kept('申请办理'));
		expect(seen.originOffice).toBe(kept('原籍县'));
		expect(seen.ratingComment).toBe(kept('好'));
		expect(seen.events.find((e) => e.kind === 'origin_asked')?.data).toEqual({
			originOffice: kept('原籍县')
		});
		expect(seen.events.find((e) => e.internal)?.note).toBe(kept('内部'));

		expect(
			await updateCategory(
				civil,
				edited.id,
				categorySchema.parse({
					name: odd('事项'),
					materials: `${odd('户口簿')}\n\ud800`,
					timeLimitDays: 10
				})
			)
		).toEqual({ ok: true });
		const [category] = await db()
			.select()
			.from(schema.serviceCategory)
			.where(eq(schema.serviceCategory.id, edited.id));
		expect(category).toMatchObject({ name: kept('事项'), materials: [kept('户口簿'), '\ufffd'] });
	});
});
