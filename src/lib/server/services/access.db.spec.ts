import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileRequestSchema, stepSchema } from '$lib/schemas/services';
import { requestStatuses, stepNames, type RequestStatus } from '$lib/services/workflow';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus } from '../../../../tests/http';
import {
	addGrantRow,
	createCategory,
	createCounty,
	createHousehold,
	createServiceRequest,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type ServiceCategory,
	type ServiceRequest,
	type Settlement
} from '../../../../tests/factories';
import { can, type Actor } from '../access';
import { db, schema } from '../db';
import {
	addNote,
	assignRequest,
	countRequests,
	fileRequest,
	getRequest,
	listAssignable,
	listRequests,
	rateRequest,
	takeStep
} from '.';

// Who may do what to whose service request, as tables: every role against every command on one
// request of point A, and the lists and counts cut to the same scope. A denied read is 404 (it
// comes first, so acting on what one cannot see is 404 too); a denied write on what one can see
// is 403.

useTestDatabase();

const { serviceRequest, serviceEvent, user } = schema;

let x: County;
let y: County;
let a: Settlement;
let b: Settlement;
let c: Settlement;
let home: Household & { members: Member[] };
let neighbour: Household & { members: Member[] };
let hb: Household & { members: Member[] };
let hc: Household & { members: Member[] };
let catX: ServiceCategory;
let catY: ServiceCategory;
const actors: Record<string, Actor> = {};

beforeAll(async () => {
	x = await createCounty();
	y = await createCounty(x.city);
	a = await createSettlement(x);
	b = await createSettlement(x);
	c = await createSettlement(y);
	home = await createHousehold(a);
	neighbour = await createHousehold(a);
	hb = await createHousehold(b);
	hc = await createHousehold(c);
	catX = await createCategory(x);
	catY = await createCategory(y);
	const make = async (name: string, ...args: Parameters<typeof createUser>) =>
		(actors[name] = (await createUser(...args)).actor);
	await make('resident of A', { household: home, grants: [{ role: 'resident', on: a }] });
	await make('neighbour in A', { household: neighbour, grants: [{ role: 'resident', on: a }] });
	await make('resident of B', { household: hb, grants: [{ role: 'resident', on: b }] });
	await make('worker of A', { grants: [{ role: 'community_worker', on: a }] });
	await make('admin of A', { grants: [{ role: 'point_admin', on: a }] });
	await make('chief of A', { grants: [{ role: 'point_chief', on: a }] });
	await make('admin of B', { grants: [{ role: 'point_admin', on: b }] });
	await make('chief of points of X', { grants: [{ role: 'chief_of_points', on: x }] });
	await make('civil affairs of X', { grants: [{ role: 'civil_affairs', on: x }] });
	await make('civil affairs of Y', { grants: [{ role: 'civil_affairs', on: y }] });
	await make('system admin', { grants: [{ role: 'system_admin' }] });
	await make('nobody', {});
	await make('resident without a household', { grants: [{ role: 'resident', on: a }] });
});

/** A request of the resident's household at A, in a state, filed by the resident. */
const requestOfA = (status: RequestStatus = 'submitted', input = {}) =>
	createServiceRequest(home, catX, { id: actors['resident of A'].id }, { status, ...input });

const step = (s: (typeof stepNames)[number]) =>
	stepSchema.parse({ step: s, note: '说明文字', originOffice: '原籍县民政局' });

type Outcome = 'ok' | 403 | 404;

/** What a command did: 'ok', or the status it threw; a typed failure fails the test. */
async function outcome(p: Promise<{ ok: boolean }>): Promise<Outcome> {
	let result: { ok: boolean } | undefined;
	const status = await httpStatus(p.then((r) => void (result = r)));
	if (status === 403 || status === 404) return status;
	expect(status).toBeNull();
	expect(result).toMatchObject({ ok: true });
	return 'ok';
}

// ---------------------------------------------------------------------------------------------

const actions = {
	read: async (actor: Actor) => {
		const req = await requestOfA();
		return outcome(getRequest(actor, req.id).then(() => ({ ok: true })));
	},
	accept: async (actor: Actor) => outcome(takeStep(actor, (await requestOfA()).id, step('accept'))),
	complete: async (actor: Actor) =>
		outcome(takeStep(actor, (await requestOfA('in_progress')).id, step('complete'))),
	withdraw: async (actor: Actor) =>
		outcome(takeStep(actor, (await requestOfA('accepted')).id, step('withdraw'))),
	'public note': async (actor: Actor) =>
		outcome(addNote(actor, (await requestOfA()).id, { note: '公开说明', internal: false })),
	'internal note': async (actor: Actor) =>
		outcome(addNote(actor, (await requestOfA()).id, { note: '内部说明', internal: true })),
	assign: async (actor: Actor) =>
		outcome(
			assignRequest(actor, (await requestOfA()).id, { assigneeId: actors['worker of A'].id })
		),
	assignable: async (actor: Actor) =>
		outcome(listAssignable(actor, (await requestOfA()).id).then(() => ({ ok: true }))),
	rate: async (actor: Actor) =>
		outcome(rateRequest(actor, (await requestOfA('done')).id, { rating: 4, comment: '' }))
} satisfies Record<string, (actor: Actor) => Promise<Outcome>>;

