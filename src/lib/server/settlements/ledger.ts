// 搬迁户台账: the county Excel ledger of households and members — template, parse, export.
// Pure and database-free: the import command validates with parseLedger, then writes in one transaction.
import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { makeIdNumber } from '$lib/id-number';
import { maskIdNumber, maskPhone } from '$lib/mask';
import {
	disabilityLevels,
	employmentStatuses,
	genderLabels,
	headRelation,
	healthStatuses,
	householdSchema,
	householdTagIds,
	householdTagLabel,
	householdTagLabels,
	laborAbilities,
	memberSchema,
	publicPosts,
	relations,
	schoolings,
	type Household,
	type HouseholdTag,
	type HouseholdTagLabel,
	type Member
} from '$lib/schemas/household';

export interface LedgerColumn {
	key: string;
	/** the header in the template and the exports */
	header: string;
	example: string;
	required: boolean;
	/** a household field, repeated on each member's row */
	household: boolean;
	width: number;
	/** what to write, for 填写说明 */
	note: string;
	/** the allowed values, offered as a drop-down */
	values?: readonly (string | number)[];
}

const tagSeparators = /[、,，;；/\s]+/;

/** The template's columns, in order: one row per person. */
export const ledgerColumns = [
	{
		key: 'seq',
		header: '序号',
		example: '1',
		required: false,
		household: false,
		width: 6,
		note: '可不填，导入时忽略'
	},
	{
		key: 'building',
		header: '楼栋',
		example: '3栋',
		required: true,
		household: true,
		width: 8,
		note: '同一户每行都要填写，如 3栋'
	},
	{
		key: 'unitNo',
		header: '单元',
		example: '1单元',
		required: false,
		household: true,
		width: 8,
		note: '没有单元的楼栋可不填'
	},
	{
		key: 'room',
		header: '房号',
		example: '502',
		required: true,
		household: true,
		width: 8,
		note: '如 502'
	},
	{
		key: 'headName',
		header: '户主姓名',
		example: '王德明',
		required: true,
		household: true,
		width: 10,
		note: '同一户每行都填户主的姓名；楼栋、单元、房号、户主姓名相同的行为同一户'
	},
	{
		key: 'relation',
		header: '与户主关系',
		example: '户主',
		required: true,
		household: false,
		width: 11,
		note: '每户有且只有一行填“户主”',
		values: relations
	},
	{
		key: 'name',
		header: '姓名',
		example: '王德明',
		required: true,
		household: false,
		width: 10,
		note: '本人姓名'
	},
	{
		key: 'gender',
		header: '性别',
		example: '男',
		required: true,
		household: false,
		width: 6,
		note: '须与身份证号一致',
		values: ['男', '女']
	},
	{
		key: 'idNumber',
		header: '身份证号码',
		example: '360731196803120017',
		required: true,
		household: false,
		width: 21,
		note: '18 位，末位可为 X；本列须设为文本格式，否则 Excel 会丢掉后几位'
	},
	{
		key: 'birthDate',
		header: '出生日期',
		example: '1968-03-12',
		required: true,
		household: false,
		width: 12,
		note: '须与身份证号一致；可写 1968-03-12、1968/3/12、1968年3月12日 或 19680312'
	},
	{
		key: 'phone',
		header: '联系电话',
		example: '13907971234',
		required: false,
		household: false,
		width: 13,
		note: '11 位手机号码，可不填'
	},
	{
		key: 'originTownship',
		header: '迁出地乡镇',
		example: '禾丰镇',
		required: true,
		household: true,
		width: 12,
		note: '户主所在行必填，其他成员行可不填'
	},
	{
		key: 'originVillage',
		header: '迁出地村组',
		example: '大坪村下屋组',
		required: true,
		household: true,
		width: 14,
		note: '户主所在行必填，其他成员行可不填'
	},
	{
		key: 'movedInOn',
		header: '入住日期',
		example: '2019-06-18',
		required: true,
		household: true,
		width: 12,
		note: '户主所在行必填，日期写法同出生日期'
	},
	{
		key: 'schooling',
		header: '文化程度',
		example: '初中',
		required: true,
		household: false,
		width: 12,
		note: '从下拉列表选择',
		values: schoolings
	},
	{
		key: 'health',
		header: '健康状况',
		example: '健康',
		required: true,
		household: false,
		width: 11,
		note: '从下拉列表选择',
		values: healthStatuses
	},
	{
		key: 'disabilityLevel',
		header: '残疾等级',
		example: '2',
		required: false,
		household: false,
		width: 9,
		note: '持残疾证的填 1–4（一级最重），否则不填',
		values: disabilityLevels
	},
	{
		key: 'laborAbility',
		header: '劳动能力',
		example: '普通劳动力',
		required: true,
		household: false,
		width: 12,
		note: '从下拉列表选择',
		values: laborAbilities
	},
	{
		key: 'employment',
		header: '就业状态',
		example: '务工',
		required: true,
		household: false,
		width: 12,
		note: '从下拉列表选择',
		values: employmentStatuses
	},
	{
		key: 'employer',
		header: '就业单位',
		example: '于都县某服装厂',
		required: false,
		household: false,
		width: 18,
		note: '可不填'
	},
	{
		key: 'job',
		header: '工作岗位',
		example: '缝纫工',
		required: false,
		household: false,
		width: 12,
		note: '可不填'
	},
	{
		key: 'publicPost',
		header: '公益性岗位',
		example: '保洁',
		required: false,
		household: false,
		width: 11,
		note: '在公益性岗位就业的填写，否则不填',
		values: publicPosts
	},
	{
		key: 'training',
		header: '培训情况',
		example: '2023年缝纫工培训',
		required: false,
		household: false,
		width: 18,
		note: '参加过的技能培训，可不填'
	},
	{
		key: 'tags',
		header: '户类别',
		example: '脱贫户、低保',
		required: false,
		household: true,
		width: 16,
		note: '可填多个，用顿号“、”或逗号分隔；户主所在行填写',
		values: householdTagLabels
	}
] as const satisfies readonly LedgerColumn[];

