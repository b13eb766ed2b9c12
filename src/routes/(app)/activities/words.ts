import type { ActivityKind } from '$lib/activities/vocab';
import { t } from '$lib/i18n';
import { getLocale } from '$lib/paraglide/runtime';

// The words of the activity pages, looked up from the act_* messages.

export const kindLabel = (k: ActivityKind) => t(`act_kind_${k}`);

const zone = 'Asia/Shanghai';

/** A moment's day and time in Shanghai: 3月10日 周三 09:00. */
function dayTime(at: Date) {
	const locale = getLocale();
	const date = new Intl.DateTimeFormat(locale, {
		timeZone: zone,
		month: 'long',
		day: 'numeric'
	}).format(at);
	const weekday = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short' }).format(at);
	const day = `${date} ${weekday}`;
	const year = new Intl.DateTimeFormat(locale, { timeZone: zone, year: 'numeric' }).format(at);
	const time = new Intl.DateTimeFormat(locale, {
		timeZone: zone,
		hour: '2-digit',
		minute: '2-digit',
		hour12: false
	}).format(at);
	return { year, day, time };
}

/** When an activity runs, as people read it: 2027年 3月10日 周三 09:00–11:00. */
export function timeRange(startsAt: Date | string, endsAt: Date | string): string {
	const s = dayTime(new Date(startsAt));
	const e = dayTime(new Date(endsAt));
	const thisYear = dayTime(new Date()).year;
	const head = `${s.year === thisYear ? '' : s.year + ' '}${s.day} ${s.time}`;
	if (s.year === e.year && s.day === e.day) return `${head}–${e.time}`;
	return `${head} – ${e.year === s.year ? '' : e.year + ' '}${e.day} ${e.time}`;
}

/** A 'YYYY-MM' month as people read it: 2027年3月. */
export function monthLabel(month: string): string {
	return new Intl.DateTimeFormat(getLocale(), {
		timeZone: 'UTC',
		year: 'numeric',
		month: 'long'
	}).format(new Date(`${month}-01T00:00:00Z`));
}
