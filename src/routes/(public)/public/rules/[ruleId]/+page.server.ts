import * as rules from '$lib/server/governance/rules';
import type { PageServerLoad } from './$types';

// one adopted rule, open to all and printable; an earlier adopted version by ?v=
export const load: PageServerLoad = async (event) => {
	const v = event.url.searchParams.get('v') ?? undefined;
	return { rule: await rules.getPublicRule(event.params.ruleId, { versionId: v || undefined }) };
};
