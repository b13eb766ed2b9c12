import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { and, count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
	disbursementSchema,
	donationSchema,
	fundSchema,
	looksPersonal,
	reversalSchema,
	type DisbursementInput,
	type DonationInput,
	type FundInput
} from '$lib/schemas/funds';
import { shanghaiDay } from '$lib/working-days';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createNeed,
	createOrganization,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Organization
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	addDays,
	addMonths,
	createFund,
	getFund,
	getPublicFund,
	ledgerBalance,
	listFunds,
	listPublicFunds,
	publicLedgerCsv,
	publicLedgerXlsx,
	recordDisbursement,
	recordDonation,
	reverseEntry
} from '.';

// Funds and the public ledger: who may open funds and post to them, donations (named or
// 爱心人士, idempotent), disbursements (never beyond the balance, linked to a need's public
// title), reversals as the only correction, the public page and its exports without personal
// data, the disclosure deadlines, and the forms fuzzed.

useTestDatabase();

let county: County;
let org: Organization;
let otherOrg: Organization;
let unverified: Organization;
let member: Actor;
let otherMember: Actor;
let countyStaff: Actor;
let otherCountyStaff: Actor;
let pointAdmin: Actor;
let household: Household & { members: Member[] };

const now = new Date('2026-06-15T04:00:00Z');
const today = shanghaiDay(now);
const key = () => randomUUID().replaceAll('-', '');

beforeAll(async () => {
	county = await createCounty();
	const settlement = await createSettlement(county);
	household = await createHousehold(settlement, { members: 3 });
	org = await createOrganization(county);
	otherOrg = await createOrganization(county);
	unverified = await createOrganization(county, { verified: false });
	member = (
		await createUser({
			grants: [
				{ role: 'org_member', on: org },
				{ role: 'org_member', on: unverified }
			]
		})
	).actor;
	otherMember = (await createUser({ grants: [{ role: 'org_member', on: otherOrg }] })).actor;
	countyStaff = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] })).actor;
	otherCountyStaff = (
		await createUser({ grants: [{ role: 'civil_affairs', on: await createCounty(county.city) }] })
	).actor;
	pointAdmin = (await createUser({ grants: [{ role: 'point_admin', on: settlement }] })).actor;
});

function fundInput(input: Partial<FundInput> = {}): FundInput {
	return {
		organizationId: org.id,
		name: `助学项目${randomUUID().slice(0, 4)}`,
		kind: 'project',
		description: '资助安置点学生',
		startsOn: '2026-01-01',
		endsOn: '2026-11-30',
		materialYuan: 100_000,
		...input
	};
}

const donation = (input: Partial<DonationInput> = {}): DonationInput => ({
	amount: 100_000,
	counterparty: '某某公司',
	anonymous: false,
	occurredOn: today,
	memo: '助学捐款',
	idempotencyKey: key(),
	...input
});

const disbursement = (input: Partial<DisbursementInput> = {}): DisbursementInput => ({
	amount: 30_000,
	needId: '',
	occurredOn: today,
	memo: '资助学费',
	idempotencyKey: key(),
	...input
});

async function newFund(input: Partial<FundInput> = {}, actor = member) {
	const r = await createFund(actor, fundInput(input));
	if (!r.ok) throw new Error(r.reason);
	return r.id;
}

async function funded(yuan: number, input: Partial<FundInput> = {}) {
	const fundId = await newFund(input);
	if (yuan > 0) {
		const r = await recordDonation(member, fundId, donation({ amount: yuan * 100 }), now);
		expect(r.ok).toBe(true);
	}
	return fundId;
}

