import { and, asc, eq, isNull } from 'drizzle-orm';
import type { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { assignmentSchema } from '$lib/schemas/register';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus as status } from '../../../../tests/http';
import {
	createCounty,
	createOrganization,
	createSettlement,
	createUser,
	householdInput,
	memberInput,
	type County,
	type Settlement,
	type User
} from '../../../../tests/factories';
import { can, loadGrants, type Actor } from '../access';
import { createSession, generateSessionToken, validateSessionToken } from '../auth/session';
import { db, schema } from '../db';
import {
	addMember,
	assignStaff,
	createHousehold,
	endAssignment,
	endMembership,
	getFigures,
	listRoster,
	moveOutHousehold
} from '.';

// The 三员 roster: who may assign which post, the limits per point, the role grant an assignment
// gives and takes back (with the holder's sessions), and public-welfare posts on the register.

useTestDatabase();

const { staffAssignment, roleGrant, session, auditEntry, resident, household } = schema;

let county: County;
let otherCounty: County;
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	county = await createCounty();
	otherCounty = await createCounty();
	const org = await createOrganization(county);
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('civil affairs', { grants: [{ role: 'civil_affairs', on: county }] });
	await make('chief of points', { grants: [{ role: 'chief_of_points', on: county }] });
	await make('civil affairs elsewhere', { grants: [{ role: 'civil_affairs', on: otherCounty }] });
	await make('org member', { grants: [{ role: 'org_member', on: org }] });
});

/** A new point of the county with its own point chief, point admin and community worker as actors. */
async function point(kind: Settlement['kind'] = 'urban_park') {
	const s = await createSettlement(county, { kind });
	const grantOn = async (role: 'point_chief' | 'point_admin' | 'community_worker') =>
		(await createUser({ grants: [{ role, on: s }] })).actor;
	return {
		s,
		chief: await grantOn('point_chief'),
		admin: await grantOn('point_admin'),
		worker: await grantOn('community_worker')
	};
}

/** A staff account without grants, the kind an assignment is made for. */
async function staff(): Promise<User> {
	return (await createUser()).user;
}

const input = (v: z.input<typeof assignmentSchema>) => assignmentSchema.parse(v);

function ok<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
	expect(result).toMatchObject({ ok: true });
	return result as Extract<T, { ok: true }>;
}

async function assignment(id: string) {
	const [row] = await db().select().from(staffAssignment).where(eq(staffAssignment.id, id));
	return row;
}

async function grantRow(id: string) {
	const [row] = await db().select().from(roleGrant).where(eq(roleGrant.id, id));
	return row;
}

async function sessionsOf(userId: string) {
	return db().select({ id: session.id }).from(session).where(eq(session.userId, userId));
}

async function startSession(userId: string) {
	const token = generateSessionToken();
	await createSession(token, userId, true);
	return token;
}

async function activeOf(settlementId: string, kind: string) {
	return db()
		.select()
		.from(staffAssignment)
		.where(
			and(
				eq(staffAssignment.settlementId, settlementId),
				eq(staffAssignment.kind, kind as 'point_chief'),
				isNull(staffAssignment.endedOn)
			)
		);
}

async function auditOf(action: string, settlementId: string) {
	return db()
		.select()
		.from(auditEntry)
		.where(and(eq(auditEntry.action, action), eq(auditEntry.entityId, settlementId)))
		.orderBy(asc(auditEntry.id));
}

