import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, ownHouseholdId, test, waitHydrated } from './fixtures';

// Charity in the browser: the community worker raises a need for jumin's household, the point
// admin publishes it in words that name nobody, the charity finds it by matching, pledges it
// whole and delivers from its fund, jumin confirms on a phone, and the public ledger shows the
// disbursement without the household. Then the boundaries: civil affairs verifies organisations,
// an unverified one cannot pledge, and one organisation's pledge and offer are 404 for another.

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const desk = { viewport: { width: 1280, height: 900 } };
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const idNumberPattern = /(?<![0-9])[1-9][0-9]{5}(19|20)[0-9]{2}[0-9]{7}[0-9Xx](?![0-9])/;
const mobilePattern = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/;

/** Three letters no anonymiser rule reads as a unit or a number: this run's need among the rest. */
function runCode(): string {
	const letters = 'ABCDEFGHJKLMNPRTUWY';
	let s = '';
	for (let i = 0; i < 3; i++) s += letters[Math.floor(Math.random() * letters.length)];
	return s;
}

/** A 统一社会信用代码 with its check character (GB 32100-2015), random after the county's prefix. */
function creditCode(): string {
	const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
	const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
	let first = '52360731MJ';
	while (first.length < 17) first += alphabet[Math.floor(Math.random() * 10)];
	const sum = [...first].reduce((s, c, i) => s + alphabet.indexOf(c) * weights[i], 0);
	return first + alphabet[(31 - (sum % 31)) % 31];
}

/** The household's words that no public page may carry: names, unit, masked ID numbers and phones. */
async function householdMarks(page: Page, householdId: string) {
	await page.goto(`/households/${householdId}`);
	const rows = page.locator('main table tbody tr');
	const marks: string[] = [];
	for (let i = 0; i < (await rows.count()); i++) {
		const cells = rows.nth(i).locator('td');
		for (const col of [0, 4, 5]) {
			const text = (await cells.nth(col).innerText()).trim();
			if (text.length >= 2) marks.push(text);
		}
	}
	return marks;
}

function expectNothingPersonal(text: string, marks: string[], where: string) {
	for (const mark of marks) expect(text, `${where} carries「${mark}」`).not.toContain(mark);
	expect(text, `${where}: an ID number`).not.toMatch(idNumberPattern);
	expect(text, `${where}: a mobile number`).not.toMatch(mobilePattern);
}

