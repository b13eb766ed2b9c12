import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { decisionStages, votedStages, type DecisionStage } from '$lib/governance/vocab';
import { shanghaiDay } from '$lib/working-days';
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
	ruleInConsultation,
	stageInput
} from '../../../../tests/governance-rules';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	createDecision,
	decisionNumber,
	getDecision,
	getPublicDecision,
	listDecisions,
	listPublicDecisions,
	recordStage
} from './decisions';
import { getPublicRule, newVersion, openConsultation, withdrawVersion } from './rules';

useTestDatabase();

const { auditEntry, decision, decisionStage, ruleVersion, notification } = schema;

let county: County;
let a: Settlement;
let b: Settlement;
let residentA: Actor;
let adminA: Actor;
let chiefA: Actor;
let workerA: Actor;
let adminB: Actor;
let civil: Actor;
let otherCivil: Actor;

beforeAll(async () => {
	county = await createCounty();
	const other = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	const ha = await createHousehold(a);
	[residentA, adminA, chiefA, workerA, adminB, civil, otherCivil] = (
		await Promise.all([
			createUser({ household: ha, grants: [{ role: 'resident', on: a }] }),
			createUser({ grants: [{ role: 'point_admin', on: a }] }),
			createUser({ grants: [{ role: 'point_chief', on: a }] }),
			createUser({ grants: [{ role: 'community_worker', on: a }] }),
			createUser({ grants: [{ role: 'point_admin', on: b }] }),
			createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
			createUser({ grants: [{ role: 'civil_affairs', on: other }] })
		])
	).map((u) => u.actor);
});

async function stagesOf(decisionId: string) {
	return db().select().from(decisionStage).where(eq(decisionStage.decisionId, decisionId));
}
async function decisionRow(id: string) {
	const [row] = await db().select().from(decision).where(eq(decision.id, id));
	return row;
}
async function versionStatus(id: string) {
	const [row] = await db()
		.select({ status: ruleVersion.status })
		.from(ruleVersion)
		.where(eq(ruleVersion.id, id));
	return row.status;
}
async function auditCount(entityId: string) {
	const rows = await db().select().from(auditEntry).where(eq(auditEntry.entityId, entityId));
	return rows.length;
}

const summary = '拟修订居民公约，倡导红白事简办，请各位居民知悉。';

