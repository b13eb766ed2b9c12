import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	ceremonyInput,
	ceremonySchema,
	followUpInput,
	followUpSchema
} from '$lib/schemas/governance-councils';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createHousehold,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import { makeCouncil, makeMember, makeRuleVersion } from '../../../../tests/governance-councils';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	ceremonyFigures,
	fileCeremony,
	followUpCeremony,
	getCeremony,
	listCeremonies
} from './ceremonies';

useTestDatabase();

const { ceremonyFiling, notification, pointsEntry, pointsAccount, auditEntry } = schema;

let county: County;
let a: Settlement;
let b: Settlement;
/** a settlement whose rules set no caps */
let c: Settlement;
let homeA: Household & { members: Member[] };
let homeA2: Household & { members: Member[] };
let homeA3: Household & { members: Member[] };
let homeB: Household & { members: Member[] };
let homeC: Household & { members: Member[] };
let residentA: Actor;
/** a resident of A on the 红白理事会 (plain member) */
let wfMember: Actor;
/** a resident of A, chair of the 红白理事会 */
let wfChair: Actor;
/** a resident of A on the 道德评议会 */
let moralMember: Actor;
/** a resident of A on the 村民议事会 only */
let talkMember: Actor;
/** a resident of A whose seat on the 红白理事会 ended */
let formerMember: Actor;
let residentB: Actor;
let residentC: Actor;
let adminA: Actor;
let chiefA: Actor;
let workerA: Actor;
let adminB: Actor;
let civil: Actor;
let stranger: Actor;
let strictRuleTitle: string;
let strictVersionId: string;

/** A filing form as posted, parsed and turned into what the command takes. */
const wedding = (input: Record<string, unknown> = {}) =>
	ceremonyInput(
		ceremonySchema.parse({
			kind: 'wedding',
			eventOn: '2026-10-01',
			tables: '8',
			guests: '200',
			bridePrice: '28,000',
			gifts: '喜糖、喜烟',
			idempotencyKey: crypto.randomUUID().replaceAll('-', ''),
			...input
		})
	);
const funeral = (input: Record<string, unknown> = {}) =>
	ceremonyInput(
		ceremonySchema.parse({
			kind: 'funeral',
			eventOn: '2026-03-01',
			tables: '10',
			guests: '150',
			banquetDays: '1',
			idempotencyKey: crypto.randomUUID().replaceAll('-', ''),
			...input
		})
	);

beforeAll(async () => {
	county = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	c = await createSettlement(county);
	[homeA, homeA2, homeA3, homeB, homeC] = await Promise.all([
		createHousehold(a),
		createHousehold(a),
		createHousehold(a),
		createHousehold(b),
		createHousehold(c)
	]);
	const resident = (home: { id: string }, on: Settlement) =>
		createUser({ household: home, grants: [{ role: 'resident', on }] }).then((u) => u.actor);
	[residentA, wfMember, wfChair, moralMember, talkMember, formerMember, residentB, residentC] =
		await Promise.all([
			resident(homeA, a),
			resident(homeA2, a),
			resident(homeA3, a),
			resident(homeA3, a),
			resident(homeA2, a),
			resident(homeA2, a),
			resident(homeB, b),
			resident(homeC, c)
		]);
	const staff = (role: 'point_admin' | 'point_chief' | 'community_worker', on: Settlement) =>
		createUser({ grants: [{ role, on }] }).then((u) => u.actor);
	[adminA, chiefA, workerA, adminB] = await Promise.all([
		staff('point_admin', a),
		staff('point_chief', a),
		staff('community_worker', a),
		staff('point_admin', b)
	]);
	civil = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] })).actor;
	stranger = (await createUser({})).actor;

	const wf = await makeCouncil(a, 'weddings_funerals');
	const moral = await makeCouncil(a, 'moral_review');
	const talk = await makeCouncil(a, 'deliberation');
	await makeMember(wf, { userId: wfMember.id });
	await makeMember(wf, { userId: wfChair.id, role: 'chair' });
	await makeMember(wf, { name: '无账号成员' });
	await makeMember(wf, { userId: formerMember.id, endedOn: '2025-01-01' });
	await makeMember(moral, { userId: moralMember.id });
	await makeMember(talk, { userId: talkMember.id });
	// B's 红白理事会 hears nothing of A
	await makeMember(await makeCouncil(b, 'weddings_funerals'), { userId: residentB.id });

	// A's rules: two adopted versions cap wedding tables (10 and 8: the stricter counts), the
	// first also the bride price and funeral banquets; a draft and a superseded one do not count
	const loose = await makeRuleVersion(a, {
		title: '村规民约',
		kind: 'covenant',
		clauses: [
			{ no: 3, title: '婚事从简', text: '婚宴不超过 10 桌。' },
			{ no: 4, title: '彩礼', text: '彩礼不超过 3 万元。' },
			{ no: 6, title: '丧事简办', text: '丧事办酒不超过 1 天。' }
		],
		caps: [
			{ key: 'wedding_tables', limit: 10, clauseNo: 3 },
			{ key: 'bride_price', limit: 3_000_000, clauseNo: 4 },
			{ key: 'funeral_banquet_days', limit: 1, clauseNo: 6 }
		]
	});
	expect(loose.status).toBe('adopted');
	strictRuleTitle = '红白理事会章程';
	const strict = await makeRuleVersion(a, {
		title: strictRuleTitle,
		clauses: [{ no: 5, title: '婚宴桌数', text: '婚宴不超过 8 桌。' }],
		caps: [{ key: 'wedding_tables', limit: 8, clauseNo: 5 }]
	});
	strictVersionId = strict.id;
	await makeRuleVersion(a, {
		ruleId: strict.ruleId,
		versionNo: 2,
		status: 'draft',
		caps: [
			{ key: 'guests', limit: 1, clauseNo: 1 },
			{ key: 'wedding_tables', limit: 1, clauseNo: 1 }
		]
	});
	await makeRuleVersion(a, {
		status: 'superseded',
		caps: [{ key: 'funeral_tables', limit: 1, clauseNo: 1 }]
	});
	// C: adopted rules without caps
	await makeRuleVersion(c, { clauses: [{ no: 1, title: '总则', text: '……' }] });
});

