import ExcelJS from 'exceljs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { idCheckChar, makeIdNumber } from '$lib/id-number';
import {
	genderLabels,
	householdTagLabel,
	isZeroEmployment,
	memberSchema,
	type Member
} from '$lib/schemas/household';
import {
	buildExport,
	buildTemplate,
	idAsNumberMessage,
	invalidFileMessage,
	ledgerColumns,
	parseLedger,
	templateExamples,
	type LedgerHousehold,
	type LedgerParseResult,
	type RegisterHousehold
} from './ledger';

// ---------------------------------------------------------------------------
// factories

let sequence = 0;

const withCheck = (first17: string) => first17 + idCheckChar(first17);

/** A valid member; the ID number is made to match birth date and gender. */
function member(over: Partial<Member> = {}): Member {
	const gender = over.gender ?? 'male';
	const birthDate = over.birthDate ?? '1980-05-06';
	return {
		name: '张三',
		relation: '户主',
		gender,
		birthDate,
		idNumber: makeIdNumber('360731', birthDate, ++sequence * 2, gender),
		phone: '13800001234',
		schooling: '初中',
		health: '健康',
		laborAbility: '普通劳动力',
		employment: '务工',
		...over
	};
}

/** A household of a head, a spouse and a child at 1栋1单元<room>. */
function household(room: string, over: Partial<RegisterHousehold> = {}): RegisterHousehold {
	const surname = ['赵', '钱', '孙', '李', '周', '吴'][Number(room) % 6];
	return {
		building: '1栋',
		unitNo: '1单元',
		room,
		originTownship: '禾丰镇',
		originVillage: '大坪村',
		movedInOn: '2019-06-18',
		tags: ['lifted_out'],
		members: [
			member({ name: `${surname}大山`, relation: '户主' }),
			member({
				name: '刘小花',
				relation: '配偶',
				gender: 'female',
				birthDate: '1982-02-03',
				phone: undefined,
				employment: '公益性岗位',
				publicPost: '保洁'
			}),
			member({
				name: `${surname}小明`,
				relation: '子',
				birthDate: '2010-09-01',
				phone: undefined,
				schooling: '小学',
				laborAbility: '无劳动能力',
				employment: '在校学生'
			})
		],
		...over
	};
}

type Cell = string | number | Date | null;
type Sheet = Record<string, Cell>[];

const headers = ledgerColumns.map((c) => c.header);

/** Rows keyed by header, the way a county fills the template (one per person). */
function sheetRows(households: readonly RegisterHousehold[]): Sheet {
	let seq = 0;
	return households.flatMap((h) => {
		const head = h.members.find((m) => m.relation === '户主') ?? h.members[0];
		return h.members.map((m) => ({
			序号: ++seq,
			楼栋: h.building,
			单元: h.unitNo,
			房号: h.room,
			户主姓名: head.name,
			与户主关系: m.relation,
			姓名: m.name,
			性别: genderLabels[m.gender],
			身份证号码: m.idNumber,
			出生日期: m.birthDate,
			联系电话: m.phone ?? '',
			迁出地乡镇: h.originTownship,
			迁出地村组: h.originVillage,
			入住日期: h.movedInOn,
			文化程度: m.schooling,
			健康状况: m.health,
			残疾等级: m.disabilityLevel ?? '',
			劳动能力: m.laborAbility,
			就业状态: m.employment,
			就业单位: m.employer ?? '',
			工作岗位: m.job ?? '',
			公益性岗位: m.publicPost ?? '',
			培训情况: m.training ?? '',
			户类别: h.tags.map((t) => householdTagLabel[t]).join('、')
		}));
	});
}

/** An .xlsx with the given header row (or none) and rows. */
async function xlsx(
	rows: Sheet,
	options: { headers?: string[]; title?: string; sheets?: string[] } = {}
): Promise<Buffer> {
	const workbook = new ExcelJS.Workbook();
	for (const name of options.sheets ?? []) workbook.addWorksheet(name).addRow(['说明']);
	const sheet = workbook.addWorksheet('Sheet1');
	const cols = options.headers ?? headers;
	if (options.title) sheet.addRow([options.title]);
	if (cols.length) sheet.addRow(cols);
	for (const r of rows) sheet.addRow(cols.map((h) => r[h.trim()] ?? r[h] ?? null));
	return Buffer.from(await workbook.xlsx.writeBuffer());
}

