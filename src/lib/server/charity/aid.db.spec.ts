import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { and, count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
	aidCaseSchema,
	aidGroupSchema,
	aidMemberSchema,
	aidReviewSchema,
	aidVoteSchema,
	contributionSchema,
	type AidCaseInput
} from '$lib/schemas/aid';
import { shanghaiDay } from '$lib/working-days';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createOrganization,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	addAidMember,
	getAidCase,
	getAidGroup,
	getPublicFund,
	ledgerBalance,
	listAidCases,
	listAidCasesAwaitingVote,
	listAidMembers,
	openAidCase,
	payAidCase,
	recordContribution,
	removeAidMember,
	reviewAidCase,
	saveAidGroup,
	searchAidHouseholds,
	voteAidCase
} from '.';

// 互助社 emergency aid: the group's rules, members, contributions, and cases — 先行救助 within the
// cap paid at once by the one approver, 个案会商 above it decided by N of M named approvers (paid
// in the Nth vote's transaction), rejection, approved-but-unpaid, review; the payout in the public
// ledger with the case's public summary only; another group's case is 404; the forms fuzzed.

useTestDatabase();

const now = new Date();
const today = shanghaiDay(now);
const key = () => randomUUID().replaceAll('-', '');

let county: County;
let settlement: Settlement;
let elsewhere: Household;
let outsider: Actor;
let charityMember: Actor;

beforeAll(async () => {
	county = await createCounty();
	settlement = await createSettlement(county);
	const other = await createSettlement(county);
	elsewhere = await createHousehold(other);
	const otherGroup = await createOrganization(county, { settlement: other });
	outsider = (await createUser({ grants: [{ role: 'mutual_aid_admin', on: otherGroup }] })).actor;
	charityMember = (
		await createUser({ grants: [{ role: 'org_member', on: await createOrganization(county) }] })
	).actor;
});

interface Group {
	id: string;
	fundId: string;
	admin: Actor;
	/** named approvers besides the admin: the point chief and civil affairs */
	chief: Actor;
	civil: Actor;
	/** a member of the group who is not named an approver */
	helper: Actor;
	households: (Household & { members: Member[] })[];
}

/** A verified 互助社 with its rules (cap, N of [admin, chief, civil]), members, and money in. */
async function group(
	opts: { capYuan?: number; quorum?: number; yuan?: number } = {}
): Promise<Group> {
	const org = await createOrganization(county, { settlement });
	const admin = (await createUser({ grants: [{ role: 'mutual_aid_admin', on: org }] })).actor;
	const helper = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;
	const chief = (await createUser({ grants: [{ role: 'point_chief', on: settlement }] })).actor;
	const civil = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] })).actor;
	const saved = await saveAidGroup(admin, org.id, {
		fundId: '',
		capYuan: (opts.capYuan ?? 500) * 100,
		quorum: opts.quorum ?? 2,
		approverIds: [admin.id, chief.id, civil.id]
	});
	if (!saved.ok) throw new Error(saved.reason);
	const households = [await createHousehold(settlement), await createHousehold(settlement)];
	for (const h of households) {
		const r = await addAidMember(admin, org.id, { householdId: h.id, on: '2026-01-01' });
		expect(r.ok).toBe(true);
	}
	const g = { id: org.id, fundId: saved.fundId, admin, chief, civil, helper, households };
	if (opts.yuan) await contribute(g, opts.yuan);
	return g;
}

async function contribute(g: Group, yuan: number, householdIndex = 0) {
	const r = await recordContribution(
		g.admin,
		g.id,
		{
			householdId: g.households[householdIndex].id,
			amount: yuan * 100,
			occurredOn: today,
			memo: '',
			idempotencyKey: key()
		},
		now
	);
	expect(r.ok).toBe(true);
	return r;
}

const caseInput = (g: Group, input: Partial<AidCaseInput> = {}): AidCaseInput => ({
	householdId: g.households[0].id,
	hardship: '户主突发重病住院，家中无其他收入来源，医药费无力承担。',
	publicSummary: '社员家庭突发重病',
	amount: 30_000,
	idempotencyKey: key(),
	...input
});

