import type { BrowserContextOptions, Locator, Page } from '@playwright/test';
import { demoPassword, expect, ownHouseholdId, test } from './fixtures';

// One-stop services in the browser: a resident files on a phone without JavaScript; the point
// admin files one for them (帮代办), prints the receipt and carries it through the origin place
// to done; the resident rates it. Once in the standard look and once in elder mode (适老化).

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Signs in by the form alone (no hydration to wait for when JavaScript is off). */
async function loginPlain(page: Page, username: string) {
	await page.goto('/login');
	await page.locator('input[name="username"]').fill(username);
	await page.locator('input[name="password"]').fill(demoPassword);
	await page.locator('main form button[type="submit"]').click();
	await page.waitForURL((url) => url.pathname !== '/login');
}

/** The elder-mode cookie the preferences form sets, for a context that starts in elder mode. */
function elderCookie(baseURL: string | undefined) {
	return [{ name: 'anju_elder', value: '1', url: baseURL ?? 'http://localhost' }];
}

/** Takes the quick step (accept, start) or the worded one (with its note) from the request page. */
async function takeStep(
	page: Page,
	label: string,
	fields: { office?: string; note?: string } = {}
) {
	/** Types a value again until it stays: a form may still be reset by the step before. */
	const put = (field: Locator, value: string | undefined) =>
		value === undefined
			? undefined
			: expect(async () => {
					await field.fill(value);
					await expect(field).toHaveValue(value, { timeout: 300 });
				}).toPass();
	// the step's answer (a POST), then the page's data loaded again after it
	const answered = page.waitForResponse(
		(r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith('/services/')
	);
	const quick = page.locator('form.quick', { has: page.getByRole('button', { name: label }) });
	if (await quick.count()) {
		await put(quick.locator('input[name="note"]'), fields.note);
		await quick.getByRole('button', { name: label }).click();
	} else {
		const step = page.locator('details.step', { has: page.locator('summary', { hasText: label }) });
		await step.locator('summary').click();
		await put(step.locator('input[name="originOffice"]'), fields.office);
		await put(step.locator('textarea[name="note"]'), fields.note);
		await step.getByRole('button', { name: label }).click();
	}
	await answered;
	await page.waitForLoadState('networkidle');
}

for (const elder of [false, true]) {
	const mode = elder ? '（适老化模式）' : '';

	test(`jumin files a request on a phone with JavaScript off${mode}`, async ({
		newContext,
		baseURL
	}) => {
		const context = await newContext({ ...phone, javaScriptEnabled: false });
		if (elder) await context.addCookies(elderCookie(baseURL));
		const page = await context.newPage();
		await loginPlain(page, 'jumin');
		if (elder) await expect(page.locator('html')).toHaveClass(/\belder\b/);

		// the tab bar leads to 办事, where the county's services are tiles
		await page.locator('nav.tabs a[href="/services"]').click();
		await page.locator('a.tile', { hasText: '就业登记/培训' }).click();
		await expect(page).toHaveURL(/\/services\/new\?category=/);
		await expect(page.locator('main')).toContainText('个工作日');

		// bad input comes back with a message at the field and what was typed kept
		await page.locator('textarea[name="description"]').fill('找');
		await page.locator('input[name="contactPhone"]').fill('12345');
		await page.locator('main form button[type="submit"].wide').click();
		await expect(page.locator('main')).toContainText('至少 4 个字');
		await expect(page.locator('main')).toContainText('手机号码格式不正确');
		await expect(page.locator('input[name="contactPhone"]')).toHaveValue('12345');

		const text = `想参加扶贫车间的缝纫培训${Date.now() % 100000}`;
		await page.locator('textarea[name="description"]').fill(text);
		await page.locator('input[name="contactPhone"]').fill('');
		await page.locator('main form button[type="submit"].wide').click();
		await expect(page).toHaveURL(/\/services\/[0-9a-f-]{36}\/receipt\?new=1/);
		await expect(page.locator('main')).toContainText(/FW\d{8}/);
		const id = uuid.exec(page.url())?.[0];

		// the request is on the resident's own list, submitted
		await page.goto('/services');
		await expect(page.locator(`main a[href="/services/${id}"]`).first()).toBeVisible();
		await page.goto(`/services/${id}`);
		await expect(page.locator('main')).toContainText(text);
		await expect(page.locator('main')).toContainText('已提交');
	});

	test(`guanliyuan files for jumin, prints the receipt, carries it to done; jumin rates it${mode}`, async ({
		signIn,
		newContext,
		baseURL
	}) => {
		// two people, a dozen pages and a print view: give it three times the usual time
		test.slow();
		const staffOptions: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
		const admin = await signIn('guanliyuan', staffOptions);
		if (elder) await admin.context().addCookies(elderCookie(baseURL));
		const residentContext = await newContext(phone);
		if (elder) await residentContext.addCookies(elderCookie(baseURL));
		const resident = await residentContext.newPage();
		await loginPlain(resident, 'jumin');
		const householdId = await ownHouseholdId(resident);

		// 帮代办: the household, then the service, the words, and how the resident agreed
		await admin.goto(`/services/new?household=${householdId}`);
		await admin.locator('a.tile', { hasText: '户籍迁移' }).click();
		const text = `代为办理户口迁入安置点${Date.now() % 100000}`;
		await admin.locator('textarea[name="description"]').fill(text);
		await admin.locator('main form button[type="submit"].wide').click();
		await expect(admin.locator('#consent-error')).toContainText('同意代办');
		await expect(admin.locator('textarea[name="description"]')).toHaveValue(text);
		await admin.locator('input[name="consentMethod"][value="paper_signature"]').check();
		await admin.locator('input[name="consentNote"]').fill('居民已在纸质委托书上签字');
		await admin.locator('main form button[type="submit"].wide').click();

		// the receipt: a number, a QR code, and a print view without the portal's chrome
		await expect(admin).toHaveURL(/\/receipt\?new=1/);
		const number = (await admin.locator('main').innerText()).match(/FW\d{8}/)?.[0];
		expect(number).toBeTruthy();
		await expect(admin.locator('figure.qr svg')).toBeVisible();
		await admin.emulateMedia({ media: 'print' });
		await expect(admin.locator('header').first()).toBeHidden();
		await expect(admin.getByRole('button', { name: '打印' })).toBeHidden();
		await expect(admin.locator('main')).toContainText(number!);
		await admin.emulateMedia({ media: 'screen' });
		const id = uuid.exec(admin.url())?.[0];

		// the resident was told it was filed for them
		await resident.goto('/notifications');
		await expect(resident.locator('main')).toContainText('已为您代办「户籍迁移」');

		// through the workflow, with the origin place (迁出地对接) in the middle
		await admin.goto(`/services/${id}`);
		await takeStep(admin, '受理');
		await expect(admin.locator('main')).toContainText('已受理');
		await takeStep(admin, '开始办理');
		await takeStep(admin, '转迁出地办理', {
			office: '银坑镇派出所',
			note: '请出具户口迁移证明'
		});
		await expect(admin.locator('main')).toContainText('等待迁出地办理');
		await expect(admin.locator('main')).toContainText('银坑镇派出所');
		await takeStep(admin, '迁出地已答复', { note: '迁移证明已寄出' });
		// an internal note the resident never reads
		await admin
			.locator('form[action="?/note"] textarea[name="note"]')
			.fill('内部：材料原件在档案柜');
		await admin.locator('form[action="?/note"] input[name="internal"][type="checkbox"]').check();
		await admin.locator('form[action="?/note"] button[type="submit"]').click();
		await expect(admin.locator('main')).toContainText('内部：材料原件在档案柜');
		await takeStep(admin, '办结', { note: '户口已迁入，请带户口簿到窗口领取' });
		await expect(admin.locator('main')).toContainText('已办结');

		// an illegal step is not offered once done
		await expect(admin.getByRole('button', { name: '开始办理' })).toHaveCount(0);

		// the resident sees the public timeline, not the internal note, and rates it
		await resident.goto(`/services/${id}`);
		await expect(resident.locator('main')).toContainText('户口已迁入');
		await expect(resident.locator('main')).toContainText('银坑镇派出所');
		await expect(resident.locator('main')).not.toContainText('材料原件在档案柜');
		await resident.locator('input[name="rating"][value="5"]').check({ force: true });
		await resident.locator('textarea[name="comment"]').fill('不用回老家跑，谢谢！');
		await resident.locator('form[action="?/rate"] button[type="submit"]').click();
		await expect(resident.locator('main')).toContainText('不用回老家跑，谢谢！');
		await expect(resident.locator('form[action="?/rate"]')).toHaveCount(0);

		// the staff see the rating in the queue
		await admin.goto('/services?status=done');
		await expect(admin.locator(`main a[href="/services/${id}"]`).first()).toBeVisible();
	});
}

test('a resident cannot open another household’s request, nor act on it', async ({
	signIn,
	request
}) => {
	const other = await signIn('jumin2');
	await other.goto('/services');
	const href = await other.locator('main a[href^="/services/"]').first().getAttribute('href');
	const id = href ? uuid.exec(href)?.[0] : undefined;
	expect(id).toBeTruthy();
	const jumin = await signIn('jumin');
	const response = await jumin.goto(`/services/${id}`);
	expect(response?.status()).toBe(404);
	const receipt = await jumin.goto(`/services/${id}/receipt`);
	expect(receipt?.status()).toBe(404);
	// a write without a session is sent to sign in, never done
	const post = await request.post(`/services/${id}?/step`, {
		form: { step: 'withdraw', note: '' },
		maxRedirects: 0
	});
	expect([303, 403, 404]).toContain(post.status());
});
