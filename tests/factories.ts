import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { makeIdNumber } from '$lib/id-number';
import { householdCreateSchema, memberFormSchema } from '$lib/schemas/register';
import { roleScopeKind } from '$lib/schemas/roles';
import { loadGrants, type Actor } from '$lib/server/access';
import { hashInvitationCode, generateInvitationCode } from '$lib/server/accounts';
import { hashPassword } from '$lib/server/auth/password';
import { db, schema } from '$lib/server/db';
import type { Role } from '$lib/server/db/schema';

// Factories insert through the app's connection (useTestDatabase hands it in). Each call makes
// new rows with unique codes and names, so tests in one file never step on each other.

export type Region = typeof schema.region.$inferSelect;
export type Settlement = typeof schema.settlement.$inferSelect;
export type Household = typeof schema.household.$inferSelect;
export type Member = typeof schema.resident.$inferSelect;
export type Organization = typeof schema.organization.$inferSelect;
export type User = typeof schema.user.$inferSelect;
export type County = Region & { city: Region };

let counter = 0;
/** A number unique in this test file. */
export function sequence(): number {
	return ++counter;
}

const childLevel = {
	province: 'city',
	city: 'county',
	county: 'township',
	township: 'village',
	village: 'village'
} as const;

/** One region under a parent (a province without one); the code is made up and unique. */
export async function createRegion(
	parent: Region | null,
	input: { name?: string; level?: Region['level'] } = {}
): Promise<Region> {
	const n = sequence();
	const level = input.level ?? (parent ? childLevel[parent.level] : 'province');
	const code = String(900_000_000_000 + n);
	const [row] = await db()
		.insert(schema.region)
		.values({
			code,
			name: input.name ?? `${level}-${n}`,
			level,
			parentId: parent?.id,
			path: (parent?.path ?? '/') + code + '/'
		})
		.returning();
	return row;
}

/** A province › city › county chain; pass a city to add a county beside an earlier one. */
export async function createCounty(city?: Region): Promise<County> {
	const parent = city ?? (await createRegion(await createRegion(null)));
	const county = await createRegion(parent, { level: 'county' });
	return { ...county, city: parent };
}

/** A settlement in a region (a county or anything below it). */
export async function createSettlement(
	region: Region,
	input: Partial<Pick<Settlement, 'name' | 'kind' | 'committeeKind'>> = {}
): Promise<Settlement> {
	const n = sequence();
	const [row] = await db()
		.insert(schema.settlement)
		.values({
			name: input.name ?? `安置点${n}`,
			kind: input.kind ?? 'urban_park',
			regionId: region.id,
			regionPath: region.path,
			committeeKind: input.committeeKind ?? 'new_residents_committee',
			committeeName: `居委会${n}`,
			address: `测试路 ${n} 号`,
			openedOn: '2019-06-18',
			capacity: 500
		})
		.returning();
	return row;
}

const surnames = '王李张刘陈杨黄赵吴周';

/**
 * A household with its head and `members - 1` more people, each with a valid ID number and
 * (for adults) a phone. Returns the household and its members with their full, unmasked data.
 */
export async function createHousehold(
	settlement: Settlement,
	input: { headName?: string; members?: number; status?: Household['status'] } = {}
): Promise<Household & { members: Member[] }> {
	const n = sequence();
	const headName = input.headName ?? `${surnames[n % surnames.length]}户主${n}`;
	const [household] = await db()
		.insert(schema.household)
		.values({
			settlementId: settlement.id,
			building: `${1 + (n % 9)}栋`,
			unitNo: `${1 + (n % 3)}单元`,
			room: String(1000 + n),
			headName,
			originVillage: '原籍村',
			movedInOn: '2019-07-01',
			status: input.status ?? 'active'
		})
		.returning();
	const size = input.members ?? 2;
	const people = Array.from({ length: size }, (_, k) => {
		const gender = k % 2 === 0 ? ('male' as const) : ('female' as const);
		const birthDate = `${1960 + ((n + k * 7) % 50)}-0${1 + (k % 9)}-1${k % 10}`;
		return {
			householdId: household.id,
			name: k === 0 ? headName : `${headName}家${k}`,
			relation: k === 0 ? ('户主' as const) : k === 1 ? ('配偶' as const) : ('子' as const),
			isHead: k === 0,
			idNumber: makeIdNumber('360731', birthDate, n * 10 + k, gender),
			gender,
			birthDate,
			phone: `139${String(n * 10 + k).padStart(8, '0')}`
		};
	});
	const members = people.length
		? await db().insert(schema.resident).values(people).returning()
		: [];
	return { ...household, members };
}

/** An organisation of a region; a 互助社 also belongs to a settlement. */
export async function createOrganization(
	region: Region,
	input: { kind?: Organization['kind']; settlement?: Settlement; verified?: boolean } = {}
): Promise<Organization> {
	const n = sequence();
	const [row] = await db()
		.insert(schema.organization)
		.values({
			name: `组织${n}`,
			kind: input.kind ?? (input.settlement ? 'mutual_aid_group' : 'charity'),
			regionId: region.id,
			regionPath: region.path,
			settlementId: input.settlement?.id,
			verifiedAt: input.verified === false ? null : new Date()
		})
		.returning();
	return row;
}