function csvText(rows: Sheet, cols = headers): string {
	const quote = (v: Cell) => {
		const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v ?? '');
		return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
	};
	return [cols, ...rows.map((r) => cols.map((h) => r[h] ?? ''))]
		.map((line) => line.map(quote).join(','))
		.join('\r\n');
}

let gb18030Map: Map<string, number[]> | null = null;

/** GB18030 bytes as Excel on Chinese Windows writes them (Node only decodes, so invert the table). */
function encodeGb18030(text: string): Uint8Array {
	if (!gb18030Map) {
		gb18030Map = new Map();
		const decoder = new TextDecoder('gb18030');
		for (let lead = 0x81; lead <= 0xfe; lead++)
			for (let trail = 0x40; trail <= 0xfe; trail++) {
				if (trail === 0x7f) continue;
				const ch = decoder.decode(Uint8Array.of(lead, trail));
				if (ch.length === 1 && !gb18030Map.has(ch)) gb18030Map.set(ch, [lead, trail]);
			}
	}
	const bytes: number[] = [];
	for (const ch of text) {
		const code = ch.codePointAt(0)!;
		if (code < 0x80) bytes.push(code);
		else {
			const pair = gb18030Map.get(ch);
			if (!pair) throw new Error(`no GB18030 code for ${ch}`);
			bytes.push(...pair);
		}
	}
	return Uint8Array.from(bytes);
}

/** A whole workbook read back with exceljs (its typings want an ArrayBuffer). */
async function readWorkbook(file: Buffer): Promise<ExcelJS.Workbook> {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(new Uint8Array(file).buffer);
	return workbook;
}

/** A ZIP with the entries stored (not compressed) in the given order. */
function zip(entries: [name: string, content: string][]): Buffer {
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const [name, content] of entries) {
		const nameBytes = Buffer.from(name);
		const data = Buffer.from(content);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4);
		local.writeUInt16LE(0x0800, 6); // UTF-8 names
		local.writeUInt16LE(0x21, 12); // 1980-01-01
		local.writeUInt32LE(crc32(data), 14);
		local.writeUInt32LE(data.length, 18);
		local.writeUInt32LE(data.length, 22);
		local.writeUInt16LE(nameBytes.length, 26);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(20, 4);
		central.writeUInt16LE(20, 6);
		central.writeUInt16LE(0x0800, 8);
		central.writeUInt16LE(0x21, 14);
		central.writeUInt32LE(crc32(data), 16);
		central.writeUInt32LE(data.length, 20);
		central.writeUInt32LE(data.length, 24);
		central.writeUInt16LE(nameBytes.length, 28);
		central.writeUInt32LE(offset, 42);
		locals.push(local, nameBytes, data);
		centrals.push(central, nameBytes);
		offset += local.length + nameBytes.length + data.length;
	}
	const directory = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, directory, end]);
}

/** A hand-made .xlsx, its parts in the given order: rows of shared strings, numbers as numbers. */
function handMadeXlsx(rows: Cell[][], order: string[], date1904 = false): Buffer {
	const ns = 'http://schemas.openxmlformats.org';
	const strings: string[] = [];
	const escape = (v: string) =>
		v.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
	const sheetData = rows
		.map((cells, r) => {
			const xml = cells.map((v, c) => {
				const ref = `${String.fromCharCode(65 + c)}${r + 1}`; // A–X: the 24 columns
				if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
				if (v === null || v === '') return '';
				strings.push(String(v));
				return `<c r="${ref}" t="s"><v>${strings.length - 1}</v></c>`;
			});
			return `<row r="${r + 1}">${xml.join('')}</row>`;
		})
		.join('');
	const parts: Record<string, string> = {
		'[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
		'_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${ns}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><workbookPr${date1904 ? ' date1904="1"' : ''}/><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData>${sheetData}</sheetData></worksheet>`,
		'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${ns}/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">${strings.map((t) => `<si><t>${escape(t)}</t></si>`).join('')}</sst>`
	};
	return zip(order.map((name) => [name, parts[name]]));
}

/** Parse output without row numbers and head names, to compare with what went in. */
function plain(households: readonly LedgerHousehold[]): RegisterHousehold[] {
	return households.map(({ headName: _headName, members, ...h }) => ({
		...h,
		members: members.map(({ row: _row, ...m }) => m)
	}));
}

