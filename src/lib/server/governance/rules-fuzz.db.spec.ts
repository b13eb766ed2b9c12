import { isHttpError } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { capKeys, decisionStages, decisionStatuses, ruleKinds } from '$lib/governance/vocab';
import {
	commentSchema,
	consultationSchema,
	decisionCreateSchema,
	decisionFilterSchema,
	diffQuerySchema,
	draftFormSchema,
	draftFromForm,
	publicDecisionFilterSchema,
	publicRuleFilterSchema,
	replySchema,
	ruleCreateSchema,
	ruleFilterSchema,
	stageFormSchema,
	stageFromForm
} from '$lib/schemas/governance-rules';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createSettlement,
	createUser,
	type Settlement
} from '../../../../tests/factories';
import {
	dayFromToday,
	decisionAt,
	draftRule,
	ruleInConsultation,
	someClauses,
	stageInput
} from '../../../../tests/governance-rules';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	createDecision,
	getDecision,
	getPublicDecision,
	listDecisions,
	listPublicDecisions,
	recordStage
} from './decisions';
import {
	commentOnClause,
	createRule,
	getPublicRule,
	getRule,
	listPublicRules,
	listRules,
	newVersion,
	openConsultation,
	replyToComment,
	updateDraft,
	versionDiff,
	withdrawVersion
} from './rules';

// Bad input, fuzzed: every rules and decisions form takes anything without throwing and answers in
// Chinese at a field; whatever gets through, the commands answer with a result, a refusal in
// Chinese, or a 403/404 — never an exception (a 500).

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
	"'; drop table rule_version; --",
	'<script>alert(1)</script>',
	'NaN',
	'-1',
	'1e309',
	'0x1F',
	'13800138000',
	'第1条'
);

const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'grapheme', maxLength: 60 }),
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.array(nasty, { maxLength: 8 }).map((parts) => parts.join('')),
	fc.string({ minLength: 990, maxLength: 1010 }),
	fc.string({ unit: 'grapheme-composite', minLength: 1000, maxLength: 5500 }),
	fc.uuid().map(String),
	fc.constantFrom('', '2026-02-30', '2026-06-01', '0', '10', '-5', '１０')
);

/** Words a form would take, with something nasty inside. */
const spiked = fc
	.tuple(
		fc.array(nasty, { minLength: 1, maxLength: 3 }),
		fc.constantFrom('红白事简办', '意见', 'ok')
	)
	.map(([parts, words]) => words + parts.join(words));

const number = fc.oneof(
	fc.integer(),
	fc.double(),
	fc.constantFrom(0, 1, -1, 2.5, 999, 1000, 1001, Number.MAX_SAFE_INTEGER + 2, 1e308)
);

const anything: fc.Arbitrary<unknown> = fc.oneof(
	text,
	number,
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.array(fc.oneof(text, number), { maxLength: 4 }),
	fc.dictionary(fc.string({ maxLength: 5 }), text, { maxKeys: 3 })
);

const isCjk = /[\u3400-\u9fff]/;

/** safeParse never throws; a refusal names a field and says why, in Chinese. */
function expectAnswered(schema: z.ZodType, input: unknown, { chinese }: { chinese: boolean }) {
	const result = schema.safeParse(input);
	if (result.success) return result;
	expect(result.error.issues.length).toBeGreaterThan(0);
	for (const issue of result.error.issues) {
		expect(issue.message.trim()).not.toBe('');
		if (chinese) {
			expect(issue.message, JSON.stringify(issue)).toMatch(isCjk);
			expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
		}
	}
	return result;
}

const stringRows = (max: number) =>
	fc.array(fc.oneof(text, spiked, fc.constant('')), { maxLength: max });
const arrayFields = new Set([
	'clauseTitle',
	'clauseText',
	'capLimit',
	'capClause',
	'itemCode',
	'itemLabel',
	'itemPoints'
]);

