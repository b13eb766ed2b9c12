import { canAnywhere, hasRole, isStaff, type Actor } from './access';

export interface NavItem {
	href: string;
	/** message key in messages/*.json */
	label: 'nav_home' | 'nav_me' | 'nav_settlements' | 'nav_users' | 'nav_audit' | 'nav_account';
}

/** The menu for the actor, from what they may do; each capability adds its entry here. */
export function navFor(actor: Actor | null): NavItem[] {
	const items: NavItem[] = [{ href: '/', label: 'nav_home' }];
	if (!actor) return items;
	if (hasRole(actor, 'resident')) items.push({ href: '/me', label: 'nav_me' });
	if (isStaff(actor) && canAnywhere(actor, 'settlement.read'))
		items.push({ href: '/settlements', label: 'nav_settlements' });
	if (canAnywhere(actor, 'user.read')) items.push({ href: '/admin/users', label: 'nav_users' });
	if (canAnywhere(actor, 'audit.read')) items.push({ href: '/admin/audit', label: 'nav_audit' });
	items.push({ href: '/account', label: 'nav_account' });
	return items;
}
