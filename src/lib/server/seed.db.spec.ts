import { asc, eq, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIdNumber } from '$lib/id-number';
import { mobilePattern } from '$lib/schemas/accounts';
import { ageOn, isZeroEmployment, memberSchema } from '$lib/schemas/household';
import { fileRequestSchema } from '$lib/schemas/services';
import { clockStatuses, isOpen, requestStatuses, type RequestStatus } from '$lib/services/workflow';
import { addWorkingDays, shanghaiDay } from '$lib/working-days';
import { useTestDatabase } from '../../../tests/db';
import { actorFor } from '../../../tests/factories';
import { loadGrants, type Actor, type Grant } from './access';
import { verifyPasswordHash } from './auth/password';
import { db, schema } from './db';
import { demoCountyCode, demoPassword, demoSettlements, isEmpty, seedDemo } from './seed';
import { countRequests, escalateOverdue, listRequests } from './services';
import { listCompliance, listDuplicates } from './settlements';

useTestDatabase();

const {
	region,
	settlement,
	household,
	resident,
	dwelling,
	staffAssignment,
	correctionRequest,
	organization,
	user,
	roleGrant,
	serviceCategory,
	serviceRequest,
	serviceEvent,
	serviceRequestTally,
	notification
} = schema;
const tables: PgTable[] = [
	serviceCategory,
	serviceRequest,
	serviceEvent,
	serviceRequestTally,
	notification,
	region,
	settlement,
	household,
	resident,
	dwelling,
	staffAssignment,
	correctionRequest,
	organization,
	user,
	roleGrant
];

async function rowCounts() {
	const counts: Record<string, number> = {};
	for (const t of tables) {
		const [{ n }] = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(t);
		counts[getTableName(t)] = n;
	}
	return counts;
}

/** The grant a demo account should hold, as DESIGN.md lists it, in terms of the seeded rows. */
type Expected = (ctx: {
	county: string;
	first: string;
	second: string;
	charity: string;
	mutualAid: string;
}) => Pick<Grant, 'role' | 'scope'> & Record<string, unknown>;

// DESIGN.md, "Demo data"
const demoAccounts: [username: string, expected: Expected][] = [
	['admin', () => ({ role: 'system_admin', scope: 'global' })],
	['minzheng', (c) => ({ role: 'civil_affairs', scope: 'region', regionId: c.county })],
	['zongdianzhang', (c) => ({ role: 'chief_of_points', scope: 'region', regionId: c.county })],
	['dianzhang', (c) => ({ role: 'point_chief', scope: 'settlement', settlementId: c.first })],
	['guanliyuan', (c) => ({ role: 'point_admin', scope: 'settlement', settlementId: c.first })],
	['shegong', (c) => ({ role: 'community_worker', scope: 'settlement', settlementId: c.first })],
	['jumin', (c) => ({ role: 'resident', scope: 'settlement', settlementId: c.first })],
	['jumin2', (c) => ({ role: 'resident', scope: 'settlement', settlementId: c.second })],
	['cishan', (c) => ({ role: 'org_member', scope: 'organization', organizationId: c.charity })],
	[
		'huzhushe',
		(c) => ({ role: 'mutual_aid_admin', scope: 'organization', organizationId: c.mutualAid })
	]
];

type Person = typeof resident.$inferSelect;

let seedMs = 0;
let seededAt: Date;
let emptyBefore: boolean;
let firstRun: { created: boolean };
let points: (typeof settlement.$inferSelect)[];
let households: (typeof household.$inferSelect)[];
let people: Person[];
let membersOf: Map<string, Person[]>;
let first: typeof settlement.$inferSelect;
let minzheng: Actor;

beforeAll(async () => {
	emptyBefore = await isEmpty();
	const t0 = performance.now();
	seededAt = new Date();
	firstRun = await seedDemo();
	seedMs = performance.now() - t0;
	points = await db().select().from(settlement).orderBy(asc(settlement.createdAt));
	households = await db().select().from(household);
	people = await db().select().from(resident);
	membersOf = new Map();
	for (const p of people)
		membersOf.set(p.householdId, [...(membersOf.get(p.householdId) ?? []), p]);
	first = points.find((p) => p.name === demoSettlements[0].name)!;
	const [u] = await db().select().from(user).where(eq(user.username, 'minzheng'));
	minzheng = await actorFor(u.id);
}, 120_000);