async function open(g: Group, input: Partial<AidCaseInput> = {}) {
	const r = await openAidCase(g.admin, g.id, caseInput(g, input), now);
	if (!r.ok) throw new Error(r.reason);
	return r;
}

const approve = (note = '同意') => ({ decision: 'approve' as const, note });
const reject = (note = '情况不符') => ({ decision: 'reject' as const, note });

async function payoutsOf(caseId: string) {
	const t = schema.fundTransaction;
	return db()
		.select()
		.from(t)
		.where(and(eq(t.aidCaseId, caseId), eq(t.kind, 'payout')));
}

describe('the group’s rules', () => {
	it('opens an emergency fund when none is chosen, and names N of M approvers', async () => {
		const g = await group();
		const page = await getAidGroup(g.admin, g.id);
		expect(page.settings).toMatchObject({ fundId: g.fundId, capFen: 50_000, quorum: 2 });
		expect(page.settings?.approvers.map((a) => a.id)).toEqual([g.admin.id, g.chief.id, g.civil.id]);
		expect(page.funds).toEqual([expect.objectContaining({ id: g.fundId, kind: 'emergency' })]);
		// the candidates: the group's own people and its settlement's and county's staff
		const ids = page.candidates.map((c) => c.id);
		expect(ids).toEqual(expect.arrayContaining([g.admin.id, g.helper.id, g.chief.id, g.civil.id]));
		expect(ids).not.toContain(outsider.id);
	});

	it('refuses an approver who is not a candidate, a fund of another organisation, and another group’s admin', async () => {
		const g = await group();
		const input = { fundId: g.fundId, capYuan: 50_000, quorum: 1, approverIds: [outsider.id] };
		expect(await saveAidGroup(g.admin, g.id, input)).toMatchObject({
			ok: false,
			reason: 'not_candidate',
			field: 'approverIds'
		});
		const other = await group();
		expect(
			await saveAidGroup(g.admin, g.id, {
				...input,
				fundId: other.fundId,
				approverIds: [g.admin.id]
			})
		).toMatchObject({ ok: false, reason: 'no_fund' });
		expect(await httpStatus(saveAidGroup(outsider, g.id, input))).toBe(404);
		expect(await httpStatus(getAidGroup(charityMember, g.id))).toBe(404);
		expect(await httpStatus(getAidGroup(g.chief, g.id))).toBe(404);
	});
});

describe('members and contributions', () => {
	it('adds households of the settlement only, once; removes them from a date; lets them join again', async () => {
		const g = await group();
		const [a, b] = g.households;
		expect(await addAidMember(g.admin, g.id, { householdId: a.id, on: today })).toMatchObject({
			ok: false,
			reason: 'already_member'
		});
		expect(
			await addAidMember(g.admin, g.id, { householdId: elsewhere.id, on: today })
		).toMatchObject({ ok: false, reason: 'wrong_place' });
		expect(
			await removeAidMember(g.admin, g.id, { householdId: b.id, on: '2025-12-31' })
		).toMatchObject({ ok: false, reason: 'before_joined' });
		expect(await removeAidMember(g.admin, g.id, { householdId: b.id, on: today })).toEqual({
			ok: true
		});
		expect((await listAidMembers(g.admin, g.id)).rows.map((r) => r.householdId)).toEqual([a.id]);
		const all = await listAidMembers(g.admin, g.id, { all: true });
		expect(all.rows.find((r) => r.householdId === b.id)?.leftOn).toBe(today);
		expect(await addAidMember(g.admin, g.id, { householdId: b.id, on: today })).toEqual({
			ok: true
		});
		expect(await httpStatus(addAidMember(outsider, g.id, { householdId: b.id, on: today }))).toBe(
			404
		);
	});

	it('finds households by the head’s name within the settlement, masked', async () => {
		const g = await group();
		const [a] = g.households;
		const found = await searchAidHouseholds(g.admin, g.id, a.headName);
		expect(found).toEqual([
			{ id: a.id, name: expect.stringMatching(/^.\*+$/), building: a.building, member: true }
		]);
		expect(await searchAidHouseholds(g.admin, g.id, elsewhere.headName)).toEqual([]);
		expect(await searchAidHouseholds(g.admin, g.id, '%')).toEqual([]);
	});

	it('posts a member’s contribution to the group’s fund as from 互助社社员', async () => {
		const g = await group();
		await contribute(g, 200);
		await contribute(g, 50, 1);
		await contribute(g, 100);
		expect(await ledgerBalance(g.fundId)).toBe(35_000);
		const members = await listAidMembers(g.admin, g.id);
		const by = new Map(members.rows.map((r) => [r.householdId, r.contributed]));
		expect(by.get(g.households[0].id)).toBe(30_000);
		expect(by.get(g.households[1].id)).toBe(5_000);
		const page = await getPublicFund(g.fundId);
		expect(
			page.entries.every((e) => e.kind === 'contribution' && e.counterparty === '互助社社员')
		).toBe(true);
		expect(
			await recordContribution(g.admin, g.id, {
				householdId: elsewhere.id,
				amount: 100,
				occurredOn: today,
				memo: '',
				idempotencyKey: key()
			})
		).toMatchObject({ ok: false, reason: 'not_member' });
	});
});