type Action = keyof typeof actions;
const columns = Object.keys(actions) as Action[];

/**
 * The permission table for a request of the resident's household at point A (county X):
 * read, accept, complete, withdraw, public note, internal note, assign, assignable, rate.
 */
// prettier-ignore
const table: Record<string, Outcome[]> = {
	//                       read  accept complete withdraw public internal assign assignable rate
	'resident of A':        ['ok', 403,   403,     'ok',    'ok',  403,     403,   403,       'ok'],
	'neighbour in A':       [404,  404,   404,     404,     404,   404,     404,   404,       404],
	'resident of B':        [404,  404,   404,     404,     404,   404,     404,   404,       404],
	'worker of A':          ['ok', 'ok',  'ok',    403,     'ok',  'ok',    'ok',  'ok',      403],
	'admin of A':           ['ok', 'ok',  'ok',    403,     'ok',  'ok',    'ok',  'ok',      403],
	'chief of A':           ['ok', 'ok',  'ok',    403,     'ok',  'ok',    'ok',  'ok',      403],
	'admin of B':           [404,  404,   404,     404,     404,   404,     404,   404,       404],
	// county staff read the whole county, internal notes too, but take no steps
	'chief of points of X': ['ok', 403,   403,     403,     403,   'ok',    403,   403,       403],
	'civil affairs of X':   ['ok', 403,   403,     403,     403,   'ok',    403,   403,       403],
	'civil affairs of Y':   [404,  404,   404,     404,     404,   404,     404,   404,       404],
	// system_admin holds every permission but a resident's own rating (access.ts)
	'system admin':         ['ok', 'ok',  'ok',    'ok',    'ok',  'ok',    'ok',  'ok',      403],
	nobody:                 [404,  404,   404,     404,     404,   404,     404,   404,       404]
};

describe('the permission table of a request at point A', () => {
	const rows = Object.entries(table).flatMap(([who, outcomes]) =>
		columns.map((action, i) => ({ who, action, expected: outcomes[i] }))
	);

	it('has a cell for every actor and every action', () => {
		for (const outcomes of Object.values(table)) expect(outcomes).toHaveLength(columns.length);
		expect(Object.keys(table).sort()).toEqual(
			Object.keys(actors)
				.filter((n) => n !== 'resident without a household')
				.sort()
		);
	});

	it.each(rows)('$who: $action → $expected', async ({ who, action, expected }) => {
		expect(await actions[action](actors[who])).toBe(expected);
	});

	it('a denied command writes nothing', async () => {
		const req = await requestOfA();
		for (const who of ['neighbour in A', 'admin of B', 'civil affairs of X', 'resident of A']) {
			// the note each may not write: the resident's own open request takes their public one
			const internal = who === 'resident of A';
			const denied = [
				() => takeStep(actors[who], req.id, step('accept')),
				() => addNote(actors[who], req.id, { note: '不该写入的说明', internal }),
				() => assignRequest(actors[who], req.id, { assigneeId: actors['worker of A'].id })
			];
			for (const command of denied) expect([403, 404], who).toContain(await httpStatus(command()));
		}
		const [row] = await db().select().from(serviceRequest).where(eq(serviceRequest.id, req.id));
		expect(row).toMatchObject({ status: 'submitted', assigneeId: null });
		expect(
			await db().select().from(serviceEvent).where(eq(serviceEvent.requestId, req.id))
		).toEqual([]);
	});

	it('offers each reader the actions the table allows', async () => {
		const req = await requestOfA('accepted');
		const offered = async (who: string) => (await getRequest(actors[who], req.id)).can;
		expect(await offered('resident of A')).toEqual({
			steps: ['withdraw'],
			assign: false,
			publicNote: true,
			internalNote: false,
			rate: false
		});
		expect(await offered('admin of A')).toEqual({
			steps: ['start', 'askOrigin', 'askResident', 'complete', 'reject'],
			assign: true,
			publicNote: true,
			internalNote: true,
			rate: false
		});
		expect(await offered('civil affairs of X')).toEqual({
			steps: [],
			assign: false,
			publicNote: false,
			internalNote: true,
			rate: false
		});
	});

	it('a made-up or malformed request id is 404 for everyone', async () => {
		for (const who of Object.keys(table))
			for (const id of [randomUUID(), 'not-an-id', '', '../etc/passwd'])
				expect(await httpStatus(getRequest(actors[who], id)), `${who} ${id}`).toBe(404);
		expect(await httpStatus(takeStep(actors['system admin'], randomUUID(), step('accept')))).toBe(
			404
		);
	});
});

