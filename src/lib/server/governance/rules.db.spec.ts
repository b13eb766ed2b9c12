import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { canVersionStep, versionStatuses, type VersionStatus } from '$lib/governance/vocab';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createSettlement,
	createUser,
	type County,
	type Settlement
} from '../../../../tests/factories';
import {
	dayFromToday,
	decisionAt,
	draftRule,
	ruleInConsultation,
	someClauses
} from '../../../../tests/governance-rules';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	adoptVersion,
	commentOnClause,
	createRule,
	getPublicRule,
	getRule,
	listPublicRules,
	listRules,
	listVersionsToDecide,
	newVersion,
	openConsultation,
	replyToComment,
	updateDraft,
	versionDiff,
	withdrawVersion
} from './rules';

useTestDatabase();

const { auditEntry, ruleVersion, ruleComment, notification } = schema;

let county: County;
let a: Settlement;
let b: Settlement;
let residentA: Actor;
let residentB: Actor;
let adminA: Actor;
let chiefA: Actor;
let workerA: Actor;
let adminB: Actor;
let civil: Actor;
let chiefOfPoints: Actor;
let otherCivil: Actor;
let sysadmin: Actor;

beforeAll(async () => {
	county = await createCounty();
	const other = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	const ha = await createHousehold(a);
	const hb = await createHousehold(b);
	[
		residentA,
		residentB,
		adminA,
		chiefA,
		workerA,
		adminB,
		civil,
		chiefOfPoints,
		otherCivil,
		sysadmin
	] = (
		await Promise.all([
			createUser({ household: ha, grants: [{ role: 'resident', on: a }] }),
			createUser({ household: hb, grants: [{ role: 'resident', on: b }] }),
			createUser({ grants: [{ role: 'point_admin', on: a }] }),
			createUser({ grants: [{ role: 'point_chief', on: a }] }),
			createUser({ grants: [{ role: 'community_worker', on: a }] }),
			createUser({ grants: [{ role: 'point_admin', on: b }] }),
			createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
			createUser({ grants: [{ role: 'chief_of_points', on: county }] }),
			createUser({ grants: [{ role: 'civil_affairs', on: other }] }),
			createUser({ grants: [{ role: 'system_admin' }] })
		])
	).map((u) => u.actor);
});

async function versionRow(id: string) {
	const [row] = await db().select().from(ruleVersion).where(eq(ruleVersion.id, id));
	return row;
}

async function auditFor(action: string, entityId: string) {
	return db()
		.select()
		.from(auditEntry)
		.where(and(eq(auditEntry.action, action), eq(auditEntry.entityId, entityId)));
}

/** A version of a fresh rule at A in the given status, got there by the commands. */
async function versionIn(status: VersionStatus) {
	const made = await draftRule(adminA, a);
	if (status === 'draft') return made;
	if (status === 'withdrawn') {
		expect(await withdrawVersion(adminA, made.versionId)).toEqual({ ok: true });
		return made;
	}
	expect(await openConsultation(adminA, made.versionId, { endsOn: dayFromToday(5) })).toEqual({
		ok: true
	});
	if (status === 'consultation') return made;
	expect(await adoptInTx(made.versionId)).toMatchObject({ ok: true });
	if (status === 'adopted') return made;
	// superseded: the next version is adopted over it
	const next = await newVersion(adminA, made.ruleId);
	if (!next.ok) throw new Error(next.reason);
	await openConsultation(adminA, next.versionId, { endsOn: dayFromToday(5) });
	expect(await adoptInTx(next.versionId)).toMatchObject({ ok: true });
	return made;
}

/** adoptVersion as decisions.ts calls it: inside a transaction, with a decision that names it. */
async function adoptInTx(versionId: string) {
	const decision = await decisionAt(adminA, a, 0, { ruleVersionId: undefined });
	return db().transaction((tx) => adoptVersion(tx, versionId, decision.id, adminA));
}

