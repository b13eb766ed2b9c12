import { beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '$lib/id-number';
import { shanghaiDay } from '$lib/working-days';
import { useTestDatabase } from '../../../../tests/db';
import {
	bornYearsAgo,
	createCategory,
	createCounty,
	createHousehold,
	createNeed,
	createServiceRequest,
	createSettlement,
	createUser,
	sequence,
	type County,
	type Settlement
} from '../../../../tests/factories';
import { load } from '../../../routes/(public)/public/stats/+page.server';
import { db, schema } from '../db';
import {
	complementary,
	publicCount,
	publicRate,
	publicStats,
	suppress,
	type PublicStats,
	type RawFigures,
	type StatsGroup
} from './public';

useTestDatabase();

// A clock that only moves on: each call past the minute the figures are kept for
let clock = Date.now();
const fresh = () => publicStats((clock = Math.max(clock, Date.now()) + 120_000));

/** Every number and string anywhere in a value. */
function leaves(value: unknown): unknown[] {
	if (value === null || typeof value !== 'object') return [value];
	return Object.values(value).flatMap(leaves);
}

describe('suppression rules', () => {
	it('publicCount: below 5 is "<5", zero too', () => {
		expect([0, 1, 4, 5, 6, 1234].map((n) => publicCount(n))).toEqual([
			'<5',
			'<5',
			'<5',
			5,
			6,
			1234
		]);
	});

	it('publicRate: "—" when either count is below 5, else rounded to 0.1%', () => {
		expect(publicRate(3, 10)).toBe('—');
		expect(publicRate(10, 4)).toBe('—');
		expect(publicRate(0, 0)).toBe('—');
		expect(publicRate(5, 10)).toBe(0.5);
		expect(publicRate(6, 9)).toBe(0.667);
	});

	it('complementary: one more withheld when the small ones add up to 1–4', () => {
		expect(complementary([3, 10, 20])).toEqual([1]);
		expect(complementary([20, 10, 3])).toEqual([1]);
		expect(complementary([1, 2, 20, 10])).toEqual([3]);
		expect(complementary([3, 4, 10])).toEqual([]); // 7 together: neither can be told
		expect(complementary([0, 0, 10])).toEqual([]); // zeros give nobody away
		expect(complementary([3])).toEqual([]);
		expect(complementary([2, 2])).toEqual([]); // nothing else to withhold: all are "<5"
		expect(complementary([7, 9])).toEqual([]);
	});

	const raw = (households: number): RawFigures => ({
		households,
		people: 0,
		laborers: 0,
		employedLaborers: 0,
		activities: 0,
		participants: 0,
		servicesDone: 0,
		needsFunded: 0
	});
	const group = (id: string, values: number[]): StatsGroup => ({
		id,
		name: id,
		path: `/${id}/`,
		points: values.map((v, i) => ({ id: `${id}${i}`, name: `${id}${i}`, raw: raw(v) }))
	});
	const households = (c: ReturnType<typeof suppress>) =>
		c.map((x) => [x.households, x.points.map((p) => p.households)]);

	it('suppress: in a county, the point beside a lone small one', () => {
		const out = suppress([group('a', [3, 10]), group('b', [6, 7]), group('c', [20])]);
		expect(households(out)).toEqual([
			[13, ['<5', '—']],
			[13, [6, 7]],
			[20, [20]]
		]);
		expect(out.map((c) => c.settlements)).toEqual([2, 2, 1]);
	});

	it('suppress: across counties, the county beside a lone small one, and one of its points', () => {
		const out = suppress([group('a', [2]), group('b', [6, 7]), group('c', [20])]);
		expect(households(out)).toEqual([
			['<5', ['<5']],
			['—', ['—', 7]],
			[20, [20]]
		]);
		// a county of one point: the point is the county, withheld with it
		expect(households(suppress([group('a', [1]), group('b', [9]), group('c', [30])]))).toEqual([
			['<5', ['<5']],
			['—', ['—']],
			[30, [30]]
		]);
	});
});

describe('publicStats', () => {
	let countyX: County;
	let countyY: County;
	let P3: Settlement;
	let P10: Settlement;
	let Q: Settlement;
	const year = shanghaiDay().slice(0, 4);
	const lastYear = String(Number(year) - 1);
	const thisMonth = shanghaiDay().slice(0, 7);

	/** `n` households of `size` members; the first member of each a labourer, employed when asked. */
	async function households(
		s: Settlement,
		n: number,
		size: number,
		employed: (i: number) => boolean
	) {
		const out = [];
		for (let i = 0; i < n; i++) {
			const h = await createHousehold(s, { members: 0 });
			await db()
				.insert(schema.resident)
				.values(
					Array.from({ length: size }, (_, k) => {
						const birthDate = bornYearsAgo(k === 0 ? 35 : 70);
						return {
							householdId: h.id,
							name: `成员${sequence()}`,
							relation: k === 0 ? ('户主' as const) : ('子' as const),
							isHead: k === 0,
							idNumber: makeIdNumber('110101', birthDate, sequence() % 500, 'male'),
							gender: 'male' as const,
							birthDate,
							laborAbility: k === 0 ? ('普通劳动力' as const) : ('无劳动能力' as const),
							employment:
								k > 0
									? ('退休或无需就业' as const)
									: employed(i)
										? ('务工' as const)
										: ('未就业' as const)
						};
					})
				);
			out.push(h);
		}
		return out;
	}

	beforeAll(async () => {
		countyX = await createCounty();
		countyY = await createCounty(countyX.city);
		await createCounty(countyX.city); // a county without points: not listed
		P3 = await createSettlement(countyX, { name: `甲安置点${sequence()}` });
		P10 = await createSettlement(countyX, { name: `乙安置点${sequence()}` });
		Q = await createSettlement(countyY, { name: `丙安置点${sequence()}` });
		const staff = (await createUser()).user;

		// P3: 3 households of one employed labourer each; P10: 10 of two, 6 of them employed;
		// Q: 8 of three, all employed
		const h3 = await households(P3, 3, 1, () => true);
		const h10 = await households(P10, 10, 2, (i) => i < 6);
		const hq = await households(Q, 8, 3, () => true);

		await db()
			.insert(schema.activityTally)
			.values([
				{
					settlementId: P3.id,
					regionPath: P3.regionPath,
					month: `${year}-01`,
					kind: 'culture_sports',
					activities: 2,
					participants: 2
				},
				{
					settlementId: P3.id,
					regionPath: P3.regionPath,
					month: thisMonth,
					kind: 'volunteer',
					activities: 1,
					participants: 1
				},
				{
					settlementId: P10.id,
					regionPath: P10.regionPath,
					month: `${year}-01`,
					kind: 'culture_sports',
					activities: 12,
					participants: 60
				},
				// last year's: not counted
				{
					settlementId: P10.id,
					regionPath: P10.regionPath,
					month: `${lastYear}-12`,
					kind: 'culture_sports',
					activities: 5,
					participants: 50
				}
			]);

		const catX = await createCategory(countyX);
		const catY = await createCategory(countyY);
		const done = (
			h: { id: string; settlementId: string },
			cat: { id: string },
			closedAt: Date,
			status: 'done' | 'rejected' = 'done'
		) =>
			createServiceRequest(h, cat, staff, {
				status,
				submittedAt: new Date(closedAt.getTime() - 86_400_000),
				closedAt
			});
		// the first hour of the Shanghai year is this year, though still last year in UTC
		await done(h3[0], catX, new Date(`${year}-01-01T00:30:00+08:00`));
		await done(h3[1], catX, new Date());
		await done(h3[2], catX, new Date());
		for (let i = 0; i < 7; i++) await done(h10[i], catX, new Date());
		await done(h10[7], catX, new Date(`${lastYear}-12-31T23:59:00+08:00`));
		await done(h10[8], catX, new Date(`${lastYear}-06-01T12:00:00+08:00`));
		await done(h10[9], catX, new Date(), 'rejected');
		for (let i = 0; i < 5; i++) await done(hq[i], catY, new Date());

		for (const h of h3) await createNeed(h, staff, { status: 'funded', pledged: 100_000 });
		for (let i = 0; i < 6; i++)
			await createNeed(h10[i], staff, {
				status: i % 2 ? 'funded' : 'delivered',
				pledged: 100_000
			});
		await createNeed(h10[6], staff, { status: 'published' });
		await createNeed(h10[7], staff, { status: 'pending' });
	});

	it('counts each county with points and each of its points, suppressing the small figures', async () => {
		const stats = await fresh();
		expect(stats.year).toBe(year);
		expect(stats.counties.map((c) => c.id)).toEqual([countyX.id, countyY.id]);
		const [x, y] = stats.counties;
		expect(x).toEqual({
			id: countyX.id,
			name: countyX.name,
			settlements: 2,
			households: 13,
			people: 23,
			employmentRate: 0.692, // 9 of 13
			activities: 15,
			participants: 63,
			servicesDone: 10,
			needsFunded: 9,
			points: [
				{
					id: P3.id,
					name: P3.name,
					households: '<5',
					people: '<5',
					employmentRate: '—',
					activities: '<5',
					participants: '<5',
					servicesDone: '<5',
					needsFunded: '<5'
				},
				// shown, these would give P3's away: the county's total less them
				{
					id: P10.id,
					name: P10.name,
					households: '—',
					people: '—',
					employmentRate: 0.6,
					activities: '—',
					participants: '—',
					servicesDone: '—',
					needsFunded: '—'
				}
			]
		});
		const qRow = {
			households: 8,
			people: 24,
			employmentRate: 1,
			activities: '<5',
			participants: '<5',
			servicesDone: 5,
			needsFunded: '<5'
		};
		expect(y).toEqual({
			id: countyY.id,
			name: countyY.name,
			settlements: 1,
			...qRow,
			points: [{ id: Q.id, name: Q.name, ...qRow }]
		});
	});

	it('holds the number 3 nowhere, though one point has 3 households, 3 people, 3 activities…', async () => {
		const stats = await fresh();
		const values = leaves(stats);
		expect(values.length).toBeGreaterThan(40);
		expect(values).not.toContain(3);
		expect(values).not.toContain('3');
	});

	it('the page’s data holds only the suppressed figures, one county’s points at a time', async () => {
		const call = (query: string) =>
			load({ url: new URL(`http://localhost/public/stats${query}`) } as never) as Promise<{
				year: string;
				counties: Omit<PublicStats['counties'][number], 'points'>[];
				county: PublicStats['counties'][number] | null;
			}>;
		const chosen = await call(`?county=${countyX.id}`);
		expect(chosen.counties.map((c) => c.id)).toEqual([countyX.id, countyY.id]);
		expect(chosen.counties.every((c) => !('points' in c))).toBe(true);
		expect(chosen.county?.points.map((p) => p.id)).toEqual([P3.id, P10.id]);
		expect(leaves(chosen)).not.toContain(3);
		expect(JSON.stringify(chosen)).not.toMatch(/:3[,}]/);
		for (const bad of ['?county=x', '?county=', `?county=${crypto.randomUUID()}`, '']) {
			const page = await call(bad);
			expect(page.county).toBeNull();
			expect(page.counties).toHaveLength(2);
		}
	});

	it('is counted once a minute: a change shows after the minute', async () => {
		const first = await fresh();
		const t = clock;
		expect(publicStats(t + 30_000)).toBe(publicStats(t + 59_000));
		await households(Q, 1, 1, () => true);
		expect((await publicStats(t + 30_000)).counties[1].households).toBe(8);
		const later = await publicStats(t + 61_000);
		expect(later).not.toBe(first);
		expect(later.counties[1].households).toBe(9);
		expect(later.counties[1].people).toBe(25);
		clock = t + 61_000;
	});
});
