// 基金与公开台账: an organisation's funds, their entries (donations in, disbursements out,
// reversals), and the public ledger with its disclosure deadlines. Money moves only through
// ledger.ts's postTransaction / reverseTransaction, inside each command's transaction.
import { error } from '@sveltejs/kit';
import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { and, asc, desc, eq, gt, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { TransactionKind } from '$lib/charity/vocab';
import {
	anonymousDonor,
	type DisbursementInput,
	type DonationInput,
	type FundInput,
	type ReversalInput
} from '$lib/schemas/funds';
import { shanghaiDay } from '$lib/working-days';
import { can, requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import { isUuid, notFound } from '../settlements/shared';
import { postTransaction, reverseTransaction } from './ledger';

const f = schema.fund;
const t = schema.fundTransaction;
const o = schema.organization;

/** A material entry must be public within this many days of occurring. */
export const materialDisclosureDays = 30;
/** A project's remaining money must be disclosed within this many months of its end. */
export const remainderDisclosureMonths = 3;

const moneyIn: readonly TransactionKind[] = ['donation', 'contribution'];

// ---------------------------------------------------------------------------------------------
// dates

function dayNumber(iso: string): number {
	return Math.floor(Date.parse(iso + 'T00:00:00Z') / 86_400_000);
}

/** 'YYYY-MM-DD' plus n calendar days. */
export function addDays(iso: string, n: number): string {
	return new Date((dayNumber(iso) + n) * 86_400_000).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD' plus n months, kept at the month's last day when it is shorter (11-30 + 3 → 02-28). */
export function addMonths(iso: string, n: number): string {
	const [y, m, d] = iso.split('-').map(Number);
	const first = new Date(Date.UTC(y, m - 1 + n, 1));
	const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
	first.setUTCDate(Math.min(d, last));
	return first.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// resources and shared checks

/** A fund as a resource for `can()`: its organisation and that organisation's region. */
export async function fundResource(fundId: string, executor: Executor = db()) {
	if (!isUuid(fundId)) return null;
	const [row] = await executor
		.select({
			fundId: f.id,
			organizationId: f.organizationId,
			regionPath: o.regionPath,
			organizationName: o.name,
			organizationKind: o.kind,
			verified: sql<boolean>`${o.verifiedAt} is not null`
		})
		.from(f)
		.innerJoin(o, eq(o.id, f.organizationId))
		.where(eq(f.id, fundId));
	return row ?? null;
}
export type FundResource = NonNullable<Awaited<ReturnType<typeof fundResource>>>;

/** The fund for a write: 404 when the actor may not even read it, 403 when they may not post. */
async function writableFund(actor: Actor, fundId: string): Promise<FundResource> {
	const res = await fundResource(fundId);
	requirePermission(actor, 'fund.read', res ?? {}, 'read');
	if (!res) notFound();
	requirePermission(actor, 'fund.entry.create', res, 'write');
	return res;
}

/**
 * True when one of the texts names someone of the household or its unit — the public ledger
 * must never carry a name, a unit, an ID or a phone of the people helped.
 */
export async function mentionsHousehold(
	executor: Executor,
	householdId: string,
	texts: string[]
): Promise<boolean> {
	const h = schema.household;
	const r = schema.resident;
	const [home] = await executor
		.select({ headName: h.headName, building: h.building, unitNo: h.unitNo, room: h.room })
		.from(h)
		.where(eq(h.id, householdId));
	if (!home) return false;
	const people = await executor
		.select({ name: r.name, phone: r.phone, idNumber: r.idNumber })
		.from(r)
		.where(eq(r.householdId, householdId));
	const marks = [
		home.headName,
		`${home.building}${home.unitNo}${home.room}`,
		`${home.building}${home.room}`,
		...people.flatMap((p) => [p.name, p.phone ?? '', p.idNumber])
	].filter((s) => Array.from(s).length >= 2);
	const squeeze = (s: string) => s.replace(/\s+/g, '');
	return texts.some((text) => marks.some((mark) => squeeze(text).includes(squeeze(mark))));
}

function futureDay(occurredOn: string, now: Date): boolean {
	return occurredOn > shanghaiDay(now);
}

// ---------------------------------------------------------------------------------------------
// commands

/**
 * Creates a fund of an organisation the actor may post for (org_member / mutual_aid_admin).
 * 403 for another organisation; fails 'unverified' before civil affairs verified it.
 */
export async function createFund(
	actor: Actor,
	input: FundInput
): Promise<{ ok: true; id: string } | Failure<'unverified'>> {
	const [org] = isUuid(input.organizationId)
		? await db()
				.select({ id: o.id, regionPath: o.regionPath, verifiedAt: o.verifiedAt })
				.from(o)
				.where(eq(o.id, input.organizationId))
		: [];
	requirePermission(
		actor,
		'fund.entry.create',
		org ? { organizationId: org.id, regionPath: org.regionPath } : {},
		'write'
	);
	if (!org.verifiedAt) return { ok: false, reason: 'unverified', field: 'organizationId' };
	return db().transaction(async (tx) => {
		const [row] = await tx
			.insert(f)
			.values({
				organizationId: org.id,
				name: input.name,
				kind: input.kind,
				description: input.description,
				startsOn: input.startsOn,
				endsOn: input.endsOn || null,
				materialFen: input.materialYuan
			})
			.returning({ id: f.id });
		await audit.record(tx, {
			actor,
			action: 'fund.create',
			entity: 'fund',
			entityId: row.id,
			scopePath: org.regionPath,
			summary: { organizationId: org.id, name: input.name, kind: input.kind }
		});
		return { ok: true, id: row.id } as const;
	});
}

type EntryFailure = Failure<'unverified' | 'future' | 'insufficient' | 'no_need' | 'personal'>;

/**
 * 捐赠: money in, shown under the donor's chosen name or as 爱心人士. The same idempotency key
 * posts once however often it is sent. Fails 'future' for a date after today.
 */
export async function recordDonation(
	actor: Actor,
	fundId: string,
	input: DonationInput,
	now: Date = new Date()
): Promise<{ ok: true; id: string; no: number; duplicate: boolean } | EntryFailure> {
	const res = await writableFund(actor, fundId);
	if (!res.verified) return { ok: false, reason: 'unverified' };
	if (futureDay(input.occurredOn, now)) return { ok: false, reason: 'future', field: 'occurredOn' };
	const counterparty = input.anonymous || !input.counterparty ? anonymousDonor : input.counterparty;
	return db().transaction(async (tx) => {
		const posted = await postTransaction(tx, {
			fundId: res.fundId,
			kind: 'donation',
			amount: input.amount,
			memo: input.memo,
			counterparty,
			occurredOn: input.occurredOn,
			idempotencyKey: input.idempotencyKey,
			createdBy: actor.id
		});
		if (!posted.ok) return posted;
		if (!posted.duplicate)
			await audit.record(tx, {
				actor,
				action: 'fund.donation',
				entity: 'fund',
				entityId: res.fundId,
				scopePath: res.regionPath,
				summary: { transactionId: posted.id, no: posted.no, amount: input.amount }
			});
		return posted;
	});
}

/**
 * 支出: money out, to a verified need (the ledger shows its public title) or for a stated purpose.
 * Fails 'insufficient' when the balance does not cover it (nothing is written), 'no_need' for a
 * need that is not there or not verified, 'personal' when the memo names the household.
 */
export async function recordDisbursement(
	actor: Actor,
	fundId: string,
	input: DisbursementInput,
	now: Date = new Date()
): Promise<{ ok: true; id: string; no: number; duplicate: boolean } | EntryFailure> {
	const res = await writableFund(actor, fundId);
	if (!res.verified) return { ok: false, reason: 'unverified' };
	if (futureDay(input.occurredOn, now)) return { ok: false, reason: 'future', field: 'occurredOn' };
	return db().transaction(async (tx) => {
		if (input.needId) {
			const [n] = await tx
				.select({ id: schema.need.id, householdId: schema.need.householdId })
				.from(schema.need)
				.where(and(eq(schema.need.id, input.needId), isNotNull(schema.need.verifiedAt)));
			if (!n) return { ok: false, reason: 'no_need', field: 'needId' } as const;
			if (await mentionsHousehold(tx, n.householdId, [input.memo]))
				return { ok: false, reason: 'personal', field: 'memo' } as const;
		}
		const posted = await postTransaction(tx, {
			fundId: res.fundId,
			kind: 'disbursement',
			amount: input.amount,
			memo: input.memo,
			needId: input.needId || null,
			occurredOn: input.occurredOn,
			idempotencyKey: input.idempotencyKey,
			createdBy: actor.id
		});
		if (!posted.ok) return posted;
		if (!posted.duplicate)
			await audit.record(tx, {
				actor,
				action: 'fund.disbursement',
				entity: 'fund',
				entityId: res.fundId,
				scopePath: res.regionPath,
				summary: {
					transactionId: posted.id,
					no: posted.no,
					amount: input.amount,
					needId: input.needId || null
				}
			});
		return posted;
	});
}

/**
 * 冲正: the only correction — a reversing entry with its reason, once per entry. Fails
 * 'already_reversed', 'is_reversal' (a reversal is not reversed again), 'insufficient' when
 * money in has already been spent; 404 for an entry of another fund.
 */
export async function reverseEntry(
	actor: Actor,
	fundId: string,
	input: ReversalInput,
	now: Date = new Date()
): Promise<
	| { ok: true; id: string; no: number }
	| Failure<'unverified' | 'not_found' | 'already_reversed' | 'insufficient' | 'is_reversal'>
> {
	const res = await writableFund(actor, fundId);
	if (!res.verified) return { ok: false, reason: 'unverified' };
	return db().transaction(async (tx) => {
		const [orig] = isUuid(input.transactionId)
			? await tx
					.select({ id: t.id, no: t.no })
					.from(t)
					.where(and(eq(t.id, input.transactionId), eq(t.fundId, res.fundId)))
			: [];
		if (!orig) return { ok: false, reason: 'not_found', field: 'transactionId' } as const;
		const reversed = await reverseTransaction(tx, {
			transactionId: orig.id,
			memo: input.reason,
			occurredOn: shanghaiDay(now),
			createdBy: actor.id
		});
		if (!reversed.ok) return { ...reversed, field: reversed.field ?? 'transactionId' };
		await audit.record(tx, {
			actor,
			action: 'fund.reversal',
			entity: 'fund',
			entityId: res.fundId,
			scopePath: res.regionPath,
			summary: { transactionId: reversed.id, no: reversed.no, reverses: orig.no }
		});
		return reversed;
	});
}

// ---------------------------------------------------------------------------------------------
// reads

const rev = alias(schema.fundTransaction, 'rev');
const orig = alias(schema.fundTransaction, 'orig');

/** One ledger entry as anybody may read it: no household's name, unit, ID or phone. */
export interface LedgerEntry {
	id: string;
	no: number;
	kind: TransactionKind;
	/** fen, positive */
	amount: number;
	direction: 'in' | 'out';
	memo: string;
	counterparty: string;
	occurredOn: string;
	/** the day (Asia/Shanghai) it was entered, which is when it became public */
	publishedOn: string;
	reverses: { id: string; no: number } | null;
	reversedBy: { id: string; no: number } | null;
	/** the need's public title (only once staff verified it) */
	need: { no: number; title: string | null } | null;
	/** the 互助社 case's public summary */
	aidCase: { no: number; summary: string } | null;
	material: boolean;
	/** for a material entry: the last day it may become public, and whether it was late */
	deadline: string | null;
	late: boolean;
}

/** A page of a fund's entries by keyset on `no`: newest first, or oldest first from `after`. */
async function entryPage(
	fundId: string,
	materialFen: number,
	q: { before?: number; after?: number; limit: number; oldestFirst?: boolean },
	executor: Executor = db()
) {
	const n = schema.need;
	const c = schema.aidCase;
	const where: SQL[] = [eq(t.fundId, fundId)];
	if (q.before) where.push(lt(t.no, q.before));
	if (q.after) where.push(gt(t.no, q.after));
	const rows = await executor
		.select({
			id: t.id,
			no: t.no,
			kind: t.kind,
			amount: t.amount,
			memo: t.memo,
			counterparty: t.counterparty,
			occurredOn: t.occurredOn,
			createdAt: t.createdAt,
			createdBy: t.createdBy,
			reversesId: t.reversesId,
			reversesNo: orig.no,
			reversesKind: orig.kind,
			reversedById: rev.id,
			reversedByNo: rev.no,
			needNo: n.no,
			needTitle: n.title,
			needVerified: sql<boolean>`${n.verifiedAt} is not null`,
			caseNo: c.no,
			caseSummary: c.publicSummary
		})
		.from(t)
		.leftJoin(orig, eq(orig.id, t.reversesId))
		.leftJoin(rev, eq(rev.reversesId, t.id))
		.leftJoin(n, eq(n.id, t.needId))
		.leftJoin(c, eq(c.id, t.aidCaseId))
		.where(and(...where))
		.orderBy(q.oldestFirst ? asc(t.no) : desc(t.no))
		.limit(q.limit + 1);
	const page = rows.slice(0, q.limit).map((r) => {
		const amount = Number(r.amount);
		const material = amount >= materialFen;
		const deadline = material ? addDays(r.occurredOn, materialDisclosureDays) : null;
		const publishedOn = shanghaiDay(new Date(r.createdAt));
		const inKind =
			r.kind === 'reversal' ? !moneyIn.includes(r.reversesKind!) : moneyIn.includes(r.kind);
		const entry: LedgerEntry & { createdBy: string | null } = {
			id: r.id,
			no: Number(r.no),
			kind: r.kind,
			amount,
			direction: inKind ? 'in' : 'out',
			memo: r.memo,
			counterparty: r.counterparty,
			occurredOn: r.occurredOn,
			publishedOn,
			reverses: r.reversesId ? { id: r.reversesId, no: Number(r.reversesNo) } : null,
			reversedBy: r.reversedById ? { id: r.reversedById, no: Number(r.reversedByNo) } : null,
			need:
				r.needNo !== null
					? { no: Number(r.needNo), title: r.needVerified ? r.needTitle : null }
					: null,
			aidCase: r.caseNo !== null ? { no: Number(r.caseNo), summary: r.caseSummary ?? '' } : null,
			material,
			deadline,
			late: !!deadline && publishedOn > deadline,
			createdBy: r.createdBy
		};
		return entry;
	});
	return { rows: page, more: rows.length > q.limit };
}

/** Totals of a fund from its postings: in, out (net of reversals) and the balance. */
async function fundTotals(fundIds: string[], executor: Executor = db()) {
	const p = schema.fundPosting;
	const totals = new Map<
		string,
		{ donations: number; contributions: number; disbursements: number; payouts: number }
	>();
	for (const id of fundIds)
		totals.set(id, { donations: 0, contributions: 0, disbursements: 0, payouts: 0 });
	if (fundIds.length === 0) return totals;
	const rows = await executor
		.select({
			fundId: p.fundId,
			account: p.account,
			total: sql<string>`sum(${p.amount})`
		})
		.from(p)
		.where(inArray(p.fundId, fundIds))
		.groupBy(p.fundId, p.account);
	for (const r of rows) {
		const x = totals.get(r.fundId)!;
		const v = Number(r.total);
		// counter-accounts carry the opposite sign of the bank line
		if (r.account === 'donations') x.donations = -v;
		else if (r.account === 'contributions') x.contributions = -v;
		else if (r.account === 'disbursements') x.disbursements = v;
		else if (r.account === 'payouts') x.payouts = v;
	}
	return totals;
}

type FundRow = typeof schema.fund.$inferSelect;

/** The fund's figures and deadlines, for its page and the public one. */
async function fundSummary(
	fund: FundRow,
	organization: { id: string; name: string; kind: string; creditCode: string | null },
	now: Date,
	executor: Executor = db()
) {
	const totals = (await fundTotals([fund.id], executor)).get(fund.id)!;
	const [m] = await executor
		.select({
			material: sql<string>`count(*) filter (where ${t.amount} >= ${fund.materialFen})`,
			late: sql<string>`count(*) filter (where ${t.amount} >= ${fund.materialFen} and (${t.createdAt} at time zone 'Asia/Shanghai')::date > ${t.occurredOn} + ${materialDisclosureDays}::int)`,
			entries: sql<string>`count(*)`
		})
		.from(t)
		.where(eq(t.fundId, fund.id));
	const today = shanghaiDay(now);
	const remainderDeadline =
		fund.kind === 'project' && fund.endsOn
			? addMonths(fund.endsOn, remainderDisclosureMonths)
			: null;
	return {
		fund: {
			id: fund.id,
			name: fund.name,
			kind: fund.kind,
			description: fund.description,
			startsOn: fund.startsOn,
			endsOn: fund.endsOn,
			materialFen: Number(fund.materialFen),
			balance: Number(fund.balance),
			createdAt: fund.createdAt
		},
		organization,
		totals: {
			in: totals.donations + totals.contributions,
			out: totals.disbursements + totals.payouts,
			...totals,
			balance: Number(fund.balance)
		},
		disclosure: {
			materialDays: materialDisclosureDays,
			materialEntries: Number(m.material),
			lateEntries: Number(m.late),
			entries: Number(m.entries),
			remainderDeadline,
			// the remaining money is disclosed by this page itself once the project has ended
			projectEnded: !!fund.endsOn && fund.endsOn < today
		}
	};
}

async function loadFund(fundId: string, executor: Executor = db()) {
	if (!isUuid(fundId)) return null;
	const [row] = await executor
		.select({
			fund: f,
			organization: {
				id: o.id,
				name: o.name,
				kind: o.kind,
				creditCode: o.creditCode,
				regionPath: o.regionPath,
				verifiedAt: o.verifiedAt
			}
		})
		.from(f)
		.innerJoin(o, eq(o.id, f.organizationId))
		.where(eq(f.id, fundId));
	return row ?? null;
}

const pageSize = 50;

/** The organisations the actor may open funds for, with whether each is verified. */
export async function fundOrganizations(actor: Actor) {
	const ids = [
		...new Set(
			actor.grants.flatMap((g) =>
				g.scope === 'organization' &&
				can(actor, 'fund.entry.create', { organizationId: g.organizationId })
					? [g.organizationId]
					: []
			)
		)
	];
	if (ids.length === 0) return [];
	const rows = await db()
		.select({ id: o.id, name: o.name, kind: o.kind, verifiedAt: o.verifiedAt })
		.from(o)
		.where(inArray(o.id, ids))
		.orderBy(asc(o.name));
	return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, verified: !!r.verifiedAt }));
}

/** A page of funds, newest first, by keyset on (created_at, id). */
async function fundPage(where: SQL, cursor: string | undefined) {
	const conditions = [where];
	const c = parseFundCursor(cursor);
	if (c) conditions.push(or(lt(f.createdAt, c.at), and(eq(f.createdAt, c.at), lt(f.id, c.id)))!);
	const rows = await db()
		.select({
			id: f.id,
			name: f.name,
			kind: f.kind,
			startsOn: f.startsOn,
			endsOn: f.endsOn,
			balance: f.balance,
			createdAt: f.createdAt,
			organizationId: o.id,
			organizationName: o.name,
			organizationKind: o.kind
		})
		.from(f)
		.innerJoin(o, eq(o.id, f.organizationId))
		.where(and(...conditions))
		.orderBy(desc(f.createdAt), desc(f.id))
		.limit(pageSize + 1);
	const page = rows.slice(0, pageSize);
	const totals = await fundTotals(page.map((r) => r.id));
	const last = page.at(-1);
	return {
		rows: page.map((r) => {
			const x = totals.get(r.id)!;
			return {
				...r,
				balance: Number(r.balance),
				in: x.donations + x.contributions,
				out: x.disbursements + x.payouts
			};
		}),
		next: rows.length > pageSize && last ? `${last.createdAt.toISOString()}_${last.id}` : null
	};
}

function parseFundCursor(cursor: string | undefined): { at: Date; id: string } | null {
	if (!cursor) return null;
	const [iso, id] = cursor.split('_');
	const at = new Date(iso ?? '');
	if (Number.isNaN(at.getTime()) || !isUuid(id)) return null;
	return { at, id };
}

/** The funds the actor may read: their organisation's, or their county's for county staff. */
export async function listFunds(actor: Actor, q: { cursor?: string } = {}) {
	requireAnywhere(actor, 'fund.read', 'read');
	return fundPage(
		scopeFilter(actor, 'fund.read', { organizationId: f.organizationId, regionPath: o.regionPath }),
		q.cursor
	);
}

/**
 * One fund with its figures, deadlines and a page of entries (newest first, keyset on `before`);
 * 404 unless the actor's organisation owns it or it is in their county.
 */
export async function getFund(
	actor: Actor,
	fundId: string,
	q: { before?: number } = {},
	now: Date = new Date()
) {
	const row = await loadFund(fundId);
	const res = row
		? { organizationId: row.organization.id, regionPath: row.organization.regionPath }
		: null;
	requirePermission(actor, 'fund.read', res ?? {}, 'read');
	if (!row || !res) notFound();
	const summary = await fundSummary(row.fund, row.organization, now);
	const entries = await entryPage(row.fund.id, summary.fund.materialFen, {
		before: q.before,
		limit: pageSize
	});
	const creators = [...new Set(entries.rows.map((e) => e.createdBy).filter((x) => x !== null))];
	const names = creators.length
		? await db()
				.select({ id: schema.user.id, name: schema.user.displayName })
				.from(schema.user)
				.where(inArray(schema.user.id, creators))
		: [];
	const nameOf = new Map(names.map((u) => [u.id, u.name]));
	return {
		...summary,
		verified: !!row.organization.verifiedAt,
		entries: entries.rows.map(({ createdBy, ...e }) => ({
			...e,
			createdByName: createdBy ? (nameOf.get(createdBy) ?? '') : ''
		})),
		next: entries.more ? entries.rows.at(-1)!.no : null,
		can: { post: can(actor, 'fund.entry.create', res) && !!row.organization.verifiedAt }
	};
}

/**
 * The needs a fund's organisation has pledged money to (their public titles), to link a
 * disbursement to; checked again by recordDisbursement.
 */
export async function listDisbursableNeeds(actor: Actor, fundId: string) {
	const res = await fundResource(fundId);
	requirePermission(actor, 'fund.read', res ?? {}, 'read');
	if (!res || !can(actor, 'fund.entry.create', res)) return [];
	const n = schema.need;
	const p = schema.pledge;
	return db()
		.selectDistinct({ id: n.id, no: n.no, title: n.title })
		.from(n)
		.innerJoin(p, eq(p.needId, n.id))
		.where(
			and(
				eq(p.organizationId, res.organizationId),
				eq(n.kind, 'money'),
				isNotNull(n.verifiedAt),
				sql`${p.status} <> 'cancelled'`
			)
		)
		.orderBy(desc(n.no))
		.limit(100);
}

/** A fund as the public reads it (no login): 404 when there is none or its organisation is not verified. */
async function publicFund(fundId: string) {
	const row = await loadFund(fundId);
	if (!row || !row.organization.verifiedAt) error(404, '页面不存在');
	return row;
}

const publicEntry = ({ createdBy: _createdBy, ...e }: LedgerEntry & { createdBy: unknown }) =>
	e as LedgerEntry;

/** The public ledger of a fund: figures, deadlines and a page of entries, without personal data. */
export async function getPublicFund(
	fundId: string,
	q: { before?: number } = {},
	now: Date = new Date()
) {
	const row = await publicFund(fundId);
	const { regionPath: _r, verifiedAt: _v, ...organization } = row.organization;
	const summary = await fundSummary(row.fund, organization, now);
	const entries = await entryPage(row.fund.id, summary.fund.materialFen, {
		before: q.before,
		limit: pageSize
	});
	return {
		...summary,
		entries: entries.rows.map(publicEntry),
		next: entries.more ? entries.rows.at(-1)!.no : null
	};
}

/** The funds of verified organisations, newest first, for the public list. */
export async function listPublicFunds(q: { cursor?: string } = {}) {
	return fundPage(isNotNull(o.verifiedAt), q.cursor);
}

/**
 * The whole public ledger of a fund for an export, oldest first, read a page at a time so a
 * long ledger is never held at once.
 */
export async function publicLedgerExport(fundId: string, now: Date = new Date()) {
	const row = await publicFund(fundId);
	const { regionPath: _r, verifiedAt: _v, ...organization } = row.organization;
	const summary = await fundSummary(row.fund, organization, now);
	async function* entries(): AsyncGenerator<LedgerEntry[]> {
		let after = 0;
		for (;;) {
			const page = await entryPage(row.fund.id, summary.fund.materialFen, {
				after,
				limit: 500,
				oldestFirst: true
			});
			if (page.rows.length > 0) yield page.rows.map(publicEntry);
			if (!page.more) return;
			after = page.rows.at(-1)!.no;
		}
	}
	return { ...summary, entries };
}

// ---------------------------------------------------------------------------------------------
// exports (CSV and XLSX): the public ledger, amounts in yuan with 2 decimals, no personal data

const kindWords: Record<TransactionKind, string> = {
	donation: '捐赠收入',
	contribution: '互助金收入',
	disbursement: '支出',
	payout: '救助金发放',
	reversal: '冲正'
};

const exportHeaders = [
	'序号',
	'发生日期',
	'类型',
	'收入（元）',
	'支出（元）',
	'对方',
	'说明',
	'关联需求或救助',
	'冲正关系',
	'公开日期',
	'重大收支公开期限',
	'是否按期公开'
];

/** Fen as yuan with two decimals and no thousands separator, so a spreadsheet reads a number. */
export function fenToYuanText(fen: number): string {
	const sign = fen < 0 ? '-' : '';
	const abs = Math.abs(fen);
	return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function exportCells(e: LedgerEntry) {
	const link = e.aidCase
		? `救助案例 #${e.aidCase.no}：${e.aidCase.summary}`
		: e.need
			? `需求 #${e.need.no}${e.need.title ? `：${e.need.title}` : ''}`
			: '';
	const reversal = e.reverses
		? `冲正第 ${e.reverses.no} 号`
		: e.reversedBy
			? `已被第 ${e.reversedBy.no} 号冲正`
			: '';
	return {
		no: e.no,
		occurredOn: e.occurredOn,
		kind: kindWords[e.kind],
		in: e.direction === 'in' ? e.amount : null,
		out: e.direction === 'out' ? e.amount : null,
		counterparty: e.counterparty,
		memo: e.memo,
		link,
		reversal,
		publishedOn: e.publishedOn,
		deadline: e.deadline ?? '',
		onTime: e.deadline ? (e.late ? '逾期公开' : '按期') : '非重大收支'
	};
}

/** One CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
function csvField(value: string | number | null): string {
	if (value === null) return '';
	let s = String(value);
	if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
	return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The public ledger as CSV with a UTF-8 BOM (so Excel reads the Chinese), streamed page by page. */
export async function publicLedgerCsv(fundId: string, now: Date = new Date()) {
	const ledger = await publicLedgerExport(fundId, now);
	const pages = ledger.entries();
	const encoder = new TextEncoder();
	const line = (cells: (string | number | null)[]) => cells.map(csvField).join(',') + '\r\n';
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode('\uFEFF' + line(exportHeaders)));
		},
		async pull(controller) {
			const next = await pages.next();
			if (next.done) {
				controller.close();
				return;
			}
			let chunk = '';
			for (const e of next.value) {
				const c = exportCells(e);
				chunk += line([
					c.no,
					c.occurredOn,
					c.kind,
					c.in === null ? null : fenToYuanText(c.in),
					c.out === null ? null : fenToYuanText(c.out),
					c.counterparty,
					c.memo,
					c.link,
					c.reversal,
					c.publishedOn,
					c.deadline,
					c.onTime
				]);
			}
			controller.enqueue(encoder.encode(chunk));
		},
		async cancel() {
			await pages.return(undefined);
		}
	});
	return { stream, fund: ledger.fund, fileName: `${ledger.fund.name}-公开台账.csv` };
}