describe('先行救助 within the cap', () => {
	it('pays at once by the one approver who opens it: a payout entry of the group’s fund', async () => {
		const g = await group({ yuan: 1_000 });
		const r = await open(g, { amount: 30_000 });
		expect(r.status).toBe('paid_first');
		const [payout] = await payoutsOf(r.id);
		expect(payout).toMatchObject({ fundId: g.fundId, amount: 30_000, memo: '先行救助' });
		expect(await ledgerBalance(g.fundId)).toBe(70_000);
		const kase = await getAidCase(g.admin, r.id);
		expect(kase.case).toMatchObject({ status: 'paid_first', transactionNo: payout.no });
		expect(kase.can).toEqual({ vote: false, pay: false, review: true });
	});

	it('opens one case however often the same form is sent', async () => {
		const g = await group({ yuan: 1_000 });
		const input = caseInput(g, { amount: 10_000 });
		const results = await Promise.all(
			Array.from({ length: 10 }, () => openAidCase(g.admin, g.id, input, now))
		);
		expect(results.every((r) => r.ok)).toBe(true);
		expect(new Set(results.map((r) => (r.ok ? r.id : ''))).size).toBe(1);
		const [{ n }] = await db()
			.select({ n: count() })
			.from(schema.aidCase)
			.where(eq(schema.aidCase.organizationId, g.id));
		expect(n).toBe(1);
		expect(await ledgerBalance(g.fundId)).toBe(90_000);
	});

	it('refuses the case whole when the fund cannot pay it', async () => {
		const g = await group({ yuan: 100 });
		expect(await openAidCase(g.admin, g.id, caseInput(g, { amount: 20_000 }), now)).toMatchObject({
			ok: false,
			reason: 'insufficient'
		});
		expect((await listAidCases(g.admin, g.id)).rows).toEqual([]);
		expect(await ledgerBalance(g.fundId)).toBe(10_000);
	});

	it('refuses a non-member household, and a public summary or hardship that names the household', async () => {
		const g = await group({ yuan: 1_000 });
		expect(
			await openAidCase(g.admin, g.id, caseInput(g, { householdId: elsewhere.id }), now)
		).toMatchObject({ ok: false, reason: 'not_member' });
		const name = g.households[0].members[1].name;
		expect(
			await openAidCase(g.admin, g.id, caseInput(g, { publicSummary: `${name}家突发重病` }), now)
		).toMatchObject({ ok: false, reason: 'personal', field: 'publicSummary' });
		// the group's own pages show the hardship: no name there either
		expect(
			await openAidCase(
				g.admin,
				g.id,
				caseInput(g, { hardship: `${name}突发脑溢血住院，急需手术费` }),
				now
			)
		).toMatchObject({ ok: false, reason: 'personal', field: 'hardship' });
		expect(await httpStatus(openAidCase(outsider, g.id, caseInput(g), now))).toBe(404);
	});
});

