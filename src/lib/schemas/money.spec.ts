import { describe, expect, it } from 'vitest';
import { yuanField, yuanToFen } from './money';

describe('yuanToFen', () => {
	it.each([
		['30', 3000],
		['30.5', 3050],
		['30.05', 3005],
		['1,000', 100000],
		['¥12.30', 1230],
		['0', 0]
	])('%s yuan is %i fen', (text, fen) => {
		expect(yuanToFen(text)).toBe(fen);
	});

	it.each(['', 'abc', '1.234', '-5', '1e3', '３０'])('refuses %j', (text) => {
		expect(yuanToFen(text)).toBeNull();
	});

	it('gives a Chinese message at the field for a bad or too large amount', () => {
		const field = yuanField('金额', 1000);
		expect(field.safeParse('12.5').data).toBe(1250);
		expect(field.safeParse('0').error?.issues[0].message).toContain('大于 0');
		expect(field.safeParse('1000.01').error?.issues[0].message).toContain('不能超过');
	});
});
