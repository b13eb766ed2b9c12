import { and, asc, desc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '$lib/id-number';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus as status } from '../../../../tests/http';
import {
	bornYearsAgo,
	createCounty,
	createHousehold as createHouseholdRow,
	createOrganization,
	createSettlement,
	createUser,
	householdInput,
	memberInput,
	type County,
	type Household,
	type Member,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	addMember,
	createHousehold,
	endMembership,
	getFigures,
	getHousehold,
	listCorrections,
	listHouseholds,
	moveOutHousehold,
	requestCorrection,
	resolveCorrection,
	revealField,
	updateHousehold,
	updateMember
} from '.';

// The household register's commands on a real database: each happy path with what it writes and
// its audit entry, each typed failure, and the permission table's answers (denied read 404,
// denied write 403).

useTestDatabase();

const { auditEntry, household, resident, correctionRequest } = schema;

let county: County;
let s1: Settlement;
let s2: Settlement;
let far: Settlement;
/** two households of s1 made by the factory: a resident's own, and their neighbour's */
let home: Household & { members: Member[] };
let neighbour: Household & { members: Member[] };
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	county = await createCounty();
	const otherCounty = await createCounty();
	s1 = await createSettlement(county);
	s2 = await createSettlement(county);
	far = await createSettlement(otherCounty);
	home = await createHouseholdRow(s1, { members: 3 });
	neighbour = await createHouseholdRow(s1, { members: 2 });
	const org = await createOrganization(county);
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('point admin', { grants: [{ role: 'point_admin', on: s1 }] });
	await make('point chief', { grants: [{ role: 'point_chief', on: s1 }] });
	await make('community worker', { grants: [{ role: 'community_worker', on: s1 }] });
	await make('point admin of s2', { grants: [{ role: 'point_admin', on: s2 }] });
	await make('civil affairs', { grants: [{ role: 'civil_affairs', on: county }] });
	await make('civil affairs elsewhere', { grants: [{ role: 'civil_affairs', on: otherCounty }] });
	await make('org member', { grants: [{ role: 'org_member', on: org }] });
	await make('system admin', { grants: [{ role: 'system_admin' }] });
	await make('resident', { household: home, grants: [{ role: 'resident', on: s1 }] });
	await make('neighbour', { household: neighbour, grants: [{ role: 'resident', on: s1 }] });
});

/** The HTTP status a command threw, or null when it did not throw. */

function ok<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
	expect(result).toMatchObject({ ok: true });
	return result as Extract<T, { ok: true }>;
}

async function auditOf(action: string, entityId: string) {
	return db()
		.select()
		.from(auditEntry)
		.where(and(eq(auditEntry.action, action), eq(auditEntry.entityId, entityId)))
		.orderBy(asc(auditEntry.id));
}

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** No ID number and no mobile number in a value that is written to the log or sent to a browser. */
function expectNoPersonalNumbers(value: unknown, ...secrets: (string | null | undefined)[]) {
	const json = JSON.stringify(value).replace(uuidPattern, '<uuid>');
	for (const s of secrets) if (s) expect(json).not.toContain(s);
	expect(json).not.toMatch(/\d{17}[\dXx]/);
	expect(json).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
}

async function householdRow(id: string) {
	const [row] = await db().select().from(household).where(eq(household.id, id));
	return row;
}

async function membersOf(householdId: string) {
	return db()
		.select()
		.from(resident)
		.where(eq(resident.householdId, householdId))
		.orderBy(asc(resident.createdAt), asc(resident.name));
}

async function memberRow(id: string) {
	const [row] = await db().select().from(resident).where(eq(resident.id, id));
	return row;
}

/** A household registered through the command by s1's point admin (or the given admin/point). */
async function register(
	head: Parameters<typeof householdInput>[0] = {},
	home: Parameters<typeof householdInput>[1] = {},
	as: { actor: Actor; settlement: Settlement } = { actor: actors['point admin'], settlement: s1 }
) {
	const input = householdInput(head, home);
	const result = ok(await createHousehold(as.actor, as.settlement.id, input));
	const [head_] = await membersOf(result.id);
	return { id: result.id, input, headId: head_.id };
}

async function add(householdId: string, member: Parameters<typeof memberInput>[0] = {}) {
	const input = memberInput(member);
	const result = ok(await addMember(actors['point admin'], householdId, input));
	return { id: result.id, input };
}

const today = new Date().toISOString().slice(0, 10);

describe('createHousehold', () => {
	it('registers the household with its head, derives zero employment and audits without personal data', async () => {
		const input = householdInput(
			{ name: '邓春生', age: 40, laborAbility: '普通劳动力', employment: '未就业' },
			{ tags: ['lifted_out', 'monitored'] }
		);
		const result = await createHousehold(actors['point admin'], s1.id, input);
		expect(result).toEqual({ ok: true, id: expect.any(String), duplicate: false });
		const { id } = ok(result);

		expect(await householdRow(id)).toMatchObject({
			settlementId: s1.id,
			building: input.building,
			unitNo: input.unitNo,
			room: input.room,
			headName: '邓春生',
			originTownship: input.originTownship,
			originVillage: input.originVillage,
			movedInOn: input.movedInOn,
			tags: ['lifted_out', 'monitored'],
			status: 'active',
			// a labourer aged 40 and nobody in work
			zeroEmployment: true
		});
		const members = await membersOf(id);
		expect(members).toHaveLength(1);
		expect(members[0]).toMatchObject({
			name: '邓春生',
			relation: '户主',
			isHead: true,
			idNumber: input.idNumber,
			phone: input.phone,
			birthDate: input.birthDate,
			status: 'active',
			employment: '未就业'
		});

		const entries = await auditOf('household.create', id);
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({
			actorId: actors['point admin'].id,
			entity: 'household',
			scopePath: s1.regionPath,
			summary: { settlementId: s1.id, members: 1, duplicate: false }
		});
		expectNoPersonalNumbers(entries[0].summary, input.idNumber, input.phone, input.name);
	});

	it('refuses a unit an active household holds (unit_taken), not one of a moved-out household or another point', async () => {
		const first = await register({}, { building: '9栋', unitNo: '2单元', room: '1101' });
		const again = householdInput({}, { building: '9栋', unitNo: '2单元', room: '1101' });
		expect(await createHousehold(actors['point admin'], s1.id, again)).toEqual({
			ok: false,
			reason: 'unit_taken',
			field: 'room'
		});
		const inUnit = () =>
			db()
				.select({ id: household.id })
				.from(household)
				.where(and(eq(household.settlementId, s1.id), eq(household.room, '1101')));
		expect(await inUnit()).toHaveLength(1);
		// the failed attempt left no member behind either
		expect(await db().select().from(resident).where(eq(resident.idNumber, again.idNumber))).toEqual(
			[]
		);

		// the same unit in another point is another flat
		ok(await createHousehold(actors['point admin of s2'], s2.id, again));
		// once the household has moved out, the flat can be let again
		ok(
			await moveOutHousehold(actors['point admin'], first.id, {
				endedOn: today,
				note: '返乡居住'
			})
		);
		ok(
			await createHousehold(
				actors['point admin'],
				s1.id,
				householdInput({}, { building: '9栋', unitNo: '2单元', room: '1101' })
			)
		);
		expect(await inUnit()).toHaveLength(2);
	});

	it('registers a head already active in another household, flagged as a duplicate', async () => {
		const person = home.members[1];
		const input = householdInput({
			name: person.name,
			idNumber: person.idNumber,
			birthDate: person.birthDate,
			gender: person.gender
		});
		const result = await createHousehold(actors['point admin'], s1.id, input);
		expect(result).toEqual({ ok: true, id: expect.any(String), duplicate: true });
		const [entry] = await auditOf('household.create', ok(result).id);
		expect(entry.summary).toMatchObject({ duplicate: true });
		expectNoPersonalNumbers(entry.summary, person.idNumber);
	});

	it('is 404 outside the actor’s scope or for no such point, and 403 to those who may only read', async () => {
		const input = householdInput({}, { room: 'DENIED-1' });
		const cases: [string, number][] = [
			['point admin of s2', 404],
			['civil affairs elsewhere', 404],
			['org member', 404],
			['community worker', 403],
			['point chief', 403],
			['civil affairs', 403],
			['resident', 403]
		];
		for (const [name, expected] of cases)
			expect(await status(createHousehold(actors[name], s1.id, input)), name).toBe(expected);
		for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid'])
			expect(await status(createHousehold(actors['system admin'], id, input)), id).toBe(404);
		expect(await db().select().from(household).where(eq(household.room, 'DENIED-1'))).toHaveLength(
			0
		);
	});
});

