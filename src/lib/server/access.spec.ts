import { isHttpError } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { roles, type Role } from '$lib/schemas/roles';
import {
	can,
	canAnywhere,
	hasRole,
	isStaff,
	permissions,
	requireAnywhere,
	requirePermission,
	type Actor,
	type Grant,
	type Permission,
	type Resource
} from './access';

// A small world: county A holds settlements S1 (where each actor works) and S2; county B holds S3.
// Household H1 in S1 is the resident actor's own, H2 is their neighbour's in the same settlement.
const countyA = '/360000000000/360700000000/360731000000/';
const countyB = '/360000000000/360700000000/360732000000/';
const S1 = '00000000-0000-4000-8000-000000000001';
const S3 = '00000000-0000-4000-8000-000000000003';
const O1 = '00000000-0000-4000-8000-0000000000a1';
const O2 = '00000000-0000-4000-8000-0000000000a2';
const H1 = '00000000-0000-4000-8000-0000000000b1';
const H2 = '00000000-0000-4000-8000-0000000000b2';
const pathS1 = countyA + '360731100000/';
const pathS3 = countyB + '360732100000/';

/** The grant each role is given in this world: its scope kind, over S1, county A or O1. */
function grantFor(role: Role): Grant {
	switch (role) {
		case 'resident':
		case 'community_worker':
		case 'point_admin':
		case 'point_chief':
			return { role, scope: 'settlement', settlementId: S1, regionPath: pathS1 };
		case 'chief_of_points':
		case 'civil_affairs':
			return { role, scope: 'region', regionId: 'county-a', regionPath: countyA };
		case 'org_member':
		case 'mutual_aid_admin':
			return { role, scope: 'organization', organizationId: O1 };
		case 'system_admin':
			return { role, scope: 'global' };
	}
}

function actorWith(grants: Grant[], householdId: string | null = null): Actor {
	return { id: 'actor', username: 'actor', displayName: '测试', householdId, grants };
}

function actorFor(role: Role): Actor {
	return actorWith([grantFor(role)], role === 'resident' ? H1 : null);
}

// the columns of the table below
const resources = {
	/** a settlement (and its organisation) inside the actor's own scope */
	ownScope: { settlementId: S1, regionPath: pathS1, organizationId: O1 },
	/** the same in the other county */
	otherScope: { settlementId: S3, regionPath: pathS3, organizationId: O2 },
	/** the actor's own household (for a resident) in S1 */
	ownHousehold: { settlementId: S1, regionPath: pathS1, householdId: H1 },
	/** another household in S1 */
	otherHousehold: { settlementId: S1, regionPath: pathS1, householdId: H2 }
} satisfies Record<string, Resource>;

const Y = true;
const N = false;

