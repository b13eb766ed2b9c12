import type { Page } from '@playwright/test';
import { expect, test, waitHydrated } from './fixtures';

// Activities, care visits and risk monitoring on a phone: the community worker (shegong) logs an
// activity and checks jumin in, after jumin signed up on his phone, and a member of his household
// found in the register; shegong records a care visit that opens a risk flag and files a service
// request for the household from the visit; the point admin (guanliyuan) verifies the flag, links
// the request and submits the month's zero report with the flag on it. Residents never see
// visits or risk flags.

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
/** A full ID number (masked ones have stars in the middle). */
const fullIdNumber = /(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])/;

/** The id in the page's address. */
function idOf(page: Page): string {
	const id = uuid.exec(new URL(page.url()).pathname)?.[0];
	if (!id) throw new Error(`no id in ${page.url()}`);
	return id;
}

test('shegong logs an activity; jumin signs up on the phone; shegong checks him and a member found in the register in', async ({
	signIn
}) => {
	// three people and a dozen pages: three times the usual time
	test.slow();
	const shegong = await signIn('shegong', phone);
	await shegong.goto('/activities/new');
	await waitHydrated(shegong);
	const form = shegong.locator('main form.card');
	const title = `楼道清理志愿服务${Date.now() % 100000}`;
	await form.locator('select[name="kind"]').selectOption('volunteer');
	await form.locator('input[name="title"]').fill(title);
	await form.locator('input[name="place"]').fill('贡江新区社区文化广场');
	// a bad capacity comes back at its field, everything typed kept
	await form.locator('input[name="capacity"]').fill('很多人');
	await form.locator('button[type="submit"]').click();
	await expect(form.locator('#capacity-error')).toContainText('名额');
	await expect(form.locator('input[name="title"]')).toHaveValue(title);
	await form.locator('input[name="capacity"]').fill('20');
	// check-ins earn the points list's item (the demo point's list has it)
	await form.locator('select[name="pointsItemCode"]').selectOption('volunteer_activity');
	await form.locator('textarea[name="description"]').fill('清理楼道杂物，手套和垃圾袋由社区提供。');
	await form.locator('button[type="submit"]').click();
	await expect(shegong).toHaveURL(/\/activities\/[0-9a-f-]{36}\?ok=create/);
	await expect(shegong.locator('main')).toContainText('活动已发布');
	await expect(shegong.locator('main')).toContainText(title);
	const activityId = idOf(shegong);

	// jumin sees it on the list of his settlement's activities and signs himself up
	const jumin = await signIn('jumin', phone);
	await jumin.goto('/activities');
	await jumin.locator(`main a[href="/activities/${activityId}"]`).first().click();
	await expect(jumin).toHaveURL(new RegExp(`/activities/${activityId}`));
	await waitHydrated(jumin);
	const members = jumin.locator('form[action="?/signup"] label:has(input[name="residentIds"])');
	expect(await members.count()).toBeGreaterThanOrEqual(2);
	const headLabel = members.filter({ hasText: '户主' });
	const headName = (await headLabel.innerText()).replace(/（户主）/, '').trim();
	const other = members.filter({ hasNotText: '户主' }).first();
	const otherName = (await other.innerText()).trim();
	expect(headName.length).toBeGreaterThanOrEqual(2);
	expect(otherName.length).toBeGreaterThanOrEqual(2);
	// nobody chosen: a message, not a sign-up
	await jumin.locator('form[action="?/signup"] button[type="submit"]').click();
	await expect(jumin.locator('#signup-error')).toBeVisible();
	await headLabel.locator('input').check();
	await jumin.locator('form[action="?/signup"] button[type="submit"]').click();
	await expect(jumin.locator('main')).toContainText('报名成功');
	await expect(jumin.locator('main')).toContainText('已报名');

	// shegong checks him in from the sign-up list
	await shegong.goto(`/activities/${activityId}`);
	await waitHydrated(shegong);
	await expect(shegong.locator('main')).toContainText('报名名单（1 人）');
	await shegong.getByRole('button', { name: `签到 ${headName}` }).click();
	await expect(shegong.locator('main [role="status"]').first()).toContainText(
		`已为 ${headName} 签到，家庭积分 +5`
	);
	await expect(shegong.getByRole('button', { name: `签到 ${headName}` })).toHaveCount(0);

	// and a member who came without signing up, found in the register by name: masked ID only
	await shegong.locator('input[name="q"]').fill(otherName);
	await shegong.getByRole('button', { name: '查找', exact: true }).click();
	await expect(shegong).toHaveURL(/[?&]q=/);
	const matches = shegong.locator('ul.matches');
	await expect(matches).toContainText(otherName);
	expect(await matches.innerText()).not.toMatch(fullIdNumber);
	await matches
		.getByRole('button', { name: `签到 ${otherName}` })
		.first()
		.click();
	await expect(shegong.locator('main [role="status"]').first()).toContainText(
		`已为 ${otherName} 签到`
	);
	await expect(shegong.locator('main')).toContainText('到场签到（2 人）');
	expect(await shegong.locator('main').innerText()).not.toMatch(fullIdNumber);

	// once per person: the household's page shows both checked in
	await jumin.reload();
	await expect(jumin.locator('main')).toContainText('已签到');
});

