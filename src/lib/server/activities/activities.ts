// 活动: a settlement's activities, the households' sign-ups from their phones, the staff's
// check-ins (once per person, points under the adopted points list), and the monthly tally of
// activities and participants per settlement, kind and month that the roll-ups read.
import {
	and,
	asc,
	desc,
	eq,
	gt,
	gte,
	inArray,
	isNotNull,
	isNull,
	lt,
	or,
	sql,
	type SQL
} from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { nextMonth, type ActivityKind, type ActivityStatus } from '$lib/activities/vocab';
import { maskIdNumber } from '$lib/mask';
import {
	activityMoment,
	capacityValue,
	type ActivityFilter,
	type ActivityInput,
	type CancelActivityInput,
	type PersonInput,
	type SignUpInput
} from '$lib/schemas/activities';
import { shanghaiDay } from '$lib/working-days';
import {
	can,
	canAnywhere,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor
} from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import { escapeLike } from '../db/like';
import type { Failure } from '../failure';
import { awardForActivity } from '../governance/points';
import { adoptedPointItems } from '../governance/shared';
import * as notifications from '../notifications';
import { householdUserIds, storable } from '../services/shared';
import { isUuid, notFound, settlementResource } from '../settlements/shared';

const act = schema.activity;
const su = schema.activitySignup;
const ci = schema.activityCheckin;
const tally = schema.activityTally;
const st = schema.settlement;
const hh = schema.household;
const person = schema.resident;

/** Rows a list page shows at once. */
const pageSize = 50;
/** Days after an activity ends during which staff may still record who came. */
export const lateCheckinDays = 30;

/** A refusal found inside a transaction: thrown to roll it back, caught and returned. */
class Refusal<F extends string> extends Error {
	constructor(readonly failure: Failure<F>) {
		super(failure.reason);
	}
}

/** Runs `work` in one transaction; a Refusal thrown in it rolls everything back and is returned. */
async function refusable<T, F extends string>(
	work: (tx: Executor) => Promise<T>
): Promise<T | Failure<F>> {
	try {
		return await db().transaction(work);
	} catch (err) {
		if (err instanceof Refusal) return err.failure as Failure<F>;
		throw err;
	}
}

/** The tally's month of a moment: 'YYYY-MM' of its Shanghai day. */
export function activityMonth(at: Date): string {
	return shanghaiDay(at).slice(0, 7);
}

/** The first moment of a 'YYYY-MM' month in Shanghai. */
function monthStart(month: string): Date {
	return new Date(`${month}-01T00:00:00+08:00`);
}

/** A household's unit as people say it: 3栋2单元502. */
const unitOf = sql<string>`(${hh.building} || ${hh.unitNo} || ${hh.room})`;

/** An activity as a resource for `can()`, with what the commands check; null when there is none. */
export async function activityResource(activityId: string, executor: Executor = db()) {
	if (!isUuid(activityId)) return null;
	const [row] = await executor
		.select({
			activityId: act.id,
			settlementId: act.settlementId,
			regionPath: act.regionPath,
			status: act.status,
			kind: act.kind,
			title: act.title,
			startsAt: act.startsAt,
			endsAt: act.endsAt
		})
		.from(act)
		.where(eq(act.id, activityId));
	return row ?? null;
}
export type ActivityResource = NonNullable<Awaited<ReturnType<typeof activityResource>>>;

/** Where an activity stands at `now`. */
export type ActivityPhase = 'upcoming' | 'ongoing' | 'ended' | 'cancelled';
export function activityPhase(
	row: { status: ActivityStatus; startsAt: Date; endsAt: Date },
	now: Date = new Date()
): ActivityPhase {
	if (row.status === 'cancelled') return 'cancelled';
	if (now < row.startsAt) return 'upcoming';
	if (now <= row.endsAt) return 'ongoing';
	return 'ended';
}

/** Sign-ups run until the activity ends; a sign-up is cancelled only before it starts. */
export function signupOpen(row: { status: ActivityStatus; endsAt: Date }, now: Date = new Date()) {
	return row.status === 'scheduled' && now <= row.endsAt;
}

/** Check-in opens on the day the activity starts and stays open `lateCheckinDays` after it ends. */
export function checkinWindow(
	row: { startsAt: Date; endsAt: Date },
	now: Date = new Date()
): 'not_open' | 'open' | 'closed' {
	if (shanghaiDay(now) < shanghaiDay(row.startsAt)) return 'not_open';
	if (now.getTime() > row.endsAt.getTime() + lateCheckinDays * 86400_000) return 'closed';
	return 'open';
}

/** Moves the tally of a settlement, month and kind by the given counts, inside the caller's transaction. */
async function bumpTally(
	tx: Executor,
	at: { settlementId: string; regionPath: string; month: string; kind: ActivityKind },
	by: { activities?: number; participants?: number }
) {
	const activities = by.activities ?? 0;
	const participants = by.participants ?? 0;
	if (activities === 0 && participants === 0) return;
	await tx
		.insert(tally)
		.values({ ...at, activities, participants })
		.onConflictDoUpdate({
			target: [tally.settlementId, tally.month, tally.kind],
			set: {
				activities: sql`${tally.activities} + ${activities}`,
				participants: sql`${tally.participants} + ${participants}`
			}
		});
}

// ---------------------------------------------------------------------------------------------
// what the forms offer

/** The settlements whose activities the actor reads (the list's filter), up to 1,000. */
export async function listActivitySettlements(actor: Actor) {
	requireAnywhere(actor, 'activity.read');
	return db()
		.select({ id: st.id, name: st.name, regionPath: st.regionPath })
		.from(st)
		.where(scopeFilter(actor, 'activity.read', { settlementId: st.id, regionPath: st.regionPath }))
		.orderBy(st.name)
		.limit(1000);
}