describe('createFund', () => {
	it('opens a fund for the member’s own verified organisation, audited', async () => {
		const id = await newFund({ materialYuan: 50_000 });
		const [f] = await db().select().from(schema.fund).where(eq(schema.fund.id, id));
		expect(f).toMatchObject({ organizationId: org.id, materialFen: 50_000, balance: 0 });
		const [{ n }] = await db()
			.select({ n: count() })
			.from(schema.auditEntry)
			.where(and(eq(schema.auditEntry.action, 'fund.create'), eq(schema.auditEntry.entityId, id)));
		expect(n).toBe(1);
	});

	it('refuses another organisation (403) and an unverified one', async () => {
		expect(await httpStatus(createFund(otherMember, fundInput()))).toBe(403);
		expect(await httpStatus(createFund(countyStaff, fundInput()))).toBe(403);
		expect(await createFund(member, fundInput({ organizationId: unverified.id }))).toMatchObject({
			ok: false,
			reason: 'unverified'
		});
	});
});

describe('donations and disbursements', () => {
	it('shows an anonymous donor as 爱心人士, a named one by the name given', async () => {
		const fundId = await newFund();
		await recordDonation(member, fundId, donation({ anonymous: true }), now);
		await recordDonation(member, fundId, donation({ counterparty: '' }), now);
		await recordDonation(member, fundId, donation({ counterparty: '于都某商会' }), now);
		const page = await getPublicFund(fundId, {}, now);
		expect(page.entries.map((e) => e.counterparty).sort()).toEqual(
			['于都某商会', '爱心人士', '爱心人士'].sort()
		);
		expect(page.totals).toMatchObject({ in: 300_000, out: 0, balance: 300_000 });
	});

	it('posts one donation per form however often it is sent', async () => {
		const fundId = await newFund();
		const input = donation();
		const results = await Promise.all(
			Array.from({ length: 10 }, () => recordDonation(member, fundId, input, now))
		);
		expect(results.filter((r) => r.ok && !r.duplicate)).toHaveLength(1);
		expect(results.every((r) => r.ok)).toBe(true);
		expect(await ledgerBalance(fundId)).toBe(100_000);
		const [{ n }] = await db()
			.select({ n: count() })
			.from(schema.auditEntry)
			.where(
				and(eq(schema.auditEntry.action, 'fund.donation'), eq(schema.auditEntry.entityId, fundId))
			);
		expect(n).toBe(1);
	});

	it('refuses a date after today', async () => {
		const fundId = await newFund();
		expect(
			await recordDonation(member, fundId, donation({ occurredOn: addDays(today, 1) }), now)
		).toMatchObject({ ok: false, reason: 'future', field: 'occurredOn' });
	});

	it('refuses a disbursement the balance does not cover, and writes nothing', async () => {
		const fundId = await funded(100);
		expect(
			await recordDisbursement(member, fundId, disbursement({ amount: 10_001 }), now)
		).toMatchObject({ ok: false, reason: 'insufficient', field: 'amount' });
		expect(
			await recordDisbursement(member, fundId, disbursement({ amount: 10_000 }), now)
		).toMatchObject({ ok: true });
		const f = await getFund(member, fundId, {}, now);
		expect(f.totals).toMatchObject({ in: 10_000, out: 10_000, balance: 0 });
		expect(f.entries).toHaveLength(2);
	});

	it('links a disbursement to a verified need and shows only its public title', async () => {
		const fundId = await funded(1_000);
		const need = await createNeed(household, member, { title: '学生学费资助' });
		const pending = await createNeed(household, member, { title: '待核实', status: 'pending' });
		expect(
			await recordDisbursement(member, fundId, disbursement({ needId: pending.id }), now)
		).toMatchObject({ ok: false, reason: 'no_need', field: 'needId' });
		expect(
			await recordDisbursement(
				member,
				fundId,
				disbursement({ needId: need.id, memo: `给${household.headName}的学费` }),
				now
			)
		).toMatchObject({ ok: false, reason: 'personal', field: 'memo' });
		const r = await recordDisbursement(member, fundId, disbursement({ needId: need.id }), now);
		expect(r.ok).toBe(true);
		const page = await getPublicFund(fundId, {}, now);
		const out = page.entries.find((e) => e.kind === 'disbursement');
		expect(out?.need).toEqual({ no: need.no, title: '学生学费资助' });
	});
});