/** The notifications of one filing, by recipient. */
async function notifiedFor(filingId: string) {
	const rows = await db()
		.select()
		.from(notification)
		.where(eq(notification.link, `/governance/ceremonies/${filingId}`));
	return rows;
}

describe('checking a filing against the adopted caps', () => {
	it('takes a wedding within the caps: not over, nobody notified, audited without names', async () => {
		const r = await fileCeremony(residentA, wedding({ tables: '8', bridePrice: '30000' }));
		expect(r).toMatchObject({ ok: true, overCap: false, breaches: [], duplicate: false });
		if (!r.ok) return;
		const [row] = await db().select().from(ceremonyFiling).where(eq(ceremonyFiling.id, r.id));
		expect(row).toMatchObject({
			settlementId: a.id,
			householdId: homeA.id,
			kind: 'wedding',
			tables: 8,
			guests: 200,
			bridePrice: 3_000_000,
			banquetDays: null,
			gifts: '喜糖、喜烟',
			overCap: false,
			status: 'filed',
			filedBy: residentA.id
		});
		expect(await notifiedFor(r.id)).toEqual([]);
		const [entry] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'ceremony.file'), eq(auditEntry.entityId, r.id)));
		expect(entry.summary).toEqual({
			kind: 'wedding',
			eventOn: '2026-10-01',
			overCap: false,
			clauses: [],
			proxy: false
		});
	});

	it('flags the stricter of two caps, with the clause and the version that sets it', async () => {
		const r = await fileCeremony(residentA, wedding({ tables: '9' }));
		expect(r).toMatchObject({
			ok: true,
			overCap: true,
			breaches: [
				{ key: 'wedding_tables', limit: 8, value: 9, clauseNo: 5, ruleVersionId: strictVersionId }
			]
		});
		const r2 = await fileCeremony(residentA, wedding({ tables: '12', bridePrice: '30000.01' }));
		if (!r2.ok) throw new Error(r2.message);
		expect(r2.breaches.map((x) => [x.key, x.limit, x.value, x.clauseNo])).toEqual([
			['bride_price', 3_000_000, 3_000_001, 4],
			['wedding_tables', 8, 12, 5]
		]);
	});

	it('ignores caps of draft and superseded versions, and other kinds’ caps', async () => {
		// the draft caps guests at 1, the superseded funeral tables at 1
		expect(await fileCeremony(residentA, wedding({ guests: '900' }))).toMatchObject({
			overCap: false
		});
		expect(await fileCeremony(residentA, funeral({ tables: '40' }))).toMatchObject({
			overCap: false
		});
		const r = await fileCeremony(residentA, funeral({ banquetDays: '3' }));
		expect(r).toMatchObject({
			overCap: true,
			breaches: [{ key: 'funeral_banquet_days', limit: 1, value: 3, clauseNo: 6 }]
		});
	});

	it('never flags a filing where no cap is adopted, whatever it declares', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom('wedding', 'funeral'),
				fc.integer({ min: 0, max: 500 }),
				fc.integer({ min: 0, max: 10_000 }),
				fc.integer({ min: 0, max: 10_000_000 }),
				fc.integer({ min: 0, max: 30 }),
				async (kind, tables, guests, yuan, days) => {
					const r = await fileCeremony(
						residentC,
						ceremonyInput(
							ceremonySchema.parse({
								kind,
								eventOn: '2026-06-01',
								tables: String(tables),
								guests: String(guests),
								bridePrice: String(yuan),
								banquetDays: String(days),
								idempotencyKey: crypto.randomUUID().replaceAll('-', '')
							})
						)
					);
					expect(r).toMatchObject({ ok: true, overCap: false, breaches: [] });
				}
			),
			{ numRuns: 25 }
		);
	});
});

