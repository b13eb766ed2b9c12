import { and, eq, isNull } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { creditCodeCheck, type RegisterOrganizationInput } from '$lib/schemas/organizations';
import { useTestDatabase } from '../../../../tests/db';
import {
	actorFor,
	createCounty,
	createOrganization,
	createSettlement,
	createUser,
	sequence,
	type County,
	type Settlement
} from '../../../../tests/factories';
import { httpStatus } from '../../../../tests/http';
import type { Actor } from '../access';
import { login } from '../accounts';
import { validateSessionToken } from '../auth/session';
import { db, schema } from '../db';
import {
	actingOrganization,
	getOrganization,
	listRegistrationCounties,
	listRegistrationSettlements,
	listOrganizations,
	registerOrganization,
	organizationRegistrationLimit,
	rejectOrganization,
	verifyOrganization
} from './organizations';

useTestDatabase();

const { auditEntry, organization, roleGrant, user, notification } = schema;

/** A client address no other test uses, so throttle windows never overlap. */
const ip = () => `10.6.${sequence()}.1`;

/** A valid 统一社会信用代码, unique in this file. */
function creditCode(): string {
	const first17 = '91360731' + String(sequence()).padStart(9, '0');
	return first17 + creditCodeCheck(first17);
}

function application(
	county: { id: string },
	input: Partial<RegisterOrganizationInput> = {}
): RegisterOrganizationInput {
	const n = sequence();
	return {
		name: `于都县爱心助学会${n}`,
		kind: 'charity',
		creditCode: creditCode(),
		countyId: county.id,
		settlementId: '',
		description: '为搬迁家庭的孩子提供助学金和课外辅导。',
		contactName: '刘联系',
		contactPhone: '0797-6234567',
		username: `org${n}`,
		password: 'org-pass-1',
		confirm: 'org-pass-1',
		...input
	};
}

let county: County;
let otherCounty: County;
let place: Settlement;
let civil: Actor;
let otherCivil: Actor;
let chief: Actor;

beforeAll(async () => {
	county = await createCounty();
	otherCounty = await createCounty(county.city);
	place = await createSettlement(county);
	civil = (await createUser({ grants: [{ role: 'civil_affairs', on: county }] })).actor;
	otherCivil = (await createUser({ grants: [{ role: 'civil_affairs', on: otherCounty }] })).actor;
	chief = (await createUser({ grants: [{ role: 'chief_of_points', on: county }] })).actor;
});

async function orgOf(name: string) {
	return db().select().from(organization).where(eq(organization.name, name));
}

