import fc from 'fast-check';
import { getSolarDateFromLunar, getSolarTermDate, isWorkday } from 'chinese-days';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { calendars } from './calendar';
import {
	addWorkingDays,
	calendarYears,
	holidayName,
	isCovered,
	isWorkingDay,
	shanghaiDay,
	workingDaysBetween
} from './index';

const DAY_MS = 86_400_000;

// chinese-days builds its tables and reads dates with local-time getters, so west of UTC it is a
// day early: pin the zone before it is imported (./index never reads the host zone)
const hostZone = vi.hoisted(() => {
	const zone = process.env.TZ;
	process.env.TZ = 'Asia/Shanghai';
	return zone;
});
afterAll(() => {
	if (hostZone === undefined) delete process.env.TZ;
	else process.env.TZ = hostZone;
});

function daysOf(year: number): string[] {
	const days: string[] = [];
	for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += DAY_MS) {
		days.push(new Date(ms).toISOString().slice(0, 10));
	}
	return days;
}

describe('isWorkingDay', () => {
	it('follows the week outside holidays', () => {
		expect(isWorkingDay('2026-11-27')).toBe(true); // Friday
		expect(isWorkingDay('2026-11-28')).toBe(false); // Saturday
		expect(isWorkingDay('2026-11-29')).toBe(false); // Sunday
		expect(isWorkingDay('2026-11-30')).toBe(true); // Monday
	});

	it('takes holidays off and 调休 weekend days on', () => {
		expect(isWorkingDay('2025-01-28')).toBe(false); // 除夕, a Tuesday
		expect(isWorkingDay('2025-01-26')).toBe(true); // Sunday 调休
		expect(isWorkingDay('2025-02-08')).toBe(true); // Saturday 调休
		expect(isWorkingDay('2026-01-04')).toBe(true); // Sunday 调休
		expect(isWorkingDay('2026-10-07')).toBe(false);
	});

	it('counts Monday–Friday outside the covered years', () => {
		expect(isWorkingDay('2030-02-04')).toBe(true); // a Monday that will be 春节
		expect(isWorkingDay('2030-02-02')).toBe(false);
		expect(isCovered('2030-02-04')).toBe(false);
		expect(isCovered('2024-12-31')).toBe(false);
		expect(isCovered('2025-01-01')).toBe(true);
		expect(isCovered('2027-12-31')).toBe(true);
	});

	it('rejects what is not a date', () => {
		expect(() => isWorkingDay('2025-02-30')).toThrow(RangeError);
		expect(() => isWorkingDay('2025-2-3')).toThrow(RangeError);
		expect(() => isWorkingDay('')).toThrow(RangeError);
	});

	it.each([2025, 2026])('agrees with chinese-days on every day of %i', (year) => {
		const disagreements = daysOf(year).filter((day) => isWorkingDay(day) !== isWorkday(day));
		expect(disagreements).toEqual([]);
	});
});

describe('addWorkingDays', () => {
	it.each([
		['2025-01-24', '2025-01-26'], // Friday → 调休 Sunday
		['2025-01-27', '2025-02-05'], // over 春节
		['2025-02-07', '2025-02-08'], // → 调休 Saturday
		['2025-09-30', '2025-10-09'], // over 国庆中秋
		['2025-10-10', '2025-10-11'], // → 调休 Saturday
		['2026-02-13', '2026-02-14'], // → 调休 Saturday
		['2026-02-14', '2026-02-24'], // over 春节
		['2026-02-27', '2026-02-28'], // → 调休 Saturday
		['2026-09-30', '2026-10-08'], // over 国庆
		['2026-10-09', '2026-10-10'], // → 调休 Saturday
		['2026-11-27', '2026-11-30'] // ordinary Friday → Monday
	])('%s + 1 working day → %s', (start, expected) => {
		expect(addWorkingDays(start, 1)).toBe(expected);
	});

	it('returns the start itself for 0, even on a holiday', () => {
		expect(addWorkingDays('2026-02-17', 0)).toBe('2026-02-17');
	});

	it('runs a 20-working-day limit across the Spring Festival', () => {
		// 2026-02-02 (Mon): Feb 3–13 is 9, the 调休 Sat 14th the 10th, then from the 24th:
		// 24,25,26,27 (14), Sat 28 (15), Mar 2,3,4,5,6 (20)
		expect(addWorkingDays('2026-02-02', 20)).toBe('2026-03-06');
		// 2025-01-20 (Mon): 21–24 (4), Sun 26 (5), 27 (6), Feb 5,6,7 (9), Sat 8 (10), 10–14 (15),
		// 17–21 (20)
		expect(addWorkingDays('2025-01-20', 20)).toBe('2025-02-21');
	});

	it('crosses a year boundary into an uncovered year', () => {
		expect(addWorkingDays('2027-12-30', 2)).toBe('2028-01-03');
	});

	it('refuses negative or fractional counts', () => {
		expect(() => addWorkingDays('2026-01-05', -1)).toThrow(RangeError);
		expect(() => addWorkingDays('2026-01-05', 1.5)).toThrow(RangeError);
	});
});

