// Clause-by-clause comparison of two versions of a rule, for the diff view: clauses are matched
// by their number (第N条); within a changed clause, words (Latin letters and digits) and single
// characters (Chinese) are compared by their longest common subsequence. Pure: page and tests alike.

import type { Clause } from './vocab';

/** A run of text that both sides share, only the new side has, or only the old side had. */
export interface Part {
	op: 'same' | 'add' | 'del';
	text: string;
}

export type ClauseDiff =
	| { kind: 'unchanged'; no: number; title: string; text: string }
	| { kind: 'added'; no: number; title: string; text: string }
	| { kind: 'removed'; no: number; title: string; text: string }
	| {
			kind: 'changed';
			no: number;
			from: { title: string; text: string };
			to: { title: string; text: string };
			titleParts: Part[];
			textParts: Part[];
	  };

/**
 * The most cells of the LCS table we fill (old tokens × new tokens, after the common start and
 * end are set aside); beyond it a change is shown as the old text out and the new text in.
 */
export const maxDiffCells = 2_000_000;

/** Words of Latin letters or digits stay whole; everything else is one character (code point) a token. */
export function tokenize(text: string): string[] {
	return text.match(/[A-Za-z0-9]+|[\s\S]/gu) ?? [];
}

function push(parts: Part[], op: Part['op'], text: string) {
	if (!text) return;
	const last = parts[parts.length - 1];
	if (last && last.op === op) last.text += text;
	else parts.push({ op, text });
}

/**
 * What changed from `a` to `b`, as runs: the 'same' and 'del' runs in order make `a`, the
 * 'same' and 'add' runs make `b`. No empty run, no two neighbours with the same op.
 */
export function diffText(a: string, b: string, maxCells = maxDiffCells): Part[] {
	const x = tokenize(a);
	const y = tokenize(b);
	let start = 0;
	while (start < x.length && start < y.length && x[start] === y[start]) start++;
	let endX = x.length;
	let endY = y.length;
	while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
		endX--;
		endY--;
	}
	const parts: Part[] = [];
	push(parts, 'same', x.slice(0, start).join(''));
	const xs = x.slice(start, endX);
	const ys = y.slice(start, endY);
	const n = xs.length;
	const m = ys.length;
	if (n === 0 || m === 0 || n * m > maxCells) {
		push(parts, 'del', xs.join(''));
		push(parts, 'add', ys.join(''));
	} else {
		// lcs[i * (m + 1) + j]: the longest common subsequence of xs[i..] and ys[j..]
		const w = m + 1;
		const lcs = new Uint32Array((n + 1) * w);
		for (let i = n - 1; i >= 0; i--)
			for (let j = m - 1; j >= 0; j--)
				lcs[i * w + j] =
					xs[i] === ys[j]
						? lcs[(i + 1) * w + j + 1] + 1
						: Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
		let i = 0;
		let j = 0;
		while (i < n && j < m) {
			if (xs[i] === ys[j]) {
				push(parts, 'same', xs[i]);
				i++;
				j++;
			} else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
				push(parts, 'del', xs[i]);
				i++;
			} else {
				push(parts, 'add', ys[j]);
				j++;
			}
		}
		push(parts, 'del', xs.slice(i).join(''));
		push(parts, 'add', ys.slice(j).join(''));
	}
	push(parts, 'same', x.slice(endX).join(''));
	return parts;
}

/**
 * Every clause number of either version once, in order: added (only in `to`), removed (only in
 * `from`), unchanged, or changed with its title and text compared.
 */
export function diffClauses(from: readonly Clause[], to: readonly Clause[]): ClauseDiff[] {
	const a = new Map(from.map((c) => [c.no, c]));
	const b = new Map(to.map((c) => [c.no, c]));
	const numbers = [...new Set([...a.keys(), ...b.keys()])].sort((p, q) => p - q);
	return numbers.map((no): ClauseDiff => {
		const old = a.get(no);
		const now = b.get(no);
		if (!old) return { kind: 'added', no, title: now!.title, text: now!.text };
		if (!now) return { kind: 'removed', no, title: old.title, text: old.text };
		if (old.title === now.title && old.text === now.text)
			return { kind: 'unchanged', no, title: now.title, text: now.text };
		return {
			kind: 'changed',
			no,
			from: { title: old.title, text: old.text },
			to: { title: now.title, text: now.text },
			titleParts: diffText(old.title, now.title),
			textParts: diffText(old.text, now.text)
		};
	});
}

/** How many clauses of each kind a diff has, for its heading. */
export function diffCounts(diff: readonly ClauseDiff[]) {
	const counts = { added: 0, removed: 0, changed: 0, unchanged: 0 };
	for (const d of diff) counts[d.kind]++;
	return counts;
}
