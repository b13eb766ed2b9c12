import { expect, login, test, waitHydrated } from './fixtures';

test('/healthz answers 200 while the server and database are up', async ({ request }) => {
	const res = await request.get('/healthz');
	expect(res.status()).toBe(200);
	expect(await res.json()).toEqual({ status: 'ok' });
	expect(res.headers()['cache-control']).toBe('no-store');
});

test('signed-in pages are not cached; security headers are on every page', async ({ page }) => {
	const violations: string[] = [];
	page.on('console', (msg) => {
		if (/Content.Security.Policy/i.test(msg.text())) violations.push(msg.text());
	});

	const anonymous = await page.goto('/');
	expect(anonymous?.status()).toBe(200);
	const publicHeaders = anonymous!.headers();
	expect(publicHeaders['cache-control'] ?? '').not.toContain('no-store');
	expect(publicHeaders['x-content-type-options']).toBe('nosniff');

	await login(page, 'guanliyuan');
	const res = await page.goto('/settlements');
	expect(res?.status()).toBe(200);
	const h = res!.headers();
	expect(h['cache-control']).toContain('no-store');
	expect(h['x-content-type-options']).toBe('nosniff');
	expect(h['x-frame-options']).toBe('DENY');
	expect(h['referrer-policy']).toBe('same-origin');
	expect(h['strict-transport-security']).toContain('max-age=');

	// kit.csp in svelte.config.js; mode auto puts a nonce on server-rendered pages' scripts
	const csp = h['content-security-policy'];
	expect(csp).toBeDefined();
	expect(csp).toContain("default-src 'self'");
	expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
	expect(csp).toContain("object-src 'none'");
	expect(csp).toContain("frame-ancestors 'none'");
	expect(csp).toContain("form-action 'self'");
	expect(csp).not.toContain('unsafe-eval');

	// the app still hydrates under that policy, with no violation reported
	await waitHydrated(page);
	expect(violations).toEqual([]);

	// client-side navigation's data requests are not cached either
	const data = await page.request.get('/settlements/__data.json');
	expect(data.headers()['cache-control']).toContain('no-store');
});

test('a form POST from another origin is refused', async ({ request }) => {
	const res = await request.post('/login', {
		form: { username: 'jumin', password: 'anju-demo' },
		headers: { origin: 'https://evil.example', accept: 'text/html' },
		maxRedirects: 0
	});
	expect(res.status()).toBe(403);
	expect(res.headers()['set-cookie'] ?? '').not.toContain('anju_session');
});

test('an unknown page is a friendly 404', async ({ page }) => {
	const res = await page.goto('/no-such-page');
	expect(res?.status()).toBe(404);
	await expect(page.locator('main')).toContainText('页面不存在');
});
