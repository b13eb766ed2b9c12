import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	findIdentifying,
	publicAge,
	publicPlace,
	unitStrings,
	type FindingKind
} from './anonymise';

const household = {
	names: ['王小明', '李秀英', '王建'],
	units: unitStrings({ building: '3栋', unitNo: '2单元', room: '502' })
};
const kinds = (text: string, healthConsent = false) =>
	findIdentifying(text, { ...household, healthConsent }).map((f) => f.kind);
const found = (text: string, healthConsent = false) =>
	findIdentifying(text, { ...household, healthConsent }).map((f) => `${f.kind}:${f.match}`);

describe('findIdentifying', () => {
	it('passes words that point at nobody', () => {
		for (const text of [
			'',
			'   ',
			'家中孩子今年秋季升入初中，需要校服和学习用品。',
			'老人独居，需要每周上门助洁两次，每次 2 小时。',
			'需资金 3,000 元用于更换厨房老化的水管。',
			'急需冬季棉被 2 床、电暖器 1 台。',
			'家庭收入骤减，生活困难，希望获得三个月的生活补助。',
			'王某一家七口，三个孩子在上学。',
			'老人70多岁，行动不便，需要上门送餐服务。',
			'七八十岁的老人独自生活。',
			'孩子十几岁，正在读初中。',
			'适合3至5岁的儿童绘本。',
			'2020年生活发生变故，2024年申请帮扶。',
			'今年一月起收入中断。',
			'每月 800 元，连续 6 个月。',
			'房屋存在安全隐患，需要修缮屋顶。'
		])
			expect(kinds(text), text).toEqual([]);
	});

	it('finds the names of the head and the members, whole or given name, with gaps', () => {
		expect(found('王小明家需要帮助')).toEqual(['name:王小明']);
		expect(found('小明今年上初中')).toEqual(['name:小明']);
		expect(found('户主 王 小 明 的妻子')).toEqual(['name:王 小 明']);
		expect(found('李秀英·')).toEqual(['name:李秀英']);
		// invisible characters are taken out before looking
		expect(found('王\u200b小明')).toEqual(['name:王小明']);
		// a two-character name is looked for whole only
		expect(found('王建需要')).toEqual(['name:王建']);
		expect(kinds('王某需要')).toEqual([]);
	});

	it('finds transliterated names by their parts', () => {
		const f = findIdentifying('热合曼一家需要帮助', { names: ['阿卜杜·热合曼'] });
		expect(f.map((x) => x.kind)).toEqual(['name']);
	});

	it('finds the unit: building, unit, room, in figures, Chinese numerals or shorthand', () => {
		expect(found('住在3栋2单元')).toEqual(['unit:3栋', 'unit:2单元']);
		expect(found('住在3栋2单元502')).toEqual([
			'unit:3栋2单元502',
			'unit:3栋',
			'unit:2单元',
			'unit:502'
		]);
		expect(kinds('十二幢一单元')).toEqual(['unit', 'unit']);
		expect(kinds('B座1203室')).toEqual(['unit', 'unit']);
		expect(kinds('7号楼')).toEqual(['unit']);
		expect(kinds('家住 5-1-302')).toEqual(['unit']);
		expect(kinds('房号502需要修')).toEqual(['unit']);
		// the room number inside a longer number is not the room
		expect(kinds('共计15020元')).toEqual([]);
		expect(kinds('３栋')).toEqual(['unit']);
	});

	it('finds ID-like numbers, also masked or split', () => {
		expect(kinds('身份证360731195203041234')).toEqual(['id_number']);
		expect(kinds('身份证36073119520304123X')).toEqual(['id_number']);
		expect(kinds('36073119520304123x')).toEqual(['id_number']);
		expect(kinds('360731 19520304 1234')).toEqual(['id_number']);
		expect(kinds('号码 3607**********1234')).toEqual(['id_number']);
		// 15-digit old IDs and bank cards
		expect(kinds('360731520304123')).toEqual(['id_number']);
		expect(kinds('卡号6222020200112233445')).toEqual(['id_number']);
		expect(kinds('３６０７３１１９５２０３０４１２３４')).toEqual(['id_number']);
	});

	it('finds phone-like numbers: mobiles, landlines, masked, with +86', () => {
		expect(kinds('电话13912345678')).toEqual(['phone']);
		expect(kinds('139 1234 5678')).toEqual(['phone']);
		expect(kinds('139-1234-5678')).toEqual(['phone']);
		expect(kinds('+86 139 1234 5678')).toEqual(['phone']);
		expect(kinds('0797-1234567')).toEqual(['phone']);
		expect(kinds('138****5678')).toEqual(['phone']);
		expect(kinds('联系电话：8234567')).toEqual(['phone']);
		// a sum or a date is not a phone
		expect(kinds('需要 12000000 元')).toEqual([]);
		expect(kinds('2025-06-01 前')).toEqual([]);
	});

	it('finds exact ages but not bands or ranges', () => {
		expect(found('老人73岁')).toEqual(['exact_age:73岁']);
		expect(kinds('老人 73 周岁')).toEqual(['exact_age']);
		expect(kinds('七十三岁的老人')).toEqual(['exact_age']);
		expect(kinds('今年73，独居')).toEqual(['exact_age']);
		expect(kinds('年满六十。')).toEqual(['exact_age']);
		expect(kinds('1952年出生')).toEqual(['exact_age']);
		expect(kinds('1952年3月生')).toEqual(['exact_age']);
		expect(kinds('出生于1952年')).toEqual(['exact_age']);
		expect(kinds('8个月大的婴儿')).toEqual(['exact_age']);
		expect(kinds('a 73-year-old man')).toEqual(['exact_age']);
		expect(kinds('百岁老人')).toEqual(['exact_age']);
		for (const ok of [
			'70多岁',
			'七十多岁',
			'70余岁',
			'十几岁',
			'七八十岁',
			'3-5岁',
			'七十到八十岁'
		])
			expect(kinds(ok), ok).toEqual([]);
	});

	it('finds health words only without consent', () => {
		for (const text of [
			'患有尿毒症，需要透析',
			'确诊白血病',
			'孩子有自闭症',
			'老人中风后卧床',
			'二级肢体残疾',
			'需要一辆轮椅',
			'需住院手术',
			'长期吃药',
			'精神分裂',
			'肾衰竭',
			'needs surgery in hospital'
		]) {
			expect(kinds(text), text).toContain('health_detail');
			expect(kinds(text, true), text).toEqual([]);
		}
		expect(found('患有尿毒症，需要透析')).toEqual([
			'health_detail:患',
			'health_detail:症',
			'health_detail:透析'
		]);
	});

	it('reports every kind in one text, each finding once, in order', () => {
		const text = '王小明（73岁）住3栋，电话13912345678，身份证360731195203041234，患癌症。王小明';
		expect(kinds(text)).toEqual<FindingKind[]>([
			'name',
			'exact_age',
			'unit',
			'phone',
			'id_number',
			'health_detail',
			'health_detail',
			'health_detail'
		]);
	});

	it('takes a name made only of gaps as no name (fast-check found ["!", [".."]])', () => {
		expect(findIdentifying('!', { names: ['..'], units: ['..'], healthConsent: false })).toEqual(
			[]
		);
	});

	it('never throws and returns only known kinds, whatever the text', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 300 }), fc.array(fc.string({ maxLength: 8 })), (t, n) => {
				const f = findIdentifying(t, { names: n, units: n, healthConsent: false });
				return f.every((x) =>
					['name', 'unit', 'id_number', 'phone', 'exact_age', 'health_detail'].includes(x.kind)
				);
			})
		);
		expect(findIdentifying('x'.repeat(100_000), household)).toEqual([]);
	});

	it('always finds a name, a mobile or an ID number put anywhere in harmless words', () => {
		const filler = fc.stringMatching(/^[的了需要帮助资金物资家庭困难，。 ]{0,30}$/);
		fc.assert(
			fc.property(
				filler,
				filler,
				fc.constantFrom('王小明', '13912345678', '360731195203041234'),
				(a, b, x) => {
					return findIdentifying(a + x + b, household).length > 0;
				}
			)
		);
		expect(true).toBe(true);
	});
});

describe('publicAge', () => {
	it('bands an age by decade, never exact, wider at the ends', () => {
		expect(publicAge(1952, 2025)).toBe('70多岁');
		expect(publicAge(1955, 2025)).toBe('70多岁');
		expect(publicAge(2010, 2025)).toBe('10多岁');
		expect(publicAge(2020, 2025)).toBe('10岁以下');
		expect(publicAge(1930, 2025)).toBe('90岁以上');
		expect(publicAge(2030, 2025)).toBe('');
		for (let y = 1900; y <= 2025; y++) expect(publicAge(y, 2025)).not.toMatch(/^\d+岁$/);
	});
});

describe('publicPlace', () => {
	it('names the county and the settlement only', () => {
		expect(publicPlace({ countyName: '于都县', settlementName: '幸福安置点' })).toBe(
			'于都县 · 幸福安置点'
		);
		expect(publicPlace({ countyName: null, settlementName: '幸福安置点' })).toBe('幸福安置点');
	});
});