describe('who hears of an over-cap filing', () => {
	it('the serving 红白理事会 and 道德评议会 members with accounts and the point’s admin and chief, naming the clause', async () => {
		const r = await fileCeremony(residentA, wedding({ tables: '9' }));
		if (!r.ok) throw new Error(r.message);
		const rows = await notifiedFor(r.id);
		expect(rows.map((n) => n.userId).sort()).toEqual(
			[wfMember.id, wfChair.id, moralMember.id, adminA.id, chiefA.id].sort()
		);
		for (const n of rows) {
			expect(n.kind).toBe('ceremony.over_cap');
			expect(n.title).toContain('第5条');
			expect(n.body).toContain(`《${strictRuleTitle}》第5条`);
			// the household is not named in what is sent out
			expect(`${n.title}${n.body}`).not.toContain(homeA.headName);
		}
	});

	it('not the filer themself when staff file for a household', async () => {
		const r = await fileCeremony(adminA, { ...wedding({ tables: '20' }), householdId: homeA2.id });
		if (!r.ok) throw new Error(r.message);
		const ids = (await notifiedFor(r.id)).map((n) => n.userId);
		expect(ids).not.toContain(adminA.id);
		expect(ids).toContain(chiefA.id);
		const [entry] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'ceremony.file'), eq(auditEntry.entityId, r.id)));
		expect(entry.summary).toMatchObject({ proxy: true, overCap: true, clauses: [5] });
	});

	it('files once per idempotency key, and notifies once', async () => {
		const form = wedding({ tables: '11' });
		const first = await fileCeremony(residentA, form);
		const again = await fileCeremony(residentA, form);
		if (!first.ok || !again.ok) throw new Error('refused');
		expect(again).toMatchObject({ id: first.id, duplicate: true, overCap: true });
		expect((await notifiedFor(first.id)).length).toBe(5);
		// the same key from someone else is theirs
		const other = await fileCeremony(wfMember, form);
		expect(other).toMatchObject({ ok: true, duplicate: false });
	});
});