function messagesAt(result: LedgerParseResult, row: number) {
	return result.errors.filter((e) => e.row === row).map((e) => e.message);
}

// ---------------------------------------------------------------------------

describe('template', () => {
	it('parses back to its two example households without errors', async () => {
		const result = await parseLedger(await buildTemplate(), '搬迁户台账模板.xlsx');
		expect(result.fileError).toBeNull();
		expect(result.errors).toEqual([]);
		expect(result.counts).toEqual({
			rows: 5,
			households: 2,
			householdsRejected: 0,
			rowsWithErrors: 0
		});
		expect(plain(result.households)).toEqual(templateExamples());
		expect(result.households.map((h) => h.headName)).toEqual(['王德明', '李桂花']);
		expect(result.households[0].members.map((m) => m.row)).toEqual([2, 3, 4, 5]);
	});

	it('has the columns in order, a 填写说明 sheet and drop-downs', async () => {
		const workbook = await readWorkbook(await buildTemplate());
		const [data, guide] = workbook.worksheets;
		expect(data.name).toBe('搬迁户台账');
		expect((data.getRow(1).values as unknown[]).slice(1)).toEqual(headers);
		expect(guide.name).toBe('填写说明');
		const guideText = guide
			.getSheetValues()
			.flat()
			.filter((v) => typeof v === 'string')
			.join('\n');
		for (const c of ledgerColumns) expect(guideText).toContain(c.header);
		expect(guideText).toContain('文盲或半文盲');
		const relation = data.getCell(2 + 100, headers.indexOf('与户主关系') + 1).dataValidation;
		expect(relation).toMatchObject({ type: 'list' });
		expect(relation.formulae[0]).toContain('户主,配偶');
		expect(data.getCell(50, headers.indexOf('身份证号码') + 1).dataValidation).toMatchObject({
			type: 'textLength',
			formulae: [18]
		});
	});

	it('gives each column an example taken from the first example row', async () => {
		const [first] = (await parseLedger(await buildTemplate(), 't.xlsx')).households;
		const head = first.members[0];
		const byKey = Object.fromEntries(ledgerColumns.map((c) => [c.key, c.example]));
		expect(byKey.idNumber).toBe(head.idNumber);
		expect(byKey.name).toBe(head.name);
		expect(byKey.birthDate).toBe(head.birthDate);
		expect(byKey.movedInOn).toBe(first.movedInOn);
		expect(byKey.room).toBe(first.room);
	});
});

describe('export', () => {
	const register = [
		household('101'),
		household('102', {
			unitNo: '',
			tags: ['monitored', 'subsistence', 'disabled'],
			members: [
				member({
					name: '孙老汉',
					birthDate: '1950-01-31',
					health: '残疾',
					disabilityLevel: 3,
					laborAbility: '无劳动能力',
					employment: '退休或无需就业',
					phone: undefined,
					training: '无'
				})
			]
		}),
		household('201', {
			tags: [],
			members: [
				member({
					name: '钱多多',
					idNumber: makeIdNumber('110105', '1949-12-31', 2, 'female'),
					birthDate: '1949-12-31',
					gender: 'female',
					employer: '县城"好味"餐馆, 后厨',
					job: '帮厨'
				})
			]
		})
	];

	it('parses back to the same households when revealed', async () => {
		const result = await parseLedger(await buildExport(register, { reveal: true }), 'export.xlsx');
		expect(result.errors).toEqual([]);
		expect(plain(result.households)).toEqual(register);
		expect(result.households[2].members[0].idNumber).toMatch(/X$/);
	});

	it('masks ID numbers and phones unless revealed, and keeps the ID column as text', async () => {
		const workbook = await readWorkbook(await buildExport(register, { reveal: false }));
		const sheet = workbook.worksheets[0];
		const id = sheet.getCell(2, headers.indexOf('身份证号码') + 1);
		expect(id.value).toBe('3607**********' + register[0].members[0].idNumber.slice(-4));
		expect(id.type).toBe(ExcelJS.ValueType.String);
		expect(id.numFmt).toBe('@');
		expect(sheet.getCell(2, headers.indexOf('联系电话') + 1).value).toBe('138****1234');
		expect(sheet.getCell(3, headers.indexOf('联系电话') + 1).value).toBeFalsy();
		expect(sheet.getCell(2, headers.indexOf('户类别') + 1).value).toBe('脱贫户');
	});
});

