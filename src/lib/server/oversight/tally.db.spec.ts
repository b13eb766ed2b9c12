import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestStatuses, type RequestStatus } from '$lib/services/workflow';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCategory,
	createCounty,
	createHousehold,
	createRegion,
	createSettlement,
	createUser,
	sequence,
	type County,
	type Household,
	type Member,
	type Region,
	type ServiceCategory,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema, type Executor } from '../db';
import { migrationsFolder } from '../db/migrate';
import { postPoints } from '../governance/shared';
import { rowsOf } from '../settlements/shared';
import { doneFigures, figuresOf, regionScope, settlementScope, tallySums } from './figures';

useTestDatabase();

// monthly_tally is kept by statement-level triggers (migration 0016). Every test here changes raw
// rows the way the app or a script could, then checks the kept rows against a count made afresh
// from the raw rows: once in SQL written here (Shanghai taken as a fixed UTC+8, not through the
// time zone database the triggers use), once in TypeScript from the rows as drizzle reads them.

type Point = {
	settlement: Settlement;
	household: Household & { members: Member[] };
	target: typeof schema.careTarget.$inferSelect;
};
type TallyRow = {
	settlementId: string;
	regionPath: string;
	month: string;
	measure: string;
	bucket: number;
	n: number;
};
type PointsSource = (typeof schema.pointsEntry.$inferInsert)['source'];

let county: County;
let staff: Actor;
let category: ServiceCategory;

/** An instant given as Shanghai wall-clock time, 'YYYY-MM-DDTHH:MM'. */
const sh = (wallClock: string) => new Date(`${wallClock}:00+08:00`);
const minutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);

beforeAll(async () => {
	county = await createCounty();
	staff = (await createUser({ grants: [{ role: 'system_admin' }] })).actor;
	category = await createCategory(county);
});

/** A new point with one household, one person in it and a care target for them. */
async function newPoint(region: Region = county): Promise<Point> {
	const settlement = await createSettlement(region);
	const household = await createHousehold(settlement, { members: 1 });
	const [target] = await db()
		.insert(schema.careTarget)
		.values({
			settlementId: settlement.id,
			regionPath: settlement.regionPath,
			residentId: household.members[0].id,
			householdId: household.id,
			group: 'living_alone_elderly',
			intervalDays: 30,
			since: '2025-01-01',
			nextDueOn: '2099-01-01'
		})
		.returning();
	return { settlement, household, target };
}

type RequestSpec = {
	point: Point;
	submittedAt: Date;
	status?: RequestStatus;
	closedAt?: Date | null;
	rating?: number | null;
};

/** Requests of any points, in one INSERT statement. */
async function fileRequests(specs: RequestSpec[]) {
	return db()
		.insert(schema.serviceRequest)
		.values(
			specs.map((s) => ({
				categoryId: category.id,
				householdId: s.point.household.id,
				settlementId: s.point.settlement.id,
				regionPath: s.point.settlement.regionPath,
				filedBy: staff.id,
				description: `测试申请${sequence()}`,
				dueOn: '2099-12-31',
				status: s.status ?? 'submitted',
				submittedAt: s.submittedAt,
				closedAt: s.closedAt ?? null,
				rating: s.rating ?? null
			}))
		)
		.returning();
}

async function updateRequests(
	ids: string[],
	set: Partial<typeof schema.serviceRequest.$inferInsert>
) {
	return db()
		.update(schema.serviceRequest)
		.set(set)
		.where(inArray(schema.serviceRequest.id, ids))
		.returning();
}

type VisitSpec = { point: Point; visitedOn: string; onTime: boolean };

/** Visits of any points, in one INSERT statement. */
async function fileVisits(specs: VisitSpec[], executor: Executor = db()) {
	return executor
		.insert(schema.careVisit)
		.values(
			specs.map((s) => ({
				targetId: s.point.target.id,
				settlementId: s.point.settlement.id,
				regionPath: s.point.settlement.regionPath,
				residentId: s.point.target.residentId,
				householdId: s.point.household.id,
				visitedOn: s.visitedOn,
				visitorId: staff.id,
				visitorName: '社工',
				mode: 'home' as const,
				wellbeing: 'well' as const,
				findings: '情况良好',
				onTime: s.onTime
			}))
		)
		.returning();
}

type EntrySpec = { point: Point; source: PointsSource; delta: number; createdAt?: Date };

/**
 * Points entries of any points in one INSERT statement, the households' balances moved with them
 * in the same transaction (the ledger must match its balances at commit).
 */
async function postEntries(specs: EntrySpec[]) {
	return db().transaction(async (tx) => {
		const households = new Map<string, { point: Point; sum: number }>();
		for (const s of specs) {
			const h = households.get(s.point.household.id) ?? { point: s.point, sum: 0 };
			h.sum += s.delta;
			households.set(s.point.household.id, h);
		}
		await tx
			.insert(schema.pointsAccount)
			.values(
				[...households.values()].map((h) => ({
					householdId: h.point.household.id,
					settlementId: h.point.settlement.id
				}))
			)
			.onConflictDoNothing();
		const rows = await tx
			.insert(schema.pointsEntry)
			.values(
				specs.map((s) => ({
					settlementId: s.point.settlement.id,
					regionPath: s.point.settlement.regionPath,
					householdId: s.point.household.id,
					delta: s.delta,
					source: s.source,
					reason: '测试',
					createdBy: staff.id,
					createdByName: '管理员',
					...(s.createdAt ? { createdAt: s.createdAt } : {})
				}))
			)
			.returning();
		for (const [householdId, h] of households)
			await tx
				.update(schema.pointsAccount)
				.set({ balance: sql`${schema.pointsAccount.balance} + ${h.sum}` })
				.where(eq(schema.pointsAccount.householdId, householdId));
		return rows;
	});
}

// ---------------------------------------------------------------- what is kept, and the recounts

const keyOf = (r: TallyRow) => `${r.settlementId}|${r.month}|${r.measure}|${r.bucket}`;
const byKey = (rows: TallyRow[]) =>
	[...rows].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));

/** The kept tally rows that count something. */
async function kept(executor: Executor = db()): Promise<TallyRow[]> {
	const rows = rowsOf<TallyRow>(
		await executor.execute(sql`
			select settlement_id::text as "settlementId", region_path as "regionPath", month, measure,
				bucket, n::int as n
			from monthly_tally where n <> 0`)
	);
	return byKey(rows.map((r) => ({ ...r, bucket: Number(r.bucket), n: Number(r.n) })));
}

/**
 * The tally counted in SQL straight from the raw rows, by the definitions: Shanghai wall-clock is
 * UTC + 8 hours (no daylight saving since 1991), so months and days are read off that.
 */