describe('createRule', () => {
	it('makes the rule and its version 1 as a draft with the clauses, audited in its transaction', async () => {
		const r = await createRule(adminA, {
			settlementId: a.id,
			kind: 'covenant',
			title: '  幸福小区居民公约 ',
			clauses: [
				{ no: 2, title: '', text: '邻里和睦。' },
				{ no: 1, title: '总则', text: '爱党爱国。' }
			]
		});
		if (!r.ok) throw new Error(r.reason);
		const v = await versionRow(r.versionId);
		expect(v).toMatchObject({
			ruleId: r.id,
			settlementId: a.id,
			regionPath: a.regionPath,
			versionNo: 1,
			status: 'draft',
			caps: [],
			pointItems: []
		});
		// kept in number order
		expect(v.clauses.map((c) => c.no)).toEqual([1, 2]);
		const entries = await auditFor('rule.create', r.id);
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({ actorId: adminA.id, scopePath: a.regionPath });
		expect(entries[0].summary).toMatchObject({ kind: 'covenant', title: '幸福小区居民公约' });
	});

	it('answers bad input at its field and writes nothing', async () => {
		const before = await db().select().from(auditEntry);
		expect(
			await createRule(adminA, { settlementId: a.id, kind: 'covenant', title: '公' })
		).toMatchObject({ ok: false, reason: 'invalid', field: 'title' });
		expect(
			await createRule(adminA, {
				settlementId: a.id,
				kind: 'nonsense' as 'covenant',
				title: '居民公约'
			})
		).toMatchObject({ ok: false, field: 'kind' });
		expect(
			await createRule(adminA, {
				settlementId: a.id,
				kind: 'covenant',
				title: '居民公约',
				clauses: [{ no: 1, title: '', text: '  ' }]
			})
		).toMatchObject({ ok: false, reason: 'invalid', field: 'clauses.0.text' });
		expect(
			await createRule(adminA, {
				settlementId: a.id,
				kind: 'covenant',
				title: '居民公约',
				clauses: [
					{ no: 1, title: '', text: '一' },
					{ no: 1, title: '', text: '二' }
				]
			})
		).toMatchObject({ ok: false, field: 'clauses.1.no' });
		expect(await db().select().from(auditEntry)).toHaveLength(before.length);
	});

	it('only the point’s admin and chief (and system admin) make rules; others 403, out of sight 404', async () => {
		const input = { settlementId: a.id, kind: 'covenant' as const, title: '居民公约' };
		expect(await createRule(chiefA, input)).toMatchObject({ ok: true });
		expect(await createRule(sysadmin, input)).toMatchObject({ ok: true });
		for (const actor of [residentA, workerA, civil, chiefOfPoints])
			expect(await httpStatus(createRule(actor, input)), actor.username).toBe(403);
		for (const actor of [residentB, adminB, otherCivil])
			expect(await httpStatus(createRule(actor, input)), actor.username).toBe(404);
		expect(await httpStatus(createRule(adminA, { ...input, settlementId: 'nope' }))).toBe(404);
	});
});