describe('parseLedger: bad rows', () => {
	it('reports a wrong checksum on its row and rejects the whole household', async () => {
		const rows = sheetRows([household('101'), household('102')]);
		const id = rows[1]['身份证号码'] as string;
		rows[1]['身份证号码'] = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(result.fileError).toBeNull();
		expect(result.errors).toEqual([
			{ row: 2, message: '同户其他成员有错误' },
			{ row: 3, column: '身份证号码', message: '身份证号校验位不正确' },
			{ row: 4, message: '同户其他成员有错误' }
		]);
		expect(result.households.map((h) => h.room)).toEqual(['102']);
		expect(result.counts).toEqual({
			rows: 6,
			households: 1,
			householdsRejected: 1,
			rowsWithErrors: 3
		});
	});

	it('tells a malformed ID from a wrong check digit', async () => {
		const rows = sheetRows([household('101')]);
		rows[0]['身份证号码'] = '36073119800506';
		// a right check digit on an impossible date (month 13)
		rows[1]['身份证号码'] = withCheck('36073119801345123');
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(messagesAt(result, 2)).toEqual(['身份证号格式不正确']);
		expect(messagesAt(result, 3)).toEqual(['身份证号格式不正确']);
	});

	it('reports a household without a head on each of its rows', async () => {
		const rows = sheetRows([household('101'), household('102')]);
		rows[0]['与户主关系'] = '其他';
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(result.errors.filter((e) => e.row <= 4)).toEqual(
			[2, 3, 4].map((row) => ({ row, column: '与户主关系', message: '该户缺少户主' }))
		);
		expect(result.households).toHaveLength(1);
	});

	it('reports two heads in one household', async () => {
		const rows = sheetRows([household('101')]);
		rows[2]['与户主关系'] = '户主';
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(result.errors).toEqual([
			{ row: 2, column: '与户主关系', message: '该户有多个户主' },
			{ row: 3, message: '同户其他成员有错误' },
			{ row: 4, column: '与户主关系', message: '该户有多个户主' }
		]);
		expect(result.households).toEqual([]);
	});

	it('requires 户主姓名 to be the head’s own name', async () => {
		const rows = sheetRows([household('101')]);
		for (const r of rows) r['户主姓名'] = '李大三';
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(result.errors[0]).toEqual({
			row: 2,
			column: '户主姓名',
			message: '户主姓名“李大三”与户主本人的姓名“吴大山”不一致'
		});
	});

	it('reports an ID number given twice, naming the first row', async () => {
		const a = household('101');
		const b = household('102');
		b.members = [b.members[0], { ...b.members[1], ...a.members[1] }, b.members[2]];
		const result = await parseLedger(await xlsx(sheetRows([a, b])), 'dup.xlsx');
		expect(result.errors).toContainEqual({
			row: 6,
			column: '身份证号码',
			message: '身份证号与第 3 行重复'
		});
		expect(result.households.map((h) => h.room)).toEqual(['101']);
	});

	it('checks birth date and gender against the ID number', async () => {
		const rows = sheetRows([household('101')]);
		rows[0]['出生日期'] = '1980-05-07';
		rows[1]['性别'] = '男';
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(result.errors).toEqual([
			{ row: 2, column: '出生日期', message: '出生日期与身份证号不一致' },
			{ row: 3, column: '性别', message: '性别与身份证号不一致' },
			{ row: 4, message: '同户其他成员有错误' }
		]);
	});

	it('rejects a bad phone, an unknown value and an unknown tag with Chinese messages', async () => {
		const rows = sheetRows([household('101')]);
		rows[0]['联系电话'] = '1380000123';
		rows[0]['户类别'] = '脱贫户、五保户';
		rows[1]['文化程度'] = '硕士';
		rows[2]['残疾等级'] = 5;
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(result.errors).toEqual([
			{ row: 2, column: '联系电话', message: '手机号码格式不正确' },
			{
				row: 2,
				column: '户类别',
				message:
					'户类别“五保户”不在可选范围内，可填：脱贫户、监测户、低保、特困、低保边缘、独居老人、留守儿童、残疾'
			},
			{
				row: 3,
				column: '文化程度',
				message: '文化程度应为：学龄前、小学、初中、高中/中专、大专及以上、文盲或半文盲'
			},
			{ row: 4, column: '残疾等级', message: '残疾等级应为 1–4 级' }
		]);
	});

	it('reports missing required cells and household fields that differ from the head’s row', async () => {
		const rows = sheetRows([household('101')]);
		rows[0]['入住日期'] = '';
		rows[0]['姓名'] = '';
		rows[1]['迁出地乡镇'] = '银坑镇';
		rows[2]['户类别'] = '';
		rows[2]['迁出地村组'] = '';
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(result.errors).toEqual([
			{ row: 2, column: '姓名', message: '请填写姓名' },
			{ row: 2, column: '入住日期', message: '请填写入住日期' },
			{ row: 3, column: '迁出地乡镇', message: '迁出地乡镇与户主所在行不一致' },
			{ row: 4, message: '同户其他成员有错误' }
		]);
	});

	it('says an ID that Excel turned into a number must be re-entered as text', async () => {
		const rows = sheetRows([household('101')]);
		rows[0]['身份证号码'] = 360731198005060000;
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(result.errors[0]).toEqual({ row: 2, column: '身份证号码', message: idAsNumberMessage });
		expect(messagesAt(result, 2)).toEqual([idAsNumberMessage]);

		const csvRows = sheetRows([household('101')]);
		csvRows[1]['身份证号码'] = '3.60731E+17';
		csvRows[2]['身份证号码'] = `="${csvRows[2]['身份证号码']}"`;
		const fromCsv = await parseLedger(Buffer.from(csvText(csvRows)), 'bad.csv');
		expect(messagesAt(fromCsv, 3)).toEqual([idAsNumberMessage]);
		expect(messagesAt(fromCsv, 4)).toEqual(['同户其他成员有错误']);
	});

	it('rejects two households at one address with different head names', async () => {
		const rows = sheetRows([household('101')]);
		rows[2]['户主姓名'] = '孙大川';
		const result = await parseLedger(await xlsx(rows), 'bad.xlsx');
		expect(messagesAt(result, 4)).toEqual([
			'同一房号（1栋1单元101）下有不同的户主姓名：吴大山、孙大川，请核对',
			'该户缺少户主'
		]);
		expect(result.households).toEqual([]);
	});

	it('gives the same result when the same file is parsed again', async () => {
		const rows = sheetRows([household('101'), household('102')]);
		rows[3]['联系电话'] = '12345';
		const file = await xlsx(rows);
		expect(await parseLedger(file, 'a.xlsx')).toEqual(await parseLedger(file, 'a.xlsx'));
	});
});

