import { canAnywhere, hasRole, isStaff, type Actor } from './access';

export interface NavItem {
	href: string;
	/** message key in messages/*.json */
	label:
		| 'nav_home'
		| 'nav_services'
		| 'nav_messages'
		| 'nav_me'
		| 'nav_settlements'
		| 'nav_users'
		| 'nav_audit'
		| 'nav_account'
		| 'nav_needs'
		| 'nav_offers'
		| 'nav_matching'
		| 'nav_funds'
		| 'nav_aid'
		| 'nav_organizations'
		| 'nav_governance'
		| 'nav_points'
		| 'nav_activities'
		| 'nav_visits'
		| 'nav_risks'
		| 'nav_dashboard';
}

/**
 * The menu for the actor, from what they may do; each capability adds its entry here. A phone's
 * tab bar takes the first four for non-staff, so residents read 首页 · 办事 · 消息 · 我的; staff
 * have the header bell for messages.
 */
export function navFor(actor: Actor | null): NavItem[] {
	const items: NavItem[] = [{ href: '/', label: 'nav_home' }];
	if (!actor) return items;
	const staff = isStaff(actor);
	const services = canAnywhere(actor, 'service.read');
	if (!staff && services) items.push({ href: '/services', label: 'nav_services' });
	if (!staff) items.push({ href: '/notifications', label: 'nav_messages' });
	if (hasRole(actor, 'resident')) items.push({ href: '/me', label: 'nav_me' });
	// a county's (or the country's) dashboard; a point's own is on its settlement page
	if (
		actor.grants.some(
			(g) => g.scope !== 'settlement' && canAnywhere({ ...actor, grants: [g] }, 'dashboard.read')
		)
	)
		items.push({ href: '/dashboard', label: 'nav_dashboard' });
	if (staff && canAnywhere(actor, 'settlement.read'))
		items.push({ href: '/settlements', label: 'nav_settlements' });
	if (staff && services) items.push({ href: '/services', label: 'nav_services' });
	// charity: staff see their households' needs; organisations their offers, matching and funds
	const org = canAnywhere(actor, 'offer.manage');
	if ((staff && canAnywhere(actor, 'need.read')) || org)
		items.push({ href: '/charity/needs', label: 'nav_needs' });
	if (org) items.push({ href: '/charity/offers', label: 'nav_offers' });
	if (org || (staff && canAnywhere(actor, 'need.verify')))
		items.push({ href: '/charity/matching', label: 'nav_matching' });
	if (canAnywhere(actor, 'aid.manage'))
		items.push({ href: '/charity/aid-cases', label: 'nav_aid' });
	if (canAnywhere(actor, 'fund.read')) items.push({ href: '/charity/funds', label: 'nav_funds' });
	if (canAnywhere(actor, 'organization.verify') || hasRole(actor, 'org_member', 'mutual_aid_admin'))
		items.push({ href: '/charity/organizations', label: 'nav_organizations' });
	// governance: staff keep the rules, councils, decisions and points; residents reach theirs from 我的
	if (staff && canAnywhere(actor, 'rule.read'))
		items.push({ href: '/governance/rules', label: 'nav_governance' });
	if (canAnywhere(actor, 'points.read')) items.push({ href: '/points', label: 'nav_points' });
	// community work: activities for everyone at a point; visits and risk monitoring for staff
	if (canAnywhere(actor, 'activity.read'))
		items.push({ href: '/activities', label: 'nav_activities' });
	if (canAnywhere(actor, 'visit.read')) items.push({ href: '/visits', label: 'nav_visits' });
	if (canAnywhere(actor, 'risk.read')) items.push({ href: '/risks', label: 'nav_risks' });
	if (canAnywhere(actor, 'user.read')) items.push({ href: '/admin/users', label: 'nav_users' });
	if (canAnywhere(actor, 'audit.read')) items.push({ href: '/admin/audit', label: 'nav_audit' });
	items.push({ href: '/account', label: 'nav_account' });
	return items;
}
