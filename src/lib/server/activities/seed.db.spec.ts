import { createHash } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	activityKinds,
	careGroups,
	defaultIntervalDays,
	defaultVerifyWithinHours,
	nextDueOn,
	reportDueOn,
	riskStatuses
} from '$lib/activities/vocab';
import { ageOn } from '$lib/schemas/household';
import { shanghaiDay } from '$lib/working-days';
import { useTestDatabase } from '../../../../tests/db';
import { actorFor } from '../../../../tests/factories';
import { can, type Actor } from '../access';
import { db, schema } from '../db';
import { demoSettlements, seedDemo } from '../seed';
import { checkDuplicates } from './duplicates';

useTestDatabase();

const {
	activity,
	activitySignup,
	activityCheckin,
	activityTally,
	careTarget,
	careVisit,
	riskFlag,
	riskFlagLink,
	monthlyReport,
	benefitCheckRun,
	duplicateBenefit,
	settlement,
	household,
	resident,
	user,
	serviceRequest,
	need
} = schema;

type Row<T extends { $inferSelect: unknown }> = T['$inferSelect'];

let seededAt: Date;
let today: string;
let points: Row<typeof settlement>[];
let first: Row<typeof settlement>;
let households: Map<string, Row<typeof household>>;
let people: Map<string, Row<typeof resident>>;
let users: Map<string, Row<typeof user>>;
let actors: Map<string, Actor>;
let activities: Row<typeof activity>[];
let signups: Row<typeof activitySignup>[];
let checkins: Row<typeof activityCheckin>[];
let targets: Row<typeof careTarget>[];
let visits: Row<typeof careVisit>[];
let flags: Row<typeof riskFlag>[];
let links: Row<typeof riskFlagLink>[];
let reports: Row<typeof monthlyReport>[];

const monthOf = (at: Date) => shanghaiDay(at).slice(0, 7);
const actor = (id: string | null) => actors.get(id!)!;
const addMonths = (month: string, n: number) => {
	const [y, m] = month.split('-').map(Number);
	const k = y * 12 + m - 1 + n;
	return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
};

beforeAll(async () => {
	seededAt = new Date();
	today = shanghaiDay(seededAt);
	expect(await seedDemo()).toEqual({ created: true });
	points = await db().select().from(settlement).orderBy(asc(settlement.createdAt));
	first = points.find((p) => p.name === demoSettlements[0].name)!;
	households = new Map((await db().select().from(household)).map((h) => [h.id, h]));
	people = new Map((await db().select().from(resident)).map((p) => [p.id, p]));
	const accounts = await db().select().from(user);
	users = new Map(accounts.map((u) => [u.username, u]));
	actors = new Map();
	for (const u of accounts) actors.set(u.id, await actorFor(u.id));
	activities = await db().select().from(activity);
	signups = await db().select().from(activitySignup);
	checkins = await db().select().from(activityCheckin);
	targets = await db().select().from(careTarget);
	visits = await db().select().from(careVisit).orderBy(asc(careVisit.visitedOn));
	flags = await db().select().from(riskFlag).orderBy(asc(riskFlag.no));
	links = await db().select().from(riskFlagLink);
	reports = await db().select().from(monthlyReport);
}, 120_000);

