import type { CareGroup, VisitMode, Wellbeing } from '$lib/activities/vocab';
import type { DueBucket } from '$lib/activities/schedule';
import { t } from '$lib/i18n';

// The words of the care-visit pages, looked up from the visit_* messages.
export const groupLabel = (g: CareGroup) => t(`visit_group_${g}`);
export const modeLabel = (v: VisitMode) => t(`visit_mode_${v}`);
export const wellbeingLabel = (w: Wellbeing) => t(`visit_wb_${w}`);
export const bucketLabel = (b: DueBucket) => t(`visit_bucket_${b}`);
