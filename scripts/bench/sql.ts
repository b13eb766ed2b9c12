// What the bench's bulk-data steps (volume.ts, services.ts, dashboard.ts) write their rows with:
// names, the ID check digit and the register's own conditions, as plain SQL for
// `insert … select … from generate_series`.
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { rIsEmployed, rIsLaborer } from '../../src/lib/server/settlements/shared';

/** Surnames of the bulk households (common in southern Jiangxi). */
export const surnames = '刘谢钟曾肖黄李陈管丁罗邱赖温宋朱袁张王杨易邹郭胡吴何林徐彭段范蓝孙廖卢';
/** Characters of given names. */
export const givenChars = '建国华明伟军平强春生金林海云福荣德文志勇俊浩宇斌芳秀英丽红玉兰桂凤霞梅';

/** A drizzle SQL fragment as plain SQL text, its parameters written as literals (fixed vocabularies only). */
export function inline(fragment: SQL): string {
	const q = new PgDialect().sqlToQuery(fragment);
	return q.sql.replace(/\$(\d+)/g, (_, i: string) => {
		const v = q.params[Number(i) - 1];
		if (typeof v === 'number') return String(v);
		if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
		throw new Error(`inline: unexpected parameter ${String(v)}`);
	});
}

/** `(array['a','b'])[1 + hash % 2]` for a fixed list of words. */
export const pickFrom = (words: readonly string[], hash: string) =>
	`(array[${words.map((w) => `'${w.replaceAll("'", "''")}'`).join(', ')}])[1 + ${hash} % ${words.length}]`;

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** SQL text: the GB 11643 check digit of a column `first17` holding the first 17 digits. */
export const checkDigitSql = `substr('10X98765432', 1 + (${idWeights.map((w, i) => `substr(first17, ${i + 1}, 1)::int * ${w}`).join(' + ')}) % 11, 1)`;

/** SQL text of the register's conditions on a resident `r`: employed, and a labourer. */
export const employedSql = inline(rIsEmployed);
export const laborerSql = inline(rIsLaborer);
