import ExcelJS from 'exceljs';
import type { Page } from '@playwright/test';
import { makeIdNumber } from '../../src/lib/id-number';
import { demoPassword, expect, submitLogin, test, waitHydrated } from './fixtures';

// 台账: a point admin imports a small ledger, fixes a bad row, finds the household, exports.

const headers = [
	'序号',
	'楼栋',
	'单元',
	'房号',
	'户主姓名',
	'与户主关系',
	'姓名',
	'性别',
	'身份证号码',
	'出生日期',
	'联系电话',
	'迁出地乡镇',
	'迁出地村组',
	'入住日期',
	'文化程度',
	'健康状况',
	'残疾等级',
	'劳动能力',
	'就业状态',
	'就业单位',
	'工作岗位',
	'公益性岗位',
	'培训情况',
	'户类别'
];

interface Person {
	name: string;
	relation: string;
	gender: '男' | '女';
	birthDate: string;
	labor: string;
	employment: string;
	schooling?: string;
}

interface Flat {
	building: string;
	unitNo: string;
	room: string;
}

// names the demo never uses (compound surnames) and ID numbers of another county (360781)
const households: { head: string; people: Person[] }[] = [
	{
		head: '欧阳明远',
		people: [
			{
				name: '欧阳明远',
				relation: '户主',
				gender: '男',
				birthDate: '1972-03-08',
				labor: '普通劳动力',
				employment: '务工'
			},
			{
				name: '刘桂英',
				relation: '配偶',
				gender: '女',
				birthDate: '1974-11-21',
				labor: '弱劳动力',
				employment: '未就业'
			},
			{
				name: '欧阳小雨',
				relation: '女',
				gender: '女',
				birthDate: '2011-06-30',
				labor: '无劳动能力',
				employment: '在校学生',
				schooling: '小学'
			}
		]
	},
	{
		head: '司马秀兰',
		people: [
			{
				name: '司马秀兰',
				relation: '户主',
				gender: '女',
				birthDate: '1950-01-17',
				labor: '无劳动能力',
				employment: '退休或无需就业'
			}
		]
	},
	{
		head: '诸葛建华',
		people: [
			{
				name: '诸葛建华',
				relation: '户主',
				gender: '男',
				birthDate: '1985-09-12',
				labor: '技能劳动力',
				employment: '未就业'
			},
			{
				name: '黄丽',
				relation: '配偶',
				gender: '女',
				birthDate: '1987-02-02',
				labor: '普通劳动力',
				employment: '未就业'
			}
		]
	}
];

const idOf = (p: Person, k: number) =>
	makeIdNumber('360781', p.birthDate, 100 + k * 2, p.gender === '男' ? 'male' : 'female');

const row = (flat: Flat, head: string, p: Person, id: string, seq: number) => {
	const values: Record<string, string | number> = {
		序号: seq,
		楼栋: flat.building,
		单元: flat.unitNo,
		房号: flat.room,
		户主姓名: head,
		与户主关系: p.relation,
		姓名: p.name,
		性别: p.gender,
		身份证号码: id,
		出生日期: p.birthDate,
		迁出地乡镇: '禾丰镇',
		迁出地村组: '大坪村',
		入住日期: '2020-05-01',
		文化程度: p.schooling ?? '初中',
		健康状况: '健康',
		劳动能力: p.labor,
		就业状态: p.employment,
		户类别: '脱贫户'
	};
	return headers.map((c) => values[c] ?? null);
};

