import { expect, test } from './fixtures';

// Pictures for people to look at (not compared): test-results/screenshots/*.png, not committed.
const dir = 'test-results/screenshots';

test('home page on a phone, signed in as a resident', async ({ signIn }, testInfo) => {
	const page = await signIn('jumin', {
		viewport: { width: 390, height: 844 },
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true
	});
	await page.goto('/');
	await page.evaluate(() => document.fonts.ready);
	// the bottom tab bar stands in for the header menu on phones
	await expect(page.locator('nav.tabs')).toBeVisible();
	await expect(page.locator('nav.main-nav')).toBeHidden();
	// nothing wider than the screen
	const overflow = await page.evaluate(
		() => document.documentElement.scrollWidth - document.documentElement.clientWidth
	);
	expect(overflow).toBeLessThanOrEqual(0);
	// what the phone shows on opening (a full-page shot would draw the fixed tab bar mid-page)
	const path = `${dir}/home-jumin-phone.png`;
	await page.screenshot({ path });
	await testInfo.attach('home-jumin-phone', { path, contentType: 'image/png' });

	// the same in elder mode
	await page.getByRole('button', { name: '长辈模式' }).click();
	await expect(page.locator('html')).toHaveClass(/\belder\b/);
	await page.evaluate(() => document.fonts.ready);
	const elderPath = `${dir}/home-jumin-phone-elder.png`;
	await page.screenshot({ path: elderPath });
	await testInfo.attach('home-jumin-phone-elder', { path: elderPath, contentType: 'image/png' });
});

test('home page on a desktop, signed in as a point admin', async ({ signIn }, testInfo) => {
	const page = await signIn('guanliyuan', { viewport: { width: 1366, height: 900 } });
	await page.goto('/');
	await page.evaluate(() => document.fonts.ready);
	await expect(page.locator('nav.main-nav')).toBeVisible();
	await expect(page.locator('header .who')).toHaveText('曾管理员');
	const path = `${dir}/home-guanliyuan-desktop.png`;
	await page.screenshot({ path, fullPage: true });
	await testInfo.attach('home-guanliyuan-desktop', { path, contentType: 'image/png' });
});