describe('个案会商 above the cap', () => {
	it('needs N of the M named approvers; the Nth vote pays in its own transaction', async () => {
		const g = await group({ yuan: 2_000, quorum: 2 });
		const r = await open(g, { amount: 80_000 });
		expect(r.status).toBe('conference');
		expect(await payoutsOf(r.id)).toEqual([]);
		expect((await listAidCasesAwaitingVote(g.chief)).map((c) => c.id)).toContain(r.id);

		// not named: the group's other member may read nothing of it as an approver → 403 / 404
		expect(await httpStatus(voteAidCase(g.helper, r.id, approve()))).toBe(404);
		expect(await httpStatus(voteAidCase(outsider, r.id, approve()))).toBe(404);

		expect(await voteAidCase(g.chief, r.id, approve(), now)).toEqual({
			ok: true,
			status: 'conference',
			unpaid: false
		});
		expect(await voteAidCase(g.chief, r.id, approve(), now)).toMatchObject({
			ok: false,
			reason: 'already_voted'
		});
		expect((await listAidCasesAwaitingVote(g.chief)).map((c) => c.id)).not.toContain(r.id);
		expect(await voteAidCase(g.civil, r.id, approve(), now)).toEqual({
			ok: true,
			status: 'paid',
			unpaid: false
		});
		const payouts = await payoutsOf(r.id);
		expect(payouts).toHaveLength(1);
		expect(payouts[0]).toMatchObject({ amount: 80_000, memo: '个案会商救助' });
		expect(await ledgerBalance(g.fundId)).toBe(120_000);
		// the conference is over for the last approver
		expect(await voteAidCase(g.admin, r.id, approve(), now)).toMatchObject({
			ok: false,
			reason: 'closed'
		});
		const kase = await getAidCase(g.chief, r.id);
		expect(kase.case.status).toBe('paid');
		expect(kase.approvers.filter((a) => a.vote?.approve)).toHaveLength(2);
	});

	it('a member of the group who is not named gets 403 once they may read the case', async () => {
		const g = await group({ yuan: 2_000 });
		const r = await open(g, { amount: 60_000 });
		// the admin reads every case of the group; named only in this test's second group
		const other = await group({ yuan: 2_000 });
		const saved = await saveAidGroup(other.admin, other.id, {
			fundId: other.fundId,
			capYuan: 50_000,
			quorum: 1,
			approverIds: [other.chief.id]
		});
		expect(saved.ok).toBe(true);
		const theirs = await open(other, { amount: 60_000 });
		expect(await httpStatus(voteAidCase(other.admin, theirs.id, approve()))).toBe(403);
		expect(await httpStatus(voteAidCase(other.admin, r.id, approve()))).toBe(404);
	});

	it('concurrent votes of all approvers pay once', async () => {
		const g = await group({ yuan: 2_000, quorum: 2 });
		const r = await open(g, { amount: 90_000 });
		const results = await Promise.all(
			[g.admin, g.chief, g.civil].map((a) => voteAidCase(a, r.id, approve(), now))
		);
		expect(results.filter((x) => x.ok && x.status === 'paid')).toHaveLength(1);
		expect(await payoutsOf(r.id)).toHaveLength(1);
		expect(await ledgerBalance(g.fundId)).toBe(110_000);
	});

	it('is rejected once N approvals can no longer come in', async () => {
		const g = await group({ yuan: 2_000, quorum: 2 });
		const r = await open(g, { amount: 60_000 });
		expect(await voteAidCase(g.chief, r.id, reject(), now)).toMatchObject({ status: 'conference' });
		expect(await voteAidCase(g.admin, r.id, approve(), now)).toMatchObject({
			status: 'conference'
		});
		expect(await voteAidCase(g.civil, r.id, reject(), now)).toMatchObject({ status: 'rejected' });
		expect(await payoutsOf(r.id)).toEqual([]);
		expect(await ledgerBalance(g.fundId)).toBe(200_000);
		expect((await getAidCase(g.admin, r.id)).can.review).toBe(true);
	});

	it('stays approved but unpaid while the fund cannot cover it, and is paid once it can', async () => {
		const g = await group({ yuan: 600, quorum: 1 });
		const r = await open(g, { amount: 80_000 });
		expect(await voteAidCase(g.civil, r.id, approve(), now)).toEqual({
			ok: true,
			status: 'approved',
			unpaid: true
		});
		expect(await payoutsOf(r.id)).toEqual([]);
		expect((await getAidCase(g.admin, r.id)).can.pay).toBe(true);
		expect(await payAidCase(g.admin, r.id, now)).toMatchObject({
			ok: false,
			reason: 'insufficient'
		});
		expect(await httpStatus(payAidCase(g.civil, r.id, now))).toBe(403);
		await contribute(g, 300);
		const paid = await Promise.all([
			payAidCase(g.admin, r.id, now),
			payAidCase(g.admin, r.id, now)
		]);
		expect(paid.filter((p) => p.ok)).toHaveLength(1);
		expect(await payoutsOf(r.id)).toHaveLength(1);
		expect(await ledgerBalance(g.fundId)).toBe(10_000);
		expect((await getAidCase(g.admin, r.id)).case.status).toBe('paid');
	});
});

