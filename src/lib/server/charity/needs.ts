// The needs part of the charity capability: raised by staff for a household or by a resident for
// their own, verified by staff into anonymised public words, cancelled, listed by scope; and the
// public view of published needs, which carries no household, name, unit, ID or phone.
import { and, asc, desc, eq, gt, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { findIdentifying, unitStrings, type Finding } from '$lib/charity/anonymise';
import type { NeedCategory, NeedStatus } from '$lib/charity/vocab';
import {
	parseQuantity,
	type NeedFilter,
	type PublicNeedFilter,
	type RaiseNeedInput
} from '$lib/schemas/needs';
import { shanghaiDay } from '$lib/working-days';
import { can, requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { householdResource, isUuid, notFound } from '../settlements/shared';

const n = schema.need;
const raiser = alias(schema.user, 'raiser');
const verifier = alias(schema.user, 'verifier');

/** The statuses the public sees: published, pledged in full, delivered. */
export const publicNeedStatuses = ['published', 'funded', 'delivered'] as const;
/** The statuses of a need still in hand (not closed). */
export const openNeedStatuses = ['pending', 'published', 'funded'] as const;

/** 'XQ000042': how people quote a need. */
export function needNumber(no: number): string {
	return `XQ${String(no).padStart(6, '0')}`;
}

/**
 * Text as PostgreSQL stores it: NUL (which text refuses) and lone surrogates become U+FFFD, one
 * code unit for one, so the form's length limits still hold.
 */
export function storableText(s: string): string {
	return s.toWellFormed().replaceAll('\u0000', '\uFFFD').trim();
}

/** Whole days since `since` (Shanghai calendar days), 0 on the day itself. */
function daysSince(since: Date | null, now: Date): number {
	if (!since) return 0;
	const a = Date.parse(shanghaiDay(since));
	const b = Date.parse(shanghaiDay(now));
	return Math.max(0, Math.round((b - a) / 86_400_000));
}

/** A need as a resource for `can()`, with what the commands check; null when there is none. */
export async function needResource(needId: string, executor: Executor = db()) {
	if (!isUuid(needId)) return null;
	const [row] = await executor
		.select({
			needId: n.id,
			no: n.no,
			householdId: n.householdId,
			settlementId: n.settlementId,
			regionPath: n.regionPath,
			status: n.status,
			kind: n.kind,
			category: n.category,
			quantity: n.quantity,
			unit: n.unit,
			pledged: n.pledged,
			delivered: n.delivered,
			title: n.title
		})
		.from(n)
		.where(eq(n.id, needId));
	return row ?? null;
}
export type NeedResource = NonNullable<Awaited<ReturnType<typeof needResource>>>;

/** The need for a read: 404 when there is none or the actor may not see it. */
async function readableNeed(actor: Actor, needId: string) {
	const need = await needResource(needId);
	requirePermission(actor, 'need.read', need ?? {}, 'read');
	if (!need) notFound();
	return need;
}

/** The household's names and unit: what its need's public words may not contain. */
async function identifyingContext(executor: Executor, householdId: string, healthConsent: boolean) {
	const [h] = await executor
		.select({
			headName: schema.household.headName,
			building: schema.household.building,
			unitNo: schema.household.unitNo,
			room: schema.household.room
		})
		.from(schema.household)
		.where(eq(schema.household.id, householdId));
	const members = await executor
		.select({ name: schema.resident.name })
		.from(schema.resident)
		.where(eq(schema.resident.householdId, householdId));
	return {
		names: [h.headName, ...members.map((m) => m.name)],
		units: unitStrings(h),
		healthConsent
	};
}

/**
 * Raises a need: staff for a household they serve (need.create over its settlement), or a
 * resident for their own. It waits, 'pending', for staff to verify it. The same words sent
 * again by the same person within ten minutes (a double submit) raise one need. Fails at a
 * field for no household, a household that moved out, a wrong amount or a past deadline.
 */
export async function raiseNeed(
	actor: Actor,
	input: RaiseNeedInput,
	now: Date = new Date()
): Promise<
	| { ok: true; id: string; no: number; number: string; duplicate: boolean }
	| Failure<'no_household' | 'household_ended' | 'category' | 'quantity' | 'unit' | 'deadline'>
> {
	const householdId = input.householdId || actor.householdId;
	if (!householdId) return { ok: false, reason: 'no_household', field: 'householdId' };
	const h = await householdResource(householdId);
	requirePermission(actor, 'need.read', h ?? {}, 'read');
	if (!h) notFound();
	requirePermission(actor, 'need.create', h, 'write');
	if (h.status !== 'active') return { ok: false, reason: 'household_ended', field: 'householdId' };
	const category = input.category;
	if (!category) return { ok: false, reason: 'category', field: 'category' };
	const q = parseQuantity(input.kind, input.quantity);
	if (!q.ok) return { ok: false, reason: 'quantity', field: 'quantity' };
	const unit =
		input.kind === 'goods'
			? storableText(input.unit)
			: input.kind === 'service_hours'
				? '小时'
				: '';
	if (input.kind === 'goods' && !unit) return { ok: false, reason: 'unit', field: 'unit' };
	if (input.deadline && input.deadline < shanghaiDay(now))
		return { ok: false, reason: 'deadline', field: 'deadline' };
	const title = storableText(input.title);

	return db().transaction(async (tx) => {
		// raises for one household queue up, so a double submit sees the first one
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'need:' + h.householdId}))`);
		const [same] = await tx
			.select({ id: n.id, no: n.no })
			.from(n)
			.where(
				and(
					eq(n.householdId, h.householdId),
					eq(n.raisedBy, actor.id),
					eq(n.status, 'pending'),
					eq(n.title, title),
					eq(n.kind, input.kind),
					eq(n.quantity, q.value),
					gt(n.createdAt, new Date(now.getTime() - 10 * 60_000))
				)
			)
			.limit(1);
		if (same)
			return { ok: true, id: same.id, no: same.no, number: needNumber(same.no), duplicate: true };
		const [row] = await tx
			.insert(n)
			.values({
				householdId: h.householdId,
				settlementId: h.settlementId,
				regionPath: h.regionPath,
				category,
				kind: input.kind,
				quantity: q.value,
				unit,
				title,
				publicDetail: storableText(input.publicDetail),
				detail: storableText(input.detail),
				healthConsent: input.healthConsent,
				urgency: input.urgency,
				deadline: input.deadline || null,
				raisedBy: actor.id,
				createdAt: now,
				updatedAt: now
			})
			.returning({ id: n.id, no: n.no });
		await audit.record(tx, {
			actor,
			action: 'need.raise',
			entity: 'need',
			entityId: row.id,
			scopePath: h.regionPath,
			summary: {
				number: needNumber(row.no),
				category,
				kind: input.kind,
				quantity: q.value,
				urgency: input.urgency,
				proxy: actor.householdId !== h.householdId
			}
		});
		return {
			ok: true,
			id: row.id,
			no: row.no,
			number: needNumber(row.no),
			duplicate: false
		} as const;
	});
}

export type VerifyNeedInput =
	{ publish: true; title: string; publicDetail: string } | { publish: false; reason: string };

/**
 * Staff's decision on a pending need (need.verify): publish it with public words that name no
 * one — refused at the field with what was found when the anonymiser finds a name, the unit, an
 * ID-like or phone-like number, an exact age, or health words without consent — or send it back
 * with a reason. Fails 'not_pending' when it was decided already.
 */
export async function verifyNeed(
	actor: Actor,
	needId: string,
	input: VerifyNeedInput,
	now: Date = new Date()
): Promise<
	| { ok: true; status: NeedStatus }
	| Failure<'not_pending'>
	| (Failure<'identifying'> & { field: 'title' | 'publicDetail'; found: Finding[] })
> {
	const need = await readableNeed(actor, needId);
	requirePermission(actor, 'need.verify', need, 'write');
	return db().transaction(async (tx) => {
		const [row] = await tx
			.select({
				status: n.status,
				householdId: n.householdId,
				healthConsent: n.healthConsent,
				raisedBy: n.raisedBy
			})
			.from(n)
			.where(eq(n.id, need.needId))
			.for('update');
		if (row.status !== 'pending') return { ok: false, reason: 'not_pending' } as const;
		let status: NeedStatus;
		if (input.publish) {
			const context = await identifyingContext(tx, row.householdId, row.healthConsent);
			const title = storableText(input.title);
			const publicDetail = storableText(input.publicDetail);
			for (const [field, text] of [
				['title', title],
				['publicDetail', publicDetail]
			] as const) {
				const found = findIdentifying(text, context);
				if (found.length > 0) return { ok: false, reason: 'identifying', field, found } as const;
			}
			status = 'published';
			await tx
				.update(n)
				.set({ title, publicDetail, status, verifiedAt: now, verifiedBy: actor.id, updatedAt: now })
				.where(eq(n.id, need.needId));
		} else {
			status = 'rejected';
			await tx
				.update(n)
				.set({ status, rejectReason: storableText(input.reason), updatedAt: now })
				.where(eq(n.id, need.needId));
		}
		await audit.record(tx, {
			actor,
			action: input.publish ? 'need.publish' : 'need.reject',
			entity: 'need',
			entityId: need.needId,
			scopePath: need.regionPath,
			summary: { number: needNumber(need.no), from: 'pending', to: status }
		});
		if (row.raisedBy !== actor.id)
			await notifications.notify(tx, {
				userIds: [row.raisedBy],
				kind: 'need.verified',
				title: input.publish
					? `需求 ${needNumber(need.no)} 已审核发布`
					: `需求 ${needNumber(need.no)} 未通过审核`,
				body: input.publish ? '' : storableText(input.reason),
				link: `/charity/needs/${need.needId}`
			});
		return { ok: true, status } as const;
	});
}

/**
 * Cancels a need that nobody has pledged to yet, by who raised it or may verify it; pending or
 * published only. Fails 'has_pledges' or 'closed'.
 */
export async function cancelNeed(
	actor: Actor,
	needId: string,
	input: { reason: string },
	now: Date = new Date()
): Promise<{ ok: true } | Failure<'has_pledges' | 'closed'>> {
	const need = await readableNeed(actor, needId);
	if (!can(actor, 'need.verify', need)) requirePermission(actor, 'need.create', need, 'write');
	return db().transaction(async (tx) => {
		const [row] = await tx
			.select({ status: n.status, pledged: n.pledged })
			.from(n)
			.where(eq(n.id, need.needId))
			.for('update');
		if (row.status !== 'pending' && row.status !== 'published')
			return { ok: false, reason: 'closed' } as const;
		if (row.pledged > 0) return { ok: false, reason: 'has_pledges' } as const;
		await tx
			.update(n)
			.set({
				status: 'cancelled',
				rejectReason: storableText(input.reason) || null,
				updatedAt: now
			})
			.where(eq(n.id, need.needId));
		await audit.record(tx, {
			actor,
			action: 'need.cancel',
			entity: 'need',
			entityId: need.needId,
			scopePath: need.regionPath,
			summary: { number: needNumber(need.no), from: row.status, to: 'cancelled' }
		});
		return { ok: true } as const;
	});
}

/**
 * A page of the needs the actor may see, newest first by keyset on the need number: a
 * resident's own household's, or those of a staff member's scope, with the filters.
 */
export async function listNeeds(actor: Actor, f: Partial<NeedFilter> = {}) {
	requireAnywhere(actor, 'need.read');
	const h = schema.household;
	const where: (SQL | undefined)[] = [
		scopeFilter(actor, 'need.read', {
			settlementId: n.settlementId,
			regionPath: n.regionPath,
			householdId: n.householdId
		})
	];
	if (f.status === 'open') where.push(inArray(n.status, [...openNeedStatuses]));
	else if (f.status) where.push(eq(n.status, f.status));
	if (f.category) where.push(eq(n.category, f.category));
	if (f.settlementId) where.push(eq(n.settlementId, f.settlementId));
	if (f.before) where.push(lt(n.no, f.before));
	const limit = 50;
	const rows = await db()
		.select({
			id: n.id,
			no: n.no,
			status: n.status,
			category: n.category,
			kind: n.kind,
			quantity: n.quantity,
			unit: n.unit,
			pledged: n.pledged,
			delivered: n.delivered,
			title: n.title,
			urgency: n.urgency,
			deadline: n.deadline,
			createdAt: n.createdAt,
			settlementName: schema.settlement.name,
			headName: h.headName,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room
		})
		.from(n)
		.innerJoin(h, eq(h.id, n.householdId))
		.innerJoin(schema.settlement, eq(schema.settlement.id, n.settlementId))
		.where(and(...where))
		.orderBy(desc(n.no))
		.limit(limit + 1);
	const page = rows.slice(0, limit).map(({ building, unitNo, room, ...row }) => ({
		...row,
		number: needNumber(row.no),
		householdUnit: `${building}${unitNo}${room}`
	}));
	return { rows: page, next: rows.length > limit ? page[page.length - 1].no : null };
}
export type NeedRow = Awaited<ReturnType<typeof listNeeds>>['rows'][number];

/** The settlements whose needs the actor may see (for the list's filter and the raise form). */
export async function listNeedSettlements(actor: Actor) {
	const s = schema.settlement;
	const rows = await db()
		.select({ id: s.id, name: s.name, regionPath: s.regionPath })
		.from(s)
		.where(scopeFilter(actor, 'need.read', { settlementId: s.id, regionPath: s.regionPath }))
		.orderBy(asc(s.name))
		.limit(500);
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		canRaise: can(actor, 'need.create', { settlementId: r.id, regionPath: r.regionPath })
	}));
}

/**
 * One need for those who may read it (staff of its scope, its household): the internal story,
 * the household, the pledges with their organisations, progress, what the actor may do, and
 * what the anonymiser finds in the words proposed for the public.
 */
export async function getNeed(actor: Actor, needId: string, now: Date = new Date()) {
	const need = await readableNeed(actor, needId);
	const h = schema.household;
	const [row] = await db()
		.select({
			id: n.id,
			no: n.no,
			status: n.status,
			category: n.category,
			kind: n.kind,
			quantity: n.quantity,
			unit: n.unit,
			pledged: n.pledged,
			delivered: n.delivered,
			title: n.title,
			publicDetail: n.publicDetail,
			detail: n.detail,
			healthConsent: n.healthConsent,
			urgency: n.urgency,
			deadline: n.deadline,
			rejectReason: n.rejectReason,
			createdAt: n.createdAt,
			verifiedAt: n.verifiedAt,
			householdId: n.householdId,
			headName: h.headName,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room,
			settlementId: n.settlementId,
			settlementName: schema.settlement.name,
			raisedByName: raiser.displayName,
			verifiedByName: verifier.displayName
		})
		.from(n)
		.innerJoin(h, eq(h.id, n.householdId))
		.innerJoin(schema.settlement, eq(schema.settlement.id, n.settlementId))
		.innerJoin(raiser, eq(raiser.id, n.raisedBy))
		.leftJoin(verifier, eq(verifier.id, n.verifiedBy))
		.where(eq(n.id, need.needId));
	const p = schema.pledge;
	const pledges = await db()
		.select({
			id: p.id,
			organizationName: schema.organization.name,
			quantity: p.quantity,
			status: p.status,
			createdAt: p.createdAt,
			deliveredAt: p.deliveredAt,
			deliveryNote: p.deliveryNote,
			confirmedAt: p.confirmedAt
		})
		.from(p)
		.innerJoin(schema.organization, eq(schema.organization.id, p.organizationId))
		.where(eq(p.needId, need.needId))
		.orderBy(asc(p.createdAt), asc(p.id))
		.limit(500);
	const verify = row.status === 'pending' && can(actor, 'need.verify', need);
	// the verifier sees, before deciding, what the proposed public words would be refused for
	let found: { title: Finding[]; publicDetail: Finding[] } | null = null;
	if (verify) {
		const context = await identifyingContext(db(), row.householdId, row.healthConsent);
		found = {
			title: findIdentifying(row.title, context),
			publicDetail: findIdentifying(row.publicDetail, context)
		};
	}
	const { building, unitNo, room, ...rest } = row;
	return {
		...rest,
		number: needNumber(row.no),
		householdUnit: `${building}${unitNo}${room}`,
		daysWaiting: row.status === 'published' ? daysSince(row.verifiedAt, now) : null,
		pledges,
		found,
		can: {
			verify,
			cancel:
				(row.status === 'pending' || row.status === 'published') &&
				row.pledged === 0 &&
				(can(actor, 'need.verify', need) || can(actor, 'need.create', need)),
			confirm: can(actor, 'pledge.confirm', need)
		}
	};
}
export type NeedDetail = Awaited<ReturnType<typeof getNeed>>;

// ---------------------------------------------------------------------------------------------
// The public view: published needs only, and of them only the anonymised words and figures

const countyName = sql<
	string | null
>`(select r.name from region r where r.level = 'county' and ${n.regionPath} like r.path || '%' order by length(r.path) desc limit 1)`;

const publicColumns = {
	id: n.id,
	no: n.no,
	status: n.status,
	category: n.category,
	kind: n.kind,
	quantity: n.quantity,
	unit: n.unit,
	pledged: n.pledged,
	delivered: n.delivered,
	title: n.title,
	publicDetail: n.publicDetail,
	urgency: n.urgency,
	deadline: n.deadline,
	verifiedAt: n.verifiedAt,
	settlementName: schema.settlement.name,
	countyName
};

function publicShape(
	row: {
		id: string;
		no: number;
		status: NeedStatus;
		category: NeedCategory;
		kind: (typeof schema.need.$inferSelect)['kind'];
		quantity: number;
		unit: string;
		pledged: number;
		delivered: number;
		title: string;
		publicDetail: string;
		urgency: number;
		deadline: string | null;
		verifiedAt: Date | null;
		settlementName: string;
		countyName: string | null;
	},
	now: Date
) {
	const { verifiedAt, ...rest } = row;
	return {
		...rest,
		number: needNumber(row.no),
		publishedOn: verifiedAt ? shanghaiDay(verifiedAt) : null,
		daysWaiting: daysSince(verifiedAt, now)
	};
}
export type PublicNeed = ReturnType<typeof publicShape>;

/**
 * A page of the public needs — published, funded or delivered — newest first by keyset on the
 * need number, by state, category and county. Nothing in a row names the household.
 */
export async function listPublicNeeds(q: Partial<PublicNeedFilter> = {}, now: Date = new Date()) {
	const where: (SQL | undefined)[] = [];
	const state = q.state ?? 'open';
	if (state === 'open') where.push(eq(n.status, 'published'));
	else if (state === 'all') where.push(inArray(n.status, [...publicNeedStatuses]));
	else where.push(eq(n.status, state));
	if (q.category) where.push(eq(n.category, q.category));
	if (q.county) {
		const [county] = isUuid(q.county)
			? await db()
					.select({ path: schema.region.path })
					.from(schema.region)
					.where(and(eq(schema.region.id, q.county), eq(schema.region.level, 'county')))
			: [];
		if (!county) return { rows: [], next: null };
		where.push(sql`${n.regionPath} like ${county.path + '%'}`);
	}
	if (q.before) where.push(lt(n.no, q.before));
	const limit = 20;
	const rows = await db()
		.select(publicColumns)
		.from(n)
		.innerJoin(schema.settlement, eq(schema.settlement.id, n.settlementId))
		.where(and(...where))
		.orderBy(desc(n.no))
		.limit(limit + 1);
	const page = rows.slice(0, limit).map((r) => publicShape(r, now));
	return { rows: page, next: rows.length > limit ? page[page.length - 1].no : null };
}

/** The counties that have public needs, for the public list's filter. */
export async function listPublicNeedCounties() {
	const r = schema.region;
	return db()
		.select({ id: r.id, name: r.name })
		.from(r)
		.where(
			and(
				eq(r.level, 'county'),
				sql`exists (select 1 from need x where x.region_path like ${r.path} || '%' and x.status in ('published', 'funded', 'delivered'))`
			)
		)
		.orderBy(asc(r.name))
		.limit(500);
}

/**
 * One public need with the organisations that pledged to it; 404 for any need that is not
 * public (pending, rejected, cancelled, or none). Nothing in it names the household.
 */
export async function getPublicNeed(needId: string, now: Date = new Date()) {
	if (!isUuid(needId)) notFound();
	const [row] = await db()
		.select(publicColumns)
		.from(n)
		.innerJoin(schema.settlement, eq(schema.settlement.id, n.settlementId))
		.where(and(eq(n.id, needId), inArray(n.status, [...publicNeedStatuses])));
	if (!row) notFound();
	const p = schema.pledge;
	const pledges = await db()
		.select({
			organizationName: schema.organization.name,
			quantity: p.quantity,
			status: p.status,
			createdAt: p.createdAt,
			deliveredAt: p.deliveredAt,
			confirmedAt: p.confirmedAt
		})
		.from(p)
		.innerJoin(schema.organization, eq(schema.organization.id, p.organizationId))
		.where(and(eq(p.needId, needId), sql`${p.status} <> 'cancelled'`))
		.orderBy(asc(p.createdAt), asc(p.id))
		.limit(500);
	return { ...publicShape(row, now), pledges };
}