describe('createDecision', () => {
	it('numbers it JC and eight digits, names the version, audits and tells the point’s staff', async () => {
		const rule = await ruleInConsultation(adminA, a);
		const r = await createDecision(adminA, {
			settlementId: a.id,
			title: '关于修订居民公约的事项',
			summary,
			ruleVersionId: rule.versionId
		});
		if (!r.ok) throw new Error(r.reason);
		expect(r.number).toMatch(/^JC\d{8}$/);
		const row = await decisionRow(r.id);
		expect(row).toMatchObject({
			settlementId: a.id,
			regionPath: a.regionPath,
			status: 'in_progress',
			stage: null,
			ruleVersionId: rule.versionId
		});
		expect(decisionNumber(row.no)).toBe(r.number);
		expect(await auditCount(r.id)).toBe(1);
		const told = await db()
			.select()
			.from(notification)
			.where(and(eq(notification.userId, chiefA.id), eq(notification.kind, 'decision.created')));
		expect(told.map((n) => n.link)).toContain(`/governance/decisions/${r.id}`);
	});

	it('names only a version of this point in consultation, and one live decision per version', async () => {
		const atB = await ruleInConsultation(adminB, b);
		const base = { settlementId: a.id, title: '关于修订公约的事项', summary };
		expect(await createDecision(adminA, { ...base, ruleVersionId: atB.versionId })).toMatchObject({
			ok: false,
			reason: 'no_version',
			field: 'ruleVersionId'
		});
		const rule = await ruleInConsultation(adminA, a);
		await withdrawVersion(adminA, rule.versionId);
		expect(await createDecision(adminA, { ...base, ruleVersionId: rule.versionId })).toMatchObject({
			reason: 'no_version'
		});
		expect(await createDecision(adminA, { ...base, ruleVersionId: 'nope' })).toMatchObject({
			reason: 'no_version'
		});
		const open = await ruleInConsultation(adminA, a);
		expect(await createDecision(adminA, { ...base, ruleVersionId: open.versionId })).toMatchObject({
			ok: true
		});
		expect(await createDecision(chiefA, { ...base, ruleVersionId: open.versionId })).toMatchObject({
			ok: false,
			reason: 'version_taken'
		});
	});

	it('two naming one version at once: one decision', async () => {
		const open = await ruleInConsultation(adminA, a);
		const base = { settlementId: a.id, title: '关于修订公约的事项', summary };
		const results = await Promise.all([
			createDecision(adminA, { ...base, ruleVersionId: open.versionId }),
			createDecision(chiefA, { ...base, ruleVersionId: open.versionId })
		]);
		expect(results.filter((x) => x.ok)).toHaveLength(1);
		expect(results.filter((x) => !x.ok)).toMatchObject([{ reason: 'version_taken' }]);
	});

	it('keeps ID and phone numbers out of what will be public', async () => {
		const base = { settlementId: a.id, title: '关于修订公约的事项', summary };
		expect(
			await createDecision(adminA, { ...base, summary: summary + '联系人电话 13912345678' })
		).toMatchObject({ ok: false, reason: 'personal', field: 'summary' });
		expect(
			await createDecision(adminA, { ...base, title: '事项 36073119800101123X' })
		).toMatchObject({ ok: false, reason: 'personal', field: 'title' });
		expect(await createDecision(adminA, { ...base, title: '短' })).toMatchObject({
			reason: 'invalid',
			field: 'title'
		});
	});

	it('is for the point’s managers: worker and county 403, another point and residents 404', async () => {
		const input = { settlementId: a.id, title: '关于修订公约的事项', summary };
		for (const actor of [workerA, civil])
			expect(await httpStatus(createDecision(actor, input)), actor.username).toBe(403);
		for (const actor of [residentA, adminB, otherCivil])
			expect(await httpStatus(createDecision(actor, input)), actor.username).toBe(404);
	});
});