export type LedgerKey = (typeof ledgerColumns)[number]['key'];

const columnByKey = new Map<LedgerKey, LedgerColumn & { key: LedgerKey }>(
	ledgerColumns.map((c) => [c.key, c])
);
const columnIndex = new Map<LedgerKey, number>(ledgerColumns.map((c, i) => [c.key, i]));
const headerOf = (key: LedgerKey) => columnByKey.get(key)!.header;

// header names counties use besides ours, after normalising (no spaces, no brackets, no *)
const headerAliases: Record<string, LedgerKey> = {
	编号: 'seq',
	楼栋号: 'building',
	栋号: 'building',
	楼号: 'building',
	单元号: 'unitNo',
	房间号: 'room',
	门牌号: 'room',
	户主: 'headName',
	关系: 'relation',
	成员姓名: 'name',
	身份证号: 'idNumber',
	身份证: 'idNumber',
	公民身份号码: 'idNumber',
	出生年月日: 'birthDate',
	出生年月: 'birthDate',
	手机号码: 'phone',
	手机号: 'phone',
	电话: 'phone',
	迁出乡镇: 'originTownship',
	迁出地村: 'originVillage',
	迁出村组: 'originVillage',
	入住时间: 'movedInOn',
	学历: 'schooling',
	就业情况: 'employment',
	务工单位: 'employer',
	岗位: 'job',
	户类型: 'tags',
	户属性: 'tags'
};
for (const c of ledgerColumns) headerAliases[c.header] = c.key;

function normaliseHeader(value: string): string {
	return value
		.replace(/[(（[【].*?[)）\]】]/g, '')
		.replace(/[\s*＊]/g, '')
		.trim();
}

// values written the way people write them → the vocabulary
const valueAliases: Partial<Record<LedgerKey, Record<string, string>>> = {
	relation: {
		本人: '户主',
		妻子: '配偶',
		妻: '配偶',
		丈夫: '配偶',
		夫: '配偶',
		儿子: '子',
		长子: '子',
		次子: '子',
		女儿: '女',
		长女: '女',
		次女: '女',
		父: '父亲',
		母: '母亲'
	},
	schooling: {
		学前: '学龄前',
		高中: '高中/中专',
		中专: '高中/中专',
		职高: '高中/中专',
		大专: '大专及以上',
		本科: '大专及以上',
		研究生: '大专及以上',
		文盲: '文盲或半文盲',
		半文盲: '文盲或半文盲'
	},
	laborAbility: { 无劳动力: '无劳动能力' },
	employment: { 学生: '在校学生', 退休: '退休或无需就业', 无需就业: '退休或无需就业' }
};

export interface LedgerError {
	/** the spreadsheet's row number */
	row: number;
	/** the column's Chinese header */
	column?: string;
	message: string;
}

export type LedgerMember = Member & { row: number };

/** A household that passed every check, with the spreadsheet row of each member. */
export type LedgerHousehold = Household & { headName: string; members: LedgerMember[] };

export interface LedgerParseResult {
	format: 'xlsx' | 'csv' | null;
	/** set when the file as a whole cannot be read; then there are no rows */
	fileError: string | null;
	/** per-row errors, in row order */
	errors: LedgerError[];
	/** only the households without any error */
	households: LedgerHousehold[];
	counts: {
		/** data rows, blank rows not counted */
		rows: number;
		households: number;
		householdsRejected: number;
		rowsWithErrors: number;
	};
}

export interface ParseLedgerOptions {
	/** more data rows than this is a file-level error (default 20,000) */
	maxRows?: number;
}

export const maxLedgerRows = 20_000;
export const invalidFileMessage = '文件不是有效的 Excel（.xlsx）或 CSV 文件';
export const idAsNumberMessage = '身份证号被 Excel 转成了数字，请将该列设为文本格式后重新填写';

type Raw = string | number | Date | boolean | null | undefined;

// ---------------------------------------------------------------------------
// cell values

