// What may not appear in a need's public words: the household's names and unit, ID-like and
// phone-like numbers, an exact age, and — without the household's recorded consent — health
// details. Pure, so the verify form, the command and the tests all ask the same question.

export const findingKinds = [
	'name',
	'unit',
	'id_number',
	'phone',
	'exact_age',
	'health_detail'
] as const;
export type FindingKind = (typeof findingKinds)[number];

/** One thing found: what kind, and the words as they were written. */
export interface Finding {
	kind: FindingKind;
	match: string;
}

export interface IdentifyingContext {
	/** the head's and every member's name */
	names?: readonly string[];
	/** the household's unit and its parts: '3栋2单元502', '3栋', '2单元', '502' */
	units?: readonly string[];
	/** the household agreed that health details may be shared */
	healthConsent?: boolean;
}

const zeroWidth = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;

/** Full-width digits and letters to ASCII, invisible characters out. */
function normalise(text: string): string {
	return text.normalize('NFKC').replace(zeroWidth, '');
}

/** Spaces and dots someone might put between a name's characters. */
const nameGaps = /[\s·•.。_*＊\-—]/g;

const cnDigit = '零〇一二两三四五六七八九十百';

const unitPatterns: RegExp[] = [
	// 3栋 / 十二幢 / 2单元 / 5号楼 / B座
	new RegExp(`(?:\\d+|[${cnDigit}]+)\\s*(?:栋|幢|单元|号楼)`, 'g'),
	/(?:\d+|[A-Za-z])\s*座/g,
	/[A-Za-z]\s*(?:栋|幢)/g,
	// 502室 / 1203号房
	/\d+\s*(?:室|号房)/g,
	// 3-2-502: building, unit, room
	/(?<![\d-])\d{1,2}\s*[-－]\s*\d{1,2}\s*[-－]\s*\d{3,4}(?![\d-])/g
];

const contactWords = /(电话|手机|联系|热线|微信|号码|座机|tel|phone|call)/i;

const exactAgePatterns: RegExp[] = [
	// 73岁 / 73 周岁 / 七十三岁 (a range like 3至5岁 or an estimate like 七八十岁 is checked below)
	new RegExp(`(?:(?<!\\d)\\d{1,3}|[${cnDigit}]+)\\s*(?:周岁|岁)`, 'g'),
	// 今年73，/ 年满七十。(a number then a pause; not 今年2025年 nor 今年一月)
	new RegExp(
		`(?:年满|今年|现年|享年|终年|年仅|年已)\\s*(?:\\d{1,3}|[${cnDigit}]+)(?=[，,。.；;、！!？?）)\\s]|$)`,
		'g'
	),
	// 1952年出生 / 1952年3月生 / 出生于1952年 (not 2020年生活)
	/(?:19|20)\d{2}\s*年\s*(?:\d{1,2}\s*月\s*)?(?:\d{1,2}\s*日\s*)?(?:出生|生人|生(?![活产意计存态日长效]))/g,
	/(?:出生于|生于|出生在)\s*(?:19|20)\d{2}/g,
	// 8个月大 (an infant)
	/\d{1,2}\s*个月大/g,
	/\b\d{1,3}[- ]years?[- ]old\b/gi,
	/\baged?\s+\d{1,3}\b/gi
];

const healthPatterns: RegExp[] = [
	/(?<!隐)患|[病癌瘤瘫聋哑盲疾症孕药]/g,
	/白血|透析|化疗|放疗|手术|住院|治疗|诊断|确诊|康复|卧床|失明|失聪|失能|失智|痴呆|骨折|截肢|中风|脑梗|心梗|心脏|血压|血糖|糖尿|艾滋|乙肝|结核|抑郁|自闭|流产|分娩/g,
	/残疾|残障|伤残|致残|残联|肢残|智残|视残|听残/g,
	/假肢|义肢|轮椅|助听器|助行器/g,
	/精神(?:病|疾|障碍|残|分裂|异常|科)|智力(?:残|障|低|缺)|[肾肝肺胃脑](?:炎|衰|功能|损伤|出血)/g,
	/\b(?:cancer|tumou?r|surgery|hospital\w*|dialysis|chemo\w*|disab\w+|wheelchair|hiv|aids|diabet\w+|stroke|illness|disease|sick)\b/gi
];