describe('the activities demo data', () => {
	it('gives every point about 60 activities over the past year and a few to come, of every kind', () => {
		for (const p of points) {
			const own = activities.filter((a) => a.settlementId === p.id);
			const past = own.filter((a) => a.startsAt < seededAt);
			const coming = own.filter((a) => a.startsAt > seededAt);
			expect(past.length, p.name).toBeGreaterThanOrEqual(50);
			expect(past.length, p.name).toBeLessThanOrEqual(75);
			expect(coming.length, p.name).toBeGreaterThanOrEqual(2);
			expect(new Set(own.map((a) => a.kind)), p.name).toEqual(new Set(activityKinds));
			for (const a of own) {
				expect(a.regionPath, a.title).toBe(p.regionPath);
				expect(a.endsAt > a.startsAt, a.title).toBe(true);
				expect(a.createdAt < a.startsAt && a.createdAt <= seededAt, a.title).toBe(true);
				expect(a.startsAt.getTime() - seededAt.getTime(), a.title).toBeLessThan(30 * 86_400_000);
				expect(seededAt.getTime() - a.startsAt.getTime(), a.title).toBeLessThan(380 * 86_400_000);
				expect(a.title.length && a.place.length && a.description.length, a.title).toBeTruthy();
				expect(a.status === 'cancelled', a.title).toBe(a.cancelReason !== null);
				// past activities earned no points: their check-ins posted none
				if (a.startsAt < seededAt) expect(a.pointsItemCode, a.title).toBeNull();
			}
			// spread over the year, not bunched
			const months = new Set(
				own.filter((a) => a.startsAt < seededAt).map((a) => monthOf(a.startsAt))
			);
			expect(months.size, p.name).toBeGreaterThanOrEqual(11);
		}
		expect(activities.some((a) => a.status === 'cancelled')).toBe(true);
	});

	it('announces the weekend volunteer clean-up at the first point, 30 places, under volunteer_activity', () => {
		const cleanUp = activities.filter(
			(a) => a.settlementId === first.id && a.startsAt > seededAt && a.kind === 'volunteer'
		);
		expect(cleanUp).toHaveLength(1);
		expect(cleanUp[0]).toMatchObject({
			title: '周末环境卫生志愿服务',
			capacity: 30,
			pointsItemCode: 'volunteer_activity',
			status: 'scheduled',
			organizerId: users.get('shegong')!.id
		});
		expect(new Date(cleanUp[0].startsAt.getTime() + 8 * 3_600_000).getUTCDay()).toBe(6);
		// points items only at the first point, on activities still to come
		for (const a of activities.filter((x) => x.pointsItemCode)) {
			expect(a.settlementId).toBe(first.id);
			expect(['volunteer_activity', 'activity']).toContain(a.pointsItemCode);
			expect(checkins.filter((c) => c.activityId === a.id)).toEqual([]);
		}
	});

	it('keeps every sign-up and participant counter equal to its rows, within capacity', () => {
		const live = new Map<string, number>();
		for (const s of signups)
			if (!s.cancelledAt) live.set(s.activityId, (live.get(s.activityId) ?? 0) + 1);
		const came = new Map<string, number>();
		for (const c of checkins) came.set(c.activityId, (came.get(c.activityId) ?? 0) + 1);
		let total = 0;
		for (const a of activities) {
			expect(a.signups, a.title).toBe(live.get(a.id) ?? 0);
			expect(a.participants, a.title).toBe(came.get(a.id) ?? 0);
			if (a.capacity !== null) {
				expect(a.signups, a.title).toBeLessThanOrEqual(a.capacity);
				expect(a.participants, a.title).toBeLessThanOrEqual(a.capacity);
			}
			if (a.status === 'cancelled' || a.startsAt > seededAt)
				expect(a.participants, a.title).toBe(0);
			else expect(a.participants, a.title).toBeGreaterThanOrEqual(3);
			total += a.participants;
		}
		expect(total).toBeGreaterThan(3000);
	});

	it('checks in residents of the point once each, by staff who may check in there', () => {
		const byId = new Map(activities.map((a) => [a.id, a]));
		const seen = new Set<string>();
		// one assertion over all check-ins: thousands of expect() calls are slow
		const wrong: string[] = [];
		for (const c of checkins) {
			const a = byId.get(c.activityId)!;
			const p = people.get(c.residentId)!;
			const key = `${a.title} ${c.residentId}`;
			if (p.householdId !== c.householdId) wrong.push(`${key}: household`);
			if (p.status !== 'active') wrong.push(`${key}: not active`);
			if (households.get(c.householdId)!.settlementId !== a.settlementId)
				wrong.push(`${key}: another point`);
			if (!can(actor(c.checkedInBy), 'activity.checkin', a)) wrong.push(`${key}: checker`);
			if (c.pointsEntryId !== null) wrong.push(`${key}: points`);
			if (Math.abs(c.createdAt.getTime() - a.startsAt.getTime()) >= 3_600_000)
				wrong.push(`${key}: time`);
			if (seen.has(`${c.activityId}|${c.residentId}`)) wrong.push(`${key}: twice`);
			seen.add(`${c.activityId}|${c.residentId}`);
			if (a.title.includes('童伴之家') && ageOn(p.birthDate, a.startsAt) >= 17)
				wrong.push(`${key}: too old for 童伴之家`);
		}
		expect(wrong).toEqual([]);
		expect(seen.size).toBe(checkins.length);
		// the first point's staff organise and check in there
		const firstCheckers = new Set(
			checkins
				.filter((c) => byId.get(c.activityId)!.settlementId === first.id)
				.map((c) => c.checkedInBy)
		);
		expect(firstCheckers.has(users.get('shegong')!.id)).toBe(true);
		for (const a of activities.filter((x) => x.organizerId))
			expect(can(actor(a.organizerId), 'activity.manage', a), a.title).toBe(true);
	});

	it("shows the demo residents' own sign-ups from the phone, one cancelled, and jumin's wife signed up for what is coming", () => {
		for (const username of ['jumin', 'jumin2']) {
			const u = users.get(username)!;
			const own = signups.filter((s) => s.signedUpBy === u.id);
			expect(own.length, username).toBeGreaterThanOrEqual(3);
			for (const s of own) {
				expect(s.householdId).toBe(u.householdId);
				expect(people.get(s.residentId)!.householdId).toBe(u.householdId);
				const a = activities.find((x) => x.id === s.activityId)!;
				expect(can(actor(u.id), 'activity.signup', { householdId: s.householdId })).toBe(true);
				expect(can(actor(u.id), 'activity.read', a)).toBe(true);
				expect(s.createdAt < a.startsAt).toBe(true);
				if (s.cancelledAt)
					expect(s.cancelledAt < a.startsAt && s.cancelledAt > s.createdAt).toBe(true);
			}
			expect(own.filter((s) => s.cancelledAt).length, username).toBe(1);
		}
		// only the demo residents' accounts sign up
		const residentAccounts = new Set([users.get('jumin')!.id, users.get('jumin2')!.id]);
		for (const s of signups) expect(residentAccounts.has(s.signedUpBy)).toBe(true);
		const juminComing = signups.filter(
			(s) =>
				s.signedUpBy === users.get('jumin')!.id &&
				activities.find((a) => a.id === s.activityId)!.startsAt > seededAt
		);
		expect(juminComing).toHaveLength(1);
		expect(people.get(juminComing[0].residentId)!.relation).toBe('配偶');
	});

	it('keeps the monthly tallies equal to the activities and check-ins, cancelled ones left out', async () => {
		const tallies = await db().select().from(activityTally);
		const expected = new Map<string, { activities: number; participants: number }>();
		for (const a of activities) {
			if (a.status === 'cancelled') continue;
			const key = `${a.settlementId}|${monthOf(a.startsAt)}|${a.kind}`;
			const t = expected.get(key) ?? { activities: 0, participants: 0 };
			t.activities += 1;
			t.participants += a.participants;
			expected.set(key, t);
		}
		expect(tallies).toHaveLength(expected.size);
		for (const t of tallies) {
			const key = `${t.settlementId}|${t.month}|${t.kind}`;
			expect({ activities: t.activities, participants: t.participants }, key).toEqual(
				expected.get(key)
			);
			expect(t.regionPath).toBe(points.find((p) => p.id === t.settlementId)!.regionPath);
		}
	});
});

