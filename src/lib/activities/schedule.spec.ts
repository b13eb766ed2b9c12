import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	afterVisit,
	daysBetween,
	daysOverdue,
	dueBucket,
	intervalFor,
	intervalsFor,
	isOnTime,
	maxIntervalDays,
	monthRange,
	onTimeRate,
	settingColumn,
	soonDays
} from './schedule';
import { addDays, careGroups, defaultIntervalDays, nextDueOn, type CareGroup } from './vocab';

/** A calendar day between 2000 and 2099. */
const day = fc
	.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z') })
	.filter((d) => !Number.isNaN(d.getTime()))
	.map((d) => d.toISOString().slice(0, 10));
const group = fc.constantFrom(...careGroups);
const interval = fc.integer({ min: 1, max: maxIntervalDays });

describe('intervalFor', () => {
	it('is the default of each group when the county set none', () => {
		for (const g of careGroups) {
			expect(intervalFor(g)).toBe(defaultIntervalDays[g]);
			expect(intervalFor(g, null)).toBe(defaultIntervalDays[g]);
			expect(intervalFor(g, { [settingColumn[g]]: null })).toBe(defaultIntervalDays[g]);
		}
		expect(intervalFor('living_alone_elderly')).toBe(7);
		expect(intervalFor('left_behind_child')).toBe(30);
	});

	it('is the county’s own when it set one, for that group only', () => {
		fc.assert(
			fc.property(group, group, interval, (g, other, days) => {
				const county = { [settingColumn[g]]: days };
				expect(intervalFor(g, county)).toBe(days);
				if (other !== g) expect(intervalFor(other, county)).toBe(defaultIntervalDays[other]);
			})
		);
	});

	it('falls back to the default for a setting out of range', () => {
		for (const bad of [0, -3, 367, 2.5, Number.NaN])
			expect(intervalFor('severe_disability', { severeDisabilityDays: bad })).toBe(14);
	});

	it('gives every group an interval for a form', () => {
		const all = intervalsFor({ extremePovertyDays: 10 });
		expect(Object.keys(all).sort()).toEqual([...careGroups].sort());
		expect(all.extreme_poverty).toBe(10);
		expect(all.child_in_difficulty).toBe(14);
	});
});

describe('due days', () => {
	it('a never-visited target is due from its start day', () => {
		fc.assert(
			fc.property(day, interval, (since, days) => {
				expect(nextDueOn(since, null, days)).toBe(since);
			})
		);
	});

	it('a visit moves the due day to the visit plus the group’s interval', () => {
		fc.assert(
			fc.property(day, fc.integer({ min: 0, max: 400 }), group, (since, after, g) => {
				const days = intervalFor(g);
				const visitedOn = addDays(since, after);
				const next = afterVisit(
					{ since, lastVisitedOn: null, intervalDays: days, nextDueOn: since },
					visitedOn
				);
				expect(next.lastVisitedOn).toBe(visitedOn);
				expect(next.nextDueOn).toBe(addDays(visitedOn, days));
				expect(daysBetween(visitedOn, next.nextDueOn)).toBe(days);
			})
		);
	});

	it('an early visit is on time and brings the next due day forward', () => {
		// due on 10 March (visited 3 March, weekly); visited again on 6 March
		const target = {
			since: '2026-01-01',
			lastVisitedOn: '2026-03-03',
			intervalDays: 7,
			nextDueOn: '2026-03-10'
		};
		const next = afterVisit(target, '2026-03-06');
		expect(next).toEqual({ lastVisitedOn: '2026-03-06', nextDueOn: '2026-03-13', onTime: true });
	});

	it('a late visit is not on time, and the clock starts again from it', () => {
		const target = {
			since: '2026-01-01',
			lastVisitedOn: '2026-01-01',
			intervalDays: 30,
			nextDueOn: '2026-01-31'
		};
		expect(afterVisit(target, '2026-02-03')).toEqual({
			lastVisitedOn: '2026-02-03',
			nextDueOn: '2026-03-05',
			onTime: false
		});
		// on the due day itself is on time
		expect(afterVisit(target, '2026-01-31').onTime).toBe(true);
	});

	it('a visit entered late for an earlier day moves nothing back', () => {
		fc.assert(
			fc.property(day, interval, fc.integer({ min: 1, max: 60 }), (last, days, back) => {
				const target = {
					since: addDays(last, -400),
					lastVisitedOn: last,
					intervalDays: days,
					nextDueOn: addDays(last, days)
				};
				const next = afterVisit(target, addDays(last, -back));
				expect(next.lastVisitedOn).toBe(last);
				expect(next.nextDueOn).toBe(target.nextDueOn);
				expect(next.onTime).toBe(true);
			})
		);
	});

	it('the next due day never comes before the last visit, and on time means by the due day', () => {
		fc.assert(
			fc.property(
				day,
				fc.option(day, { nil: null }),
				interval,
				day,
				(since, lastVisitedOn, days, visitedOn) => {
					const due = nextDueOn(since, lastVisitedOn, days);
					const next = afterVisit(
						{ since, lastVisitedOn, intervalDays: days, nextDueOn: due },
						visitedOn
					);
					expect(next.nextDueOn > next.lastVisitedOn).toBe(true);
					expect(next.lastVisitedOn >= visitedOn).toBe(true);
					expect(next.onTime).toBe(visitedOn <= due);
					expect(isOnTime(visitedOn, due)).toBe(next.onTime);
				}
			)
		);
	});
});