describe('updateHousehold', () => {
	it('changes the address and tags and audits which fields changed', async () => {
		const h = await register({}, { tags: ['lifted_out'] });
		const update = {
			building: h.input.building,
			unitNo: h.input.unitNo,
			room: `${h.input.room}A`,
			originTownship: h.input.originTownship,
			originVillage: h.input.originVillage,
			movedInOn: h.input.movedInOn,
			tags: ['lifted_out' as const, 'subsistence' as const]
		};
		expect(await updateHousehold(actors['point admin'], h.id, update)).toEqual({ ok: true });
		expect(await householdRow(h.id)).toMatchObject({
			room: `${h.input.room}A`,
			tags: ['lifted_out', 'subsistence']
		});
		const entries = await auditOf('household.update', h.id);
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({ entity: 'household', scopePath: s1.regionPath });
		expect([...(entries[0].summary.changed as string[])].sort()).toEqual(['room', 'tags']);
		expectNoPersonalNumbers(entries[0].summary);
	});

	it('keeps its own unit, refuses another active household’s (unit_taken) and an ended household (ended)', async () => {
		const a = await register();
		const b = await register();
		const same = {
			building: a.input.building,
			unitNo: a.input.unitNo,
			room: a.input.room,
			originTownship: '禾丰镇',
			originVillage: a.input.originVillage,
			movedInOn: a.input.movedInOn,
			tags: []
		};
		expect(await updateHousehold(actors['point admin'], a.id, same)).toEqual({ ok: true });
		expect(await updateHousehold(actors['point admin'], b.id, same)).toEqual({
			ok: false,
			reason: 'unit_taken',
			field: 'room'
		});
		expect((await householdRow(b.id)).room).toBe(b.input.room);

		ok(await moveOutHousehold(actors['point admin'], b.id, { endedOn: today, note: '投靠子女' }));
		expect(await updateHousehold(actors['point admin'], b.id, { ...same, room: 'X1' })).toEqual({
			ok: false,
			reason: 'ended'
		});
		expect((await householdRow(b.id)).room).toBe(b.input.room);
	});
});

