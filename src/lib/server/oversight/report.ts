// 报表: a scope's figures for a month, a quarter or a year, as tables for the print page and as an
// .xlsx with one sheet per capability. Aggregates only: no name, unit, ID or phone of anyone.
import ExcelJS from 'exceljs';
import {
	activityKindWords,
	riskCategories,
	riskCategoryWords,
	riskStatuses,
	riskStatusWords,
	type ActivityKind
} from '$lib/activities/vocab';
import { m } from '$lib/paraglide/messages';
import { shanghaiDay } from '$lib/working-days';
import type { Actor } from '../access';
import {
	doneFigures,
	figuresOf,
	isMonth,
	monthOf,
	regionScope,
	breakdownOf,
	settlementScope,
	type Figures,
	type FigureScope,
	type MonthCount,
	type RegisterFigures,
	type BreakdownRow
} from './figures';

type Locale = 'zh-CN' | 'en';

// ---------------------------------------------------------------- periods

export const periods = ['month', 'quarter', 'year'] as const;
export type Period = (typeof periods)[number];

export function isPeriod(s: string | null | undefined): s is Period {
	return !!s && (periods as readonly string[]).includes(s);
}

/**
 * The months of the period that holds `month` (the month itself, its quarter or its year), oldest
 * first, leaving out any after `thisMonth` (they have not happened).
 */
export function periodMonths(period: Period, month: string, thisMonth = month): string[] {
	const [year, mo] = month.split('-').map(Number);
	const first =
		period === 'month' ? mo : period === 'quarter' ? Math.floor((mo - 1) / 3) * 3 + 1 : 1;
	const last = period === 'month' ? mo : period === 'quarter' ? first + 2 : 12;
	const out: string[] = [];
	for (let k = first; k <= last; k++) {
		const m_ = `${year}-${String(k).padStart(2, '0')}`;
		if (m_ <= thisMonth || m_ === month) out.push(m_);
	}
	return out;
}

/** 2026年5月 · 2026年第2季度 · 2026年 (or in English). */
export function periodLabel(period: Period, month: string, locale?: Locale): string {
	const [year, mo] = month.split('-');
	const o = locale ? { locale } : undefined;
	if (period === 'year') return m.report_period_year_label({ year }, o);
	if (period === 'quarter')
		return m.report_period_quarter_label(
			{ year, quarter: String(Math.floor((Number(mo) - 1) / 3) + 1) },
			o
		);
	return m.report_period_month_label({ year, month: String(Number(mo)) }, o);
}

// ---------------------------------------------------------------- the figures of a period

export interface ReportQuery {
	period?: string | null;
	month?: string | null;
	/** a region's id (a system admin's pick, like /dashboard) */
	region?: string | null;
	/** a point's id: that point's report */
	settlement?: string | null;
}

export interface ReportPack {
	scope: FigureScope;
	period: Period;
	month: string;
	months: string[];
	today: string;
	generatedAt: string;
	register: RegisterFigures;
	services: {
		filed: number;
		done: number;
		medianDaysToDone: number | null;
		ratings: number;
		averageRating: number | null;
		open: number;
		overdue: number;
	};
	activities: {
		activities: number;
		participants: number;
		byMonth: MonthCount[];
		byKind: { kind: string; activities: number; participants: number }[];
	};
	visits: {
		visits: number;
		onTime: number;
		onTimeRate: number | null;
		targets: number;
		overdueTargets: number;
	};
	risks: {
		reported: number;
		open: number;
		unverifiedOverdue: number;
		byCategoryAndStatus: { category: string; status: string; n: number }[];
	};
	charity: {
		needsPending: number;
		needsOpen: number;
		needsFunded: number;
		moneyNeededFen: number;
		moneyPledgedFen: number;
		moneyInFen: number;
		moneyOutFen: number;
	};
	points: { issued: number; deducted: number; redeemed: number };
	/** a county's points, or (above a county) its regions one level down, one row each: stocks as of
	 * now, participants and points over the period */
	rows: BreakdownRow[];
	rowsBy: 'settlement' | 'region';
}

/** The scope of a report: a point by ?settlement=, else the actor's region (or ?region=); 404 outside reach. */
export async function reportScope(actor: Actor, q: ReportQuery): Promise<FigureScope> {
	return q.settlement ? settlementScope(actor, q.settlement) : regionScope(actor, q.region);
}

/** The period and month asked for, falling back to this month's monthly report (never a 500). */
export function reportPeriod(q: ReportQuery, now: Date = new Date()) {
	const thisMonth = monthOf(shanghaiDay(now));
	const month = isMonth(q.month) && q.month <= thisMonth ? q.month : thisMonth;
	const period: Period = isPeriod(q.period) ? q.period : 'month';
	return { period, month, thisMonth };
}