describe('the care demo data', () => {
	it("gives the first point's worker elders living alone, the severely disabled and left-behind children to visit", () => {
		expect(targets.length).toBeGreaterThanOrEqual(30);
		expect(new Set(targets.map((t) => t.group))).toEqual(
			new Set(['living_alone_elderly', 'severe_disability', 'left_behind_child'])
		);
		const shegong = users.get('shegong')!;
		for (const t of targets) {
			const p = people.get(t.residentId)!;
			const h = households.get(t.householdId)!;
			expect(p.householdId).toBe(t.householdId);
			expect(t).toMatchObject({
				settlementId: first.id,
				regionPath: first.regionPath,
				workerId: shegong.id,
				intervalDays: defaultIntervalDays[t.group],
				endedOn: null
			});
			expect(careGroups).toContain(t.group);
			expect(t.since <= today && t.since >= h.movedInOn!).toBe(true);
			const members = [...people.values()].filter((m) => m.householdId === h.id);
			if (t.group === 'living_alone_elderly') {
				expect(members).toHaveLength(1);
				expect(ageOn(p.birthDate, seededAt)).toBeGreaterThanOrEqual(70);
			}
			if (t.group === 'severe_disability') {
				expect(p.health).toBe('残疾');
				expect(p.disabilityLevel).toBeLessThanOrEqual(2);
			}
			if (t.group === 'left_behind_child') {
				expect(h.tags).toContain('left_behind_child');
				expect(ageOn(p.birthDate, seededAt)).toBeLessThan(17);
			}
			expect(can(actor(shegong.id), 'visit.record', t)).toBe(true);
		}
		// one target per person and group
		expect(new Set(targets.map((t) => `${t.residentId}|${t.group}`)).size).toBe(targets.length);
	});

	it("keeps each target's due day from its last visit, and each visit's on-time mark from the day it was due", () => {
		let overdue = 0;
		let dueSoon = 0;
		for (const t of targets) {
			const own = visits.filter((v) => v.targetId === t.id);
			let due = t.since;
			let last: string | null = null;
			for (const v of own) {
				expect(v).toMatchObject({
					settlementId: t.settlementId,
					regionPath: t.regionPath,
					residentId: t.residentId,
					householdId: t.householdId
				});
				expect(v.visitedOn < today || (v.visitedOn === today && v.createdAt <= seededAt)).toBe(
					true
				);
				expect(v.visitedOn >= t.since).toBe(true);
				expect(v.onTime, `${t.id} ${v.visitedOn} due ${due}`).toBe(v.visitedOn <= due);
				expect(v.findings.length).toBeGreaterThan(5);
				expect(v.visitorName).toBe(actor(v.visitorId).displayName);
				expect(can(actor(v.visitorId), 'visit.record', v)).toBe(true);
				if (v.wellbeing !== 'well') expect(v.followUp.length).toBeGreaterThan(0);
				if (last) expect(v.visitedOn > last).toBe(true);
				last = v.visitedOn;
				due = nextDueOn(t.since, last, t.intervalDays);
			}
			expect(t.lastVisitedOn).toBe(last);
			expect(t.nextDueOn).toBe(nextDueOn(t.since, t.lastVisitedOn, t.intervalDays));
			if (t.nextDueOn < today) overdue++;
			else if (t.nextDueOn <= shanghaiDay(new Date(seededAt.getTime() + 7 * 86_400_000))) dueSoon++;
		}
		expect(overdue).toBeGreaterThanOrEqual(5);
		expect(dueSoon).toBeGreaterThanOrEqual(3);
		expect(targets.length - overdue).toBeGreaterThanOrEqual(20);
		expect(visits.length).toBeGreaterThan(300);
		expect(visits.some((v) => !v.onTime)).toBe(true);
		expect(visits.some((v) => v.wellbeing === 'concern')).toBe(true);
	});
});

