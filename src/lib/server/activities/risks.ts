// 防返贫动态监测: risk flags raised on discovery (即发现即报告) by staff, by a care visit, or by
// the register itself; verified, assisted through a linked request / need / aid case, closed
// with the outcome. Each step is a conditional UPDATE; flags not verified in time are escalated.
import { and, asc, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
	canRiskStep,
	defaultReportDueDay,
	defaultVerifyWithinHours,
	nextMonth,
	registerRuleWords,
	riskCategories,
	riskCategoryWords,
	riskOutcomeWords,
	riskStatuses,
	riskStatusWords,
	type RegisterRule,
	type RiskCategory,
	type RiskLinkKind,
	type RiskOutcome,
	type RiskSource,
	type RiskStatus,
	type RiskStep
} from '$lib/activities/vocab';
import { aidCaseStatuses, type AidCaseStatus } from '$lib/charity/vocab';
import { shanghaiTime, type FlagFilter, type RaiseFlagForm } from '$lib/schemas/risks';
import { openStatuses, requestNumber } from '$lib/services/workflow';
import { shanghaiDay } from '$lib/working-days';
import {
	can,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor,
	type Resource
} from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { settlementStaffIds, storable } from '../services/shared';
import { householdResource, isUuid, notFound, rowsOf } from '../settlements/shared';

const f = schema.riskFlag;
const reporter = alias(schema.user, 'reporter');
const verifier = alias(schema.user, 'verifier');
const closer = alias(schema.user, 'closer');

/** 'FX00000012': how people quote a flag. */
export function flagNumber(no: number | bigint): string {
	return 'FX' + String(no).padStart(8, '0');
}

/** The open statuses of the things a flag may be linked to (what the pickers offer). */
const openNeedStatuses = ['pending', 'published', 'funded'] as const;
/** An aid case still in hand: not yet paid in full, rejected or reviewed afterwards. */
export const openAidCaseStatuses: readonly AidCaseStatus[] = aidCaseStatuses.filter(
	(s) => s === 'paid_first' || s === 'conference' || s === 'approved'
);

// ---------------------------------------------------------------------------------------------
// county settings

/**
 * A county's limits for the settlement at `regionPath`: hours to verify a flag, and the day of
 * the next month the zero report is due; the defaults where the county set none.
 */
export async function riskSettingFor(executor: Executor, regionPath: string) {
	const cs = schema.careSetting;
	const pick = (col: typeof cs.verifyWithinHours | typeof cs.reportDueDay) =>
		sql<
			number | null
		>`(select ${col} from ${cs} where ${regionPath} like ${cs.regionPath} || '%' and ${col} is not null order by length(${cs.regionPath}) desc limit 1)`;
	const [row] = rowsOf<{ hours: number | null; day: number | null }>(
		await executor.execute(
			sql`select ${pick(cs.verifyWithinHours)} as hours, ${pick(cs.reportDueDay)} as day`
		)
	);
	return {
		verifyWithinHours: row?.hours == null ? defaultVerifyWithinHours : Number(row.hours),
		reportDueDay: row?.day == null ? defaultReportDueDay : Number(row.day)
	};
}

// ---------------------------------------------------------------------------------------------
// resources

/** A flag as a resource for `can()`, with what the commands check; null when there is none. */
export async function flagResource(flagId: string, executor: Executor = db()) {
	if (!isUuid(flagId)) return null;
	const [row] = await executor
		.select({
			flagId: f.id,
			no: f.no,
			settlementId: f.settlementId,
			regionPath: f.regionPath,
			householdId: f.householdId,
			status: f.status,
			category: f.category
		})
		.from(f)
		.where(eq(f.id, flagId));
	return row ? { ...row, number: flagNumber(row.no) } : null;
}
export type FlagResource = NonNullable<Awaited<ReturnType<typeof flagResource>>>;

/** The scope of a flag for `can()`: its settlement, never its household (residents see no flags). */
const scopeOf = (x: { settlementId: string; regionPath: string }): Resource => ({
	settlementId: x.settlementId,
	regionPath: x.regionPath
});

/** The flag for a read: 404 when there is none or the actor may not see it. */
async function readableFlag(actor: Actor, flagId: string, executor: Executor = db()) {
	const flag = await flagResource(flagId, executor);
	requirePermission(actor, 'risk.read', flag ? scopeOf(flag) : {}, 'read');
	if (!flag) notFound();
	return flag;
}

// ---------------------------------------------------------------------------------------------
// raising

export interface FlagInput {
	householdId: string;
	residentId?: string | null;
	category: RiskCategory;
	description: string;
	foundAt: Date;
	source: Exclude<RiskSource, 'register_rule'>;
	visitId?: string | null;
	idempotencyKey?: string | null;
}