describe('review and visibility', () => {
	it('reviews a case once it is paid or rejected, once', async () => {
		const g = await group({ yuan: 2_000 });
		const first = await open(g, { amount: 10_000 });
		const conf = await open(g, { amount: 70_000 });
		const note = { note: '已补齐医院诊断证明和发票，手续完备。' };
		expect(await reviewAidCase(g.admin, conf.id, note, now)).toMatchObject({
			ok: false,
			reason: 'not_reviewable'
		});
		expect(await httpStatus(reviewAidCase(g.chief, first.id, note, now))).toBe(403);
		expect(await reviewAidCase(g.admin, first.id, note, now)).toEqual({ ok: true });
		expect(await reviewAidCase(g.admin, first.id, note, now)).toMatchObject({
			reason: 'not_reviewable'
		});
		const kase = await getAidCase(g.admin, first.id);
		expect(kase.case).toMatchObject({ status: 'reviewed', reviewNote: note.note });
	});

	it('shows the payout in the group’s public ledger with the public summary only', async () => {
		const g = await group({ yuan: 1_000 });
		const r = await open(g, { amount: 20_000, publicSummary: '社员家庭遭遇火灾' });
		const page = await getPublicFund(g.fundId);
		const payout = page.entries.find((e) => e.kind === 'payout');
		expect(payout?.aidCase).toEqual({ no: r.no, summary: '社员家庭遭遇火灾' });
		const text = JSON.stringify(page);
		expect(text).not.toContain('住院');
		for (const h of g.households) {
			for (const p of h.members) {
				expect(text).not.toContain(p.name);
				expect(text).not.toContain(p.idNumber);
			}
			expect(text).not.toContain(h.id);
		}
	});

	it('another group’s case is 404, and so is its list', async () => {
		const g = await group({ yuan: 1_000 });
		const r = await open(g, { amount: 10_000 });
		expect(await httpStatus(getAidCase(outsider, r.id))).toBe(404);
		expect(await httpStatus(getAidCase(charityMember, r.id))).toBe(404);
		expect(await httpStatus(getAidCase(g.admin, randomUUID()))).toBe(404);
		expect(await httpStatus(listAidCases(outsider, g.id))).toBe(404);
		expect(await httpStatus(reviewAidCase(outsider, r.id, { note: '复核意见写在这里' }))).toBe(404);
		expect(await httpStatus(listAidMembers(outsider, g.id))).toBe(404);
		// a named approver from the staff reads the case but not the group's lists
		expect((await getAidCase(g.chief, r.id)).case.id).toBe(r.id);
		expect(await httpStatus(listAidCases(g.chief, g.id))).toBe(404);
	});

	it('lists the group’s cases newest first with masked names', async () => {
		const g = await group({ yuan: 1_000 });
		const a = await open(g, { amount: 1_000 });
		const b = await open(g, { amount: 90_000 });
		const list = await listAidCases(g.admin, g.id);
		expect(list.rows.map((r) => r.id)).toEqual([b.id, a.id]);
		expect(list.rows[0].household).toMatch(/^.\*+$/);
		expect(
			(await listAidCases(g.admin, g.id, { status: 'conference' })).rows.map((r) => r.id)
		).toEqual([b.id]);
	});
});

// ---------------------------------------------------------------------------------------------
// the forms, fuzzed

