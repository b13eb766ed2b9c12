import { eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '$lib/id-number';
import { shanghaiDay } from '$lib/working-days';
import { useTestDatabase } from '../../../../tests/db';
import {
	bornYearsAgo,
	createCategory,
	createCounty,
	createFund,
	createHousehold,
	createNeed,
	createOrganization,
	createRegion,
	createServiceRequest,
	createSettlement,
	createUser,
	sequence,
	type County,
	type Household,
	type Member,
	type Region,
	type Settlement
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { postTransaction } from '../charity/ledger';
import { db, schema } from '../db';
import { postPoints } from '../governance/shared';
import { recountStale } from './timer';
import {
	breakdownOf,
	figuresOf,
	monthsEnding,
	previousMonth,
	monthOf,
	refreshStats,
	regionScope,
	registerFigures,
	settlementRows,
	settlementScope,
	type FigureScope
} from './figures';

useTestDatabase();

// Every figure below is counted by hand from the rows this file makes: two counties of one city,
// county A with points A1 (on the county) and A2 (on a township of it), county B with point B1.
// The month M is the current Shanghai month (points entries are stamped now); P is the one before.

const now = new Date();
const today = shanghaiDay(now);
const M = monthOf(today);
const P = previousMonth(M);
/** An instant in month `month` on `day` at `time`, Shanghai time. */
const at = (month: string, day: number, time = '09:00') =>
	new Date(`${month}-${String(day).padStart(2, '0')}T${time}:00+08:00`);
const dayOf = (month: string, day: number) => `${month}-${String(day).padStart(2, '0')}`;
const past = '2020-01-02';
const future = '2099-12-31';

type Person = {
	age: number;
	labor?: Member['laborAbility'];
	work?: Member['employment'];
	status?: Member['status'];
};

/** A household of `people`, its zero-employment flag set as the register would have set it. */
async function household(
	settlement: Settlement,
	people: Person[],
	input: { zero?: boolean; status?: Household['status'] } = {}
) {
	const h = await createHousehold(settlement, { members: 0, status: input.status });
	const members = people.length
		? await db()
				.insert(schema.resident)
				.values(
					people.map((p, k) => {
						const n = sequence();
						const birthDate = bornYearsAgo(p.age);
						return {
							householdId: h.id,
							name: `成员${n}`,
							relation: k === 0 ? ('户主' as const) : ('子' as const),
							isHead: k === 0,
							idNumber: makeIdNumber('110101', birthDate, n % 500, 'male'),
							gender: 'male' as const,
							birthDate,
							laborAbility: p.labor ?? '无劳动能力',
							employment: p.work ?? '退休或无需就业',
							status: p.status ?? 'active'
						};
					})
				)
				.returning()
		: [];
	if (input.zero)
		await db()
			.update(schema.household)
			.set({ zeroEmployment: true })
			.where(eq(schema.household.id, h.id));
	return { ...h, members };
}

let countyA: County;
let countyB: County;
let townA: Region;
let A1: Settlement;
let A2: Settlement;
let B1: Settlement;
let admin: Actor;
let civilA: Actor;
let chiefA: Actor;
let pointChiefA1: Actor;
let workerA1: Actor;
let residentA1: Actor;
let orgMember: Actor;
let scopeA1: FigureScope;
let scopeA2: FigureScope;
let scopeB1: FigureScope;
let scopeA: FigureScope;
let scopeB: FigureScope;

beforeAll(async () => {
	countyA = await createCounty();
	countyB = await createCounty(countyA.city);
	townA = await createRegion(countyA, { level: 'township' });
	A1 = await createSettlement(countyA, { name: `Point A1 ${sequence()}` });
	A2 = await createSettlement(townA, { name: `Point A2 ${sequence()}` });
	B1 = await createSettlement(countyB, { name: `Point B1 ${sequence()}` });

	// ---- the register
	const H1 = await household(A1, [
		{ age: 40, labor: '普通劳动力', work: '务工' }, // labourer, employed
		{ age: 59, labor: '弱劳动力', work: '未就业' }, // labourer (59 is still working age)
		{ age: 10, work: '在校学生' }, // child
		{ age: 70 }, // elderly
		{ age: 50, labor: '普通劳动力', work: '务工', status: 'moved_out' } // not counted
	]);
	const H2 = await household(
		A1,
		[
			{ age: 30, labor: '技能劳动力', work: '未就业' }, // labourer
			{ age: 60, labor: '弱劳动力', work: '未就业' } // elderly, past working age
		],
		{ zero: true }
	);
	const H3 = await household(
		A1,
		[
			{ age: 16, labor: '普通劳动力', work: '在校学生' }, // a pupil: not labour
			{ age: 16, labor: '普通劳动力', work: '未就业' }, // labourer (16 is working age)
			{ age: 45, work: '未就业' }, // unable to work
			{ age: 13, work: '在校学生' } // child (under 14)
		],
		{ zero: true }
	);
	// moved out with everyone in it: counted nowhere
	await household(A1, [{ age: 40, labor: '普通劳动力', work: '务工' }], {
		status: 'moved_out',
		zero: true
	});
	const H5 = await household(A1, []); // no members: a household, nobody in it
	const H6 = await household(A2, [
		{ age: 25, labor: '普通劳动力', work: '灵活就业' }, // labourer, employed
		{ age: 61 }, // elderly
		{ age: 5, work: '在校学生' } // child
	]);
	const H7 = await household(B1, [
		{ age: 35, labor: '普通劳动力', work: '务工' },
		{ age: 33, labor: '普通劳动力', work: '公益性岗位' }
	]);
	const H8 = await household(B1, [{ age: 80 }]);

	// ---- people
	admin = (await createUser({ grants: [{ role: 'system_admin' }] })).actor;
	const staff = admin;
	civilA = (await createUser({ grants: [{ role: 'civil_affairs', on: countyA }] })).actor;
	chiefA = (await createUser({ grants: [{ role: 'chief_of_points', on: countyA }] })).actor;
	pointChiefA1 = (await createUser({ grants: [{ role: 'point_chief', on: A1 }] })).actor;
	workerA1 = (await createUser({ grants: [{ role: 'community_worker', on: A1 }] })).actor;
	residentA1 = (await createUser({ household: H1 })).actor;
	const org = await createOrganization(countyA);
	orgMember = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;

	// ---- service requests: status, filing and closing times, due days, ratings
	const catA = await createCategory(countyA);
	const catB = await createCategory(countyB);
	const filer = { id: staff.id };
	const req = (
		hh: { id: string; settlementId: string },
		cat: { id: string },
		v: Partial<typeof schema.serviceRequest.$inferInsert>
	) => createServiceRequest(hh, cat, filer, { dueOn: future, ...v });
	// A1
	await req(H1, catA, { status: 'submitted', submittedAt: at(M, 1) }); // open, filed in M
	await req(H1, catA, { status: 'accepted', submittedAt: at(P, 10), dueOn: past }); // open, overdue
	await req(H2, catA, { status: 'waiting_resident', submittedAt: at(P, 15), dueOn: past }); // open, waiting on the resident: not overdue
	await req(H2, catA, {
		status: 'done',
		submittedAt: at(M, 1, '08:00'),
		closedAt: at(M, 3, '08:00'), // 2 days
		rating: 5
	});
	await req(H3, catA, {
		status: 'done',
		submittedAt: at(M, 1, '00:30'),
		closedAt: at(M, 5, '00:30'), // 4 days
		rating: 4
	});
	await req(H3, catA, {
		status: 'done',
		submittedAt: at(M, 2, '12:00'),
		closedAt: at(M, 11, '12:00') // 9 days, not rated
	});
	await req(H1, catA, {
		status: 'done',
		submittedAt: at(P, 1, '10:00'),
		closedAt: at(P, 3, '10:00'), // done in P: 2 days, rated 2
		rating: 2
	});
	await req(H5, catA, { status: 'rejected', submittedAt: at(P, 25), closedAt: at(M, 4) });
	await req(H5, catA, { status: 'in_progress', submittedAt: at(M, 3), dueOn: past }); // open, overdue
	// A2
	await req(H6, catA, {
		status: 'done',
		submittedAt: at(M, 1, '00:00'),
		closedAt: at(M, 7, '00:00'), // 6 days
		rating: 3
	});
	await req(H6, catA, { status: 'submitted', submittedAt: at(M, 2), dueOn: past }); // open, overdue
	// B1
	await req(H7, catB, {
		status: 'done',
		submittedAt: at(M, 1),
		closedAt: at(M, 2), // 1 day
		rating: 1
	});
	await req(H8, catB, { status: 'submitted', submittedAt: at(M, 2) });

	// ---- activities, as the activity commands keep them per point, month and kind
	const thirteenMonthsAgo = monthsEnding(M, 13)[0];
	const tally = (s: Settlement, month: string, kind: string, activities: number, n: number) => ({
		settlementId: s.id,
		regionPath: s.regionPath,
		month,
		kind: kind as (typeof schema.activityTally.$inferInsert)['kind'],
		activities,
		participants: n
	});
	await db()
		.insert(schema.activityTally)
		.values([
			tally(A1, M, 'culture_sports', 2, 30),
			tally(A1, M, 'volunteer', 1, 12),
			tally(A1, P, 'culture_sports', 3, 40),
			tally(A1, thirteenMonthsAgo, 'culture_sports', 5, 50), // outside the twelve months
			tally(A2, M, 'culture_sports', 1, 8),
			tally(B1, M, 'skills_training', 4, 44)
		]);

	// ---- care targets and visits
	const target = async (
		s: Settlement,
		person: Member,
		v: { group: (typeof schema.careTarget.$inferInsert)['group']; due: string; ended?: boolean }
	) => {
		const [row] = await db()
			.insert(schema.careTarget)
			.values({
				settlementId: s.id,
				regionPath: s.regionPath,
				residentId: person.id,
				householdId: person.householdId,
				group: v.group,
				intervalDays: 30,
				since: '2020-01-01',
				nextDueOn: v.due,
				endedOn: v.ended ? '2024-01-01' : null
			})
			.returning();
		return row;
	};
	const T1 = await target(A1, H1.members[3], { group: 'living_alone_elderly', due: past }); // overdue
	const T2 = await target(A1, H1.members[2], { group: 'left_behind_child', due: future });
	await target(A1, H2.members[1], { group: 'living_alone_elderly', due: past, ended: true }); // ended: not counted
	const T4 = await target(A2, H6.members[1], { group: 'living_alone_elderly', due: past }); // overdue
	const T5 = await target(B1, H8.members[0], { group: 'living_alone_elderly', due: past }); // overdue
	const visit = (t: typeof T1, visitedOn: string, onTime: boolean) => ({
		targetId: t.id,
		settlementId: t.settlementId,
		regionPath: t.regionPath,
		residentId: t.residentId,
		householdId: t.householdId,
		visitedOn,
		visitorId: staff.id,
		visitorName: '社工',
		mode: 'home' as const,
		wellbeing: 'well' as const,
		findings: '情况良好',
		onTime
	});
	await db()
		.insert(schema.careVisit)
		.values([
			visit(T1, dayOf(M, 2), true),
			visit(T2, dayOf(M, 3), false),
			visit(T1, dayOf(P, 5), true), // in P
			visit(T4, dayOf(M, 4), true),
			visit(T5, dayOf(M, 1), false)
		]);

	// ---- risk flags
	const flag = (
		hh: { id: string; settlementId: string },
		s: Settlement,
		category: (typeof schema.riskFlag.$inferInsert)['category'],
		status: (typeof schema.riskFlag.$inferInsert)['status'],
		reportedAt: Date,
		verifyDueAt: Date
	) => ({
		settlementId: s.id,
		regionPath: s.regionPath,
		householdId: hh.id,
		category,
		description: '测试',
		source: 'discovery' as const,
		foundAt: reportedAt,
		reportedAt,
		status,
		verifyDueAt
	});
	const long = new Date(`${future}T00:00:00+08:00`);
	await db()
		.insert(schema.riskFlag)
		.values([
			// reported in P and not verified in time: late
			flag(H1, A1, 'serious_illness', 'reported', at(P, 10), at(P, 11)),
			flag(H2, A1, 'serious_illness', 'verified', at(M, 1), long),
			flag(H3, A1, 'unemployment', 'reported', at(M, 2), long),
			flag(H5, A1, 'unemployment', 'closed', at(M, 1, '10:00'), long),
			flag(H6, A2, 'accident', 'assisted', at(M, 3), long),
			flag(H7, B1, 'disaster', 'reported', at(P, 1), at(P, 2)) // late
		]);

	// ---- needs, and money through the funds' ledgers
	const n1 = await createNeed(H1, staff, { quantity: 100_000, pledged: 30_000 });
	const n2 = await createNeed(H1, staff, { status: 'funded', quantity: 50_000, pledged: 50_000 });
	await createNeed(H2, staff, { status: 'delivered', kind: 'goods', quantity: 3, pledged: 3 });
	await createNeed(H2, staff, { status: 'pending', quantity: 20_000 });
	await createNeed(H3, staff, { status: 'rejected', quantity: 70_000 });
	const n6 = await createNeed(H6, staff, { quantity: 10_000 });
	const n7 = await createNeed(H7, staff, {
		status: 'delivered',
		quantity: 40_000,
		pledged: 40_000
	});
	const fundA = await createFund(await createOrganization(countyA));
	const fundB = await createFund(await createOrganization(countyB));
	await db().transaction(async (tx) => {
		const post = async (input: Parameters<typeof postTransaction>[1]) => {
			const r = await postTransaction(tx, input);
			if (!r.ok) throw new Error(r.reason);
		};
		const base = { memo: '测试', createdBy: staff.id };
		await post({
			...base,
			fundId: fundA.id,
			kind: 'donation',
			amount: 500_000,
			occurredOn: dayOf(M, 2)
		});
		await post({
			...base,
			fundId: fundA.id,
			kind: 'donation',
			amount: 20_000,
			needId: n1.id,
			occurredOn: dayOf(M, 3)
		});
		await post({
			...base,
			fundId: fundA.id,
			kind: 'disbursement',
			amount: 50_000,
			needId: n2.id,
			occurredOn: dayOf(M, 4)
		});
		await post({
			...base,
			fundId: fundA.id,
			kind: 'disbursement',
			amount: 7_000,
			needId: n6.id,
			occurredOn: dayOf(M, 4)
		});
		await post({
			...base,
			fundId: fundA.id,
			kind: 'donation',
			amount: 100_000,
			occurredOn: dayOf(P, 5)
		});
		await post({
			...base,
			fundId: fundB.id,
			kind: 'donation',
			amount: 300_000,
			occurredOn: dayOf(M, 2)
		});
		await post({
			...base,
			fundId: fundB.id,
			kind: 'disbursement',
			amount: 40_000,
			needId: n7.id,
			occurredOn: dayOf(M, 6)
		});
	});

	// ---- points, through the one way points are written
	await db().transaction(async (tx) => {
		const points = async (
			hh: { id: string; settlementId: string },
			s: Settlement,
			delta: number,
			source: 'award' | 'deduct' | 'redeem' | 'reversal' | 'activity',
			extra: { reversesId?: string; mustCover?: boolean } = {}
		) => {
			const r = await postPoints(tx, {
				householdId: hh.id,
				settlementId: s.id,
				regionPath: s.regionPath,
				delta,
				source,
				reason: '测试',
				actor: { id: staff.id, displayName: '管理员' },
				...extra
			});
			if (!r) throw new Error('points not posted');
			return r.entryId;
		};
		await points(H1, A1, 10, 'award');
		const five = await points(H1, A1, 5, 'award');
		await points(H2, A1, 3, 'activity');
		await points(H1, A1, -4, 'deduct');
		await points(H1, A1, -6, 'redeem', { mustCover: true });
		await points(H1, A1, -5, 'reversal', { reversesId: five }); // neither issued nor deducted
		await points(H6, A2, 7, 'award');
		await points(H7, B1, 20, 'award');
	});

	scopeA1 = await settlementScope(civilA, A1.id);
	scopeA2 = await settlementScope(civilA, A2.id);
	scopeB1 = await settlementScope(admin, B1.id);
	scopeA = await regionScope(civilA);
	scopeB = await regionScope(admin, countyB.id);
});

// the register figures of each point and county, counted by hand from the households above
const registerA1 = {
	settlements: 1,
	households: 4, // H1, H2, H3, H5 (H4 moved out)
	people: 10, // 4 + 2 + 4 + 0 active members
	laborers: 4, // 40, 59, 30, 16 (not the pupil of 16 nor the 60-year-old)
	employedLaborers: 1,
	employmentRate: 0.25,
	laborHouseholds: 3, // H1, H2, H3
	laborHouseholdsEmployed: 1, // H1
	zeroEmploymentHouseholds: 2, // H2, H3
	elderly: 2, // 70, 60
	children: 2 // 10, 13
};
const registerA2 = {
	settlements: 1,
	households: 1,
	people: 3,
	laborers: 1,
	employedLaborers: 1,
	employmentRate: 1,
	laborHouseholds: 1,
	laborHouseholdsEmployed: 1,
	zeroEmploymentHouseholds: 0,
	elderly: 1,
	children: 1
};
const registerB1 = {
	settlements: 1,
	households: 2,
	people: 3,
	laborers: 2,
	employedLaborers: 2,
	employmentRate: 1,
	laborHouseholds: 1,
	laborHouseholdsEmployed: 1,
	zeroEmploymentHouseholds: 0,
	elderly: 1,
	children: 0
};
const registerA = {
	settlements: 2,
	households: 5,
	people: 13,
	laborers: 5,
	employedLaborers: 2,
	employmentRate: 0.4,
	laborHouseholds: 4,
	laborHouseholdsEmployed: 2,
	zeroEmploymentHouseholds: 2,
	elderly: 3,
	children: 3
};

describe('figuresOf a point', () => {
	it('counts point A1 by hand, capability by capability', async () => {
		const f = await figuresOf(scopeA1, M, now);
		expect(f.month).toBe(M);
		expect(f.today).toBe(today);
		expect(f.register).toEqual(registerA1);
		expect(f.services).toEqual({
			open: 4, // submitted, accepted, waiting_resident, in_progress
			overdue: 2, // accepted and in_progress past due; waiting on the resident does not count
			filedInMonth: 5,
			doneInMonth: 3, // 2, 4 and 9 days
			medianDaysToDone: 4,
			ratings: 2,
			averageRating: 4.5
		});
		expect(f.activities.byMonth).toHaveLength(12);
		expect(f.activities.byMonth[0].month).toBe(monthsEnding(M)[0]);
		expect(f.activities.byMonth.at(-1)).toEqual({ month: M, activities: 3, participants: 42 });
		expect(f.activities.byMonth.at(-2)).toEqual({ month: P, activities: 3, participants: 40 });
		expect(f.activities.byMonth.slice(0, -2).every((m) => m.activities === 0)).toBe(true);
		expect(f.activities.byKind).toEqual([
			{ kind: 'culture_sports', activities: 2, participants: 30 },
			{ kind: 'volunteer', activities: 1, participants: 12 }
		]);
		expect(f.visits).toEqual({
			inMonth: 2,
			onTime: 1,
			onTimeRate: 0.5,
			targets: 2, // the ended one is not a target any more
			overdueTargets: 1
		});
		expect(sortFlags(f.risks.byCategoryAndStatus)).toEqual([
			{ category: 'serious_illness', status: 'reported', n: 1 },
			{ category: 'serious_illness', status: 'verified', n: 1 },
			{ category: 'unemployment', status: 'closed', n: 1 },
			{ category: 'unemployment', status: 'reported', n: 1 }
		]);
		expect(f.risks.reportedInMonth).toBe(3);
		expect(f.risks.unverifiedOverdue).toBe(1);
		expect(f.charity).toEqual({
			needsOpen: 1,
			needsFunded: 2, // funded and delivered
			needsPending: 1,
			moneyNeededFen: 150_000, // money needs published, funded or delivered
			moneyPledgedFen: 80_000,
			moneyInFen: 20_000, // the donation given for its need; the fund's other money is not the point's
			moneyOutFen: 50_000
		});
		expect(f.points).toEqual({ issued: 18, deducted: 4, redeemed: 6 });
	});

	it('counts point A2 and B1 on their own', async () => {
		const a2 = await figuresOf(scopeA2, M, now);
		expect(a2.register).toEqual(registerA2);
		expect(a2.services).toEqual({
			open: 1,
			overdue: 1,
			filedInMonth: 2,
			doneInMonth: 1,
			medianDaysToDone: 6,
			ratings: 1,
			averageRating: 3
		});
		expect(a2.activities.byMonth.at(-1)).toEqual({ month: M, activities: 1, participants: 8 });
		expect(a2.visits).toEqual({
			inMonth: 1,
			onTime: 1,
			onTimeRate: 1,
			targets: 1,
			overdueTargets: 1
		});
		expect(a2.risks).toEqual({
			byCategoryAndStatus: [{ category: 'accident', status: 'assisted', n: 1 }],
			reportedInMonth: 1,
			unverifiedOverdue: 0
		});
		expect(a2.charity).toMatchObject({ needsOpen: 1, moneyNeededFen: 10_000, moneyOutFen: 7_000 });
		expect(a2.points).toEqual({ issued: 7, deducted: 0, redeemed: 0 });

		const b1 = await figuresOf(scopeB1, M, now);
		expect(b1.register).toEqual(registerB1);
		expect(b1.services).toMatchObject({ open: 1, overdue: 0, doneInMonth: 1, medianDaysToDone: 1 });
		expect(b1.visits).toMatchObject({ inMonth: 1, onTime: 0, onTimeRate: 0, overdueTargets: 1 });
		expect(b1.charity).toMatchObject({ needsFunded: 1, moneyInFen: 0, moneyOutFen: 40_000 });
		expect(b1.points).toEqual({ issued: 20, deducted: 0, redeemed: 0 });
	});

	it('counts the month before from its own rows', async () => {
		const f = await figuresOf(scopeA1, P, now);
		expect(f.register).toEqual(registerA1); // the register is as it stands today
		expect(f.services).toMatchObject({
			filedInMonth: 4,
			doneInMonth: 1,
			medianDaysToDone: 2,
			ratings: 1,
			averageRating: 2
		});
		expect(f.activities.byMonth.at(-1)).toEqual({ month: P, activities: 3, participants: 40 });
		expect(f.activities.byKind).toEqual([
			{ kind: 'culture_sports', activities: 3, participants: 40 }
		]);
		expect(f.visits).toMatchObject({ inMonth: 1, onTime: 1 });
		expect(f.risks.reportedInMonth).toBe(1);
		expect(f.charity).toMatchObject({ moneyInFen: 0, moneyOutFen: 0 });
		expect(f.points).toEqual({ issued: 0, deducted: 0, redeemed: 0 });
	});

	it('gives null, not 0, for a median or an average of nothing', async () => {
		const f = await figuresOf(scopeB1, monthsEnding(M, 24)[0], now);
		expect(f.services).toMatchObject({
			doneInMonth: 0,
			medianDaysToDone: null,
			ratings: 0,
			averageRating: null
		});
		expect(f.visits.onTimeRate).toBeNull();
	});
});

describe('figuresOf a county', () => {
	it('sums its points and leaves the other county out', async () => {
		expect(scopeA).toEqual({ kind: 'region', regionPath: countyA.path, name: countyA.name });
		const f = await figuresOf(scopeA, M, now);
		expect(f.register).toEqual(registerA);
		expect(f.services).toEqual({
			open: 5,
			overdue: 3,
			filedInMonth: 7,
			doneInMonth: 4, // 2, 4, 9 and 6 days
			medianDaysToDone: 5,
			ratings: 3,
			averageRating: 4
		});
		expect(f.activities.byMonth.at(-1)).toEqual({ month: M, activities: 4, participants: 50 });
		expect(f.activities.byKind).toEqual([
			{ kind: 'culture_sports', activities: 3, participants: 38 },
			{ kind: 'volunteer', activities: 1, participants: 12 }
		]);
		expect(f.visits).toEqual({
			inMonth: 3,
			onTime: 2,
			onTimeRate: 2 / 3,
			targets: 3,
			overdueTargets: 2
		});
		expect(sortFlags(f.risks.byCategoryAndStatus)).toEqual([
			{ category: 'accident', status: 'assisted', n: 1 },
			{ category: 'serious_illness', status: 'reported', n: 1 },
			{ category: 'serious_illness', status: 'verified', n: 1 },
			{ category: 'unemployment', status: 'closed', n: 1 },
			{ category: 'unemployment', status: 'reported', n: 1 }
		]);
		expect(f.risks.reportedInMonth).toBe(4);
		expect(f.risks.unverifiedOverdue).toBe(1);
		expect(f.charity).toEqual({
			needsOpen: 2,
			needsFunded: 2,
			needsPending: 1,
			moneyNeededFen: 160_000,
			moneyPledgedFen: 80_000,
			// the county's organisations' funds: all their money in and out in the month
			moneyInFen: 520_000,
			moneyOutFen: 57_000
		});
		expect(f.points).toEqual({ issued: 25, deducted: 4, redeemed: 6 });
	});

	it('counts county B from its own point only', async () => {
		const f = await figuresOf(scopeB, M, now);
		expect(f.register).toEqual(registerB1);
		expect(f.services).toMatchObject({ open: 1, overdue: 0, filedInMonth: 2, doneInMonth: 1 });
		expect(f.activities.byKind).toEqual([
			{ kind: 'skills_training', activities: 4, participants: 44 }
		]);
		expect(f.risks).toEqual({
			byCategoryAndStatus: [{ category: 'disaster', status: 'reported', n: 1 }],
			reportedInMonth: 0,
			unverifiedOverdue: 1
		});
		expect(f.charity).toMatchObject({ moneyInFen: 300_000, moneyOutFen: 40_000 });
		expect(f.points).toEqual({ issued: 20, deducted: 0, redeemed: 0 });
	});

	it('counts a township by its points only', async () => {
		const township = await regionScope(civilA, townA.id);
		expect(township).toEqual({ kind: 'region', regionPath: townA.path, name: townA.name });
		const f = await figuresOf(township, M, now);
		expect(f.register).toEqual(registerA2);
		expect(f.points).toEqual({ issued: 7, deducted: 0, redeemed: 0 });
	});

	it('counts the country as the two counties together for the system admin', async () => {
		const country = await regionScope(admin);
		expect(country).toEqual({ kind: 'region', regionPath: '/', name: '全国' });
		const f = await figuresOf(country, M, now);
		expect(f.register).toMatchObject({
			settlements: 3,
			households: registerA.households + registerB1.households,
			people: registerA.people + registerB1.people,
			laborers: 7,
			employedLaborers: 4,
			employmentRate: 4 / 7
		});
		expect(f.services).toMatchObject({ open: 6, overdue: 3, doneInMonth: 5, ratings: 4 });
		expect(f.charity).toMatchObject({ moneyInFen: 820_000, moneyOutFen: 97_000 });
		expect(f.points).toEqual({ issued: 45, deducted: 4, redeemed: 6 });
	});
});

describe('settlementRows', () => {
	const rowA1 = () => ({
		...registerA1,
		settlementId: A1.id,
		name: A1.name,
		openRequests: 4,
		participants: 42,
		pointsIssued: 18,
		openFlags: 3 // not the closed one
	});
	const rowA2 = () => ({
		...registerA2,
		settlementId: A2.id,
		name: A2.name,
		openRequests: 1,
		participants: 8,
		pointsIssued: 7,
		openFlags: 1
	});

	it('gives one row per point of the county, by name, none of the other county', async () => {
		const rows = await settlementRows(civilA, scopeA, M);
		expect(rows).toEqual([rowA1(), rowA2()]);
		expect(await settlementRows(chiefA, await regionScope(chiefA), M)).toEqual(rows);
	});

	it('gives the points of both counties for the city, and the month’s own participants', async () => {
		const city = await regionScope(admin, countyA.city.id);
		const rows = await settlementRows(admin, city, M);
		expect(rows.map((r) => r.settlementId)).toEqual([A1.id, A2.id, B1.id]);
		expect(rows[2]).toEqual({
			...registerB1,
			settlementId: B1.id,
			name: B1.name,
			openRequests: 1,
			participants: 44,
			pointsIssued: 20,
			openFlags: 1
		});
		const before = await settlementRows(admin, city, P);
		expect(before.map((r) => [r.participants, r.pointsIssued])).toEqual([
			[40, 0],
			[0, 0],
			[0, 0]
		]);
	});

	it('has no rows for a point scope', async () => {
		expect(
			await settlementRows(pointChiefA1, await settlementScope(pointChiefA1, A1.id), M)
		).toEqual([]);
	});
});

describe('breakdownOf', () => {
	it('lists a county’s points, as settlementRows does', async () => {
		const b = await breakdownOf(civilA, scopeA, M);
		expect(b.by).toBe('settlement');
		expect(b.rows).toEqual(
			(await settlementRows(civilA, scopeA, M)).map(({ settlementId, ...r }) => ({
				...r,
				id: settlementId
			}))
		);
	});

	it('gives a city one row per county, summed from its points', async () => {
		const city = await regionScope(admin, countyA.city.id);
		const b = await breakdownOf(admin, city, M);
		expect(b.by).toBe('region');
		expect(b.rows.map((r) => [r.id, r.name])).toEqual([
			[countyA.id, countyA.name],
			[countyB.id, countyB.name]
		]);
		expect(b.rows[0]).toEqual({
			...registerA,
			id: countyA.id,
			name: countyA.name,
			openRequests: 5, // 4 at A1 and 1 at A2
			participants: 50, // 42 + 8
			pointsIssued: 25, // 18 + 7
			openFlags: 4 // 3 + 1
		});
		expect(b.rows[1]).toEqual({
			...registerB1,
			id: countyB.id,
			name: countyB.name,
			openRequests: 1,
			participants: 44,
			pointsIssued: 20,
			openFlags: 1
		});
		// the month before: only A1 had participants
		const before = await breakdownOf(admin, city, P);
		expect(before.rows.map((r) => [r.participants, r.pointsIssued])).toEqual([
			[40, 0],
			[0, 0]
		]);
	});

	it('gives the province one row for its city, and nothing for a point scope', async () => {
		const [province] = await db()
			.select()
			.from(schema.region)
			.where(eq(schema.region.id, countyA.city.parentId!));
		const b = await breakdownOf(admin, await regionScope(admin, province.id), M);
		expect(b).toMatchObject({ by: 'region', rows: [{ id: countyA.city.id, settlements: 3 }] });
		expect(b.rows[0].households).toBe(registerA.households + registerB1.households);
		expect(await breakdownOf(pointChiefA1, await settlementScope(pointChiefA1, A1.id), M)).toEqual({
			by: 'settlement',
			rows: []
		});
	});
});

describe('access', () => {
	it('regionScope: 404 for point staff, residents and organisations', async () => {
		for (const actor of [pointChiefA1, workerA1, residentA1, orgMember]) {
			expect(await httpStatus(regionScope(actor))).toBe(404);
			expect(await httpStatus(regionScope(actor, countyA.id))).toBe(404);
		}
	});

	it('regionScope: a region inside the actor’s reach only', async () => {
		expect(await httpStatus(regionScope(civilA, countyB.id))).toBe(404);
		expect(await httpStatus(regionScope(chiefA, countyA.city.id))).toBe(404);
		expect(await httpStatus(regionScope(civilA, 'not-a-uuid'))).toBe(404);
		expect(await httpStatus(regionScope(admin, '-'.repeat(36)))).toBe(404);
		expect(await httpStatus(regionScope(admin, crypto.randomUUID()))).toBe(404);
		expect(await regionScope(chiefA, countyA.id)).toEqual(scopeA);
		expect(await regionScope(admin, countyA.id)).toEqual(scopeA);
	});

	it('settlementScope: 404 for another county’s point, another point, residents and bad ids', async () => {
		expect(await httpStatus(settlementScope(civilA, B1.id))).toBe(404);
		expect(await httpStatus(settlementScope(chiefA, B1.id))).toBe(404);
		expect(await httpStatus(settlementScope(pointChiefA1, A2.id))).toBe(404);
		expect(await httpStatus(settlementScope(workerA1, B1.id))).toBe(404);
		expect(await httpStatus(settlementScope(residentA1, A1.id))).toBe(404);
		expect(await httpStatus(settlementScope(orgMember, A1.id))).toBe(404);
		expect(await httpStatus(settlementScope(admin, 'x'.repeat(36)))).toBe(404);
		expect(await httpStatus(settlementScope(admin, '-'.repeat(36)))).toBe(404);
		expect(await httpStatus(settlementScope(admin, crypto.randomUUID()))).toBe(404);
		expect(await settlementScope(pointChiefA1, A1.id)).toEqual(scopeA1);
		expect(await settlementScope(workerA1, A1.id)).toEqual({
			kind: 'settlement',
			settlementId: A1.id,
			regionPath: countyA.path,
			name: A1.name
		});
		expect(await settlementScope(chiefA, A2.id)).toEqual(scopeA2);
	});
});

describe('kept register figures', () => {
	let county: County;
	let C1: Settlement;
	let C2: Settlement;
	let home: Awaited<ReturnType<typeof household>>;
	let scopeC1: FigureScope;
	let scopeC: FigureScope;
	const stat = async (s: Settlement) => {
		const [row] = await db()
			.select()
			.from(schema.settlementStat)
			.where(eq(schema.settlementStat.settlementId, s.id));
		return row;
	};

	beforeAll(async () => {
		county = await createCounty();
		C1 = await createSettlement(county);
		C2 = await createSettlement(county);
		home = await household(C1, [{ age: 30, labor: '普通劳动力', work: '务工' }, { age: 65 }]);
		await household(C2, [{ age: 8, work: '在校学生' }]);
		scopeC1 = await settlementScope(admin, C1.id);
		scopeC = await regionScope(admin, county.id);
	});

	it('a new point has its row, dirty until first counted', async () => {
		const row = await stat(C1);
		expect(row).toMatchObject({ regionPath: county.path, dirty: true, countedOn: null });
		expect(await registerFigures(scopeC1, today)).toMatchObject({
			households: 1,
			people: 2,
			laborers: 1,
			elderly: 1
		});
		expect(await stat(C1)).toMatchObject({ dirty: false, countedOn: today, people: 2 });
	});

	it('a register change marks its point dirty and the next read counts again', async () => {
		await registerFigures(scopeC, today);
		expect((await stat(C2)).dirty).toBe(false);

		// a member added
		const [added] = await db()
			.insert(schema.resident)
			.values({
				householdId: home.id,
				name: '新成员',
				relation: '子',
				idNumber: makeIdNumber('110101', bornYearsAgo(12), 7, 'male'),
				gender: 'male',
				birthDate: bornYearsAgo(12)
			})
			.returning();
		expect((await stat(C1)).dirty).toBe(true);
		expect((await stat(C2)).dirty).toBe(false); // the other point is not touched
		expect(await registerFigures(scopeC1, today)).toMatchObject({ people: 3, children: 1 });
		expect((await stat(C1)).dirty).toBe(false);

		// a member moved out
		await db()
			.update(schema.resident)
			.set({ status: 'moved_out' })
			.where(eq(schema.resident.id, home.members[0].id));
		expect((await stat(C1)).dirty).toBe(true);
		expect(await registerFigures(scopeC1, today)).toMatchObject({
			people: 2,
			laborers: 0,
			employmentRate: null
		});

		// a member deleted (a mistaken entry)
		await db().delete(schema.resident).where(eq(schema.resident.id, added.id));
		expect(await registerFigures(scopeC1, today)).toMatchObject({ people: 1, children: 0 });

		// the household moved to the other point: both counted again
		await db()
			.update(schema.household)
			.set({ settlementId: C2.id })
			.where(eq(schema.household.id, home.id));
		expect((await stat(C1)).dirty).toBe(true);
		expect((await stat(C2)).dirty).toBe(true);
		expect(await registerFigures(scopeC, today)).toMatchObject({
			settlements: 2,
			households: 2,
			people: 2
		});
		expect(await stat(C1)).toMatchObject({ dirty: false, households: 0, people: 0 });
		expect(await stat(C2)).toMatchObject({ dirty: false, households: 2, people: 2 });

		// and back, moved out as a whole
		await db()
			.update(schema.household)
			.set({ settlementId: C1.id, status: 'moved_out' })
			.where(eq(schema.household.id, home.id));
		expect((await registerFigures(scopeC1, today)).households).toBe(0);
		expect((await registerFigures(scopeC, today)).households).toBe(1);
	});

	it('a row counted yesterday is counted again today; the same day it is read as kept', async () => {
		await registerFigures(scopeC, today);
		const yesterday = shiftDay(today, -1);
		// as if counted yesterday, with figures that are no longer right
		await db()
			.update(schema.settlementStat)
			.set({ countedOn: yesterday, households: 999, dirty: false })
			.where(eq(schema.settlementStat.settlementId, C2.id));
		// read on the day it was counted: the kept row, as it is
		const scopeC2 = await settlementScope(admin, C2.id);
		expect((await registerFigures(scopeC2, yesterday)).households).toBe(999);
		// read the next day: counted again
		expect((await registerFigures(scopeC, today)).households).toBe(1);
		expect(await stat(C2)).toMatchObject({ countedOn: today, households: 1, dirty: false });
		expect(await refreshStats(scopeC, today)).toBe(0);
		expect(await refreshStats(scopeC, shiftDay(today, 1))).toBe(2);
	});

	it('a read of one county counts again only that county’s stale points', async () => {
		await db()
			.update(schema.settlementStat)
			.set({ dirty: true })
			.where(inArray(schema.settlementStat.settlementId, [B1.id, C1.id]));
		await registerFigures(scopeA, today);
		expect((await stat(B1)).dirty).toBe(true);
		expect((await stat(C1)).dirty).toBe(true);
		await registerFigures(scopeC, today);
		expect((await stat(C1)).dirty).toBe(false);
		expect((await stat(B1)).dirty).toBe(true);
		// everything stale, everywhere, in one call
		expect(await refreshStats(null, today)).toBeGreaterThanOrEqual(1);
		expect((await stat(B1)).dirty).toBe(false);
		expect(await refreshStats(null, today)).toBe(0);
	});

	it('the timer’s recount goes through every stale point in small batches', async () => {
		const all = await db()
			.select({ id: schema.settlementStat.settlementId })
			.from(schema.settlementStat);
		expect(all.length).toBeGreaterThan(2);
		// the next day every point is stale: batches of two until none is left
		const tomorrow = shiftDay(today, 1);
		expect(await recountStale(tomorrow, 2)).toBe(all.length);
		expect(await recountStale(tomorrow, 2)).toBe(0);
		const kept = await db()
			.select({ on: schema.settlementStat.countedOn, dirty: schema.settlementStat.dirty })
			.from(schema.settlementStat);
		expect(kept.every((r) => r.on === tomorrow && !r.dirty)).toBe(true);
		// and back to today, so the tests after this one read today's figures
		expect(await recountStale(today)).toBe(all.length);
	});
});

function sortFlags<T extends { category: string; status: string }>(rows: T[]): T[] {
	return [...rows].sort((a, b) =>
		a.category === b.category
			? a.status.localeCompare(b.status)
			: a.category.localeCompare(b.category)
	);
}

function shiftDay(day: string, days: number): string {
	const d = new Date(`${day}T00:00:00Z`);
	d.setUTCDate(d.getUTCDate() + days);
	return d.toISOString().slice(0, 10);
}
