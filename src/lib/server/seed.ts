import { eq, sql } from 'drizzle-orm';
import { makeIdNumber } from '../id-number';
import type { Relation } from '../schemas/household';
import { hashPassword } from './auth/password';
import { db, schema, type Transaction } from './db';
import type { Role } from './db/schema';

export const demoPassword = 'anju-demo';
export const demoCountyCode = '360731000000';

/** A small deterministic generator, so every seed makes the same county. */
function rng(seed: number) {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高钟曾谢邱温肖廖赖宋曹彭'.split('');
const givenChars = '建国华明伟芳秀英丽军平红玉兰强春生金桂林海云福荣德文凤霞梅志勇'.split('');

export async function isEmpty(): Promise<boolean> {
	const [row] = await db()
		.select({ n: sql<number>`count(*)::int` })
		.from(schema.region);
	return row.n === 0;
}

interface RegionSeed {
	code: string;
	name: string;
	level: 'province' | 'city' | 'county' | 'township' | 'village';
	parent?: string;
}

const regions: RegionSeed[] = [
	{ code: '360000000000', name: '江西省', level: 'province' },
	{ code: '360700000000', name: '赣州市', level: 'city', parent: '360000000000' },
	{ code: demoCountyCode, name: '于都县', level: 'county', parent: '360700000000' },
	{ code: '360731100000', name: '贡江镇', level: 'township', parent: demoCountyCode },
	{ code: '360731101000', name: '银坑镇', level: 'township', parent: demoCountyCode },
	{ code: '360731102000', name: '岭背镇', level: 'township', parent: demoCountyCode },
	{ code: '360731200000', name: '黄麟乡', level: 'township', parent: demoCountyCode },
	{ code: '360731201000', name: '沙心乡', level: 'township', parent: demoCountyCode },
	{ code: '360731200201', name: '黄麟村', level: 'village', parent: '360731200000' },
	{ code: '360731201202', name: '沙心村', level: 'village', parent: '360731201000' },
	{ code: '360731101203', name: '银坑村', level: 'village', parent: '360731101000' }
];

interface SettlementSeed {
	name: string;
	kind: 'urban_park' | 'town' | 'village';
	region: string;
	committeeKind: 'new_residents_committee' | 'town_committee' | 'village_committee';
	committeeName: string;
	address: string;
	openedOn: string;
	capacity: number;
	households: number;
}

export const demoSettlements: SettlementSeed[] = [
	{
		name: '贡江新区安置点',
		kind: 'urban_park',
		region: '360731100000',
		committeeKind: 'new_residents_committee',
		committeeName: '贡江新区社区居委会',
		address: '于都县贡江镇长征大道 88 号',
		openedOn: '2019-06-18',
		capacity: 1200,
		households: 60
	},
	{
		name: '银坑镇集镇安置点',
		kind: 'town',
		region: '360731101000',
		committeeKind: 'town_committee',
		committeeName: '银坑镇社区居委会',
		address: '于都县银坑镇新街 12 号',
		openedOn: '2018-11-02',
		capacity: 400,
		households: 30
	},
	{
		name: '黄麟村安置点',
		kind: 'village',
		region: '360731200201',
		committeeKind: 'village_committee',
		committeeName: '黄麟村村民委员会',
		address: '于都县黄麟乡黄麟村',
		openedOn: '2017-09-20',
		capacity: 150,
		households: 20
	}
];

interface AccountSeed {
	username: string;
	displayName: string;
	role: Role;
	scope: 'global' | 'county' | 'settlement0' | 'charity' | 'mutualAid';
}

export const demoAccounts: AccountSeed[] = [
	{ username: 'admin', displayName: '系统管理员', role: 'system_admin', scope: 'global' },
	{ username: 'minzheng', displayName: '刘民政', role: 'civil_affairs', scope: 'county' },
	{ username: 'zongdianzhang', displayName: '陈总点长', role: 'chief_of_points', scope: 'county' },
	{ username: 'dianzhang', displayName: '钟点长', role: 'point_chief', scope: 'settlement0' },
	{ username: 'guanliyuan', displayName: '曾管理员', role: 'point_admin', scope: 'settlement0' },
	{ username: 'shegong', displayName: '肖社工', role: 'community_worker', scope: 'settlement0' },
	{ username: 'cishan', displayName: '温慈善', role: 'org_member', scope: 'charity' },
	{ username: 'huzhushe', displayName: '赖互助', role: 'mutual_aid_admin', scope: 'mutualAid' }
];

/** Seeds the demo county, its points, households, organisations and accounts; does nothing if it exists. */
export async function seedDemo(): Promise<{ created: boolean }> {
	const passwordHash = await hashPassword(demoPassword);
	return db().transaction(async (tx) => {
		const [exists] = await tx
			.select({ id: schema.region.id })
			.from(schema.region)
			.where(eq(schema.region.code, demoCountyCode));
		if (exists) return { created: false };
		await seedInto(tx, passwordHash);
		return { created: true };
	});
}

async function seedInto(tx: Transaction, passwordHash: string) {
	const { region, settlement, household, resident, organization, user, roleGrant } = schema;
	const random = rng(360731);
	const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];

	const regionIds = new Map<string, { id: string; path: string }>();
	for (const r of regions) {
		const parent = r.parent ? regionIds.get(r.parent) : undefined;
		const path = (parent?.path ?? '/') + r.code + '/';
		const [row] = await tx
			.insert(region)
			.values({ code: r.code, name: r.name, level: r.level, parentId: parent?.id, path })
			.returning({ id: region.id });
		regionIds.set(r.code, { id: row.id, path });
	}
	const county = regionIds.get(demoCountyCode)!;
	const originTownships = regions.filter((r) => r.level === 'township' || r.level === 'village');

	const settlementIds: string[] = [];
	const firstHouseholds: string[] = [];
	let sequence = 0;
	for (const s of demoSettlements) {
		const r = regionIds.get(s.region)!;
		const [row] = await tx
			.insert(settlement)
			.values({
				name: s.name,
				kind: s.kind,
				regionId: r.id,
				regionPath: r.path,
				committeeKind: s.committeeKind,
				committeeName: s.committeeName,
				address: s.address,
				openedOn: s.openedOn,
				capacity: s.capacity
			})
			.returning({ id: settlement.id });
		settlementIds.push(row.id);

		const householdRows = [];
		const memberPlans: { size: number; surname: string }[] = [];
		for (let i = 0; i < s.households; i++) {
			const surname = pick(surnames);
			const building = `${1 + Math.floor(i / 24)}栋`;
			const unitNo = `${1 + (Math.floor(i / 8) % 3)}单元`;
			const room = `${1 + (Math.floor(i / 2) % 4)}0${1 + (i % 2)}`;
			const origin = pick(originTownships);
			householdRows.push({
				settlementId: row.id,
				building,
				unitNo,
				room,
				headName: surname + pick(givenChars) + pick(givenChars),
				originRegionId: regionIds.get(origin.code)!.id,
				originVillage: origin.name,
				movedInOn: s.openedOn
			});
			memberPlans.push({ size: 1 + Math.floor(random() * 5), surname });
		}
		const inserted = await tx
			.insert(household)
			.values(householdRows)
			.returning({ id: household.id });
		firstHouseholds.push(inserted[0].id);

		const members = [];
		for (let i = 0; i < inserted.length; i++) {
			const plan = memberPlans[i];
			const headYear = 1950 + Math.floor(random() * 40);
			for (let k = 0; k < plan.size; k++) {
				const isHead = k === 0;
				const gender: 'male' | 'female' = isHead ? 'male' : random() < 0.5 ? 'male' : 'female';
				const year =
					k === 0 ? headYear : k === 1 ? headYear + 2 : Math.min(headYear + 22 + k * 2, 2022);
				const birthDate = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
				members.push({
					householdId: inserted[i].id,
					name: isHead
						? householdRows[i].headName
						: (k === 1 ? pick(surnames) : plan.surname) + pick(givenChars) + pick(givenChars),
					relation: (isHead
						? '户主'
						: k === 1
							? '配偶'
							: gender === 'male'
								? '子'
								: '女') as Relation,
					isHead,
					idNumber: makeIdNumber('360731', birthDate, ++sequence, gender),
					gender,
					birthDate,
					phone:
						year < 2008
							? `1${pick(['39', '58', '87', '35'])}${String(Math.floor(random() * 1e8)).padStart(8, '0')}`
							: null
				});
			}
		}
		for (let i = 0; i < members.length; i += 500)
			await tx.insert(resident).values(members.slice(i, i + 500));
	}

	const orgs = await tx
		.insert(organization)
		.values([
			{
				name: '于都县慈善总会',
				kind: 'charity',
				regionId: county.id,
				regionPath: county.path,
				verifiedAt: new Date()
			},
			{
				name: '于都县红土地社会工作服务中心',
				kind: 'social_org',
				regionId: county.id,
				regionPath: county.path,
				verifiedAt: new Date()
			},
			{
				name: '贡江新区救急难互助社',
				kind: 'mutual_aid_group',
				regionId: county.id,
				regionPath: county.path,
				settlementId: settlementIds[0],
				verifiedAt: new Date()
			}
		] as const)
		.returning({ id: organization.id });

	const scopeOf = (scope: AccountSeed['scope']) => {
		switch (scope) {
			case 'global':
				return { scopeKind: 'global' as const };
			case 'county':
				return { scopeKind: 'region' as const, regionId: county.id };
			case 'settlement0':
				return { scopeKind: 'settlement' as const, settlementId: settlementIds[0] };
			case 'charity':
				return { scopeKind: 'organization' as const, organizationId: orgs[0].id };
			case 'mutualAid':
				return { scopeKind: 'organization' as const, organizationId: orgs[2].id };
		}
	};
	for (const a of demoAccounts) {
		const [u] = await tx
			.insert(user)
			.values({ username: a.username, displayName: a.displayName, passwordHash })
			.returning({ id: user.id });
		await tx.insert(roleGrant).values({ userId: u.id, role: a.role, ...scopeOf(a.scope) });
	}
	const residents = [
		{ username: 'jumin', settlement: 0 },
		{ username: 'jumin2', settlement: 1 }
	];
	for (const r of residents) {
		const householdId = firstHouseholds[r.settlement];
		const [head] = await tx
			.select({ name: resident.name })
			.from(resident)
			.where(eq(resident.householdId, householdId))
			.limit(1);
		const [u] = await tx
			.insert(user)
			.values({ username: r.username, displayName: head.name, passwordHash, householdId })
			.returning({ id: user.id });
		await tx.insert(roleGrant).values({
			userId: u.id,
			role: 'resident',
			scopeKind: 'settlement',
			settlementId: settlementIds[r.settlement]
		});
	}
}