describe('seedDemo', () => {
	it('seeds an empty database with the demo accounts of DESIGN.md', async () => {
		expect(emptyBefore).toBe(true);
		expect(firstRun).toEqual({ created: true });
		expect(await isEmpty()).toBe(false);
		// it runs at every start of `npm run dev` on a new database and of the e2e server
		expect(seedMs, 'seed time (ms)').toBeLessThan(30_000);

		const [county] = await db().select().from(region).where(eq(region.code, demoCountyCode));
		expect(county).toMatchObject({ level: 'county', name: '于都县' });
		const byName = (name: string) => points.find((p) => p.name === name)!;
		const second = byName(demoSettlements[1].name);
		// the first point is the first created, so lists that keep creation order start with it
		expect(points[0].id).toBe(first.id);
		const orgs = await db().select().from(organization);
		const charity = orgs.find((o) => o.kind === 'charity' && o.verifiedAt)!;
		const mutualAid = orgs.find((o) => o.kind === 'mutual_aid_group')!;
		expect(mutualAid.settlementId).toBe(first.id);
		const ctx = {
			county: county.id,
			first: first.id,
			second: second.id,
			charity: charity.id,
			mutualAid: mutualAid.id
		};

		const users = await db().select().from(user);
		expect(users.map((u) => u.username).sort()).toEqual(demoAccounts.map(([u]) => u).sort());
		for (const [username, expected] of demoAccounts) {
			const u = users.find((x) => x.username === username)!;
			const grants = await loadGrants(u.id);
			expect(grants, username).toEqual([expect.objectContaining(expected(ctx))]);
			expect(await verifyPasswordHash(u.passwordHash, demoPassword), username).toBe(true);
		}
		// the residents' accounts belong to a household of their settlement, named after its head
		for (const [username, point] of [
			['jumin', first],
			['jumin2', second]
		] as const) {
			const u = users.find((x) => x.username === username)!;
			const h = households.find((x) => x.id === u.householdId)!;
			expect(h.settlementId, username).toBe(point.id);
			expect(u.displayName, username).toBe(h.headName);
		}
	});

	it('makes a county of about ten points of all three kinds and about 3,000 households', async () => {
		expect(points.length).toBeGreaterThanOrEqual(9);
		expect(points.length).toBeLessThanOrEqual(12);
		expect(new Set(points.map((p) => p.kind))).toEqual(new Set(['urban_park', 'town', 'village']));
		for (const p of points) {
			expect(p.committeeName, p.name).not.toBe('');
			expect(p.address, p.name).toContain('于都县');
			expect(p.capacity, p.name).toBeGreaterThan(0);
			expect(p.openedOn, p.name).toMatch(/^20(1[6-9]|2[0-2])-/);
		}
		expect(households.length).toBeGreaterThanOrEqual(2500);
		expect(households.length).toBeLessThanOrEqual(3500);
		const count = (id: string) => households.filter((h) => h.settlementId === id).length;
		// the demo staff's point is the largest
		expect(count(first.id)).toBeGreaterThanOrEqual(1000);
		for (const p of points) {
			expect(count(p.id), p.name).toBeGreaterThan(0);
			if (p.id !== first.id) expect(count(p.id), p.name).toBeLessThan(count(first.id));
			// nobody lives beyond the design capacity
			const residents = households
				.filter((h) => h.settlementId === p.id)
				.reduce((n, h) => n + membersOf.get(h.id)!.length, 0);
			expect(residents, p.name).toBeLessThanOrEqual(p.capacity!);
		}
		const perHousehold = people.length / households.length;
		expect(perHousehold).toBeGreaterThan(3.0);
		expect(perHousehold).toBeLessThan(3.7);
	});

	it('gives every household one head, an origin in the county and a move-in date after the opening', async () => {
		const regions = await db().select().from(region);
		const regionById = new Map(regions.map((r) => [r.id, r]));
		const pointById = new Map(points.map((p) => [p.id, p]));
		const countyPath = regions.find((r) => r.code === demoCountyCode)!.path;
		for (const h of households) {
			const members = membersOf.get(h.id) ?? [];
			const heads = members.filter((m) => m.isHead);
			expect(heads.length, h.id).toBe(1);
			expect(heads[0].relation).toBe('户主');
			expect(h.headName).toBe(heads[0].name);
			expect(h.status).toBe('active');
			const village = regionById.get(h.originRegionId!)!;
			expect(village.level).toBe('village');
			expect(village.path.startsWith(countyPath)).toBe(true);
			expect(h.originVillage).toBe(village.name);
			expect(h.originTownship).toBe(regionById.get(village.parentId!)!.name);
			const opened = pointById.get(h.settlementId)!.openedOn!;
			expect(h.movedInOn! >= opened, `${h.movedInOn} ≥ ${opened}`).toBe(true);
		}
		// families: heads, spouses, children, grandchildren, parents
		const relations = new Set(people.map((p) => p.relation));
		for (const r of ['户主', '配偶', '子', '女', '孙子', '孙女', '儿媳', '父亲', '母亲'])
			expect(relations, r).toContain(r);
	});

	it('gives every member a valid, complete record: ID matching birth date and gender, phones only for adults', async () => {
		expect(people.length).toBeGreaterThan(8000);
		const today = new Date();
		for (const p of people) {
			const info = parseIdNumber(p.idNumber);
			expect(info, p.idNumber).not.toBeNull();
			expect(info, p.idNumber).toMatchObject({ birthDate: p.birthDate, gender: p.gender });
			// what the register's own forms and the ledger import accept
			const parsed = memberSchema.safeParse({
				...p,
				phone: p.phone ?? '',
				schooling: p.schooling ?? undefined,
				health: p.health ?? undefined,
				laborAbility: p.laborAbility ?? undefined,
				employment: p.employment ?? undefined,
				disabilityLevel: p.disabilityLevel ?? undefined,
				employer: p.employer ?? undefined,
				job: p.job ?? undefined,
				publicPost: p.publicPost ?? undefined,
				training: p.training ?? undefined
			});
			expect(parsed.error?.issues ?? [], p.name).toEqual([]);
			if (p.phone) {
				expect(p.phone).toMatch(mobilePattern);
				expect(ageOn(p.birthDate, today), p.name).toBeGreaterThanOrEqual(18);
			}
			expect(p.disabilityLevel !== null, p.name).toBe(p.health === '残疾');
			expect(p.publicPost !== null, p.name).toBe(p.employment === '公益性岗位');
			expect(p.status).toBe('active');
		}
		// some of each: disability with levels, employers and jobs, training, public posts
		const some = (f: (p: Person) => boolean) => people.filter(f).length;
		expect(some((p) => p.health === '残疾')).toBeGreaterThan(50);
		expect(new Set(people.map((p) => p.disabilityLevel))).toEqual(new Set([null, 1, 2, 3, 4]));
		expect(some((p) => p.employment === '务工' && !!p.employer && !!p.job)).toBeGreaterThan(1000);
		expect(some((p) => !!p.training)).toBeGreaterThan(300);
		expect(some((p) => !!p.publicPost)).toBeGreaterThan(20);
		expect(some((p) => !!p.phone)).toBeGreaterThan(people.length / 3);
	});

	it('uses every ID number once, except the deliberate duplicates in two points', async () => {
		const byId = new Map<string, Person[]>();
		for (const p of people) byId.set(p.idNumber, [...(byId.get(p.idNumber) ?? []), p]);
		const repeated = [...byId.values()].filter((list) => list.length > 1);
		expect(repeated.length).toBeGreaterThanOrEqual(2);
		expect(repeated.length).toBeLessThanOrEqual(3);
		const pointOf = new Map(households.map((h) => [h.id, h.settlementId]));
		for (const [a, b, ...rest] of repeated) {
			expect(rest).toEqual([]);
			expect(a.name).toBe(b.name);
			expect(pointOf.get(a.householdId)).not.toBe(pointOf.get(b.householdId));
		}
		// and the county's duplicate check finds them
		const found = await listDuplicates(minzheng);
		expect(found.length).toBe(repeated.length);
		for (const d of found) expect(new Set(d.households.map((h) => h.settlementName)).size).toBe(2);
	});

	it('computes the zero-employment flag by the register rule', async () => {
		const today = new Date();
		// a birthday today or tomorrow may put someone over 16 or 60 between the database's clock and ours
		const nearBirthday = (p: Person) => {
			const md = p.birthDate.slice(5);
			const around = [0, 1, -1].map((d) =>
				new Date(today.getTime() + d * 86_400_000).toISOString().slice(5, 10)
			);
			return around.includes(md);
		};
		let zero = 0;
		for (const h of households) {
			const members = membersOf.get(h.id)!;
			if (members.some(nearBirthday)) continue;
			const expected = isZeroEmployment(
				members.map((m) => ({
					birthDate: m.birthDate,
					laborAbility: m.laborAbility!,
					employment: m.employment!
				})),
				today
			);
			expect(h.zeroEmployment, h.id).toBe(expected);
			if (h.zeroEmployment) zero++;
		}
		// a few, for the compliance list: the point admins' work is to bring them to none
		expect(zero).toBeGreaterThan(0);
		expect(zero).toBeLessThan(households.length * 0.1);
	});

	it('tags households: most lifted out of poverty, the rest consistent with the members', async () => {
		const withTag = (t: string) => households.filter((h) => (h.tags as string[]).includes(t));
		expect(withTag('lifted_out').length).toBeGreaterThan(households.length * 0.7);
		for (const t of [
			'monitored',
			'subsistence',
			'extreme_poverty',
			'near_subsistence',
			'elderly_alone',
			'left_behind_child',
			'disabled'
		]) {
			expect(withTag(t).length, t).toBeGreaterThan(0);
			expect(withTag(t).length, t).toBeLessThan(households.length * 0.25);
		}
		// the tags describe the families as the seed made them (ages as of mid-2026)
		const seeded = new Date(2026, 6, 1);
		for (const h of households) {
			const members = membersOf.get(h.id)!;
			const tags = h.tags as string[];
			expect(tags.includes('elderly_alone'), h.id).toBe(
				members.length === 1 && ageOn(members[0].birthDate, seeded) >= 60
			);
			expect(tags.includes('disabled'), h.id).toBe(members.some((m) => m.health === '残疾'));
			if (tags.includes('left_behind_child'))
				expect(members.some((m) => ageOn(m.birthDate, seeded) < 16)).toBe(true);
			expect(tags.includes('subsistence') && tags.includes('extreme_poverty')).toBe(false);
		}
	});

	it('houses every household in a known flat and keeps some flats empty', async () => {
		const flats = await db().select().from(dwelling);
		const key = (x: { settlementId: string; building: string; unitNo: string; room: string }) =>
			`${x.settlementId}|${x.building}|${x.unitNo}|${x.room}`;
		const known = new Set(flats.map(key));
		expect(known.size).toBe(flats.length);
		for (const h of households) expect(known.has(key(h)), key(h)).toBe(true);
		const occupied = new Set(households.map(key));
		expect(occupied.size).toBe(households.length);
		for (const p of points) {
			const empty = flats.filter((f) => f.settlementId === p.id && !occupied.has(key(f)));
			expect(empty.length, p.name).toBeGreaterThan(0);
		}
		for (const f of flats) expect(Number(f.areaSqm)).toBeGreaterThan(0);
	});

	it("keeps the 三员 roster, the demo staff linked to their grants, and the county's findings", async () => {
		const roster = await db().select().from(staffAssignment);
		const users = await db().select().from(user);
		const current = (id: string, kind: string) =>
			roster.filter((a) => a.settlementId === id && a.kind === kind && !a.endedOn);
		for (const [username, kind] of [
			['dianzhang', 'point_chief'],
			['guanliyuan', 'point_admin']
		] as const) {
			const u = users.find((x) => x.username === username)!;
			const a = current(first.id, kind).find((x) => x.userId === u.id);
			expect(a, username).toBeDefined();
			const [g] = await db().select().from(roleGrant).where(eq(roleGrant.id, a!.grantId!));
			expect(g, username).toMatchObject({
				userId: u.id,
				role: kind,
				settlementId: first.id,
				revokedAt: null
			});
		}
		expect(current(first.id, 'point_chief')).toHaveLength(1);
		expect(current(first.id, 'property_company')).toHaveLength(1);
		expect(current(first.id, 'property_staff').length).toBeGreaterThan(0);
		// a hand-over in the history
		expect(roster.some((a) => a.settlementId === first.id && a.endedOn)).toBe(true);

		// public-welfare posts are held by residents of the point, whose record says so
		const posts = roster.filter((a) => a.kind === 'public_post');
		expect(new Set(posts.map((p) => p.postKind))).toEqual(
			new Set(['security', 'cleaning', 'greening'])
		);
		const label = { security: '保安', cleaning: '保洁', greening: '保绿' } as const;
		const pointOf = new Map(households.map((h) => [h.id, h.settlementId]));
		for (const a of posts) {
			const p = people.find((x) => x.id === a.residentId)!;
			expect(pointOf.get(p.householdId)).toBe(a.settlementId);
			expect(p).toMatchObject({ employment: '公益性岗位', publicPost: label[a.postKind!] });
		}
		expect(people.filter((p) => p.publicPost).length).toBe(posts.length);

		// what the county's compliance list is there to find, once each (the rules of listCompliance)
		const residentsOf = (id: string) =>
			households
				.filter((h) => h.settlementId === id)
				.reduce((n, h) => n + membersOf.get(h.id)!.length, 0);
		const findings = points.map((p) => ({
			name: p.name,
			kind: p.kind,
			noAdminOver200: residentsOf(p.id) > 200 && current(p.id, 'point_admin').length === 0,
			noChief: current(p.id, 'point_chief').length === 0,
			noCompany: p.kind === 'urban_park' && current(p.id, 'property_company').length === 0
		}));
		expect(findings.filter((f) => f.noAdminOver200)).toHaveLength(1);
		expect(findings.filter((f) => f.noChief)).toHaveLength(1);
		expect(findings.filter((f) => f.noCompany)).toHaveLength(1);
		// three different points, so each finding shows on its own
		expect(
			new Set(
				findings.filter((f) => f.noAdminOver200 || f.noChief || f.noCompany).map((f) => f.name)
			).size
		).toBe(3);
		// nobody has too many: one 点长, at most two 专职管理员, one property company
		for (const p of points) {
			expect(current(p.id, 'point_chief').length, p.name).toBeLessThanOrEqual(1);
			expect(current(p.id, 'point_admin').length, p.name).toBeLessThanOrEqual(2);
			expect(current(p.id, 'property_company').length, p.name).toBeLessThanOrEqual(1);
		}
		expect(findings.find((f) => f.name === first.name)).toMatchObject({
			noAdminOver200: false,
			noChief: false,
			noCompany: false
		});
	});

	it("shows the findings on the county's compliance list", async () => {
		const compliance = await listCompliance(minzheng);
		expect(compliance).toHaveLength(points.length);
		const having = (issue: string) => compliance.filter((c) => c.issues.includes(issue as never));
		expect(having('no_admin_over_200')).toHaveLength(1);
		expect(having('no_chief')).toHaveLength(1);
		expect(having('no_property_company')).toHaveLength(1);
		expect(having('zero_employment').length).toBeGreaterThan(0);
		const firstRow = compliance.find((c) => c.id === first.id)!;
		expect(firstRow.issues.filter((i) => i !== 'zero_employment')).toEqual([]);
	});

	it("leaves one open correction request from jumin's household", async () => {
		const [jumin] = await db().select().from(user).where(eq(user.username, 'jumin'));
		const requests = await db().select().from(correctionRequest);
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({
			householdId: jumin.householdId,
			createdBy: jumin.id,
			status: 'open'
		});
		const member = people.find((p) => p.id === requests[0].residentId)!;
		expect(member.householdId).toBe(jumin.householdId);
	});

	describe('services', () => {
		type Request = typeof serviceRequest.$inferSelect;
		type Event = typeof serviceEvent.$inferSelect;
		let categories: (typeof serviceCategory.$inferSelect)[];
		let requests: Request[];
		let eventsOf: Map<string, Event[]>;
		const userNamed = async (username: string) =>
			(await db().select().from(user).where(eq(user.username, username)))[0];

		beforeAll(async () => {
			categories = await db().select().from(serviceCategory);
			requests = await db().select().from(serviceRequest).orderBy(asc(serviceRequest.no));
			eventsOf = new Map();
			for (const e of await db().select().from(serviceEvent).orderBy(asc(serviceEvent.id)))
				eventsOf.set(e.requestId, [...(eventsOf.get(e.requestId) ?? []), e]);
		});

		it("seeds the county's catalogue with the ten common services", async () => {
			const [county] = await db().select().from(region).where(eq(region.code, demoCountyCode));
			expect(categories).toHaveLength(10);
			expect(new Set(categories.map((c) => c.code))).toEqual(
				new Set([
					'hukou_transfer',
					'insurance_transfer',
					'dibao',
					'temporary_relief',
					'disability_card',
					'employment',
					'schooling',
					'elder_care',
					'documents',
					'other'
				])
			);
			const byCode = new Map(categories.map((c) => [c.code, c]));
			for (const c of categories) {
				expect(c, c.code).toMatchObject({
					regionId: county.id,
					regionPath: county.path,
					active: true
				});
				expect(c.description.length, c.code).toBeGreaterThan(20);
				expect(c.materials.length, c.code).toBeGreaterThanOrEqual(2);
				expect(c.needsOrigin, c.code).toBe(
					['hukou_transfer', 'insurance_transfer'].includes(c.code)
				);
				expect(c.urgent, c.code).toBe(c.code === 'temporary_relief');
			}
			expect(byCode.get('hukou_transfer')).toMatchObject({ name: '户籍迁移', timeLimitDays: 20 });
			expect(byCode.get('temporary_relief')).toMatchObject({ name: '临时救助', timeLimitDays: 5 });
			expect(byCode.get('hukou_transfer')!.materials).toContain('户口簿');
		});

		it('files about 300 requests over every point and many households, in every status', async () => {
			expect(requests.length).toBeGreaterThanOrEqual(250);
			expect(requests.length).toBeLessThanOrEqual(350);
			for (const status of requestStatuses)
				expect(requests.filter((r) => r.status === status).length, status).toBeGreaterThanOrEqual(
					status === 'waiting_resident' ? 2 : 5
				);
			for (const p of points)
				expect(
					requests.some((r) => r.settlementId === p.id),
					p.name
				).toBe(true);
			expect(new Set(requests.map((r) => r.householdId)).size).toBeGreaterThan(200);
			expect(new Set(requests.map((r) => r.categoryId)).size).toBe(10);
			// the numbers follow the filing order, as the database gave them
			for (let i = 1; i < requests.length; i++)
				expect(requests[i].submittedAt >= requests[i - 1].submittedAt).toBe(true);
			const householdById = new Map(households.map((h) => [h.id, h]));
			const pointById = new Map(points.map((p) => [p.id, p]));
			for (const r of requests) {
				const h = householdById.get(r.householdId)!;
				expect(r.settlementId).toBe(h.settlementId);
				expect(r.regionPath).toBe(pointById.get(r.settlementId)!.regionPath);
				if (r.residentId)
					expect(membersOf.get(r.householdId)!.some((m) => m.id === r.residentId)).toBe(true);
				// what the filing form accepts
				const parsed = fileRequestSchema.safeParse({
					categoryId: r.categoryId,
					description: r.description,
					contactPhone: r.contactPhone ?? '',
					consentMethod: r.consentMethod ?? '',
					consentNote: r.consentNote ?? '',
					idempotencyKey: 'seed-check'
				});
				expect(parsed.error?.issues ?? [], r.description).toEqual([]);
				// 帮代办 always records the resident's consent
				expect(r.proxy ? r.consentMethod !== null : r.consentMethod === null, String(r.no)).toBe(
					true
				);
			}
			const proxied = requests.filter((r) => r.proxy).length;
			expect(proxied).toBeGreaterThan(requests.length / 2);
		});

		it('leaves each request as its timeline of steps would: due dates in working days, pauses, outcomes, ratings', async () => {
			const categoryById = new Map(categories.map((c) => [c.id, c]));
			const today = shanghaiDay(seededAt);
			for (const r of requests) {
				const c = categoryById.get(r.categoryId)!;
				const timeline = eventsOf.get(r.id) ?? [];
				const label = `FW${r.no} ${r.status}`;
				expect(timeline[0], label).toMatchObject({ kind: 'submitted', toStatus: 'submitted' });
				expect(timeline[0].at.getTime(), label).toBe(r.submittedAt.getTime());
				for (let i = 1; i < timeline.length; i++)
					expect(timeline[i].at >= timeline[i - 1].at, label).toBe(true);
				expect(timeline.at(-1)!.at <= seededAt, label).toBe(true);
				// the last step leads to the state the row is in
				expect(timeline.findLast((e) => e.toStatus)!.toStatus, label).toBe(r.status);
				expect(r.dueOn, label).toBe(
					addWorkingDays(shanghaiDay(r.submittedAt), c.timeLimitDays + r.pausedDays)
				);
				expect(r.pausedSince !== null, label).toBe(r.status === 'waiting_resident');
				expect(r.urgent, label).toBe(c.urgent);
				if (c.urgent)
					expect(r.acceptedAt!.getTime() - r.submittedAt.getTime(), label).toBeLessThan(
						24 * 3600_000
					);
				expect(r.closedAt !== null, label).toBe(!isOpen(r.status));
				if (['done', 'rejected'].includes(r.status)) expect(r.outcome, label).toBeTruthy();
				expect(r.rating !== null, label).toBe(r.ratedAt !== null);
				if (r.rating !== null) {
					expect(r.status, label).toBe('done');
					expect(r.rating).toBeGreaterThanOrEqual(1);
					expect(r.rating).toBeLessThanOrEqual(5);
				}
				if (r.status === 'waiting_origin') expect(r.originOffice, label).toBeTruthy();
				if (timeline.some((e) => e.kind === 'origin_asked'))
					expect(r.originOffice && r.originAsk, label).toBeTruthy();
				// late or not: overdue exactly when the clock runs past the due day
				const running = (clockStatuses as readonly RequestStatus[]).includes(r.status);
				if (running && r.dueOn < today) expect(r.escalatedAt, label).not.toBeNull();
				expect(r.escalatedAt !== null, label).toBe(timeline.some((e) => e.kind === 'escalated'));
			}
			const done = requests.filter((r) => r.status === 'done');
			expect(done.filter((r) => r.rating !== null).length).toBeGreaterThan(done.length * 0.6);
			// internal notes and steps at the origin place, with real-sounding offices
			const all = [...eventsOf.values()].flat();
			expect(all.filter((e) => e.kind === 'note' && e.internal).length).toBeGreaterThan(20);
			expect(all.filter((e) => e.kind === 'note' && !e.internal).length).toBeGreaterThan(5);
			const offices = requests.map((r) => r.originOffice).filter(Boolean);
			expect(offices.some((o) => /派出所$/.test(o!))).toBe(true);
			expect(offices.some((o) => /社保所$/.test(o!))).toBe(true);
		});

		it('keeps the tallies equal to a direct count, per point and status', async () => {
			const tally = await db().select().from(serviceRequestTally);
			const direct = new Map<string, number>();
			for (const r of requests)
				direct.set(
					`${r.settlementId}|${r.status}`,
					(direct.get(`${r.settlementId}|${r.status}`) ?? 0) + 1
				);
			const kept = new Map(
				tally.filter((t) => t.n !== 0).map((t) => [`${t.settlementId}|${t.status}`, t.n])
			);
			expect(kept).toEqual(direct);
			// and the county's counts read from them
			const county = await actorFor((await userNamed('zongdianzhang')).id);
			const counts = await countRequests(county, seededAt);
			for (const status of requestStatuses)
				expect(counts[status], status).toBe(requests.filter((r) => r.status === status).length);
		});

		it("gives jumin's household three requests: in progress past the origin place, done and rated, just filed", async () => {
			const jumin = await userNamed('jumin');
			const own = requests.filter((r) => r.householdId === jumin.householdId);
			expect(own.map((r) => r.status).sort()).toEqual(['done', 'in_progress', 'submitted']);
			for (const r of own) expect(r).toMatchObject({ filedBy: jumin.id, proxy: false });
			const running = own.find((r) => r.status === 'in_progress')!;
			const kinds = eventsOf.get(running.id)!.map((e) => e.kind);
			expect(kinds).toEqual(expect.arrayContaining(['origin_asked', 'origin_replied']));
			expect(running.dueOn >= shanghaiDay(seededAt)).toBe(true);
			const done = own.find((r) => r.status === 'done')!;
			expect(done.rating).toBe(5);
			expect(eventsOf.get(done.id)!.at(-1)).toMatchObject({ kind: 'rated', actorId: jumin.id });
			// what jumin sees: the three, and no internal note among their steps
			const actor = await actorFor(jumin.id);
			const page = await listRequests(actor, {}, seededAt);
			expect(page.rows.map((r) => r.id).sort()).toEqual(own.map((r) => r.id).sort());
			const counts = await countRequests(actor, seededAt);
			expect(counts.open).toBe(2);
			expect(counts.overdue).toBe(0);
		});

		it('assigns the first point to its window staff and escalates its overdue requests to the 点长', async () => {
			const [guanliyuan, shegong, dianzhang, jumin] = await Promise.all(
				['guanliyuan', 'shegong', 'dianzhang', 'jumin'].map(userNamed)
			);
			const ours = requests.filter((r) => r.settlementId === first.id && r.assigneeId);
			const window = ours.filter((r) => [guanliyuan.id, shegong.id].includes(r.assigneeId!));
			expect(window.length).toBeGreaterThan(ours.length * 0.7);
			const today = shanghaiDay(seededAt);
			const overdue = requests.filter(
				(r) =>
					r.settlementId === first.id &&
					(clockStatuses as readonly string[]).includes(r.status) &&
					r.dueOn < today
			);
			expect(overdue.length).toBeGreaterThanOrEqual(2);
			for (const r of overdue) {
				expect(r.escalatedAt).not.toBeNull();
				expect(eventsOf.get(r.id)!.find((e) => e.kind === 'escalated')).toMatchObject({
					internal: true
				});
			}
			// the 点长 has heard of them; the sweep finds nothing left to escalate
			const told = await db()
				.select()
				.from(notification)
				.where(eq(notification.userId, dianzhang.id));
			for (const r of overdue)
				expect(
					told.some((n) => n.kind === 'service.escalated' && n.link === `/services/${r.id}`)
				).toBe(true);
			expect(await escalateOverdue(seededAt)).toBe(0);
			// notifications for the demo accounts, each linking to a request of their own scope
			for (const u of [jumin, guanliyuan, dianzhang]) {
				const rows = await db().select().from(notification).where(eq(notification.userId, u.id));
				expect(rows.length, u.username).toBeGreaterThan(0);
				expect(
					rows.some((n) => !n.readAt),
					u.username
				).toBe(true);
				for (const n of rows) {
					const id = n.link?.match(/^\/services\/([0-9a-f-]{36})$/)?.[1];
					const r = requests.find((x) => x.id === id);
					expect(r, n.title).toBeDefined();
					if (u.householdId) expect(r!.householdId).toBe(u.householdId);
					else expect(r!.settlementId).toBe(first.id);
				}
			}
		});
	});

	it('does nothing the second time', async () => {
		const before = await rowCounts();
		expect(before.household).toBe(households.length);
		expect(await seedDemo()).toEqual({ created: false });
		expect(await rowCounts()).toEqual(before);
	});
});