// THE PERMISSION TABLE: every role × every permission, with the answer for each resource above.
// A new permission or role adds its rows here; the coverage test below fails until it does.
// prettier-ignore
const table: [Role, Permission, ownScope: boolean, otherScope: boolean, ownHousehold: boolean, otherHousehold: boolean][] = [
	// role               permission              own scope  other scope  own household  other household
	['resident',          'settlement.read',      Y,         N,           Y,             Y],
	['resident',          'household.read',       N,         N,           Y,             N],
	['resident',          'household.update',     N,         N,           N,             N],
	['resident',          'household.invite',     N,         N,           N,             N],
	['resident',          'person.reveal',        N,         N,           N,             N],
	['resident',          'organization.read',    N,         N,           N,             N],
	['resident',          'organization.verify',  N,         N,           N,             N],
	['resident',          'user.read',            N,         N,           N,             N],
	['resident',          'user.manage',          N,         N,           N,             N],
	['resident',          'settlement.manage',    N,         N,           N,             N],
	['resident',          'roster.manage',        N,         N,           N,             N],
	['resident',          'roster.post',          N,         N,           N,             N],
	['resident',          'household.import',     N,         N,           N,             N],
	['resident',          'household.export',     N,         N,           N,             N],
	['resident',          'correction.create',    N,         N,           Y,             N],
	['resident',          'compliance.read',      N,         N,           N,             N],
	['resident',          'audit.read',           N,         N,           N,             N],
	['resident',         'service.read',         N,         N,           Y,             N],
	['resident',         'service.file',         N,         N,           Y,             N],
	['resident',         'service.handle',       N,         N,           N,             N],
	['resident',         'service.internal',     N,         N,           N,             N],
	['resident',         'service.withdraw',     N,         N,           Y,             N],
	['resident',         'service.rate',         N,         N,           Y,             N],
	['resident',         'service.catalogue',    N,         N,           N,             N],
	['resident',         'need.read',            N,         N,           Y,             N],
	['resident',         'need.create',          N,         N,           Y,             N],
	['resident',         'need.verify',          N,         N,           N,             N],
	['resident',         'offer.manage',         N,         N,           N,             N],
	['resident',         'pledge.create',        N,         N,           N,             N],
	['resident',         'pledge.deliver',       N,         N,           N,             N],
	['resident',         'pledge.confirm',       N,         N,           Y,             N],
	['resident',         'fund.read',            N,         N,           N,             N],
	['resident',         'fund.entry.create',    N,         N,           N,             N],
	['resident',         'aid.manage',           N,         N,           N,             N],
	['resident',        'rule.read',           Y,         N,           Y,             Y],
	['resident',        'rule.manage',         N,         N,           N,             N],
	['resident',        'rule.comment',        Y,         N,           Y,             Y],
	['resident',        'council.read',        Y,         N,           Y,             Y],
	['resident',        'council.manage',      N,         N,           N,             N],
	['resident',        'council.vote',        Y,         N,           Y,             Y],
	['resident',        'decision.read',       N,         N,           N,             N],
	['resident',        'decision.manage',     N,         N,           N,             N],
	['resident',        'ceremony.read',       N,         N,           Y,             N],
	['resident',        'ceremony.file',       N,         N,           Y,             N],
	['resident',        'ceremony.review',     N,         N,           N,             N],
	['resident',        'points.read',         N,         N,           Y,             N],
	['resident',        'points.award',        N,         N,           N,             N],
	['resident',        'points.appeal',       N,         N,           Y,             N],
	['resident',        'points.appeal.decide', N,         N,           N,             N],
	['resident',        'shop.manage',         N,         N,           N,             N],
	['resident',        'shop.redeem',         N,         N,           Y,             N],
	['resident',        'activity.read',       Y,         N,           Y,             Y],
	['resident',        'activity.manage',     N,         N,           N,             N],
	['resident',        'activity.signup',     N,         N,           Y,             N],
	['resident',        'activity.checkin',    N,         N,           N,             N],
	['resident',        'visit.read',          N,         N,           N,             N],
	['resident',        'visit.record',        N,         N,           N,             N],
	['resident',        'visit.manage',        N,         N,           N,             N],
	['resident',        'risk.read',           N,         N,           N,             N],
	['resident',        'risk.report',         N,         N,           N,             N],
	['resident',        'risk.verify',         N,         N,           N,             N],
	['resident',        'risk.settings',       N,         N,           N,             N],
	['resident',        'report.read',         N,         N,           N,             N],
	['resident',        'report.submit',       N,         N,           N,             N],
	['resident',        'benefit.read',        N,         N,           N,             N],
	['resident',        'benefit.check',       N,         N,           N,             N],
	['resident',        'benefit.resolve',     N,         N,           N,             N],
	['resident',        'dashboard.read',      N,         N,           N,             N],

	['community_worker',  'settlement.read',      Y,         N,           Y,             Y],
	['community_worker',  'household.read',       Y,         N,           Y,             Y],
	['community_worker',  'household.update',     N,         N,           N,             N],
	['community_worker',  'household.invite',     N,         N,           N,             N],
	['community_worker',  'person.reveal',        N,         N,           N,             N],
	['community_worker',  'organization.read',    N,         N,           N,             N],
	['community_worker',  'organization.verify',  N,         N,           N,             N],
	['community_worker',  'user.read',            N,         N,           N,             N],
	['community_worker',  'user.manage',          N,         N,           N,             N],
	['community_worker',  'settlement.manage',    N,         N,           N,             N],
	['community_worker',  'roster.manage',        N,         N,           N,             N],
	['community_worker',  'roster.post',          N,         N,           N,             N],
	['community_worker',  'household.import',     N,         N,           N,             N],
	['community_worker',  'household.export',     N,         N,           N,             N],
	['community_worker',  'correction.create',    N,         N,           N,             N],
	['community_worker',  'compliance.read',      N,         N,           N,             N],
	['community_worker',  'audit.read',           N,         N,           N,             N],
	['community_worker', 'service.read',         Y,         N,           Y,             Y],
	['community_worker', 'service.file',         Y,         N,           Y,             Y],
	['community_worker', 'service.handle',       Y,         N,           Y,             Y],
	['community_worker', 'service.internal',     Y,         N,           Y,             Y],
	['community_worker', 'service.withdraw',     N,         N,           N,             N],
	['community_worker', 'service.rate',         N,         N,           N,             N],
	['community_worker', 'service.catalogue',    N,         N,           N,             N],
	['community_worker', 'need.read',            Y,         N,           Y,             Y],
	['community_worker', 'need.create',          Y,         N,           Y,             Y],
	['community_worker', 'need.verify',          N,         N,           N,             N],
	['community_worker', 'offer.manage',         N,         N,           N,             N],
	['community_worker', 'pledge.create',        N,         N,           N,             N],
	['community_worker', 'pledge.deliver',       N,         N,           N,             N],
	['community_worker', 'pledge.confirm',       Y,         N,           Y,             Y],
	['community_worker', 'fund.read',            N,         N,           N,             N],
	['community_worker', 'fund.entry.create',    N,         N,           N,             N],
	['community_worker', 'aid.manage',           N,         N,           N,             N],
	['community_worker', 'rule.read',           Y,         N,           Y,             Y],
	['community_worker', 'rule.manage',         N,         N,           N,             N],
	['community_worker', 'rule.comment',        N,         N,           N,             N],
	['community_worker', 'council.read',        Y,         N,           Y,             Y],
	['community_worker', 'council.manage',      N,         N,           N,             N],
	['community_worker', 'council.vote',        N,         N,           N,             N],
	['community_worker', 'decision.read',       Y,         N,           Y,             Y],
	['community_worker', 'decision.manage',     N,         N,           N,             N],
	['community_worker', 'ceremony.read',       Y,         N,           Y,             Y],
	['community_worker', 'ceremony.file',       Y,         N,           Y,             Y],
	['community_worker', 'ceremony.review',     N,         N,           N,             N],
	['community_worker', 'points.read',         Y,         N,           Y,             Y],
	['community_worker', 'points.award',        Y,         N,           Y,             Y],
	['community_worker', 'points.appeal',       N,         N,           N,             N],
	['community_worker', 'points.appeal.decide', N,         N,           N,             N],
	['community_worker', 'shop.manage',         N,         N,           N,             N],
	['community_worker', 'shop.redeem',         Y,         N,           Y,             Y],
	['community_worker', 'activity.read',       Y,         N,           Y,             Y],
	['community_worker', 'activity.manage',     Y,         N,           Y,             Y],
	['community_worker', 'activity.signup',     N,         N,           N,             N],
	['community_worker', 'activity.checkin',    Y,         N,           Y,             Y],
	['community_worker', 'visit.read',          Y,         N,           Y,             Y],
	['community_worker', 'visit.record',        Y,         N,           Y,             Y],
	['community_worker', 'visit.manage',        N,         N,           N,             N],
	['community_worker', 'risk.read',           Y,         N,           Y,             Y],
	['community_worker', 'risk.report',         Y,         N,           Y,             Y],
	['community_worker', 'risk.verify',         N,         N,           N,             N],
	['community_worker', 'risk.settings',       N,         N,           N,             N],
	['community_worker', 'report.read',         Y,         N,           Y,             Y],
	['community_worker', 'report.submit',       N,         N,           N,             N],
	['community_worker', 'benefit.read',        N,         N,           N,             N],
	['community_worker', 'benefit.check',       N,         N,           N,             N],
	['community_worker', 'benefit.resolve',     N,         N,           N,             N],
	['community_worker', 'dashboard.read',      Y,         N,           Y,             Y],

	['point_admin',       'settlement.read',      Y,         N,           Y,             Y],
	['point_admin',       'household.read',       Y,         N,           Y,             Y],
	['point_admin',       'household.update',     Y,         N,           Y,             Y],
	['point_admin',       'household.invite',     Y,         N,           Y,             Y],
	['point_admin',       'person.reveal',        Y,         N,           Y,             Y],
	['point_admin',       'organization.read',    N,         N,           N,             N],
	['point_admin',       'organization.verify',  N,         N,           N,             N],
	['point_admin',       'user.read',            N,         N,           N,             N],
	['point_admin',       'user.manage',          N,         N,           N,             N],
	['point_admin',       'settlement.manage',    N,         N,           N,             N],
	['point_admin',       'roster.manage',        N,         N,           N,             N],
	['point_admin',       'roster.post',          Y,         N,           Y,             Y],
	['point_admin',       'household.import',     Y,         N,           Y,             Y],
	['point_admin',       'household.export',     Y,         N,           Y,             Y],
	['point_admin',       'correction.create',    N,         N,           N,             N],
	['point_admin',       'compliance.read',      N,         N,           N,             N],
	['point_admin',       'audit.read',           N,         N,           N,             N],
	['point_admin',      'service.read',         Y,         N,           Y,             Y],
	['point_admin',      'service.file',         Y,         N,           Y,             Y],
	['point_admin',      'service.handle',       Y,         N,           Y,             Y],
	['point_admin',      'service.internal',     Y,         N,           Y,             Y],
	['point_admin',      'service.withdraw',     N,         N,           N,             N],
	['point_admin',      'service.rate',         N,         N,           N,             N],
	['point_admin',      'service.catalogue',    N,         N,           N,             N],
	['point_admin',      'need.read',            Y,         N,           Y,             Y],
	['point_admin',      'need.create',          Y,         N,           Y,             Y],
	['point_admin',      'need.verify',          Y,         N,           Y,             Y],
	['point_admin',      'offer.manage',         N,         N,           N,             N],
	['point_admin',      'pledge.create',        N,         N,           N,             N],
	['point_admin',      'pledge.deliver',       N,         N,           N,             N],
	['point_admin',      'pledge.confirm',       Y,         N,           Y,             Y],
	['point_admin',      'fund.read',            N,         N,           N,             N],
	['point_admin',      'fund.entry.create',    N,         N,           N,             N],
	['point_admin',      'aid.manage',           N,         N,           N,             N],
	['point_admin',     'rule.read',           Y,         N,           Y,             Y],
	['point_admin',     'rule.manage',         Y,         N,           Y,             Y],
	['point_admin',     'rule.comment',        N,         N,           N,             N],
	['point_admin',     'council.read',        Y,         N,           Y,             Y],
	['point_admin',     'council.manage',      Y,         N,           Y,             Y],
	['point_admin',     'council.vote',        Y,         N,           Y,             Y],
	['point_admin',     'decision.read',       Y,         N,           Y,             Y],
	['point_admin',     'decision.manage',     Y,         N,           Y,             Y],
	['point_admin',     'ceremony.read',       Y,         N,           Y,             Y],
	['point_admin',     'ceremony.file',       Y,         N,           Y,             Y],
	['point_admin',     'ceremony.review',     Y,         N,           Y,             Y],
	['point_admin',     'points.read',         Y,         N,           Y,             Y],
	['point_admin',     'points.award',        Y,         N,           Y,             Y],
	['point_admin',     'points.appeal',       N,         N,           N,             N],
	['point_admin',     'points.appeal.decide', Y,         N,           Y,             Y],
	['point_admin',     'shop.manage',         Y,         N,           Y,             Y],
	['point_admin',     'shop.redeem',         Y,         N,           Y,             Y],
	['point_admin',     'activity.read',       Y,         N,           Y,             Y],
	['point_admin',     'activity.manage',     Y,         N,           Y,             Y],
	['point_admin',     'activity.signup',     N,         N,           N,             N],
	['point_admin',     'activity.checkin',    Y,         N,           Y,             Y],
	['point_admin',     'visit.read',          Y,         N,           Y,             Y],
	['point_admin',     'visit.record',        Y,         N,           Y,             Y],
	['point_admin',     'visit.manage',        Y,         N,           Y,             Y],
	['point_admin',     'risk.read',           Y,         N,           Y,             Y],
	['point_admin',     'risk.report',         Y,         N,           Y,             Y],
	['point_admin',     'risk.verify',         Y,         N,           Y,             Y],
	['point_admin',     'risk.settings',       N,         N,           N,             N],
	['point_admin',     'report.read',         Y,         N,           Y,             Y],
	['point_admin',     'report.submit',       Y,         N,           Y,             Y],
	['point_admin',     'benefit.read',        Y,         N,           Y,             Y],
	['point_admin',     'benefit.check',       N,         N,           N,             N],
	['point_admin',     'benefit.resolve',     Y,         N,           Y,             Y],
	['point_admin',     'dashboard.read',      Y,         N,           Y,             Y],

	['point_chief',       'settlement.read',      Y,         N,           Y,             Y],
	['point_chief',       'household.read',       Y,         N,           Y,             Y],
	['point_chief',       'household.update',     N,         N,           N,             N],
	['point_chief',       'household.invite',     N,         N,           N,             N],
	['point_chief',       'person.reveal',        Y,         N,           Y,             Y],
	['point_chief',       'organization.read',    N,         N,           N,             N],
	['point_chief',       'organization.verify',  N,         N,           N,             N],
	['point_chief',       'user.read',            N,         N,           N,             N],
	['point_chief',       'user.manage',          N,         N,           N,             N],
	['point_chief',       'settlement.manage',    N,         N,           N,             N],
	['point_chief',       'roster.manage',        N,         N,           N,             N],
	['point_chief',       'roster.post',          Y,         N,           Y,             Y],
	['point_chief',       'household.import',     N,         N,           N,             N],
	['point_chief',       'household.export',     Y,         N,           Y,             Y],
	['point_chief',       'correction.create',    N,         N,           N,             N],
	['point_chief',       'compliance.read',      Y,         N,           Y,             Y],
	['point_chief',       'audit.read',           N,         N,           N,             N],
	['point_chief',      'service.read',         Y,         N,           Y,             Y],
	['point_chief',      'service.file',         Y,         N,           Y,             Y],
	['point_chief',      'service.handle',       Y,         N,           Y,             Y],
	['point_chief',      'service.internal',     Y,         N,           Y,             Y],
	['point_chief',      'service.withdraw',     N,         N,           N,             N],
	['point_chief',      'service.rate',         N,         N,           N,             N],
	['point_chief',      'service.catalogue',    N,         N,           N,             N],
	['point_chief',      'need.read',            Y,         N,           Y,             Y],
	['point_chief',      'need.create',          Y,         N,           Y,             Y],
	['point_chief',      'need.verify',          Y,         N,           Y,             Y],
	['point_chief',      'offer.manage',         N,         N,           N,             N],
	['point_chief',      'pledge.create',        N,         N,           N,             N],
	['point_chief',      'pledge.deliver',       N,         N,           N,             N],
	['point_chief',      'pledge.confirm',       Y,         N,           Y,             Y],
	['point_chief',      'fund.read',            N,         N,           N,             N],
	['point_chief',      'fund.entry.create',    N,         N,           N,             N],
	['point_chief',      'aid.manage',           N,         N,           N,             N],
	['point_chief',     'rule.read',           Y,         N,           Y,             Y],
	['point_chief',     'rule.manage',         Y,         N,           Y,             Y],
	['point_chief',     'rule.comment',        N,         N,           N,             N],
	['point_chief',     'council.read',        Y,         N,           Y,             Y],
	['point_chief',     'council.manage',      Y,         N,           Y,             Y],
	['point_chief',     'council.vote',        Y,         N,           Y,             Y],
	['point_chief',     'decision.read',       Y,         N,           Y,             Y],
	['point_chief',     'decision.manage',     Y,         N,           Y,             Y],
	['point_chief',     'ceremony.read',       Y,         N,           Y,             Y],
	['point_chief',     'ceremony.file',       Y,         N,           Y,             Y],
	['point_chief',     'ceremony.review',     Y,         N,           Y,             Y],
	['point_chief',     'points.read',         Y,         N,           Y,             Y],
	['point_chief',     'points.award',        Y,         N,           Y,             Y],
	['point_chief',     'points.appeal',       N,         N,           N,             N],
	['point_chief',     'points.appeal.decide', Y,         N,           Y,             Y],
	['point_chief',     'shop.manage',         Y,         N,           Y,             Y],
	['point_chief',     'shop.redeem',         Y,         N,           Y,             Y],
	['point_chief',     'activity.read',       Y,         N,           Y,             Y],
	['point_chief',     'activity.manage',     Y,         N,           Y,             Y],
	['point_chief',     'activity.signup',     N,         N,           N,             N],
	['point_chief',     'activity.checkin',    Y,         N,           Y,             Y],
	['point_chief',     'visit.read',          Y,         N,           Y,             Y],
	['point_chief',     'visit.record',        Y,         N,           Y,             Y],
	['point_chief',     'visit.manage',        Y,         N,           Y,             Y],
	['point_chief',     'risk.read',           Y,         N,           Y,             Y],
	['point_chief',     'risk.report',         Y,         N,           Y,             Y],
	['point_chief',     'risk.verify',         Y,         N,           Y,             Y],
	['point_chief',     'risk.settings',       N,         N,           N,             N],
	['point_chief',     'report.read',         Y,         N,           Y,             Y],
	['point_chief',     'report.submit',       Y,         N,           Y,             Y],
	['point_chief',     'benefit.read',        Y,         N,           Y,             Y],
	['point_chief',     'benefit.check',       N,         N,           N,             N],
	['point_chief',     'benefit.resolve',     Y,         N,           Y,             Y],
	['point_chief',     'dashboard.read',      Y,         N,           Y,             Y],

	['chief_of_points',   'settlement.read',      Y,         N,           Y,             Y],
	['chief_of_points',   'household.read',       Y,         N,           Y,             Y],
	['chief_of_points',   'household.update',     N,         N,           N,             N],
	['chief_of_points',   'household.invite',     N,         N,           N,             N],
	['chief_of_points',   'person.reveal',        N,         N,           N,             N],
	['chief_of_points',   'organization.read',    Y,         N,           Y,             Y],
	['chief_of_points',   'organization.verify',  N,         N,           N,             N],
	['chief_of_points',   'user.read',            N,         N,           N,             N],
	['chief_of_points',   'user.manage',          N,         N,           N,             N],
	['chief_of_points',   'settlement.manage',    Y,         N,           Y,             Y],
	['chief_of_points',   'roster.manage',        Y,         N,           Y,             Y],
	['chief_of_points',   'roster.post',          Y,         N,           Y,             Y],
	['chief_of_points',   'household.import',     N,         N,           N,             N],
	['chief_of_points',   'household.export',     Y,         N,           Y,             Y],
	['chief_of_points',   'correction.create',    N,         N,           N,             N],
	['chief_of_points',   'compliance.read',      Y,         N,           Y,             Y],
	['chief_of_points',   'audit.read',           N,         N,           N,             N],
	['chief_of_points',  'service.read',         Y,         N,           Y,             Y],
	['chief_of_points',  'service.file',         N,         N,           N,             N],
	['chief_of_points',  'service.handle',       N,         N,           N,             N],
	['chief_of_points',  'service.internal',     Y,         N,           Y,             Y],
	['chief_of_points',  'service.withdraw',     N,         N,           N,             N],
	['chief_of_points',  'service.rate',         N,         N,           N,             N],
	['chief_of_points',  'service.catalogue',    Y,         N,           Y,             Y],
	['chief_of_points',  'need.read',            Y,         N,           Y,             Y],
	['chief_of_points',  'need.create',          N,         N,           N,             N],
	['chief_of_points',  'need.verify',          Y,         N,           Y,             Y],
	['chief_of_points',  'offer.manage',         N,         N,           N,             N],
	['chief_of_points',  'pledge.create',        N,         N,           N,             N],
	['chief_of_points',  'pledge.deliver',       N,         N,           N,             N],
	['chief_of_points',  'pledge.confirm',       N,         N,           N,             N],
	['chief_of_points',  'fund.read',            Y,         N,           Y,             Y],
	['chief_of_points',  'fund.entry.create',    N,         N,           N,             N],
	['chief_of_points',  'aid.manage',           N,         N,           N,             N],
	['chief_of_points', 'rule.read',           Y,         N,           Y,             Y],
	['chief_of_points', 'rule.manage',         N,         N,           N,             N],
	['chief_of_points', 'rule.comment',        N,         N,           N,             N],
	['chief_of_points', 'council.read',        Y,         N,           Y,             Y],
	['chief_of_points', 'council.manage',      N,         N,           N,             N],
	['chief_of_points', 'council.vote',        N,         N,           N,             N],
	['chief_of_points', 'decision.read',       Y,         N,           Y,             Y],
	['chief_of_points', 'decision.manage',     N,         N,           N,             N],
	['chief_of_points', 'ceremony.read',       Y,         N,           Y,             Y],
	['chief_of_points', 'ceremony.file',       N,         N,           N,             N],
	['chief_of_points', 'ceremony.review',     N,         N,           N,             N],
	['chief_of_points', 'points.read',         Y,         N,           Y,             Y],
	['chief_of_points', 'points.award',        N,         N,           N,             N],
	['chief_of_points', 'points.appeal',       N,         N,           N,             N],
	['chief_of_points', 'points.appeal.decide', N,         N,           N,             N],
	['chief_of_points', 'shop.manage',         N,         N,           N,             N],
	['chief_of_points', 'shop.redeem',         N,         N,           N,             N],
	['chief_of_points', 'activity.read',       Y,         N,           Y,             Y],
	['chief_of_points', 'activity.manage',     N,         N,           N,             N],
	['chief_of_points', 'activity.signup',     N,         N,           N,             N],
	['chief_of_points', 'activity.checkin',    N,         N,           N,             N],
	['chief_of_points', 'visit.read',          Y,         N,           Y,             Y],
	['chief_of_points', 'visit.record',        N,         N,           N,             N],
	['chief_of_points', 'visit.manage',        N,         N,           N,             N],
	['chief_of_points', 'risk.read',           Y,         N,           Y,             Y],
	['chief_of_points', 'risk.report',         Y,         N,           Y,             Y],
	['chief_of_points', 'risk.verify',         N,         N,           N,             N],
	['chief_of_points', 'risk.settings',       N,         N,           N,             N],
	['chief_of_points', 'report.read',         Y,         N,           Y,             Y],
	['chief_of_points', 'report.submit',       N,         N,           N,             N],
	['chief_of_points', 'benefit.read',        Y,         N,           Y,             Y],
	['chief_of_points', 'benefit.check',       N,         N,           N,             N],
	['chief_of_points', 'benefit.resolve',     N,         N,           N,             N],
	['chief_of_points', 'dashboard.read',      Y,         N,           Y,             Y],

	['civil_affairs',     'settlement.read',      Y,         N,           Y,             Y],
	['civil_affairs',     'household.read',       Y,         N,           Y,             Y],
	['civil_affairs',     'household.update',     N,         N,           N,             N],
	['civil_affairs',     'household.invite',     N,         N,           N,             N],
	['civil_affairs',     'person.reveal',        Y,         N,           Y,             Y],
	['civil_affairs',     'organization.read',    Y,         N,           Y,             Y],
	['civil_affairs',     'organization.verify',  Y,         N,           Y,             Y],
	['civil_affairs',     'user.read',            Y,         N,           Y,             Y],
	['civil_affairs',     'user.manage',          Y,         N,           Y,             Y],
	['civil_affairs',     'settlement.manage',    Y,         N,           Y,             Y],
	['civil_affairs',     'roster.manage',        Y,         N,           Y,             Y],
	['civil_affairs',     'roster.post',          Y,         N,           Y,             Y],
	['civil_affairs',     'household.import',     N,         N,           N,             N],
	['civil_affairs',     'household.export',     Y,         N,           Y,             Y],
	['civil_affairs',     'correction.create',    N,         N,           N,             N],
	['civil_affairs',     'compliance.read',      Y,         N,           Y,             Y],
	['civil_affairs',     'audit.read',           Y,         N,           Y,             Y],
	['civil_affairs',    'service.read',         Y,         N,           Y,             Y],
	['civil_affairs',    'service.file',         N,         N,           N,             N],
	['civil_affairs',    'service.handle',       N,         N,           N,             N],
	['civil_affairs',    'service.internal',     Y,         N,           Y,             Y],
	['civil_affairs',    'service.withdraw',     N,         N,           N,             N],
	['civil_affairs',    'service.rate',         N,         N,           N,             N],
	['civil_affairs',    'service.catalogue',    Y,         N,           Y,             Y],
	['civil_affairs',    'need.read',            Y,         N,           Y,             Y],
	['civil_affairs',    'need.create',          N,         N,           N,             N],
	['civil_affairs',    'need.verify',          Y,         N,           Y,             Y],
	['civil_affairs',    'offer.manage',         N,         N,           N,             N],
	['civil_affairs',    'pledge.create',        N,         N,           N,             N],
	['civil_affairs',    'pledge.deliver',       N,         N,           N,             N],
	['civil_affairs',    'pledge.confirm',       N,         N,           N,             N],
	['civil_affairs',    'fund.read',            Y,         N,           Y,             Y],
	['civil_affairs',    'fund.entry.create',    N,         N,           N,             N],
	['civil_affairs',    'aid.manage',           N,         N,           N,             N],
	['civil_affairs',   'rule.read',           Y,         N,           Y,             Y],
	['civil_affairs',   'rule.manage',         N,         N,           N,             N],
	['civil_affairs',   'rule.comment',        N,         N,           N,             N],
	['civil_affairs',   'council.read',        Y,         N,           Y,             Y],
	['civil_affairs',   'council.manage',      N,         N,           N,             N],
	['civil_affairs',   'council.vote',        N,         N,           N,             N],
	['civil_affairs',   'decision.read',       Y,         N,           Y,             Y],
	['civil_affairs',   'decision.manage',     N,         N,           N,             N],
	['civil_affairs',   'ceremony.read',       Y,         N,           Y,             Y],
	['civil_affairs',   'ceremony.file',       N,         N,           N,             N],
	['civil_affairs',   'ceremony.review',     N,         N,           N,             N],
	['civil_affairs',   'points.read',         Y,         N,           Y,             Y],
	['civil_affairs',   'points.award',        N,         N,           N,             N],
	['civil_affairs',   'points.appeal',       N,         N,           N,             N],
	['civil_affairs',   'points.appeal.decide', N,         N,           N,             N],
	['civil_affairs',   'shop.manage',         N,         N,           N,             N],
	['civil_affairs',   'shop.redeem',         N,         N,           N,             N],
	['civil_affairs',   'activity.read',       Y,         N,           Y,             Y],
	['civil_affairs',   'activity.manage',     N,         N,           N,             N],
	['civil_affairs',   'activity.signup',     N,         N,           N,             N],
	['civil_affairs',   'activity.checkin',    N,         N,           N,             N],
	['civil_affairs',   'visit.read',          Y,         N,           Y,             Y],
	['civil_affairs',   'visit.record',        N,         N,           N,             N],
	['civil_affairs',   'visit.manage',        N,         N,           N,             N],
	['civil_affairs',   'risk.read',           Y,         N,           Y,             Y],
	['civil_affairs',   'risk.report',         Y,         N,           Y,             Y],
	['civil_affairs',   'risk.verify',         Y,         N,           Y,             Y],
	['civil_affairs',   'risk.settings',       Y,         N,           Y,             Y],
	['civil_affairs',   'report.read',         Y,         N,           Y,             Y],
	['civil_affairs',   'report.submit',       N,         N,           N,             N],
	['civil_affairs',   'benefit.read',        Y,         N,           Y,             Y],
	['civil_affairs',   'benefit.check',       Y,         N,           Y,             Y],
	['civil_affairs',   'benefit.resolve',     Y,         N,           Y,             Y],
	['civil_affairs',   'dashboard.read',      Y,         N,           Y,             Y],

	['org_member',        'settlement.read',      N,         N,           N,             N],
	['org_member',        'household.read',       N,         N,           N,             N],
	['org_member',        'household.update',     N,         N,           N,             N],
	['org_member',        'household.invite',     N,         N,           N,             N],
	['org_member',        'person.reveal',        N,         N,           N,             N],
	['org_member',        'organization.read',    Y,         N,           N,             N],
	['org_member',        'organization.verify',  N,         N,           N,             N],
	['org_member',        'user.read',            N,         N,           N,             N],
	['org_member',        'user.manage',          N,         N,           N,             N],
	['org_member',        'settlement.manage',    N,         N,           N,             N],
	['org_member',        'roster.manage',        N,         N,           N,             N],
	['org_member',        'roster.post',          N,         N,           N,             N],
	['org_member',        'household.import',     N,         N,           N,             N],
	['org_member',        'household.export',     N,         N,           N,             N],
	['org_member',        'correction.create',    N,         N,           N,             N],
	['org_member',        'compliance.read',      N,         N,           N,             N],
	['org_member',        'audit.read',           N,         N,           N,             N],
	['org_member',       'service.read',         N,         N,           N,             N],
	['org_member',       'service.file',         N,         N,           N,             N],
	['org_member',       'service.handle',       N,         N,           N,             N],
	['org_member',       'service.internal',     N,         N,           N,             N],
	['org_member',       'service.withdraw',     N,         N,           N,             N],
	['org_member',       'service.rate',         N,         N,           N,             N],
	['org_member',       'service.catalogue',    N,         N,           N,             N],
	['org_member',       'need.read',            N,         N,           N,             N],
	['org_member',       'need.create',          N,         N,           N,             N],
	['org_member',       'need.verify',          N,         N,           N,             N],
	['org_member',       'offer.manage',         Y,         N,           N,             N],
	['org_member',       'pledge.create',        Y,         N,           N,             N],
	['org_member',       'pledge.deliver',       Y,         N,           N,             N],
	['org_member',       'pledge.confirm',       N,         N,           N,             N],
	['org_member',       'fund.read',            Y,         N,           N,             N],
	['org_member',       'fund.entry.create',    Y,         N,           N,             N],
	['org_member',       'aid.manage',           N,         N,           N,             N],
	['org_member',      'rule.read',           N,         N,           N,             N],
	['org_member',      'rule.manage',         N,         N,           N,             N],
	['org_member',      'rule.comment',        N,         N,           N,             N],
	['org_member',      'council.read',        N,         N,           N,             N],
	['org_member',      'council.manage',      N,         N,           N,             N],
	['org_member',      'council.vote',        N,         N,           N,             N],
	['org_member',      'decision.read',       N,         N,           N,             N],
	['org_member',      'decision.manage',     N,         N,           N,             N],
	['org_member',      'ceremony.read',       N,         N,           N,             N],
	['org_member',      'ceremony.file',       N,         N,           N,             N],
	['org_member',      'ceremony.review',     N,         N,           N,             N],
	['org_member',      'points.read',         N,         N,           N,             N],
	['org_member',      'points.award',        N,         N,           N,             N],
	['org_member',      'points.appeal',       N,         N,           N,             N],
	['org_member',      'points.appeal.decide', N,         N,           N,             N],
	['org_member',      'shop.manage',         N,         N,           N,             N],
	['org_member',      'shop.redeem',         N,         N,           N,             N],
	['org_member',      'activity.read',       N,         N,           N,             N],
	['org_member',      'activity.manage',     N,         N,           N,             N],
	['org_member',      'activity.signup',     N,         N,           N,             N],
	['org_member',      'activity.checkin',    N,         N,           N,             N],
	['org_member',      'visit.read',          N,         N,           N,             N],
	['org_member',      'visit.record',        N,         N,           N,             N],
	['org_member',      'visit.manage',        N,         N,           N,             N],
	['org_member',      'risk.read',           N,         N,           N,             N],
	['org_member',      'risk.report',         N,         N,           N,             N],
	['org_member',      'risk.verify',         N,         N,           N,             N],
	['org_member',      'risk.settings',       N,         N,           N,             N],
	['org_member',      'report.read',         N,         N,           N,             N],
	['org_member',      'report.submit',       N,         N,           N,             N],
	['org_member',      'benefit.read',        N,         N,           N,             N],
	['org_member',      'benefit.check',       N,         N,           N,             N],
	['org_member',      'benefit.resolve',     N,         N,           N,             N],
	['org_member',      'dashboard.read',      N,         N,           N,             N],

	['mutual_aid_admin',  'settlement.read',      N,         N,           N,             N],
	['mutual_aid_admin',  'household.read',       N,         N,           N,             N],
	['mutual_aid_admin',  'household.update',     N,         N,           N,             N],
	['mutual_aid_admin',  'household.invite',     N,         N,           N,             N],
	['mutual_aid_admin',  'person.reveal',        N,         N,           N,             N],
	['mutual_aid_admin',  'organization.read',    Y,         N,           N,             N],
	['mutual_aid_admin',  'organization.verify',  N,         N,           N,             N],
	['mutual_aid_admin',  'user.read',            N,         N,           N,             N],
	['mutual_aid_admin',  'user.manage',          N,         N,           N,             N],
	['mutual_aid_admin',  'settlement.manage',    N,         N,           N,             N],
	['mutual_aid_admin',  'roster.manage',        N,         N,           N,             N],
	['mutual_aid_admin',  'roster.post',          N,         N,           N,             N],
	['mutual_aid_admin',  'household.import',     N,         N,           N,             N],
	['mutual_aid_admin',  'household.export',     N,         N,           N,             N],
	['mutual_aid_admin',  'correction.create',    N,         N,           N,             N],
	['mutual_aid_admin',  'compliance.read',      N,         N,           N,             N],
	['mutual_aid_admin',  'audit.read',           N,         N,           N,             N],
	['mutual_aid_admin', 'service.read',         N,         N,           N,             N],
	['mutual_aid_admin', 'service.file',         N,         N,           N,             N],
	['mutual_aid_admin', 'service.handle',       N,         N,           N,             N],
	['mutual_aid_admin', 'service.internal',     N,         N,           N,             N],
	['mutual_aid_admin', 'service.withdraw',     N,         N,           N,             N],
	['mutual_aid_admin', 'service.rate',         N,         N,           N,             N],
	['mutual_aid_admin', 'service.catalogue',    N,         N,           N,             N],
	['mutual_aid_admin', 'need.read',            N,         N,           N,             N],
	['mutual_aid_admin', 'need.create',          N,         N,           N,             N],
	['mutual_aid_admin', 'need.verify',          N,         N,           N,             N],
	['mutual_aid_admin', 'offer.manage',         N,         N,           N,             N],
	['mutual_aid_admin', 'pledge.create',        N,         N,           N,             N],
	['mutual_aid_admin', 'pledge.deliver',       N,         N,           N,             N],
	['mutual_aid_admin', 'pledge.confirm',       N,         N,           N,             N],
	['mutual_aid_admin', 'fund.read',            Y,         N,           N,             N],
	['mutual_aid_admin', 'fund.entry.create',    Y,         N,           N,             N],
	['mutual_aid_admin', 'aid.manage',           Y,         N,           N,             N],
	['mutual_aid_admin', 'rule.read',           N,         N,           N,             N],
	['mutual_aid_admin', 'rule.manage',         N,         N,           N,             N],
	['mutual_aid_admin', 'rule.comment',        N,         N,           N,             N],
	['mutual_aid_admin', 'council.read',        N,         N,           N,             N],
	['mutual_aid_admin', 'council.manage',      N,         N,           N,             N],
	['mutual_aid_admin', 'council.vote',        N,         N,           N,             N],
	['mutual_aid_admin', 'decision.read',       N,         N,           N,             N],
	['mutual_aid_admin', 'decision.manage',     N,         N,           N,             N],
	['mutual_aid_admin', 'ceremony.read',       N,         N,           N,             N],
	['mutual_aid_admin', 'ceremony.file',       N,         N,           N,             N],
	['mutual_aid_admin', 'ceremony.review',     N,         N,           N,             N],
	['mutual_aid_admin', 'points.read',         N,         N,           N,             N],
	['mutual_aid_admin', 'points.award',        N,         N,           N,             N],
	['mutual_aid_admin', 'points.appeal',       N,         N,           N,             N],
	['mutual_aid_admin', 'points.appeal.decide', N,         N,           N,             N],
	['mutual_aid_admin', 'shop.manage',         N,         N,           N,             N],
	['mutual_aid_admin', 'shop.redeem',         N,         N,           N,             N],
	['mutual_aid_admin', 'activity.read',       N,         N,           N,             N],
	['mutual_aid_admin', 'activity.manage',     N,         N,           N,             N],
	['mutual_aid_admin', 'activity.signup',     N,         N,           N,             N],
	['mutual_aid_admin', 'activity.checkin',    N,         N,           N,             N],
	['mutual_aid_admin', 'visit.read',          N,         N,           N,             N],
	['mutual_aid_admin', 'visit.record',        N,         N,           N,             N],
	['mutual_aid_admin', 'visit.manage',        N,         N,           N,             N],
	['mutual_aid_admin', 'risk.read',           N,         N,           N,             N],
	['mutual_aid_admin', 'risk.report',         N,         N,           N,             N],
	['mutual_aid_admin', 'risk.verify',         N,         N,           N,             N],
	['mutual_aid_admin', 'risk.settings',       N,         N,           N,             N],
	['mutual_aid_admin', 'report.read',         N,         N,           N,             N],
	['mutual_aid_admin', 'report.submit',       N,         N,           N,             N],
	['mutual_aid_admin', 'benefit.read',        N,         N,           N,             N],
	['mutual_aid_admin', 'benefit.check',       N,         N,           N,             N],
	['mutual_aid_admin', 'benefit.resolve',     N,         N,           N,             N],
	['mutual_aid_admin', 'dashboard.read',      N,         N,           N,             N],

	['system_admin',      'settlement.read',      Y,         Y,           Y,             Y],
	['system_admin',      'household.read',       Y,         Y,           Y,             Y],
	['system_admin',      'household.update',     Y,         Y,           Y,             Y],
	['system_admin',      'household.invite',     Y,         Y,           Y,             Y],
	['system_admin',      'person.reveal',        Y,         Y,           Y,             Y],
	['system_admin',      'organization.read',    Y,         Y,           Y,             Y],
	['system_admin',      'organization.verify',  Y,         Y,           Y,             Y],
	['system_admin',      'user.read',            Y,         Y,           Y,             Y],
	['system_admin',      'user.manage',          Y,         Y,           Y,             Y],
	['system_admin',      'settlement.manage',    Y,         Y,           Y,             Y],
	['system_admin',      'roster.manage',        Y,         Y,           Y,             Y],
	['system_admin',      'roster.post',          Y,         Y,           Y,             Y],
	['system_admin',      'household.import',     Y,         Y,           Y,             Y],
	['system_admin',      'household.export',     Y,         Y,           Y,             Y],
	['system_admin',      'correction.create',    N,         N,           N,             N],
	['system_admin',      'compliance.read',      Y,         Y,           Y,             Y],
	['system_admin',      'audit.read',           Y,         Y,           Y,             Y],
	['system_admin',     'service.read',         Y,         Y,           Y,             Y],
	['system_admin',     'service.file',         Y,         Y,           Y,             Y],
	['system_admin',     'service.handle',       Y,         Y,           Y,             Y],
	['system_admin',     'service.internal',     Y,         Y,           Y,             Y],
	['system_admin',     'service.withdraw',     Y,         Y,           Y,             Y],
	['system_admin',     'service.rate',         N,         N,           N,             N],
	['system_admin',     'service.catalogue',    Y,         Y,           Y,             Y],
	['system_admin',     'need.read',            Y,         Y,           Y,             Y],
	['system_admin',     'need.create',          Y,         Y,           Y,             Y],
	['system_admin',     'need.verify',          Y,         Y,           Y,             Y],
	['system_admin',     'offer.manage',         Y,         Y,           Y,             Y],
	['system_admin',     'pledge.create',        Y,         Y,           Y,             Y],
	['system_admin',     'pledge.deliver',       Y,         Y,           Y,             Y],
	['system_admin',     'pledge.confirm',       N,         N,           N,             N],
	['system_admin',     'fund.read',            Y,         Y,           Y,             Y],
	['system_admin',     'fund.entry.create',    Y,         Y,           Y,             Y],
	['system_admin',     'aid.manage',           Y,         Y,           Y,             Y],
	['system_admin',    'rule.read',           Y,         Y,           Y,             Y],
	['system_admin',    'rule.manage',         Y,         Y,           Y,             Y],
	['system_admin',    'rule.comment',        N,         N,           N,             N],
	['system_admin',    'council.read',        Y,         Y,           Y,             Y],
	['system_admin',    'council.manage',      Y,         Y,           Y,             Y],
	['system_admin',    'council.vote',        Y,         Y,           Y,             Y],
	['system_admin',    'decision.read',       Y,         Y,           Y,             Y],
	['system_admin',    'decision.manage',     Y,         Y,           Y,             Y],
	['system_admin',    'ceremony.read',       Y,         Y,           Y,             Y],
	['system_admin',    'ceremony.file',       Y,         Y,           Y,             Y],
	['system_admin',    'ceremony.review',     Y,         Y,           Y,             Y],
	['system_admin',    'points.read',         Y,         Y,           Y,             Y],
	['system_admin',    'points.award',        Y,         Y,           Y,             Y],
	['system_admin',    'points.appeal',       N,         N,           N,             N],
	['system_admin',    'points.appeal.decide', Y,         Y,           Y,             Y],
	['system_admin',    'shop.manage',         Y,         Y,           Y,             Y],
	['system_admin',    'shop.redeem',         Y,         Y,           Y,             Y],
	['system_admin',    'activity.read',       Y,         Y,           Y,             Y],
	['system_admin',    'activity.manage',     Y,         Y,           Y,             Y],
	['system_admin',    'activity.signup',     N,         N,           N,             N],
	['system_admin',    'activity.checkin',    Y,         Y,           Y,             Y],
	['system_admin',    'visit.read',          Y,         Y,           Y,             Y],
	['system_admin',    'visit.record',        Y,         Y,           Y,             Y],
	['system_admin',    'visit.manage',        Y,         Y,           Y,             Y],
	['system_admin',    'risk.read',           Y,         Y,           Y,             Y],
	['system_admin',    'risk.report',         Y,         Y,           Y,             Y],
	['system_admin',    'risk.verify',         Y,         Y,           Y,             Y],
	['system_admin',    'risk.settings',       Y,         Y,           Y,             Y],
	['system_admin',    'report.read',         Y,         Y,           Y,             Y],
	['system_admin',    'report.submit',       Y,         Y,           Y,             Y],
	['system_admin',    'benefit.read',        Y,         Y,           Y,             Y],
	['system_admin',    'benefit.check',       Y,         Y,           Y,             Y],
	['system_admin',    'benefit.resolve',     Y,         Y,           Y,             Y],
	['system_admin',    'dashboard.read',      Y,         Y,           Y,             Y],
];