const sum = <T>(list: T[], f: (x: T) => number) => list.reduce((a, x) => a + f(x), 0);

/**
 * The report pack of the scope asked for (dashboard.read over it, else 404): flows summed over the
 * period's months (each month read as the dashboard reads it), stocks (the register, open and
 * overdue requests, targets, open flags, needs) as they stand now.
 */
export async function reportPack(
	actor: Actor,
	q: ReportQuery,
	now: Date = new Date()
): Promise<ReportPack> {
	const scope = await reportScope(actor, q);
	const { period, month, thisMonth } = reportPeriod(q, now);
	const months = periodMonths(period, month, thisMonth);
	// one month after another: a year is twelve dashboards' worth of small indexed queries
	const each: Figures[] = [];
	const rowsEach: BreakdownRow[][] = [];
	let rowsBy: 'settlement' | 'region' = 'settlement';
	for (const m_ of months) {
		each.push(await figuresOf(scope, m_, now));
		if (scope.kind === 'region') {
			const breakdown = await breakdownOf(actor, scope, m_);
			rowsBy = breakdown.by;
			rowsEach.push(breakdown.rows);
		}
	}
	const last = each[each.length - 1];
	const done =
		each.length === 1
			? {
					median: last.services.medianDaysToDone,
					ratings: last.services.ratings,
					average: last.services.averageRating
				}
			: await doneFigures(scope, months);
	const visits = sum(each, (f) => f.visits.inMonth);
	const onTime = sum(each, (f) => f.visits.onTime);
	const kinds = new Map<string, { kind: string; activities: number; participants: number }>();
	for (const f of each)
		for (const k of f.activities.byKind) {
			const row = kinds.get(k.kind) ?? { kind: k.kind, activities: 0, participants: 0 };
			row.activities += k.activities;
			row.participants += k.participants;
			kinds.set(k.kind, row);
		}
	const byMonth = each.map(
		(f) =>
			f.activities.byMonth[f.activities.byMonth.length - 1] ?? {
				month: f.month,
				activities: 0,
				participants: 0
			}
	);
	const rows = (rowsEach[rowsEach.length - 1] ?? []).map((r) => {
		const same = rowsEach.map((list) => list.find((x) => x.id === r.id));
		return {
			...r,
			participants: sum(same, (x) => x?.participants ?? 0),
			pointsIssued: sum(same, (x) => x?.pointsIssued ?? 0)
		};
	});
	return {
		scope,
		period,
		month,
		months,
		today: last.today,
		generatedAt: now.toISOString(),
		register: last.register,
		services: {
			filed: sum(each, (f) => f.services.filedInMonth),
			done: sum(each, (f) => f.services.doneInMonth),
			medianDaysToDone: done.median,
			ratings: done.ratings,
			averageRating: done.average,
			open: last.services.open,
			overdue: last.services.overdue
		},
		activities: {
			activities: sum(byMonth, (r) => r.activities),
			participants: sum(byMonth, (r) => r.participants),
			byMonth,
			byKind: [...kinds.values()].sort(
				(a, b) => b.participants - a.participants || a.kind.localeCompare(b.kind)
			)
		},
		visits: {
			visits,
			onTime,
			onTimeRate: visits > 0 ? onTime / visits : null,
			targets: last.visits.targets,
			overdueTargets: last.visits.overdueTargets
		},
		risks: {
			reported: sum(each, (f) => f.risks.reportedInMonth),
			open: sum(
				last.risks.byCategoryAndStatus.filter((r) => r.status !== 'closed'),
				(r) => r.n
			),
			unverifiedOverdue: last.risks.unverifiedOverdue,
			byCategoryAndStatus: last.risks.byCategoryAndStatus
		},
		charity: {
			needsPending: last.charity.needsPending,
			needsOpen: last.charity.needsOpen,
			needsFunded: last.charity.needsFunded,
			moneyNeededFen: last.charity.moneyNeededFen,
			moneyPledgedFen: last.charity.moneyPledgedFen,
			moneyInFen: sum(each, (f) => f.charity.moneyInFen),
			moneyOutFen: sum(each, (f) => f.charity.moneyOutFen)
		},
		points: {
			issued: sum(each, (f) => f.points.issued),
			deducted: sum(each, (f) => f.points.deducted),
			redeemed: sum(each, (f) => f.points.redeemed)
		},
		rows,
		rowsBy
	};
}

// ---------------------------------------------------------------- the same figures as tables

