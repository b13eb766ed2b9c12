import { isHttpError } from '@sveltejs/kit';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCounty,
	createRegion,
	createSettlement,
	createUser,
	type County
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import { listEntries, record } from '.';

useTestDatabase();

const { auditEntry } = schema;

let county: County;
let otherCounty: County;
let civil: Actor;
let admin: Actor;
let inCounty: number[];
let everything: number[];

// Entries in the county, a township of it, a settlement of it, the other county, the city above
// and none at all; actors who may read them.
beforeAll(async () => {
	county = await createCounty();
	otherCounty = await createCounty(county.city);
	const town = await createRegion(county, { level: 'township' });
	const settlement = await createSettlement(town);
	civil = (
		await createUser({ displayName: '刘民政', grants: [{ role: 'civil_affairs', on: county }] })
	).actor;
	admin = (await createUser({ grants: [{ role: 'system_admin' }] })).actor;
	const entries = [
		{ scopePath: county.path, action: 'household.update', entity: 'household', actor: civil },
		{ scopePath: town.path, action: 'household.create', entity: 'household', actor: civil },
		{ scopePath: settlement.regionPath, action: 'user.create', entity: 'user', actor: admin },
		{ scopePath: otherCounty.path, action: 'user.create', entity: 'user', actor: admin },
		{ scopePath: county.city.path, action: 'grant.add', entity: 'user', actor: admin },
		{ scopePath: null, action: 'login.failure', entity: 'user', actor: null }
	];
	for (const e of entries) await record(db(), { ...e, entityId: 'x', summary: { n: 1 } });
	const rows = await db().select().from(auditEntry).orderBy(auditEntry.id);
	everything = rows.map((r) => r.id);
	inCounty = rows.filter((r) => r.scopePath?.startsWith(county.path)).map((r) => r.id);
});

async function allPages(actor: Actor, q: Parameters<typeof listEntries>[1] = {}) {
	const ids: number[] = [];
	let before: number | undefined;
	for (let page = 0; page < 100; page++) {
		const result = await listEntries(actor, { ...q, before });
		ids.push(...result.rows.map((r) => r.id));
		if (result.next === null) return ids;
		before = result.next;
	}
	throw new Error('paging did not end');
}

/** The database's message for a statement that must fail (drizzle wraps it as the cause). */
async function refusal(statement: PromiseLike<unknown>): Promise<string> {
	try {
		await statement;
	} catch (e) {
		const err = e as Error;
		return err.cause instanceof Error ? err.cause.message : err.message;
	}
	throw new Error('the statement succeeded');
}

describe('the audit log is append-only', () => {
	it('refuses UPDATE', async () => {
		expect(
			await refusal(
				db().execute(sql`update audit_entry set action = 'tampered' where id = ${everything[0]}`)
			)
		).toMatch(/append-only/);
		expect(
			await refusal(
				db().update(auditEntry).set({ summary: {} }).where(eq(auditEntry.id, everything[1]))
			)
		).toMatch(/append-only/);
		const [row] = await db().select().from(auditEntry).where(eq(auditEntry.id, everything[0]));
		expect(row.action).toBe('household.update');
	});

	it('refuses DELETE and TRUNCATE', async () => {
		expect(await refusal(db().delete(auditEntry).where(eq(auditEntry.id, everything[0])))).toMatch(
			/append-only/
		);
		expect(await refusal(db().execute(sql`delete from audit_entry`))).toMatch(/append-only/);
		expect(await refusal(db().execute(sql`truncate audit_entry`))).toMatch(/append-only/);
		const [{ n }] = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(auditEntry);
		expect(n).toBe(everything.length);
	});
});

describe('listEntries', () => {
	it('shows civil affairs only the entries inside their county', async () => {
		const { rows } = await listEntries(civil);
		expect(rows.length).toBeGreaterThan(0);
		for (const r of rows) expect(r.scopePath?.startsWith(county.path)).toBe(true);
		const ours = rows.map((r) => r.id).filter((id) => everything.includes(id));
		expect(ours.sort()).toEqual([...inCounty].sort());
		expect(ours).toHaveLength(3);
	});

	it('shows a system admin every entry, newest first', async () => {
		const { rows } = await listEntries(admin);
		const ours = rows.map((r) => r.id).filter((id) => everything.includes(id));
		expect(ours).toEqual([...everything].reverse());
		expect(rows.map((r) => r.id)).toEqual(rows.map((r) => r.id).sort((a, b) => b - a));
	});

	it('answers 404 to a role without audit.read', async () => {
		const settlement = await createSettlement(county);
		const { actor } = await createUser({ grants: [{ role: 'point_admin', on: settlement }] });
		const e = await listEntries(actor).catch((e: unknown) => e);
		expect(isHttpError(e, 404)).toBe(true);
	});

	it('filters by action prefix, entity and actor', async () => {
		const ids = async (q: Parameters<typeof listEntries>[1]) =>
			(await listEntries(admin, q)).rows.map((r) => r.action);
		expect(await ids({ action: 'household.' })).toEqual(['household.create', 'household.update']);
		expect(await ids({ entity: 'user', action: 'user' })).toEqual(['user.create', 'user.create']);
		expect(await ids({ actor: civil.id })).toEqual(['household.create', 'household.update']);
		expect(await ids({ actor: civil.displayName })).toEqual([
			'household.create',
			'household.update'
		]);
		expect(await listEntries(civil, { entity: 'user' })).toMatchObject({
			rows: [{ action: 'user.create', scopePath: expect.stringContaining(county.path) }]
		});
	});

	it('filters by time, from inclusive and to exclusive', async () => {
		const [first] = await db().select().from(auditEntry).where(eq(auditEntry.id, everything[0]));
		const after = new Date(first.at.getTime() + 1);
		const fromFirst = await listEntries(admin, { from: first.at });
		expect(fromFirst.rows.map((r) => r.id)).toContain(first.id);
		const toFirst = await listEntries(admin, { to: first.at });
		expect(toFirst.rows.map((r) => r.id)).not.toContain(first.id);
		const future = await listEntries(admin, { from: new Date(Date.now() + 3600_000) });
		expect(future.rows).toEqual([]);
		const upToNow = await listEntries(admin, { to: after, from: first.at });
		expect(upToNow.rows.map((r) => r.id)).toContain(first.id);
	});

	it('pages by keyset with no gaps and no overlaps', async () => {
		for (let i = 0; i < 23; i++)
			await record(db(), {
				action: 'paging.test',
				entity: 'test',
				scopePath: county.path,
				summary: { i }
			});
		const pages = [];
		let before: number | undefined;
		do {
			const page = await listEntries(civil, { action: 'paging.', limit: 10, before });
			pages.push(page.rows.map((r) => r.summary.i));
			before = page.next ?? undefined;
		} while (before);
		expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
		const descending = Array.from({ length: 23 }, (_, i) => 22 - i);
		expect(pages.flat()).toEqual(descending);

		const all = await allPages(admin, { limit: 4 });
		expect(new Set(all).size).toBe(all.length);
		expect(all).toEqual(expect.arrayContaining(everything));
		expect(all).toEqual([...all].sort((a, b) => b - a));
	});

	it('caps the page size at 200', async () => {
		await db()
			.insert(auditEntry)
			.values(Array.from({ length: 201 }, () => ({ action: 'cap.test', entity: 'test' })));
		const page = await listEntries(admin, { limit: 1000 });
		expect(page.rows).toHaveLength(200);
		expect(page.next).toBe(page.rows[199].id);
	});
});