describe('assignStaff: staff posts', () => {
	const cases = [
		{ kind: 'point_admin', by: 'civil affairs', role: 'point_admin' },
		{ kind: 'point_chief', by: 'chief of points', role: 'point_chief' },
		{ kind: 'property_staff', by: 'point admin', role: 'community_worker' }
	] as const;

	for (const c of cases)
		it(`${c.kind} by ${c.by}: a ${c.role} grant over the point, the user's sessions ended, audited`, async () => {
			const p = await point();
			const by = c.by === 'point admin' ? p.admin : actors[c.by];
			const u = await staff();
			const token = await startSession(u.id);
			expect(await sessionsOf(u.id)).toHaveLength(1);

			const result = await assignStaff(
				by,
				p.s.id,
				input({ kind: c.kind, username: u.username, startedOn: '2025-03-01' })
			);
			expect(result).toEqual({ ok: true, id: expect.any(String) });
			const a = await assignment(ok(result).id);
			expect(a).toMatchObject({
				settlementId: p.s.id,
				kind: c.kind,
				userId: u.id,
				residentId: null,
				name: u.displayName,
				startedOn: '2025-03-01',
				endedOn: null,
				createdBy: by.id
			});
			expect(a.grantId).toEqual(expect.any(String));
			expect(await grantRow(a.grantId!)).toMatchObject({
				userId: u.id,
				role: c.role,
				scopeKind: 'settlement',
				settlementId: p.s.id,
				grantedBy: by.id,
				revokedAt: null
			});
			expect(await loadGrants(u.id)).toEqual([
				{ role: c.role, scope: 'settlement', settlementId: p.s.id, regionPath: p.s.regionPath }
			]);
			// signed out: the next sign-in carries the new role
			expect(await sessionsOf(u.id)).toEqual([]);
			expect((await validateSessionToken(token)).user).toBeNull();

			const entries = await auditOf('roster.assign', p.s.id);
			expect(entries).toHaveLength(1);
			expect(entries[0]).toMatchObject({
				actorId: by.id,
				entity: 'settlement',
				scopePath: p.s.regionPath,
				summary: { kind: c.kind, assignmentId: a.id, role: c.role }
			});
		});

	it('keeps a title given for the post, and finds the username in any case', async () => {
		const p = await point();
		const u = await staff();
		const { id } = ok(
			await assignStaff(
				actors['civil affairs'],
				p.s.id,
				input({
					kind: 'point_chief',
					username: ` ${u.username.toUpperCase()} `,
					name: '县人大常委会副主任',
					startedOn: '2024-01-02'
				})
			)
		);
		expect(await assignment(id)).toMatchObject({ userId: u.id, name: '县人大常委会副主任' });
	});

	it('property_company: a name on the roster, no account and no grant', async () => {
		const p = await point();
		const result = await assignStaff(
			actors['civil affairs'],
			p.s.id,
			input({
				kind: 'property_company',
				name: '于都县安居物业服务有限公司',
				startedOn: '2024-05-01'
			})
		);
		const a = await assignment(ok(result).id);
		expect(a).toMatchObject({
			kind: 'property_company',
			name: '于都县安居物业服务有限公司',
			userId: null,
			residentId: null,
			grantId: null
		});
		const [entry] = await auditOf('roster.assign', p.s.id);
		expect(entry.summary).toMatchObject({ kind: 'property_company', role: null });
	});
});

