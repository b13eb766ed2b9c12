import { error } from '@sveltejs/kit';
import type { Actor } from '$lib/server/access';
import * as charity from '$lib/server/charity';

/**
 * The 互助社 a page is about: `?group=` when given, else the actor's first (most admins have one).
 * 404 when the actor manages none; the capability checks the given one again.
 */
export async function groupFor(actor: Actor, url: URL) {
	const groups = await charity.listAidGroups(actor);
	const wanted = url.searchParams.get('group');
	const group = wanted ? groups.find((g) => g.organizationId === wanted) : groups[0];
	if (!group) error(404, '页面不存在');
	return { group, groups };
}
