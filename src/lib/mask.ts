/** `360730199001011234` → `3607**********1234`: region prefix and last four only. */
export function maskIdNumber(id: string | null | undefined): string {
	if (!id) return '';
	if (id.length < 8) return '*'.repeat(id.length);
	return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}

/** `13812341234` → `138****1234`. */
export function maskPhone(phone: string | null | undefined): string {
	if (!phone) return '';
	if (phone.length < 7) return '*'.repeat(phone.length);
	return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** `张三丰` → `张**`: for lists seen by people who need no names. */
export function maskName(name: string | null | undefined): string {
	if (!name) return '';
	const chars = Array.from(name);
	return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}
