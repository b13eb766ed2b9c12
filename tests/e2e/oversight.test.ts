import AxeBuilder from '@axe-core/playwright';
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// Oversight: 总点长 reads the county dashboard, picks another month, opens the print report and
// downloads the workbook; the dashboards and the report pass axe with no serious or critical
// violation, and every chart has a text equivalent and its numbers as a table.

// axe reads the whole page several times: on a busy machine that takes a while
test.describe.configure({ timeout: 120_000 });

const sheets = [
	'概况',
	'户籍与就业',
	'办事服务',
	'活动',
	'关爱巡访',
	'监测预警',
	'慈善帮扶',
	'积分'
];

/** The Shanghai month `back` months before this one, as YYYY-MM. */
function monthsAgo(back: number): string {
	const now = new Date(Date.now() + 8 * 3600_000);
	const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
	return d.toISOString().slice(0, 7);
}

/** No axe violation of serious or critical impact; the list names them when there are. */
async function expectAccessible(page: Page) {
	const result = await new AxeBuilder({ page }).analyze();
	const bad = result.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
	expect(bad).toEqual([]);
}

/** Every chart: a caption, an image (svg columns or boxes of bars) with words, and the same numbers in a table. */
async function expectChartsExplained(page: Page) {
	const charts = page.locator('figure.chart:has([role="img"])');
	const n = await charts.count();
	expect(n).toBeGreaterThan(3);
	for (let i = 0; i < n; i++) {
		const chart = charts.nth(i);
		const caption = (await chart.locator('figcaption').innerText()).trim();
		expect(caption.length).toBeGreaterThan(0);
		const image = chart.locator('[role="img"]');
		await expect(image).toHaveCount(1);
		expect((await image.getAttribute('aria-label'))?.length ?? 0).toBeGreaterThan(caption.length);
		await expect(chart.locator('table')).toHaveCount(1);
		expect(await chart.locator('table tbody tr').count()).toBeGreaterThan(0);
	}
}