// ---------------------------------------------------------------------------------------------

describe('filing for a household', () => {
	const input = (householdId = home.id, categoryId = catX.id) =>
		fileRequestSchema.parse({
			categoryId,
			householdId,
			description: '代为申请临时救助',
			consentMethod: 'in_person',
			idempotencyKey: randomUUID()
		});

	it.each([
		['resident of A', 'ok'],
		['neighbour in A', 404],
		['resident of B', 404],
		['worker of A', 'ok'],
		['admin of A', 'ok'],
		['chief of A', 'ok'],
		['admin of B', 404],
		// county staff see the household but do not file at the window
		['chief of points of X', 403],
		['civil affairs of X', 403],
		['civil affairs of Y', 404],
		['system admin', 'ok'],
		['nobody', 404]
	] as const)('%s for a household of A → %s', async (who, expected) => {
		expect(await outcome(fileRequest(actors[who], input()))).toBe(expected);
	});

	it('a resident without a household has nothing to file for', async () => {
		expect(
			await fileRequest(actors['resident without a household'], { ...input(), householdId: '' })
		).toEqual({ ok: false, reason: 'no_household', field: 'householdId' });
	});

	it("A's staff cannot file with another county's service even for A's household", async () => {
		expect(await fileRequest(actors['admin of A'], input(home.id, catY.id))).toEqual({
			ok: false,
			reason: 'no_category',
			field: 'categoryId'
		});
	});

	it('a made-up household is 404', async () => {
		for (const who of ['admin of A', 'system admin', 'resident of A'])
			expect(await httpStatus(fileRequest(actors[who], input(randomUUID())))).toBe(404);
	});
});

// ---------------------------------------------------------------------------------------------

describe('what a resident reads of their own request', () => {
	let req: ServiceRequest;

	beforeAll(async () => {
		req = await createServiceRequest(
			home,
			catX,
			{ id: actors['admin of A'].id },
			{
				status: 'in_progress',
				proxy: true,
				consentMethod: 'phone',
				consentNote: '户主电话同意，通话记录 0932',
				contactPhone: '13912345678'
			}
		);
		const ok = (r: { ok: boolean }) => expect(r.ok).toBe(true);
		ok(
			await addNote(actors['admin of A'], req.id, { note: '请补充身份证复印件', internal: false })
		);
		ok(
			await addNote(actors['admin of A'], req.id, { note: '内部：户主有前科记录', internal: true })
		);
		ok(
			await addNote(actors['civil affairs of X'], req.id, { note: '县里：优先办', internal: true })
		);
	});

	it('never holds an internal note, nor the consent record', async () => {
		for (const who of ['resident of A']) {
			const seen = await getRequest(actors[who], req.id);
			expect(seen.events.map((e) => [e.kind, e.internal, e.note])).toEqual([
				['note', false, '请补充身份证复印件']
			]);
			const json = JSON.stringify(seen);
			expect(json).not.toContain('内部');
			expect(json).not.toContain('县里');
			expect(json).not.toContain('通话记录');
			expect(seen.consentNote).toBeNull();
			// even their own phone is masked: no page carries a full number
			expect(seen.contactPhone).toBe('139****5678');
		}
	});

	it('staff of the point and the county read every note; the phone is masked', async () => {
		for (const who of ['admin of A', 'worker of A', 'chief of points of X', 'civil affairs of X']) {
			const seen = await getRequest(actors[who], req.id);
			expect(
				seen.events.map((e) => e.internal),
				who
			).toEqual([false, true, true]);
			expect(seen.consentNote, who).toBe('户主电话同意，通话记录 0932');
			expect(seen.contactPhone, who).toBe('139****5678');
		}
	});
});

// ---------------------------------------------------------------------------------------------

