// The pledges part of the charity capability: an organisation pledges (认捐) to a published
// need — never beyond what it asks, once per idempotency key — delivers, and the household or
// staff confirm; the need closes when delivered in full. Money delivered comes out of the
// organisation's project fund as a ledger disbursement.
import { and, desc, eq, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { HelpKind, NeedStatus, PledgeStatus } from '$lib/charity/vocab';
import { shanghaiDay } from '$lib/working-days';
import {
	can,
	canAnywhere,
	requireAnywhere,
	requirePermission,
	scopeFilter,
	type Actor,
	type Permission
} from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { isUuid, notFound } from '../settlements/shared';
import { postTransaction } from './ledger';
import { needNumber, needResource, publicNeedStatuses, storableText } from './needs';

const p = schema.pledge;
const n = schema.need;
const o = schema.organization;

/** A refusal found inside a transaction: thrown to roll it back, caught and returned. */
class Refusal<F extends string> extends Error {
	constructor(readonly failure: Failure<F> & Record<string, unknown>) {
		super(failure.reason);
	}
}

/** Runs `work` in one transaction; a Refusal thrown in it rolls everything back and is returned. */
async function refusable<T, F extends string>(
	work: (tx: Executor) => Promise<T>
): Promise<T | (Failure<F> & Record<string, unknown>)> {
	try {
		return await db().transaction(work);
	} catch (e) {
		if (e instanceof Refusal) return e.failure as Failure<F> & Record<string, unknown>;
		throw e;
	}
}

/**
 * The organisation an actor acts for with `permission`: the one asked for, or the first of
 * their organisation grants that carries it; null when they act for none.
 */
function actingOrganizationId(
	actor: Actor,
	permission: Permission,
	organizationId?: string | null
): string | null {
	const ids = actor.grants.flatMap((g) => (g.scope === 'organization' ? [g.organizationId] : []));
	const allowed = ids.filter((id) => can(actor, permission, { organizationId: id }));
	if (organizationId) return allowed.includes(organizationId) ? organizationId : null;
	return allowed[0] ?? null;
}

/**
 * The organisation the actor pledges for, with whether it is verified (an unverified one may
 * look but not pledge); null when the actor acts for no organisation.
 */
export async function getPledgingOrganization(actor: Actor | null | undefined) {
	if (!actor) return null;
	const id = actingOrganizationId(actor, 'pledge.create');
	if (!id) return null;
	const [row] = await db()
		.select({ id: o.id, name: o.name, verifiedAt: o.verifiedAt, rejectedAt: o.rejectedAt })
		.from(o)
		.where(eq(o.id, id));
	if (!row) return null;
	return { id: row.id, name: row.name, verified: !!row.verifiedAt && !row.rejectedAt };
}

/** A pledge as a resource: its organisation's scope and its need's. */
async function pledgeResource(pledgeId: string, executor: Executor = db()) {
	if (!isUuid(pledgeId)) return null;
	const [row] = await executor
		.select({
			pledgeId: p.id,
			needId: p.needId,
			organizationId: p.organizationId,
			organizationRegionPath: o.regionPath,
			status: p.status,
			quantity: p.quantity,
			householdId: n.householdId,
			settlementId: n.settlementId,
			regionPath: n.regionPath,
			needNo: n.no
		})
		.from(p)
		.innerJoin(o, eq(o.id, p.organizationId))
		.innerJoin(n, eq(n.id, p.needId))
		.where(eq(p.id, pledgeId));
	if (!row) return null;
	return {
		...row,
		organization: { organizationId: row.organizationId, regionPath: row.organizationRegionPath },
		need: {
			householdId: row.householdId,
			settlementId: row.settlementId,
			regionPath: row.regionPath
		}
	};
}

/**
 * The pledge for a read: its own organisation's members, and those who may read its need (the
 * household, staff of the scope). Anyone else — another organisation — gets 404.
 */
async function readablePledge(actor: Actor, pledgeId: string) {
	const r = await pledgeResource(pledgeId);
	const visible =
		!!r &&
		(can(actor, 'pledge.create', r.organization) ||
			can(actor, 'pledge.deliver', r.organization) ||
			can(actor, 'need.read', r.need));
	if (!r || !visible) notFound();
	return r;
}

export interface PledgeInput {
	needId: string;
	/** in the need's unit: fen, pieces or hours */
	quantity: number;
	/** one per form shown: the same key from the same organisation makes one pledge */
	idempotencyKey: string;
	/** the offer the pledge draws on, if any: its allocation grows within its capacity */
	offerId?: string | null;
	/** for a member of several organisations; the first they pledge for otherwise */
	organizationId?: string | null;
}

type PledgeFailure =
	| Failure<'no_organization' | 'unverified' | 'closed' | 'quantity' | 'offer' | 'offer_full'>
	| (Failure<'exceeds'> & { remaining: number });

/**
 * 认捐: an organisation's member pledges (pledge.create over the organisation) part or all of a
 * published need. One conditional UPDATE adds it to the need only while the total stays within
 * what is asked, so concurrent pledges can never over-fund it; the need is 'funded' when full.
 * The same idempotency key from the same organisation makes one pledge, counted once. Fails
 * 'unverified' for an organisation civil affairs has not verified, 'exceeds' (with what is
 * left) beyond the need, 'closed' once it is no longer open, 'offer'/'offer_full' for an offer
 * that is not the organisation's live one of the same kind or has no room.
 */
export async function pledgeToNeed(
	actor: Actor,
	input: PledgeInput,
	now: Date = new Date()
): Promise<{ ok: true; id: string; duplicate: boolean; needStatus: NeedStatus } | PledgeFailure> {
	requireAnywhere(actor, 'pledge.create', 'write');
	const organizationId = actingOrganizationId(actor, 'pledge.create', input.organizationId);
	if (!organizationId) return { ok: false, reason: 'no_organization' };
	const [org] = await db()
		.select({ verifiedAt: o.verifiedAt, rejectedAt: o.rejectedAt, regionPath: o.regionPath })
		.from(o)
		.where(eq(o.id, organizationId));
	if (!org?.verifiedAt || org.rejectedAt) return { ok: false, reason: 'unverified' };
	const need = await needResource(input.needId);
	// an organisation sees public needs only: anything else does not exist for it
	if (!need || !(publicNeedStatuses as readonly string[]).includes(need.status)) notFound();
	if (need.status !== 'published') return { ok: false, reason: 'closed', field: 'quantity' };
	const q = input.quantity;
	if (!Number.isSafeInteger(q) || q <= 0 || q > need.quantity)
		return q > need.quantity
			? { ok: false, reason: 'exceeds', field: 'quantity', remaining: need.quantity - need.pledged }
			: { ok: false, reason: 'quantity', field: 'quantity' };
	const offerId = input.offerId || null;
	if (offerId && !isUuid(offerId)) return { ok: false, reason: 'offer', field: 'offerId' };
	const today = shanghaiDay(now);

	return refusable<{ ok: true; id: string; duplicate: boolean; needStatus: NeedStatus }, string>(
		async (tx) => {
			// the pledge first: a second send of the key inserts nothing and so adds nothing
			const [row] = await tx
				.insert(p)
				.values({
					needId: need.needId,
					organizationId,
					offerId,
					quantity: q,
					idempotencyKey: input.idempotencyKey,
					createdBy: actor.id,
					createdAt: now
				})
				.onConflictDoNothing({ target: [p.organizationId, p.idempotencyKey] })
				.returning({ id: p.id });
			if (!row) {
				const [first] = await tx
					.select({ id: p.id, needStatus: n.status })
					.from(p)
					.innerJoin(n, eq(n.id, p.needId))
					.where(
						and(eq(p.organizationId, organizationId), eq(p.idempotencyKey, input.idempotencyKey))
					);
				return { ok: true, id: first.id, duplicate: true, needStatus: first.needStatus };
			}
			const [bumped] = await tx
				.update(n)
				.set({
					pledged: sql`${n.pledged} + ${q}`,
					status: sql`case when ${n.pledged} + ${q} = ${n.quantity} then 'funded' else ${n.status} end`,
					updatedAt: now
				})
				.where(
					and(
						eq(n.id, need.needId),
						eq(n.status, 'published'),
						sql`${n.pledged} + ${q} <= ${n.quantity}`
					)
				)
				.returning({ status: n.status, pledged: n.pledged });
			if (!bumped) {
				const [now_] = await tx
					.select({ status: n.status, pledged: n.pledged, quantity: n.quantity })
					.from(n)
					.where(eq(n.id, need.needId));
				throw new Refusal(
					now_.status !== 'published'
						? { ok: false, reason: 'closed', field: 'quantity' }
						: {
								ok: false,
								reason: 'exceeds',
								field: 'quantity',
								remaining: now_.quantity - now_.pledged
							}
				);
			}
			if (offerId) {
				const of = schema.offer;
				const [offer] = await tx
					.select({ id: of.id })
					.from(of)
					.where(
						and(
							eq(of.id, offerId),
							eq(of.organizationId, organizationId),
							eq(of.kind, need.kind),
							sql`${of.closedAt} is null`,
							lte(of.validFrom, today),
							gte(of.validTo, today)
						)
					);
				if (!offer) throw new Refusal({ ok: false, reason: 'offer', field: 'offerId' });
				const [room] = await tx
					.update(of)
					.set({ allocated: sql`${of.allocated} + ${q}` })
					.where(and(eq(of.id, offerId), sql`${of.allocated} + ${q} <= ${of.capacity}`))
					.returning({ id: of.id });
				if (!room) throw new Refusal({ ok: false, reason: 'offer_full', field: 'offerId' });
			}
			await audit.record(tx, {
				actor,
				action: 'pledge.create',
				entity: 'pledge',
				entityId: row.id,
				scopePath: need.regionPath,
				summary: {
					need: needNumber(need.no),
					organizationId,
					quantity: q,
					offerId,
					needStatus: bumped.status
				}
			});
			return { ok: true, id: row.id, duplicate: false, needStatus: bumped.status };
		}
	) as Promise<
		{ ok: true; id: string; duplicate: boolean; needStatus: NeedStatus } | PledgeFailure
	>;
}

/**
 * Withdraws a pledge before it is delivered (pledge.create over its organisation): the need gets
 * the quantity back (and is open again if it was full), and so does the offer it drew on.
 * Fails 'not_pledged' once delivered or already cancelled.
 */
export async function cancelPledge(
	actor: Actor,
	pledgeId: string,
	input: { reason?: string } = {},
	now: Date = new Date()
): Promise<{ ok: true } | Failure<'not_pledged'>> {
	const r = await readablePledge(actor, pledgeId);
	requirePermission(actor, 'pledge.create', r.organization, 'write');
	return db().transaction(async (tx) => {
		const [row] = await tx
			.update(p)
			.set({ status: 'cancelled' })
			.where(and(eq(p.id, r.pledgeId), eq(p.status, 'pledged')))
			.returning({ quantity: p.quantity, offerId: p.offerId });
		if (!row) return { ok: false, reason: 'not_pledged' } as const;
		await tx
			.update(n)
			.set({
				pledged: sql`${n.pledged} - ${row.quantity}`,
				status: sql`case when ${n.status} = 'funded' then 'published' else ${n.status} end`,
				updatedAt: now
			})
			.where(eq(n.id, r.needId));
		if (row.offerId)
			await tx
				.update(schema.offer)
				.set({ allocated: sql`greatest(${schema.offer.allocated} - ${row.quantity}, 0)` })
				.where(eq(schema.offer.id, row.offerId));
		await audit.record(tx, {
			actor,
			action: 'pledge.cancel',
			entity: 'pledge',
			entityId: r.pledgeId,
			scopePath: r.regionPath,
			summary: {
				need: needNumber(r.needNo),
				quantity: row.quantity,
				reason: storableText(input.reason ?? '') || null
			}
		});
		return { ok: true } as const;
	});
}

/**
 * The organisation records that it delivered a pledge (pledge.deliver). Money comes out of the
 * organisation's live project fund as a disbursement linked to the need — failing
 * 'insufficient' (nothing written) when the fund does not cover it; an organisation without a
 * fund just records the delivery. The household is asked to confirm. Fails 'not_pledged' when
 * the pledge was delivered or cancelled already.
 */
export async function recordDelivery(
	actor: Actor,
	pledgeId: string,
	input: { note?: string } = {},
	now: Date = new Date()
): Promise<{ ok: true; transactionId: string | null } | Failure<'not_pledged' | 'insufficient'>> {
	const r = await readablePledge(actor, pledgeId);
	requirePermission(actor, 'pledge.deliver', r.organization, 'write');
	const today = shanghaiDay(now);
	return refusable<{ ok: true; transactionId: string | null }, 'not_pledged' | 'insufficient'>(
		async (tx) => {
			// the pledge's row first: two clicks on 已交付 deliver (and disburse) once
			const [row] = await tx
				.select({ status: p.status, quantity: p.quantity })
				.from(p)
				.where(eq(p.id, r.pledgeId))
				.for('update');
			if (row.status !== 'pledged') throw new Refusal({ ok: false, reason: 'not_pledged' });
			const [need] = await tx
				.select({ kind: n.kind, no: n.no, title: n.title, householdId: n.householdId })
				.from(n)
				.where(eq(n.id, r.needId));
			let transactionId: string | null = null;
			if (need.kind === 'money') {
				const f = schema.fund;
				const [fund] = await tx
					.select({ id: f.id })
					.from(f)
					.where(
						and(
							eq(f.organizationId, r.organizationId),
							eq(f.kind, 'project'),
							lte(f.startsOn, today),
							or(sql`${f.endsOn} is null`, gte(f.endsOn, today))
						)
					)
					.orderBy(f.createdAt, f.id)
					.limit(1);
				if (fund) {
					const posted = await postTransaction(tx, {
						fundId: fund.id,
						kind: 'disbursement',
						amount: row.quantity,
						// public words: the need's number and its anonymised title, never a name
						memo: `认捐需求 ${needNumber(need.no)}：${need.title}`,
						needId: r.needId,
						occurredOn: today,
						idempotencyKey: `pledge-${r.pledgeId}`,
						createdBy: actor.id
					});
					if (!posted.ok) throw new Refusal({ ok: false, reason: 'insufficient', field: 'note' });
					transactionId = posted.id;
				}
			}
			await tx
				.update(p)
				.set({
					status: 'delivered',
					deliveredAt: now,
					deliveredBy: actor.id,
					deliveryNote: storableText(input.note ?? '') || null,
					transactionId
				})
				.where(eq(p.id, r.pledgeId));
			await audit.record(tx, {
				actor,
				action: 'pledge.deliver',
				entity: 'pledge',
				entityId: r.pledgeId,
				scopePath: r.regionPath,
				summary: { need: needNumber(need.no), quantity: row.quantity, transactionId }
			});
			const household = await tx
				.select({ id: schema.user.id })
				.from(schema.user)
				.where(
					and(eq(schema.user.householdId, need.householdId), sql`${schema.user.disabledAt} is null`)
				);
			await notifications.notify(tx, {
				userIds: household.map((u) => u.id),
				kind: 'pledge.delivered',
				title: `需求 ${needNumber(need.no)} 的帮扶已送达，请确认`,
				body: need.title,
				link: `/charity/needs/${r.needId}`
			});
			return { ok: true, transactionId };
		}
	) as Promise<
		{ ok: true; transactionId: string | null } | Failure<'not_pledged' | 'insufficient'>
	>;
}

/**
 * The household (or window staff of its settlement) confirms a delivered pledge
 * (pledge.confirm): it counts as delivered on the need, which closes as 'delivered' when all it
 * asked has arrived. Fails 'not_delivered' before delivery or after confirmation.
 */
export async function confirmDelivery(
	actor: Actor,
	pledgeId: string,
	now: Date = new Date()
): Promise<{ ok: true; needStatus: NeedStatus } | Failure<'not_delivered'>> {
	const r = await readablePledge(actor, pledgeId);
	requirePermission(actor, 'pledge.confirm', r.need, 'write');
	return db().transaction(async (tx) => {
		const [row] = await tx
			.update(p)
			.set({ status: 'confirmed', confirmedAt: now, confirmedBy: actor.id })
			.where(and(eq(p.id, r.pledgeId), eq(p.status, 'delivered')))
			.returning({ quantity: p.quantity });
		if (!row) return { ok: false, reason: 'not_delivered' } as const;
		const [need] = await tx
			.update(n)
			.set({
				delivered: sql`${n.delivered} + ${row.quantity}`,
				status: sql`case when ${n.delivered} + ${row.quantity} >= ${n.quantity} then 'delivered' else ${n.status} end`,
				updatedAt: now
			})
			.where(eq(n.id, r.needId))
			.returning({ status: n.status, delivered: n.delivered });
		await audit.record(tx, {
			actor,
			action: 'pledge.confirm',
			entity: 'pledge',
			entityId: r.pledgeId,
			scopePath: r.regionPath,
			summary: { need: needNumber(r.needNo), quantity: row.quantity, needStatus: need.status }
		});
		return { ok: true, needStatus: need.status } as const;
	});
}

export interface PledgeFilter {
	needId?: string;
	status?: PledgeStatus;
	/** keyset cursor: 'ISO time|id' of the last row of the previous page */
	before?: string;
}

const cursorPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)\|([0-9a-f-]{36})$/i;

