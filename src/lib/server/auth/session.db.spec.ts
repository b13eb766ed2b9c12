import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	createCounty,
	createHousehold,
	createSettlement,
	createUser
} from '../../../../tests/factories';
import { useTestDatabase } from '../../../../tests/db';
import { login } from '../accounts';
import { db, schema } from '../db';
import {
	createSession,
	generateSessionToken,
	invalidateSession,
	invalidateUserSessions,
	sessionIdFromToken,
	sessionLimits,
	validateSessionToken
} from './session';

useTestDatabase();

const { session } = schema;

async function sessionRow(token: string) {
	const [row] = await db()
		.select()
		.from(session)
		.where(eq(session.id, sessionIdFromToken(token)));
	return row;
}

/** Starts a session and returns its token. */
async function start(userId: string, staff = false) {
	const token = generateSessionToken();
	await createSession(token, userId, staff);
	return token;
}

let settlementId: string;
beforeAll(async () => {
	const county = await createCounty();
	settlementId = (await createSettlement(county)).id;
});

describe('session storage', () => {
	it('stores the SHA-256 of the token, never the token', async () => {
		const { user } = await createUser();
		const token = await start(user.id);
		const rows = await db().execute(sql`select to_jsonb(s)::text as row from session s`);
		const text = JSON.stringify(rows);
		expect(text).toContain(sessionIdFromToken(token));
		expect(text).not.toContain(token);
		expect(sessionIdFromToken(token)).toMatch(/^[0-9a-f]{64}$/);
		expect((await sessionRow(token)).userId).toBe(user.id);
	});

	it('makes a different 32-character token each time', () => {
		const tokens = new Set(Array.from({ length: 100 }, generateSessionToken));
		expect(tokens.size).toBe(100);
		for (const t of tokens) expect(t).toMatch(/^[a-z2-7]{32}$/);
	});
});

describe('validateSessionToken', () => {
	it('returns the session and the user with their grants', async () => {
		const { user } = await createUser({
			grants: [{ role: 'point_admin', on: { id: settlementId } }]
		});
		const token = await start(user.id, true);
		const result = await validateSessionToken(token);
		expect(result.session?.userId).toBe(user.id);
		expect(result.user).toMatchObject({ id: user.id, username: user.username });
		expect(result.user?.grants).toEqual([
			expect.objectContaining({ role: 'point_admin', scope: 'settlement', settlementId })
		]);
	});

	it('rejects an unknown token', async () => {
		expect(await validateSessionToken(generateSessionToken())).toEqual({
			session: null,
			user: null
		});
	});

	it('slides the idle expiry forward as the session is used', async () => {
		const { user } = await createUser();
		const token = await start(user.id, true);
		const before = await sessionRow(token);
		// an hour into a two-hour idle window
		await db()
			.update(session)
			.set({ expiresAt: new Date(Date.now() + 3600_000) })
			.where(eq(session.id, before.id));
		const t0 = Date.now();
		const { session: s } = await validateSessionToken(token);
		const stored = await sessionRow(token);
		expect(stored.expiresAt.getTime()).toBe(s!.expiresAt.getTime());
		expect(stored.expiresAt.getTime()).toBeGreaterThanOrEqual(t0 + sessionLimits.staff.idle * 1000);
		expect(stored.absoluteExpiresAt).toEqual(before.absoluteExpiresAt);
	});

	it('does not write when the session was extended moments ago', async () => {
		const { user } = await createUser();
		const token = await start(user.id);
		const before = await sessionRow(token);
		await validateSessionToken(token);
		expect((await sessionRow(token)).expiresAt).toEqual(before.expiresAt);
	});

	it('never extends past the absolute expiry', async () => {
		const { user } = await createUser();
		const token = await start(user.id);
		const absolute = new Date(Date.now() + 3600_000);
		await db()
			.update(session)
			.set({ expiresAt: new Date(Date.now() + 600_000), absoluteExpiresAt: absolute })
			.where(eq(session.id, sessionIdFromToken(token)));
		const { session: s } = await validateSessionToken(token);
		expect(s!.expiresAt.getTime()).toBe(absolute.getTime());
		expect((await sessionRow(token)).expiresAt.getTime()).toBe(absolute.getTime());
	});

	it('deletes and rejects an idle-expired session', async () => {
		const { user } = await createUser();
		const token = await start(user.id);
		await db()
			.update(session)
			.set({ expiresAt: new Date(Date.now() - 1000) })
			.where(eq(session.id, sessionIdFromToken(token)));
		expect((await validateSessionToken(token)).session).toBeNull();
		expect(await sessionRow(token)).toBeUndefined();
	});

	it('deletes and rejects a session past its absolute expiry, however recently used', async () => {
		const { user } = await createUser();
		const token = await start(user.id);
		await db()
			.update(session)
			.set({ absoluteExpiresAt: new Date(Date.now() - 1000) })
			.where(eq(session.id, sessionIdFromToken(token)));
		expect((await validateSessionToken(token)).user).toBeNull();
		expect(await sessionRow(token)).toBeUndefined();
	});

	it("deletes and rejects a disabled user's session", async () => {
		const { user } = await createUser();
		const token = await start(user.id);
		await db()
			.update(schema.user)
			.set({ disabledAt: new Date() })
			.where(eq(schema.user.id, user.id));
		expect((await validateSessionToken(token)).session).toBeNull();
		expect(await sessionRow(token)).toBeUndefined();
	});
});