describe('the risk monitoring demo data', () => {
	it('raises flags in every status, each on a household of its point, found before reported', () => {
		expect(new Set(flags.map((f) => f.status))).toEqual(new Set(riskStatuses));
		for (const f of flags) {
			const h = households.get(f.householdId)!;
			const label = `FX${f.no} ${f.status}`;
			expect(f.settlementId, label).toBe(h.settlementId);
			expect(f.regionPath, label).toBe(points.find((p) => p.id === h.settlementId)!.regionPath);
			if (f.residentId) expect(people.get(f.residentId)!.householdId, label).toBe(f.householdId);
			expect(f.foundAt <= f.reportedAt && f.reportedAt <= seededAt, label).toBe(true);
			expect(f.verifyDueAt.getTime() - f.reportedAt.getTime(), label).toBe(
				defaultVerifyWithinHours * 3_600_000
			);
			expect(f.description.length, label).toBeGreaterThan(10);
			// the steps leave their marks, in order
			expect(f.verifiedAt !== null, label).toBe(
				f.status !== 'reported' && !(f.status === 'closed' && f.outcome === 'not_a_risk')
			);
			if (f.verifiedAt) {
				expect(f.verifiedAt > f.reportedAt, label).toBe(true);
				expect(f.verifyNote, label).toBeTruthy();
				expect(can(actor(f.verifiedBy), 'risk.verify', f), label).toBe(true);
			}
			expect(f.assistedAt !== null, label).toBe(links.some((l) => l.flagId === f.id));
			expect(f.closedAt !== null && f.outcome !== null && f.closedBy !== null, label).toBe(
				f.status === 'closed'
			);
			if (f.closedAt) {
				expect(f.closedAt > (f.assistedAt ?? f.verifiedAt ?? f.reportedAt), label).toBe(true);
				expect(f.closedAt <= seededAt, label).toBe(true);
				expect(can(actor(f.closedBy), 'risk.verify', f), label).toBe(true);
			}
			if (f.reportedBy) expect(can(actor(f.reportedBy), 'risk.report', f), label).toBe(true);
			expect(f.source === 'register_rule', label).toBe(f.registerRule !== null);
			expect(f.source === 'register_rule', label).toBe(f.reportedBy === null);
			if (f.registerRule && f.status !== 'closed') expect(h.zeroEmployment, label).toBe(true);
		}
		// numbered in the order they were reported
		for (let i = 1; i < flags.length; i++)
			expect(flags[i].reportedAt >= flags[i - 1].reportedAt).toBe(true);
	});

	it('leaves one flag at the first point still waiting for verification past its limit, and one opened from a visit', () => {
		const firstFlags = flags.filter((f) => f.settlementId === first.id);
		const waiting = firstFlags.filter((f) => f.status === 'reported' && f.verifyDueAt < seededAt);
		expect(waiting).toHaveLength(1);
		expect(waiting[0].escalatedAt).toBeNull();
		const fromVisit = flags.filter((f) => f.source === 'visit');
		expect(fromVisit).toHaveLength(1);
		const v = visits.find((x) => x.id === fromVisit[0].visitId)!;
		expect(v.riskFlagId).toBe(fromVisit[0].id);
		expect(v.householdId).toBe(fromVisit[0].householdId);
		expect(v.wellbeing).toBe('urgent');
		expect(shanghaiDay(fromVisit[0].foundAt)).toBe(v.visitedOn);
		expect(fromVisit[0].status).toBe('reported');
		expect(fromVisit[0].verifyDueAt > seededAt).toBe(true);
		for (const x of visits.filter((y) => y.riskFlagId)) expect(x.id).toBe(v.id);
		for (const s of ['reported', 'verified', 'assisted', 'closed'])
			expect(
				firstFlags.some((f) => f.status === s),
				s
			).toBe(true);
	});

	it('links assisted flags to a request or need of that very household', async () => {
		const requests = new Map((await db().select().from(serviceRequest)).map((x) => [x.id, x]));
		const needs = new Map((await db().select().from(need)).map((x) => [x.id, x]));
		expect(links.some((l) => l.kind === 'service_request')).toBe(true);
		const assisted = flags.filter((f) => f.status === 'assisted');
		expect(assisted.length).toBeGreaterThanOrEqual(1);
		for (const l of links) {
			const f = flags.find((x) => x.id === l.flagId)!;
			const target =
				l.kind === 'service_request' ? requests.get(l.targetId) : needs.get(l.targetId);
			expect(target, l.kind).toBeDefined();
			expect(target!.householdId).toBe(f.householdId);
			expect(l.createdAt.getTime()).toBe(f.assistedAt!.getTime());
			expect(l.createdAt > f.verifiedAt!).toBe(true);
			expect(can(actor(l.linkedBy), 'risk.verify', f)).toBe(true);
		}
		const linked = assisted.find((f) =>
			links.some((l) => l.flagId === f.id && l.kind === 'service_request')
		);
		expect(linked).toBeDefined();
	});
});