describe('assignStaff: limits and who can be assigned', () => {
	it('one point chief at a time (chief_exists); after the hand-over, the next', async () => {
		const p = await point();
		const [first, second] = [await staff(), await staff()];
		const chief = (u: User) =>
			assignStaff(
				actors['civil affairs'],
				p.s.id,
				input({ kind: 'point_chief', username: u.username, startedOn: '2024-01-01' })
			);
		const { id } = ok(await chief(first));
		expect(await chief(second)).toEqual({ ok: false, reason: 'chief_exists', field: 'kind' });
		expect(await loadGrants(second.id)).toEqual([]);
		expect(await activeOf(p.s.id, 'point_chief')).toHaveLength(1);

		ok(await endAssignment(actors['civil affairs'], { assignmentId: id, endedOn: '2024-12-31' }));
		ok(await chief(second));
		expect((await activeOf(p.s.id, 'point_chief')).map((a) => a.userId)).toEqual([second.id]);
	});

	it('two point admins at most (admins_full), one property company (company_exists)', async () => {
		const p = await point();
		const admin = async (u: User) =>
			assignStaff(
				actors['civil affairs'],
				p.s.id,
				input({ kind: 'point_admin', username: u.username, startedOn: '2024-01-01' })
			);
		ok(await admin(await staff()));
		ok(await admin(await staff()));
		const third = await staff();
		expect(await admin(third)).toEqual({ ok: false, reason: 'admins_full', field: 'kind' });
		expect(await loadGrants(third.id)).toEqual([]);
		expect(await activeOf(p.s.id, 'point_admin')).toHaveLength(2);

		const company = (name: string) =>
			assignStaff(
				actors['civil affairs'],
				p.s.id,
				input({ kind: 'property_company', name, startedOn: '2024-01-01' })
			);
		ok(await company('红都物业'));
		expect(await company('安居物业')).toEqual({
			ok: false,
			reason: 'company_exists',
			field: 'kind'
		});
		expect(await activeOf(p.s.id, 'property_company')).toHaveLength(1);
	});

	it('the same person twice in one post is already_assigned', async () => {
		const p = await point();
		const u = await staff();
		for (const kind of ['point_admin', 'property_staff'] as const) {
			const by = kind === 'point_admin' ? actors['civil affairs'] : p.admin;
			const assign = () =>
				assignStaff(by, p.s.id, input({ kind, username: u.username, startedOn: '2024-01-01' }));
			ok(await assign());
			expect(await assign(), kind).toEqual({
				ok: false,
				reason: 'already_assigned',
				field: 'username'
			});
		}
		expect((await loadGrants(u.id)).map((g) => g.role).sort()).toEqual([
			'community_worker',
			'point_admin'
		]);
	});

	it('an unknown username, a resident’s own account or a disabled account is no_user', async () => {
		const p = await point();
		const home = ok(await createHousehold(p.admin, p.s.id, householdInput()));
		const { user: residentUser } = await createUser({
			household: { id: home.id },
			grants: [{ role: 'resident', on: p.s }]
		});
		const disabled = await staff();
		await db()
			.update(schema.user)
			.set({ disabledAt: new Date() })
			.where(eq(schema.user.id, disabled.id));
		for (const username of ['nobody-here', residentUser.username, disabled.username])
			for (const kind of ['point_chief', 'point_admin', 'property_staff'] as const) {
				const by = kind === 'property_staff' ? p.admin : actors['civil affairs'];
				expect(
					await assignStaff(by, p.s.id, input({ kind, username, startedOn: '2024-01-01' })),
					`${kind} ${username}`
				).toEqual({ ok: false, reason: 'no_user', field: 'username' });
			}
		expect(await loadGrants(residentUser.id)).toHaveLength(1);
		expect(
			await db().select().from(staffAssignment).where(eq(staffAssignment.settlementId, p.s.id))
		).toEqual([]);
	});
});

