import * as open311 from '$lib/server/services/open311';
import type { RequestHandler } from './$types';

// Open311 GeoReport v2: one request by its receipt number FW…, as a one-element list
export const GET: RequestHandler = async ({ params }) =>
	open311.respond(await open311.getRequest(params.id));
