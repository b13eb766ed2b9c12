import { demoAccounts, expect, login, submitLogin, test, waitHydrated } from './fixtures';

test.describe('sign in and out', () => {
	for (const account of demoAccounts) {
		test(`${account.username} signs in, sees their name and signs out`, async ({ page }) => {
			await login(page, account.username);
			const who = page.locator('header .who');
			if (account.displayName) {
				await expect(who).toHaveText(account.displayName);
			} else {
				// a resident's display name is the household head's name, which /me shows
				await page.goto('/me');
				const headRow = page.locator('main ul.people li', { hasText: '户主' }).first();
				await expect(headRow).toBeVisible();
				const head = (await headRow.locator('strong').innerText()).trim();
				expect(head).toBeTruthy();
				await expect(who).toHaveText(head);
			}
			await expect(page.locator('header a[href="/login"]')).toHaveCount(0);

			await waitHydrated(page);
			await page.getByRole('button', { name: '退出登录' }).click();
			await expect(page).toHaveURL('/');
			await expect(page.locator('header a[href="/login"]')).toBeVisible();
			await expect(who).toHaveCount(0);
			const cookies = await page.context().cookies();
			expect(cookies.find((c) => c.name === 'anju_session')).toBeUndefined();
			// the old session is gone server-side too: a signed-in page sends us to the login page
			await page.goto('/account');
			await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
		});
	}

	test('a wrong password says so at the password field and keeps the username', async ({
		page
	}) => {
		await page.goto('/login');
		await waitHydrated(page);
		await submitLogin(page, 'jumin', 'not-the-password');
		const password = page.locator('input[name="password"]');
		await expect(password).toHaveAttribute('aria-invalid', 'true');
		await expect(page.locator('#password-error')).toHaveText('用户名或密码不正确');
		await expect(password).toHaveAttribute('aria-describedby', /password-error/);
		await expect(page).toHaveURL(/\/login$/);
		await expect(page.locator('input[name="username"]')).toHaveValue('jumin');
		await expect(password).toHaveValue('');
		await expect(page.locator('header .who')).toHaveCount(0);
	});

	test('the session cookie is HttpOnly, Secure, SameSite=Lax and Path=/', async ({ page }) => {
		await login(page, 'jumin');
		const cookie = (await page.context().cookies()).find((c) => c.name === 'anju_session');
		expect(cookie).toBeDefined();
		expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
		// long enough to be unguessable (160 random bits)
		expect(cookie!.value.length).toBeGreaterThanOrEqual(32);
		// not readable from scripts
		expect(await page.evaluate(() => document.cookie)).not.toContain('anju_session');
	});
});

test.describe('without JavaScript', () => {
	test('the login form works and a bad login shows the error', async ({ newContext }) => {
		const context = await newContext({ javaScriptEnabled: false });
		const page = await context.newPage();

		await page.goto('/login');
		await submitLogin(page, 'jumin2', 'wrong-password');
		await expect(page.locator('#password-error')).toHaveText('用户名或密码不正确');
		await expect(page.locator('input[name="username"]')).toHaveValue('jumin2');
		expect(
			(await context.cookies()).find((c) => c.name === 'anju_session'),
			'no session after a bad login'
		).toBeUndefined();

		await submitLogin(page, 'jumin2', 'anju-demo');
		await expect(page).toHaveURL('/');
		await expect(page.locator('header .who')).not.toBeEmpty();
		await page.goto('/me');
		await expect(page.locator('main a[href^="/households/"]')).toBeVisible();

		await page.getByRole('button', { name: '退出登录' }).click();
		await expect(page.locator('header a[href="/login"]')).toBeVisible();
	});
});