describe('assignStaff: public-welfare posts', () => {
	it('puts an active resident of the point on the post: the register says 公益性岗位 and the household has work', async () => {
		const p = await point('town');
		const h = ok(
			await createHousehold(
				p.admin,
				p.s.id,
				householdInput({
					name: '刘金生',
					age: 44,
					laborAbility: '普通劳动力',
					employment: '未就业'
				})
			)
		);
		const [head] = await db().select().from(resident).where(eq(resident.householdId, h.id));
		const zero = async () =>
			(await db().select().from(household).where(eq(household.id, h.id)))[0].zeroEmployment;
		expect(await zero()).toBe(true);

		const result = await assignStaff(
			p.admin,
			p.s.id,
			input({
				kind: 'public_post',
				residentId: head.id,
				postKind: 'security',
				startedOn: '2025-04-01'
			})
		);
		const a = await assignment(ok(result).id);
		expect(a).toMatchObject({
			kind: 'public_post',
			residentId: head.id,
			userId: null,
			grantId: null,
			postKind: 'security',
			name: '刘金生'
		});
		expect((await db().select().from(resident).where(eq(resident.id, head.id)))[0]).toMatchObject({
			employment: '公益性岗位',
			publicPost: '保安'
		});
		expect(await zero()).toBe(false);
		expect((await getFigures(p.admin, p.s.id)).publicPosts).toBe(1);
		const [entry] = await auditOf('roster.assign', p.s.id);
		expect(entry.summary).toEqual({ kind: 'public_post', assignmentId: a.id, role: null });
		expect(JSON.stringify(entry.summary)).not.toContain(head.idNumber);

		// the same resident twice
		expect(
			await assignStaff(
				p.chief,
				p.s.id,
				input({
					kind: 'public_post',
					residentId: head.id,
					postKind: 'cleaning',
					startedOn: '2025-04-02'
				})
			)
		).toEqual({ ok: false, reason: 'already_assigned', field: 'residentId' });

		// the post ends: out of work again, and the flag is back
		ok(await endAssignment(p.admin, { assignmentId: a.id, endedOn: '2025-10-31' }));
		expect((await db().select().from(resident).where(eq(resident.id, head.id)))[0]).toMatchObject({
			employment: '未就业',
			publicPost: null
		});
		expect(await zero()).toBe(true);
	});

	it('finds the holder by name and the tail of their ID number, as staff would name them', async () => {
		const p = await point('town');
		const h = ok(
			await createHousehold(p.admin, p.s.id, householdInput({ name: '钟秀兰', age: 50 }))
		);
		const [head] = await db().select().from(resident).where(eq(resident.householdId, h.id));
		const byName = (residentName: string, residentIdTail: string) =>
			assignStaff(
				p.admin,
				p.s.id,
				input({
					kind: 'public_post',
					residentName,
					residentIdTail,
					postKind: 'greening',
					startedOn: '2025-03-01'
				})
			);
		expect(await byName('钟秀兰', '0000')).toEqual({
			ok: false,
			reason: 'no_resident',
			field: 'residentName'
		});
		const a = ok(await byName('钟秀兰', head.idNumber.slice(-6)));
		expect(await assignment(a.id)).toMatchObject({ residentId: head.id, postKind: 'greening' });
		// two people of one name with the same last digits: say more
		const twin = ok(
			await createHousehold(
				p.admin,
				p.s.id,
				householdInput(
					{ name: '钟秀兰', age: 50 },
					{ building: '9栋', unitNo: '1单元', room: '909' }
				)
			)
		);
		// the twin's number shares the last digits (written straight in: only the tail matters here)
		await db()
			.update(resident)
			.set({ idNumber: '360732' + head.idNumber.slice(6) })
			.where(eq(resident.householdId, twin.id));
		expect(await byName('钟秀兰', head.idNumber.slice(-4))).toEqual({
			ok: false,
			reason: 'ambiguous_resident',
			field: 'residentName'
		});
	});

	it('ends when its holder leaves the point, by moving out or by the whole household moving', async () => {
		const p = await point('town');
		const register = async (name: string) => {
			const h = ok(await createHousehold(p.admin, p.s.id, householdInput({ name, age: 40 })));
			const [head] = await db().select().from(resident).where(eq(resident.householdId, h.id));
			const a = ok(
				await assignStaff(
					p.admin,
					p.s.id,
					input({
						kind: 'public_post',
						residentId: head.id,
						postKind: 'cleaning',
						startedOn: '2025-01-01'
					})
				)
			);
			return { household: h, head, assignmentId: a.id };
		};
		const one = await register('周保洁');
		ok(
			await endMembership(p.admin, one.head.id, {
				reason: 'moved_out',
				endedOn: '2025-06-30',
				note: '',
				newHeadId: ''
			})
		);
		expect(await assignment(one.assignmentId)).toMatchObject({ endedOn: '2025-06-30' });

		const two = await register('吴保洁');
		ok(
			await moveOutHousehold(p.admin, two.household.id, { endedOn: '2025-07-31', note: '回原籍' })
		);
		expect(await assignment(two.assignmentId)).toMatchObject({ endedOn: '2025-07-31' });
		expect(
			(await listRoster(p.admin, p.s.id)).current.filter((c) => c.kind === 'public_post')
		).toEqual([]);
	});

	it('is no_resident for a resident of another point, one who left, or one of a moved-out household', async () => {
		const p = await point('town');
		const other = await point('town');
		const elsewhere = ok(await createHousehold(other.admin, other.s.id, householdInput()));
		const [stranger] = await db()
			.select()
			.from(resident)
			.where(eq(resident.householdId, elsewhere.id));

		const here = ok(await createHousehold(p.admin, p.s.id, householdInput()));
		const leaver = ok(await addMember(p.admin, here.id, memberInput({ relation: '子', age: 30 })));
		ok(
			await endMembership(p.admin, leaver.id, {
				reason: 'moved_out',
				endedOn: '2025-01-01',
				note: '',
				newHeadId: ''
			})
		);
		const gone = ok(await createHousehold(p.admin, p.s.id, householdInput()));
		const [goneHead] = await db().select().from(resident).where(eq(resident.householdId, gone.id));
		ok(await moveOutHousehold(p.admin, gone.id, { endedOn: '2025-02-01', note: '迁往外县' }));

		for (const residentId of [
			stranger.id,
			leaver.id,
			goneHead.id,
			'00000000-0000-4000-8000-000000000000'
		])
			expect(
				await assignStaff(
					p.admin,
					p.s.id,
					input({ kind: 'public_post', residentId, postKind: 'greening', startedOn: '2025-04-01' })
				),
				residentId
			).toEqual({ ok: false, reason: 'no_resident', field: 'residentId' });
		expect(stranger.employment).not.toBe('公益性岗位');
		expect(
			(await db().select().from(resident).where(eq(resident.id, stranger.id)))[0].employment
		).toBe(stranger.employment);
	});
});

