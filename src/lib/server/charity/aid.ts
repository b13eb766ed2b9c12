// 互助社 救急难: a mutual-aid group's rules, member households, their contributions, and
// emergency-aid cases — 先行救助 within the cap by one approver (paid at once, paperwork after),
// 个案会商 above it (N of M named approvers), each case reviewed afterwards. Every payout is a
// ledger entry of the group's fund, posted in the same transaction as the decision.
import { error } from '@sveltejs/kit';
import { and, desc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { AidCaseStatus } from '$lib/charity/vocab';
import { maskName } from '$lib/mask';
import type {
	AidCaseInput,
	AidGroupInput,
	AidMemberInput,
	AidReviewInput,
	AidVoteInput,
	ContributionInput
} from '$lib/schemas/aid';
import { shanghaiDay } from '$lib/working-days';
import { can, requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import { escapeLike } from '../db/like';
import type { Role } from '../db/schema';
import type { Failure } from '../failure';
import { isUuid, notFound } from '../settlements/shared';
import { mentionsHousehold } from './funds';
import { postTransaction } from './ledger';

const o = schema.organization;
const g = schema.aidGroup;
const mem = schema.aidMember;
const c = schema.aidCase;
const h = schema.household;

/** What the public ledger says a member's contribution came from: never the household. */
export const contributionCounterparty = '互助社社员';

// staff who may sit on a case conference besides the group's own people
const settlementStaff: Role[] = ['community_worker', 'point_admin', 'point_chief'];
const countyStaff: Role[] = ['chief_of_points', 'civil_affairs'];

/** A 互助社 as a resource for `can()`; null unless it is a mutual-aid group. */
async function groupResource(organizationId: string, executor: Executor = db()) {
	if (!isUuid(organizationId)) return null;
	const [row] = await executor
		.select({
			organizationId: o.id,
			regionPath: o.regionPath,
			name: o.name,
			settlementId: o.settlementId,
			verified: sql<boolean>`${o.verifiedAt} is not null`
		})
		.from(o)
		.where(and(eq(o.id, organizationId), eq(o.kind, 'mutual_aid_group')));
	return row ?? null;
}
type GroupResource = NonNullable<Awaited<ReturnType<typeof groupResource>>>;

const resourceOf = (r: GroupResource) => ({
	organizationId: r.organizationId,
	regionPath: r.regionPath
});

/** The group for the admin: 404 for a read the actor may not do, 403 for a write. */
async function managedGroup(
	actor: Actor,
	organizationId: string,
	kind: 'read' | 'write'
): Promise<GroupResource> {
	const res = await groupResource(organizationId);
	requirePermission(actor, 'aid.manage', res ? resourceOf(res) : {}, 'read');
	if (!res) notFound();
	if (kind === 'write') requirePermission(actor, 'aid.manage', resourceOf(res), 'write');
	return res;
}

async function settingsOf(organizationId: string, executor: Executor = db()) {
	const [row] = await executor.select().from(g).where(eq(g.organizationId, organizationId));
	return row ?? null;
}

/** A current member household of the group (joined, not left). */
async function isMember(executor: Executor, organizationId: string, householdId: string) {
	const [row] = await executor
		.select({ householdId: mem.householdId })
		.from(mem)
		.where(
			and(
				eq(mem.organizationId, organizationId),
				eq(mem.householdId, householdId),
				isNull(mem.leftOn)
			)
		);
	return !!row;
}

const memberEntity = (organizationId: string, householdId: string) =>
	`${organizationId}:${householdId}`;

// ---------------------------------------------------------------------------------------------
// the group and its rules

/** The 互助社 the actor manages, with each one's fund balance and cap when set up. */
export async function listAidGroups(actor: Actor) {
	requireAnywhere(actor, 'aid.manage', 'read');
	return db()
		.select({
			organizationId: o.id,
			name: o.name,
			verified: sql<boolean>`${o.verifiedAt} is not null`,
			fundId: g.fundId,
			capFen: g.aidFirstCapFen,
			quorum: g.quorum,
			approvers: sql<number>`coalesce(cardinality(${g.approverIds}), 0)`,
			balance: schema.fund.balance
		})
		.from(o)
		.leftJoin(g, eq(g.organizationId, o.id))
		.leftJoin(schema.fund, eq(schema.fund.id, g.fundId))
		.where(
			and(
				eq(o.kind, 'mutual_aid_group'),
				scopeFilter(actor, 'aid.manage', { organizationId: o.id })
			)
		)
		.orderBy(o.name)
		.limit(100);
}

/**
 * Who may be named an approver of the group: its own people (any role over the organisation),
 * the staff of its settlement, and county staff over it.
 */
export async function listAidApproverCandidates(
	actor: Actor,
	organizationId: string,
	executor: Executor = db()
) {
	const res = await managedGroup(actor, organizationId, 'read');
	return approverCandidates(res, executor);
}

async function approverCandidates(res: GroupResource, executor: Executor = db()) {
	const rg = schema.roleGrant;
	const u = schema.user;
	const [place] = res.settlementId
		? await executor
				.select({ regionPath: schema.settlement.regionPath })
				.from(schema.settlement)
				.where(eq(schema.settlement.id, res.settlementId))
		: [];
	const path = place?.regionPath ?? res.regionPath;
	const list = (roles: Role[]) =>
		sql.join(
			roles.map((r) => sql`${r}`),
			sql`, `
		);
	const where: SQL[] = [
		and(eq(rg.scopeKind, 'organization'), eq(rg.organizationId, res.organizationId))!,
		sql`(${rg.scopeKind} = 'region' and ${rg.role} in (${list(countyStaff)}) and ${path} like ${schema.region.path} || '%')`
	];
	if (res.settlementId)
		where.push(
			sql`(${rg.scopeKind} = 'settlement' and ${rg.settlementId} = ${res.settlementId} and ${rg.role} in (${list(settlementStaff)}))`
		);
	const rows = await executor
		.select({ id: u.id, displayName: u.displayName, role: rg.role })
		.from(rg)
		.innerJoin(u, eq(u.id, rg.userId))
		.leftJoin(schema.region, eq(schema.region.id, rg.regionId))
		.where(and(isNull(rg.revokedAt), isNull(u.disabledAt), or(...where)))
		.orderBy(u.displayName)
		.limit(500);
	const byUser = new Map<string, { id: string; displayName: string; roles: Role[] }>();
	for (const r of rows) {
		const x = byUser.get(r.id) ?? { id: r.id, displayName: r.displayName, roles: [] };
		if (!x.roles.includes(r.role)) x.roles.push(r.role);
		byUser.set(r.id, x);
	}
	return [...byUser.values()];
}

/** The group's page: its rules, fund, approvers, and the funds and people it may choose from. */
export async function getAidGroup(actor: Actor, organizationId: string) {
	const res = await managedGroup(actor, organizationId, 'read');
	const settings = await settingsOf(res.organizationId);
	const f = schema.fund;
	const funds = await db()
		.select({ id: f.id, name: f.name, kind: f.kind, balance: f.balance })
		.from(f)
		.where(eq(f.organizationId, res.organizationId))
		.orderBy(desc(f.createdAt))
		.limit(50);
	const candidates = await approverCandidates(res);
	const names = new Map(candidates.map((x) => [x.id, x.displayName]));
	const missing = (settings?.approverIds ?? []).filter((id) => !names.has(id));
	if (missing.length)
		for (const u of await db()
			.select({ id: schema.user.id, displayName: schema.user.displayName })
			.from(schema.user)
			.where(inArray(schema.user.id, missing)))
			names.set(u.id, u.displayName);
	const settlement = res.settlementId
		? (
				await db()
					.select({ name: schema.settlement.name })
					.from(schema.settlement)
					.where(eq(schema.settlement.id, res.settlementId))
			)[0]
		: undefined;
	const fund = settings ? funds.find((x) => x.id === settings.fundId) : undefined;
	return {
		group: {
			organizationId: res.organizationId,
			name: res.name,
			verified: res.verified,
			settlementId: res.settlementId,
			settlementName: settlement?.name ?? ''
		},
		settings: settings
			? {
					fundId: settings.fundId,
					fundName: fund?.name ?? '',
					balance: Number(fund?.balance ?? 0),
					capFen: Number(settings.aidFirstCapFen),
					quorum: settings.quorum,
					approvers: settings.approverIds.map((id) => ({ id, displayName: names.get(id) ?? '' }))
				}
			: null,
		funds: funds.map((x) => ({ ...x, balance: Number(x.balance) })),
		candidates,
		can: { manage: can(actor, 'aid.manage', resourceOf(res)) }
	};
}

/**
 * Sets the group's rules: its fund ('' opens a new 救急难 fund), the 先行救助 cap, and N of M
 * named approvers. Fails 'no_fund' for a fund of another organisation, 'not_candidate' for an
 * approver who is neither the group's nor its settlement's or county's staff.
 */
export async function saveAidGroup(
	actor: Actor,
	organizationId: string,
	input: AidGroupInput,
	now: Date = new Date()
): Promise<{ ok: true; fundId: string } | Failure<'unverified' | 'no_fund' | 'not_candidate'>> {
	const res = await managedGroup(actor, organizationId, 'write');
	if (!res.verified) return { ok: false, reason: 'unverified' };
	const candidates = new Set((await approverCandidates(res)).map((x) => x.id));
	if (input.approverIds.some((id) => !candidates.has(id)))
		return { ok: false, reason: 'not_candidate', field: 'approverIds' };
	if (input.quorum > input.approverIds.length)
		return { ok: false, reason: 'not_candidate', field: 'quorum' };
	return db().transaction(async (tx) => {
		let fundId = input.fundId;
		if (fundId) {
			const [own] = await tx
				.select({ id: schema.fund.id })
				.from(schema.fund)
				.where(and(eq(schema.fund.id, fundId), eq(schema.fund.organizationId, res.organizationId)));
			if (!own) return { ok: false, reason: 'no_fund', field: 'fundId' } as const;
		} else {
			const [created] = await tx
				.insert(schema.fund)
				.values({
					organizationId: res.organizationId,
					name: `${res.name}救急难互助金`,
					kind: 'emergency',
					description: '社员缴纳的互助金，用于社员家庭突发困难的先行救助和个案会商救助。',
					startsOn: shanghaiDay(now)
				})
				.returning({ id: schema.fund.id });
			fundId = created.id;
			await audit.record(tx, {
				actor,
				action: 'fund.create',
				entity: 'fund',
				entityId: fundId,
				scopePath: res.regionPath,
				summary: { organizationId: res.organizationId, kind: 'emergency' }
			});
		}
		const values = {
			fundId,
			aidFirstCapFen: input.capYuan,
			quorum: input.quorum,
			approverIds: input.approverIds
		};
		await tx
			.insert(g)
			.values({ organizationId: res.organizationId, ...values })
			.onConflictDoUpdate({ target: g.organizationId, set: values });
		await audit.record(tx, {
			actor,
			action: 'aid.group.save',
			entity: 'aid_group',
			entityId: res.organizationId,
			scopePath: res.regionPath,
			summary: { ...values, approverIds: input.approverIds.length }
		});
		return { ok: true, fundId } as const;
	});
}

// ---------------------------------------------------------------------------------------------
// members and contributions

const memberPageSize = 50;

/**
 * The group's member households, current first (newest joined first), by keyset. Names are
 * masked: a group's page never carries a household's full name or unit.
 */
export async function listAidMembers(
	actor: Actor,
	organizationId: string,
	q: { cursor?: string; all?: boolean } = {}
) {
	const res = await managedGroup(actor, organizationId, 'read');
	const where: SQL[] = [eq(mem.organizationId, res.organizationId)];
	if (!q.all) where.push(isNull(mem.leftOn));
	const [joined, id] = (q.cursor ?? '').split('_');
	if (joined && isUuid(id))
		where.push(
			or(lt(mem.joinedOn, joined), and(eq(mem.joinedOn, joined), gt(mem.householdId, id)))!
		);
	const rows = await db()
		.select({
			householdId: mem.householdId,
			joinedOn: mem.joinedOn,
			leftOn: mem.leftOn,
			headName: h.headName,
			building: h.building,
			status: h.status
		})
		.from(mem)
		.innerJoin(h, eq(h.id, mem.householdId))
		.where(and(...where))
		.orderBy(desc(mem.joinedOn), mem.householdId)
		.limit(memberPageSize + 1);
	const page = rows.slice(0, memberPageSize);
	const totals = await contributionTotals(
		res.organizationId,
		page.map((r) => r.householdId)
	);
	const last = page.at(-1);
	return {
		rows: page.map((r) => ({
			householdId: r.householdId,
			name: maskName(r.headName),
			building: r.building,
			joinedOn: r.joinedOn,
			leftOn: r.leftOn,
			moved: r.status !== 'active',
			contributed: totals.get(r.householdId) ?? 0
		})),
		next: rows.length > memberPageSize && last ? `${last.joinedOn}_${last.householdId}` : null
	};
}

/**
 * Each household's contributions, net of reversals. The ledger keeps no household (it is
 * public); the link is the audit entry written with each contribution.
 */
async function contributionTotals(organizationId: string, householdIds: string[]) {
	const totals = new Map<string, number>();
	if (householdIds.length === 0) return totals;
	const a = schema.auditEntry;
	const t = schema.fundTransaction;
	const rows = await db()
		.select({ entityId: a.entityId, total: sql<string>`sum(${t.amount})` })
		.from(a)
		.innerJoin(t, sql`${t.id}::text = ${a.summary}->>'transactionId'`)
		.where(
			and(
				eq(a.entity, 'aid_member'),
				eq(a.action, 'aid.contribution'),
				inArray(
					a.entityId,
					householdIds.map((id) => memberEntity(organizationId, id))
				),
				sql`not exists (select 1 from fund_transaction r where r.reverses_id = ${t.id})`
			)
		)
		.groupBy(a.entityId);
	for (const r of rows) totals.set(r.entityId!.split(':')[1], Number(r.total));
	return totals;
}

/** Households of the group's settlement whose head's name contains `q` (masked in the answer). */
export async function searchAidHouseholds(actor: Actor, organizationId: string, q: string) {
	const res = await managedGroup(actor, organizationId, 'read');
	const words = q.trim().slice(0, 30);
	if (!res.settlementId || !words) return [];
	const rows = await db()
		.select({
			id: h.id,
			headName: h.headName,
			building: h.building,
			member: sql<boolean>`exists (select 1 from aid_member m where m.organization_id = ${res.organizationId} and m.household_id = ${h.id} and m.left_on is null)`
		})
		.from(h)
		.where(
			and(
				eq(h.settlementId, res.settlementId),
				eq(h.status, 'active'),
				sql`${h.headName} like ${'%' + escapeLike(words) + '%'}`
			)
		)
		.orderBy(h.headName, h.id)
		.limit(20);
	return rows.map((r) => ({
		id: r.id,
		name: maskName(r.headName),
		building: r.building,
		member: r.member
	}));
}

/** The group's current members for a picker (masked names), at most 500. */
export async function listAidMemberChoices(actor: Actor, organizationId: string) {
	const res = await managedGroup(actor, organizationId, 'read');
	const rows = await db()
		.select({ id: h.id, headName: h.headName, building: h.building })
		.from(mem)
		.innerJoin(h, eq(h.id, mem.householdId))
		.where(and(eq(mem.organizationId, res.organizationId), isNull(mem.leftOn)))
		.orderBy(h.building, h.headName)
		.limit(500);
	return rows.map((r) => ({ id: r.id, name: maskName(r.headName), building: r.building }));
}

/**
 * A household of the group's settlement joins (or joins again) on a date. Fails 'wrong_place'
 * for a household elsewhere or moved out, 'already_member' for a current member.
 */
export async function addAidMember(
	actor: Actor,
	organizationId: string,
	input: AidMemberInput
): Promise<{ ok: true } | Failure<'wrong_place' | 'already_member'>> {
	const res = await managedGroup(actor, organizationId, 'write');
	const settlementId = res.settlementId;
	if (!settlementId) return { ok: false, reason: 'wrong_place', field: 'householdId' };
	return db().transaction(async (tx) => {
		const [home] = await tx
			.select({ id: h.id })
			.from(h)
			.where(
				and(eq(h.id, input.householdId), eq(h.settlementId, settlementId), eq(h.status, 'active'))
			);
		if (!home) return { ok: false, reason: 'wrong_place', field: 'householdId' } as const;
		const [was] = await tx
			.select({ leftOn: mem.leftOn })
			.from(mem)
			.where(and(eq(mem.organizationId, res.organizationId), eq(mem.householdId, home.id)))
			.for('update');
		if (was && !was.leftOn)
			return { ok: false, reason: 'already_member', field: 'householdId' } as const;
		if (was)
			await tx
				.update(mem)
				.set({ joinedOn: input.on, leftOn: null })
				.where(and(eq(mem.organizationId, res.organizationId), eq(mem.householdId, home.id)));
		else
			await tx
				.insert(mem)
				.values({ organizationId: res.organizationId, householdId: home.id, joinedOn: input.on });
		await audit.record(tx, {
			actor,
			action: 'aid.member.add',
			entity: 'aid_member',
			entityId: memberEntity(res.organizationId, home.id),
			scopePath: res.regionPath,
			summary: { joinedOn: input.on, again: !!was }
		});
		return { ok: true } as const;
	});
}

/** A member household leaves on a date. Fails 'not_member', or 'before_joined' for a date before it joined. */
export async function removeAidMember(
	actor: Actor,
	organizationId: string,
	input: AidMemberInput
): Promise<{ ok: true } | Failure<'not_member' | 'before_joined'>> {
	const res = await managedGroup(actor, organizationId, 'write');
	return db().transaction(async (tx) => {
		const [was] = await tx
			.select({ joinedOn: mem.joinedOn })
			.from(mem)
			.where(
				and(
					eq(mem.organizationId, res.organizationId),
					eq(mem.householdId, input.householdId),
					isNull(mem.leftOn)
				)
			)
			.for('update');
		if (!was) return { ok: false, reason: 'not_member', field: 'householdId' } as const;
		if (input.on < was.joinedOn)
			return { ok: false, reason: 'before_joined', field: 'on' } as const;
		await tx
			.update(mem)
			.set({ leftOn: input.on })
			.where(
				and(eq(mem.organizationId, res.organizationId), eq(mem.householdId, input.householdId))
			);
		await audit.record(tx, {
			actor,
			action: 'aid.member.remove',
			entity: 'aid_member',
			entityId: memberEntity(res.organizationId, input.householdId),
			scopePath: res.regionPath,
			summary: { leftOn: input.on }
		});
		return { ok: true } as const;
	});
}

/**
 * A member household's contribution: a 'contribution' entry of the group's fund, shown publicly
 * as from 互助社社员. Idempotent per key. Fails 'no_group' before the rules are set,
 * 'not_member', 'future' for a date after today, 'personal' when the memo names the household.
 */
export async function recordContribution(
	actor: Actor,
	organizationId: string,
	input: ContributionInput,
	now: Date = new Date()
): Promise<
	| { ok: true; id: string; no: number; duplicate: boolean }
	| Failure<'unverified' | 'no_group' | 'not_member' | 'future' | 'personal' | 'insufficient'>
> {
	const res = await managedGroup(actor, organizationId, 'write');
	if (!res.verified) return { ok: false, reason: 'unverified' };
	const settings = await settingsOf(res.organizationId);
	if (!settings) return { ok: false, reason: 'no_group' };
	if (input.occurredOn > shanghaiDay(now))
		return { ok: false, reason: 'future', field: 'occurredOn' };
	return db().transaction(async (tx) => {
		if (!(await isMember(tx, res.organizationId, input.householdId)))
			return { ok: false, reason: 'not_member', field: 'householdId' } as const;
		if (input.memo && (await mentionsHousehold(tx, input.householdId, [input.memo])))
			return { ok: false, reason: 'personal', field: 'memo' } as const;
		const posted = await postTransaction(tx, {
			fundId: settings.fundId,
			kind: 'contribution',
			amount: input.amount,
			memo: input.memo || '社员缴纳互助金',
			counterparty: contributionCounterparty,
			occurredOn: input.occurredOn,
			idempotencyKey: input.idempotencyKey,
			createdBy: actor.id
		});
		if (!posted.ok) return posted;
		if (!posted.duplicate)
			await audit.record(tx, {
				actor,
				action: 'aid.contribution',
				entity: 'aid_member',
				entityId: memberEntity(res.organizationId, input.householdId),
				scopePath: res.regionPath,
				summary: {
					fundId: settings.fundId,
					transactionId: posted.id,
					no: posted.no,
					amount: input.amount
				}
			});
		return posted;
	});
}

// ---------------------------------------------------------------------------------------------
// cases

/** The payout of a case: one per case, whoever posts it (the opening, the Nth vote, 'pay'). */
const payoutKey = (caseId: string) => `aid-case-${caseId}`;

async function payCase(
	tx: Executor,
	actor: Actor,
	kase: { id: string; amount: number },
	fundId: string,
	memo: string,
	now: Date
) {
	return postTransaction(tx, {
		fundId,
		kind: 'payout',
		amount: kase.amount,
		memo,
		aidCaseId: kase.id,
		occurredOn: shanghaiDay(now),
		idempotencyKey: payoutKey(kase.id),
		createdBy: actor.id
	});
}

/**
 * Opens an emergency-aid case for a member household. Within the cap it is 先行救助: the
 * opening admin is its one approver and the payout is posted at once ('paid_first'); if the
 * fund cannot cover it the case is refused whole ('insufficient', nothing written), so nobody
 * is told money is on its way when it is not. Above the cap it waits for the case conference.
 * The same idempotency key opens one case. Fails 'no_group', 'not_member', 'personal'.
 */
export async function openAidCase(
	actor: Actor,
	organizationId: string,
	input: AidCaseInput,
	now: Date = new Date()
): Promise<
	| { ok: true; id: string; no: number; status: AidCaseStatus; duplicate: boolean }
	| Failure<'unverified' | 'no_group' | 'not_member' | 'personal' | 'insufficient'>
> {
	const res = await managedGroup(actor, organizationId, 'write');
	if (!res.verified) return { ok: false, reason: 'unverified' };
	return db().transaction(async (tx) => {
		// the group's row orders every opening of a case: the idempotency check below sees them all
		const [settings] = await tx
			.select()
			.from(g)
			.where(eq(g.organizationId, res.organizationId))
			.for('update');
		if (!settings) return { ok: false, reason: 'no_group' } as const;
		const a = schema.auditEntry;
		const [seen] = await tx
			.select({ entityId: a.entityId })
			.from(a)
			.where(
				and(
					eq(a.actorId, actor.id),
					eq(a.action, 'aid.case.open'),
					gt(a.at, new Date(now.getTime() - 7 * 86_400_000)),
					sql`${a.summary}->>'idempotencyKey' = ${input.idempotencyKey}`
				)
			);
		if (seen?.entityId) {
			const [first] = await tx
				.select({ id: c.id, no: c.no, status: c.status })
				.from(c)
				.where(eq(c.id, seen.entityId));
			return { ok: true, ...first, duplicate: true } as const;
		}
		if (!(await isMember(tx, res.organizationId, input.householdId)))
			return { ok: false, reason: 'not_member', field: 'householdId' } as const;
		if (await mentionsHousehold(tx, input.householdId, [input.publicSummary]))
			return { ok: false, reason: 'personal', field: 'publicSummary' } as const;
		// the hardship is shown on the 互助社's own pages: an organisation never reads a household's name
		if (await mentionsHousehold(tx, input.householdId, [input.hardship]))
			return { ok: false, reason: 'personal', field: 'hardship' } as const;
		const id = crypto.randomUUID();
		const aidFirst = input.amount <= Number(settings.aidFirstCapFen);
		let transactionId: string | null = null;
		if (aidFirst) {
			// posted before the case row so a fund that cannot pay leaves nothing behind
			const paid = await payCase(
				tx,
				actor,
				{ id, amount: input.amount },
				settings.fundId,
				'先行救助',
				now
			);
			if (!paid.ok) return paid;
			transactionId = paid.id;
		}
		const status: AidCaseStatus = aidFirst ? 'paid_first' : 'conference';
		const [row] = await tx
			.insert(c)
			.values({
				id,
				organizationId: res.organizationId,
				householdId: input.householdId,
				hardship: input.hardship,
				publicSummary: input.publicSummary,
				amount: input.amount,
				status,
				createdBy: actor.id,
				paidAt: aidFirst ? now : null,
				transactionId
			})
			.returning({ id: c.id, no: c.no });
		await audit.record(tx, {
			actor,
			action: 'aid.case.open',
			entity: 'aid_case',
			entityId: row.id,
			scopePath: res.regionPath,
			summary: {
				no: row.no,
				status,
				amount: input.amount,
				idempotencyKey: input.idempotencyKey,
				transactionId
			}
		});
		return { ok: true, id: row.id, no: row.no, status, duplicate: false } as const;
	});
}

/** A case with what `can()` and the group's rules need about it; null when there is none. */
async function caseResource(caseId: string, executor: Executor = db()) {
	if (!isUuid(caseId)) return null;
	const [row] = await executor
		.select({
			id: c.id,
			organizationId: c.organizationId,
			regionPath: o.regionPath,
			status: c.status,
			approverIds: g.approverIds,
			quorum: g.quorum,
			fundId: g.fundId
		})
		.from(c)
		.innerJoin(o, eq(o.id, c.organizationId))
		.leftJoin(g, eq(g.organizationId, c.organizationId))
		.where(eq(c.id, caseId));
	return row ?? null;
}
type CaseResource = NonNullable<Awaited<ReturnType<typeof caseResource>>>;

const isApprover = (actor: Actor, kase: Pick<CaseResource, 'approverIds'>) =>
	(kase.approverIds ?? []).includes(actor.id);

/** The case for a read: the group's admin or a named approver; anyone else gets 404. */
async function readableCase(actor: Actor, caseId: string) {
	const kase = await caseResource(caseId);
	if (!kase) notFound();
	if (!can(actor, 'aid.manage', kase) && !isApprover(actor, kase)) notFound();
	return kase;
}

/**
 * One approver's vote in the case conference. The Nth approval approves the case and posts its
 * payout in the same transaction ('paid'); if the fund cannot cover it yet the case stays
 * 'approved' (unpaid) until the admin pays it. When so many reject that N approvals can no
 * longer come in, the case is rejected. 403 for anyone not named an approver; fails
 * 'already_voted', or 'closed' once the conference is over.
 */
export async function voteAidCase(
	actor: Actor,
	caseId: string,
	input: AidVoteInput,
	now: Date = new Date()
): Promise<
	{ ok: true; status: AidCaseStatus; unpaid: boolean } | Failure<'closed' | 'already_voted'>
> {
	const kase = await readableCase(actor, caseId);
	if (!isApprover(actor, kase)) error(403, '您不是本互助社指定的审批人');
	return db().transaction(async (tx) => {
		// the case's row orders the votes: exactly one of them is the Nth
		const [locked] = await tx
			.select({ status: c.status, amount: c.amount, no: c.no })
			.from(c)
			.where(eq(c.id, kase.id))
			.for('update');
		if (locked.status !== 'conference')
			return { ok: false, reason: 'closed', field: 'decision' } as const;
		const [settings] = await tx.select().from(g).where(eq(g.organizationId, kase.organizationId));
		const approve = input.decision === 'approve';
		const voted = await tx
			.insert(schema.aidApproval)
			.values({ caseId: kase.id, approverId: actor.id, approve, note: input.note, at: now })
			.onConflictDoNothing()
			.returning({ caseId: schema.aidApproval.caseId });
		if (voted.length === 0)
			return { ok: false, reason: 'already_voted', field: 'decision' } as const;
		const [tally] = await tx
			.select({
				yes: sql<string>`count(*) filter (where ${schema.aidApproval.approve})`,
				no: sql<string>`count(*) filter (where not ${schema.aidApproval.approve})`
			})
			.from(schema.aidApproval)
			.where(eq(schema.aidApproval.caseId, kase.id));
		const yes = Number(tally.yes);
		const nays = Number(tally.no);
		const approvers = settings.approverIds.length;
		let status: AidCaseStatus = 'conference';
		let unpaid = false;
		const set: Partial<typeof c.$inferInsert> = {};
		if (yes >= settings.quorum) {
			const paid = await payCase(
				tx,
				actor,
				{ id: kase.id, amount: Number(locked.amount) },
				settings.fundId,
				'个案会商救助',
				now
			);
			if (paid.ok) {
				status = 'paid';
				Object.assign(set, { paidAt: now, transactionId: paid.id });
			} else {
				status = 'approved';
				unpaid = true;
			}
		} else if (approvers - nays < settings.quorum) status = 'rejected';
		if (status !== 'conference')
			await tx
				.update(c)
				.set({ ...set, status })
				.where(eq(c.id, kase.id));
		await audit.record(tx, {
			actor,
			action: 'aid.case.vote',
			entity: 'aid_case',
			entityId: kase.id,
			scopePath: kase.regionPath,
			summary: { no: Number(locked.no), approve, yes, nays, status }
		});
		return { ok: true, status, unpaid } as const;
	});
}

/**
 * Pays an approved case that the fund could not cover when it was approved. Fails
 * 'insufficient' while it still cannot, 'closed' for a case that is not waiting for money.
 */
export async function payAidCase(
	actor: Actor,
	caseId: string,
	now: Date = new Date()
): Promise<{ ok: true } | Failure<'closed' | 'insufficient'>> {
	const kase = await readableCase(actor, caseId);
	requirePermission(actor, 'aid.manage', kase, 'write');
	return db().transaction(async (tx) => {
		const [locked] = await tx
			.select({ status: c.status, amount: c.amount, no: c.no })
			.from(c)
			.where(eq(c.id, kase.id))
			.for('update');
		if (locked.status !== 'approved' || !kase.fundId)
			return { ok: false, reason: 'closed' } as const;
		const paid = await payCase(
			tx,
			actor,
			{ id: kase.id, amount: Number(locked.amount) },
			kase.fundId,
			'个案会商救助',
			now
		);
		if (!paid.ok) return paid;
		await tx
			.update(c)
			.set({ status: 'paid', paidAt: now, transactionId: paid.id })
			.where(eq(c.id, kase.id));
		await audit.record(tx, {
			actor,
			action: 'aid.case.pay',
			entity: 'aid_case',
			entityId: kase.id,
			scopePath: kase.regionPath,
			summary: { no: Number(locked.no), transactionId: paid.id }
		});
		return { ok: true } as const;
	});
}

const reviewable: readonly AidCaseStatus[] = ['paid_first', 'paid', 'rejected'];

/**
 * The review every case gets afterwards (for 先行救助, the paperwork): a note, and the case is
 * 'reviewed'. Fails 'not_reviewable' for a case still open, unpaid or already reviewed.
 */
export async function reviewAidCase(
	actor: Actor,
	caseId: string,
	input: AidReviewInput,
	now: Date = new Date()
): Promise<{ ok: true } | Failure<'not_reviewable'>> {
	const kase = await readableCase(actor, caseId);
	requirePermission(actor, 'aid.manage', kase, 'write');
	return db().transaction(async (tx) => {
		const done = await tx
			.update(c)
			.set({ status: 'reviewed', reviewNote: input.note, reviewedAt: now, reviewedBy: actor.id })
			.where(and(eq(c.id, kase.id), inArray(c.status, [...reviewable])))
			.returning({ no: c.no });
		if (done.length === 0) return { ok: false, reason: 'not_reviewable', field: 'note' } as const;
		await audit.record(tx, {
			actor,
			action: 'aid.case.review',
			entity: 'aid_case',
			entityId: kase.id,
			scopePath: kase.regionPath,
			summary: { no: Number(done[0].no) }
		});
		return { ok: true } as const;
	});
}

/** One case for its admin or an approver: the internal hardship, votes, payout and review. */
export async function getAidCase(actor: Actor, caseId: string) {
	const kase = await readableCase(actor, caseId);
	const t = schema.fundTransaction;
	const [row] = await db()
		.select({
			id: c.id,
			no: c.no,
			organizationId: c.organizationId,
			organizationName: o.name,
			headName: h.headName,
			building: h.building,
			hardship: c.hardship,
			publicSummary: c.publicSummary,
			amount: c.amount,
			status: c.status,
			createdBy: c.createdBy,
			createdAt: c.createdAt,
			paidAt: c.paidAt,
			transactionId: c.transactionId,
			transactionNo: t.no,
			reviewNote: c.reviewNote,
			reviewedAt: c.reviewedAt,
			reviewedBy: c.reviewedBy
		})
		.from(c)
		.innerJoin(o, eq(o.id, c.organizationId))
		.innerJoin(h, eq(h.id, c.householdId))
		.leftJoin(t, eq(t.id, c.transactionId))
		.where(eq(c.id, kase.id));
	const a = schema.aidApproval;
	const votes = await db()
		.select({ approverId: a.approverId, approve: a.approve, note: a.note, at: a.at })
		.from(a)
		.where(eq(a.caseId, kase.id))
		.orderBy(a.at);
	const approverIds = kase.approverIds ?? [];
	const people = [
		...new Set([...approverIds, row.createdBy, ...(row.reviewedBy ? [row.reviewedBy] : [])])
	];
	const names = new Map(
		(
			await db()
				.select({ id: schema.user.id, name: schema.user.displayName })
				.from(schema.user)
				.where(inArray(schema.user.id, people))
		).map((u) => [u.id, u.name])
	);
	const [reversal] = row.transactionId
		? await db().select({ no: t.no }).from(t).where(eq(t.reversesId, row.transactionId))
		: [];
	const manage = can(actor, 'aid.manage', kase);
	const myVote = votes.find((v) => v.approverId === actor.id);
	return {
		case: {
			id: row.id,
			no: Number(row.no),
			organizationId: row.organizationId,
			organizationName: row.organizationName,
			household: `${maskName(row.headName)} · ${row.building}`,
			hardship: row.hardship,
			publicSummary: row.publicSummary,
			amount: Number(row.amount),
			status: row.status,
			createdByName: names.get(row.createdBy) ?? '',
			createdAt: row.createdAt,
			paidAt: row.paidAt,
			transactionNo: row.transactionNo === null ? null : Number(row.transactionNo),
			reversedByNo: reversal ? Number(reversal.no) : null,
			fundId: kase.fundId,
			reviewNote: row.reviewNote,
			reviewedAt: row.reviewedAt,
			reviewedByName: row.reviewedBy ? (names.get(row.reviewedBy) ?? '') : ''
		},
		quorum: kase.quorum ?? 0,
		approvers: approverIds.map((id) => ({
			id,
			displayName: names.get(id) ?? '',
			vote: votes.find((v) => v.approverId === id) ?? null
		})),
		votes: votes.map((v) => ({ ...v, displayName: names.get(v.approverId) ?? '' })),
		can: {
			vote: row.status === 'conference' && isApprover(actor, kase) && !myVote,
			pay: manage && row.status === 'approved',
			review: manage && reviewable.includes(row.status)
		}
	};
}

const casePageSize = 50;

/** The group's cases, newest first, by keyset on the case number. */
export async function listAidCases(
	actor: Actor,
	organizationId: string,
	q: { before?: number; status?: AidCaseStatus } = {}
) {
	const res = await managedGroup(actor, organizationId, 'read');
	const where: SQL[] = [eq(c.organizationId, res.organizationId)];
	if (q.before) where.push(lt(c.no, q.before));
	if (q.status) where.push(eq(c.status, q.status));
	const rows = await db()
		.select({
			id: c.id,
			no: c.no,
			publicSummary: c.publicSummary,
			amount: c.amount,
			status: c.status,
			createdAt: c.createdAt,
			headName: h.headName,
			approvals: sql<number>`(select count(*)::int from aid_approval a where a.case_id = ${c.id} and a.approve)`
		})
		.from(c)
		.innerJoin(h, eq(h.id, c.householdId))
		.where(and(...where))
		.orderBy(desc(c.no))
		.limit(casePageSize + 1);
	const page = rows.slice(0, casePageSize);
	return {
		rows: page.map(({ headName, ...r }) => ({
			...r,
			no: Number(r.no),
			amount: Number(r.amount),
			household: maskName(headName)
		})),
		next: rows.length > casePageSize ? Number(page.at(-1)!.no) : null
	};
}

/** The conference cases waiting for the actor's vote, in any group that named them. */
export async function listAidCasesAwaitingVote(actor: Actor) {
	const a = schema.aidApproval;
	const rows = await db()
		.select({
			id: c.id,
			no: c.no,
			organizationName: o.name,
			publicSummary: c.publicSummary,
			amount: c.amount,
			createdAt: c.createdAt
		})
		.from(c)
		.innerJoin(g, eq(g.organizationId, c.organizationId))
		.innerJoin(o, eq(o.id, c.organizationId))
		.where(
			and(
				eq(c.status, 'conference'),
				sql`${actor.id}::uuid = any(${g.approverIds})`,
				sql`not exists (select 1 from ${a} where ${a.caseId} = ${c.id} and ${a.approverId} = ${actor.id})`
			)
		)
		.orderBy(desc(c.no))
		.limit(50);
	return rows.map((r) => ({ ...r, no: Number(r.no), amount: Number(r.amount) }));
}

/** True when some 互助社 named the actor an approver (they see the cases awaiting their vote). */
export async function isAidApprover(actor: Actor): Promise<boolean> {
	const [row] = await db()
		.select({ id: g.organizationId })
		.from(g)
		.where(sql`${actor.id}::uuid = any(${g.approverIds})`)
		.limit(1);
	return !!row;
}
