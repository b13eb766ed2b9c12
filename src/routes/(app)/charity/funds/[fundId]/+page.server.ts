import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { disbursementSchema, donationSchema, reversalSchema } from '$lib/schemas/funds';
import { requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import { shanghaiDay } from '$lib/working-days';
import { newKey } from '../back';
import type { Actions, PageServerLoad } from './$types';

const querySchema = z.object({
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined),
	reverse: z.uuid().optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const q = querySchema.parse(Object.fromEntries(event.url.searchParams));
	const fund = await charity.getFund(actor, event.params.fundId, { before: q.before });
	const needs = fund.can.post ? await charity.listDisbursableNeeds(actor, fund.fund.id) : [];
	const reversing =
		fund.can.post && q.reverse
			? (fund.entries.find((e) => e.id === q.reverse && !e.reversedBy && e.kind !== 'reversal') ??
				null)
			: null;
	return {
		...fund,
		needs,
		reversing,
		before: q.before ?? null,
		keys: { donation: newKey(), disbursement: newKey() },
		today: shanghaiDay(),
		saved: event.url.searchParams.get('ok')
	};
};

const words = {
	unverified: () => m.fund_fail_unverified(),
	future: () => m.fund_fail_future(),
	insufficient: () => m.fund_fail_insufficient(),
	no_need: () => m.fund_fail_no_need(),
	personal: () => m.fund_fail_personal(),
	not_found: () => m.fund_fail_not_found(),
	already_reversed: () => m.fund_fail_already_reversed(),
	is_reversal: () => m.fund_fail_is_reversal()
};

const done = (fundId: string, what: string) => redirect(303, `/charity/funds/${fundId}?ok=${what}`);

export const actions: Actions = {
	donation: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(donationSchema), { id: 'donation' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.recordDonation(actor, event.params.fundId, form.data);
		if (!result.ok)
			return setError(
				form,
				(result.field ?? 'amount') as 'amount' | 'occurredOn' | 'memo',
				words[result.reason]()
			);
		done(event.params.fundId, 'donation');
	},
	disbursement: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(disbursementSchema), {
			id: 'disbursement'
		});
		if (!form.valid) return fail(400, { form });
		const result = await charity.recordDisbursement(actor, event.params.fundId, form.data);
		if (!result.ok)
			return setError(
				form,
				(result.field ?? 'amount') as 'amount' | 'occurredOn' | 'memo' | 'needId',
				words[result.reason]()
			);
		done(event.params.fundId, 'disbursement');
	},
	reverse: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(reversalSchema), { id: 'reverse' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.reverseEntry(actor, event.params.fundId, form.data);
		if (!result.ok)
			return setError(
				form,
				'reason',
				result.reason === 'insufficient'
					? m.fund_fail_reverse_insufficient()
					: words[result.reason]()
			);
		done(event.params.fundId, 'reversal');
	}
};
