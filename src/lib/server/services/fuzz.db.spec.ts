import { isHttpError } from '@sveltejs/kit';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
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

/** Strings that have broken forms before: NUL, controls, bidi, BOM, lone surrogates, emoji, SQL. */
const nasty = fc.constantFrom(
	'\u0000',
	'\u0007',
	'\u001b[31m',
	'\u202e',
	'\ufeff',
	'\ud800',
	'\udfff',
	'😀',
	'👨‍👩‍👧‍👦',
	'\r\n',
	'\t',
	'　',
	'%',
	'_',
	'\\',
	"'; drop table service_request; --",
	'<script>alert(1)</script>',
	'../../etc/passwd',
	'NaN',
	'Infinity',
	'-1',
	'1e309',
	'0x1F',
	'13800138000',
	'户籍迁移'
);

/** Any string a form field may carry, up to 5,000 characters. */
const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'grapheme', maxLength: 60 }),
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.array(nasty, { maxLength: 8 }).map((parts) => parts.join('')),
	fc
		.tuple(
			fc.array(nasty, { minLength: 1, maxLength: 3 }),
			fc.string({ minLength: 1, maxLength: 40 })
		)
		.map(([parts, s]) => parts.join(s)),
	fc.string({ minLength: 990, maxLength: 1010 }),
	fc.string({ unit: 'grapheme-composite', minLength: 1000, maxLength: 5000 }),
	fc.uuid().map(String),
	fc.constant('')
);

/** Words a form would take, with something nasty inside. */
const spiked = fc
	.tuple(
		fc.array(nasty, { minLength: 1, maxLength: 3 }),
		fc.constantFrom('申请办理低保', '请补充材料', 'ok')
	)
	.map(([parts, words]) => words + parts.join(words));

/** A number as JSON or a script might send it. */
const number = fc.oneof(
	fc.integer(),
	fc.double(), // NaN, ±Infinity, -0 included
	fc.constantFrom(0, 1, 5, 6, 120, 121, -1, 2.5, Number.MAX_SAFE_INTEGER + 2, 1e308)
);

/** Any JSON-ish value at all. */
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

/** A form field's value as a page gets it: mostly text, sometimes a number or a flag, sometimes missing. */
const field = (...valid: fc.Arbitrary<unknown>[]) =>
	fc.option(fc.oneof(...valid, text, number, fc.boolean()), { nil: undefined });

const isCjk = /[\u3400-\u9fff]/;

type Schema = z.ZodType;

/** safeParse never throws; a refusal names a field and says why, in Chinese. */
function expectAnswered(schema: Schema, input: unknown, { chinese }: { chinese: boolean }) {
	const result = schema.safeParse(input);
	if (result.success) {
		// what a schema let through stays as it is when parsed again
		expect(schema.parse(result.data)).toEqual(result.data);
		return result;
	}
	expect(result.error.issues.length).toBeGreaterThan(0);
	for (const issue of result.error.issues) {
		expect(typeof issue.message).toBe('string');
		expect(issue.message.trim()).not.toBe('');
		expect(Array.isArray(issue.path)).toBe(true);
		if (chinese) {
			expect(issue.message, JSON.stringify(issue)).toMatch(isCjk);
			expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
		}
	}
	return result;
}

const validKey = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);

/** The form-shaped fields of each schema: what the page's form (or a hand-made post) sends. */
const forms = {
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
	noteSchema: { schema: noteSchema, fields: { note: field(), internal: field() } },
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
		}
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
} satisfies Record<string, { schema: Schema; fields: Record<string, fc.Arbitrary<unknown>> }>;

/** A record of the schema's own fields, each given some value or left out. */
const formOf = (fields: Record<string, fc.Arbitrary<unknown>>) =>
	fc.record(fields, { requiredKeys: [] });

/**
 * As a page gets a post through superforms: every field there (a missing one is given its
 * default, '' or false), every value a string but the flags.
 */
const posted = (fields: Record<string, fc.Arbitrary<unknown>>, flags: string[] = []) =>
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

const flagsOf: Record<keyof typeof forms, string[]> = {
	fileRequestSchema: [],
	stepSchema: [],
	noteSchema: ['internal'],
	assignSchema: [],
	rateSchema: [],
	categorySchema: ['needsOrigin', 'urgent', 'active'],
	queueFilterSchema: []
};

