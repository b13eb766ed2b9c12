// The care-visit scheduler (关爱巡访), pure: intervals per group, due days, overdue and due-soon
// buckets, whether a visit was on time. The server keeps care_target.nextDueOn with these.
import { addDays, careGroups, defaultIntervalDays, nextDueOn, type CareGroup } from './vocab';

/** The care_setting column that holds a county's own interval for each group. */
export const settingColumn = {
	living_alone_elderly: 'livingAloneElderlyDays',
	severe_disability: 'severeDisabilityDays',
	left_behind_child: 'leftBehindChildDays',
	child_in_difficulty: 'childInDifficultyDays',
	extreme_poverty: 'extremePovertyDays'
} as const satisfies Record<CareGroup, string>;
export type SettingColumn = (typeof settingColumn)[CareGroup];

/** A county's own intervals, as care_setting stores them (null: the default). */
export type CountyIntervals = Partial<Record<SettingColumn, number | null>>;

/** The interval bounds the database checks (care_target_interval). */
export const minIntervalDays = 1;
export const maxIntervalDays = 366;

/** Days between visits for a group: the county's own when it set one, else the default. */
export function intervalFor(group: CareGroup, county?: CountyIntervals | null): number {
	const own = county?.[settingColumn[group]];
	return typeof own === 'number' &&
		Number.isInteger(own) &&
		own >= minIntervalDays &&
		own <= maxIntervalDays
		? own
		: defaultIntervalDays[group];
}

/** Every group's interval for a county, for a form's hints. */
export function intervalsFor(county?: CountyIntervals | null): Record<CareGroup, number> {
	return Object.fromEntries(careGroups.map((g) => [g, intervalFor(g, county)])) as Record<
		CareGroup,
		number
	>;
}

/** Whole calendar days from `a` to `b` (YYYY-MM-DD), negative when b is before a. */
export function daysBetween(a: string, b: string): number {
	return Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / 86_400_000);
}

/** How far ahead a schedule looks: due within this many days is "due this week". */
export const soonDays = 7;

export const dueBuckets = ['overdue', 'today', 'week', 'later'] as const;
export type DueBucket = (typeof dueBuckets)[number];

/** Where a due day stands on `today`: past, today, within 7 days, or later. */
export function dueBucket(due: string, today: string): DueBucket {
	if (due < today) return 'overdue';
	if (due === today) return 'today';
	if (due <= addDays(today, soonDays)) return 'week';
	return 'later';
}

/** Days a target is overdue on `today`; 0 when it is not. */
export function daysOverdue(due: string, today: string): number {
	return Math.max(0, daysBetween(due, today));
}

/** A visit is on time when it is on or before the day the target was due. */
export function isOnTime(visitedOn: string, dueBefore: string): boolean {
	return visitedOn <= dueBefore;
}

export interface TargetClock {
	since: string;
	lastVisitedOn: string | null;
	intervalDays: number;
	nextDueOn: string;
}

/**
 * What a visit on `visitedOn` does to a target: its last visit (the later of the old one and
 * this one, so a late-entered earlier visit moves nothing back) and its next due day, and
 * whether the visit was on time (by the due day before it).
 */
export function afterVisit(
	target: TargetClock,
	visitedOn: string
): { lastVisitedOn: string; nextDueOn: string; onTime: boolean } {
	const last =
		target.lastVisitedOn && target.lastVisitedOn > visitedOn ? target.lastVisitedOn : visitedOn;
	return {
		lastVisitedOn: last,
		nextDueOn: nextDueOn(target.since, last, target.intervalDays),
		onTime: isOnTime(visitedOn, target.nextDueOn)
	};
}

/** The share of on-time visits as a whole percentage; null when there were none. */
export function onTimeRate(onTime: number, total: number): number | null {
	if (!(total > 0)) return null;
	return Math.round((100 * Math.min(Math.max(onTime, 0), total)) / total);
}

/** The first and the day after the last day of a month 'YYYY-MM': [from, to). */
export function monthRange(month: string): { from: string; to: string } {
	const [y, m] = month.split('-').map(Number);
	const to = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
	return { from: `${month}-01`, to };
}
