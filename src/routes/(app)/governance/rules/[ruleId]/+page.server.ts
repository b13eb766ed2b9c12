import { error, fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import {
	commentSchema,
	consultationSchema,
	diffQuerySchema,
	replySchema,
	versionActionSchema
} from '$lib/schemas/governance-rules';
import { requireUser } from '$lib/server/access';
import * as rules from '$lib/server/governance/rules';
import { shanghaiDay } from '$lib/working-days';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const { ruleId } = event.params;
	const v = event.url.searchParams.get('v') ?? undefined;
	const rule = await rules.getRule(actor, ruleId, { versionId: v || undefined });
	// the diff of any two versions, when both are asked for
	const q = diffQuerySchema.parse(Object.fromEntries(event.url.searchParams));
	const diff =
		q.from && q.to && rule.versions.length > 1
			? await rules.versionDiff(actor, ruleId, q.from, q.to)
			: null;
	return {
		rule,
		diff,
		diffFrom: q.from || rule.versions[1]?.id || '',
		diffTo: q.to || rule.versions[0]?.id || '',
		// the earliest end date a consultation may have
		tomorrow: dayAfter(shanghaiDay()),
		saved: event.url.searchParams.get('ok')
	};
};

function dayAfter(day: string): string {
	const t = new Date(day + 'T00:00:00Z');
	t.setUTCDate(t.getUTCDate() + 1);
	return t.toISOString().slice(0, 10);
}

/** Back to the rule (and the version acted on) after a change, so a reload never posts twice. */
const done = (ruleId: string, what: string, versionId?: string, anchor = '') =>
	redirect(
		303,
		`/governance/rules/${ruleId}?${versionId ? `v=${versionId}&` : ''}ok=${what}${anchor}`
	);

export const actions: Actions = {
	newVersion: async (event) => {
		const actor = requireUser(event);
		const result = await rules.newVersion(actor, event.params.ruleId);
		if (!result.ok) error(409, result.message);
		redirect(303, `/governance/rules/${event.params.ruleId}/edit`);
	},
	openConsultation: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(consultationSchema), { id: 'open' });
		if (!form.valid) return fail(400, { form });
		const result = await rules.openConsultation(actor, form.data.versionId, form.data);
		if (!result.ok)
			return setError(form, result.field === 'endsOn' ? 'endsOn' : '', result.message);
		done(event.params.ruleId, 'open', form.data.versionId);
	},
	withdraw: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(versionActionSchema), { id: 'withdraw' });
		if (!form.valid) return fail(400, { form });
		const result = await rules.withdrawVersion(actor, form.data.versionId);
		if (!result.ok) return setError(form, '', result.message);
		done(event.params.ruleId, 'withdraw', form.data.versionId);
	},
	comment: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		// one form per clause: the id says which one gets the errors back
		const no = String(data.get('clauseNo') ?? '');
		const id = /^\d{1,3}$/.test(no) ? `comment-${no}` : 'comment';
		const form = await superValidate(data, zod4(commentSchema), { id });
		if (!form.valid) return fail(400, { form });
		const result = await rules.commentOnClause(actor, form.data.versionId, {
			clauseNo: Number(form.data.clauseNo),
			body: form.data.body
		});
		if (!result.ok)
			return setError(form, result.field === 'clauseNo' ? 'clauseNo' : 'body', result.message);
		done(event.params.ruleId, 'comment', form.data.versionId, `#clause-${form.data.clauseNo}`);
	},
	reply: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const commentId = String(data.get('commentId') ?? '');
		const id = /^[0-9a-f-]{36}$/i.test(commentId) ? `reply-${commentId}` : 'reply';
		const form = await superValidate(data, zod4(replySchema), { id });
		if (!form.valid) return fail(400, { form });
		const result = await rules.replyToComment(actor, form.data.commentId, form.data);
		if (!result.ok) return setError(form, 'reply', result.message);
		const v = event.url.searchParams.get('v') ?? undefined;
		done(event.params.ruleId, 'reply', v || undefined);
	}
};
