// GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit sequence (odd = male), check character.
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChars = '10X98765432';

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i];
	return checkChars[sum % 11];
}

export interface IdNumberInfo {
	regionCode: string;
	birthDate: string;
	gender: 'male' | 'female';
}

/** Parses an 18-character ID number; null when the format, date or checksum is wrong. */
export function parseIdNumber(value: string, today = new Date()): IdNumberInfo | null {
	const id = value.trim().toUpperCase();
	if (!/^\d{17}[\dX]$/.test(id)) return null;
	if (idCheckChar(id.slice(0, 17)) !== id[17]) return null;
	const y = Number(id.slice(6, 10));
	const m = Number(id.slice(10, 12));
	const d = Number(id.slice(12, 14));
	const date = new Date(Date.UTC(y, m - 1, d));
	if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
		return null;
	if (y < 1900 || date.getTime() > today.getTime()) return null;
	return {
		regionCode: id.slice(0, 6),
		birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
		gender: Number(id[16]) % 2 === 1 ? 'male' : 'female'
	};
}

/** Builds a checksum-valid ID number (for fictitious demo people). */
export function makeIdNumber(
	regionCode: string,
	birthDate: string,
	sequence: number,
	gender: 'male' | 'female'
): string {
	let seq = sequence % 1000;
	if ((seq % 2 === 1) !== (gender === 'male')) seq = (seq + 1) % 1000;
	const first17 =
		regionCode.slice(0, 6) + birthDate.replaceAll('-', '') + String(seq).padStart(3, '0');
	return first17 + idCheckChar(first17);
}