async function recount(executor: Executor = db()): Promise<TallyRow[]> {
	const rows = rowsOf<TallyRow>(
		await executor.execute(sql`
			with r as (
				select settlement_id, region_path, status, rating,
					(submitted_at at time zone 'UTC') + interval '8 hours' as filed,
					(closed_at at time zone 'UTC') + interval '8 hours' as closed
				from service_request
			), done as (
				select * from r where status = 'done' and closed is not null
			), p as (
				select settlement_id, region_path, source, delta,
					to_char((created_at at time zone 'UTC') + interval '8 hours', 'YYYY-MM') as month
				from points_entry
			), counted (settlement_id, region_path, month, measure, bucket, n) as (
				select settlement_id, region_path, to_char(filed, 'YYYY-MM'), 'requests_filed', 0, 1 from r
				union all
				select settlement_id, region_path, to_char(closed, 'YYYY-MM'), 'requests_done',
					date_part('day', date_trunc('day', closed) - date_trunc('day', filed))::int, 1
				from done
				union all
				select settlement_id, region_path, to_char(closed, 'YYYY-MM'), 'ratings', 0, 1
				from done where rating is not null
				union all
				select settlement_id, region_path, to_char(closed, 'YYYY-MM'), 'rating_sum', 0, rating
				from done where rating is not null
				union all
				select settlement_id, region_path, to_char(visited_on::timestamp, 'YYYY-MM'), 'visits', 0, 1
				from care_visit
				union all
				select settlement_id, region_path, to_char(visited_on::timestamp, 'YYYY-MM'), 'visits_on_time', 0, 1
				from care_visit where on_time
				union all
				select settlement_id, region_path, month, 'points_issued', 0, delta
				from p where delta > 0 and source in ('award', 'activity')
				union all
				select settlement_id, region_path, month, 'points_deducted', 0, -delta
				from p where source = 'deduct'
				union all
				select settlement_id, region_path, month, 'points_redeemed', 0, -delta
				from p where source = 'redeem'
			)
			select settlement_id::text as "settlementId", min(region_path) as "regionPath", month,
				measure, bucket, sum(n)::int as n
			from counted
			group by settlement_id, month, measure, bucket
			having sum(n) <> 0`)
	);
	return byKey(rows.map((r) => ({ ...r, bucket: Number(r.bucket), n: Number(r.n) })));
}

/** Shanghai wall-clock of an instant as an ISO string ('YYYY-MM-DDTHH:MM:SS.sssZ', the Z a lie). */
const shanghaiClock = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString();

/** The same tally counted in TypeScript from the rows as read through drizzle. */
async function recountInJs(): Promise<TallyRow[]> {
	const r = schema.serviceRequest;
	const v = schema.careVisit;
	const p = schema.pointsEntry;
	const requests = await db()
		.select({
			settlementId: r.settlementId,
			regionPath: r.regionPath,
			submittedAt: r.submittedAt,
			closedAt: r.closedAt,
			status: r.status,
			rating: r.rating
		})
		.from(r);
	const visits = await db()
		.select({
			settlementId: v.settlementId,
			regionPath: v.regionPath,
			visitedOn: v.visitedOn,
			onTime: v.onTime
		})
		.from(v);
	const entries = await db()
		.select({
			settlementId: p.settlementId,
			regionPath: p.regionPath,
			createdAt: p.createdAt,
			source: p.source,
			delta: p.delta
		})
		.from(p);
	const out = new Map<string, TallyRow>();
	const add = (
		row: { settlementId: string; regionPath: string },
		month: string,
		measure: string,
		bucket: number,
		n: number
	) => {
		const t = {
			settlementId: row.settlementId,
			regionPath: row.regionPath,
			month,
			measure,
			bucket
		};
		const k = keyOf({ ...t, n });
		out.set(k, { ...t, n: (out.get(k)?.n ?? 0) + n });
	};
	for (const q of requests) {
		const filed = shanghaiClock(q.submittedAt);
		add(q, filed.slice(0, 7), 'requests_filed', 0, 1);
		if (q.status !== 'done' || !q.closedAt) continue;
		const closed = shanghaiClock(q.closedAt);
		const days = (Date.parse(closed.slice(0, 10)) - Date.parse(filed.slice(0, 10))) / 86_400_000;
		add(q, closed.slice(0, 7), 'requests_done', days, 1);
		if (q.rating !== null) {
			add(q, closed.slice(0, 7), 'ratings', 0, 1);
			add(q, closed.slice(0, 7), 'rating_sum', 0, q.rating);
		}
	}
	for (const w of visits) {
		add(w, w.visitedOn.slice(0, 7), 'visits', 0, 1);
		if (w.onTime) add(w, w.visitedOn.slice(0, 7), 'visits_on_time', 0, 1);
	}
	for (const e of entries) {
		const month = shanghaiClock(e.createdAt).slice(0, 7);
		if (e.delta > 0 && (e.source === 'award' || e.source === 'activity'))
			add(e, month, 'points_issued', 0, e.delta);
		if (e.source === 'deduct') add(e, month, 'points_deducted', 0, -e.delta);
		if (e.source === 'redeem') add(e, month, 'points_redeemed', 0, -e.delta);
	}
	return byKey([...out.values()].filter((t) => t.n !== 0));
}

/** The kept tally is what both recounts give, and nothing kept is below zero. */
async function expectTallyIsRecount() {
	const [tally, counted, inJs] = [await kept(), await recount(), await recountInJs()];
	expect(counted.length).toBeGreaterThan(0);
	expect(inJs).toEqual(counted);
	expect(tally).toEqual(counted);
	const [below] = rowsOf<{ n: number }>(
		await db().execute(sql`select count(*)::int as n from monthly_tally where n < 0`)
	);
	expect(Number(below.n)).toBe(0);
}

/**
 * A point's kept figures that count something, as 'month measure' (and ' bucket' for the days of
 * requests done) → n, for counting by hand.
 */
async function tallyOf(point: Point): Promise<Record<string, number>> {
	const rows = (await kept()).filter((r) => r.settlementId === point.settlement.id);
	for (const r of rows) expect(r.regionPath).toBe(point.settlement.regionPath);
	return Object.fromEntries(
		rows.map((r) => [
			r.measure === 'requests_done'
				? `${r.month} ${r.measure} ${r.bucket}`
				: `${r.month} ${r.measure}`,
			r.n
		])
	);
}

/** Every tally row with the transaction that last wrote it (xmin). */
async function snapshot() {
	return rowsOf<Record<string, string>>(
		await db().execute(sql`
			select xmin::text as xmin, settlement_id::text as s, month, measure, bucket::text as bucket,
				n::text as n
			from monthly_tally order by settlement_id, month, measure, bucket`)
	);
}

async function pointScope(point: Point) {
	return settlementScope(staff, point.settlement.id);
}

// ---------------------------------------------------------------- inserts