async function xlsx(rows: (string | number | null)[][]): Promise<Buffer> {
	const workbook = new ExcelJS.Workbook();
	const sheet = workbook.addWorksheet('搬迁户台账');
	sheet.addRow(headers);
	for (const r of rows) sheet.addRow(r);
	return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The ledger of the three households in `flats`; `breakId` names whose ID gets a wrong check digit. */
async function ledgerFile(flats: Flat[], breakId?: string): Promise<Buffer> {
	let seq = 0;
	const rows = households.flatMap((h, i) =>
		h.people.map((p, k) => {
			let id = idOf(p, k);
			if (p.name === breakId) id = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
			return row(flats[i], h.head, p, id, ++seq);
		})
	);
	return xlsx(rows);
}

/**
 * The demo settlement keeps its housing stock (dwellings), and an import must name a known,
 * empty flat. Which flats are empty is the seed's business: ask the import itself, with a probe
 * file of one person in every flat of the demo's layout (N栋 1–2单元, floors 1–11, 2 a floor),
 * and take the first flats its preview would import into.
 */
function probeFlats(): Flat[] {
	const flats: Flat[] = [];
	for (let n = 1; n <= 60; n++)
		for (let u = 1; u <= 2; u++)
			for (let f = 1; f <= 11; f++)
				for (let k = 1; k <= 2; k++)
					flats.push({ building: `${n}栋`, unitNo: `${u}单元`, room: `${f}0${k}` });
	return flats;
}

async function probeFile(flats: Flat[]): Promise<Buffer> {
	const rows = flats.map((flat, i) => {
		const birthDate = new Date(Date.UTC(1960, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
		const p: Person = {
			name: `探测${i}`,
			relation: '户主',
			gender: '男',
			birthDate,
			labor: '普通劳动力',
			employment: '务工'
		};
		return row(flat, p.name, p, makeIdNumber('360781', birthDate, 501, 'male'), i + 1);
	});
	return xlsx(rows);
}

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function firstSettlementId(page: Page): Promise<string> {
	await page.goto('/settlements');
	const href = await page.locator('main a[href^="/settlements/"]').first().getAttribute('href');
	const id = href?.split('/')[2];
	if (!id) throw new Error('no settlement link on /settlements');
	return id;
}

async function upload(page: Page, settlementId: string, file: Buffer) {
	await page.goto(`/settlements/${settlementId}/import`);
	await waitHydrated(page);
	await page
		.locator('input[name="file"]')
		.setInputFiles({ name: '台账.xlsx', mimeType: xlsxType, buffer: file });
	await page.getByRole('button', { name: '上传并检查' }).click();
	await page.waitForURL(new RegExp(`/settlements/${settlementId}/import/[0-9a-f-]{36}$`));
}

test('a point admin imports a ledger, fixes a bad row, finds the household and exports', async ({
	signIn
}) => {
	test.setTimeout(60_000);
	const page = await signIn('guanliyuan');
	const settlementId = await firstSettlementId(page);

	// the template is there to download
	await page.goto(`/settlements/${settlementId}/import`);
	const template = await page.request.get(`/settlements/${settlementId}/import/template`);
	expect(template.status()).toBe(200);
	expect((await template.body()).subarray(0, 2).toString()).toBe('PK');

	// 0. three empty flats: the first the preview of a probe file would import into
	const candidates = probeFlats();
	await upload(page, settlementId, await probeFile(candidates));
	const rows = await page
		.getByTestId('import-households')
		.locator('tbody tr', { hasText: '新增' })
		.locator('td:first-child')
		.allTextContents();
	const flats = rows.slice(0, 3).map((r) => candidates[Number(r) - 2]);
	expect(flats, 'three empty flats in the demo settlement').toHaveLength(3);

	// 1. a file with a wrong check digit in 黄丽's ID number: the row and the reason, in Chinese
	await upload(page, settlementId, await ledgerFile(flats, '黄丽'));
	const errors = page.getByTestId('import-errors');
	await expect(errors).toContainText('身份证号校验位不正确');
	const badRow = errors.locator('tr', { hasText: '身份证号校验位不正确' });
	await expect(badRow.locator('td').nth(0)).toHaveText('7');
	await expect(badRow.locator('td').nth(1)).toHaveText('身份证号码');
	await expect(
		errors.locator('tr', { hasText: '同户其他成员有错误' }).locator('td').first()
	).toHaveText('6');
	await expect(page.getByTestId('import-counts')).toContainText('2 户可以导入');

	// 2. fixed and uploaded again: nothing wrong, three households to import
	await page.getByRole('link', { name: '重新上传' }).first().click();
	await page.waitForURL(`**/settlements/${settlementId}/import`);
	await upload(page, settlementId, await ledgerFile(flats));
	await expect(page.getByTestId('import-errors')).toHaveCount(0);
	await expect(page.getByTestId('import-counts')).toContainText('3 户可以导入（6 人）');
	await page.getByRole('button', { name: '确认导入 3 户' }).click();
	await expect(page.getByTestId('import-result')).toContainText('新增 3 户');

	// 3. the household is in the register
	await page.goto(`/settlements/${settlementId}/households?q=${encodeURIComponent('诸葛建华')}`);
	await page.locator('main a', { hasText: '诸葛建华' }).first().click();
	await page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
	await expect(page.locator('main')).toContainText('诸葛建华');
	await expect(page.locator('main')).toContainText('黄丽');
	// masked on the page
	await expect(page.locator('main')).not.toContainText(idOf(households[2].people[1], 1));

	// 4. the export downloads as .xlsx, masked
	await page.goto(`/settlements/${settlementId}/import`);
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.locator(`a[href="/settlements/${settlementId}/export"]`).click()
	]);
	expect(download.suggestedFilename()).toMatch(/-台账-\d{4}-\d{2}-\d{2}\.xlsx$/);
	const chunks: Buffer[] = [];
	for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
	const file = Buffer.concat(chunks);
	expect(file.subarray(0, 2).toString()).toBe('PK');
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(new Uint8Array(file).buffer);
	const text = JSON.stringify(workbook.worksheets[0].getSheetValues());
	expect(text).toContain('诸葛建华');
	expect(text).not.toMatch(/\d{17}[\dX]/);
});

test('without JavaScript a bad file comes back as a message on the form, not an error page', async ({
	newContext
}) => {
	const context = await newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto('/login');
	await submitLogin(page, 'guanliyuan', demoPassword);
	await page.waitForURL((url) => url.pathname !== '/login');
	const settlementId = await firstSettlementId(page);

	await page.goto(`/settlements/${settlementId}/import`);
	await page.locator('input[name="file"]').setInputFiles({
		name: '台账.xlsx',
		mimeType: xlsxType,
		buffer: Buffer.from('这不是 Excel 文件，只是改了扩展名')
	});
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST'),
		page.getByRole('button', { name: '上传并检查' }).click()
	]);
	expect(response.status()).toBe(400);
	await expect(page.locator('main .error')).toHaveText('文件不是有效的 Excel（.xlsx）或 CSV 文件');

	// a good file goes on to its preview
	await page.locator('input[name="file"]').setInputFiles({
		name: '台账.xlsx',
		mimeType: xlsxType,
		buffer: await ledgerFile(probeFlats().slice(-3), '黄丽')
	});
	await page.getByRole('button', { name: '上传并检查' }).click();
	await page.waitForURL(new RegExp(`/settlements/${settlementId}/import/[0-9a-f-]{36}$`));
	await expect(page.locator('main')).toContainText('身份证号校验位不正确');
});