describe('members', () => {
	it('addMember adds a member, audits it, and refuses a second copy or a second head', async () => {
		const h = await register({ age: 50 });
		const input = memberInput({ name: '邓小军', relation: '子', age: 24 });
		const result = await addMember(actors['point admin'], h.id, input);
		expect(result).toEqual({ ok: true, id: expect.any(String), duplicate: false });
		const { id } = ok(result);
		expect(await memberRow(id)).toMatchObject({
			householdId: h.id,
			name: '邓小军',
			relation: '子',
			isHead: false,
			idNumber: input.idNumber,
			phone: input.phone,
			status: 'active'
		});
		const entries = await auditOf('resident.create', id);
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({
			entity: 'resident',
			scopePath: s1.regionPath,
			summary: { householdId: h.id, relation: '子', duplicate: false }
		});
		expectNoPersonalNumbers(entries[0].summary, input.idNumber, input.phone);

		expect(await addMember(actors['point admin'], h.id, { ...input, name: '又一个' })).toEqual({
			ok: false,
			reason: 'already_member',
			field: 'idNumber'
		});
		expect(await addMember(actors['point admin'], h.id, memberInput({ relation: '户主' }))).toEqual(
			{ ok: false, reason: 'head_exists', field: 'relation' }
		);
		expect(await membersOf(h.id)).toHaveLength(2);
	});

	it('addMember flags a person active in another household as a duplicate, and refuses an ended household', async () => {
		const h = await register();
		const person = neighbour.members[1];
		const result = await addMember(
			actors['point admin'],
			h.id,
			memberInput({
				name: person.name,
				idNumber: person.idNumber,
				birthDate: person.birthDate,
				gender: person.gender,
				relation: '母亲'
			})
		);
		expect(result).toMatchObject({ ok: true, duplicate: true });

		ok(await moveOutHousehold(actors['point admin'], h.id, { endedOn: today, note: '迁往县城' }));
		expect(await addMember(actors['point admin'], h.id, memberInput())).toEqual({
			ok: false,
			reason: 'ended'
		});
	});

	it('recomputes the zero-employment flag on every member change', async () => {
		const h = await register({ age: 45, laborAbility: '普通劳动力', employment: '未就业' });
		const flag = async () => (await householdRow(h.id)).zeroEmployment;
		expect(await flag()).toBe(true);

		// an employed member: the household has work
		const worker = await add(h.id, { age: 22, relation: '子', employment: '务工' });
		expect(await flag()).toBe(false);
		// they leave: nobody in work again
		ok(
			await endMembership(actors['point admin'], worker.id, {
				reason: 'moved_out',
				endedOn: today,
				note: '外出成家',
				newHeadId: ''
			})
		);
		expect(await flag()).toBe(true);

		// the head finds work (a correction)
		ok(
			await updateMember(actors['point admin'], h.headId, {
				...h.input,
				relation: '户主',
				employment: '灵活就业'
			})
		);
		expect(await flag()).toBe(false);
		// and loses it
		ok(
			await updateMember(actors['point admin'], h.headId, {
				...h.input,
				relation: '户主',
				employment: '未就业'
			})
		);
		expect(await flag()).toBe(true);
		// a pupil of working age is not labour without work: with the head gone, no flag
		const pupil = await add(h.id, { age: 17, relation: '女', employment: '在校学生' });
		expect(await flag()).toBe(true);
		ok(
			await endMembership(actors['point admin'], h.headId, {
				reason: 'deceased',
				endedOn: today,
				note: '',
				newHeadId: pupil.id
			})
		);
		expect(await flag()).toBe(false);
	});

	it('updateMember corrects a record, the head’s name follows to the household, and audits field names only', async () => {
		const h = await register({ name: '廖福根', age: 52 });
		const spouse = await add(h.id, { name: '钟秀兰', relation: '配偶', age: 50 });
		const newPhone = '13512345678';
		expect(
			await updateMember(actors['point admin'], h.headId, {
				...h.input,
				relation: '户主',
				name: '廖福庚',
				phone: newPhone
			})
		).toEqual({ ok: true });
		expect(await memberRow(h.headId)).toMatchObject({ name: '廖福庚', phone: newPhone });
		expect((await householdRow(h.id)).headName).toBe('廖福庚');
		const entries = await auditOf('resident.update', h.headId);
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({ entity: 'resident', summary: { householdId: h.id } });
		expect([...(entries[0].summary.changed as string[])].sort()).toEqual(['name', 'phone']);
		expectNoPersonalNumbers(entries[0].summary, newPhone, h.input.phone, h.input.idNumber);

		// a member's correction leaves the head name alone
		ok(await updateMember(actors['point admin'], spouse.id, { ...spouse.input, job: '缝纫工' }));
		expect((await householdRow(h.id)).headName).toBe('廖福庚');
		expect((await memberRow(spouse.id)).job).toBe('缝纫工');
	});

	it('updateMember refuses another member’s ID number, a head who stops being head, a second head, an ended member', async () => {
		const h = await register();
		const spouse = await add(h.id, { relation: '配偶' });
		const child = await add(h.id, { relation: '子', age: 20 });
		expect(
			await updateMember(actors['point admin'], child.id, {
				...child.input,
				idNumber: spouse.input.idNumber
			})
		).toEqual({ ok: false, reason: 'already_member', field: 'idNumber' });
		expect(
			await updateMember(actors['point admin'], h.headId, { ...h.input, relation: '配偶' })
		).toEqual({ ok: false, reason: 'head_relation', field: 'relation' });
		expect(
			await updateMember(actors['point admin'], spouse.id, { ...spouse.input, relation: '户主' })
		).toEqual({ ok: false, reason: 'head_exists', field: 'relation' });
		ok(
			await endMembership(actors['point admin'], child.id, {
				reason: 'moved_out',
				endedOn: today,
				note: '',
				newHeadId: ''
			})
		);
		expect(
			await updateMember(actors['point admin'], child.id, { ...child.input, job: '司机' })
		).toEqual({ ok: false, reason: 'ended' });
		// nothing of the refused changes was written
		expect((await memberRow(child.id)).idNumber).toBe(child.input.idNumber);
		expect((await memberRow(child.id)).job).toBeNull();
		expect(await memberRow(h.headId)).toMatchObject({ relation: '户主', isHead: true });
		expect(await memberRow(spouse.id)).toMatchObject({ relation: '配偶', isHead: false });
		expect(await auditOf('resident.update', child.id)).toHaveLength(0);
	});

	it('endMembership keeps the record, audits move-out and death, and refuses a second end', async () => {
		const h = await register();
		const son = await add(h.id, { relation: '子', age: 25 });
		const grandma = await add(h.id, { relation: '母亲', age: 80, employment: '退休或无需就业' });
		expect(
			await endMembership(actors['point admin'], son.id, {
				reason: 'moved_out',
				endedOn: '2024-03-01',
				note: '到广东务工落户',
				newHeadId: ''
			})
		).toEqual({ ok: true, householdEnded: false });
		expect(await memberRow(son.id)).toMatchObject({
			status: 'moved_out',
			endedOn: '2024-03-01',
			endReason: '到广东务工落户',
			isHead: false
		});
		const [moved] = await auditOf('resident.move_out', son.id);
		expect(moved).toMatchObject({
			entity: 'resident',
			summary: { householdId: h.id, newHead: false, householdEnded: false }
		});
		expectNoPersonalNumbers(moved.summary, son.input.idNumber);

		ok(
			await endMembership(actors['point admin'], grandma.id, {
				reason: 'deceased',
				endedOn: '2024-05-02',
				note: '',
				newHeadId: ''
			})
		);
		expect((await memberRow(grandma.id)).status).toBe('deceased');
		const deaths = await auditOf('resident.death', grandma.id);
		expect(deaths).toHaveLength(1);
		expect(deaths[0]).toMatchObject({
			entity: 'resident',
			summary: { householdId: h.id, newHead: false, householdEnded: false }
		});
		expectNoPersonalNumbers(deaths[0].summary, grandma.input.idNumber, grandma.input.phone);

		expect(
			await endMembership(actors['point admin'], son.id, {
				reason: 'deceased',
				endedOn: '2024-06-01',
				note: '',
				newHeadId: ''
			})
		).toEqual({ ok: false, reason: 'ended' });
		expect((await memberRow(son.id)).status).toBe('moved_out');
		expect((await householdRow(h.id)).status).toBe('active');
	});

	it('the head leaving a household of several needs a new head from its members, who becomes the head', async () => {
		const h = await register({ name: '谢长根', age: 70, employment: '退休或无需就业' });
		const son = await add(h.id, { name: '谢建平', relation: '子', age: 44 });
		const end = (newHeadId: string) =>
			endMembership(actors['point admin'], h.headId, {
				reason: 'deceased',
				endedOn: today,
				note: '病故',
				newHeadId
			});
		expect(await end('')).toEqual({ ok: false, reason: 'new_head_needed', field: 'newHeadId' });
		// someone of another household cannot take over
		expect(await end(neighbour.members[1].id)).toEqual({
			ok: false,
			reason: 'new_head_needed',
			field: 'newHeadId'
		});
		expect(await memberRow(h.headId)).toMatchObject({ status: 'active', isHead: true });

		expect(await end(son.id)).toEqual({ ok: true, householdEnded: false });
		expect(await memberRow(h.headId)).toMatchObject({ status: 'deceased', isHead: false });
		expect(await memberRow(son.id)).toMatchObject({
			status: 'active',
			isHead: true,
			relation: '户主'
		});
		expect(await householdRow(h.id)).toMatchObject({ headName: '谢建平', status: 'active' });
		const [entry] = await auditOf('resident.death', h.headId);
		expect(entry.summary).toMatchObject({ newHead: true, householdEnded: false });
	});

	it('a member who is not the head leaves without touching the head, whatever newHeadId says', async () => {
		const h = await register({ name: '罗永福', age: 55 });
		const wife = await add(h.id, { name: '肖冬梅', relation: '配偶', age: 53 });
		const son = await add(h.id, { relation: '子', age: 28 });
		// a crafted form: the new-head field is only shown when the head leaves
		ok(
			await endMembership(actors['point admin'], son.id, {
				reason: 'moved_out',
				endedOn: today,
				note: '',
				newHeadId: wife.id
			})
		);
		expect(await memberRow(h.headId)).toMatchObject({ isHead: true, relation: '户主' });
		expect(await memberRow(wife.id)).toMatchObject({ isHead: false, relation: '配偶' });
		expect((await householdRow(h.id)).headName).toBe('罗永福');
		const [entry] = await auditOf('resident.move_out', son.id);
		expect(entry.summary).toMatchObject({ newHead: false });
	});

	it('the last member leaving ends the household', async () => {
		const h = await register({ age: 66, employment: '退休或无需就业' });
		expect(
			await endMembership(actors['point admin'], h.headId, {
				reason: 'moved_out',
				endedOn: '2025-01-15',
				note: '随女儿迁往南昌',
				newHeadId: ''
			})
		).toEqual({ ok: true, householdEnded: true });
		expect(await householdRow(h.id)).toMatchObject({
			status: 'moved_out',
			endedOn: '2025-01-15',
			endReason: '随女儿迁往南昌',
			zeroEmployment: false
		});
		const [entry] = await auditOf('resident.move_out', h.headId);
		expect(entry.summary).toMatchObject({ householdEnded: true });
	});

	it('moveOutHousehold ends the household and its active members, keeps the dead as dead, and refuses twice', async () => {
		const h = await register({ age: 40, laborAbility: '普通劳动力', employment: '未就业' });
		const wife = await add(h.id, { relation: '配偶', employment: '未就业' });
		const father = await add(h.id, { relation: '父亲', age: 75, employment: '退休或无需就业' });
		ok(
			await endMembership(actors['point admin'], father.id, {
				reason: 'deceased',
				endedOn: '2023-11-11',
				note: '',
				newHeadId: ''
			})
		);
		expect((await householdRow(h.id)).zeroEmployment).toBe(true);

		expect(
			await moveOutHousehold(actors['point admin'], h.id, {
				endedOn: '2025-02-01',
				note: '全家迁往浙江务工'
			})
		).toEqual({ ok: true });
		expect(await householdRow(h.id)).toMatchObject({
			status: 'moved_out',
			endedOn: '2025-02-01',
			endReason: '全家迁往浙江务工',
			zeroEmployment: false
		});
		expect(await memberRow(h.headId)).toMatchObject({
			status: 'moved_out',
			endedOn: '2025-02-01'
		});
		expect((await memberRow(wife.id)).status).toBe('moved_out');
		expect(await memberRow(father.id)).toMatchObject({
			status: 'deceased',
			endedOn: '2023-11-11'
		});
		const entries = await auditOf('household.move_out', h.id);
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({ entity: 'household', summary: { members: 2 } });
		expectNoPersonalNumbers(entries[0].summary, h.input.idNumber, wife.input.idNumber);

		expect(
			await moveOutHousehold(actors['point admin'], h.id, { endedOn: today, note: '再次迁出' })
		).toEqual({ ok: false, reason: 'ended' });
		expect(await auditOf('household.move_out', h.id)).toHaveLength(1);
		// gone from the active register
		const { rows } = await listHouseholds(actors['point admin'], s1.id, {
			search: h.input.name
		});
		expect(rows.map((r) => r.id)).not.toContain(h.id);
	});
});

