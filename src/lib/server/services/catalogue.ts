import { and, asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { categorySchema } from '$lib/schemas/services';
import { requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import { isUuid, notFound } from '../settlements/shared';
import { storable } from './shared';

/** The columns a page shows of a catalogue entry. */
const columns = {
	id: schema.serviceCategory.id,
	code: schema.serviceCategory.code,
	name: schema.serviceCategory.name,
	description: schema.serviceCategory.description,
	materials: schema.serviceCategory.materials,
	timeLimitDays: schema.serviceCategory.timeLimitDays,
	needsOrigin: schema.serviceCategory.needsOrigin,
	urgent: schema.serviceCategory.urgent,
	active: schema.serviceCategory.active,
	regionPath: schema.serviceCategory.regionPath
};
export type Category = Awaited<ReturnType<typeof categoriesFor>>[number];

/** The active services a settlement's residents can ask for: its county's catalogue. */
export async function categoriesFor(settlementRegionPath: string, executor: Executor = db()) {
	const c = schema.serviceCategory;
	return executor
		.select(columns)
		.from(c)
		.where(
			and(
				eq(c.active, true),
				// the catalogue of any region the settlement lies in (its county)
				sql`${settlementRegionPath} like ${c.regionPath} || '%'`
			)
		)
		.orderBy(asc(c.sortOrder), asc(c.name));
}

/** One active category for a settlement, or null (a made-up id, another county's, retired). */
export async function categoryFor(
	categoryId: string,
	settlementRegionPath: string,
	executor: Executor = db()
) {
	if (!isUuid(categoryId)) return null;
	const c = schema.serviceCategory;
	const [row] = await executor
		.select(columns)
		.from(c)
		.where(
			and(
				eq(c.id, categoryId),
				eq(c.active, true),
				sql`${settlementRegionPath} like ${c.regionPath} || '%'`
			)
		);
	return row ?? null;
}

/** The whole catalogue (retired entries too) of the counties the actor may manage. */
export async function listCatalogue(actor: Actor) {
	requireAnywhere(actor, 'service.catalogue', 'read');
	const c = schema.serviceCategory;
	return db()
		.select({ ...columns, regionName: schema.region.name })
		.from(c)
		.innerJoin(schema.region, eq(schema.region.id, c.regionId))
		.where(scopeFilter(actor, 'service.catalogue', { regionPath: c.regionPath }))
		.orderBy(asc(schema.region.name), asc(c.sortOrder), asc(c.name))
		.limit(500);
}

/** Civil affairs changes a catalogue entry (time limit, materials…); requests already filed keep their due dates. */
export async function updateCategory(
	actor: Actor,
	categoryId: string,
	input: z.infer<typeof categorySchema>
): Promise<{ ok: true }> {
	const c = schema.serviceCategory;
	const [row] = isUuid(categoryId)
		? await db().select({ regionPath: c.regionPath }).from(c).where(eq(c.id, categoryId))
		: [];
	requirePermission(actor, 'service.catalogue', row ?? {}, 'read');
	if (!row) notFound();
	input = storable(input);
	const materials = input.materials
		.split(/\r?\n/)
		.map((m) => m.trim())
		.filter(Boolean)
		.slice(0, 30);
	return db().transaction(async (tx) => {
		await tx
			.update(c)
			.set({
				name: input.name,
				description: input.description,
				materials,
				timeLimitDays: input.timeLimitDays,
				needsOrigin: input.needsOrigin,
				urgent: input.urgent,
				active: input.active,
				updatedAt: new Date()
			})
			.where(eq(c.id, categoryId));
		await audit.record(tx, {
			actor,
			action: 'service.catalogue.update',
			entity: 'service_category',
			entityId: categoryId,
			scopePath: row.regionPath,
			summary: { name: input.name, timeLimitDays: input.timeLimitDays, active: input.active }
		});
		return { ok: true } as const;
	});
}