describe('the permission table', () => {
	it('has exactly one row for every role and every permission', () => {
		const keys = table.map(([role, permission]) => `${role} ${permission}`);
		const expected = roles.flatMap((r) => permissions.map((p) => `${r} ${p}`));
		expect(new Set(keys).size).toBe(keys.length);
		expect([...keys].sort()).toEqual([...expected].sort());
	});

	it.each(table)(
		'%s %s: own scope %s, other scope %s, own household %s, other household %s',
		(role, permission, ownScope, otherScope, ownHousehold, otherHousehold) => {
			const actor = actorFor(role);
			expect({
				ownScope: can(actor, permission, resources.ownScope),
				otherScope: can(actor, permission, resources.otherScope),
				ownHousehold: can(actor, permission, resources.ownHousehold),
				otherHousehold: can(actor, permission, resources.otherHousehold)
			}).toEqual({ ownScope, otherScope, ownHousehold, otherHousehold });
		}
	);

	it.each(table)('%s %s: canAnywhere agrees with the table', (role, permission, ...answers) => {
		expect(canAnywhere(actorFor(role), permission)).toBe(answers.some(Boolean));
	});
});

describe('can', () => {
	it('denies everything to nobody', () => {
		for (const p of permissions) {
			expect(can(null, p, resources.ownScope)).toBe(false);
			expect(can(undefined, p)).toBe(false);
			expect(canAnywhere(null, p)).toBe(false);
		}
	});

	it('denies everything to an actor without grants', () => {
		const actor = actorWith([], H1);
		for (const p of permissions) expect(can(actor, p, resources.ownHousehold)).toBe(false);
	});

	it('gives an actor with two grants the union of both', () => {
		const actor = actorWith([
			grantFor('community_worker'),
			{ role: 'org_member', scope: 'organization', organizationId: O2 }
		]);
		expect(can(actor, 'household.read', resources.otherHousehold)).toBe(true);
		expect(can(actor, 'organization.read', { organizationId: O2 })).toBe(true);
		expect(can(actor, 'organization.read', { organizationId: O1 })).toBe(false);
		expect(can(actor, 'household.read', resources.otherScope)).toBe(false);
	});

	it('matches a region by whole path segments, not by a string prefix', () => {
		const actor = actorFor('civil_affairs');
		// county code 3607311 would start with county A's path without the trailing slash
		const lookalike = '/360000000000/360700000000/3607310000001/';
		expect(can(actor, 'settlement.read', { regionPath: lookalike })).toBe(false);
		expect(can(actor, 'settlement.read', { regionPath: countyA })).toBe(true);
		expect(can(actor, 'settlement.read', { regionPath: countyA.slice(0, -1) })).toBe(false);
	});

	it('does not let a region grant reach a record without a region', () => {
		const actor = actorFor('civil_affairs');
		expect(can(actor, 'audit.read', {})).toBe(false);
		expect(can(actor, 'audit.read', { regionPath: null })).toBe(false);
		expect(can(actor, 'settlement.read', { settlementId: S1 })).toBe(false);
	});

	it("lets a resident reach their own user record but nobody else's", () => {
		const actor = actorFor('resident');
		expect(can(actor, 'household.read', { userId: actor.id })).toBe(true);
		expect(can(actor, 'household.read', { userId: 'someone-else' })).toBe(false);
	});
});