describe('revealField', () => {
	it('gives the full value to the point admin and writes the field and reason to the audit log', async () => {
		const h = await register();
		const reason = '办理社保接续需核对身份证号';
		const result = await revealField(actors['point admin'], {
			residentId: h.headId,
			field: 'idNumber',
			reason
		});
		expect(result).toEqual({ ok: true, value: h.input.idNumber });
		const phone = await revealField(actors['point admin'], {
			residentId: h.headId,
			field: 'phone',
			reason: '联系本人核实信息'
		});
		expect(phone).toEqual({ ok: true, value: h.input.phone });

		const entries = await auditOf('person.reveal', h.headId);
		expect(entries).toHaveLength(2);
		expect(entries[0]).toMatchObject({
			actorId: actors['point admin'].id,
			entity: 'resident',
			scopePath: s1.regionPath,
			summary: { field: 'idNumber', reason, householdId: h.id }
		});
		expect(entries[1].summary).toMatchObject({ field: 'phone', reason: '联系本人核实信息' });
		for (const e of entries) expectNoPersonalNumbers(e.summary, h.input.idNumber, h.input.phone);
	});

	it('is for the point chief and county civil affairs too; 403 to a community worker or the resident, 404 outside scope', async () => {
		const member = home.members[0];
		const input = { residentId: member.id, field: 'idNumber' as const, reason: '核对户籍信息' };
		for (const name of ['point chief', 'civil affairs'])
			expect(await revealField(actors[name], input), name).toEqual({
				ok: true,
				value: member.idNumber
			});
		const before = (await auditOf('person.reveal', member.id)).length;
		const cases: [string, number][] = [
			['community worker', 403],
			['resident', 403],
			['neighbour', 404],
			['point admin of s2', 404],
			['civil affairs elsewhere', 404],
			['org member', 404]
		];
		for (const [name, expected] of cases)
			expect(await status(revealField(actors[name], input)), name).toBe(expected);
		expect(await auditOf('person.reveal', member.id)).toHaveLength(before);
	});
});

