import type { Page } from '@playwright/test';
import { makeIdNumber } from '../../src/lib/id-number';
import { demoPassword, expect, ownHouseholdId, submitLogin, test, waitHydrated } from './fixtures';

// The household register (户籍台账) in the browser: a point admin registers a household, fixes a
// bad ID number, adds and edits a member, reveals an ID for a reason and records a move-out; the
// same form without JavaScript; what other roles may not reach; the compliance page; a point's
// overview. Households are put in 99栋, outside the demo's flats, so the ledger test's probe of
// empty flats never meets them.

/** A full ID number anywhere in a text (masked ones have stars in the middle). */
const fullIdPattern = /(?<![0-9])\d{17}[\dX](?![0-9])/;
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const givenChars = '春秋明华志国兰英建平';
/** A name of a compound surname the demo never uses, one surname per person of a test. */
function personName(surname: '端木' | '上官' | '东方' | '公孙' | '慕容') {
	const pick = () => givenChars[Math.floor(Math.random() * givenChars.length)];
	return surname + pick() + pick();
}
/** An ID number of a made-up person (region 360782, not the demo's), valid or with a wrong check digit. */
function idFor(birthDate: string, gender: 'male' | 'female') {
	const valid = makeIdNumber('360782', birthDate, Math.floor(Math.random() * 998), gender);
	const wrong = valid.slice(0, 17) + (valid[17] === '1' ? '2' : '1');
	return { valid, wrong };
}
const mobile = () => `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

interface Person {
	name: string;
	relation?: string;
	idNumber: string;
	gender: 'male' | 'female';
	birthDate: string;
	phone: string;
	employment: string;
}

async function fillMember(page: Page, p: Person) {
	await page.locator('#name').fill(p.name);
	if (p.relation) await page.locator('#relation').selectOption(p.relation);
	await page.locator('#idNumber').fill(p.idNumber);
	await page.locator('#gender').selectOption(p.gender);
	await page.locator('#birthDate').fill(p.birthDate);
	await page.locator('#phone').fill(p.phone);
	await page.locator('#schooling').selectOption('初中');
	await page.locator('#health').selectOption('健康');
	await page.locator('#laborAbility').selectOption('普通劳动力');
	await page.locator('#employment').selectOption(p.employment);
}

async function fillHome(page: Page, room: string) {
	await page.locator('#building').fill('99栋');
	await page.locator('#unitNo').fill('1单元');
	await page.locator('#room').fill(room);
	await page.locator('#movedInOn').fill('2021-03-15');
	await page.locator('#originTownship').fill('银坑镇');
	await page.locator('#originVillage').fill('平安村');
	await page.locator('input[name="tags"][value="lifted_out"]').check();
}

async function firstSettlementId(page: Page): Promise<string> {
	await page.goto('/settlements');
	const href = await page
		.locator('main table a[href^="/settlements/"]')
		.first()
		.getAttribute('href');
	const id = href?.match(new RegExp(`^/settlements/(${uuid})`))?.[1];
	if (!id) throw new Error('no settlement link on /settlements');
	return id;
}

/** The settlement of a household, from the link on its page. */
async function settlementOf(page: Page, householdId: string): Promise<string> {
	await page.goto(`/households/${householdId}`);
	const href = await page.locator('main a[href^="/settlements/"]').first().getAttribute('href');
	const id = href?.match(new RegExp(`^/settlements/(${uuid})`))?.[1];
	if (!id) throw new Error('no settlement link on the household page');
	return id;
}

/** A form post the way a browser without JavaScript sends it, with the page's origin. */
function post(page: Page, path: string, form: Record<string, string>) {
	return page.request.post(path, {
		form,
		headers: { origin: new URL(page.url()).origin, accept: 'text/html' },
		maxRedirects: 0
	});
}

test('a point admin registers a household, adds and edits a member, reveals an ID and records a move-out', async ({
	signIn
}) => {
	test.setTimeout(60_000);
	const page = await signIn('guanliyuan');
	const settlementId = await firstSettlementId(page);
	const room = `9${Math.floor(Math.random() * 900) + 100}`;
	const headBirth = '1978-04-12';
	const headId = idFor(headBirth, 'male');
	const head: Person = {
		name: personName('端木'),
		idNumber: headId.wrong,
		gender: 'male',
		birthDate: headBirth,
		phone: mobile(),
		employment: '务工'
	};

	// 1. a wrong check digit: the Chinese message at the ID field, everything else still typed
	await page.goto(`/settlements/${settlementId}/households/new`);
	await waitHydrated(page);
	await fillHome(page, room);
	await fillMember(page, head);
	await page.getByRole('button', { name: '保存' }).click();
	await expect(page.locator('#idNumber-error')).toHaveText('身份证号校验位不正确');
	await expect(page.locator('#idNumber')).toHaveAttribute('aria-invalid', 'true');
	await expect(page.locator('#idNumber')).toHaveValue(headId.wrong);
	await expect(page.locator('#name')).toHaveValue(head.name);
	await expect(page.locator('#room')).toHaveValue(room);
	await expect(page.locator('#building')).toHaveValue('99栋');
	await expect(page.locator('#phone')).toHaveValue(head.phone);
	await expect(page.locator('#birthDate')).toHaveValue(headBirth);
	await expect(page.locator('#gender')).toHaveValue('male');
	await expect(page.locator('#employment')).toHaveValue('务工');
	await expect(page.locator('input[name="tags"][value="lifted_out"]')).toBeChecked();
	await expect(page).toHaveURL(new RegExp(`/settlements/${settlementId}/households/new$`));

	// 2. fixed: the household page, 已登记
	await page.locator('#idNumber').fill(headId.valid);
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(new RegExp(`/households/${uuid}\\?created=1$`));
	const householdId = new URL(page.url()).pathname.split('/')[2];
	await expect(page.locator('main [role="status"]').first()).toHaveText('已登记');
	await expect(page.locator('main h1')).toContainText(head.name);
	await expect(page.locator('main')).toContainText(`99栋1单元${room}`);
	await expect(page.locator('main')).not.toContainText(headId.valid);

	// 3. a member
	const spouseBirth = '1980-09-02';
	const spouse: Person = {
		name: personName('上官'),
		relation: '配偶',
		idNumber: idFor(spouseBirth, 'female').valid,
		gender: 'female',
		birthDate: spouseBirth,
		phone: mobile(),
		employment: '未就业'
	};
	await page.getByRole('link', { name: '添加成员' }).click();
	await page.waitForURL(`**/households/${householdId}/members/new`);
	await waitHydrated(page);
	await fillMember(page, spouse);
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(`**/households/${householdId}?saved=1`);
	const spouseRow = page.locator('main tbody tr', { hasText: spouse.name });
	await expect(spouseRow).toContainText('配偶');
	await expect(spouseRow).toContainText(`${spouse.idNumber.slice(0, 4)}${'*'.repeat(10)}`);
	await expect(page.locator('main')).not.toContainText(spouse.idNumber);

	// 4. the member's edit form never carries the full ID number or phone
	await spouseRow.getByRole('link', { name: '编辑' }).click();
	await page.waitForURL(new RegExp(`/households/${householdId}/members/${uuid}$`));
	const memberPath = new URL(page.url()).pathname;
	await waitHydrated(page);
	await expect(page.locator('#idNumber')).toHaveValue('');
	await expect(page.locator('main')).toContainText(spouse.idNumber.slice(-4));
	expect(await page.content()).not.toMatch(fullIdPattern);
	expect(await page.content()).not.toContain(spouse.phone);
	const raw = await page.request.get(memberPath);
	expect(await raw.text()).not.toMatch(fullIdPattern);
	const data = await page.request.get(`${memberPath}/__data.json`);
	expect(await data.text()).not.toMatch(fullIdPattern);
	// she found work; ID number and phone left blank keep the registered ones
	await page.locator('#employment').selectOption('务工');
	await page.locator('#employer').fill('贡江新区扶贫车间');
	await page.locator('form[action="?/save"] button[type="submit"]').click();
	await page.waitForURL(`**/households/${householdId}?saved=1`);
	await expect(page.locator('main tbody tr', { hasText: spouse.name })).toContainText(
		'贡江新区扶贫车间'
	);
	await expect(page.locator('main tbody tr', { hasText: spouse.name })).toContainText(
		`${spouse.idNumber.slice(0, 4)}${'*'.repeat(10)}${spouse.idNumber.slice(-4)}`
	);

	// 5. the head's full ID number, shown once for a stated reason
	await page.locator('details', { hasText: '查看完整' }).locator('summary').click();
	await page.locator('#reveal-member').selectOption({ label: head.name });
	await page.locator('#reveal-field').selectOption('idNumber');
	await page.locator('#reveal-reason').fill('办理社保转移需核对身份证号');
	await page.locator('form[action="?/reveal"] button').click();
	await expect(page.locator('main [role="status"]', { hasText: '审计日志' })).toHaveText(
		`身份证号：${headId.valid}（本次查看已记入审计日志）`
	);
	await page.reload();
	await expect(page.locator('main h1')).toContainText(head.name);
	expect(await page.content()).not.toContain(headId.valid);

	// 6. she moves out: listed under 已离开的成员, no longer among the members
	await page.goto(memberPath);
	await waitHydrated(page);
	await page.locator('#reason').selectOption('moved_out');
	await page.locator('#note').fill('外出务工落户');
	await page.locator('form[action="?/end"] button[type="submit"]').click();
	await page.waitForURL(`**/households/${householdId}?saved=1`);
	await expect(page.getByRole('heading', { name: '已离开的成员' })).toBeVisible();
	const former = page.locator('main ul li', { hasText: spouse.name });
	await expect(former).toContainText('已迁出');
	await expect(former).toContainText('外出务工落户');
	await expect(page.locator('main tbody tr', { hasText: spouse.name })).toHaveCount(0);
	await expect(page.locator('main h2', { hasText: '家庭成员' })).toContainText('（1）');
});

test('without JavaScript a bad phone on the new-household form comes back with the error and every value', async ({
	newContext
}) => {
	const context = await newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto('/login');
	await submitLogin(page, 'guanliyuan', demoPassword);
	await page.waitForURL((url) => url.pathname !== '/login');
	const settlementId = await firstSettlementId(page);

	const birthDate = '1969-12-30';
	const person: Person = {
		name: personName('东方'),
		idNumber: idFor(birthDate, 'female').valid,
		gender: 'female',
		birthDate,
		phone: '1381234',
		employment: '灵活就业'
	};
	const room = `8${Math.floor(Math.random() * 900) + 100}`;
	await page.goto(`/settlements/${settlementId}/households/new`);
	await fillHome(page, room);
	await fillMember(page, person);
	// a disability level chosen, to see a number field come back too (无 has a test of its own below)
	await page.locator('#health').selectOption('残疾');
	await page.locator('#disabilityLevel').selectOption('3');
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST'),
		page.getByRole('button', { name: '保存' }).click()
	]);
	expect(response.status()).toBe(400);
	await expect(page.locator('#phone-error')).toHaveText('手机号码格式不正确');
	await expect(page.locator('main [role="alert"]').first()).toHaveText('请按提示修改后再提交');
	await expect(page.locator('#phone')).toHaveValue('1381234');
	await expect(page.locator('#name')).toHaveValue(person.name);
	await expect(page.locator('#idNumber')).toHaveValue(person.idNumber);
	await expect(page.locator('#birthDate')).toHaveValue(birthDate);
	await expect(page.locator('#gender')).toHaveValue('female');
	await expect(page.locator('#employment')).toHaveValue('灵活就业');
	await expect(page.locator('#laborAbility')).toHaveValue('普通劳动力');
	await expect(page.locator('#health')).toHaveValue('残疾');
	await expect(page.locator('#disabilityLevel')).toHaveValue('3');
	await expect(page.locator('#room')).toHaveValue(room);
	await expect(page.locator('#building')).toHaveValue('99栋');
	await expect(page.locator('#originTownship')).toHaveValue('银坑镇');
	await expect(page.locator('#movedInOn')).toHaveValue('2021-03-15');
	await expect(page.locator('input[name="tags"][value="lifted_out"]')).toBeChecked();
	// only the phone is marked wrong
	await expect(page.locator('main .error')).toHaveCount(1);

	// corrected, it goes through without JavaScript too
	await page.locator('#phone').fill(mobile());
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(new RegExp(`/households/${uuid}\\?created=1$`));
	await expect(page.locator('main')).toContainText('已登记');
	await expect(page.locator('main h1')).toContainText(person.name);
});

test('without JavaScript a household with no disability (残疾等级 无) can be registered', async ({
	newContext
}) => {
	const context = await newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto('/login');
	await submitLogin(page, 'guanliyuan', demoPassword);
	await page.waitForURL((url) => url.pathname !== '/login');
	const settlementId = await firstSettlementId(page);
	const birthDate = '1975-06-01';
	await page.goto(`/settlements/${settlementId}/households/new`);
	await fillHome(page, `6${Math.floor(Math.random() * 900) + 100}`);
	await fillMember(page, {
		name: personName('公孙'),
		idNumber: idFor(birthDate, 'male').valid,
		gender: 'male',
		birthDate,
		phone: mobile(),
		employment: '务工'
	});
	await expect(page.locator('#disabilityLevel option:checked')).toHaveText('无');
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST'),
		page.getByRole('button', { name: '保存' }).click()
	]);
	expect(response.status()).toBe(303);
	await page.waitForURL(new RegExp(`/households/${uuid}\\?created=1$`));
	await expect(page.locator('main')).toContainText('已登记');
});

test('staff and residents reach only what the permission table allows', async ({ signIn }) => {
	test.setTimeout(60_000);
	// the second settlement and one of its households, from jumin2's own page
	const jumin2 = await signIn('jumin2');
	const secondHousehold = await ownHouseholdId(jumin2);
	const secondSettlement = await settlementOf(jumin2, secondHousehold);

	// guanliyuan (point admin of the first settlement): the second is as if it did not exist
	const guanliyuan = await signIn('guanliyuan');
	const firstSettlement = await firstSettlementId(guanliyuan);
	expect(secondSettlement).not.toBe(firstSettlement);
	for (const path of [
		`/settlements/${secondSettlement}`,
		`/settlements/${secondSettlement}/households`,
		`/settlements/${secondSettlement}/households/new`,
		`/households/${secondHousehold}`,
		`/households/${secondHousehold}/edit`,
		`/households/${secondHousehold}/members/new`
	])
		expect((await guanliyuan.goto(path))?.status(), path).toBe(404);
	await expect(guanliyuan.locator('main')).toContainText('页面不存在');
	// and a write to it is refused the same way
	const edit = await post(guanliyuan, `/households/${secondHousehold}/edit`, {
		building: '1栋',
		unitNo: '',
		room: '101',
		originTownship: '银坑镇',
		originVillage: '平安村',
		movedInOn: '2020-01-01'
	});
	expect(edit.status()).toBe(404);

	// shegong (community worker of the first settlement): reads, but writes nothing
	const shegong = await signIn('shegong');
	await shegong.goto(`/settlements/${firstSettlement}/households`);
	await expect(
		shegong.locator(`a[href="/settlements/${firstSettlement}/households/new"]`)
	).toHaveCount(0);
	const someHousehold = await shegong
		.locator('main tbody a[href^="/households/"]')
		.first()
		.getAttribute('href');
	expect(someHousehold).toMatch(new RegExp(`^/households/${uuid}$`));
	expect((await shegong.goto(someHousehold!))?.status()).toBe(200);
	await expect(shegong.locator('main a[href$="/edit"]')).toHaveCount(0);
	await expect(shegong.locator('main a[href$="/members/new"]')).toHaveCount(0);
	expect((await shegong.goto(`/settlements/${firstSettlement}/households/new`))?.status()).toBe(
		404
	);
	const birthDate = '1990-01-20';
	const created = await post(shegong, `/settlements/${firstSettlement}/households/new`, {
		building: '99栋',
		unitNo: '2单元',
		room: `7${Math.floor(Math.random() * 900) + 100}`,
		originTownship: '银坑镇',
		originVillage: '平安村',
		movedInOn: '2021-03-15',
		name: personName('慕容'),
		idNumber: idFor(birthDate, 'male').valid,
		gender: 'male',
		birthDate,
		phone: mobile(),
		schooling: '初中',
		health: '健康',
		laborAbility: '普通劳动力',
		employment: '务工'
	});
	expect(created.status()).toBe(403);
	const updated = await post(shegong, `${someHousehold}/edit`, {
		building: '1栋',
		unitNo: '',
		room: '101',
		originTownship: '银坑镇',
		originVillage: '平安村',
		movedInOn: '2020-01-01'
	});
	expect(updated.status()).toBe(403);

	// jumin (a resident of the first settlement): not the register, not the compliance page
	const jumin = await signIn('jumin');
	expect((await jumin.goto(`/settlements/${firstSettlement}/households`))?.status()).toBe(404);
	expect((await jumin.goto('/settlements/compliance'))?.status()).toBe(404);
	expect((await jumin.goto(`/households/${secondHousehold}`))?.status()).toBe(404);
});

test('the chief of points sees the county’s compliance findings and duplicate registrations', async ({
	signIn
}) => {
	const page = await signIn('zongdianzhang');
	expect((await page.goto('/settlements/compliance'))?.status()).toBe(200);
	await expect(page.locator('main h1')).toHaveText('合规检查');
	// the seed's findings on purpose (src/lib/server/seed.ts)
	const findings = page.locator('main table').first();
	await expect(findings.locator('tr', { hasText: '禾丰镇集镇安置点' })).toContainText(
		'超过 200 人，无专职管理员'
	);
	await expect(findings.locator('tr', { hasText: '盘古山镇集镇安置点' })).toContainText(
		'未明确点长'
	);
	await expect(findings.locator('tr', { hasText: '罗坳工业园安置点' })).toContainText(
		'进城入园安置点无物业公司'
	);
	// the first point has its 点长, two administrators and a property company
	const first = findings.locator('tr', { hasText: '贡江新区安置点' });
	for (const issue of ['无专职管理员', '未明确点长', '无物业公司'])
		await expect(first).not.toContainText(issue);

	// 防止重复登记: at least one person, ID masked, each household linked (all in the county)
	await expect(page.getByRole('heading', { name: '重复登记' })).toBeVisible();
	const duplicates = page.locator('main table').last().locator('tbody tr');
	expect(await duplicates.count()).toBeGreaterThanOrEqual(1);
	await expect(duplicates.first().locator('td').nth(1)).toHaveText(/^\d{4}\*{10}[\dX]{4}$/);
	expect(await duplicates.first().locator('a[href^="/households/"]').count()).toBe(2);
	expect(await page.content()).not.toMatch(fullIdPattern);
});

test('a point’s overview shows its figures and its 三员 roster', async ({ signIn }) => {
	const page = await signIn('dianzhang');
	const settlementId = await firstSettlementId(page);
	await page.goto(`/settlements/${settlementId}`);
	await expect(page.locator('main h1')).toHaveText('贡江新区安置点');

	const cards = page.locator('section[aria-labelledby="figures"] li');
	await expect(cards).toHaveCount(9);
	const value = async (label: string) => {
		// the number, then the label, and nothing more: 劳动力 is not 劳动力就业率
		const card = cards.filter({ hasText: new RegExp(`^\\s*[\\d,.%—]+\\s*${label}\\s*$`) });
		await expect(card).toHaveCount(1);
		return (await card.locator('strong').innerText()).replaceAll(',', '');
	};
	expect(Number(await value('户数'))).toBeGreaterThan(1000);
	const people = Number(await value('人数'));
	const laborers = Number(await value('劳动力'));
	expect(people).toBeGreaterThan(laborers);
	expect(laborers).toBeGreaterThan(0);
	expect(Number(await value('已就业'))).toBeGreaterThan(0);
	expect(await value('劳动力就业率')).toMatch(/^\d{1,3}\.\d%$/);
	for (const label of ['零就业家庭', '60 岁以上老人', '14 岁以下儿童', '公益性岗位'])
		expect(await value(label), label).toMatch(/^\d+$/);
	expect(Number(await value('公益性岗位'))).toBeGreaterThan(0);

	const roster = page.locator('section[aria-labelledby="roster"]');
	await expect(roster.locator('h2')).toHaveText('三员名册');
	await expect(roster.locator('tr', { hasText: '钟点长' })).toContainText('点长');
	await expect(roster.locator('tr', { hasText: '曾管理员' })).toContainText('专职管理员');
	await expect(roster.locator('tr', { hasText: '于都县安居物业服务有限公司' })).toContainText(
		'物业公司'
	);
	// the chief before, in the hand-over history
	await roster.locator('summary', { hasText: '交接记录' }).click();
	await expect(roster.locator('details')).toContainText('谢建国');
});
