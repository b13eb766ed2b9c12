import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffClauses, diffCounts, diffText, tokenize, type Part } from './diff';
import type { Clause } from './vocab';

const oldSide = (parts: Part[]) =>
	parts
		.filter((p) => p.op !== 'add')
		.map((p) => p.text)
		.join('');
const newSide = (parts: Part[]) =>
	parts
		.filter((p) => p.op !== 'del')
		.map((p) => p.text)
		.join('');
const sameLength = (parts: Part[]) =>
	parts.filter((p) => p.op === 'same').reduce((n, p) => n + tokenize(p.text).length, 0);

/** The longest common subsequence of two token lists, the slow obvious way. */
function lcsLength(a: string[], b: string[]): number {
	let prev = new Array<number>(b.length + 1).fill(0);
	for (const x of a) {
		const row = [0];
		for (let j = 0; j < b.length; j++)
			row.push(x === b[j] ? prev[j] + 1 : Math.max(prev[j + 1], row[j]));
		prev = row;
	}
	return prev[b.length];
}

/** Text mostly of a few Chinese characters and Latin words, so the two sides share a lot. */
const chineseText = fc
	.array(fc.constantFrom('村', '民', '规', '约', '第', '条', '，', '。', 'ab', '12', ' ', '😀'), {
		maxLength: 40
	})
	.map((a) => a.join(''));
const anyText = fc.oneof(chineseText, fc.string({ maxLength: 60 }), fc.string({ unit: 'binary' }));

describe('tokenize', () => {
	it('keeps Latin words and numbers whole and splits Chinese into characters', () => {
		expect(tokenize('彩礼不超过 60000 元 per family')).toEqual([
			'彩',
			'礼',
			'不',
			'超',
			'过',
			' ',
			'60000',
			' ',
			'元',
			' ',
			'per',
			' ',
			'family'
		]);
		// an emoji (a surrogate pair) is one token, never half of one
		expect(tokenize('好😀')).toEqual(['好', '😀']);
		expect(tokenize('')).toEqual([]);
	});

	it('loses nothing', () => {
		fc.assert(
			fc.property(anyText, (s) => {
				expect(tokenize(s).join('')).toBe(s);
			})
		);
	});
});

describe('diffText', () => {
	it('marks a changed figure inside a Chinese sentence', () => {
		expect(diffText('彩礼不得超过3万元。', '彩礼不得超过2万元，提倡零彩礼。')).toEqual([
			{ op: 'same', text: '彩礼不得超过' },
			{ op: 'del', text: '3' },
			{ op: 'add', text: '2' },
			{ op: 'same', text: '万元' },
			{ op: 'add', text: '，提倡零彩礼' },
			{ op: 'same', text: '。' }
		]);
	});

	it('compares a Latin word as a whole', () => {
		expect(diffText('limit 30000', 'limit 20000')).toEqual([
			{ op: 'same', text: 'limit ' },
			{ op: 'del', text: '30000' },
			{ op: 'add', text: '20000' }
		]);
	});

	it('answers equal texts with one run, and empty sides with a deletion or an insertion', () => {
		expect(diffText('红白事简办', '红白事简办')).toEqual([{ op: 'same', text: '红白事简办' }]);
		expect(diffText('', '')).toEqual([]);
		expect(diffText('', '新增')).toEqual([{ op: 'add', text: '新增' }]);
		expect(diffText('删去', '')).toEqual([{ op: 'del', text: '删去' }]);
	});

	it('rebuilds both sides, with no empty run and no two neighbours of one kind', () => {
		fc.assert(
			fc.property(anyText, anyText, (a, b) => {
				const parts = diffText(a, b);
				expect(oldSide(parts)).toBe(a);
				expect(newSide(parts)).toBe(b);
				for (const [k, p] of parts.entries()) {
					expect(p.text.length).toBeGreaterThan(0);
					if (k > 0) expect(parts[k - 1].op).not.toBe(p.op);
				}
			}),
			{ numRuns: 300 }
		);
	});

	it('keeps a longest common subsequence as the shared runs', () => {
		fc.assert(
			fc.property(chineseText, chineseText, (a, b) => {
				expect(sameLength(diffText(a, b))).toBe(lcsLength(tokenize(a), tokenize(b)));
			}),
			{ numRuns: 200 }
		);
	});

	it('beyond the size cap shows the middle as taken out and put in, still exact', () => {
		const a = '开头' + '甲'.repeat(50) + '结尾';
		const b = '开头' + '乙'.repeat(50) + '结尾';
		expect(diffText(a, b, 100)).toEqual([
			{ op: 'same', text: '开头' },
			{ op: 'del', text: '甲'.repeat(50) },
			{ op: 'add', text: '乙'.repeat(50) },
			{ op: 'same', text: '结尾' }
		]);
		// two long clauses of 2,000 characters each are within the default cap and finish quickly
		const long = (seed: number) =>
			Array.from({ length: 2000 }, (_, k) => '村民规约第条'[(k * seed) % 6]).join('');
		const started = performance.now();
		const parts = diffText(long(7), long(11));
		expect(oldSide(parts)).toBe(long(7));
		expect(newSide(parts)).toBe(long(11));
		expect(performance.now() - started).toBeLessThan(5_000);
	});
});