describe('corrections', () => {
	it('a resident asks for a correction of their own household; it is listed and audited without the message', async () => {
		const message = `${home.members[1].name}已在扶贫车间上班，请改为务工`;
		const result = await requestCorrection(actors['resident'], home.id, {
			residentId: home.members[1].id,
			field: '就业情况',
			message
		});
		expect(result).toEqual({ ok: true, id: expect.any(String) });
		const { id } = ok(result);
		const [row] = await db().select().from(correctionRequest).where(eq(correctionRequest.id, id));
		expect(row).toMatchObject({
			householdId: home.id,
			residentId: home.members[1].id,
			field: '就业情况',
			message,
			status: 'open',
			createdBy: actors['resident'].id,
			resolvedAt: null
		});
		const [entry] = await auditOf('correction.create', home.id);
		expect(entry).toMatchObject({ entity: 'household', summary: { field: '就业情况' } });
		expect(JSON.stringify(entry.summary)).not.toContain(message);
		expectNoPersonalNumbers(entry.summary, ...home.members.flatMap((m) => [m.idNumber, m.phone]));

		// about the household as a whole
		const whole = ok(
			await requestCorrection(actors['resident'], home.id, {
				residentId: '',
				field: '房号',
				message: '房号应为 3 栋 502'
			})
		);
		const listed = await listCorrections(actors['resident'], home.id);
		expect(listed.map((c) => c.id).slice(0, 2)).toEqual([whole.id, id]);
		expect(listed[0]).toMatchObject({ field: '房号', status: 'open', resolution: null });
		expect((await listCorrections(actors['point admin'], home.id)).map((c) => c.id)).toContain(id);
	});

	it('refuses a member of another household (no_member)', async () => {
		for (const residentId of [neighbour.members[0].id, 'not-a-uuid'])
			expect(
				await requestCorrection(actors['resident'], home.id, {
					residentId,
					field: '姓名',
					message: '名字写错了一个字'
				}),
				residentId
			).toEqual({ ok: false, reason: 'no_member', field: 'residentId' });
	});

	it('is only for the household’s own residents: 404 to a neighbour, 403 to staff', async () => {
		const input = { residentId: '', field: '其他' as const, message: '请核实我家信息' };
		const cases: [string, string, number][] = [
			['neighbour', home.id, 404],
			['resident', neighbour.id, 404],
			['org member', home.id, 404],
			['point admin of s2', home.id, 404],
			['point admin', home.id, 403],
			['community worker', home.id, 403],
			['system admin', home.id, 403]
		];
		for (const [name, householdId, expected] of cases)
			expect(await status(requestCorrection(actors[name], householdId, input)), name).toBe(
				expected
			);
		expect(await status(listCorrections(actors['neighbour'], home.id))).toBe(404);
		expect(await status(listCorrections(actors['point admin of s2'], home.id))).toBe(404);
	});

	it('the point admin resolves an open request once; others may not', async () => {
		const { id } = ok(
			await requestCorrection(actors['neighbour'], neighbour.id, {
				residentId: neighbour.members[0].id,
				field: '联系电话',
				message: '电话换了新号码'
			})
		);
		const input = { correctionId: id, status: 'done' as const, resolution: '已核实并更正' };
		const cases: [string, number][] = [
			['community worker', 403],
			['neighbour', 403],
			['resident', 404],
			['point admin of s2', 404],
			['org member', 404]
		];
		for (const [name, expected] of cases)
			expect(await status(resolveCorrection(actors[name], input)), name).toBe(expected);

		expect(await resolveCorrection(actors['point admin'], input)).toEqual({ ok: true });
		const [row] = await db().select().from(correctionRequest).where(eq(correctionRequest.id, id));
		expect(row).toMatchObject({
			status: 'done',
			resolution: '已核实并更正',
			resolvedBy: actors['point admin'].id
		});
		expect(row.resolvedAt).toBeInstanceOf(Date);
		const [entry] = await db()
			.select()
			.from(auditEntry)
			.where(
				and(eq(auditEntry.action, 'correction.resolve'), eq(auditEntry.entityId, neighbour.id))
			)
			.orderBy(desc(auditEntry.id));
		expect(entry).toMatchObject({ entity: 'household', summary: { status: 'done' } });
		expectNoPersonalNumbers(
			entry.summary,
			...neighbour.members.flatMap((m) => [m.idNumber, m.phone])
		);

		expect(
			await resolveCorrection(actors['point admin'], { ...input, status: 'rejected' })
		).toEqual({ ok: false, reason: 'not_open' });
		expect(
			(await db().select().from(correctionRequest).where(eq(correctionRequest.id, id)))[0].status
		).toBe('done');
		expect(
			await status(
				resolveCorrection(actors['point admin'], {
					...input,
					correctionId: '00000000-0000-4000-8000-000000000000'
				})
			)
		).toBe(404);
	});
});