/** Full-width digits, letters and punctuation → ASCII (for IDs, phones, dates, unit numbers). */
function halfWidth(s: string): string {
	return s.replace(/[\uff01-\uff5e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

function isoFromDate(d: Date): string {
	return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

function ymd(y: number, m: number, d: number): string | null {
	const date = new Date(Date.UTC(y, m - 1, d));
	if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
		return null;
	return isoFromDate(date);
}

/** A date cell as YYYY-MM-DD; what cannot be read comes back as text for the schema to reject. */
function toIsoDate(raw: Raw, date1904: boolean): string {
	if (raw === null || raw === undefined || raw === '') return '';
	if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? '' : isoFromDate(raw);
	if (typeof raw === 'number') {
		if (Number.isInteger(raw) && raw >= 19000101 && raw <= 99991231) {
			const s = String(raw);
			return ymd(+s.slice(0, 4), +s.slice(4, 6), +s.slice(6, 8)) ?? s;
		}
		if (raw >= 1 && raw < 2958466) {
			// Excel serial day: 1 = 1900-01-01, reckoned from 1899-12-30 for the 1900 leap-year bug
			const days = Math.floor(raw) + (date1904 ? 1462 : 0);
			return isoFromDate(new Date(Date.UTC(1899, 11, 30) + days * 86_400_000));
		}
		return String(raw);
	}
	const s = halfWidth(String(raw)).trim();
	let m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$/.exec(s);
	if (m) return ymd(+m[1], +m[2], +m[3]) ?? s;
	m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
	if (m) return ymd(+m[1], +m[2], +m[3]) ?? s;
	return s;
}

function toText(raw: Raw): string {
	if (raw === null || raw === undefined) return '';
	if (raw instanceof Date) return isoFromDate(raw);
	if (typeof raw === 'number') return Number.isInteger(raw) ? raw.toFixed(0) : String(raw);
	if (typeof raw === 'boolean') return raw ? '是' : '否';
	return raw.trim();
}

/** A unit address part: half-width, no spaces, so 3 栋 and ３栋 are the same building. */
function toUnitPart(raw: Raw): string {
	return halfWidth(toText(raw)).replace(/\s+/g, '');
}

type IdCell = { value: string } | { asNumber: true };

function toIdNumber(raw: Raw): IdCell {
	if (typeof raw === 'number') return { asNumber: true };
	// '360731… and ="360731…" are the usual ways of keeping an ID as text
	const s = halfWidth(toText(raw))
		.replace(/^'|^="?|"$/g, '')
		.replace(/\s+/g, '')
		.toUpperCase();
	if (/^\d+(\.\d+)?E\+?\d+$/.test(s)) return { asNumber: true };
	return { value: s };
}

function toPhone(raw: Raw): string | undefined {
	const s = halfWidth(toText(raw))
		.replace(/[\s-]/g, '')
		.replace(/^\+?86(?=1\d{10}$)/, '');
	return s || undefined;
}

function toGender(raw: Raw): string {
	const s = toText(raw);
	if (s === '男' || s === '男性' || s.toLowerCase() === 'male') return 'male';
	if (s === '女' || s === '女性' || s.toLowerCase() === 'female') return 'female';
	return s;
}

function toChoice(key: LedgerKey, raw: Raw): string {
	const s = toText(raw).replace(/\s+/g, '');
	return valueAliases[key]?.[s] ?? s;
}

const chineseLevels: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4 };

function toDisabilityLevel(raw: Raw): number | undefined {
	if (typeof raw === 'number') return raw;
	const s = halfWidth(toText(raw)).replace(/[级\s]/g, '');
	if (!s || s === '无') return undefined;
	if (/^\d+$/.test(s)) return Number(s);
	return chineseLevels[s] ?? Number.NaN;
}

function toTags(raw: Raw): { tags: HouseholdTag[]; unknown: string[] } {
	const tags: HouseholdTag[] = [];
	const unknown: string[] = [];
	for (const part of toText(raw).split(tagSeparators)) {
		if (!part) continue;
		const tag = householdTagIds[part as HouseholdTagLabel];
		if (!tag) unknown.push(part);
		else if (!tags.includes(tag)) tags.push(tag);
	}
	return { tags, unknown };
}

function sameTags(a: readonly HouseholdTag[], b: readonly HouseholdTag[]): boolean {
	return a.length === b.length && a.every((t) => b.includes(t));
}

// ---------------------------------------------------------------------------
// rows → households

interface RowRecord {
	row: number;
	relation: string;
	name: string;
	member: Member | null;
	household: {
		building: string;
		unitNo: string;
		room: string;
		headName: string;
		originTownship: string;
		originVillage: string;
		movedInOn: string;
		tags: HouseholdTag[] | null;
	};
	errors: LedgerError[];
}

interface Group {
	key: string;
	unitKey: string;
	rows: RowRecord[];
}

class FileError extends Error {}

/** Collects rows as they stream past; `finish` groups them into households. */
class LedgerCollector {
	private columns: (LedgerKey | undefined)[] | null = null;
	private readonly groups = new Map<string, Group>();
	private readonly firstRowOfId = new Map<string, number>();
	private previous: RowRecord['household'] | null = null;
	private nonBlankRows = 0;
	rows = 0;

	constructor(
		private readonly maxRows: number,
		private readonly date1904 = false
	) {}

	get hasHeader(): boolean {
		return this.columns !== null;
	}

	get sawAnything(): boolean {
		return this.nonBlankRows > 0;
	}

	/** Feeds one spreadsheet row; cells[i] is column i (0-based). */
	add(row: number, cells: readonly Raw[]): void {
		if (!this.columns) {
			if (cells.some((c) => toText(c) !== '')) {
				this.nonBlankRows++;
				this.tryHeader(cells);
			}
			return;
		}
		const values: Partial<Record<LedgerKey, Raw>> = {};
		let blank = true;
		for (let i = 0; i < this.columns.length; i++) {
			const key = this.columns[i];
			if (!key) continue;
			const v = cells[i];
			values[key] = v;
			if (key !== 'seq' && v !== null && v !== undefined && toText(v) !== '') blank = false;
		}
		if (blank) return;
		if (++this.rows > this.maxRows)
			throw new FileError(
				`数据超过 ${this.maxRows} 行，请拆分成每个不超过 ${this.maxRows} 行的文件分批导入`
			);
		this.addRecord(this.readRow(row, values));
	}

	private tryHeader(cells: readonly Raw[]) {
		// a title row or two above the header is common; the header is the first row naming 3+ columns
		if (this.nonBlankRows > 10) return;
		const keys = cells.map((c) => headerAliases[normaliseHeader(toText(c))]);
		if (keys.filter(Boolean).length < 3) return;
		const seen = new Set<LedgerKey>();
		for (const key of keys) {
			if (!key) continue;
			if (seen.has(key)) throw new FileError(`表头中“${headerOf(key)}”列出现了两次`);
			seen.add(key);
		}
		const missing = ledgerColumns.filter((c) => c.required && !seen.has(c.key));
		if (missing.length)
			throw new FileError(`缺少必填列：${missing.map((c) => c.header).join('、')}`);
		this.columns = keys;
	}

	private readRow(row: number, v: Partial<Record<LedgerKey, Raw>>): RowRecord {
		const errors: LedgerError[] = [];
		let household: RowRecord['household'] = {
			building: toUnitPart(v.building),
			unitNo: toUnitPart(v.unitNo),
			room: toUnitPart(v.room),
			headName: toText(v.headName),
			originTownship: toText(v.originTownship),
			originVillage: toText(v.originVillage),
			movedInOn: toIsoDate(v.movedInOn, this.date1904),
			tags: null
		};
		// merged cells: a row without building, room and head name belongs to the household above
		if (!household.building && !household.room && !household.headName && this.previous) {
			const { building, unitNo, room, headName } = this.previous;
			household = { ...household, building, unitNo, room, headName };
		}
		// blank building or room is reported once, on the household's own check
		if (!household.headName)
			errors.push({ row, column: headerOf('headName'), message: '请填写户主姓名' });
		if (toText(v.tags) !== '') {
			const { tags, unknown } = toTags(v.tags);
			household.tags = tags;
			if (unknown.length)
				errors.push({
					row,
					column: headerOf('tags'),
					message: `户类别“${unknown.join('、')}”不在可选范围内，可填：${householdTagLabels.join('、')}`
				});
		}
		this.previous = household;

		const id = toIdNumber(v.idNumber);
		if ('asNumber' in id)
			errors.push({ row, column: headerOf('idNumber'), message: idAsNumberMessage });
		const input = {
			name: toText(v.name),
			relation: toChoice('relation', v.relation),
			idNumber: 'value' in id ? id.value : '',
			gender: toGender(v.gender),
			birthDate: toIsoDate(v.birthDate, this.date1904),
			phone: toPhone(v.phone),
			schooling: toChoice('schooling', v.schooling),
			health: toChoice('health', v.health),
			disabilityLevel: toDisabilityLevel(v.disabilityLevel),
			laborAbility: toChoice('laborAbility', v.laborAbility),
			employment: toChoice('employment', v.employment),
			employer: toText(v.employer) || undefined,
			job: toText(v.job) || undefined,
			publicPost: toChoice('publicPost', v.publicPost) || undefined,
			training: toText(v.training) || undefined
		};
		const parsed = memberSchema.safeParse(input);
		let member: Member | null = null;
		if (parsed.success) member = parsed.data;
		else {
			const seen = new Set<string>();
			for (const issue of parsed.error.issues) {
				const key = issue.path[0] as LedgerKey | undefined;
				// the number-ID error already covers its column and the cross checks
				if ('asNumber' in id && (key === 'idNumber' || key === 'birthDate' || key === 'gender'))
					continue;
				const column = key && columnByKey.has(key) ? headerOf(key) : undefined;
				const dedupe = `${column}|${issue.message}`;
				if (seen.has(dedupe)) continue;
				seen.add(dedupe);
				errors.push({ row, column, message: issue.message });
			}
		}
		if ('asNumber' in id) member = null;

		if (member) {
			const first = this.firstRowOfId.get(member.idNumber);
			if (first !== undefined)
				errors.push({
					row,
					column: headerOf('idNumber'),
					message: `身份证号与第 ${first} 行重复`
				});
			else this.firstRowOfId.set(member.idNumber, row);
		}
		return { row, relation: input.relation, name: input.name, member, household, errors };
	}

	private addRecord(r: RowRecord) {
		const h = r.household;
		const unitKey = `${h.building}\u0000${h.unitNo}\u0000${h.room}`;
		const key = `${unitKey}\u0000${h.headName}`;
		let group = this.groups.get(key);
		if (!group) this.groups.set(key, (group = { key, unitKey, rows: [] }));
		group.rows.push(r);
	}

	finish(): Omit<LedgerParseResult, 'format' | 'fileError'> {
		if (!this.columns || this.rows === 0) throw new FileError('表格中没有数据');

		// two head names at one address: a typo or two households in one flat; neither can go in
		const groupsAtUnit = new Map<string, Group[]>();
		for (const g of this.groups.values()) {
			const list = groupsAtUnit.get(g.unitKey);
			if (list) list.push(g);
			else groupsAtUnit.set(g.unitKey, [g]);
		}
		for (const list of groupsAtUnit.values()) {
			if (list.length < 2) continue;
			const { building, unitNo, room } = list[0].rows[0].household;
			const names = list.map((g) => g.rows[0].household.headName).join('、');
			for (const g of list)
				for (const r of g.rows)
					r.errors.push({
						row: r.row,
						column: headerOf('headName'),
						message: `同一房号（${building}${unitNo}${room}）下有不同的户主姓名：${names}，请核对`
					});
		}

		const households: LedgerHousehold[] = [];
		let householdsRejected = 0;
		for (const g of this.groups.values()) {
			const household = this.checkGroup(g);
			if (household) households.push(household);
			else householdsRejected++;
		}

		const errors: LedgerError[] = [];
		let rowsWithErrors = 0;
		const records = [...this.groups.values()].flatMap((g) => g.rows).sort((a, b) => a.row - b.row);
		const order = (e: LedgerError) =>
			e.column ? (columnIndex.get(headerKey(e.column)) ?? 99) : 100;
		for (const r of records) {
			if (!r.errors.length) continue;
			rowsWithErrors++;
			errors.push(...r.errors.sort((a, b) => order(a) - order(b)));
		}
		return {
			errors,
			households,
			counts: {
				rows: this.rows,
				households: households.length,
				householdsRejected,
				rowsWithErrors
			}
		};
	}

	/** The household's own checks; null when it or any of its rows has an error. */
	private checkGroup(g: Group): LedgerHousehold | null {
		const heads = g.rows.filter((r) => r.relation === headRelation);
		if (heads.length === 0)
			for (const r of g.rows)
				r.errors.push({ row: r.row, column: headerOf('relation'), message: '该户缺少户主' });
		if (heads.length > 1)
			for (const r of heads)
				r.errors.push({ row: r.row, column: headerOf('relation'), message: '该户有多个户主' });
		const head = heads[0];
		if (
			heads.length === 1 &&
			head.name &&
			head.household.headName &&
			head.name !== head.household.headName
		)
			head.errors.push({
				row: head.row,
				column: headerOf('headName'),
				message: `户主姓名“${head.household.headName}”与户主本人的姓名“${head.name}”不一致`
			});

		// household fields come from the head's row; other rows may leave them blank or repeat them
		const base = head ?? g.rows[0];
		const hh = householdSchema.safeParse({ ...base.household, tags: base.household.tags ?? [] });
		if (!hh.success)
			for (const issue of hh.error.issues) {
				const key = issue.path[0] as LedgerKey;
				base.errors.push({
					row: base.row,
					column: columnByKey.has(key) ? headerOf(key) : undefined,
					message: issue.message
				});
			}
		const where = head ? '户主所在行' : `本户第 ${base.row} 行`;
		for (const r of g.rows) {
			if (r === base) continue;
			for (const key of ['originTownship', 'originVillage', 'movedInOn'] as const)
				// a blank on the head's row is reported there, once
				if (r.household[key] && base.household[key] && r.household[key] !== base.household[key])
					r.errors.push({
						row: r.row,
						column: headerOf(key),
						message: `${headerOf(key)}与${where}不一致`
					});
			if (r.household.tags && !sameTags(r.household.tags, base.household.tags ?? []))
				r.errors.push({ row: r.row, column: headerOf('tags'), message: `户类别与${where}不一致` });
		}

		if (g.rows.some((r) => r.errors.length)) {
			for (const r of g.rows)
				if (!r.errors.length) r.errors.push({ row: r.row, message: '同户其他成员有错误' });
			return null;
		}
		return {
			...hh.data!,
			headName: base.household.headName,
			members: g.rows.map((r) => ({ ...r.member!, row: r.row }))
		};
	}
}

const keyOfHeader = new Map<string, LedgerKey>(ledgerColumns.map((c) => [c.header, c.key]));
function headerKey(header: string): LedgerKey {
	return keyOfHeader.get(header)!;
}

// ---------------------------------------------------------------------------
// file formats

function startsWith(data: Uint8Array, bytes: number[]): boolean {
	return bytes.every((b, i) => data[i] === b);
}

/** Excel's cell value → a plain value: formulas give their result, rich text its text. */
function plainCell(v: ExcelJS.CellValue): Raw {
	if (v === null || v === undefined) return null;
	if (typeof v !== 'object' || v instanceof Date) return v;
	if ('richText' in v) return v.richText.map((r) => r.text ?? '').join('');
	if ('result' in v) return plainCell(v.result as ExcelJS.CellValue);
	if ('text' in v && typeof v.text === 'string') return v.text;
	if ('error' in v) return String(v.error);
	return null;
}

interface ReaderInternals {
	model?: { sheets?: unknown[] };
	_parseSharedStrings(entry: { setEncoding(encoding: string): unknown }): unknown;
	_parseWorksheet(chunks: AsyncIterable<Uint8Array>, sheetNo: string): unknown;
}

/** The length of `chunk` up to the last complete UTF-8 character. */
function completeUtf8(chunk: Uint8Array): number {
	const n = chunk.length;
	for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
		const byte = chunk[i];
		if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
		const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
		return i + size <= n ? n : i;
	}
	return n;
}

async function* wholeUtf8Chunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
	let carry: Buffer | null = null;
	for await (const chunk of chunks) {
		const buffer: Buffer = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
		const end = completeUtf8(buffer);
		carry = end < buffer.length ? buffer.subarray(end) : null;
		if (end > 0) yield buffer.subarray(0, end);
	}
	if (carry) yield carry;
}

/**
 * Works around two faults of exceljs 4.4.0's streaming reader. (1) It decodes each inflated chunk
 * on its own, so a Chinese character split between two chunks becomes U+FFFD (exceljs issues
 * #2084, #2063): shared strings are decoded by the stream itself, sheets get whole characters.
 * (2) A sheet stored before xl/workbook.xml crashes on the missing sheet list.
 */
function patchStreamingReader(reader: ExcelJS.stream.xlsx.WorkbookReader) {
	const r = reader as unknown as ReaderInternals;
	const parseSharedStrings = r._parseSharedStrings.bind(r);
	const parseWorksheet = r._parseWorksheet.bind(r);
	r._parseSharedStrings = (entry) => {
		entry.setEncoding('utf8');
		return parseSharedStrings(entry);
	};
	r._parseWorksheet = (chunks, sheetNo) => {
		// exceljs itself sometimes writes that order; such a sheet is read without its name
		r.model ??= { sheets: [] };
		return parseWorksheet(wholeUtf8Chunks(chunks), sheetNo);
	};
}

/** One sheet's rows as plain cell values, the same for the streaming and the in-memory reader. */
function addRow(c: LedgerCollector, row: ExcelJS.Row) {
	const values = row.values as ExcelJS.CellValue[];
	const cells: Raw[] = new Array(Math.max(values.length - 1, 0));
	for (let i = 1; i < values.length; i++) cells[i - 1] = plainCell(values[i]);
	c.add(row.number, cells);
}

interface XlsxRead {
	sheets: number;
	found: LedgerCollector | null;
	anything: boolean;
}

async function streamXlsx(
	data: Uint8Array,
	collector: (date1904: boolean) => LedgerCollector
): Promise<XlsxRead> {
	const input = new PassThrough();
	input.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
	const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
		sharedStrings: 'cache',
		styles: 'ignore',
		hyperlinks: 'ignore',
		worksheets: 'emit',
		entries: 'ignore'
	});
	patchStreamingReader(reader);
	const read: XlsxRead = { sheets: 0, found: null, anything: false };
	for await (const sheet of reader) {
		read.sheets++;
		const name = (sheet as unknown as { name?: string }).name;
		if (read.found || name === '填写说明') {
			// later sheets are read past, not parsed
			for await (const _row of sheet) void _row;
			continue;
		}
		const props = (reader as unknown as { properties?: { model?: { date1904?: boolean } } })
			.properties;
		const c = collector(Boolean(props?.model?.date1904));
		for await (const row of sheet) addRow(c, row);
		if (c.sawAnything) read.anything = true;
		if (c.hasHeader) read.found = c;
	}
	return read;
}