test('shegong records a care visit that opens a risk flag and files a request; guanliyuan verifies the flag, links the request and submits the month’s report', async ({
	signIn
}) => {
	test.slow();
	const shegong = await signIn('shegong', phone);

	// the worker's schedule: who is due (overdue first); record a visit for the first
	await shegong.goto('/visits');
	await shegong.locator('main a.btn[href^="/visits/new?target="]').first().click();
	await expect(shegong).toHaveURL(/\/visits\/new\?target=/);
	await waitHydrated(shegong);
	const form = shegong.locator('main form.card');
	await form.locator('input[name="mode"][value="home"]').check();
	await form.locator('input[name="wellbeing"][value="concern"]').check();
	const findings = `老人说儿子在外地工地受伤，这两个月没有寄钱回来${Date.now() % 100000}`;
	await form.locator('textarea[name="findings"]').fill(findings);
	await form.locator('textarea[name="followUp"]').fill('已报告风险，帮助申请临时救助。');
	// a risk category without its words comes back with a message there
	await form.locator('select[name="riskCategory"]').selectOption('income_drop');
	await form.locator('button[type="submit"]').click();
	await expect(form.locator('#riskDescription-error')).toContainText('风险情况');
	await expect(form.locator('textarea[name="findings"]')).toHaveValue(findings);
	await form
		.locator('textarea[name="riskDescription"]')
		.fill('儿子务工受伤停工，家庭收入骤减，生活费不够。');
	await form.locator('button[type="submit"]').click();
	await expect(shegong).toHaveURL(/\/visits\/[0-9a-f-]{36}\?ok=new/);
	const visitId = idOf(shegong);
	await expect(shegong.locator('main')).toContainText(findings);
	const flagLink = shegong.locator('main a[href^="/risks/"]').first();
	const flagNumber = (await flagLink.innerText()).trim();
	expect(flagNumber).toMatch(/^FX\d+/);
	const flagId = uuid.exec((await flagLink.getAttribute('href')) ?? '')?.[0];
	expect(flagId).toBeTruthy();

	// from the visit, a service request for the household, filed on its behalf (帮代办)
	await shegong.locator('main a[href^="/services/new?household="]').click();
	await shegong.locator('a.tile', { hasText: '临时救助' }).click();
	await shegong
		.locator('textarea[name="description"]')
		.fill('儿子务工受伤停工，家中一时没有收入，申请临时救助。');
	await shegong.locator('input[name="consentMethod"][value="paper_signature"]').check();
	await shegong.locator('input[name="consentNote"]').fill('老人已在委托书上签字');
	await shegong.locator('main form button[type="submit"].wide').click();
	await expect(shegong).toHaveURL(/\/receipt\?new=1/);
	const requestNumber = (await shegong.locator('main').innerText()).match(/FW\d{8}/)?.[0];
	expect(requestNumber).toBeTruthy();
	const requestId = idOf(shegong);
	// filed from the visit, so linked back to it already
	await shegong.goto(`/visits/${visitId}`);
	await expect(shegong.locator(`main a[href="/services/${requestId}"]`)).toContainText(
		requestNumber!
	);

	// the point admin verifies the flag and links the request: it is now being helped
	const guanliyuan = await signIn('guanliyuan', phone);
	await guanliyuan.goto(`/risks/${flagId}`);
	await waitHydrated(guanliyuan);
	await expect(guanliyuan.locator('main')).toContainText(flagNumber);
	await expect(guanliyuan.locator('main')).toContainText('待核实');
	// the flag names the visit that raised it
	await expect(guanliyuan.locator(`main a[href="/visits/${visitId}"]`)).toBeVisible();
	await guanliyuan
		.locator('form[action="?/verify"] [name="note"]')
		.fill('已入户核实：儿子受伤停工属实，家中暂无其他收入。');
	await guanliyuan.getByRole('button', { name: '确认核实' }).click();
	await expect(guanliyuan).toHaveURL(/\?ok=verify/);
	await expect(guanliyuan.locator('main')).toContainText('已核实');
	const requestForm = guanliyuan.locator(
		'form[action="?/link"]:has(input[name="kind"][value="service_request"])'
	);
	await requestForm.locator('select[name="targetId"]').selectOption(requestId);
	await requestForm.locator('button[type="submit"]').click();
	await expect(guanliyuan).toHaveURL(/\?ok=link/);
	await expect(guanliyuan.locator('main')).toContainText('帮扶中');
	await expect(guanliyuan.locator(`main a[href="/services/${requestId}"]`).first()).toBeVisible();

	// the month's zero report lists the flag and goes in once
	await guanliyuan.goto('/risks/reports');
	await waitHydrated(guanliyuan);
	await expect(guanliyuan.locator(`main a[href="/risks/${flagId}"]`)).toContainText(flagNumber);
	await guanliyuan
		.locator('form[action="?/submit"] textarea[name="note"]')
		.fill('本月入户走访发现风险户，已核实并帮助申请临时救助。');
	await guanliyuan.getByRole('button', { name: '报送本月报告' }).click();
	await expect(guanliyuan).toHaveURL(/ok=submit/);
	await expect(guanliyuan.locator('main')).toContainText('本月报告已报送');
	await expect(guanliyuan.locator('main')).toContainText(/已报送：风险户 \d+ 户/);
	await expect(guanliyuan.getByRole('button', { name: '报送本月报告' })).toHaveCount(0);
});

test('residents cannot open care visits or risk flags', async ({ signIn }) => {
	// two people and eight pages on a busy machine
	test.slow();
	const jumin = await signIn('jumin', phone);
	for (const path of [
		'/visits',
		'/visits/targets',
		'/risks',
		'/risks/reports',
		'/risks/duplicates'
	]) {
		const response = await jumin.goto(path);
		expect(response?.status(), path).toBe(404);
	}
	// nor a flag's page, which a member of staff opens
	const guanliyuan = await signIn('guanliyuan');
	await guanliyuan.goto('/risks');
	const href = await guanliyuan
		.locator('main a[href^="/risks/"]')
		.filter({ hasText: /FX\d+/ })
		.first()
		.getAttribute('href');
	const flagId = uuid.exec(href ?? '')?.[0];
	expect(flagId).toBeTruthy();
	expect((await jumin.goto(`/risks/${flagId}`))?.status()).toBe(404);
	// their settlement's activities are theirs to read
	expect((await jumin.goto('/activities'))?.status()).toBe(200);
});
