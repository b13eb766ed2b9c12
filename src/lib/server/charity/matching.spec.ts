import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { helpKinds } from '$lib/charity/vocab';
import {
	byMatchScore,
	matchWeights,
	receivedSaturation,
	scoreMatch,
	receivedYear,
	waitingFullDays,
	type MatchFacts
} from './matching';

const base: MatchFacts = {
	kind: 'money',
	categoryMatch: true,
	regionMatch: true,
	capacityLeft: 100_000,
	remaining: 100_000,
	urgency: 3,
	daysWaiting: waitingFullDays,
	receivedThisYear: 0
};

const points = (f: Partial<MatchFacts>) =>
	Object.fromEntries(scoreMatch({ ...base, ...f }).reasons.map((r) => [r.key, r.points]));

describe('scoreMatch', () => {
	it('gives a perfect match 100 points, the sum of the weights', () => {
		const total = Object.values(matchWeights).reduce((s, w) => s + w, 0);
		expect(total).toBe(100);
		expect(scoreMatch(base).score).toBe(100);
	});

	it('lists every reason with its points and maximum, in the weights’ order', () => {
		const { reasons } = scoreMatch({ ...base, categoryMatch: false, urgency: 1 });
		expect(reasons.map((r) => r.key)).toEqual([
			'category',
			'region',
			'capacity',
			'urgency',
			'waiting',
			'received'
		]);
		expect(reasons.find((r) => r.key === 'category')).toEqual({
			key: 'category',
			points: 0,
			max: 25
		});
	});

	it('scores category and region as all or nothing', () => {
		expect(points({ categoryMatch: false }).category).toBe(0);
		expect(points({ regionMatch: false }).region).toBe(0);
		expect(points({}).category).toBe(matchWeights.category);
		expect(points({}).region).toBe(matchWeights.region);
	});

	it('scales capacity by how much of what the need lacks the offer covers, floored', () => {
		expect(points({ capacityLeft: 200_000, remaining: 100_000 }).capacity).toBe(15);
		expect(points({ capacityLeft: 50_000, remaining: 100_000 }).capacity).toBe(7);
		expect(points({ capacityLeft: 1, remaining: 100_000 }).capacity).toBe(0);
		expect(points({ capacityLeft: 0, remaining: 100_000 }).capacity).toBe(0);
		expect(points({ capacityLeft: 10, remaining: 0 }).capacity).toBe(0);
	});

	it('gives urgency 0, 7 and 15 points, clamping odd values', () => {
		expect([1, 2, 3].map((u) => points({ urgency: u }).urgency)).toEqual([0, 7, 15]);
		expect(points({ urgency: 9 }).urgency).toBe(15);
		expect(points({ urgency: -1 }).urgency).toBe(0);
	});

	it('fills the waiting points at 90 days', () => {
		expect(points({ daysWaiting: 0 }).waiting).toBe(0);
		expect(points({ daysWaiting: 45 }).waiting).toBe(5);
		expect(points({ daysWaiting: 89 }).waiting).toBe(9);
		expect(points({ daysWaiting: 400 }).waiting).toBe(10);
		expect(points({ daysWaiting: -3 }).waiting).toBe(0);
	});

	it('ranks a household that received less this year higher, per kind', () => {
		expect(points({ receivedThisYear: 0 }).received).toBe(10);
		expect(points({ receivedThisYear: 250_000 }).received).toBe(5);
		expect(points({ receivedThisYear: 500_000 }).received).toBe(0);
		expect(points({ receivedThisYear: 9_000_000 }).received).toBe(0);
		expect(points({ kind: 'goods', receivedThisYear: 10 }).received).toBe(5);
		expect(points({ kind: 'service_hours', receivedThisYear: 40 }).received).toBe(0);
	});

	it('stays within 0..100 in whole points and never rises when a fact gets worse', () => {
		const facts = fc.record({
			kind: fc.constantFrom(...helpKinds),
			categoryMatch: fc.boolean(),
			regionMatch: fc.boolean(),
			capacityLeft: fc.integer({ min: 0, max: 10_000_000 }),
			remaining: fc.integer({ min: 1, max: 10_000_000 }),
			urgency: fc.integer({ min: 1, max: 3 }),
			daysWaiting: fc.integer({ min: 0, max: 1000 }),
			receivedThisYear: fc.integer({ min: 0, max: 10_000_000 })
		});
		fc.assert(
			fc.property(facts, (f) => {
				const { score, reasons } = scoreMatch(f);
				expect(Number.isInteger(score)).toBe(true);
				expect(score).toBeGreaterThanOrEqual(0);
				expect(score).toBeLessThanOrEqual(100);
				for (const r of reasons) expect(r.points).toBeLessThanOrEqual(r.max);
				// less capacity, less urgency, less waiting, more received: never a higher score
				const worse = scoreMatch({
					...f,
					capacityLeft: Math.floor(f.capacityLeft / 2),
					urgency: Math.max(1, f.urgency - 1),
					daysWaiting: Math.floor(f.daysWaiting / 2),
					receivedThisYear: f.receivedThisYear + receivedSaturation[f.kind] / 4
				});
				expect(worse.score).toBeLessThanOrEqual(score);
			})
		);
	});
});

describe('byMatchScore', () => {
	it('puts the higher score first and breaks ties by id', () => {
		const rows = [
			{ id: 'b', score: 50 },
			{ id: 'c', score: 80 },
			{ id: 'a', score: 50 }
		];
		expect(rows.sort(byMatchScore).map((r) => r.id)).toEqual(['c', 'a', 'b']);
	});
});

describe('receivedYear', () => {
	it('runs from 1 January 00:00 in Shanghai to the next', () => {
		const [start, end] = receivedYear(new Date('2026-12-31T17:00:00Z'));
		// 01:00 on 1 January 2027 in Shanghai
		expect(start.toISOString()).toBe('2026-12-31T16:00:00.000Z');
		expect(end.toISOString()).toBe('2027-12-31T16:00:00.000Z');
		expect(receivedYear(new Date('2026-06-01T00:00:00Z'))[0].toISOString()).toBe(
			'2025-12-31T16:00:00.000Z'
		);
	});
});