describe('inserts', () => {
	it('counts many rows of several points in one statement each', async () => {
		const P = await newPoint();
		const Q = await newPoint(await createRegion(county, { level: 'township' }));
		await fileRequests([
			{ point: P, submittedAt: sh('2026-04-02T09:00') }, // open
			{
				point: P,
				submittedAt: sh('2026-04-03T10:00'),
				status: 'done',
				closedAt: sh('2026-04-05T08:00'), // 2 days
				rating: 5
			},
			{
				point: P,
				submittedAt: sh('2026-04-03T23:00'),
				status: 'done',
				closedAt: sh('2026-04-05T01:00'), // 2 days
				rating: 3
			},
			{
				point: P,
				submittedAt: sh('2026-03-30T12:00'), // filed in March
				status: 'done',
				closedAt: sh('2026-04-06T12:00') // done in April, 7 days, not rated
			},
			{
				point: P,
				submittedAt: sh('2026-04-10T09:00'),
				status: 'rejected',
				closedAt: sh('2026-04-11T09:00') // closed but not done: filed only
			},
			// done without a closing time is not counted as done
			{ point: P, submittedAt: sh('2026-04-10T09:00'), status: 'done', rating: 1 },
			{ point: Q, submittedAt: sh('2026-04-01T08:00') },
			{
				point: Q,
				submittedAt: sh('2026-04-01T08:00'),
				status: 'done',
				closedAt: sh('2026-04-01T17:00'), // the same day: 0 days
				rating: 4
			}
		]);
		await fileVisits([
			{ point: P, visitedOn: '2026-04-01', onTime: true },
			{ point: P, visitedOn: '2026-04-30', onTime: false },
			{ point: P, visitedOn: '2026-03-31', onTime: true },
			{ point: P, visitedOn: '2026-04-15', onTime: true },
			{ point: Q, visitedOn: '2026-04-15', onTime: false }
		]);
		await postEntries([
			{ point: P, source: 'award', delta: 10, createdAt: sh('2026-04-02T10:00') },
			{ point: P, source: 'activity', delta: 3, createdAt: sh('2026-04-03T10:00') },
			{ point: P, source: 'award', delta: 5, createdAt: sh('2026-03-31T23:59') },
			{ point: P, source: 'deduct', delta: -4, createdAt: sh('2026-04-04T10:00') },
			{ point: P, source: 'redeem', delta: -6, createdAt: sh('2026-04-05T10:00') },
			{ point: P, source: 'reversal', delta: -5, createdAt: sh('2026-04-06T10:00') },
			{ point: Q, source: 'award', delta: 2, createdAt: sh('2026-04-06T10:00') }
		]);

		expect(await tallyOf(P)).toEqual({
			'2026-03 requests_filed': 1,
			'2026-04 requests_filed': 5,
			'2026-04 requests_done 2': 2,
			'2026-04 requests_done 7': 1,
			'2026-04 ratings': 2,
			'2026-04 rating_sum': 8,
			'2026-03 visits': 1,
			'2026-03 visits_on_time': 1,
			'2026-04 visits': 3,
			'2026-04 visits_on_time': 2,
			'2026-03 points_issued': 5,
			'2026-04 points_issued': 13,
			'2026-04 points_deducted': 4,
			'2026-04 points_redeemed': 6
		});
		expect(await tallyOf(Q)).toEqual({
			'2026-04 requests_filed': 2,
			'2026-04 requests_done 0': 1,
			'2026-04 ratings': 1,
			'2026-04 rating_sum': 4,
			'2026-04 visits': 1,
			'2026-04 points_issued': 2
		});
		await expectTallyIsRecount();

		// and the dashboards' reader sums them per measure
		expect(await tallySums(await pointScope(P), ['2026-04'])).toEqual({
			requests_filed: 5,
			requests_done: 3,
			ratings: 2,
			rating_sum: 8,
			visits: 3,
			visits_on_time: 2,
			points_issued: 13,
			points_deducted: 4,
			points_redeemed: 6
		});
		expect(await tallySums(await pointScope(P), ['2026-03', '2026-04'])).toMatchObject({
			requests_filed: 6,
			visits: 4,
			points_issued: 18
		});
	});
});

describe('retried inserts', () => {
	it('count once when the retry inserts nothing, and as an update when it updates', async () => {
		const P = await newPoint();
		const request = () =>
			db()
				.insert(schema.serviceRequest)
				.values({
					categoryId: category.id,
					householdId: P.household.id,
					settlementId: P.settlement.id,
					regionPath: P.settlement.regionPath,
					filedBy: staff.id,
					description: '重试的申请',
					dueOn: '2099-12-31',
					submittedAt: sh('2026-04-20T09:00'),
					idempotencyKey: `retry-${P.settlement.id}`
				})
				.onConflictDoNothing()
				.returning();
		expect(await request()).toHaveLength(1);
		expect(await request()).toHaveLength(0);
		const [visit] = await fileVisits([{ point: P, visitedOn: '2026-04-21', onTime: false }]);
		// the same visit sent again, as an upsert that turns it on time
		const upsert = () =>
			db().execute(sql`
				insert into care_visit (id, target_id, settlement_id, region_path, resident_id,
					household_id, visited_on, visitor_id, visitor_name, mode, wellbeing, findings, on_time)
				select id, target_id, settlement_id, region_path, resident_id, household_id, visited_on,
					visitor_id, visitor_name, mode, wellbeing, findings, true
				from care_visit where id = ${visit.id}
				on conflict (id) do update set on_time = excluded.on_time`);
		await upsert();
		expect(await tallyOf(P)).toEqual({
			'2026-04 requests_filed': 1,
			'2026-04 visits': 1,
			'2026-04 visits_on_time': 1
		});
		const before = await snapshot();
		await upsert(); // on time already: nothing counted changes
		expect(await snapshot()).toEqual(before);
		await expectTallyIsRecount();
	});
});

// ---------------------------------------------------------------- service requests changing