/** Each posted form's fields; arrays for the repeated rows. */
const forms: Record<string, { schema: z.ZodType; fields: string[] }> = {
	ruleCreateSchema: { schema: ruleCreateSchema, fields: ['settlementId', 'kind', 'title'] },
	draftFormSchema: {
		schema: draftFormSchema,
		fields: [
			'clauseTitle',
			'clauseText',
			'capLimit',
			'capClause',
			'itemCode',
			'itemLabel',
			'itemPoints',
			'note'
		]
	},
	consultationSchema: { schema: consultationSchema, fields: ['versionId', 'endsOn'] },
	commentSchema: { schema: commentSchema, fields: ['versionId', 'clauseNo', 'body'] },
	replySchema: { schema: replySchema, fields: ['commentId', 'reply'] },
	decisionCreateSchema: {
		schema: decisionCreateSchema,
		fields: ['settlementId', 'title', 'summary', 'ruleVersionId']
	},
	stageFormSchema: {
		schema: stageFormSchema,
		fields: [
			'stage',
			'heldOn',
			'participants',
			'attendees',
			'votesFor',
			'votesAgainst',
			'votesAbstain',
			'minutes',
			'evidence'
		]
	}
};

/** Some right values, so the fuzz gets past the first field often. */
const good: Record<string, fc.Arbitrary<string>> = {
	kind: fc.constantFrom(...ruleKinds),
	stage: fc.constantFrom(...decisionStages),
	heldOn: fc.constantFrom(dayFromToday(0), dayFromToday(-30), dayFromToday(3)),
	endsOn: fc.constantFrom(dayFromToday(1), dayFromToday(0), dayFromToday(200)),
	clauseNo: fc.constantFrom('1', '2', '3', '0', '999'),
	attendees: fc.constantFrom('10', '0', '1', ''),
	votesFor: fc.constantFrom('8', '5', '', '11'),
	votesAgainst: fc.constantFrom('1', '0', ''),
	votesAbstain: fc.constantFrom('1', '0', '')
};

/** As a page gets a post: every field there, strings (arrays of strings for the rows). */
const posted = (fields: string[]) =>
	fc.record(
		Object.fromEntries(
			fields.map((k) => [
				k,
				arrayFields.has(k)
					? stringRows(k.startsWith('cap') ? 6 : 12)
					: fc.oneof(good[k] ?? fc.uuid().map(String), text, spiked, fc.constant(''))
			])
		)
	);

describe('every rules and decisions form schema, fuzzed', () => {
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
						fc.record(Object.fromEntries(fields.map((k) => [k, anything])), { requiredKeys: [] }),
						fc.dictionary(fc.string({ maxLength: 12 }), anything, { maxKeys: 10 })
					),
					(input) => {
						expectAnswered(schema, input, { chinese: false });
					}
				),
				{ numRuns: 200 }
			);
		});
	});

	it('a draft form that passes turns into clauses numbered 1…n, with caps on those clauses', () => {
		fc.assert(
			fc.property(posted(forms.draftFormSchema.fields), (input) => {
				const parsed = draftFormSchema.safeParse(input);
				if (!parsed.success) return;
				const draft = draftFromForm(parsed.data);
				expect(draft.clauses.map((c) => c.no)).toEqual(draft.clauses.map((_, i) => i + 1));
				for (const cap of draft.caps ?? [])
					expect(cap.clauseNo).toBeLessThanOrEqual(draft.clauses.length);
			}),
			{ numRuns: 300 }
		);
		// and a good one passes
		const ok = draftFormSchema.safeParse({
			clauseTitle: ['总则', '', ''],
			clauseText: ['爱党爱国。', '彩礼不超过 2 万元。', ''],
			capLimit: ['20000', '', '', '', ''],
			capClause: ['2', '', '', '', ''],
			itemCode: ['volunteer_activity', ''],
			itemLabel: ['参加志愿活动', ''],
			itemPoints: ['+5', ''],
			note: ''
		});
		expect(ok.success).toBe(true);
		if (ok.success)
			expect(draftFromForm(ok.data)).toEqual({
				clauses: [
					{ no: 1, title: '总则', text: '爱党爱国。' },
					{ no: 2, title: '', text: '彩礼不超过 2 万元。' }
				],
				caps: [{ key: 'bride_price', limit: 2_000_000, clauseNo: 2 }],
				pointItems: [{ code: 'volunteer_activity', label: '参加志愿活动', points: 5 }],
				note: ''
			});
	});

	it('the filters take anything in the address bar', () => {
		for (const schema of [
			ruleFilterSchema,
			decisionFilterSchema,
			publicRuleFilterSchema,
			publicDecisionFilterSchema,
			diffQuerySchema
		])
			fc.assert(
				fc.property(
					fc.dictionary(
						fc.constantFrom('settlementId', 'kind', 'status', 'before', 'page', 'from', 'to', 'x'),
						fc.oneof(text, fc.constantFrom(...decisionStatuses, ...ruleKinds, '3', '-1'))
					),
					(input) => {
						expect(schema.safeParse(input).success).toBe(true);
					}
				),
				{ numRuns: 100 }
			);
	});
});

