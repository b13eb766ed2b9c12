import { isHttpError } from '@sveltejs/kit';

/** The HTTP status a command threw (404 for a denied read, 403 for a denied write), or null if it did not. */
export async function httpStatus(p: Promise<unknown>): Promise<number | null> {
	const e = await p.then(
		() => null,
		(e: unknown) => e
	);
	if (e !== null && !isHttpError(e)) throw e;
	return e === null ? null : e.status;
}
