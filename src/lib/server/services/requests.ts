import { and, asc, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import { maskPhone } from '$lib/mask';
import type {
	assignSchema,
	FileRequestInput,
	noteSchema,
	QueueFilter,
	rateSchema,
	StepInput
} from '$lib/schemas/services';
import {
	canStep,
	clockStatuses,
	isOpen,
	openStatuses,
	requestNumber,
	requestStatuses,
	stepEvent,
	steps,
	stepsFrom,
	type RequestStatus,
	type Step
} from '$lib/services/workflow';
import { addWorkingDays, shanghaiDay, workingDaysBetween } from '$lib/working-days';
import { can, hasRole, loadGrants, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { householdResource, isUuid, notFound } from '../settlements/shared';
import { categoryFor } from './catalogue';
import {
	householdUserIds,
	isOverdueSql,
	requestResource,
	settlementStaffIds,
	statusWords,
	storable,
	type RequestResource
} from './shared';

const r = schema.serviceRequest;
const assignee = alias(schema.user, 'assignee');
const filer = alias(schema.user, 'filer');

/** The request for a read: 404 when there is none or the actor may not see it. */
async function readableRequest(actor: Actor, requestId: string, executor: Executor = db()) {
	const req = await requestResource(requestId, executor);
	requirePermission(actor, 'service.read', req ?? {}, 'read');
	if (!req) notFound();
	return req;
}

/** Writes the timeline event, the audit entry and the notifications of one change, in `tx`. */
async function recordEvent(
	tx: Executor,
	actor: Actor | null,
	req: RequestResource,
	event: {
		kind: (typeof schema.serviceEvent.$inferInsert)['kind'];
		from?: RequestStatus;
		to?: RequestStatus;
		note?: string | null;
		internal?: boolean;
		data?: Record<string, string | number | null>;
	},
	notify: { userIds: string[]; title: string; body?: string; kind?: string }[] = []
) {
	await tx.insert(schema.serviceEvent).values({
		requestId: req.requestId,
		actorId: actor?.id ?? null,
		actorName: actor?.displayName ?? '系统',
		kind: event.kind,
		fromStatus: event.from ?? null,
		toStatus: event.to ?? null,
		note: event.note || null,
		internal: event.internal ?? false,
		data: event.data ?? {}
	});
	await audit.record(tx, {
		actor,
		action: `service.${event.kind}`,
		entity: 'service_request',
		entityId: req.requestId,
		scopePath: req.regionPath,
		summary: { number: req.number, from: event.from ?? null, to: event.to ?? null }
	});
	for (const n of notify)
		await notifications.notify(tx, {
			userIds: n.userIds.filter((id) => id !== actor?.id),
			kind: n.kind ?? 'service.update',
			title: n.title,
			body: n.body,
			link: `/services/${req.requestId}`
		});
}

/**
 * A resident files a request for their household, or staff file one for a resident (帮代办,
 * with the resident's consent recorded). The same idempotency key from the same person files
 * one request however often it is sent. Fails at a field for a wrong category, member or consent.
 */
export async function fileRequest(
	actor: Actor,
	input: FileRequestInput,
	now: Date = new Date()
): Promise<
	| { ok: true; id: string; number: string; duplicate: boolean }
	| Failure<'no_household' | 'no_category' | 'no_member' | 'consent' | 'household_ended'>
> {
	input = storable(input);
	const householdId = input.householdId || actor.householdId;
	if (!householdId) return { ok: false, reason: 'no_household', field: 'householdId' };
	const h = await householdResource(householdId);
	requirePermission(actor, 'service.read', h ?? {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'service.file', h, 'write');
	if (h.status !== 'active') return { ok: false, reason: 'household_ended', field: 'householdId' };
	const proxy = actor.householdId !== h.householdId;
	if (proxy && !input.consentMethod)
		return { ok: false, reason: 'consent', field: 'consentMethod' };
	const category = await categoryFor(input.categoryId, h.regionPath);
	if (!category) return { ok: false, reason: 'no_category', field: 'categoryId' };

	return db().transaction(async (tx) => {
		if (input.residentId) {
			const [m] = isUuid(input.residentId)
				? await tx
						.select({ id: schema.resident.id })
						.from(schema.resident)
						.where(
							and(
								eq(schema.resident.id, input.residentId),
								eq(schema.resident.householdId, h.householdId),
								eq(schema.resident.status, 'active')
							)
						)
				: [];
			if (!m) return { ok: false, reason: 'no_member', field: 'residentId' } as const;
		}
		const today = shanghaiDay(now);
		const [row] = await tx
			.insert(r)
			.values({
				categoryId: category.id,
				householdId: h.householdId,
				residentId: input.residentId || null,
				settlementId: h.settlementId,
				regionPath: h.regionPath,
				description: input.description,
				contactPhone: input.contactPhone || null,
				urgent: category.urgent,
				filedBy: actor.id,
				proxy,
				consentMethod: proxy ? input.consentMethod || null : null,
				consentNote: proxy ? input.consentNote || null : null,
				idempotencyKey: input.idempotencyKey,
				submittedAt: now,
				dueOn: addWorkingDays(today, category.timeLimitDays),
				ackDueAt: category.urgent ? new Date(now.getTime() + 24 * 3600_000) : null,
				updatedAt: now
			})
			.onConflictDoNothing({
				target: [r.filedBy, r.idempotencyKey],
				where: sql`${r.idempotencyKey} is not null`
			})
			.returning({ id: r.id, no: r.no });
		if (!row) {
			// sent before: answer with the request the first send filed
			const [first] = await tx
				.select({ id: r.id, no: r.no })
				.from(r)
				.where(and(eq(r.filedBy, actor.id), eq(r.idempotencyKey, input.idempotencyKey)));
			return { ok: true, id: first.id, number: requestNumber(first.no), duplicate: true } as const;
		}
		const req: RequestResource = {
			requestId: row.id,
			no: row.no,
			number: requestNumber(row.no),
			settlementId: h.settlementId,
			regionPath: h.regionPath,
			householdId: h.householdId,
			status: 'submitted',
			assigneeId: null,
			filedBy: actor.id,
			categoryName: category.name
		};
		const notify = [];
		if (proxy)
			notify.push({
				userIds: await householdUserIds(tx, h.householdId),
				kind: 'service.filed',
				title: `已为您代办「${category.name}」`,
				body: `受理编号 ${req.number}，工作人员 ${actor.displayName} 代为提交。`
			});
		if (category.urgent)
			notify.push({
				userIds: await settlementStaffIds(tx, h.settlementId, ['point_admin', 'point_chief']),
				kind: 'service.urgent',
				title: `急难事项待受理：${category.name}`,
				body: `${req.number} 须在 24 小时内受理。`
			});
		await recordEvent(
			tx,
			actor,
			req,
			{
				kind: 'submitted',
				to: 'submitted',
				note: proxy ? `由 ${actor.displayName} 代办提交` : null,
				data: proxy ? { consentMethod: input.consentMethod } : {}
			},
			notify
		);
		return { ok: true, id: row.id, number: req.number, duplicate: false } as const;
	});
}

/** What the actor may do to a request, for the page to offer and the commands to check. */
function allowedActions(actor: Actor, req: RequestResource, rated: boolean) {
	const handle = can(actor, 'service.handle', req);
	const own = actor.householdId === req.householdId;
	const stepsAllowed = stepsFrom(req.status).filter((s) =>
		s === 'withdraw' ? can(actor, 'service.withdraw', req) : handle
	);
	return {
		steps: stepsAllowed,
		assign: handle && isOpen(req.status),
		publicNote: isOpen(req.status) && (handle || (own && can(actor, 'service.read', req))),
		internalNote: can(actor, 'service.internal', req),
		rate: req.status === 'done' && !rated && can(actor, 'service.rate', req)
	};
}

/** One request with its timeline; internal notes only for staff, the phone masked but for its household. */
export async function getRequest(actor: Actor, requestId: string, now: Date = new Date()) {
	const req = await readableRequest(actor, requestId);
	const c = schema.serviceCategory;
	const [row] = await db()
		.select({
			id: r.id,
			no: r.no,
			status: r.status,
			urgent: r.urgent,
			description: r.description,
			contactPhone: r.contactPhone,
			proxy: r.proxy,
			consentMethod: r.consentMethod,
			consentNote: r.consentNote,
			submittedAt: r.submittedAt,
			dueOn: r.dueOn,
			ackDueAt: r.ackDueAt,
			acceptedAt: r.acceptedAt,
			pausedSince: r.pausedSince,
			pausedDays: r.pausedDays,
			originOffice: r.originOffice,
			originAsk: r.originAsk,
			outcome: r.outcome,
			closedAt: r.closedAt,
			escalatedAt: r.escalatedAt,
			rating: r.rating,
			ratingComment: r.ratingComment,
			ratedAt: r.ratedAt,
			assigneeId: r.assigneeId,
			assigneeName: assignee.displayName,
			filedByName: filer.displayName,
			categoryId: c.id,
			categoryName: c.name,
			materials: c.materials,
			timeLimitDays: c.timeLimitDays,
			needsOrigin: c.needsOrigin,
			householdId: r.householdId,
			headName: schema.household.headName,
			building: schema.household.building,
			unitNo: schema.household.unitNo,
			room: schema.household.room,
			settlementId: r.settlementId,
			settlementName: schema.settlement.name,
			settlementAddress: schema.settlement.address,
			residentName: schema.resident.name
		})
		.from(r)
		.innerJoin(c, eq(c.id, r.categoryId))
		.innerJoin(schema.household, eq(schema.household.id, r.householdId))
		.innerJoin(schema.settlement, eq(schema.settlement.id, r.settlementId))
		.innerJoin(filer, eq(filer.id, r.filedBy))
		.leftJoin(assignee, eq(assignee.id, r.assigneeId))
		.leftJoin(schema.resident, eq(schema.resident.id, r.residentId))
		.where(eq(r.id, req.requestId));
	const internal = can(actor, 'service.internal', req);
	const e = schema.serviceEvent;
	const events = await db()
		.select({
			id: e.id,
			at: e.at,
			actorName: e.actorName,
			kind: e.kind,
			fromStatus: e.fromStatus,
			toStatus: e.toStatus,
			internal: e.internal,
			note: e.note,
			data: e.data
		})
		.from(e)
		.where(and(eq(e.requestId, req.requestId), internal ? undefined : eq(e.internal, false)))
		.orderBy(asc(e.id))
		.limit(500);
	const today = shanghaiDay(now);
	const running = (clockStatuses as readonly string[]).includes(row.status);
	return {
		...row,
		number: req.number,
		// masked for everyone, the household too: no page carries a full phone number
		contactPhone: maskPhone(row.contactPhone),
		// staff see the consent record; the resident sees that it was filed for them
		consentNote: internal ? row.consentNote : null,
		overdue: running && row.dueOn < today,
		daysOverdue: running && row.dueOn < today ? workingDaysBetween(row.dueOn, today) : 0,
		daysLeft: running && row.dueOn >= today ? workingDaysBetween(today, row.dueOn) : null,
		events,
		can: allowedActions(actor, { ...req, status: row.status }, row.rating !== null)
	};
}
export type RequestDetail = Awaited<ReturnType<typeof getRequest>>;

/**
 * A page of the requests the actor may see, newest first by keyset on the request number:
 * a resident's own household's, or the queue of a staff member's scope, with the filters.
 */
export async function listRequests(actor: Actor, f: Partial<QueueFilter> = {}, now = new Date()) {
	const today = shanghaiDay(now);
	const c = schema.serviceCategory;
	const where: (SQL | undefined)[] = [
		scopeFilter(actor, 'service.read', {
			settlementId: r.settlementId,
			regionPath: r.regionPath,
			householdId: r.householdId
		})
	];
	if (f.status === 'open') where.push(inArray(r.status, [...openStatuses]));
	else if (f.status === 'closed')
		where.push(
			inArray(
				r.status,
				requestStatuses.filter((s) => !isOpen(s))
			)
		);
	else if (f.status) where.push(eq(r.status, f.status));
	if (f.categoryId) where.push(eq(r.categoryId, f.categoryId));
	if (f.settlementId) where.push(eq(r.settlementId, f.settlementId));
	if (f.assignee === 'me') where.push(eq(r.assigneeId, actor.id));
	else if (f.assignee === 'none') where.push(isNull(r.assigneeId));
	else if (f.assignee && isUuid(f.assignee)) where.push(eq(r.assigneeId, f.assignee));
	if (f.due === 'overdue') where.push(isOverdueSql(today));
	else if (f.due === 'soon')
		where.push(
			sql`${r.status} in ('submitted', 'accepted', 'in_progress', 'waiting_origin') and ${r.dueOn} between ${today} and ${addWorkingDays(today, 2)}`
		);
	if (f.before) where.push(lt(r.no, f.before));
	const limit = 50;
	const rows = await db()
		.select({
			id: r.id,
			no: r.no,
			status: r.status,
			urgent: r.urgent,
			proxy: r.proxy,
			submittedAt: r.submittedAt,
			dueOn: r.dueOn,
			escalatedAt: r.escalatedAt,
			rating: r.rating,
			categoryName: c.name,
			settlementName: schema.settlement.name,
			headName: schema.household.headName,
			building: schema.household.building,
			unitNo: schema.household.unitNo,
			room: schema.household.room,
			assigneeName: assignee.displayName,
			overdue: isOverdueSql(today)
		})
		.from(r)
		.innerJoin(c, eq(c.id, r.categoryId))
		.innerJoin(schema.household, eq(schema.household.id, r.householdId))
		.innerJoin(schema.settlement, eq(schema.settlement.id, r.settlementId))
		.leftJoin(assignee, eq(assignee.id, r.assigneeId))
		.where(and(...where))
		.orderBy(desc(r.no))
		.limit(limit + 1);
	const page = rows.slice(0, limit).map((row) => ({ ...row, number: requestNumber(row.no) }));
	return { rows: page, next: rows.length > limit ? page[page.length - 1].no : null };
}

/**
 * Counts per status over the actor's scope, from the tallies the triggers keep, and the overdue
 * count from the partial index on running requests; a resident's are counted directly (a few rows).
 */
export async function countRequests(actor: Actor, now = new Date()) {
	const today = shanghaiDay(now);
	const counts = Object.fromEntries(requestStatuses.map((s) => [s, 0])) as Record<
		RequestStatus,
		number
	>;
	const staffScope = scopeFilter(actor, 'service.read', {
		settlementId: schema.serviceRequestTally.settlementId,
		regionPath: schema.serviceRequestTally.regionPath
	});
	const byStatus = hasRole(actor, 'resident')
		? db()
				.select({ status: r.status, n: sql<number>`count(*)::int` })
				.from(r)
				.where(
					scopeFilter(actor, 'service.read', {
						settlementId: r.settlementId,
						regionPath: r.regionPath,
						householdId: r.householdId
					})
				)
				.groupBy(r.status)
		: db()
				.select({
					status: schema.serviceRequestTally.status,
					n: sql<number>`sum(${schema.serviceRequestTally.n})::int`
				})
				.from(schema.serviceRequestTally)
				.where(staffScope)
				.groupBy(schema.serviceRequestTally.status);
	const overdueCount = db()
		.select({ overdue: sql<number>`count(*)::int` })
		.from(r)
		.where(
			and(
				isOverdueSql(today),
				scopeFilter(actor, 'service.read', {
					settlementId: r.settlementId,
					regionPath: r.regionPath,
					householdId: r.householdId
				})
			)
		);
	// two independent reads: on a pool they run side by side
	const [rows, [{ overdue }]] = await Promise.all([byStatus, overdueCount]);
	for (const row of rows) counts[row.status] = Number(row.n);
	const open = openStatuses.reduce((n, s) => n + counts[s], 0);
	return { ...counts, open, overdue: Number(overdue) };
}

const closedWords: Partial<Record<RequestStatus, string>> = {
	done: '已办结',
	rejected: '已决定不予办理',
	withdrawn: '已撤回'
};

/** The refusal of a step the request's state does not allow, in words for the page. */
function illegalStep(
	step: Step,
	status: RequestStatus
): Failure<'illegal_step'> & { message: string } {
	return {
		ok: false,
		reason: 'illegal_step',
		field: 'step',
		message: isOpen(status)
			? `申请当前为「${statusWords[status]}」，不能执行此操作`
			: `申请${closedWords[status]}，不能再改为「${statusWords[steps[step].to]}」`
	};
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Takes the tally rows a status change will touch, in one order for every transaction: the
 * tally trigger would otherwise take (old, new) as they come, and two steps in opposite
 * directions at one point (in progress ⇄ waiting for the origin) deadlock.
 */
async function lockTallies(tx: Executor, settlementId: string, statuses: RequestStatus[]) {
	const t = schema.serviceRequestTally;
	for (const status of [...new Set(statuses)].sort(byCodeUnits))
		await tx
			.select({ n: t.n })
			.from(t)
			.where(and(eq(t.settlementId, settlementId), eq(t.status, status)))
			.for('update');
}

/**
 * One step of the workflow (accept, start, ask the origin place, … complete, reject, withdraw):
 * the resident withdraws their own; staff of the point take the rest. A step the state does
 * not allow is refused with the reason; the clock pauses while waiting for the resident.
 */
export async function takeStep(
	actor: Actor,
	requestId: string,
	input: StepInput,
	now: Date = new Date()
): Promise<{ ok: true; status: RequestStatus } | (Failure<'illegal_step'> & { message: string })> {
	const req = await readableRequest(actor, requestId);
	requirePermission(
		actor,
		input.step === 'withdraw' ? 'service.withdraw' : 'service.handle',
		req,
		'write'
	);
	input = storable(input);
	const today = shanghaiDay(now);
	return db().transaction(async (tx) => {
		const [cur] = await tx
			.select({
				status: r.status,
				dueOn: r.dueOn,
				pausedSince: r.pausedSince,
				pausedDays: r.pausedDays,
				assigneeId: r.assigneeId
			})
			.from(r)
			.where(eq(r.id, req.requestId))
			.for('update');
		if (!canStep(input.step, cur.status)) return illegalStep(input.step, cur.status);
		const to = steps[input.step].to;
		await lockTallies(tx, req.settlementId, [cur.status, to]);
		const set: Partial<typeof r.$inferInsert> = { status: to, updatedAt: now };
		// leaving the resident's wait: the days it took move the due date on
		if (cur.status === 'waiting_resident' && cur.pausedSince) {
			const paused = workingDaysBetween(cur.pausedSince, today);
			set.pausedDays = cur.pausedDays + paused;
			set.dueOn = addWorkingDays(cur.dueOn, paused);
			set.pausedSince = null;
		}
		switch (input.step) {
			case 'accept':
				set.acceptedAt = now;
				if (!cur.assigneeId && can(actor, 'service.handle', req)) set.assigneeId = actor.id;
				break;
			case 'askOrigin':
				set.originOffice = input.originOffice;
				set.originAsk = input.note;
				break;
			case 'askResident':
				set.pausedSince = today;
				break;
			case 'complete':
			case 'reject':
				set.outcome = input.note;
				set.closedAt = now;
				break;
			case 'withdraw':
				set.outcome = input.note || null;
				set.closedAt = now;
				break;
		}
		await tx.update(r).set(set).where(eq(r.id, req.requestId));
		const residents = await householdUserIds(tx, req.householdId);
		const notify = [
			{
				userIds: residents,
				kind: 'service.step',
				title: `您的申请「${req.categoryName}」${statusWords[to]}`,
				body: input.note ? `${req.number}：${input.note}` : req.number
			}
		];
		if (input.step === 'withdraw' && cur.assigneeId)
			notify.push({
				userIds: [cur.assigneeId],
				kind: 'service.withdrawn',
				title: `居民已撤回申请 ${req.number}`,
				body: input.note
			});
		await recordEvent(
			tx,
			actor,
			req,
			{
				kind: stepEvent[input.step],
				from: cur.status,
				to,
				note: input.note,
				data: input.step === 'askOrigin' ? { originOffice: input.originOffice } : {}
			},
			notify
		);
		if (set.assigneeId)
			await tx.insert(schema.serviceEvent).values({
				requestId: req.requestId,
				actorId: actor.id,
				actorName: actor.displayName,
				kind: 'assigned',
				note: `经办人：${actor.displayName}`
			});
		return { ok: true, status: to } as const;
	});
}

/**
 * A note on the timeline: internal (staff of the scope, never shown to the resident) or public
 * (the handling staff, or the resident on their own open request). Public notes reach the other side.
 */
export async function addNote(
	actor: Actor,
	requestId: string,
	input: z.infer<typeof noteSchema>
): Promise<{ ok: true } | Failure<'closed'>> {
	const req = await readableRequest(actor, requestId);
	const allowed = allowedActions(actor, req, false);
	if (input.internal ? !allowed.internalNote : !allowed.publicNote) {
		if (!isOpen(req.status) && !input.internal)
			return { ok: false, reason: 'closed', field: 'note' };
		requirePermission(actor, input.internal ? 'service.internal' : 'service.handle', req, 'write');
	}
	input = storable(input);
	return db().transaction(async (tx) => {
		const own = actor.householdId === req.householdId;
		const notify = input.internal
			? []
			: own
				? req.assigneeId
					? [
							{
								userIds: [req.assigneeId],
								title: `居民补充了说明：${req.number}`,
								body: input.note
							}
						]
					: []
				: [
						{
							userIds: await householdUserIds(tx, req.householdId),
							title: `您的申请「${req.categoryName}」有新消息`,
							body: input.note
						}
					];
		await recordEvent(
			tx,
			actor,
			req,
			{ kind: 'note', note: input.note, internal: input.internal },
			notify
		);
		return { ok: true } as const;
	});
}

/** The staff who can carry a request of this settlement: its window staff and point leaders. */
export async function listAssignable(actor: Actor, requestId: string) {
	const req = await readableRequest(actor, requestId);
	requirePermission(actor, 'service.handle', req, 'write');
	const g = schema.roleGrant;
	// one line per person, with their highest role at the point (point_chief > point_admin > worker)
	return db()
		.select({
			id: schema.user.id,
			displayName: schema.user.displayName,
			role: sql<(typeof g.$inferSelect)['role']>`max(${g.role})`
		})
		.from(g)
		.innerJoin(schema.user, eq(schema.user.id, g.userId))
		.where(
			and(
				eq(g.settlementId, req.settlementId),
				inArray(g.role, ['community_worker', 'point_admin', 'point_chief']),
				isNull(g.revokedAt),
				isNull(schema.user.disabledAt)
			)
		)
		.groupBy(schema.user.id, schema.user.displayName)
		.orderBy(asc(schema.user.displayName))
		.limit(200);
}

/** Hands an open request to a staff member who may carry it; they are told. */
export async function assignRequest(
	actor: Actor,
	requestId: string,
	input: z.infer<typeof assignSchema>
): Promise<{ ok: true } | Failure<'closed' | 'not_staff'>> {
	const req = await readableRequest(actor, requestId);
	requirePermission(actor, 'service.handle', req, 'write');
	if (!isOpen(req.status)) return { ok: false, reason: 'closed', field: 'assigneeId' };
	const [person] = await db()
		.select({
			id: schema.user.id,
			displayName: schema.user.displayName,
			username: schema.user.username,
			householdId: schema.user.householdId
		})
		.from(schema.user)
		.where(and(eq(schema.user.id, input.assigneeId), isNull(schema.user.disabledAt)));
	const candidate: Actor | null = person
		? { ...person, grants: await loadGrants(person.id) }
		: null;
	if (!candidate || !can(candidate, 'service.handle', req))
		return { ok: false, reason: 'not_staff', field: 'assigneeId' };
	return db().transaction(async (tx) => {
		const [cur] = await tx
			.select({ status: r.status })
			.from(r)
			.where(eq(r.id, req.requestId))
			.for('update');
		if (!isOpen(cur.status)) return { ok: false, reason: 'closed', field: 'assigneeId' } as const;
		await tx
			.update(r)
			.set({ assigneeId: candidate.id, updatedAt: new Date() })
			.where(eq(r.id, req.requestId));
		await recordEvent(
			tx,
			actor,
			req,
			{
				kind: 'assigned',
				note: `经办人：${candidate.displayName}`,
				data: { assigneeId: candidate.id }
			},
			[
				{
					userIds: [candidate.id],
					kind: 'service.assigned',
					title: `分派给您的申请：${req.categoryName}`,
					body: `${req.number}，由 ${actor.displayName} 分派。`
				}
			]
		);
		return { ok: true } as const;
	});
}

/** The resident rates a finished request once (1–5 stars, a comment); the staff who carried it see it. */
export async function rateRequest(
	actor: Actor,
	requestId: string,
	input: z.infer<typeof rateSchema>,
	now: Date = new Date()
): Promise<{ ok: true } | Failure<'not_done' | 'already_rated'>> {
	const req = await readableRequest(actor, requestId);
	requirePermission(actor, 'service.rate', req, 'write');
	if (req.status !== 'done') return { ok: false, reason: 'not_done', field: 'rating' };
	input = storable(input);
	return db().transaction(async (tx) => {
		const updated = await tx
			.update(r)
			.set({ rating: input.rating, ratingComment: input.comment || null, ratedAt: now })
			.where(and(eq(r.id, req.requestId), eq(r.status, 'done'), isNull(r.rating)))
			.returning({ id: r.id });
		if (updated.length === 0)
			return { ok: false, reason: 'already_rated', field: 'rating' } as const;
		await recordEvent(
			tx,
			actor,
			req,
			{ kind: 'rated', note: input.comment || null, data: { rating: input.rating } },
			req.assigneeId
				? [
						{
							userIds: [req.assigneeId],
							kind: 'service.rated',
							title: `居民评价了 ${req.number}：${input.rating} 星`,
							body: input.comment
						}
					]
				: []
		);
		return { ok: true } as const;
	});
}

/**
 * The sweep: a request past its due day, or an urgent one not accepted within 24 hours, is
 * escalated once to its point's 点长 (notified, with an internal timeline entry). Safe to run
 * from several processes at once; returns how many it escalated.
 */
export async function escalateOverdue(now: Date = new Date(), batch = 200): Promise<number> {
	const today = shanghaiDay(now);
	let total = 0;
	for (;;) {
		const done = await db().transaction(async (tx) => {
			const rows = await tx
				.select({
					requestId: r.id,
					no: r.no,
					settlementId: r.settlementId,
					regionPath: r.regionPath,
					householdId: r.householdId,
					status: r.status,
					assigneeId: r.assigneeId,
					filedBy: r.filedBy,
					dueOn: r.dueOn,
					urgent: r.urgent,
					categoryName: schema.serviceCategory.name
				})
				.from(r)
				.innerJoin(schema.serviceCategory, eq(schema.serviceCategory.id, r.categoryId))
				.where(
					and(
						isNull(r.escalatedAt),
						// a Date in a raw sql template is not sent by postgres.js: compare through the column
						or(isOverdueSql(today), and(eq(r.status, 'submitted'), lt(r.ackDueAt, now)))
					)
				)
				.limit(batch)
				.for('update', { of: r, skipLocked: true });
			// each update takes its (settlement, status) tally row until commit: in the order
			// lockTallies uses, so a sweep and the steps taken meanwhile never wait on each other in a circle
			rows.sort(
				(a, b) => byCodeUnits(a.settlementId, b.settlementId) || byCodeUnits(a.status, b.status)
			);
			for (const row of rows) {
				const req = { ...row, number: requestNumber(row.no) };
				const lateAck = row.dueOn >= today;
				await tx.update(r).set({ escalatedAt: now }).where(eq(r.id, row.requestId));
				const chiefs = await settlementStaffIds(tx, row.settlementId, ['point_chief']);
				await recordEvent(
					tx,
					null,
					req,
					{
						kind: 'escalated',
						internal: true,
						note: lateAck
							? '急难事项超过 24 小时未受理，已提请点长督办'
							: `已超过办理时限（应于 ${row.dueOn} 前办结），已提请点长督办`
					},
					[
						{
							userIds: [...chiefs, ...(row.assigneeId ? [row.assigneeId] : [])],
							kind: 'service.escalated',
							title: lateAck ? `急难事项超时未受理：${req.number}` : `申请已超期：${req.number}`,
							body: `${row.categoryName}，${lateAck ? '请尽快受理' : `应于 ${row.dueOn} 前办结`}。`
						}
					]
				);
			}
			return rows.length;
		});
		total += done;
		if (done < batch) return total;
	}
}