describe('who files and who reads (IDOR)', () => {
	let ownId: string;
	let neighbourId: string;
	let bId: string;
	beforeAll(async () => {
		const own = await fileCeremony(residentA, funeral({ eventOn: '2025-02-01' }));
		const neighbour = await fileCeremony(wfMember, funeral({ eventOn: '2025-02-02' }));
		const inB = await fileCeremony(residentB, funeral({ eventOn: '2025-02-03' }));
		if (!own.ok || !neighbour.ok || !inB.ok) throw new Error('refused');
		[ownId, neighbourId, bId] = [own.id, neighbour.id, inB.id];
	});

	it('a resident files only for their own household', async () => {
		expect(
			await httpStatus(fileCeremony(residentA, { ...wedding(), householdId: homeA2.id }))
		).toBe(404);
		expect(await httpStatus(fileCeremony(residentA, { ...wedding(), householdId: homeB.id }))).toBe(
			404
		);
		expect(await httpStatus(fileCeremony(residentA, { ...wedding(), householdId: 'x' }))).toBe(404);
		// staff of the point file for its households; not B's, nor county staff at all
		expect(await fileCeremony(workerA, { ...wedding(), householdId: homeA3.id })).toMatchObject({
			ok: true
		});
		expect(await httpStatus(fileCeremony(workerA, { ...wedding(), householdId: homeB.id }))).toBe(
			404
		);
		expect(await httpStatus(fileCeremony(civil, { ...wedding(), householdId: homeA.id }))).toBe(
			403
		);
		expect(await fileCeremony(stranger, wedding())).toMatchObject({
			ok: false,
			reason: 'no_household',
			field: 'householdId'
		});
	});

	it('a resident reads only their own household’s filings', async () => {
		expect((await getCeremony(residentA, ownId)).householdId).toBe(homeA.id);
		expect(await httpStatus(getCeremony(residentA, neighbourId))).toBe(404);
		expect(await httpStatus(getCeremony(residentA, bId))).toBe(404);
		const list = await listCeremonies(residentA, {
			year: 2025,
			kind: '',
			overCap: '',
			settlement: ''
		});
		expect(list.rows.map((r) => r.id)).toEqual([ownId]);
	});

	it('staff of point A do not see point B’s; county staff see both', async () => {
		expect(await httpStatus(getCeremony(adminA, bId))).toBe(404);
		expect(await httpStatus(getCeremony(adminB, ownId))).toBe(404);
		const seenByA = (
			await listCeremonies(adminA, { year: 2025, kind: '', overCap: '', settlement: '' })
		).rows.map((r) => r.id);
		expect(seenByA).toEqual(expect.arrayContaining([ownId, neighbourId]));
		expect(seenByA).not.toContain(bId);
		const seenByB = (
			await listCeremonies(adminB, { year: 2025, kind: '', overCap: '', settlement: a.id })
		).rows;
		expect(seenByB).toEqual([]);
		const seenByCivil = (
			await listCeremonies(civil, { year: 2025, kind: 'funeral', overCap: '', settlement: '' })
		).rows.map((r) => r.id);
		expect(seenByCivil).toEqual(expect.arrayContaining([ownId, neighbourId, bId]));
	});

	it('members of the 红白理事会 and 道德评议会 read their settlement’s filings; others do not', async () => {
		expect((await getCeremony(wfMember, ownId)).id).toBe(ownId);
		expect((await getCeremony(moralMember, ownId)).id).toBe(ownId);
		expect(await httpStatus(getCeremony(talkMember, ownId))).toBe(404);
		expect(await httpStatus(getCeremony(formerMember, ownId))).toBe(404);
		expect(await httpStatus(getCeremony(wfMember, bId))).toBe(404);
		const listed = (
			await listCeremonies(moralMember, { year: 2025, kind: '', overCap: '', settlement: '' })
		).rows.map((r) => r.id);
		expect(listed).toEqual(expect.arrayContaining([ownId, neighbourId]));
		expect(listed).not.toContain(bId);
		const talkList = (
			await listCeremonies(talkMember, { year: 2025, kind: '', overCap: '', settlement: '' })
		).rows;
		expect(talkList.every((r) => r.settlementId === a.id && r.id !== ownId)).toBe(true);
	});

	it('someone without a login or a grant sees no filing and no figures; no public page shows ceremonies', async () => {
		expect(await httpStatus(getCeremony(stranger, ownId))).toBe(404);
		expect(
			(await listCeremonies(stranger, { year: 2025, kind: '', overCap: '', settlement: '' })).rows
		).toEqual([]);
		expect(await ceremonyFigures(stranger, { year: 2025 })).toEqual({
			year: 2025,
			rows: [],
			total: { filings: 0, overCap: 0, savings: 0 }
		});
		// the public pages (no login) read nothing of ceremonies
		const root = join(process.cwd(), 'src/routes/(public)');
		const files = (await readdir(root, { recursive: true })).map(String);
		for (const file of files.filter((p) => /\.(ts|svelte)$/.test(p))) {
			const text = await readFile(join(root, file), 'utf8');
			expect(text, file).not.toMatch(/ceremon|红白事/i);
		}
	});
});

