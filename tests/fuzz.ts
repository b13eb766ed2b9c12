import { isHttpError } from '@sveltejs/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

// Building blocks of the fuzz specs: bad input as people and scripts post it; the check that a
// form's schema answers it in Chinese at a field, or takes it; and the check that a command fed
// whatever got through answers with a result, a typed failure or a 403/404 — never an exception
// (a 500). What differs between the specs (their table, their words, their limits) is passed to
// fuzzInputs; the rest stands here once.

/** Han characters: what a person is told is in Chinese. */
export const isCjk = /[\u3400-\u9fff]/;

/** An idempotency key as a form carries it. */
export const validKey = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);

/** A moment from `from` to `to` (ISO strings): a command's "now". */
export const momentBetween = (from: string, to: string) =>
	fc.date({ min: new Date(from), max: new Date(to), noInvalidDate: true });

/** A day from `from` to `to`, as a date field posts it (YYYY-MM-DD). */
export const dayBetween = (from: string, to: string) =>
	momentBetween(from, to).map((d) => d.toISOString().slice(0, 10));

/** A moment from `from` to `to`, as a datetime-local field posts it in Shanghai (YYYY-MM-DDTHH:mm). */
export const localTimeBetween = (from: string, to: string) =>
	momentBetween(from, to).map((d) =>
		new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16)
	);

/** Mostly one of the favourites of the pool (by index), sometimes any of it. */
export const pickMostly = <T>(
	pool: readonly T[],
	favourites: number[],
	[often, seldom]: [number, number] = [3, 2]
) =>
	fc
		.oneof(
			{ arbitrary: fc.constantFrom(...favourites), weight: often },
			{ arbitrary: fc.nat(), weight: seldom }
		)
		.map((i) => pool[i % pool.length]);

/** Words with NUL and lone surrogates, which PostgreSQL refuses (text and jsonb): both were 500s. */
export const odd = (words: string) => `${words}\u0000\ud800尾\udfff`;
/** The same words as they are kept: each of those replaced by U+FFFD. */
export const kept = (words: string) => `${words}\ufffd\ufffd尾\ufffd`;

// ---------------------------------------------------------------------------------------------
// what a form's schema says

/**
 * safeParse never throws; what it takes it takes again unchanged (unless `idempotent` is false);
 * a refusal says why at each issue, and for a posted form (`chinese`) says it in Chinese at a field.
 */
export function expectAnswered(
	schema: z.ZodType,
	input: unknown,
	{ chinese, idempotent = true }: { chinese: boolean; idempotent?: boolean }
) {
	const result = schema.safeParse(input);
	if (result.success) {
		if (idempotent) expect(schema.parse(result.data)).toEqual(result.data);
		return result;
	}
	expect(result.error.issues.length).toBeGreaterThan(0);
	for (const issue of result.error.issues) {
		expect(typeof issue.message).toBe('string');
		expect(issue.message.trim()).not.toBe('');
		expect(Array.isArray(issue.path)).toBe(true);
		if (chinese) {
			expect(issue.message, JSON.stringify(issue)).toMatch(isCjk);
			expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
		}
	}
	return result;
}

/** A form to fuzz: its schema and its fields, each with values a page might get. */
export type FuzzedForm = {
	schema: z.ZodType;
	fields: Record<string, fc.Arbitrary<unknown>>;
	/** The checkboxes: posted as booleans. */
	flags?: string[];
	/** The repeated fields: posted as lists of strings, at most this long. */
	lists?: Record<string, number>;
	/** More strings a list's items may be. */
	items?: fc.Arbitrary<string>[];
};

/** A record of the fields given, each given some value or left out. */
export const formOf = (fields: Record<string, fc.Arbitrary<unknown>>) =>
	fc.record(fields, { requiredKeys: [] });

const strings = (values: fc.Arbitrary<unknown>) =>
	values.filter((v): v is string => typeof v === 'string');

// ---------------------------------------------------------------------------------------------
// what a command says

/** How the fuzzed calls of one command ended, so a run that never reached the database fails. */
export type Tally = { refusedByForm: number; ok: number; failed: number; denied: number };
export const newTally = (): Tally => ({ refusedByForm: 0, ok: 0, failed: 0, denied: 0 });

/** Parsed input, or null when the schema refused it (the page answers 400 with field errors). */
export function parsed<S extends z.ZodType>(
	schema: S,
	input: unknown,
	tally: Tally
): z.output<S> | null {
	const result = schema.safeParse(input);
	if (!result.success) tally.refusedByForm++;
	return result.success ? result.data : null;
}