/**
 * A page of pledges, newest first: an organisation's members see only their organisation's;
 * staff and households see those to the needs they may read.
 */
export async function listPledges(actor: Actor, f: PledgeFilter = {}) {
	if (
		!canAnywhere(actor, 'pledge.create') &&
		!canAnywhere(actor, 'pledge.deliver') &&
		!canAnywhere(actor, 'need.read')
	)
		notFound();
	const where: (SQL | undefined)[] = [
		or(
			scopeFilter(actor, 'pledge.create', { organizationId: p.organizationId }),
			scopeFilter(actor, 'pledge.deliver', { organizationId: p.organizationId }),
			scopeFilter(actor, 'need.read', {
				settlementId: n.settlementId,
				regionPath: n.regionPath,
				householdId: n.householdId
			})
		)
	];
	if (f.needId) {
		if (!isUuid(f.needId)) return { rows: [], next: null };
		where.push(eq(p.needId, f.needId));
	}
	if (f.status) where.push(eq(p.status, f.status));
	const cursor = f.before ? cursorPattern.exec(f.before) : null;
	if (cursor && isUuid(cursor[2]))
		where.push(
			or(
				lt(p.createdAt, new Date(cursor[1])),
				and(eq(p.createdAt, new Date(cursor[1])), lt(p.id, cursor[2]))
			)
		);
	const limit = 50;
	const rows = await db()
		.select({
			id: p.id,
			needId: p.needId,
			needNo: n.no,
			needTitle: n.title,
			needStatus: n.status,
			kind: n.kind,
			unit: n.unit,
			organizationId: p.organizationId,
			organizationName: o.name,
			quantity: p.quantity,
			status: p.status,
			createdAt: p.createdAt,
			deliveredAt: p.deliveredAt,
			deliveryNote: p.deliveryNote,
			confirmedAt: p.confirmedAt,
			transactionId: p.transactionId
		})
		.from(p)
		.innerJoin(n, eq(n.id, p.needId))
		.innerJoin(o, eq(o.id, p.organizationId))
		.where(and(...where))
		.orderBy(desc(p.createdAt), desc(p.id))
		.limit(limit + 1);
	const page = rows.slice(0, limit).map((row) => ({
		...row,
		needNumber: needNumber(row.needNo),
		can: {
			cancel:
				row.status === 'pledged' &&
				can(actor, 'pledge.create', { organizationId: row.organizationId }),
			deliver:
				row.status === 'pledged' &&
				can(actor, 'pledge.deliver', { organizationId: row.organizationId })
		}
	}));
	const last = page[page.length - 1];
	return {
		rows: page,
		next: rows.length > limit && last ? `${last.createdAt.toISOString()}|${last.id}` : null
	};
}
export type PledgeRow = Awaited<ReturnType<typeof listPledges>>['rows'][number];

/** One pledge, for its organisation and for those who may read its need; 404 for anyone else. */
export async function getPledge(actor: Actor, pledgeId: string) {
	const r = await readablePledge(actor, pledgeId);
	const page = await listPledges(actor, { needId: r.needId });
	const row = page.rows.find((x) => x.id === r.pledgeId);
	if (!row) notFound();
	return row;
}

/**
 * The actor's organisation's live offers a pledge to this need may draw on: same kind, valid
 * today, with room left.
 */
export async function listPledgeOffers(actor: Actor, kind: HelpKind, now: Date = new Date()) {
	const organizationId = actingOrganizationId(actor, 'pledge.create');
	if (!organizationId) return [];
	const of = schema.offer;
	const today = shanghaiDay(now);
	return db()
		.select({
			id: of.id,
			title: of.title,
			capacity: of.capacity,
			allocated: of.allocated,
			unit: of.unit
		})
		.from(of)
		.where(
			and(
				eq(of.organizationId, organizationId),
				eq(of.kind, kind),
				sql`${of.closedAt} is null`,
				lte(of.validFrom, today),
				gte(of.validTo, today),
				sql`${of.allocated} < ${of.capacity}`
			)
		)
		.orderBy(of.validTo, of.id)
		.limit(50);
}