interface Hit extends Finding {
	at: number;
}

function allMatches(text: string, re: RegExp): { match: string; at: number }[] {
	const out: { match: string; at: number }[] = [];
	for (const m of text.matchAll(re)) out.push({ match: m[0], at: m.index ?? 0 });
	return out;
}

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The parts of a name worth looking for: the whole name, and a given name of two or more characters. */
function nameParts(name: string): string[] {
	const whole = normalise(name).replace(/\s/g, '');
	const parts = new Set<string>();
	if (Array.from(whole).length >= 2) parts.add(whole.replace(/[·•.]/g, ''));
	// 阿卜杜·热合曼: each part of a transliterated name
	for (const p of whole.split(/[·•.]/)) if (Array.from(p).length >= 2) parts.add(p);
	const chars = Array.from(whole.replace(/[·•.]/g, ''));
	// 王小明 → 小明; 欧阳小明 → 小明 (the given name is the last two characters)
	if (chars.length >= 3) parts.add(chars.slice(-2).join(''));
	return [...parts];
}

function findNames(text: string, names: readonly string[]): Hit[] {
	// look through the text with the gaps taken out, keeping where each character came from
	const kept: { ch: string; at: number }[] = [];
	for (let i = 0; i < text.length; i++)
		if (!nameGaps.test(text[i])) kept.push({ ch: text[i], at: i });
	nameGaps.lastIndex = 0;
	const squeezed = kept.map((k) => k.ch).join('');
	const hits: Hit[] = [];
	// the squeezed text has no gaps, so neither may a part; a part of gaps alone (a name typed
	// as '..') would match the empty string everywhere
	const parts = [...new Set(names.flatMap(nameParts).map((p) => p.replace(nameGaps, '')))]
		.filter((p) => p.length > 0)
		.sort((a, b) => b.length - a.length);
	const taken: [number, number][] = [];
	for (const part of parts) {
		for (const m of allMatches(squeezed, new RegExp(escapeRegExp(part), 'g'))) {
			const end = m.at + m.match.length;
			// 小明 inside an already found 王小明 is one finding, not two
			if (taken.some(([s, e]) => m.at >= s && end <= e)) continue;
			taken.push([m.at, end]);
			const from = kept[m.at].at;
			const to = kept[end - 1].at + 1;
			hits.push({ kind: 'name', match: text.slice(from, to), at: from });
		}
	}
	return hits;
}

function findUnits(text: string, units: readonly string[]): Hit[] {
	const hits: Hit[] = [];
	for (const re of unitPatterns)
		for (const m of allMatches(text, re)) hits.push({ kind: 'unit', ...m });
	for (const raw of units) {
		const u = normalise(raw).replace(/\s/g, '');
		if (!u) continue;
		if (/^\d+$/.test(u)) {
			// a room number alone: only as a number of its own, and not one too short to mean anything
			if (u.length < 3) continue;
			const re = new RegExp(`(?<!\\d)${u}(?!\\d)`, 'g');
			for (const m of allMatches(text, re)) hits.push({ kind: 'unit', ...m });
		} else {
			for (const m of allMatches(text, new RegExp(escapeRegExp(u), 'g')))
				hits.push({ kind: 'unit', ...m });
		}
	}
	return hits;
}

