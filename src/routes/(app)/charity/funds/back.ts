// The form a failed action sent back (superValidate's result), read by id: several forms share a
// page, and each gets its own values and errors back; every form works without JavaScript.
import { yuanInput } from '../../../(public)/public/funds/words';

type Errors = string[] | { _errors?: string[] } | Record<string, unknown> | undefined;

export interface Back {
	id: string;
	data: Record<string, unknown>;
	errors: Record<string, Errors>;
}

function firstError(e: unknown): string | undefined {
	if (!e) return undefined;
	if (Array.isArray(e)) return typeof e[0] === 'string' ? e[0] : undefined;
	if (typeof e === 'object') {
		const own = (e as { _errors?: string[] })._errors?.[0];
		if (own) return own;
		for (const v of Object.values(e as Record<string, unknown>)) {
			const inner = firstError(v);
			if (inner) return inner;
		}
	}
	return undefined;
}

/** Helpers over the returned form: its values (as typed) and its first error at each field. */
export function backOf(form: unknown) {
	const back = ((form as { form?: Back } | null | undefined)?.form ?? null) as Back | null;
	const mine = (id: string) => (back?.id === id ? back : null);
	return {
		/** the form with this id came back (it failed) */
		is: (id: string) => !!mine(id),
		value: (id: string, field: string, initial = ''): string => {
			const b = mine(id);
			if (!b) return initial;
			const v = b.data[field];
			return v === undefined || v === null ? '' : String(v);
		},
		/** a yuan field: the posted text, or the fen a valid value became shown as yuan */
		money: (id: string, field: string, initial = ''): string => {
			const b = mine(id);
			return b ? yuanInput(b.data[field]) : initial;
		},
		checked: (id: string, field: string, initial = false): boolean => {
			const b = mine(id);
			return b ? b.data[field] === true : initial;
		},
		list: (id: string, field: string, initial: string[] = []): string[] => {
			const b = mine(id);
			const v = b?.data[field];
			return b ? (Array.isArray(v) ? v.map(String) : []) : initial;
		},
		error: (id: string, field: string): string | undefined => firstError(mine(id)?.errors[field]),
		any: (id: string): boolean => {
			const b = mine(id);
			return !!b && Object.values(b.errors).some((e) => !!firstError(e));
		}
	};
}

/** One key per form shown: a double submit or a retry of it posts once. */
export const newKey = () => crypto.randomUUID().replaceAll('-', '');