describe('service requests changing', () => {
	it('a request leaves the done count when reopened and comes back when done again', async () => {
		const P = await newPoint();
		const [r] = await fileRequests([
			{ point: P, submittedAt: sh('2026-05-04T10:00'), status: 'in_progress' }
		]);
		expect(await tallyOf(P)).toEqual({ '2026-05 requests_filed': 1 });

		await updateRequests([r.id], { status: 'done', closedAt: sh('2026-05-06T09:00') });
		expect(await tallyOf(P)).toEqual({
			'2026-05 requests_filed': 1,
			'2026-05 requests_done 2': 1
		});

		// reopened: out of done
		await updateRequests([r.id], { status: 'in_progress', closedAt: null });
		expect(await tallyOf(P)).toEqual({ '2026-05 requests_filed': 1 });

		await updateRequests([r.id], { status: 'done', closedAt: sh('2026-05-09T09:00') });
		expect(await tallyOf(P)).toEqual({
			'2026-05 requests_filed': 1,
			'2026-05 requests_done 5': 1
		});

		// the status alone moving out of done is enough, the closing time left as it was
		await updateRequests([r.id], { status: 'waiting_resident' });
		expect(await tallyOf(P)).toEqual({ '2026-05 requests_filed': 1 });
		await updateRequests([r.id], { status: 'done' });
		expect(await tallyOf(P)).toEqual({
			'2026-05 requests_filed': 1,
			'2026-05 requests_done 5': 1
		});
		// done → rejected: closed, but not done
		await updateRequests([r.id], { status: 'rejected' });
		expect(await tallyOf(P)).toEqual({ '2026-05 requests_filed': 1 });
		await expectTallyIsRecount();
	});

	it('several requests into done and out of it in one statement each', async () => {
		const P = await newPoint();
		const Q = await newPoint();
		const rows = await fileRequests([
			{ point: P, submittedAt: sh('2026-05-01T09:00') },
			{ point: P, submittedAt: sh('2026-05-02T09:00'), status: 'accepted' },
			{ point: Q, submittedAt: sh('2026-05-02T23:00'), rating: 3 },
			{ point: Q, submittedAt: sh('2026-05-03T09:00'), status: 'waiting_origin' }
		]);
		const ids = rows.map((r) => r.id);
		await updateRequests(ids.slice(0, 3), {
			status: 'done',
			closedAt: sh('2026-05-10T09:00')
		});
		expect(await tallyOf(P)).toEqual({
			'2026-05 requests_filed': 2,
			'2026-05 requests_done 9': 1,
			'2026-05 requests_done 8': 1
		});
		expect(await tallyOf(Q)).toEqual({
			'2026-05 requests_filed': 2,
			'2026-05 requests_done 8': 1,
			'2026-05 ratings': 1,
			'2026-05 rating_sum': 3
		});
		await expectTallyIsRecount();

		// all four at once: three out of done, one into it
		await db().execute(sql`
			update service_request
			set status = case when status = 'done' then 'accepted' else 'done' end,
				closed_at = case when status = 'done' then null else ${sh('2026-06-01T09:00').toISOString()}::timestamptz end
			where id in (${sql.join(
				ids.map((id) => sql`${id}::uuid`),
				sql`, `
			)})`);
		expect(await tallyOf(P)).toEqual({ '2026-05 requests_filed': 2 });
		expect(await tallyOf(Q)).toEqual({
			'2026-05 requests_filed': 2,
			'2026-06 requests_done 29': 1
		});
		await expectTallyIsRecount();
	});

	it('a rating set after done counts in the month it was done', async () => {
		const P = await newPoint();
		const [done, open] = await fileRequests([
			{
				point: P,
				submittedAt: sh('2026-05-20T09:00'),
				status: 'done',
				closedAt: sh('2026-06-02T09:00')
			},
			{ point: P, submittedAt: sh('2026-05-21T09:00') }
		]);
		expect(await tallyOf(P)).toEqual({
			'2026-05 requests_filed': 2,
			'2026-06 requests_done 13': 1
		});
		await updateRequests([done.id], { rating: 4, ratedAt: sh('2026-07-10T09:00') });
		expect(await tallyOf(P)).toMatchObject({ '2026-06 ratings': 1, '2026-06 rating_sum': 4 });
		// rated again
		await updateRequests([done.id], { rating: 2 });
		expect(await tallyOf(P)).toEqual({
			'2026-05 requests_filed': 2,
			'2026-06 requests_done 13': 1,
			'2026-06 ratings': 1,
			'2026-06 rating_sum': 2
		});
		// a rating on a request not done counts nowhere
		await updateRequests([open.id], { rating: 5 });
		expect(await tallyOf(P)).toMatchObject({ '2026-06 ratings': 1, '2026-06 rating_sum': 2 });
		// until it is done
		await updateRequests([open.id], { status: 'done', closedAt: sh('2026-06-02T09:00') });
		expect(await tallyOf(P)).toEqual({
			'2026-05 requests_filed': 2,
			'2026-06 requests_done 12': 1,
			'2026-06 requests_done 13': 1,
			'2026-06 ratings': 2,
			'2026-06 rating_sum': 7
		});
		// a rating taken away
		await updateRequests([done.id], { rating: null });
		expect(await tallyOf(P)).toMatchObject({ '2026-06 ratings': 1, '2026-06 rating_sum': 5 });
		expect(await doneFigures(await pointScope(P), ['2026-06'])).toEqual({
			done: 2,
			median: 12.5,
			ratings: 1,
			average: 5
		});
		await expectTallyIsRecount();
	});

	it('a request whose closing time moves to another month moves with it', async () => {
		const P = await newPoint();
		const [r] = await fileRequests([
			{
				point: P,
				submittedAt: sh('2026-06-28T10:00'),
				status: 'done',
				closedAt: sh('2026-06-30T10:00'),
				rating: 4
			}
		]);
		expect(await tallyOf(P)).toEqual({
			'2026-06 requests_filed': 1,
			'2026-06 requests_done 2': 1,
			'2026-06 ratings': 1,
			'2026-06 rating_sum': 4
		});
		await updateRequests([r.id], { closedAt: sh('2026-07-03T10:00') });
		expect(await tallyOf(P)).toEqual({
			'2026-06 requests_filed': 1,
			'2026-07 requests_done 5': 1,
			'2026-07 ratings': 1,
			'2026-07 rating_sum': 4
		});
		// back to the evening of 30 June in UTC, which is already 1 July in Shanghai
		await updateRequests([r.id], { closedAt: new Date('2026-06-30T16:30:00Z') });
		expect(await tallyOf(P)).toEqual({
			'2026-06 requests_filed': 1,
			'2026-07 requests_done 3': 1,
			'2026-07 ratings': 1,
			'2026-07 rating_sum': 4
		});
		// the filing moves too
		await updateRequests([r.id], { submittedAt: sh('2026-07-01T00:10') });
		expect(await tallyOf(P)).toEqual({
			'2026-07 requests_filed': 1,
			'2026-07 requests_done 0': 1,
			'2026-07 ratings': 1,
			'2026-07 rating_sum': 4
		});
		expect(await tallySums(await pointScope(P), ['2026-06'])).toMatchObject({
			requests_filed: 0,
			requests_done: 0,
			ratings: 0
		});
		await expectTallyIsRecount();
	});

	it('a request moved to another point leaves the first point’s figures for the other’s', async () => {
		const P = await newPoint();
		const Q = await newPoint(await createRegion(county, { level: 'township' }));
		const [r] = await fileRequests([
			{
				point: P,
				submittedAt: sh('2026-07-10T10:00'),
				status: 'done',
				closedAt: sh('2026-07-12T10:00'),
				rating: 3
			}
		]);
		await updateRequests([r.id], {
			settlementId: Q.settlement.id,
			regionPath: Q.settlement.regionPath,
			householdId: Q.household.id
		});
		expect(await tallyOf(P)).toEqual({});
		expect(await tallyOf(Q)).toEqual({
			'2026-07 requests_filed': 1,
			'2026-07 requests_done 2': 1,
			'2026-07 ratings': 1,
			'2026-07 rating_sum': 3
		});
		await expectTallyIsRecount();
	});

	it('an update that changes nothing counted leaves every tally row untouched', async () => {
		const P = await newPoint();
		const requests = await fileRequests([
			{ point: P, submittedAt: sh('2026-07-01T09:00') },
			{ point: P, submittedAt: sh('2026-07-02T09:00'), status: 'accepted' },
			{
				point: P,
				submittedAt: sh('2026-07-02T09:00'),
				status: 'done',
				closedAt: sh('2026-07-05T09:00'),
				rating: 5
			}
		]);
		const visits = await fileVisits([
			{ point: P, visitedOn: '2026-07-03', onTime: true },
			{ point: P, visitedOn: '2026-07-04', onTime: false }
		]);
		const ids = requests.map((r) => r.id);
		const before = await snapshot();
		expect(before.some((r) => r.s === P.settlement.id)).toBe(true);
		const untouched = async () => expect(await snapshot()).toEqual(before);

		// assigned, all three in one statement
		const assigned = await updateRequests(ids, { assigneeId: staff.id });
		expect(assigned.map((r) => r.assigneeId)).toEqual([staff.id, staff.id, staff.id]);
		await untouched();
		// words, due days, escalation
		await updateRequests(ids, {
			description: '改过的说明',
			dueOn: '2099-01-01',
			escalatedAt: sh('2026-07-06T09:00'),
			updatedAt: new Date()
		});
		await untouched();
		// from one open status to another
		await updateRequests([ids[0]], { status: 'accepted' });
		await updateRequests([ids[1]], { status: 'in_progress' });
		await untouched();
		// a rating and a closing time on requests that are not done
		await updateRequests(ids.slice(0, 2), { rating: 1, closedAt: sh('2026-08-01T09:00') });
		await untouched();
		// the visits' words
		await db()
			.update(schema.careVisit)
			.set({ findings: '补充了情况', followUp: '下周再去' })
			.where(
				inArray(
					schema.careVisit.id,
					visits.map((v) => v.id)
				)
			);
		await untouched();
		// an update of no row at all
		await updateRequests([crypto.randomUUID()], { status: 'done' });
		await untouched();

		// whereas one that counts rewrites exactly the rows it counts in
		await updateRequests([ids[2]], { rating: 3 });
		const rowKey = (r: Record<string, string>) => [r.s, r.month, r.measure, r.bucket].join('|');
		const after = await snapshot();
		expect(after.map(rowKey)).toEqual(before.map(rowKey));
		const changed = after.filter((r, k) => r.xmin !== before[k].xmin || r.n !== before[k].n);
		expect(changed.map((r) => [r.s, r.month, r.measure, r.n])).toEqual([
			[P.settlement.id, '2026-07', 'rating_sum', '3']
		]);
		await expectTallyIsRecount();
	});

	it('deleted requests and visits leave the tally', async () => {
		const P = await newPoint();
		const [rated, unrated, open] = await fileRequests([
			{
				point: P,
				submittedAt: sh('2026-08-01T09:00'),
				status: 'done',
				closedAt: sh('2026-08-04T09:00'),
				rating: 5
			},
			{
				point: P,
				submittedAt: sh('2026-08-01T09:00'),
				status: 'done',
				closedAt: sh('2026-08-04T18:00')
			},
			{ point: P, submittedAt: sh('2026-08-02T09:00') }
		]);
		const [v1, v2] = await fileVisits([
			{ point: P, visitedOn: '2026-08-05', onTime: true },
			{ point: P, visitedOn: '2026-08-06', onTime: true }
		]);
		expect(await tallyOf(P)).toEqual({
			'2026-08 requests_filed': 3,
			'2026-08 requests_done 3': 2,
			'2026-08 ratings': 1,
			'2026-08 rating_sum': 5,
			'2026-08 visits': 2,
			'2026-08 visits_on_time': 2
		});
		await db().delete(schema.serviceRequest).where(eq(schema.serviceRequest.id, rated.id));
		await db().delete(schema.careVisit).where(eq(schema.careVisit.id, v1.id));
		expect(await tallyOf(P)).toEqual({
			'2026-08 requests_filed': 2,
			'2026-08 requests_done 3': 1,
			'2026-08 visits': 1,
			'2026-08 visits_on_time': 1
		});
		await expectTallyIsRecount();
		// the rest, each table in one statement
		await db()
			.delete(schema.serviceRequest)
			.where(inArray(schema.serviceRequest.id, [unrated.id, open.id]));
		await db().delete(schema.careVisit).where(eq(schema.careVisit.id, v2.id));
		expect(await tallyOf(P)).toEqual({});
		// the rows stay, at zero
		const [left] = rowsOf<{ rows: number; total: number }>(
			await db().execute(sql`
				select count(*)::int as rows, coalesce(sum(n), 0)::int as total
				from monthly_tally where settlement_id = ${P.settlement.id}`)
		);
		expect(Number(left.rows)).toBeGreaterThan(0);
		expect(Number(left.total)).toBe(0);
		await expectTallyIsRecount();
	});
});