describe('lists and counts are cut to the same scope as can()', () => {
	const made: ServiceRequest[] = [];

	beforeAll(async () => {
		const filer = { id: actors['admin of A'].id };
		for (const [household, category, n] of [
			[home, catX, 5],
			[neighbour, catX, 4],
			[hb, catX, 6],
			[hc, catY, 3]
		] as const)
			for (let i = 0; i < n; i++)
				made.push(
					await createServiceRequest(household, category, filer, {
						status: requestStatuses[(i * 3 + made.length) % requestStatuses.length]
					})
				);
	});

	/** Every page of the actor's list. */
	async function everything(actor: Actor, filter: Parameters<typeof listRequests>[1] = {}) {
		const ids: string[] = [];
		let before: number | undefined;
		for (let guard = 0; guard < 100; guard++) {
			const page = await listRequests(actor, { ...filter, before });
			ids.push(...page.rows.map((r) => r.id));
			if (page.next === null) return ids;
			before = page.next;
		}
		throw new Error('listRequests never ended');
	}

	/** Every request in the database that can() lets the actor read. */
	async function readable(actor: Actor) {
		const rows = await db().select().from(serviceRequest);
		return rows.filter((r) => can(actor, 'service.read', r));
	}

	it.each([...Object.keys(table), 'resident without a household'])(
		'%s lists exactly what can() lets them read, and counts it',
		async (who) => {
			const actor = actors[who];
			const allowed = await readable(actor);
			expect((await everything(actor)).sort()).toEqual(allowed.map((r) => r.id).sort());
			const counts = await countRequests(actor);
			for (const status of requestStatuses)
				expect(counts[status], `${who}: ${status}`).toBe(
					allowed.filter((r) => r.status === status).length
				);
		}
	);

	it('is not vacuous: each actor sees the households and points the issue says', async () => {
		const set = async (who: string) => new Set(await everything(actors[who]));
		const of = (...households: { id: string }[]) =>
			made.filter((r) => households.some((h) => h.id === r.householdId)).map((r) => r.id);
		const resident = await set('resident of A');
		expect(of(home).every((id) => resident.has(id))).toBe(true);
		expect(of(neighbour, hb, hc).some((id) => resident.has(id))).toBe(false);
		const adminA = await set('admin of A');
		expect(of(home, neighbour).every((id) => adminA.has(id))).toBe(true);
		expect(of(hb, hc).some((id) => adminA.has(id))).toBe(false);
		const county = await set('civil affairs of X');
		expect(of(home, neighbour, hb).every((id) => county.has(id))).toBe(true);
		expect(of(hc).some((id) => county.has(id))).toBe(false);
		expect((await set('nobody')).size).toBe(0);
	});

	it("a filter naming another point's settlement shows nothing of it", async () => {
		expect(await everything(actors['admin of A'], { settlementId: b.id })).toEqual([]);
		expect(await everything(actors['resident of A'], { settlementId: b.id })).toEqual([]);
		const bOnly = await everything(actors['civil affairs of X'], { settlementId: b.id });
		expect(bOnly.sort()).toEqual(
			made
				.filter((r) => r.settlementId === b.id)
				.map((r) => r.id)
				.sort()
		);
	});
});

// ---------------------------------------------------------------------------------------------

describe('assignment goes only to staff who may carry the request', () => {
	it.each([
		['admin of B', 'staff of another point'],
		['resident of A', "the request's own resident"],
		['civil affairs of X', 'county staff (they read, they do not handle)'],
		['chief of points of X', 'the county chief of points'],
		['nobody', 'an account without grants']
	])('not to %s (%s): failure at assigneeId', async (who) => {
		const req = await requestOfA();
		expect(
			await assignRequest(actors['admin of A'], req.id, { assigneeId: actors[who].id })
		).toEqual({ ok: false, reason: 'not_staff', field: 'assigneeId' });
		const [row] = await db().select().from(serviceRequest).where(eq(serviceRequest.id, req.id));
		expect(row.assigneeId).toBeNull();
	});

	it('not to a made-up account, a disabled one, or one whose grant was revoked', async () => {
		const { actor: disabled } = await createUser({
			grants: [{ role: 'community_worker', on: a }]
		});
		await db().update(user).set({ disabledAt: new Date() }).where(eq(user.id, disabled.id));
		const { actor: revoked } = await createUser({});
		const grant = await addGrantRow(revoked.id, { role: 'community_worker', on: a });
		await db()
			.update(schema.roleGrant)
			.set({ revokedAt: new Date() })
			.where(eq(schema.roleGrant.id, grant.id));
		const req = await requestOfA();
		for (const assigneeId of [randomUUID(), disabled.id, revoked.id])
			expect(await assignRequest(actors['admin of A'], req.id, { assigneeId })).toEqual({
				ok: false,
				reason: 'not_staff',
				field: 'assigneeId'
			});
	});

	it("lists as assignable only the point's live window staff", async () => {
		const req = await requestOfA();
		const people = await listAssignable(actors['admin of A'], req.id);
		expect(people.map((p) => p.id).sort()).toEqual(
			[actors['worker of A'].id, actors['admin of A'].id, actors['chief of A'].id].sort()
		);
		for (const p of people)
			expect((await assignRequest(actors['chief of A'], req.id, { assigneeId: p.id })).ok).toBe(
				true
			);
	});
});