describe('endAssignment', () => {
	it('revokes the grant, ends the sessions, keeps the line with its end date, and audits', async () => {
		const p = await point();
		const u = await staff();
		const { id } = ok(
			await assignStaff(
				actors['civil affairs'],
				p.s.id,
				input({ kind: 'point_admin', username: u.username, startedOn: '2024-02-01' })
			)
		);
		const a = await assignment(id);
		const token = await startSession(u.id);
		expect((await validateSessionToken(token)).user?.id).toBe(u.id);

		expect(
			await endAssignment(actors['civil affairs'], { assignmentId: id, endedOn: '2025-06-30' })
		).toEqual({ ok: true });
		expect(await assignment(id)).toMatchObject({ endedOn: '2025-06-30', startedOn: '2024-02-01' });
		expect((await grantRow(a.grantId!)).revokedAt).toBeInstanceOf(Date);
		expect(await loadGrants(u.id)).toEqual([]);
		expect(await sessionsOf(u.id)).toEqual([]);
		const [entry] = await auditOf('roster.end', p.s.id);
		expect(entry).toMatchObject({
			actorId: actors['civil affairs'].id,
			entity: 'settlement',
			summary: { kind: 'point_admin', assignmentId: id }
		});
		const roster = await listRoster(actors['civil affairs'], p.s.id);
		expect(roster.current.map((r) => r.id)).not.toContain(id);
		expect(roster.history.map((r) => r.id)).toEqual([id]);

		expect(
			await endAssignment(actors['civil affairs'], { assignmentId: id, endedOn: '2025-07-01' })
		).toEqual({ ok: false, reason: 'ended' });
		expect((await assignment(id)).endedOn).toBe('2025-06-30');
	});

	it('refuses an end date before the start (before_start) and changes nothing', async () => {
		const p = await point();
		const u = await staff();
		const { id } = ok(
			await assignStaff(
				actors['civil affairs'],
				p.s.id,
				input({ kind: 'point_chief', username: u.username, startedOn: '2024-02-01' })
			)
		);
		expect(
			await endAssignment(actors['civil affairs'], { assignmentId: id, endedOn: '2024-01-31' })
		).toEqual({ ok: false, reason: 'before_start', field: 'endedOn' });
		expect((await assignment(id)).endedOn).toBeNull();
		expect(await loadGrants(u.id)).toHaveLength(1);
		// the same day is a valid (if short) assignment
		ok(await endAssignment(actors['civil affairs'], { assignmentId: id, endedOn: '2024-02-01' }));
	});

	it('is 404 for an unknown assignment', async () => {
		expect(
			await status(
				endAssignment(actors['civil affairs'], {
					assignmentId: '00000000-0000-4000-8000-000000000000',
					endedOn: '2025-01-01'
				})
			)
		).toBe(404);
	});
});

