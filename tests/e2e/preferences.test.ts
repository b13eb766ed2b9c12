import { expect, login, test, waitHydrated } from './fixtures';

test('elder mode turns on, survives a reload and turns off', async ({ page }) => {
	await page.goto('/');
	await waitHydrated(page);
	const html = page.locator('html');
	await expect(html).not.toHaveClass(/\belder\b/);

	await page.getByRole('button', { name: '长辈模式' }).click();
	await expect(html).toHaveClass(/\belder\b/);
	await expect(page.getByRole('button', { name: '标准模式' })).toHaveAttribute(
		'aria-pressed',
		'true'
	);
	expect((await page.context().cookies()).find((c) => c.name === 'anju_elder')?.value).toBe('1');
	// the elder styles really apply: larger body text than the standard mode's
	const elderSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));

	await page.reload();
	await expect(html).toHaveClass(/\belder\b/);
	// and on other pages, signed in too
	await login(page, 'jumin');
	await expect(html).toHaveClass(/\belder\b/);

	await waitHydrated(page);
	await page.getByRole('button', { name: '标准模式' }).click();
	await expect(html).not.toHaveClass(/\belder\b/);
	await expect(page.getByRole('button', { name: '长辈模式' })).toHaveAttribute(
		'aria-pressed',
		'false'
	);
	const standardSize = await page.evaluate(() =>
		parseFloat(getComputedStyle(document.body).fontSize)
	);
	expect(elderSize).toBeGreaterThan(standardSize);
	await page.reload();
	await expect(html).not.toHaveClass(/\belder\b/);
});

test('the language switch turns the interface to English and back', async ({ page }) => {
	await page.goto('/login');
	await waitHydrated(page);
	await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录');

	await page.locator('header button', { hasText: 'English' }).click();
	await expect(page).toHaveURL(/\/login$/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await page.reload();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');

	await waitHydrated(page);
	await page.locator('header button', { hasText: '中文' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录');
	await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});