// ---------------------------------------------------------------------------------------------
// what the commands do with whatever got through

let a: Settlement;
const actors: Actor[] = [];
const ids = {
	settlements: [] as string[],
	rules: [] as string[],
	versions: [] as string[],
	comments: [] as string[],
	decisions: [] as string[]
};

beforeAll(async () => {
	const county = await createCounty();
	a = await createSettlement(county);
	const b = await createSettlement(county);
	const ha = await createHousehold(a);
	const hb = await createHousehold(b);
	const users = await Promise.all([
		createUser({ household: ha, grants: [{ role: 'resident', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ household: hb, grants: [{ role: 'resident', on: b }] }),
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: b }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'system_admin' }] }),
		createUser({})
	]);
	actors.push(...users.map((u) => u.actor));
	const [resident, admin, , , adminB] = actors;
	ids.settlements.push(a.id, b.id);
	// something in each state to work on
	for (const settlement of [a, a, b]) {
		const staff = settlement === a ? admin : adminB;
		const draft = await draftRule(staff, settlement);
		const open = await ruleInConsultation(staff, settlement, { clauses: someClauses(5) });
		ids.rules.push(draft.ruleId, open.ruleId);
		ids.versions.push(draft.versionId, open.versionId);
		ids.decisions.push(
			(await decisionAt(staff, settlement, 0)).id,
			(await decisionAt(staff, settlement, 3, { ruleVersionId: open.versionId })).id
		);
	}
	const comment = await commentOnClause(resident, ids.versions[1], {
		clauseNo: 1,
		body: '意见内容'
	});
	if (comment.ok) ids.comments.push(comment.id);
});

const idFrom = (pool: () => string[]) =>
	fc.oneof(
		{ arbitrary: fc.nat().map((i) => pool()[i % pool().length]), weight: 8 },
		{ arbitrary: fc.uuid().map(String), weight: 1 },
		{ arbitrary: text, weight: 1 }
	);

/** Anyone, but mostly A's resident and admin, whose calls get furthest. */
const anyActor = fc
	.oneof({ arbitrary: fc.constantFrom(0, 1), weight: 3 }, { arbitrary: fc.nat(), weight: 2 })
	.map((i) => actors[i % actors.length]);

const reasons = [
	'invalid',
	'open_version',
	'not_draft',
	'ends_on',
	'no_clauses',
	'illegal_step',
	'linked_decision',
	'no_clause',
	'not_open',
	'closed',
	'too_many',
	'personal',
	'no_version',
	'version_taken',
	'wrong_stage',
	'held_on',
	'not_consultation'
];

type Tally = { refusedByForm: number; ok: number; failed: number; denied: number };
const newTally = (): Tally => ({ refusedByForm: 0, ok: 0, failed: 0, denied: 0 });

/** A command's answer: a result, a refusal in Chinese, or a 403/404; anything else fails. */
async function expectHandled<T>(p: Promise<T>, tally: Tally): Promise<T | null> {
	try {
		const result = (await p) as { ok: boolean; reason?: string; message?: string };
		expect(typeof result.ok).toBe('boolean');
		if (result.ok) tally.ok++;
		else {
			tally.failed++;
			expect(reasons).toContain(result.reason);
			expect(result.message).toMatch(isCjk);
		}
		return result as T;
	} catch (e) {
		if (isHttpError(e) && (e.status === 403 || e.status === 404)) {
			tally.denied++;
			return null;
		}
		throw e;
	}
}

function parsed<S extends z.ZodType>(schema: S, input: unknown, tally: Tally): z.output<S> | null {
	const result = schema.safeParse(input);
	if (!result.success) tally.refusedByForm++;
	return result.success ? result.data : null;
}

const words = fc.oneof({ arbitrary: spiked, weight: 5 }, { arbitrary: text, weight: 1 });
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = text) =>
	fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: other, weight: 1 });
const runs = { numRuns: 60 };