describe('listHouseholds', () => {
	let reg: Settlement;
	let admin: Actor;
	const h: Record<string, { id: string; memberIds: string[]; ids: string[] }> = {};
	/** an ID number ending in X, of someone born on `birthDate` (region 110199) */
	let xId: string;

	beforeAll(async () => {
		reg = await createSettlement(county);
		admin = (await createUser({ grants: [{ role: 'point_admin', on: reg }] })).actor;
		const as = { actor: admin, settlement: reg };
		const make = async (
			key: string,
			head: Parameters<typeof householdInput>[0],
			unit: {
				building: string;
				unitNo: string;
				room: string;
				tags?: ('subsistence' | 'disabled')[];
			},
			members: Parameters<typeof memberInput>[0][] = []
		) => {
			const r = await register(head, unit, as);
			const added = [];
			for (const m of members) {
				const input = memberInput(m);
				added.push({ id: ok(await addMember(admin, r.id, input)).id, input });
			}
			h[key] = {
				id: r.id,
				memberIds: [r.headId, ...added.map((a) => a.id)],
				ids: [r.input.idNumber, ...added.map((a) => a.input.idNumber)]
			};
		};
		const birthDate = bornYearsAgo(33);
		let seq = 0;
		do {
			const first17 =
				'110199' + birthDate.replaceAll('-', '') + String(seq * 2 + 1).padStart(3, '0');
			xId = first17 + idCheckChar(first17);
			seq++;
		} while (!xId.endsWith('X'));

		await make(
			'zhao',
			{ name: '赵大山', age: 48, employment: '未就业' },
			{ building: '7栋', unitNo: '2单元', room: '502', tags: ['subsistence'] },
			[{ name: '钱小花', relation: '配偶', age: 46, employment: '未就业' }]
		);
		await make(
			'sun',
			{ name: '孙二牛', age: 39, employment: '务工' },
			{ building: '7栋', unitNo: '1单元', room: '501' },
			[
				{ name: '孙小弟', relation: '子', idNumber: xId, birthDate, gender: 'male' },
				{ name: '周已走', relation: '子', age: 20 }
			]
		);
		await make(
			'li',
			{ name: '李三', age: 61, employment: '退休或无需就业' },
			{ building: '6栋', unitNo: '', room: '101', tags: ['disabled'] }
		);
		await make('gone', { name: '赵已迁' }, { building: '5栋', unitNo: '1单元', room: '301' });
		ok(await moveOutHousehold(admin, h.gone.id, { endedOn: today, note: '整户迁出' }));
		// 周已走 leaves: their name and ID no longer find the household
		ok(
			await endMembership(admin, h.sun.memberIds[2], {
				reason: 'moved_out',
				endedOn: today,
				note: '',
				newHeadId: ''
			})
		);
	});

	const find = async (q: Parameters<typeof listHouseholds>[2]) =>
		(await listHouseholds(admin, reg.id, q)).rows.map((r) => r.id).sort();
	const ids = (...keys: string[]) => keys.map((k) => h[k].id).sort();

	it('lists the active households only, with their member counts', async () => {
		const { rows, next } = await listHouseholds(admin, reg.id);
		expect(rows.map((r) => r.id).sort()).toEqual(ids('zhao', 'sun', 'li'));
		expect(next).toBeNull();
		expect(Object.fromEntries(rows.map((r) => [r.headName, r.members]))).toEqual({
			赵大山: 2,
			孙二牛: 2,
			李三: 1
		});
	});

	it('finds by the head’s name and by an active member’s name, from the start', async () => {
		expect(await find({ search: '赵大山' })).toEqual(ids('zhao'));
		expect(await find({ search: '赵' })).toEqual(ids('zhao'));
		expect(await find({ search: '钱小' })).toEqual(ids('zhao'));
		expect(await find({ search: '孙' })).toEqual(ids('sun'));
		expect(await find({ search: '大山' })).toEqual([]);
		expect(await find({ search: '周已走' })).toEqual([]);
		expect(await find({ search: '赵已迁' })).toEqual([]);
		// LIKE's wildcards are plain characters: without escaping, both would find 赵大山
		expect(await find({ search: '赵%山' })).toEqual([]);
		expect(await find({ search: '赵_山' })).toEqual([]);
	});

	it('finds by building, unit and room, written with or without dashes', async () => {
		for (const q of ['7栋2单元502', '7栋-2单元-502', '7栋 2单元 502', '7栋/2单元/502'])
			expect(await find({ search: q }), q).toEqual(ids('zhao'));
		expect(await find({ search: '502' })).toEqual(ids('zhao'));
		expect(await find({ search: '7栋' })).toEqual(ids('sun', 'zhao'));
		expect(await find({ search: '6栋101' })).toEqual(ids('li'));
		expect(await find({ search: '7栋-3单元-502' })).toEqual([]);
	});

	it('finds by the last 4–6 characters of an active member’s ID number, X in either case', async () => {
		expect(await find({ search: h.zhao.ids[1].slice(-4) })).toEqual(ids('zhao'));
		expect(await find({ search: h.zhao.ids[0].slice(-6) })).toEqual(ids('zhao'));
		expect(await find({ search: xId.slice(-4) })).toEqual(ids('sun'));
		expect(await find({ search: xId.slice(-4).toLowerCase() })).toEqual(ids('sun'));
		// the member who left no longer finds the household
		expect(await find({ search: h.sun.ids[2].slice(-6) })).toEqual([]);
		// a number that is not a tail finds nothing
		expect(await find({ search: h.zhao.ids[0].slice(0, 6) })).toEqual([]);
	});

	it('filters by tag and by zero employment', async () => {
		expect(await find({ tag: 'subsistence' })).toEqual(ids('zhao'));
		expect(await find({ tag: 'disabled' })).toEqual(ids('li'));
		expect(await find({ tag: 'monitored' })).toEqual([]);
		expect(await find({ zeroEmployment: true })).toEqual(ids('zhao'));
		expect(await find({ zeroEmployment: true, tag: 'disabled' })).toEqual([]);
		expect(await find({ zeroEmployment: true, search: '钱' })).toEqual(ids('zhao'));
	});

	it('pages by keyset (head name, id), 50 a page, with no overlap and no gap', async () => {
		const many = await createSettlement(county);
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: many }] });
		const all = new Set<string>();
		for (let i = 0; i < 57; i++) {
			const row = await createHouseholdRow(many, {
				members: 0,
				headName: i % 2 === 0 ? '王伟' : `刘${String(i).padStart(2, '0')}`
			});
			all.add(row.id);
		}
		const seen: string[] = [];
		const sizes: number[] = [];
		let after: { name: string; id: string } | undefined;
		do {
			const page = await listHouseholds(actor, many.id, { after });
			sizes.push(page.rows.length);
			seen.push(...page.rows.map((r) => r.id));
			after = page.next ?? undefined;
		} while (after);
		expect(sizes).toEqual([50, 7]);
		expect(new Set(seen)).toEqual(all);
		expect(seen).toHaveLength(57);
		// the 王伟 households, of one name, page across by id
		const wang = await listHouseholds(actor, many.id, { search: '王伟' });
		expect(wang.rows).toHaveLength(29);
		expect(wang.next).toBeNull();
		const ordered = [...wang.rows].map((r) => r.id);
		expect(ordered).toEqual([...ordered].sort());
	});
});

describe('getHousehold', () => {
	it('masks every ID number and phone: no full one anywhere in the result', async () => {
		const h = await register({ name: '胡德明', age: 58 });
		const added = [await add(h.id, { relation: '配偶' }), await add(h.id, { relation: '子' })];
		const result = await getHousehold(actors['point admin'], h.id);
		expect(result.members.map((m) => m.name)[0]).toBe('胡德明');
		expect(result.members).toHaveLength(3);
		for (const input of [h.input, ...added.map((a) => a.input)]) {
			const shown = result.members.find((m) => m.name === input.name)!;
			expect(shown.idNumber).toBe(
				`${input.idNumber.slice(0, 4)}${'*'.repeat(10)}${input.idNumber.slice(-4)}`
			);
			expect(shown.phone).toBe(`${input.phone!.slice(0, 3)}****${input.phone!.slice(-4)}`);
			expect(shown.hasPhone).toBe(true);
		}
		for (const name of ['point admin', 'civil affairs', 'system admin', 'community worker'])
			expectNoPersonalNumbers(
				await getHousehold(actors[name], h.id),
				...[h.input, ...added.map((a) => a.input)].flatMap((i) => [i.idNumber, i.phone])
			);
		// and the resident's own view
		expectNoPersonalNumbers(
			await getHousehold(actors['resident'], home.id),
			...home.members.flatMap((m) => [m.idNumber, m.phone])
		);
	});

	it('flags a member active in another household, linking only the households the actor may see', async () => {
		const a = await register({ age: 62, employment: '退休或无需就业' });
		const twin = await add(a.id, {
			name: '彭水生',
			relation: '父亲',
			age: 85,
			employment: '退休或无需就业'
		});
		const copy = {
			name: '彭水生',
			idNumber: twin.input.idNumber,
			birthDate: twin.input.birthDate,
			gender: twin.input.gender,
			relation: '父亲' as const,
			employment: '退休或无需就业' as const
		};
		const inS2 = await register(
			{ age: 55 },
			{},
			{ actor: actors['point admin of s2'], settlement: s2 }
		);
		ok(await addMember(actors['point admin of s2'], inS2.id, memberInput(copy)));
		const farAdmin = (await createUser({ grants: [{ role: 'point_admin', on: far }] })).actor;
		const inFar = await register({ age: 50 }, {}, { actor: farAdmin, settlement: far });
		ok(await addMember(farAdmin, inFar.id, memberInput(copy)));
		// an ended copy elsewhere does not count
		const past = await register({ age: 57 });
		const left = ok(await addMember(actors['point admin'], past.id, memberInput(copy)));
		ok(
			await endMembership(actors['point admin'], left.id, {
				reason: 'moved_out',
				endedOn: today,
				note: '',
				newHeadId: ''
			})
		);

		const byName = (r: Awaited<ReturnType<typeof getHousehold>>) =>
			Object.fromEntries(r.members.map((m) => [m.name, m.duplicates]));
		const sort = <T extends { settlementName: string }>(xs: T[]) =>
			[...xs].sort((x, y) => x.settlementName.localeCompare(y.settlementName));

		// the point admin of s1 sees where, but may open neither household
		const mine = byName(await getHousehold(actors['point admin'], a.id));
		expect(sort(mine['彭水生'])).toEqual(
			sort([
				{ householdId: null, settlementName: s2.name },
				{ householdId: null, settlementName: far.name }
			])
		);
		expect(mine[a.input.name]).toEqual([]);
		// civil affairs of the county may open the one in s2, not the one in another county
		const county_ = byName(await getHousehold(actors['civil affairs'], a.id));
		expect(sort(county_['彭水生'])).toEqual(
			sort([
				{ householdId: inS2.id, settlementName: s2.name },
				{ householdId: null, settlementName: far.name }
			])
		);
		// the household where the copy ended shows no flag on the ended member
		const ended = await getHousehold(actors['point admin'], past.id);
		expect(ended.members.find((m) => m.id === left.id)).toMatchObject({
			status: 'moved_out',
			duplicates: []
		});
	});
});