describe('parseLedger: the file as a whole', () => {
	it('says an empty sheet has no data', async () => {
		const empty = await xlsx([], { headers: [] });
		expect((await parseLedger(empty, 'empty.xlsx')).fileError).toBe('表格中没有数据');
		const headerOnly = await xlsx([]);
		expect((await parseLedger(headerOnly, 'empty.xlsx')).fileError).toBe('表格中没有数据');
		expect((await parseLedger(Buffer.from(''), 'empty.csv')).fileError).toBe('表格中没有数据');
	});

	it('rejects a non-Excel file renamed .xlsx, by its content not its name', async () => {
		const text = await parseLedger(Buffer.from('姓名,身份证号\n张三,1'), 'ledger.xlsx');
		expect(text).toMatchObject({ fileError: invalidFileMessage, errors: [], households: [] });
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
		expect((await parseLedger(png, 'ledger.csv')).fileError).toBe(invalidFileMessage);
		const brokenZip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]);
		expect((await parseLedger(brokenZip, 'ledger.xlsx')).fileError).toBe(invalidFileMessage);
		const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
		expect((await parseLedger(xls, 'ledger.xls')).fileError).toContain('另存为 .xlsx');
		// an .xlsx named .csv is still read as .xlsx
		const real = await xlsx(sheetRows([household('101')]));
		expect((await parseLedger(real, 'ledger.csv')).households).toHaveLength(1);
	});

	it('reads a workbook whatever the order of its parts, and 1904-based dates', async () => {
		const input = household('101');
		const rows = sheetRows([input]);
		const table = (values: Sheet) => [headers, ...values.map((r) => headers.map((h) => r[h]))];
		const sheetFirst = [
			'[Content_Types].xml',
			'_rels/.rels',
			'xl/_rels/workbook.xml.rels',
			'xl/sharedStrings.xml',
			'xl/worksheets/sheet1.xml',
			'xl/workbook.xml'
		];
		const result = await parseLedger(handMadeXlsx(table(rows), sheetFirst), 'order.xlsx');
		expect(result.errors).toEqual([]);
		expect(plain(result.households)).toEqual([input]);

		// 2019-06-18 counted from 1904-01-01
		for (const r of rows) r['入住日期'] = 43634 - 1462;
		const workbookFirst = [...sheetFirst.slice(0, 2), 'xl/workbook.xml', ...sheetFirst.slice(2, 5)];
		const in1904 = await parseLedger(handMadeXlsx(table(rows), workbookFirst, true), 'mac.xlsx');
		expect(plain(in1904.households)).toEqual([input]);
	});

	it('rejects a ZIP that is not a workbook', async () => {
		const docx = zip([['word/document.xml', '<w:document/>']]);
		expect((await parseLedger(docx, 'ledger.xlsx')).fileError).toBe(invalidFileMessage);
	});

	it('names a missing required column', async () => {
		const cols = headers.filter((h) => h !== '身份证号码' && h !== '房号');
		const result = await parseLedger(
			await xlsx(sheetRows([household('101')]), { headers: cols }),
			'x.xlsx'
		);
		expect(result.fileError).toBe('缺少必填列：房号、身份证号码');
	});

	it('matches headers by name: reordered, spaced, synonyms, extra columns, a title row', async () => {
		const renamed: Record<string, string> = {
			身份证号码: ' 身份证号 ',
			楼栋: '楼 栋',
			联系电话: '手机号码*'
		};
		const cols = [...headers].reverse().map((h) => renamed[h] ?? h);
		cols.splice(3, 0, '备注');
		const input = [household('101'), household('102')];
		const rows = sheetRows(input).map((r) => ({
			...r,
			' 身份证号 ': r['身份证号码'],
			'楼 栋': r['楼栋'],
			'手机号码*': r['联系电话'],
			备注: '核实'
		}));
		const result = await parseLedger(
			await xlsx(rows, {
				headers: cols,
				title: 'XX安置点搬迁户台账（2024年）',
				sheets: ['填写说明']
			}),
			'reordered.xlsx'
		);
		expect(result.errors).toEqual([]);
		expect(plain(result.households)).toEqual(input);
		expect(result.households[0].members[0].row).toBe(3);
	});

	it('normalises Excel dates, serial numbers and written dates to YYYY-MM-DD', async () => {
		const input = household('101');
		const rows = sheetRows([input]);
		rows[0]['出生日期'] = new Date(Date.UTC(1980, 4, 6));
		rows[0]['入住日期'] = 43634; // 2019-06-18 as Excel counts days
		rows[1]['出生日期'] = '1982/2/3';
		rows[1]['入住日期'] = '2019年6月18日';
		rows[2]['出生日期'] = '20100901';
		rows[2]['入住日期'] = 20190618;
		const result = await parseLedger(await xlsx(rows), 'dates.xlsx');
		expect(result.errors).toEqual([]);
		expect(plain(result.households)).toEqual([input]);

		rows[2]['出生日期'] = '2010-13-01';
		const bad = await parseLedger(await xlsx(rows), 'dates.xlsx');
		expect(messagesAt(bad, 4)).toEqual(['出生日期格式不正确，应为 YYYY-MM-DD']);
	});

	it('reads rows left blank under merged 楼栋/房号/户主姓名 cells as the household above', async () => {
		const input = household('101');
		const rows = sheetRows([input]);
		for (const r of rows.slice(1))
			for (const h of ['楼栋', '单元', '房号', '户主姓名']) r[h] = null;
		const result = await parseLedger(await xlsx(rows), 'merged.xlsx');
		expect(result.errors).toEqual([]);
		expect(plain(result.households)).toEqual([input]);
	});

	it('accepts common variants of values (本人, 妻子, 高中, 1级, full-width digits)', async () => {
		const input = household('101');
		const rows = sheetRows([input]);
		rows[0]['与户主关系'] = '本人';
		rows[1]['与户主关系'] = '妻子';
		rows[1]['残疾等级'] = '二级';
		rows[2]['房号'] = '１０１';
		rows[2]['文化程度'] = ' 小学 ';
		const result = await parseLedger(await xlsx(rows), 'variants.xlsx');
		expect(result.errors).toEqual([]);
		expect(result.households[0].members[1]).toMatchObject({ relation: '配偶', disabilityLevel: 2 });
	});

	it('parses a UTF-8 CSV with BOM, with quoted commas and line breaks', async () => {
		const input = household('101');
		input.members[0].employer = '于都县"好帮手"家政, 有限公司';
		input.members[0].training = '第一期\r\n第二期';
		const file = Buffer.concat([
			Buffer.from([0xef, 0xbb, 0xbf]),
			Buffer.from(csvText(sheetRows([input])))
		]);
		const result = await parseLedger(file, 'ledger.csv');
		expect(result.format).toBe('csv');
		expect(result.errors).toEqual([]);
		expect(plain(result.households)).toEqual([input]);
	});

	it('parses a GBK (GB18030) CSV as Excel on Chinese Windows saves it', async () => {
		const input = [household('101'), household('102')];
		const bytes = encodeGb18030(csvText(sheetRows(input)) + '\r\n');
		expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
		const result = await parseLedger(bytes, '台账.csv');
		expect(result.errors).toEqual([]);
		expect(plain(result.households)).toEqual(input);
	});

	it('refuses more rows than the limit as a whole', async () => {
		const file = await xlsx(sheetRows([household('101'), household('102')]));
		const result = await parseLedger(file, 'big.xlsx', { maxRows: 5 });
		expect(result.fileError).toBe('数据超过 5 行，请拆分成每个不超过 5 行的文件分批导入');
		expect(result.households).toEqual([]);
	});
});

