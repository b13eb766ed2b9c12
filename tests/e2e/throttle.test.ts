import type { APIRequestContext } from '@playwright/test';
import { clientAddress, expect, test } from './fixtures';

// The login limits (src/lib/server/auth/rate-limit.ts): 10 attempts a minute per client address,
// 10 failures per account in 15 minutes. The e2e server takes the client address from
// X-Forwarded-For, so these tests trip the real limits without touching the other tests' clients.

function postLogin(
	request: APIRequestContext,
	baseURL: string,
	ip: string,
	username: string,
	password: string
) {
	return request.post('/login', {
		form: { username, password },
		// SvelteKit wants the app's own Origin on form posts; text/html gets the page, not JSON
		headers: { origin: new URL(baseURL).origin, accept: 'text/html', 'x-forwarded-for': ip },
		maxRedirects: 0
	});
}

const unique = (what: string) => `${what}-${Date.now().toString(36)}-${test.info().retry}`;

test('the 11th wrong password in a minute from one client answers 429', async ({
	request,
	baseURL
}) => {
	const ip = clientAddress(unique('one-client'));
	const username = unique('throttle');
	for (let i = 1; i <= 10; i++) {
		const res = await postLogin(request, baseURL!, ip, username, `wrong-${i}`);
		expect(res.status(), `attempt ${i}`).toBe(400);
		expect(await res.text()).toContain('用户名或密码不正确');
	}
	const res = await postLogin(request, baseURL!, ip, username, 'wrong-11');
	expect(res.status()).toBe(429);
	expect(await res.text()).toContain('尝试次数过多');
});

test('a throttled client address is refused even with the right password', async ({
	request,
	baseURL
}) => {
	const ip = clientAddress(unique('address-limit'));
	// ten different accounts, so only the per-address limit can trip
	for (let i = 1; i <= 10; i++) {
		const res = await postLogin(request, baseURL!, ip, unique(`nobody${i}`), 'wrong');
		expect(res.status(), `attempt ${i}`).toBe(400);
	}
	const res = await postLogin(request, baseURL!, ip, 'jumin', 'anju-demo');
	expect(res.status()).toBe(429);
	expect(res.headers()['set-cookie'] ?? '').not.toContain('anju_session');
	// another client is not affected
	const other = await postLogin(
		request,
		baseURL!,
		clientAddress(unique('other')),
		'jumin',
		'anju-demo'
	);
	expect(other.status()).toBe(303);
	expect(other.headers()['set-cookie']).toContain('anju_session=');
});

test('an account is locked after 10 failures, whatever the client address', async ({
	request,
	baseURL
}) => {
	const username = unique('account-limit');
	for (let i = 1; i <= 10; i++) {
		const res = await postLogin(request, baseURL!, clientAddress(unique(`ip${i}`)), username, 'x');
		expect(res.status(), `attempt ${i}`).toBe(400);
	}
	const res = await postLogin(request, baseURL!, clientAddress(unique('ip11')), username, 'x');
	expect(res.status()).toBe(429);
});
