import { z } from 'zod';

/** '30' / '30.5' / '30.50' / '1,000' → fen; null when it is not an amount of yuan with at most 2 decimals. */
export function yuanToFen(text: string): number | null {
	const t = text
		.trim()
		.replace(/[,，\s]/g, '')
		.replace(/^¥/, '');
	const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(t);
	if (!m) return null;
	return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** A form field of yuan that parses to a positive integer of fen, at most `maxYuan`. */
export function yuanField(label: string, maxYuan = 10_000_000) {
	return z
		.string({ error: `请填写${label}` })
		.trim()
		.min(1, `请填写${label}`)
		.max(20, `${label}格式不正确`)
		.transform((v, ctx) => {
			const fen = yuanToFen(v);
			if (fen === null || fen <= 0) {
				ctx.addIssue({ code: 'custom', message: `${label}须为大于 0 的金额，最多两位小数` });
				return z.NEVER;
			}
			if (fen > maxYuan * 100) {
				ctx.addIssue({
					code: 'custom',
					message: `${label}不能超过 ${maxYuan.toLocaleString()} 元`
				});
				return z.NEVER;
			}
			return fen;
		});
}
