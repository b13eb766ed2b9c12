import { and, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { HelpKind, NeedCategory } from '$lib/charity/vocab';
import { offerQuantity, type OfferInput } from '$lib/schemas/offers';
import { shanghaiDay } from '$lib/working-days';
import { can, requireAnywhere, requirePermission, scopeFilter, type Actor } from '../access';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import type { Failure } from '../failure';
import { isUuid, notFound } from '../settlements/shared';
import {
	actingOrganization,
	organizationUnverified,
	type ActingOrganization
} from './organizations';

const f = schema.offer;
const org = schema.organization;

export type OfferStatus = 'live' | 'upcoming' | 'expired' | 'closed' | 'used_up';

/** Where an offer stands on `today` (a Shanghai day). */
export function offerStatus(
	row: {
		closedAt: Date | null;
		validFrom: string;
		validTo: string;
		capacity: number;
		allocated: number;
	},
	today: string
): OfferStatus {
	if (row.closedAt) return 'closed';
	if (row.validTo < today) return 'expired';
	if (row.allocated >= row.capacity) return 'used_up';
	if (row.validFrom > today) return 'upcoming';
	return 'live';
}

/** An offer as a resource for `can()`: its organisation's scope; null when there is none. */
export async function offerResource(offerId: string, executor: Executor = db()) {
	if (!isUuid(offerId)) return null;
	const [row] = await executor
		.select({ offerId: f.id, organizationId: f.organizationId, regionPath: org.regionPath })
		.from(f)
		.innerJoin(org, eq(org.id, f.organizationId))
		.where(eq(f.id, offerId));
	return row ?? null;
}

/** The path of a region's city (its parent's parent for a township): '/36/3607/360731/' → '/36/3607/'. */
function cityPathOf(path: string): string {
	const parts = path.split('/').filter(Boolean);
	return '/' + parts.slice(0, Math.min(2, Math.max(1, parts.length - 1))).join('/') + '/';
}

/**
 * The regions an organisation's offer may name as served, for its form: the counties of its
 * city and their townships, in code order (a county's townships under it).
 */
export async function listOfferRegions(actor: Actor) {
	const acting = await actingOrganization(actor);
	if (!acting) return [];
	const { region } = schema;
	return db()
		.select({ id: region.id, name: region.name, level: region.level, path: region.path })
		.from(region)
		.where(
			and(
				sql`starts_with(${region.path}, ${cityPathOf(acting.regionPath)})`,
				inArray(region.level, ['county', 'township'])
			)
		)
		.orderBy(region.path)
		.limit(500);
}

/** The organisation whose offers the actor manages: 403 for anyone who manages none. */
async function managingOrganization(actor: Actor): Promise<ActingOrganization> {
	requireAnywhere(actor, 'offer.manage', 'write');
	const acting = await actingOrganization(actor);
	requirePermission(
		actor,
		'offer.manage',
		acting ? { organizationId: acting.id, regionPath: acting.regionPath } : {},
		'write'
	);
	return acting!;
}

/** The region paths of the chosen regions (counties or townships); null when one is not. */
async function servedPaths(
	acting: ActingOrganization,
	regionIds: string[],
	executor: Executor
): Promise<string[] | null> {
	const ids = [...new Set(regionIds)];
	if (ids.length === 0) return [acting.regionPath];
	const { region } = schema;
	const rows = await executor
		.select({ path: region.path })
		.from(region)
		.where(and(inArray(region.id, ids), inArray(region.level, ['county', 'township'])));
	if (rows.length !== ids.length) return null;
	// a township under a chosen county adds nothing: keep the widest
	const paths = rows.map((r) => r.path).sort();
	return paths.filter((p) => !paths.some((q) => q !== p && p.startsWith(q)));
}

type OfferFailure = 'unverified' | 'no_region';

/**
 * The actor's organisation offers money (yuan typed, fen kept), goods or service hours, for
 * some categories and regions (its own region when none is chosen). 403 for anyone who
 * manages no organisation's offers; fails 'unverified' until civil affairs verifies the
 * organisation, 'no_region' at regionIds for a region that is not a county or township.
 */
export async function createOffer(
	actor: Actor,
	input: OfferInput
): Promise<{ ok: true; id: string } | Failure<OfferFailure>> {
	const acting = await managingOrganization(actor);
	if (!acting.verified) return organizationUnverified;
	const capacity = offerQuantity(input.kind, input.amount);
	if (capacity === null) throw new Error('createOffer: the form schema lets no bad amount through');
	return db().transaction(async (tx) => {
		const regionPaths = await servedPaths(acting, input.regionIds, tx);
		if (!regionPaths) return { ok: false, reason: 'no_region', field: 'regionIds' } as const;
		const [row] = await tx
			.insert(f)
			.values({
				organizationId: acting.id,
				kind: input.kind,
				categories: input.categories,
				regionPaths,
				capacity,
				unit: input.kind === 'goods' ? input.unit : '',
				title: input.title,
				description: input.description,
				validFrom: input.validFrom,
				validTo: input.validTo,
				createdBy: actor.id
			})
			.returning({ id: f.id });
		await audit.record(tx, {
			actor,
			action: 'offer.create',
			entity: 'offer',
			entityId: row.id,
			scopePath: acting.regionPath,
			summary: {
				organizationId: acting.id,
				kind: input.kind,
				capacity,
				categories: input.categories,
				validTo: input.validTo
			}
		});
		return { ok: true, id: row.id } as const;
	});
}

/**
 * The offer for a change, locked: 404 when there is none, 403 unless the actor manages its
 * organisation (another organisation's offer included), and the organisation they act for.
 */
async function offerToChange(actor: Actor, offerId: string, tx: Executor) {
	const [row] = isUuid(offerId)
		? await tx
				.select({ offer: f, regionPath: org.regionPath })
				.from(f)
				.innerJoin(org, eq(org.id, f.organizationId))
				.where(eq(f.id, offerId))
				.for('update', { of: f })
		: [];
	if (!row) notFound();
	requirePermission(
		actor,
		'offer.manage',
		{ organizationId: row.offer.organizationId, regionPath: row.regionPath },
		'write'
	);
	const acting = await actingOrganization(actor, {
		organizationId: row.offer.organizationId,
		executor: tx
	});
	// the grant that passed requirePermission is over this organisation
	return { ...row.offer, regionPath: row.regionPath, acting: acting! };
}

/**
 * Edits an offer of the actor's organisation. 404 for none, 403 for another organisation's;
 * fails 'unverified', 'closed' for a closed one, 'below_allocated' at amount when the capacity
 * would fall below what is already pledged from it, 'kind_locked' when pledges hold its kind.
 */
export async function updateOffer(
	actor: Actor,
	offerId: string,
	input: OfferInput
): Promise<{ ok: true } | Failure<OfferFailure | 'closed' | 'below_allocated' | 'kind_locked'>> {
	requireAnywhere(actor, 'offer.manage', 'write');
	const capacity = offerQuantity(input.kind, input.amount);
	if (capacity === null) throw new Error('updateOffer: the form schema lets no bad amount through');
	return db().transaction(async (tx) => {
		const current = await offerToChange(actor, offerId, tx);
		if (!current.acting.verified) return organizationUnverified;
		if (current.closedAt) return { ok: false, reason: 'closed' } as const;
		if (input.kind !== current.kind && current.allocated > 0)
			return { ok: false, reason: 'kind_locked', field: 'kind' } as const;
		if (capacity < current.allocated)
			return { ok: false, reason: 'below_allocated', field: 'amount' } as const;
		const regionPaths = await servedPaths(current.acting, input.regionIds, tx);
		if (!regionPaths) return { ok: false, reason: 'no_region', field: 'regionIds' } as const;
		const changes = {
			kind: input.kind,
			categories: input.categories,
			regionPaths,
			capacity,
			unit: input.kind === 'goods' ? input.unit : '',
			title: input.title,
			description: input.description,
			validFrom: input.validFrom,
			validTo: input.validTo
		};
		// the CHECK (allocated <= capacity) stands behind the test above
		await tx.update(f).set(changes).where(eq(f.id, current.id));
		const changed = Object.fromEntries(
			Object.entries(changes).filter(
				([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k as keyof typeof changes] ?? null)
			)
		);
		await audit.record(tx, {
			actor,
			action: 'offer.update',
			entity: 'offer',
			entityId: current.id,
			scopePath: current.regionPath,
			summary: { organizationId: current.organizationId, changed }
		});
		return { ok: true } as const;
	});
}

/**
 * Closes an offer of the actor's organisation: nothing more is pledged from it; what was
 * pledged stands. 404 for none, 403 for another organisation's; fails 'closed' when it is.
 * (Closing gives nothing away, so an organisation may do it even unverified.)
 */
export async function closeOffer(
	actor: Actor,
	offerId: string
): Promise<{ ok: true } | Failure<'closed'>> {
	requireAnywhere(actor, 'offer.manage', 'write');
	return db().transaction(async (tx) => {
		const current = await offerToChange(actor, offerId, tx);
		if (current.closedAt) return { ok: false, reason: 'closed' } as const;
		await tx.update(f).set({ closedAt: new Date() }).where(eq(f.id, current.id));
		await audit.record(tx, {
			actor,
			action: 'offer.close',
			entity: 'offer',
			entityId: current.id,
			scopePath: current.regionPath,
			summary: {
				organizationId: current.organizationId,
				capacity: current.capacity,
				allocated: current.allocated
			}
		});
		return { ok: true } as const;
	});
}

/** The names of region paths, for showing what an offer serves. */
async function regionNames(paths: string[], executor: Executor = db()) {
	const unique = [...new Set(paths)];
	if (unique.length === 0) return new Map<string, string>();
	const { region } = schema;
	const rows = await executor
		.select({ path: region.path, name: region.name })
		.from(region)
		.where(inArray(region.path, unique));
	return new Map(rows.map((r) => [r.path, r.name]));
}

export interface OfferRow {
	id: string;
	organizationId: string;
	organizationName: string;
	title: string;
	kind: HelpKind;
	categories: NeedCategory[];
	regions: string[];
	capacity: number;
	allocated: number;
	unit: string;
	validFrom: string;
	validTo: string;
	closedAt: Date | null;
	createdAt: Date;
	status: OfferStatus;
}

/** Offers the actor may read: an organisation's own; county staff, their county's organisations'. */
function readableOffers(actor: Actor): SQL {
	return scopeFilter(actor, 'organization.read', {
		organizationId: f.organizationId,
		regionPath: org.regionPath
	});
}

/**
 * The offers the actor may read — an organisation member only their own organisation's, county
 * staff those of their county's organisations (read-only) — newest first, keyset-paged, 50 a
 * page. 'live' keeps the open ones not past their end; 'closed' the closed or ended ones.
 */
export async function listOffers(
	actor: Actor,
	q: { status?: 'live' | 'closed' | 'all'; after?: string } = {},
	now: Date = new Date()
): Promise<{ rows: OfferRow[]; next: string | null }> {
	requireAnywhere(actor, 'organization.read', 'read');
	const today = shanghaiDay(now);
	const where: SQL[] = [readableOffers(actor)];
	if (q.status !== 'all' && q.status !== 'closed')
		where.push(isNull(f.closedAt), sql`${f.validTo} >= ${today}`);
	if (q.status === 'closed') where.push(or(isNotNull(f.closedAt), sql`${f.validTo} < ${today}`)!);
	const cut = q.after?.lastIndexOf('|') ?? -1;
	if (q.after && cut > 0) {
		const [key, id] = [q.after.slice(0, cut), q.after.slice(cut + 1)];
		if (isUuid(id)) where.push(sql`(${f.createdAt}, ${f.id}) < (${key}::timestamptz, ${id}::uuid)`);
	}
	const limit = 50;
	const rows = await db()
		.select({
			id: f.id,
			organizationId: f.organizationId,
			organizationName: org.name,
			title: f.title,
			kind: f.kind,
			categories: f.categories,
			regionPaths: f.regionPaths,
			capacity: f.capacity,
			allocated: f.allocated,
			unit: f.unit,
			validFrom: f.validFrom,
			validTo: f.validTo,
			closedAt: f.closedAt,
			createdAt: f.createdAt,
			key: sql<string>`${f.createdAt}::text`
		})
		.from(f)
		.innerJoin(org, eq(org.id, f.organizationId))
		.where(and(...where))
		.orderBy(desc(f.createdAt), desc(f.id))
		.limit(limit + 1);
	const page = rows.slice(0, limit);
	const names = await regionNames(page.flatMap((r) => r.regionPaths));
	const last = page[page.length - 1];
	return {
		rows: page.map(({ key: _key, regionPaths, ...r }) => ({
			...r,
			capacity: Number(r.capacity),
			allocated: Number(r.allocated),
			regions: regionPaths.map((p) => names.get(p) ?? p),
			status: offerStatus(
				{ ...r, capacity: Number(r.capacity), allocated: Number(r.allocated) },
				today
			)
		})),
		next: rows.length > limit ? `${last.key}|${last.id}` : null
	};
}

/**
 * One offer: 404 unless the actor may read it (its own organisation's members; county staff of
 * its organisation's county). `canEdit` says whether the actor manages it.
 */
export async function getOffer(actor: Actor, offerId: string, now: Date = new Date()) {
	const [row] = isUuid(offerId)
		? await db()
				.select({ offer: f, organizationName: org.name, regionPath: org.regionPath })
				.from(f)
				.innerJoin(org, eq(org.id, f.organizationId))
				.where(eq(f.id, offerId))
		: [];
	const resource = row
		? { organizationId: row.offer.organizationId, regionPath: row.regionPath }
		: {};
	requirePermission(actor, 'organization.read', resource, 'read');
	if (!row) notFound();
	const { offer } = row;
	const names = await regionNames(offer.regionPaths);
	const { region } = schema;
	const regionIds = await db()
		.select({ id: region.id })
		.from(region)
		.where(inArray(region.path, offer.regionPaths.length ? offer.regionPaths : ['']));
	const capacity = Number(offer.capacity);
	const allocated = Number(offer.allocated);
	return {
		id: offer.id,
		organizationId: offer.organizationId,
		organizationName: row.organizationName,
		title: offer.title,
		description: offer.description,
		kind: offer.kind,
		categories: offer.categories,
		regionPaths: offer.regionPaths,
		regionIds: regionIds.map((r) => r.id),
		regions: offer.regionPaths.map((p) => names.get(p) ?? p),
		capacity,
		allocated,
		unit: offer.unit,
		validFrom: offer.validFrom,
		validTo: offer.validTo,
		closedAt: offer.closedAt,
		createdAt: offer.createdAt,
		status: offerStatus({ ...offer, capacity, allocated }, shanghaiDay(now)),
		canEdit: can(actor, 'offer.manage', resource) && !offer.closedAt
	};
}