// ---------------------------------------------------------------- care visits changing

describe('care visits changing', () => {
	it('follows edits of on time, of the day and of the point', async () => {
		const P = await newPoint();
		const Q = await newPoint();
		const [v1, v2, v3] = await fileVisits([
			{ point: P, visitedOn: '2026-08-03', onTime: false },
			{ point: P, visitedOn: '2026-08-31', onTime: true },
			{ point: P, visitedOn: '2026-09-01', onTime: false }
		]);
		const visit = schema.careVisit;
		expect(await tallyOf(P)).toEqual({
			'2026-08 visits': 2,
			'2026-08 visits_on_time': 1,
			'2026-09 visits': 1
		});
		await db().update(visit).set({ onTime: true }).where(eq(visit.id, v1.id));
		expect(await tallyOf(P)).toEqual({
			'2026-08 visits': 2,
			'2026-08 visits_on_time': 2,
			'2026-09 visits': 1
		});
		// all three turned round in one statement
		await db()
			.update(visit)
			.set({ onTime: sql`not ${visit.onTime}` })
			.where(inArray(visit.id, [v1.id, v2.id, v3.id]));
		expect(await tallyOf(P)).toEqual({
			'2026-08 visits': 2,
			'2026-09 visits': 1,
			'2026-09 visits_on_time': 1
		});
		// the day moved into the next month, on time
		await db()
			.update(visit)
			.set({ visitedOn: '2026-09-02', onTime: true })
			.where(eq(visit.id, v2.id));
		expect(await tallyOf(P)).toEqual({
			'2026-08 visits': 1,
			'2026-09 visits': 2,
			'2026-09 visits_on_time': 2
		});
		// written down at the wrong point, put right
		await db()
			.update(visit)
			.set({ settlementId: Q.settlement.id, regionPath: Q.settlement.regionPath })
			.where(eq(visit.id, v3.id));
		expect(await tallyOf(P)).toEqual({
			'2026-08 visits': 1,
			'2026-09 visits': 1,
			'2026-09 visits_on_time': 1
		});
		expect(await tallyOf(Q)).toEqual({ '2026-09 visits': 1, '2026-09 visits_on_time': 1 });
		await expectTallyIsRecount();
	});
});

// ---------------------------------------------------------------- points