describe('workingDaysBetween', () => {
	it('counts the working days of a holiday week, excluding from and including to', () => {
		// 2025-09-29 Mon, 30 Tue, then 10-01..10-08 off, 09 Thu, 10 Fri, Sat 11 调休
		expect(workingDaysBetween('2025-09-28', '2025-10-11')).toBe(5);
		expect(workingDaysBetween('2025-09-30', '2025-10-08')).toBe(0);
		expect(workingDaysBetween('2026-02-13', '2026-02-28')).toBe(6);
	});

	it('is 0 when to is not after from', () => {
		expect(workingDaysBetween('2026-03-02', '2026-03-02')).toBe(0);
		expect(workingDaysBetween('2026-03-06', '2026-03-02')).toBe(0);
	});

	it('inverts addWorkingDays', () => {
		const days = fc
			.integer({ min: Date.UTC(2025, 0, 1) / DAY_MS, max: Date.UTC(2027, 11, 31) / DAY_MS })
			.map((n) => new Date(n * DAY_MS).toISOString().slice(0, 10));
		fc.assert(
			fc.property(days, fc.integer({ min: 0, max: 60 }), (start, n) => {
				const end = addWorkingDays(start, n);
				expect(workingDaysBetween(start, end)).toBe(n);
				if (n > 0) expect(isWorkingDay(end)).toBe(true);
			})
		);
	});
});

describe('shanghaiDay', () => {
	it('is already the next day in Shanghai from 16:00 UTC', () => {
		expect(shanghaiDay(new Date('2026-11-27T16:30:00Z'))).toBe('2026-11-28');
		expect(shanghaiDay(new Date('2026-11-27T15:59:59.999Z'))).toBe('2026-11-27');
		expect(shanghaiDay(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
	});

	it('defaults to now', () => {
		expect(shanghaiDay()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
	});
});

describe('holidayName', () => {
	it('names holiday days and nothing else', () => {
		expect(holidayName('2026-02-17')).toBe('春节');
		expect(holidayName('2025-10-06')).toBe('国庆节、中秋节');
		expect(holidayName('2026-02-14')).toBeNull(); // 调休 workday
		expect(holidayName('2026-03-02')).toBeNull();
	});
});

describe('calendar', () => {
	it('gives every covered year a source and flags 2027 provisional', () => {
		const years = calendarYears();
		expect(years.map((y) => y.year)).toEqual([2025, 2026, 2027]);
		for (const year of years) expect(year.source).not.toBe('');
		expect(years.filter((y) => y.provisional).map((y) => y.year)).toEqual([2027]);
	});

	it('keeps each year consistent: ranges in order and in the year, workdays on weekends', () => {
		for (const calendar of calendars) {
			for (const { from, to } of calendar.holidays) {
				expect(from <= to).toBe(true);
				expect([from.slice(0, 4), to.slice(0, 4)]).toEqual([
					String(calendar.year),
					String(calendar.year)
				]);
			}
			for (const workday of calendar.workdays) {
				expect(workday.startsWith(String(calendar.year))).toBe(true);
				expect([0, 6]).toContain(new Date(`${workday}T00:00:00Z`).getUTCDay());
				expect(holidayName(workday)).toBeNull();
			}
		}
	});

	it('puts the provisional 2027 festivals on their lunar and solar-term dates', () => {
		const lunarNewYear = getSolarDateFromLunar('2027-01-01').date;
		const newYearsEve = new Date(Date.parse(`${lunarNewYear}T00:00:00Z`) - DAY_MS)
			.toISOString()
			.slice(0, 10);
		const firstDay = (name: string) =>
			calendars.find((c) => c.year === 2027)?.holidays.find((h) => h.name === name)?.from;
		expect(firstDay('春节')).toBe(newYearsEve);
		expect(firstDay('清明节')).toBe(getSolarTermDate(2027, 4, 'pure_brightness'));
		expect(firstDay('端午节')).toBe(getSolarDateFromLunar('2027-05-05').date);
		expect(firstDay('中秋节')).toBe(getSolarDateFromLunar('2027-08-15').date);
	});

	it('counts statutory days only in 2027, with no 调休', () => {
		const days = daysOf(2027).filter((day) => holidayName(day) !== null);
		expect(days).toHaveLength(13);
		expect(isWorkingDay('2027-02-08')).toBe(false); // 春节's fourth day, a Monday
		expect(calendars.find((c) => c.year === 2027)?.workdays).toEqual([]);
	});
});
