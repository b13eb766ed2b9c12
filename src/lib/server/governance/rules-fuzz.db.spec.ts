import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
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
import {
	commandChecks,
	expectReached,
	fuzzCalls,
	fuzzInputs,
	kept,
	odd,
	parsed,
	pickMostly,
	type FuzzedForm
} from '../../../../tests/fuzz';
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

const { text, number, anything, words, mostly, idFrom, anyOf, posted, fuzzForms } = fuzzInputs({
	table: 'rule_version',
	nasty: ['13800138000', '第1条'],
	words: ['红白事简办', '意见'],
	numbers: [999, 1000, 1001],
	long: { minLength: 990, maxLength: 1010 },
	longest: 5500,
	texts: ['2026-02-30', '2026-06-01', '0', '10', '-5', '１０'],
	bigInt: false
});

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

/** The fields named, each with its right values (an id where it has none given). */
const fieldsOf = (...names: string[]) =>
	Object.fromEntries(names.map((k) => [k, good[k] ?? fc.uuid().map(String)]));

/** Each posted form's fields; lists of strings for the repeated rows. */
const forms = {
	ruleCreateSchema: { schema: ruleCreateSchema, fields: fieldsOf('settlementId', 'kind', 'title') },
	draftFormSchema: {
		schema: draftFormSchema,
		fields: fieldsOf(
			'clauseTitle',
			'clauseText',
			'capLimit',
			'capClause',
			'itemCode',
			'itemLabel',
			'itemPoints',
			'note'
		),
		lists: {
			clauseTitle: 12,
			clauseText: 12,
			capLimit: 6,
			capClause: 6,
			itemCode: 12,
			itemLabel: 12,
			itemPoints: 12
		}
	},
	consultationSchema: { schema: consultationSchema, fields: fieldsOf('versionId', 'endsOn') },
	commentSchema: { schema: commentSchema, fields: fieldsOf('versionId', 'clauseNo', 'body') },
	replySchema: { schema: replySchema, fields: fieldsOf('commentId', 'reply') },
	decisionCreateSchema: {
		schema: decisionCreateSchema,
		fields: fieldsOf('settlementId', 'title', 'summary', 'ruleVersionId')
	},
	stageFormSchema: {
		schema: stageFormSchema,
		fields: fieldsOf(
			'stage',
			'heldOn',
			'participants',
			'attendees',
			'votesFor',
			'votesAgainst',
			'votesAbstain',
			'minutes',
			'evidence'
		)
	}
} satisfies Record<string, FuzzedForm>;

describe('every rules and decisions form schema, fuzzed', () => {
	fuzzForms(forms, { numRuns: 200, idempotent: false });

	it('a draft form that passes turns into clauses numbered 1…n, with caps on those clauses', () => {
		fc.assert(
			fc.property(posted(forms.draftFormSchema), (input) => {
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

/** Anyone, but mostly A's resident and admin, whose calls get furthest. */
const anyActor = pickMostly(actors, [0, 1]);

const { expectHandled, expectRead } = commandChecks({
	reasons: [
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
	],
	message: true
});

const runs = 60;

describe('every rules command, fed what its form lets through and worse', () => {
	it('createRule', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				fc.record({
					settlementId: idFrom(() => ids.settlements),
					kind: mostly(fc.constantFrom(...ruleKinds)),
					title: words
				}),
				fc.option(fc.oneof(fc.constant(someClauses(2)), anything), { nil: undefined })
			],
			async (tally, actor, form, clauses) => {
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
		);
		expectReached(tally);
	});

	it('updateDraft, from the form and from anything', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				idFrom(() => ids.versions),
				fc.oneof(
					posted(forms.draftFormSchema).map((f) => ({ form: f })),
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
				)
			],
			async (tally, actor, versionId, post) => {
				let input: unknown;
				if ('form' in post) {
					const form = parsed(draftFormSchema, post.form, tally);
					if (!form) return;
					input = draftFromForm(form);
				} else input = post.raw;
				await expectHandled(updateDraft(actor, versionId, input as never), tally);
			}
		);
		expectReached(tally);
	});

	it('openConsultation, withdrawVersion and newVersion', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				idFrom(() => ids.versions),
				idFrom(() => ids.rules),
				fc.record({ versionId: fc.constant(''), endsOn: mostly(good.endsOn) }),
				fc.constantFrom('open', 'withdraw', 'new')
			],
			async (tally, actor, versionId, ruleId, form, what) => {
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
		);
		expectReached(tally);
	});

	it('commentOnClause and replyToComment', async () => {
		const tally = await fuzzCalls(
			runs,
			[
				anyActor,
				idFrom(() => ids.versions),
				idFrom(() => ids.comments),
				fc.record({ clauseNo: mostly(good.clauseNo), body: words }),
				words
			],
			async (tally, actor, versionId, commentId, form, reply) => {
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
		);
		expectReached(tally);
	});

	it('createDecision and recordStage', async () => {
		const tally = await fuzzCalls(
			runs,
			[
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
					posted(forms.stageFormSchema).map((f) => ({ form: f })),
					fc.constantFrom(...decisionStages).map((s) => ({ raw: stageInput(s) as unknown })),
					anyOf(forms.stageFormSchema.fields).map((raw) => ({ raw: raw as unknown }))
				)
			],
			async (tally, actor, form, decisionId, stage) => {
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
		);
		expectReached(tally);
	});

	it('every read: the rules, the decisions, a diff, and the public pages', async () => {
		const tally = await fuzzCalls(
			25,
			[
				anyActor,
				idFrom(() => ids.rules),
				idFrom(() => ids.versions),
				idFrom(() => ids.versions),
				idFrom(() => ids.decisions),
				fc.dictionary(fc.constantFrom('settlementId', 'kind', 'status', 'before', 'page'), text)
			],
			async (tally, actor, ruleId, from, to, decisionId, query) => {
				await expectRead(getRule(actor, ruleId, { versionId: from }), tally);
				await expectRead(versionDiff(actor, ruleId, from, to), tally);
				await expectRead(getDecision(actor, decisionId), tally);
				await expectRead(listRules(actor, ruleFilterSchema.parse(query)), tally);
				await expectRead(listDecisions(actor, decisionFilterSchema.parse(query)), tally);
				await expectRead(getPublicRule(ruleId, { versionId: to }), tally);
				await expectRead(getPublicDecision(decisionId), tally);
				const pub = await listPublicDecisions(publicDecisionFilterSchema.parse(query));
				expect(pub.rows.length).toBeLessThanOrEqual(20);
				const rules = await listPublicRules(publicRuleFilterSchema.parse(query));
				expect(rules.rows.length).toBeLessThanOrEqual(50);
			}
		);
		expect(tally.ok, JSON.stringify(tally)).toBeGreaterThan(0);
		expect(tally.denied, JSON.stringify(tally)).toBeGreaterThan(0);
	});
});

describe('what the fuzz is for: NUL and lone surrogates', () => {
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
