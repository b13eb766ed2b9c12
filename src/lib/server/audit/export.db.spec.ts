import { isHttpError } from '@sveltejs/kit';
import { and, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createSettlement,
	createUser,
	type County
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { db, schema } from '../db';
import { auditCsv, csvHeader, exportEntries, parseAuditFilter } from './export';
import { listEntries, record, type AuditQuery } from '.';

useTestDatabase();

const { auditEntry } = schema;

let countyA: County;
let countyB: County;
let civil: Actor;
let civilB: Actor;
let admin: Actor;
let pointAdmin: Actor;

beforeAll(async () => {
	countyA = await createCounty();
	countyB = await createCounty(countyA.city);
	civil = (
		await createUser({ displayName: '刘民政', grants: [{ role: 'civil_affairs', on: countyA }] })
	).actor;
	civilB = (await createUser({ grants: [{ role: 'civil_affairs', on: countyB }] })).actor;
	admin = (await createUser({ displayName: '系统管理员', grants: [{ role: 'system_admin' }] }))
		.actor;
	const point = await createSettlement(countyA);
	pointAdmin = (await createUser({ grants: [{ role: 'point_admin', on: point }] })).actor;
});

/** RFC 4180 records of a CSV text (quotes hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
	const records: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else field += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ',') {
			row.push(field);
			field = '';
		} else if (ch === '\r' && text[i + 1] === '\n') {
			row.push(field);
			records.push(row);
			row = [];
			field = '';
			i++;
		} else field += ch;
	}
	if (field || row.length) records.push([...row, field]);
	return records;
}

/** The export as the browser gets it: bytes, then header and rows. */
async function download(
	actor: Actor,
	params: Record<string, string>,
	options: { cap?: number; batch?: number } = {}
) {
	const { filter, query } = parseAuditFilter(new URLSearchParams(params));
	const { stream, fileName } = await auditCsv(actor, filter, query, options);
	const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
	const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
	const [header, ...rows] = parseCsv(text.slice(1));
	return { bytes, text, header, rows, fileName };
}

describe('the audit export', () => {
	beforeAll(async () => {
		const entries = [
			{
				scopePath: countyA.path,
				action: 'exp.household.update',
				entity: 'household',
				actor: civil
			},
			{ scopePath: countyA.path, action: 'exp.user.create', entity: 'user', actor: admin },
			{
				scopePath: countyB.path,
				action: 'exp.household.update',
				entity: 'household',
				actor: civilB
			},
			{ scopePath: null, action: 'exp.login.failure', entity: 'user', actor: null }
		];
		for (const e of entries) await record(db(), { ...e, entityId: 'x', summary: { n: 1 } });
	});

	it('is UTF-8 with a BOM, a Chinese header and a dated Chinese file name', async () => {
		const csv = await download(admin, { action: 'exp.' });
		expect([...csv.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(csv.header).toEqual(csvHeader);
		expect(csv.fileName).toMatch(/^审计日志-\d{4}-\d{2}-\d{2}\.csv$/);
		expect(csv.rows.map((r) => r[4])).toEqual([
			'exp.login.failure',
			'exp.household.update',
			'exp.user.create',
			'exp.household.update'
		]);
		expect(csv.rows.map((r) => Number(r[0]))).toEqual(
			csv.rows.map((r) => Number(r[0])).sort((a, b) => b - a)
		);
	});

	it("gives a county's civil affairs only their county's entries", async () => {
		const csv = await download(civil, { action: 'exp.' });
		expect(csv.rows).toHaveLength(2);
		for (const r of csv.rows) expect(r[7].startsWith(countyA.path)).toBe(true);
		const other = await download(civilB, { action: 'exp.' });
		expect(other.rows.map((r) => r[7])).toEqual([countyB.path]);
		// however the filter is written, never the other county's
		const all = await download(civil, {});
		expect(all.rows.length).toBeGreaterThan(0);
		expect(all.rows.some((r) => r[7].startsWith(countyB.path) || r[7] === '')).toBe(false);
	});

	it('applies every filter: actor, entity, action and the days', async () => {
		expect((await download(admin, { action: 'exp.', entity: 'user' })).rows).toHaveLength(2);
		expect((await download(admin, { action: 'exp.household' })).rows).toHaveLength(2);
		const byName = await download(admin, { action: 'exp.', actor: '刘民政' });
		expect(byName.rows.map((r) => [r[2], r[4]])).toEqual([['刘民政', 'exp.household.update']]);
		const byId = await download(admin, { action: 'exp.', actor: civilB.id });
		expect(byId.rows.map((r) => r[3])).toEqual([civilB.id]);

		// days are Shanghai days, `to` included
		await db()
			.insert(auditEntry)
			.values([
				{ action: 'day.a', entity: 'test', at: new Date('2025-03-01T23:59:00+08:00') },
				{ action: 'day.b', entity: 'test', at: new Date('2025-03-02T00:01:00+08:00') },
				{ action: 'day.c', entity: 'test', at: new Date('2025-03-03T23:59:00+08:00') },
				{ action: 'day.d', entity: 'test', at: new Date('2025-03-04T00:00:00+08:00') }
			]);
		const days = await download(admin, { action: 'day.', from: '2025-03-02', to: '2025-03-03' });
		expect(days.rows.map((r) => r[4])).toEqual(['day.c', 'day.b']);
		expect(days.rows.map((r) => r[1])).toEqual(['2025-03-03 23:59:00', '2025-03-02 00:01:00']);
		// a malformed day is dropped, not a 500
		const bad = await download(admin, { action: 'day.', from: '2025-02-30', to: 'soon' });
		expect(bad.rows).toHaveLength(4);
	});

	it('writes the summary as JSON text and never a formula', async () => {
		const summary = { note: 'a "quoted", comma\nand a line', n: 3 };
		await record(db(), {
			actor: { id: admin.id, displayName: '=HYPERLINK("x")' },
			action: 'csv.escape',
			entity: 'test',
			scopePath: countyA.path,
			summary
		});
		const csv = await download(admin, { action: 'csv.' });
		expect(csv.rows).toHaveLength(1);
		expect(JSON.parse(csv.rows[0][8])).toEqual(summary);
		expect(csv.rows[0][2]).toBe(`'=HYPERLINK("x")`);
	});

	it('stops at the cap, reading by keyset in batches, and says so', async () => {
		await db()
			.insert(auditEntry)
			.values(
				Array.from({ length: 25 }, (_, i) => ({
					action: 'cap.test',
					entity: 'test',
					scopePath: countyA.path,
					summary: { i }
				}))
			);
		const q: AuditQuery = { action: 'cap.' };
		const batches: number[][] = [];
		for await (const b of exportEntries(civil, q, { cap: 10, batch: 4 }))
			batches.push(b.rows.map((r) => r.summary.i as number));
		expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
		expect(batches.flat()).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);

		const capped = await download(civil, { action: 'cap.' }, { cap: 10, batch: 4 });
		expect(capped.rows.slice(0, 10).map((r) => JSON.parse(r[8]).i)).toEqual([
			24, 23, 22, 21, 20, 19, 18, 17, 16, 15
		]);
		expect(capped.rows).toHaveLength(11);
		expect(capped.rows[10][0]).toMatch(/^已达导出上限 10 条/);

		const whole = await download(civil, { action: 'cap.' }, { cap: 25, batch: 7 });
		expect(whole.rows.map((r) => JSON.parse(r[8]).i)).toEqual(
			Array.from({ length: 25 }, (_, i) => 24 - i)
		);
		expect(whole.text).not.toContain('已达导出上限');
	});

	it('is written to the log itself, in the exporter’s county', async () => {
		await download(civil, { entity: 'household', from: '2025-01-01' });
		const [row] = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'audit.export'), eq(auditEntry.actorId, civil.id)))
			.orderBy(auditEntry.id)
			.limit(1)
			.offset(0);
		expect(row).toMatchObject({ scopePath: countyA.path, entity: 'audit_entry' });
		const last = await db().select().from(auditEntry).where(eq(auditEntry.action, 'audit.export'));
		expect(last.map((r) => r.summary.filter)).toContainEqual({
			entity: 'household',
			from: '2025-01-01'
		});
	});

	it('takes any address without a 500: NUL, lone surrogates, long and malformed values', async () => {
		const text = fc.oneof(
			fc.string({ unit: 'binary', maxLength: 80 }),
			fc.constantFrom('\u0000', 'a\ud800b', '%_\\', '2025-02-29', '99999999999999999999', '-1')
		);
		await fc.assert(
			fc.asyncProperty(
				fc.dictionary(
					fc.constantFrom('actor', 'entity', 'action', 'from', 'to', 'before', 'other'),
					text
				),
				async (params) => {
					const { filter, query } = parseAuditFilter(new URLSearchParams(params));
					try {
						await listEntries(civil, query);
						for await (const b of exportEntries(civil, query, { cap: 5, batch: 5 }))
							expect(b.rows.length).toBeLessThanOrEqual(5);
					} catch (e) {
						expect.unreachable(`threw ${String(e)} for ${JSON.stringify(filter)}`);
					}
					for (const v of [filter.actor, filter.entity, filter.action])
						if (v !== undefined) expect(v.isWellFormed() && !v.includes('\u0000')).toBe(true);
				}
			),
			{ numRuns: 60 }
		);
		expect(isHttpError(await listEntries(pointAdmin).catch((e: unknown) => e), 404)).toBe(true);
	});

	it('answers 404 to anyone without audit.read', async () => {
		const { filter, query } = parseAuditFilter(new URLSearchParams());
		expect(await httpStatus(auditCsv(pointAdmin, filter, query))).toBe(404);
		const gen = exportEntries(pointAdmin, {});
		expect(await httpStatus(gen.next())).toBe(404);
		const written = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'audit.export'), eq(auditEntry.actorId, pointAdmin.id)));
		expect(written).toEqual([]);
	});
});
