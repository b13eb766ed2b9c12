import { isHttpError } from '@sveltejs/kit';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import {
	actorFor,
	addGrantRow,
	createCounty,
	createHousehold,
	createInvitation,
	createOrganization,
	createSettlement,
	createUser,
	sequence,
	type Region,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { loginLimits } from '../auth/rate-limit';
import {
	createSession,
	generateSessionToken,
	sessionIdFromToken,
	validateSessionToken
} from '../auth/session';
import { db, schema } from '../db';
import {
	addGrant,
	changePassword,
	createUser as createAccount,
	hashInvitationCode,
	issueInvitation,
	listUsers,
	login,
	register,
	revokeGrant
} from '.';

useTestDatabase();

const { auditEntry, session, user: userTable, roleGrant, invitation } = schema;

/** A client address no other test uses, so throttle windows never overlap. */
const ip = () => `10.0.${sequence()}.1`;
/** A mobile number no other test uses. */
const phone = () => `137${String(sequence()).padStart(8, '0')}`;

async function auditRows(action: string, entityId?: string | null) {
	return db()
		.select()
		.from(auditEntry)
		.where(
			and(
				eq(auditEntry.action, action),
				entityId === undefined
					? undefined
					: entityId === null
						? isNull(auditEntry.entityId)
						: eq(auditEntry.entityId, entityId)
			)
		)
		.orderBy(desc(auditEntry.id));
}

async function sessionsOf(userId: string) {
	return db().select({ id: session.id }).from(session).where(eq(session.userId, userId));
}

async function startSession(userId: string) {
	const token = generateSessionToken();
	await createSession(token, userId, false);
	return token;
}

function thrownBy(p: Promise<unknown>) {
	return p.then(
		() => {
			throw new Error('expected an error');
		},
		(e: unknown) => e
	);
}

let county: Region;
let otherCounty: Region;
let s1: Settlement;
let s2: Settlement;
let civil: Actor;
let admin: Actor;

beforeAll(async () => {
	county = await createCounty();
	otherCounty = await createCounty();
	s1 = await createSettlement(county);
	s2 = await createSettlement(otherCounty);
	civil = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] })).actor;
	admin = (await createUser({ grants: [{ role: 'system_admin' }] })).actor;
});

