import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
	fileRequestSchema,
	queueFilterSchema,
	rateSchema,
	stepSchema
} from '$lib/schemas/services';
import {
	isOpen,
	requestNumber,
	requestStatuses,
	stepEvent,
	stepNames,
	steps,
	stepsFrom,
	type RequestStatus,
	type Step
} from '$lib/services/workflow';
import { addWorkingDays, shanghaiDay } from '$lib/working-days';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCategory,
	createCounty,
	createHousehold,
	createServiceRequest,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type ServiceCategory,
	type ServiceRequest,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	addNote,
	assignRequest,
	countRequests,
	escalateOverdue,
	fileRequest,
	getRequest,
	listRequests,
	rateRequest,
	statusWords,
	takeStep
} from '.';

// The services commands on a real database: filing (own, 帮代办, idempotent, due dates in working
// days), every step of the workflow and every refused one, pauses, the trigger-kept counts, the
// queue's filters and paging, notes, ratings, the escalation sweep, and the audit trail.
// Who may do what to whose request is in access.db.spec.ts; bad input in fuzz.db.spec.ts.

useTestDatabase();

const { serviceRequest, serviceEvent, serviceRequestTally, auditEntry, notification } = schema;

let county: County;
let otherCounty: County;
let pointA: Settlement;
let pointA2: Settlement;
/** the resident's household (two accounts: resident, resident2), a neighbour's, one moved out */
let home: Household & { members: Member[] };
let neighbour: Household & { members: Member[] };
let movedOut: Household & { members: Member[] };
let cat: ServiceCategory;
let urgentCat: ServiceCategory;
let otherCountyCat: ServiceCategory;
let retiredCat: ServiceCategory;
const actors: Record<string, Actor> = {};
const resident = () => actors['resident'];
const admin = () => actors['point admin'];

beforeAll(async () => {
	county = await createCounty();
	otherCounty = await createCounty(county.city);
	pointA = await createSettlement(county);
	pointA2 = await createSettlement(county);
	home = await createHousehold(pointA, { members: 3 });
	neighbour = await createHousehold(pointA, { members: 2 });
	movedOut = await createHousehold(pointA, { status: 'moved_out' });
	cat = await createCategory(county, { name: '社保接续', timeLimitDays: 5 });
	urgentCat = await createCategory(county, { name: '临时救助', timeLimitDays: 3, urgent: true });
	otherCountyCat = await createCategory(otherCounty, { name: '别县事项' });
	retiredCat = await createCategory(county, { name: '停办事项', active: false });
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('resident', { household: home, grants: [{ role: 'resident', on: pointA }] });
	await make('resident2', { household: home, grants: [{ role: 'resident', on: pointA }] });
	await make('neighbour', { household: neighbour, grants: [{ role: 'resident', on: pointA }] });
	await make('point admin', { grants: [{ role: 'point_admin', on: pointA }] });
	await make('point chief', { grants: [{ role: 'point_chief', on: pointA }] });
	await make('community worker', { grants: [{ role: 'community_worker', on: pointA }] });
	await make('point admin of A2', { grants: [{ role: 'point_admin', on: pointA2 }] });
	await make('point chief of A2', { grants: [{ role: 'point_chief', on: pointA2 }] });
});

// ---------------------------------------------------------------------------------------------
// helpers

let keys = 0;
/** A fresh idempotency key, as the form would carry. */
const newKey = () => `k${Date.now().toString(36)}-${++keys}-${randomUUID().slice(0, 8)}`;

/** The filing form as posted and parsed, for cat unless told. */
function fileInput(input: Partial<z.input<typeof fileRequestSchema>> = {}) {
	return fileRequestSchema.parse({
		categoryId: cat.id,
		description: '申请办理社保关系转移接续',
		idempotencyKey: newKey(),
		...input
	});
}

/** A step as posted and parsed, with the words each step needs. */
function stepInput(step: Step, note = `关于「${step}」的说明`) {
	return stepSchema.parse({
		step,
		note,
		originOffice: step === 'askOrigin' ? '原籍县公安局户政科' : ''
	});
}

function ok<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
	expect(result).toMatchObject({ ok: true });
	return result as Extract<T, { ok: true }>;
}

/** A Date at a Shanghai wall-clock time on a day: at('2026-11-02', '09:30'). */
const at = (day: string, time = '10:00') => new Date(`${day}T${time}:00+08:00`);

async function requestRow(id: string) {
	const [row] = await db().select().from(serviceRequest).where(eq(serviceRequest.id, id));
	return row;
}

async function eventsOf(id: string) {
	return db()
		.select()
		.from(serviceEvent)
		.where(eq(serviceEvent.requestId, id))
		.orderBy(asc(serviceEvent.id));
}

async function auditOf(id: string) {
	return db()
		.select()
		.from(auditEntry)
		.where(and(eq(auditEntry.entity, 'service_request'), eq(auditEntry.entityId, id)))
		.orderBy(asc(auditEntry.id));
}

async function auditCount() {
	const [{ n }] = await db().select({ n: count() }).from(auditEntry);
	return Number(n);
}

async function requestCount() {
	const [{ n }] = await db().select({ n: count() }).from(serviceRequest);
	return Number(n);
}

/** The notifications about one request, as (user, kind) pairs. */
async function notificationsAbout(id: string, kind?: string) {
	const rows = await db()
		.select({ userId: notification.userId, kind: notification.kind, body: notification.body })
		.from(notification)
		.where(
			and(eq(notification.link, `/services/${id}`), kind ? eq(notification.kind, kind) : undefined)
		);
	return rows;
}

const idsOf = (rows: { userId: string }[]) => rows.map((r) => r.userId).sort();
const sorted = (...ids: string[]) => [...ids].sort();

/** The trigger-kept tally of a settlement, without the zero rows. */
async function tallyOf(settlementId: string): Promise<Partial<Record<RequestStatus, number>>> {
	const rows = await db()
		.select({ status: serviceRequestTally.status, n: serviceRequestTally.n })
		.from(serviceRequestTally)
		.where(eq(serviceRequestTally.settlementId, settlementId));
	return Object.fromEntries(rows.filter((r) => r.n !== 0).map((r) => [r.status, r.n]));
}