describe('buckets of a schedule', () => {
	it('sorts a due day into overdue, today, this week or later', () => {
		const today = '2026-05-20';
		expect(dueBucket('2026-05-19', today)).toBe('overdue');
		expect(dueBucket('2026-05-20', today)).toBe('today');
		expect(dueBucket('2026-05-21', today)).toBe('week');
		expect(dueBucket(addDays(today, soonDays), today)).toBe('week');
		expect(dueBucket(addDays(today, soonDays + 1), today)).toBe('later');
		expect(daysOverdue('2026-05-13', today)).toBe(7);
		expect(daysOverdue('2026-05-21', today)).toBe(0);
	});

	it('is overdue exactly when days overdue are positive, across years', () => {
		fc.assert(
			fc.property(day, day, (due, today) => {
				const bucket = dueBucket(due, today);
				expect(bucket === 'overdue').toBe(daysOverdue(due, today) > 0);
				expect(bucket === 'today').toBe(due === today);
				const ahead = daysBetween(today, due);
				if (bucket === 'week') expect(ahead >= 1 && ahead <= soonDays).toBe(true);
				if (bucket === 'later') expect(ahead).toBeGreaterThan(soonDays);
			})
		);
	});

	it('counts days across a leap day and a year end', () => {
		expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
		expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
		fc.assert(
			fc.property(day, fc.integer({ min: -800, max: 800 }), (d, n) => {
				expect(daysBetween(d, addDays(d, n))).toBe(n);
			})
		);
	});
});

describe('on-time rates', () => {
	it('is a whole percentage, or none without visits', () => {
		expect(onTimeRate(0, 0)).toBeNull();
		expect(onTimeRate(3, 4)).toBe(75);
		expect(onTimeRate(2, 3)).toBe(67);
		fc.assert(
			fc.property(fc.nat(1000), fc.nat(1000), (a, b) => {
				const [onTime, total] = a <= b ? [a, b] : [b, a];
				const rate = onTimeRate(onTime, total);
				if (total === 0) expect(rate).toBeNull();
				else {
					expect(rate).toBeGreaterThanOrEqual(0);
					expect(rate).toBeLessThanOrEqual(100);
					expect(rate === 100).toBe(onTime === total || onTime / total >= 0.995);
				}
			})
		);
	});

	it('a month is its first day up to the next month’s', () => {
		expect(monthRange('2026-12')).toEqual({ from: '2026-12-01', to: '2027-01-01' });
		expect(monthRange('2026-02')).toEqual({ from: '2026-02-01', to: '2026-03-01' });
	});
});

describe('the columns', () => {
	it('name one care_setting column per group', () => {
		const columns = careGroups.map((g: CareGroup) => settingColumn[g]);
		expect(new Set(columns).size).toBe(careGroups.length);
	});
});
