import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { councilKinds, councilKindWords } from '$lib/governance/vocab';
import { memberSchema } from '$lib/schemas/governance-councils';
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
import { makeCouncil, makeMember } from '../../../../tests/governance-councils';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	addMember,
	councilMemberUserIds,
	endMemberTerm,
	establishCouncils,
	getCouncil,
	listCouncils,
	listCouncilSettlements,
	searchSettlementResidents,
	servingSeat,
	updateCouncil
} from './councils';
import { scheduleMeeting } from './meetings';

useTestDatabase();

const { council, councilMember, auditEntry } = schema;

let county: County;
let a: Settlement;
let b: Settlement;
let homeA: Household & { members: Member[] };
let homeB: Household & { members: Member[] };
let adminA: Actor;
let chiefA: Actor;
let workerA: Actor;
let adminB: Actor;
let countyChief: Actor;
let residentA: Actor;
let residentB: Actor;
let system: Actor;

beforeAll(async () => {
	county = await createCounty();
	a = await createSettlement(county);
	b = await createSettlement(county);
	homeA = await createHousehold(a, { members: 3 });
	homeB = await createHousehold(b);
	[adminA, chiefA, workerA, adminB, countyChief, residentA, residentB, system] = (
		await Promise.all([
			createUser({ grants: [{ role: 'point_admin', on: a }] }),
			createUser({ grants: [{ role: 'point_chief', on: a }] }),
			createUser({ grants: [{ role: 'community_worker', on: a }] }),
			createUser({ grants: [{ role: 'point_admin', on: b }] }),
			createUser({ grants: [{ role: 'chief_of_points', on: county }] }),
			createUser({ household: homeA, grants: [{ role: 'resident', on: a }] }),
			createUser({ household: homeB, grants: [{ role: 'resident', on: b }] }),
			createUser({ grants: [{ role: 'system_admin' }] })
		])
	).map((u) => u.actor);
});

/** A member form as posted, parsed by its schema. */
const memberForm = (input: Record<string, unknown> = {}) =>
	memberSchema.parse({
		name: '张三',
		role: 'member',
		termStart: '2024-01-01',
		termEnd: '2028-12-31',
		...input
	});

describe('establishCouncils', () => {
	it('creates the four councils named by kind, once; again creates none', async () => {
		const place = await createSettlement(county);
		const first = await establishCouncils(system, place.id);
		expect([...first.created].sort()).toEqual([...councilKinds].sort());
		const rows = await db().select().from(council).where(eq(council.settlementId, place.id));
		expect(rows.map((r) => [r.kind, r.name, r.regionPath]).sort()).toEqual(
			councilKinds.map((k) => [k, councilKindWords[k], county.path]).sort()
		);
		expect(await establishCouncils(system, place.id)).toEqual({ ok: true, created: [] });
		const audits = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'council.establish'), eq(auditEntry.entityId, place.id)));
		expect(audits).toHaveLength(1);
	});

	it('fills in only the missing ones', async () => {
		const place = await createSettlement(county);
		await makeCouncil(place, 'moral_review');
		const admin = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		const r = await establishCouncils(admin, place.id);
		expect([...r.created].sort()).toEqual(councilKinds.filter((k) => k !== 'moral_review').sort());
	});

	it('is 403 for those who may read but not manage, 404 for those who may not read', async () => {
		expect(await httpStatus(establishCouncils(residentA, a.id))).toBe(403);
		expect(await httpStatus(establishCouncils(workerA, a.id))).toBe(403);
		expect(await httpStatus(establishCouncils(countyChief, a.id))).toBe(403);
		expect(await httpStatus(establishCouncils(adminB, a.id))).toBe(404);
		expect(await httpStatus(establishCouncils(residentB, a.id))).toBe(404);
		expect(await httpStatus(establishCouncils(adminA, 'not-an-id'))).toBe(404);
		expect(await db().select().from(council).where(eq(council.settlementId, a.id))).toEqual([]);
		// the point's own staff may
		expect((await establishCouncils(chiefA, a.id)).created).toHaveLength(4);
	});
});