/** A role over its scope: a settlement, a region, an organisation, or nothing for system_admin. */
export interface GrantSpec {
	role: Role;
	on?: { id: string };
}

// hashing is the slow part of making a user: do it once per password
const hashes = new Map<string, Promise<string>>();
export const defaultPassword = 'test-pass-1';

/** A user with grants; returns the row, the password and the `Actor` the app would build. */
export async function createUser(
	input: {
		grants?: GrantSpec[];
		username?: string;
		displayName?: string;
		phone?: string | null;
		password?: string;
		household?: { id: string };
	} = {}
): Promise<{ user: User; actor: Actor; password: string }> {
	const n = sequence();
	const password = input.password ?? defaultPassword;
	if (!hashes.has(password)) hashes.set(password, hashPassword(password));
	const [user] = await db()
		.insert(schema.user)
		.values({
			username: input.username ?? `user${n}`,
			displayName: input.displayName ?? `用户${n}`,
			passwordHash: await hashes.get(password)!,
			phone: input.phone ?? null,
			householdId: input.household?.id
		})
		.returning();
	for (const g of input.grants ?? []) await addGrantRow(user.id, g);
	return { user, actor: await actorFor(user.id), password };
}

/** Inserts a grant row directly (the accounts commands are what the tests exercise). */
export async function addGrantRow(userId: string, g: GrantSpec) {
	const scopeKind = roleScopeKind[g.role];
	if (scopeKind !== 'global' && !g.on) throw new Error(`${g.role} needs a scope`);
	const [row] = await db()
		.insert(schema.roleGrant)
		.values({
			userId,
			role: g.role,
			scopeKind,
			regionId: scopeKind === 'region' ? g.on!.id : null,
			settlementId: scopeKind === 'settlement' ? g.on!.id : null,
			organizationId: scopeKind === 'organization' ? g.on!.id : null
		})
		.returning();
	return row;
}

/** The `Actor` for a user as validateSessionToken builds it: row plus live grants. */
export async function actorFor(userId: string): Promise<Actor> {
	const [u] = await db().select().from(schema.user).where(eq(schema.user.id, userId));
	return {
		id: u.id,
		username: u.username,
		displayName: u.displayName,
		householdId: u.householdId,
		grants: await loadGrants(u.id)
	};
}

/** A household's invitation code, stored as the app stores it (hash only); expired if asked. */
export async function createInvitation(
	household: { id: string },
	issuedBy: { id: string },
	input: { expiresAt?: Date } = {}
): Promise<string> {
	const code = generateInvitationCode();
	await db()
		.insert(schema.invitation)
		.values({
			codeHash: hashInvitationCode(code),
			householdId: household.id,
			issuedBy: issuedBy.id,
			expiresAt: input.expiresAt ?? new Date(Date.now() + 24 * 3600 * 1000)
		});
	return code;
}

// ---------------------------------------------------------------------------------------------
// The register's forms and roster (appended for the settlements specs)

export type MemberForm = z.output<typeof memberFormSchema>;
export type HouseholdForm = z.output<typeof householdCreateSchema>;

let people = 0;

/** A birth date `age` whole years ago, four months clear of the birthday either way. */
export function bornYearsAgo(age: number, today = new Date()): string {
	const d = new Date(
		Date.UTC(today.getUTCFullYear() - age, today.getUTCMonth(), today.getUTCDate())
	);
	d.setUTCDate(d.getUTCDate() - 120);
	return d.toISOString().slice(0, 10);
}

/**
 * One member as the member form posts it, parsed by its schema: an ID number that agrees with the
 * birth date and gender and is unique in the file (region 1101xx, never the demo's 360731), and
 * a phone. Give `age` instead of `birthDate` for someone that old today.
 */
export function memberInput(
	input: Partial<z.input<typeof memberFormSchema>> & { age?: number } = {}
): MemberForm {
	const n = ++people;
	const { age, ...fields } = input;
	const gender = fields.gender ?? (n % 2 === 0 ? 'female' : 'male');
	const birthDate = fields.birthDate ?? bornYearsAgo(age ?? 40);
	const region = String(110101 + Math.floor(n / 500));
	return memberFormSchema.parse({
		name: `成员${n}`,
		relation: '配偶',
		idNumber: makeIdNumber(region, birthDate, (n % 500) * 2, gender),
		gender,
		birthDate,
		phone: `135${String(n).padStart(8, '0')}`,
		schooling: '初中',
		health: '健康',
		laborAbility: '普通劳动力',
		employment: '务工',
		...fields
	});
}

/** A new household with its head as the new-household form posts it; the unit is unique. */
export function householdInput(
	head: Partial<z.input<typeof memberFormSchema>> & { age?: number } = {},
	home: Partial<z.input<typeof householdCreateSchema>> = {}
): HouseholdForm {
	const { relation: _relation, ...member } = memberInput({ ...head, relation: '户主' });
	return householdCreateSchema.parse({
		building: '8栋',
		unitNo: '1单元',
		room: String(3000 + sequence()),
		originTownship: '银坑镇',
		originVillage: '平安村',
		movedInOn: '2020-05-01',
		tags: [],
		...member,
		...home
	});
}

