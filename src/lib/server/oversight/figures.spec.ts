import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	isMonth,
	medianOfBuckets,
	monthBounds,
	monthOf,
	monthsEnding,
	previousMonth
} from './figures';

describe('month helpers', () => {
	it('monthOf takes the month of a day', () => {
		expect(monthOf('2026-03-31')).toBe('2026-03');
		expect(monthOf('2025-12-01')).toBe('2025-12');
	});

	it('isMonth accepts YYYY-MM of this century only', () => {
		for (const ok of ['2000-01', '2026-09', '2099-12']) expect(isMonth(ok)).toBe(true);
		for (const bad of [
			null,
			undefined,
			'',
			'2026-13',
			'2026-00',
			'2026-1',
			'1999-12',
			'2100-01',
			'2026-01-01',
			' 2026-01',
			'2026-01\n',
			'２０２６-01'
		])
			expect(isMonth(bad)).toBe(false);
	});

	it('previousMonth steps back across a year', () => {
		expect(previousMonth('2026-03')).toBe('2026-02');
		expect(previousMonth('2026-10')).toBe('2026-09');
		expect(previousMonth('2026-01')).toBe('2025-12');
	});

	it('monthsEnding gives twelve months, oldest first, across a year', () => {
		const months = monthsEnding('2026-02');
		expect(months).toHaveLength(12);
		expect(months[0]).toBe('2025-03');
		expect(months.slice(-3)).toEqual(['2025-12', '2026-01', '2026-02']);
		expect(new Set(months).size).toBe(12);
		expect(monthsEnding('2026-02', 1)).toEqual(['2026-02']);
		expect(monthsEnding('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
	});

	it('monthBounds are Shanghai midnights, the end the next month’s first', () => {
		expect(monthBounds('2026-02')).toEqual({
			from: '2026-02-01T00:00:00+08:00',
			to: '2026-03-01T00:00:00+08:00',
			fromDay: '2026-02-01',
			toDay: '2026-03-01'
		});
		const dec = monthBounds('2025-12');
		expect(dec.to).toBe('2026-01-01T00:00:00+08:00');
		expect(dec.toDay).toBe('2026-01-01');
		// the last Shanghai evening of a month is inside it, as a UTC instant too
		const last = new Date('2026-01-31T23:30:00+08:00');
		const b = monthBounds('2026-01');
		expect(last >= new Date(b.from) && last < new Date(b.to)).toBe(true);
		expect(new Date('2026-02-01T00:00:00+08:00') < new Date(b.to)).toBe(false);
	});
});

describe('medianOfBuckets', () => {
	/** The median of the values one by one, as percentile_cont(0.5) takes it: sort, take the middle. */
	const medianOf = (values: number[]): number | null => {
		if (values.length === 0) return null;
		const sorted = [...values].sort((a, b) => a - b);
		const mid = Math.floor(sorted.length / 2);
		return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
	};
	const expand = (buckets: { bucket: number; n: number }[]) =>
		buckets.flatMap((b) => Array.from({ length: Math.max(0, b.n) }, () => b.bucket));

	it('is null for nothing, and for buckets that count nothing', () => {
		expect(medianOfBuckets([])).toBeNull();
		expect(medianOfBuckets([{ bucket: 3, n: 0 }])).toBeNull();
		expect(
			medianOfBuckets([
				{ bucket: 1, n: 0 },
				{ bucket: 7, n: 0 }
			])
		).toBeNull();
	});

	it('is the bucket itself when there is one', () => {
		expect(medianOfBuckets([{ bucket: 4, n: 1 }])).toBe(4);
		expect(medianOfBuckets([{ bucket: 4, n: 6 }])).toBe(4);
		expect(medianOfBuckets([{ bucket: 0, n: 2 }])).toBe(0);
		// a bucket counting nothing beside it changes nothing
		expect(
			medianOfBuckets([
				{ bucket: 9, n: 0 },
				{ bucket: 4, n: 3 }
			])
		).toBe(4);
	});

	it('takes the middle value of an odd total', () => {
		// 1, 2, 2, 5, 9: the third is 2
		expect(
			medianOfBuckets([
				{ bucket: 1, n: 1 },
				{ bucket: 2, n: 2 },
				{ bucket: 5, n: 1 },
				{ bucket: 9, n: 1 }
			])
		).toBe(2);
		// 0, 0, 0, 10, 10: the middle is the last of the zeros
		expect(
			medianOfBuckets([
				{ bucket: 0, n: 3 },
				{ bucket: 10, n: 2 }
			])
		).toBe(0);
	});

	it('takes halfway between the two middle values of an even total', () => {
		// 2, 4, 9, 30: halfway between 4 and 9
		expect(
			medianOfBuckets([
				{ bucket: 2, n: 1 },
				{ bucket: 4, n: 1 },
				{ bucket: 9, n: 1 },
				{ bucket: 30, n: 1 }
			])
		).toBe(6.5);
		// 1, 1, 3, 3: the two middle ones straddle two buckets
		expect(
			medianOfBuckets([
				{ bucket: 1, n: 2 },
				{ bucket: 3, n: 2 }
			])
		).toBe(2);
		// 1, 3, 3, 3: both middle ones in one bucket
		expect(
			medianOfBuckets([
				{ bucket: 1, n: 1 },
				{ bucket: 3, n: 3 }
			])
		).toBe(3);
	});

	it('does not depend on the order the buckets come in, and leaves the input as it was', () => {
		const input = [
			{ bucket: 9, n: 1 },
			{ bucket: 1, n: 1 },
			{ bucket: 5, n: 2 },
			{ bucket: 2, n: 1 }
		];
		const copy = structuredClone(input);
		// 1, 2, 5, 5, 9
		expect(medianOfBuckets(input)).toBe(5);
		expect(medianOfBuckets([...input].reverse())).toBe(5);
		expect(input).toEqual(copy);
		// 1, 2, 5, 9 unsorted, even: halfway between 2 and 5
		expect(
			medianOfBuckets([
				{ bucket: 5, n: 1 },
				{ bucket: 9, n: 1 },
				{ bucket: 2, n: 1 },
				{ bucket: 1, n: 1 }
			])
		).toBe(3.5);
	});

	it('equals the median of the values counted out one by one', () => {
		fc.assert(
			fc.property(
				fc.array(
					fc.record({
						bucket: fc.integer({ min: -5, max: 400 }),
						n: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(0))
					}),
					{ maxLength: 12 }
				),
				(buckets) => {
					const input = structuredClone(buckets);
					expect(medianOfBuckets(input)).toBe(medianOf(expand(buckets)));
					// any order gives the same
					expect(medianOfBuckets([...input].reverse())).toBe(medianOf(expand(buckets)));
				}
			),
			{ numRuns: 500 }
		);
	});
});