describe('recordStage: the six stages in order', () => {
	it('walks all six with a rule version: adopts it at 决议公开 (superseding the old), completes at the end', async () => {
		// an adopted version 1 first, to be superseded by version 2
		const rule = await ruleInConsultation(adminA, a);
		await decisionAt(adminA, a, 6, { ruleVersionId: rule.versionId });
		expect(await versionStatus(rule.versionId)).toBe('adopted');
		const v2 = await newVersion(adminA, rule.ruleId);
		if (!v2.ok) throw new Error(v2.reason);
		await openConsultation(adminA, v2.versionId, { endsOn: dayFromToday(10) });

		const made = await createDecision(adminA, {
			settlementId: a.id,
			title: '关于修订居民公约第二版的事项',
			summary,
			ruleVersionId: v2.versionId
		});
		if (!made.ok) throw new Error(made.reason);
		for (const [k, stage] of decisionStages.entries()) {
			const before = await auditCount(made.id);
			const result = await recordStage(chiefA, made.id, stageInput(stage));
			expect(result).toEqual({
				ok: true,
				stage,
				passed: votedStages.includes(stage) ? true : null,
				status: stage === 'result_public' ? 'completed' : 'in_progress'
			});
			expect((await decisionRow(made.id)).stage).toBe(stage);
			expect(await stagesOf(made.id)).toHaveLength(k + 1);
			expect(await auditCount(made.id)).toBe(before + 1);
			// the version is adopted at the 决议公开 and not before
			const adoptedNow = k >= decisionStages.indexOf('resolution_public');
			expect(await versionStatus(v2.versionId)).toBe(adoptedNow ? 'adopted' : 'consultation');
			expect(await versionStatus(rule.versionId)).toBe(adoptedNow ? 'superseded' : 'adopted');
		}
		const [adopted] = await db().select().from(ruleVersion).where(eq(ruleVersion.id, v2.versionId));
		expect(adopted).toMatchObject({ adoptedByDecisionId: made.id, adoptedOn: shanghaiDay() });
		const seen = await getDecision(adminA, made.id);
		expect(seen.status).toBe('completed');
		expect(seen.next).toBeNull();
		expect(seen.can.record).toBe(false);
		expect(seen.stages.map((s) => s.stage)).toEqual([...decisionStages]);
		const voted = seen.stages.find((s) => s.stage === 'representatives');
		expect(voted).toMatchObject({ votesFor: 8, votesAgainst: 1, votesAbstain: 1, passed: true });
		expect(seen.stages.find((s) => s.stage === 'proposal')).toMatchObject({
			votesFor: null,
			passed: null
		});
		// the public page of the rule names the decision that adopted it
		expect((await getPublicRule(rule.ruleId)).decision?.id).toBe(made.id);
	});

	it('from every point, every other stage is refused with a Chinese reason and changes nothing', async () => {
		const made = await decisionAt(adminA, a, 0);
		for (let k = 0; k <= decisionStages.length; k++) {
			for (const stage of decisionStages) {
				if (stage === decisionStages[k]) continue;
				const before = await decisionRow(made.id);
				const stagesBefore = await stagesOf(made.id);
				const audits = await auditCount(made.id);
				const result = await recordStage(adminA, made.id, stageInput(stage));
				expect(result, `${stage} after ${k} stages`).toMatchObject({
					ok: false,
					reason: 'wrong_stage',
					field: 'stage'
				});
				if (!result.ok) expect(result.message).toMatch(/[\u4e00-\u9fff]/);
				expect(await decisionRow(made.id)).toEqual(before);
				expect(await stagesOf(made.id)).toEqual(stagesBefore);
				expect(await auditCount(made.id)).toBe(audits);
			}
			if (k < decisionStages.length)
				expect(await recordStage(adminA, made.id, stageInput(decisionStages[k]))).toMatchObject({
					ok: true
				});
		}
	});

	it('recording 两委会商议 before 党组织提议 is refused, naming the stage due', async () => {
		const made = await decisionAt(adminA, a, 0);
		expect(await recordStage(adminA, made.id, stageInput('committees'))).toEqual({
			ok: false,
			reason: 'wrong_stage',
			field: 'stage',
			message: '现在只能记录「党组织提议」，环节不能跳过或颠倒'
		});
	});

	it.each(votedStages.map((s) => [s]))(
		'a failed vote at %s ends the decision with its record; nothing after; the version is not adopted',
		async (failing: DecisionStage) => {
			const rule = await ruleInConsultation(adminA, a);
			const made = await decisionAt(adminA, a, decisionStages.indexOf(failing), {
				ruleVersionId: rule.versionId
			});
			const result = await recordStage(
				adminA,
				made.id,
				stageInput(failing, { attendees: 10, votesFor: 5, votesAgainst: 4, votesAbstain: 1 })
			);
			expect(result).toEqual({ ok: true, stage: failing, passed: false, status: 'failed' });
			expect(await decisionRow(made.id)).toMatchObject({ status: 'failed', stage: failing });
			const last = (await stagesOf(made.id)).find((s) => s.stage === failing);
			expect(last).toMatchObject({ passed: false, votesFor: 5 });
			for (const stage of decisionStages)
				expect(await recordStage(adminA, made.id, stageInput(stage))).toMatchObject({
					ok: false,
					reason: 'wrong_stage',
					message: '此事项表决未通过，已终止，不能再记录'
				});
			expect(await versionStatus(rule.versionId)).toBe('consultation');
			// the version may be put to a new decision
			expect(
				await createDecision(adminA, {
					settlementId: a.id,
					title: '重新提请的事项',
					summary,
					ruleVersionId: rule.versionId
				})
			).toMatchObject({ ok: true });
			expect((await getDecision(adminA, made.id)).next).toBeNull();
		}
	);

	it('two recording the same stage at once: one is recorded', async () => {
		const made = await decisionAt(adminA, a, 2);
		const results = await Promise.all([
			recordStage(adminA, made.id, stageInput('party_members')),
			recordStage(chiefA, made.id, stageInput('party_members', { votesFor: 9, votesAgainst: 0 }))
		]);
		expect(results.filter((x) => x.ok)).toHaveLength(1);
		expect(results.filter((x) => !x.ok)).toMatchObject([{ reason: 'wrong_stage' }]);
		expect((await stagesOf(made.id)).filter((s) => s.stage === 'party_members')).toHaveLength(1);
	});

	it('needs votes where there is a vote, no more votes than people, and a date in order', async () => {
		const made = await decisionAt(adminA, a, 2);
		expect(
			await recordStage(adminA, made.id, stageInput('party_members', { votesFor: null }))
		).toMatchObject({ reason: 'invalid', field: 'votesFor' });
		expect(
			await recordStage(
				adminA,
				made.id,
				stageInput('party_members', { attendees: 5, votesFor: 4, votesAgainst: 1, votesAbstain: 1 })
			)
		).toMatchObject({ reason: 'invalid', field: 'votesFor' });
		expect(
			await recordStage(adminA, made.id, stageInput('party_members', { attendees: 0 }))
		).toMatchObject({ reason: 'invalid', field: 'attendees' });
		expect(
			await recordStage(adminA, made.id, stageInput('party_members', { heldOn: dayFromToday(1) }))
		).toMatchObject({ reason: 'held_on', field: 'heldOn' });
		expect(
			await recordStage(adminA, made.id, stageInput('party_members', { heldOn: dayFromToday(-1) }))
		).toMatchObject({ reason: 'held_on', field: 'heldOn' });
		expect(
			await recordStage(adminA, made.id, stageInput('party_members', { heldOn: '2026-13-01' }))
		).toMatchObject({ reason: 'invalid', field: 'heldOn' });
		expect(await stagesOf(made.id)).toHaveLength(2);
	});

	it('keeps ID and phone numbers out of the disclosures', async () => {
		const made = await decisionAt(adminA, a, 4);
		expect(
			await recordStage(
				adminA,
				made.id,
				stageInput('resolution_public', { minutes: '详情请致电 13812345678 咨询' })
			)
		).toMatchObject({ ok: false, reason: 'personal', field: 'minutes' });
		expect(await stagesOf(made.id)).toHaveLength(4);
	});

	it('when the version can no longer be adopted, the 决议公开 is refused and nothing is written', async () => {
		const rule = await ruleInConsultation(adminA, a);
		const made = await decisionAt(adminA, a, 4, { ruleVersionId: rule.versionId });
		// as if someone had changed it behind the commands' back
		await db()
			.update(ruleVersion)
			.set({ status: 'withdrawn' })
			.where(eq(ruleVersion.id, rule.versionId));
		const before = await decisionRow(made.id);
		const audits = await auditCount(made.id);
		expect(await recordStage(adminA, made.id, stageInput('resolution_public'))).toMatchObject({
			ok: false,
			reason: 'not_consultation'
		});
		expect(await decisionRow(made.id)).toEqual(before);
		expect(await stagesOf(made.id)).toHaveLength(4);
		expect(await auditCount(made.id)).toBe(audits);
	});

	it('staff of another point 404; county staff read but may not record (403); residents 404', async () => {
		const made = await decisionAt(adminA, a, 1);
		expect((await getDecision(civil, made.id)).can.record).toBe(false);
		expect(await httpStatus(recordStage(civil, made.id, stageInput('committees')))).toBe(403);
		expect(await httpStatus(recordStage(workerA, made.id, stageInput('committees')))).toBe(403);
		for (const actor of [adminB, otherCivil, residentA]) {
			expect(await httpStatus(getDecision(actor, made.id)), actor.username).toBe(404);
			expect(await httpStatus(recordStage(actor, made.id, stageInput('committees')))).toBe(404);
		}
		expect(await httpStatus(getDecision(adminA, 'nope'))).toBe(404);
		expect(await httpStatus(recordStage(adminA, crypto.randomUUID(), stageInput('proposal')))).toBe(
			404
		);
		expect(await stagesOf(made.id)).toHaveLength(1);
	});

	it('the append-only stage record refuses an edit even from inside the database', async () => {
		const made = await decisionAt(adminA, a, 1);
		await expect(
			db().execute(sql`update decision_stage set minutes = 'x' where decision_id = ${made.id}`)
		).rejects.toThrow();
	});
});