describe('rule versions, every step from every status, at the database', () => {
	type Step = 'openConsultation' | 'withdraw' | 'adopt' | 'edit';
	const steps: Step[] = ['openConsultation', 'withdraw', 'adopt', 'edit'];
	const allowed = (step: Step, status: VersionStatus) =>
		step === 'edit' ? status === 'draft' : canVersionStep(step, status);
	const target: Record<Step, VersionStatus | null> = {
		openConsultation: 'consultation',
		withdraw: 'withdrawn',
		adopt: 'adopted',
		edit: null
	};

	for (const status of versionStatuses)
		for (const step of steps)
			it(`${step} from ${status}: ${allowed(step, status) ? 'done' : 'refused, nothing changed'}`, async () => {
				const made = await versionIn(status);
				const before = await versionRow(made.versionId);
				expect(before.status).toBe(status);
				const result =
					step === 'openConsultation'
						? await openConsultation(adminA, made.versionId, { endsOn: dayFromToday(3) })
						: step === 'withdraw'
							? await withdrawVersion(adminA, made.versionId)
							: step === 'adopt'
								? await adoptInTx(made.versionId)
								: await updateDraft(adminA, made.versionId, {
										clauses: someClauses(2, '改过的'),
										caps: [],
										pointItems: [],
										note: '修订'
									});
				const after = await versionRow(made.versionId);
				if (allowed(step, status)) {
					expect(result.ok).toBe(true);
					expect(after.status).toBe(target[step] ?? status);
				} else {
					expect(result).toMatchObject({ ok: false });
					if (!result.ok) expect(result.message).toMatch(/[\u4e00-\u9fff]/);
					expect(after).toEqual(before);
				}
			});

	it('adopting a version supersedes the adopted one, on the day, and links the decision', async () => {
		const made = await versionIn('adopted');
		const first = await versionRow(made.versionId);
		expect(first).toMatchObject({ status: 'adopted', supersededOn: null });
		expect(first.adoptedByDecisionId).not.toBeNull();
		const next = await newVersion(adminA, made.ruleId);
		if (!next.ok) throw new Error(next.reason);
		await openConsultation(adminA, next.versionId, { endsOn: dayFromToday(2) });
		const decision = await decisionAt(adminA, a, 0);
		const adopted = await db().transaction((tx) =>
			adoptVersion(tx, next.versionId, decision.id, adminA, '2026-05-01')
		);
		expect(adopted).toEqual({ ok: true, supersededVersionId: made.versionId });
		expect(await versionRow(made.versionId)).toMatchObject({
			status: 'superseded',
			supersededOn: '2026-05-01'
		});
		expect(await versionRow(next.versionId)).toMatchObject({
			status: 'adopted',
			adoptedOn: '2026-05-01',
			adoptedByDecisionId: decision.id
		});
		expect(await auditFor('rule.adopt', next.versionId)).toHaveLength(1);
	});

	it('two opening the same draft at once: one opens it, the other is told', async () => {
		const made = await draftRule(adminA, a);
		const results = await Promise.all([
			openConsultation(adminA, made.versionId, { endsOn: dayFromToday(3) }),
			openConsultation(chiefA, made.versionId, { endsOn: dayFromToday(4) })
		]);
		expect(results.filter((x) => x.ok)).toHaveLength(1);
		expect(results.filter((x) => !x.ok)).toMatchObject([{ reason: 'illegal_step' }]);
		expect(await auditFor('rule.consultation.open', made.versionId)).toHaveLength(1);
	});

	it('withdrawing a version a live decision is to adopt is refused', async () => {
		const made = await ruleInConsultation(adminA, a);
		await decisionAt(adminA, a, 1, { ruleVersionId: made.versionId });
		expect(await withdrawVersion(adminA, made.versionId)).toMatchObject({
			ok: false,
			reason: 'linked_decision'
		});
		expect((await versionRow(made.versionId)).status).toBe('consultation');
	});
});

describe('openConsultation', () => {
	it('needs an end date after today and within 180 days, and clauses', async () => {
		const made = await draftRule(adminA, a);
		for (const endsOn of [dayFromToday(0), dayFromToday(-3), dayFromToday(181), '2026-02-30', 'x'])
			expect(await openConsultation(adminA, made.versionId, { endsOn }), endsOn).toMatchObject({
				ok: false,
				reason: 'ends_on',
				field: 'endsOn'
			});
		const empty = await draftRule(adminA, a, { clauses: [] });
		expect(
			await openConsultation(adminA, empty.versionId, { endsOn: dayFromToday(1) })
		).toMatchObject({ ok: false, reason: 'no_clauses' });
		expect(await openConsultation(adminA, made.versionId, { endsOn: dayFromToday(180) })).toEqual({
			ok: true
		});
		expect(await versionRow(made.versionId)).toMatchObject({
			status: 'consultation',
			consultationEndsOn: dayFromToday(180)
		});
	});

	it('is for the point’s managers: county staff and residents 403, other points 404', async () => {
		const made = await draftRule(adminA, a);
		const endsOn = dayFromToday(3);
		for (const actor of [civil, chiefOfPoints, workerA])
			expect(await httpStatus(openConsultation(actor, made.versionId, { endsOn }))).toBe(403);
		// a resident does not see a draft at all
		expect(await httpStatus(openConsultation(residentA, made.versionId, { endsOn }))).toBe(404);
		for (const actor of [adminB, residentB, otherCivil])
			expect(await httpStatus(openConsultation(actor, made.versionId, { endsOn }))).toBe(404);
		expect((await versionRow(made.versionId)).status).toBe('draft');
	});
});

