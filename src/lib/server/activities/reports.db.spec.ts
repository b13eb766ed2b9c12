import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { raiseFlagSchema, reportSchema } from '$lib/schemas/risks';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus } from '../../../../tests/http';
import {
	createCounty,
	createHousehold,
	createRegion,
	createSettlement,
	createUser,
	type County,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	listRiskSettings,
	monthReport,
	reportStatus,
	saveRiskSetting,
	submitReport
} from './reports';
import { raiseFlag } from './risks';

useTestDatabase();

// Times in Beijing: the zero report of January 2026 is due on 5 February unless the county says otherwise.
const at = (local: string) => new Date(`${local}+08:00`);
const key = () => crypto.randomUUID().replaceAll('-', '');

let county: County;
let a: Settlement;
let b: Settlement;
let c: Settlement;
const who = {} as Record<
	| 'adminA'
	| 'chiefB'
	| 'workerA'
	| 'adminC'
	| 'civil'
	| 'chiefOfPoints'
	| 'resident'
	| 'civilElsewhere',
	Actor
>;

const report = (settlementId: string, over: Record<string, unknown> = {}) =>
	reportSchema.parse({ settlementId, month: '2026-01', ...over });

beforeAll(async () => {
	county = await createCounty();
	a = await createSettlement(county, { name: '甲安置点' });
	b = await createSettlement(county, { name: '乙安置点' });
	c = await createSettlement(county, { name: '丙安置点' });
	const home = await createHousehold(a);
	const users = await Promise.all([
		createUser({ grants: [{ role: 'point_admin', on: a }] }),
		createUser({ grants: [{ role: 'point_chief', on: b }] }),
		createUser({ grants: [{ role: 'community_worker', on: a }] }),
		createUser({ grants: [{ role: 'point_admin', on: c }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: county }] }),
		createUser({ grants: [{ role: 'chief_of_points', on: county }] }),
		createUser({ household: home, grants: [{ role: 'resident', on: a }] }),
		createUser({ grants: [{ role: 'civil_affairs', on: await createCounty() }] })
	]);
	Object.assign(
		who,
		Object.fromEntries(
			(
				[
					'adminA',
					'chiefB',
					'workerA',
					'adminC',
					'civil',
					'chiefOfPoints',
					'resident',
					'civilElsewhere'
				] as const
			).map((k, i) => [k, users[i].actor])
		)
	);
	// two flags at A in January (one found on New Year's Eve, reported in January), one in February
	for (const [found, reported] of [
		['2025-12-31T23:00', '2026-01-01T00:30'],
		['2026-01-20T09:00', '2026-01-20T10:00'],
		['2026-02-02T09:00', '2026-02-02T10:00']
	])
		expect(
			await raiseFlag(
				who.workerA,
				raiseFlagSchema.parse({
					householdId: home.id,
					category: 'income_drop',
					description: '务工收入骤减',
					foundAt: found,
					idempotencyKey: key()
				}),
				at(reported)
			)
		).toMatchObject({ ok: true });
});

