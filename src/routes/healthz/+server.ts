import { json } from '@sveltejs/kit';
import { isReady } from '$lib/server/boot';
import { ping } from '$lib/server/health';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	// pages answer 503 until boot has migrated (and seeded): so does the health check
	const ready = isReady();
	const ok = ready && (await ping());
	return json(
		{ status: ok ? 'ok' : ready ? 'unavailable' : 'starting' },
		{ status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } }
	);
};
