// The form a failed action sent back (superValidate's result), read by id: several forms share a
// page, and each gets its own values and errors back; every form works without JavaScript.

type Errors = string[] | { _errors?: string[] } | Record<string, unknown> | undefined;

interface Back {
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
		checked: (id: string, field: string, initial = false): boolean => {
			const b = mine(id);
			return b ? b.data[field] === true : initial;
		},
		error: (id: string, field: string): string | undefined => firstError(mine(id)?.errors[field]),
		any: (id: string): boolean => {
			const b = mine(id);
			return !!b && Object.values(b.errors).some((e) => !!firstError(e));
		}
	};
}

/** One key per form shown: a double submit or a retry of it acts once. */
export const newKey = () => crypto.randomUUID().replaceAll('-', '');

/** An address with some query parameters, leaving out the empty ones. */
export function withQuery(
	path: string,
	params: Record<string, string | number | null | undefined>
) {
	const q = new URLSearchParams(
		Object.entries(params)
			.filter(([, v]) => v !== null && v !== undefined && v !== '')
			.map(([k, v]) => [k, String(v)])
	).toString();
	return q ? `${path}?${q}` : path;
}