async function loadXlsx(
	data: Uint8Array,
	collector: (date1904: boolean) => LedgerCollector
): Promise<XlsxRead> {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(Buffer.from(data.buffer, data.byteOffset, data.byteLength) as never);
	const read: XlsxRead = { sheets: workbook.worksheets.length, found: null, anything: false };
	for (const sheet of workbook.worksheets) {
		if (sheet.name === '填写说明') continue;
		const c = collector(Boolean(workbook.properties.date1904));
		sheet.eachRow({ includeEmpty: false }, (row) => addRow(c, row));
		if (c.sawAnything) read.anything = true;
		if (c.hasHeader) {
			read.found = c;
			break;
		}
	}
	return read;
}

async function readXlsx(data: Uint8Array, collector: (date1904: boolean) => LedgerCollector) {
	let read = await streamXlsx(data, collector);
	// exceljs 4.4.0's streaming reader now and then yields no rows for a sheet it parked in a temp
	// file (a sheet stored before the shared strings, as Excel and exceljs write it): when it finds
	// nothing, read the file again whole before calling it empty
	if (read.sheets > 0 && !read.found && !read.anything) read = await loadXlsx(data, collector);
	if (read.sheets === 0) throw new FileError(invalidFileMessage);
	if (read.found) return read.found;
	throw new FileError(read.anything ? missingHeaderMessage : '表格中没有数据');
}