describe('listCouncils and getCouncil', () => {
	it('lists the councils in the actor’s scope only, by settlement and kind', async () => {
		await establishCouncils(adminB, b.id);
		const mine = await listCouncils(residentA);
		expect(mine.map((r) => r.settlementId)).toEqual(Array(4).fill(a.id));
		expect(mine.map((r) => r.kind)).toEqual([...councilKinds]);
		expect((await listCouncils(adminB)).every((r) => r.settlementId === b.id)).toBe(true);
		const both = new Set((await listCouncils(countyChief)).map((r) => r.settlementId));
		expect(both.has(a.id) && both.has(b.id)).toBe(true);
		const elsewhere = (
			await createUser({ grants: [{ role: 'chief_of_points', on: await createCounty() }] })
		).actor;
		expect(await listCouncils(elsewhere)).toEqual([]);
		expect(await listCouncils(countyChief, { settlementId: 'x' })).toEqual([]);
		expect((await listCouncils(countyChief, { settlementId: b.id })).length).toBe(4);
		// another settlement's, asked for by id, is simply not there
		expect(await listCouncils(residentA, { settlementId: b.id })).toEqual([]);
		const org = (await createUser({})).actor;
		expect(await httpStatus(listCouncils(org))).toBe(404);
	});

	it('lists the settlements with how many councils are set up and who may set up the rest', async () => {
		const rows = await listCouncilSettlements(countyChief);
		const byId = new Map(rows.map((r) => [r.id, r]));
		expect(byId.get(a.id)).toMatchObject({ established: 4, canManage: false });
		expect((await listCouncilSettlements(adminA)).map((r) => [r.id, r.canManage])).toEqual([
			[a.id, true]
		]);
	});

	it('shows a council with its members, serving first; 404 outside the scope', async () => {
		const [deliberation] = await listCouncils(adminA, { settlementId: a.id });
		const ended = await makeMember(deliberation, { name: '前任', endedOn: '2024-05-01' });
		const chair = await makeMember(deliberation, {
			name: '会长甲',
			role: 'chair',
			userId: residentA.id
		});
		const later = await makeMember(deliberation, { name: '候任', termStart: '2098-01-01' });
		const shown = await getCouncil(residentA, deliberation.id);
		expect(shown.members.map((m) => [m.id, m.status])).toEqual([
			[chair.id, 'serving'],
			[later.id, 'upcoming'],
			[ended.id, 'ended']
		]);
		expect(shown.serving).toBe(1);
		expect(shown.seat?.id).toBe(chair.id);
		expect(shown.can).toMatchObject({ manage: false, run: true });
		// the account's login only for those who manage the council
		expect(shown.members[0]).toMatchObject({ hasAccount: true, account: null });
		expect((await getCouncil(adminA, deliberation.id)).members[0].account).toBe(residentA.username);
		expect(await httpStatus(getCouncil(residentB, deliberation.id))).toBe(404);
		expect(await httpStatus(getCouncil(adminB, deliberation.id))).toBe(404);
		expect(await httpStatus(getCouncil(adminA, 'x'))).toBe(404);
		expect(await httpStatus(getCouncil(adminA, crypto.randomUUID()))).toBe(404);
	});
});

describe('updateCouncil', () => {
	it('sets the name, quorum rule and charter, audited; 403 for residents, 404 for B', async () => {
		const target = (await listCouncils(adminA, { settlementId: a.id })).find(
			(x) => x.kind === 'anti_gambling_drugs'
		)!;
		expect(
			await updateCouncil(adminA, target.id, {
				name: '禁毒禁赌协会',
				quorumRule: 'two_thirds',
				charter: '每季度开会一次。\u0000'
			})
		).toEqual({ ok: true });
		const [row] = await db().select().from(council).where(eq(council.id, target.id));
		expect(row).toMatchObject({
			name: '禁毒禁赌协会',
			quorumRule: 'two_thirds',
			charter: '每季度开会一次。\ufffd'
		});
		const [entry] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'council.update'), eq(auditEntry.entityId, target.id)));
		expect(entry.summary).toMatchObject({ changed: ['name', 'quorumRule', 'charter'] });
		const same = { name: 'x1', quorumRule: 'majority' as const, charter: '' };
		expect(await httpStatus(updateCouncil(residentA, target.id, same))).toBe(403);
		expect(await httpStatus(updateCouncil(adminB, target.id, same))).toBe(404);
	});
});