describe('diffClauses', () => {
	const c = (no: number, text: string, title = ''): Clause => ({ no, title, text });

	it('matches clauses by number and says what became of each', () => {
		const diff = diffClauses(
			[c(1, '爱党爱国。', '总则'), c(2, '彩礼不超过3万元。'), c(3, '丧事从简。')],
			[c(1, '爱党爱国。', '总则'), c(2, '彩礼不超过2万元。'), c(4, '禁止赌博。')]
		);
		expect(diff.map((d) => [d.no, d.kind])).toEqual([
			[1, 'unchanged'],
			[2, 'changed'],
			[3, 'removed'],
			[4, 'added']
		]);
		const changed = diff[1];
		if (changed.kind !== 'changed') throw new Error('clause 2 changed');
		expect(changed.from.text).toBe('彩礼不超过3万元。');
		expect(changed.to.text).toBe('彩礼不超过2万元。');
		expect(changed.titleParts).toEqual([]);
		expect(changed.textParts).toContainEqual({ op: 'del', text: '3' });
		expect(diffCounts(diff)).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 1 });
	});

	it('sees a changed title alone as a change', () => {
		const [d] = diffClauses([c(1, '同', '旧题')], [c(1, '同', '新题')]);
		expect(d.kind).toBe('changed');
		if (d.kind === 'changed') expect(d.textParts).toEqual([{ op: 'same', text: '同' }]);
	});

	it('covers every number once, in order, and each side’s clauses can be read back from it', () => {
		const clauses = fc
			.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 12 })
			.chain((nos) =>
				fc.tuple(
					...nos.map((no) =>
						fc.record({ no: fc.constant(no), title: chineseText, text: chineseText })
					)
				)
			);
		fc.assert(
			fc.property(clauses, clauses, (from, to) => {
				const diff = diffClauses(from, to);
				const all = [...new Set([...from, ...to].map((x) => x.no))].sort((p, q) => p - q);
				expect(diff.map((d) => d.no)).toEqual(all);
				const before = diff
					.filter((d) => d.kind !== 'added')
					.map((d) =>
						d.kind === 'changed'
							? { no: d.no, title: oldSide(d.titleParts), text: oldSide(d.textParts) }
							: { no: d.no, title: d.title, text: d.text }
					);
				const after = diff
					.filter((d) => d.kind !== 'removed')
					.map((d) =>
						d.kind === 'changed'
							? { no: d.no, title: newSide(d.titleParts), text: newSide(d.textParts) }
							: { no: d.no, title: d.title, text: d.text }
					);
				const byNo = (xs: Clause[]) => [...xs].sort((p, q) => p.no - q.no);
				expect(before).toEqual(byNo(from));
				expect(after).toEqual(byNo(to));
				// a version compared with itself has nothing but unchanged clauses
				expect(diffClauses(to, to).every((d) => d.kind === 'unchanged')).toBe(true);
			}),
			{ numRuns: 200 }
		);
	});
});
