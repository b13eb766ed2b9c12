// 积分制: a settlement's households earn and lose points under the items of its adopted points
// list (清单), on an append-only ledger (a correction is a reversing entry), and appeal an entry.
import { and, desc, eq, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { AppealStatus, PointsSource } from '$lib/governance/vocab';
import { shanghaiDay } from '$lib/working-days';
import { can, requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { householdUserIds, settlementStaffIds, storable } from '../services/shared';
import { householdResource, isUuid, notFound, settlementResource } from '../settlements/shared';
import { adoptedPointItems, postPoints } from './shared';

const e = schema.pointsEntry;
const acc = schema.pointsAccount;
const ap = schema.pointsAppeal;
const hh = schema.household;
const rv = schema.ruleVersion;
const member = schema.resident;
const reversal = alias(schema.pointsEntry, 'reversal');

/** Entries and appeals a page shows at once. */
const pageSize = 50;

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

/** A household's unit as people say it: 3栋2单元502. */
const unitOf = sql<string>`(${hh.building} || ${hh.unitNo} || ${hh.room})`;

// ---------------------------------------------------------------------------------------------
// settlements and the points list

/** The settlements whose points the actor keeps or reads as staff (for the pages' picker). */
export async function listPointsSettlements(actor: Actor) {
	requireAnywhere(actor, 'points.read');
	const s = schema.settlement;
	return db()
		.select({ id: s.id, name: s.name })
		.from(s)
		.where(scopeFilter(actor, 'points.read', { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(s.name)
		.limit(1000);
}

/** A settlement for a staff page of its points: 404 unless the actor reads its points as staff. */
export async function pointsSettlement(actor: Actor, settlementId: string) {
	const s = await settlementResource(settlementId);
	requirePermission(actor, 'points.read', s ?? {}, 'read');
	if (!s) notFound();
	return {
		...s,
		can: {
			award: can(actor, 'points.award', s),
			decide: can(actor, 'points.appeal.decide', s),
			manageShop: can(actor, 'shop.manage', s),
			redeem: can(actor, 'shop.redeem', s),
			manageRules: can(actor, 'rule.manage', s)
		}
	};
}

export interface ListedPointItem {
	code: string;
	label: string;
	points: number;
	ruleVersionId: string;
	ruleId: string;
	ruleTitle: string;
	versionNo: number;
}

/**
 * The settlement's points list (积分清单): the items of its adopted rule versions, awards
 * first, each with the rule and version that lists it. Its residents and staff read it; 404
 * for anyone else.
 */
export async function pointsList(actor: Actor, settlementId: string): Promise<ListedPointItem[]> {
	const s = await settlementResource(settlementId);
	const readable = !!s && (can(actor, 'rule.read', s) || can(actor, 'points.read', s));
	if (!readable) notFound();
	const items = await adoptedPointItems(s.settlementId);
	if (items.length === 0) return [];
	const versions = await db()
		.select({
			id: rv.id,
			ruleId: rv.ruleId,
			versionNo: rv.versionNo,
			title: schema.rule.title
		})
		.from(rv)
		.innerJoin(schema.rule, eq(schema.rule.id, rv.ruleId))
		.where(inArray(rv.id, [...new Set(items.map((i) => i.ruleVersionId))]));
	const byId = new Map(versions.map((v) => [v.id, v]));
	return items
		.map((i) => {
			const v = byId.get(i.ruleVersionId);
			return {
				code: i.code,
				label: i.label,
				points: i.points,
				ruleVersionId: i.ruleVersionId,
				ruleId: v?.ruleId ?? '',
				ruleTitle: v?.title ?? '',
				versionNo: v?.versionNo ?? 0
			};
		})
		.sort((a, b) => Number(b.points > 0) - Number(a.points > 0));
}

// ---------------------------------------------------------------------------------------------
// awards and deductions

export interface AwardInput {
	householdId: string;
	residentId?: string | null;
	itemCode: string;
	reason: string;
	/** one per form shown: a double submit posts once */
	idempotencyKey?: string | null;
}

type AwardFailure = 'household_ended' | 'item' | 'no_member';

/**
 * Staff (points.award over the household's settlement) award or deduct points under an item of
 * the settlement's adopted points list: the delta is the item's points, its sign says which.
 * 404 for a household the actor cannot see, 403 for one they may not award; fails 'item' at
 * itemCode for a code not on the adopted list, 'no_member' at residentId for someone not an
 * active member of the household, 'household_ended' for a household that moved out. The same
 * idempotency key from the same person posts once.
 */
export async function awardPoints(
	actor: Actor,
	input: AwardInput
): Promise<
	| { ok: true; entryId: string; delta: number; balance: number; duplicate: boolean }
	| Failure<AwardFailure>
> {
	input = storable(input);
	const h = await householdResource(input.householdId);
	requirePermission(actor, 'points.read', h ?? {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'points.award', h, 'write');
	if (h.status !== 'active') return { ok: false, reason: 'household_ended', field: 'householdId' };
	return db().transaction(async (tx) => {
		const item = (await adoptedPointItems(h.settlementId, tx)).find(
			(i) => i.code === input.itemCode
		);
		if (!item || !Number.isSafeInteger(item.points) || item.points === 0)
			return { ok: false, reason: 'item', field: 'itemCode' } as const;
		let residentName: string | null = null;
		if (input.residentId) {
			const [m] = isUuid(input.residentId)
				? await tx
						.select({ name: member.name })
						.from(member)
						.where(
							and(
								eq(member.id, input.residentId),
								eq(member.householdId, h.householdId),
								eq(member.status, 'active')
							)
						)
				: [];
			if (!m) return { ok: false, reason: 'no_member', field: 'residentId' } as const;
			residentName = m.name;
		}
		const ref = input.idempotencyKey ? `form:${actor.id}:${input.idempotencyKey}` : null;
		const posted = await postPoints(tx, {
			householdId: h.householdId,
			settlementId: h.settlementId,
			regionPath: h.regionPath,
			residentId: input.residentId || null,
			delta: item.points,
			source: item.points > 0 ? 'award' : 'deduct',
			reason: input.reason,
			itemCode: item.code,
			ruleVersionId: item.ruleVersionId,
			ref,
			actor
		});
		if (!posted) {
			// sent before: answer with what the first send posted
			const [first] = await tx.select({ id: e.id, delta: e.delta }).from(e).where(eq(e.ref, ref!));
			return {
				ok: true,
				entryId: first.id,
				delta: first.delta,
				balance: await balanceOf(tx, h.householdId),
				duplicate: true
			} as const;
		}
		await audit.record(tx, {
			actor,
			action: item.points > 0 ? 'points.award' : 'points.deduct',
			entity: 'points_entry',
			entityId: posted.entryId,
			scopePath: h.regionPath,
			summary: {
				householdId: h.householdId,
				itemCode: item.code,
				delta: item.points,
				ruleVersionId: item.ruleVersionId,
				member: !!residentName
			}
		});
		await notifications.notify(tx, {
			userIds: (await householdUserIds(tx, h.householdId)).filter((id) => id !== actor.id),
			kind: 'points.entry',
			title: `积分${signed(item.points)}：${item.label}`,
			body: `${residentName ? residentName + '，' : ''}${input.reason}`,
			link: `/points/entries/${posted.entryId}`
		});
		return {
			ok: true,
			entryId: posted.entryId,
			delta: item.points,
			balance: posted.balance,
			duplicate: false
		} as const;
	});
}

/** +5 / −10, as the pages and notifications write points. */
export function signed(n: number): string {
	return n > 0 ? `+${n}` : `${n}`;
}

async function balanceOf(executor: Executor, householdId: string): Promise<number> {
	const [row] = await executor
		.select({ balance: acc.balance })
		.from(acc)
		.where(eq(acc.householdId, householdId));
	return row?.balance ?? 0;
}

/**
 * For the activities capability's check-in: posts the item's points to the person's household
 * once per person and activity (ref 'activity:<activityId>:<residentId>'), inside the caller's
 * transaction. Returns null when it was posted before or the item is not on the settlement's
 * adopted points list. No permission check: the caller checked its own.
 */
export async function awardForActivity(
	tx: Executor,
	input: {
		activityId: string;
		householdId: string;
		residentId: string;
		settlementId: string;
		regionPath: string;
		itemCode: string;
		actor: Pick<Actor, 'id' | 'displayName'> | null;
	}
): Promise<{ entryId: string; balance: number; delta: number } | null> {
	const item = (await adoptedPointItems(input.settlementId, tx)).find(
		(i) => i.code === input.itemCode
	);
	if (!item || !Number.isSafeInteger(item.points) || item.points === 0) return null;
	const posted = await postPoints(tx, {
		householdId: input.householdId,
		settlementId: input.settlementId,
		regionPath: input.regionPath,
		residentId: input.residentId,
		delta: item.points,
		source: 'activity',
		reason: item.label,
		itemCode: item.code,
		ruleVersionId: item.ruleVersionId,
		ref: `activity:${input.activityId}:${input.residentId}`,
		actor: input.actor
	});
	if (!posted) return null;
	await audit.record(tx, {
		actor: input.actor,
		action: 'points.activity',
		entity: 'points_entry',
		entityId: posted.entryId,
		scopePath: input.regionPath,
		summary: {
			householdId: input.householdId,
			activityId: input.activityId,
			itemCode: item.code,
			delta: item.points
		}
	});
	return { ...posted, delta: item.points };
}

// ---------------------------------------------------------------------------------------------
// one entry, and its reversal

/** An entry as a resource for `can()`, with what the commands check; null when there is none. */
async function entryResource(entryId: string, executor: Executor = db()) {
	if (!isUuid(entryId)) return null;
	const [row] = await executor
		.select({
			entryId: e.id,
			householdId: e.householdId,
			settlementId: e.settlementId,
			regionPath: e.regionPath,
			residentId: e.residentId,
			delta: e.delta,
			source: e.source,
			itemCode: e.itemCode,
			ruleVersionId: e.ruleVersionId,
			reversesId: e.reversesId
		})
		.from(e)
		.where(eq(e.id, entryId));
	return row ?? null;
}
type EntryResource = NonNullable<Awaited<ReturnType<typeof entryResource>>>;

type ReversalFailure = 'is_reversal' | 'redemption' | 'already_reversed';

/**
 * Posts the reversing entry of a locked entry in `tx`: −delta, pointing at it. Fails
 * 'is_reversal' for a reversal, 'redemption' for a redemption (the goods went out with it),
 * 'already_reversed' when it was reversed before.
 */
async function postReversal(
	tx: Executor,
	actor: Actor,
	entry: EntryResource,
	reason: string
): Promise<{ ok: true; entryId: string; balance: number } | Failure<ReversalFailure>> {
	if (entry.reversesId) return { ok: false, reason: 'is_reversal', field: 'reason' };
	if (entry.source === 'redeem') return { ok: false, reason: 'redemption', field: 'reason' };
	const [before] = await tx.select({ id: e.id }).from(e).where(eq(e.reversesId, entry.entryId));
	if (before) return { ok: false, reason: 'already_reversed', field: 'reason' };
	const posted = await postPoints(tx, {
		householdId: entry.householdId,
		settlementId: entry.settlementId,
		regionPath: entry.regionPath,
		residentId: entry.residentId,
		delta: -entry.delta,
		source: 'reversal',
		reason,
		itemCode: entry.itemCode,
		ruleVersionId: entry.ruleVersionId,
		reversesId: entry.entryId,
		actor
	});
	// the entry is locked and had no reversal: the post cannot be refused
	return { ok: true, entryId: posted!.entryId, balance: posted!.balance };
}

/** Locks an entry for its reversal (a row lock is no UPDATE: the append-only trigger allows it). */
async function lockEntry(tx: Executor, entryId: string) {
	await tx.select({ id: e.id }).from(e).where(eq(e.id, entryId)).for('update');
}

/**
 * Corrects an entry with a reversing entry of the opposite sign, once (concurrent reversals
 * make one), with a reason; an open appeal against it is then upheld by the reversal. 404 for
 * an entry the actor cannot see, 403 unless they award points there; fails as postReversal.
 */
export async function reverseEntry(
	actor: Actor,
	entryId: string,
	input: { reason: string }
): Promise<{ ok: true; entryId: string; balance: number } | Failure<ReversalFailure>> {
	input = storable(input);
	const entry = await entryResource(entryId);
	requirePermission(actor, 'points.read', entry ?? {}, 'read');
	if (!entry) notFound();
	requirePermission(actor, 'points.award', entry, 'write');
	return refusable(async (tx) => {
		await lockEntry(tx, entry.entryId);
		const result = await postReversal(tx, actor, entry, input.reason);
		if (!result.ok) return result;
		const settled = await tx
			.update(ap)
			.set({
				status: 'upheld',
				decisionNote: input.reason,
				decidedBy: actor.id,
				decidedAt: new Date(),
				reversalEntryId: result.entryId
			})
			.where(and(eq(ap.entryId, entry.entryId), eq(ap.status, 'open')))
			.returning({ id: ap.id });
		await audit.record(tx, {
			actor,
			action: 'points.reverse',
			entity: 'points_entry',
			entityId: result.entryId,
			scopePath: entry.regionPath,
			summary: {
				householdId: entry.householdId,
				reverses: entry.entryId,
				delta: -entry.delta,
				appealUpheld: settled[0]?.id ?? null
			}
		});
		await notifications.notify(tx, {
			userIds: (await householdUserIds(tx, entry.householdId)).filter((id) => id !== actor.id),
			kind: 'points.reversal',
			title: `积分冲正 ${signed(-entry.delta)}`,
			body: input.reason,
			link: `/points/entries/${entry.entryId}`
		});
		return result;
	});
}

// ---------------------------------------------------------------------------------------------
// reading the ledger

export interface EntryRow {
	id: string;
	no: number;
	householdId: string;
	headName: string;
	unit: string;
	residentName: string | null;
	delta: number;
	source: PointsSource;
	itemCode: string | null;
	itemLabel: string | null;
	reason: string;
	reversesId: string | null;
	reversedById: string | null;
	openAppeal: boolean;
	createdByName: string;
	createdAt: Date;
}

/** The columns of a ledger row (the item's label as the version that listed it words it). */
const entryColumns = {
	id: e.id,
	no: e.no,
	householdId: e.householdId,
	headName: hh.headName,
	unit: unitOf,
	residentName: member.name,
	delta: e.delta,
	source: e.source,
	itemCode: e.itemCode,
	itemLabel: sql<
		string | null
	>`(select i->>'label' from jsonb_array_elements(${rv.pointItems}) i where i->>'code' = ${e.itemCode} limit 1)`,
	reason: e.reason,
	reversesId: e.reversesId,
	reversedById: reversal.id,
	openAppeal: sql<boolean>`exists (select 1 from points_appeal pa where pa.entry_id = ${e.id} and pa.status = 'open')`,
	createdByName: e.createdByName,
	createdAt: e.createdAt
};

/** A page of ledger rows, newest first, keyset by the entry number. */
async function entryPage(where: SQL[], before?: number | null, limit = pageSize) {
	if (before && Number.isSafeInteger(before)) where.push(lt(e.no, before));
	const rows = await db()
		.select(entryColumns)
		.from(e)
		.innerJoin(hh, eq(hh.id, e.householdId))
		.leftJoin(member, eq(member.id, e.residentId))
		.leftJoin(rv, eq(rv.id, e.ruleVersionId))
		.leftJoin(reversal, eq(reversal.reversesId, e.id))
		.where(and(...where))
		.orderBy(desc(e.no))
		.limit(limit + 1);
	const page: EntryRow[] = rows.slice(0, limit).map((r) => ({ ...r, no: Number(r.no) }));
	return { rows: page, next: rows.length > limit ? page[page.length - 1].no : null };
}

/**
 * A household's points: balance, earned, spent and its ledger entries, newest first and
 * keyset-paged. Its residents and the staff over it read it; 404 for anyone else.
 */
export async function householdPoints(
	actor: Actor,
	householdId: string,
	q: { before?: number | null; limit?: number } = {}
) {
	const h = await householdResource(householdId);
	requirePermission(actor, 'points.read', h ?? {}, 'read');
	if (!h) notFound();
	const [account] = await db().select().from(acc).where(eq(acc.householdId, h.householdId));
	const [info] = await db()
		.select({ unit: unitOf, settlementName: schema.settlement.name })
		.from(hh)
		.innerJoin(schema.settlement, eq(schema.settlement.id, hh.settlementId))
		.where(eq(hh.id, h.householdId));
	const page = await entryPage([eq(e.householdId, h.householdId)], q.before, q.limit);
	return {
		household: {
			id: h.householdId,
			headName: h.headName,
			unit: info.unit,
			settlementId: h.settlementId,
			settlementName: info.settlementName,
			active: h.status === 'active'
		},
		balance: account?.balance ?? 0,
		earned: account?.earned ?? 0,
		spent: account?.spent ?? 0,
		entries: page.rows,
		next: page.next,
		can: {
			award: can(actor, 'points.award', h),
			// at the counter: staff over the settlement, not the household itself
			redeemAtCounter: can(actor, 'shop.redeem', {
				settlementId: h.settlementId,
				regionPath: h.regionPath
			})
		}
	};
}

/**
 * The household's active members, by name, for the award form's choice of who did the deed:
 * for staff who may award there (404/403 otherwise).
 */
export async function householdForAward(actor: Actor, householdId: string) {
	const h = await householdResource(householdId);
	requirePermission(actor, 'points.read', h ?? {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'points.award', h, 'read');
	const [info] = await db()
		.select({ unit: unitOf, settlementName: schema.settlement.name })
		.from(hh)
		.innerJoin(schema.settlement, eq(schema.settlement.id, hh.settlementId))
		.where(eq(hh.id, h.householdId));
	const members = await db()
		.select({ id: member.id, name: member.name, relation: member.relation })
		.from(member)
		.where(and(eq(member.householdId, h.householdId), eq(member.status, 'active')))
		.orderBy(desc(member.isHead), member.birthDate, member.id);
	return {
		id: h.householdId,
		headName: h.headName,
		unit: info.unit,
		settlementId: h.settlementId,
		settlementName: info.settlementName,
		active: h.status === 'active',
		members,
		balance: await balanceOf(db(), h.householdId)
	};
}

/**
 * The settlement's ledger, newest first, keyset by entry number (`before`), optionally one
 * household's; only what the actor may read (a resident: their own household's rows).
 */
export async function listLedger(
	actor: Actor,
	q: { settlementId: string; householdId?: string | null; before?: number | null }
) {
	const s = await settlementResource(q.settlementId);
	const householdId = q.householdId && isUuid(q.householdId) ? q.householdId : null;
	requirePermission(actor, 'points.read', s ? { ...s, householdId } : {}, 'read');
	if (!s) notFound();
	const where: SQL[] = [
		eq(e.settlementId, s.settlementId),
		scopeFilter(actor, 'points.read', {
			settlementId: e.settlementId,
			regionPath: e.regionPath,
			householdId: e.householdId
		})
	];
	if (householdId) where.push(eq(e.householdId, householdId));
	return entryPage(where, q.before);
}

/**
 * One entry with its household, its reversal or what it reverses, and its appeals. 404 unless
 * the actor reads the household's points; `can` says what they may do with it.
 */
export async function getEntry(actor: Actor, entryId: string) {
	const entry = await entryResource(entryId);
	requirePermission(actor, 'points.read', entry ?? {}, 'read');
	if (!entry) notFound();
	const { rows } = await entryPage([eq(e.id, entry.entryId)], null, 1);
	const row = rows[0];
	const appeals = await db()
		.select({
			id: ap.id,
			reason: ap.reason,
			status: ap.status,
			decisionNote: ap.decisionNote,
			decidedAt: ap.decidedAt,
			createdAt: ap.createdAt
		})
		.from(ap)
		.where(eq(ap.entryId, entry.entryId))
		.orderBy(desc(ap.createdAt));
	const appealable = !row.reversesId && !row.reversedById && row.source !== 'redeem';
	return {
		...row,
		settlementId: entry.settlementId,
		appeals,
		can: {
			reverse: appealable && can(actor, 'points.award', entry),
			appeal: appealable && !row.openAppeal && can(actor, 'points.appeal', entry),
			decide: can(actor, 'points.appeal.decide', entry)
		}
	};
}

// ---------------------------------------------------------------------------------------------
// appeals

type AppealFailure = 'not_appealable' | 'already_reversed' | 'open_exists';

/**
 * A household appeals one of its entries (points.appeal: its own residents), with a reason; one
 * open appeal per entry. 404 for an entry the actor cannot see (another household's), 403 for
 * staff; fails 'not_appealable' for a redemption or a reversal, 'already_reversed', and
 * 'open_exists' while an appeal is open (also when two are sent at once).
 */
export async function fileAppeal(
	actor: Actor,
	entryId: string,
	input: { reason: string }
): Promise<{ ok: true; appealId: string } | Failure<AppealFailure>> {
	input = storable(input);
	const entry = await entryResource(entryId);
	requirePermission(actor, 'points.read', entry ?? {}, 'read');
	if (!entry) notFound();
	requirePermission(actor, 'points.appeal', entry, 'write');
	if (entry.reversesId || entry.source === 'redeem')
		return { ok: false, reason: 'not_appealable', field: 'reason' };
	return db().transaction(async (tx) => {
		const [reversed] = await tx.select({ id: e.id }).from(e).where(eq(e.reversesId, entry.entryId));
		if (reversed) return { ok: false, reason: 'already_reversed', field: 'reason' } as const;
		const [row] = await tx
			.insert(ap)
			.values({
				entryId: entry.entryId,
				householdId: entry.householdId,
				settlementId: entry.settlementId,
				regionPath: entry.regionPath,
				reason: input.reason,
				filedBy: actor.id
			})
			.onConflictDoNothing({ target: ap.entryId, where: sql`${ap.status} = 'open'` })
			.returning({ id: ap.id });
		if (!row) return { ok: false, reason: 'open_exists', field: 'reason' } as const;
		await audit.record(tx, {
			actor,
			action: 'points.appeal',
			entity: 'points_appeal',
			entityId: row.id,
			scopePath: entry.regionPath,
			summary: { householdId: entry.householdId, entryId: entry.entryId, delta: entry.delta }
		});
		await notifications.notify(tx, {
			userIds: await settlementStaffIds(tx, entry.settlementId, ['point_admin', 'point_chief']),
			kind: 'points.appeal',
			title: `积分申诉待处理（${signed(entry.delta)}）`,
			link: `/points/appeals/${row.id}`
		});
		return { ok: true, appealId: row.id } as const;
	});
}

/** An appeal as a resource for `can()`; null when there is none. */
async function appealResource(appealId: string, executor: Executor = db()) {
	if (!isUuid(appealId)) return null;
	const [row] = await executor
		.select({
			appealId: ap.id,
			entryId: ap.entryId,
			householdId: ap.householdId,
			settlementId: ap.settlementId,
			regionPath: ap.regionPath,
			status: ap.status
		})
		.from(ap)
		.where(eq(ap.id, appealId));
	return row ?? null;
}

/**
 * The point's staff (points.appeal.decide) decide an open appeal: upheld posts the entry's
 * reversal (or takes the one already posted), rejected keeps the entry; either with a note the
 * household reads. 404 for an appeal the actor cannot see, 403 unless they decide there; fails
 * 'decided' when it is no longer open (two decisions at once: one wins).
 */
export async function decideAppeal(
	actor: Actor,
	appealId: string,
	input: { uphold: boolean; note: string }
): Promise<
	{ ok: true; status: AppealStatus; reversalEntryId: string | null } | Failure<'decided'>
> {
	input = storable(input);
	const appeal = await appealResource(appealId);
	requirePermission(actor, 'points.read', appeal ?? {}, 'read');
	if (!appeal) notFound();
	requirePermission(actor, 'points.appeal.decide', appeal, 'write');
	const status: AppealStatus = input.uphold ? 'upheld' : 'rejected';
	return refusable(async (tx) => {
		const [decided] = await tx
			.update(ap)
			.set({
				status,
				decisionNote: input.note,
				decidedBy: actor.id,
				decidedAt: new Date()
			})
			.where(and(eq(ap.id, appeal.appealId), eq(ap.status, 'open')))
			.returning({ id: ap.id });
		if (!decided) return { ok: false, reason: 'decided', field: 'decision' } as const;
		let reversalEntryId: string | null = null;
		let delta = 0;
		if (input.uphold) {
			await lockEntry(tx, appeal.entryId);
			const entry = (await entryResource(appeal.entryId, tx))!;
			delta = -entry.delta;
			const posted = await postReversal(
				tx,
				actor,
				entry,
				`申诉成立${input.note ? '：' + input.note : ''}`
			);
			if (posted.ok) reversalEntryId = posted.entryId;
			else if (posted.reason === 'already_reversed') {
				const [r] = await tx.select({ id: e.id }).from(e).where(eq(e.reversesId, entry.entryId));
				reversalEntryId = r.id;
				delta = 0;
			} else throw new Refusal({ ok: false, reason: 'decided', field: 'decision' });
			await tx.update(ap).set({ reversalEntryId }).where(eq(ap.id, appeal.appealId));
		}
		await audit.record(tx, {
			actor,
			action: `points.appeal.${status}`,
			entity: 'points_appeal',
			entityId: appeal.appealId,
			scopePath: appeal.regionPath,
			summary: { householdId: appeal.householdId, entryId: appeal.entryId, reversalEntryId }
		});
		await notifications.notify(tx, {
			userIds: (await householdUserIds(tx, appeal.householdId)).filter((id) => id !== actor.id),
			kind: 'points.appeal.decided',
			title: input.uphold
				? `积分申诉成立${delta ? `，已冲正 ${signed(delta)}` : ''}`
				: '积分申诉未成立，维持原记录',
			body: input.note,
			link: `/points/entries/${appeal.entryId}`
		});
		return { ok: true, status, reversalEntryId } as const;
	});
}

export interface AppealRow {
	id: string;
	entryId: string;
	householdId: string;
	headName: string;
	unit: string;
	settlementId: string;
	reason: string;
	status: AppealStatus;
	decisionNote: string | null;
	decidedAt: Date | null;
	createdAt: Date;
	delta: number;
	source: PointsSource;
	entryReason: string;
	itemLabel: string | null;
	entryAt: Date;
}

const appealColumns = {
	id: ap.id,
	entryId: ap.entryId,
	householdId: ap.householdId,
	headName: hh.headName,
	unit: unitOf,
	settlementId: ap.settlementId,
	reason: ap.reason,
	status: ap.status,
	decisionNote: ap.decisionNote,
	decidedAt: ap.decidedAt,
	createdAt: ap.createdAt,
	delta: e.delta,
	source: e.source,
	entryReason: e.reason,
	itemLabel: sql<
		string | null
	>`(select i->>'label' from jsonb_array_elements(${rv.pointItems}) i where i->>'code' = ${e.itemCode} limit 1)`,
	entryAt: e.createdAt
};

/**
 * Appeals the actor may read (staff: their scope; a resident: their household's), optionally
 * of one settlement, one status or one household, newest first, keyset-paged by 'time|id'.
 */
export async function listAppeals(
	actor: Actor,
	filter: {
		settlementId?: string | null;
		status?: AppealStatus | '' | null;
		householdId?: string | null;
		after?: string | null;
	} = {}
): Promise<{ rows: AppealRow[]; next: string | null }> {
	requireAnywhere(actor, 'points.read');
	const where: SQL[] = [
		scopeFilter(actor, 'points.read', {
			settlementId: ap.settlementId,
			regionPath: ap.regionPath,
			householdId: ap.householdId
		})
	];
	if (filter.settlementId && isUuid(filter.settlementId))
		where.push(eq(ap.settlementId, filter.settlementId));
	if (filter.householdId && isUuid(filter.householdId))
		where.push(eq(ap.householdId, filter.householdId));
	if (filter.status) where.push(eq(ap.status, filter.status));
	const cursor = parseCursor(filter.after);
	if (cursor)
		where.push(sql`(${ap.createdAt}, ${ap.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
	const rows = await db()
		.select({
			...appealColumns,
			key: sql<string>`to_char(${ap.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
		})
		.from(ap)
		.innerJoin(e, eq(e.id, ap.entryId))
		.innerJoin(hh, eq(hh.id, ap.householdId))
		.leftJoin(rv, eq(rv.id, e.ruleVersionId))
		.where(and(...where))
		.orderBy(desc(ap.createdAt), desc(ap.id))
		.limit(pageSize + 1);
	const page = rows.slice(0, pageSize);
	const last = page[page.length - 1];
	return {
		rows: page.map(({ key: _key, ...r }) => r),
		next: rows.length > pageSize && last ? `${last.key}|${last.id}` : null
	};
}

const cursorPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)\|([0-9a-f-]{36})$/i;

/** A keyset cursor 'ISO time|id', or null when it is not one (a hand-edited address). */
export function parseCursor(value: string | null | undefined): { at: string; id: string } | null {
	const match = value ? cursorPattern.exec(value) : null;
	if (!match || !isUuid(match[2]) || Number.isNaN(Date.parse(match[1]))) return null;
	return { at: match[1], id: match[2] };
}

/** One appeal with its entry, for the decision page: 404 unless the actor reads it. */
export async function getAppeal(actor: Actor, appealId: string) {
	const appeal = await appealResource(appealId);
	requirePermission(actor, 'points.read', appeal ?? {}, 'read');
	if (!appeal) notFound();
	const [row] = await db()
		.select({
			...appealColumns,
			reversalEntryId: ap.reversalEntryId,
			decidedByName: schema.user.displayName
		})
		.from(ap)
		.innerJoin(e, eq(e.id, ap.entryId))
		.innerJoin(hh, eq(hh.id, ap.householdId))
		.leftJoin(rv, eq(rv.id, e.ruleVersionId))
		.leftJoin(schema.user, eq(schema.user.id, ap.decidedBy))
		.where(eq(ap.id, appeal.appealId));
	return {
		...row,
		can: { decide: row.status === 'open' && can(actor, 'points.appeal.decide', appeal) }
	};
}

/** How many appeals wait in the actor's scope (for a badge), optionally in one settlement. */
export async function countOpenAppeals(actor: Actor, settlementId?: string | null) {
	requireAnywhere(actor, 'points.read');
	const where: SQL[] = [
		eq(ap.status, 'open'),
		scopeFilter(actor, 'points.read', {
			settlementId: ap.settlementId,
			regionPath: ap.regionPath,
			householdId: ap.householdId
		})
	];
	if (settlementId && isUuid(settlementId)) where.push(eq(ap.settlementId, settlementId));
	const [row] = await db()
		.select({ n: sql<number>`count(*)::int` })
		.from(ap)
		.where(and(...where));
	return row?.n ?? 0;
}

// ---------------------------------------------------------------------------------------------
// ranking

/** The first instant of a Shanghai year (UTC+8, no daylight saving). */
function shanghaiYearStart(year: number): Date {
	return new Date(Date.UTC(year, 0, 1) - 8 * 3600_000);
}

/** The current Shanghai year. */
export function currentYear(now: Date = new Date()): number {
	return Number(shanghaiDay(now).slice(0, 4));
}

/**
 * The settlement's households ranked by the points they earned in a (Shanghai) year: awards,
 * activities and deductions with their reversals, not what they spent in the shop. Ties share
 * a rank. Staff only (household heads' names are shown); 404 for anyone else.
 */
export async function ranking(actor: Actor, q: { settlementId: string; year: number }) {
	const s = await settlementResource(q.settlementId);
	requirePermission(actor, 'points.read', s ?? {}, 'read');
	if (!s) notFound();
	const year =
		Number.isSafeInteger(q.year) && q.year >= 2000 && q.year <= 2100 ? q.year : currentYear();
	const points = sql<number>`sum(${e.delta})::int`;
	const rows = await db()
		.select({ householdId: e.householdId, headName: hh.headName, unit: unitOf, points })
		.from(e)
		.innerJoin(hh, eq(hh.id, e.householdId))
		.where(
			and(
				eq(e.settlementId, s.settlementId),
				ne(e.source, 'redeem'),
				sql`${e.createdAt} >= ${shanghaiYearStart(year).toISOString()}::timestamptz`,
				sql`${e.createdAt} < ${shanghaiYearStart(year + 1).toISOString()}::timestamptz`
			)
		)
		.groupBy(e.householdId, hh.headName, hh.building, hh.unitNo, hh.room)
		.having(sql`sum(${e.delta}) <> 0`)
		.orderBy(desc(points), hh.headName, e.householdId)
		.limit(100);
	let rank = 0;
	return {
		year,
		rows: rows.map((r, i) => {
			if (i === 0 || rows[i - 1].points !== r.points) rank = i + 1;
			return { ...r, rank };
		})
	};
}

// ---------------------------------------------------------------------------------------------
// a resident's own

/** The actor's own household's points summary and latest entries (for /me); null without one. */
export async function myPoints(actor: Actor, limit = 3) {
	if (!actor.householdId || !can(actor, 'points.read', { householdId: actor.householdId }))
		return null;
	const p = await householdPoints(actor, actor.householdId, { limit });
	return { householdId: p.household.id, balance: p.balance, entries: p.entries };
}
