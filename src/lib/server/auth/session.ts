import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Cookies } from '@sveltejs/kit';
import { and, eq, ne } from 'drizzle-orm';
import { dev } from '$app/environment';
import { isStaff, loadGrants, type Actor } from '../access';
import { db, schema, type Executor } from '../db';

export const sessionCookieName = 'anju_session';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Staff sessions lapse sooner: they hold many households' data. */
export const sessionLimits = {
	staff: { idle: 2 * HOUR, absolute: 12 * HOUR },
	resident: { idle: 30 * DAY, absolute: 90 * DAY }
} as const;

export interface Session {
	id: string;
	userId: string;
	expiresAt: Date;
	absoluteExpiresAt: Date;
	idleSeconds: number;
}

/** 160 random bits, base32: the only copy lives in the browser's cookie. */
export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Starts a session for the user, with staff or resident limits by their grants. */
export async function createSession(
	token: string,
	userId: string,
	staff: boolean,
	executor: Executor = db()
): Promise<Session> {
	const limits = staff ? sessionLimits.staff : sessionLimits.resident;
	const now = Date.now();
	const session: Session = {
		id: sessionIdFromToken(token),
		userId,
		expiresAt: new Date(now + limits.idle * 1000),
		absoluteExpiresAt: new Date(now + limits.absolute * 1000),
		idleSeconds: limits.idle
	};
	await executor.insert(schema.session).values(session);
	return session;
}

export type SessionValidation = { session: Session; user: Actor } | { session: null; user: null };

/** Looks a token up; extends the idle expiry as it is used, never past the absolute limit. */
export async function validateSessionToken(token: string): Promise<SessionValidation> {
	const sessionId = sessionIdFromToken(token);
	const { session: s, user: u } = schema;
	const [row] = await db()
		.select({
			id: s.id,
			userId: s.userId,
			expiresAt: s.expiresAt,
			absoluteExpiresAt: s.absoluteExpiresAt,
			idleSeconds: s.idleSeconds,
			username: u.username,
			displayName: u.displayName,
			householdId: u.householdId,
			disabledAt: u.disabledAt
		})
		.from(s)
		.innerJoin(u, eq(u.id, s.userId))
		.where(eq(s.id, sessionId));
	if (!row) return { session: null, user: null };
	const now = Date.now();
	if (row.disabledAt || now >= row.expiresAt.getTime() || now >= row.absoluteExpiresAt.getTime()) {
		await db().delete(s).where(eq(s.id, sessionId));
		return { session: null, user: null };
	}
	const session: Session = {
		id: row.id,
		userId: row.userId,
		expiresAt: row.expiresAt,
		absoluteExpiresAt: row.absoluteExpiresAt,
		idleSeconds: row.idleSeconds
	};
	// write at most once per tenth of the idle time, not on every request
	const remaining = row.expiresAt.getTime() - now;
	if (remaining < row.idleSeconds * 1000 * 0.9) {
		session.expiresAt = new Date(
			Math.min(now + row.idleSeconds * 1000, row.absoluteExpiresAt.getTime())
		);
		await db().update(s).set({ expiresAt: session.expiresAt }).where(eq(s.id, sessionId));
	}
	const grants = await loadGrants(row.userId);
	return {
		session,
		user: {
			id: row.userId,
			username: row.username,
			displayName: row.displayName,
			householdId: row.householdId,
			grants
		}
	};
}

export async function invalidateSession(sessionId: string): Promise<void> {
	await db().delete(schema.session).where(eq(schema.session.id, sessionId));
}

/** Ends every session of the user, or all but one (the one that changed the password). */
export async function invalidateUserSessions(
	userId: string,
	exceptSessionId?: string,
	executor: Executor = db()
): Promise<void> {
	const { session } = schema;
	await executor
		.delete(session)
		.where(
			exceptSessionId
				? and(eq(session.userId, userId), ne(session.id, exceptSessionId))
				: eq(session.userId, userId)
		);
}

export function setSessionTokenCookie(cookies: Cookies, token: string, expiresAt: Date): void {
	cookies.set(sessionCookieName, token, {
		httpOnly: true,
		sameSite: 'lax',
		secure: !dev && process.env.COOKIE_SECURE !== 'false',
		expires: expiresAt,
		path: '/'
	});
}

export function deleteSessionTokenCookie(cookies: Cookies): void {
	cookies.delete(sessionCookieName, { path: '/' });
}

export { isStaff };
