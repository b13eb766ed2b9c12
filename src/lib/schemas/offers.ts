import { z } from 'zod';
import { helpKinds, needCategories, type HelpKind } from '../charity/vocab';
import { yuanToFen } from './money';

// The offer form: flat, so it posts as a plain HTML form without JavaScript; create and edit share it.

export const maxOfferYuan = 10_000_000;
export const maxOfferUnits = 1_000_000;

/**
 * What a typed amount means for a kind of help: fen for money ('3,000.50' yuan → 300050),
 * pieces for goods, hours for service. Null when it is not a positive amount within the limits.
 */
export function offerQuantity(kind: HelpKind, amount: string): number | null {
	const text = amount.trim().replace(/[,，\s]/g, '');
	if (kind === 'money') {
		const fen = yuanToFen(text);
		return fen !== null && fen > 0 && fen <= maxOfferYuan * 100 ? fen : null;
	}
	if (!/^\d{1,7}$/.test(text)) return null;
	const n = Number(text);
	return n > 0 && n <= maxOfferUnits ? n : null;
}

/** Fen, pieces or hours as the form shows them again (money in yuan, without separators). */
export function amountText(kind: HelpKind, quantity: number): string {
	if (kind !== 'money') return String(quantity);
	const yuan = Math.floor(quantity / 100);
	const fen = quantity % 100;
	return fen === 0 ? String(yuan) : `${yuan}.${String(fen).padStart(2, '0')}`;
}

const amountMessage: Record<HelpKind, string> = {
	money: `金额须为大于 0 的元数，最多两位小数，不超过 ${maxOfferYuan.toLocaleString('en')} 元`,
	goods: `数量须为 1 到 ${maxOfferUnits.toLocaleString('en')} 之间的整数`,
	service_hours: `服务时长须为 1 到 ${maxOfferUnits.toLocaleString('en')} 之间的整数小时`
};

const isoDate = (label: string) =>
	z.iso.date({ error: `请填写${label}（YYYY-MM-DD）` }).refine((d) => {
		const y = Number(d.slice(0, 4));
		return y >= 2000 && y <= 2100;
	}, `${label}不在有效范围内`);

export const offerSchema = z
	.object({
		title: z.string().trim().min(4, '请填写资源名称（至少 4 个字）').max(60, '名称最多 60 个字'),
		description: z.string().trim().max(1000, '说明最多 1000 个字').default(''),
		kind: z.enum(helpKinds, { error: '请选择资源类型' }),
		// yuan for money, pieces for goods, hours for service
		amount: z.string({ error: '请填写数量' }).trim().min(1, '请填写数量').max(20, '数量格式不正确'),
		unit: z.string().trim().max(10, '单位最多 10 个字').default(''),
		categories: z
			.array(z.enum(needCategories, { error: '参数错误' }))
			.min(1, '请至少选择一类需求')
			.max(needCategories.length, '参数错误'),
		// counties or townships served; none means the organisation's own region
		regionIds: z
			.array(z.uuid({ error: '参数错误' }))
			.max(50, '服务地区最多 50 个')
			.default([]),
		validFrom: isoDate('开始日期'),
		validTo: isoDate('截止日期')
	})
	.superRefine((v, ctx) => {
		if (offerQuantity(v.kind, v.amount) === null)
			ctx.addIssue({ code: 'custom', path: ['amount'], message: amountMessage[v.kind] });
		if (v.kind === 'goods' && v.unit.length === 0)
			ctx.addIssue({
				code: 'custom',
				path: ['unit'],
				message: '请填写物资的单位（如 件、袋、台）'
			});
		if (v.validTo < v.validFrom)
			ctx.addIssue({ code: 'custom', path: ['validTo'], message: '截止日期不能早于开始日期' });
	});
export type OfferInput = z.infer<typeof offerSchema>;

/** The offer list's filter, read from the address bar. */
export const offerFilterSchema = z.object({
	status: z.enum(['live', 'closed', 'all']).catch('live'),
	after: z.string().max(80).optional().catch(undefined)
});
