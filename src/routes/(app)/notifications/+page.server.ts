import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { requireUser } from '$lib/server/access';
import * as notifications from '$lib/server/notifications';
import type { Actions, PageServerLoad } from './$types';

const querySchema = z.object({
	before: z.string().max(80).optional().catch(undefined),
	unread: z.literal('1').optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const page = await notifications.listNotifications(actor, {
		before: q.before,
		unread: q.unread === '1'
	});
	return {
		...page,
		unreadOnly: q.unread === '1',
		digest: await notifications.digestChosen(actor)
	};
};

export const actions: Actions = {
	/** Marks one read and follows its link, which must be a path inside the portal. */
	open: async (event) => {
		const actor = requireUser(event);
		const id = String((await event.request.formData()).get('id') ?? '');
		const { link } = await notifications.markRead(actor, id);
		if (link === null) return { read: id };
		if (!notifications.isInternalPath(link)) return fail(400, { error: m.notif_bad_link() });
		redirect(303, link);
	},
	/** 每条即时 or 每日汇总: the signed-in person's own choice for text and WeChat reminders. */
	digest: async (event) => {
		const actor = requireUser(event);
		const mode = String((await event.request.formData()).get('mode') ?? '');
		if (mode !== 'instant' && mode !== 'daily') return fail(400, { digestError: m.digest_bad() });
		await notifications.setDigest(actor, mode === 'daily');
		return { digestSaved: true };
	},
	readAll: async (event) => {
		const actor = requireUser(event);
		await notifications.markAllRead(actor);
		redirect(303, '/notifications');
	}
};