describe('reverseEntry', () => {
	it('corrects only by a reversing entry with its reason, once; the original shows as reversed', async () => {
		const fundId = await funded(1_000);
		const out = await recordDisbursement(member, fundId, disbursement({ amount: 20_000 }), now);
		if (!out.ok) throw new Error(out.reason);
		const results = await Promise.all([
			reverseEntry(member, fundId, { transactionId: out.id, reason: '金额录入错误' }, now),
			reverseEntry(member, fundId, { transactionId: out.id, reason: '金额录入错误' }, now)
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.find((r) => !r.ok)).toMatchObject({ reason: 'already_reversed' });
		const page = await getPublicFund(fundId, {}, now);
		const orig = page.entries.find((e) => e.id === out.id)!;
		const back = page.entries.find((e) => e.kind === 'reversal')!;
		expect(orig.reversedBy).toEqual({ id: back.id, no: back.no });
		expect(back).toMatchObject({
			reverses: { id: out.id, no: orig.no },
			direction: 'in',
			memo: '金额录入错误',
			amount: 20_000
		});
		expect(page.totals).toMatchObject({ in: 100_000, out: 0, balance: 100_000 });
		expect(await ledgerBalance(fundId)).toBe(100_000);
	});

	it('refuses to reverse a donation already spent, and an entry of another fund', async () => {
		const fundId = await newFund();
		const gift = await recordDonation(member, fundId, donation({ amount: 50_000 }), now);
		if (!gift.ok) throw new Error(gift.reason);
		await recordDisbursement(member, fundId, disbursement({ amount: 40_000 }), now);
		expect(
			await reverseEntry(member, fundId, { transactionId: gift.id, reason: '捐赠退回' }, now)
		).toMatchObject({ ok: false, reason: 'insufficient' });
		const elsewhere = await newFund();
		expect(
			await reverseEntry(member, elsewhere, { transactionId: gift.id, reason: '捐赠退回' }, now)
		).toMatchObject({ ok: false, reason: 'not_found' });
	});
});

describe('who sees and posts what', () => {
	it('another organisation’s member and settlement staff get 404; county staff read but may not post', async () => {
		const fundId = await funded(10);
		expect(await httpStatus(getFund(otherMember, fundId))).toBe(404);
		expect(await httpStatus(getFund(pointAdmin, fundId))).toBe(404);
		expect(await httpStatus(getFund(otherCountyStaff, fundId))).toBe(404);
		expect(await httpStatus(recordDonation(otherMember, fundId, donation(), now))).toBe(404);
		const seen = await getFund(countyStaff, fundId, {}, now);
		expect(seen.can.post).toBe(false);
		expect(await httpStatus(recordDonation(countyStaff, fundId, donation(), now))).toBe(403);
		expect(await httpStatus(recordDisbursement(countyStaff, fundId, disbursement(), now))).toBe(
			403
		);
		expect((await getFund(member, fundId, {}, now)).can.post).toBe(true);
		expect(await httpStatus(getFund(member, randomUUID()))).toBe(404);
		expect(await httpStatus(getFund(member, 'not-a-uuid'))).toBe(404);
	});

	it('lists each actor’s funds only', async () => {
		const mine = await newFund();
		const theirs = await newFund({ organizationId: otherOrg.id }, otherMember);
		const ids = async (a: Actor) => (await listFunds(a)).rows.map((r) => r.id);
		expect(await ids(member)).toContain(mine);
		expect(await ids(member)).not.toContain(theirs);
		expect(await ids(otherMember)).toEqual([theirs]);
		expect(await ids(countyStaff)).toEqual(expect.arrayContaining([mine, theirs]));
		expect(await ids(otherCountyStaff)).toEqual([]);
		expect(await httpStatus(listFunds(pointAdmin))).toBe(404);
	});
});

describe('the public ledger', () => {
	it('carries no name, unit, ID number or phone of the household helped', async () => {
		const fundId = await funded(5_000);
		const need = await createNeed(household, member, {
			title: '大学新生学费',
			detail: `${household.headName} 家孩子考上大学`
		});
		await recordDisbursement(member, fundId, disbursement({ needId: need.id }), now);
		const page = JSON.stringify(await getPublicFund(fundId, {}, now));
		const csv = await new Response((await publicLedgerCsv(fundId, now)).stream).text();
		for (const text of [page, csv]) {
			expect(text).toContain('大学新生学费');
			for (const p of household.members) {
				expect(text).not.toContain(p.name);
				expect(text).not.toContain(p.idNumber);
				if (p.phone) expect(text).not.toContain(p.phone);
			}
			expect(text).not.toContain(`${household.building}${household.unitNo}${household.room}`);
			expect(text).not.toContain(need.detail);
		}
	});

	it('shows the deadlines: material entries within 30 days (late flagged), a project’s remainder within 3 months of its end', async () => {
		// entries are published when they are entered (created_at), so this test runs on the real clock
		const at = new Date();
		const day = shanghaiDay(at);
		const fundId = await newFund({
			materialYuan: 100_000,
			startsOn: '2025-01-01',
			endsOn: '2099-11-30'
		});
		// entered now: one that happened 40 days ago is late, one 10 days ago is in time
		await recordDonation(
			member,
			fundId,
			donation({ amount: 200_000, occurredOn: addDays(day, -40) }),
			at
		);
		await recordDonation(
			member,
			fundId,
			donation({ amount: 100_000, occurredOn: addDays(day, -10) }),
			at
		);
		await recordDonation(
			member,
			fundId,
			donation({ amount: 99_999, occurredOn: addDays(day, -60) }),
			at
		);
		const page = await getPublicFund(fundId, {}, at);
		const by = (amount: number) => page.entries.find((e) => e.amount === amount)!;
		expect(by(200_000)).toMatchObject({
			material: true,
			deadline: addDays(day, -10),
			late: true,
			publishedOn: day
		});
		expect(by(100_000)).toMatchObject({ material: true, deadline: addDays(day, 20), late: false });
		expect(by(99_999)).toMatchObject({ material: false, deadline: null, late: false });
		expect(page.disclosure).toMatchObject({
			materialEntries: 2,
			lateEntries: 1,
			remainderDeadline: '2100-02-28',
			projectEnded: false
		});
		const emergency = await newFund({ kind: 'emergency', endsOn: '' });
		expect((await getPublicFund(emergency, {}, now)).disclosure.remainderDeadline).toBeNull();
		const ended = await newFund({ startsOn: '2025-01-01', endsOn: '2026-01-31' });
		expect((await getPublicFund(ended, {}, now)).disclosure).toMatchObject({
			remainderDeadline: '2026-04-30',
			projectEnded: true
		});
	});

	it('pages entries by keyset, newest first', async () => {
		const fundId = await newFund();
		for (let i = 1; i <= 55; i++)
			await recordDonation(member, fundId, donation({ amount: i * 100 }), now);
		const first = await getPublicFund(fundId, {}, now);
		expect(first.entries).toHaveLength(50);
		expect(first.entries[0].amount).toBe(5_500);
		expect(first.next).not.toBeNull();
		const second = await getPublicFund(fundId, { before: first.next! }, now);
		expect(second.entries.map((e) => e.amount)).toEqual([500, 400, 300, 200, 100]);
		expect(second.next).toBeNull();
	});

	it('is 404 for an unverified organisation’s fund or none at all; the list has only verified ones', async () => {
		const [hidden] = await db()
			.insert(schema.fund)
			.values({ organizationId: unverified.id, name: '未认证', kind: 'project', startsOn: today })
			.returning();
		expect(await httpStatus(getPublicFund(hidden.id))).toBe(404);
		expect(await httpStatus(getPublicFund(randomUUID()))).toBe(404);
		expect(await httpStatus(publicLedgerCsv(hidden.id))).toBe(404);
		const listed: string[] = [];
		for (let cursor: string | undefined, n = 0; n < 20; n++) {
			const page = await listPublicFunds({ cursor });
			listed.push(...page.rows.map((r) => r.id));
			if (!page.next) break;
			cursor = page.next;
		}
		expect(listed).not.toContain(hidden.id);
		expect(listed.length).toBeGreaterThan(5);
	});

	it('exports CSV with a BOM and XLSX, amounts in yuan with 2 decimals', async () => {
		const fundId = await newFund({ name: '助学基金' });
		await recordDonation(
			member,
			fundId,
			donation({ amount: 123_456, counterparty: '=HYPERLINK("x")' }),
			now
		);
		await recordDisbursement(
			member,
			fundId,
			disbursement({ amount: 3_005, memo: '书本费, "教材"' }),
			now
		);
		const csv = await publicLedgerCsv(fundId, now);
		expect(csv.fileName).toBe('助学基金-公开台账.csv');
		const bytes = new Uint8Array(await new Response(csv.stream).arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const lines = new TextDecoder()
			.decode(bytes)
			.replace(/^\uFEFF/, '')
			.trim()
			.split('\r\n');
		expect(lines).toHaveLength(3);
		expect(lines[0]).toMatch(/^序号,发生日期,类型,收入（元）,支出（元）/);
		expect(lines[1]).toContain(',捐赠收入,1234.56,,');
		// a formula-looking donor name is written as text
		expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
		expect(lines[2]).toContain(',支出,,30.05,');
		expect(lines[2]).toContain('"书本费, ""教材"""');

		const xlsx = await publicLedgerXlsx(fundId, now);
		const book = new ExcelJS.Workbook();
		await book.xlsx.load(xlsx.file as unknown as ArrayBuffer);
		const sheet = book.getWorksheet('公开台账')!;
		expect(sheet.rowCount).toBe(3);
		expect(sheet.getRow(2).getCell(4).value).toBe(1234.56);
		expect(sheet.getRow(3).getCell(5).value).toBe(30.05);
		expect(sheet.getRow(2).getCell(4).numFmt).toBe('#,##0.00');
		const totals = book.getWorksheet('汇总')!;
		const facts = Object.fromEntries(
			totals.getSheetValues().flatMap((r) => (Array.isArray(r) ? [[r[1], r[2]]] : []))
		);
		expect(facts['余额（元）']).toBe(1204.51);
	});
});

describe('date helpers', () => {
	it('adds months, keeping to the end of shorter months', () => {
		expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
		expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
		expect(addMonths('2026-01-15', 3)).toBe('2026-04-15');
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
	});
});

// ---------------------------------------------------------------------------------------------
// the forms, fuzzed

const isCjk = /[\u3400-\u9fff]/;

const nasty = fc.constantFrom(
	'\u0000',
	'\u202e',
	'\ufeff',
	'\ud800',
	'😀',
	'\r\n',
	'　',
	"'; drop table fund; --",
	'<script>alert(1)</script>',
	'NaN',
	'-1',
	'1e309',
	'¥',
	'1,000.005',
	'360731199001011234',
	'13800138000',
	'助学'
);
const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'binary', maxLength: 200 }),
	fc.array(nasty, { maxLength: 6 }).map((p) => p.join('')),
	fc.string({ unit: 'grapheme-composite', minLength: 900, maxLength: 3000 }),
	fc.uuid().map(String),
	fc.constant('')
);
const anything: fc.Arbitrary<unknown> = fc.oneof(
	text,
	fc.double(),
	fc.integer(),
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.array(text, { maxLength: 3 })
);
const amount = fc.oneof(
	fc.constantFrom('30', '0', '0.001', '30.5', '1,000', '¥12.30', '99999999999', '-5', '1e3'),
	fc.integer({ min: 0, max: 10_000_000 }).map((n) => (n / 100).toFixed(2))
);
const date = fc.oneof(
	fc.constantFrom('2026-02-30', '2026-13-01', '1999-12-31', '26-1-1', today),
	fc
		.date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
		.map((d) => d.toISOString().slice(0, 10))
);

