import type { TransactionKind } from '$lib/charity/vocab';
import { m } from '$lib/paraglide/messages';

export const fundKindLabel = (kind: 'project' | 'emergency') =>
	kind === 'project' ? m.fund_kind_project() : m.fund_kind_emergency();

export function entryKindLabel(kind: TransactionKind): string {
	switch (kind) {
		case 'donation':
			return m.fund_entry_donation();
		case 'contribution':
			return m.fund_entry_contribution();
		case 'disbursement':
			return m.fund_entry_disbursement();
		case 'payout':
			return m.fund_entry_payout();
		case 'reversal':
			return m.fund_entry_reversal();
	}
}

/** Fen as the yuan a form field shows: 3050 → '30.50'; text stays as typed. */
export function yuanInput(value: unknown): string {
	if (typeof value === 'number' && Number.isFinite(value)) return (value / 100).toFixed(2);
	return typeof value === 'string' ? value : '';
}