describe('updateDraft', () => {
	it('saves clauses, caps (tied to a clause) and point items, audited', async () => {
		const made = await draftRule(adminA, a, { kind: 'ceremony_articles' });
		const result = await updateDraft(adminA, made.versionId, {
			clauses: someClauses(4),
			caps: [
				{ key: 'bride_price', limit: 2_000_000, clauseNo: 2 },
				{ key: 'wedding_tables', limit: 10, clauseNo: 3 }
			],
			pointItems: [{ code: 'over_cap_banquet', label: '超标准操办酒席', points: -10 }],
			note: '降低彩礼上限'
		});
		expect(result).toEqual({ ok: true });
		const v = await versionRow(made.versionId);
		expect(v.clauses).toHaveLength(4);
		expect(v.caps).toEqual([
			{ key: 'bride_price', limit: 2_000_000, clauseNo: 2 },
			{ key: 'wedding_tables', limit: 10, clauseNo: 3 }
		]);
		expect(v.pointItems).toEqual([
			{ code: 'over_cap_banquet', label: '超标准操办酒席', points: -10 }
		]);
		expect(v.note).toBe('降低彩礼上限');
		expect(await auditFor('rule.draft.update', made.versionId)).toHaveLength(1);
	});

	it('refuses a cap on a clause that is not there, a repeated cap or code, a zero point', async () => {
		const made = await draftRule(adminA, a);
		const base = { clauses: someClauses(2), caps: [], pointItems: [], note: '' };
		expect(
			await updateDraft(adminA, made.versionId, {
				...base,
				caps: [{ key: 'guests', limit: 100, clauseNo: 3 }]
			})
		).toMatchObject({ ok: false, reason: 'invalid', field: 'caps.0.clauseNo' });
		expect(
			await updateDraft(adminA, made.versionId, {
				...base,
				caps: [
					{ key: 'guests', limit: 100, clauseNo: 1 },
					{ key: 'guests', limit: 90, clauseNo: 2 }
				]
			})
		).toMatchObject({ ok: false, field: 'caps.1.key' });
		expect(
			await updateDraft(adminA, made.versionId, {
				...base,
				pointItems: [
					{ code: 'help', label: '助人为乐', points: 5 },
					{ code: 'help', label: '助人', points: 3 }
				]
			})
		).toMatchObject({ ok: false, field: 'pointItems.1.code' });
		expect(
			await updateDraft(adminA, made.versionId, {
				...base,
				pointItems: [{ code: 'help', label: '助人为乐', points: 0 }]
			})
		).toMatchObject({ ok: false, field: 'pointItems.0.points' });
		expect(
			await updateDraft(adminA, made.versionId, {
				...base,
				caps: [{ key: 'guests', limit: 10_001, clauseNo: 1 }]
			})
		).toMatchObject({ ok: false, field: 'caps.0.limit' });
		expect((await versionRow(made.versionId)).clauses).toEqual(someClauses(3));
	});
});

