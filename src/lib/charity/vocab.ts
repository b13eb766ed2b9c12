// shared by server and client: the words of the charity capability (GLOSSARY.md, Charity)

export const needCategories = [
	'medical',
	'schooling',
	'elder_care',
	'disability_aid',
	'housing_repair',
	'living_costs',
	'employment'
] as const;
export type NeedCategory = (typeof needCategories)[number];

/** What is given: money (in fen), goods (in pieces), or service hours. */
export const helpKinds = ['money', 'goods', 'service_hours'] as const;
export type HelpKind = (typeof helpKinds)[number];

export const needStatuses = [
	'pending', // raised, waiting for staff to verify
	'published', // verified and open for pledges
	'funded', // pledged in full, waiting for delivery
	'delivered', // delivered in full and confirmed
	'rejected',
	'cancelled'
] as const;
export type NeedStatus = (typeof needStatuses)[number];

export const pledgeStatuses = ['pledged', 'delivered', 'confirmed', 'cancelled'] as const;
export type PledgeStatus = (typeof pledgeStatuses)[number];

/** 1 normal, 2 urgent, 3 critical (救急). */
export const urgencies = [1, 2, 3] as const;

export const fundKinds = ['project', 'emergency'] as const;

/** Kinds of ledger transaction; every one posts lines that sum to zero. */
export const transactionKinds = [
	'donation', // money in from a donor
	'contribution', // a 互助社 member's contribution
	'disbursement', // money out to a need
	'payout', // an emergency-aid case paid
	'reversal' // undoes an earlier transaction, never edited
] as const;
export type TransactionKind = (typeof transactionKinds)[number];

/** A fund's accounts: the money held, and where it came from and went to. */
export const ledgerAccounts = [
	'bank',
	'donations',
	'contributions',
	'disbursements',
	'payouts'
] as const;
export type LedgerAccount = (typeof ledgerAccounts)[number];

export const aidCaseStatuses = [
	'paid_first', // 先行救助: paid by one approver within the cap, paperwork to follow
	'conference', // 个案会商: waiting for N of M approvers
	'approved',
	'paid',
	'rejected',
	'reviewed'
] as const;
export type AidCaseStatus = (typeof aidCaseStatuses)[number];

/** Integer fen as yuan for people: 123456 → '1,234.56'. */
export function formatFen(fen: number): string {
	const sign = fen < 0 ? '-' : '';
	const abs = Math.abs(fen);
	const yuan = Math.floor(abs / 100).toLocaleString('en-US');
	return `${sign}${yuan}.${String(abs % 100).padStart(2, '0')}`;
}
