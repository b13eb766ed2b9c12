// 审计日志导出: the filtered entries as CSV, read in keyset batches and streamed, capped.
import { and, desc } from 'drizzle-orm';
import { z } from 'zod';
import { shanghaiDay } from '$lib/working-days';
import { canAnywhere, requireAnywhere, type Actor } from '../access';
import { db, schema } from '../db';
import { entryConditions, record, type AuditQuery } from '.';

/** At most this many rows in one export; a narrower filter gets the rest. */
export const exportCap = 50_000;
/** Rows read per query. */
export const exportBatch = 1_000;

// what was typed, as PostgreSQL takes it: no NUL, no lone surrogate (either is a 500 otherwise)
const typed = (max: number) =>
	z
		.string()
		.trim()
		.max(max)
		.transform((v) => v.toWellFormed().replaceAll('\u0000', '\uFFFD'))
		.optional()
		.catch(undefined);

const filterSchema = z.object({
	actor: typed(64),
	entity: typed(40),
	action: typed(40),
	from: z.iso.date().optional().catch(undefined),
	to: z.iso.date().optional().catch(undefined),
	before: z.coerce
		.number()
		.int()
		.positive()
		.max(Number.MAX_SAFE_INTEGER)
		.optional()
		.catch(undefined)
});
export type AuditFilter = z.infer<typeof filterSchema>;

/**
 * The filter in an address (/admin/audit?actor=…&from=2026-01-01): what the form shows again, and
 * the query it means. Days are Shanghai days, `to` included; anything malformed is dropped.
 */
export function parseAuditFilter(params: URLSearchParams): {
	filter: AuditFilter;
	query: AuditQuery;
} {
	const filter = filterSchema.parse(Object.fromEntries(params));
	const day = (d: string) => new Date(`${d}T00:00:00+08:00`);
	return {
		filter,
		query: {
			actor: filter.actor || undefined,
			entity: filter.entity || undefined,
			action: filter.action || undefined,
			from: filter.from ? day(filter.from) : undefined,
			to: filter.to ? new Date(day(filter.to).getTime() + 24 * 3600 * 1000) : undefined,
			before: filter.before
		}
	};
}

type Entry = typeof schema.auditEntry.$inferSelect;

/**
 * The entries the actor may read that match the query, newest first, in batches of `batch` read
 * by keyset (never an offset), at most `cap` rows in all. `more` on the last batch says the cap
 * cut the export short.
 */
export async function* exportEntries(
	actor: Actor,
	q: AuditQuery,
	options: { cap?: number; batch?: number } = {}
): AsyncGenerator<{ rows: Entry[]; more: boolean }> {
	requireAnywhere(actor, 'audit.read', 'read');
	const cap = options.cap ?? exportCap;
	const batch = options.batch ?? exportBatch;
	const { auditEntry } = schema;
	let before = q.before;
	let sent = 0;
	while (sent < cap) {
		const want = Math.min(batch, cap - sent);
		const rows = await db()
			.select()
			.from(auditEntry)
			.where(and(...entryConditions(actor, { ...q, before })))
			.orderBy(desc(auditEntry.id))
			.limit(want + 1);
		const page = rows.slice(0, want);
		sent += page.length;
		const more = rows.length > want;
		if (page.length > 0) yield { rows: page, more: more && sent >= cap };
		if (!more) return;
		before = page[page.length - 1].id;
	}
}

/** One CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
function csvField(value: string | number | null): string {
	if (value === null) return '';
	let s = String(value);
	if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
	return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
const line = (cells: (string | number | null)[]) => cells.map(csvField).join(',') + '\r\n';

export const csvHeader = [
	'编号',
	'时间',
	'操作人',
	'操作人ID',
	'操作',
	'对象',
	'对象ID',
	'范围',
	'摘要',
	'IP'
];

/** A time as Shanghai wall time, to the second: 2026-05-01 09:30:00. */
function shanghaiTime(at: Date): string {
	return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The filtered entries as CSV (UTF-8 with a BOM so Excel reads the Chinese; the summary as JSON
 * text), streamed batch by batch. The export itself is written to the log first. 404 without
 * audit.read.
 */
export async function auditCsv(
	actor: Actor,
	filter: AuditFilter,
	q: AuditQuery,
	options: { cap?: number; batch?: number } = {}
) {
	requireAnywhere(actor, 'audit.read', 'read');
	const grant = actor.grants.find(
		(g) => g.scope === 'region' && canAnywhere({ ...actor, grants: [g] }, 'audit.read')
	);
	await record(db(), {
		actor,
		action: 'audit.export',
		entity: 'audit_entry',
		scopePath: grant?.scope === 'region' ? grant.regionPath : null,
		summary: {
			filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined))
		}
	});
	const cap = options.cap ?? exportCap;
	const batches = exportEntries(actor, q, options);
	const encoder = new TextEncoder();
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode('\uFEFF' + line(csvHeader)));
		},
		async pull(controller) {
			try {
				const next = await batches.next();
				if (next.done) {
					controller.close();
					return;
				}
				let chunk = '';
				for (const e of next.value.rows)
					chunk += line([
						e.id,
						shanghaiTime(e.at),
						e.actorName,
						e.actorId,
						e.action,
						e.entity,
						e.entityId,
						e.scopePath,
						JSON.stringify(e.summary ?? {}),
						e.ip
					]);
				if (next.value.more)
					chunk += line([
						`已达导出上限 ${cap.toLocaleString('en-US')} 条，其余记录未导出，请缩小筛选范围后再导出。`
					]);
				controller.enqueue(encoder.encode(chunk));
			} catch (e) {
				controller.error(e);
			}
		},
		async cancel() {
			await batches.return(undefined);
		}
	});
	return { stream, fileName: `审计日志-${shanghaiDay()}.csv` };
}