describe('who may assign', () => {
	const manageKinds = ['point_chief', 'point_admin', 'property_company'] as const;
	const postKinds = ['property_staff', 'public_post'] as const;

	async function attempt(
		actor: Actor,
		s: Settlement,
		kind: (typeof manageKinds | typeof postKinds)[number],
		residentId: string
	) {
		const u = await staff();
		return assignStaff(
			actor,
			s.id,
			input({
				kind,
				username: u.username,
				name: '某物业公司',
				// a made-up resident where none is meant: the access check comes first
				residentId: residentId || '00000000-0000-4000-8000-000000000000',
				postKind: kind === 'public_post' ? 'cleaning' : '',
				startedOn: '2024-01-01'
			})
		);
	}

	it('点长, 专职管理员 and the property company are the county’s: 403 to the point’s own staff', async () => {
		const p = await point();
		for (const kind of manageKinds)
			for (const [name, actor] of [
				['point chief', p.chief],
				['point admin', p.admin],
				['community worker', p.worker]
			] as const)
				expect(await status(attempt(actor, p.s, kind, '')), `${kind} by ${name}`).toBe(403);
		expect(
			await db().select().from(staffAssignment).where(eq(staffAssignment.settlementId, p.s.id))
		).toEqual([]);
		// and the county's civil affairs and chief of points may
		ok(await attempt(actors['chief of points'], p.s, 'point_chief', ''));
		ok(await attempt(actors['civil affairs'], p.s, 'point_admin', ''));
		ok(await attempt(actors['chief of points'], p.s, 'property_company', ''));
	});

	it('property staff and public posts are the point’s: its admin and chief may, its community worker not', async () => {
		const p = await point();
		const h = ok(await createHousehold(p.admin, p.s.id, householdInput()));
		const members = [
			(await db().select().from(resident).where(eq(resident.householdId, h.id)))[0].id,
			ok(await addMember(p.admin, h.id, memberInput({ relation: '配偶' }))).id,
			ok(await addMember(p.admin, h.id, memberInput({ relation: '子', age: 30 }))).id
		];
		expect(await status(attempt(p.worker, p.s, 'property_staff', ''))).toBe(403);
		expect(await status(attempt(p.worker, p.s, 'public_post', members[2]))).toBe(403);
		ok(await attempt(p.admin, p.s, 'property_staff', ''));
		ok(await attempt(p.admin, p.s, 'public_post', members[0]));
		ok(await attempt(p.chief, p.s, 'property_staff', ''));
		ok(await attempt(p.chief, p.s, 'public_post', members[1]));
		ok(await attempt(actors['civil affairs'], p.s, 'public_post', members[2]));
	});

	it('an actor of another county or an organisation gets 404, for assigning and for ending', async () => {
		const p = await point();
		for (const kind of [...manageKinds, ...postKinds])
			for (const name of ['civil affairs elsewhere', 'org member'])
				expect(await status(attempt(actors[name], p.s, kind, '')), `${kind} by ${name}`).toBe(404);
		const other = await point();
		expect(await status(attempt(other.admin, p.s, 'property_staff', ''))).toBe(404);

		const { id } = ok(await attempt(actors['civil affairs'], p.s, 'point_admin', ''));
		const end = (actor: Actor) => endAssignment(actor, { assignmentId: id, endedOn: '2025-01-01' });
		expect(await status(end(actors['civil affairs elsewhere']))).toBe(404);
		expect(await status(end(other.chief))).toBe(404);
		// the point's own admin may not end a county appointment
		expect(await status(end(p.admin))).toBe(403);
		expect(await status(end(p.chief))).toBe(403);
		expect((await assignment(id)).endedOn).toBeNull();
		ok(await end(actors['chief of points']));
	});

	it('listRoster tells each actor what they may change', async () => {
		const p = await point();
		const flags = async (actor: Actor) => {
			const r = await listRoster(actor, p.s.id);
			return { canManage: r.canManage, canPost: r.canPost };
		};
		expect(await flags(actors['civil affairs'])).toEqual({ canManage: true, canPost: true });
		expect(await flags(p.chief)).toEqual({ canManage: false, canPost: true });
		expect(await flags(p.admin)).toEqual({ canManage: false, canPost: true });
		expect(await flags(p.worker)).toEqual({ canManage: false, canPost: false });
		expect(await status(listRoster(actors['civil affairs elsewhere'], p.s.id))).toBe(404);
	});

	it('an assignment’s grant works: the new point admin may update the point’s register', async () => {
		const p = await point();
		const u = await staff();
		ok(
			await assignStaff(
				actors['civil affairs'],
				p.s.id,
				input({ kind: 'point_admin', username: u.username, startedOn: '2024-01-01' })
			)
		);
		const actor: Actor = {
			id: u.id,
			username: u.username,
			displayName: u.displayName,
			householdId: null,
			grants: await loadGrants(u.id)
		};
		expect(
			can(actor, 'household.update', { settlementId: p.s.id, regionPath: p.s.regionPath })
		).toBe(true);
		ok(await createHousehold(actor, p.s.id, householdInput()));
	});
});