test('zongdianzhang reads the county dashboard, changes the month and downloads the report', async ({
	signIn
}) => {
	const page = await signIn('zongdianzhang');
	await page.goto('/dashboard');
	const thisMonth = monthsAgo(0);
	await expect(page.locator('#month-picker')).toHaveValue(thisMonth);
	await expect(page.locator('figcaption', { hasText: `服务申请（${thisMonth}）` })).toBeVisible();
	await expectChartsExplained(page);
	await expectAccessible(page);

	// the month picker is a plain GET form: the month goes into the address and the captions
	const earlier = monthsAgo(2);
	await page.locator('#month-picker').fill(earlier);
	await page.getByRole('button', { name: '查看' }).click();
	await page.waitForURL((url) => url.searchParams.get('month') === earlier);
	await expect(page.locator('#month-picker')).toHaveValue(earlier);
	await expect(page.locator('figcaption', { hasText: `服务申请（${earlier}）` })).toBeVisible();
	await expect(page.locator('figcaption', { hasText: `服务申请（${thisMonth}）` })).toHaveCount(0);
	await expect(page.locator('table caption', { hasText: '各安置点主要指标' })).toBeAttached();

	// the print report of that month, with the same sheets as tables
	await page.getByRole('link', { name: '月度报表（打印）' }).click();
	await page.waitForURL((url) => url.pathname === '/dashboard/report');
	expect(new URL(page.url()).searchParams.get('month')).toBe(earlier);
	const [y, mo] = earlier.split('-');
	await expect(page.locator('h1')).toHaveText(`${y}年${Number(mo)}月报表`);
	for (const name of [...sheets, '各安置点'])
		await expect(page.locator('h2', { hasText: new RegExp(`^${name}$`) })).toBeVisible();
	await expect(page.getByRole('button', { name: '打印' })).toBeVisible();
	await expectAccessible(page);

	// the quarter's report, then its workbook
	await page.locator('#report-period').selectOption('quarter');
	await page.getByRole('button', { name: '查看' }).click();
	await page.waitForURL((url) => url.searchParams.get('period') === 'quarter');
	await expect(page.locator('h1')).toContainText('季度报表');

	const downloading = page.waitForEvent('download');
	await page.getByRole('link', { name: '下载 Excel' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/年第[1-4]季度报表\.xlsx$/);
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(new Uint8Array(await readFile(await download.path())).buffer);
	expect(workbook.worksheets.map((s) => s.name)).toEqual([...sheets, '各安置点']);
	const points = workbook.getWorksheet('各安置点')!;
	expect(points.rowCount).toBeGreaterThan(5);
});

test('zongdianzhang downloads the month’s workbook straight from the dashboard', async ({
	signIn
}) => {
	const page = await signIn('zongdianzhang');
	await page.goto(`/dashboard?month=${monthsAgo(1)}`);
	const downloading = page.waitForEvent('download');
	await page.getByRole('link', { name: '下载报表（Excel）' }).click();
	const download = await downloading;
	const [y, mo] = monthsAgo(1).split('-');
	expect(download.suggestedFilename()).toMatch(new RegExp(`${y}年${Number(mo)}月报表\\.xlsx$`));
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(new Uint8Array(await readFile(await download.path())).buffer);
	expect(workbook.worksheets.map((s) => s.name)).toEqual([...sheets, '各安置点']);

	// on a phone the wide tables scroll sideways, and stay accessible
	await page.setViewportSize({ width: 390, height: 844 });
	await expectAccessible(page);
});

test('dianzhang reads the point dashboard and its report, both accessible', async ({ signIn }) => {
	const page = await signIn('dianzhang');
	await page.goto('/settlements');
	const href = await page
		.locator('main a[href^="/settlements/"]')
		.evaluateAll((links) =>
			links
				.map((a) => a.getAttribute('href') ?? '')
				.find((h) => /^\/settlements\/[0-9a-f-]{36}$/.test(h))
		);
	expect(href).toBeTruthy();
	await page.goto(href!);
	await expect(page.locator('#dashboard')).toBeVisible();
	await expectChartsExplained(page);
	await expectAccessible(page);

	// the point's own report: no sheet of points, and the county's dashboard stays out of reach
	await page.getByRole('link', { name: '月度报表（打印）' }).click();
	await page.waitForURL((url) => url.pathname === '/dashboard/report');
	await expect(page.locator('h2', { hasText: /^积分$/ })).toBeVisible();
	await expect(page.locator('h2', { hasText: /^各安置点$/ })).toHaveCount(0);
	await expectAccessible(page);
	const response = await page.goto('/dashboard');
	expect(response?.status()).toBe(404);
});

test('admin reads the country by region and drills down to the demo county’s points', async ({
	signIn
}) => {
	const page = await signIn('admin');
	await page.goto('/dashboard');
	await expect(page.locator('h1')).toContainText('全国');
	// above a county the table lists regions one level down, each opening its own dashboard
	const regions = page.getByRole('region', { name: '各地区主要指标' });
	await expect(regions.locator('thead')).toContainText('安置点数');
	await expectAccessible(page);
	for (const name of ['江西省', '赣州市', '于都县']) {
		await regions.getByRole('link', { name }).click();
		await page.waitForURL((url) => url.pathname === '/dashboard' && url.searchParams.has('region'));
		await expect(page.locator('h1')).toContainText(name);
		if (name === '于都县') break;
		await expect(page.getByRole('region', { name: '各地区主要指标' })).toBeVisible();
	}
	// a county lists its points, which open their own pages
	const points = page.getByRole('region', { name: '各安置点主要指标' });
	await expect(points.locator('tbody tr').first()).toBeVisible();
	const first = points.locator('tbody th a').first();
	await expect(first).toHaveAttribute('href', /^\/settlements\/[0-9a-f-]{36}\?month=/);
});

test('the public statistics show no count under 5, and pass axe', async ({ page }) => {
	await page.goto('/public/stats');
	await expect(page.locator('h1')).toBeVisible();
	await page.getByRole('region', { name: '各县（市、区）' }).locator('tbody th a').first().click();
	await expect(page.locator('#points tbody tr').first()).toBeVisible();
	// a county's cells after its number of points, and every cell of its points: counts of 5 or
	// more, '<5', '—' (withheld) or a rate
	const counts = [
		...(await page.locator('#counties-title + div tbody td:not(:first-of-type)').allInnerTexts()),
		...(await page.locator('#points tbody td').allInnerTexts())
	].map((t) => t.trim());
	expect(counts.length).toBeGreaterThan(10);
	const shown = counts.filter((t) => !['<5', '—'].includes(t) && !t.endsWith('%'));
	expect(shown.length).toBeGreaterThan(0);
	for (const text of shown) {
		const n = Number(text.replaceAll(',', ''));
		expect(Number.isInteger(n) && n >= 5, `cell “${text}”`).toBe(true);
	}
	await expectAccessible(page);
});