/** The point's staff who hear of a new flag: its point_admin(s) and point_chief(s). */
async function tellPoint(
	tx: Executor,
	settlementId: string,
	except: string | null,
	message: { title: string; body: string; link: string }
) {
	const staff = await settlementStaffIds(tx, settlementId, ['point_admin', 'point_chief']);
	await notifications.notify(tx, {
		userIds: staff.filter((id) => id !== except),
		kind: 'risk.reported',
		...message
	});
}

/**
 * Raises a flag inside the caller's transaction (a care visit's, or raiseFlag's own): the
 * household's scope, the county's verify limit, the point's staff told, audited. A member not of
 * that household is not kept (the flag is on the household). The same idempotency key from the
 * same person raises one flag. Fails 'household_ended' for a household that moved out; 404/403
 * outside the actor's scope.
 */
export async function raiseFlagInTx(
	tx: Executor,
	actor: Actor,
	input: FlagInput,
	now: Date = new Date()
): Promise<{ ok: true; id: string; no: number; number: string } | Failure<'household_ended'>> {
	const h = await householdResource(input.householdId, tx);
	if (h && h.status !== 'active')
		return { ok: false, reason: 'household_ended', field: 'householdId' };
	const row = await insertFlag(tx, actor, input, now);
	return { ok: true, id: row.id, no: Number(row.no), number: flagNumber(row.no) };
}