describe('registerOrganization', () => {
	it('creates the organisation unverified, its member with org_member over it, a session and the audit entry', async () => {
		const input = application(county);
		const result = await registerOrganization(input, { ip: ip() });
		if (!result.ok) throw new Error(result.reason);
		const [org] = await orgOf(input.name);
		expect(org).toMatchObject({
			id: result.organizationId,
			kind: 'charity',
			regionId: county.id,
			regionPath: county.path,
			creditCode: input.creditCode,
			contactName: '刘联系',
			contactPhone: '0797-6234567',
			verifiedAt: null,
			rejectedAt: null
		});
		const grants = await db().select().from(roleGrant).where(eq(roleGrant.userId, result.userId));
		expect(grants).toHaveLength(1);
		expect(grants[0]).toMatchObject({
			role: 'org_member',
			scopeKind: 'organization',
			organizationId: org.id
		});
		const [member] = await db().select().from(user).where(eq(user.id, result.userId));
		expect(member.username).toBe(input.username);
		expect(member.passwordHash).not.toContain(input.password);
		// signed in at once, and by the login form later
		const { user: signedIn } = await validateSessionToken(result.token);
		expect(signedIn?.id).toBe(result.userId);
		expect(
			(await login({ username: input.username, password: input.password }, { ip: ip() })).ok
		).toBe(true);
		const audit = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'organization.register'), eq(auditEntry.entityId, org.id)));
		expect(audit).toHaveLength(1);
		expect(audit[0]).toMatchObject({ actorId: result.userId, scopePath: county.path });
		expect(JSON.stringify(audit[0].summary)).not.toContain(input.password);
		// the member acts for it, unverified
		const acting = await actingOrganization(await actorFor(result.userId));
		expect(acting).toMatchObject({
			id: org.id,
			verified: false,
			rejected: false,
			role: 'org_member'
		});
	});

	it('leaves nothing behind when the username is taken (checked, and at the unique index)', async () => {
		const taken = await createUser({ username: `taken${sequence()}` });
		const before = await db().select({ id: organization.id }).from(organization);
		const input = application(county, { username: taken.user.username.toUpperCase() });
		expect(await registerOrganization(input, { ip: ip() })).toEqual({
			ok: false,
			reason: 'username_taken',
			field: 'username'
		});
		// the same new name twice at once: one wins, the loser leaves no organisation
		const name = `race${sequence()}`;
		const racers = [
			application(county, { username: name }),
			application(county, { username: name })
		];
		const results = await Promise.all(racers.map((r) => registerOrganization(r, { ip: ip() })));
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.find((r) => !r.ok)).toMatchObject({ reason: 'username_taken' });
		const after = await db().select({ id: organization.id }).from(organization);
		expect(after.length).toBe(before.length + 1);
		expect(await orgOf(input.name)).toEqual([]);
		const loser = racers[results.findIndex((r) => !r.ok)];
		expect(await orgOf(loser.name)).toEqual([]);
	});

	it('makes a 互助社’s member its mutual_aid_admin, in a settlement of the chosen county', async () => {
		const elsewhere = await createSettlement(otherCounty);
		expect(
			await registerOrganization(
				application(county, { kind: 'mutual_aid_group', settlementId: elsewhere.id }),
				{ ip: ip() }
			)
		).toEqual({ ok: false, reason: 'no_settlement', field: 'settlementId' });
		const input = application(county, { kind: 'mutual_aid_group', settlementId: place.id });
		const result = await registerOrganization(input, { ip: ip() });
		if (!result.ok) throw new Error(result.reason);
		const [org] = await orgOf(input.name);
		expect(org.settlementId).toBe(place.id);
		const [grant] = await db().select().from(roleGrant).where(eq(roleGrant.userId, result.userId));
		expect(grant.role).toBe('mutual_aid_admin');
		expect((await listRegistrationSettlements(county.id)).map((s) => s.id)).toContain(place.id);
		expect(await listRegistrationSettlements(elsewhere.id)).toEqual([]);
	});

	it('refuses an unknown county and a credit code already registered, unless that one was rejected', async () => {
		expect(await registerOrganization(application({ id: place.id }), { ip: ip() })).toMatchObject({
			ok: false,
			reason: 'no_county',
			field: 'countyId'
		});
		const first = application(county);
		const r1 = await registerOrganization(first, { ip: ip() });
		expect(r1.ok).toBe(true);
		const again = application(county, { creditCode: first.creditCode });
		expect(await registerOrganization(again, { ip: ip() })).toEqual({
			ok: false,
			reason: 'credit_code_taken',
			field: 'creditCode'
		});
		if (!r1.ok) return;
		expect(
			(await rejectOrganization(civil, r1.organizationId, { reason: '材料不全，请补充' })).ok
		).toBe(true);
		expect((await registerOrganization(again, { ip: ip() })).ok).toBe(true);
		expect((await listRegistrationCounties()).map((c) => c.id)).toEqual(
			expect.arrayContaining([county.id, otherCounty.id])
		);
	});

	it('is throttled per client address', async () => {
		const address = ip();
		const results = [];
		for (let i = 0; i <= organizationRegistrationLimit.max; i++)
			results.push(
				await registerOrganization(application(county, { countyId: 'nope' }), { ip: address })
			);
		expect(
			results.slice(0, organizationRegistrationLimit.max).map((r) => r.ok || r.reason)
		).toEqual(Array(organizationRegistrationLimit.max).fill('no_county'));
		expect(results[organizationRegistrationLimit.max]).toEqual({ ok: false, reason: 'throttled' });
	});
});

