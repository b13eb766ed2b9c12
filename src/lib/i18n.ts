import { m } from '$lib/paraglide/messages';
import type { Role } from '$lib/schemas/roles';

/** Looks up a message by a key computed at run time (role names, kinds, menu labels). */
export function t(key: string, params: Record<string, string> = {}): string {
	const fn = (m as unknown as Record<string, ((p: Record<string, string>) => string) | undefined>)[
		key
	];
	return fn ? fn(params) : key;
}

export const roleLabel = (role: Role) => t(`role_${role}`);

/** A timestamp in Asia/Shanghai, whatever the server's or browser's zone. */
export function formatTime(value: Date | string | null | undefined): string {
	if (!value) return '';
	return new Intl.DateTimeFormat('zh-CN', {
		timeZone: 'Asia/Shanghai',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		hour12: false
	}).format(new Date(value));
}