const isCjk = /[\u3400-\u9fff]/;
const nasty = fc.constantFrom(
	'\u0000',
	'\u202e',
	'\ud800',
	'😀',
	'\r\n',
	"'; drop table aid_case; --",
	'<img src=x>',
	'-1',
	'1e309',
	'360731199001011234',
	'13800138000',
	'重病'
);
const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.array(nasty, { maxLength: 6 }).map((p) => p.join('')),
	fc.string({ unit: 'grapheme-composite', minLength: 1900, maxLength: 4000 }),
	fc.uuid().map(String),
	fc.constant('')
);
const amount = fc.oneof(
	fc.constantFrom('30', '0', '0.001', '500', '1,000', '99999999', '-5', 'abc'),
	fc.integer({ min: 0, max: 2_000_000 }).map((n) => (n / 100).toFixed(2))
);
const date = fc.oneof(
	fc.constantFrom('2026-02-30', '2026-13-01', today),
	fc
		.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
		.map((d) => d.toISOString().slice(0, 10))
);
const anything: fc.Arbitrary<unknown> = fc.oneof(
	text,
	fc.double(),
	fc.integer(),
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.array(fc.oneof(text, fc.uuid().map(String)), { maxLength: 25 })
);
const post = (fields: Record<string, fc.Arbitrary<unknown>>) =>
	fc.record(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fc.oneof(v, text)])));

const forms: Record<string, { schema: z.ZodType; fields: Record<string, fc.Arbitrary<unknown>> }> =
	{
		group: {
			schema: aidGroupSchema,
			fields: {
				fundId: fc.uuid().map(String),
				capYuan: amount,
				quorum: fc.integer({ min: -1, max: 25 }).map(String),
				approverIds: fc.array(fc.oneof(fc.uuid().map(String), text), { maxLength: 25 })
			}
		},
		member: { schema: aidMemberSchema, fields: { householdId: fc.uuid().map(String), on: date } },
		contribution: {
			schema: contributionSchema,
			fields: {
				householdId: fc.uuid().map(String),
				amount,
				occurredOn: date,
				memo: text,
				idempotencyKey: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/)
			}
		},
		case: {
			schema: aidCaseSchema,
			fields: {
				householdId: fc.uuid().map(String),
				hardship: text,
				publicSummary: text,
				amount,
				idempotencyKey: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/)
			}
		},
		vote: {
			schema: aidVoteSchema,
			fields: { decision: fc.constantFrom('approve', 'reject', 'maybe'), note: text }
		},
		review: { schema: aidReviewSchema, fields: { note: text } }
	};

describe('the aid forms, fuzzed', () => {
	it.each(Object.entries(forms))('%s: taken, or answered in Chinese at a field', (_, f) => {
		fc.assert(
			fc.property(post(f.fields), (input) => {
				const r = f.schema.safeParse(input);
				if (!r.success)
					for (const issue of r.error.issues) {
						expect(issue.message, JSON.stringify(issue)).toMatch(isCjk);
						expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
					}
				else expect(r.data).toBeTypeOf('object');
			}),
			{ numRuns: 300 }
		);
	});

	it.each(Object.entries(forms))('%s: never throws on values of any type', (_, f) => {
		fc.assert(
			fc.property(
				fc.dictionary(fc.constantFrom(...Object.keys(f.fields), 'x'), anything),
				(input) => {
					expect(() => f.schema.safeParse(input)).not.toThrow();
				}
			),
			{ numRuns: 200 }
		);
	});

	it('what the forms let through, the commands answer without an exception', async () => {
		const g = await group({ yuan: 500 });
		const member = g.households[0].id;
		await fc.assert(
			fc.asyncProperty(post(forms.case.fields), post(forms.contribution.fields), async (c, k) => {
				const cp = aidCaseSchema.safeParse({ ...c, householdId: member });
				if (cp.success) {
					const r = await openAidCase(g.admin, g.id, cp.data, now);
					expect(typeof r.ok).toBe('boolean');
				}
				const kp = contributionSchema.safeParse({ ...k, householdId: member });
				if (kp.success) {
					const r = await recordContribution(g.admin, g.id, kp.data, now);
					expect(typeof r.ok).toBe('boolean');
				}
				expect(await ledgerBalance(g.fundId)).toBeGreaterThanOrEqual(0);
			}),
			// each run writes to the database: report the first failure rather than shrink for minutes
			{ numRuns: 30, endOnFailure: true }
		);
	});
});