describe('verifyOrganization and rejectOrganization', () => {
	it('lets civil affairs of the county verify, audited, with the members told', async () => {
		const input = application(county);
		const r = await registerOrganization(input, { ip: ip() });
		if (!r.ok) throw new Error(r.reason);
		expect(await verifyOrganization(civil, r.organizationId)).toEqual({ ok: true });
		const [org] = await orgOf(input.name);
		expect(org.verifiedAt).toBeInstanceOf(Date);
		expect(await verifyOrganization(civil, r.organizationId)).toEqual({
			ok: false,
			reason: 'already_verified'
		});
		const audit = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'organization.verify'), eq(auditEntry.entityId, org.id)));
		expect(audit).toHaveLength(1);
		expect(audit[0]).toMatchObject({ actorId: civil.id, scopePath: county.path });
		const told = await db().select().from(notification).where(eq(notification.userId, r.userId));
		expect(told.map((n) => n.kind)).toContain('organization.verified');
		expect(await actingOrganization(await actorFor(r.userId))).toMatchObject({ verified: true });
	});

	it('is 404 for another county’s civil affairs and 403 for staff or members who may only read', async () => {
		const org = await createOrganization(county, { verified: false });
		const member = (await createUser({ grants: [{ role: 'org_member', on: org }] })).actor;
		const resident = (await createUser({ grants: [{ role: 'resident', on: place }] })).actor;
		expect(await httpStatus(verifyOrganization(otherCivil, org.id))).toBe(404);
		expect(
			await httpStatus(rejectOrganization(otherCivil, org.id, { reason: '不予认证理由' }))
		).toBe(404);
		expect(await httpStatus(verifyOrganization(chief, org.id))).toBe(403);
		expect(await httpStatus(verifyOrganization(member, org.id))).toBe(403);
		expect(await httpStatus(verifyOrganization(resident, org.id))).toBe(404);
		expect(await httpStatus(verifyOrganization(civil, crypto.randomUUID()))).toBe(404);
		expect(await httpStatus(verifyOrganization(civil, 'not-an-id'))).toBe(404);
		const [row] = await db().select().from(organization).where(eq(organization.id, org.id));
		expect(row.verifiedAt).toBeNull();
		expect(await verifyOrganization(civil, org.id)).toEqual({ ok: true });
	});

	it('rejects a waiting application with its reason, once; a rejected one may be verified later', async () => {
		const input = application(county);
		const r = await registerOrganization(input, { ip: ip() });
		if (!r.ok) throw new Error(r.reason);
		expect(await rejectOrganization(civil, r.organizationId, { reason: '登记证书已过期' })).toEqual(
			{
				ok: true
			}
		);
		const [org] = await orgOf(input.name);
		expect(org).toMatchObject({ verifiedAt: null, rejectReason: '登记证书已过期' });
		expect(org.rejectedAt).toBeInstanceOf(Date);
		expect(await rejectOrganization(civil, org.id, { reason: '再次拒绝' })).toEqual({
			ok: false,
			reason: 'not_pending'
		});
		const acting = await actingOrganization(await actorFor(r.userId));
		expect(acting).toMatchObject({ verified: false, rejected: true });
		const audit = await db()
			.select()
			.from(auditEntry)
			.where(and(eq(auditEntry.action, 'organization.reject'), eq(auditEntry.entityId, org.id)));
		expect(audit[0].summary).toMatchObject({ reason: '登记证书已过期' });
		expect(await verifyOrganization(civil, org.id)).toEqual({ ok: true });
		const [after] = await orgOf(input.name);
		expect(after).toMatchObject({ rejectedAt: null, rejectReason: null });
	});
});

