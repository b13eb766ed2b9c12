import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { aidCaseStatuses } from '$lib/charity/vocab';
import { canAnywhere, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import type { PageServerLoad } from './$types';

const querySchema = z.object({
	group: z.uuid().optional().catch(undefined),
	status: z.enum(aidCaseStatuses).optional().catch(undefined),
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined)
});

/** The 互助社 admin's cases, and for every named approver the cases waiting for their vote. */
export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const manages = canAnywhere(actor, 'aid.manage');
	const [groups, awaiting] = await Promise.all([
		manages ? charity.listAidGroups(actor) : Promise.resolve([]),
		charity.listAidCasesAwaitingVote(actor)
	]);
	if (groups.length === 0 && awaiting.length === 0 && !(await charity.isAidApprover(actor)))
		error(404, '页面不存在');
	const group = (q.group && groups.find((g) => g.organizationId === q.group)) || groups[0] || null;
	const cases = group
		? await charity.listAidCases(actor, group.organizationId, {
				before: q.before,
				status: q.status
			})
		: null;
	return {
		groups: groups.map((g) => ({ ...g, capFen: g.capFen === null ? null : Number(g.capFen) })),
		group: group
			? {
					...group,
					capFen: group.capFen === null ? null : Number(group.capFen),
					balance: group.balance === null ? null : Number(group.balance)
				}
			: null,
		cases,
		awaiting,
		status: q.status ?? '',
		before: q.before ?? null,
		saved: event.url.searchParams.get('ok')
	};
};
