import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import {
	amendSchema,
	attendanceSchema,
	ballotsOf,
	minutesSchema,
	resolutionSchema,
	votesSchema
} from '$lib/schemas/governance-councils';
import { requireUser } from '$lib/server/access';
import * as councils from '$lib/server/governance/councils';
import * as meetings from '$lib/server/governance/meetings';
import type { Actions, PageServerLoad } from './$types';

const querySchema = z.object({ q: z.string().trim().max(20).catch('') });

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const meeting = await meetings.getMeeting(actor, event.params.meetingId);
	const { q } = querySchema.parse(Object.fromEntries(event.url.searchParams));
	// residents sitting in: found in the settlement's register by those who keep the attendance
	const found =
		meeting.can.attendance && meeting.can.searchRegister && q
			? await councils.searchSettlementResidents(actor, meeting.council.settlementId, q)
			: null;
	return { meeting, q, found, saved: event.url.searchParams.get('ok') };
};

/** Back to the meeting after a change, so a reload never posts twice. */
const done = (meetingId: string, what: string) =>
	redirect(303, `/governance/meetings/${meetingId}?ok=${what}`);

/** A step's refusal, shown at the top of the page. */
const refused = (message: string) => fail(409, { refused: message });

export const actions: Actions = {
	attendance: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(attendanceSchema), { id: 'attendance' });
		if (!form.valid) return fail(400, { form });
		const result = await meetings.setAttendance(actor, event.params.meetingId, form.data);
		if (!result.ok)
			return setError(
				form,
				result.field === 'residentIds' ? 'residentIds._errors' : 'memberIds._errors',
				result.message
			);
		done(event.params.meetingId, 'attendance');
	},
	open: async (event) => {
		const actor = requireUser(event);
		const result = await meetings.openMeeting(actor, event.params.meetingId);
		if (!result.ok) return refused(result.message);
		done(event.params.meetingId, 'opened');
	},
	cancel: async (event) => {
		const actor = requireUser(event);
		const result = await meetings.cancelMeeting(actor, event.params.meetingId);
		if (!result.ok) return refused(result.message);
		done(event.params.meetingId, 'cancelled');
	},
	resolution: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(resolutionSchema), { id: 'resolution' });
		if (!form.valid) return fail(400, { form });
		const result = await meetings.addResolution(actor, event.params.meetingId, form.data);
		if (!result.ok) return setError(form, 'text', result.message);
		done(event.params.meetingId, 'resolution');
	},
	votes: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const resolutionId = String(data.get('resolutionId') ?? '');
		// one form per resolution on the page: the id says which one gets the errors back
		const form = await superValidate(data, zod4(votesSchema), { id: `votes-${resolutionId}` });
		if (!form.valid) return fail(400, { form });
		const result = await meetings.recordVotes(actor, form.data.resolutionId, {
			votes: ballotsOf(form.data.votes)
		});
		if (!result.ok) return setError(form, 'votes._errors', result.message);
		done(event.params.meetingId, 'votes');
	},
	close: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(minutesSchema), { id: 'close' });
		if (!form.valid) return fail(400, { form });
		const result = await meetings.closeMeeting(actor, event.params.meetingId, form.data);
		if (!result.ok) return setError(form, 'minutes', result.message);
		done(event.params.meetingId, 'closed');
	},
	amend: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(amendSchema), { id: 'amend' });
		if (!form.valid) return fail(400, { form });
		const result = await meetings.amendMeeting(actor, event.params.meetingId, form.data);
		if (!result.ok) return setError(form, 'note', result.message);
		done(event.params.meetingId, 'amended');
	}
};
