import { error, fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { capKeys } from '$lib/governance/vocab';
import { draftFormSchema, draftFromForm, draftToForm } from '$lib/schemas/governance-rules';
import { requireUser } from '$lib/server/access';
import * as rules from '$lib/server/governance/rules';
import type { Actions, PageServerLoad } from './$types';

/** How many blank rows the page adds under the clauses and the point items. */
const maxBlank = 20;

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const rule = await rules.getRule(actor, event.params.ruleId);
	// nothing to edit but the open draft, and only for those who manage the rule
	if (!rule.can.manage) error(404, '页面不存在');
	if (!rule.can.edit) redirect(303, `/governance/rules/${rule.id}`);
	const blank = Math.min(maxBlank, Math.max(1, Number(event.url.searchParams.get('blank')) || 1));
	const values = draftToForm(rule.current);
	values.clauseTitle.push(...Array<string>(blank).fill(''));
	values.clauseText.push(...Array<string>(blank).fill(''));
	values.itemCode.push('', '');
	values.itemLabel.push('', '');
	values.itemPoints.push('', '');
	return {
		rule: {
			id: rule.id,
			title: rule.title,
			kind: rule.kind,
			settlementName: rule.settlementName,
			versionId: rule.current.id,
			versionNo: rule.current.versionNo,
			hasCaps: rule.current.caps.length > 0,
			hasItems: rule.current.pointItems.length > 0
		},
		capKeys,
		form: await superValidate(values, zod4(draftFormSchema), { errors: false })
	};
};

export const actions: Actions = {
	save: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const versionId = String(data.get('versionId') ?? '');
		// 保存并增加一条: save, then come back with one blank clause more than was left blank
		const more = data.get('more') === '1';
		const form = await superValidate(data, zod4(draftFormSchema));
		if (!form.valid) return fail(400, { form });
		const result = await rules.updateDraft(actor, versionId, draftFromForm(form.data));
		if (!result.ok) return setError(form, '', result.message);
		const { ruleId } = event.params;
		if (more) {
			const blank = form.data.clauseText.filter(
				(t, i) => !t.trim() && !(form.data.clauseTitle[i] ?? '').trim()
			).length;
			redirect(303, `/governance/rules/${ruleId}/edit?blank=${Math.min(maxBlank, blank + 1)}#add`);
		}
		redirect(303, `/governance/rules/${ruleId}?ok=saved`);
	}
};