describe('roles', () => {
	it('counts the six staff roles as staff and no others', () => {
		const staff = roles.filter((r) => isStaff(actorFor(r)));
		expect(staff).toEqual([
			'community_worker',
			'point_admin',
			'point_chief',
			'chief_of_points',
			'civil_affairs',
			'system_admin'
		]);
	});

	it('hasRole checks any of the named roles', () => {
		const actor = actorFor('point_chief');
		expect(hasRole(actor, 'point_chief')).toBe(true);
		expect(hasRole(actor, 'resident', 'point_chief')).toBe(true);
		expect(hasRole(actor, 'point_admin')).toBe(false);
		expect(hasRole(null, 'point_chief')).toBe(false);
	});
});

/** The error a function throws; fails the test when it throws nothing. */
function thrown(fn: () => unknown): unknown {
	try {
		fn();
	} catch (e) {
		return e;
	}
	throw new Error('expected an error');
}

describe('requirePermission', () => {
	it('returns quietly when allowed', () => {
		const actor = actorFor('point_admin');
		expect(() =>
			requirePermission(actor, 'household.update', resources.otherHousehold, 'write')
		).not.toThrow();
		expect(() => requirePermission(actor, 'household.read', resources.ownScope)).not.toThrow();
	});

	it('answers a denied read with 404, so the record might as well not exist', () => {
		const e = thrown(() =>
			requirePermission(actorFor('point_admin'), 'household.read', resources.otherScope)
		);
		expect(isHttpError(e, 404)).toBe(true);
		expect(
			isHttpError(
				thrown(() => requirePermission(null, 'settlement.read', {})),
				404
			)
		).toBe(true);
	});

	it('answers a denied write with 403', () => {
		const e = thrown(() =>
			requirePermission(
				actorFor('community_worker'),
				'household.update',
				resources.otherHousehold,
				'write'
			)
		);
		expect(isHttpError(e, 403)).toBe(true);
		const outside = thrown(() =>
			requirePermission(actorFor('point_admin'), 'household.update', resources.otherScope, 'write')
		);
		expect(isHttpError(outside, 403)).toBe(true);
	});
});

describe('requireAnywhere', () => {
	it('passes an actor who holds the permission somewhere', () => {
		expect(() => requireAnywhere(actorFor('civil_affairs'), 'audit.read')).not.toThrow();
		expect(() => requireAnywhere(actorFor('system_admin'), 'user.manage', 'write')).not.toThrow();
	});

	it('answers 404 for a read and 403 for a write held nowhere', () => {
		expect(
			isHttpError(
				thrown(() => requireAnywhere(actorFor('point_admin'), 'audit.read')),
				404
			)
		).toBe(true);
		expect(
			isHttpError(
				thrown(() => requireAnywhere(actorFor('resident'), 'user.manage', 'write')),
				403
			)
		).toBe(true);
	});
});