describe('points entries', () => {
	it('counts points of every source as postPoints writes them', async () => {
		const P = await newPoint();
		const actor = { id: staff.id, displayName: '管理员' };
		// one transaction: every entry is stamped with the one now()
		const entryIds = await db().transaction(async (tx) => {
			const post = async (
				delta: number,
				source: PointsSource,
				extra: { reversesId?: string; mustCover?: boolean } = {}
			) => {
				const r = await postPoints(tx, {
					householdId: P.household.id,
					settlementId: P.settlement.id,
					regionPath: P.settlement.regionPath,
					delta,
					source,
					reason: '测试',
					actor,
					...extra
				});
				if (!r) throw new Error('points not posted');
				return r.entryId;
			};
			const ids = [await post(10, 'award')];
			const five = await post(5, 'award');
			ids.push(five);
			ids.push(await post(3, 'activity'));
			ids.push(await post(-4, 'deduct'));
			ids.push(await post(-6, 'redeem', { mustCover: true }));
			// a reversal is neither issued nor deducted
			ids.push(await post(-5, 'reversal', { reversesId: five }));
			return ids;
		});
		const entries = await db()
			.select({ createdAt: schema.pointsEntry.createdAt })
			.from(schema.pointsEntry)
			.where(inArray(schema.pointsEntry.id, entryIds));
		expect(entries).toHaveLength(6);
		const months = new Set(entries.map((e) => shanghaiClock(e.createdAt).slice(0, 7)));
		expect(months.size).toBe(1);
		const [month] = months;
		expect(await tallyOf(P)).toEqual({
			[`${month} points_issued`]: 18,
			[`${month} points_deducted`]: 4,
			[`${month} points_redeemed`]: 6
		});
		const f = await figuresOf(await pointScope(P), month);
		expect(f.points).toEqual({ issued: 18, deducted: 4, redeemed: 6 });
		await expectTallyIsRecount();
	});

	it('counts only what the measures say: awards below zero are not issued', async () => {
		const P = await newPoint();
		await postEntries([
			{ point: P, source: 'award', delta: -2, createdAt: sh('2026-09-02T10:00') },
			{ point: P, source: 'activity', delta: 4, createdAt: sh('2026-09-02T10:00') },
			{ point: P, source: 'reversal', delta: 7, createdAt: sh('2026-09-03T10:00') },
			{ point: P, source: 'redeem', delta: -1, createdAt: sh('2026-09-03T10:00') },
			{ point: P, source: 'redeem', delta: -2, createdAt: sh('2026-09-04T10:00') }
		]);
		expect(await tallyOf(P)).toEqual({
			'2026-09 points_issued': 4,
			'2026-09 points_redeemed': 3
		});
		await expectTallyIsRecount();
	});

	it('the ledger stays append-only: an entry cannot be changed under the tally', async () => {
		const P = await newPoint();
		const [e] = await postEntries([
			{ point: P, source: 'award', delta: 9, createdAt: sh('2026-09-05T10:00') }
		]);
		await expect(
			db().update(schema.pointsEntry).set({ delta: 1 }).where(eq(schema.pointsEntry.id, e.id))
		).rejects.toThrow();
		await expect(
			db().delete(schema.pointsEntry).where(eq(schema.pointsEntry.id, e.id))
		).rejects.toThrow();
		expect(await tallyOf(P)).toEqual({ '2026-09 points_issued': 9 });
	});
});

// ---------------------------------------------------------------- Shanghai months and days

describe('Shanghai months and days', () => {
	it('puts instants in the Shanghai month, across a midnight that is not UTC’s', async () => {
		const P = await newPoint();
		await fileRequests([
			// 2026-04-01 00:30 in Shanghai, still 31 March in UTC
			{ point: P, submittedAt: new Date('2026-03-31T16:30:00Z') },
			// 23:59:59 on 31 March in Shanghai
			{ point: P, submittedAt: new Date('2026-03-31T15:59:59Z') },
			// filed on 31 March, done at 00:30 on 1 April in Shanghai: one day, in April
			{
				point: P,
				submittedAt: new Date('2026-03-31T10:00:00Z'),
				status: 'done',
				closedAt: new Date('2026-03-31T16:30:00Z')
			},
			// 23:59 on 30 April → 00:00 on 1 May in Shanghai
			{
				point: P,
				submittedAt: new Date('2026-04-30T15:59:00Z'),
				status: 'done',
				closedAt: new Date('2026-04-30T16:00:00Z'),
				rating: 2
			},
			// the new year comes eight hours early in Shanghai
			{ point: P, submittedAt: new Date('2025-12-31T16:00:00Z') },
			{ point: P, submittedAt: new Date('2025-12-31T15:59:59.999Z') }
		]);
		await postEntries([
			{ point: P, source: 'award', delta: 1, createdAt: new Date('2026-03-31T16:30:00Z') },
			{ point: P, source: 'award', delta: 2, createdAt: new Date('2026-03-31T15:30:00Z') },
			{ point: P, source: 'deduct', delta: -3, createdAt: new Date('2025-12-31T16:00:00Z') },
			{ point: P, source: 'deduct', delta: -4, createdAt: new Date('2025-12-31T15:59:59Z') }
		]);
		await fileVisits([
			{ point: P, visitedOn: '2026-03-31', onTime: true },
			{ point: P, visitedOn: '2026-04-01', onTime: true }
		]);
		expect(await tallyOf(P)).toEqual({
			'2025-12 requests_filed': 1,
			'2026-01 requests_filed': 1,
			'2026-03 requests_filed': 2,
			'2026-04 requests_filed': 2,
			'2026-04 requests_done 1': 1,
			'2026-05 requests_done 1': 1,
			'2026-05 ratings': 1,
			'2026-05 rating_sum': 2,
			'2025-12 points_deducted': 4,
			'2026-01 points_deducted': 3,
			'2026-03 points_issued': 2,
			'2026-04 points_issued': 1,
			'2026-03 visits': 1,
			'2026-03 visits_on_time': 1,
			'2026-04 visits': 1,
			'2026-04 visits_on_time': 1
		});
		await expectTallyIsRecount();
	});

	it('does not depend on the session’s time zone', async () => {
		const P = await newPoint();
		for (const zone of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
			await db().transaction(async (tx) => {
				await tx.execute(sql.raw(`set local time zone '${zone}'`));
				await tx.insert(schema.serviceRequest).values({
					categoryId: category.id,
					householdId: P.household.id,
					settlementId: P.settlement.id,
					regionPath: P.settlement.regionPath,
					filedBy: staff.id,
					description: zone,
					dueOn: '2099-12-31',
					status: 'done',
					submittedAt: new Date('2026-09-30T15:30:00Z'), // 23:30 on 30 September
					closedAt: new Date('2026-09-30T16:30:00Z') // 00:30 on 1 October
				});
				await fileVisits([{ point: P, visitedOn: '2026-10-01', onTime: true }], tx);
			});
		}
		expect(await tallyOf(P)).toEqual({
			'2026-09 requests_filed': 3,
			'2026-10 requests_done 1': 3,
			'2026-10 visits': 3,
			'2026-10 visits_on_time': 3
		});
		await expectTallyIsRecount();
	});

	it('counts whole Shanghai days: filed 23:30, done 00:30 the next day is one day', async () => {
		const P = await newPoint();
		await fileRequests([
			{
				point: P,
				submittedAt: sh('2026-10-14T23:30'),
				status: 'done',
				closedAt: sh('2026-10-15T00:30') // an hour, one day
			},
			{
				point: P,
				submittedAt: sh('2026-10-16T00:30'),
				status: 'done',
				closedAt: sh('2026-10-16T23:30') // 23 hours, no day
			},
			{
				point: P,
				submittedAt: sh('2026-10-20T08:00'),
				status: 'done',
				closedAt: sh('2026-10-21T07:59') // under 24 hours, one day
			}
		]);
		expect(await tallyOf(P)).toEqual({
			'2026-10 requests_filed': 3,
			'2026-10 requests_done 0': 1,
			'2026-10 requests_done 1': 2
		});
		const scope = await pointScope(P);
		expect(await doneFigures(scope, ['2026-10'])).toEqual({
			done: 3,
			median: 1, // 0, 1, 1
			ratings: 0,
			average: null
		});
		await expectTallyIsRecount();
	});
});

// ---------------------------------------------------------------- medians read from the tally