describe('listDecisions', () => {
	it('lists the actor’s scope, newest first, by status and settlement, with the next stage', async () => {
		const atB = await decisionAt(adminB, b, 0);
		const atA = await decisionAt(adminA, a, 3);
		const mine = await listDecisions(adminA);
		expect(mine.rows.map((r) => r.id)).toContain(atA.id);
		expect(mine.rows.map((r) => r.id)).not.toContain(atB.id);
		const row = mine.rows.find((r) => r.id === atA.id);
		expect(row).toMatchObject({ stage: 'party_members', next: 'representatives' });
		const nos = mine.rows.map((r) => r.no);
		expect(nos).toEqual([...nos].sort((x, y) => y - x));
		expect((await listDecisions(civil)).rows.map((r) => r.id)).toEqual(
			expect.arrayContaining([atA.id, atB.id])
		);
		expect(
			(await listDecisions(adminA, { status: 'completed' })).rows.every(
				(r) => r.status === 'completed'
			)
		).toBe(true);
		expect(
			(await listDecisions(civil, { settlementId: b.id })).rows.every(
				(r) => r.settlementId === b.id
			)
		).toBe(true);
		expect(await httpStatus(listDecisions(residentA))).toBe(404);
	});
});

describe('the public pages', () => {
	const marker = (stage: DecisionStage, what: string) => `【${stage}-${what}】`;
	const marked = (stage: DecisionStage) =>
		stageInput(stage, {
			participants: marker(stage, '人员'),
			minutes: marker(stage, '纪要'),
			evidence: marker(stage, '佐证')
		});

	it('show a decision only once its resolution is made public, and only the disclosures', async () => {
		const made = await decisionAt(adminA, a, 0, { title: '公开测试的事项' });
		for (const [k, stage] of decisionStages.entries()) {
			await recordStage(adminA, made.id, marked(stage));
			const listed = (await listPublicDecisions({ settlementId: a.id })).rows.find(
				(r) => r.id === made.id
			);
			if (k < decisionStages.indexOf('resolution_public')) {
				expect(listed, stage).toBeUndefined();
				expect(await httpStatus(getPublicDecision(made.id))).toBe(404);
				continue;
			}
			const shown = await getPublicDecision(made.id);
			expect(listed).toEqual(shown);
			expect(shown).toMatchObject({
				title: '公开测试的事项',
				summary,
				resolution: {
					votesFor: 8,
					votesAgainst: 1,
					votesAbstain: 1,
					attendees: 10,
					text: marker('resolution_public', '纪要')
				}
			});
			expect(shown.result?.text ?? null).toBe(
				stage === 'result_public' ? marker('result_public', '纪要') : null
			);
			expect(shown.completed).toBe(stage === 'result_public');
			// earlier minutes, who took part, evidence, who recorded: never
			const json = JSON.stringify(shown);
			for (const earlier of decisionStages)
				for (const what of ['人员', '佐证', ...(earlier.endsWith('_public') ? [] : ['纪要'])])
					expect(json).not.toContain(marker(earlier, what));
			expect(json).not.toContain(adminA.displayName);
		}
	});

	it('never show a failed decision, and page by 20', async () => {
		const failed = await decisionAt(adminA, a, 3);
		await recordStage(adminA, failed.id, stageInput('representatives', { votesFor: 2 }));
		expect(await httpStatus(getPublicDecision(failed.id))).toBe(404);
		expect(await httpStatus(getPublicDecision('junk'))).toBe(404);
		for (let i = 0; i < 21; i++) await decisionAt(adminB, b, 5);
		const first = await listPublicDecisions({ settlementId: b.id });
		expect(first.rows).toHaveLength(20);
		expect(first.next).toBe(true);
		const second = await listPublicDecisions({ settlementId: b.id, page: 2 });
		expect(second.rows.length).toBeGreaterThanOrEqual(1);
		expect(second.rows.map((r) => r.id)).not.toContain(first.rows[0].id);
		expect((await listPublicDecisions({ settlementId: 'junk' })).rows).toEqual([]);
		expect((await listPublicDecisions({ page: -4 })).page).toBe(1);
	});
});
