import { m } from '$lib/paraglide/messages';

// The commands' refusals as the pages say them, at the field they belong to.

type FormField =
	| 'settlementId'
	| 'kind'
	| 'title'
	| 'place'
	| 'startsAt'
	| 'endsAt'
	| 'organizationId'
	| 'capacity'
	| 'pointsItemCode'
	| 'description';

/** A refusal of createActivity / updateActivity: the field and the words. */
export function activityFailure(reason: string): { field: FormField | ''; message: string } {
	switch (reason) {
		case 'times':
			return { field: 'startsAt', message: m.act_fail_times() };
		case 'capacity':
			return { field: 'capacity', message: m.act_fail_capacity() };
		case 'below_signups':
			return { field: 'capacity', message: m.act_fail_below_signups() };
		case 'organization':
			return { field: 'organizationId', message: m.act_fail_organization() };
		case 'points_item':
			return { field: 'pointsItemCode', message: m.act_fail_points_item() };
		default:
			// cancelled meanwhile: the whole form's error
			return { field: '', message: m.act_fail_cancelled() };
	}
}

/** Words for the refusals of sign-ups, check-ins and cancelling. */
export function actionFailure(reason: string): string {
	switch (reason) {
		case 'cancelled':
			return m.act_fail_cancelled();
		case 'ended':
			return m.act_fail_ended();
		case 'full':
			return m.act_fail_full();
		case 'not_member':
			return m.act_fail_not_member();
		case 'not_in_settlement':
			return m.act_fail_not_in_settlement();
		case 'household_ended':
			return m.act_fail_household_ended();
		case 'not_signed_up':
			return m.act_fail_not_signed_up();
		case 'started':
			return m.act_fail_started();
		case 'already':
			return m.act_fail_already();
		case 'not_open':
			return m.act_fail_not_open();
		case 'closed':
			return m.act_fail_closed();
		case 'has_participants':
			return m.act_fail_has_participants();
		default:
			return m.act_fail_other();
	}
}