describe('login', () => {
	it('signs in, starts a session and writes login.success', async () => {
		const { user, password } = await createUser({
			grants: [{ role: 'point_admin', on: s1 }]
		});
		const address = ip();
		const result = await login({ username: user.username, password }, { ip: address });
		expect(result).toMatchObject({ ok: true, user: { id: user.id } });
		if (!result.ok) return;
		expect((await validateSessionToken(result.token)).user?.id).toBe(user.id);
		const [entry] = await auditRows('login.success', user.id);
		expect(entry).toMatchObject({ actorId: user.id, ip: address, scopePath: s1.regionPath });
	});

	it('takes the username in any case, and the phone number', async () => {
		const mobile = phone();
		const { user, password } = await createUser({ username: `Mixed${sequence()}`, phone: mobile });
		for (const username of [user.username.toUpperCase(), ` ${user.username} `, mobile]) {
			const result = await login({ username, password }, { ip: ip() });
			expect(result.ok, username).toBe(true);
		}
	});

	it('refuses a wrong password as invalid and writes login.failure', async () => {
		const { user } = await createUser();
		const result = await login({ username: user.username, password: 'wrong-1' }, { ip: ip() });
		expect(result).toEqual({ ok: false, reason: 'invalid' });
		expect(await sessionsOf(user.id)).toEqual([]);
		const [entry] = await auditRows('login.failure', user.id);
		expect(entry.actorId).toBe(user.id);
	});

	it('refuses an unknown user the same way', async () => {
		const username = `ghost${sequence()}`;
		const result = await login({ username, password: 'whatever-1' }, { ip: ip() });
		expect(result).toEqual({ ok: false, reason: 'invalid' });
		const entries = await auditRows('login.failure', null);
		expect(entries.some((e) => e.summary.username === username && e.actorId === null)).toBe(true);
	});

	it('refuses a disabled user with the right password', async () => {
		const { user, password } = await createUser();
		await db().update(userTable).set({ disabledAt: new Date() }).where(eq(userTable.id, user.id));
		expect(await login({ username: user.username, password }, { ip: ip() })).toEqual({
			ok: false,
			reason: 'invalid'
		});
		expect(await sessionsOf(user.id)).toEqual([]);
	});

	it('throttles the 11th attempt from one address within a minute', async () => {
		expect(loginLimits.ip).toEqual({ max: 10, windowSeconds: 60 });
		const { user, password } = await createUser();
		const address = ip();
		for (let i = 0; i < 10; i++) {
			const r = await login({ username: `ghost${sequence()}`, password: 'x' }, { ip: address });
			expect(r).toEqual({ ok: false, reason: 'invalid' });
		}
		// even the right password is refused now, before any check
		const result = await login({ username: user.username, password }, { ip: address });
		expect(result).toEqual({ ok: false, reason: 'throttled' });
		expect(await sessionsOf(user.id)).toEqual([]);
		const [entry] = await auditRows('login.throttled');
		expect(entry.ip).toBe(address);
		// another address is not affected
		expect((await login({ username: user.username, password }, { ip: ip() })).ok).toBe(true);
	});

	it('throttles an account after 10 failures, even from different addresses', async () => {
		const { user, password } = await createUser();
		const { user: bystander, password: theirs } = await createUser();
		for (let i = 0; i < 10; i++) {
			const r = await login({ username: user.username, password: 'wrong-1' }, { ip: ip() });
			expect(r).toEqual({ ok: false, reason: 'invalid' });
		}
		const address = ip();
		expect(await login({ username: user.username, password }, { ip: address })).toEqual({
			ok: false,
			reason: 'throttled'
		});
		expect(
			(await login({ username: bystander.username, password: theirs }, { ip: address })).ok
		).toBe(true);
	});

	it("forgets an account's failures once it signs in", async () => {
		const { user, password } = await createUser();
		for (let round = 0; round < 2; round++) {
			for (let i = 0; i < 9; i++)
				await login({ username: user.username, password: 'wrong-1' }, { ip: ip() });
			expect((await login({ username: user.username, password }, { ip: ip() })).ok).toBe(true);
		}
	});
});