describe('the zero report and duplicate-benefit demo data', () => {
	it("files the past months' reports with each month's flags, one late and one missing, none yet for this month", () => {
		const thisMonth = today.slice(0, 7);
		expect(reports.filter((x) => x.month >= thisMonth)).toEqual([]);
		for (const x of reports) {
			const label = `${x.month} ${points.find((p) => p.id === x.settlementId)!.name}`;
			const count = flags.filter(
				(f) => f.settlementId === x.settlementId && monthOf(f.reportedAt) === x.month
			).length;
			expect(x.flagCount, label).toBe(count);
			expect(x.nothingFound, label).toBe(count === 0);
			expect(x.dueOn, label).toBe(reportDueOn(x.month));
			expect(x.late, label).toBe(shanghaiDay(x.submittedAt) > x.dueOn);
			expect(x.submittedAt > new Date(`${addMonths(x.month, 1)}-01T00:00:00+08:00`), label).toBe(
				true
			);
			expect(x.submittedAt <= seededAt, label).toBe(true);
			expect(x.submittedByName, label).toBe(actor(x.submittedBy).displayName);
			expect(can(actor(x.submittedBy), 'report.submit', x), label).toBe(true);
			expect(x.regionPath, label).toBe(points.find((p) => p.id === x.settlementId)!.regionPath);
		}
		expect(reports.filter((x) => x.late)).toHaveLength(1);
		// months whose deadline has passed: every point filed but one
		const due = [...new Set(reports.map((x) => x.month))].filter((m) => reportDueOn(m) < today);
		expect(due.length).toBeGreaterThanOrEqual(5);
		const missing = due.flatMap((m) =>
			points.filter((p) => !reports.some((x) => x.month === m && x.settlementId === p.id))
		);
		expect(missing).toHaveLength(1);
		expect(missing[0].id).not.toBe(first.id);
		// the first point reported flags in some month, and nothing in others
		const own = reports.filter((x) => x.settlementId === first.id);
		expect(own.some((x) => x.nothingFound)).toBe(true);
		expect(own.some((x) => x.flagCount > 0)).toBe(true);
	});

	it('records one duplicate-benefit run over the register’s doubly registered people, keyed by a hash, no ID number stored', async () => {
		const runs = await db().select().from(benefitCheckRun);
		const findings = await db().select().from(duplicateBenefit);
		expect(runs).toHaveLength(1);
		expect(runs[0].found).toBe(findings.length);
		expect(can(actor(runs[0].ranBy), 'benefit.check', runs[0])).toBe(true);
		// what the register holds: one ID number active in two active households
		const byId = new Map<string, Row<typeof resident>[]>();
		for (const p of people.values())
			if (p.status === 'active' && households.get(p.householdId)!.status === 'active')
				byId.set(p.idNumber, [...(byId.get(p.idNumber) ?? []), p]);
		const doubles = [...byId.entries()].filter(
			([, ps]) => new Set(ps.map((p) => p.householdId)).size > 1
		);
		expect(findings).toHaveLength(doubles.length);
		expect(findings.length).toBeGreaterThanOrEqual(1);
		for (const [idNumber, ps] of doubles) {
			const f = findings.find(
				(x) => x.key === createHash('sha256').update(idNumber).digest('hex')
			)!;
			expect(f, 'a finding per doubled ID').toBeDefined();
			expect(f.kind).toBe('same_person_two_households');
			expect([...f.residentIds].sort()).toEqual(ps.map((p) => p.id).sort());
			expect([...f.householdIds].sort()).toEqual([...new Set(ps.map((p) => p.householdId))].sort());
			expect([...f.settlementIds].sort()).toEqual(
				[...new Set(ps.map((p) => households.get(p.householdId)!.settlementId))].sort()
			);
			expect(JSON.stringify(f)).not.toContain(idNumber);
			expect(f.status === 'open', f.key).toBe(f.resolvedAt === null);
			expect(f.status, f.key).not.toBe('resolved');
			if (f.status !== 'open') {
				expect(f.resolution).toBeTruthy();
				expect(f.resolvedAt! > f.createdAt && f.resolvedAt! <= seededAt).toBe(true);
				expect(can(actor(f.resolvedBy), 'benefit.resolve', f)).toBe(true);
			}
		}
		const open = findings.filter((f) => f.status === 'open');
		expect(open).toHaveLength(1);
		expect(open[0].settlementIds).toContain(first.id);
		expect(JSON.stringify(runs)).not.toMatch(/\d{17}[\dX]/);
		// the check itself finds the same people and adds nothing: the open finding is not repeated,
		// the dismissed ones are not raised again
		const again = await checkDuplicates(runs[0].regionPath, runs[0].month, actor(runs[0].ranBy));
		expect(again).toMatchObject({ found: findings.length, added: 0 });
	});
});
