import { createHash, randomBytes } from 'node:crypto';
import {
	test as base,
	expect,
	type Browser,
	type BrowserContextOptions,
	type Page
} from '@playwright/test';

export { expect };

export const demoPassword = 'anju-demo';

/** The demo accounts (src/lib/server/seed.ts); residents' names come from their household. */
export const demoAccounts = [
	{ username: 'admin', displayName: '系统管理员' },
	{ username: 'minzheng', displayName: '刘民政' },
	{ username: 'zongdianzhang', displayName: '陈总点长' },
	{ username: 'dianzhang', displayName: '钟点长' },
	{ username: 'guanliyuan', displayName: '曾管理员' },
	{ username: 'shegong', displayName: '肖社工' },
	{ username: 'jumin', displayName: null },
	{ username: 'jumin2', displayName: null },
	{ username: 'cishan', displayName: '温慈善' },
	{ username: 'huzhushe', displayName: '赖互助' }
] as const;

const salt = randomBytes(8).toString('hex');

/**
 * A made-up client address. scripts/e2e.js starts the server with ADDRESS_HEADER=x-forwarded-for,
 * so each test (and each retry) is its own client with its own login limit of 10 a minute, while
 * the limit itself stays the production one (tests/e2e/throttle.test.ts trips it on purpose).
 */
export function clientAddress(key: string): string {
	const h = createHash('sha256').update(`${salt}:${key}`).digest();
	return `10.${h[0]}.${h[1]}.${(h[2] % 254) + 1}`;
}

export const clientHeaders = (ip: string) => ({ 'x-forwarded-for': ip });

/** Waits until the root layout has mounted: text typed before hydration would be missed. */
export async function waitHydrated(page: Page) {
	await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
}

/** Fills in and submits the login form on the current page. */
export async function submitLogin(page: Page, username: string, password: string) {
	await page.locator('input[name="username"]').fill(username);
	await page.locator('input[name="password"]').fill(password);
	await page.locator('main form button[type="submit"]').click();
}

/** Signs in through the login form and waits to leave /login. */
export async function login(page: Page, username: string, password = demoPassword) {
	await page.goto('/login');
	await waitHydrated(page);
	await submitLogin(page, username, password);
	await page.waitForURL((url) => url.pathname !== '/login');
}

/** The id in the household link on /me of the signed-in resident. */
export async function ownHouseholdId(page: Page): Promise<string> {
	await page.goto('/me');
	const href = await page.locator('main a[href^="/households/"]').first().getAttribute('href');
	const id = href?.split('/').pop();
	if (!id) throw new Error('no household link on /me');
	return id;
}

type SignIn = (username: string, options?: BrowserContextOptions) => Promise<Page>;

export const test = base.extend<{
	/** this test's client address, sent as X-Forwarded-For by every context and request */
	clientIp: string;
	/** a new browser context signed in as the user (closed after the test) */
	signIn: SignIn;
	/** a new context with the test's base URL and client address */
	newContext: (options?: BrowserContextOptions) => ReturnType<Browser['newContext']>;
}>({
	// eslint-disable-next-line no-empty-pattern
	clientIp: async ({}, use, testInfo) => {
		await use(clientAddress(`${testInfo.testId}:${testInfo.retry}:${testInfo.repeatEachIndex}`));
	},
	extraHTTPHeaders: async ({ clientIp }, use) => {
		await use(clientHeaders(clientIp));
	},
	newContext: async ({ browser, baseURL, clientIp }, use) => {
		const contexts: Awaited<ReturnType<Browser['newContext']>>[] = [];
		await use(async (options) => {
			const context = await browser.newContext({
				baseURL,
				locale: 'zh-CN',
				timezoneId: 'Asia/Shanghai',
				...options,
				extraHTTPHeaders: { ...clientHeaders(clientIp), ...options?.extraHTTPHeaders }
			});
			contexts.push(context);
			return context;
		});
		for (const c of contexts) await c.close();
	},
	signIn: async ({ newContext }, use) => {
		await use(async (username, options) => {
			const context = await newContext(options);
			const page = await context.newPage();
			await login(page, username);
			return page;
		});
	}
});