describe('newVersion', () => {
	it('copies the latest version, and only when no draft or consultation is open', async () => {
		const made = await draftRule(adminA, a, {
			draft: {
				caps: [{ key: 'guests', limit: 120, clauseNo: 1 }],
				pointItems: [{ code: 'volunteer_activity', label: '参加志愿活动', points: 5 }],
				note: ''
			}
		});
		expect(await newVersion(adminA, made.ruleId)).toMatchObject({
			ok: false,
			reason: 'open_version'
		});
		await openConsultation(adminA, made.versionId, { endsOn: dayFromToday(3) });
		expect(await newVersion(adminA, made.ruleId)).toMatchObject({ reason: 'open_version' });
		await withdrawVersion(adminA, made.versionId);
		const next = await newVersion(adminA, made.ruleId);
		if (!next.ok) throw new Error(next.reason);
		expect(next.versionNo).toBe(2);
		const v1 = await versionRow(made.versionId);
		const v2 = await versionRow(next.versionId);
		expect(v2).toMatchObject({
			status: 'draft',
			versionNo: 2,
			clauses: v1.clauses,
			caps: v1.caps,
			pointItems: v1.pointItems,
			note: ''
		});
	});

	it('two asking at once make one new version', async () => {
		const made = await versionIn('withdrawn');
		const results = await Promise.all([
			newVersion(adminA, made.ruleId),
			newVersion(chiefA, made.ruleId)
		]);
		expect(results.filter((x) => x.ok)).toHaveLength(1);
		expect(results.filter((x) => !x.ok)).toMatchObject([{ reason: 'open_version' }]);
	});

	it('is 403 for county staff and 404 for another point’s staff', async () => {
		const made = await versionIn('adopted');
		expect(await httpStatus(newVersion(civil, made.ruleId))).toBe(403);
		expect(await httpStatus(newVersion(adminB, made.ruleId))).toBe(404);
		expect(await httpStatus(newVersion(adminA, 'not-an-id'))).toBe(404);
	});
});

describe('who reads what', () => {
	it('a resident reads only what was put to the public; staff and the county read drafts; others 404', async () => {
		const made = await draftRule(adminA, a, { title: '只有草案的公约' });
		expect(await httpStatus(getRule(residentA, made.ruleId))).toBe(404);
		expect((await listRules(residentA)).map((x) => x.id)).not.toContain(made.ruleId);
		for (const staff of [adminA, workerA, civil, chiefOfPoints, sysadmin]) {
			const seen = await getRule(staff, made.ruleId);
			expect(seen.current.id).toBe(made.versionId);
		}
		expect((await listRules(civil)).map((x) => x.id)).toContain(made.ruleId);
		for (const actor of [residentB, adminB, otherCivil])
			expect(await httpStatus(getRule(actor, made.ruleId)), actor.username).toBe(404);
		expect((await listRules(adminB)).map((x) => x.id)).not.toContain(made.ruleId);

		await openConsultation(adminA, made.versionId, { endsOn: dayFromToday(3) });
		const seen = await getRule(residentA, made.ruleId);
		expect(seen.current).toMatchObject({ id: made.versionId, status: 'consultation' });
		expect(seen.can).toMatchObject({ comment: true, manage: false, edit: false });
		expect(await httpStatus(getRule(residentB, made.ruleId))).toBe(404);

		// the next version, a draft, stays out of a resident's sight, also when asked for by id
		await withdrawVersion(adminA, made.versionId);
		const next = await newVersion(adminA, made.ruleId);
		if (!next.ok) throw new Error(next.reason);
		expect((await getRule(residentA, made.ruleId)).versions.map((x) => x.id)).toEqual([
			made.versionId
		]);
		expect(await httpStatus(getRule(residentA, made.ruleId, { versionId: next.versionId }))).toBe(
			404
		);
		expect(
			await httpStatus(versionDiff(residentA, made.ruleId, made.versionId, next.versionId))
		).toBe(404);
		expect((await getRule(adminA, made.ruleId)).current.id).toBe(next.versionId);
	});

	it('county staff read but may not manage', async () => {
		const made = await draftRule(adminA, a);
		const seen = await getRule(civil, made.ruleId);
		expect(seen.can).toMatchObject({ manage: false, edit: false, openConsultation: false });
		expect(
			await httpStatus(
				updateDraft(civil, made.versionId, {
					clauses: someClauses(1),
					caps: [],
					pointItems: [],
					note: ''
				})
			)
		).toBe(403);
		expect(await httpStatus(withdrawVersion(chiefOfPoints, made.versionId))).toBe(403);
		expect((await getRule(adminA, made.ruleId)).can).toMatchObject({
			manage: true,
			edit: true,
			openConsultation: true,
			withdraw: true
		});
	});

	it('lists the rules of a settlement with their adopted and open versions', async () => {
		const made = await versionIn('adopted');
		const next = await newVersion(adminA, made.ruleId);
		if (!next.ok) throw new Error(next.reason);
		const row = (await listRules(adminA, { settlementId: a.id })).find((x) => x.id === made.ruleId);
		expect(row).toMatchObject({
			adopted: { versionNo: 1 },
			open: { versionNo: 2, status: 'draft' },
			versions: 2
		});
		expect(await listRules(adminA, { settlementId: b.id })).toEqual([]);
		expect(await listRules(adminA, { settlementId: 'bad' })).toEqual([]);
		expect(await httpStatus(listRules(await anonymousLike()))).toBe(404);
	});
});