describe('the council’s follow-up', () => {
	it('records what was done and the savings, once; points only when asked and listed', async () => {
		const r = await fileCeremony(residentA, wedding({ tables: '15', eventOn: '2024-05-01' }));
		if (!r.ok) throw new Error(r.message);
		const form = (input: Record<string, unknown>) =>
			followUpInput(followUpSchema.parse({ followUp: '上门劝导，减为 8 桌。', ...input }));
		// A's adopted lists have no over_cap_banquet item yet
		expect(
			await followUpCeremony(adminA, r.id, form({ savings: '3,500', deductPoints: true }))
		).toMatchObject({ ok: false, reason: 'no_point_item', field: 'deductPoints' });
		const [still] = await db().select().from(ceremonyFiling).where(eq(ceremonyFiling.id, r.id));
		expect(still).toMatchObject({ status: 'filed', followUp: null });

		expect(await followUpCeremony(adminA, r.id, form({ savings: '3,500' }))).toEqual({
			ok: true,
			deducted: null
		});
		const [row] = await db().select().from(ceremonyFiling).where(eq(ceremonyFiling.id, r.id));
		expect(row).toMatchObject({
			status: 'followed_up',
			followUp: '上门劝导，减为 8 桌。',
			savings: 350_000,
			followedUpBy: adminA.id
		});
		expect(await followUpCeremony(chiefA, r.id, form({}))).toMatchObject({
			ok: false,
			reason: 'followed_up'
		});
		const shown = await getCeremony(residentA, r.id);
		expect(shown).toMatchObject({ status: 'followed_up', savings: 350_000, deduction: null });
		expect(shown.breaches[0]).toMatchObject({
			clauseNo: 5,
			ruleTitle: strictRuleTitle,
			versionNo: 1,
			clauseTitle: '婚宴桌数',
			label: '婚宴桌数上限'
		});
		expect(shown.can.followUp).toBe(false);
	});

	it('deducts under the adopted over_cap_banquet item, once, when ticked', async () => {
		const place = await createSettlement(county);
		const home = await createHousehold(place);
		const [boss, family] = await Promise.all([
			createUser({ grants: [{ role: 'point_admin', on: place }] }).then((u) => u.actor),
			createUser({ household: home, grants: [{ role: 'resident', on: place }] }).then(
				(u) => u.actor
			)
		]);
		await makeRuleVersion(place, {
			caps: [{ key: 'wedding_tables', limit: 5, clauseNo: 2 }],
			clauses: [{ no: 2, title: '桌数', text: '不超过 5 桌' }]
		});
		const list = await makeRuleVersion(place, {
			kind: 'points_list',
			pointItems: [
				{ code: 'volunteer_activity', label: '参加志愿活动', points: 5 },
				{ code: 'over_cap_banquet', label: '红白事超标', points: -10 }
			]
		});
		const within = await fileCeremony(family, wedding({ tables: '5' }));
		const over = await fileCeremony(family, wedding({ tables: '6' }));
		if (!within.ok || !over.ok) throw new Error('refused');
		expect(
			await followUpCeremony(boss, within.id, {
				followUp: '已了解',
				savings: null,
				deductPoints: true
			})
		).toMatchObject({ ok: false, reason: 'not_over_cap' });
		expect((await getCeremony(boss, over.id)).pointItem).toEqual({
			label: '红白事超标',
			points: -10
		});
		expect(
			await followUpCeremony(boss, over.id, { followUp: '劝导', savings: 0, deductPoints: true })
		).toEqual({ ok: true, deducted: -10 });
		const entries = await db()
			.select()
			.from(pointsEntry)
			.where(eq(pointsEntry.householdId, home.id));
		expect(entries).toMatchObject([
			{
				delta: -10,
				source: 'deduct',
				itemCode: 'over_cap_banquet',
				ruleVersionId: list.id,
				ref: `ceremony:${over.id}`,
				createdBy: boss.id
			}
		]);
		const [account] = await db()
			.select()
			.from(pointsAccount)
			.where(eq(pointsAccount.householdId, home.id));
		expect(account.balance).toBe(-10);
		expect((await getCeremony(family, over.id)).deduction).toMatchObject({ delta: -10 });
		const told = await db()
			.select()
			.from(notification)
			.where(and(eq(notification.userId, family.id), eq(notification.kind, 'points.deduct')));
		expect(told).toHaveLength(1);
	});

	it('is for the point’s reviewers and the 红白理事会’s officers: 403 for others who read it, 404 for the rest', async () => {
		const r = await fileCeremony(residentA, wedding({ tables: '30' }));
		if (!r.ok) throw new Error(r.message);
		const input = { followUp: '已劝导', savings: null };
		for (const who of [wfMember, moralMember, workerA, residentA, civil])
			expect(await httpStatus(followUpCeremony(who, r.id, input)), who.username).toBe(403);
		for (const who of [adminB, talkMember, residentB, stranger])
			expect(await httpStatus(followUpCeremony(who, r.id, input)), who.username).toBe(404);
		expect(await httpStatus(followUpCeremony(adminA, 'x', input))).toBe(404);
		expect(await followUpCeremony(wfChair, r.id, input)).toMatchObject({ ok: true });
	});
});