describe('the month’s report (零报告)', () => {
	it('lists the month’s flags by the time reported, and refuses “nothing found” while there are any', async () => {
		const view = await monthReport(
			who.adminA,
			{ settlementId: a.id, month: '2026-01' },
			at('2026-02-03T09:00')
		);
		expect(view.flags).toHaveLength(2);
		expect(view.dueOn).toBe('2026-02-05');
		expect(view).toMatchObject({ report: null, overdue: false, canSubmit: true });
		expect(
			await submitReport(who.adminA, report(a.id, { nothingFound: true }), at('2026-02-03T09:00'))
		).toMatchObject({ ok: false, reason: 'has_flags', field: 'nothingFound' });
		// the worker reads it but does not submit it
		expect(
			(await monthReport(who.workerA, { settlementId: a.id, month: '2026-01' })).canSubmit
		).toBe(false);
		expect(await httpStatus(submitReport(who.workerA, report(a.id)))).toBe(403);
	});

	it('is on time on the due day and late the day after', async () => {
		const onTime = await submitReport(
			who.adminA,
			report(a.id, { note: '两户均已核实' }),
			at('2026-02-05T23:59')
		);
		expect(onTime).toMatchObject({ ok: true, late: false, flagCount: 2 });
		expect(await submitReport(who.adminA, report(a.id), at('2026-02-06T09:00'))).toMatchObject({
			ok: false,
			reason: 'already_submitted'
		});

		const late = await submitReport(
			who.chiefB,
			report(b.id, { nothingFound: true }),
			at('2026-02-06T00:00')
		);
		expect(late).toMatchObject({ ok: true, late: true, flagCount: 0 });
		const [row] = await db()
			.select()
			.from(schema.monthlyReport)
			.where(
				and(eq(schema.monthlyReport.settlementId, b.id), eq(schema.monthlyReport.month, '2026-01'))
			);
		expect(row).toMatchObject({
			nothingFound: true,
			dueOn: '2026-02-05',
			late: true,
			submittedBy: who.chiefB.id
		});
		const audit = await db()
			.select()
			.from(schema.auditEntry)
			.where(
				and(
					eq(schema.auditEntry.entityId, row.id),
					eq(schema.auditEntry.action, 'risk.report.submit')
				)
			);
		expect(audit).toHaveLength(1);
		const view = await monthReport(who.chiefB, { settlementId: b.id, month: '2026-01' });
		expect(view.report).toMatchObject({ nothingFound: true, late: true });
		expect(view.canSubmit).toBe(false);
	});

	it('needs “nothing found” said outright when there were no flags, and no report of a month still to come', async () => {
		expect(
			await submitReport(who.adminC, report(c.id, { month: '2025-11' }), at('2026-01-02T09:00'))
		).toMatchObject({
			ok: false,
			reason: 'nothing_to_report',
			field: 'nothingFound'
		});
		expect(
			await submitReport(
				who.adminC,
				report(c.id, { month: '2026-02', nothingFound: true }),
				at('2026-01-31T09:00')
			)
		).toMatchObject({ ok: false, reason: 'future_month', field: 'month' });
		// the month under way may be reported
		expect(
			await submitReport(
				who.adminC,
				report(c.id, { month: '2025-12', nothingFound: true }),
				at('2025-12-28T09:00')
			)
		).toMatchObject({ ok: true, late: false });
	});

	it('shows the county every settlement: on time, late, missing after the due day, not yet due before it', async () => {
		const before = await reportStatus(who.civil, { month: '2026-01' }, at('2026-02-05T12:00'));
		expect(Object.fromEntries(before.map((r) => [r.name, r.state]))).toEqual({
			甲安置点: 'on_time',
			乙安置点: 'late',
			丙安置点: 'not_yet_due'
		});
		const after = await reportStatus(
			who.chiefOfPoints,
			{ month: '2026-01' },
			at('2026-02-06T00:00')
		);
		expect(after.find((r) => r.settlementId === c.id)).toMatchObject({
			state: 'missing',
			dueOn: '2026-02-05',
			flags: 0
		});
		expect(after.find((r) => r.settlementId === a.id)).toMatchObject({ flags: 2 });
		// a point sees its own; another county sees none; a resident nothing at all
		expect(
			(await reportStatus(who.adminA, { month: '2026-01' })).map((r) => r.settlementId)
		).toEqual([a.id]);
		expect(await reportStatus(who.civilElsewhere, { month: '2026-01' })).toEqual([]);
		expect(await httpStatus(reportStatus(who.resident, { month: '2026-01' }))).toBe(404);
		expect(
			await httpStatus(monthReport(who.adminC, { settlementId: a.id, month: '2026-01' }))
		).toBe(404);
		expect(await httpStatus(submitReport(who.adminC, report(a.id)))).toBe(404);
	});

	it('moves the due day when the county sets its own', async () => {
		const own = await createCounty();
		const township = await createRegion(own);
		const s = await createSettlement(township);
		const { actor: civil } = await createUser({ grants: [{ role: 'civil_affairs', on: own }] });
		const { actor: admin } = await createUser({ grants: [{ role: 'point_admin', on: s }] });
		expect(
			await saveRiskSetting(civil, { regionId: own.id, verifyWithinHours: 48, reportDueDay: 10 })
		).toEqual({ ok: true });
		expect((await listRiskSettings(civil)).find((x) => x.regionId === own.id)).toMatchObject({
			verifyWithinHours: 48,
			reportDueDay: 10
		});
		const [row] = await reportStatus(civil, { month: '2026-01' }, at('2026-02-08T09:00'));
		expect(row).toMatchObject({ dueOn: '2026-02-10', state: 'not_yet_due' });
		expect(
			await submitReport(admin, report(s.id, { nothingFound: true }), at('2026-02-10T20:00'))
		).toMatchObject({ ok: true, late: false });
		// only civil affairs of that county sets it, and only on a county
		expect(
			await httpStatus(
				saveRiskSetting(admin, { regionId: own.id, verifyWithinHours: 1, reportDueDay: 1 })
			)
		).toBe(403);
		expect(
			await httpStatus(
				saveRiskSetting(who.civil, { regionId: own.id, verifyWithinHours: 1, reportDueDay: 1 })
			)
		).toBe(403);
		expect(
			await saveRiskSetting(civil, { regionId: township.id, verifyWithinHours: 1, reportDueDay: 1 })
		).toMatchObject({
			ok: false,
			reason: 'not_county'
		});
		expect(await listRiskSettings(admin)).toEqual([]);
	});
});