export type Format = 'int' | 'pct' | 'yuan' | 'days' | 'rating';
/** A cell: words, or a number with how it is written (yuan cells hold fen). */
export type Cell = string | { value: number | null; format: Format };
export interface ReportTable {
	caption: string;
	head: string[];
	rows: Cell[][];
}
export const sheetKeys = [
	'overview',
	'register',
	'services',
	'activities',
	'visits',
	'risks',
	'charity',
	'points',
	'settlements'
] as const;
export type SheetKey = (typeof sheetKeys)[number];
export interface ReportSheet {
	key: SheetKey;
	name: string;
	tables: ReportTable[];
}

/** The sheets' names in the workbook (always Chinese, as the county files them). */
export const sheetNames: Record<SheetKey, string> = {
	overview: '概况',
	register: '户籍与就业',
	services: '办事服务',
	activities: '活动',
	visits: '关爱巡访',
	risks: '监测预警',
	charity: '慈善帮扶',
	points: '积分',
	settlements: '各安置点'
};

const int = (value: number): Cell => ({ value, format: 'int' });
const pct = (value: number | null): Cell => ({ value, format: 'pct' });
const yuan = (value: number): Cell => ({ value, format: 'yuan' });

/** The pack as sheets of tables, in the locale's words: what the page shows and the workbook holds. */
export function reportSheets(pack: ReportPack, locale?: Locale): ReportSheet[] {
	const o = locale ? { locale } : undefined;
	const flow = m.report_basis_flow({}, o);
	const stock = m.report_basis_stock({}, o);
	const head = [m.report_col_item({}, o), m.report_col_value({}, o), m.report_col_basis({}, o)];
	const name = (key: SheetKey) =>
		locale === 'zh-CN' ? sheetNames[key] : m[`report_sheet_${key}`]({}, o);
	const list = (caption: string, rows: [string, Cell, string][]): ReportTable => ({
		caption,
		head,
		rows
	});
	const reg = pack.register;
	const s = pack.services;
	const label = periodLabel(pack.period, pack.month, locale);
	const sheets: ReportSheet[] = [
		{
			key: 'overview',
			name: name('overview'),
			tables: [
				{
					caption: m.report_about({}, o),
					head: [m.report_col_item({}, o), m.report_col_value({}, o)],
					rows: [
						[m.report_meta_scope({}, o), pack.scope.name],
						[m.report_meta_period({}, o), label],
						[
							m.report_meta_months({}, o),
							pack.months.length === 1
								? pack.months[0]
								: `${pack.months[0]} — ${pack.months[pack.months.length - 1]}`
						],
						[m.report_meta_today({}, o), pack.today],
						[m.report_meta_note({}, o), m.report_note_basis({}, o)],
						[m.report_meta_privacy({}, o), m.report_note_private({}, o)]
					]
				},
				list(m.report_key_figures({}, o), [
					[m.report_households({}, o), int(reg.households), stock],
					[m.report_people({}, o), int(reg.people), stock],
					[m.report_employment_rate({}, o), pct(reg.employmentRate), stock],
					[m.report_zero_employment({}, o), int(reg.zeroEmploymentHouseholds), stock],
					[m.report_requests_filed({}, o), int(s.filed), flow],
					[m.report_requests_done({}, o), int(s.done), flow],
					[m.report_activities({}, o), int(pack.activities.activities), flow],
					[m.report_participants({}, o), int(pack.activities.participants), flow],
					[m.report_visits({}, o), int(pack.visits.visits), flow],
					[m.report_flags_reported({}, o), int(pack.risks.reported), flow],
					[m.report_money_in({}, o), yuan(pack.charity.moneyInFen), flow],
					[m.report_money_out({}, o), yuan(pack.charity.moneyOutFen), flow],
					[m.report_points_issued({}, o), int(pack.points.issued), flow],
					[m.report_points_redeemed({}, o), int(pack.points.redeemed), flow]
				])
			]
		},
		{
			key: 'register',
			name: name('register'),
			tables: [
				list(m.report_register_caption({ today: pack.today }, o), [
					...(pack.scope.kind === 'region'
						? ([[m.report_settlements({}, o), int(reg.settlements), stock]] as [
								string,
								Cell,
								string
							][])
						: []),
					[m.report_households({}, o), int(reg.households), stock],
					[m.report_people({}, o), int(reg.people), stock],
					[m.report_laborers({}, o), int(reg.laborers), stock],
					[m.report_employed({}, o), int(reg.employedLaborers), stock],
					[m.report_employment_rate({}, o), pct(reg.employmentRate), stock],
					[m.report_labor_households({}, o), int(reg.laborHouseholds), stock],
					[m.report_labor_households_employed({}, o), int(reg.laborHouseholdsEmployed), stock],
					[
						m.report_labor_goal({}, o),
						pct(reg.laborHouseholds > 0 ? reg.laborHouseholdsEmployed / reg.laborHouseholds : null),
						stock
					],
					[m.report_zero_employment({}, o), int(reg.zeroEmploymentHouseholds), stock],
					[m.report_elderly({}, o), int(reg.elderly), stock],
					[m.report_children({}, o), int(reg.children), stock]
				])
			]
		},
		{
			key: 'services',
			name: name('services'),
			tables: [
				list(m.report_services_caption({ period: label }, o), [
					[m.report_requests_filed({}, o), int(s.filed), flow],
					[m.report_requests_done({}, o), int(s.done), flow],
					[m.report_median_days({}, o), { value: s.medianDaysToDone, format: 'days' }, flow],
					[m.report_ratings({}, o), int(s.ratings), flow],
					[m.report_average_rating({}, o), { value: s.averageRating, format: 'rating' }, flow],
					[m.report_requests_open({}, o), int(s.open), stock],
					[m.report_requests_overdue({}, o), int(s.overdue), stock]
				])
			]
		},
		{
			key: 'activities',
			name: name('activities'),
			tables: [
				list(m.report_activities_caption({ period: label }, o), [
					[m.report_activities({}, o), int(pack.activities.activities), flow],
					[m.report_participants({}, o), int(pack.activities.participants), flow]
				]),
				{
					caption: m.report_by_month({}, o),
					head: [
						m.report_col_month({}, o),
						m.report_activities({}, o),
						m.report_participants({}, o)
					],
					rows: pack.activities.byMonth.map((r) => [
						r.month,
						int(r.activities),
						int(r.participants)
					])
				},
				{
					caption: m.report_by_kind({}, o),
					head: [
						m.report_col_kind({}, o),
						m.report_activities({}, o),
						m.report_participants({}, o)
					],
					rows: pack.activities.byKind.map((r) => [
						activityKindWords[r.kind as ActivityKind] ?? r.kind,
						int(r.activities),
						int(r.participants)
					])
				}
			]
		},
		{
			key: 'visits',
			name: name('visits'),
			tables: [
				list(m.report_visits_caption({ period: label }, o), [
					[m.report_visits({}, o), int(pack.visits.visits), flow],
					[m.report_visits_on_time({}, o), int(pack.visits.onTime), flow],
					[m.report_on_time_rate({}, o), pct(pack.visits.onTimeRate), flow],
					[m.report_targets({}, o), int(pack.visits.targets), stock],
					[m.report_targets_overdue({}, o), int(pack.visits.overdueTargets), stock]
				])
			]
		},
		{
			key: 'risks',
			name: name('risks'),
			tables: [
				list(m.report_risks_caption({ period: label }, o), [
					[m.report_flags_reported({}, o), int(pack.risks.reported), flow],
					[m.report_flags_open({}, o), int(pack.risks.open), stock],
					[m.report_flags_late({}, o), int(pack.risks.unverifiedOverdue), stock]
				]),
				{
					caption: m.report_flags_by_stage({}, o),
					head: [
						m.report_col_category({}, o),
						...riskStatuses.map((st) => riskStatusWords[st]),
						m.report_col_total({}, o)
					],
					rows: riskCategories
						.map((c) => {
							const of = pack.risks.byCategoryAndStatus.filter((r) => r.category === c);
							return [
								riskCategoryWords[c],
								...riskStatuses.map((st) =>
									int(
										sum(
											of.filter((r) => r.status === st),
											(r) => r.n
										)
									)
								),
								int(sum(of, (r) => r.n))
							] as Cell[];
						})
						.filter((row) => (row[row.length - 1] as { value: number }).value > 0)
				}
			]
		},
		{
			key: 'charity',
			name: name('charity'),
			tables: [
				list(m.report_charity_caption({ period: label }, o), [
					[m.report_needs_pending({}, o), int(pack.charity.needsPending), stock],
					[m.report_needs_open({}, o), int(pack.charity.needsOpen), stock],
					[m.report_needs_funded({}, o), int(pack.charity.needsFunded), stock],
					[m.report_money_needed({}, o), yuan(pack.charity.moneyNeededFen), stock],
					[m.report_money_pledged({}, o), yuan(pack.charity.moneyPledgedFen), stock],
					[m.report_money_in({}, o), yuan(pack.charity.moneyInFen), flow],
					[m.report_money_out({}, o), yuan(pack.charity.moneyOutFen), flow]
				])
			]
		},
		{
			key: 'points',
			name: name('points'),
			tables: [
				list(m.report_points_caption({ period: label }, o), [
					[m.report_points_issued({}, o), int(pack.points.issued), flow],
					[m.report_points_deducted({}, o), int(pack.points.deducted), flow],
					[m.report_points_redeemed({}, o), int(pack.points.redeemed), flow]
				])
			]
		}
	];
	if (pack.scope.kind === 'region')
		sheets.push({
			key: 'settlements',
			name: pack.rowsBy === 'region' ? m.report_sheet_regions({}, o) : name('settlements'),
			tables: [
				{
					caption:
						pack.rowsBy === 'region'
							? m.report_regions_caption({ period: label }, o)
							: m.report_settlements_caption({ period: label }, o),
					head: [
						pack.rowsBy === 'region' ? m.report_col_region({}, o) : m.report_col_settlement({}, o),
						m.report_households({}, o),
						m.report_people({}, o),
						m.report_laborers({}, o),
						m.report_employed({}, o),
						m.report_employment_rate({}, o),
						m.report_zero_employment({}, o),
						m.report_elderly({}, o),
						m.report_children({}, o),
						m.report_requests_open({}, o),
						m.report_flags_open({}, o),
						m.report_participants({}, o),
						m.report_points_issued({}, o)
					],
					rows: pack.rows.map((r) => [
						r.name,
						int(r.households),
						int(r.people),
						int(r.laborers),
						int(r.employedLaborers),
						pct(r.employmentRate),
						int(r.zeroEmploymentHouseholds),
						int(r.elderly),
						int(r.children),
						int(r.openRequests),
						int(r.openFlags),
						int(r.participants),
						int(r.pointsIssued)
					])
				}
			]
		});
	return sheets;
}

