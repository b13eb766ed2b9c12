import { error, type Handle, type HandleServerError, type ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { z } from 'zod';
import { dev } from '$app/environment';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { boot, isReady, tracked } from '$lib/server/boot';
import {
	deleteSessionTokenCookie,
	sessionCookieName,
	setSessionTokenCookie,
	validateSessionToken
} from '$lib/server/auth/session';

// zod's own messages (a field of the wrong type from a hand-made request) in Chinese too
z.config(z.locales.zhCN());

export const init: ServerInit = async () => {
	// postgres.js can throw outside any promise when the server dies (porsager/postgres#1066): keep serving
	process.on('uncaughtException', (err) => console.error('uncaught exception', err));
	// `npm run dev` on an empty embedded database gets the demo county; ANJU_SEED_DEMO=1 asks for it anywhere
	const booting = boot({
		seedDemo: (dev && !process.env.DATABASE_URL) || process.env.ANJU_SEED_DEMO === '1'
	});
	// overdue service requests go to their 点长 without anyone having to look
	void booting.then(async () => (await import('$lib/server/services')).startEscalationTimer());
	// yesterday's daily digests for those who chose one instead of a message per event
	void booting.then(async () =>
		(await import('$lib/server/notifications/digest')).startDigestTimer()
	);
	// every point's register figures counted again after midnight and after changes, off the request
	void booting.then(async () => (await import('$lib/server/oversight/timer')).startStatsTimer());
	// risk flags not verified within the county's limit go to the 点长 and civil affairs
	void booting.then(async () =>
		(await import('$lib/server/activities')).startRiskEscalationTimer()
	);
	// wait for a healthy database at start, but never hang the server on a dead one
	await Promise.race([booting, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
};

const handleLocale: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, ({ request, locale }) => {
		event.request = request;
		return resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale)
		});
	});

const handleSession: Handle = async ({ event, resolve }) => {
	event.locals.user = null;
	event.locals.session = null;
	if (!isReady()) {
		if (event.url.pathname === '/healthz') return resolve(event);
		error(503, '服务正在启动或数据库暂时不可用，请稍后再试');
	}
	const token = event.cookies.get(sessionCookieName);
	if (token) {
		const { session, user } = await validateSessionToken(token);
		if (session) {
			setSessionTokenCookie(event.cookies, token, session.expiresAt);
			event.locals.user = user;
			event.locals.session = session;
		} else {
			deleteSessionTokenCookie(event.cookies);
		}
	}
	return resolve(event);
};

const handleShell: Handle = (input) => tracked(async () => shell(input));

const shell: Handle = async ({ event, resolve }) => {
	event.locals.elder = event.cookies.get('anju_elder') === '1';
	const response = await resolve(event, {
		transformPageChunk: ({ html }) =>
			html.replace('%anju.elder%', event.locals.elder ? 'elder' : '')
	});
	const h = response.headers;
	h.set('X-Content-Type-Options', 'nosniff');
	h.set('Referrer-Policy', 'same-origin');
	h.set('X-Frame-Options', 'DENY');
	h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
	if (!dev) h.set('Strict-Transport-Security', 'max-age=31536000');
	// nothing a signed-in person sees may sit in a shared cache
	if (event.locals.user) h.set('Cache-Control', 'no-store');
	return response;
};

export const handle = sequence(handleShell, handleLocale, handleSession);

export const handleError: HandleServerError = ({ error, event, status }) => {
	if (status === 404) return { message: '页面不存在' };
	const id = crypto.randomUUID();
	console.error(`error ${id} on ${event.request.method} ${event.url.pathname}`, error);
	return { message: '服务暂时不可用，请稍后再试', id };
};
