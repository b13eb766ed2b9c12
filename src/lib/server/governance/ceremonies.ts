import { error } from '@sveltejs/kit';
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import {
	capWords,
	ceremonyKindWords,
	checkCaps,
	wellKnownPointCodes,
	type Breach,
	type CeremonyKind,
	type Clause,
	type CouncilKind
} from '$lib/governance/vocab';
import type { CeremonyFilter, CeremonyInput } from '$lib/schemas/governance-councils';
import { shanghaiDay } from '$lib/working-days';
import { can, canAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import * as notifications from '../notifications';
import { householdUserIds, settlementStaffIds, storable } from '../services/shared';
import { householdResource, isUuid, notFound } from '../settlements/shared';
import { councilMemberUserIds, isDay, officerRoles, servingOn } from './councils';
import { adoptedCaps, adoptedPointItems, postPoints } from './shared';

// 红白事备案: a household files its wedding or funeral; the filing is checked against the caps of
// the settlement's adopted rules, and an over-cap one is flagged to the 红白理事会 and 道德评议会
// (and the point's staff) with the clause it breaks. The council records its follow-up.

const f = schema.ceremonyFiling;
const h = schema.household;
const st = schema.settlement;

/** The councils that hear of an over-cap filing, and whose serving members may read the filings. */
export const ceremonyCouncils: readonly CouncilKind[] = ['weddings_funerals', 'moral_review'];

export type CeremonyFailure = Failure<
	| 'no_household'
	| 'household_ended'
	| 'bad_figures'
	| 'followed_up'
	| 'not_over_cap'
	| 'no_point_item'
> & { message: string };

const fail = (
	reason: CeremonyFailure['reason'],
	message: string,
	field?: string
): CeremonyFailure =>
	field ? { ok: false, reason, field, message } : { ok: false, reason, message };

/**
 * The settlements where the actor sits on a council that follows filings (serving, today), and
 * may read that settlement's councils: their filings are theirs to read.
 */
function seatSettlements(
	actor: Actor,
	today: string,
	kinds: readonly CouncilKind[] = ceremonyCouncils
): SQL {
	const c = schema.council;
	const m = schema.councilMember;
	return sql`(select ${c.settlementId} from ${c} inner join ${m} on ${m.councilId} = ${c.id} where ${m.userId} = ${actor.id} and ${inArray(c.kind, [...kinds])} and ${servingOn(today)})`;
}

/** The filings the actor may read, as SQL over ceremony_filing. */
function readableFilings(actor: Actor, today: string): SQL {
	return or(
		scopeFilter(actor, 'ceremony.read', {
			settlementId: f.settlementId,
			regionPath: f.regionPath,
			householdId: f.householdId
		}),
		and(
			sql`${f.settlementId} in ${seatSettlements(actor, today)}`,
			scopeFilter(actor, 'council.read', { settlementId: f.settlementId, regionPath: f.regionPath })
		)
	)!;
}

/** Whether the actor sits (serving) on one of the settlement's councils of these kinds. */
async function seatedOn(
	actor: Actor,
	settlementId: string,
	kinds: readonly CouncilKind[],
	today: string,
	officers = false,
	executor: Executor = db()
): Promise<boolean> {
	const c = schema.council;
	const m = schema.councilMember;
	const [row] = await executor
		.select({ id: m.id })
		.from(m)
		.innerJoin(c, eq(c.id, m.councilId))
		.where(
			and(
				eq(c.settlementId, settlementId),
				inArray(c.kind, [...kinds]),
				eq(m.userId, actor.id),
				servingOn(today),
				officers ? inArray(m.role, [...officerRoles]) : undefined
			)
		)
		.limit(1);
	return !!row;
}

/** A filing as a resource, with its scope; null when there is none. */
async function filingResource(id: string, executor: Executor = db()) {
	if (!isUuid(id)) return null;
	const [row] = await executor.select().from(f).where(eq(f.id, id));
	return row ?? null;
}
type FilingRow = NonNullable<Awaited<ReturnType<typeof filingResource>>>;

/** May the actor read this filing: their own household's, staff in scope, or a member of the councils that follow it. */
async function mayRead(actor: Actor, row: FilingRow, today: string): Promise<boolean> {
	if (can(actor, 'ceremony.read', row)) return true;
	return (
		can(actor, 'council.read', row) &&
		(await seatedOn(actor, row.settlementId, ceremonyCouncils, today))
	);
}

/** May the actor record the follow-up: the point's reviewers, or an officer of the 红白理事会. */
async function mayFollowUp(actor: Actor, row: FilingRow, today: string): Promise<boolean> {
	if (can(actor, 'ceremony.review', row)) return true;
	return (
		can(actor, 'council.vote', row) &&
		(await seatedOn(actor, row.settlementId, ['weddings_funerals'], today, true))
	);
}

/** The filing for a read: 404 when there is none or the actor may not read it. */
async function readableFiling(actor: Actor, id: string, today: string): Promise<FilingRow> {
	const row = await filingResource(id);
	if (!row || !(await mayRead(actor, row, today))) notFound();
	return row;
}

export interface BreachShown extends Breach {
	label: string;
	unit: string;
	ruleTitle: string;
	versionNo: number | null;
	clauseTitle: string;
}

/** The breaches with the rule, version and clause each names (第N条 of which rule). */
export async function describeBreaches(
	breaches: readonly Breach[],
	executor: Executor = db()
): Promise<BreachShown[]> {
	const ids = [...new Set(breaches.map((b) => b.ruleVersionId).filter(isUuid))];
	const versions = ids.length
		? await executor
				.select({
					id: schema.ruleVersion.id,
					versionNo: schema.ruleVersion.versionNo,
					clauses: schema.ruleVersion.clauses,
					title: schema.rule.title
				})
				.from(schema.ruleVersion)
				.innerJoin(schema.rule, eq(schema.rule.id, schema.ruleVersion.ruleId))
				.where(inArray(schema.ruleVersion.id, ids))
		: [];
	const byId = new Map(versions.map((v) => [v.id, v]));
	return breaches.map((b) => {
		const v = byId.get(b.ruleVersionId);
		const clause = (v?.clauses ?? []).find((c: Clause) => c.no === b.clauseNo);
		return {
			...b,
			label: capWords[b.key]?.label ?? b.key,
			unit: capWords[b.key]?.unit ?? '',
			ruleTitle: v?.title ?? '',
			versionNo: v?.versionNo ?? null,
			clauseTitle: clause?.title ?? ''
		};
	});
}

/** A breach in one line: 《村规民约》第3条（婚宴桌数上限 10 桌，申报 15 桌）. */
export function breachLine(b: BreachShown): string {
	const money = b.key === 'bride_price';
	const shown = (n: number) => (money ? (n / 100).toLocaleString('zh-CN') : String(n));
	return `${b.ruleTitle ? `《${b.ruleTitle}》` : ''}第${b.clauseNo}条（${b.label} ${shown(b.limit)} ${b.unit}，申报 ${shown(b.value)} ${b.unit}）`;
}

/**
 * Files a household's wedding or funeral: a resident for their own household, staff (ceremony.file)
 * for one in their scope. Checked against the caps of the settlement's adopted rule versions (the
 * stricter of two caps counts); an over-cap filing notifies the serving members with accounts of
 * the 红白理事会 and 道德评议会 and the point's admin and chief, naming each clause broken. The
 * same idempotency key from the same person files once. 404 for a household the actor cannot
 * see, 403 when they may not file for it; fails 'household_ended', 'bad_figures'.
 */
export async function fileCeremony(
	actor: Actor,
	input: CeremonyInput,
	now: Date = new Date()
): Promise<
	| { ok: true; id: string; overCap: boolean; breaches: Breach[]; duplicate: boolean }
	| CeremonyFailure
> {
	input = storable(input);
	const householdId = input.householdId || actor.householdId;
	if (!householdId) return fail('no_household', '请选择办事的家庭', 'householdId');
	const home = await householdResource(householdId);
	requirePermission(actor, 'ceremony.read', home ?? {}, 'read');
	if (!home) notFound();
	requirePermission(actor, 'ceremony.file', home, 'write');
	if (home.status !== 'active')
		return fail('household_ended', '该户已迁出，不能再备案', 'householdId');
	if (!isDay(input.eventOn)) return fail('bad_figures', '请填写有效的办事日期', 'eventOn');
	if (input.kind !== 'wedding' && input.kind !== 'funeral')
		return fail('bad_figures', '请选择婚事或丧事', 'kind');
	const wedding = input.kind === 'wedding';
	const whole = (n: unknown, max: number) =>
		typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= max;
	if (!whole(input.tables, 500)) return fail('bad_figures', '宴席桌数不正确', 'tables');
	if (!whole(input.guests, 10_000)) return fail('bad_figures', '宾客人数不正确', 'guests');
	const bridePrice = wedding ? (input.bridePrice ?? null) : null;
	const banquetDays = wedding ? null : (input.banquetDays ?? null);
	if (wedding && !whole(bridePrice, 1_000_000_000))
		return fail('bad_figures', '请填写彩礼金额（没有彩礼请填 0）', 'bridePrice');
	if (!wedding && !whole(banquetDays, 30))
		return fail('bad_figures', '请填写办酒天数（0 到 30 天）', 'banquetDays');

	return db().transaction(async (tx) => {
		const caps = await adoptedCaps(home.settlementId, tx);
		const breaches = checkCaps(
			{
				kind: input.kind,
				tables: input.tables,
				guests: input.guests,
				bridePriceFen: bridePrice,
				banquetDays
			},
			caps
		);
		const [row] = await tx
			.insert(f)
			.values({
				settlementId: home.settlementId,
				regionPath: home.regionPath,
				householdId: home.householdId,
				kind: input.kind,
				eventOn: input.eventOn,
				tables: input.tables,
				guests: input.guests,
				bridePrice,
				banquetDays,
				gifts: input.gifts,
				note: input.note,
				overCap: breaches.length > 0,
				breaches,
				filedBy: actor.id,
				idempotencyKey: input.idempotencyKey,
				createdAt: now
			})
			.onConflictDoNothing({
				target: [f.filedBy, f.idempotencyKey],
				where: sql`${f.idempotencyKey} is not null`
			})
			.returning({ id: f.id });
		if (!row) {
			// sent before: answer with what the first send filed
			const [first] = await tx
				.select({ id: f.id, overCap: f.overCap, breaches: f.breaches })
				.from(f)
				.where(and(eq(f.filedBy, actor.id), eq(f.idempotencyKey, input.idempotencyKey)));
			return { ok: true, ...first, duplicate: true } as const;
		}
		if (breaches.length > 0) {
			const shown = await describeBreaches(breaches, tx);
			const recipients = [
				...(await councilMemberUserIds(tx, home.settlementId, ceremonyCouncils, shanghaiDay(now))),
				...(await settlementStaffIds(tx, home.settlementId, ['point_admin', 'point_chief']))
			].filter((id) => id !== actor.id);
			await notifications.notify(tx, {
				userIds: recipients,
				kind: 'ceremony.over_cap',
				title: `${ceremonyKindWords[input.kind]}备案超出标准：${shown.map((b) => `第${b.clauseNo}条`).join('、')}`,
				body: `${input.eventOn} 的${ceremonyKindWords[input.kind]}备案超出：${shown.map(breachLine).join('；')}。请红白理事会跟进。`,
				link: `/governance/ceremonies/${row.id}`
			});
		}
		await audit.record(tx, {
			actor,
			action: 'ceremony.file',
			entity: 'ceremony_filing',
			entityId: row.id,
			scopePath: home.regionPath,
			summary: {
				kind: input.kind,
				eventOn: input.eventOn,
				overCap: breaches.length > 0,
				clauses: breaches.map((b) => b.clauseNo),
				proxy: actor.householdId !== home.householdId
			}
		});
		return {
			ok: true,
			id: row.id,
			overCap: breaches.length > 0,
			breaches,
			duplicate: false
		} as const;
	});
}

export interface CeremonyRow {
	id: string;
	kind: CeremonyKind;
	eventOn: string;
	tables: number;
	guests: number;
	bridePrice: number | null;
	banquetDays: number | null;
	overCap: boolean;
	clauses: number[];
	status: 'filed' | 'followed_up';
	savings: number | null;
	settlementId: string;
	settlementName: string;
	householdName: string;
	unit: string;
}

const pageSize = 50;

/**
 * The filings the actor may read — a resident their own household's; staff their scope's; a
 * serving member of the 红白理事会 or 道德评议会 their settlement's — of one year, newest event first,
 * 50 a page by keyset, filtered by kind, over-cap and settlement.
 */
export async function listCeremonies(
	actor: Actor,
	filter: { year: number } & Partial<
		Pick<CeremonyFilter, 'kind' | 'overCap' | 'settlement' | 'after'>
	>,
	now: Date = new Date()
): Promise<{ rows: CeremonyRow[]; next: string | null }> {
	const today = shanghaiDay(now);
	if (!Number.isInteger(filter.year) || filter.year < 1000 || filter.year > 9999)
		return { rows: [], next: null };
	const where: SQL[] = [
		readableFilings(actor, today),
		sql`${f.eventOn} >= ${`${filter.year}-01-01`}`,
		sql`${f.eventOn} <= ${`${filter.year}-12-31`}`
	];
	if (filter.kind) where.push(eq(f.kind, filter.kind));
	if (filter.overCap === '1') where.push(eq(f.overCap, true));
	if (filter.settlement && isUuid(filter.settlement))
		where.push(eq(f.settlementId, filter.settlement));
	if (filter.after) {
		const [day, id] = filter.after.split('|');
		if (isUuid(id) && /^\d{4}-\d{2}-\d{2}$/.test(day))
			where.push(sql`(${f.eventOn}, ${f.id}) < (${day}::date, ${id}::uuid)`);
	}
	const rows = await db()
		.select({
			id: f.id,
			kind: f.kind,
			eventOn: f.eventOn,
			tables: f.tables,
			guests: f.guests,
			bridePrice: f.bridePrice,
			banquetDays: f.banquetDays,
			overCap: f.overCap,
			breaches: f.breaches,
			status: f.status,
			savings: f.savings,
			settlementId: f.settlementId,
			settlementName: st.name,
			householdName: h.headName,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room
		})
		.from(f)
		.innerJoin(h, eq(h.id, f.householdId))
		.innerJoin(st, eq(st.id, f.settlementId))
		.where(and(...where))
		.orderBy(desc(f.eventOn), desc(f.id))
		.limit(pageSize + 1);
	const page = rows.slice(0, pageSize);
	const last = page[page.length - 1];
	return {
		rows: page.map(({ breaches, building, unitNo, room, ...r }) => ({
			...r,
			bridePrice: r.bridePrice === null ? null : Number(r.bridePrice),
			savings: r.savings === null ? null : Number(r.savings),
			clauses: [...new Set(breaches.map((b) => b.clauseNo))],
			unit: `${building}${unitNo}${room}`
		})),
		next: rows.length > pageSize && last ? `${last.eventOn}|${last.id}` : null
	};
}

/** One filing with its breaches named, the follow-up and any points deducted; 404 unless readable. */
export async function getCeremony(actor: Actor, id: string, now: Date = new Date()) {
	const today = shanghaiDay(now);
	const row = await readableFiling(actor, id, today);
	const [home] = await db()
		.select({
			headName: h.headName,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room,
			settlementName: st.name
		})
		.from(h)
		.innerJoin(st, eq(st.id, h.settlementId))
		.where(eq(h.id, row.householdId));
	const people = [row.filedBy, row.followedUpBy].filter((x): x is string => !!x);
	const names = new Map(
		(
			await db()
				.select({ id: schema.user.id, name: schema.user.displayName })
				.from(schema.user)
				.where(inArray(schema.user.id, people))
		).map((u) => [u.id, u.name])
	);
	const e = schema.pointsEntry;
	const [deduction] = await db()
		.select({ id: e.id, delta: e.delta, createdAt: e.createdAt })
		.from(e)
		.where(eq(e.ref, `ceremony:${row.id}`));
	const followUp = await mayFollowUp(actor, row, today);
	const item = followUp
		? (await adoptedPointItems(row.settlementId)).find(
				(i) => i.code === wellKnownPointCodes.overCapBanquet && i.points !== 0
			)
		: undefined;
	return {
		id: row.id,
		kind: row.kind,
		eventOn: row.eventOn,
		tables: row.tables,
		guests: row.guests,
		bridePrice: row.bridePrice === null ? null : Number(row.bridePrice),
		banquetDays: row.banquetDays,
		gifts: row.gifts,
		note: row.note,
		overCap: row.overCap,
		breaches: await describeBreaches(row.breaches),
		status: row.status,
		followUp: row.followUp,
		savings: row.savings === null ? null : Number(row.savings),
		followedUpAt: row.followedUpAt,
		followedUpByName: row.followedUpBy ? (names.get(row.followedUpBy) ?? '') : null,
		filedByName: names.get(row.filedBy) ?? '',
		createdAt: row.createdAt,
		settlementId: row.settlementId,
		settlementName: home.settlementName,
		householdId: row.householdId,
		householdName: home.headName,
		unit: `${home.building}${home.unitNo}${home.room}`,
		deduction: deduction ?? null,
		pointItem: item ? { label: item.label, points: -Math.abs(item.points) } : null,
		can: { followUp: followUp && row.status === 'filed' }
	};
}

/**
 * The council's follow-up of a filing: what it did and the savings it reckons (fen), once. When
 * asked, and the filing is over the caps and the adopted points list has the over_cap_banquet
 * item, the household's points are deducted under it (ref ceremony:<id>) in the same
 * transaction. 404 unless the actor may read the filing, 403 unless they review filings (the
 * point's staff, or an officer of the 红白理事会); fails 'followed_up', 'not_over_cap', 'no_point_item'.
 */
export async function followUpCeremony(
	actor: Actor,
	id: string,
	input: { followUp: string; savings: number | null; deductPoints?: boolean },
	now: Date = new Date()
): Promise<{ ok: true; deducted: number | null } | CeremonyFailure> {
	const today = shanghaiDay(now);
	const row = await readableFiling(actor, id, today);
	if (!(await mayFollowUp(actor, row, today))) error(403, '无权执行此操作');
	const { followUp } = storable({ followUp: input.followUp });
	const savings = input.savings;
	if (savings !== null && !(Number.isSafeInteger(savings) && savings >= 0))
		return fail('bad_figures', '节约金额须为 0 或正数', 'savings');
	if (input.deductPoints && !row.overCap)
		return fail('not_over_cap', '该备案未超出标准，不能按积分清单扣分', 'deductPoints');
	return db().transaction(async (tx) => {
		const item = input.deductPoints
			? (await adoptedPointItems(row.settlementId, tx)).find(
					(i) => i.code === wellKnownPointCodes.overCapBanquet && i.points !== 0
				)
			: undefined;
		if (input.deductPoints && !item)
			return fail(
				'no_point_item',
				'本安置点施行的积分清单中没有“红白事超标”扣分项，不能扣分',
				'deductPoints'
			);
		const [done] = await tx
			.update(f)
			.set({
				status: 'followed_up',
				followUp,
				savings,
				followedUpBy: actor.id,
				followedUpAt: now
			})
			.where(and(eq(f.id, row.id), eq(f.status, 'filed')))
			.returning({ id: f.id });
		if (!done) return fail('followed_up', '该备案已记录过跟进情况', 'followUp');
		let deducted: number | null = null;
		if (item) {
			const clauses = row.breaches.map((b) => `第${b.clauseNo}条`).join('、');
			const posted = await postPoints(tx, {
				householdId: row.householdId,
				settlementId: row.settlementId,
				regionPath: row.regionPath,
				delta: -Math.abs(item.points),
				source: 'deduct',
				reason: `${ceremonyKindWords[row.kind]}超出标准（${clauses}），${item.label}`,
				itemCode: item.code,
				ruleVersionId: item.ruleVersionId,
				ref: `ceremony:${row.id}`,
				actor
			});
			if (posted) {
				deducted = -Math.abs(item.points);
				await notifications.notify(tx, {
					userIds: await householdUserIds(tx, row.householdId),
					kind: 'points.deduct',
					title: `积分变动：${deducted} 分`,
					body: `红白理事会跟进您家 ${row.eventOn} 的${ceremonyKindWords[row.kind]}备案，按积分清单“${item.label}”扣 ${Math.abs(deducted)} 分。如有异议可在“我的积分”中申诉。`,
					link: '/points'
				});
			}
		}
		await audit.record(tx, {
			actor,
			action: 'ceremony.follow_up',
			entity: 'ceremony_filing',
			entityId: row.id,
			scopePath: row.regionPath,
			summary: { savings, deducted }
		});
		return { ok: true, deducted } as const;
	});
}

export interface FiguresRow {
	settlementId: string;
	settlementName: string;
	filings: number;
	overCap: number;
	savings: number;
}

/**
 * A year's figures per settlement the actor may see and in total: filings, over-cap filings,
 * savings (fen). Aggregates only, so a resident sees their own settlement's too.
 */
export async function ceremonyFigures(
	actor: Actor,
	q: { year: number; settlementId?: string }
): Promise<{
	year: number;
	rows: FiguresRow[];
	total: Omit<FiguresRow, 'settlementId' | 'settlementName'>;
}> {
	const empty = { year: q.year, rows: [], total: { filings: 0, overCap: 0, savings: 0 } };
	if (!canAnywhere(actor, 'ceremony.read') && !canAnywhere(actor, 'council.read')) return empty;
	if (!Number.isInteger(q.year) || q.year < 2000 || q.year > 2100) return empty;
	const where: SQL[] = [
		or(
			scopeFilter(actor, 'ceremony.read', { settlementId: st.id, regionPath: st.regionPath }),
			scopeFilter(actor, 'council.read', { settlementId: st.id, regionPath: st.regionPath })
		)!
	];
	if (q.settlementId !== undefined) {
		if (!isUuid(q.settlementId)) return empty;
		where.push(eq(st.id, q.settlementId));
	}
	const from = `${q.year}-01-01`;
	const to = `${q.year}-12-31`;
	const rows = await db()
		.select({
			settlementId: st.id,
			settlementName: st.name,
			filings: sql<number>`count(${f.id})::int`,
			overCap: sql<number>`count(${f.id}) filter (where ${f.overCap})::int`,
			savings: sql<string>`coalesce(sum(${f.savings}), 0)::text`
		})
		.from(st)
		.leftJoin(
			f,
			and(eq(f.settlementId, st.id), sql`${f.eventOn} >= ${from}`, sql`${f.eventOn} <= ${to}`)
		)
		.where(and(...where))
		.groupBy(st.id, st.name)
		.orderBy(asc(st.name), asc(st.id))
		.limit(1000);
	const shown = rows.map((r) => ({
		settlementId: r.settlementId,
		settlementName: r.settlementName,
		filings: Number(r.filings),
		overCap: Number(r.overCap),
		savings: Number(r.savings)
	}));
	return {
		year: q.year,
		rows: shown,
		total: {
			filings: shown.reduce((s, r) => s + r.filings, 0),
			overCap: shown.reduce((s, r) => s + r.overCap, 0),
			savings: shown.reduce((s, r) => s + r.savings, 0)
		}
	};
}

/** The settlements the actor may file for (staff), for the filing form's first step. */
export async function ceremonySettlements(actor: Actor) {
	return db()
		.select({ id: st.id, name: st.name })
		.from(st)
		.where(scopeFilter(actor, 'ceremony.file', { settlementId: st.id, regionPath: st.regionPath }))
		.orderBy(asc(st.name))
		.limit(1000);
}