/** The settlements where the actor logs activities (the new-activity form), up to 1,000. */
export async function listManagedSettlements(actor: Actor) {
	requireAnywhere(actor, 'activity.manage');
	return db()
		.select({ id: st.id, name: st.name, regionPath: st.regionPath })
		.from(st)
		.where(
			scopeFilter(actor, 'activity.manage', { settlementId: st.id, regionPath: st.regionPath })
		)
		.orderBy(st.name)
		.limit(1000);
}

/** The path of the county a region path lies in (itself when no county is above it). */
async function countyPathOf(regionPath: string, executor: Executor): Promise<string> {
	const { region } = schema;
	const [row] = await executor
		.select({ path: region.path })
		.from(region)
		.where(and(eq(region.level, 'county'), sql`starts_with(${regionPath}, ${region.path})`))
		.limit(1);
	return row?.path ?? regionPath;
}

/** A verified organisation of the county (or of a region above it), as an SQL condition. */
function organizationOfCounty(countyPath: string): SQL {
	const o = schema.organization;
	return and(
		isNotNull(o.verifiedAt),
		or(
			sql`starts_with(${o.regionPath}, ${countyPath})`,
			sql`starts_with(${countyPath}, ${o.regionPath})`
		)
	)!;
}

/**
 * The verified organisations that may organise an activity at the settlements the actor
 * manages: those of their counties (or above them), by name, up to 300.
 */
export async function listActivityOrganizations(actor: Actor, settlementIds?: string[]) {
	const managed = await listManagedSettlements(actor);
	const chosen = settlementIds ? managed.filter((s) => settlementIds.includes(s.id)) : managed;
	const counties = [
		...new Set(await Promise.all(chosen.slice(0, 50).map((s) => countyPathOf(s.regionPath, db()))))
	];
	if (counties.length === 0) return [];
	const o = schema.organization;
	return db()
		.select({ id: o.id, name: o.name, kind: o.kind })
		.from(o)
		.where(or(...counties.map(organizationOfCounty)))
		.orderBy(o.name)
		.limit(300);
}

/** The award items (points above zero) of each settlement's adopted points list, for the form. */
export async function listActivityPointItems(actor: Actor, settlementIds: string[]) {
	const managed = await listManagedSettlements(actor);
	const chosen = managed.filter((s) => settlementIds.includes(s.id)).slice(0, 20);
	return Promise.all(
		chosen.map(async (s) => ({
			settlementId: s.id,
			settlementName: s.name,
			items: (await adoptedPointItems(s.id))
				.filter((i) => Number.isSafeInteger(i.points) && i.points > 0)
				.map((i) => ({ code: i.code, label: i.label, points: i.points }))
		}))
	);
}

// ---------------------------------------------------------------------------------------------
// logging, editing and cancelling an activity

type ActivityFailure = 'times' | 'capacity' | 'organization' | 'points_item';

/** The form's values as the row keeps them; a Failure at the field that is wrong. */
async function activityValues(
	input: ActivityInput,
	at: { settlementId: string; regionPath: string },
	actor: Actor,
	tx: Executor
) {
	const startsAt = activityMoment(input.startsAt);
	const endsAt = activityMoment(input.endsAt);
	if (!startsAt) return { ok: false, reason: 'times', field: 'startsAt' } as const;
	if (!endsAt || endsAt < startsAt) return { ok: false, reason: 'times', field: 'endsAt' } as const;
	const capacity = capacityValue(input.capacity ?? '');
	if (capacity === undefined) return { ok: false, reason: 'capacity', field: 'capacity' } as const;
	let organizationId: string | null = null;
	if (input.organizationId) {
		const o = schema.organization;
		const county = await countyPathOf(at.regionPath, tx);
		const [org] = isUuid(input.organizationId)
			? await tx
					.select({ id: o.id })
					.from(o)
					.where(and(eq(o.id, input.organizationId), organizationOfCounty(county)))
			: [];
		if (!org) return { ok: false, reason: 'organization', field: 'organizationId' } as const;
		organizationId = org.id;
	}
	let pointsItemCode: string | null = null;
	if (input.pointsItemCode) {
		const item = (await adoptedPointItems(at.settlementId, tx)).find(
			(i) => i.code === input.pointsItemCode
		);
		if (!item || !Number.isSafeInteger(item.points) || item.points <= 0)
			return { ok: false, reason: 'points_item', field: 'pointsItemCode' } as const;
		pointsItemCode = item.code;
	}
	return {
		ok: true,
		values: {
			kind: input.kind,
			title: input.title,
			description: input.description ?? '',
			place: input.place,
			startsAt,
			endsAt,
			// the staff member organises it unless an organisation does
			organizerId: organizationId ? null : actor.id,
			organizationId,
			capacity,
			pointsItemCode
		}
	} as const;
}

/**
 * Staff (activity.manage over the settlement) log an activity: kind, title, place, time,
 * organiser (themselves or a verified organisation of the county), capacity (none: no limit),
 * and the points item a check-in earns. Counts it in the month's tally. 403 for a settlement the
 * actor does not manage (or none); fails 'times', 'capacity', 'organization' or 'points_item' at
 * their field. The same form sent twice (same person, settlement, title and start, within ten
 * minutes) logs one activity.
 */
