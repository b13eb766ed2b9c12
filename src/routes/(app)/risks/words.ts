import { t } from '$lib/i18n';
import type {
	DuplicateKind,
	DuplicateStatus,
	RegisterRule,
	RiskCategory,
	RiskLinkKind,
	RiskOutcome,
	RiskSource,
	RiskStatus
} from '$lib/activities/vocab';

// The words of risk monitoring, by the keys of the messages (risk_…)
export const categoryLabel = (c: RiskCategory) => t(`risk_cat_${c}`);
export const statusLabel = (s: RiskStatus) => t(`risk_status_${s}`);
export const outcomeLabel = (o: RiskOutcome) => t(`risk_outcome_${o}`);
export const sourceLabel = (s: RiskSource) => t(`risk_source_${s}`);
export const ruleLabel = (r: RegisterRule) => t(`risk_rule_${r}`);
export const linkLabel = (k: RiskLinkKind) => t(`risk_link_${k}`);
export const eventLabel = (e: string) => t(`risk_event_${e}`);
export const reportStateLabel = (s: string) => t(`risk_state_${s}`);
export const duplicateKindLabel = (k: DuplicateKind) => t(`risk_dup_kind_${k}`);
export const duplicateStatusLabel = (s: DuplicateStatus) => t(`risk_dup_status_${s}`);

/** 'YYYY-MM' moved by n months. */
export function shiftMonth(month: string, n: number): string {
	const [y, m] = month.split('-').map(Number);
	const i = y * 12 + (m - 1) + n;
	return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** '2026-03' as people say it: 2026年3月. */
export function monthWords(month: string): string {
	const [y, m] = month.split('-').map(Number);
	return t('risk_month', { year: String(y), month: String(m) });
}
