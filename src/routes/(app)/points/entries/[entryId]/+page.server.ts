import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { appealSchema, reversalSchema } from '$lib/schemas/governance-points';
import { isStaff, requireUser } from '$lib/server/access';
import * as points from '$lib/server/governance/points';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const entry = await points.getEntry(actor, event.params.entryId);
	return {
		entry,
		staff: isStaff(actor),
		saved: event.url.searchParams.get('ok')
	};
};

const failures: Record<string, () => string> = {
	is_reversal: () => m.points_fail_is_reversal(),
	redemption: () => m.points_fail_redemption(),
	already_reversed: () => m.points_fail_already_reversed(),
	not_appealable: () => m.points_fail_not_appealable(),
	open_exists: () => m.points_fail_open_exists()
};

const done = (entryId: string, what: string) =>
	redirect(303, `/points/entries/${entryId}?ok=${what}`);

export const actions: Actions = {
	reverse: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(reversalSchema), { id: 'reverse' });
		if (!form.valid) return fail(400, { form });
		const result = await points.reverseEntry(actor, event.params.entryId, form.data);
		if (!result.ok) return setError(form, 'reason', failures[result.reason]());
		done(event.params.entryId, 'reverse');
	},
	appeal: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(appealSchema), { id: 'appeal' });
		if (!form.valid) return fail(400, { form });
		const result = await points.fileAppeal(actor, event.params.entryId, form.data);
		if (!result.ok) return setError(form, 'reason', failures[result.reason]());
		done(event.params.entryId, 'appeal');
	}
};
