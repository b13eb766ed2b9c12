// 零报告: each settlement's monthly report on its risk flags — the month's flags, or an explicit
// "本月未发现风险户" — due on a day of the next month the county sets; the county sees who has not.
// Also the county's own limits (hours to verify a flag, the report's due day).
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { reportDueOn } from '$lib/activities/vocab';
import type { ReportForm, RiskSettingForm } from '$lib/schemas/risks';
import { shanghaiDay } from '$lib/working-days';
import {
	can,
	canAnywhere,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor
} from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import { storable } from '../services/shared';
import { isUuid, notFound, settlementResource } from '../settlements/shared';
import { flagNumber, monthBounds, reportingMonth, riskSettingFor } from './risks';

const f = schema.riskFlag;
const mr = schema.monthlyReport;

const isMonth = (month: string) => /^(20\d{2})-(0[1-9]|1[0-2])$/.test(month);

/** The flags a settlement reported in a month (what its report lists). */
async function flagsOfMonth(executor: Executor, settlementId: string, month: string) {
	const { from, to } = monthBounds(month);
	const h = schema.household;
	const rows = await executor
		.select({
			id: f.id,
			no: f.no,
			category: f.category,
			status: f.status,
			source: f.source,
			reportedAt: f.reportedAt,
			headName: h.headName,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room
		})
		.from(f)
		.innerJoin(h, eq(h.id, f.householdId))
		.where(and(eq(f.settlementId, settlementId), gte(f.reportedAt, from), lt(f.reportedAt, to)))
		.orderBy(asc(f.no))
		.limit(1000);
	return rows.map((r) => ({ ...r, no: Number(r.no), number: flagNumber(r.no) }));
}

async function countOfMonth(executor: Executor, settlementId: string, month: string) {
	const { from, to } = monthBounds(month);
	const [row] = await executor
		.select({ n: sql<number>`count(*)::int` })
		.from(f)
		.where(and(eq(f.settlementId, settlementId), gte(f.reportedAt, from), lt(f.reportedAt, to)));
	return Number(row.n);
}

/**
 * A settlement's report for a month: the month's flags, the report if submitted (on time or
 * late), its due day, and whether the actor may submit it now. 404 outside the actor's scope.
 */
export async function monthReport(
	actor: Actor,
	q: { settlementId: string; month: string },
	now: Date = new Date()
) {
	const s = await settlementResource(q.settlementId);
	requirePermission(actor, 'report.read', s ?? {}, 'read');
	if (!s || !isMonth(q.month)) notFound();
	const { reportDueDay } = await riskSettingFor(db(), s.regionPath);
	const dueOn = reportDueOn(q.month, reportDueDay);
	const [flags, [report]] = await Promise.all([
		flagsOfMonth(db(), s.settlementId, q.month),
		db()
			.select({
				id: mr.id,
				nothingFound: mr.nothingFound,
				flagCount: mr.flagCount,
				note: mr.note,
				dueOn: mr.dueOn,
				late: mr.late,
				submittedByName: mr.submittedByName,
				submittedAt: mr.submittedAt
			})
			.from(mr)
			.where(and(eq(mr.settlementId, s.settlementId), eq(mr.month, q.month)))
	]);
	const today = shanghaiDay(now);
	const current = reportingMonth(now);
	return {
		settlement: { id: s.settlementId, name: s.name },
		month: q.month,
		dueOn,
		flags,
		report: report ?? null,
		overdue: !report && today > dueOn,
		canSubmit:
			!report &&
			q.month <= current &&
			can(actor, 'report.submit', { settlementId: s.settlementId, regionPath: s.regionPath })
	};
}

/**
 * The point (point_admin, point_chief) submits a month's report once: the month's flags, or an
 * explicit nothing found — refused while the month has flags, and required when it has none.
 * Late when submitted after the due day (Beijing calendar). Not for a month still to come.
 */