/** The fuzz got past the form and the access check, not only refused. */
export const expectReached = (tally: Tally) =>
	expect(tally.ok + tally.failed, JSON.stringify(tally)).toBeGreaterThan(0);

/**
 * The checks of a spec's commands. expectHandled: a command answers with a result, a typed
 * failure (its reason one of `reasons` when given, with a `field` and a Chinese `message` when
 * asked), or a 403/404; anything else fails. expectRead: a read answers, or says 403/404.
 */
export function commandChecks(failure: {
	reasons?: readonly string[];
	field?: boolean;
	message?: boolean;
}) {
	async function expectHandled<T>(p: Promise<T>, tally: Tally): Promise<T | null> {
		try {
			const result = await p;
			const r = result as { ok: boolean; reason?: unknown; field?: unknown; message?: unknown };
			expect(typeof r.ok).toBe('boolean');
			if (r.ok) tally.ok++;
			else {
				tally.failed++;
				expect(typeof r.reason).toBe('string');
				if (failure.reasons) expect(failure.reasons).toContain(r.reason);
				if (failure.field) expect(typeof r.field).toBe('string');
				if (failure.message) expect(r.message).toMatch(isCjk);
			}
			return result;
		} catch (e) {
			if (isHttpError(e) && (e.status === 403 || e.status === 404)) {
				tally.denied++;
				return null;
			}
			throw e;
		}
	}
	return {
		expectHandled,
		expectRead: (p: Promise<unknown>, tally: Tally) =>
			expectHandled(
				p.then(() => ({ ok: true })),
				tally
			)
	};
}

/** Runs `call` on `numRuns` draws of the arbitraries, counting how the calls ended. */
export async function fuzzCalls<Ts extends [unknown, ...unknown[]]>(
	numRuns: number,
	arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
	call: (tally: Tally, ...args: Ts) => Promise<unknown>
): Promise<Tally> {
	const tally = newTally();
	await fc.assert(
		fc.asyncProperty(...arbitraries, async (...args: Ts) => {
			await call(tally, ...args);
		}),
		{ numRuns }
	);
	return tally;
}

// ---------------------------------------------------------------------------------------------
// what people and scripts post

/** Strings that have broken forms before: NUL, controls, bidi, BOM, lone surrogates, emoji, SQL. */
const nastyStrings = [
	'\u0000',
	'\u0007',
	'\u001b[31m',
	'\u202e',
	'\ufeff',
	'\ud800',
	'\udfff',
	'😀',
	'👨‍👩‍👧‍👦',
	'\r\n',
	'\t',
	'　',
	'%',
	'_',
	'\\',
	'<script>alert(1)</script>',
	'../../etc/passwd',
	'NaN',
	'Infinity',
	'-1',
	'1e309',
	'0x1F'
];

/** Numbers that have broken forms before; a spec adds those at its own limits. */
const nastyNumbers = [0, 1, -1, 2.5, Number.MAX_SAFE_INTEGER + 2, 1e308];

export type FuzzOptions = {
	/** The spec's own table, for the SQL among the nasty strings. */
	table: string;
	/** More nasty strings, the spec's own: dates, codes, numbers and words its forms take. */
	nasty?: string[];
	/** Words its forms take, to hide nasty strings inside (with 'ok'). */
	words: string[];
	/** Numbers at its limits. */
	numbers?: number[];
	/** Lengths around its longest field's limit. */
	long: { minLength: number; maxLength: number };
	/** The longest text, in graphemes: 5,000 unless told. */
	longest?: number;
	/** Strings besides '' that a text now and then is exactly. */
	texts?: string[];
	/** Whether `anything` includes bigints: yes unless told. */
	bigInt?: boolean;
};

