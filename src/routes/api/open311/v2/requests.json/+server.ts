import * as open311 from '$lib/server/services/open311';
import type { RequestHandler } from './$types';

// Open311 GeoReport v2: requests without personal data, newest first, a 90-day window at most
export const GET: RequestHandler = async ({ url }) =>
	open311.respond(await open311.listRequests(url.searchParams));