const missingHeaderMessage = `找不到表头，请使用下载的模板（第一行为列名：${ledgerColumns
	.slice(0, 6)
	.map((c) => c.header)
	.join('、')}…）`;

/** CSV bytes → text: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030 (Excel on Chinese Windows). */
function decodeText(data: Uint8Array): string {
	if (startsWith(data, [0xef, 0xbb, 0xbf]))
		return new TextDecoder('utf-8').decode(data.subarray(3));
	if (startsWith(data, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(data.subarray(2));
	if (startsWith(data, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(data.subarray(2));
	if (data.subarray(0, 8192).includes(0)) throw new FileError(invalidFileMessage);
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(data);
	} catch {
		return new TextDecoder('gb18030').decode(data);
	}
}

/** RFC 4180 records, one array of fields each; quotes may hold separators and line breaks. */
function* csvRecords(text: string): Generator<string[]> {
	const lineEnd = text.search(/[\r\n]/);
	const firstLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
	const count = (ch: string) => firstLine.split(ch).length - 1;
	const sep = count('\t') > count(',') ? '\t' : count(';') > count(',') ? ';' : ',';
	const special = new RegExp(`[${sep === '\t' ? '\\t' : sep}"\\r\\n]`, 'g');
	const n = text.length;
	let record: string[] = [];
	let field = '';
	let i = 0;
	while (i < n) {
		const ch = text[i];
		if (ch === '"' && field === '') {
			// quoted field: "" is a quote; text after the closing quote is kept, as Excel does
			i++;
			for (;;) {
				const q = text.indexOf('"', i);
				if (q === -1) {
					field += text.slice(i);
					i = n;
					break;
				}
				field += text.slice(i, q);
				if (text[q + 1] === '"') {
					field += '"';
					i = q + 2;
				} else {
					i = q + 1;
					break;
				}
			}
		} else if (ch === sep) {
			record.push(field);
			field = '';
			i++;
		} else if (ch === '\n' || ch === '\r') {
			record.push(field);
			yield record;
			record = [];
			field = '';
			i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
		} else {
			special.lastIndex = i + 1;
			const next = special.exec(text);
			const end = next ? next.index : n;
			field += text.slice(i, end);
			i = end;
		}
	}
	if (field !== '' || record.length) {
		record.push(field);
		yield record;
	}
}

function readCsv(data: Uint8Array, c: LedgerCollector) {
	const text = decodeText(data);
	let row = 0;
	for (const record of csvRecords(text)) c.add(++row, record);
	if (!c.hasHeader) throw new FileError(c.sawAnything ? missingHeaderMessage : '表格中没有数据');
	return c;
}

/**
 * Reads a ledger (.xlsx or .csv) and checks every row without touching the database.
 * File-level problems (not a spreadsheet, missing columns, empty, too many rows) come back as
 * `fileError`; row problems as `errors`, and a household with any bad row is left out whole.
 */
export async function parseLedger(
	data: Uint8Array | Buffer,
	filename: string,
	options: ParseLedgerOptions = {}
): Promise<LedgerParseResult> {
	const maxRows = options.maxRows ?? maxLedgerRows;
	const ext = /\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
	const isZip = startsWith(data, [0x50, 0x4b, 0x03, 0x04]);
	const format: LedgerParseResult['format'] = isZip
		? 'xlsx'
		: ext === 'csv' || ext === 'txt'
			? 'csv'
			: null;
	const failed = (fileError: string): LedgerParseResult => ({
		format,
		fileError,
		errors: [],
		households: [],
		counts: { rows: 0, households: 0, householdsRejected: 0, rowsWithErrors: 0 }
	});
	if (!format) {
		if (startsWith(data, [0xd0, 0xcf, 0x11, 0xe0]))
			return failed(
				`${invalidFileMessage}：这是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入`
			);
		return failed(data.length === 0 ? '表格中没有数据' : invalidFileMessage);
	}
	try {
		const collector =
			format === 'xlsx'
				? await readXlsx(data, (date1904) => new LedgerCollector(maxRows, date1904))
				: readCsv(data, new LedgerCollector(maxRows));
		return { format, fileError: null, ...collector.finish() };
	} catch (e) {
		if (e instanceof FileError) return failed(e.message);
		// unzip or XML failures: a damaged file, or a ZIP that is not a workbook
		return failed(invalidFileMessage);
	}
}

// ---------------------------------------------------------------------------
// writing

/** A household as the register holds it; the head is the member whose relation is 户主. */
export type RegisterHousehold = Household & { members: readonly Member[] };

function rowValues(
	h: RegisterHousehold,
	m: Member,
	seq: number,
	reveal: boolean
): Record<LedgerKey, string | number> {
	const head = h.members.find((x) => x.relation === headRelation) ?? h.members[0];
	return {
		seq,
		building: h.building,
		unitNo: h.unitNo,
		room: h.room,
		headName: head?.name ?? '',
		relation: m.relation,
		name: m.name,
		gender: genderLabels[m.gender],
		idNumber: reveal ? m.idNumber : maskIdNumber(m.idNumber),
		birthDate: m.birthDate,
		phone: (reveal ? m.phone : maskPhone(m.phone)) ?? '',
		originTownship: h.originTownship,
		originVillage: h.originVillage,
		movedInOn: h.movedInOn,
		schooling: m.schooling,
		health: m.health,
		disabilityLevel: m.disabilityLevel ?? '',
		laborAbility: m.laborAbility,
		employment: m.employment,
		employer: m.employer ?? '',
		job: m.job ?? '',
		publicPost: m.publicPost ?? '',
		training: m.training ?? '',
		tags: h.tags.map((t) => householdTagLabel[t]).join('、')
	};
}

const textColumns = new Set<LedgerKey>(['idNumber', 'phone', 'room', 'birthDate', 'movedInOn']);

function sheetColumns(): Partial<ExcelJS.Column>[] {
	return ledgerColumns.map((c) => ({
		key: c.key,
		width: c.width,
		// text format, so Excel keeps all 18 digits and typed dates stay as written
		style: textColumns.has(c.key) ? { numFmt: '@' } : {}
	}));
}

const headerFill: ExcelJS.Fill = {
	type: 'pattern',
	pattern: 'solid',
	fgColor: { argb: 'FFDDEBF7' }
};

function styleHeader(row: ExcelJS.Row) {
	row.height = 22;
	row.eachCell((cell, col) => {
		const column = ledgerColumns[col - 1];
		cell.font = { bold: true, color: { argb: column?.required ? 'FFC00000' : 'FF000000' } };
		cell.fill = headerFill;
		cell.alignment = { vertical: 'middle', horizontal: 'center' };
		cell.border = { bottom: { style: 'thin' } };
	});
}

/** The register as .xlsx in the template's layout, so an unmasked export can be imported again. */
export async function buildExport(
	households: readonly RegisterHousehold[],
	options: { reveal: boolean }
): Promise<Buffer> {
	const stream = new PassThrough();
	const chunks: Buffer[] = [];
	stream.on('data', (chunk: Buffer) => chunks.push(chunk));
	const ended = new Promise<void>((resolve, reject) => {
		stream.on('end', resolve);
		stream.on('error', reject);
	});
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
		stream,
		useStyles: true,
		useSharedStrings: false
	});
	workbook.creator = '安居';
	workbook.created = new Date();
	const sheet = workbook.addWorksheet('搬迁户台账', { views: [{ state: 'frozen', ySplit: 1 }] });
	sheet.columns = sheetColumns();
	const header = sheet.addRow(ledgerColumns.map((c) => c.header));
	styleHeader(header);
	header.commit();
	let seq = 0;
	for (const h of households)
		for (const m of h.members) sheet.addRow(rowValues(h, m, ++seq, options.reveal)).commit();
	sheet.commit();
	await workbook.commit();
	await ended;
	return Buffer.concat(chunks);
}

// two fictitious households for the template; ID numbers are made, not real
const exampleHouseholds: RegisterHousehold[] = (() => {
	const person = (m: Omit<Member, 'idNumber'> & { seq: number }): Member => {
		const { seq, ...rest } = m;
		return { ...rest, idNumber: makeIdNumber('360731', m.birthDate, seq, m.gender) };
	};
	return [
		{
			building: '3栋',
			unitNo: '1单元',
			room: '502',
			originTownship: '禾丰镇',
			originVillage: '大坪村下屋组',
			movedInOn: '2019-06-18',
			tags: ['lifted_out', 'subsistence'],
			members: [
				person({
					seq: 1,
					name: '王德明',
					relation: '户主',
					gender: 'male',
					birthDate: '1968-03-12',
					phone: '13907971234',
					schooling: '初中',
					health: '健康',
					laborAbility: '普通劳动力',
					employment: '务工',
					employer: '于都县某服装厂',
					job: '缝纫工',
					training: '2023年缝纫工培训'
				}),
				person({
					seq: 2,
					name: '刘秀英',
					relation: '配偶',
					gender: 'female',
					birthDate: '1970-08-05',
					schooling: '小学',
					health: '长期慢性病',
					laborAbility: '弱劳动力',
					employment: '公益性岗位',
					employer: '安置点物业服务中心',
					publicPost: '保洁'
				}),
				person({
					seq: 3,
					name: '王小军',
					relation: '子',
					gender: 'male',
					birthDate: '1995-11-20',
					phone: '15879761234',
					schooling: '高中/中专',
					health: '健康',
					laborAbility: '技能劳动力',
					employment: '务工',
					employer: '东莞某电子厂',
					job: '电工',
					training: '电工上岗证培训'
				}),
				person({
					seq: 4,
					name: '王小梅',
					relation: '女',
					gender: 'female',
					birthDate: '2012-04-09',
					schooling: '小学',
					health: '健康',
					laborAbility: '无劳动能力',
					employment: '在校学生'
				})
			]
		},
		{
			building: '3栋',
			unitNo: '2单元',
			room: '101',
			originTownship: '银坑镇',
			originVillage: '平安村',
			movedInOn: '2020-01-10',
			tags: ['monitored', 'elderly_alone', 'disabled'],
			members: [
				person({
					seq: 5,
					name: '李桂花',
					relation: '户主',
					gender: 'female',
					birthDate: '1948-02-14',
					phone: '13576971234',
					schooling: '文盲或半文盲',
					health: '残疾',
					disabilityLevel: 2,
					laborAbility: '无劳动能力',
					employment: '退休或无需就业'
				})
			]
		}
	];
})();

/** The example households written into the template. */
export function templateExamples(): RegisterHousehold[] {
	return structuredClone(exampleHouseholds);
}

const templateRows = 2000;

type WithValidations = ExcelJS.Worksheet & {
	dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void };
};