/** A spec's bad input: the arbitraries every fuzz spec draws from, and the form fuzz on them. */
export function fuzzInputs(options: FuzzOptions) {
	const nasty = fc.constantFrom(
		...nastyStrings,
		`'; drop table ${options.table}; --`,
		...(options.nasty ?? [])
	);

	/** Any string a form field may carry, up to `longest` graphemes. */
	const text = fc.oneof(
		fc.string({ maxLength: 30 }),
		fc.string({ unit: 'grapheme', maxLength: 60 }),
		fc.string({ unit: 'binary', maxLength: 200 }),
		fc.array(nasty, { maxLength: 8 }).map((parts) => parts.join('')),
		fc
			.tuple(
				fc.array(nasty, { minLength: 1, maxLength: 3 }),
				fc.string({ minLength: 1, maxLength: 40 })
			)
			.map(([parts, s]) => parts.join(s)),
		fc.string(options.long),
		fc.string({ unit: 'grapheme-composite', minLength: 1000, maxLength: options.longest ?? 5000 }),
		fc.uuid().map(String),
		fc.constantFrom('', ...(options.texts ?? []))
	);

	/** Words a form would take, with something nasty inside. */
	const spiked = fc
		.tuple(fc.array(nasty, { minLength: 1, maxLength: 3 }), fc.constantFrom(...options.words, 'ok'))
		.map(([parts, words]) => words + parts.join(words));

	/** A number as JSON or a script might send it: NaN, ±Infinity and -0 among them. */
	const number = fc.oneof(
		fc.integer(),
		fc.double(),
		fc.constantFrom(...nastyNumbers, ...(options.numbers ?? []))
	);

	/** Any JSON-ish value at all. */
	const anything: fc.Arbitrary<unknown> = fc.oneof(
		text,
		number,
		fc.boolean(),
		fc.constant(null),
		fc.constant(undefined),
		...(options.bigInt === false ? [] : [fc.bigInt()]),
		fc.array(fc.oneof(text, number), { maxLength: 4 }),
		fc.dictionary(fc.string({ maxLength: 5 }), text, { maxKeys: 3 })
	);

	/** A field's value as a page gets it: mostly text, sometimes a number or a flag, sometimes missing. */
	const field = (...valid: fc.Arbitrary<unknown>[]) =>
		fc.option(fc.oneof(...valid, text, number, fc.boolean()), { nil: undefined });

	/** Mostly words a form takes, with nasty characters inside; sometimes any text. */
	const words = fc.oneof({ arbitrary: spiked, weight: 5 }, { arbitrary: text, weight: 1 });

	/** Mostly one of the right values, sometimes something else. */
	const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = text) =>
		fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: other, weight: 1 });

	/** Now an id that exists, now one that does not, now not an id at all. */
	const idFrom = (pool: () => string[]) =>
		fc.oneof(
			{
				arbitrary: fc.nat().map((i) => pool()[i % Math.max(pool().length, 1)] ?? ''),
				weight: 8
			},
			{ arbitrary: fc.uuid().map(String), weight: 1 },
			{ arbitrary: text, weight: 1 }
		);

	/** Each of the fields given, any value at all or left out. */
	const anyOf = (fields: Record<string, unknown>) =>
		formOf(Object.fromEntries(Object.keys(fields).map((k) => [k, anything])));

	/**
	 * As a page gets a post through superforms: every field there (a missing one is given its
	 * default, '' or false), each a string but the flags (booleans) and the lists (of strings).
	 */
	const posted = ({ fields, flags = [], lists = {}, items = [] }: FuzzedForm) =>
		fc.record(
			Object.fromEntries(
				Object.keys(fields).map((k) => {
					if (flags.includes(k)) return [k, fc.boolean()];
					const one = fc.oneof(strings(fields[k]), text, spiked, fc.constant(''));
					if (!(k in lists)) return [k, one];
					return [k, fc.array(fc.oneof(one, ...items), { maxLength: lists[k] })];
				})
			)
		);

	/**
	 * For each form, in a describe of its name: a post as the page gets it is answered in Chinese
	 * at a field, or taken; a value of any type at any key is answered, never thrown on.
	 */
	function fuzzForms(
		forms: Record<string, FuzzedForm>,
		{ numRuns, idempotent }: { numRuns: number; idempotent?: boolean }
	) {
		describe.each(Object.entries(forms))('%s', (_name, form) => {
			it('answers a posted form in Chinese at a field, or takes it', () => {
				fc.assert(
					fc.property(posted(form), (input) => {
						expectAnswered(form.schema, input, { chinese: true, idempotent });
					}),
					{ numRuns }
				);
			});

			it('never throws on values of any type', () => {
				fc.assert(
					fc.property(
						fc.oneof(
							formOf(form.fields),
							anyOf(form.fields),
							fc.dictionary(fc.string({ maxLength: 12 }), anything, { maxKeys: 12 })
						),
						(input) => {
							expectAnswered(form.schema, input, { chinese: false, idempotent });
						}
					),
					{ numRuns }
				);
			});
		});
	}

	return {
		nasty,
		text,
		spiked,
		number,
		anything,
		field,
		words,
		mostly,
		idFrom,
		anyOf,
		posted,
		fuzzForms
	};
}
