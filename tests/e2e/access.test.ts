import { expect, ownHouseholdId, test } from './fixtures';

// A denied read answers 404, the same as a record that does not exist (DESIGN.md, Errors).
test.describe('scoped access', () => {
	test('a resident sees their own household but not another, nor the audit log', async ({
		signIn
	}) => {
		const jumin2 = await signIn('jumin2');
		const otherId = await ownHouseholdId(jumin2);
		const own = await jumin2.goto(`/households/${otherId}`);
		expect(own?.status()).toBe(200);

		const jumin = await signIn('jumin');
		const ownId = await ownHouseholdId(jumin);
		expect(ownId).not.toBe(otherId);
		expect((await jumin.goto(`/households/${ownId}`))?.status()).toBe(200);

		const denied = await jumin.goto(`/households/${otherId}`);
		expect(denied?.status()).toBe(404);
		await expect(jumin.locator('main')).toContainText('页面不存在');
		// the page says nothing about the household it refused
		await expect(jumin.locator('main')).not.toContainText('户主');

		expect((await jumin.goto('/admin/audit'))?.status()).toBe(404);
		// also when asked for data the way client-side navigation does
		const data = await jumin.request.get(`/households/${otherId}/__data.json`);
		expect(data.status()).toBe(200);
		const body = await data.text();
		expect(body).toContain('"status":404');
		expect(body).not.toContain('members');
	});

	test('a charity member gets 404 on any household page', async ({ signIn }) => {
		const jumin = await signIn('jumin');
		const householdId = await ownHouseholdId(jumin);
		const cishan = await signIn('cishan');
		expect((await cishan.goto(`/households/${householdId}`))?.status()).toBe(404);
		expect((await cishan.goto('/admin/audit'))?.status()).toBe(404);
	});

	test("a point admin sees their settlement's households but not another settlement's", async ({
		signIn
	}) => {
		const jumin = await signIn('jumin');
		const firstSettlement = await ownHouseholdId(jumin);
		const jumin2 = await signIn('jumin2');
		const secondSettlement = await ownHouseholdId(jumin2);

		const guanliyuan = await signIn('guanliyuan');
		expect((await guanliyuan.goto(`/households/${firstSettlement}`))?.status()).toBe(200);
		expect((await guanliyuan.goto(`/households/${secondSettlement}`))?.status()).toBe(404);
	});

	test('a made-up or malformed household id is 404, not an error', async ({ signIn }) => {
		const admin = await signIn('admin');
		expect((await admin.goto('/households/00000000-0000-0000-0000-000000000000'))?.status()).toBe(
			404
		);
		expect((await admin.goto('/households/not-an-id'))?.status()).toBe(404);
		// and the invitation action on such an id is refused the same way, not a server error
		for (const id of ['00000000-0000-0000-0000-000000000000', 'not-an-id']) {
			const res = await admin.request.post(`/households/${id}?/invite`, {
				form: {},
				headers: { origin: new URL(admin.url()).origin, accept: 'text/html' },
				maxRedirects: 0
			});
			expect(res.status(), id).toBe(404);
		}
	});

	test('signed-out visitors are sent to the login page', async ({ page }) => {
		await page.goto('/me');
		await expect(page).toHaveURL(/\/login\?next=%2Fme$/);
		await page.goto('/admin/audit');
		await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Faudit$/);
	});
});
