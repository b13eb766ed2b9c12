// shared by server and client: the role identifiers of DESIGN.md
export const roles = [
	'resident',
	'community_worker',
	'point_admin',
	'point_chief',
	'chief_of_points',
	'civil_affairs',
	'org_member',
	'mutual_aid_admin',
	'system_admin'
] as const;
export type Role = (typeof roles)[number];

/** The one kind of scope each role is granted over. */
export const roleScopeKind: Record<Role, 'global' | 'region' | 'settlement' | 'organization'> = {
	resident: 'settlement',
	community_worker: 'settlement',
	point_admin: 'settlement',
	point_chief: 'settlement',
	chief_of_points: 'region',
	civil_affairs: 'region',
	org_member: 'organization',
	mutual_aid_admin: 'organization',
	system_admin: 'global'
};