describe('getFigures', () => {
	it('counts a crafted point by hand: labour, employment, zero-employment households, old and young, posts', async () => {
		const fig = await createSettlement(county);
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: fig }] });
		const as = { actor, settlement: fig };
		const addTo = async (id: string, m: Parameters<typeof memberInput>[0]) =>
			ok(await addMember(actor, id, memberInput(m))).id;

		// F1: a working father, a mother out of work, a pupil of 17, a child of 10, a grandfather of 65
		const f1 = await register({ age: 40, laborAbility: '普通劳动力', employment: '务工' }, {}, as);
		await addTo(f1.id, {
			relation: '配偶',
			age: 38,
			laborAbility: '弱劳动力',
			employment: '未就业'
		});
		await addTo(f1.id, {
			relation: '子',
			age: 17,
			laborAbility: '普通劳动力',
			employment: '在校学生'
		});
		await addTo(f1.id, {
			relation: '女',
			age: 10,
			laborAbility: '无劳动能力',
			employment: '在校学生'
		});
		await addTo(f1.id, {
			relation: '父亲',
			age: 65,
			laborAbility: '无劳动能力',
			employment: '退休或无需就业'
		});
		// F2: one person on a public-welfare post
		await register(
			{ age: 50, laborAbility: '技能劳动力', employment: '公益性岗位', publicPost: '保洁' },
			{},
			as
		);
		// F3: zero employment: a jobless labourer of 45 and of 16, a 70-year-old, a child of 14 (not under 14)
		const f3 = await register(
			{ age: 45, laborAbility: '普通劳动力', employment: '未就业' },
			{},
			as
		);
		await addTo(f3.id, {
			relation: '子',
			age: 16,
			laborAbility: '普通劳动力',
			employment: '未就业'
		});
		await addTo(f3.id, {
			relation: '母亲',
			age: 70,
			laborAbility: '普通劳动力',
			employment: '未就业'
		});
		await addTo(f3.id, {
			relation: '女',
			age: 14,
			laborAbility: '无劳动能力',
			employment: '在校学生'
		});
		// F4: a flexible worker, a working 62-year-old (employed, old, not labour), one who left
		const f4 = await register(
			{ age: 30, laborAbility: '普通劳动力', employment: '灵活就业' },
			{},
			as
		);
		await addTo(f4.id, {
			relation: '父亲',
			age: 62,
			laborAbility: '普通劳动力',
			employment: '务工'
		});
		const leaver = await addTo(f4.id, {
			relation: '兄弟姐妹',
			age: 35,
			laborAbility: '普通劳动力',
			employment: '务工'
		});
		ok(
			await endMembership(actor, leaver, {
				reason: 'moved_out',
				endedOn: today,
				note: '',
				newHeadId: ''
			})
		);
		// F5: moved out as a whole, not counted
		const f5 = await register({ age: 40, employment: '未就业' }, {}, as);
		await addTo(f5.id, {
			relation: '女',
			age: 8,
			laborAbility: '无劳动能力',
			employment: '在校学生'
		});
		ok(await moveOutHousehold(actor, f5.id, { endedOn: today, note: '迁往外省' }));

		const figures = await getFigures(actor, fig.id);
		expect(figures).toEqual({
			households: 4,
			people: 12,
			// F1 father and mother, F2, F3 45 and 16, F4 30
			laborers: 6,
			// F1 father, F2, F4 30 and 62
			employed: 4,
			// employed labourers 3 (F1 father, F2, F4 30) of 6
			employmentRate: 0.5,
			zeroEmploymentHouseholds: 1,
			// F1 65, F3 70, F4 62
			elderly: 3,
			// F1 10
			children: 1,
			publicPosts: 1
		});
		expect(await getFigures(actors['civil affairs'], fig.id)).toEqual(figures);
		expect(await status(getFigures(actors['point admin'], fig.id))).toBe(404);
		expect(await status(getFigures(actors['civil affairs elsewhere'], fig.id))).toBe(404);

		const empty = await createSettlement(county);
		expect(await getFigures(actors['civil affairs'], empty.id)).toEqual({
			households: 0,
			people: 0,
			laborers: 0,
			employed: 0,
			employmentRate: null,
			zeroEmploymentHouseholds: 0,
			elderly: 0,
			children: 0,
			publicPosts: 0
		});
	});
});

