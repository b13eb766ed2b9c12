/** Escapes LIKE's wildcards, so what a person typed is matched as typed. */
export function escapeLike(s: string): string {
	return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
