import { error, fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { m } from '$lib/paraglide/messages';
import { cancelSchema, deliverySchema, pledgeSchemas, verifyNeedSchema } from '$lib/schemas/needs';
import { canAnywhere, isStaff, requireUser } from '$lib/server/access';
import * as charity from '$lib/server/charity';
import { describeFindings, formatQuantity } from '../../../../(public)/public/needs/words';
import type { Actions, PageServerLoad } from './$types';

/** One key per pledge form shown: a double click or a retry of it makes one pledge. */
const newKey = () => crypto.randomUUID().replaceAll('-', '');

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const saved = event.url.searchParams.get('ok');
	// staff of its scope and its household read the whole need
	if (canAnywhere(actor, 'need.read')) {
		const need = await charity.getNeed(actor, event.params.needId);
		return {
			view: 'need' as const,
			need,
			staff: isStaff(actor),
			verifyForm: need.can.verify
				? await superValidate(
						{ decision: 'publish' as const, title: need.title, publicDetail: need.publicDetail },
						zod4(verifyNeedSchema),
						{ id: 'verify', errors: false }
					)
				: null,
			saved
		};
	}
	// an organisation's member sees what the public sees, their own pledges, and the pledge form
	const organization = await charity.getPledgingOrganization(actor);
	if (!organization) error(404, '页面不存在');
	const need = await charity.getPublicNeed(event.params.needId);
	const [pledges, offers] = await Promise.all([
		charity.listPledges(actor, { needId: need.id }),
		organization.verified && need.status === 'published'
			? charity.listPledgeOffers(actor, need.kind)
			: Promise.resolve([])
	]);
	return {
		view: 'org' as const,
		need,
		organization,
		pledges: pledges.rows,
		offers,
		pledgeKey: newKey(),
		saved
	};
};

/** Back to the need after a change, so a reload never posts twice. */
const done = (needId: string, what: string, anchor = '') =>
	redirect(303, `/charity/needs/${needId}?ok=${what}${anchor}`);

/** A row's form failed: which pledge, and why, for the page to show beside it. */
const rowFailure = (pledgeId: string, message: string) => fail(400, { row: { pledgeId, message } });

export const actions: Actions = {
	verify: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(verifyNeedSchema), { id: 'verify' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.verifyNeed(
			actor,
			event.params.needId,
			form.data.decision === 'publish'
				? { publish: true, title: form.data.title, publicDetail: form.data.publicDetail }
				: { publish: false, reason: form.data.reason }
		);
		if (!result.ok) {
			if (result.reason === 'identifying')
				return setError(
					form,
					result.field,
					m.need_fail_identifying({ found: describeFindings(result.found) })
				);
			return setError(form, 'decision', m.need_fail_not_pending());
		}
		done(event.params.needId, result.status === 'published' ? 'verify' : 'reject');
	},
	cancel: async (event) => {
		const actor = requireUser(event);
		const form = await superValidate(event.request, zod4(cancelSchema), { id: 'cancel' });
		if (!form.valid) return fail(400, { form });
		const result = await charity.cancelNeed(actor, event.params.needId, form.data);
		if (!result.ok)
			return setError(
				form,
				'reason',
				result.reason === 'has_pledges' ? m.need_fail_has_pledges() : m.need_fail_closed()
			);
		redirect(303, '/charity/needs?ok=cancel');
	},
	pledge: async (event) => {
		const actor = requireUser(event);
		const need = await charity.getPublicNeed(event.params.needId);
		const data = await event.request.formData();
		// the amount as typed (yuan), to give back as it was: the form's data holds fen
		const typed = String(data.get('quantity') ?? '').slice(0, 20);
		const form = await superValidate(data, zod4(pledgeSchemas[need.kind]), { id: 'pledge' });
		if (!form.valid) return fail(400, { form, typed });
		const result = await charity.pledgeToNeed(actor, { needId: need.id, ...form.data });
		if (!result.ok) {
			const message = {
				no_organization: () => m.need_fail_no_organization(),
				unverified: () => m.need_fail_unverified(),
				closed: () => m.need_fail_pledge_closed(),
				quantity: () => m.need_fail_pledge_quantity(),
				offer: () => m.need_fail_offer(),
				offer_full: () => m.need_fail_offer_full(),
				exceeds: () =>
					m.need_fail_exceeds({
						remaining: formatQuantity(
							need.kind,
							'remaining' in result ? result.remaining : 0,
							need.unit
						)
					})
			}[result.reason]();
			setError(form, result.field === 'offerId' ? 'offerId' : 'quantity', message);
			return fail(400, { form, typed });
		}
		done(event.params.needId, 'pledge', '#pledges');
	},
	cancelPledge: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const pledgeId = String(data.get('pledgeId') ?? '');
		const result = await charity.cancelPledge(actor, pledgeId);
		if (!result.ok) return rowFailure(pledgeId, m.need_fail_not_pledged());
		done(event.params.needId, 'pledge_cancel', '#pledges');
	},
	deliver: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const pledgeId = String(data.get('pledgeId') ?? '');
		const parsed = deliverySchema.safeParse({ note: data.get('note') ?? '' });
		if (!parsed.success) return rowFailure(pledgeId, parsed.error.issues[0].message);
		const result = await charity.recordDelivery(actor, pledgeId, parsed.data);
		if (!result.ok)
			return rowFailure(
				pledgeId,
				result.reason === 'insufficient' ? m.need_fail_insufficient() : m.need_fail_not_pledged()
			);
		done(event.params.needId, 'deliver', '#pledges');
	},
	confirm: async (event) => {
		const actor = requireUser(event);
		const data = await event.request.formData();
		const pledgeId = String(data.get('pledgeId') ?? '');
		const result = await charity.confirmDelivery(actor, pledgeId);
		if (!result.ok) return rowFailure(pledgeId, m.need_fail_not_delivered());
		done(event.params.needId, 'confirm', '#pledges');
	}
};