/** The public ledger as .xlsx: the entries, and a sheet of totals and deadlines. */
export async function publicLedgerXlsx(
	fundId: string,
	now: Date = new Date()
): Promise<{
	file: Buffer;
	fileName: string;
}> {
	const ledger = await publicLedgerExport(fundId, now);
	const stream = new PassThrough();
	const chunks: Buffer[] = [];
	stream.on('data', (chunk: Buffer) => chunks.push(chunk));
	const ended = new Promise<void>((resolve, reject) => {
		stream.on('end', resolve);
		stream.on('error', reject);
	});
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
		stream,
		useStyles: true,
		useSharedStrings: false
	});
	workbook.creator = '安居';
	workbook.created = now;
	const yuan = (fen: number | null) => (fen === null ? null : fen / 100);
	const sheet = workbook.addWorksheet('公开台账', { views: [{ state: 'frozen', ySplit: 1 }] });
	sheet.columns = [
		{ width: 8 },
		{ width: 12 },
		{ width: 12 },
		{ width: 14, style: { numFmt: '#,##0.00' } },
		{ width: 14, style: { numFmt: '#,##0.00' } },
		{ width: 16 },
		{ width: 32 },
		{ width: 32 },
		{ width: 18 },
		{ width: 12 },
		{ width: 16 },
		{ width: 12 }
	];
	const header = sheet.addRow(exportHeaders);
	header.font = { bold: true };
	header.commit();
	for await (const page of ledger.entries())
		for (const e of page) {
			const c = exportCells(e);
			sheet
				.addRow([
					c.no,
					c.occurredOn,
					c.kind,
					yuan(c.in),
					yuan(c.out),
					c.counterparty,
					c.memo,
					c.link,
					c.reversal,
					c.publishedOn,
					c.deadline,
					c.onTime
				])
				.commit();
		}
	sheet.commit();
	const totals = workbook.addWorksheet('汇总');
	totals.columns = [{ width: 28 }, { width: 36 }];
	const facts: [string, string | number][] = [
		['基金', ledger.fund.name],
		['组织', ledger.organization.name],
		['统一社会信用代码', ledger.organization.creditCode ?? ''],
		['收入合计（元）', ledger.totals.in / 100],
		['支出合计（元）', ledger.totals.out / 100],
		['余额（元）', ledger.totals.balance / 100],
		['重大收支标准（元）', ledger.fund.materialFen / 100],
		['重大收支笔数', ledger.disclosure.materialEntries],
		['逾期公开笔数', ledger.disclosure.lateEntries],
		['剩余资金公开期限', ledger.disclosure.remainderDeadline ?? '不适用'],
		['导出时间（北京时间）', shanghaiDay(now)]
	];
	for (const [k, v] of facts) {
		const r = totals.addRow([k, v]);
		if (typeof v === 'number' && k.includes('元')) r.getCell(2).numFmt = '#,##0.00';
		r.commit();
	}
	totals.commit();
	await workbook.commit();
	await ended;
	return { file: Buffer.concat(chunks), fileName: `${ledger.fund.name}-公开台账.xlsx` };
}
