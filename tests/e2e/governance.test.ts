import type { BrowserContextOptions, Page } from '@playwright/test';
import { expect, ownHouseholdId, test, waitHydrated } from './fixtures';

// Governance in the browser, on the demo county's first point (贡江新区): a new version of the
// points list goes to consultation, jumin comments on a clause, a 四议两公开 decision adopts it
// through all six stages and the public reads it without login; the 村民议事会 holds its
// scheduled meeting and closes it; jumin files an over-cap wedding that the council sees
// flagged with its clause; staff award jumin's household, which redeems and appeals.

const phone: BrowserContextOptions = {
	viewport: { width: 390, height: 844 },
	isMobile: true,
	hasTouch: true
};
const desk: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** A day in Asia/Shanghai, `days` from today, as the date inputs take it. */
function shanghaiDay(days = 0): string {
	return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** Something no other run or test wrote: a page that shows it shows this run's data. */
const mark = () => String(Date.now() % 1_000_000).padStart(6, '0');

/** The current balance shown on a resident's /points or /me. */
async function balanceOn(page: Page, path: '/points' | '/me'): Promise<number> {
	await page.goto(path);
	const selector = path === '/points' ? 'section.balance strong' : '.me-points-balance strong';
	const text = await page.locator(selector).first().innerText();
	const n = Number(text.replace(/[^\d-]/g, ''));
	expect(Number.isInteger(n), `${path}: ${text}`).toBe(true);
	return n;
}

test('a new points list goes to consultation, jumin comments, a decision adopts it in six stages, the public reads it', async ({
	signIn,
	newContext
}) => {
	// three people and some twenty pages
	test.slow();
	const staff = await signIn('guanliyuan', desk);
	const resident = await signIn('jumin', phone);
	const n = mark();

	// the point's points list: a new version, a copy of the adopted one
	await staff.goto('/governance/rules');
	await staff.locator('main a', { hasText: '贡江新区社区积分制管理清单' }).first().click();
	await expect(staff).toHaveURL(/\/governance\/rules\/[0-9a-f-]{36}/);
	const ruleId = uuid.exec(staff.url())![0];
	await expect(staff.locator('main')).toContainText('已通过施行');
	await waitHydrated(staff);
	await staff.locator('form[action="?/newVersion"] button').click();
	await expect(staff).toHaveURL(new RegExp(`/governance/rules/${ruleId}/edit`));

	// a clause rewritten, and why
	const clause = `积分每月在公示栏和本平台公示 ${n}；住户对积分记录有异议的，可在平台或窗口申诉。`;
	await waitHydrated(staff);
	await staff.locator('textarea[name="clauseText"]').nth(3).fill(clause);
	await staff.locator('textarea[name="note"]').fill(`第四条增加平台公示 ${n}`);
	await staff.getByRole('button', { name: '保存草案' }).click();
	await expect(staff).toHaveURL(/ok=saved/);
	await expect(staff.locator('main')).toContainText(clause);
	await expect(staff.locator('main')).toContainText('草案');

	// out for consultation for a week
	await waitHydrated(staff);
	await staff
		.locator('form[action="?/openConsultation"] input[name="endsOn"]')
		.fill(shanghaiDay(7));
	await staff.locator('form[action="?/openConsultation"] button[type="submit"]').click();
	await expect(staff).toHaveURL(/ok=open/);
	const versionId = /[?&]v=([0-9a-f-]{36})/.exec(staff.url())![1];
	await expect(staff.locator('main')).toContainText('公开征求意见');

	// jumin, on a phone, comments on the rewritten clause
	await resident.goto(`/governance/rules/${ruleId}`);
	await waitHydrated(resident);
	const fourth = resident.locator('#clause-4');
	await expect(fourth).toContainText(clause);
	await fourth.locator('details.comment summary').click();
	const comment = `建议公示时把加分和扣分分开列出 ${n}`;
	await fourth.locator('textarea[name="body"]').fill(comment);
	await fourth.locator('form[action="?/comment"] button[type="submit"]').click();
	await expect(resident.locator('main')).toContainText('意见已提交');
	await expect(resident.locator('#clause-4')).toContainText(comment);

	// staff read it, and start the decision that adopts the version
	await staff.goto(`/governance/rules/${ruleId}?v=${versionId}`);
	await expect(staff.locator('#clause-4')).toContainText(comment);
	await staff
		.locator(`main a[href="/governance/decisions/new?ruleVersionId=${versionId}"]`)
		.click();
	await expect(staff).toHaveURL(/\/governance\/decisions\/new/);
	await waitHydrated(staff);
	const title = `修订积分制管理清单第四条 ${n}`;
	await staff.locator('input[name="title"]').fill(title);
	await staff
		.locator('textarea[name="summary"]')
		.fill('积分公示增加平台公示，方便在外务工的家庭成员随时查看本户积分。');
	await expect(staff.locator('select[name="ruleVersionId"]')).toHaveValue(versionId);
	await staff.locator('main form button[type="submit"]').click();
	await expect(staff).toHaveURL(/\/governance\/decisions\/[0-9a-f-]{36}$/);
	const decisionId = uuid.exec(staff.url())![0];

	// the six stages, in order, each with its record
	const partyMinutes = `党员大会审议修订稿，同意提交居民代表会议 ${n}`;
	const resolution = `居民代表会议表决通过积分清单修订稿，自公布之日起施行 ${n}`;
	const result = `修订后的积分清单已张贴到各楼栋，平台每月公示积分 ${n}`;
	const stages: {
		stage: string;
		participants: string;
		attendees?: string;
		votes?: [string, string, string];
		minutes: string;
	}[] = [
		{
			stage: 'proposal',
			participants: '党支部委员 5 人',
			attendees: '5',
			minutes: '党支部提议修订积分清单第四条。'
		},
		{
			stage: 'committees',
			participants: '两委委员 9 人',
			attendees: '9',
			minutes: '两委联席会议同意修订稿。'
		},
		{
			stage: 'party_members',
			participants: '党员 40 人',
			attendees: '40',
			votes: ['38', '1', '1'],
			minutes: partyMinutes
		},
		{
			stage: 'representatives',
			participants: '居民代表 33 人',
			attendees: '33',
			votes: ['31', '1', '1'],
			minutes: '居民代表会议表决通过。'
		},
		{ stage: 'resolution_public', participants: '公示栏和本平台', minutes: resolution },
		{ stage: 'result_public', participants: '公示栏和本平台', minutes: result }
	];
	for (const s of stages) {
		const form = staff.locator('form[action="?/stage"]');
		await expect(form.locator('input[name="stage"]')).toHaveValue(s.stage);
		await waitHydrated(staff);
		await form.locator('input[name="participants"]').fill(s.participants);
		if (s.attendees) await form.locator('input[name="attendees"]').fill(s.attendees);
		if (s.votes) {
			await form.locator('input[name="votesFor"]').fill(s.votes[0]);
			await form.locator('input[name="votesAgainst"]').fill(s.votes[1]);
			await form.locator('input[name="votesAbstain"]').fill(s.votes[2]);
		}
		await form.locator('textarea[name="minutes"]').fill(s.minutes);
		await form.locator('button[type="submit"]').click();
		await expect(staff).toHaveURL(new RegExp(`ok=${s.stage}`));
		await expect(staff.locator('main')).toContainText(s.minutes);
	}
	await expect(staff.locator('form[action="?/stage"]')).toHaveCount(0);
	await expect(staff.locator('main')).toContainText('已完成');

	// the version is in force, the one before it superseded
	await staff.goto(`/governance/rules/${ruleId}?v=${versionId}`);
	await expect(staff.locator('main')).toContainText('已通过施行');
	await staff.goto(`/governance/rules/${ruleId}`);
	await expect(staff.locator('nav.versions')).toContainText('已被新版本替代');

	// the public, without login: the two disclosures, never an earlier stage's minutes
	const publicContext = await newContext(phone);
	const visitor = await publicContext.newPage();
	await visitor.goto('/public/decisions');
	await expect(visitor.locator('main')).toContainText(title);
	await visitor.goto(`/public/decisions/${decisionId}`);
	await expect(visitor.locator('main')).toContainText(resolution);
	await expect(visitor.locator('main')).toContainText(result);
	await expect(visitor.locator('main')).not.toContainText(partyMinutes);
	expect(await visitor.content()).not.toContain(partyMinutes);
	await visitor.goto('/public/rules');
	await expect(visitor.locator('main')).toContainText('贡江新区社区积分制管理清单');
	await visitor.goto(`/public/rules/${ruleId}`);
	await expect(visitor.locator('main')).toContainText(clause);
	await expect(visitor.locator('main')).toContainText('第2版');
	// the comment's words may show, its author never
	const residentName = ((await resident.locator('header .who').textContent()) ?? '').trim();
	expect(residentName.length).toBeGreaterThanOrEqual(2);
	expect(await visitor.content()).not.toContain(residentName);
});

test('guanliyuan holds the 村民议事会 meeting: attendance to quorum, a resolution voted, closed, then only amended', async ({
	signIn
}) => {
	test.slow();
	const staff = await signIn('guanliyuan', desk);
	const n = mark();

	await staff.goto('/governance/councils');
	const council = staff.locator('main a[href^="/governance/councils/"]', {
		hasText: '村民议事会'
	});
	if ((await council.count()) === 0)
		await staff.locator('main a', { hasText: '贡江新区安置点' }).first().click();
	await council.first().click();
	await expect(staff).toHaveURL(/\/governance\/councils\/[0-9a-f-]{36}/);
	await staff.locator('main a', { hasText: '村民议事会第四季度例会' }).click();
	await expect(staff).toHaveURL(/\/governance\/meetings\/[0-9a-f-]{36}/);
	await expect(staff.locator('main')).toContainText('待召开');

	// opened, then the members present ticked until there is a quorum
	await waitHydrated(staff);
	await staff.locator('form[action="?/open"] button').click();
	await expect(staff).toHaveURL(/ok=opened/);
	await expect(staff.locator('main')).toContainText('会议进行中');
	await expect(staff.locator('p.quorum')).toContainText('未达到法定人数');
	await waitHydrated(staff);
	const boxes = staff.locator('form[action="?/attendance"] input[name="memberIds"]');
	const serving = await boxes.count();
	expect(serving).toBeGreaterThanOrEqual(5);
	for (let i = 0; i < Math.floor(serving / 2) + 1; i++) await boxes.nth(i).check();
	await staff.locator('form[action="?/attendance"] button[type="submit"]').click();
	await expect(staff).toHaveURL(/ok=attendance/);
	await expect(staff.locator('p.quorum')).toContainText('已达到法定人数');

	// a resolution, and every present member's vote
	const text = `冬季消防安全检查由各楼栋长带队，每月一次 ${n}`;
	await waitHydrated(staff);
	await staff.locator('form[action="?/resolution"] textarea[name="text"]').fill(text);
	await staff.locator('form[action="?/resolution"] button[type="submit"]').click();
	await expect(staff).toHaveURL(/ok=resolution/);
	const section = staff.locator('section.resolution', { hasText: text });
	await expect(section).toBeVisible();
	await waitHydrated(staff);
	const ballots = section.locator('form[action="?/votes"] select[name="votes"]');
	const present = await ballots.count();
	expect(present).toBe(Math.floor(serving / 2) + 1);
	for (let i = 0; i < present; i++) {
		const choice = i === present - 1 ? 'abstain' : 'for';
		const value = await ballots.nth(i).locator(`option[value$=":${choice}"]`).getAttribute('value');
		await ballots.nth(i).selectOption(value!);
	}
	await section.locator('form[action="?/votes"] button[type="submit"]').click();
	await expect(staff).toHaveURL(/ok=votes/);
	await expect(staff.locator('section.resolution', { hasText: text })).toContainText(
		`赞成 ${present - 1}`
	);

	// closed with the minutes: nothing is edited after, only amended with a visible note
	const minutes = `会议应到 ${serving} 人，实到 ${present} 人，讨论冬季消防安全检查安排，形成决议一项 ${n}`;
	await waitHydrated(staff);
	await staff.locator('form[action="?/close"] textarea[name="minutes"]').fill(minutes);
	await staff.locator('form[action="?/close"] button[type="submit"]').click();
	await expect(staff).toHaveURL(/ok=closed/);
	await expect(staff.locator('main')).toContainText('已闭会');
	await expect(staff.locator('main')).toContainText(minutes);
	await expect(staff.locator('section.resolution', { hasText: text })).toContainText('通过');
	for (const action of ['attendance', 'open', 'resolution', 'votes', 'close'])
		await expect(staff.locator(`form[action="?/${action}"]`), action).toHaveCount(0);
	const note = `更正：实到人数中含列席的楼栋长 1 人 ${n}`;
	await waitHydrated(staff);
	await staff.locator('form[action="?/amend"] textarea[name="note"]').fill(note);
	await staff.locator('form[action="?/amend"] button[type="submit"]').click();
	await expect(staff).toHaveURL(/ok=amended/);
	await expect(staff.locator('main')).toContainText(note);
	await expect(staff.locator('main')).toContainText('曾管理员');
	await expect(staff.locator('main')).toContainText(minutes);
});

test('jumin files a wedding over the caps on a phone; it is flagged with its clause, and staff see the flag', async ({
	signIn
}) => {
	const resident = await signIn('jumin', phone);
	await resident.goto('/governance/ceremonies/new');
	await waitHydrated(resident);
	await resident.locator('input[name="kind"][value="wedding"]').check();
	await resident.locator('input[name="eventOn"]').fill(shanghaiDay(30));
	await resident.locator('input[name="tables"]').fill('26');
	await resident.locator('input[name="guests"]').fill('260');
	await resident.locator('input[name="bridePrice"]').fill('58000');
	await resident.locator('textarea[name="gifts"]').fill('婚车 8 辆');
	await resident.locator('main form button[type="submit"].wide').click();
	await expect(resident).toHaveURL(/\/governance\/ceremonies\/[0-9a-f-]{36}\?new=1/);
	const id = uuid.exec(resident.url())![0];
	const flagged = resident.locator('section.over');
	await expect(flagged).toContainText('超出标准');
	// 第六条 of the 居民公约 caps both the bride price and the tables
	await expect(flagged).toContainText('第6条');

	const staff = await signIn('guanliyuan', desk);
	await staff.goto(`/governance/ceremonies/${id}`);
	await expect(staff.locator('section.over')).toContainText('第6条');
	await staff.goto('/governance/ceremonies?overCap=1');
	await expect(staff.locator(`main a[href="/governance/ceremonies/${id}"]`)).toBeVisible();
});

test("staff award jumin's household; jumin sees it on /me and /points, redeems in the shop and appeals a deduction", async ({
	signIn
}) => {
	test.slow();
	const resident = await signIn('jumin', phone);
	const householdId = await ownHouseholdId(resident);
	const before = await balanceOn(resident, '/points');
	expect(before).toBeGreaterThanOrEqual(10);

	// guanliyuan awards the household under an item of the adopted list
	const staff = await signIn('guanliyuan', desk);
	const n = mark();
	const reason = `为独居老人代购年货、陪同就医 ${n}`;
	await staff.goto(`/points/award?household=${householdId}`);
	await waitHydrated(staff);
	await staff.locator('input[name="itemCode"][value="elder_care"]').check();
	await staff.locator('textarea[name="reason"]').fill(reason);
	await staff.getByRole('button', { name: '记入积分台账' }).click();
	await expect(staff).toHaveURL(new RegExp(`/points/households/${householdId}\\?ok=award`));
	await expect(staff.locator('main')).toContainText(reason);

	// jumin reads the balance on /me and /points, with the entry
	expect(await balanceOn(resident, '/me')).toBe(before + 10);
	expect(await balanceOn(resident, '/points')).toBe(before + 10);
	await expect(resident.locator('main')).toContainText(reason);

	// a towel from the 积分超市
	await resident.goto('/points/shop');
	const towel = resident.locator('main li, main tr', { hasText: '毛巾' }).first();
	await towel.locator('a[href^="/points/shop/"]').first().click();
	await expect(resident).toHaveURL(/\/points\/shop\/[0-9a-f-]{36}/);
	await waitHydrated(resident);
	await resident.locator('form[action="?/redeem"] input[name="quantity"]').fill('1');
	await resident.locator('form[action="?/redeem"] button[type="submit"]').click();
	await expect(resident).toHaveURL(/\/points\/redemptions\?ok=redeemed/);
	await expect(resident.locator('main')).toContainText('毛巾');
	expect(await balanceOn(resident, '/points')).toBe(before + 10 - 10);

	// and an appeal against the deduction for the e-bike in the corridor
	await resident.locator('main a[href^="/points/entries/"]', { hasText: '电动车' }).first().click();
	await expect(resident).toHaveURL(/\/points\/entries\/[0-9a-f-]{36}/);
	await waitHydrated(resident);
	await resident
		.locator('form[action="?/appeal"] textarea[name="reason"]')
		.fill(`电动车是来访亲戚推进楼道的，已经推到充电棚 ${n}`);
	await resident.locator('form[action="?/appeal"] button[type="submit"]').click();
	await expect(resident).toHaveURL(/ok=appeal/);
	await expect(resident.locator('form[action="?/appeal"]')).toHaveCount(0);
	await expect(resident.locator('main')).toContainText('待处理');
});