/** A signed-in user with no grants at all. */
async function anonymousLike() {
	return (await createUser()).actor;
}

describe('comments during consultation', () => {
	it('a resident of the point comments on a clause; staff read who, residents read 居民; staff are told', async () => {
		const made = await ruleInConsultation(adminA, a);
		const result = await commentOnClause(residentA, made.versionId, {
			clauseNo: 2,
			body: ' 建议彩礼上限再降低一些。 '
		});
		if (!result.ok) throw new Error(result.reason);
		const [row] = await db().select().from(ruleComment).where(eq(ruleComment.id, result.id));
		expect(row).toMatchObject({
			versionId: made.versionId,
			clauseNo: 2,
			authorId: residentA.id,
			householdId: residentA.householdId,
			body: '建议彩礼上限再降低一些。',
			reply: null
		});
		expect(await auditFor('rule.comment', result.id)).toHaveLength(1);
		const staffView = await getRule(adminA, made.ruleId);
		expect(staffView.comments).toMatchObject([
			{ clauseNo: 2, authorName: residentA.displayName, mine: false }
		]);
		const residentView = await getRule(residentA, made.ruleId);
		expect(residentView.comments).toMatchObject([{ clauseNo: 2, authorName: null, mine: true }]);
		const told = await db()
			.select()
			.from(notification)
			.where(and(eq(notification.userId, adminA.id), eq(notification.kind, 'rule.comment')));
		expect(told.length).toBeGreaterThan(0);
		expect(told.at(-1)?.link).toBe(`/governance/rules/${made.ruleId}?v=${made.versionId}#clause-2`);
	});

	it('a resident of another point cannot comment (403), nor can staff; no version is 404', async () => {
		const made = await ruleInConsultation(adminA, a);
		const input = { clauseNo: 1, body: '我有意见要提' };
		expect(await httpStatus(commentOnClause(residentB, made.versionId, input))).toBe(403);
		for (const staff of [adminA, civil, sysadmin, adminB])
			expect(await httpStatus(commentOnClause(staff, made.versionId, input))).toBe(403);
		expect(await httpStatus(commentOnClause(residentA, crypto.randomUUID(), input))).toBe(404);
		expect(await httpStatus(commentOnClause(residentA, 'x', input))).toBe(404);
		expect(
			await db().select().from(ruleComment).where(eq(ruleComment.versionId, made.versionId))
		).toEqual([]);
	});

	it('not on a draft, a withdrawn or an adopted version, nor after the end date', async () => {
		const input = { clauseNo: 1, body: '我有意见要提' };
		for (const status of ['draft', 'withdrawn', 'adopted'] as const) {
			const made = await versionIn(status);
			expect(await commentOnClause(residentA, made.versionId, input), status).toMatchObject({
				ok: false,
				reason: 'not_open'
			});
		}
		const endsOn = dayFromToday(2);
		const made = await ruleInConsultation(adminA, a, { endsOn });
		const onTheDay = new Date(endsOn + 'T15:59:00Z'); // 23:59 in Shanghai
		const dayAfter = new Date(endsOn + 'T16:00:00Z'); // 00:00 the next day in Shanghai
		expect(await commentOnClause(residentA, made.versionId, input, onTheDay)).toMatchObject({
			ok: true
		});
		expect(await commentOnClause(residentA, made.versionId, input, dayAfter)).toMatchObject({
			ok: false,
			reason: 'closed'
		});
	});

	it('a clause that is not there, an empty or long comment, are answered at the field', async () => {
		const made = await ruleInConsultation(adminA, a);
		expect(
			await commentOnClause(residentA, made.versionId, { clauseNo: 9, body: '意见意见' })
		).toMatchObject({ reason: 'no_clause', field: 'clauseNo' });
		expect(
			await commentOnClause(residentA, made.versionId, { clauseNo: 1, body: ' 好 ' })
		).toMatchObject({ reason: 'invalid', field: 'body' });
		expect(
			await commentOnClause(residentA, made.versionId, { clauseNo: 1, body: '长'.repeat(1001) })
		).toMatchObject({ reason: 'invalid', field: 'body' });
		expect(
			await commentOnClause(residentA, made.versionId, {
				clauseNo: 1,
				body: '含\u0000空字符\ud800的意见'
			})
		).toMatchObject({ ok: true });
	});

	it('stops one person at 50 comments on a version', async () => {
		const made = await ruleInConsultation(adminA, a);
		await db()
			.insert(ruleComment)
			.values(
				Array.from({ length: 50 }, () => ({
					versionId: made.versionId,
					clauseNo: 1,
					authorId: residentA.id,
					body: '已有意见'
				}))
			);
		expect(
			await commentOnClause(residentA, made.versionId, { clauseNo: 1, body: '第五十一条意见' })
		).toMatchObject({ ok: false, reason: 'too_many' });
	});

	it('staff of the point reply; the resident is told; others may not', async () => {
		const made = await ruleInConsultation(adminA, a);
		const c = await commentOnClause(residentA, made.versionId, { clauseNo: 1, body: '意见一条' });
		if (!c.ok) throw new Error(c.reason);
		expect(await replyToComment(adminA, c.id, { reply: '感谢您的意见，已采纳。' })).toEqual({
			ok: true
		});
		const [row] = await db().select().from(ruleComment).where(eq(ruleComment.id, c.id));
		expect(row).toMatchObject({ reply: '感谢您的意见，已采纳。', repliedBy: adminA.id });
		const told = await db()
			.select()
			.from(notification)
			.where(and(eq(notification.userId, residentA.id), eq(notification.kind, 'rule.reply')));
		expect(told).toHaveLength(1);
		expect(await replyToComment(adminA, c.id, { reply: '好' })).toMatchObject({
			reason: 'invalid',
			field: 'reply'
		});
		expect(await httpStatus(replyToComment(residentA, c.id, { reply: '自己回复自己' }))).toBe(403);
		expect(await httpStatus(replyToComment(civil, c.id, { reply: '县里回复' }))).toBe(403);
		expect(await httpStatus(replyToComment(adminB, c.id, { reply: '别处回复' }))).toBe(404);
		expect(await httpStatus(replyToComment(adminA, 'nope', { reply: '不存在' }))).toBe(404);
	});
});