export async function submitReport(
	actor: Actor,
	input: ReportForm,
	now: Date = new Date()
): Promise<
	| { ok: true; id: string; late: boolean; flagCount: number }
	| Failure<'future_month' | 'has_flags' | 'nothing_to_report' | 'already_submitted'>
> {
	const s = await settlementResource(input.settlementId);
	requirePermission(actor, 'report.read', s ?? {}, 'read');
	if (!s) notFound();
	requirePermission(actor, 'report.submit', s, 'write');
	if (!isMonth(input.month) || input.month > reportingMonth(now))
		return { ok: false, reason: 'future_month', field: 'month' };
	input = storable(input);
	const { reportDueDay } = await riskSettingFor(db(), s.regionPath);
	const dueOn = reportDueOn(input.month, reportDueDay);
	const late = shanghaiDay(now) > dueOn;
	return db().transaction(async (tx) => {
		const flagCount = await countOfMonth(tx, s.settlementId, input.month);
		if (input.nothingFound && flagCount > 0)
			return { ok: false, reason: 'has_flags', field: 'nothingFound' } as const;
		if (!input.nothingFound && flagCount === 0)
			return { ok: false, reason: 'nothing_to_report', field: 'nothingFound' } as const;
		const [row] = await tx
			.insert(mr)
			.values({
				settlementId: s.settlementId,
				regionPath: s.regionPath,
				month: input.month,
				nothingFound: input.nothingFound,
				flagCount,
				note: input.note,
				dueOn,
				late,
				submittedBy: actor.id,
				submittedByName: actor.displayName,
				submittedAt: now
			})
			.onConflictDoNothing({ target: [mr.settlementId, mr.month] })
			.returning({ id: mr.id });
		if (!row) return { ok: false, reason: 'already_submitted', field: 'month' } as const;
		await audit.record(tx, {
			actor,
			action: 'risk.report.submit',
			entity: 'monthly_report',
			entityId: row.id,
			scopePath: s.regionPath,
			summary: {
				settlementId: s.settlementId,
				month: input.month,
				nothingFound: input.nothingFound,
				flagCount,
				late
			}
		});
		return { ok: true, id: row.id, late, flagCount } as const;
	});
}

export type ReportState = 'on_time' | 'late' | 'missing' | 'not_yet_due';

/**
 * For the county: every settlement in the actor's scope for a month — submitted on time, late,
 * missing (past the due day with nothing in), or not yet due — with the month's flag count.
 */
