import { requireUser } from '$lib/server/access';
import * as services from '$lib/server/services';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireUser(event);
	const request = await services.getRequest(actor, event.params.requestId);
	return {
		request,
		qr: await services.receiptQr(`${event.url.origin}/services/${request.id}`),
		fresh: event.url.searchParams.get('new') === '1'
	};
};
