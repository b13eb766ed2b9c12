import { and, asc, count, desc, eq, inArray, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import { diffClauses } from '$lib/governance/diff';
import {
	canVersionStep,
	ruleKinds,
	versionStatusWords,
	type RuleKind,
	type VersionStatus
} from '$lib/governance/vocab';
import { clausesSchema, draftSchema, type DraftInput } from '$lib/schemas/governance-rules';
import { shanghaiDay } from '$lib/working-days';
import {
	can,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor,
	type Permission,
	type Resource
} from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { settlementStaffIds } from '../services/shared';
import { isUuid, notFound, settlementResource } from '../settlements/shared';

// 村规民约 / 居民公约: rules with numbered clauses in versions. A version is drafted, put to
// public consultation until an end date (the settlement's residents comment on single clauses),
// adopted only by a 四议两公开 decision (decisions.ts calls adoptVersion in its transaction),
// superseded by the next adoption; a draft or a consultation may be withdrawn.

const r = schema.rule;
const v = schema.ruleVersion;
const c = schema.ruleComment;

/** A refusal with the words to show, in Chinese, at `field` when it names one. */
export type Refusal<R extends string> = Failure<R> & { message: string };

export function refuse<R extends string>(reason: R, message: string, field?: string): Refusal<R> {
	return field ? { ok: false, reason, field, message } : { ok: false, reason, message };
}

/** A string as PostgreSQL keeps it: NUL and lone surrogates become U+FFFD (one code unit each). */
export function keepable(s: string): string {
	return s.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/** The first issue of a failed parse as a refusal at its field ('clauses.2.text'). */
export function invalid(issues: { path: PropertyKey[]; message: string }[]): Refusal<'invalid'> {
	const first = issues[0];
	const field = first?.path.map(String).join('.') || undefined;
	// a message of zod's own (a shape no form sends) is not for people to read
	const message =
		first && /[\u3400-\u9fff]/.test(first.message) ? first.message : '填写的内容格式不正确';
	return refuse('invalid', message, field);
}

/**
 * Staff who read the point's records read its drafts too; residents read only what was put to
 * the public (a version once opened for consultation). decision.read is held by staff alone,
 * each over their own scope, so it answers "staff over this settlement".
 */
export function readsDrafts(actor: Actor, resource: Resource): boolean {
	return can(actor, 'decision.read', resource);
}

/** A rule as a resource for `can()`; null when there is none. */
export async function ruleResource(ruleId: string, executor: Executor = db()) {
	if (!isUuid(ruleId)) return null;
	const [row] = await executor
		.select({
			ruleId: r.id,
			settlementId: r.settlementId,
			regionPath: r.regionPath,
			kind: r.kind,
			title: r.title
		})
		.from(r)
		.where(eq(r.id, ruleId));
	return row ?? null;
}

/** A version with its rule, as a resource for `can()`; null when there is none. */
export async function versionResource(versionId: string, executor: Executor = db()) {
	if (!isUuid(versionId)) return null;
	const [row] = await executor
		.select({
			versionId: v.id,
			ruleId: v.ruleId,
			settlementId: v.settlementId,
			regionPath: v.regionPath,
			versionNo: v.versionNo,
			status: v.status,
			consultationOpenedAt: v.consultationOpenedAt,
			title: r.title
		})
		.from(v)
		.innerJoin(r, eq(r.id, v.ruleId))
		.where(eq(v.id, versionId));
	return row ?? null;
}

/** The version for a change: 404 when there is none or it is out of the actor's sight, 403 unless they manage it. */
async function managedVersion(actor: Actor, versionId: string) {
	const res = await versionResource(versionId);
	requirePermission(actor, 'rule.read', res ?? {}, 'read');
	if (!res || (!res.consultationOpenedAt && !readsDrafts(actor, res))) notFound();
	requirePermission(actor, 'rule.manage', res, 'write');
	return res;
}

/** The version row, locked for the rest of the transaction. */
async function lockVersion(tx: Executor, versionId: string) {
	const [row] = await tx.select().from(v).where(eq(v.id, versionId)).for('update');
	return row;
}

/** The settlements whose records the actor holds `permission` over, for pickers and filters. */
export async function settlementsFor(actor: Actor, permission: Permission) {
	const s = schema.settlement;
	return db()
		.select({ id: s.id, name: s.name })
		.from(s)
		.where(scopeFilter(actor, permission, { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(asc(s.name))
		.limit(500);
}

/** What a day of consultation looks like to the page. */
export function consultationIsOpen(
	row: { status: VersionStatus; consultationEndsOn: string | null },
	today: string
) {
	return (
		row.status === 'consultation' && !!row.consultationEndsOn && today <= row.consultationEndsOn
	);
}

// ---------------------------------------------------------------- reading

export interface RuleListRow {
	id: string;
	title: string;
	kind: RuleKind;
	settlementId: string;
	settlementName: string;
	adopted: { versionNo: number; adoptedOn: string | null } | null;
	open: { versionNo: number; status: VersionStatus; consultationEndsOn: string | null } | null;
	versions: number;
}

/**
 * The rules the actor may read (a resident: their settlement's, with what was put to the
 * public; staff: their scope's, drafts too), by settlement and kind, at most 200.
 */
export async function listRules(
	actor: Actor,
	filter: { settlementId?: string; kind?: RuleKind | '' } = {}
): Promise<RuleListRow[]> {
	requireAnywhere(actor, 'rule.read', 'read');
	const s = schema.settlement;
	const where: SQL[] = [
		scopeFilter(actor, 'rule.read', { settlementId: r.settlementId, regionPath: r.regionPath })
	];
	if (filter.settlementId) {
		if (!isUuid(filter.settlementId)) return [];
		where.push(eq(r.settlementId, filter.settlementId));
	}
	if (filter.kind && ruleKinds.includes(filter.kind)) where.push(eq(r.kind, filter.kind));
	const rules = await db()
		.select({
			id: r.id,
			title: r.title,
			kind: r.kind,
			settlementId: r.settlementId,
			regionPath: r.regionPath,
			settlementName: s.name
		})
		.from(r)
		.innerJoin(s, eq(s.id, r.settlementId))
		.where(and(...where))
		.orderBy(asc(s.name), asc(r.kind), asc(r.createdAt))
		.limit(200);
	if (rules.length === 0) return [];
	const versions = await db()
		.select({
			ruleId: v.ruleId,
			versionNo: v.versionNo,
			status: v.status,
			consultationEndsOn: v.consultationEndsOn,
			consultationOpenedAt: v.consultationOpenedAt,
			adoptedOn: v.adoptedOn
		})
		.from(v)
		.where(
			inArray(
				v.ruleId,
				rules.map((x) => x.id)
			)
		)
		.orderBy(asc(v.versionNo));
	const out: RuleListRow[] = [];
	for (const rule of rules) {
		const staff = readsDrafts(actor, rule);
		const mine = versions.filter(
			(x) => x.ruleId === rule.id && (staff || x.consultationOpenedAt !== null)
		);
		if (mine.length === 0) continue;
		const adopted = mine.find((x) => x.status === 'adopted');
		const open = mine.find((x) => x.status === 'draft' || x.status === 'consultation');
		out.push({
			id: rule.id,
			title: rule.title,
			kind: rule.kind,
			settlementId: rule.settlementId,
			settlementName: rule.settlementName,
			adopted: adopted ? { versionNo: adopted.versionNo, adoptedOn: adopted.adoptedOn } : null,
			open: open
				? {
						versionNo: open.versionNo,
						status: open.status,
						consultationEndsOn: open.consultationEndsOn
					}
				: null,
			versions: mine.length
		});
	}
	return out;
}

export interface CommentView {
	id: string;
	clauseNo: number;
	body: string;
	/** the author's name for staff; null for residents, who read 居民 (or 我 for their own) */
	authorName: string | null;
	mine: boolean;
	reply: string | null;
	repliedAt: Date | null;
	createdAt: Date;
}

/**
 * One rule with the versions the actor may read, one version in full (the one asked for, else
 * the open draft or consultation, else the adopted, else the latest) with its comments by
 * clause, and what the actor may do. 404 when the rule or the version is out of their sight.
 */
export async function getRule(
	actor: Actor,
	ruleId: string,
	options: { versionId?: string } = {},
	now: Date = new Date()
) {
	const res = await ruleResource(ruleId);
	requirePermission(actor, 'rule.read', res ?? {}, 'read');
	if (!res) notFound();
	const staff = readsDrafts(actor, res);
	const versions = await db()
		.select()
		.from(v)
		.where(and(eq(v.ruleId, res.ruleId), staff ? undefined : isNotNull(v.consultationOpenedAt)))
		.orderBy(desc(v.versionNo));
	if (versions.length === 0) notFound();
	let current =
		versions.find((x) => x.status === 'draft' || x.status === 'consultation') ??
		versions.find((x) => x.status === 'adopted') ??
		versions[0];
	if (options.versionId) {
		const asked = versions.find((x) => x.id === options.versionId);
		if (!asked) notFound();
		current = asked;
	}
	const today = shanghaiDay(now);
	const author = schema.user;
	const comments = await db()
		.select({
			id: c.id,
			clauseNo: c.clauseNo,
			body: c.body,
			authorId: c.authorId,
			authorName: author.displayName,
			reply: c.reply,
			repliedAt: c.repliedAt,
			createdAt: c.createdAt
		})
		.from(c)
		.innerJoin(author, eq(author.id, c.authorId))
		.where(eq(c.versionId, current.id))
		.orderBy(asc(c.clauseNo), asc(c.createdAt))
		.limit(2000);
	const d = schema.decision;
	const [linked] = await db()
		.select({ id: d.id, no: d.no, stage: d.stage, status: d.status })
		.from(d)
		.where(and(eq(d.ruleVersionId, current.id), ne(d.status, 'failed')))
		.limit(1);
	const [adoptedBy] = current.adoptedByDecisionId
		? await db().select({ id: d.id, no: d.no }).from(d).where(eq(d.id, current.adoptedByDecisionId))
		: [];
	const [settlement] = await db()
		.select({ name: schema.settlement.name })
		.from(schema.settlement)
		.where(eq(schema.settlement.id, res.settlementId));
	const manage = can(actor, 'rule.manage', res);
	const readsDecisions = can(actor, 'decision.read', res);
	const hasOpen = versions.some((x) => x.status === 'draft' || x.status === 'consultation');
	return {
		id: res.ruleId,
		title: res.title,
		kind: res.kind,
		settlementId: res.settlementId,
		settlementName: settlement?.name ?? '',
		versions: versions.map((x) => ({
			id: x.id,
			versionNo: x.versionNo,
			status: x.status,
			consultationEndsOn: x.consultationEndsOn,
			adoptedOn: x.adoptedOn,
			supersededOn: x.supersededOn,
			createdAt: x.createdAt
		})),
		current: {
			id: current.id,
			versionNo: current.versionNo,
			status: current.status,
			clauses: current.clauses,
			caps: current.caps,
			pointItems: current.pointItems,
			note: current.note,
			consultationEndsOn: current.consultationEndsOn,
			consultationOpenedAt: current.consultationOpenedAt,
			adoptedOn: current.adoptedOn,
			supersededOn: current.supersededOn,
			consultationOpen: consultationIsOpen(current, today),
			updatedAt: current.updatedAt
		},
		comments: comments.map((x): CommentView => ({
			id: x.id,
			clauseNo: x.clauseNo,
			body: x.body,
			authorName: staff ? x.authorName : null,
			mine: x.authorId === actor.id,
			reply: x.reply,
			repliedAt: x.repliedAt,
			createdAt: x.createdAt
		})),
		// the live decision that will adopt this version, and the one that did
		decision:
			linked && readsDecisions
				? { id: linked.id, no: linked.no, stage: linked.stage, status: linked.status }
				: null,
		adoptedBy: adoptedBy ? { id: adoptedBy.id, no: adoptedBy.no } : null,
		can: {
			manage,
			newVersion: manage && !hasOpen,
			edit: manage && current.status === 'draft',
			openConsultation: manage && canVersionStep('openConsultation', current.status),
			withdraw: manage && canVersionStep('withdraw', current.status) && !linked,
			reply: manage,
			comment: can(actor, 'rule.comment', res) && consultationIsOpen(current, today),
			decide: can(actor, 'decision.manage', res) && current.status === 'consultation' && !linked
		}
	};
}
export type RuleDetail = Awaited<ReturnType<typeof getRule>>;

/**
 * Two versions of one rule side by side: clause by clause, and their caps and point items.
 * 404 when either is not a version of the rule the actor may read.
 */
export async function versionDiff(
	actor: Actor,
	ruleId: string,
	fromVersionId: string,
	toVersionId: string
) {
	const res = await ruleResource(ruleId);
	requirePermission(actor, 'rule.read', res ?? {}, 'read');
	if (!res || !isUuid(fromVersionId) || !isUuid(toVersionId)) notFound();
	const staff = readsDrafts(actor, res);
	const rows = await db()
		.select()
		.from(v)
		.where(
			and(
				eq(v.ruleId, res.ruleId),
				inArray(v.id, [fromVersionId, toVersionId]),
				staff ? undefined : isNotNull(v.consultationOpenedAt)
			)
		);
	const from = rows.find((x) => x.id === fromVersionId);
	const to = rows.find((x) => x.id === toVersionId);
	if (!from || !to) notFound();
	const head = (x: typeof from) => ({ id: x.id, versionNo: x.versionNo, status: x.status });
	return {
		from: head(from),
		to: head(to),
		clauses: diffClauses(from.clauses, to.clauses),
		caps: { from: from.caps, to: to.caps },
		pointItems: { from: from.pointItems, to: to.pointItems }
	};
}

/** The versions in consultation the actor could put to a decision (none yet takes them), newest first. */
export async function listVersionsToDecide(actor: Actor, settlementId?: string) {
	requireAnywhere(actor, 'decision.manage', 'write');
	const d = schema.decision;
	const s = schema.settlement;
	return db()
		.select({
			id: v.id,
			versionNo: v.versionNo,
			ruleId: r.id,
			title: r.title,
			settlementId: v.settlementId,
			settlementName: s.name,
			consultationEndsOn: v.consultationEndsOn
		})
		.from(v)
		.innerJoin(r, eq(r.id, v.ruleId))
		.innerJoin(s, eq(s.id, v.settlementId))
		.where(
			and(
				eq(v.status, 'consultation'),
				scopeFilter(actor, 'decision.manage', {
					settlementId: v.settlementId,
					regionPath: v.regionPath
				}),
				settlementId && isUuid(settlementId) ? eq(v.settlementId, settlementId) : undefined,
				sql`not exists (select 1 from ${d} where ${d.ruleVersionId} = ${v.id} and ${d.status} <> 'failed')`
			)
		)
		.orderBy(asc(s.name), desc(v.createdAt))
		.limit(200);
}

// ---------------------------------------------------------------- commands

const ruleInputSchema = clausesSchema;

/**
 * Staff of the point start a rule: the rule and its version 1, a draft (with clauses if given).
 * 404 for a settlement out of sight, 403 for one the actor does not manage; fails 'invalid'
 * at the field for a bad kind, title or clause.
 */
export async function createRule(
	actor: Actor,
	input: { settlementId: string; kind: RuleKind; title: string; clauses?: DraftInput['clauses'] }
): Promise<{ ok: true; id: string; versionId: string } | Refusal<'invalid'>> {
	const s = await settlementResource(String(input.settlementId ?? ''));
	requirePermission(actor, 'rule.read', s ?? {}, 'read');
	if (!s) notFound();
	requirePermission(actor, 'rule.manage', s, 'write');
	if (!ruleKinds.includes(input.kind)) return refuse('invalid', '请选择规约类别', 'kind');
	const title = typeof input.title === 'string' ? keepable(input.title.trim()) : '';
	if (title.length < 2 || title.length > 60)
		return refuse('invalid', '规约名称须为 2 到 60 个字', 'title');
	const clauses = ruleInputSchema.safeParse(input.clauses ?? []);
	if (!clauses.success)
		return invalid(clauses.error.issues.map((i) => ({ ...i, path: ['clauses', ...i.path] })));
	const kept = clauses.data.map((x) => ({
		...x,
		title: keepable(x.title),
		text: keepable(x.text)
	}));
	return db().transaction(async (tx) => {
		const [rule] = await tx
			.insert(r)
			.values({
				settlementId: s.settlementId,
				regionPath: s.regionPath,
				kind: input.kind,
				title,
				createdBy: actor.id
			})
			.returning({ id: r.id });
		const [version] = await tx
			.insert(v)
			.values({
				ruleId: rule.id,
				settlementId: s.settlementId,
				regionPath: s.regionPath,
				versionNo: 1,
				clauses: kept,
				createdBy: actor.id
			})
			.returning({ id: v.id });
		await audit.record(tx, {
			actor,
			action: 'rule.create',
			entity: 'rule',
			entityId: rule.id,
			scopePath: s.regionPath,
			summary: {
				settlementId: s.settlementId,
				kind: input.kind,
				title,
				versionId: version.id,
				clauses: kept.length
			}
		});
		return { ok: true, id: rule.id, versionId: version.id } as const;
	});
}

/**
 * A new draft version of a rule, a copy of its latest version (clauses, caps and point items).
 * 404/403 as for the rule; fails 'open_version' while a draft or consultation is open.
 */
export async function newVersion(
	actor: Actor,
	ruleId: string
): Promise<{ ok: true; versionId: string; versionNo: number } | Refusal<'open_version'>> {
	const res = await ruleResource(ruleId);
	requirePermission(actor, 'rule.read', res ?? {}, 'read');
	if (!res) notFound();
	requirePermission(actor, 'rule.manage', res, 'write');
	return db().transaction(async (tx) => {
		// one new version at a time per rule: the rule row is the queue
		await tx.select({ id: r.id }).from(r).where(eq(r.id, res.ruleId)).for('update');
		const [latest] = await tx
			.select()
			.from(v)
			.where(eq(v.ruleId, res.ruleId))
			.orderBy(desc(v.versionNo))
			.limit(1);
		const [open] = await tx
			.select({ versionNo: v.versionNo, status: v.status })
			.from(v)
			.where(and(eq(v.ruleId, res.ruleId), inArray(v.status, ['draft', 'consultation'])))
			.limit(1);
		if (open)
			return refuse(
				'open_version',
				`第${open.versionNo}版尚在「${versionStatusWords[open.status]}」，请先处理该版本`
			);
		const versionNo = (latest?.versionNo ?? 0) + 1;
		const [row] = await tx
			.insert(v)
			.values({
				ruleId: res.ruleId,
				settlementId: res.settlementId,
				regionPath: res.regionPath,
				versionNo,
				clauses: latest?.clauses ?? [],
				caps: latest?.caps ?? [],
				pointItems: latest?.pointItems ?? [],
				createdBy: actor.id
			})
			.returning({ id: v.id });
		await audit.record(tx, {
			actor,
			action: 'rule.version.create',
			entity: 'rule_version',
			entityId: row.id,
			scopePath: res.regionPath,
			summary: { ruleId: res.ruleId, versionNo, copiedFrom: latest?.versionNo ?? null }
		});
		return { ok: true, versionId: row.id, versionNo } as const;
	});
}

/**
 * Saves a draft's clauses, caps, point items and note. 404/403 as for the version; fails
 * 'invalid' at the field, 'not_draft' once it went to consultation or was withdrawn.
 */
export async function updateDraft(
	actor: Actor,
	versionId: string,
	input: DraftInput
): Promise<{ ok: true } | Refusal<'invalid' | 'not_draft'>> {
	const res = await managedVersion(actor, versionId);
	const parsed = draftSchema.safeParse(input);
	if (!parsed.success) return invalid(parsed.error.issues);
	const d = parsed.data;
	const clauses = d.clauses.map((x) => ({
		no: x.no,
		title: keepable(x.title),
		text: keepable(x.text)
	}));
	const pointItems = d.pointItems.map((x) => ({ ...x, label: keepable(x.label) }));
	const note = keepable(d.note);
	return db().transaction(async (tx) => {
		const row = await lockVersion(tx, res.versionId);
		if (row.status !== 'draft') return refuse('not_draft', '只有草案可以修改');
		await tx
			.update(v)
			.set({ clauses, caps: d.caps, pointItems, note, updatedAt: new Date() })
			.where(and(eq(v.id, row.id), eq(v.status, 'draft')));
		await audit.record(tx, {
			actor,
			action: 'rule.draft.update',
			entity: 'rule_version',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: {
				ruleId: row.ruleId,
				versionNo: row.versionNo,
				clauses: clauses.length,
				caps: d.caps.map((x) => `${x.key}:${x.limit}@${x.clauseNo}`),
				pointItems: pointItems.length
			}
		});
		return { ok: true } as const;
	});
}

/** The longest a consultation may run. */
export const maxConsultationDays = 180;

function addDays(day: string, n: number): string {
	const t = new Date(day + 'T00:00:00Z');
	t.setUTCDate(t.getUTCDate() + n);
	return t.toISOString().slice(0, 10);
}

/**
 * Puts a draft to public consultation until `endsOn` (tomorrow at the earliest, within 180
 * days): the settlement's residents may then comment on its clauses. 404/403 as for the
 * version; fails 'ends_on' at endsOn, 'no_clauses' for an empty draft, 'illegal_step' when it
 * is not a draft (also when two try at once: one passes).
 */
export async function openConsultation(
	actor: Actor,
	versionId: string,
	input: { endsOn: string },
	now: Date = new Date()
): Promise<{ ok: true } | Refusal<'ends_on' | 'no_clauses' | 'illegal_step'>> {
	const res = await managedVersion(actor, versionId);
	const today = shanghaiDay(now);
	const endsOn = typeof input.endsOn === 'string' ? input.endsOn.trim() : '';
	if (!/^\d{4}-\d{2}-\d{2}$/.test(endsOn) || Number.isNaN(Date.parse(endsOn + 'T00:00:00Z')))
		return refuse('ends_on', '请填写征求意见截止日期（YYYY-MM-DD）', 'endsOn');
	if (endsOn <= today) return refuse('ends_on', '截止日期须晚于今天', 'endsOn');
	if (endsOn > addDays(today, maxConsultationDays))
		return refuse('ends_on', `征求意见期最长 ${maxConsultationDays} 天`, 'endsOn');
	return db().transaction(async (tx) => {
		const row = await lockVersion(tx, res.versionId);
		if (!canVersionStep('openConsultation', row.status))
			return refuse(
				'illegal_step',
				`此版本已是「${versionStatusWords[row.status]}」，只有草案可以公开征求意见`
			);
		if (row.clauses.length === 0) return refuse('no_clauses', '草案还没有条款，请先填写条款');
		const [moved] = await tx
			.update(v)
			.set({
				status: 'consultation',
				consultationEndsOn: endsOn,
				consultationOpenedAt: now,
				updatedAt: now
			})
			.where(and(eq(v.id, row.id), eq(v.status, 'draft')))
			.returning({ id: v.id });
		if (!moved) return refuse('illegal_step', '此版本已不是草案');
		await audit.record(tx, {
			actor,
			action: 'rule.consultation.open',
			entity: 'rule_version',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: { ruleId: row.ruleId, versionNo: row.versionNo, endsOn }
		});
		return { ok: true } as const;
	});
}

/**
 * Withdraws a draft or a version in consultation. 404/403 as for the version; fails
 * 'illegal_step' for any other status, 'linked_decision' while a live decision is to adopt it.
 */
export async function withdrawVersion(
	actor: Actor,
	versionId: string
): Promise<{ ok: true } | Refusal<'illegal_step' | 'linked_decision'>> {
	const res = await managedVersion(actor, versionId);
	return db().transaction(async (tx) => {
		const row = await lockVersion(tx, res.versionId);
		if (!canVersionStep('withdraw', row.status))
			return refuse('illegal_step', `此版本已是「${versionStatusWords[row.status]}」，不能撤回`);
		const d = schema.decision;
		const [linked] = await tx
			.select({ no: d.no })
			.from(d)
			.where(and(eq(d.ruleVersionId, row.id), ne(d.status, 'failed')))
			.limit(1);
		if (linked) return refuse('linked_decision', '此版本已提交四议两公开决策，决策进行中不能撤回');
		await tx
			.update(v)
			.set({ status: 'withdrawn', updatedAt: new Date() })
			.where(and(eq(v.id, row.id), inArray(v.status, ['draft', 'consultation'])));
		await audit.record(tx, {
			actor,
			action: 'rule.version.withdraw',
			entity: 'rule_version',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: { ruleId: row.ruleId, versionNo: row.versionNo, from: row.status }
		});
		return { ok: true } as const;
	});
}

/** How many comments one person may leave on one version. */
export const maxCommentsPerVersion = 50;

/**
 * A resident of the settlement comments on one clause while the version is in consultation
 * (to its end date, inclusive). 404 for no such version, 403 for anyone else (another point's
 * resident, staff); fails 'invalid' at body, 'no_clause' at clauseNo, 'not_open' outside
 * consultation, 'closed' after the end date, 'too_many' after 50 of one's own.
 */
export async function commentOnClause(
	actor: Actor,
	versionId: string,
	input: { clauseNo: number; body: string },
	now: Date = new Date()
): Promise<
	{ ok: true; id: string } | Refusal<'invalid' | 'no_clause' | 'not_open' | 'closed' | 'too_many'>
> {
	const res = await versionResource(versionId);
	if (!res) notFound();
	requirePermission(actor, 'rule.comment', res, 'write');
	const body = typeof input.body === 'string' ? keepable(input.body.trim()) : '';
	if (body.length < 2) return refuse('invalid', '请填写您的意见（至少 2 个字）', 'body');
	if (body.length > 1000) return refuse('invalid', '意见最多 1000 个字', 'body');
	const clauseNo = Number(input.clauseNo);
	if (!Number.isSafeInteger(clauseNo) || clauseNo < 1)
		return refuse('no_clause', '请选择条款', 'clauseNo');
	const today = shanghaiDay(now);
	return db().transaction(async (tx) => {
		// shared: comments go on side by side, but not past a withdrawal or an adoption
		const [row] = await tx.select().from(v).where(eq(v.id, res.versionId)).for('share');
		if (row.status !== 'consultation')
			return refuse('not_open', '此版本不在公开征求意见期，不能提出意见', 'body');
		if (!row.consultationEndsOn || today > row.consultationEndsOn)
			return refuse('closed', `征求意见已于 ${row.consultationEndsOn ?? ''} 截止`, 'body');
		if (!row.clauses.some((x) => x.no === clauseNo))
			return refuse('no_clause', `此版本没有第${clauseNo}条`, 'clauseNo');
		const [{ n }] = await tx
			.select({ n: count() })
			.from(c)
			.where(and(eq(c.versionId, row.id), eq(c.authorId, actor.id)));
		if (Number(n) >= maxCommentsPerVersion)
			return refuse('too_many', `每人对一个版本最多提 ${maxCommentsPerVersion} 条意见`, 'body');
		const [comment] = await tx
			.insert(c)
			.values({
				versionId: row.id,
				clauseNo,
				authorId: actor.id,
				householdId: actor.householdId,
				body,
				createdAt: now
			})
			.returning({ id: c.id });
		await audit.record(tx, {
			actor,
			action: 'rule.comment',
			entity: 'rule_comment',
			entityId: comment.id,
			scopePath: row.regionPath,
			summary: { ruleId: row.ruleId, versionNo: row.versionNo, clauseNo }
		});
		await notifications.notify(tx, {
			userIds: (
				await settlementStaffIds(tx, row.settlementId, ['point_admin', 'point_chief'])
			).filter((id) => id !== actor.id),
			kind: 'rule.comment',
			title: `「${res.title}」第${clauseNo}条收到一条居民意见`,
			link: `/governance/rules/${row.ruleId}?v=${row.id}#clause-${clauseNo}`
		});
		return { ok: true, id: comment.id } as const;
	});
}

/**
 * Staff of the point answer a comment (again replaces the answer). 404 for none or out of
 * sight, 403 unless they manage the rule; fails 'invalid' at reply.
 */
export async function replyToComment(
	actor: Actor,
	commentId: string,
	input: { reply: string },
	now: Date = new Date()
): Promise<{ ok: true } | Refusal<'invalid'>> {
	const [row] = isUuid(commentId)
		? await db()
				.select({
					id: c.id,
					authorId: c.authorId,
					clauseNo: c.clauseNo,
					versionId: v.id,
					versionNo: v.versionNo,
					ruleId: v.ruleId,
					settlementId: v.settlementId,
					regionPath: v.regionPath,
					title: r.title
				})
				.from(c)
				.innerJoin(v, eq(v.id, c.versionId))
				.innerJoin(r, eq(r.id, v.ruleId))
				.where(eq(c.id, commentId))
		: [];
	requirePermission(actor, 'rule.read', row ?? {}, 'read');
	if (!row) notFound();
	requirePermission(actor, 'rule.manage', row, 'write');
	const reply = typeof input.reply === 'string' ? keepable(input.reply.trim()) : '';
	if (reply.length < 2) return refuse('invalid', '请填写答复（至少 2 个字）', 'reply');
	if (reply.length > 1000) return refuse('invalid', '答复最多 1000 个字', 'reply');
	return db().transaction(async (tx) => {
		await tx.update(c).set({ reply, repliedBy: actor.id, repliedAt: now }).where(eq(c.id, row.id));
		await audit.record(tx, {
			actor,
			action: 'rule.comment.reply',
			entity: 'rule_comment',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: { ruleId: row.ruleId, versionNo: row.versionNo, clauseNo: row.clauseNo }
		});
		await notifications.notify(tx, {
			userIds: row.authorId === actor.id ? [] : [row.authorId],
			kind: 'rule.reply',
			title: `您对「${row.title}」第${row.clauseNo}条的意见已有答复`,
			link: `/governance/rules/${row.ruleId}?v=${row.versionId}#clause-${row.clauseNo}`
		});
		return { ok: true } as const;
	});
}

/**
 * Adopts a version in consultation, inside the caller's transaction (a decision's 决议公开):
 * the rule's adopted version, if any, is superseded on the same day. Only decisions.ts calls
 * it, after its own permission check. Fails 'not_consultation' (writing nothing) when the
 * version is not in consultation.
 */
export async function adoptVersion(
	tx: Executor,
	versionId: string,
	decisionId: string,
	actor: Pick<Actor, 'id' | 'displayName'> | null,
	on: string = shanghaiDay()
): Promise<{ ok: true; supersededVersionId: string | null } | Refusal<'not_consultation'>> {
	const row = isUuid(versionId) ? await lockVersion(tx, versionId) : undefined;
	if (!row || !canVersionStep('adopt', row.status))
		return refuse(
			'not_consultation',
			row
				? `关联的规约第${row.versionNo}版已是「${versionStatusWords[row.status]}」，不能通过决议施行`
				: '关联的规约版本不存在'
		);
	// the one adopted version of the rule steps down first (a unique index allows one)
	const [superseded] = await tx
		.update(v)
		.set({ status: 'superseded', supersededOn: on, updatedAt: new Date() })
		.where(and(eq(v.ruleId, row.ruleId), eq(v.status, 'adopted')))
		.returning({ id: v.id, versionNo: v.versionNo });
	await tx
		.update(v)
		.set({
			status: 'adopted',
			adoptedByDecisionId: decisionId,
			adoptedOn: on,
			updatedAt: new Date()
		})
		.where(and(eq(v.id, row.id), eq(v.status, 'consultation')));
	await audit.record(tx, {
		actor,
		action: 'rule.adopt',
		entity: 'rule_version',
		entityId: row.id,
		scopePath: row.regionPath,
		summary: {
			ruleId: row.ruleId,
			versionNo: row.versionNo,
			decisionId,
			supersededVersionNo: superseded?.versionNo ?? null
		}
	});
	return { ok: true, supersededVersionId: superseded?.id ?? null } as const;
}

// ---------------------------------------------------------------- public (no login)

export const publicRulesPageSize = 50;

/** Adopted rules, open to all: by settlement, 50 a page; `next` says whether there is a page after. */
export async function listPublicRules(filter: { settlementId?: string; page?: number } = {}) {
	const s = schema.settlement;
	const page = Math.max(1, Math.min(10_000, Math.trunc(Number(filter.page) || 1)));
	const rows = await db()
		.select({
			ruleId: r.id,
			versionId: v.id,
			title: r.title,
			kind: r.kind,
			versionNo: v.versionNo,
			adoptedOn: v.adoptedOn,
			settlementId: s.id,
			settlementName: s.name,
			clauses: sql<number>`jsonb_array_length(${v.clauses})`.mapWith(Number)
		})
		.from(v)
		.innerJoin(r, eq(r.id, v.ruleId))
		.innerJoin(s, eq(s.id, v.settlementId))
		.where(
			and(
				eq(v.status, 'adopted'),
				filter.settlementId
					? isUuid(filter.settlementId)
						? eq(v.settlementId, filter.settlementId)
						: sql`false`
					: undefined
			)
		)
		.orderBy(asc(s.name), asc(r.kind), asc(r.createdAt), asc(v.id))
		.limit(publicRulesPageSize + 1)
		.offset((page - 1) * publicRulesPageSize);
	return {
		rows: rows.slice(0, publicRulesPageSize),
		page,
		next: rows.length > publicRulesPageSize
	};
}

/** The settlements with an adopted rule, for the public filter. */
export async function listPublicRuleSettlements() {
	const s = schema.settlement;
	return db()
		.selectDistinct({ id: s.id, name: s.name })
		.from(s)
		.innerJoin(v, and(eq(v.settlementId, s.id), eq(v.status, 'adopted')))
		.orderBy(asc(s.name))
		.limit(500);
}

/**
 * One rule as the public reads it: its adopted version in full (or an earlier adopted one,
 * now superseded, when asked), the history of adoptions, and the decision that adopted it.
 * Never a draft, a consultation or a comment. 404 when it has never been adopted.
 */
export async function getPublicRule(ruleId: string, options: { versionId?: string } = {}) {
	if (!isUuid(ruleId)) notFound();
	const s = schema.settlement;
	const [rule] = await db()
		.select({ id: r.id, title: r.title, kind: r.kind, settlementName: s.name })
		.from(r)
		.innerJoin(s, eq(s.id, r.settlementId))
		.where(eq(r.id, ruleId));
	if (!rule) notFound();
	const history = await db()
		.select({
			id: v.id,
			versionNo: v.versionNo,
			status: v.status,
			clauses: v.clauses,
			caps: v.caps,
			pointItems: v.pointItems,
			adoptedOn: v.adoptedOn,
			supersededOn: v.supersededOn,
			adoptedByDecisionId: v.adoptedByDecisionId
		})
		.from(v)
		.where(and(eq(v.ruleId, rule.id), inArray(v.status, ['adopted', 'superseded'])))
		.orderBy(desc(v.versionNo));
	if (history.length === 0) notFound();
	let shown = history.find((x) => x.status === 'adopted') ?? history[0];
	if (options.versionId) {
		const asked = history.find((x) => x.id === options.versionId);
		if (!asked) notFound();
		shown = asked;
	}
	const d = schema.decision;
	const [decision] = shown.adoptedByDecisionId
		? await db()
				.select({ id: d.id, no: d.no, title: d.title })
				.from(d)
				.where(eq(d.id, shown.adoptedByDecisionId))
		: [];
	return {
		...rule,
		version: {
			id: shown.id,
			versionNo: shown.versionNo,
			status: shown.status,
			clauses: shown.clauses,
			caps: shown.caps,
			pointItems: shown.pointItems,
			adoptedOn: shown.adoptedOn,
			supersededOn: shown.supersededOn
		},
		decision: decision ?? null,
		history: history.map((x) => ({
			id: x.id,
			versionNo: x.versionNo,
			status: x.status,
			adoptedOn: x.adoptedOn,
			supersededOn: x.supersededOn
		}))
	};
}
export type PublicRule = Awaited<ReturnType<typeof getPublicRule>>;