/** The same, counted from the requests themselves. */
async function handCountOf(settlementId: string): Promise<Partial<Record<RequestStatus, number>>> {
	const rows = await db()
		.select({ status: serviceRequest.status, n: count() })
		.from(serviceRequest)
		.where(eq(serviceRequest.settlementId, settlementId))
		.groupBy(serviceRequest.status);
	return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Every settlement's tally equals its requests counted by hand. */
async function expectTalliesRight() {
	const tally = await db()
		.select({
			key: sql<string>`${serviceRequestTally.settlementId} || ' ' || ${serviceRequestTally.status}`,
			n: serviceRequestTally.n
		})
		.from(serviceRequestTally);
	const hand = await db()
		.select({
			key: sql<string>`${serviceRequest.settlementId} || ' ' || ${serviceRequest.status}`,
			n: sql<number>`count(*)::int`
		})
		.from(serviceRequest)
		.groupBy(serviceRequest.settlementId, serviceRequest.status);
	const asMap = (rows: { key: string; n: number }[]) =>
		Object.fromEntries(rows.filter((r) => Number(r.n) !== 0).map((r) => [r.key, Number(r.n)]));
	expect(asMap(tally)).toEqual(asMap(hand));
}

/** A request written straight into a state, in the resident's household, due 2026-11-20. */
async function inState(
	status: RequestStatus,
	input: Partial<typeof serviceRequest.$inferInsert> = {},
	household: { id: string; settlementId: string } = home
) {
	return createServiceRequest(
		household,
		cat,
		{ id: resident().id },
		{
			status,
			dueOn: '2026-11-20',
			pausedSince: status === 'waiting_resident' ? '2026-11-02' : null,
			...input
		}
	);
}

/** Who takes a step: the resident withdraws, the point's staff take the rest. */
const stepper = (step: Step) => (step === 'withdraw' ? resident() : admin());

// ---------------------------------------------------------------------------------------------

describe('fileRequest', () => {
	it("files a resident's request for their own household, not as a proxy, and audits it", async () => {
		const now = at('2026-11-02', '09:30');
		const result = await fileRequest(
			resident(),
			// a resident's consent fields are ignored: they are filing for themselves
			fileInput({ contactPhone: '13900001111', consentMethod: 'phone', consentNote: '电话' }),
			now
		);
		expect(result).toEqual({
			ok: true,
			id: expect.any(String),
			number: expect.stringMatching(/^FW\d{8}$/),
			duplicate: false
		});
		const { id, number } = ok(result);
		const row = await requestRow(id);
		expect(row).toMatchObject({
			householdId: home.id,
			settlementId: pointA.id,
			regionPath: pointA.regionPath,
			categoryId: cat.id,
			filedBy: resident().id,
			proxy: false,
			consentMethod: null,
			consentNote: null,
			status: 'submitted',
			urgent: false,
			ackDueAt: null,
			contactPhone: '13900001111',
			submittedAt: now,
			dueOn: '2026-11-09'
		});
		expect(requestNumber(row.no)).toBe(number);
		expect(await eventsOf(id)).toEqual([
			expect.objectContaining({
				kind: 'submitted',
				toStatus: 'submitted',
				actorId: resident().id,
				internal: false,
				note: null,
				data: {}
			})
		]);
		expect(await auditOf(id)).toEqual([
			expect.objectContaining({
				action: 'service.submitted',
				actorId: resident().id,
				scopePath: pointA.regionPath,
				summary: { number, from: null, to: 'submitted' }
			})
		]);
		// nobody is told of an ordinary filing by the resident themself
		expect(await notificationsAbout(id)).toEqual([]);
	});

	it('a resident files for their own household even when the form names it', async () => {
		const { id } = ok(await fileRequest(resident(), fileInput({ householdId: home.id })));
		expect(await requestRow(id)).toMatchObject({ householdId: home.id, proxy: false });
	});

	it('staff filing 帮代办 must say how the resident consented (failure at consentMethod)', async () => {
		const before = await requestCount();
		const audits = await auditCount();
		expect(await fileRequest(admin(), fileInput({ householdId: home.id }))).toEqual({
			ok: false,
			reason: 'consent',
			field: 'consentMethod'
		});
		expect(await requestCount()).toBe(before);
		expect(await auditCount()).toBe(audits);
	});

	it('records the proxy and the consent, and tells the household', async () => {
		const { id } = ok(
			await fileRequest(
				admin(),
				fileInput({
					householdId: home.id,
					residentId: home.members[1].id,
					consentMethod: 'paper_signature',
					consentNote: '居民在受理单上签字'
				})
			)
		);
		expect(await requestRow(id)).toMatchObject({
			householdId: home.id,
			residentId: home.members[1].id,
			filedBy: admin().id,
			proxy: true,
			consentMethod: 'paper_signature',
			consentNote: '居民在受理单上签字'
		});
		const [event] = await eventsOf(id);
		expect(event).toMatchObject({
			kind: 'submitted',
			actorId: admin().id,
			data: { consentMethod: 'paper_signature' }
		});
		expect(event.note).toContain('代办');
		expect(idsOf(await notificationsAbout(id, 'service.filed'))).toEqual(
			sorted(resident().id, actors['resident2'].id)
		);
	});

	it('staff must choose the household (failure at householdId)', async () => {
		expect(await fileRequest(admin(), fileInput({ consentMethod: 'in_person' }))).toEqual({
			ok: false,
			reason: 'no_household',
			field: 'householdId'
		});
	});

	it.each([
		['of another county', () => otherCountyCat.id],
		['retired', () => retiredCat.id],
		['made up', () => randomUUID()]
	])('refuses a category %s at categoryId and writes nothing', async (_, categoryId) => {
		const before = await requestCount();
		for (const actor of [resident(), admin()])
			expect(
				await fileRequest(
					actor,
					fileInput({ categoryId: categoryId(), householdId: home.id, consentMethod: 'phone' })
				)
			).toEqual({ ok: false, reason: 'no_category', field: 'categoryId' });
		expect(await requestCount()).toBe(before);
	});

	it('refuses a member of another household at residentId', async () => {
		const before = await requestCount();
		for (const residentId of [neighbour.members[0].id, movedOut.members[0].id, 'not-an-id'])
			expect(await fileRequest(resident(), fileInput({ residentId }))).toEqual({
				ok: false,
				reason: 'no_member',
				field: 'residentId'
			});
		expect(
			await fileRequest(
				admin(),
				fileInput({
					householdId: home.id,
					residentId: neighbour.members[1].id,
					consentMethod: 'phone'
				})
			)
		).toEqual({ ok: false, reason: 'no_member', field: 'residentId' });
		expect(await requestCount()).toBe(before);
		// a member of the household is fine
		const { id } = ok(await fileRequest(resident(), fileInput({ residentId: home.members[2].id })));
		expect((await requestRow(id)).residentId).toBe(home.members[2].id);
	});

	it('refuses a household that has moved out', async () => {
		expect(
			await fileRequest(admin(), fileInput({ householdId: movedOut.id, consentMethod: 'phone' }))
		).toEqual({ ok: false, reason: 'household_ended', field: 'householdId' });
	});

	it('files ONE request when the same idempotency key is sent ten times at once', async () => {
		const tally = await tallyOf(pointA.id);
		const input = fileInput();
		const results = await Promise.all(
			Array.from({ length: 10 }, () => fileRequest(resident(), input))
		);
		const answers = results.map((r) => ok(r));
		const id = answers[0].id;
		expect(answers.map((a) => a.id)).toEqual(Array(10).fill(id));
		expect(answers.map((a) => a.number)).toEqual(Array(10).fill(answers[0].number));
		expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
		const rows = await db()
			.select({ id: serviceRequest.id })
			.from(serviceRequest)
			.where(eq(serviceRequest.idempotencyKey, input.idempotencyKey));
		expect(rows).toEqual([{ id }]);
		expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['submitted']);
		expect(await auditOf(id)).toHaveLength(1);
		expect(await tallyOf(pointA.id)).toEqual({ ...tally, submitted: (tally.submitted ?? 0) + 1 });

		// sent again later: the same answer
		expect(await fileRequest(resident(), input)).toEqual({ ...answers[0], duplicate: true });
		// a new form (a new key) files a second request
		const second = ok(await fileRequest(resident(), { ...input, idempotencyKey: newKey() }));
		expect(second.id).not.toBe(id);
		expect(second.duplicate).toBe(false);
		// a key is one person's: another account of the household sending it files its own
		const other = ok(await fileRequest(actors['resident2'], input));
		expect(other.id).not.toBe(id);
		await expectTalliesRight();
	});

	it('counts the due date in working days from the Shanghai day, across National Day 2026', async () => {
		const now = new Date('2026-09-30T02:00:00Z');
		const { id } = ok(await fileRequest(resident(), fileInput(), now));
		const { dueOn } = await requestRow(id);
		expect(dueOn).toBe(addWorkingDays(shanghaiDay(now), cat.timeLimitDays));
		// 国办发明电〔2025〕7号: 10-01…10-07 off, Saturday 10-10 worked; from Wednesday 09-30 the
		// five working days are 10-08, 10-09, 10-10, 10-12, 10-13
		expect(dueOn).toBe('2026-10-13');
	});

	it('takes the day in Shanghai: 01:30 on 09-30 there is still 09-29 in UTC', async () => {
		const now = new Date('2026-09-29T17:30:00Z');
		const { id } = ok(await fileRequest(resident(), fileInput(), now));
		// from the UTC day (09-29) it would be 10-12
		expect((await requestRow(id)).dueOn).toBe('2026-10-13');
	});

	it('counts the Spring Festival 2026 with its 调休 Saturday', async () => {
		// Friday 02-13; Saturday 02-14 worked, 02-15…02-23 off: 02-14, 02-24, 02-25, 02-26, 02-27
		const { id } = ok(await fileRequest(resident(), fileInput(), at('2026-02-13')));
		expect((await requestRow(id)).dueOn).toBe('2026-02-27');
	});

	it("an urgent request must be acknowledged in 24 hours; the point's admin and chief are told", async () => {
		const now = at('2026-11-03', '09:15');
		const { id } = ok(await fileRequest(resident(), fileInput({ categoryId: urgentCat.id }), now));
		const row = await requestRow(id);
		expect(row.urgent).toBe(true);
		expect(row.ackDueAt).toEqual(new Date(now.getTime() + 24 * 3600_000));
		expect(row.dueOn).toBe(addWorkingDays('2026-11-03', 3));
		// not the community worker, not another point's staff, not the resident
		expect(idsOf(await notificationsAbout(id, 'service.urgent'))).toEqual(
			sorted(admin().id, actors['point chief'].id)
		);
	});

	it('an urgent 帮代办 tells the chief and the household, not the admin who filed it', async () => {
		const { id } = ok(
			await fileRequest(
				admin(),
				fileInput({ categoryId: urgentCat.id, householdId: home.id, consentMethod: 'in_person' })
			)
		);
		expect(idsOf(await notificationsAbout(id, 'service.urgent'))).toEqual([
			actors['point chief'].id
		]);
		expect(idsOf(await notificationsAbout(id, 'service.filed'))).toEqual(
			sorted(resident().id, actors['resident2'].id)
		);
	});
});