describe('the median days to done, read from the tally', () => {
	/** Done requests of a point, each `days` whole Shanghai days from filing, done in `month`. */
	const doneAfter = (point: Point, month: string, days: number[], ratings: number[] = []) =>
		fileRequests(
			days.map((d, k) => {
				const closedAt = sh(`${month}-${String(10 + (k % 18)).padStart(2, '0')}T15:00`);
				return {
					point,
					// filed in the morning, d days before
					submittedAt: minutes(closedAt, -(d * 1440 + 6 * 60)),
					status: 'done' as const,
					closedAt,
					rating: ratings[k] ?? null
				};
			})
		);

	/** percentile_cont(0.5) over the raw rows' whole Shanghai days, for the points in the months. */
	async function sqlMedian(points: Point[], months: string[]) {
		const [row] = rowsOf<{ m: number | null }>(
			await db().execute(sql`
				select percentile_cont(0.5) within group (order by
					(closed_at at time zone 'Asia/Shanghai')::date - (submitted_at at time zone 'Asia/Shanghai')::date
				) as m
				from service_request
				where status = 'done' and closed_at is not null
					and settlement_id in (${sql.join(
						points.map((p) => sql`${p.settlement.id}::uuid`),
						sql`, `
					)})
					and to_char(closed_at at time zone 'Asia/Shanghai', 'YYYY-MM') in (${sql.join(
						months.map((m) => sql`${m}`),
						sql`, `
					)})`)
		);
		return row.m === null ? null : Number(row.m);
	}

	it('equals the median counted by hand, for a point, a region and a quarter', async () => {
		const town = await createRegion(county, { level: 'township' });
		const P = await newPoint(town);
		const Q = await newPoint(town);
		await doneAfter(P, '2026-11', [7, 1, 2, 10, 2, 3], [5, 4]);
		await doneAfter(Q, '2026-11', [30, 4, 30]);
		await doneAfter(P, '2026-12', [0, 15, 0]);
		// requests not done in the months do not count
		await fileRequests([
			{ point: P, submittedAt: sh('2026-11-02T09:00') },
			{
				point: P,
				submittedAt: sh('2026-10-01T09:00'),
				status: 'done',
				closedAt: sh('2026-10-31T23:59')
			}
		]);
		const scopeP = await pointScope(P);
		const scopeTown = await regionScope(staff, town.id);

		// P in November: 1, 2, 2, 3, 7, 10 → halfway between 2 and 3
		expect(await doneFigures(scopeP, ['2026-11'])).toEqual({
			done: 6,
			median: 2.5,
			ratings: 2,
			average: 4.5
		});
		expect(await sqlMedian([P], ['2026-11'])).toBe(2.5);
		const f = await figuresOf(scopeP, '2026-11');
		expect(f.services).toMatchObject({
			// the six done in November, the open one and the one of 15 days done in December
			filedInMonth: 8,
			doneInMonth: 6,
			medianDaysToDone: 2.5,
			ratings: 2,
			averageRating: 4.5
		});
		// the township in November: 1, 2, 2, 3, 4, 7, 10, 30, 30 → 4
		expect((await doneFigures(scopeTown, ['2026-11'])).median).toBe(4);
		expect(await sqlMedian([P, Q], ['2026-11'])).toBe(4);
		expect((await figuresOf(scopeTown, '2026-11')).services.medianDaysToDone).toBe(4);
		// P over two months: 0, 0, 1, 2, 2, 3, 7, 10, 15 → 2
		expect(await doneFigures(scopeP, ['2026-11', '2026-12'])).toMatchObject({
			done: 9,
			median: 2
		});
		expect(await sqlMedian([P], ['2026-11', '2026-12'])).toBe(2);
		// P in December alone: 0, 0, 15 → 0
		expect((await doneFigures(scopeP, ['2026-12'])).median).toBe(0);
		// the township over both: 0, 0, 1, 2, 2, 3, 4, 7, 10, 15, 30, 30 → halfway between 3 and 4
		expect((await doneFigures(scopeTown, ['2026-11', '2026-12'])).median).toBe(3.5);
		expect(await sqlMedian([P, Q], ['2026-11', '2026-12'])).toBe(3.5);
		await expectTallyIsRecount();
	});
});

// ---------------------------------------------------------------- the backfill

describe('the backfill at the end of migration 0016', () => {
	it('gives the same tally from the rows already there', async () => {
		const text = await readFile(
			path.join(migrationsFolder, '0016_monthly_tally_triggers.sql'),
			'utf8'
		);
		const backfill = text.split('--> statement-breakpoint').at(-1)!;
		expect(backfill).toMatch(/INSERT INTO monthly_tally/);
		const before = await kept();
		expect(before.length).toBeGreaterThan(0);
		class Rollback extends Error {}
		let refilled: TallyRow[] = [];
		let counted: TallyRow[] = [];
		await expect(
			db().transaction(async (tx) => {
				await tx.execute(sql`delete from monthly_tally`);
				expect(await kept(tx)).toEqual([]);
				await tx.execute(sql.raw(backfill));
				refilled = await kept(tx);
				counted = await recount(tx);
				throw new Rollback();
			})
		).rejects.toBeInstanceOf(Rollback);
		expect(refilled).toEqual(counted);
		expect(refilled).toEqual(before);
		// rolled back: the kept rows are as they were
		expect(await kept()).toEqual(before);
	});
});

// ---------------------------------------------------------------- random sequences of changes