export async function createActivity(
	actor: Actor,
	input: ActivityInput
): Promise<{ ok: true; id: string; duplicate: boolean } | Failure<ActivityFailure>> {
	input = storable(input);
	requireAnywhere(actor, 'activity.manage', 'write');
	const s = await settlementResource(input.settlementId);
	requirePermission(actor, 'activity.manage', s ?? {}, 'write');
	if (!s) notFound();
	return db().transaction(async (tx) => {
		const checked = await activityValues(input, s, actor, tx);
		if (!checked.ok) return checked;
		const v = checked.values;
		// one form sent twice (a double tap, a retry) logs one activity
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'activity.create:' + actor.id}))`);
		const [twin] = await tx
			.select({ id: act.id })
			.from(act)
			.where(
				and(
					eq(act.createdBy, actor.id),
					eq(act.settlementId, s.settlementId),
					eq(act.title, v.title),
					eq(act.startsAt, v.startsAt),
					eq(act.status, 'scheduled'),
					sql`${act.createdAt} > now() - interval '10 minutes'`
				)
			)
			.limit(1);
		if (twin) return { ok: true, id: twin.id, duplicate: true } as const;
		const [row] = await tx
			.insert(act)
			.values({
				...v,
				settlementId: s.settlementId,
				regionPath: s.regionPath,
				createdBy: actor.id
			})
			.returning({ id: act.id });
		await bumpTally(
			tx,
			{ ...s, month: activityMonth(v.startsAt), kind: v.kind },
			{ activities: 1 }
		);
		await audit.record(tx, {
			actor,
			action: 'activity.create',
			entity: 'activity',
			entityId: row.id,
			scopePath: s.regionPath,
			summary: {
				settlementId: s.settlementId,
				kind: v.kind,
				startsAt: v.startsAt.toISOString(),
				capacity: v.capacity,
				organizationId: v.organizationId,
				pointsItemCode: v.pointsItemCode
			}
		});
		return { ok: true, id: row.id, duplicate: false } as const;
	});
}

/** The activity for a change, locked: 404 unless the actor reads it, 403 unless they may `perm` it. */
async function activityToChange(
	actor: Actor,
	activityId: string,
	perm: 'activity.manage' | 'activity.checkin',
	tx: Executor
) {
	const [row] = isUuid(activityId)
		? await tx.select().from(act).where(eq(act.id, activityId)).for('update')
		: [];
	requirePermission(actor, 'activity.read', row ?? {}, 'read');
	if (!row) notFound();
	requirePermission(actor, perm, row, 'write');
	return row;
}

/**
 * Edits an activity (activity.manage over its settlement; it stays at its settlement). When its
 * kind or month changes, its activity and participants move with it in the tally. 404 / 403 as
 * ever; fails 'cancelled' for a cancelled one, 'below_signups' at capacity for fewer places than
 * people signed up, and what createActivity fails.
 */
export async function updateActivity(
	actor: Actor,
	activityId: string,
	input: ActivityInput
): Promise<{ ok: true } | Failure<ActivityFailure | 'cancelled' | 'below_signups'>> {
	input = storable(input);
	requireAnywhere(actor, 'activity.manage', 'write');
	return db().transaction(async (tx) => {
		const current = await activityToChange(actor, activityId, 'activity.manage', tx);
		if (current.status === 'cancelled') return { ok: false, reason: 'cancelled' } as const;
		const checked = await activityValues(input, current, actor, tx);
		if (!checked.ok) return checked;
		const v = {
			...checked.values,
			// the organiser stays who it was unless an organisation is chosen or dropped
			organizerId: checked.values.organizationId ? null : (current.organizerId ?? actor.id)
		};
		if (v.capacity !== null && v.capacity < current.signups)
			return { ok: false, reason: 'below_signups', field: 'capacity' } as const;
		const from = { month: activityMonth(current.startsAt), kind: current.kind };
		const to = { month: activityMonth(v.startsAt), kind: v.kind };
		if (from.month !== to.month || from.kind !== to.kind) {
			const at = { settlementId: current.settlementId, regionPath: current.regionPath };
			await bumpTally(
				tx,
				{ ...at, ...from },
				{ activities: -1, participants: -current.participants }
			);
			await bumpTally(tx, { ...at, ...to }, { activities: 1, participants: current.participants });
		}
		await tx.update(act).set(v).where(eq(act.id, current.id));
		const changed = Object.keys(v).filter((k) => {
			const before = current[k as keyof typeof v];
			const after = v[k as keyof typeof v];
			return before instanceof Date && after instanceof Date
				? before.getTime() !== after.getTime()
				: before !== after;
		});
		await audit.record(tx, {
			actor,
			action: 'activity.update',
			entity: 'activity',
			entityId: current.id,
			scopePath: current.regionPath,
			summary: { settlementId: current.settlementId, changed }
		});
		return { ok: true } as const;
	});
}

/**
 * Cancels a scheduled activity with a reason (activity.manage): it leaves the month's tally and
 * the households signed up are told. 404 / 403 as ever; fails 'cancelled' when it is, and
 * 'has_participants' once anyone was checked in (it took place).
 */
export async function cancelActivity(
	actor: Actor,
	activityId: string,
	input: CancelActivityInput
): Promise<{ ok: true } | Failure<'cancelled' | 'has_participants'>> {
	input = storable(input);
	requireAnywhere(actor, 'activity.manage', 'write');
	return db().transaction(async (tx) => {
		const current = await activityToChange(actor, activityId, 'activity.manage', tx);
		if (current.participants > 0)
			return { ok: false, reason: 'has_participants', field: 'reason' } as const;
		const [done] = await tx
			.update(act)
			.set({ status: 'cancelled', cancelReason: input.reason })
			.where(and(eq(act.id, current.id), eq(act.status, 'scheduled')))
			.returning({ id: act.id });
		if (!done) return { ok: false, reason: 'cancelled', field: 'reason' } as const;
		await bumpTally(
			tx,
			{
				settlementId: current.settlementId,
				regionPath: current.regionPath,
				month: activityMonth(current.startsAt),
				kind: current.kind
			},
			{ activities: -1 }
		);
		const households = await tx
			.selectDistinct({ id: su.householdId })
			.from(su)
			.where(and(eq(su.activityId, current.id), isNull(su.cancelledAt)));
		const userIds = (await Promise.all(households.map((h) => householdUserIds(tx, h.id)))).flat();
		await notifications.notify(tx, {
			userIds: userIds.filter((id) => id !== actor.id),
			kind: 'activity.cancelled',
			title: `活动已取消：${current.title}`,
			body: input.reason,
			link: `/activities/${current.id}`
		});
		await audit.record(tx, {
			actor,
			action: 'activity.cancel',
			entity: 'activity',
			entityId: current.id,
			scopePath: current.regionPath,
			summary: { settlementId: current.settlementId, signups: current.signups }
		});
		return { ok: true } as const;
	});
}

// ---------------------------------------------------------------------------------------------
// sign-ups

type SignUpFailure =
	'cancelled' | 'ended' | 'full' | 'not_member' | 'not_in_settlement' | 'household_ended';

/**
 * A resident signs up members of their own household (activity.signup, own) for an activity of
 * their settlement, until it ends. All or none: when the places left do not take everyone
 * chosen, nobody is signed up ('full'). Places are taken by one conditional UPDATE, so
 * concurrent sign-ups never pass the capacity. Someone already signed up is counted once.
 * 404 for an activity the actor cannot read (another settlement's); 403 for a member of another
 * household or for staff; fails 'not_member' at residentIds for someone not an active member,
 * 'not_in_settlement', 'household_ended', 'cancelled', 'ended', 'full'.
 */
export async function signUp(
	actor: Actor,
	activityId: string,
	input: SignUpInput,
	now: Date = new Date()
): Promise<{ ok: true; signedUp: number; already: number } | Failure<SignUpFailure>> {
	const a = await activityResource(activityId);
	requirePermission(actor, 'activity.read', a ?? {}, 'read');
	if (!a) notFound();
	requireAnywhere(actor, 'activity.signup', 'write');
	const ids = [...new Set(input.residentIds)];
	if (ids.length === 0 || !ids.every(isUuid))
		return { ok: false, reason: 'not_member', field: 'residentIds' };
	const people = await db()
		.select({
			id: person.id,
			status: person.status,
			householdId: person.householdId,
			householdStatus: hh.status,
			settlementId: hh.settlementId,
			regionPath: st.regionPath
		})
		.from(person)
		.innerJoin(hh, eq(hh.id, person.householdId))
		.innerJoin(st, eq(st.id, hh.settlementId))
		.where(inArray(person.id, ids));
	if (people.length !== ids.length)
		return { ok: false, reason: 'not_member', field: 'residentIds' };
	for (const p of people)
		requirePermission(
			actor,
			'activity.signup',
			{ householdId: p.householdId, settlementId: p.settlementId, regionPath: p.regionPath },
			'write'
		);
	if (people.some((p) => p.settlementId !== a.settlementId))
		return { ok: false, reason: 'not_in_settlement', field: 'residentIds' };
	if (people.some((p) => p.householdStatus !== 'active'))
		return { ok: false, reason: 'household_ended', field: 'residentIds' };
	if (people.some((p) => p.status !== 'active'))
		return { ok: false, reason: 'not_member', field: 'residentIds' };

	return refusable<{ ok: true; signedUp: number; already: number }, SignUpFailure>(async (tx) => {
		// one sign-up at a time per activity: the places and the rows agree
		const [row] = await tx.select().from(act).where(eq(act.id, a.activityId)).for('update');
		if (row.status === 'cancelled') throw new Refusal({ ok: false, reason: 'cancelled' });
		if (!signupOpen(row, now)) throw new Refusal({ ok: false, reason: 'ended' });
		const inserted = await tx
			.insert(su)
			.values(
				people.map((p) => ({
					activityId: row.id,
					residentId: p.id,
					householdId: p.householdId,
					signedUpBy: actor.id
				}))
			)
			.onConflictDoNothing({
				target: [su.activityId, su.residentId],
				where: sql`${su.cancelledAt} is null`
			})
			.returning({ id: su.id });
		const n = inserted.length;
		if (n > 0) {
			const [taken] = await tx
				.update(act)
				.set({ signups: sql`${act.signups} + ${n}` })
				.where(
					and(
						eq(act.id, row.id),
						eq(act.status, 'scheduled'),
						sql`(${act.capacity} is null or ${act.signups} + ${n} <= ${act.capacity})`
					)
				)
				.returning({ signups: act.signups });
			if (!taken) throw new Refusal({ ok: false, reason: 'full', field: 'residentIds' });
			await audit.record(tx, {
				actor,
				action: 'activity.signup',
				entity: 'activity',
				entityId: row.id,
				scopePath: row.regionPath,
				summary: { householdId: people[0].householdId, count: n }
			});
		}
		return { ok: true, signedUp: n, already: ids.length - n } as const;
	});
}

/**
 * Cancels one person's sign-up before the activity starts: the resident for their own household
 * (activity.signup), or staff who run the activity (activity.manage). 404 for an activity the
 * actor cannot read, 403 for someone else's sign-up; fails 'not_signed_up' at residentId when
 * there is no live sign-up, 'started' once it has started.
 */
export async function cancelSignup(
	actor: Actor,
	activityId: string,
	input: PersonInput,
	now: Date = new Date()
): Promise<{ ok: true } | Failure<'not_signed_up' | 'started'>> {
	const a = await activityResource(activityId);
	requirePermission(actor, 'activity.read', a ?? {}, 'read');
	if (!a) notFound();
	if (!canAnywhere(actor, 'activity.signup') && !can(actor, 'activity.manage', a))
		requirePermission(actor, 'activity.manage', a, 'write');
	if (!isUuid(input.residentId)) return { ok: false, reason: 'not_signed_up', field: 'residentId' };
	return db().transaction(async (tx) => {
		const [row] = await tx.select().from(act).where(eq(act.id, a.activityId)).for('update');
		const [live] = await tx
			.select({ id: su.id, householdId: su.householdId })
			.from(su)
			.where(
				and(eq(su.activityId, row.id), eq(su.residentId, input.residentId), isNull(su.cancelledAt))
			);
		if (!live) return { ok: false, reason: 'not_signed_up', field: 'residentId' } as const;
		if (!can(actor, 'activity.manage', row))
			requirePermission(
				actor,
				'activity.signup',
				{
					householdId: live.householdId,
					settlementId: row.settlementId,
					regionPath: row.regionPath
				},
				'write'
			);
		if (now >= row.startsAt) return { ok: false, reason: 'started', field: 'residentId' } as const;
		await tx.update(su).set({ cancelledAt: now }).where(eq(su.id, live.id));
		await tx
			.update(act)
			.set({ signups: sql`${act.signups} - 1` })
			.where(eq(act.id, row.id));
		await audit.record(tx, {
			actor,
			action: 'activity.signup.cancel',
			entity: 'activity',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: { householdId: live.householdId }
		});
		return { ok: true } as const;
	});
}

// ---------------------------------------------------------------------------------------------
// check-ins

export interface ParticipantMatch {
	residentId: string;
	householdId: string;
	name: string;
	gender: string;
	birthYear: string;
	/** the ID number masked (3607**********123X): enough to tell two namesakes apart */
	idNumberMasked: string;
	building: string;
	unitNo: string;
	room: string;
	signedUp: boolean;
	checkedIn: boolean;
}

/**
 * The settlement's active residents of active households matching a name or a building and
 * room ('张', '3栋 502', '3-502': every word must match the name, building, unit or room), for
 * staff who check people in (activity.checkin). At most 20; ID numbers masked. 404 for an
 * activity the actor cannot read, 403 for one they cannot check in at.
 */
export async function searchParticipants(
	actor: Actor,
	activityId: string,
	q: string
): Promise<ParticipantMatch[]> {
	const a = await activityResource(activityId);
	requirePermission(actor, 'activity.read', a ?? {}, 'read');
	if (!a) notFound();
	requirePermission(actor, 'activity.checkin', a, 'write');
	const words = q
		.toWellFormed()
		.replaceAll('\u0000', '')
		.split(/[\s\-－—–/#号]+/)
		.map((w) => w.trim())
		.filter(Boolean)
		.slice(0, 4);
	if (words.length === 0) return [];
	const matches = words.map((w) => {
		const like = '%' + escapeLike(w.slice(0, 30)) + '%';
		return or(
			sql`${person.name} ilike ${like}`,
			sql`${hh.building} ilike ${like}`,
			sql`${hh.unitNo} ilike ${like}`,
			sql`${hh.room} ilike ${like}`,
			sql`${unitOf} ilike ${like}`
		)!;
	});
	// exact words first: '1栋 101' is 1栋's room 101 before 11栋's room 1101
	const digits = (col: AnyPgColumn) => sql`regexp_replace(${col}, '[^0-9]', '', 'g')`;
	const score = sql.join(
		words.map(
			(w) =>
				sql`(case when ${person.name} = ${w} or ${hh.building} = ${w} or ${hh.unitNo} = ${w} or ${hh.room} = ${w} or ${unitOf} = ${w} or ${digits(hh.building)} = ${w} or ${digits(hh.unitNo)} = ${w} then 2 when ${person.name} like ${escapeLike(w) + '%'} then 1 else 0 end)`
		),
		sql` + `
	);
	const rows = await db()
		.select({
			residentId: person.id,
			householdId: hh.id,
			name: person.name,
			gender: person.gender,
			birthDate: person.birthDate,
			idNumber: person.idNumber,
			building: hh.building,
			unitNo: hh.unitNo,
			room: hh.room,
			signedUp: sql<boolean>`exists (select 1 from ${su} where ${su.activityId} = ${a.activityId} and ${su.residentId} = ${person.id} and ${su.cancelledAt} is null)`,
			checkedIn: sql<boolean>`exists (select 1 from ${ci} where ${ci.activityId} = ${a.activityId} and ${ci.residentId} = ${person.id})`
		})
		.from(person)
		.innerJoin(hh, eq(hh.id, person.householdId))
		.where(
			and(
				eq(hh.settlementId, a.settlementId),
				eq(hh.status, 'active'),
				eq(person.status, 'active'),
				...matches
			)
		)
		.orderBy(desc(score), hh.building, hh.unitNo, hh.room, person.name)
		.limit(20);
	return rows.map(({ idNumber, birthDate, ...r }) => ({
		...r,
		birthYear: String(birthDate ?? '').slice(0, 4),
		idNumberMasked: maskIdNumber(idNumber),
		signedUp: !!r.signedUp,
		checkedIn: !!r.checkedIn
	}));
}

type CheckInFailure = 'already' | 'cancelled' | 'not_in_settlement' | 'not_open' | 'closed';

/**
 * Staff (activity.checkin over the settlement) check a person in — signed up or walked in —
 * once per person per activity: the activity's participants and the month's tally count them in
 * the same transaction, and when the activity has a points item the household earns its points
 * once (null when not, or when the item is no longer on the adopted list). 404 for an activity
 * the actor cannot read, 403 for one they cannot check in at (county staff, another point's
 * worker); fails 'already', 'cancelled', 'not_in_settlement' at residentId for someone who is not
 * an active resident of the settlement, 'not_open' before the day it starts, 'closed' a month
 * after it ended.
 */
export async function checkIn(
	actor: Actor,
	activityId: string,
	input: PersonInput,
	now: Date = new Date()
): Promise<{ ok: true; points: number | null } | Failure<CheckInFailure>> {
	requireAnywhere(actor, 'activity.checkin', 'write');
	return db().transaction(async (tx) => {
		// one check-in at a time per activity: a double tap counts once
		const row = await activityToChange(actor, activityId, 'activity.checkin', tx);
		if (row.status === 'cancelled') return { ok: false, reason: 'cancelled' } as const;
		const window = checkinWindow(row, now);
		if (window !== 'open') return { ok: false, reason: window } as const;
		const [p] = isUuid(input.residentId)
			? await tx
					.select({ id: person.id, householdId: hh.id, name: person.name })
					.from(person)
					.innerJoin(hh, eq(hh.id, person.householdId))
					.where(
						and(
							eq(person.id, input.residentId),
							eq(person.status, 'active'),
							eq(hh.status, 'active'),
							eq(hh.settlementId, row.settlementId)
						)
					)
			: [];
		if (!p) return { ok: false, reason: 'not_in_settlement', field: 'residentId' } as const;
		const [entry] = await tx
			.insert(ci)
			.values({
				activityId: row.id,
				residentId: p.id,
				householdId: p.householdId,
				checkedInBy: actor.id,
				createdAt: now
			})
			.onConflictDoNothing({ target: [ci.activityId, ci.residentId] })
			.returning({ id: ci.id });
		if (!entry) return { ok: false, reason: 'already', field: 'residentId' } as const;
		await tx
			.update(act)
			.set({ participants: sql`${act.participants} + 1` })
			.where(eq(act.id, row.id));
		await bumpTally(
			tx,
			{
				settlementId: row.settlementId,
				regionPath: row.regionPath,
				month: activityMonth(row.startsAt),
				kind: row.kind
			},
			{ participants: 1 }
		);
		let points: number | null = null;
		if (row.pointsItemCode) {
			const award = await awardForActivity(tx, {
				activityId: row.id,
				householdId: p.householdId,
				residentId: p.id,
				settlementId: row.settlementId,
				regionPath: row.regionPath,
				itemCode: row.pointsItemCode,
				actor
			});
			if (award) {
				points = award.delta;
				await tx.update(ci).set({ pointsEntryId: award.entryId }).where(eq(ci.id, entry.id));
				await notifications.notify(tx, {
					userIds: (await householdUserIds(tx, p.householdId)).filter((id) => id !== actor.id),
					kind: 'activity.points',
					title: `参加活动积分 +${award.delta}`,
					body: `${p.name} 参加「${row.title}」`,
					link: '/points'
				});
			}
		}
		await audit.record(tx, {
			actor,
			action: 'activity.checkin',
			entity: 'activity',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: { householdId: p.householdId, checkinId: entry.id, points }
		});
		return { ok: true, points } as const;
	});
}

// ---------------------------------------------------------------------------------------------
// reading

export interface ActivityRow {
	id: string;
	settlementId: string;
	settlementName: string;
	kind: ActivityKind;
	title: string;
	place: string;
	startsAt: Date;
	endsAt: Date;
	capacity: number | null;
	signups: number;
	participants: number;
	status: ActivityStatus;
	/** members of the actor's household signed up */
	mine: number;
}

/**
 * The activities the actor may read (a resident their settlement's, staff their scope's):
 * upcoming (not yet ended, soonest first) or past (latest first), by kind, month (of the start)
 * and settlement, keyset-paged 50 a page.
 */
export async function listActivities(
	actor: Actor,
	filter: Partial<ActivityFilter> = {},
	now: Date = new Date()
): Promise<{ rows: ActivityRow[]; next: string | null }> {
	requireAnywhere(actor, 'activity.read');
	const past = filter.when === 'past';
	const where: SQL[] = [
		scopeFilter(actor, 'activity.read', {
			settlementId: act.settlementId,
			regionPath: act.regionPath
		}),
		past ? lt(act.endsAt, now) : gte(act.endsAt, now)
	];
	if (filter.kind) where.push(eq(act.kind, filter.kind));
	if (filter.settlement && isUuid(filter.settlement))
		where.push(eq(act.settlementId, filter.settlement));
	if (filter.month && /^\d{4}-\d{2}$/.test(filter.month))
		where.push(
			gte(act.startsAt, monthStart(filter.month)),
			lt(act.startsAt, monthStart(nextMonth(filter.month)))
		);
	const cut = filter.after?.lastIndexOf('|') ?? -1;
	if (filter.after && cut > 0) {
		const at = new Date(filter.after.slice(0, cut));
		const id = filter.after.slice(cut + 1);
		if (isUuid(id) && !Number.isNaN(at.getTime()))
			where.push(
				past
					? sql`(${act.startsAt}, ${act.id}) < (${at.toISOString()}::timestamptz, ${id}::uuid)`
					: sql`(${act.startsAt}, ${act.id}) > (${at.toISOString()}::timestamptz, ${id}::uuid)`
			);
	}
	const mine = actor.householdId
		? sql<number>`(select count(*)::int from ${su} where ${su.activityId} = ${act.id} and ${su.householdId} = ${actor.householdId} and ${su.cancelledAt} is null)`
		: sql<number>`0`;
	const rows = await db()
		.select({
			id: act.id,
			settlementId: act.settlementId,
			settlementName: st.name,
			kind: act.kind,
			title: act.title,
			place: act.place,
			startsAt: act.startsAt,
			endsAt: act.endsAt,
			capacity: act.capacity,
			signups: act.signups,
			participants: act.participants,
			status: act.status,
			mine
		})
		.from(act)
		.innerJoin(st, eq(st.id, act.settlementId))
		.where(and(...where))
		.orderBy(...(past ? [desc(act.startsAt), desc(act.id)] : [asc(act.startsAt), asc(act.id)]))
		.limit(pageSize + 1);
	const page = rows.slice(0, pageSize).map((r) => ({ ...r, mine: Number(r.mine) }));
	const last = page[page.length - 1];
	return {
		rows: page,
		next: rows.length > pageSize ? `${last.startsAt.toISOString()}|${last.id}` : null
	};
}

/**
 * One activity: 404 unless the actor may read it (a resident of its settlement, staff of its
 * scope). `can` says what the actor may do to it now.
 */
export async function getActivity(actor: Actor, activityId: string, now: Date = new Date()) {
	const organizer = schema.user;
	const o = schema.organization;
	const [row] = isUuid(activityId)
		? await db()
				.select({
					activity: act,
					settlementName: st.name,
					organizerName: organizer.displayName,
					organizationName: o.name
				})
				.from(act)
				.innerJoin(st, eq(st.id, act.settlementId))
				.leftJoin(organizer, eq(organizer.id, act.organizerId))
				.leftJoin(o, eq(o.id, act.organizationId))
				.where(eq(act.id, activityId))
		: [];
	requirePermission(actor, 'activity.read', row?.activity ?? {}, 'read');
	if (!row) notFound();
	const a = row.activity;
	const item = a.pointsItemCode
		? ((await adoptedPointItems(a.settlementId)).find((i) => i.code === a.pointsItemCode) ?? null)
		: null;
	const window = checkinWindow(a, now);
	const scheduled = a.status === 'scheduled';
	return {
		id: a.id,
		settlementId: a.settlementId,
		settlementName: row.settlementName,
		regionPath: a.regionPath,
		kind: a.kind,
		title: a.title,
		description: a.description,
		place: a.place,
		startsAt: a.startsAt,
		endsAt: a.endsAt,
		organizerName: row.organizerName,
		organizationId: a.organizationId,
		organizationName: row.organizationName,
		capacity: a.capacity,
		signups: a.signups,
		participants: a.participants,
		left: a.capacity === null ? null : Math.max(a.capacity - a.signups, 0),
		pointsItemCode: a.pointsItemCode,
		pointsItem: item && { code: item.code, label: item.label, points: item.points },
		status: a.status,
		cancelReason: a.cancelReason,
		createdAt: a.createdAt,
		phase: activityPhase(a, now),
		checkinWindow: window,
		can: {
			manage: scheduled && can(actor, 'activity.manage', a),
			cancel: scheduled && a.participants === 0 && can(actor, 'activity.manage', a),
			checkin: scheduled && window === 'open' && can(actor, 'activity.checkin', a),
			signup:
				signupOpen(a, now) &&
				!!actor.householdId &&
				can(actor, 'activity.signup', {
					householdId: actor.householdId,
					settlementId: a.settlementId,
					regionPath: a.regionPath
				}),
			cancelSignup: scheduled && now < a.startsAt,
			// the names of who signed up and came: staff who read the settlement's register
			seePeople: can(actor, 'household.read', a)
		}
	};
}
export type ActivityDetail = Awaited<ReturnType<typeof getActivity>>;

/**
 * The members of the actor's own household, for the sign-up form: whether each is signed up
 * and checked in. 404 for an activity the actor cannot read; empty for someone with no household.
 */
export async function householdSignups(actor: Actor, activityId: string) {
	const a = await activityResource(activityId);
	requirePermission(actor, 'activity.read', a ?? {}, 'read');
	if (!a) notFound();
	if (!actor.householdId) return [];
	const rows = await db()
		.select({
			residentId: person.id,
			name: person.name,
			isHead: person.isHead,
			householdSettlementId: hh.settlementId,
			signedUp: sql<boolean>`exists (select 1 from ${su} where ${su.activityId} = ${a.activityId} and ${su.residentId} = ${person.id} and ${su.cancelledAt} is null)`,
			checkedIn: sql<boolean>`exists (select 1 from ${ci} where ${ci.activityId} = ${a.activityId} and ${ci.residentId} = ${person.id})`
		})
		.from(person)
		.innerJoin(hh, eq(hh.id, person.householdId))
		.where(
			and(
				eq(person.householdId, actor.householdId),
				eq(person.status, 'active'),
				eq(hh.status, 'active')
			)
		)
		.orderBy(desc(person.isHead), person.name)
		.limit(50);
	return rows
		.filter((r) => r.householdSettlementId === a.settlementId)
		.map(({ householdSettlementId: _s, ...r }) => ({
			...r,
			signedUp: !!r.signedUp,
			checkedIn: !!r.checkedIn
		}));
}

/** The activity for a staff list of its people: 404 unless the actor reads its register. */
async function peopleOf(actor: Actor, activityId: string) {
	const a = await activityResource(activityId);
	requirePermission(actor, 'activity.read', a ?? {}, 'read');
	if (!a) notFound();
	requirePermission(actor, 'household.read', a, 'read');
	return a;
}

/**
 * Who signed up (live sign-ups), with their unit and whether they came, in sign-up order: for
 * staff who read the settlement's register. 404 for anyone else. At most 500.
 */
export async function listSignups(actor: Actor, activityId: string) {
	const a = await peopleOf(actor, activityId);
	const rows = await db()
		.select({
			residentId: su.residentId,
			householdId: su.householdId,
			name: person.name,
			building: hh.building,
			unitNo: hh.unitNo,
			room: hh.room,
			signedUpAt: su.createdAt,
			checkedIn: sql<boolean>`exists (select 1 from ${ci} where ${ci.activityId} = ${su.activityId} and ${ci.residentId} = ${su.residentId})`
		})
		.from(su)
		.innerJoin(person, eq(person.id, su.residentId))
		.innerJoin(hh, eq(hh.id, su.householdId))
		.where(and(eq(su.activityId, a.activityId), isNull(su.cancelledAt)))
		.orderBy(su.createdAt, su.id)
		.limit(500);
	return rows.map((r) => ({ ...r, checkedIn: !!r.checkedIn }));
}

/**
 * Who came (the check-ins), latest first, with the points each earned: for staff who read the
 * settlement's register; a resident sees only their own household's. At most 500.
 */
export async function listParticipants(actor: Actor, activityId: string) {
	const a = await activityResource(activityId);
	requirePermission(actor, 'activity.read', a ?? {}, 'read');
	if (!a) notFound();
	const staff = can(actor, 'household.read', a);
	if (!staff && !actor.householdId) return [];
	const who = schema.user;
	const e = schema.pointsEntry;
	const rows = await db()
		.select({
			residentId: ci.residentId,
			householdId: ci.householdId,
			name: person.name,
			building: hh.building,
			unitNo: hh.unitNo,
			room: hh.room,
			at: ci.createdAt,
			checkedInByName: who.displayName,
			points: e.delta
		})
		.from(ci)
		.innerJoin(person, eq(person.id, ci.residentId))
		.innerJoin(hh, eq(hh.id, ci.householdId))
		.innerJoin(who, eq(who.id, ci.checkedInBy))
		.leftJoin(e, eq(e.id, ci.pointsEntryId))
		.where(
			and(
				eq(ci.activityId, a.activityId),
				staff ? undefined : eq(ci.householdId, actor.householdId!)
			)
		)
		.orderBy(desc(ci.createdAt), desc(ci.id))
		.limit(500);
	return rows;
}

// ---------------------------------------------------------------------------------------------
// roll-ups (from the tally, never from the activities themselves)

export interface RollupRow {
	settlementId: string;
	settlementName: string;
	regionPath: string;
	kind: ActivityKind;
	month: string;
	activities: number;
	participants: number;
}

/** The tally rows the actor may read for a year (and one settlement), as an SQL condition. */
function tallyWhere(actor: Actor, q: { year: number; settlementId?: string | null }): SQL {
	const year = Number.isInteger(q.year) && q.year >= 2000 && q.year <= 2100 ? q.year : 0;
	return and(
		scopeFilter(actor, 'activity.read', {
			settlementId: tally.settlementId,
			regionPath: tally.regionPath
		}),
		gte(tally.month, `${year}-01`),
		lt(tally.month, `${year + 1}-01`),
		or(gt(tally.activities, 0), gt(tally.participants, 0)),
		q.settlementId
			? eq(tally.settlementId, isUuid(q.settlementId) ? q.settlementId : sql`null`)
			: undefined
	)!;
}

/**
 * Activities and participants per settlement, kind and month of a year, for the settlements the
 * actor reads (a resident's own; staff their scope), from the tally. At most 10,000 rows (a
 * county's 50 points × 6 kinds × 12 months is 3,600).
 */
export async function activityRollup(
	actor: Actor,
	q: { year: number; settlementId?: string | null }
): Promise<RollupRow[]> {
	requireAnywhere(actor, 'activity.read');
	return db()
		.select({
			settlementId: tally.settlementId,
			settlementName: st.name,
			regionPath: tally.regionPath,
			kind: tally.kind,
			month: tally.month,
			activities: tally.activities,
			participants: tally.participants
		})
		.from(tally)
		.innerJoin(st, eq(st.id, tally.settlementId))
		.where(tallyWhere(actor, q))
		.orderBy(tally.month, st.name, tally.kind)
		.limit(10_000);
}

/**
 * The year's totals for the list page, summed in the database: by kind and month, and by
 * settlement (the county's view), each with activities and participants.
 */
export async function activityTotals(
	actor: Actor,
	q: { year: number; settlementId?: string | null }
) {
	requireAnywhere(actor, 'activity.read');
	const where = tallyWhere(actor, q);
	const activities = sql<number>`sum(${tally.activities})::int`;
	const participants = sql<number>`sum(${tally.participants})::int`;
	const [byKindMonth, bySettlement] = await Promise.all([
		db()
			.select({ kind: tally.kind, month: tally.month, activities, participants })
			.from(tally)
			.where(where)
			.groupBy(tally.kind, tally.month)
			.orderBy(tally.month, tally.kind),
		db()
			.select({
				settlementId: tally.settlementId,
				settlementName: st.name,
				activities,
				participants
			})
			.from(tally)
			.innerJoin(st, eq(st.id, tally.settlementId))
			.where(where)
			.groupBy(tally.settlementId, st.name)
			.orderBy(st.name)
			.limit(1000)
	]);
	const num = <T extends { activities: number; participants: number }>(r: T) => ({
		...r,
		activities: Number(r.activities),
		participants: Number(r.participants)
	});
	return { byKindMonth: byKindMonth.map(num), bySettlement: bySettlement.map(num) };
}