export async function reportStatus(actor: Actor, q: { month: string }, now: Date = new Date()) {
	requireAnywhere(actor, 'report.read', 'read');
	if (!isMonth(q.month)) return [];
	const s = schema.settlement;
	const cs = schema.careSetting;
	const { from, to } = monthBounds(q.month);
	const rows = await db()
		.select({
			settlementId: s.id,
			name: s.name,
			regionPath: s.regionPath,
			dueDay: sql<
				number | null
			>`(select ${cs.reportDueDay} from ${cs} where ${s.regionPath} like ${cs.regionPath} || '%' and ${cs.reportDueDay} is not null order by length(${cs.regionPath}) desc limit 1)`,
			reportId: mr.id,
			nothingFound: mr.nothingFound,
			reportedFlags: mr.flagCount,
			late: mr.late,
			submittedAt: mr.submittedAt,
			submittedByName: mr.submittedByName,
			flags: sql<number>`(select count(*)::int from ${f} where ${f.settlementId} = ${s.id} and ${f.reportedAt} >= ${from.toISOString()}::timestamptz and ${f.reportedAt} < ${to.toISOString()}::timestamptz)`
		})
		.from(s)
		.leftJoin(mr, and(eq(mr.settlementId, s.id), eq(mr.month, q.month)))
		.where(scopeFilter(actor, 'report.read', { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(asc(s.name), asc(s.id))
		.limit(2000);
	const today = shanghaiDay(now);
	return rows.map((r) => {
		const dueOn = reportDueOn(q.month, r.dueDay == null ? undefined : Number(r.dueDay));
		const state: ReportState = r.reportId
			? r.late
				? 'late'
				: 'on_time'
			: today > dueOn
				? 'missing'
				: 'not_yet_due';
		return {
			settlementId: r.settlementId,
			name: r.name,
			dueOn,
			state,
			flags: Number(r.flags),
			nothingFound: r.nothingFound,
			submittedAt: r.submittedAt,
			submittedByName: r.submittedByName
		};
	});
}

/** The settlements whose reports (and flags) the actor may read, by name. */
export async function listReportSettlements(actor: Actor) {
	const s = schema.settlement;
	return db()
		.select({ id: s.id, name: s.name, regionPath: s.regionPath })
		.from(s)
		.where(scopeFilter(actor, 'report.read', { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(asc(s.name))
		.limit(1000);
}

/** A settlement's last reports, newest first. */
export async function listReports(actor: Actor, settlementId: string) {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'report.read', s ?? {}, 'read');
	if (!s) notFound();
	return db()
		.select({
			month: mr.month,
			nothingFound: mr.nothingFound,
			flagCount: mr.flagCount,
			late: mr.late,
			dueOn: mr.dueOn,
			submittedAt: mr.submittedAt,
			submittedByName: mr.submittedByName
		})
		.from(mr)
		.where(eq(mr.settlementId, s.settlementId))
		.orderBy(desc(mr.month))
		.limit(24);
}

// ---------------------------------------------------------------------------------------------
// the county's limits

/** The counties whose limits the actor may set, with their current values. */
export async function listRiskSettings(actor: Actor) {
	if (!canAnywhere(actor, 'risk.settings')) return [];
	const r = schema.region;
	const cs = schema.careSetting;
	const rows = await db()
		.select({
			regionId: r.id,
			name: r.name,
			verifyWithinHours: cs.verifyWithinHours,
			reportDueDay: cs.reportDueDay
		})
		.from(r)
		.leftJoin(cs, eq(cs.regionId, r.id))
		.where(and(eq(r.level, 'county'), scopeFilter(actor, 'risk.settings', { regionPath: r.path })))
		.orderBy(asc(r.name))
		.limit(200);
	return rows;
}

/** Civil affairs sets its county's hours to verify a flag and the zero report's due day (audited). */
export async function saveRiskSetting(
	actor: Actor,
	input: RiskSettingForm
): Promise<{ ok: true } | Failure<'not_county'>> {
	const r = schema.region;
	const [county] = isUuid(input.regionId)
		? await db()
				.select({ id: r.id, path: r.path, level: r.level })
				.from(r)
				.where(eq(r.id, input.regionId))
		: [];
	requirePermission(actor, 'risk.settings', county ? { regionPath: county.path } : {}, 'write');
	if (!county) notFound();
	if (county.level !== 'county') return { ok: false, reason: 'not_county', field: 'regionId' };
	const cs = schema.careSetting;
	return db().transaction(async (tx) => {
		const now = new Date();
		await tx
			.insert(cs)
			.values({
				regionId: county.id,
				regionPath: county.path,
				verifyWithinHours: input.verifyWithinHours,
				reportDueDay: input.reportDueDay,
				updatedAt: now
			})
			.onConflictDoUpdate({
				target: cs.regionId,
				// only these two: the visit intervals on the same row are the visits' own
				set: {
					verifyWithinHours: input.verifyWithinHours,
					reportDueDay: input.reportDueDay,
					updatedAt: now
				}
			});
		await audit.record(tx, {
			actor,
			action: 'risk.settings',
			entity: 'care_setting',
			entityId: county.id,
			scopePath: county.path,
			summary: { verifyWithinHours: input.verifyWithinHours, reportDueDay: input.reportDueDay }
		});
		return { ok: true } as const;
	});
}
