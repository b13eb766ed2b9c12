import { isHttpError } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCategory,
	createCounty,
	createFund,
	createNeed,
	createOrganization,
	createServiceRequest,
	createSettlement,
	createUser,
	householdInput,
	memberInput,
	type County,
	type Settlement
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { recordDisbursement, recordDonation } from '../charity/funds';
import { db, schema } from '../db';
import { addMember, createHousehold } from '../settlements/households';
import {
	periodLabel,
	periodMonths,
	reportFileName,
	reportPack,
	reportPeriod,
	reportSheets,
	reportWorkbook,
	sheetNames,
	type ReportPack
} from './report';

useTestDatabase();

// Two points in county A and one in county B, each capability's rows written in 2025 on days
// counted by hand below. The month asked for is 2025-05; its quarter is April–June.
let countyA: County;
let countyB: County;
let a1: Settlement;
let a2: Settlement;
let b1: Settlement;
let admin: Actor;
let zong: Actor;
let chief: Actor;
const heads: string[] = [];
const idNumbers: string[] = [];
const households: Record<string, { id: string; settlementId: string; regionPath: string }> = {};

const at = (s: string) => new Date(`${s}+08:00`);

async function household(
	key: string,
	s: Settlement,
	head: Parameters<typeof householdInput>[0],
	more: Parameters<typeof memberInput>[0][] = []
) {
	const input = householdInput(head);
	const made = await createHousehold(admin, s.id, input);
	if (!made.ok) throw new Error(made.reason);
	heads.push(input.name);
	idNumbers.push(input.idNumber);
	for (const m of more) {
		const member = memberInput(m);
		idNumbers.push(member.idNumber);
		const added = await addMember(admin, made.id, member);
		if (!added.ok) throw new Error(added.reason);
	}
	households[key] = { id: made.id, settlementId: s.id, regionPath: s.regionPath };
	return made.id;
}