function findNumbers(text: string): Hit[] {
	const hits: Hit[] = [];
	// masked numbers still point at a person: 3607**********123X, 138****1234
	for (const m of allMatches(text, /\d{2,6}[*＊]{3,}\d{2,4}[Xx]?/g)) {
		const phone = m.match.length === 11 && m.match.startsWith('1');
		hits.push({ kind: phone ? 'phone' : 'id_number', ...m });
	}
	// digits split by single spaces or dashes read as one number: 138 1234 5678, 0797-1234567
	const runs = /\+?\d(?:[ \-‐–—]?\d)*(?:[ ]?[Xx](?![A-Za-z]))?/g;
	for (const m of text.matchAll(runs)) {
		const at = m.index ?? 0;
		const raw = m[0];
		if (/[*＊]/.test(text.slice(Math.max(0, at - 1), at + raw.length + 1))) continue;
		let digits = raw.replace(/[^\dXx]/g, '');
		const x = /[Xx]$/.test(digits);
		if (x) digits = digits.slice(0, -1);
		if (digits.length < 7) continue;
		if (/^861[3-9]\d{9}$/.test(digits)) digits = digits.slice(2);
		let kind: FindingKind | null = null;
		if (x && (digits.length === 17 || digits.length === 14)) kind = 'id_number';
		else if (digits.length === 11 && /^1[3-9]/.test(digits)) kind = 'phone';
		else if (/^0\d{9,11}$/.test(digits)) kind = 'phone';
		else if (digits.length >= 12) kind = 'id_number';
		else if (digits.length <= 8 && contactWords.test(text.slice(Math.max(0, at - 8), at)))
			kind = 'phone';
		if (kind) hits.push({ kind, match: raw.trim(), at });
	}
	return hits;
}

const cnUnits = '一二三四五六七八九';

function findAges(text: string): Hit[] {
	const hits: Hit[] = [];
	for (const re of exactAgePatterns)
		for (const m of allMatches(text, re)) {
			const before = text.slice(Math.max(0, m.at - 6), m.at);
			// 3至5岁, 七十到八十岁: the end of a range is not an age
			if (/(?:\d|[零〇一二两三四五六七八九十百])\s*(?:至|到|~|～|-|－|—|–)\s*$/.test(before))
				continue;
			// 七八十岁, 五六岁: two neighbouring digits are an estimate
			const chars = Array.from(m.match);
			if (chars.some((c, i) => i > 0 && cnUnits.includes(c) && cnUnits.includes(chars[i - 1])))
				continue;
			hits.push({ kind: 'exact_age', ...m });
		}
	return hits;
}

function findHealth(text: string): Hit[] {
	const hits: Hit[] = [];
	for (const re of healthPatterns)
		for (const m of allMatches(text, re)) hits.push({ kind: 'health_detail', ...m });
	return hits;
}

/**
 * What in `text` points at a person or tells of their health: names, unit, ID-like and
 * phone-like numbers, exact ages, and health words unless the household consented. Each
 * finding once, in the order it appears; an empty list means the words may be published.
 */
export function findIdentifying(text: string, context: IdentifyingContext = {}): Finding[] {
	const t = normalise(text ?? '');
	if (!t.trim()) return [];
	const hits: Hit[] = [
		...findNames(t, context.names ?? []),
		...findUnits(t, context.units ?? []),
		...findNumbers(t),
		...findAges(t),
		...(context.healthConsent ? [] : findHealth(t))
	];
	hits.sort((a, b) => a.at - b.at || b.match.length - a.match.length);
	const seen = new Set<string>();
	const out: Finding[] = [];
	for (const h of hits) {
		const key = `${h.kind}\u0000${h.match}`;
		if (seen.has(key)) continue;
		seen.add(key);
		out.push({ kind: h.kind, match: h.match });
	}
	return out;
}

/** The unit strings of a household to look for: whole, and each part. */
export function unitStrings(h: { building: string; unitNo: string; room: string }): string[] {
	return [`${h.building}${h.unitNo}${h.room}`, h.building, h.unitNo, h.room].filter(
		(s) => s.trim().length > 0
	);
}

/**
 * An age as the public may read it: a decade band ('70多岁'), never the exact age; the very
 * old and the very young are banded wider, as a rare age would point at one person.
 */
export function publicAge(birthYear: number, thisYear = new Date().getUTCFullYear()): string {
	const age = thisYear - birthYear;
	if (!Number.isFinite(age) || age < 0) return '';
	if (age < 10) return '10岁以下';
	if (age >= 90) return '90岁以上';
	return `${Math.floor(age / 10) * 10}多岁`;
}

/** Where a need is, as the public reads it: the county and the settlement, never the unit. */
export function publicPlace(p: { countyName?: string | null; settlementName: string }): string {
	return [p.countyName, p.settlementName].filter(Boolean).join(' · ');
}