describe('versionDiff', () => {
	it('compares two versions clause by clause', async () => {
		const made = await versionIn('withdrawn');
		const next = await newVersion(adminA, made.ruleId);
		if (!next.ok) throw new Error(next.reason);
		await updateDraft(adminA, next.versionId, {
			clauses: [
				{ no: 1, title: '第1条标题', text: '条款第1条的内容。' },
				{ no: 2, title: '第2条标题', text: '条款第2条的新内容。' },
				{ no: 4, title: '', text: '新增的一条。' }
			],
			caps: [{ key: 'guests', limit: 100, clauseNo: 4 }],
			pointItems: [],
			note: ''
		});
		const diff = await versionDiff(adminA, made.ruleId, made.versionId, next.versionId);
		expect(diff.clauses.map((x) => [x.no, x.kind])).toEqual([
			[1, 'unchanged'],
			[2, 'changed'],
			[3, 'removed'],
			[4, 'added']
		]);
		expect(diff.caps).toEqual({ from: [], to: [{ key: 'guests', limit: 100, clauseNo: 4 }] });
		expect(diff.from.versionNo).toBe(1);
		expect(diff.to.versionNo).toBe(2);
		// a version of another rule is not one of this rule's
		const otherRule = await draftRule(adminA, a);
		expect(
			await httpStatus(versionDiff(adminA, made.ruleId, made.versionId, otherRule.versionId))
		).toBe(404);
		expect(await httpStatus(versionDiff(adminB, made.ruleId, made.versionId, next.versionId))).toBe(
			404
		);
	});
});

