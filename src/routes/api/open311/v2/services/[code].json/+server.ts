import * as open311 from '$lib/server/services/open311';
import type { RequestHandler } from './$types';

// Open311 GeoReport v2: a service's definition (no attributes: metadata is false everywhere)
export const GET: RequestHandler = async ({ url, params }) =>
	open311.respond(await open311.getServiceDefinition(params.code, url.searchParams));