describe('random sequences of changes', () => {
	const bases = [
		'2026-01-01T00:00:00+08:00',
		'2026-03-01T00:00:00+08:00',
		'2026-04-01T00:00:00+08:00'
	];
	/** Instants within three days either side of a Shanghai month's first midnight. */
	const instant = fc
		.record({
			base: fc.constantFrom(...bases),
			offset: fc.integer({ min: -3 * 1440, max: 3 * 1440 })
		})
		.map(({ base, offset }) => minutes(new Date(base), offset));
	/** Minutes from filing to closing: within a day, or up to six weeks. */
	const closedAfter = fc.oneof(
		fc.integer({ min: 0, max: 1440 }),
		fc.integer({ min: 0, max: 42 * 1440 })
	);
	const day = fc
		.record({ base: fc.constantFrom(...bases), offset: fc.integer({ min: -3, max: 3 }) })
		.map(({ base, offset }) => {
			const d = new Date(`${base.slice(0, 10)}T00:00:00Z`);
			d.setUTCDate(d.getUTCDate() + offset);
			return d.toISOString().slice(0, 10);
		});
	const status = fc.oneof(
		{ arbitrary: fc.constant<RequestStatus>('done'), weight: 3 },
		{ arbitrary: fc.constantFrom(...requestStatuses), weight: 2 }
	);
	const rating = fc.option(fc.integer({ min: 1, max: 5 }), { nil: null });
	const point = fc.nat({ max: 2 });
	const picks = fc.array(fc.nat(), { minLength: 1, maxLength: 4 });
	const entry = fc.oneof(
		fc.record({
			source: fc.constant<PointsSource>('award'),
			delta: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: -5, max: -1 }))
		}),
		fc.record({
			source: fc.constant<PointsSource>('activity'),
			delta: fc.integer({ min: 1, max: 10 })
		}),
		fc.record({
			source: fc.constant<PointsSource>('deduct'),
			delta: fc.integer({ min: -10, max: -1 })
		}),
		fc.record({
			source: fc.constant<PointsSource>('redeem'),
			delta: fc.integer({ min: -10, max: -1 })
		}),
		fc.record({
			source: fc.constant<PointsSource>('reversal'),
			delta: fc.integer({ min: -10, max: 10 }).filter((d) => d !== 0)
		})
	);

	const op = fc.oneof(
		fc.record({
			kind: fc.constant('file' as const),
			rows: fc.array(
				fc.record({
					point,
					submittedAt: instant,
					status,
					closedAfter: fc.option(closedAfter),
					rating
				}),
				{ minLength: 1, maxLength: 6 }
			)
		}),
		fc.record({
			kind: fc.constant('status' as const),
			picks,
			status,
			// null: the closing time taken away; undefined: left as it is
			closedAfter: fc
				.option(closedAfter, { nil: undefined })
				.chain((c) => (c === undefined ? fc.constantFrom(undefined, null) : fc.constant(c)))
		}),
		fc.record({ kind: fc.constant('rate' as const), picks, rating }),
		fc.record({ kind: fc.constant('close' as const), picks, closedAfter }),
		fc.record({ kind: fc.constant('refile' as const), picks, submittedAt: instant }),
		fc.record({ kind: fc.constant('move' as const), picks, point }),
		fc.record({ kind: fc.constant('quiet' as const), picks, rating }),
		fc.record({ kind: fc.constant('delete' as const), picks }),
		fc.record({
			kind: fc.constant('visit' as const),
			rows: fc.array(fc.record({ point, visitedOn: day, onTime: fc.boolean() }), {
				minLength: 1,
				maxLength: 6
			})
		}),
		fc.record({ kind: fc.constant('onTime' as const), picks }),
		fc.record({ kind: fc.constant('visitDay' as const), picks, visitedOn: day }),
		fc.record({ kind: fc.constant('deleteVisits' as const), picks }),
		fc.record({
			kind: fc.constant('points' as const),
			rows: fc.array(fc.record({ point, entry, createdAt: instant }), {
				minLength: 1,
				maxLength: 6
			})
		})
	);
	type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

	let points: Point[] = [];
	let requestIds: string[] = [];
	let visitIds: string[] = [];
	const chosen = (ids: string[], picks: number[]) =>
		ids.length ? [...new Set(picks.map((k) => ids[k % ids.length]))] : [];
	const idList = (ids: string[]) =>
		sql.join(
			ids.map((id) => sql`${id}::uuid`),
			sql`, `
		);

	beforeAll(async () => {
		const town = await createRegion(county, { level: 'township' });
		points = [await newPoint(), await newPoint(town), await newPoint(await createCounty())];
	});

	async function apply(o: Op) {
		const r = schema.serviceRequest;
		switch (o.kind) {
			case 'file': {
				const rows = await fileRequests(
					o.rows.map((row) => ({
						point: points[row.point],
						submittedAt: row.submittedAt,
						status: row.status,
						closedAt: row.closedAfter === null ? null : minutes(row.submittedAt, row.closedAfter),
						rating: row.rating
					}))
				);
				requestIds.push(...rows.map((x) => x.id));
				return;
			}
			case 'status': {
				const ids = chosen(requestIds, o.picks);
				if (!ids.length) return;
				const closedAt =
					o.closedAfter === undefined
						? sql`closed_at`
						: o.closedAfter === null
							? sql`null`
							: sql`submitted_at + make_interval(mins => ${o.closedAfter}::int)`;
				await db().execute(sql`
					update service_request set status = ${o.status}, closed_at = ${closedAt}
					where id in (${idList(ids)})`);
				return;
			}
			case 'rate': {
				const ids = chosen(requestIds, o.picks);
				if (ids.length) await updateRequests(ids, { rating: o.rating });
				return;
			}
			case 'close': {
				// done, each some minutes after its own filing
				const ids = chosen(requestIds, o.picks);
				if (!ids.length) return;
				await db().execute(sql`
					update service_request
					set status = 'done', closed_at = submitted_at + make_interval(mins => ${o.closedAfter}::int)
					where id in (${idList(ids)})`);
				return;
			}
			case 'refile': {
				const ids = chosen(requestIds, o.picks);
				if (ids.length) await updateRequests(ids, { submittedAt: o.submittedAt });
				return;
			}
			case 'move': {
				const ids = chosen(requestIds, o.picks);
				const to = points[o.point];
				if (ids.length)
					await updateRequests(ids, {
						settlementId: to.settlement.id,
						regionPath: to.settlement.regionPath,
						householdId: to.household.id
					});
				return;
			}
			case 'quiet': {
				// nothing counted changes: the tally rows are not written at all
				const ids = chosen(requestIds, o.picks);
				if (!ids.length) return;
				const before = await snapshot();
				await db().execute(sql`
					update service_request set
						assignee_id = ${staff.id},
						description = description || '。',
						due_on = due_on + 1,
						rating = case when status = 'done' then rating else ${o.rating}::smallint end,
						closed_at = case when status = 'done' then closed_at else now() end
					where id in (${idList(ids)})`);
				expect(await snapshot()).toEqual(before);
				return;
			}
			case 'delete': {
				const ids = chosen(requestIds, o.picks);
				if (!ids.length) return;
				await db().delete(r).where(inArray(r.id, ids));
				requestIds = requestIds.filter((id) => !ids.includes(id));
				return;
			}
			case 'visit': {
				const rows = await fileVisits(
					o.rows.map((row) => ({
						point: points[row.point],
						visitedOn: row.visitedOn,
						onTime: row.onTime
					}))
				);
				visitIds.push(...rows.map((x) => x.id));
				return;
			}
			case 'onTime': {
				const ids = chosen(visitIds, o.picks);
				const v = schema.careVisit;
				if (ids.length)
					await db()
						.update(v)
						.set({ onTime: sql`not ${v.onTime}` })
						.where(inArray(v.id, ids));
				return;
			}
			case 'visitDay': {
				const ids = chosen(visitIds, o.picks);
				const v = schema.careVisit;
				if (ids.length)
					await db().update(v).set({ visitedOn: o.visitedOn }).where(inArray(v.id, ids));
				return;
			}
			case 'deleteVisits': {
				const ids = chosen(visitIds, o.picks);
				const v = schema.careVisit;
				if (!ids.length) return;
				await db().delete(v).where(inArray(v.id, ids));
				visitIds = visitIds.filter((id) => !ids.includes(id));
				return;
			}
			case 'points': {
				await postEntries(
					o.rows.map((row) => ({
						point: points[row.point],
						source: row.entry.source,
						delta: row.entry.delta,
						createdAt: row.createdAt
					}))
				);
				return;
			}
		}
	}

	it('after every run the tally equals the recount', { timeout: 300_000 }, async () => {
		const seen = new Set<string>();
		await fc.assert(
			fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
				for (const o of ops) {
					await apply(o);
					seen.add(o.kind);
				}
				await expectTallyIsRecount();
			}),
			{ numRuns: 60 }
		);
		// the runs did make and change rows of every kind
		expect(seen.size).toBeGreaterThanOrEqual(10);
		expect(requestIds.length + visitIds.length).toBeGreaterThan(0);
	});
});
