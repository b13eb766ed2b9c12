import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// /governance is the rules: the place the rest of governance hangs from
export const load: PageServerLoad = () => {
	redirect(307, '/governance/rules');
};