describe('listVersionsToDecide', () => {
	it('offers the versions in consultation that no live decision takes, to the point’s managers', async () => {
		const free = await ruleInConsultation(adminA, a, { title: '待决策的公约' });
		const taken = await ruleInConsultation(adminA, a, { title: '已在决策的公约' });
		await decisionAt(adminA, a, 0, { ruleVersionId: taken.versionId });
		const ids = (await listVersionsToDecide(adminA)).map((x) => x.id);
		expect(ids).toContain(free.versionId);
		expect(ids).not.toContain(taken.versionId);
		expect(await listVersionsToDecide(adminB)).not.toContainEqual(
			expect.objectContaining({ id: free.versionId })
		);
		expect(await httpStatus(listVersionsToDecide(civil))).toBe(403);
	});
});

describe('the public pages', () => {
	it('show adopted versions only, never drafts, consultations or comments', async () => {
		const draft = await draftRule(adminA, a, { title: '公开测试草案' });
		const consulting = await ruleInConsultation(adminA, a, { title: '公开测试征求意见' });
		await commentOnClause(residentA, consulting.versionId, { clauseNo: 1, body: '秘密意见内容' });
		const adopted = await versionIn('superseded');
		const list = await listPublicRules({ settlementId: a.id });
		const ids = list.rows.map((x) => x.ruleId);
		expect(ids).not.toContain(draft.ruleId);
		expect(ids).not.toContain(consulting.ruleId);
		expect(ids).toContain(adopted.ruleId);
		expect(list.rows.every((x) => x.versionNo > 0 && x.clauses > 0)).toBe(true);
		expect(await httpStatus(getPublicRule(draft.ruleId))).toBe(404);
		expect(await httpStatus(getPublicRule(consulting.ruleId))).toBe(404);
		expect(await httpStatus(getPublicRule('x'))).toBe(404);

		const shown = await getPublicRule(adopted.ruleId);
		expect(shown.version).toMatchObject({ versionNo: 2, status: 'adopted' });
		expect(shown.history.map((x) => [x.versionNo, x.status])).toEqual([
			[2, 'adopted'],
			[1, 'superseded']
		]);
		expect(shown.decision).not.toBeNull();
		const older = await getPublicRule(adopted.ruleId, { versionId: adopted.versionId });
		expect(older.version).toMatchObject({ versionNo: 1, status: 'superseded' });
		expect(JSON.stringify(await getPublicRule(adopted.ruleId))).not.toContain('秘密意见');
		// a draft's id is not a public version of the rule
		const next = await newVersion(adminA, adopted.ruleId);
		if (!next.ok) throw new Error(next.reason);
		expect(await httpStatus(getPublicRule(adopted.ruleId, { versionId: next.versionId }))).toBe(
			404
		);
		expect((await listPublicRules({ settlementId: 'junk' })).rows).toEqual([]);
		expect((await listPublicRules({ settlementId: b.id })).rows).toEqual([]);
	});
});