describe('every rules command, fed what its form lets through and worse', () => {
	it('createRule', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc.record({
					settlementId: idFrom(() => ids.settlements),
					kind: mostly(fc.constantFrom(...ruleKinds)),
					title: words
				}),
				fc.option(fc.oneof(fc.constant(someClauses(2)), anything), { nil: undefined }),
				async (actor, form, clauses) => {
					const input = parsed(ruleCreateSchema, form, tally);
					if (!input) return;
					const result = await expectHandled(
						createRule(actor, { ...input, clauses: clauses as never }),
						tally
					);
					if (result?.ok) {
						ids.rules.push(result.id);
						ids.versions.push(result.versionId);
					}
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('updateDraft, from the form and from anything', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.versions),
				fc.oneof(
					posted(forms.draftFormSchema.fields).map((f) => ({ form: f })),
					fc
						.record({
							clauses: fc.oneof(
								fc.constant(someClauses(3)),
								fc.array(
									fc.record({
										no: mostly(fc.integer({ min: 1, max: 5 }), number),
										title: words,
										text: words
									}),
									{ maxLength: 5 }
								),
								anything
							),
							caps: fc.oneof(
								fc.array(
									fc.record({
										key: mostly(fc.constantFrom(...capKeys)),
										limit: mostly(fc.nat(20_000), number),
										clauseNo: mostly(fc.integer({ min: 1, max: 4 }), number)
									}),
									{ maxLength: 3 }
								),
								anything
							),
							pointItems: fc.oneof(
								fc.array(
									fc.record({
										code: mostly(fc.stringMatching(/^[a-z][a-z0-9_]{1,10}$/)),
										label: words,
										points: mostly(fc.integer({ min: -20, max: 20 }), number)
									}),
									{ maxLength: 3 }
								),
								anything
							),
							note: fc.oneof(words, anything)
						})
						.map((raw) => ({ raw }))
				),
				async (actor, versionId, post) => {
					let input: unknown;
					if ('form' in post) {
						const form = parsed(draftFormSchema, post.form, tally);
						if (!form) return;
						input = draftFromForm(form);
					} else input = post.raw;
					await expectHandled(updateDraft(actor, versionId, input as never), tally);
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('openConsultation, withdrawVersion and newVersion', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.versions),
				idFrom(() => ids.rules),
				fc.record({ versionId: fc.constant(''), endsOn: mostly(good.endsOn) }),
				fc.constantFrom('open', 'withdraw', 'new'),
				async (actor, versionId, ruleId, form, what) => {
					if (what === 'open') {
						const input = parsed(consultationSchema, { ...form, versionId }, tally);
						if (input) await expectHandled(openConsultation(actor, versionId, input), tally);
					} else if (what === 'withdraw')
						await expectHandled(withdrawVersion(actor, versionId), tally);
					else {
						const made = await expectHandled(newVersion(actor, ruleId), tally);
						if (made?.ok) ids.versions.push(made.versionId);
					}
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('commentOnClause and replyToComment', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.versions),
				idFrom(() => ids.comments),
				fc.record({ clauseNo: mostly(good.clauseNo), body: words }),
				words,
				async (actor, versionId, commentId, form, reply) => {
					const input = parsed(commentSchema, { ...form, versionId }, tally);
					if (input) {
						const made = await expectHandled(
							commentOnClause(actor, versionId, {
								clauseNo: Number(input.clauseNo),
								body: input.body
							}),
							tally
						);
						if (made?.ok) ids.comments.push(made.id);
					}
					const answer = parsed(replySchema, { commentId, reply }, tally);
					if (answer) await expectHandled(replyToComment(actor, commentId, answer), tally);
					// and straight to the commands, past any form
					await expectHandled(
						commentOnClause(actor, versionId, {
							clauseNo: form.clauseNo as never,
							body: form.body
						}),
						tally
					);
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('createDecision and recordStage', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				fc.record({
					settlementId: idFrom(() => ids.settlements),
					title: words,
					summary: fc.oneof(words, fc.constant('拟修订居民公约，倡导红白事简办。')),
					ruleVersionId: fc.oneof(
						fc.constant(''),
						idFrom(() => ids.versions)
					)
				}),
				idFrom(() => ids.decisions),
				fc.oneof(
					posted(forms.stageFormSchema.fields).map((f) => ({ form: f })),
					fc.constantFrom(...decisionStages).map((s) => ({ raw: stageInput(s) as unknown })),
					fc
						.record(Object.fromEntries(forms.stageFormSchema.fields.map((k) => [k, anything])), {
							requiredKeys: []
						})
						.map((raw) => ({ raw: raw as unknown }))
				),
				async (actor, form, decisionId, stage) => {
					const input = parsed(decisionCreateSchema, form, tally);
					if (input) {
						const made = await expectHandled(createDecision(actor, input), tally);
						if (made?.ok) ids.decisions.push(made.id);
					}
					let stageIn: unknown;
					if ('form' in stage) {
						const f = parsed(stageFormSchema, stage.form, tally);
						if (!f) return;
						stageIn = stageFromForm(f);
					} else stageIn = stage.raw;
					await expectHandled(recordStage(actor, decisionId, stageIn as never), tally);
				}
			),
			runs
		);
		expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);
	});

	it('every read: the rules, the decisions, a diff, and the public pages', async () => {
		const tally = newTally();
		await fc.assert(
			fc.asyncProperty(
				anyActor,
				idFrom(() => ids.rules),
				idFrom(() => ids.versions),
				idFrom(() => ids.versions),
				idFrom(() => ids.decisions),
				fc.dictionary(fc.constantFrom('settlementId', 'kind', 'status', 'before', 'page'), text),
				async (actor, ruleId, from, to, decisionId, query) => {
					const read = async (p: Promise<unknown>) =>
						expectHandled(
							p.then(() => ({ ok: true })),
							tally
						);
					await read(getRule(actor, ruleId, { versionId: from }));
					await read(versionDiff(actor, ruleId, from, to));
					await read(getDecision(actor, decisionId));
					await read(listRules(actor, ruleFilterSchema.parse(query)));
					await read(listDecisions(actor, decisionFilterSchema.parse(query)));
					await read(getPublicRule(ruleId, { versionId: to }));
					await read(getPublicDecision(decisionId));
					const pub = await listPublicDecisions(publicDecisionFilterSchema.parse(query));
					expect(pub.rows.length).toBeLessThanOrEqual(20);
					const rules = await listPublicRules(publicRuleFilterSchema.parse(query));
					expect(rules.rows.length).toBeLessThanOrEqual(50);
				}
			),
			{ numRuns: 25 }
		);
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
		expect(tally.denied, JSON.stringify(tally)).toBeGreaterThan(0);
	});
});

describe('what the fuzz is for: NUL and lone surrogates', () => {
	const odd = (w: string) => `${w}\u0000\ud800尾\udfff`;
	const kept = (w: string) => `${w}\ufffd\ufffd尾\ufffd`;

	it('are kept as U+FFFD by every command that writes text', async () => {
		const [resident, admin] = actors;
		const made = await createRule(admin, {
			settlementId: a.id,
			kind: 'covenant',
			title: odd('公约'),
			clauses: [{ no: 1, title: odd('题'), text: odd('条文') }]
		});
		if (!made.ok) throw new Error(made.reason);
		expect(
			await updateDraft(admin, made.versionId, {
				clauses: [{ no: 1, title: odd('题'), text: odd('条文') }],
				caps: [],
				pointItems: [{ code: 'help', label: odd('助人'), points: 3 }],
				note: odd('说明')
			})
		).toEqual({ ok: true });
		await openConsultation(admin, made.versionId, { endsOn: dayFromToday(3) });
		const comment = await commentOnClause(resident, made.versionId, {
			clauseNo: 1,
			body: odd('意见')
		});
		if (!comment.ok) throw new Error(comment.reason);
		expect(await replyToComment(admin, comment.id, { reply: odd('答复') })).toEqual({ ok: true });
		const seen = await getRule(admin, made.id);
		expect(seen.title).toBe(kept('公约'));
		expect(seen.current.clauses).toEqual([{ no: 1, title: kept('题'), text: kept('条文') }]);
		expect(seen.current.pointItems[0].label).toBe(kept('助人'));
		expect(seen.current.note).toBe(kept('说明'));
		expect(seen.comments[0]).toMatchObject({ body: kept('意见'), reply: kept('答复') });

		const decision = await createDecision(admin, {
			settlementId: a.id,
			title: odd('事项名称'),
			summary: odd('拟修订居民公约的事项内容'),
			ruleVersionId: made.versionId
		});
		if (!decision.ok) throw new Error(decision.reason);
		expect(
			await recordStage(
				admin,
				decision.id,
				stageInput('proposal', {
					participants: odd('人员'),
					minutes: odd('纪要'),
					evidence: odd('佐证')
				})
			)
		).toMatchObject({ ok: true });
		const d = await getDecision(admin, decision.id);
		expect(d.title).toBe(kept('事项名称'));
		expect(d.stages[0]).toMatchObject({
			participants: kept('人员'),
			minutes: kept('纪要'),
			evidence: kept('佐证')
		});
		const [row] = await db()
			.select()
			.from(schema.ruleComment)
			.where(eq(schema.ruleComment.id, comment.id));
		expect(row.body).toBe(kept('意见'));
	});
});