test('shegong raises a need, guanliyuan publishes it, cishan pledges by matching and delivers, jumin confirms; the public ledger shows it without the household', async ({
	signIn,
	newContext
}) => {
	test.setTimeout(120_000);
	const code = runCode();
	const title = `家庭成员医疗自付费用帮扶（${code}）`;

	// jumin's household, from jumin's own page on a phone
	const jumin = await signIn('jumin', phone);
	const householdId = await ownHouseholdId(jumin);

	// 帮代办: the community worker raises it for the household, in words for the public
	const shegong = await signIn('shegong', desk);
	await shegong.goto(`/charity/needs?household=${householdId}#raise`);
	await waitHydrated(shegong);
	const raise = shegong.locator('form.raise');
	await raise.locator('select[name="category"]').selectOption('medical');
	await raise.locator('input[name="kind"][value="money"]').check();
	await raise.locator('input[name="quantity"]').fill('600');
	await raise.locator('input[name="urgency"][value="2"]').check();
	await raise.locator('input[name="title"]').fill(title);
	await raise
		.locator('textarea[name="publicDetail"]')
		.fill('家庭成员近期医疗支出较多，医保报销后仍需自付一部分，希望帮扶。');
	await raise
		.locator('textarea[name="detail"]')
		.fill('入户核实：本月自付部分约 600 元，票据已留存。');
	await raise.locator('button[type="submit"]').click();
	await shegong.waitForURL(/\/charity\/needs\/[0-9a-f-]{36}\?ok=raise/);
	const needId = uuid.exec(shegong.url())![0];
	await expect(shegong.locator('main')).toContainText('待审核');

	// the point admin sees who it is for, and the anonymiser refuses the head's name at the field
	const admin = await signIn('guanliyuan', desk);
	await admin.goto(`/charity/needs/${needId}`);
	const number = (await admin.locator('main p.number').innerText()).trim();
	expect(number).toMatch(/^XQ\d{6}$/);
	const household = (await admin.locator('dl.facts dd').first().innerText()).trim();
	const headName = household.split(' · ')[0];
	expect(headName.length).toBeGreaterThanOrEqual(2);
	const marks = await householdMarks(admin, householdId);
	expect(marks).toContain(headName);
	const unit = household.split(' ').at(-1)!;
	expect(unit).toMatch(/\d/);
	marks.push(unit);

	await admin.goto(`/charity/needs/${needId}`);
	await waitHydrated(admin);
	const named = `${headName}家医疗费用帮扶`;
	await admin.locator('#v-title').fill(named);
	await admin.locator('button[name="decision"][value="publish"]').click();
	await expect(admin.locator('#v-title-error')).toContainText('含有不宜公开的内容');
	await expect(admin.locator('#v-title-error')).toContainText(headName);
	await expect(admin.locator('#v-title')).toHaveValue(named);
	await admin.locator('#v-title').fill(title);
	await admin.locator('button[name="decision"][value="publish"]').click();
	await expect(admin.locator('main')).toContainText('已审核通过并公开。');
	await expect(admin.locator('main')).toContainText('募集中');

	// the public list shows it at once, in those words
	const visitor = await (await newContext(desk)).newPage();
	await visitor.goto('/public/needs');
	await expect(visitor.locator(`main a[href$="${needId}"]`).first()).toContainText(title);

	// the charity finds it on its matching page and pledges the whole amount from the row
	const cishan = await signIn('cishan', desk);
	await cishan.goto('/charity/matching');
	const row = cishan.locator('ol.ranked > li', {
		has: cishan.locator(`a[href="?need=${needId}"]`)
	});
	await expect(row).toContainText('¥600.00');
	await expect(row.locator('input[name="quantity"]')).toHaveValue(/^600(\.00?)?$/);
	await row.getByRole('button', { name: '认捐' }).click();
	await cishan.waitForURL(new RegExp(`/charity/needs/${needId}\\?ok=pledge`));
	await expect(cishan.locator('main')).toContainText('认捐成功');
	await expect(cishan.locator('main')).toContainText('已认满');

	// delivery: the money leaves the charity's project fund
	await waitHydrated(cishan);
	await cishan.locator('form.deliver input[name="note"]').fill('已转账至户主银行卡，附转账凭证。');
	await cishan.locator('form.deliver').getByRole('button', { name: '记录交付' }).click();
	await expect(cishan.locator('main')).toContainText('已记录交付');

	// jumin confirms on the phone; the need is delivered
	await jumin.goto(`/charity/needs/${needId}`);
	await jumin.getByRole('button', { name: '确认收到' }).click();
	await expect(jumin.locator('main')).toContainText('已确认收到');
	await expect(jumin.locator('main')).toContainText('已送达');
	await visitor.goto(`/public/needs/${needId}`);
	await expect(visitor.locator('main')).toContainText('已送达');
	expectNothingPersonal(await visitor.locator('body').innerText(), marks, 'the public need page');

	// the public ledger of the charity's fund: the disbursement, under the need's public words only
	await visitor.goto('/public/funds');
	await visitor.getByRole('link', { name: '安居助学助医项目' }).click();
	await visitor.waitForURL(/\/public\/funds\/[0-9a-f-]{36}$/);
	const entry = visitor.locator('tr', { hasText: title });
	await expect(entry).toHaveCount(1);
	await expect(entry).toContainText('600.00');
	await expect(entry).toContainText(number);
	expectNothingPersonal(await visitor.locator('body').innerText(), marks, 'the public ledger');
	expectNothingPersonal(await visitor.content(), marks, "the public ledger's HTML");

	// the CSV export downloads with the entry in it, and nothing of the household
	const [download] = await Promise.all([
		visitor.waitForEvent('download'),
		visitor.getByRole('link', { name: '下载 CSV' }).click()
	]);
	expect(download.suggestedFilename()).toMatch(/\.csv$/);
	const csv = await readFile((await download.path())!, 'utf8');
	expect(csv.charCodeAt(0)).toBe(0xfeff);
	const line = csv.split(/\r?\n/).find((l) => l.includes(title));
	expect(line, 'the entry in the CSV').toBeTruthy();
	expect(line).toContain('600.00');
	expectNothingPersonal(csv, marks, 'the CSV export');
});

test('minzheng verifies the organisation that waits for civil affairs', async ({ signIn }) => {
	test.setTimeout(60_000);
	const minzheng = await signIn('minzheng', desk);
	await minzheng.goto('/charity/organizations');
	await minzheng.getByRole('link', { name: '于都县宏远建材有限公司' }).click();
	await minzheng.waitForURL(/\/charity\/organizations\/[0-9a-f-]{36}$/);
	await minzheng.getByRole('button', { name: '通过认证' }).click();
	await expect(minzheng.locator('main')).toContainText('已通过认证');
	await minzheng.goto('/charity/organizations?status=verified');
	await expect(minzheng.getByRole('link', { name: '于都县宏远建材有限公司' })).toBeVisible();
	await minzheng.goto('/charity/organizations');
	await expect(minzheng.getByRole('link', { name: '于都县宏远建材有限公司' })).toHaveCount(0);
});

