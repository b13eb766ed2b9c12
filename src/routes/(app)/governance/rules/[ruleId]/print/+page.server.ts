import { requireUser } from '$lib/server/access';
import * as rules from '$lib/server/governance/rules';
import type { PageServerLoad } from './$types';

// one version on paper: for the notice board (公示栏) or the meeting's papers
export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const v = event.url.searchParams.get('v') ?? undefined;
	const rule = await rules.getRule(actor, event.params.ruleId, { versionId: v || undefined });
	return {
		rule: {
			id: rule.id,
			title: rule.title,
			kind: rule.kind,
			settlementName: rule.settlementName,
			adoptedBy: rule.adoptedBy
		},
		version: {
			versionNo: rule.current.versionNo,
			status: rule.current.status,
			clauses: rule.current.clauses,
			caps: rule.current.caps,
			pointItems: rule.current.pointItems,
			adoptedOn: rule.current.adoptedOn,
			consultationEndsOn: rule.current.consultationEndsOn
		},
		printedAt: new Date()
	};
};
