import type { AppealStatus, PointsSource } from '$lib/governance/vocab';
import { m } from '$lib/paraglide/messages';

const sources: Record<PointsSource, () => string> = {
	award: () => m.points_source_award(),
	deduct: () => m.points_source_deduct(),
	redeem: () => m.points_source_redeem(),
	reversal: () => m.points_source_reversal(),
	activity: () => m.points_source_activity()
};
export const sourceLabel = (s: PointsSource) => sources[s]();

const appealStatuses: Record<AppealStatus, () => string> = {
	open: () => m.points_appeal_status_open(),
	upheld: () => m.points_appeal_status_upheld(),
	rejected: () => m.points_appeal_status_rejected()
};
export const appealStatusLabel = (s: AppealStatus) => appealStatuses[s]();

/** +5 / −10 as people write points. */
export const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');
