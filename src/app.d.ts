import type { Actor } from '$lib/server/access';
import type { Session } from '$lib/server/auth/session';

declare global {
	namespace App {
		interface Locals {
			user: Actor | null;
			session: Session | null;
			elder: boolean;
		}
		interface Error {
			message: string;
			id?: string;
		}
	}
}

export {};