describe('listOrganizations and getOrganization', () => {
	it('lists each state within the actor’s county only, waiting ones oldest first, keyset-paged', async () => {
		const local = await createCounty(county.city);
		const localCivil = (await createUser({ grants: [{ role: 'civil_affairs', on: local }] })).actor;
		const waiting = [];
		for (let i = 0; i < 3; i++) waiting.push(await createOrganization(local, { verified: false }));
		const done = await createOrganization(local);
		const far = await createOrganization(otherCounty, { verified: false });
		const page = await listOrganizations(localCivil, { status: 'pending' });
		expect(page.rows.map((r) => r.id)).toEqual(waiting.map((w) => w.id));
		expect(page.counts).toEqual({ pending: 3, verified: 1, rejected: 0 });
		expect(page.canVerify).toBe(true);
		const verified = await listOrganizations(localCivil, { status: 'verified' });
		expect(verified.rows.map((r) => r.id)).toEqual([done.id]);
		expect(page.rows.map((r) => r.id)).not.toContain(far.id);
		expect(page.next).toBeNull();
		// a member sees only their own, and may not verify
		const member = (await createUser({ grants: [{ role: 'org_member', on: waiting[0] }] })).actor;
		const own = await listOrganizations(member, { status: 'pending' });
		expect(own.rows.map((r) => r.id)).toEqual([waiting[0].id]);
		expect(own.canVerify).toBe(false);
		const resident = (await createUser({ grants: [{ role: 'resident', on: place }] })).actor;
		expect(await httpStatus(listOrganizations(resident))).toBe(404);
	});

	it('pages by the keyset cursor without skipping or repeating', async () => {
		const local = await createCounty(county.city);
		const localCivil = (await createUser({ grants: [{ role: 'civil_affairs', on: local }] })).actor;
		const made = [];
		for (let i = 0; i < 53; i++) made.push(await createOrganization(local));
		const first = await listOrganizations(localCivil, { status: 'verified' });
		expect(first.rows).toHaveLength(50);
		expect(first.next).not.toBeNull();
		const second = await listOrganizations(localCivil, { status: 'verified', after: first.next! });
		expect(second.rows).toHaveLength(3);
		expect(second.next).toBeNull();
		const seen = [...first.rows, ...second.rows].map((r) => r.id);
		expect(new Set(seen).size).toBe(53);
		expect(seen.sort()).toEqual(made.map((m) => m.id).sort());
	});

	it('shows an organisation to its members and its county’s staff, the phone masked for staff who do not verify', async () => {
		const input = application(county, { contactPhone: '13912345678' });
		const r = await registerOrganization(input, { ip: ip() });
		if (!r.ok) throw new Error(r.reason);
		const member = await actorFor(r.userId);
		const mine = await getOrganization(member, r.organizationId);
		expect(mine).toMatchObject({
			name: input.name,
			status: 'pending',
			own: true,
			contactPhone: '13912345678',
			canVerify: false
		});
		expect(mine.members.map((m) => m.username)).toEqual([input.username]);
		expect((await getOrganization(civil, r.organizationId)).canVerify).toBe(true);
		const forChief = await getOrganization(chief, r.organizationId);
		expect(forChief.contactPhone).toBe('139****5678');
		expect(forChief.members).toEqual([]);
		const stranger = (
			await createUser({ grants: [{ role: 'org_member', on: await createOrganization(county) }] })
		).actor;
		expect(await httpStatus(getOrganization(stranger, r.organizationId))).toBe(404);
		expect(await httpStatus(getOrganization(otherCivil, r.organizationId))).toBe(404);
	});

	it('finds no acting organisation for staff, and the asked one for a member of two', async () => {
		expect(await actingOrganization(civil)).toBeNull();
		expect(await actingOrganization(null)).toBeNull();
		const a = await createOrganization(county);
		const b = await createOrganization(county, { verified: false });
		const both = (
			await createUser({
				grants: [
					{ role: 'org_member', on: a },
					{ role: 'org_member', on: b }
				]
			})
		).actor;
		expect((await actingOrganization(both, { organizationId: b.id }))?.verified).toBe(false);
		const first = [a.id, b.id].sort()[0];
		expect((await actingOrganization(both))?.id).toBe(first);
		// a revoked grant no longer counts (the actor is rebuilt from live grants)
		await db()
			.update(roleGrant)
			.set({ revokedAt: new Date() })
			.where(and(eq(roleGrant.userId, both.id), isNull(roleGrant.revokedAt)));
		expect(await actingOrganization(await actorFor(both.id))).toBeNull();
	});
});
