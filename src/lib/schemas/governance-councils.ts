import { z } from 'zod';
import {
	ceremonyKinds,
	memberRoles,
	quorumRules,
	voteChoices,
	type CeremonyKind,
	type VoteChoice
} from '../governance/vocab';
import { shanghaiDay } from '../working-days';
import { yuanToFen } from './money';

// The forms of the four councils (四会), their meetings and the 红白事备案: flat, so each posts as
// a plain HTML form without JavaScript. Lists (ticked members, ballots) post as repeated fields.

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A day typed as YYYY-MM-DD, between 2000 and 2100. */
const isoDay = (label: string) =>
	z.iso.date({ error: `请填写${label}（YYYY-MM-DD）` }).refine((d) => {
		const y = Number(d.slice(0, 4));
		return y >= 2000 && y <= 2100;
	}, `${label}不在有效范围内`);

/** An optional id picked on the page: '' when none. */
const optionalId = z
	.string({ error: '参数错误' })
	.trim()
	.max(36, '参数错误')
	.refine((v) => v === '' || uuidPattern.test(v), '参数错误')
	.default('');

const idList = (max: number, tooMany: string) =>
	z
		.array(z.uuid({ error: '参数错误' }), { error: '参数错误' })
		.max(max, tooMany)
		.default([]);

// ---------------------------------------------------------------- councils and members

/** A council's name, quorum rule and standing rules (章程). */
export const councilSchema = z.object({
	name: z
		.string({ error: '请填写名称' })
		.trim()
		.min(2, '请填写名称（至少 2 个字）')
		.max(40, '名称最多 40 个字'),
	quorumRule: z.enum(quorumRules, { error: '请选择到会规则' }),
	charter: z.string({ error: '章程格式不正确' }).trim().max(5000, '章程最多 5000 个字').default('')
});
export type CouncilInput = z.infer<typeof councilSchema>;

/** Setting up a settlement's missing councils. */
export const establishSchema = z.object({
	settlementId: z.uuid({ error: '请选择安置点' })
});

/** A member for a term: a name, maybe a resident of the register and an account, a role. */
export const memberSchema = z
	.object({
		// may be left empty when a resident of the register is picked: the register's name is taken
		name: z.string({ error: '请填写成员姓名' }).trim().max(40, '姓名最多 40 个字').default(''),
		// picked from the settlement's register
		residentId: optionalId,
		// the login of the account that acts for the member (records votes); '' for none
		username: z
			.string({ error: '账号格式不正确' })
			.trim()
			.max(64, '账号最多 64 个字符')
			.default(''),
		role: z.enum(memberRoles, { error: '请选择职务' }),
		termStart: isoDay('任期开始日期'),
		termEnd: isoDay('任期结束日期')
	})
	.superRefine((v, ctx) => {
		if (v.name === '' && v.residentId === '')
			ctx.addIssue({
				code: 'custom',
				path: ['name'],
				message: '请填写成员姓名，或从台账中选择居民'
			});
		if (v.termEnd < v.termStart)
			ctx.addIssue({ code: 'custom', path: ['termEnd'], message: '任期结束日期不能早于开始日期' });
	});
export type MemberForm = z.infer<typeof memberSchema>;

/** Ending a member's term early (resigned, moved away). */
export const endTermSchema = z.object({
	memberId: z.uuid({ error: '参数错误' }),
	endedOn: isoDay('离任日期')
});

/** The council page's filter and register search, read from the address bar. */
export const councilFilterSchema = z.object({
	settlement: z.uuid().or(z.literal('')).catch(''),
	q: z.string().trim().max(20).catch('')
});

// ---------------------------------------------------------------- meetings

/** 'YYYY-MM-DDTHH:MM' as a datetime-local field posts it, read as Shanghai time. */
export const localTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/;

/** A datetime-local value as the moment it names in Asia/Shanghai; null when it is none. */
export function shanghaiMoment(value: string): Date | null {
	const m = localTimePattern.exec(value.trim());
	if (!m) return null;
	const [, y, mo, d, h, mi] = m.map(Number);
	if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59) return null;
	const at = new Date(Date.UTC(y, mo - 1, d, h - 8, mi));
	// 2026-02-30 rolls over: not a day
	const back = new Date(at.getTime() + 8 * 3600_000);
	if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return null;
	return at;
}

