import { and, asc, desc, eq, lt, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { findIdentifying } from '$lib/charity/anonymise';
import {
	decisionStages,
	decisionStageWords,
	decisionStatuses,
	nextStage,
	stagePasses,
	votedStages,
	type DecisionStage,
	type DecisionStatus
} from '$lib/governance/vocab';
import { stageInputSchema, type StageInput } from '$lib/schemas/governance-rules';
import { shanghaiDay } from '$lib/working-days';
import { can, requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import * as notifications from '../notifications';
import { settlementStaffIds } from '../services/shared';
import { isUuid, notFound, settlementResource } from '../settlements/shared';
import { adoptVersion, invalid, keepable, refuse, type Refusal } from './rules';

// 四议两公开: the party branch proposes → the two committees discuss → party members review
// (vote) → the villagers' representatives resolve (vote) → the resolution is made public → the
// result is made public. Each stage is recorded once, in order, with its date, who took part,
// votes where there are votes, and minutes; a failed vote ends the decision. When the
// resolution is made public, the rule version the decision names is adopted in the same
// transaction. The public reads only the two disclosures and the resolution's figures.

const d = schema.decision;
const st = schema.decisionStage;

/** 'JC00000012': a decision's number, as on its papers. */
export function decisionNumber(no: number | bigint): string {
	return 'JC' + String(no).padStart(8, '0');
}

/** A decision as a resource for `can()`; null when there is none. */
export async function decisionResource(decisionId: string, executor: Executor = db()) {
	if (!isUuid(decisionId)) return null;
	const [row] = await executor
		.select({
			decisionId: d.id,
			no: d.no,
			settlementId: d.settlementId,
			regionPath: d.regionPath,
			title: d.title,
			status: d.status,
			stage: d.stage,
			ruleVersionId: d.ruleVersionId
		})
		.from(d)
		.where(eq(d.id, decisionId));
	return row ?? null;
}

/** An ID number or a phone number in words meant for the public: the field's refusal, or null. */
function personalIn(text: string, field: string): Refusal<'personal'> | null {
	const found = findIdentifying(text).filter((f) => f.kind === 'id_number' || f.kind === 'phone');
	if (found.length === 0) return null;
	return refuse(
		'personal',
		`此内容将向社会公开，请删去身份证号或电话号码（「${found[0].match}」）`,
		field
	);
}

/** Thrown inside a transaction to roll everything back and answer with the refusal. */
class Rollback<R extends string> extends Error {
	constructor(readonly refusal: Refusal<R>) {
		super(refusal.reason);
	}
}

// ---------------------------------------------------------------- reading

export const decisionsPageSize = 50;

export interface DecisionListRow {
	id: string;
	no: number;
	number: string;
	title: string;
	status: DecisionStatus;
	stage: DecisionStage | null;
	next: DecisionStage | null;
	settlementId: string;
	settlementName: string;
	rule: { ruleId: string; title: string; versionNo: number } | null;
	updatedAt: Date;
}

/** The decisions the actor may read (staff, their scope), newest first, 50 a page by number. */
export async function listDecisions(
	actor: Actor,
	filter: { settlementId?: string; status?: DecisionStatus | ''; before?: number } = {}
): Promise<{ rows: DecisionListRow[]; next: number | null }> {
	requireAnywhere(actor, 'decision.read', 'read');
	const s = schema.settlement;
	const v = schema.ruleVersion;
	const r = schema.rule;
	const where: SQL[] = [
		scopeFilter(actor, 'decision.read', { settlementId: d.settlementId, regionPath: d.regionPath })
	];
	if (filter.settlementId) {
		if (!isUuid(filter.settlementId)) return { rows: [], next: null };
		where.push(eq(d.settlementId, filter.settlementId));
	}
	if (filter.status && decisionStatuses.includes(filter.status))
		where.push(eq(d.status, filter.status));
	if (filter.before && Number.isSafeInteger(filter.before)) where.push(lt(d.no, filter.before));
	const rows = await db()
		.select({
			id: d.id,
			no: d.no,
			title: d.title,
			status: d.status,
			stage: d.stage,
			settlementId: d.settlementId,
			settlementName: s.name,
			ruleId: r.id,
			ruleTitle: r.title,
			versionNo: v.versionNo,
			updatedAt: d.updatedAt
		})
		.from(d)
		.innerJoin(s, eq(s.id, d.settlementId))
		.leftJoin(v, eq(v.id, d.ruleVersionId))
		.leftJoin(r, eq(r.id, v.ruleId))
		.where(and(...where))
		.orderBy(desc(d.no))
		.limit(decisionsPageSize + 1);
	const page = rows.slice(0, decisionsPageSize);
	return {
		rows: page.map((x) => ({
			id: x.id,
			no: x.no,
			number: decisionNumber(x.no),
			title: x.title,
			status: x.status,
			stage: x.stage,
			next: nextOf(x.stage, x.status),
			settlementId: x.settlementId,
			settlementName: x.settlementName,
			rule:
				x.ruleId && x.ruleTitle && x.versionNo !== null
					? { ruleId: x.ruleId, title: x.ruleTitle, versionNo: x.versionNo }
					: null,
			updatedAt: x.updatedAt
		})),
		next: rows.length > decisionsPageSize ? page[page.length - 1].no : null
	};
}

/** The stage that may be recorded after `last` (the decision's last recorded stage). */
function nextOf(last: DecisionStage | null, status: DecisionStatus): DecisionStage | null {
	const k = last ? decisionStages.indexOf(last) + 1 : 0;
	return nextStage(decisionStages.slice(0, k), status);
}

/**
 * One decision with its stages in order, the rule version it adopts, and the one stage that
 * may be recorded next. 404 when there is none or it is out of the actor's sight.
 */
export async function getDecision(actor: Actor, decisionId: string) {
	const res = await decisionResource(decisionId);
	requirePermission(actor, 'decision.read', res ?? {}, 'read');
	if (!res) notFound();
	const [row] = await db().select().from(d).where(eq(d.id, res.decisionId));
	const recorder = schema.user;
	const stages = await db()
		.select({
			id: st.id,
			stage: st.stage,
			heldOn: st.heldOn,
			participants: st.participants,
			attendees: st.attendees,
			votesFor: st.votesFor,
			votesAgainst: st.votesAgainst,
			votesAbstain: st.votesAbstain,
			passed: st.passed,
			minutes: st.minutes,
			evidence: st.evidence,
			recordedByName: recorder.displayName,
			recordedAt: st.recordedAt
		})
		.from(st)
		.innerJoin(recorder, eq(recorder.id, st.recordedBy))
		.where(eq(st.decisionId, res.decisionId));
	stages.sort((a, b) => decisionStages.indexOf(a.stage) - decisionStages.indexOf(b.stage));
	const [settlement] = await db()
		.select({ name: schema.settlement.name })
		.from(schema.settlement)
		.where(eq(schema.settlement.id, res.settlementId));
	const v = schema.ruleVersion;
	const r = schema.rule;
	const [version] = row.ruleVersionId
		? await db()
				.select({
					id: v.id,
					ruleId: r.id,
					title: r.title,
					versionNo: v.versionNo,
					status: v.status,
					consultationEndsOn: v.consultationEndsOn
				})
				.from(v)
				.innerJoin(r, eq(r.id, v.ruleId))
				.where(eq(v.id, row.ruleVersionId))
		: [];
	const next = nextStage(
		stages.map((x) => x.stage),
		row.status
	);
	return {
		id: row.id,
		no: row.no,
		number: decisionNumber(row.no),
		title: row.title,
		summary: row.summary,
		status: row.status,
		stage: row.stage,
		settlementId: row.settlementId,
		settlementName: settlement?.name ?? '',
		createdAt: row.createdAt,
		stages,
		next,
		lastHeldOn: stages.at(-1)?.heldOn ?? null,
		ruleVersion: version ?? null,
		can: { record: next !== null && can(actor, 'decision.manage', res) }
	};
}
export type DecisionDetail = Awaited<ReturnType<typeof getDecision>>;

// ---------------------------------------------------------------- commands

/**
 * Staff of the point open a decision: its title and summary (both will be public), and maybe
 * the rule version in consultation it is to adopt. 404 for a settlement out of sight, 403
 * unless they manage its decisions; fails 'invalid' or 'personal' at a field, 'no_version' at
 * ruleVersionId for a version that is not this settlement's or not in consultation,
 * 'version_taken' when a live decision already names it.
 */
export async function createDecision(
	actor: Actor,
	input: { settlementId: string; title: string; summary: string; ruleVersionId?: string | null }
): Promise<
	| { ok: true; id: string; number: string }
	| Refusal<'invalid' | 'personal' | 'no_version' | 'version_taken'>
> {
	const s = await settlementResource(String(input.settlementId ?? ''));
	requirePermission(actor, 'decision.read', s ?? {}, 'read');
	if (!s) notFound();
	requirePermission(actor, 'decision.manage', s, 'write');
	const title = typeof input.title === 'string' ? keepable(input.title.trim()) : '';
	const summary = typeof input.summary === 'string' ? keepable(input.summary.trim()) : '';
	if (title.length < 4 || title.length > 80)
		return refuse('invalid', '事项名称须为 4 到 80 个字', 'title');
	if (summary.length < 10 || summary.length > 2000)
		return refuse('invalid', '事项内容须为 10 到 2000 个字', 'summary');
	const personal = personalIn(title, 'title') ?? personalIn(summary, 'summary');
	if (personal) return personal;
	const versionId = input.ruleVersionId ? String(input.ruleVersionId) : null;
	if (versionId && !isUuid(versionId))
		return refuse('no_version', '请选择征求意见中的规约版本', 'ruleVersionId');
	return db().transaction(async (tx) => {
		if (versionId) {
			// the version row is where a decision and a withdrawal meet: one waits for the other
			const v = schema.ruleVersion;
			const [version] = await tx
				.select({ id: v.id, status: v.status, settlementId: v.settlementId })
				.from(v)
				.where(eq(v.id, versionId))
				.for('update');
			if (!version || version.settlementId !== s.settlementId || version.status !== 'consultation')
				return refuse('no_version', '只能选择本安置点征求意见中的规约版本', 'ruleVersionId');
			const [taken] = await tx
				.select({ no: d.no })
				.from(d)
				.where(and(eq(d.ruleVersionId, versionId), ne(d.status, 'failed')))
				.limit(1);
			if (taken)
				return refuse(
					'version_taken',
					`此版本已由决策 ${decisionNumber(taken.no)} 办理`,
					'ruleVersionId'
				);
		}
		const [row] = await tx
			.insert(d)
			.values({
				settlementId: s.settlementId,
				regionPath: s.regionPath,
				title,
				summary,
				ruleVersionId: versionId,
				createdBy: actor.id
			})
			.returning({ id: d.id, no: d.no });
		const number = decisionNumber(row.no);
		await audit.record(tx, {
			actor,
			action: 'decision.create',
			entity: 'decision',
			entityId: row.id,
			scopePath: s.regionPath,
			summary: { number, settlementId: s.settlementId, ruleVersionId: versionId }
		});
		await notifications.notify(tx, {
			userIds: (
				await settlementStaffIds(tx, s.settlementId, ['point_admin', 'point_chief'])
			).filter((id) => id !== actor.id),
			kind: 'decision.created',
			title: `新的四议两公开事项：${title}`,
			body: `编号 ${number}`,
			link: `/governance/decisions/${row.id}`
		});
		return { ok: true, id: row.id, number } as const;
	});
}

type StageRefusal = 'invalid' | 'personal' | 'wrong_stage' | 'held_on' | 'not_consultation';

/**
 * Records the next stage of a decision — only the one `nextStage()` names, once (two at once:
 * one passes). A voted stage that fails ends the decision ('failed'); the 决议公开 adopts the
 * decision's rule version in the same transaction; the 实施结果公开 completes it. 404/403 as
 * usual; fails (changing nothing) 'wrong_stage' at stage, 'invalid'/'held_on'/'personal' at the
 * field, 'not_consultation' when the rule version can no longer be adopted.
 */
export async function recordStage(
	actor: Actor,
	decisionId: string,
	input: StageInput,
	now: Date = new Date()
): Promise<
	| { ok: true; stage: DecisionStage; passed: boolean | null; status: DecisionStatus }
	| Refusal<StageRefusal>
> {
	const res = await decisionResource(decisionId);
	requirePermission(actor, 'decision.read', res ?? {}, 'read');
	if (!res) notFound();
	requirePermission(actor, 'decision.manage', res, 'write');
	const parsed = stageInputSchema.safeParse(input);
	if (!parsed.success) return invalid(parsed.error.issues);
	const s = parsed.data;
	const participants = keepable(s.participants);
	const minutes = keepable(s.minutes);
	const evidence = keepable(s.evidence);
	const today = shanghaiDay(now);
	if (s.heldOn > today) return refuse('held_on', '日期不能晚于今天', 'heldOn');
	if (s.stage === 'resolution_public' || s.stage === 'result_public') {
		const personal = personalIn(minutes, 'minutes');
		if (personal) return personal;
	}
	const voted = votedStages.includes(s.stage);
	const passed = voted ? stagePasses(s.votesFor ?? 0, s.attendees) : null;
	try {
		return await db().transaction(async (tx) => {
			// the decision row is the queue: a second recorder waits, then finds the stage taken
			const [row] = await tx.select().from(d).where(eq(d.id, res.decisionId)).for('update');
			const recorded = await tx
				.select({ stage: st.stage, heldOn: st.heldOn })
				.from(st)
				.where(eq(st.decisionId, row.id));
			recorded.sort((a, b) => decisionStages.indexOf(a.stage) - decisionStages.indexOf(b.stage));
			const next = nextStage(
				recorded.map((x) => x.stage),
				row.status
			);
			if (next !== s.stage)
				return refuse(
					'wrong_stage',
					next
						? `现在只能记录「${decisionStageWords[next]}」，环节不能跳过或颠倒`
						: row.status === 'failed'
							? '此事项表决未通过，已终止，不能再记录'
							: '此事项六个环节已全部完成',
					'stage'
				);
			const last = recorded.at(-1);
			if (last && s.heldOn < last.heldOn)
				return refuse(
					'held_on',
					`日期不能早于上一环节「${decisionStageWords[last.stage]}」的 ${last.heldOn}`,
					'heldOn'
				);
			const status: DecisionStatus =
				passed === false ? 'failed' : s.stage === 'result_public' ? 'completed' : 'in_progress';
			const [moved] = await tx
				.update(d)
				.set({ stage: s.stage, status, updatedAt: now })
				.where(
					and(
						eq(d.id, row.id),
						eq(d.status, 'in_progress'),
						row.stage ? eq(d.stage, row.stage) : sql`${d.stage} is null`
					)
				)
				.returning({ id: d.id });
			if (!moved)
				throw new Rollback(refuse('wrong_stage', '此事项已被他人更新，请刷新后重试', 'stage'));
			await tx.insert(st).values({
				decisionId: row.id,
				stage: s.stage,
				heldOn: s.heldOn,
				participants,
				attendees: s.attendees,
				votesFor: voted ? (s.votesFor ?? 0) : null,
				votesAgainst: voted ? (s.votesAgainst ?? 0) : null,
				votesAbstain: voted ? (s.votesAbstain ?? 0) : null,
				passed,
				minutes,
				evidence,
				recordedBy: actor.id,
				recordedAt: now
			});
			let adopted: string | null = null;
			if (s.stage === 'resolution_public' && row.ruleVersionId) {
				const adoption = await adoptVersion(tx, row.ruleVersionId, row.id, actor, s.heldOn);
				if (!adoption.ok) throw new Rollback(adoption);
				adopted = row.ruleVersionId;
			}
			const number = decisionNumber(row.no);
			await audit.record(tx, {
				actor,
				action: 'decision.stage',
				entity: 'decision',
				entityId: row.id,
				scopePath: row.regionPath,
				summary: { number, stage: s.stage, passed, status, adoptedVersionId: adopted }
			});
			await notifications.notify(tx, {
				userIds: (
					await settlementStaffIds(tx, row.settlementId, ['point_admin', 'point_chief'])
				).filter((id) => id !== actor.id),
				kind: 'decision.stage',
				title:
					status === 'failed'
						? `「${row.title}」${decisionStageWords[s.stage]}未通过，事项终止`
						: `「${row.title}」已记录「${decisionStageWords[s.stage]}」`,
				body: `编号 ${number}`,
				link: `/governance/decisions/${row.id}`
			});
			return { ok: true, stage: s.stage, passed, status } as const;
		});
	} catch (e) {
		if (e instanceof Rollback) return e.refusal as Refusal<StageRefusal>;
		throw e;
	}
}

// ---------------------------------------------------------------- public (no login)

export const publicDecisionsPageSize = 20;

const disclosed = alias(st, 'disclosed');
const resolved = alias(st, 'resolved');
const result = alias(st, 'result');

/** What the public reads of a decision: never earlier stages' minutes, never who took part. */
function publicQuery() {
	const s = schema.settlement;
	const v = schema.ruleVersion;
	const r = schema.rule;
	return db()
		.select({
			id: d.id,
			no: d.no,
			title: d.title,
			summary: d.summary,
			status: d.status,
			settlementId: s.id,
			settlementName: s.name,
			resolvedOn: resolved.heldOn,
			attendees: resolved.attendees,
			votesFor: resolved.votesFor,
			votesAgainst: resolved.votesAgainst,
			votesAbstain: resolved.votesAbstain,
			disclosedOn: disclosed.heldOn,
			resolutionText: disclosed.minutes,
			resultOn: result.heldOn,
			resultText: result.minutes,
			ruleId: r.id,
			ruleTitle: r.title,
			versionId: v.id,
			versionNo: v.versionNo
		})
		.from(d)
		.innerJoin(s, eq(s.id, d.settlementId))
		.innerJoin(
			disclosed,
			and(eq(disclosed.decisionId, d.id), eq(disclosed.stage, 'resolution_public'))
		)
		.leftJoin(resolved, and(eq(resolved.decisionId, d.id), eq(resolved.stage, 'representatives')))
		.leftJoin(result, and(eq(result.decisionId, d.id), eq(result.stage, 'result_public')))
		.leftJoin(v, eq(v.id, d.ruleVersionId))
		.leftJoin(r, eq(r.id, v.ruleId));
}

type PublicRow = Awaited<ReturnType<typeof publicQuery>>[number];

function publicShape(x: PublicRow) {
	return {
		id: x.id,
		number: decisionNumber(x.no),
		title: x.title,
		summary: x.summary,
		completed: x.status === 'completed',
		settlementName: x.settlementName,
		resolution: {
			resolvedOn: x.resolvedOn,
			attendees: x.attendees,
			votesFor: x.votesFor,
			votesAgainst: x.votesAgainst,
			votesAbstain: x.votesAbstain,
			disclosedOn: x.disclosedOn,
			text: x.resolutionText
		},
		result: x.resultOn ? { on: x.resultOn, text: x.resultText ?? '' } : null,
		rule:
			x.ruleId && x.ruleTitle && x.versionNo !== null
				? { ruleId: x.ruleId, title: x.ruleTitle, versionNo: x.versionNo, versionId: x.versionId }
				: null
	};
}
export type PublicDecision = ReturnType<typeof publicShape>;

/** Decisions whose resolution was made public, newest disclosure first, 20 a page. */
export async function listPublicDecisions(filter: { settlementId?: string; page?: number } = {}) {
	const page = Math.max(1, Math.min(10_000, Math.trunc(Number(filter.page) || 1)));
	const where =
		filter.settlementId === undefined || filter.settlementId === ''
			? undefined
			: isUuid(filter.settlementId)
				? eq(d.settlementId, filter.settlementId)
				: sql`false`;
	const rows = await publicQuery()
		.where(where)
		.orderBy(desc(disclosed.heldOn), desc(d.no))
		.limit(publicDecisionsPageSize + 1)
		.offset((page - 1) * publicDecisionsPageSize);
	return {
		rows: rows.slice(0, publicDecisionsPageSize).map(publicShape),
		page,
		next: rows.length > publicDecisionsPageSize
	};
}

/** The settlements with a disclosed decision, for the public filter. */
export async function listPublicDecisionSettlements() {
	const s = schema.settlement;
	return db()
		.selectDistinct({ id: s.id, name: s.name })
		.from(s)
		.innerJoin(d, eq(d.settlementId, s.id))
		.innerJoin(st, and(eq(st.decisionId, d.id), eq(st.stage, 'resolution_public')))
		.orderBy(asc(s.name))
		.limit(500);
}

/** One disclosed decision as the public reads it; 404 until its resolution is made public. */
export async function getPublicDecision(decisionId: string): Promise<PublicDecision> {
	if (!isUuid(decisionId)) notFound();
	const [row] = await publicQuery().where(eq(d.id, decisionId));
	if (!row) notFound();
	return publicShape(row);
}