describe('invitations and registration', () => {
	const registration = (invitationCode: string, mobile = phone()) => ({
		phone: mobile,
		invitationCode,
		displayName: '新居民',
		password: 'abc12345',
		confirm: 'abc12345'
	});

	it('a point admin issues a code; only its hash is stored; invitation.issue is written', async () => {
		const household = await createHousehold(s1);
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: s1 }] });
		const { code, expiresAt } = await issueInvitation(actor, household.id);
		expect(code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
		expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 13 * 24 * 3600_000);
		const rows = await db()
			.select()
			.from(invitation)
			.where(eq(invitation.householdId, household.id));
		expect(rows).toHaveLength(1);
		expect(rows[0].codeHash).toBe(hashInvitationCode(code));
		expect(JSON.stringify(rows)).not.toContain(code);
		const [entry] = await auditRows('invitation.issue', household.id);
		expect(entry).toMatchObject({ actorId: actor.id, scopePath: s1.regionPath });
	});

	it('refuses to issue for a household the actor may not see (404) or may see but not invite to (403)', async () => {
		const household = await createHousehold(s1);
		const elsewhere = (await createUser({ grants: [{ role: 'point_admin', on: s2 }] })).actor;
		const worker = (await createUser({ grants: [{ role: 'community_worker', on: s1 }] })).actor;
		expect(isHttpError(await thrownBy(issueInvitation(elsewhere, household.id)), 404)).toBe(true);
		expect(isHttpError(await thrownBy(issueInvitation(worker, household.id)), 403)).toBe(true);
		expect(
			await db().select().from(invitation).where(eq(invitation.householdId, household.id))
		).toEqual([]);
	});

	it('registers a resident linked to the household, once per code', async () => {
		const household = await createHousehold(s1);
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: s1 }] });
		const { code } = await issueInvitation(actor, household.id);
		const address = ip();
		const result = await register(registration(code), { ip: address });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const { user } = await validateSessionToken(result.token);
		expect(user?.householdId).toBe(household.id);
		expect(user?.grants).toEqual([
			{ role: 'resident', scope: 'settlement', settlementId: s1.id, regionPath: s1.regionPath }
		]);
		const [used] = await db()
			.select()
			.from(invitation)
			.where(eq(invitation.householdId, household.id));
		expect(used.usedBy).toBe(user!.id);
		const [entry] = await auditRows('user.register', user!.id);
		expect(entry).toMatchObject({ scopePath: s1.regionPath, ip: address });
		expect(entry.summary).toEqual({ householdId: household.id });

		expect(await register(registration(code), { ip: ip() })).toMatchObject({
			ok: false,
			reason: 'invalid_code'
		});
	});

	it('lets only one of two simultaneous registrations with the same code through', async () => {
		const household = await createHousehold(s1);
		const code = await createInvitation(household, admin);
		const results = await Promise.all([
			register(registration(code), { ip: ip() }),
			register(registration(code), { ip: ip() })
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok)).toEqual([
			{ ok: false, reason: 'invalid_code', field: 'invitationCode' }
		]);
		const linked = await db()
			.select()
			.from(userTable)
			.where(eq(userTable.householdId, household.id));
		expect(linked).toHaveLength(1);
	});

	it('gives one phone registering with two codes at once one account and phone_taken', async () => {
		const [a, b] = [await createHousehold(s1), await createHousehold(s1)];
		const codes = [await createInvitation(a, admin), await createInvitation(b, admin)];
		const mobile = phone();
		const results = await Promise.all(
			codes.map((code) => register(registration(code, mobile), { ip: ip() }))
		);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok)).toEqual([
			{ ok: false, reason: 'phone_taken', field: 'phone' }
		]);
		expect(await db().select().from(userTable).where(eq(userTable.phone, mobile))).toHaveLength(1);
	});

	it('refuses an expired code and an unknown one', async () => {
		const household = await createHousehold(s1);
		const expired = await createInvitation(household, admin, {
			expiresAt: new Date(Date.now() - 1000)
		});
		expect(await register(registration(expired), { ip: ip() })).toMatchObject({
			ok: false,
			reason: 'invalid_code'
		});
		expect(await register(registration('ABCDEFGH'), { ip: ip() })).toMatchObject({
			ok: false,
			reason: 'invalid_code'
		});
	});

	it('refuses a phone number that already has an account, and keeps the code usable', async () => {
		const household = await createHousehold(s1);
		const code = await createInvitation(household, admin);
		const mobile = phone();
		await createUser({ phone: mobile });
		expect(await register(registration(code, mobile), { ip: ip() })).toEqual({
			ok: false,
			reason: 'phone_taken',
			field: 'phone'
		});
		expect((await register(registration(code), { ip: ip() })).ok).toBe(true);
	});

	it('throttles the 11th registration from one address', async () => {
		const address = ip();
		for (let i = 0; i < 10; i++)
			expect((await register(registration('ABCDEFGH'), { ip: address })).ok).toBe(false);
		expect(await register(registration('ABCDEFGH'), { ip: address })).toEqual({
			ok: false,
			reason: 'throttled'
		});
	});
});

