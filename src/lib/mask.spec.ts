import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskName, maskPhone } from './mask';

describe('maskIdNumber', () => {
	it('shows the first four and last four of an 18-character number', () => {
		const masked = maskIdNumber('360730199001011234');
		expect(masked).toBe('3607**********1234');
		expect(masked).toHaveLength(18);
	});

	it('keeps a check character X', () => {
		expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
	});

	it('hides the birth date of an old 15-digit number too', () => {
		expect(maskIdNumber('360731900101123')).toBe('3607*******1123');
	});

	it('hides short values entirely and gives empty for nothing', () => {
		expect(maskIdNumber('1234567')).toBe('*******');
		expect(maskIdNumber('1')).toBe('*');
		expect(maskIdNumber('')).toBe('');
		expect(maskIdNumber(null)).toBe('');
		expect(maskIdNumber(undefined)).toBe('');
	});
});

describe('maskPhone', () => {
	it('shows the first three and last four of a mobile number', () => {
		expect(maskPhone('13812341234')).toBe('138****1234');
		expect(maskPhone('15800005678')).toBe('158****5678');
	});

	it('hides short values entirely and gives empty for nothing', () => {
		expect(maskPhone('123456')).toBe('******');
		expect(maskPhone('12')).toBe('**');
		expect(maskPhone('')).toBe('');
		expect(maskPhone(null)).toBe('');
		expect(maskPhone(undefined)).toBe('');
	});
});

describe('maskName', () => {
	it('keeps the surname only', () => {
		expect(maskName('张三丰')).toBe('张**');
		expect(maskName('欧阳娜娜')).toBe('欧***');
		expect(maskName('张')).toBe('张*');
		expect(maskName('')).toBe('');
		expect(maskName(null)).toBe('');
	});
});
