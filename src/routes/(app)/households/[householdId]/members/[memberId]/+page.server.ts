import { error, fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { maskIdNumber, maskPhone } from '$lib/mask';
import { m } from '$lib/paraglide/messages';
import { endMembershipSchema, memberFormSchema } from '$lib/schemas/register';
import { requireUser } from '$lib/server/access';
import * as settlements from '$lib/server/settlements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const member = await settlements.getMemberForEdit(actor, event.params.memberId);
	// the member must belong to the household in the address
	if (member.householdId !== event.params.householdId) error(404, '页面不存在');
	const household = await settlements.getHousehold(actor, member.householdId);
	const today = new Date().toISOString().slice(0, 10);
	return {
		household: { id: household.id, headName: household.headName },
		member: {
			id: member.id,
			name: member.name,
			isHead: member.isHead,
			status: member.status,
			maskedId: maskIdNumber(member.idNumber),
			maskedPhone: maskPhone(member.phone)
		},
		others: household.members
			.filter((p) => p.status === 'active' && p.id !== member.id)
			.map((p) => ({ id: p.id, name: p.name, relation: p.relation })),
		form: await superValidate(
			{
				name: member.name,
				relation: member.relation,
				// full ID numbers and phones never go to the browser: blank keeps the registered one
				idNumber: '',
				gender: member.gender,
				birthDate: member.birthDate,
				phone: '',
				schooling: member.schooling ?? undefined,
				health: member.health ?? undefined,
				disabilityLevel: member.disabilityLevel ?? undefined,
				laborAbility: member.laborAbility ?? undefined,
				employment: member.employment ?? undefined,
				employer: member.employer ?? '',
				job: member.job ?? '',
				publicPost: member.publicPost ?? '',
				training: member.training ?? ''
			},
			zod4(memberFormSchema),
			{ errors: false }
		),
		endForm: await superValidate({ endedOn: today }, zod4(endMembershipSchema), { errors: false })
	};
};

export const actions: Actions = {
	save: async (event) => {
		const actor = requireUser(event);
		const member = await settlements.getMemberForEdit(actor, event.params.memberId);
		const posted = await event.request.formData();
		const keepId = !String(posted.get('idNumber') ?? '').trim();
		const keepPhone = !String(posted.get('phone') ?? '').trim();
		if (keepId) posted.set('idNumber', member.idNumber);
		if (keepPhone) posted.set('phone', member.phone ?? '');
		const form = await superValidate(posted, zod4(memberFormSchema));
		// what was kept goes back blank, as it came
		if (keepId) form.data.idNumber = '';
		if (keepPhone) form.data.phone = '';
		if (!form.valid) return fail(400, { form });
		if (keepId) form.data.idNumber = member.idNumber;
		if (keepPhone) form.data.phone = member.phone ?? '';
		const result = await settlements.updateMember(actor, event.params.memberId, form.data);
		if (keepId) form.data.idNumber = '';
		if (keepPhone) form.data.phone = '';
		if (!result.ok) {
			if (result.reason === 'already_member')
				return setError(form, 'idNumber', m.reg_already_member());
			if (result.reason === 'head_exists') return setError(form, 'relation', m.reg_head_exists());
			if (result.reason === 'head_relation')
				return setError(form, 'relation', m.reg_head_relation());
			return message(form, m.reg_ended(), { status: 400 });
		}
		redirect(303, `/households/${event.params.householdId}?saved=1`);
	},
	end: async (event) => {
		const actor = requireUser(event);
		const endForm = await superValidate(event.request, zod4(endMembershipSchema));
		if (!endForm.valid) return fail(400, { endForm });
		const result = await settlements.endMembership(actor, event.params.memberId, endForm.data);
		if (!result.ok) {
			if (result.reason === 'new_head_needed')
				return setError(endForm, 'newHeadId', m.reg_new_head_needed());
			return message(endForm, m.reg_ended(), { status: 400 });
		}
		redirect(303, `/households/${event.params.householdId}?saved=1`);
	}
};