describe('addMember and endMemberTerm', () => {
	let target: { id: string };
	beforeAll(async () => {
		target = (await listCouncils(adminA, { settlementId: a.id })).find(
			(x) => x.kind === 'moral_review'
		)!;
	});

	it('adds a resident of the register with an account of the settlement, audited', async () => {
		const r = await addMember(
			adminA,
			target.id,
			memberForm({
				name: homeA.members[1].name,
				residentId: homeA.members[1].id,
				username: residentA.username.toUpperCase(),
				role: 'secretary'
			})
		);
		if (!r.ok) throw new Error(r.message);
		const [row] = await db().select().from(councilMember).where(eq(councilMember.id, r.id));
		expect(row).toMatchObject({
			councilId: target.id,
			residentId: homeA.members[1].id,
			userId: residentA.id,
			role: 'secretary',
			termStart: '2024-01-01',
			termEnd: '2028-12-31',
			endedOn: null
		});
		expect(await servingSeat(db(), target.id, residentA.id, '2026-06-01')).toMatchObject({
			id: r.id,
			role: 'secretary'
		});
		const [entry] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'council.member.add'), eq(auditEntry.entityId, r.id)));
		// no names in the audit summary
		expect(JSON.stringify(entry.summary)).not.toContain(homeA.members[1].name);
	});

	it('takes a staff account of the point, or a name alone', async () => {
		expect(
			await addMember(adminA, target.id, memberForm({ name: '王干部', username: workerA.username }))
		).toMatchObject({ ok: true });
		expect(await addMember(adminA, target.id, memberForm({ name: '李群众' }))).toMatchObject({
			ok: true
		});
	});

	it('refuses a resident or an account not of the settlement, at its field', async () => {
		expect(
			await addMember(adminA, target.id, memberForm({ residentId: homeB.members[0].id }))
		).toMatchObject({ ok: false, reason: 'no_resident', field: 'residentId' });
		expect(
			await addMember(adminA, target.id, memberForm({ username: residentB.username }))
		).toMatchObject({ ok: false, reason: 'no_user', field: 'username' });
		expect(
			await addMember(adminA, target.id, memberForm({ username: adminB.username }))
		).toMatchObject({ ok: false, reason: 'no_user' });
		expect(
			await addMember(adminA, target.id, memberForm({ username: 'nobody-here' }))
		).toMatchObject({ ok: false, reason: 'no_user' });
		expect(
			await addMember(adminA, target.id, { ...memberForm(), userId: 'not-a-uuid' })
		).toMatchObject({ ok: false, reason: 'no_user', field: 'userId' });
	});

	it('refuses the same person twice for overlapping terms, and a second chair', async () => {
		expect(
			await addMember(
				adminA,
				target.id,
				memberForm({ username: residentA.username, termStart: '2028-06-01', termEnd: '2030-01-01' })
			)
		).toMatchObject({ ok: false, reason: 'already_member' });
		// the next term, after this one, is fine
		expect(
			await addMember(
				adminA,
				target.id,
				memberForm({ username: residentA.username, termStart: '2029-01-01', termEnd: '2031-12-31' })
			)
		).toMatchObject({ ok: true });
		expect(await addMember(adminA, target.id, memberForm({ role: 'chair' }))).toMatchObject({
			ok: true
		});
		expect(await addMember(adminA, target.id, memberForm({ role: 'chair' }))).toMatchObject({
			ok: false,
			reason: 'chair_taken',
			field: 'role'
		});
		expect(
			await addMember(adminA, target.id, {
				...memberForm(),
				termStart: '2027-01-01',
				termEnd: '2026-01-01'
			})
		).toMatchObject({ ok: false, reason: 'bad_term', field: 'termEnd' });
	});

	it('is 403 for a resident, a community worker and county staff; 404 for B’s admin', async () => {
		const before = await db()
			.select()
			.from(councilMember)
			.where(eq(councilMember.councilId, target.id));
		for (const who of [residentA, workerA, countyChief])
			expect(await httpStatus(addMember(who, target.id, memberForm()))).toBe(403);
		expect(await httpStatus(addMember(adminB, target.id, memberForm()))).toBe(404);
		expect(await httpStatus(addMember(adminA, crypto.randomUUID(), memberForm()))).toBe(404);
		expect(
			await db().select().from(councilMember).where(eq(councilMember.councilId, target.id))
		).toEqual(before);
	});

	it('ends a term: no longer serving from then; once; on a day within the term', async () => {
		const m = await makeMember(target, { userId: chiefA.id, termStart: '2025-01-01' });
		const now = new Date('2026-03-10T04:00:00Z');
		expect(await servingSeat(db(), target.id, chiefA.id, '2026-03-10')).not.toBeNull();
		expect(await endMemberTerm(adminA, m.id, { endedOn: '2026-03-11' }, now)).toMatchObject({
			ok: false,
			reason: 'bad_day'
		});
		expect(await endMemberTerm(adminA, m.id, { endedOn: '2024-12-31' }, now)).toMatchObject({
			ok: false,
			reason: 'bad_day'
		});
		expect(await endMemberTerm(adminA, m.id, { endedOn: '2026-03-10' }, now)).toEqual({ ok: true });
		expect(await servingSeat(db(), target.id, chiefA.id, '2026-03-10')).toBeNull();
		expect(await endMemberTerm(adminA, m.id, { endedOn: '2026-03-10' }, now)).toMatchObject({
			ok: false,
			reason: 'ended'
		});
		expect(await httpStatus(endMemberTerm(residentA, m.id, { endedOn: '2026-03-10' }))).toBe(403);
		expect(await httpStatus(endMemberTerm(adminB, m.id, { endedOn: '2026-03-10' }))).toBe(404);
		expect(await httpStatus(endMemberTerm(adminA, 'x', { endedOn: '2026-03-10' }))).toBe(404);
	});
});