describe('two hand-overs at once', () => {
	it('two point chiefs assigned to one point at once: exactly one succeeds, the other chief_exists', async () => {
		for (let i = 0; i < 5; i++) {
			const s = await createSettlement(county);
			const [a, b] = [await staff(), await staff()];
			const results = await Promise.all(
				[a, b].map((u) =>
					assignStaff(
						actors['civil affairs'],
						s.id,
						input({ kind: 'point_chief', username: u.username, startedOn: '2024-01-01' })
					)
				)
			);
			expect(results.filter((r) => r.ok)).toHaveLength(1);
			expect(results.filter((r) => !r.ok)).toEqual([
				{ ok: false, reason: 'chief_exists', field: 'kind' }
			]);
			const chiefs = await activeOf(s.id, 'point_chief');
			expect(chiefs).toHaveLength(1);
			const grants = await db()
				.select()
				.from(roleGrant)
				.where(and(eq(roleGrant.settlementId, s.id), eq(roleGrant.role, 'point_chief')));
			expect(grants.map((g) => g.userId)).toEqual([chiefs[0].userId]);
		}
	});

	it('three point admins at once for two places: two succeed, the third admins_full', async () => {
		const s = await createSettlement(county);
		const users = [await staff(), await staff(), await staff()];
		const results = await Promise.all(
			users.map((u) =>
				assignStaff(
					actors['chief of points'],
					s.id,
					input({ kind: 'point_admin', username: u.username, startedOn: '2024-01-01' })
				)
			)
		);
		expect(results.filter((r) => r.ok)).toHaveLength(2);
		expect(results.filter((r) => !r.ok)).toEqual([
			{ ok: false, reason: 'admins_full', field: 'kind' }
		]);
		expect(await activeOf(s.id, 'point_admin')).toHaveLength(2);
	});
});
