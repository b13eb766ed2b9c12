import type { AidCaseStatus } from '$lib/charity/vocab';
import { m } from '$lib/paraglide/messages';

export function aidStatusLabel(status: AidCaseStatus): string {
	switch (status) {
		case 'paid_first':
			return m.aid_status_paid_first();
		case 'conference':
			return m.aid_status_conference();
		case 'approved':
			return m.aid_status_approved();
		case 'paid':
			return m.aid_status_paid();
		case 'rejected':
			return m.aid_status_rejected();
		case 'reviewed':
			return m.aid_status_reviewed();
	}
}