describe('parseLedger: the same file, the same answer', () => {
	it('reads a small workbook alike three hundred times (exceljs’s streaming reader now and then saw no rows)', async () => {
		const answers = new Set<string>();
		for (let i = 0; i < 300; i++) {
			const workbook = new ExcelJS.Workbook();
			const sheet = workbook.addWorksheet('Sheet1');
			sheet.addRow(['楼栋', '房号', '户主姓名', '姓名', '身份证号码']);
			sheet.addRow([
				'3栋',
				'502',
				'王德明',
				'王德明',
				makeIdNumber('360781', '1970-01-01', 1, 'male')
			]);
			const result = await parseLedger(Buffer.from(await workbook.xlsx.writeBuffer()), '台账.xlsx');
			answers.add(String(result.fileError));
		}
		expect([...answers]).toHaveLength(1);
		expect([...answers][0]).toMatch(/^缺少必填列：与户主关系/);
		// three hundred workbooks take a second alone, far longer on a busy machine
	}, 120_000);
});

describe('memberSchema', () => {
	it('accepts a valid member and trims its text', () => {
		const m = member({ name: ' 张三 ', employer: '  ' });
		expect(memberSchema.parse(m)).toMatchObject({ name: '张三', employer: '' });
	});

	it('gives Chinese messages for each field', () => {
		const result = memberSchema.safeParse({
			...member(),
			name: '',
			relation: '表哥',
			phone: '123',
			publicPost: '门卫'
		});
		expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
			['name', '请填写姓名'],
			[
				'relation',
				'与户主关系应为：户主、配偶、子、女、父亲、母亲、孙子、孙女、儿媳、女婿、兄弟姐妹、其他'
			],
			['phone', '手机号码格式不正确'],
			['publicPost', '公益性岗位应为：保安、保洁、保绿、其他，或不填']
		]);
	});
});