describe('figures per year', () => {
	it('counts filings, over-cap filings and savings per settlement and in total, as counted by hand', async () => {
		const place = await createSettlement(county);
		const other = await createSettlement(county);
		const [h1, h2, h3] = await Promise.all([
			createHousehold(place),
			createHousehold(place),
			createHousehold(other)
		]);
		await makeRuleVersion(place, { caps: [{ key: 'wedding_tables', limit: 10, clauseNo: 1 }] });
		await makeRuleVersion(other, { caps: [{ key: 'funeral_tables', limit: 10, clauseNo: 1 }] });
		const boss = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		const bossOther = (await createUser({ grants: [{ role: 'point_admin', on: other }] })).actor;
		const resident = (
			await createUser({ household: h1, grants: [{ role: 'resident', on: place }] })
		).actor;
		const file = async (
			who: Actor,
			householdId: string,
			form: ReturnType<typeof wedding>,
			savings?: number
		) => {
			const r = await fileCeremony(who, { ...form, householdId });
			if (!r.ok) throw new Error(r.message);
			if (savings !== undefined)
				expect(await followUpCeremony(who, r.id, { followUp: '跟进', savings })).toMatchObject({
					ok: true
				});
		};
		// place, 2025: 3 filings, 2 over (tables 11, 12), savings 1,000 + 250.50 yuan
		await file(boss, h1.id, wedding({ eventOn: '2025-01-01', tables: '11' }), 100_000);
		await file(boss, h2.id, wedding({ eventOn: '2025-06-30', tables: '12' }), 25_050);
		await file(boss, h2.id, funeral({ eventOn: '2025-12-31', tables: '40' }));
		// place, 2026 and 2024: not counted in 2025
		await file(boss, h1.id, wedding({ eventOn: '2026-01-01', tables: '30' }), 7);
		await file(boss, h1.id, wedding({ eventOn: '2024-12-31', tables: '30' }));
		// other, 2025: 2 filings, 1 over, no savings recorded
		await file(bossOther, h3.id, funeral({ eventOn: '2025-03-03', tables: '11' }));
		await file(bossOther, h3.id, wedding({ eventOn: '2025-04-04', tables: '99' }), 0);

		const mine = await ceremonyFigures(boss, { year: 2025 });
		expect(mine).toEqual({
			year: 2025,
			rows: [
				{
					settlementId: place.id,
					settlementName: place.name,
					filings: 3,
					overCap: 2,
					savings: 125_050
				}
			],
			total: { filings: 3, overCap: 2, savings: 125_050 }
		});
		// a resident sees their settlement's figures: aggregates only
		expect(await ceremonyFigures(resident, { year: 2025 })).toEqual(mine);
		expect((await ceremonyFigures(boss, { year: 2026 })).total).toEqual({
			filings: 1,
			overCap: 1,
			savings: 7
		});
		const county2025 = await ceremonyFigures(civil, { year: 2025 });
		const byId = new Map(county2025.rows.map((r) => [r.settlementId, r]));
		expect(byId.get(other.id)).toMatchObject({ filings: 2, overCap: 1, savings: 0 });
		expect(byId.get(place.id)).toMatchObject({ filings: 3, overCap: 2, savings: 125_050 });
		expect(county2025.total.filings).toBe(county2025.rows.reduce((s, r) => s + r.filings, 0));
		expect(
			(await ceremonyFigures(civil, { year: 2025, settlementId: other.id })).rows
		).toHaveLength(1);
		expect((await ceremonyFigures(boss, { year: 2025, settlementId: other.id })).rows).toEqual([]);
		expect((await ceremonyFigures(boss, { year: 1999 })).rows).toEqual([]);

		// the list filters agree with the figures
		const listed = await listCeremonies(boss, {
			year: 2025,
			kind: '',
			overCap: '1',
			settlement: place.id
		});
		expect(listed.rows).toHaveLength(2);
		expect(listed.rows.map((r) => r.eventOn)).toEqual(['2025-06-30', '2025-01-01']);
		expect(
			(await listCeremonies(boss, { year: 2025, kind: 'funeral', overCap: '', settlement: '' }))
				.rows
		).toHaveLength(1);
	});
});