describe('the permission table in action', () => {
	// every command over s1's `home` household; reads answer 404 when denied, writes 403
	const member = () => home.members[1];
	let correctionId: string;
	beforeAll(async () => {
		correctionId = ok(
			await requestCorrection(actors['resident'], home.id, {
				residentId: '',
				field: '其他',
				message: '请核实户类别'
			})
		).id;
	});
	const unchanged = {
		building: 'B',
		unitNo: '',
		room: 'R',
		originTownship: '镇',
		originVillage: '村',
		movedInOn: '2020-01-01',
		tags: []
	};
	const reads: Record<string, (a: Actor) => Promise<unknown>> = {
		getHousehold: (a) => getHousehold(a, home.id),
		listCorrections: (a) => listCorrections(a, home.id),
		listHouseholds: (a) => listHouseholds(a, s1.id),
		getFigures: (a) => getFigures(a, s1.id)
	};
	const writes: Record<string, (a: Actor) => Promise<unknown>> = {
		createHousehold: (a) => createHousehold(a, s1.id, householdInput()),
		updateHousehold: (a) => updateHousehold(a, home.id, unchanged),
		addMember: (a) => addMember(a, home.id, memberInput()),
		updateMember: (a) =>
			updateMember(a, member().id, memberInput({ relation: '配偶', name: member().name })),
		endMembership: (a) =>
			endMembership(a, member().id, {
				reason: 'moved_out',
				endedOn: today,
				note: '',
				newHeadId: ''
			}),
		moveOutHousehold: (a) => moveOutHousehold(a, home.id, { endedOn: today, note: '迁出测试' }),
		revealField: (a) =>
			revealField(a, { residentId: member().id, field: 'idNumber', reason: '核对信息' }),
		resolveCorrection: (a) =>
			resolveCorrection(a, { correctionId, status: 'rejected', resolution: '无需更正' })
	};

	async function answers(name: string) {
		const out: Record<string, number | null> = {};
		for (const [op, run] of Object.entries({ ...reads, ...writes }))
			out[op] = await status(run(actors[name]));
		return out;
	}
	const all = (value: number | null, ops: Record<string, unknown>) =>
		Object.fromEntries(Object.keys(ops).map((op) => [op, value]));

	it('a point admin of another settlement, civil affairs of another county and an org member get 404 for all', async () => {
		for (const name of ['point admin of s2', 'civil affairs elsewhere', 'org member'])
			expect(await answers(name), name).toEqual({ ...all(404, reads), ...all(404, writes) });
	});

	it('a community worker of the point reads and gets 403 on every write', async () => {
		expect(await answers('community worker')).toEqual({
			...all(null, reads),
			...all(403, writes)
		});
	});

	it('a resident reads their own household only, never the register, and writes nothing', async () => {
		expect(await answers('resident')).toEqual({
			getHousehold: null,
			listCorrections: null,
			listHouseholds: 404,
			// the point's figures are its shared page
			getFigures: null,
			...all(403, writes)
		});
		const neighbourAnswers = await answers('neighbour');
		expect(neighbourAnswers).toMatchObject({
			getHousehold: 404,
			listCorrections: 404,
			listHouseholds: 404,
			updateHousehold: 404,
			addMember: 404,
			updateMember: 404,
			endMembership: 404,
			moveOutHousehold: 404,
			revealField: 404,
			resolveCorrection: 404
		});
	});

	it('nothing was written by the refused writes', async () => {
		const row = await householdRow(home.id);
		expect(row).toMatchObject({ status: 'active', room: home.room, building: home.building });
		const members = await membersOf(home.id);
		expect(members).toHaveLength(home.members.length);
		expect(members.every((m) => m.status === 'active')).toBe(true);
		const [c] = await db()
			.select()
			.from(correctionRequest)
			.where(eq(correctionRequest.id, correctionId));
		expect(c.status).toBe('open');
		expect(await auditOf('person.reveal', member().id)).toHaveLength(0);
	});
});

describe('two clerks at once', () => {
	// on PostgreSQL the commands lock the settlement or household row first, so the second sees the first
	it('createHousehold of one unit twice at once: one household, the other unit_taken', async () => {
		for (let i = 0; i < 5; i++) {
			const unit = { building: '12栋', unitNo: '1单元', room: `20${i}` };
			const results = await Promise.allSettled([
				createHousehold(actors['point admin'], s1.id, householdInput({}, unit)),
				createHousehold(actors['point admin'], s1.id, householdInput({}, unit))
			]);
			const values = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
			expect(values.filter((v) => v?.ok === true)).toHaveLength(1);
			expect(values.filter((v) => v?.ok === false)).toEqual([
				{ ok: false, reason: 'unit_taken', field: 'room' }
			]);
		}
	});

	it('addMember of one person twice at once: one member, the other already_member', async () => {
		for (let i = 0; i < 5; i++) {
			const h = await register();
			const input = memberInput({ relation: '子', age: 20 });
			const results = await Promise.all([
				addMember(actors['point admin'], h.id, input),
				addMember(actors['point admin'], h.id, input)
			]);
			expect(results.filter((r) => r.ok)).toHaveLength(1);
			const copies = await db()
				.select({ id: resident.id })
				.from(resident)
				.where(and(eq(resident.householdId, h.id), eq(resident.idNumber, input.idNumber)));
			expect(copies).toHaveLength(1);
		}
	});

	it('the head (handing over to the other member) and that member leave at once: both recorded, no deadlock', async () => {
		for (let i = 0; i < 5; i++) {
			const h = await register({ age: 60, employment: '退休或无需就业' });
			const son = await add(h.id, { relation: '子', age: 35 });
			const results = await Promise.allSettled([
				endMembership(actors['point admin'], h.headId, {
					reason: 'deceased',
					endedOn: today,
					note: '',
					newHeadId: son.id
				}),
				endMembership(actors['point admin'], son.id, {
					reason: 'moved_out',
					endedOn: today,
					note: '',
					newHeadId: ''
				})
			]);
			const values = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
			// whichever goes first, the other sees it: both recorded, the household ends exactly once
			expect(values).toEqual(
				expect.arrayContaining([
					{ ok: true, householdEnded: false },
					{ ok: true, householdEnded: true }
				])
			);
			expect((await membersOf(h.id)).map((m) => m.status).sort()).toEqual([
				'deceased',
				'moved_out'
			]);
			expect((await householdRow(h.id)).status).toBe('moved_out');
		}
	});
});

describe('a double submit, a clash', () => {
	// the commands read the member's and the household's status again after taking the household lock
	it('endMembership of one member twice at once: one recorded, the other ended; one audit entry', async () => {
		for (let i = 0; i < 5; i++) {
			const h = await register();
			const son = await add(h.id, { relation: '子', age: 30 });
			const results = await Promise.all([
				endMembership(actors['point admin'], son.id, {
					reason: 'deceased',
					endedOn: '2025-01-01',
					note: '',
					newHeadId: ''
				}),
				endMembership(actors['point admin'], son.id, {
					reason: 'moved_out',
					endedOn: '2025-02-02',
					note: '',
					newHeadId: ''
				})
			]);
			// either may take the lock first
			expect(results).toContainEqual({ ok: true, householdEnded: false });
			expect(results).toContainEqual({ ok: false, reason: 'ended' });
			const entries = [
				...(await auditOf('resident.death', son.id)),
				...(await auditOf('resident.move_out', son.id))
			];
			expect(entries).toHaveLength(1);
		}
	});

	it('a member added while the household moves out is not left active in a moved-out household', async () => {
		// on PostgreSQL either may take the lock first (about half the time the move-out): 12 tries
		for (let i = 0; i < 12; i++) {
			const h = await register();
			const input = memberInput({ relation: '子', age: 30 });
			await Promise.all([
				moveOutHousehold(actors['point admin'], h.id, { endedOn: today, note: '整户迁出' }),
				addMember(actors['point admin'], h.id, input)
			]);
			const active = (await membersOf(h.id)).filter((m) => m.status === 'active');
			expect((await householdRow(h.id)).status).toBe('moved_out');
			expect(active).toEqual([]);
		}
	});
});