/** A line of the 三员 roster written straight to the table (the roster commands are tested on their own). */
export async function createAssignment(
	settlement: { id: string },
	input: Partial<typeof schema.staffAssignment.$inferInsert> & {
		kind: (typeof schema.staffAssignment.$inferInsert)['kind'];
	}
) {
	const [row] = await db()
		.insert(schema.staffAssignment)
		.values({
			name: `${input.kind}-${sequence()}`,
			startedOn: '2020-01-01',
			...input,
			settlementId: settlement.id
		})
		.returning();
	return row;
}

// ---------------------------------------------------------------------------------------------
// Services (appended for the services specs)

export type ServiceCategory = typeof schema.serviceCategory.$inferSelect;
export type ServiceRequest = typeof schema.serviceRequest.$inferSelect;

/** A catalogue entry of a county (any region works); 5 working days unless told. */
export async function createCategory(
	region: Region,
	input: Partial<typeof schema.serviceCategory.$inferInsert> = {}
): Promise<ServiceCategory> {
	const n = sequence();
	const [row] = await db()
		.insert(schema.serviceCategory)
		.values({
			code: `test_${n}`,
			name: `事项${n}`,
			materials: ['户口簿', '身份证'],
			timeLimitDays: 5,
			...input,
			regionId: region.id,
			regionPath: region.path
		})
		.returning();
	return row;
}

/**
 * A request written straight to the table (the services commands are tested on their own):
 * in the household's settlement, filed by `filedBy`, due in a week unless told.
 */
export async function createServiceRequest(
	household: { id: string; settlementId: string },
	category: { id: string },
	filedBy: { id: string },
	input: Partial<typeof schema.serviceRequest.$inferInsert> = {}
): Promise<ServiceRequest> {
	const [s] = await db()
		.select({ regionPath: schema.settlement.regionPath })
		.from(schema.settlement)
		.where(eq(schema.settlement.id, household.settlementId));
	const [row] = await db()
		.insert(schema.serviceRequest)
		.values({
			description: `测试申请${sequence()}`,
			dueOn: new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10),
			...input,
			categoryId: category.id,
			householdId: household.id,
			settlementId: household.settlementId,
			regionPath: s.regionPath,
			filedBy: filedBy.id
		})
		.returning();
	return row;
}

// ---------------------------------------------------------------------------------------------
// Charity (appended for the charity specs): rows written straight to the tables

export type Need = typeof schema.need.$inferSelect;
export type Offer = typeof schema.offer.$inferSelect;
export type Fund = typeof schema.fund.$inferSelect;

/** A need of a household; published (verified) unless told, money of 1,000 yuan by default. */
export async function createNeed(
	household: { id: string; settlementId: string },
	raisedBy: { id: string },
	input: Partial<typeof schema.need.$inferInsert> = {}
): Promise<Need> {
	const [s] = await db()
		.select({ regionPath: schema.settlement.regionPath })
		.from(schema.settlement)
		.where(eq(schema.settlement.id, household.settlementId));
	const published = (input.status ?? 'published') !== 'pending';
	const [row] = await db()
		.insert(schema.need)
		.values({
			category: 'medical',
			kind: 'money',
			quantity: 100_000,
			title: `需求${sequence()}`,
			status: 'published',
			verifiedAt: published ? new Date() : null,
			verifiedBy: published ? raisedBy.id : null,
			...input,
			householdId: household.id,
			settlementId: household.settlementId,
			regionPath: s.regionPath,
			raisedBy: raisedBy.id
		})
		.returning();
	return row;
}

/** An offer of an organisation serving a region, valid this year, 10,000 yuan by default. */
export async function createOffer(
	organization: { id: string },
	createdBy: { id: string },
	region: { path: string },
	input: Partial<typeof schema.offer.$inferInsert> = {}
): Promise<Offer> {
	const year = new Date().getUTCFullYear();
	const [row] = await db()
		.insert(schema.offer)
		.values({
			kind: 'money',
			categories: ['medical', 'schooling'],
			regionPaths: [region.path],
			capacity: 1_000_000,
			title: `资源${sequence()}`,
			validFrom: `${year - 1}-01-01`,
			validTo: `${year + 1}-12-31`,
			...input,
			organizationId: organization.id,
			createdBy: createdBy.id
		})
		.returning();
	return row;
}

/** An empty fund of an organisation (money comes in through the ledger commands). */
export async function createFund(
	organization: { id: string },
	input: Partial<typeof schema.fund.$inferInsert> = {}
): Promise<Fund> {
	const [row] = await db()
		.insert(schema.fund)
		.values({
			name: `基金${sequence()}`,
			kind: 'project',
			startsOn: '2026-01-01',
			...input,
			balance: 0,
			organizationId: organization.id
		})
		.returning();
	return row;
}