// ---------------------------------------------------------------------------------------------

const edges = stepNames.flatMap((step) =>
	steps[step].from.map((from) => ({ step, from: from as RequestStatus, to: steps[step].to }))
);
const refused = requestStatuses.flatMap((status) =>
	stepNames.filter((step) => !stepsFrom(status).includes(step)).map((step) => ({ step, status }))
);

/** Every way from submitted to a closed state that visits no state twice. */
function simplePaths(): Step[][] {
	const paths: Step[][] = [];
	const walk = (status: RequestStatus, seen: RequestStatus[], path: Step[]) => {
		const next = stepsFrom(status);
		if (next.length === 0) paths.push(path);
		for (const s of next)
			if (!seen.includes(steps[s].to)) walk(steps[s].to, [...seen, steps[s].to], [...path, s]);
	};
	walk('submitted', ['submitted'], []);
	return paths;
}

describe('takeStep', () => {
	it('has every move of the table to test', () => {
		expect(edges).toHaveLength(21);
		expect(refused).toHaveLength(51);
		expect(simplePaths()).toHaveLength(33);
	});

	it.each(edges)('$from → $step → $to', async ({ step, from, to }) => {
		const req = await inState(from);
		const actor = stepper(step);
		const tally = await tallyOf(pointA.id);
		const now = at('2026-11-04', '15:00');
		const input = stepInput(step);

		expect(await takeStep(actor, req.id, input, now)).toEqual({ ok: true, status: to });

		const row = await requestRow(req.id);
		expect(row.status).toBe(to);
		expect(row.updatedAt).toEqual(now);
		const events = await eventsOf(req.id);
		expect(events.filter((e) => e.kind !== 'assigned')).toEqual([
			expect.objectContaining({
				kind: stepEvent[step],
				fromStatus: from,
				toStatus: to,
				actorId: actor.id,
				internal: false,
				note: input.note
			})
		]);
		expect((await auditOf(req.id)).map((a) => [a.action, a.actorId, a.summary])).toEqual([
			[`service.${stepEvent[step]}`, actor.id, { number: requestNumber(req.no), from, to }]
		]);
		expect(await tallyOf(pointA.id)).toEqual(
			Object.fromEntries(
				Object.entries({
					...tally,
					[from]: (tally[from] ?? 0) - 1,
					[to]: (tally[to] ?? 0) + 1
				}).filter(([, n]) => n !== 0)
			)
		);
		// the household hears of every step (but the one who took it)
		expect(idsOf(await notificationsAbout(req.id, 'service.step'))).toEqual(
			sorted(resident().id, actors['resident2'].id).filter((u) => u !== actor.id)
		);

		if (!isOpen(to)) expect(row).toMatchObject({ closedAt: now, outcome: input.note });
		if (step === 'accept') {
			expect(row).toMatchObject({ acceptedAt: now, assigneeId: actor.id });
			expect(events.filter((e) => e.kind === 'assigned')).toHaveLength(1);
		}
		if (step === 'askOrigin')
			expect(row).toMatchObject({ originOffice: '原籍县公安局户政科', originAsk: input.note });
		if (step === 'askResident') expect(row.pausedSince).toBe('2026-11-04');
		if (from === 'waiting_resident') {
			// paused on Monday 11-02, left on Wednesday 11-04: two working days
			expect(row).toMatchObject({
				pausedSince: null,
				pausedDays: 2,
				dueOn: addWorkingDays('2026-11-20', 2)
			});
		}
	});

	it.each(refused)('refuses $step from $status, changing nothing', async ({ step, status }) => {
		const req = await inState(status);
		const before = {
			row: await requestRow(req.id),
			events: await eventsOf(req.id),
			audits: await auditCount(),
			tally: await tallyOf(pointA.id)
		};
		const result = await takeStep(stepper(step), req.id, stepInput(step));
		expect(result).toEqual({
			ok: false,
			reason: 'illegal_step',
			field: 'step',
			message: expect.stringMatching(/[\u4e00-\u9fff]/)
		});
		if (result.ok) return;
		const closedWords = { done: '已办结', rejected: '不予办理', withdrawn: '已撤回' } as const;
		expect(result.message).toContain(
			isOpen(status) ? statusWords[status] : closedWords[status as keyof typeof closedWords]
		);
		expect(await requestRow(req.id)).toEqual(before.row);
		expect(await eventsOf(req.id)).toEqual(before.events);
		expect(await auditCount()).toBe(before.audits);
		expect(await tallyOf(pointA.id)).toEqual(before.tally);
	});

	it('done → in progress is refused as already done (已办结)', async () => {
		const req = await inState('done');
		expect(await takeStep(admin(), req.id, stepInput('start'))).toEqual({
			ok: false,
			reason: 'illegal_step',
			field: 'step',
			message: '申请已办结，不能再改为「办理中」'
		});
		expect((await requestRow(req.id)).status).toBe('done');
	});

	it.each(simplePaths().map((path) => ({ path, name: path.join(' → ') })))(
		'walks $name',
		async ({ path }) => {
			const req = await inState('submitted');
			let status: RequestStatus = 'submitted';
			for (const step of path) {
				const result = await takeStep(stepper(step), req.id, stepInput(step));
				status = steps[step].to;
				expect(result, step).toEqual({ ok: true, status });
			}
			expect(isOpen(status)).toBe(false);
			expect((await requestRow(req.id)).status).toBe(status);
			expect(
				(await eventsOf(req.id)).filter((e) => e.kind !== 'assigned').map((e) => e.kind)
			).toEqual(path.map((s) => stepEvent[s]));
			expect((await auditOf(req.id)).map((a) => a.action)).toEqual(
				path.map((s) => `service.${stepEvent[s]}`)
			);
			await expectTalliesRight();
		}
	);

	it('pauses while waiting for the resident: answered 3 working days later, due 3 working days later', async () => {
		// Monday 11-02, five working days: due Monday 11-09
		const { id } = ok(await fileRequest(resident(), fileInput(), at('2026-11-02')));
		expect((await requestRow(id)).dueOn).toBe('2026-11-09');
		ok(await takeStep(admin(), id, stepInput('accept'), at('2026-11-02', '11:00')));
		// asked on Thursday 11-05
		ok(await takeStep(admin(), id, stepInput('askResident'), at('2026-11-05')));
		expect(await requestRow(id)).toMatchObject({
			status: 'waiting_resident',
			pausedSince: '2026-11-05'
		});
		// while paused it is neither overdue nor counted as such, even past its due day
		const late = at('2026-11-20');
		expect((await getRequest(admin(), id, late)).overdue).toBe(false);
		const overdue = await listRequests(admin(), { due: 'overdue' }, late);
		expect(overdue.rows.map((r) => r.id)).not.toContain(id);

		// answered on Tuesday 11-10: Friday, Monday, Tuesday are three working days
		const answered = at('2026-11-10', '16:00');
		expect(addWorkingDays('2026-11-05', 3)).toBe('2026-11-10');
		ok(await takeStep(admin(), id, stepInput('residentReplied'), answered));
		expect(await requestRow(id)).toMatchObject({
			status: 'in_progress',
			pausedSince: null,
			pausedDays: 3,
			dueOn: addWorkingDays('2026-11-09', 3)
		});
		expect((await requestRow(id)).dueOn).toBe('2026-11-12');

		// a second pause adds up: 11-10 to 11-12 is two working days
		ok(await takeStep(admin(), id, stepInput('askResident'), answered));
		ok(await takeStep(admin(), id, stepInput('residentReplied'), at('2026-11-12')));
		expect(await requestRow(id)).toMatchObject({ pausedDays: 5, dueOn: '2026-11-16' });
	});

	it('a pause over National Day counts only the working days in it', async () => {
		const req = await inState('in_progress', { dueOn: '2026-10-09' });
		ok(await takeStep(admin(), req.id, stepInput('askResident'), at('2026-09-30')));
		// 10-01…10-07 off: answered on Friday 10-09 the pause is 10-08 and 10-09
		ok(await takeStep(admin(), req.id, stepInput('residentReplied'), at('2026-10-09')));
		expect(await requestRow(req.id)).toMatchObject({ pausedDays: 2, dueOn: '2026-10-12' });
	});

	it('leaving the wait by rejection or withdrawal counts the pause too', async () => {
		const rejected = await inState('waiting_resident');
		ok(await takeStep(admin(), rejected.id, stepInput('reject'), at('2026-11-05')));
		expect(await requestRow(rejected.id)).toMatchObject({ status: 'rejected', pausedDays: 3 });
		const withdrawn = await inState('waiting_resident');
		ok(await takeStep(resident(), withdrawn.id, stepInput('withdraw', ''), at('2026-11-03')));
		expect(await requestRow(withdrawn.id)).toMatchObject({
			status: 'withdrawn',
			pausedDays: 1,
			outcome: null
		});
	});

	it('accepting keeps an assignee already chosen', async () => {
		const req = await inState('submitted', { assigneeId: actors['community worker'].id });
		ok(await takeStep(admin(), req.id, stepInput('accept')));
		expect((await requestRow(req.id)).assigneeId).toBe(actors['community worker'].id);
		expect((await eventsOf(req.id)).map((e) => e.kind)).toEqual(['accepted']);
	});

	it('a withdrawal tells the assignee', async () => {
		const req = await inState('in_progress', { assigneeId: actors['community worker'].id });
		ok(await takeStep(resident(), req.id, stepInput('withdraw', '不需要了')));
		expect(idsOf(await notificationsAbout(req.id, 'service.withdrawn'))).toEqual([
			actors['community worker'].id
		]);
	});

	it('two staff taking the same step at once: one moves it, the other is refused', async () => {
		for (let i = 0; i < 3; i++) {
			const req = await inState('submitted');
			const results = await Promise.all([
				takeStep(admin(), req.id, stepInput('accept')),
				takeStep(actors['point chief'], req.id, stepInput('accept'))
			]);
			expect(results.filter((r) => r.ok)).toHaveLength(1);
			expect(results.filter((r) => !r.ok)).toEqual([
				expect.objectContaining({ reason: 'illegal_step' })
			]);
			expect((await eventsOf(req.id)).filter((e) => e.kind === 'accepted')).toHaveLength(1);
		}
		await expectTalliesRight();
	});

	it('staff moving many requests of one point both ways at once keep the tally right', async () => {
		// in_progress ⇄ waiting_origin and waiting_resident ⇄ in_progress in opposite directions:
		// the tally rows are taken in both orders at once
		for (let round = 0; round < 3; round++) {
			const forth = await Promise.all(Array.from({ length: 6 }, () => inState('in_progress')));
			const back = await Promise.all(Array.from({ length: 6 }, () => inState('waiting_resident')));
			const results = await Promise.all([
				...forth.map((r) => takeStep(admin(), r.id, stepInput('askResident'))),
				...back.map((r) => takeStep(actors['point chief'], r.id, stepInput('residentReplied')))
			]);
			expect(results.map((r) => r.ok)).toEqual(Array(12).fill(true));
			await expectTalliesRight();
		}
	});
});