describe('servingSeat and councilMemberUserIds', () => {
	it('count only serving members with live accounts of the kinds asked', async () => {
		const place = await createSettlement(county);
		const wf = await makeCouncil(place, 'weddings_funerals');
		const moral = await makeCouncil(place, 'moral_review');
		const talk = await makeCouncil(place, 'deliberation');
		const [u1, u2, u3, u4, u5, u6] = await Promise.all(
			Array.from({ length: 6 }, () => createUser({})).map((p) => p.then((x) => x.user))
		);
		await makeMember(wf, { userId: u1.id });
		await makeMember(moral, { userId: u2.id, role: 'chair' });
		await makeMember(talk, { userId: u3.id });
		await makeMember(wf, { userId: u4.id, endedOn: '2025-01-01' });
		await makeMember(wf, { userId: u5.id, termStart: '2027-01-01' });
		await makeMember(moral, { userId: u6.id });
		await makeMember(moral, {});
		await db().update(schema.user).set({ disabledAt: new Date() }).where(eq(schema.user.id, u6.id));
		const ids = await councilMemberUserIds(
			db(),
			place.id,
			['weddings_funerals', 'moral_review'],
			'2026-06-01'
		);
		expect([...ids].sort()).toEqual([u1.id, u2.id].sort());
		expect(await councilMemberUserIds(db(), place.id, [], '2026-06-01')).toEqual([]);
		expect(await councilMemberUserIds(db(), a.id, ['weddings_funerals'], '2026-06-01')).toEqual([]);
		expect(await servingSeat(db(), wf.id, u4.id, '2026-06-01')).toBeNull();
		expect(await servingSeat(db(), wf.id, u5.id, '2026-06-01')).toBeNull();
		expect(await servingSeat(db(), wf.id, u5.id, '2027-01-01')).not.toBeNull();
		expect(await servingSeat(db(), moral.id, u1.id, '2026-06-01')).toBeNull();
		expect(await servingSeat(db(), 'x', u1.id, '2026-06-01')).toBeNull();
	});
});

describe('searchSettlementResidents', () => {
	it('finds the settlement’s residents by name for staff, names and units only; 404 for residents', async () => {
		const name = homeA.members[2].name;
		const found = await searchSettlementResidents(adminA, a.id, name.slice(0, 2));
		expect(found.map((r) => r.id)).toContain(homeA.members[2].id);
		expect(Object.keys(found[0]).sort()).toEqual(['id', 'name', 'unit']);
		expect(await searchSettlementResidents(adminA, a.id, homeB.members[0].name)).toEqual([]);
		expect(await searchSettlementResidents(adminA, a.id, '  ')).toEqual([]);
		// LIKE's wildcards are taken as text
		expect(await searchSettlementResidents(adminA, a.id, '%')).toEqual([]);
		expect(await httpStatus(searchSettlementResidents(residentA, a.id, name))).toBe(404);
		expect(await httpStatus(searchSettlementResidents(adminB, a.id, name))).toBe(404);
	});
});

describe('who runs a council’s meetings', () => {
	it('the point’s staff and serving officers with an account; not plain members nor workers', async () => {
		const c = await makeCouncil(await createSettlement(county), 'deliberation');
		const place = { id: c.settlementId, regionPath: c.regionPath };
		const home = await createHousehold(place as Settlement);
		const officer = (
			await createUser({ household: home, grants: [{ role: 'resident', on: place }] })
		).actor;
		const plain = (await createUser({ household: home, grants: [{ role: 'resident', on: place }] }))
			.actor;
		const admin = (await createUser({ grants: [{ role: 'point_admin', on: place }] })).actor;
		await makeMember(c, { userId: officer.id, role: 'secretary' });
		await makeMember(c, { userId: plain.id });
		const input = {
			title: '例会',
			startsAt: '2026-05-01T19:30',
			place: '议事厅',
			agenda: '议题一'
		};
		expect(await scheduleMeeting(officer, c.id, input)).toMatchObject({ ok: true });
		expect(await scheduleMeeting(admin, c.id, input)).toMatchObject({ ok: true });
		expect(await httpStatus(scheduleMeeting(plain, c.id, input))).toBe(403);
		expect(await httpStatus(scheduleMeeting(workerA, c.id, input))).toBe(404);
		expect(await httpStatus(scheduleMeeting(adminA, c.id, input))).toBe(404);
		const [m] = await db()
			.select()
			.from(schema.meeting)
			.where(eq(schema.meeting.createdBy, officer.id));
		// 19:30 in Shanghai
		expect(m.startsAt.toISOString()).toBe('2026-05-01T11:30:00.000Z');
		expect(m.agenda).toEqual(['议题一']);
	});
});
