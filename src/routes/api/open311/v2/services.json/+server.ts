import * as open311 from '$lib/server/services/open311';
import type { RequestHandler } from './$types';

// Open311 GeoReport v2: the catalogue, public; ?jurisdiction_id= a county's 12-digit code
export const GET: RequestHandler = async ({ url }) =>
	open311.respond(await open311.listServices(url.searchParams));