describe('every service form schema, fuzzed', () => {
	describe.each(Object.entries(forms))('%s', (name, { schema, fields }) => {
		it('answers a posted form in Chinese at a field, or takes it', () => {
			fc.assert(
				fc.property(posted(fields, flagsOf[name as keyof typeof forms]), (input) => {
					expectAnswered(schema, input, { chinese: true });
				}),
				{ numRuns: 300 }
			);
		});

		it('never throws on values of any type, and names a path for each issue', () => {
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
				{ numRuns: 300 }
			);
		});
	});

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

/** Now an id that exists, now one that does not, now not an id at all. */
const idFrom = (pool: () => string[]) =>
	fc.oneof(
		{ arbitrary: fc.nat().map((i) => pool()[i % pool().length]), weight: 8 },
		{ arbitrary: fc.uuid().map(String), weight: 1 },
		{ arbitrary: text, weight: 1 }
	);

/** Anyone, but mostly the resident and the window staff of A, whose calls get furthest. */
const anyActor = fc
	.oneof({ arbitrary: fc.constantFrom(0, 2, 3), weight: 3 }, { arbitrary: fc.nat(), weight: 2 })
	.map((i) => actors[i % actors.length]);
/** A moment between 2024 and 2030: outside the holiday calendars too. */
const anyNow = fc.date({
	min: new Date('2024-01-01T00:00:00Z'),
	max: new Date('2030-12-31T00:00:00Z'),
	noInvalidDate: true
});

const failureReasons = [
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
];

/** How the fuzzed calls of one command ended, so a run that never reached the database fails. */
type Tally = { refusedByForm: number; ok: number; failed: number; denied: number };
const newTally = (): Tally => ({ refusedByForm: 0, ok: 0, failed: 0, denied: 0 });

/** A command's answer: a result, a typed failure at a field, or a 403/404; anything else fails. */
async function expectHandled(p: Promise<unknown>, tally: Tally): Promise<void> {
	try {
		const result = (await p) as { ok: boolean; reason?: string; field?: string };
		expect(typeof result.ok).toBe('boolean');
		if (result.ok) tally.ok++;
		else {
			tally.failed++;
			expect(failureReasons).toContain(result.reason);
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

const fuzzRuns = { numRuns: 80 };

/** Parsed input, or null when the schema refused it (the page answers 400 with field errors). */
function parsed<S extends Schema>(schema: S, input: unknown, tally: Tally): z.output<S> | null {
	const result = schema.safeParse(input);
	if (!result.success) tally.refusedByForm++;
	return result.success ? result.data : null;
}

/** Mostly words a form takes, with nasty characters inside; sometimes anything. */
const words = fc.oneof({ arbitrary: spiked, weight: 5 }, { arbitrary: text, weight: 1 });
/** Mostly one of the right values. */
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = text) =>
	fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: other, weight: 1 });

describe('every service command, fed what its schema lets through', () => {
	it('fileRequest', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
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
				anyNow,
				async (actor, form, now) => {
					const input = parsed(fileRequestSchema, form, tally);
					if (!input) return;
					const filing = fileRequest(actor, input, now);
					await expectHandled(filing, tally);
					// what it filed, the steps and notes below get to work on
					const result = await filing.catch(() => null);
					if (result?.ok) ids.requests.push(result.id);
				}
			),
			fuzzRuns
		);
		// the fuzz got past the form and the access check, not only refused
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('takeStep', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.requests),
				fc.record({
					step: mostly(fc.constantFrom(...stepNames)),
					note: words,
					originOffice: words
				}),
				anyNow,
				async (actor, requestId, form, now) => {
					const input = parsed(stepSchema, form, tally);
					if (input) await expectHandled(takeStep(actor, requestId, input, now), tally);
				}
			),
			fuzzRuns
		);
		// the fuzz got past the form and the access check, not only refused
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('addNote', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.requests),
				fc.record({ note: words, internal: fc.boolean() }),
				async (actor, requestId, form) => {
					const input = parsed(noteSchema, form, tally);
					if (input) await expectHandled(addNote(actor, requestId, input), tally);
				}
			),
			fuzzRuns
		);
		// the fuzz got past the form and the access check, not only refused
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('assignRequest', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.requests),
				fc.record({ assigneeId: idFrom(() => ids.users) }),
				async (actor, requestId, form) => {
					const input = parsed(assignSchema, form, tally);
					if (input) await expectHandled(assignRequest(actor, requestId, input), tally);
				}
			),
			fuzzRuns
		);
		// the fuzz got past the form and the access check, not only refused
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('rateRequest', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.requests),
				fc.record({
					rating: mostly(fc.integer({ min: 1, max: 5 }), fc.oneof(number, text)),
					comment: words
				}),
				anyNow,
				async (actor, requestId, form, now) => {
					const input = parsed(rateSchema, form, tally);
					if (input) await expectHandled(rateRequest(actor, requestId, input, now), tally);
				}
			),
			fuzzRuns
		);
		// only the resident of a done request rates, once: most calls are refused, some are not
		expect(tally.failed + tally.denied).toBeGreaterThan(0);
	});

	it('updateCategory', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
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
				}),
				async (actor, categoryId, form) => {
					const input = parsed(categorySchema, form, tally);
					if (input) await expectHandled(updateCategory(actor, categoryId, input), tally);
				}
			),
			{ numRuns: 50 }
		);
		expect(tally.ok + tally.denied).toBeGreaterThan(0);
	});

	it('getRequest, listRequests and countRequests', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.requests),
				formOf(forms.queueFilterSchema.fields),
				anyNow,
				async (actor, requestId, form, now) => {
					const filter = queueFilterSchema.parse(form);
					const { rows } = await listRequests(actor, filter, now);
					expect(rows.length).toBeLessThanOrEqual(50);
					const counts = await countRequests(actor, now);
					expect(counts.open).toBeGreaterThanOrEqual(0);
					await expectHandled(
						getRequest(actor, requestId, now).then(() => ({ ok: true })),
						tally
					);
				}
			),
			{ numRuns: 50 }
		);
		// the fuzz got past the form and the access check, not only refused
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
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
	const odd = (words: string) => `${words}\u0000\ud800尾\udfff`;
	const kept = (words: string) => `${words}\ufffd\ufffd尾\ufffd`;

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