describe('createUser', () => {
	const account = (role: (typeof schema.roleGrant.$inferSelect)['role'], scopeId = '') => {
		const n = sequence();
		return {
			username: `staff${n}`,
			displayName: `职员${n}`,
			phone: '',
			password: 'abc12345',
			role,
			scopeId
		};
	};

	async function grantsOf(userId: string) {
		return db()
			.select({
				role: roleGrant.role,
				settlementId: roleGrant.settlementId,
				regionId: roleGrant.regionId,
				organizationId: roleGrant.organizationId,
				grantedBy: roleGrant.grantedBy
			})
			.from(roleGrant)
			.where(eq(roleGrant.userId, userId));
	}

	it('lets civil affairs create staff inside their county, with user.create written', async () => {
		const input = account('point_admin', s1.id);
		const result = await createAccount(civil, input);
		expect(result).toMatchObject({ ok: true });
		if (!result.ok) return;
		expect(await grantsOf(result.id)).toEqual([
			{
				role: 'point_admin',
				settlementId: s1.id,
				regionId: null,
				organizationId: null,
				grantedBy: civil.id
			}
		]);
		const [entry] = await auditRows('user.create', result.id);
		expect(entry).toMatchObject({ actorId: civil.id, scopePath: s1.regionPath });
		expect(entry.summary).toMatchObject({ username: input.username, role: 'point_admin' });
		expect(
			(await login({ username: input.username, password: input.password }, { ip: ip() })).ok
		).toBe(true);
		const county2 = await createAccount(civil, account('chief_of_points', county.id));
		expect(county2.ok).toBe(true);
	});

	it('forbids civil affairs anything outside their county, and any system_admin', async () => {
		const org = await createOrganization(otherCounty);
		for (const input of [
			account('point_admin', s2.id),
			account('civil_affairs', otherCounty.id),
			account('org_member', org.id),
			account('system_admin')
		]) {
			expect(await createAccount(civil, input), input.role).toMatchObject({
				ok: false,
				reason: 'forbidden'
			});
			const [taken] = await db()
				.select()
				.from(userTable)
				.where(eq(userTable.username, input.username));
			expect(taken).toBeUndefined();
		}
	});

	it('lets a system admin create any account, a system admin included', async () => {
		const org = await createOrganization(otherCounty);
		for (const input of [
			account('point_admin', s2.id),
			account('civil_affairs', otherCounty.id),
			account('org_member', org.id),
			account('system_admin')
		]) {
			const result = await createAccount(admin, input);
			expect(result, input.role).toMatchObject({ ok: true });
			if (result.ok) expect((await grantsOf(result.id))[0].role).toBe(input.role);
		}
	});

	it('refuses a taken username (in any case), a taken phone and a scope that does not exist', async () => {
		const { user } = await createUser({ phone: phone() });
		expect(
			await createAccount(admin, {
				...account('point_admin', s1.id),
				username: user.username.toUpperCase()
			})
		).toMatchObject({ ok: false, reason: 'username_taken' });
		expect(
			await createAccount(admin, { ...account('point_admin', s1.id), phone: user.phone! })
		).toMatchObject({ ok: false, reason: 'phone_taken' });
		expect(
			await createAccount(admin, account('point_admin', '00000000-0000-4000-8000-000000000000'))
		).toMatchObject({ ok: false, reason: 'no_scope' });
	});

	it('creates one account when the same form is submitted twice at once', async () => {
		const input = account('point_admin', s1.id);
		const results = await Promise.all([createAccount(civil, input), createAccount(civil, input)]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok)).toEqual([
			{ ok: false, reason: 'username_taken', field: 'username' }
		]);
		const rows = await db().select().from(userTable).where(eq(userTable.username, input.username));
		expect(rows).toHaveLength(1);
	});

	it('answers 403 to an actor without user.manage', async () => {
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: s1 }] });
		const e = await thrownBy(createAccount(actor, account('community_worker', s1.id)));
		expect(isHttpError(e, 403)).toBe(true);
	});
});