// ---------------------------------------------------------------- the workbook

const numberFormats: Record<Format, string> = {
	int: '#,##0',
	pct: '0.0%',
	yuan: '#,##0.00',
	days: '0.0',
	rating: '0.0'
};

const headerFill: ExcelJS.Fill = {
	type: 'pattern',
	pattern: 'solid',
	fgColor: { argb: 'FFE8EEF5' }
};

/** The report as .xlsx: one sheet per capability (and one of the points for a region). */
export async function reportWorkbook(pack: ReportPack): Promise<Buffer> {
	const workbook = new ExcelJS.Workbook();
	workbook.creator = '安居';
	workbook.created = new Date(pack.generatedAt);
	const title = `${pack.scope.name} · ${periodLabel(pack.period, pack.month, 'zh-CN')}`;
	for (const s of reportSheets(pack, 'zh-CN')) {
		const sheet = workbook.addWorksheet(s.name, {
			views: [{ state: 'frozen', ySplit: 2 }],
			pageSetup: { paperSize: 9, orientation: s.key === 'settlements' ? 'landscape' : 'portrait' }
		});
		const widest = Math.max(...s.tables.map((t) => t.head.length));
		sheet.columns = Array.from({ length: widest }, (_, i) => ({
			width: i === 0 ? 30 : s.key === 'settlements' ? 12 : i === 2 ? 14 : 18
		}));
		const top = sheet.addRow([`${title} · ${s.name}`]);
		top.font = { bold: true, size: 14 };
		sheet.addRow([`生成日期：${pack.today}`]).font = { color: { argb: 'FF555555' } };
		for (const t of s.tables) {
			sheet.addRow([]);
			sheet.addRow([t.caption]).font = { bold: true };
			const h = sheet.addRow(t.head);
			h.eachCell((cell) => {
				cell.font = { bold: true };
				cell.fill = headerFill;
				cell.border = { bottom: { style: 'thin' } };
			});
			if (t.rows.length === 0) sheet.addRow(['（无）']);
			for (const r of t.rows) {
				const row = sheet.addRow(
					r.map((c) =>
						typeof c === 'string'
							? c
							: c.value === null
								? '—'
								: c.format === 'yuan'
									? c.value / 100
									: c.value
					)
				);
				r.forEach((c, i) => {
					if (typeof c === 'string' || c.value === null) return;
					row.getCell(i + 1).numFmt = numberFormats[c.format];
				});
			}
		}
	}
	return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The download's name: 某县2026年第2季度报表.xlsx, and a plain ASCII one for old clients. */
export function reportFileName(pack: ReportPack): { fileName: string; asciiFileName: string } {
	const name = pack.scope.name.replace(/[\\/:*?"<>|\s]+/g, '');
	return {
		fileName: `${name}${periodLabel(pack.period, pack.month, 'zh-CN')}报表.xlsx`,
		asciiFileName: `anju-report-${pack.period}-${pack.month}.xlsx`
	};
}