async function insertFlag(tx: Executor, actor: Actor, input: FlagInput, now: Date) {
	input = storable(input);
	const h = await householdResource(input.householdId, tx);
	requirePermission(actor, 'risk.read', h ? scopeOf(h) : {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'risk.report', scopeOf(h), 'write');
	let residentId: string | null = null;
	if (input.residentId && isUuid(input.residentId)) {
		const [m] = await tx
			.select({ id: schema.resident.id })
			.from(schema.resident)
			.where(
				and(
					eq(schema.resident.id, input.residentId),
					eq(schema.resident.householdId, h.householdId)
				)
			);
		residentId = m?.id ?? null;
	}
	const { verifyWithinHours } = await riskSettingFor(tx, h.regionPath);
	// found later than reported cannot be (the table says so too): a clock a little ahead is now
	const foundAt = input.foundAt.getTime() > now.getTime() ? now : input.foundAt;
	const [row] = await tx
		.insert(f)
		.values({
			settlementId: h.settlementId,
			regionPath: h.regionPath,
			householdId: h.householdId,
			residentId,
			category: input.category,
			description: input.description,
			source: input.source,
			visitId: input.visitId && isUuid(input.visitId) ? input.visitId : null,
			foundAt,
			reportedAt: now,
			reportedBy: actor.id,
			verifyDueAt: new Date(now.getTime() + verifyWithinHours * 3600_000),
			idempotencyKey: input.idempotencyKey || null,
			updatedAt: now
		})
		.onConflictDoNothing({
			target: [f.reportedBy, f.idempotencyKey],
			where: sql`${f.idempotencyKey} is not null`
		})
		.returning({ id: f.id, no: f.no });
	if (!row) {
		// sent before: the flag the first send raised
		const [first] = await tx
			.select({ id: f.id, no: f.no })
			.from(f)
			.where(and(eq(f.reportedBy, actor.id), eq(f.idempotencyKey, input.idempotencyKey!)));
		return { id: first.id, no: first.no, duplicate: true };
	}
	const number = flagNumber(row.no);
	await tellPoint(tx, h.settlementId, actor.id, {
		title: `新报告风险户：${riskCategoryWords[input.category]}（${number}）`,
		body: `${h.headName}户，由 ${actor.displayName} 报告，请在 ${verifyWithinHours} 小时内核实。`,
		link: `/risks/${row.id}`
	});
	await audit.record(tx, {
		actor,
		action: 'risk.report',
		entity: 'risk_flag',
		entityId: row.id,
		scopePath: h.regionPath,
		summary: { no: row.no, category: input.category, source: input.source }
	});
	return { id: row.id, no: row.no, duplicate: false };
}

/**
 * 即发现即报告: a staff member raises a flag on a household of their scope. Fails at a field
 * for a household that moved out, a member not of it, or a found-at time still to come.
 */
export async function raiseFlag(
	actor: Actor,
	input: RaiseFlagForm,
	now: Date = new Date()
): Promise<
	| { ok: true; id: string; number: string; duplicate: boolean }
	| Failure<'household_ended' | 'no_member' | 'found_later' | 'found_time'>
> {
	const h = await householdResource(input.householdId);
	requirePermission(actor, 'risk.read', h ? scopeOf(h) : {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'risk.report', scopeOf(h), 'write');
	if (h.status !== 'active') return { ok: false, reason: 'household_ended', field: 'householdId' };
	const foundAt = shanghaiTime(input.foundAt);
	if (!foundAt) return { ok: false, reason: 'found_time', field: 'foundAt' };
	// a minute's grace: the form's default is the minute it was drawn
	if (foundAt.getTime() > now.getTime() + 60_000)
		return { ok: false, reason: 'found_later', field: 'foundAt' };
	return db().transaction(async (tx) => {
		if (input.residentId) {
			const [m] = isUuid(input.residentId)
				? await tx
						.select({ id: schema.resident.id })
						.from(schema.resident)
						.where(
							and(
								eq(schema.resident.id, input.residentId),
								eq(schema.resident.householdId, h.householdId),
								eq(schema.resident.status, 'active')
							)
						)
				: [];
			if (!m) return { ok: false, reason: 'no_member', field: 'residentId' } as const;
		}
		const row = await insertFlag(
			tx,
			actor,
			{
				householdId: h.householdId,
				residentId: input.residentId || null,
				category: input.category,
				description: input.description,
				foundAt,
				source: 'discovery',
				idempotencyKey: input.idempotencyKey
			},
			now
		);
		return { ok: true, id: row.id, number: flagNumber(row.no), duplicate: row.duplicate } as const;
	});
}

const ruleCategory: Record<RegisterRule, RiskCategory> = {
	zero_employment: 'unemployment',
	no_laborer_left: 'income_drop'
};

/**
 * A register rule raises a flag by itself, in the register change's transaction: one open flag
 * per household and rule, however often the register changes (the unique index keeps it so).
 * Returns the new flag's id, or null when one is open already or the household is gone.
 */
export async function raiseRegisterFlag(
	tx: Executor,
	input: { householdId: string; rule: RegisterRule },
	now: Date = new Date()
): Promise<string | null> {
	const h = await householdResource(input.householdId, tx);
	if (!h || h.status !== 'active') return null;
	const { verifyWithinHours } = await riskSettingFor(tx, h.regionPath);
	const [row] = await tx
		.insert(f)
		.values({
			settlementId: h.settlementId,
			regionPath: h.regionPath,
			householdId: h.householdId,
			category: ruleCategory[input.rule],
			description: `${registerRuleWords[input.rule]}（由花名册变化自动发现）`,
			source: 'register_rule',
			registerRule: input.rule,
			foundAt: now,
			reportedAt: now,
			verifyDueAt: new Date(now.getTime() + verifyWithinHours * 3600_000),
			updatedAt: now
		})
		.onConflictDoNothing()
		.returning({ id: f.id, no: f.no });
	if (!row) return null;
	await tellPoint(tx, h.settlementId, null, {
		title: `花名册预警：${registerRuleWords[input.rule]}（${flagNumber(row.no)}）`,
		body: `${h.headName}户，请在 ${verifyWithinHours} 小时内核实。`,
		link: `/risks/${row.id}`
	});
	await audit.record(tx, {
		actor: null,
		action: 'risk.report',
		entity: 'risk_flag',
		entityId: row.id,
		scopePath: h.regionPath,
		summary: {
			no: row.no,
			category: ruleCategory[input.rule],
			source: 'register_rule',
			rule: input.rule
		}
	});
	return row.id;
}

/** 普通劳动力 and 技能劳动力: the labour a household lives on. */
const laborerAbilities = sql`('普通劳动力', '技能劳动力')`;

/**
 * After a member died or moved out (in the same transaction): when they were the household's
 * last labourer and the household lives on, the no_laborer_left rule raises its flag.
 */
export async function raiseIfLastLaborerLeft(
	tx: Executor,
	householdId: string,
	residentId: string,
	now: Date = new Date()
): Promise<string | null> {
	const [row] = rowsOf<{ was: boolean | null; left: boolean; active: boolean }>(
		await tx.execute(sql`select
			(select r.labor_ability in ${laborerAbilities} and r.status <> 'active' from resident r where r.id = ${residentId} and r.household_id = ${householdId}) as was,
			not exists (select 1 from resident r where r.household_id = ${householdId} and r.status = 'active' and r.labor_ability in ${laborerAbilities}) as left,
			exists (select 1 from household h where h.id = ${householdId} and h.status = 'active') as active`)
	);
	if (!row?.was || !row.left || !row.active) return null;
	return raiseRegisterFlag(tx, { householdId, rule: 'no_laborer_left' }, now);
}

// ---------------------------------------------------------------------------------------------
// reading

/** The month ('YYYY-MM') of a moment, in Beijing time. */
export function reportingMonth(at: Date = new Date()): string {
	return shanghaiDay(at).slice(0, 7);
}

/** A month's bounds ('YYYY-MM'), in Beijing time. */
export function monthBounds(month: string): { from: Date; to: Date } {
	return {
		from: new Date(`${month}-01T00:00:00+08:00`),
		to: new Date(`${nextMonth(month)}-01T00:00:00+08:00`)
	};
}

/** Reported and past its time to verify. */
const overdueSql = (now: Date) => and(eq(f.status, 'reported'), lt(f.verifyDueAt, now)) as SQL;

const pageSize = 50;

/** A page of the flags the actor may see, newest first by keyset on the flag number, with the filters. */
export async function listFlags(actor: Actor, filter: Partial<FlagFilter> = {}, now = new Date()) {
	requireAnywhere(actor, 'risk.read', 'read');
	const where: (SQL | undefined)[] = [
		scopeFilter(actor, 'risk.read', { settlementId: f.settlementId, regionPath: f.regionPath })
	];
	if (filter.status === 'open') where.push(inArray(f.status, ['reported', 'verified', 'assisted']));
	else if (filter.status) where.push(eq(f.status, filter.status));
	if (filter.category) where.push(eq(f.category, filter.category));
	if (filter.settlementId && isUuid(filter.settlementId))
		where.push(eq(f.settlementId, filter.settlementId));
	if (filter.overdue) where.push(overdueSql(now));
	if (filter.before) where.push(lt(f.no, filter.before));
	const h = schema.household;
	const rows = await db()
		.select({
			id: f.id,
			no: f.no,
			status: f.status,
			category: f.category,
			source: f.source,
			registerRule: f.registerRule,
			foundAt: f.foundAt,
			reportedAt: f.reportedAt,
			verifyDueAt: f.verifyDueAt,
			escalatedAt: f.escalatedAt,
			headName: h.headName,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room,
			settlementName: schema.settlement.name,
			reporterName: reporter.displayName
		})
		.from(f)
		.innerJoin(h, eq(h.id, f.householdId))
		.innerJoin(schema.settlement, eq(schema.settlement.id, f.settlementId))
		.leftJoin(reporter, eq(reporter.id, f.reportedBy))
		.where(and(...where))
		.orderBy(desc(f.no))
		.limit(pageSize + 1);
	const page = rows.slice(0, pageSize).map((r) => ({
		...r,
		no: Number(r.no),
		number: flagNumber(r.no),
		overdue: r.status === 'reported' && r.verifyDueAt.getTime() < now.getTime()
	}));
	return { rows: page, next: rows.length > pageSize ? page[page.length - 1].no : null };
}

/**
 * Counts over the actor's scope (one settlement, one month when asked): by category, by status,
 * and how many wait past their time to verify.
 */
export async function flagCounts(
	actor: Actor,
	q: { settlementId?: string; month?: string } = {},
	now = new Date()
) {
	requireAnywhere(actor, 'risk.read', 'read');
	const where: (SQL | undefined)[] = [
		scopeFilter(actor, 'risk.read', { settlementId: f.settlementId, regionPath: f.regionPath })
	];
	if (q.settlementId)
		where.push(isUuid(q.settlementId) ? eq(f.settlementId, q.settlementId) : sql`false`);
	if (q.month) {
		const { from, to } = monthBounds(q.month);
		if (Number.isNaN(from.getTime())) where.push(sql`false`);
		else
			where.push(
				and(
					sql`${f.reportedAt} >= ${from.toISOString()}::timestamptz`,
					sql`${f.reportedAt} < ${to.toISOString()}::timestamptz`
				)
			);
	}
	const rows = await db()
		.select({
			category: f.category,
			status: f.status,
			n: sql<number>`count(*)::int`,
			overdue: sql<number>`(count(*) filter (where ${f.status} = 'reported' and ${f.verifyDueAt} < ${now.toISOString()}::timestamptz))::int`
		})
		.from(f)
		.where(and(...where))
		.groupBy(f.category, f.status);
	const byCategory = Object.fromEntries(riskCategories.map((c) => [c, 0])) as Record<
		RiskCategory,
		number
	>;
	const byStatus = Object.fromEntries(riskStatuses.map((s) => [s, 0])) as Record<
		RiskStatus,
		number
	>;
	let overdue = 0;
	let total = 0;
	for (const r of rows) {
		byCategory[r.category] += Number(r.n);
		byStatus[r.status] += Number(r.n);
		overdue += Number(r.overdue);
		total += Number(r.n);
	}
	return {
		byCategory,
		byStatus,
		open: byStatus.reported + byStatus.verified + byStatus.assisted,
		overdue,
		total
	};
}

/** What a link points at, in words, for the flag's page. */
interface LinkTarget {
	kind: RiskLinkKind;
	id: string;
	label: string;
	status: string;
	href: string;
}

/** The household's open requests, needs and aid cases: what a flag may be linked to. */
async function linkOptions(householdId: string): Promise<Record<RiskLinkKind, LinkTarget[]>> {
	const r = schema.serviceRequest;
	const n = schema.need;
	const c = schema.aidCase;
	const [requests, needs, cases] = await Promise.all([
		db()
			.select({ id: r.id, no: r.no, status: r.status, name: schema.serviceCategory.name })
			.from(r)
			.innerJoin(schema.serviceCategory, eq(schema.serviceCategory.id, r.categoryId))
			.where(and(eq(r.householdId, householdId), inArray(r.status, [...openStatuses])))
			.orderBy(desc(r.no))
			.limit(50),
		db()
			.select({ id: n.id, no: n.no, status: n.status, title: n.title })
			.from(n)
			.where(and(eq(n.householdId, householdId), inArray(n.status, [...openNeedStatuses])))
			.orderBy(desc(n.no))
			.limit(50),
		db()
			.select({ id: c.id, no: c.no, status: c.status, summary: c.publicSummary })
			.from(c)
			.where(and(eq(c.householdId, householdId), inArray(c.status, [...openAidCaseStatuses])))
			.orderBy(desc(c.no))
			.limit(50)
	]);
	return {
		service_request: requests.map((x) => ({
			kind: 'service_request',
			id: x.id,
			label: `${requestNumber(x.no)} ${x.name}`,
			status: x.status,
			href: `/services/${x.id}`
		})),
		need: needs.map((x) => ({
			kind: 'need',
			id: x.id,
			label: `XQ${String(x.no).padStart(6, '0')} ${x.title}`,
			status: x.status,
			href: `/charity/needs/${x.id}`
		})),
		aid_case: cases.map((x) => ({
			kind: 'aid_case',
			id: x.id,
			label: `#${Number(x.no)} ${x.summary}`,
			status: x.status,
			href: `/charity/aid-cases/${x.id}`
		}))
	};
}

/** The links of a flag, with what each points at. */
async function linksOf(flagId: string) {
	const l = schema.riskFlagLink;
	const rows = await db()
		.select({
			id: l.id,
			kind: l.kind,
			targetId: l.targetId,
			createdAt: l.createdAt,
			linkedByName: schema.user.displayName,
			requestNo: schema.serviceRequest.no,
			requestStatus: schema.serviceRequest.status,
			requestName: schema.serviceCategory.name,
			needNo: schema.need.no,
			needStatus: schema.need.status,
			needTitle: schema.need.title,
			caseNo: schema.aidCase.no,
			caseStatus: schema.aidCase.status,
			caseSummary: schema.aidCase.publicSummary
		})
		.from(l)
		.innerJoin(schema.user, eq(schema.user.id, l.linkedBy))
		.leftJoin(
			schema.serviceRequest,
			and(eq(l.kind, 'service_request'), eq(schema.serviceRequest.id, l.targetId))
		)
		.leftJoin(
			schema.serviceCategory,
			eq(schema.serviceCategory.id, schema.serviceRequest.categoryId)
		)
		.leftJoin(schema.need, and(eq(l.kind, 'need'), eq(schema.need.id, l.targetId)))
		.leftJoin(schema.aidCase, and(eq(l.kind, 'aid_case'), eq(schema.aidCase.id, l.targetId)))
		.where(eq(l.flagId, flagId))
		.orderBy(asc(l.createdAt))
		.limit(100);
	return rows.map((x) => ({
		id: x.id,
		kind: x.kind,
		targetId: x.targetId,
		createdAt: x.createdAt,
		linkedByName: x.linkedByName,
		label:
			x.kind === 'service_request'
				? `${requestNumber(x.requestNo ?? 0)} ${x.requestName ?? ''}`
				: x.kind === 'need'
					? `XQ${String(x.needNo ?? 0).padStart(6, '0')} ${x.needTitle ?? ''}`
					: `#${Number(x.caseNo ?? 0)} ${x.caseSummary ?? ''}`,
		status: (x.requestStatus ?? x.needStatus ?? x.caseStatus ?? '') as string,
		href:
			x.kind === 'service_request'
				? `/services/${x.targetId}`
				: x.kind === 'need'
					? `/charity/needs/${x.targetId}`
					: `/charity/aid-cases/${x.targetId}`
	}));
}

/** What the actor may do to a flag in its state. */
function allowedOn(
	actor: Actor,
	flag: { settlementId: string; regionPath: string; status: RiskStatus }
) {
	const verify = can(actor, 'risk.verify', scopeOf(flag));
	return {
		verify: verify && canRiskStep('verify', flag.status),
		// links go on a verified flag (the first moves it to assisted) and an assisted one
		link: verify && (flag.status === 'verified' || flag.status === 'assisted'),
		close: verify && canRiskStep('close', flag.status)
	};
}

/** One flag with its household, links and timeline; 404 outside the actor's scope. */
export async function getFlag(actor: Actor, flagId: string, now = new Date()) {
	const flag = await readableFlag(actor, flagId);
	const h = schema.household;
	const [row] = await db()
		.select({
			id: f.id,
			no: f.no,
			status: f.status,
			category: f.category,
			description: f.description,
			source: f.source,
			registerRule: f.registerRule,
			visitId: f.visitId,
			foundAt: f.foundAt,
			reportedAt: f.reportedAt,
			verifyDueAt: f.verifyDueAt,
			verifiedAt: f.verifiedAt,
			verifyNote: f.verifyNote,
			assistedAt: f.assistedAt,
			closedAt: f.closedAt,
			outcome: f.outcome,
			outcomeNote: f.outcomeNote,
			escalatedAt: f.escalatedAt,
			householdId: f.householdId,
			headName: h.headName,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room,
			settlementId: f.settlementId,
			settlementName: schema.settlement.name,
			residentName: schema.resident.name,
			reporterName: reporter.displayName,
			verifierName: verifier.displayName,
			closerName: closer.displayName
		})
		.from(f)
		.innerJoin(h, eq(h.id, f.householdId))
		.innerJoin(schema.settlement, eq(schema.settlement.id, f.settlementId))
		.leftJoin(schema.resident, eq(schema.resident.id, f.residentId))
		.leftJoin(reporter, eq(reporter.id, f.reportedBy))
		.leftJoin(verifier, eq(verifier.id, f.verifiedBy))
		.leftJoin(closer, eq(closer.id, f.closedBy))
		.where(eq(f.id, flag.flagId));
	const links = await linksOf(flag.flagId);
	const allowed = allowedOn(actor, { ...flag, status: row.status });
	const linked = new Set(links.map((x) => `${x.kind}:${x.targetId}`));
	const options = allowed.link ? await linkOptions(row.householdId) : null;
	if (options)
		for (const kind of Object.keys(options) as RiskLinkKind[])
			options[kind] = options[kind].filter((o) => !linked.has(`${kind}:${o.id}`));

	// the timeline, oldest first: each step is a column of the flag, each link a row
	type Event = { at: Date; kind: string; who: string | null; note: string | null };
	const events: Event[] = [
		{ at: row.foundAt, kind: 'found', who: null, note: null },
		{
			at: row.reportedAt,
			kind: row.source === 'register_rule' ? 'rule' : 'reported',
			who: row.reporterName,
			note: row.registerRule ? registerRuleWords[row.registerRule] : null
		}
	];
	if (row.escalatedAt)
		events.push({ at: row.escalatedAt, kind: 'escalated', who: null, note: null });
	if (row.verifiedAt)
		events.push({
			at: row.verifiedAt,
			kind: 'verified',
			who: row.verifierName,
			note: row.verifyNote
		});
	for (const x of links)
		events.push({ at: x.createdAt, kind: `linked_${x.kind}`, who: x.linkedByName, note: x.label });
	if (row.closedAt)
		events.push({
			at: row.closedAt,
			kind: 'closed',
			who: row.closerName,
			note: `${row.outcome ? riskOutcomeWords[row.outcome] : ''}${row.outcomeNote ? `：${row.outcomeNote}` : ''}`
		});
	events.sort((a, b) => a.at.getTime() - b.at.getTime());
	return {
		...row,
		no: Number(row.no),
		number: flagNumber(row.no),
		unit: `${row.building}${row.unitNo}${row.room}`,
		overdue: row.status === 'reported' && row.verifyDueAt.getTime() < now.getTime(),
		links,
		events,
		options,
		can: allowed,
		// the visit that raised it, for those who may read visits there
		canReadVisit: !!row.visitId && can(actor, 'visit.read', scopeOf(flag))
	};
}
export type FlagDetail = Awaited<ReturnType<typeof getFlag>>;

// ---------------------------------------------------------------------------------------------
// the workflow

type StepFailure = Failure<'illegal_step'> & { message: string };

/** The refusal of a step the flag's state does not allow, in words for the page. */
function illegalStep(step: RiskStep | 'link', status: RiskStatus, field: string): StepFailure {
	const words: Record<RiskStep | 'link', string> = {
		verify: '核实',
		assist: '帮扶',
		close: '销号',
		link: '关联帮扶事项'
	};
	return {
		ok: false,
		reason: 'illegal_step',
		field,
		message:
			status === 'closed'
				? `该风险已销号，不能再${words[step]}`
				: step === 'link' && status === 'reported'
					? '请先核实，再关联帮扶事项'
					: `该风险当前为「${riskStatusWords[status]}」，不能${words[step]}`
	};
}

/** The flag for a step: 404 when the actor cannot see it, 403 when they may not verify. */
async function verifiableFlag(actor: Actor, flagId: string) {
	const flag = await readableFlag(actor, flagId);
	requirePermission(actor, 'risk.verify', scopeOf(flag), 'write');
	return flag;
}

/**
 * The point (point_admin, point_chief) or civil affairs verifies a reported flag with a note.
 * A conditional UPDATE: of two verifying at once, one succeeds, the other is refused.
 */
export async function verifyFlag(
	actor: Actor,
	flagId: string,
	input: { note: string },
	now: Date = new Date()
): Promise<{ ok: true } | StepFailure> {
	const flag = await verifiableFlag(actor, flagId);
	input = storable(input);
	return db().transaction(async (tx) => {
		const done = await tx
			.update(f)
			.set({
				status: 'verified',
				verifiedAt: now,
				verifiedBy: actor.id,
				verifyNote: input.note,
				updatedAt: now
			})
			.where(and(eq(f.id, flag.flagId), eq(f.status, 'reported')))
			.returning({ id: f.id });
		if (done.length === 0) {
			const [cur] = await tx.select({ status: f.status }).from(f).where(eq(f.id, flag.flagId));
			return illegalStep('verify', cur.status, 'note');
		}
		await audit.record(tx, {
			actor,
			action: 'risk.verify',
			entity: 'risk_flag',
			entityId: flag.flagId,
			scopePath: flag.regionPath,
			summary: { no: flag.no, from: 'reported', to: 'verified' }
		});
		return { ok: true } as const;
	});
}

/** The household a link target belongs to; null when there is no such thing. */
async function targetHousehold(
	tx: Executor,
	kind: RiskLinkKind,
	targetId: string
): Promise<string | null> {
	if (!isUuid(targetId)) return null;
	const table =
		kind === 'service_request'
			? schema.serviceRequest
			: kind === 'need'
				? schema.need
				: schema.aidCase;
	const [row] = await tx
		.select({ householdId: table.householdId })
		.from(table)
		.where(eq(table.id, targetId));
	return row?.householdId ?? null;
}

/**
 * Links a request, need or aid case of THAT household as the flag's assistance; the first link
 * moves a verified flag on to assisted. Refused before verification, after closing, for
 * something of another household, or twice for the same thing.
 */
export async function linkFlag(
	actor: Actor,
	flagId: string,
	input: { kind: RiskLinkKind; targetId: string },
	now: Date = new Date()
): Promise<
	{ ok: true; status: RiskStatus } | StepFailure | Failure<'no_target' | 'already_linked'>
> {
	const flag = await verifiableFlag(actor, flagId);
	return db().transaction(async (tx) => {
		const [cur] = await tx
			.select({ status: f.status })
			.from(f)
			.where(eq(f.id, flag.flagId))
			.for('update');
		if (cur.status !== 'verified' && cur.status !== 'assisted')
			return illegalStep('link', cur.status, 'targetId');
		if ((await targetHousehold(tx, input.kind, input.targetId)) !== flag.householdId)
			return { ok: false, reason: 'no_target', field: 'targetId' } as const;
		const l = schema.riskFlagLink;
		const added = await tx
			.insert(l)
			.values({
				flagId: flag.flagId,
				kind: input.kind,
				targetId: input.targetId,
				linkedBy: actor.id,
				createdAt: now
			})
			.onConflictDoNothing()
			.returning({ id: l.id });
		if (added.length === 0)
			return { ok: false, reason: 'already_linked', field: 'targetId' } as const;
		let status: RiskStatus = cur.status;
		if (cur.status === 'verified') {
			await tx
				.update(f)
				.set({ status: 'assisted', assistedAt: now, updatedAt: now })
				.where(and(eq(f.id, flag.flagId), eq(f.status, 'verified')));
			status = 'assisted';
		}
		await audit.record(tx, {
			actor,
			action: 'risk.link',
			entity: 'risk_flag',
			entityId: flag.flagId,
			scopePath: flag.regionPath,
			summary: {
				no: flag.no,
				kind: input.kind,
				targetId: input.targetId,
				from: cur.status,
				to: status
			}
		});
		return { ok: true, status } as const;
	});
}

/**
 * Closes a flag (销号) with its outcome and a note: from verified or assisted with any outcome,
 * straight from reported only as not a risk. A conditional step like the others.
 */
export async function closeFlag(
	actor: Actor,
	flagId: string,
	input: { outcome: RiskOutcome; note: string },
	now: Date = new Date()
): Promise<{ ok: true } | StepFailure | Failure<'unverified_outcome'>> {
	const flag = await verifiableFlag(actor, flagId);
	input = storable(input);
	return db().transaction(async (tx) => {
		const [cur] = await tx
			.select({ status: f.status })
			.from(f)
			.where(eq(f.id, flag.flagId))
			.for('update');
		if (!canRiskStep('close', cur.status)) return illegalStep('close', cur.status, 'outcome');
		if (cur.status === 'reported' && input.outcome !== 'not_a_risk')
			return { ok: false, reason: 'unverified_outcome', field: 'outcome' } as const;
		await tx
			.update(f)
			.set({
				status: 'closed',
				closedAt: now,
				closedBy: actor.id,
				outcome: input.outcome,
				outcomeNote: input.note,
				updatedAt: now
			})
			.where(and(eq(f.id, flag.flagId), eq(f.status, cur.status)));
		await audit.record(tx, {
			actor,
			action: 'risk.close',
			entity: 'risk_flag',
			entityId: flag.flagId,
			scopePath: flag.regionPath,
			summary: { no: flag.no, from: cur.status, to: 'closed', outcome: input.outcome }
		});
		return { ok: true } as const;
	});
}

// ---------------------------------------------------------------------------------------------
// escalation

/** The civil-affairs staff over a settlement's region (its county, or above). */
async function civilAffairsOver(tx: Executor, regionPath: string) {
	const g = schema.roleGrant;
	const rows = await tx
		.selectDistinct({ id: g.userId })
		.from(g)
		.innerJoin(schema.region, eq(schema.region.id, g.regionId))
		.innerJoin(schema.user, eq(schema.user.id, g.userId))
		.where(
			and(
				eq(g.role, 'civil_affairs'),
				isNull(g.revokedAt),
				isNull(schema.user.disabledAt),
				sql`${regionPath} like ${schema.region.path} || '%'`
			)
		);
	return rows.map((r) => r.id);
}

/**
 * The sweep: a flag still 'reported' after its time to verify is escalated once — marked, and
 * the point's 点长 and the county's civil affairs told. Safe from several processes at once
 * (rows another holds are skipped); returns how many it escalated.
 */
export async function escalateUnverified(now: Date = new Date(), batch = 200): Promise<number> {
	let total = 0;
	for (;;) {
		const done = await db().transaction(async (tx) => {
			const rows = await tx
				.select({
					id: f.id,
					no: f.no,
					settlementId: f.settlementId,
					regionPath: f.regionPath,
					category: f.category,
					verifyDueAt: f.verifyDueAt,
					headName: schema.household.headName
				})
				.from(f)
				.innerJoin(schema.household, eq(schema.household.id, f.householdId))
				.where(and(eq(f.status, 'reported'), isNull(f.escalatedAt), lt(f.verifyDueAt, now)))
				.orderBy(asc(f.verifyDueAt))
				.limit(batch)
				.for('update', { of: f, skipLocked: true });
			for (const row of rows) {
				const number = flagNumber(row.no);
				await tx
					.update(f)
					.set({ escalatedAt: now, updatedAt: now })
					.where(and(eq(f.id, row.id), isNull(f.escalatedAt)));
				const chiefs = await settlementStaffIds(tx, row.settlementId, ['point_chief']);
				await notifications.notify(tx, {
					userIds: [...chiefs, ...(await civilAffairsOver(tx, row.regionPath))],
					kind: 'risk.escalated',
					title: `风险户超时未核实：${number}`,
					body: `${row.headName}户（${riskCategoryWords[row.category]}）已超过核实时限，请督促核实。`,
					link: `/risks/${row.id}`
				});
				await audit.record(tx, {
					actor: null,
					action: 'risk.escalate',
					entity: 'risk_flag',
					entityId: row.id,
					scopePath: row.regionPath,
					summary: { no: row.no }
				});
			}
			return rows.length;
		});
		total += done;
		if (done < batch) return total;
	}
}