// ---------------------------------------------------------------------------------------------

describe('countRequests', () => {
	let k: County;
	let l: County;
	let p: Settlement;
	let q: Settlement;
	let r: Settlement;
	let hp: Household & { members: Member[] };
	const who: Record<string, Actor> = {};
	const now = at('2026-12-15');

	beforeAll(async () => {
		k = await createCounty();
		l = await createCounty();
		p = await createSettlement(k);
		q = await createSettlement(k);
		r = await createSettlement(l);
		hp = await createHousehold(p);
		const hq = await createHousehold(q);
		const hr = await createHousehold(r);
		const catK = await createCategory(k, { timeLimitDays: 5 });
		const catL = await createCategory(l);
		const make = async (name: string, ...args: Parameters<typeof createUser>) =>
			(who[name] = (await createUser(...args)).actor);
		await make('resident of p', { household: hp, grants: [{ role: 'resident', on: p }] });
		await make('admin of p', { grants: [{ role: 'point_admin', on: p }] });
		await make('chief of points of k', { grants: [{ role: 'chief_of_points', on: k }] });
		await make('civil affairs of k', { grants: [{ role: 'civil_affairs', on: k }] });
		await make('civil affairs of l', { grants: [{ role: 'civil_affairs', on: l }] });

		// through the commands at p: six filed on Monday 11-02 (due 11-09), then moved on
		const filed = at('2026-11-02');
		const f: string[] = [];
		for (let i = 0; i < 6; i++)
			f.push(
				ok(await fileRequest(who['resident of p'], fileInput({ categoryId: catK.id }), filed)).id
			);
		const go = (id: string, step: Step, actor = who['admin of p']) =>
			takeStep(actor, id, stepInput(step), filed).then(ok);
		for (const s of ['accept', 'start', 'complete'] as const) await go(f[0], s); // done
		for (const s of ['accept', 'start'] as const) await go(f[1], s); // in progress
		for (const s of ['accept', 'askResident'] as const) await go(f[2], s); // paused
		// f[3] stays submitted
		await go(f[4], 'reject');
		await go(f[5], 'withdraw', who['resident of p']);
		// refused steps and filings count nothing
		expect((await takeStep(who['admin of p'], f[0], stepInput('start'), filed)).ok).toBe(false);
		expect(
			(await fileRequest(who['resident of p'], fileInput({ categoryId: catL.id }), filed)).ok
		).toBe(false);

		const someone = { id: who['admin of p'].id };
		// straight into the table: p's origin waits, q's and r's queues
		// a neighbour's at p: the point counts them, the resident does not
		const hp2 = await createHousehold(p);
		await createServiceRequest(hp2, catK, someone, {
			status: 'waiting_origin',
			dueOn: '2026-12-01'
		});
		await createServiceRequest(hp2, catK, someone, {
			status: 'waiting_origin',
			dueOn: '2026-12-31'
		});
		await createServiceRequest(hq, catK, someone, { status: 'submitted', dueOn: '2026-12-14' });
		await createServiceRequest(hq, catK, someone, { status: 'submitted', dueOn: '2026-12-15' });
		await createServiceRequest(hq, catK, someone, { status: 'submitted', dueOn: '2027-01-10' });
		await createServiceRequest(hq, catK, someone, { status: 'done', dueOn: '2026-11-01' });
		await createServiceRequest(hr, catL, someone, { status: 'submitted', dueOn: '2026-12-01' });
		await createServiceRequest(hr, catL, someone, { status: 'submitted', dueOn: '2026-12-20' });
		await createServiceRequest(hr, catL, someone, { status: 'in_progress', dueOn: '2026-12-20' });
	}, 60_000);

	const counts = (c: Partial<Record<RequestStatus | 'open' | 'overdue', number>>) => ({
		submitted: 0,
		accepted: 0,
		in_progress: 0,
		waiting_origin: 0,
		waiting_resident: 0,
		done: 0,
		rejected: 0,
		withdrawn: 0,
		open: 0,
		overdue: 0,
		...c
	});

	it("a point's staff count their point: per status, open, and overdue (not the paused one)", async () => {
		// overdue at 12-15: f[1] and f[3] (due 11-09) and the origin wait due 12-01; the paused
		// f[2] is past 11-09 too but its clock is stopped
		expect(await countRequests(who['admin of p'], now)).toEqual(
			counts({
				submitted: 1,
				in_progress: 1,
				waiting_origin: 2,
				waiting_resident: 1,
				done: 1,
				rejected: 1,
				withdrawn: 1,
				open: 5,
				overdue: 3
			})
		);
	});

	it('county staff count every point of their county and nothing of another', async () => {
		const k = counts({
			submitted: 4,
			in_progress: 1,
			waiting_origin: 2,
			waiting_resident: 1,
			done: 2,
			rejected: 1,
			withdrawn: 1,
			open: 8,
			// q: due 12-14 is late, due 12-15 (today) is not
			overdue: 4
		});
		expect(await countRequests(who['chief of points of k'], now)).toEqual(k);
		expect(await countRequests(who['civil affairs of k'], now)).toEqual(k);
		expect(await countRequests(who['civil affairs of l'], now)).toEqual(
			counts({ submitted: 2, in_progress: 1, open: 3, overdue: 1 })
		);
	});

	it("a resident counts their household's requests only", async () => {
		expect(await countRequests(who['resident of p'], now)).toEqual(
			counts({
				submitted: 1,
				in_progress: 1,
				waiting_resident: 1,
				done: 1,
				rejected: 1,
				withdrawn: 1,
				open: 3,
				overdue: 2
			})
		);
	});

	it('the tallies equal the requests counted by hand', async () => {
		expect(await tallyOf(p.id)).toEqual(await handCountOf(p.id));
		expect(await tallyOf(q.id)).toEqual(await handCountOf(q.id));
		expect(await tallyOf(r.id)).toEqual(await handCountOf(r.id));
		await expectTalliesRight();
	});

	it('someone without service.read counts nothing', async () => {
		const { actor } = await createUser({});
		expect(await countRequests(actor, now)).toEqual(counts({}));
	});
});

