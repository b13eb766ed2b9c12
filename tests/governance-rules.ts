// Builders for the rules and 四议两公开 specs (and anyone who needs an adopted rule): they go
// through the commands, so what they build is what the app would have built.
import {
	decisionStages,
	votedStages,
	type Clause,
	type DecisionStage
} from '$lib/governance/vocab';
import type { DraftInput, StageInput } from '$lib/schemas/governance-rules';
import type { Actor } from '$lib/server/access';
import { createRule, openConsultation, updateDraft } from '$lib/server/governance/rules';
import { createDecision, recordStage } from '$lib/server/governance/decisions';
import { shanghaiDay } from '$lib/working-days';

/** n clauses numbered 1…n, each saying which it is. */
export function someClauses(n: number, word = '条款'): Clause[] {
	return Array.from({ length: n }, (_, k) => ({
		no: k + 1,
		title: `第${k + 1}条标题`,
		text: `${word}第${k + 1}条的内容。`
	}));
}

/** A day `n` days from today (Shanghai), as YYYY-MM-DD. */
export function dayFromToday(n: number, now: Date = new Date()): string {
	const t = new Date(shanghaiDay(now) + 'T00:00:00Z');
	t.setUTCDate(t.getUTCDate() + n);
	return t.toISOString().slice(0, 10);
}

function ok<T extends { ok: boolean }>(result: T, what: string): Extract<T, { ok: true }> {
	if (!result.ok) throw new Error(`${what}: ${JSON.stringify(result)}`);
	return result as Extract<T, { ok: true }>;
}

/** A rule with its version 1 as a draft of `clauses` (three by default). */
export async function draftRule(
	staff: Actor,
	settlement: { id: string },
	input: Partial<{ kind: 'covenant' | 'ceremony_articles' | 'points_list'; title: string }> & {
		clauses?: Clause[];
		draft?: Omit<DraftInput, 'clauses'>;
	} = {}
) {
	const made = ok(
		await createRule(staff, {
			settlementId: settlement.id,
			kind: input.kind ?? 'covenant',
			title: input.title ?? '居民公约',
			clauses: input.clauses ?? someClauses(3)
		}),
		'createRule'
	);
	if (input.draft)
		ok(
			await updateDraft(staff, made.versionId, {
				clauses: input.clauses ?? someClauses(3),
				...input.draft
			}),
			'updateDraft'
		);
	return { ruleId: made.id, versionId: made.versionId };
}

/** A rule whose version 1 is in consultation until `endsOn` (a week from today by default). */
export async function ruleInConsultation(
	staff: Actor,
	settlement: { id: string },
	input: Parameters<typeof draftRule>[2] & { endsOn?: string } = {}
) {
	const made = await draftRule(staff, settlement, input);
	ok(
		await openConsultation(staff, made.versionId, { endsOn: input.endsOn ?? dayFromToday(7) }),
		'openConsultation'
	);
	return made;
}

/** The input of a stage that passes (votes 8 for of 10 where there is a vote). */
export function stageInput(stage: DecisionStage, over: Partial<StageInput> = {}): StageInput {
	const voted = votedStages.includes(stage);
	return {
		stage,
		heldOn: shanghaiDay(),
		participants: `${stage} 参加人员`,
		attendees: stage === 'resolution_public' || stage === 'result_public' ? 0 : 10,
		votesFor: voted ? 8 : null,
		votesAgainst: voted ? 1 : null,
		votesAbstain: voted ? 1 : null,
		minutes: `${stage} 会议纪要`,
		evidence: `${stage} 佐证`,
		...over
	};
}

/** A decision (naming `ruleVersionId` if given) with its first `stages` stages recorded. */
export async function decisionAt(
	staff: Actor,
	settlement: { id: string },
	stages: number,
	input: { ruleVersionId?: string; title?: string } = {}
) {
	const made = ok(
		await createDecision(staff, {
			settlementId: settlement.id,
			title: input.title ?? '关于修订居民公约的事项',
			summary: '拟修订居民公约，倡导红白事简办，请各位居民知悉。',
			ruleVersionId: input.ruleVersionId
		}),
		'createDecision'
	);
	for (const stage of decisionStages.slice(0, stages))
		ok(await recordStage(staff, made.id, stageInput(stage)), `recordStage ${stage}`);
	return made;
}
