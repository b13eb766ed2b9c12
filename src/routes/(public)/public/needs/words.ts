// The words and figures of a need as people read them, shared by the public pages and the
// charity pages (which import them from here).
import type { Finding, FindingKind } from '$lib/charity/anonymise';
import { formatFen, type HelpKind } from '$lib/charity/vocab';
import { t } from '$lib/i18n';
import { m } from '$lib/paraglide/messages';

export const categoryLabel = (c: string) => t(`need_cat_${c}`);
export const kindLabel = (k: string) => t(`need_kind_${k}`);
export const statusLabel = (s: string) => t(`need_status_${s}`);
export const pledgeStatusLabel = (s: string) => t(`need_pledge_status_${s}`);
export const urgencyLabel = (u: number) => t(`need_urgency_${u}`);
export const foundLabel = (k: FindingKind) => t(`need_found_${k}`);

/** An amount in the need's own unit: ¥1,000.00, 3 床, 12 小时. */
export function formatQuantity(kind: HelpKind, quantity: number, unit = ''): string {
	if (kind === 'money') return m.need_yuan({ amount: formatFen(quantity) });
	if (kind === 'service_hours') return m.need_hours({ n: quantity.toLocaleString('zh-CN') });
	return m.need_pieces({ n: quantity.toLocaleString('zh-CN'), unit });
}

/** What the anonymiser found, for a message: 姓名「王小明」、门牌「3栋」. */
export function describeFindings(found: Finding[]): string {
	return found.map((f) => `${foundLabel(f.kind)}「${f.match}」`).join('、');
}

/** Pledged as a whole percentage of what is asked, 0–100. */
export function percent(part: number, whole: number): number {
	if (whole <= 0) return 0;
	return Math.min(100, Math.floor((part / whole) * 100));
}

/** A date string (YYYY-MM-DD) as people write it: 2026年3月9日. */
export function formatDay(day: string | null | undefined): string {
	if (!day) return '';
	const [y, mo, d] = day.split('-').map(Number);
	return `${y}年${mo}月${d}日`;
}
