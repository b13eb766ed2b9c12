// Working days under the Chinese public-holiday calendar, for "N working days" time limits.
// Days are 'YYYY-MM-DD' strings; arithmetic runs on UTC day numbers so the host zone never shifts
// a date.
import { calendars } from './calendar';

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** days since 1970-01-01 of a 'YYYY-MM-DD' string; throws RangeError on anything else */
function toDayNumber(day: string): number {
	const match = DAY_PATTERN.exec(day);
	if (match) {
		const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
		const ms = Date.UTC(year, month - 1, date);
		// Date.UTC rolls 02-30 over to March: a round trip catches impossible dates
		const back = new Date(ms);
		if (back.getUTCFullYear() === year && back.getUTCMonth() === month - 1) return ms / DAY_MS;
	}
	throw new RangeError(`not a 'YYYY-MM-DD' date: ${day}`);
}

function fromDayNumber(dayNumber: number): string {
	return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

const holidayByDay = new Map<number, string>();
const workdaySet = new Set<number>();
const coveredYears = new Set<number>();

for (const calendar of calendars) {
	coveredYears.add(calendar.year);
	for (const holiday of calendar.holidays) {
		for (let d = toDayNumber(holiday.from); d <= toDayNumber(holiday.to); d++) {
			holidayByDay.set(d, holiday.name);
		}
	}
	for (const workday of calendar.workdays) workdaySet.add(toDayNumber(workday));
}

function isWorkingDayNumber(dayNumber: number): boolean {
	if (holidayByDay.has(dayNumber)) return false;
	if (workdaySet.has(dayNumber)) return true;
	// 1970-01-01 was a Thursday (4); 0 is Sunday, 6 Saturday
	const weekday = (((dayNumber + 4) % 7) + 7) % 7;
	return weekday !== 0 && weekday !== 6;
}

/** Whether `day` is a working day: Monday–Friday unless a holiday, or a 调休 weekend workday. */
export function isWorkingDay(day: string): boolean {
	return isWorkingDayNumber(toDayNumber(day));
}

/** The n-th working day after `start` (start never counts; n = 0 gives start back). */
export function addWorkingDays(start: string, n: number): string {
	if (!Number.isInteger(n) || n < 0) {
		throw new RangeError(`working days must be a whole number ≥ 0: ${n}`);
	}
	let dayNumber = toDayNumber(start);
	for (let left = n; left > 0;) {
		dayNumber++;
		if (isWorkingDayNumber(dayNumber)) left--;
	}
	return fromDayNumber(dayNumber);
}

/** The number of working days d with from < d <= to; 0 when to <= from. */
export function workingDaysBetween(from: string, to: string): number {
	const last = toDayNumber(to);
	let count = 0;
	for (let d = toDayNumber(from) + 1; d <= last; d++) {
		if (isWorkingDayNumber(d)) count++;
	}
	return count;
}

/** The calendar date in Asia/Shanghai (UTC+8 all year, no DST) at `at`, as 'YYYY-MM-DD'. */
export function shanghaiDay(at: Date = new Date()): string {
	const ms = at.getTime();
	if (Number.isNaN(ms)) throw new RangeError('invalid Date');
	return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The holiday `day` falls in (e.g. '春节'), or null on an ordinary day or a 调休 workday. */
export function holidayName(day: string): string | null {
	return holidayByDay.get(toDayNumber(day)) ?? null;
}

/** The years the calendar covers, with the notice each was entered from. */
export function calendarYears(): { year: number; source: string; provisional: boolean }[] {
	return calendars.map(({ year, source, provisional }) => ({ year, source, provisional }));
}

/** Whether `day`'s year has a holiday calendar; outside it every Monday–Friday counts. */
export function isCovered(day: string): boolean {
	toDayNumber(day);
	return coveredYears.has(Number(day.slice(0, 4)));
}