/** A post of the form: each field a string from its own values or anything nasty. */
const post = (fields: Record<string, fc.Arbitrary<string>>, flags: string[] = []) =>
	fc.record(
		Object.fromEntries([
			...Object.entries(fields).map(([k, v]) => [k, fc.oneof(v, text)] as const),
			...flags.map((k) => [k, fc.boolean()] as const)
		])
	);

function answered(schema: z.ZodType, input: unknown) {
	const result = schema.safeParse(input);
	if (result.success) return result;
	for (const issue of result.error.issues) {
		expect(issue.message, JSON.stringify(issue)).toMatch(isCjk);
		expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
	}
	return result;
}

describe('the fund forms, fuzzed', () => {
	const forms = {
		fund: {
			schema: fundSchema,
			fields: {
				organizationId: fc.uuid().map(String),
				name: text,
				kind: fc.constantFrom('project', 'emergency', 'other'),
				description: text,
				startsOn: date,
				endsOn: date,
				materialYuan: amount
			}
		},
		donation: {
			schema: donationSchema,
			fields: {
				amount,
				counterparty: text,
				occurredOn: date,
				memo: text,
				idempotencyKey: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/)
			},
			flags: ['anonymous']
		},
		disbursement: {
			schema: disbursementSchema,
			fields: {
				amount,
				needId: fc.uuid().map(String),
				occurredOn: date,
				memo: text,
				idempotencyKey: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/)
			}
		},
		reversal: {
			schema: reversalSchema,
			fields: { transactionId: fc.uuid().map(String), reason: text }
		}
	};

	it.each(Object.entries(forms))(
		'%s: a posted form is taken or answered in Chinese at a field',
		(_, f) => {
			fc.assert(
				fc.property(post(f.fields, 'flags' in f ? f.flags : []), (input) => {
					const r = answered(f.schema, input);
					if (r.success) {
						const data = r.data as Record<string, unknown>;
						for (const k of ['memo', 'name', 'counterparty', 'reason'])
							if (typeof data[k] === 'string') expect(looksPersonal(data[k] as string)).toBe(false);
						if (typeof data.amount === 'number') {
							expect(Number.isSafeInteger(data.amount)).toBe(true);
							expect(data.amount).toBeGreaterThan(0);
						}
					}
				}),
				{ numRuns: 300 }
			);
		}
	);

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
		expect(f.schema.safeParse(undefined).success).toBe(false);
	});

	it('what the forms let through, the commands answer without an exception', async () => {
		const fundId = await funded(100);
		await fc.assert(
			fc.asyncProperty(
				post(forms.donation.fields, ['anonymous']),
				post(forms.disbursement.fields),
				async (d, o) => {
					const dp = donationSchema.safeParse(d);
					if (dp.success) {
						const r = await recordDonation(member, fundId, dp.data, now);
						expect(typeof r.ok).toBe('boolean');
					}
					const op = disbursementSchema.safeParse(o);
					if (op.success) {
						const r = await recordDisbursement(member, fundId, op.data, now);
						expect(r.ok || ['insufficient', 'no_need', 'future'].includes(r.reason)).toBe(true);
					}
					expect(await ledgerBalance(fundId)).toBeGreaterThanOrEqual(0);
				}
			),
			// each run writes to the database: report the first failure rather than shrink for minutes
			{ numRuns: 40, endOnFailure: true }
		);
	});
});
