import { t } from '$lib/i18n';
import { getLocale } from '$lib/paraglide/runtime';
import type { ConsentMethod, EventKind, RequestStatus, Step } from '$lib/services/workflow';

// The words and tones of the service pages, looked up from the svc_* messages.

export const statusLabel = (s: RequestStatus) => t(`svc_status_${s}`);
export const stepLabel = (s: Step) => t(`svc_step_${s}`);
export const eventLabel = (k: EventKind) => t(`svc_event_${k}`);
export const consentLabel = (c: ConsentMethod) => t(`svc_consent_${c}`);

/** The colour family of a status chip: new, running, waiting, done, closed without result. */
export function statusTone(s: RequestStatus): 'new' | 'run' | 'wait' | 'ok' | 'off' {
	switch (s) {
		case 'submitted':
			return 'new';
		case 'accepted':
		case 'in_progress':
			return 'run';
		case 'waiting_origin':
		case 'waiting_resident':
			return 'wait';
		case 'done':
			return 'ok';
		default:
			return 'off';
	}
}

/** A calendar day (`2026-12-03`) as people read it: 2026年12月3日. */
export function formatDay(day: string | null | undefined): string {
	if (!day) return '';
	return new Intl.DateTimeFormat(getLocale(), {
		timeZone: 'UTC',
		year: 'numeric',
		month: 'long',
		day: 'numeric'
	}).format(new Date(`${day}T00:00:00Z`));
}