beforeAll(async () => {
	countyA = await createCounty();
	countyB = await createCounty(countyA.city);
	a1 = await createSettlement(countyA, { name: '甲一安置点' });
	a2 = await createSettlement(countyA, { name: '甲二安置点' });
	b1 = await createSettlement(countyB, { name: '乙县安置点' });
	admin = (await createUser({ grants: [{ role: 'system_admin' }] })).actor;
	zong = (await createUser({ grants: [{ role: 'chief_of_points', on: countyA }] })).actor;
	chief = (await createUser({ grants: [{ role: 'point_chief', on: a1 }] })).actor;

	// register: A has 3 households, 5 people, 3 labourers of whom 2 employed, 1 zero-employment
	// household, 1 elderly, 1 child
	await household('h1', a1, { age: 40, employment: '务工' }, [
		{ age: 70, relation: '父亲', laborAbility: '无劳动能力', employment: '退休或无需就业' },
		{
			age: 8,
			relation: '子',
			laborAbility: '无劳动能力',
			employment: '在校学生',
			schooling: '小学'
		}
	]);
	await household('h2', a1, { age: 35, employment: '未就业' });
	await household('h3', a2, { age: 50, employment: '务工' });
	await household('h4', b1, { age: 30, employment: '务工' });

	// services
	const category = await createCategory(countyA.city);
	const request = (
		key: string,
		submitted: string,
		input: Partial<typeof schema.serviceRequest.$inferInsert>
	) =>
		createServiceRequest(households[key], category, admin, {
			submittedAt: at(submitted),
			dueOn: '2099-01-01',
			...input
		});
	await request('h1', '2025-04-10T10:00:00', {
		status: 'done',
		closedAt: at('2025-04-14T10:00:00'),
		rating: 5
	});
	await request('h3', '2025-05-05T09:00:00', {
		status: 'done',
		closedAt: at('2025-05-15T09:00:00'),
		rating: 3
	});
	await request('h1', '2025-05-20T09:00:00', { status: 'in_progress', dueOn: '2025-06-01' });
	await request('h2', '2025-02-01T09:00:00', {
		status: 'done',
		closedAt: at('2025-02-03T09:00:00')
	});
	await request('h4', '2025-05-10T09:00:00', {
		status: 'done',
		closedAt: at('2025-05-12T09:00:00'),
		rating: 1
	});
	await request('h1', '2024-12-20T09:00:00', {
		status: 'done',
		closedAt: at('2024-12-21T09:00:00')
	});

	// activities, as the activities capability keeps them
	const tally = (s: Settlement, month: string, kind: string, activities: number, n: number) => ({
		settlementId: s.id,
		regionPath: s.regionPath,
		month,
		kind: kind as 'culture_sports',
		activities,
		participants: n
	});
	await db()
		.insert(schema.activityTally)
		.values([
			tally(a1, '2025-04', 'culture_sports', 2, 30),
			tally(a1, '2025-05', 'volunteer', 1, 12),
			tally(a2, '2025-05', 'culture_sports', 1, 8),
			tally(a2, '2025-06', 'skills_training', 3, 40),
			tally(a1, '2025-01', 'culture_sports', 1, 5),
			tally(b1, '2025-05', 'culture_sports', 5, 100)
		]);

	// care visits: two targets in A (one overdue now), three visits in the quarter
	const member = async (householdId: string) =>
		(
			await db()
				.select({ id: schema.resident.id })
				.from(schema.resident)
				.where(sql`${schema.resident.householdId} = ${householdId}`)
				.limit(1)
		)[0].id;
	const target = async (key: string, nextDueOn: string) => {
		const h = households[key];
		const [row] = await db()
			.insert(schema.careTarget)
			.values({
				settlementId: h.settlementId,
				regionPath: h.regionPath,
				residentId: await member(h.id),
				householdId: h.id,
				group: 'living_alone_elderly',
				intervalDays: 30,
				since: '2025-01-01',
				nextDueOn
			})
			.returning();
		return row;
	};
	const t1 = await target('h1', '2025-01-01');
	const t2 = await target('h3', '2099-01-01');
	const tb = await target('h4', '2025-01-01');
	const visit = (t: typeof t1, visitedOn: string, onTime: boolean) => ({
		targetId: t.id,
		settlementId: t.settlementId,
		regionPath: t.regionPath,
		residentId: t.residentId,
		householdId: t.householdId,
		visitedOn,
		visitorId: admin.id,
		visitorName: '走访员',
		mode: 'home' as const,
		wellbeing: 'well' as const,
		findings: '情况良好',
		onTime
	});
	await db()
		.insert(schema.careVisit)
		.values([
			visit(t1, '2025-05-03', true),
			visit(t1, '2025-05-20', false),
			visit(t2, '2025-06-10', true),
			visit(tb, '2025-05-11', true)
		]);

	// risk flags: one reported in May still unverified past its day, one closed in April; one in B
	const flag = (
		key: string,
		category: 'unemployment' | 'serious_illness',
		reported: string,
		status: 'reported' | 'closed'
	) => {
		const h = households[key];
		return {
			settlementId: h.settlementId,
			regionPath: h.regionPath,
			householdId: h.id,
			category,
			description: '测试',
			source: 'discovery' as const,
			foundAt: at(reported),
			reportedAt: at(reported),
			status,
			verifyDueAt: new Date(at(reported).getTime() + 48 * 3600_000)
		};
	};
	await db()
		.insert(schema.riskFlag)
		.values([
			flag('h2', 'unemployment', '2025-05-08T10:00:00', 'reported'),
			flag('h3', 'serious_illness', '2025-04-02T10:00:00', 'closed'),
			flag('h4', 'unemployment', '2025-05-09T10:00:00', 'reported')
		]);

	// charity: a published need (1,000 yuan) and a pending one in A; 5,000 yuan in during May
	// and 1,200 out in June to A's need; 700 in to B's organisation in May
	const need = await createNeed(households.h1, admin);
	await createNeed(households.h3, admin, { status: 'pending' });
	const orgA = await createOrganization(countyA);
	const fundA = await createFund(orgA, { startsOn: '2024-01-01' });
	const orgB = await createOrganization(countyB);
	const fundB = await createFund(orgB, { startsOn: '2024-01-01' });
	const money = [
		await recordDonation(admin, fundA.id, {
			amount: 500_000,
			counterparty: '',
			anonymous: true,
			occurredOn: '2025-05-06',
			memo: '捐赠款',
			idempotencyKey: 'r1'
		}),
		await recordDisbursement(admin, fundA.id, {
			amount: 120_000,
			needId: need.id,
			occurredOn: '2025-06-02',
			memo: '医疗救助',
			idempotencyKey: 'r2'
		}),
		await recordDonation(admin, fundB.id, {
			amount: 70_000,
			counterparty: '',
			anonymous: true,
			occurredOn: '2025-05-07',
			memo: '捐赠款',
			idempotencyKey: 'r3'
		})
	];
	for (const r of money) if (!r.ok) throw new Error(r.reason);

	// points: h1 earns 10 (May) and 5 (June), loses 2 (May), spends 6 (June); h3 earns 7 (April)
	await db().transaction(async (tx) => {
		const entry = (key: string, delta: number, source: string, when: string) => ({
			settlementId: households[key].settlementId,
			regionPath: households[key].regionPath,
			householdId: households[key].id,
			delta,
			source: source as 'award',
			reason: '测试',
			createdAt: at(when)
		});
		await tx.insert(schema.pointsAccount).values([
			{ householdId: households.h1.id, settlementId: a1.id, balance: 7, earned: 15, spent: 6 },
			{ householdId: households.h3.id, settlementId: a2.id, balance: 7, earned: 7, spent: 0 }
		]);
		await tx
			.insert(schema.pointsEntry)
			.values([
				entry('h1', 10, 'award', '2025-05-04T10:00:00'),
				entry('h1', -2, 'deduct', '2025-05-25T10:00:00'),
				entry('h1', 5, 'award', '2025-06-04T10:00:00'),
				entry('h1', -6, 'redeem', '2025-06-20T10:00:00'),
				entry('h3', 7, 'award', '2025-04-15T10:00:00')
			]);
	});
});