describe('grants', () => {
	it("addGrant adds the grant, ends the user's sessions and writes grant.add", async () => {
		const { user } = await createUser({ grants: [{ role: 'community_worker', on: s1 }] });
		await startSession(user.id);
		await startSession(user.id);
		const result = await addGrant(civil, user.id, {
			role: 'point_chief',
			scopeKind: 'settlement',
			scopeId: s1.id
		});
		expect(result).toEqual({ ok: true });
		expect(await sessionsOf(user.id)).toEqual([]);
		expect((await actorFor(user.id)).grants.map((g) => g.role).sort()).toEqual([
			'community_worker',
			'point_chief'
		]);
		const [entry] = await auditRows('grant.add', user.id);
		expect(entry).toMatchObject({ actorId: civil.id, scopePath: s1.regionPath });
	});

	it('addGrant does not reach users or scopes outside the actor’s county', async () => {
		const { user: outsider } = await createUser({ grants: [{ role: 'point_admin', on: s2 }] });
		const token = await startSession(outsider.id);
		expect(
			await addGrant(civil, outsider.id, {
				role: 'point_chief',
				scopeKind: 'settlement',
				scopeId: s1.id
			})
		).toEqual({ ok: false, reason: 'not_found' });
		expect((await validateSessionToken(token)).session).not.toBeNull();

		const { user: insider } = await createUser({ grants: [{ role: 'point_admin', on: s1 }] });
		expect(
			await addGrant(civil, insider.id, {
				role: 'point_chief',
				scopeKind: 'settlement',
				scopeId: s2.id
			})
		).toMatchObject({ ok: false, reason: 'forbidden' });
		expect((await actorFor(insider.id)).grants).toHaveLength(1);
	});

	it("revokeGrant keeps the row as history, ends the user's sessions and writes grant.revoke", async () => {
		const { user } = await createUser();
		const grant = await addGrantRow(user.id, { role: 'point_admin', on: s1 });
		await startSession(user.id);
		expect(await revokeGrant(civil, grant.id)).toEqual({ ok: true });
		const [row] = await db().select().from(roleGrant).where(eq(roleGrant.id, grant.id));
		expect(row.revokedAt).toBeInstanceOf(Date);
		expect(await sessionsOf(user.id)).toEqual([]);
		expect((await actorFor(user.id)).grants).toEqual([]);
		const [entry] = await auditRows('grant.revoke', user.id);
		expect(entry).toMatchObject({ actorId: civil.id, scopePath: s1.regionPath });
		expect(await revokeGrant(civil, grant.id)).toEqual({ ok: false, reason: 'not_found' });
	});

	it('revokeGrant forbids grants outside the county and global grants to county staff', async () => {
		const { user } = await createUser();
		const outside = await addGrantRow(user.id, { role: 'point_admin', on: s2 });
		const global = await addGrantRow(user.id, { role: 'system_admin' });
		const token = await startSession(user.id);
		expect(await revokeGrant(civil, outside.id)).toEqual({ ok: false, reason: 'forbidden' });
		expect(await revokeGrant(civil, global.id)).toEqual({ ok: false, reason: 'forbidden' });
		expect((await actorFor(user.id)).grants).toHaveLength(2);
		expect((await validateSessionToken(token)).session).not.toBeNull();
		expect(await revokeGrant(admin, global.id)).toEqual({ ok: true });
	});
});

describe('changePassword', () => {
	it('changes the password, keeps the current session, ends the others and writes user.password', async () => {
		const { user, actor, password } = await createUser();
		const current = await startSession(user.id);
		const other = await startSession(user.id);
		const result = await changePassword(actor, sessionIdFromToken(current), {
			current: password,
			password: 'new-pass-2'
		});
		expect(result).toEqual({ ok: true });
		expect((await validateSessionToken(current)).session).not.toBeNull();
		expect((await validateSessionToken(other)).session).toBeNull();
		expect(
			(await login({ username: user.username, password: 'new-pass-2' }, { ip: ip() })).ok
		).toBe(true);
		expect((await login({ username: user.username, password }, { ip: ip() })).ok).toBe(false);
		expect(await auditRows('user.password', user.id)).toHaveLength(1);
	});

	it('refuses a wrong current password and changes nothing', async () => {
		const { user, actor, password } = await createUser();
		const current = await startSession(user.id);
		const other = await startSession(user.id);
		expect(
			await changePassword(actor, sessionIdFromToken(current), {
				current: 'not-it-1',
				password: 'new-pass-2'
			})
		).toEqual({ ok: false, reason: 'wrong_password', field: 'current' });
		expect((await validateSessionToken(other)).session).not.toBeNull();
		expect((await login({ username: user.username, password }, { ip: ip() })).ok).toBe(true);
		expect(await auditRows('user.password', user.id)).toEqual([]);
	});
});

describe('listUsers', () => {
	it("shows civil affairs the accounts with a grant in their county and no one else's", async () => {
		const { user: inside } = await createUser({ grants: [{ role: 'point_admin', on: s1 }] });
		const { user: outside } = await createUser({ grants: [{ role: 'point_admin', on: s2 }] });
		const seen = async (actor: Actor) => {
			const ids: string[] = [];
			let after: string | undefined;
			do {
				const page = await listUsers(actor, { after });
				ids.push(...page.rows.map((r) => r.id));
				after = page.next ?? undefined;
			} while (after);
			return ids;
		};
		const civilSees = await seen(civil);
		expect(civilSees).toContain(inside.id);
		expect(civilSees).not.toContain(outside.id);
		expect(civilSees).not.toContain(admin.id);
		const adminSees = await seen(admin);
		expect(adminSees).toEqual(expect.arrayContaining([inside.id, outside.id, civil.id]));
	});
});