/** A moment as a datetime-local value in Shanghai time. */
export function localTimeValue(at: Date): string {
	return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

/** One line a item: the non-empty lines of a textarea. */
export function linesOf(text: string): string[] {
	return text
		.split(/\r?\n/)
		.map((l) => l.trim())
		.filter((l) => l.length > 0);
}

export const maxAgendaItems = 30;
export const maxGuests = 50;

/** Scheduling a meeting: title, when, where, the agenda one item a line. */
export const meetingSchema = z
	.object({
		title: z
			.string({ error: '请填写会议名称' })
			.trim()
			.min(2, '请填写会议名称（至少 2 个字）')
			.max(60, '会议名称最多 60 个字'),
		startsAt: z
			.string({ error: '请填写开会时间' })
			.trim()
			.max(20, '请填写开会时间')
			.refine((v) => shanghaiMoment(v) !== null, '请填写有效的开会时间'),
		place: z.string({ error: '地点格式不正确' }).trim().max(60, '地点最多 60 个字').default(''),
		agenda: z.string({ error: '议程格式不正确' }).trim().max(3000, '议程最多 3000 个字').default('')
	})
	.superRefine((v, ctx) => {
		const items = linesOf(v.agenda);
		if (items.length === 0)
			ctx.addIssue({ code: 'custom', path: ['agenda'], message: '请至少填写一项议程（每行一项）' });
		if (items.length > maxAgendaItems)
			ctx.addIssue({
				code: 'custom',
				path: ['agenda'],
				message: `议程最多 ${maxAgendaItems} 项`
			});
		if (items.some((i) => i.length > 200))
			ctx.addIssue({ code: 'custom', path: ['agenda'], message: '每项议程最多 200 个字' });
	});
export type MeetingForm = z.infer<typeof meetingSchema>;

/** Who is present: ticked members, residents sitting in, guests by name (one a line). */
export const attendanceSchema = z
	.object({
		memberIds: idList(200, '到会成员过多'),
		residentIds: idList(200, '列席居民过多'),
		guests: z
			.string({ error: '来宾格式不正确' })
			.trim()
			.max(2000, '来宾名单最多 2000 个字')
			.default('')
	})
	.superRefine((v, ctx) => {
		const names = linesOf(v.guests);
		if (names.length > maxGuests)
			ctx.addIssue({ code: 'custom', path: ['guests'], message: `来宾最多 ${maxGuests} 人` });
		if (names.some((n) => n.length > 40))
			ctx.addIssue({ code: 'custom', path: ['guests'], message: '每位来宾姓名最多 40 个字' });
	});

/** A resolution put to the meeting. */
export const resolutionSchema = z.object({
	text: z
		.string({ error: '请填写决议事项' })
		.trim()
		.min(2, '请填写决议事项（至少 2 个字）')
		.max(1000, '决议事项最多 1000 个字')
});

/** A ballot as the page posts it: 'memberId:choice', '' for a member not recorded now. */
const ballotPattern = new RegExp(
	`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(${voteChoices.join('|')})$`,
	'i'
);

/** The ballots of the posted strings, skipping the members left unrecorded. */
export function ballotsOf(votes: readonly string[]): { memberId: string; choice: VoteChoice }[] {
	return votes.flatMap((v) => {
		const m = ballotPattern.exec(v.trim());
		return m ? [{ memberId: m[1].toLowerCase(), choice: m[2] as VoteChoice }] : [];
	});
}

/** Recording members' votes on one resolution: one ballot per present member. */
export const votesSchema = z
	.object({
		resolutionId: z.uuid({ error: '参数错误' }),
		votes: z
			.array(z.string({ error: '参数错误' }).trim().max(60, '参数错误'), { error: '参数错误' })
			.max(200, '参数错误')
			.default([])
	})
	.superRefine((v, ctx) => {
		if (v.votes.some((s) => s !== '' && !ballotPattern.test(s)))
			ctx.addIssue({ code: 'custom', path: ['votes'], message: '表决选项不正确' });
		const ballots = ballotsOf(v.votes);
		if (ballots.length === 0)
			ctx.addIssue({ code: 'custom', path: ['votes'], message: '请至少记录一位成员的表决' });
		if (new Set(ballots.map((b) => b.memberId)).size !== ballots.length)
			ctx.addIssue({ code: 'custom', path: ['votes'], message: '每位成员只能投一票' });
	});

/** Closing a meeting: its minutes. */
export const minutesSchema = z.object({
	minutes: z
		.string({ error: '请填写会议记录' })
		.trim()
		.min(2, '闭会前请填写会议记录')
		.max(20000, '会议记录最多 20000 个字')
});

/** A visible note amending a closed meeting's record. */
export const amendSchema = z.object({
	note: z
		.string({ error: '请填写更正说明' })
		.trim()
		.min(2, '请填写更正说明（至少 2 个字）')
		.max(2000, '更正说明最多 2000 个字')
});

// ---------------------------------------------------------------- ceremonies (红白事备案)

export const maxBridePriceYuan = 10_000_000;

/** A count typed into a form: a whole number from 0 to max (kept as typed; ceremonyInput reads it). */
const count = (label: string, max: number) =>
	z
		.string({ error: `请填写${label}` })
		.trim()
		.min(1, `请填写${label}`)
		.max(6, `${label}最多 ${max.toLocaleString('en')}`)
		.refine((v) => /^\d+$/.test(v), `${label}须为 0 或正整数`)
		.refine(
			(v) => !/^\d+$/.test(v) || Number(v) <= max,
			`${label}最多 ${max.toLocaleString('en')}`
		);

/** Filing a wedding or funeral: a resident for their household, staff for one they chose. */
export const ceremonySchema = z
	.object({
		// staff choose the household; a resident's own is taken from their account
		householdId: optionalId,
		kind: z.enum(ceremonyKinds, { error: '请选择婚事或丧事' }),
		eventOn: isoDay('办事日期'),
		tables: count('宴席桌数', 500),
		guests: count('宾客人数', 10_000),
		// weddings: 彩礼 in yuan ('0' when none)
		bridePrice: z
			.string({ error: '彩礼金额格式不正确' })
			.trim()
			.max(20, '彩礼金额格式不正确')
			.default(''),
		// funerals: days of banquets
		banquetDays: z
			.string({ error: '办酒天数格式不正确' })
			.trim()
			.max(3, '办酒天数最多 30 天')
			.default(''),
		gifts: z
			.string({ error: '礼品格式不正确' })
			.trim()
			.max(500, '礼品说明最多 500 个字')
			.default(''),
		note: z.string({ error: '备注格式不正确' }).trim().max(1000, '备注最多 1000 个字').default(''),
		// one per form shown, so a double submit files one filing
		idempotencyKey: z
			.string({ error: '表单已过期，请刷新页面后重试' })
			.trim()
			.regex(/^[A-Za-z0-9_-]{8,64}$/, '表单已过期，请刷新页面后重试')
	})
	.superRefine((v, ctx) => {
		if (v.kind === 'wedding') {
			const fen = v.bridePrice === '' ? null : yuanToFen(v.bridePrice);
			if (v.bridePrice === '')
				ctx.addIssue({
					code: 'custom',
					path: ['bridePrice'],
					message: '请填写彩礼金额（没有彩礼请填 0）'
				});
			else if (fen === null || fen > maxBridePriceYuan * 100)
				ctx.addIssue({
					code: 'custom',
					path: ['bridePrice'],
					message: `彩礼金额须为 0 到 ${maxBridePriceYuan.toLocaleString('en')} 元，最多两位小数`
				});
		} else if (!/^\d{1,2}$/.test(v.banquetDays) || Number(v.banquetDays) > 30)
			ctx.addIssue({
				code: 'custom',
				path: ['banquetDays'],
				message: '请填写办酒天数（0 到 30 天的整数）'
			});
	});
export type CeremonyForm = z.infer<typeof ceremonySchema>;

/** What fileCeremony takes: the form with bride price in fen and days as a number. */
export interface CeremonyInput {
	householdId: string;
	kind: CeremonyKind;
	eventOn: string;
	tables: number;
	guests: number;
	bridePrice?: number | null;
	banquetDays?: number | null;
	gifts: string;
	note: string;
	idempotencyKey: string;
}

/** The parsed form as the command takes it: yuan → fen for weddings, days for funerals. */
export function ceremonyInput(form: CeremonyForm): CeremonyInput {
	return {
		...form,
		tables: Number(form.tables),
		guests: Number(form.guests),
		bridePrice: form.kind === 'wedding' ? yuanToFen(form.bridePrice) : null,
		banquetDays: form.kind === 'funeral' ? Number(form.banquetDays) : null
	};
}

/** The council's follow-up of a filing: what it did, the savings it reckons, maybe a deduction. */
export const followUpSchema = z
	.object({
		followUp: z
			.string({ error: '请填写跟进情况' })
			.trim()
			.min(2, '请填写跟进情况（至少 2 个字）')
			.max(2000, '跟进情况最多 2000 个字'),
		// yuan; '' when not reckoned
		savings: z
			.string({ error: '节约金额格式不正确' })
			.trim()
			.max(20, '节约金额格式不正确')
			.default(''),
		// deduct under the points list's over_cap_banquet item
		deductPoints: z.boolean({ error: '参数错误' }).default(false)
	})
	.superRefine((v, ctx) => {
		if (v.savings !== '') {
			const fen = yuanToFen(v.savings);
			if (fen === null || fen > maxBridePriceYuan * 100)
				ctx.addIssue({
					code: 'custom',
					path: ['savings'],
					message: '节约金额须为 0 或正数的元，最多两位小数'
				});
		}
	});
export type FollowUpForm = z.infer<typeof followUpSchema>;

/** The follow-up as the command takes it: savings in fen or null. */
export function followUpInput(form: FollowUpForm) {
	return {
		followUp: form.followUp,
		savings: form.savings === '' ? null : yuanToFen(form.savings),
		deductPoints: form.deductPoints
	};
}

const thisYear = () => Number(shanghaiDay().slice(0, 4));

/** The ceremony list's filters, read from the address bar; a bad one is dropped. */
export const ceremonyFilterSchema = z.object({
	year: z.coerce.number().int().min(2000).max(2100).catch(thisYear),
	kind: z.enum(['', ...ceremonyKinds]).catch(''),
	overCap: z.enum(['', '1']).catch(''),
	settlement: z.uuid().or(z.literal('')).catch(''),
	// keyset cursor 'eventOn|id'
	after: z
		.string()
		.regex(/^\d{4}-\d{2}-\d{2}\|[0-9a-f-]{36}$/i)
		.optional()
		.catch(undefined)
});
export type CeremonyFilter = z.infer<typeof ceremonyFilterSchema>;