// ---------------------------------------------------------------------------------------------

describe('listRequests', () => {
	let f: Settlement;
	let cat1: ServiceCategory;
	let cat2: ServiceCategory;
	const who: Record<string, Actor> = {};
	const req: Record<string, ServiceRequest> = {};
	const now = at('2026-12-15'); // a Tuesday: due soon is 12-15 to 12-17

	beforeAll(async () => {
		const k = await createCounty();
		f = await createSettlement(k);
		const hf = await createHousehold(f);
		cat1 = await createCategory(k);
		cat2 = await createCategory(k);
		const make = async (name: string, ...args: Parameters<typeof createUser>) =>
			(who[name] = (await createUser(...args)).actor);
		await make('admin', { grants: [{ role: 'point_admin', on: f }] });
		await make('worker', { grants: [{ role: 'community_worker', on: f }] });
		const me = who['admin'].id;
		const worker = who['worker'].id;
		const rows: [string, RequestStatus, ServiceCategory, string | null, string][] = [
			['r1', 'submitted', cat1, null, '2026-12-10'],
			['r2', 'accepted', cat1, me, '2026-12-16'],
			['r3', 'in_progress', cat2, worker, '2026-12-17'],
			['r4', 'waiting_origin', cat2, me, '2026-12-01'],
			['r5', 'waiting_resident', cat1, me, '2026-12-01'],
			['r6', 'done', cat2, me, '2026-12-01'],
			['r7', 'rejected', cat1, null, '2026-12-20'],
			['r8', 'withdrawn', cat2, null, '2026-12-01'],
			['r9', 'submitted', cat2, null, '2026-12-15'],
			['r10', 'in_progress', cat1, worker, '2027-01-20']
		];
		for (const [name, status, c, assigneeId, dueOn] of rows)
			req[name] = await createServiceRequest(hf, c, { id: me }, { status, assigneeId, dueOn });
	}, 60_000);

	/** The names of the requests a filter lists for the admin, newest first. */
	async function list(filter: Record<string, string>, actor = who['admin']) {
		const { rows, next } = await listRequests(actor, queueFilterSchema.parse(filter), now);
		expect(next).toBeNull();
		const names = Object.fromEntries(Object.entries(req).map(([n, r]) => [r.id, n]));
		return rows.map((r) => names[r.id] ?? r.id);
	}
	const newestFirst = (...names: string[]) => [...names].sort((a, b) => req[b].no - req[a].no);

	it.each([
		[{}, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10']],
		[{ status: 'open' }, ['r1', 'r2', 'r3', 'r4', 'r5', 'r9', 'r10']],
		[{ status: 'closed' }, ['r6', 'r7', 'r8']],
		[{ status: 'waiting_resident' }, ['r5']],
		[{ status: 'submitted' }, ['r1', 'r9']],
		[{ assignee: 'me' }, ['r2', 'r4', 'r5', 'r6']],
		[{ assignee: 'none' }, ['r1', 'r7', 'r8', 'r9']],
		// overdue: past due and the clock running (not r5, paused; not r6 or r8, closed)
		[{ due: 'overdue' }, ['r1', 'r4']],
		// due today or within two working days
		[{ due: 'soon' }, ['r2', 'r3', 'r9']],
		[{ status: 'open', assignee: 'me', due: 'overdue' }, ['r4']],
		// a made-up filter value is dropped, not an error
		[
			{ status: 'bogus', due: 'later' },
			['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10']
		]
	])('filters %j', async (filter, names) => {
		expect(await list(filter)).toEqual(newestFirst(...names));
	});

	it('filters by category and by a named assignee', async () => {
		expect(await list({ categoryId: cat2.id })).toEqual(newestFirst('r3', 'r4', 'r6', 'r8', 'r9'));
		expect(await list({ categoryId: cat1.id, status: 'open' })).toEqual(
			newestFirst('r1', 'r2', 'r5', 'r10')
		);
		expect(await list({ assignee: who['worker'].id })).toEqual(newestFirst('r3', 'r10'));
		// 'me' is whoever asks
		expect(await list({ assignee: 'me' }, who['worker'])).toEqual(newestFirst('r3', 'r10'));
	});

	it('marks the overdue rows and numbers them', async () => {
		const { rows } = await listRequests(who['admin'], {}, now);
		expect(
			rows
				.filter((r) => r.overdue)
				.map((r) => r.id)
				.sort()
		).toEqual([req.r1.id, req.r4.id].sort());
		for (const row of rows) expect(row.number).toBe(requestNumber(row.no));
	});

	it('pages by keyset with `before`: every row exactly once, newest first', async () => {
		const kg = await createCounty();
		const g = await createSettlement(kg);
		const hg = await createHousehold(g);
		const catG = await createCategory(kg);
		const { actor: adminG } = await createUser({ grants: [{ role: 'point_admin', on: g }] });
		const made: string[] = [];
		for (let i = 0; i < 123; i++)
			made.push(
				(
					await createServiceRequest(hg, catG, adminG, {
						status: requestStatuses[i % requestStatuses.length]
					})
				).id
			);
		const seen: string[] = [];
		const pages: number[] = [];
		const numbers: number[] = [];
		let before: number | undefined;
		for (let guard = 0; guard < 10; guard++) {
			const { rows, next } = await listRequests(adminG, { before }, now);
			pages.push(rows.length);
			seen.push(...rows.map((r) => r.id));
			numbers.push(...rows.map((r) => r.no));
			if (next === null) break;
			expect(next).toBe(rows[rows.length - 1].no);
			before = next;
		}
		expect(pages).toEqual([50, 50, 23]);
		expect(new Set(seen).size).toBe(seen.length);
		expect([...seen].sort()).toEqual([...made].sort());
		expect(numbers).toEqual([...numbers].sort((a, b) => b - a));

		// with a filter the pages still hold each row once
		const open: string[] = [];
		before = undefined;
		for (let guard = 0; guard < 10; guard++) {
			const { rows, next } = await listRequests(adminG, { status: 'open', before }, now);
			open.push(...rows.map((r) => r.id));
			if (next === null) break;
			before = next;
		}
		expect(new Set(open).size).toBe(open.length);
		expect(open).toHaveLength(made.filter((_, i) => i % 8 < 5).length);
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------

describe('addNote', () => {
	it("a staff member's public note reaches the household's accounts; an internal one reaches no one", async () => {
		const req = await inState('in_progress', { assigneeId: admin().id });
		ok(await addNote(admin(), req.id, { note: '请带户口簿原件来窗口', internal: false }));
		expect(idsOf(await notificationsAbout(req.id, 'service.update'))).toEqual(
			sorted(resident().id, actors['resident2'].id)
		);
		const before = await notificationsAbout(req.id);
		ok(
			await addNote(actors['point chief'], req.id, {
				note: '家中情况复杂，注意沟通',
				internal: true
			})
		);
		expect(await notificationsAbout(req.id)).toEqual(before);
		expect(
			(await eventsOf(req.id)).map((e) => ({ kind: e.kind, internal: e.internal, note: e.note }))
		).toEqual([
			{ kind: 'note', internal: false, note: '请带户口簿原件来窗口' },
			{ kind: 'note', internal: true, note: '家中情况复杂，注意沟通' }
		]);
		expect((await auditOf(req.id)).map((a) => a.action)).toEqual(['service.note', 'service.note']);
	});

	it("the resident's note reaches the assignee", async () => {
		const req = await inState('accepted', { assigneeId: actors['community worker'].id });
		ok(await addNote(resident(), req.id, { note: '材料已经备齐', internal: false }));
		expect(idsOf(await notificationsAbout(req.id))).toEqual([actors['community worker'].id]);
	});

	it('a closed request takes internal notes only (failure at note)', async () => {
		const req = await inState('done');
		for (const actor of [admin(), resident()])
			expect(await addNote(actor, req.id, { note: '补充一句', internal: false })).toEqual({
				ok: false,
				reason: 'closed',
				field: 'note'
			});
		ok(await addNote(admin(), req.id, { note: '已归档', internal: true }));
	});
});

describe('assignRequest', () => {
	it('hands an open request to a staff member of the point, who is told', async () => {
		const req = await inState('accepted');
		const worker = actors['community worker'];
		ok(await assignRequest(admin(), req.id, { assigneeId: worker.id }));
		expect((await requestRow(req.id)).assigneeId).toBe(worker.id);
		expect(await eventsOf(req.id)).toEqual([
			expect.objectContaining({ kind: 'assigned', data: { assigneeId: worker.id } })
		]);
		expect(idsOf(await notificationsAbout(req.id, 'service.assigned'))).toEqual([worker.id]);
		expect((await auditOf(req.id)).map((a) => a.action)).toEqual(['service.assigned']);
	});

	it('does not reassign a closed request (failure at assigneeId)', async () => {
		const req = await inState('rejected');
		expect(
			await assignRequest(admin(), req.id, { assigneeId: actors['community worker'].id })
		).toEqual({ ok: false, reason: 'closed', field: 'assigneeId' });
	});
});

describe('rateRequest', () => {
	it('the resident rates a done request once; a second rating is refused', async () => {
		const req = await inState('done', { assigneeId: actors['community worker'].id });
		const now = at('2026-11-30');
		ok(
			await rateRequest(
				resident(),
				req.id,
				rateSchema.parse({ rating: '5', comment: '办得很快' }),
				now
			)
		);
		expect(await requestRow(req.id)).toMatchObject({
			rating: 5,
			ratingComment: '办得很快',
			ratedAt: now
		});
		expect(await eventsOf(req.id)).toEqual([
			expect.objectContaining({ kind: 'rated', data: { rating: 5 }, note: '办得很快' })
		]);
		expect(idsOf(await notificationsAbout(req.id, 'service.rated'))).toEqual([
			actors['community worker'].id
		]);
		const audits = await auditCount();
		// another account of the household, or the same one again: already rated
		for (const actor of [resident(), actors['resident2']])
			expect(await rateRequest(actor, req.id, { rating: 1, comment: '' })).toEqual({
				ok: false,
				reason: 'already_rated',
				field: 'rating'
			});
		expect((await requestRow(req.id)).rating).toBe(5);
		expect(await auditCount()).toBe(audits);
	});

	it('two ratings at once: one counts', async () => {
		const req = await inState('done');
		const results = await Promise.all([
			rateRequest(resident(), req.id, { rating: 4, comment: '' }),
			rateRequest(actors['resident2'], req.id, { rating: 2, comment: '' })
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok)).toEqual([
			{ ok: false, reason: 'already_rated', field: 'rating' }
		]);
		expect((await eventsOf(req.id)).filter((e) => e.kind === 'rated')).toHaveLength(1);
	});

	it.each(['submitted', 'in_progress', 'waiting_resident', 'rejected', 'withdrawn'] as const)(
		'refuses to rate a request that is %s (not_done)',
		async (status) => {
			const req = await inState(status);
			expect(await rateRequest(resident(), req.id, { rating: 3, comment: '' })).toEqual({
				ok: false,
				reason: 'not_done',
				field: 'rating'
			});
			expect((await requestRow(req.id)).rating).toBeNull();
		}
	);

	it('takes 1 to 5 whole stars only', () => {
		for (const rating of [1, 5, '3']) expect(rateSchema.safeParse({ rating }).success).toBe(true);
		for (const rating of [0, 6, 2.5, '', 'five', null])
			expect(rateSchema.safeParse({ rating }).error?.issues[0].message).toBe('请选择 1 到 5 星');
	});
});

// ---------------------------------------------------------------------------------------------
// The sweep runs over the whole database: its requests are due in 2025, where no other test's are.

describe('escalateOverdue', () => {
	let e: Settlement;
	let e2: Settlement;
	let he: Household & { members: Member[] };
	let he2: Household & { members: Member[] };
	const who: Record<string, Actor> = {};
	const now = at('2025-03-12'); // Wednesday

	beforeAll(async () => {
		e = await createSettlement(county);
		e2 = await createSettlement(county);
		he = await createHousehold(e);
		he2 = await createHousehold(e2);
		const make = async (name: string, ...args: Parameters<typeof createUser>) =>
			(who[name] = (await createUser(...args)).actor);
		await make('chief', { grants: [{ role: 'point_chief', on: e }] });
		await make('admin', { grants: [{ role: 'point_admin', on: e }] });
		await make('chief of e2', { grants: [{ role: 'point_chief', on: e2 }] });
		await make('admin of e2', { grants: [{ role: 'point_admin', on: e2 }] });
		await make('resident', { household: he, grants: [{ role: 'resident', on: e }] });
	});

	const request = (input: Partial<typeof serviceRequest.$inferInsert>, household = he) =>
		createServiceRequest(household, cat, { id: who['admin'].id }, input);

	async function escalations(id: string) {
		return (await eventsOf(id)).filter((x) => x.kind === 'escalated');
	}

	it('escalates a late request once to the 点长, never a paused, closed or not-yet-late one', async () => {
		const late = await request({
			status: 'in_progress',
			dueOn: '2025-03-11',
			assigneeId: who['admin'].id
		});
		const notYet = await request({ status: 'submitted', dueOn: '2025-03-12' });
		const spared = await Promise.all([
			request({ status: 'waiting_resident', dueOn: '2025-03-01', pausedSince: '2025-03-05' }),
			request({ status: 'done', dueOn: '2025-03-01' }),
			request({ status: 'rejected', dueOn: '2025-03-01' }),
			request({ status: 'withdrawn', dueOn: '2025-03-01' }),
			// urgent but acknowledged, or still inside its 24 hours
			request({
				status: 'accepted',
				urgent: true,
				ackDueAt: new Date(now.getTime() - 3600_000),
				dueOn: '2025-03-20'
			}),
			request({
				status: 'submitted',
				urgent: true,
				ackDueAt: new Date(now.getTime() + 3600_000),
				dueOn: '2025-03-20'
			})
		]);
		const unacknowledged = await request({
			status: 'submitted',
			urgent: true,
			ackDueAt: new Date(now.getTime() - 60_000),
			dueOn: '2025-03-20'
		});

		expect(await escalateOverdue(now)).toBe(2);

		expect((await requestRow(late.id)).escalatedAt).toEqual(now);
		expect(await escalations(late.id)).toEqual([
			expect.objectContaining({
				internal: true,
				actorId: null,
				actorName: '系统',
				note: expect.stringContaining('2025-03-11')
			})
		]);
		expect((await auditOf(late.id)).map((a) => [a.action, a.actorId])).toEqual([
			['service.escalated', null]
		]);
		// the 点长 of the point and the assignee; not the other point's chief, not the resident
		expect(idsOf(await notificationsAbout(late.id, 'service.escalated'))).toEqual(
			sorted(who['chief'].id, who['admin'].id)
		);
		expect(await notificationsAbout(late.id, 'service.step')).toEqual([]);

		expect((await escalations(unacknowledged.id))[0].note).toContain('24 小时未受理');
		expect(idsOf(await notificationsAbout(unacknowledged.id, 'service.escalated'))).toEqual([
			who['chief'].id
		]);

		for (const r of [notYet, ...spared]) {
			expect((await requestRow(r.id)).escalatedAt, r.status).toBeNull();
			expect(await escalations(r.id)).toEqual([]);
		}

		// a second run escalates nothing again
		expect(await escalateOverdue(now)).toBe(0);
		expect(await escalations(late.id)).toHaveLength(1);
		expect((await requestRow(late.id)).escalatedAt).toEqual(now);
		// the next day the one due on 03-12 is late, and only it
		expect(await escalateOverdue(at('2025-03-13'))).toBe(2); // and the urgent one past its hour
		expect(await escalations(notYet.id)).toHaveLength(1);
		expect(await escalations(late.id)).toHaveLength(1);
		for (const r of spared.slice(0, 5)) expect(await escalations(r.id)).toEqual([]);
		await expectTalliesRight();
	});

	it('the resident never sees the escalation', async () => {
		const late = await request({ status: 'accepted', dueOn: '2025-03-14' });
		await escalateOverdue(at('2025-03-17'));
		expect(await escalations(late.id)).toHaveLength(1);
		const seen = await getRequest(who['resident'], late.id);
		expect(seen.events.map((x) => x.kind)).not.toContain('escalated');
		const staff = await getRequest(who['chief'], late.id);
		expect(staff.events.map((x) => x.kind)).toContain('escalated');
	});

	it('escalates an urgent request not accepted within 24 hours of filing', async () => {
		const filed = at('2025-04-01', '09:00');
		const { id } = ok(
			await fileRequest(who['resident'], fileInput({ categoryId: urgentCat.id }), filed)
		);
		const { id: acked } = ok(
			await fileRequest(who['resident'], fileInput({ categoryId: urgentCat.id }), filed)
		);
		ok(await takeStep(who['admin'], acked, stepInput('accept'), at('2025-04-01', '11:00')));

		await escalateOverdue(new Date(filed.getTime() + 23 * 3600_000));
		expect((await requestRow(id)).escalatedAt).toBeNull();
		const later = new Date(filed.getTime() + 24 * 3600_000 + 60_000);
		await escalateOverdue(later);
		expect((await requestRow(id)).escalatedAt).toEqual(later);
		expect(await escalations(id)).toHaveLength(1);
		expect((await escalations(id))[0].note).toContain('急难事项');
		expect((await requestRow(acked)).escalatedAt).toBeNull();
	});

	it('two sweeps at once escalate each request exactly once', async () => {
		for (const [round, dueOn, sweepDay] of [
			[1, '2025-05-06', '2025-05-12'],
			[2, '2025-05-13', '2025-05-19'],
			[3, '2025-05-20', '2025-05-26']
		] as const) {
			const sweptAt = at(sweepDay);
			// whatever earlier tests left late goes first, so the two sweeps share exactly these
			await escalateOverdue(sweptAt);
			// alternating points and states, so each sweep's batches cross the other's tally rows
			const mine: ServiceRequest[] = [];
			for (let i = 0; i < 24; i++)
				mine.push(
					await request(
						{
							status: (['submitted', 'accepted', 'in_progress', 'waiting_origin'] as const)[i % 4],
							dueOn
						},
						i % 2 ? he2 : he
					)
				);
			const [{ n: before }] = await db()
				.select({ n: count() })
				.from(serviceEvent)
				.where(eq(serviceEvent.kind, 'escalated'));
			const [a, b] = await Promise.all([escalateOverdue(sweptAt, 5), escalateOverdue(sweptAt, 5)]);
			const [{ n: after }] = await db()
				.select({ n: count() })
				.from(serviceEvent)
				.where(eq(serviceEvent.kind, 'escalated'));
			expect(Number(after) - Number(before), `round ${round}`).toBe(a + b);
			expect(a + b, `round ${round}`).toBe(24);
			for (const r of mine) expect(await escalations(r.id)).toHaveLength(1);
			const chiefs = await db()
				.select({ userId: notification.userId, n: count() })
				.from(notification)
				.where(
					and(
						eq(notification.kind, 'service.escalated'),
						inArray(
							notification.link,
							mine.map((r) => `/services/${r.id}`)
						)
					)
				)
				.groupBy(notification.userId);
			expect(Object.fromEntries(chiefs.map((c) => [c.userId, Number(c.n)]))).toEqual({
				[who['chief'].id]: 12,
				[who['chief of e2'].id]: 12
			});
			expect(await escalateOverdue(sweptAt, 5)).toBe(0);
		}
		// no request anywhere was escalated twice
		const twice = await db()
			.select({ id: serviceEvent.requestId })
			.from(serviceEvent)
			.where(eq(serviceEvent.kind, 'escalated'))
			.groupBy(serviceEvent.requestId)
			.having(sql`count(*) > 1`);
		expect(twice).toEqual([]);
		await expectTalliesRight();
	}, 60_000);

	it('a sweep while staff move requests of the same points: no one waits in a circle', async () => {
		const sweptAt = at('2025-06-09');
		await escalateOverdue(sweptAt);
		const late: ServiceRequest[] = [];
		const moving: [ServiceRequest, Actor, Step][] = [];
		for (let i = 0; i < 16; i++) {
			const household = i % 2 ? he2 : he;
			late.push(
				await request(
					{
						status: (['accepted', 'in_progress', 'waiting_origin', 'submitted'] as const)[i % 4],
						dueOn: '2025-06-02'
					},
					household
				)
			);
			const staff = i % 2 ? who['admin of e2'] : who['admin'];
			// not late: due after the sweep's day, moved through the states the late ones are in
			const [status, step] = (
				[
					['in_progress', 'askOrigin'],
					['waiting_origin', 'originReplied'],
					['submitted', 'accept'],
					['accepted', 'start']
				] as const
			)[i % 4];
			moving.push([await request({ status, dueOn: '2025-07-01' }, household), staff, step]);
		}
		const [swept, ...stepped] = await Promise.all([
			escalateOverdue(sweptAt, 3),
			...moving.map(([r, staff, step]) => takeStep(staff, r.id, stepInput(step), sweptAt))
		]);
		expect(swept).toBe(16);
		expect(stepped.map((r) => r.ok)).toEqual(Array(16).fill(true));
		for (const r of late) expect(await escalations(r.id)).toHaveLength(1);
		await expectTalliesRight();
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------

describe('the audit trail', () => {
	it('each command writes one entry for its request; each refusal writes none', async () => {
		const before = await auditCount();
		const { id } = ok(await fileRequest(resident(), fileInput()));
		ok(await takeStep(admin(), id, stepInput('accept')));
		ok(await assignRequest(admin(), id, { assigneeId: actors['community worker'].id }));
		ok(await addNote(admin(), id, { note: '已电话联系', internal: true }));
		ok(await takeStep(admin(), id, stepInput('complete')));
		ok(await rateRequest(resident(), id, { rating: 4, comment: '' }));
		expect((await auditOf(id)).map((a) => [a.action, a.entity, a.actorId, a.scopePath])).toEqual([
			['service.submitted', 'service_request', resident().id, pointA.regionPath],
			['service.accepted', 'service_request', admin().id, pointA.regionPath],
			['service.assigned', 'service_request', admin().id, pointA.regionPath],
			['service.note', 'service_request', admin().id, pointA.regionPath],
			['service.done', 'service_request', admin().id, pointA.regionPath],
			['service.rated', 'service_request', resident().id, pointA.regionPath]
		]);
		expect(await auditCount()).toBe(before + 6);

		// refusals
		const refusals = [
			await takeStep(admin(), id, stepInput('start')),
			await rateRequest(resident(), id, { rating: 4, comment: '' }),
			await addNote(admin(), id, { note: '还想补充', internal: false }),
			await assignRequest(admin(), id, { assigneeId: admin().id }),
			await fileRequest(admin(), fileInput({ householdId: home.id })),
			await fileRequest(resident(), fileInput({ categoryId: otherCountyCat.id }))
		];
		expect(refusals.map((r) => r.ok)).toEqual(Array(6).fill(false));
		expect(await auditCount()).toBe(before + 6);
	});

	it('a failure late in a command takes back the step, its event and its audit entry', async () => {
		// the notification insert is the last write of a step: make the database refuse it
		await db().execute(
			sql.raw(`create function test_refuse_notification() returns trigger language plpgsql as $$
				begin
					if new.body like '%拒收测试%' then raise exception 'test: notification refused'; end if;
					return new;
				end $$`)
		);
		await db().execute(
			sql.raw(`create trigger test_refuse_notification before insert on notification
				for each row execute function test_refuse_notification()`)
		);
		try {
			const req = await inState('in_progress');
			const before = {
				row: await requestRow(req.id),
				audits: await auditCount(),
				tally: await tallyOf(pointA.id)
			};
			await expect(
				takeStep(admin(), req.id, stepInput('complete', '已办结 拒收测试'))
			).rejects.toThrow();
			await expect(
				addNote(admin(), req.id, { note: '公开说明 拒收测试', internal: false })
			).rejects.toThrow();
			expect(await requestRow(req.id)).toEqual(before.row);
			expect(await eventsOf(req.id)).toEqual([]);
			expect(await auditCount()).toBe(before.audits);
			expect(await tallyOf(pointA.id)).toEqual(before.tally);
		} finally {
			await db().execute(sql.raw('drop trigger test_refuse_notification on notification'));
			await db().execute(sql.raw('drop function test_refuse_notification()'));
		}
	});
});
