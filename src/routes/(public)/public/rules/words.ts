// The words of rules and 四议两公开 decisions as people read them, shared by the public pages and
// the governance pages (which import them from here).
import type { CapKey, DecisionStage, RuleKind, VersionStatus } from '$lib/governance/vocab';
import { t } from '$lib/i18n';
import { m } from '$lib/paraglide/messages';
import { capLimitText } from '$lib/schemas/governance-rules';

export { formatDay } from '../needs/words';

export const kindLabel = (k: RuleKind) => t(`rule_kind_${k}`);
export const versionStatusLabel = (s: VersionStatus) => t(`rule_status_${s}`);
export const stageLabel = (s: DecisionStage) => t(`decision_stage_${s}`);
export const decisionStatusLabel = (s: string) => t(`decision_status_${s}`);
export const capLabel = (k: CapKey) => t(`rule_cap_${k}`);

/** A cap's limit with its unit: 20,000 元, 10 桌. */
export function capValue(key: CapKey, limit: number): string {
	const n = key === 'bride_price' ? Number(capLimitText(key, limit)) : limit;
	return t(`rule_cap_unit_${key}`, { n: n.toLocaleString('zh-CN') });
}

/** 第3条 (or "Art. 3"). */
export const clauseLabel = (no: number) => m.rule_clause_no({ no: String(no) });

/** A signed points figure: +5, −10. */
export const pointsText = (n: number) => (n > 0 ? `+${n}` : `−${Math.abs(n)}`);