test('a file over the upload limit gets a message on the form, with and without JavaScript', async ({
	signIn
}) => {
	const page = await signIn('guanliyuan');
	const settlementId = await firstSettlementId(page);
	await page.goto(`/settlements/${settlementId}/import`);
	await waitHydrated(page);
	// the limit the page states: the import's own, or the server's body limit when smaller
	const hint = await page.locator('#file-hint').textContent();
	const [, amount, unit] = /不超过 ([\d.]+) (KB|MB)/.exec(hint ?? '') ?? [];
	expect(amount, hint ?? '').toBeTruthy();
	const limit = Number(amount) * (unit === 'MB' ? 1024 * 1024 : 1024);
	const big = Buffer.concat([
		Buffer.from('PK\x03\x04'),
		Buffer.alloc(Math.ceil(limit) + 64 * 1024)
	]);
	await page
		.locator('input[name="file"]')
		.setInputFiles({ name: '台账.xlsx', mimeType: xlsxType, buffer: big });
	await page.getByRole('button', { name: '上传并检查' }).click();
	await expect(page.locator('main .error')).toHaveText(/^文件(太大|超过)/, { timeout: 20_000 });

	const res = await page.request.post(`/settlements/${settlementId}/import`, {
		multipart: { file: { name: '台账.xlsx', mimeType: xlsxType, buffer: big } },
		headers: { origin: new URL(page.url()).origin, accept: 'text/html' }
	});
	expect([400, 413]).toContain(res.status());
	expect(await res.text()).toMatch(/文件(太大|超过)/);
});

test('staff who may not import get 404 for the import page; the export is theirs if they may', async ({
	signIn
}) => {
	const shegong = await signIn('shegong');
	const settlementId = await firstSettlementId(shegong);
	expect((await shegong.goto(`/settlements/${settlementId}/import`))?.status()).toBe(404);
	const exported = await shegong.request.get(`/settlements/${settlementId}/export`);
	expect(exported.status()).toBe(404);

	const dianzhang = await signIn('dianzhang');
	const res = await dianzhang.request.get(`/settlements/${settlementId}/export`);
	expect(res.status()).toBe(200);
	expect(res.headers()['content-disposition']).toMatch(
		/^attachment; filename="ledger-\d{4}-\d{2}-\d{2}\.xlsx"; filename\*=UTF-8''/
	);
});