test('a new organisation cannot pledge until verified; its pledge and the enterprise’s offer are 404 for cishan', async ({
	signIn,
	newContext,
	baseURL
}) => {
	test.setTimeout(120_000);
	const origin = new URL(baseURL!).origin;
	const code = runCode();
	const username = `e2e-org-${code.toLowerCase()}${Date.now() % 100000}`;

	// an organisation registers itself and its first member
	const applicant = await (await newContext(desk)).newPage();
	await applicant.goto('/register/organization');
	await waitHydrated(applicant);
	await applicant.locator('input[name="name"]').fill(`于都县阳光助学服务中心${code}`);
	await applicant.locator('select[name="kind"]').selectOption('social_org');
	await applicant.locator('input[name="creditCode"]').fill(creditCode());
	await applicant
		.locator('textarea[name="description"]')
		.fill('为安置点学生提供课业辅导和助学帮扶的社会服务机构。');
	await applicant.locator('input[name="contactName"]').fill('邹老师');
	await applicant.locator('input[name="contactPhone"]').fill('0797-6238899');
	await applicant.locator('input[name="username"]').fill(username);
	await applicant.locator('input[name="password"]').fill('anju-e2e-2026');
	await applicant.locator('input[name="confirm"]').fill('anju-e2e-2026');
	await applicant.locator('main form[method="POST"] button[type="submit"]').click();
	await applicant.waitForURL(/\/charity\/organizations\/[0-9a-f-]{36}\?new=1/);
	const organizationId = uuid.exec(applicant.url())![0];

	// a published need: the page says it must be verified first, and a pledge sent anyway is refused
	const visitor = await (await newContext(desk)).newPage();
	await visitor.goto('/public/needs');
	const href = await visitor
		.locator('main h2 a[href^="/public/needs/"]')
		.first()
		.getAttribute('href');
	const needId = uuid.exec(href!)![0];
	await applicant.goto(`/charity/needs/${needId}`);
	await expect(applicant.locator('main')).toContainText('尚未通过民政部门认证');
	await expect(applicant.locator('form[action="?/pledge"]')).toHaveCount(0);
	const refused = await applicant.request.post(`/charity/needs/${needId}?/pledge`, {
		form: { quantity: '1', offerId: '', idempotencyKey: `e2e${code}unverified` },
		// as a browser without JavaScript posts it: the page comes back with the error
		headers: { origin, accept: 'text/html' }
	});
	expect(refused.status()).toBe(400);
	expect(await refused.text()).toContain('本组织尚未通过认证，不能认捐');

	// civil affairs verifies it; now it pledges
	const minzheng = await signIn('minzheng', desk);
	await minzheng.goto(`/charity/organizations/${organizationId}`);
	await minzheng.getByRole('button', { name: '通过认证' }).click();
	await expect(minzheng.locator('main')).toContainText('已通过认证');
	await applicant.goto(`/charity/needs/${needId}`);
	await waitHydrated(applicant);
	await applicant.locator('form[action="?/pledge"] input[name="quantity"]').fill('1');
	await applicant.getByRole('button', { name: '确认认捐' }).click();
	await expect(applicant.locator('main')).toContainText('认捐成功');
	const pledgeId = await applicant
		.locator('form.deliver input[name="pledgeId"]')
		.first()
		.getAttribute('value');
	expect(pledgeId).toMatch(uuid);

	// cishan can neither deliver nor withdraw another organisation's pledge: it does not exist for it
	const cishan = await signIn('cishan', desk);
	for (const action of ['deliver', 'cancelPledge']) {
		const res = await cishan.request.post(`/charity/needs/${needId}?/${action}`, {
			form: { pledgeId: pledgeId! },
			headers: { origin, accept: 'text/html' }
		});
		expect(res.status(), action).toBe(404);
	}
	await applicant.goto(`/charity/needs/${needId}`);
	await expect(applicant.locator('form.deliver')).toHaveCount(1);

	// nor open the enterprise's offer, which civil affairs sees in the county's list
	await minzheng.goto('/charity/offers');
	const offerRow = minzheng.locator('main tr', { hasText: '于都县锦华服饰有限公司' }).first();
	const offerHref = await offerRow.locator('a[href^="/charity/offers/"]').getAttribute('href');
	const offerId = uuid.exec(offerHref!)![0];
	expect((await minzheng.goto(`/charity/offers/${offerId}`))!.status()).toBe(200);
	expect((await cishan.goto(`/charity/offers/${offerId}`))!.status()).toBe(404);
	// its own offers open
	await cishan.goto('/charity/offers');
	const own = await cishan
		.locator('main td a[href^="/charity/offers/"]')
		.first()
		.getAttribute('href');
	expect(uuid.test(own ?? '')).toBe(true);
	expect((await cishan.goto(own!))!.status()).toBe(200);
});
