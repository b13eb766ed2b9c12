import { z } from 'zod';
import { requireAnywhere, requireUser } from '$lib/server/access';
import * as audit from '$lib/server/audit';
import type { PageServerLoad } from './$types';

const filterSchema = z.object({
	actor: z.string().trim().max(64).optional().catch(undefined),
	entity: z.string().trim().max(40).optional().catch(undefined),
	action: z.string().trim().max(40).optional().catch(undefined),
	from: z.iso.date().optional().catch(undefined),
	to: z.iso.date().optional().catch(undefined),
	before: z.coerce.number().int().positive().optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	requireAnywhere(actor, 'audit.read');
	const f = filterSchema.parse(Object.fromEntries(event.url.searchParams));
	// dates are days in Asia/Shanghai
	const day = (d: string) => new Date(`${d}T00:00:00+08:00`);
	const page = await audit.listEntries(actor, {
		actor: f.actor || undefined,
		entity: f.entity || undefined,
		action: f.action || undefined,
		from: f.from ? day(f.from) : undefined,
		to: f.to ? new Date(day(f.to).getTime() + 24 * 3600 * 1000) : undefined,
		before: f.before
	});
	return { ...page, filter: f };
};