/** Every sheet's rows as plain values, the first column's words as keys. */
async function readBack(file: Buffer) {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(new Uint8Array(file).buffer);
	const sheets = new Map<string, ExcelJS.CellValue[][]>();
	for (const sheet of workbook.worksheets) {
		const rows: ExcelJS.CellValue[][] = [];
		sheet.eachRow((row) => rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
		sheets.set(sheet.name, rows);
	}
	const value = (sheet: string, label: string) => {
		const row = sheets.get(sheet)?.find((r) => r[0] === label);
		if (!row) throw new Error(`no row ${label} in ${sheet}`);
		return row[1];
	};
	return { names: workbook.worksheets.map((s) => s.name), sheets, value };
}

describe('periods', () => {
	it('takes the month, its quarter or its year, never months to come', () => {
		expect(periodMonths('month', '2025-05')).toEqual(['2025-05']);
		expect(periodMonths('quarter', '2025-05', '2026-01')).toEqual([
			'2025-04',
			'2025-05',
			'2025-06'
		]);
		expect(periodMonths('quarter', '2025-12', '2026-01')).toEqual([
			'2025-10',
			'2025-11',
			'2025-12'
		]);
		expect(periodMonths('quarter', '2026-01', '2026-02')).toEqual(['2026-01', '2026-02']);
		expect(periodMonths('year', '2025-05', '2026-01')).toHaveLength(12);
		expect(periodMonths('year', '2026-03', '2026-03')).toEqual(['2026-01', '2026-02', '2026-03']);
		expect(periodLabel('quarter', '2025-05', 'zh-CN')).toBe('2025年第2季度');
		expect(periodLabel('month', '2025-05', 'zh-CN')).toBe('2025年5月');
		expect(periodLabel('year', '2025-05', 'zh-CN')).toBe('2025年');
	});

	it('falls back to this monthly report for a bad or future period', () => {
		const now = new Date('2026-03-15T04:00:00Z');
		expect(reportPeriod({ period: 'decade', month: '2026-13' }, now)).toEqual({
			period: 'month',
			month: '2026-03',
			thisMonth: '2026-03'
		});
		expect(reportPeriod({ period: 'year', month: '2027-01' }, now).month).toBe('2026-03');
		expect(reportPeriod({ period: 'quarter', month: '2025-05' }, now)).toMatchObject({
			period: 'quarter',
			month: '2025-05'
		});
	});
});

// the county's quarter and year, read once for the tests below
let quarter: ReportPack;
let year: ReportPack;
beforeAll(async () => {
	quarter = await reportPack(zong, { period: 'quarter', month: '2025-05' });
	year = await reportPack(zong, { period: 'year', month: '2025-05' });
});

describe('reportPack', () => {
	it('sums the flows of the month, the quarter and the year, by hand', async () => {
		const month = await reportPack(zong, { period: 'month', month: '2025-05' });
		expect(month.months).toEqual(['2025-05']);
		expect(month.services).toMatchObject({
			filed: 2,
			done: 1,
			medianDaysToDone: 10,
			ratings: 1,
			averageRating: 3
		});
		expect(month.activities).toMatchObject({ activities: 2, participants: 20 });
		expect(month.visits).toMatchObject({ visits: 2, onTime: 1, onTimeRate: 0.5 });
		expect(month.risks.reported).toBe(1);
		expect(month.charity).toMatchObject({ moneyInFen: 500_000, moneyOutFen: 0 });
		expect(month.points).toEqual({ issued: 10, deducted: 2, redeemed: 0 });

		expect(quarter.months).toEqual(['2025-04', '2025-05', '2025-06']);
		expect(quarter.services).toMatchObject({
			filed: 3,
			done: 2,
			medianDaysToDone: 7,
			ratings: 2,
			averageRating: 4
		});
		expect(quarter.activities.activities).toBe(7);
		expect(quarter.activities.participants).toBe(90);
		expect(quarter.activities.byMonth).toEqual([
			{ month: '2025-04', activities: 2, participants: 30 },
			{ month: '2025-05', activities: 2, participants: 20 },
			{ month: '2025-06', activities: 3, participants: 40 }
		]);
		expect(quarter.activities.byKind).toEqual([
			{ kind: 'skills_training', activities: 3, participants: 40 },
			{ kind: 'culture_sports', activities: 3, participants: 38 },
			{ kind: 'volunteer', activities: 1, participants: 12 }
		]);
		expect(quarter.visits).toMatchObject({ visits: 3, onTime: 2, targets: 2, overdueTargets: 1 });
		expect(quarter.visits.onTimeRate).toBeCloseTo(2 / 3);
		expect(quarter.risks).toMatchObject({ reported: 2, open: 1, unverifiedOverdue: 1 });
		expect(quarter.charity).toEqual({
			needsPending: 1,
			needsOpen: 1,
			needsFunded: 0,
			moneyNeededFen: 100_000,
			moneyPledgedFen: 0,
			moneyInFen: 500_000,
			moneyOutFen: 120_000
		});
		expect(quarter.points).toEqual({ issued: 22, deducted: 2, redeemed: 6 });

		expect(year.months).toHaveLength(12);
		expect(year.services).toMatchObject({ filed: 4, done: 3, medianDaysToDone: 4 });
		expect(year.activities).toMatchObject({ activities: 8, participants: 95 });
	});

	it('gives the stocks as they stand: the register, open and overdue requests', () => {
		expect(quarter.register).toMatchObject({
			settlements: 2,
			households: 3,
			people: 5,
			laborers: 3,
			employedLaborers: 2,
			laborHouseholds: 3,
			laborHouseholdsEmployed: 2,
			zeroEmploymentHouseholds: 1,
			elderly: 1,
			children: 1
		});
		expect(quarter.register.employmentRate).toBeCloseTo(2 / 3);
		expect(quarter.services).toMatchObject({ open: 1, overdue: 1 });
	});

	it("lists the county's points with the period's participants and points, and no other county's", () => {
		expect(quarter.rows.map((r) => r.name)).toEqual(['甲一安置点', '甲二安置点']);
		expect(quarter.rows).toMatchObject([
			{ households: 2, participants: 42, pointsIssued: 15, openRequests: 1, openFlags: 1 },
			{ households: 1, participants: 48, pointsIssued: 7, openRequests: 0, openFlags: 0 }
		]);
	});

	it("gives a point's staff their point's report, and nothing wider", async () => {
		const point = await reportPack(chief, {
			period: 'quarter',
			month: '2025-05',
			settlement: a1.id
		});
		expect(point.scope).toMatchObject({ kind: 'settlement', settlementId: a1.id });
		expect(point.rows).toEqual([]);
		expect(point.register).toMatchObject({ households: 2, people: 4, laborers: 2 });
		expect(point.activities.participants).toBe(42);
		expect(point.charity).toMatchObject({ moneyInFen: 0, moneyOutFen: 120_000 });
		expect(point.points).toEqual({ issued: 15, deducted: 2, redeemed: 6 });
		expect(await httpStatus(reportPack(chief, { period: 'month' }))).toBe(404);
		expect(await httpStatus(reportPack(chief, { settlement: a2.id }))).toBe(404);
		expect(await httpStatus(reportPack(zong, { settlement: b1.id }))).toBe(404);
		expect(await httpStatus(reportPack(zong, { region: countyB.id }))).toBe(404);
		expect(await httpStatus(reportPack(zong, { settlement: 'not-a-uuid' }))).toBe(404);
	});

	it("lets the system admin pick a county, which then reads as that county's staff read it", async () => {
		const picked = await reportPack(admin, {
			period: 'quarter',
			month: '2025-05',
			region: countyA.id
		});
		expect(picked.scope).toMatchObject({ kind: 'region', regionPath: countyA.path });
		expect(picked.rows.map((r) => r.name)).toEqual(['甲一安置点', '甲二安置点']);
		expect(picked.points).toEqual(quarter.points);
		const b = await reportPack(admin, { period: 'quarter', month: '2025-05', region: countyB.id });
		expect(b.rows.map((r) => r.name)).toEqual(['乙县安置点']);
		expect(b.services).toMatchObject({ filed: 1, done: 1, averageRating: 1 });
		expect(b.charity.moneyInFen).toBe(70_000);
	});
});

describe('bad addresses', () => {
	it('answer 404 or fall back, never a 500', async () => {
		const junk = fc.oneof(
			fc.constant(null),
			fc.string({ unit: 'binary', maxLength: 60 }),
			fc.constantFrom('-'.repeat(36), 'ffffffff-ffff-ffff-ffff-fffffffffffg', '2025-00', '1999-12'),
			fc.uuid()
		);
		await fc.assert(
			fc.asyncProperty(
				fc.record({ period: junk, month: junk, region: junk, settlement: junk }),
				fc.constantFrom(zong, chief, admin),
				async (q, actor) => {
					try {
						const pack = await reportPack(actor, { ...q, period: q.period && 'x' + q.period });
						expect(pack.period).toBe('month');
						expect(pack.months).toHaveLength(1);
					} catch (e) {
						expect(isHttpError(e, 404)).toBe(true);
					}
				}
			),
			{ numRuns: 40 }
		);
		expect(await httpStatus(reportPack(zong, { settlement: '-'.repeat(36) }))).toBe(404);
		expect(await httpStatus(reportPack(admin, { region: '-'.repeat(36) }))).toBe(404);
	});
});

describe('the workbook', () => {
	it('has a sheet per capability and one of the points, with the hand-counted cells', async () => {
		const book = await readBack(await reportWorkbook(quarter));
		expect(book.names).toEqual([
			'概况',
			'户籍与就业',
			'办事服务',
			'活动',
			'关爱巡访',
			'监测预警',
			'慈善帮扶',
			'积分',
			'各安置点'
		]);
		expect(book.names).toEqual(Object.values(sheetNames));
		expect(book.value('概况', '期间')).toBe('2025年第2季度');
		expect(book.value('概况', '范围')).toBe(countyA.name);
		expect(book.value('户籍与就业', '搬迁户（户）')).toBe(3);
		expect(book.value('户籍与就业', '零就业家庭（户）')).toBe(1);
		expect(book.value('户籍与就业', '劳动力就业率')).toBeCloseTo(2 / 3);
		expect(book.value('办事服务', '受理申请（件）')).toBe(3);
		expect(book.value('办事服务', '办结用时中位数（天）')).toBe(7);
		expect(book.value('办事服务', '平均评分（星）')).toBe(4);
		expect(book.value('办事服务', '已超期申请（件）')).toBe(1);
		expect(book.value('活动', '参与人次')).toBe(90);
		expect(book.value('活动', '2025-06')).toBe(3);
		expect(book.value('活动', '技能培训')).toBe(3);
		expect(book.value('关爱巡访', '巡访（次）')).toBe(3);
		expect(book.value('监测预警', '报告风险户（户）')).toBe(2);
		expect(book.value('监测预警', '失业')).toBe(1);
		expect(book.value('慈善帮扶', '资金收入（元）')).toBe(5000);
		expect(book.value('慈善帮扶', '资金支出（元）')).toBe(1200);
		expect(book.value('慈善帮扶', '资金需求（元）')).toBe(1000);
		expect(book.value('积分', '发放积分')).toBe(22);
		expect(book.value('积分', '兑换积分')).toBe(6);
		const points = book.sheets.get('各安置点')!;
		const a1Row = points.find((r) => r[0] === '甲一安置点')!;
		expect(a1Row.slice(1, 3)).toEqual([2, 4]);
		expect(a1Row.slice(-2)).toEqual([42, 15]);
		expect(book.value('各安置点', '甲二安置点')).toBe(1);
	});

	it("holds no other county's point and no one's name or ID number", async () => {
		const book = await readBack(await reportWorkbook(year));
		const text = [...book.sheets.values()]
			.flat(2)
			.map((v) => String(v ?? ''))
			.join('\n');
		expect(text).toContain('甲一安置点');
		expect(text).not.toContain('乙县安置点');
		for (const name of heads) expect(text).not.toContain(name);
		for (const id of idNumbers) expect(text).not.toContain(id);
	});

	it("has no sheet of points in a point's workbook, and names the file in Chinese", async () => {
		const pack = await reportPack(chief, { period: 'month', month: '2025-05', settlement: a1.id });
		const book = await readBack(await reportWorkbook(pack));
		expect(book.names).toEqual(Object.values(sheetNames).slice(0, 8));
		expect(book.value('积分', '发放积分')).toBe(10);
		expect(reportFileName(pack)).toEqual({
			fileName: '甲一安置点2025年5月报表.xlsx',
			asciiFileName: 'anju-report-month-2025-05.xlsx'
		});
		// the page's tables are the same figures, in the reader's language
		const en = reportSheets(pack, 'en');
		expect(en.map((s) => s.key)).toEqual(reportSheets(pack, 'zh-CN').map((s) => s.key));
		expect(en[0].name).toBe('Overview');
	});
});
