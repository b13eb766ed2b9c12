import { describe, expect, it } from 'vitest';
import { idCheckChar, makeIdNumber, parseIdNumber } from './id-number';

// check characters worked out by hand: sum(digit × weight) mod 11 → '10X98765432'
//   11010519491231002X: 167 mod 11 = 2 → 'X' (the standard's own example)
//   360731199001011234: 239 mod 11 = 8 → '4'
//   360731200002290023: 229 mod 11 = 9 → '3'
//   440524188001010014: 195 mod 11 = 8 → '4'
const known = [
	['11010519491231002X', { regionCode: '110105', birthDate: '1949-12-31', gender: 'female' }],
	['360731199001011234', { regionCode: '360731', birthDate: '1990-01-01', gender: 'male' }],
	['360731200002290023', { regionCode: '360731', birthDate: '2000-02-29', gender: 'female' }]
] as const;

/** Replaces the check character so a test can break only the date, not the checksum. */
function withCheck(first17: string) {
	return first17 + idCheckChar(first17);
}

describe('idCheckChar', () => {
	it.each([...known.map(([id]) => id), '440524188001010014'])(
		'gives the last character of %s',
		(id) => {
			expect(idCheckChar(id.slice(0, 17))).toBe(id[17]);
		}
	);
});

describe('parseIdNumber', () => {
	it.each(known)('reads region, birth date and gender from %s', (id, info) => {
		expect(parseIdNumber(id)).toEqual(info);
	});

	it('accepts a lower-case x and surrounding spaces', () => {
		expect(parseIdNumber(' 11010519491231002x ')).toEqual(known[0][1]);
	});

	it('refuses a wrong check character', () => {
		expect(parseIdNumber('110105194912310021')).toBeNull();
		expect(parseIdNumber('360731199001011235')).toBeNull();
		expect(parseIdNumber('36073119900101123X')).toBeNull();
	});

	it('refuses a wrong length or a letter anywhere but last', () => {
		expect(parseIdNumber('')).toBeNull();
		expect(parseIdNumber('36073119900101123')).toBeNull();
		expect(parseIdNumber('3607311990010112345')).toBeNull();
		expect(parseIdNumber(withCheck('3607311990010X123'))).toBeNull();
		// the old 15-digit numbers are not accepted
		expect(parseIdNumber('360731900101123')).toBeNull();
	});

	it('refuses dates that do not exist, even with a valid checksum', () => {
		expect(parseIdNumber(withCheck('36073119900230123'))).toBeNull(); // 30 February
		expect(parseIdNumber(withCheck('36073119000229123'))).toBeNull(); // 1900 was no leap year
		expect(parseIdNumber(withCheck('36073119901301123'))).toBeNull(); // month 13
		expect(parseIdNumber(withCheck('36073119900000123'))).toBeNull(); // day 0
		expect(parseIdNumber(withCheck('36073119900431123'))).toBeNull(); // 31 April
		expect(parseIdNumber(withCheck('36073120040229123'))).not.toBeNull(); // 2004 was
	});

	it('refuses births before 1900 and after today', () => {
		expect(parseIdNumber('440524188001010014')).toBeNull();
		const today = new Date('2024-06-15T00:00:00Z');
		expect(parseIdNumber(withCheck('36073120240615123'), today)).not.toBeNull();
		expect(parseIdNumber(withCheck('36073120240616123'), today)).toBeNull();
		expect(parseIdNumber(withCheck('36073129990101123'))).toBeNull();
	});

	it('reads gender from the parity of the 17th digit', () => {
		for (let d = 0; d <= 9; d++) {
			const info = parseIdNumber(withCheck(`3607311990010112${d}`));
			expect(info?.gender).toBe(d % 2 === 1 ? 'male' : 'female');
		}
	});
});

describe('makeIdNumber', () => {
	it('builds the known numbers', () => {
		expect(makeIdNumber('110105', '1949-12-31', 2, 'female')).toBe('11010519491231002X');
		expect(makeIdNumber('360731000000', '1990-01-01', 123, 'male')).toBe('360731199001011234');
	});

	it('moves the sequence to the right parity for the gender', () => {
		expect(makeIdNumber('360731', '1990-01-01', 122, 'male').slice(14, 17)).toBe('123');
		expect(makeIdNumber('360731', '1990-01-01', 123, 'female').slice(14, 17)).toBe('124');
		expect(makeIdNumber('360731', '1990-01-01', 999, 'female').slice(14, 17)).toBe('000');
		expect(makeIdNumber('360731', '1990-01-01', 1_001, 'male').slice(14, 17)).toBe('001');
	});

	it('round-trips through parseIdNumber for many generated people', () => {
		// a fixed linear congruential generator: the same cases on every run
		let seed = 11643;
		const next = (n: number) => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed % n;
		};
		const start = Date.UTC(1900, 0, 1);
		const end = Date.UTC(2024, 0, 1);
		for (let i = 0; i < 500; i++) {
			const region = String(110000 + next(540000));
			const birthDate = new Date(start + next(Math.floor((end - start) / 86_400_000)) * 86_400_000)
				.toISOString()
				.slice(0, 10);
			const gender = next(2) === 0 ? 'male' : 'female';
			const id = makeIdNumber(region, birthDate, next(5000), gender);
			expect(id).toMatch(/^\d{17}[\dX]$/);
			expect(parseIdNumber(id), id).toEqual({ regionCode: region, birthDate, gender });
		}
	});
});