describe('isZeroEmployment', () => {
	const at = new Date(2024, 5, 1);
	const worker = {
		birthDate: '1980-01-01',
		laborAbility: '普通劳动力',
		employment: '未就业'
	} as const;

	it('is true when someone can work and nobody is employed', () => {
		expect(isZeroEmployment([worker], at)).toBe(true);
		expect(isZeroEmployment([{ ...worker, laborAbility: '弱劳动力' }], at)).toBe(true);
		expect(
			isZeroEmployment(
				[worker, { ...worker, laborAbility: '无劳动能力', employment: '未就业' }],
				at
			)
		).toBe(true);
	});

	it.each(['务工', '公益性岗位', '自主创业', '灵活就业'] as const)(
		'is false when one member is in %s',
		(employment) => {
			const child = { birthDate: '2015-01-01', laborAbility: '无劳动能力', employment } as const;
			expect(isZeroEmployment([worker, { ...child, birthDate: '1985-01-01' }], at)).toBe(false);
		}
	);

	it('is false without labour: too young, too old, unable, at school or retired', () => {
		expect(isZeroEmployment([], at)).toBe(false);
		expect(isZeroEmployment([{ ...worker, laborAbility: '无劳动能力' }], at)).toBe(false);
		expect(isZeroEmployment([{ ...worker, birthDate: '2008-06-02' }], at)).toBe(false); // 15
		expect(isZeroEmployment([{ ...worker, birthDate: '1964-06-01' }], at)).toBe(false); // 60
		expect(isZeroEmployment([{ ...worker, employment: '在校学生' }], at)).toBe(false);
		expect(isZeroEmployment([{ ...worker, employment: '退休或无需就业' }], at)).toBe(false);
	});

	it('counts ages 16 and 59 as working age, by the given date', () => {
		expect(isZeroEmployment([{ ...worker, birthDate: '2008-06-01' }], at)).toBe(true); // 16 today
		expect(isZeroEmployment([{ ...worker, birthDate: '1964-06-02' }], at)).toBe(true); // 59
	});
});