function columnLetter(index: number): string {
	let s = '';
	for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
		s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
	return s;
}

/** The downloadable template: header, two example households, drop-downs and a 填写说明 sheet. */
export async function buildTemplate(): Promise<Buffer> {
	const workbook = new ExcelJS.Workbook();
	workbook.creator = '安居';
	workbook.created = new Date();
	const sheet = workbook.addWorksheet('搬迁户台账', {
		views: [{ state: 'frozen', ySplit: 1 }]
	}) as WithValidations;
	sheet.columns = sheetColumns();
	styleHeader(sheet.addRow(ledgerColumns.map((c) => c.header)));
	let seq = 0;
	for (const h of exampleHouseholds)
		for (const m of h.members) sheet.addRow(rowValues(h, m, ++seq, true));

	const range = (key: LedgerKey) => {
		const col = columnLetter(columnIndex.get(key)!);
		return `${col}2:${col}${templateRows + 1}`;
	};
	for (const c of ledgerColumns) {
		if (!('values' in c) || c.key === 'tags') continue;
		sheet.dataValidations.add(range(c.key), {
			type: 'list',
			allowBlank: true,
			formulae: [`"${c.values.join(',')}"`],
			showErrorMessage: true,
			errorTitle: c.header,
			error: `请从下拉列表中选择：${c.values.join('、')}`
		});
	}
	sheet.dataValidations.add(range('idNumber'), {
		type: 'textLength',
		operator: 'equal',
		allowBlank: true,
		formulae: [18],
		showErrorMessage: true,
		errorTitle: '身份证号码',
		error: '身份证号码应为 18 位'
	});
	sheet.dataValidations.add(range('phone'), {
		type: 'textLength',
		operator: 'equal',
		allowBlank: true,
		formulae: [11],
		showErrorMessage: true,
		errorTitle: '联系电话',
		error: '手机号码应为 11 位'
	});

	const guide = workbook.addWorksheet('填写说明');
	guide.columns = [{ width: 14 }, { width: 8 }, { width: 60 }, { width: 50 }, { width: 20 }];
	const notes = [
		'搬迁户台账填写说明',
		'1. 每位家庭成员占一行；楼栋、单元、房号、户主姓名都相同的行视为同一户。',
		'2. 每户必须有且只有一行“与户主关系”为“户主”，且该行姓名与“户主姓名”一致。',
		'3. 迁出地乡镇、迁出地村组、入住日期、户类别在户主所在行填写，其他成员行可留空。',
		'4. 身份证号码列须为文本格式（模板已设置）；如被 Excel 显示成 3.60731E+17，说明后几位已丢失，须重新填写。',
		'5. 导入前请删除第 2 行起的示例数据。红色列名为必填列，列的顺序可以调整，不要改列名。',
		`6. 一个文件最多 ${maxLedgerRows} 行；有错误的户整户不导入，改正后重新导入同一文件即可，已导入的不会重复。`,
		''
	];
	for (const note of notes) guide.addRow([note]);
	guide.getRow(1).font = { bold: true, size: 14 };
	const head = guide.addRow(['列名', '必填', '说明', '可填写的值', '示例']);
	head.font = { bold: true };
	head.eachCell((cell) => (cell.fill = headerFill));
	for (const c of ledgerColumns)
		guide.addRow([
			c.header,
			c.required ? '是' : '否',
			c.note,
			'values' in c ? c.values.join('、') : '',
			c.example
		]);
	guide.getColumn(3).alignment = { wrapText: true, vertical: 'top' };
	guide.getColumn(4).alignment = { wrapText: true, vertical: 'top' };

	return Buffer.from(await workbook.xlsx.writeBuffer());
}