describe('session limits', () => {
	it('gives staff the staff limits and residents the resident limits at login', async () => {
		const settlement = { id: settlementId };
		const household = await createHousehold(await createSettlement(await createCounty()));
		const staff = await createUser({ grants: [{ role: 'community_worker', on: settlement }] });
		const resident = await createUser({
			household,
			grants: [{ role: 'resident', on: { id: household.settlementId } }]
		});
		for (const [who, limits] of [
			[staff, sessionLimits.staff],
			[resident, sessionLimits.resident]
		] as const) {
			const t0 = Date.now();
			const result = await login(
				{ username: who.user.username, password: who.password },
				{
					ip: '198.51.100.7'
				}
			);
			const t1 = Date.now();
			if (!result.ok) throw new Error(`login failed: ${result.reason}`);
			const row = await sessionRow(result.token);
			expect(row.idleSeconds).toBe(limits.idle);
			expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(t0 + limits.idle * 1000);
			expect(row.expiresAt.getTime()).toBeLessThanOrEqual(t1 + limits.idle * 1000);
			expect(row.absoluteExpiresAt.getTime() - row.expiresAt.getTime()).toBe(
				(limits.absolute - limits.idle) * 1000
			);
		}
	});
});

describe('ending sessions', () => {
	it('invalidateSession ends one session', async () => {
		const { user } = await createUser();
		const a = await start(user.id);
		const b = await start(user.id);
		await invalidateSession(sessionIdFromToken(a));
		expect((await validateSessionToken(a)).session).toBeNull();
		expect((await validateSessionToken(b)).session).not.toBeNull();
	});

	it("invalidateUserSessions ends every session of the user and no one else's", async () => {
		const { user } = await createUser();
		const { user: other } = await createUser();
		const tokens = [await start(user.id), await start(user.id)];
		const theirs = await start(other.id);
		await invalidateUserSessions(user.id);
		for (const t of tokens) expect(await sessionRow(t)).toBeUndefined();
		expect(await sessionRow(theirs)).toBeDefined();
	});

	it('invalidateUserSessions can keep the current session', async () => {
		const { user } = await createUser();
		const [keep, end1, end2] = [await start(user.id), await start(user.id), await start(user.id)];
		await invalidateUserSessions(user.id, sessionIdFromToken(keep));
		expect(await sessionRow(keep)).toBeDefined();
		expect(await sessionRow(end1)).toBeUndefined();
		expect(await sessionRow(end2)).toBeUndefined();
	});
});
