/** The address of a group's page, keeping `?group=` only when the actor has more than one. */
export function groupHref(path: string, groupId: string, many: boolean, extra = ''): string {
	const params = [many ? `group=${groupId}` : '', extra].filter(Boolean).join('&');
	return params ? `${path}?${params}` : path;
}