describe('a large ledger', () => {
	it('parses 10,000 households (~40,000 rows) in one pass', { timeout: 120_000 }, async () => {
		const sizes = [4, 3, 5, 2, 6, 4, 4];
		let person = 0;
		const register: RegisterHousehold[] = [];
		for (let i = 0; i < 10_000; i++) {
			const members: Member[] = [];
			for (let k = 0; k < sizes[i % sizes.length]; k++, person++) {
				// unique (birth date, sequence) for up to 45,000 people
				const birthDate = new Date(Date.UTC(1950, 0, 1) + (person % 15_000) * 86_400_000)
					.toISOString()
					.slice(0, 10);
				const gender = person % 2 ? 'male' : 'female';
				members.push({
					name: `成员${person}`,
					relation: k === 0 ? '户主' : '其他',
					gender,
					birthDate,
					idNumber: makeIdNumber(
						'360731',
						birthDate,
						Math.floor(person / 15_000) * 2 + (gender === 'male' ? 1 : 0),
						gender
					),
					phone: `139${String(person).padStart(8, '0')}`,
					schooling: '初中',
					health: '健康',
					laborAbility: '普通劳动力',
					employment: '务工',
					employer: '某工厂'
				});
			}
			register.push({
				building: `${1 + Math.floor(i / 120)}栋`,
				unitNo: `${1 + (Math.floor(i / 40) % 3)}单元`,
				room: `${1 + Math.floor((i % 40) / 4)}0${1 + (i % 4)}`,
				originTownship: '禾丰镇',
				originVillage: '大坪村',
				movedInOn: '2019-06-18',
				tags: i % 3 ? ['lifted_out'] : ['monitored', 'subsistence'],
				members
			});
		}
		const file = await buildExport(register, { reveal: true });
		register.length = 0; // only the file stays

		globalThis.gc?.();
		const before = process.memoryUsage();
		let peakHeap = before.heapUsed;
		let peakRss = before.rss;
		const sampler = setInterval(() => {
			const now = process.memoryUsage();
			peakHeap = Math.max(peakHeap, now.heapUsed);
			peakRss = Math.max(peakRss, now.rss);
		}, 20);
		const started = performance.now();
		const cpu = process.cpuUsage();
		const result = await parseLedger(file, 'big.xlsx', { maxRows: 50_000 });
		const ms = performance.now() - started;
		const { user, system } = process.cpuUsage(cpu);
		clearInterval(sampler);
		const mb = (n: number) => (n / 1024 / 1024).toFixed(0) + ' MB';
		console.info(
			`ledger: ${result.counts.rows} rows, ${result.counts.households} households ` +
				`from ${mb(file.length)} .xlsx in ${(ms / 1000).toFixed(2)} s ` +
				`(CPU ${((user + system) / 1e6).toFixed(2)} s); ` +
				`heap ${mb(before.heapUsed)} → peak ${mb(peakHeap)}, rss peak ${mb(peakRss)}`
		);
		expect(result.fileError).toBeNull();
		expect(result.errors).toEqual([]);
		expect(result.counts.households).toBe(10_000);
		expect(result.counts.rows).toBe(person);

		// the default limit stops the same file early, as a whole
		const limited = await parseLedger(file, 'big.xlsx');
		expect(limited.fileError).toContain('数据超过 20000 行');
	});
});
