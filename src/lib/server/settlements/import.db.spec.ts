import { and, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '$lib/id-number';
import type { Member } from '$lib/schemas/household';
import { useTestDatabase } from '../../../../tests/db';
import { httpStatus as status } from '../../../../tests/http';
import {
	createCounty,
	createHousehold,
	createSettlement,
	createUser,
	type County,
	type Settlement
} from '../../../../tests/factories';
import type { Actor } from '../access';
import { db, schema } from '../db';
import {
	confirmImport,
	contentDisposition,
	exportRegister,
	getImportBatch,
	listImportBatches,
	maxImportBytes,
	previewImport,
	type PreviewOutcome
} from './import';
import * as register from './households';
import { buildExport, invalidFileMessage, type RegisterHousehold } from './ledger';

useTestDatabase();

// ---------------------------------------------------------------------------
// ledgers built in code

let person = 0;

/** A member whose ID number matches birth date and gender; region 360781 is not the factories'. */
function member(over: Partial<Member> & Pick<Member, 'name' | 'relation'>): Member {
	const gender = over.gender ?? 'male';
	const birthDate = over.birthDate ?? '1975-04-12';
	return {
		gender,
		birthDate,
		idNumber: makeIdNumber('360781', birthDate, ++person * 2, gender),
		phone: undefined,
		schooling: '初中',
		health: '健康',
		laborAbility: '普通劳动力',
		employment: '务工',
		...over
	};
}

type LedgerRows = Omit<RegisterHousehold, 'members'> & { members: Member[] };

/** Three households: a working family, an old woman alone, a family with labour and no job. */
function threeHouseholds(): LedgerRows[] {
	return [
		{
			building: '3栋',
			unitNo: '1单元',
			room: '502',
			originTownship: '禾丰镇',
			originVillage: '大坪村下屋组',
			movedInOn: '2019-06-18',
			tags: ['lifted_out', 'subsistence'],
			members: [
				member({ name: '王德明', relation: '户主', phone: '13907971234', employer: '某服装厂' }),
				member({
					name: '刘秀英',
					relation: '配偶',
					gender: 'female',
					birthDate: '1977-08-05',
					laborAbility: '弱劳动力',
					employment: '公益性岗位',
					publicPost: '保洁'
				}),
				member({
					name: '王小梅',
					relation: '女',
					gender: 'female',
					birthDate: '2012-04-09',
					schooling: '小学',
					laborAbility: '无劳动能力',
					employment: '在校学生'
				})
			]
		},
		{
			building: '3栋',
			unitNo: '2单元',
			room: '101',
			originTownship: '银坑镇',
			originVillage: '平安村',
			movedInOn: '2020-01-10',
			tags: ['elderly_alone', 'disabled'],
			members: [
				member({
					name: '李桂花',
					relation: '户主',
					gender: 'female',
					birthDate: '1948-02-14',
					schooling: '文盲或半文盲',
					health: '残疾',
					disabilityLevel: 2,
					laborAbility: '无劳动能力',
					employment: '退休或无需就业'
				})
			]
		},
		{
			building: '5栋',
			unitNo: '1单元',
			room: '301',
			originTownship: '岭背镇',
			originVillage: '谢屋村',
			movedInOn: '2021-03-01',
			tags: ['monitored'],
			members: [
				member({ name: '张建国', relation: '户主', birthDate: '1980-10-02', employment: '未就业' }),
				member({
					name: '黄春兰',
					relation: '配偶',
					gender: 'female',
					birthDate: '1982-01-20',
					laborAbility: '弱劳动力',
					employment: '未就业'
				})
			]
		}
	];
}

/** The households as the county's .xlsx (the template's layout, full values). */
const ledger = (households: readonly RegisterHousehold[]) =>
	buildExport(households, { reveal: true });

const xlsxFile = async (households: readonly RegisterHousehold[], name = '台账.xlsx') => ({
	name,
	bytes: await ledger(households)
});

/** The data row of each member in a file made by `ledger` (row 1 is the header). */
function rowOf(households: readonly RegisterHousehold[], idNumber: string): number {
	const all = households.flatMap((h) => h.members);
	return all.findIndex((m) => m.idNumber === idNumber) + 2;
}

async function registerCounts() {
	const [row] = await db()
		.select({
			households: sql<number>`(select count(*)::int from household)`,
			residents: sql<number>`(select count(*)::int from resident)`,
			updated: sql<string>`(select coalesce(max(updated_at), 'epoch')::text from household)`,
			membersUpdated: sql<string>`(select coalesce(max(updated_at), 'epoch')::text from resident)`
		})
		.from(sql`(select 1) as one`);
	return row;
}

function ok(outcome: PreviewOutcome) {
	if (!outcome.ok) throw new Error(`preview failed: ${outcome.message}`);
	return outcome;
}

const messagesAt = (errors: { row: number; message: string }[], row: number) =>
	errors.filter((e) => e.row === row).map((e) => e.message);

// ---------------------------------------------------------------------------

let county: County;
let point: Settlement;
let admin: Actor;

beforeAll(async () => {
	county = await createCounty();
	point = await createSettlement(county, { name: '贡江新区安置点' });
	admin = (await createUser({ grants: [{ role: 'point_admin', on: point }] })).actor;
});

/** A new settlement with its own point admin, so each test has an empty register. */
async function freshPoint(name?: string) {
	const s = await createSettlement(county, name ? { name } : {});
	const { actor } = await createUser({ grants: [{ role: 'point_admin', on: s }] });
	return { s, actor };
}

describe('previewImport and confirmImport', () => {
	it('previews without writing, then imports households and members in one go', async () => {
		const { s, actor } = await freshPoint();
		const households = threeHouseholds();
		const before = await registerCounts();
		const preview = ok(await previewImport(actor, s.id, await xlsxFile(households)));
		expect(preview.errors).toEqual([]);
		expect(preview.counts).toMatchObject({
			rows: 6,
			households: 3,
			householdsRejected: 0,
			rowsWithErrors: 0,
			members: 6,
			create: 3,
			update: 0,
			unchanged: 0
		});
		expect(await registerCounts()).toEqual(before);

		const batch = await getImportBatch(actor, preview.batchId);
		expect(batch.status).toBe('previewed');
		expect(batch.households.map((h) => [h.headName, h.members, h.action])).toEqual([
			['王德明', 3, 'create'],
			['李桂花', 1, 'create'],
			['张建国', 2, 'create']
		]);

		const confirmed = await confirmImport(actor, preview.batchId);
		expect(confirmed).toMatchObject({
			ok: true,
			alreadyImported: false,
			result: {
				created: 3,
				updated: 0,
				unchanged: 0,
				membersCreated: 6,
				membersUpdated: 0,
				membersUnchanged: 0
			}
		});
		const after = await registerCounts();
		expect(after.households).toBe(before.households + 3);
		expect(after.residents).toBe(before.residents + 6);

		const rows = await db()
			.select()
			.from(schema.household)
			.where(eq(schema.household.settlementId, s.id));
		const byHead = new Map(rows.map((r) => [r.headName, r]));
		expect(byHead.get('王德明')).toMatchObject({
			building: '3栋',
			unitNo: '1单元',
			room: '502',
			originTownship: '禾丰镇',
			originVillage: '大坪村下屋组',
			movedInOn: '2019-06-18',
			tags: ['lifted_out', 'subsistence'],
			zeroEmployment: false,
			status: 'active'
		});
		expect(byHead.get('李桂花')!.zeroEmployment).toBe(false);
		expect(byHead.get('张建国')!.zeroEmployment).toBe(true);

		const members = await db()
			.select()
			.from(schema.resident)
			.where(eq(schema.resident.householdId, byHead.get('王德明')!.id));
		const spouse = members.find((m) => m.name === '刘秀英')!;
		expect(spouse).toMatchObject({
			relation: '配偶',
			isHead: false,
			gender: 'female',
			birthDate: '1977-08-05',
			idNumber: households[0].members[1].idNumber,
			laborAbility: '弱劳动力',
			employment: '公益性岗位',
			publicPost: '保洁',
			phone: null
		});
		expect(members.find((m) => m.isHead)).toMatchObject({
			name: '王德明',
			phone: '13907971234',
			employer: '某服装厂'
		});

		// one audit entry for the import, with counts and no personal data
		const entries = await db()
			.select()
			.from(schema.auditEntry)
			.where(
				and(
					eq(schema.auditEntry.action, 'household.import'),
					eq(schema.auditEntry.entityId, preview.batchId)
				)
			);
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({
			actorId: actor.id,
			entity: 'import_batch',
			scopePath: s.regionPath
		});
		expect(entries[0].summary).toMatchObject({ created: 3, membersCreated: 6 });
		const summary = JSON.stringify(entries[0].summary);
		for (const m of households.flatMap((h) => h.members)) {
			expect(summary).not.toContain(m.idNumber);
			expect(summary).not.toContain(m.name);
		}
		expect((await getImportBatch(actor, preview.batchId)).status).toBe('imported');
		expect((await listImportBatches(actor, s.id))[0]).toMatchObject({
			id: preview.batchId,
			status: 'imported'
		});
	});

	it('re-importing the same file changes nothing', async () => {
		const { s, actor } = await freshPoint();
		const file = await xlsxFile(threeHouseholds());
		const first = ok(await previewImport(actor, s.id, file));
		await confirmImport(actor, first.batchId);
		const before = await registerCounts();

		const again = ok(await previewImport(actor, s.id, file));
		expect(again.errors).toEqual([]);
		expect(again.counts).toMatchObject({ households: 3, create: 0, update: 0, unchanged: 3 });
		const result = await confirmImport(actor, again.batchId);
		expect(result).toMatchObject({
			ok: true,
			result: {
				created: 0,
				updated: 0,
				unchanged: 3,
				membersCreated: 0,
				membersUpdated: 0,
				membersUnchanged: 6
			}
		});
		// not even a timestamp moved
		expect(await registerCounts()).toEqual(before);
	});

	it('updates a household in place: new members added, changed ones updated, others untouched', async () => {
		const { s, actor } = await freshPoint();
		const households = threeHouseholds();
		await confirmImport(
			actor,
			ok(await previewImport(actor, s.id, await xlsxFile(households))).batchId
		);
		const [zhang] = await db()
			.select()
			.from(schema.household)
			.where(and(eq(schema.household.settlementId, s.id), eq(schema.household.headName, '张建国')));
		expect(zhang.zeroEmployment).toBe(true);
		const before = await registerCounts();

		// the 张 family: the wife found work, a son joined; the household moved in on another day
		const changed = structuredClone(households);
		changed[2].movedInOn = '2021-03-15';
		changed[2].members[1].employment = '务工';
		changed[2].members.push(
			member({ name: '张小龙', relation: '子', birthDate: '2003-05-06', employment: '务工' })
		);
		const preview = ok(await previewImport(actor, s.id, await xlsxFile(changed)));
		expect(preview.counts).toMatchObject({ create: 0, update: 1, unchanged: 2, members: 7 });
		const result = await confirmImport(actor, preview.batchId);
		expect(result).toMatchObject({
			ok: true,
			result: {
				created: 0,
				updated: 1,
				unchanged: 2,
				membersCreated: 1,
				membersUpdated: 1,
				membersUnchanged: 5
			}
		});
		const after = await registerCounts();
		expect(after.households).toBe(before.households);
		expect(after.residents).toBe(before.residents + 1);
		const [updated] = await db()
			.select()
			.from(schema.household)
			.where(eq(schema.household.id, zhang.id));
		expect(updated.movedInOn).toBe('2021-03-15');
		expect(updated.zeroEmployment).toBe(false);
		const members = await db()
			.select()
			.from(schema.resident)
			.where(eq(schema.resident.householdId, zhang.id));
		expect(members.map((m) => m.name).sort()).toEqual(['张小龙', '张建国', '黄春兰'].sort());
		const head = members.find((m) => m.isHead)!;
		// the head's row did not change: its timestamp did not move
		expect(head.updatedAt.getTime()).toBe(head.createdAt.getTime());
		expect(members.find((m) => m.name === '黄春兰')!.employment).toBe('务工');
	});

	it('imports only the good households of a file with bad rows, after showing each bad row', async () => {
		const { s, actor } = await freshPoint();
		const households = threeHouseholds();
		const bad = households[1].members[0];
		bad.idNumber = bad.idNumber.slice(0, 17) + (bad.idNumber[17] === '0' ? '1' : '0');
		const before = await registerCounts();
		const preview = ok(await previewImport(actor, s.id, await xlsxFile(households)));
		expect(preview.errors).toEqual([
			{
				row: rowOf(households, bad.idNumber),
				column: '身份证号码',
				message: '身份证号校验位不正确'
			}
		]);
		expect(preview.counts).toMatchObject({
			households: 2,
			householdsRejected: 1,
			rowsWithErrors: 1
		});
		expect(await registerCounts()).toEqual(before);
		const result = await confirmImport(actor, preview.batchId);
		expect(result).toMatchObject({ ok: true, result: { created: 2, membersCreated: 5 } });
		const heads = await db()
			.select({ name: schema.household.headName })
			.from(schema.household)
			.where(eq(schema.household.settlementId, s.id));
		expect(heads.map((h) => h.name).sort()).toEqual(['张建国', '王德明'].sort());
	});

	it('imports a batch once when it is confirmed twice at the same time', async () => {
		const { s, actor } = await freshPoint();
		const preview = ok(await previewImport(actor, s.id, await xlsxFile(threeHouseholds())));
		const before = await registerCounts();
		const [a, b] = await Promise.all([
			confirmImport(actor, preview.batchId),
			confirmImport(actor, preview.batchId)
		]);
		expect(a.ok && b.ok).toBe(true);
		if (!a.ok || !b.ok) return;
		expect([a.alreadyImported, b.alreadyImported].sort()).toEqual([false, true]);
		expect(a.result).toEqual(b.result);
		const after = await registerCounts();
		expect(after.households).toBe(before.households + 3);
		expect(after.residents).toBe(before.residents + 6);
		// and a later double submit answers with the same result
		expect(await confirmImport(actor, preview.batchId)).toMatchObject({
			ok: true,
			alreadyImported: true,
			result: a.result
		});
		const audits = await db()
			.select()
			.from(schema.auditEntry)
			.where(
				and(
					eq(schema.auditEntry.action, 'household.import'),
					eq(schema.auditEntry.entityId, preview.batchId)
				)
			);
		expect(audits).toHaveLength(1);
	});

	it('drops a parsed ledger a week after upload: a stale preview can no longer be confirmed', async () => {
		const { s, actor } = await freshPoint();
		const old = ok(await previewImport(actor, s.id, await xlsxFile(threeHouseholds())));
		const { importBatch } = schema;
		await db()
			.update(importBatch)
			.set({ createdAt: new Date(Date.now() - 8 * 24 * 3600 * 1000) })
			.where(eq(importBatch.id, old.batchId));
		ok(await previewImport(actor, s.id, await xlsxFile(threeHouseholds())));
		const [row] = await db().select().from(importBatch).where(eq(importBatch.id, old.batchId));
		expect(row.status).toBe('discarded');
		expect(row.payload).toEqual([]);
		const before = await registerCounts();
		expect(await confirmImport(actor, old.batchId)).toMatchObject({
			ok: false,
			reason: 'discarded'
		});
		expect(await registerCounts()).toEqual(before);
	});

	it('an import and a clerk registering a household in the same flat at once: one wins', async () => {
		const { s, actor } = await freshPoint();
		const households = threeHouseholds();
		const preview = ok(await previewImport(actor, s.id, await xlsxFile(households)));
		const before = await registerCounts();
		const [imported, created] = await Promise.all([
			confirmImport(actor, preview.batchId),
			register.createHousehold(actor, s.id, {
				building: '5栋',
				unitNo: '1单元',
				room: '301',
				originTownship: '禾丰镇',
				originVillage: '大坪村',
				movedInOn: '2022-01-01',
				tags: [],
				...member({ name: '孙立新', relation: '户主', birthDate: '1979-09-09' })
			})
		]);
		const atFlat = await db()
			.select({ headName: schema.household.headName })
			.from(schema.household)
			.where(
				and(
					eq(schema.household.settlementId, s.id),
					eq(schema.household.building, '5栋'),
					eq(schema.household.room, '301'),
					eq(schema.household.status, 'active')
				)
			);
		expect(atFlat).toHaveLength(1);
		const after = await registerCounts();
		if (imported.ok) {
			expect(created).toMatchObject({ ok: false, reason: 'unit_taken' });
			expect(atFlat[0].headName).toBe('张建国');
			expect(after.households).toBe(before.households + 3);
		} else {
			expect(imported.reason).toBe('stale');
			expect(created.ok).toBe(true);
			expect(atFlat[0].headName).toBe('孙立新');
			expect(after.households).toBe(before.households + 1);
		}
	});

	it('writes nothing when the register changed between preview and confirmation', async () => {
		const { s, actor } = await freshPoint();
		const households = threeHouseholds();
		const preview = ok(await previewImport(actor, s.id, await xlsxFile(households)));
		// meanwhile someone registers another household at 5栋1单元301
		const other = await createHousehold(s, { headName: '赵大海', members: 1 });
		await db()
			.update(schema.household)
			.set({ building: '5栋', unitNo: '1单元', room: '301' })
			.where(eq(schema.household.id, other.id));
		const before = await registerCounts();
		const result = await confirmImport(actor, preview.batchId);
		expect(result).toMatchObject({ ok: false, reason: 'stale' });
		if (result.ok) return;
		expect(result.errors).toContainEqual({
			row: rowOf(households, households[2].members[0].idNumber),
			column: '户主姓名',
			message: '该房号（5栋1单元301）已登记户主为“赵大海”的另一户，请核对'
		});
		expect(await registerCounts()).toEqual(before);
		expect((await getImportBatch(actor, preview.batchId)).status).toBe('previewed');
	});

	it('checks and imports a ledger of 1,200 households against the housing stock', async () => {
		const { s, actor } = await freshPoint();
		const flats = Array.from({ length: 1200 }, (_, i) => ({
			building: `${1 + Math.floor(i / 44)}栋`,
			unitNo: `${1 + (Math.floor(i / 22) % 2)}单元`,
			room: `${1 + Math.floor((i % 22) / 2)}0${1 + (i % 2)}`
		}));
		await db()
			.insert(schema.dwelling)
			.values(flats.map((f) => ({ settlementId: s.id, ...f })));
		const households: LedgerRows[] = flats.map((f, i) => ({
			...f,
			originTownship: '禾丰镇',
			originVillage: '大坪村',
			movedInOn: '2019-06-18',
			tags: [],
			members: [
				member({
					name: `户主${i}`,
					relation: '户主',
					birthDate: new Date(Date.UTC(1960, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)
				})
			]
		}));
		households[1199].room = '9999'; // not a flat of the point
		const preview = ok(await previewImport(actor, s.id, await xlsxFile(households)));
		expect(preview.errors).toEqual([
			{
				row: 1201,
				column: '房号',
				message: `安置点没有这个房号：${flats[1199].building}${flats[1199].unitNo}9999`
			}
		]);
		expect(preview.counts).toMatchObject({ households: 1199, create: 1199 });
		expect(await confirmImport(actor, preview.batchId)).toMatchObject({
			ok: true,
			result: { created: 1199, membersCreated: 1199 }
		});
		const again = ok(await previewImport(actor, s.id, await xlsxFile(households)));
		expect(again.counts).toMatchObject({ households: 1199, unchanged: 1199 });
	});

	it('reads a CSV of the same households as the same register', async () => {
		const { s, actor } = await freshPoint();
		const households = threeHouseholds();
		await confirmImport(
			actor,
			ok(await previewImport(actor, s.id, await xlsxFile(households))).batchId
		);
		// the same ledger saved as CSV by Excel: read back the xlsx and write its cells
		const workbook = new ExcelJS.Workbook();
		await workbook.xlsx.load(new Uint8Array(await ledger(households)).buffer);
		const lines: string[] = [];
		workbook.worksheets[0].eachRow((row) => {
			const values = (row.values as ExcelJS.CellValue[]).slice(1);
			lines.push(values.map((v) => `"${String(v ?? '').replaceAll('"', '""')}"`).join(','));
		});
		const csv = { name: '台账.csv', bytes: new TextEncoder().encode(lines.join('\r\n')) };
		const preview = ok(await previewImport(actor, s.id, csv));
		expect(preview.counts).toMatchObject({ households: 3, unchanged: 3 });
	});
});

describe('bad files: clear errors, nothing written', () => {
	let s: Settlement;
	let actor: Actor;
	beforeAll(async () => {
		({ s, actor } = await freshPoint());
	});

	/** Previews the file and checks neither the register nor a household changed. */
	async function previewNothingWritten(file: { name: string; bytes: Uint8Array }) {
		const before = await registerCounts();
		const outcome = await previewImport(actor, s.id, file);
		expect(await registerCounts()).toEqual(before);
		return outcome;
	}

	it('a wrong ID checksum: the row, the column and the reason; the household’s other rows too', async () => {
		const households = threeHouseholds();
		const spouse = households[0].members[1];
		spouse.idNumber = spouse.idNumber.slice(0, 17) + (spouse.idNumber[17] === 'X' ? '0' : 'X');
		const { errors, counts } = ok(await previewNothingWritten(await xlsxFile(households)));
		expect(errors).toEqual([
			{ row: 2, message: '同户其他成员有错误' },
			{ row: 3, column: '身份证号码', message: '身份证号校验位不正确' },
			{ row: 4, message: '同户其他成员有错误' }
		]);
		expect(counts).toMatchObject({ households: 2, householdsRejected: 1, rowsWithErrors: 3 });
	});

	it('a household without its head', async () => {
		const households = threeHouseholds();
		households[2].members[0].relation = '其他';
		const { errors } = ok(await previewNothingWritten(await xlsxFile(households)));
		for (const m of households[2].members)
			expect(messagesAt(errors, rowOf(households, m.idNumber))).toContain('该户缺少户主');
		expect(errors.filter((e) => e.row < 6)).toEqual([]);
	});

	it('an ID number twice in the file', async () => {
		const households = threeHouseholds();
		households[2].members[1] = {
			...households[2].members[1],
			idNumber: households[0].members[1].idNumber,
			birthDate: households[0].members[1].birthDate
		};
		const { errors } = ok(await previewNothingWritten(await xlsxFile(households)));
		expect(errors).toContainEqual({
			row: 7,
			column: '身份证号码',
			message: '身份证号与第 3 行重复'
		});
	});

	it('an ID number active in a household of another settlement, or of this one', async () => {
		const elsewhere = await createSettlement(county, { name: '银坑镇集镇安置点' });
		const registered = await createHousehold(elsewhere, { members: 2 });
		const neighbour = await createHousehold(s, { members: 1 });
		const households = threeHouseholds();
		const [them] = registered.members;
		households[0].members[2] = {
			...households[0].members[2],
			idNumber: them.idNumber,
			birthDate: them.birthDate,
			gender: them.gender
		};
		const [local] = neighbour.members;
		households[1].members[0] = {
			...households[1].members[0],
			idNumber: local.idNumber,
			birthDate: local.birthDate,
			gender: local.gender
		};
		const { errors, counts } = ok(await previewNothingWritten(await xlsxFile(households)));
		expect(messagesAt(errors, 4)).toEqual(['该身份证号已在银坑镇集镇安置点登记']);
		expect(messagesAt(errors, 5)).toEqual([
			`该身份证号已在${s.name}（${neighbour.building}${neighbour.unitNo}${neighbour.room}）登记`
		]);
		expect(messagesAt(errors, 2)).toEqual(['同户其他成员有错误']);
		expect(counts).toMatchObject({ households: 1, householdsRejected: 2 });

		// someone who moved out of a household may be registered again
		await db()
			.update(schema.resident)
			.set({ status: 'moved_out' })
			.where(eq(schema.resident.id, them.id));
		const again = ok(await previewNothingWritten(await xlsxFile(households)));
		expect(messagesAt(again.errors, 4)).toEqual([]);
	});

	it('an address where another household lives', async () => {
		const there = await createHousehold(s, { headName: '钱有福', members: 1 });
		const households = threeHouseholds();
		Object.assign(households[1], {
			building: there.building,
			unitNo: there.unitNo,
			room: there.room
		});
		const { errors } = ok(await previewNothingWritten(await xlsxFile(households)));
		expect(errors).toContainEqual({
			row: 5,
			column: '户主姓名',
			message: `该房号（${there.building}${there.unitNo}${there.room}）已登记户主为“钱有福”的另一户，请核对`
		});
	});

	it('a unit the settlement does not have, when it has its housing stock', async () => {
		const { s: housed, actor: housedAdmin } = await freshPoint();
		await db()
			.insert(schema.dwelling)
			.values([
				{ settlementId: housed.id, building: '3栋', unitNo: '1单元', room: '502' },
				{ settlementId: housed.id, building: '5栋', unitNo: '1单元', room: '301' }
			]);
		const households = threeHouseholds();
		households[1].room = '502'; // 3栋2单元502: no such unit
		const before = await registerCounts();
		const { errors, counts } = ok(
			await previewImport(housedAdmin, housed.id, await xlsxFile(households))
		);
		expect(await registerCounts()).toEqual(before);
		expect(errors).toEqual([
			{ row: 5, column: '房号', message: '安置点没有这个房号：3栋2单元502' }
		]);
		expect(counts).toMatchObject({ households: 2, householdsRejected: 1 });
	});

	it('an empty sheet', async () => {
		const workbook = new ExcelJS.Workbook();
		workbook.addWorksheet('Sheet1');
		const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
		expect(await previewNothingWritten({ name: '空表.xlsx', bytes })).toEqual({
			ok: false,
			reason: 'file',
			message: '表格中没有数据'
		});
		// a header and nothing under it is as empty
		const headerOnly = await ledger([]);
		expect(await previewNothingWritten({ name: '空表.xlsx', bytes: headerOnly })).toMatchObject({
			ok: false,
			message: '表格中没有数据'
		});
	});

	it('a missing required column', async () => {
		const workbook = new ExcelJS.Workbook();
		const sheet = workbook.addWorksheet('Sheet1');
		sheet.addRow(['楼栋', '房号', '户主姓名', '姓名', '身份证号码']);
		sheet.addRow([
			'3栋',
			'502',
			'王德明',
			'王德明',
			makeIdNumber('360781', '1970-01-01', 1, 'male')
		]);
		const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
		const outcome = await previewNothingWritten({ name: '台账.xlsx', bytes });
		expect(outcome).toMatchObject({ ok: false, reason: 'file' });
		expect(!outcome.ok && outcome.message).toMatch(/^缺少必填列：与户主关系、性别、出生日期/);
	});

	it('a file that is not Excel, renamed .xlsx', async () => {
		const bytes = new TextEncoder().encode('%PDF-1.4\n这不是表格\n');
		expect(await previewNothingWritten({ name: '台账.xlsx', bytes })).toEqual({
			ok: false,
			reason: 'file',
			message: invalidFileMessage
		});
		// nor a ZIP that is not a workbook
		const zip = Buffer.from('504b0304' + '00'.repeat(40), 'hex');
		expect(await previewNothingWritten({ name: '台账.xlsx', bytes: zip })).toMatchObject({
			ok: false,
			message: invalidFileMessage
		});
	});

	it('a file too large, or of another kind', async () => {
		const big = new Uint8Array(maxImportBytes + 1);
		expect(await previewNothingWritten({ name: '台账.xlsx', bytes: big })).toEqual({
			ok: false,
			reason: 'file',
			message: '文件超过 10 MB，请拆分成几个文件分批导入'
		});
		expect(
			await previewNothingWritten({ name: '台账.pdf', bytes: await ledger(threeHouseholds()) })
		).toMatchObject({ ok: false, reason: 'file' });
	});

	it('stores no batch for a file that cannot be read', async () => {
		const [{ n }] = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(schema.importBatch)
			.where(eq(schema.importBatch.settlementId, s.id));
		await previewImport(actor, s.id, { name: 'x.xlsx', bytes: new Uint8Array([1, 2, 3]) });
		const [{ n: after }] = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(schema.importBatch)
			.where(eq(schema.importBatch.settlementId, s.id));
		expect(after).toBe(n);
	});
});

describe('who may import', () => {
	let file: { name: string; bytes: Uint8Array };
	let batchId: string;
	beforeAll(async () => {
		file = await xlsxFile(threeHouseholds());
		batchId = ok(await previewImport(admin, point.id, file)).batchId;
	});

	it('a point admin of another settlement gets 404, as if nothing were there', async () => {
		const { actor: other } = await freshPoint();
		expect(await status(previewImport(other, point.id, file))).toBe(404);
		expect(await status(confirmImport(other, batchId))).toBe(404);
		expect(await status(getImportBatch(other, batchId))).toBe(404);
		expect(await status(listImportBatches(other, point.id))).toBe(404);
	});

	it('staff who may read the settlement but not import get 403 on the commands', async () => {
		const { actor: worker } = await createUser({
			grants: [{ role: 'community_worker', on: point }]
		});
		const { actor: civil } = await createUser({ grants: [{ role: 'civil_affairs', on: county }] });
		for (const actor of [worker, civil]) {
			expect(await status(previewImport(actor, point.id, file))).toBe(403);
			expect(await status(confirmImport(actor, batchId))).toBe(403);
		}
		expect((await getImportBatch(admin, batchId)).status).toBe('previewed');
	});

	it('unknown or malformed ids are 404', async () => {
		const { actor: sysadmin } = await createUser({ grants: [{ role: 'system_admin' }] });
		const unknown = '00000000-0000-4000-8000-000000000000';
		for (const actor of [admin, sysadmin]) {
			expect(await status(previewImport(actor, unknown, file))).toBe(404);
			expect(await status(previewImport(actor, 'nope', file))).toBe(404);
			expect(await status(confirmImport(actor, unknown))).toBe(404);
			expect(await status(confirmImport(actor, "1' or '1'='1"))).toBe(404);
			expect(await status(getImportBatch(actor, unknown))).toBe(404);
		}
	});
});

describe('exportRegister', () => {
	let s: Settlement;
	let actor: Actor;
	let households: LedgerRows[];
	beforeAll(async () => {
		({ s, actor } = await freshPoint('黄麟村安置点'));
		households = threeHouseholds();
		await confirmImport(
			actor,
			ok(await previewImport(actor, s.id, await xlsxFile(households))).batchId
		);
		// a household that moved out is not in the export
		await createHousehold(s, { headName: '已迁出', status: 'moved_out', members: 1 });
	});

	async function cells(file: Buffer): Promise<string[][]> {
		const workbook = new ExcelJS.Workbook();
		await workbook.xlsx.load(new Uint8Array(file).buffer);
		const rows: string[][] = [];
		workbook.worksheets[0].eachRow((row) =>
			rows.push((row.values as ExcelJS.CellValue[]).slice(1).map((v) => String(v ?? '')))
		);
		return rows;
	}

	const exportAudits = async (action: string) =>
		db()
			.select()
			.from(schema.auditEntry)
			.where(and(eq(schema.auditEntry.action, action), eq(schema.auditEntry.entityId, s.id)));

	it('is masked by default, page by page, and audited', async () => {
		const result = await exportRegister(actor, s.id, { pageSize: 2 });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result).toMatchObject({ households: 3, members: 6, revealed: false });
		expect(result.fileName).toMatch(/^黄麟村安置点-台账-\d{4}-\d{2}-\d{2}\.xlsx$/);
		expect(result.file.subarray(0, 2).toString()).toBe('PK');
		const rows = await cells(result.file);
		expect(rows[0].slice(0, 6)).toEqual(['序号', '楼栋', '单元', '房号', '户主姓名', '与户主关系']);
		expect(rows).toHaveLength(7);
		const text = JSON.stringify(rows);
		expect(text).not.toMatch(/\d{17}[\dX]/);
		expect(text).not.toContain('13907971234');
		expect(text).toContain('139****1234');
		expect(text).not.toContain('已迁出');
		for (const m of households.flatMap((h) => h.members))
			expect(text).toContain(m.idNumber.slice(0, 4) + '**********' + m.idNumber.slice(-4));

		const [entry] = await exportAudits('household.export');
		expect(entry.summary).toEqual({
			settlementId: s.id,
			households: 3,
			members: 6,
			revealed: false
		});
		expect(await exportAudits('person.reveal')).toEqual([]);
	});

	it('shows full values only with person.reveal and a reason, and audits the reveal', async () => {
		// no reason: refused, nothing audited
		const before = (await exportAudits('household.export')).length;
		expect(await exportRegister(actor, s.id, { reveal: true, reason: ' ' })).toMatchObject({
			ok: false,
			reason: 'reason_required'
		});
		expect(await exportAudits('household.export')).toHaveLength(before);

		const result = await exportRegister(actor, s.id, {
			reveal: true,
			reason: '县民政局核对低保名单'
		});
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.revealed).toBe(true);
		const text = JSON.stringify(await cells(result.file));
		for (const m of households.flatMap((h) => h.members)) expect(text).toContain(m.idNumber);
		expect(text).toContain('13907971234');
		const reveals = await exportAudits('person.reveal');
		expect(reveals).toHaveLength(1);
		expect(reveals[0].summary).toMatchObject({ reason: '县民政局核对低保名单', revealed: true });
		expect(JSON.stringify(reveals[0].summary)).not.toMatch(/\d{17}[\dX]/);

		// an unmasked export imports again and changes nothing
		const preview = ok(await previewImport(actor, s.id, { name: 'x.xlsx', bytes: result.file }));
		expect(preview.counts).toMatchObject({ households: 3, unchanged: 3 });
	});

	it('refuses: 403 to reveal without person.reveal, 404 without household.export', async () => {
		const { actor: chief } = await createUser({
			grants: [{ role: 'chief_of_points', on: county }]
		});
		expect((await exportRegister(chief, s.id)).ok).toBe(true);
		expect(await status(exportRegister(chief, s.id, { reveal: true, reason: '核对' }))).toBe(403);
		const { actor: worker } = await createUser({ grants: [{ role: 'community_worker', on: s }] });
		expect(await status(exportRegister(worker, s.id))).toBe(404);
		expect(await status(exportRegister(admin, s.id))).toBe(404);
	});

	it('names the file for browsers in both ways', () => {
		expect(contentDisposition('黄麟村安置点-台账-2026-11-28.xlsx', 'ledger-2026-11-28.xlsx')).toBe(
			`attachment; filename="ledger-2026-11-28.xlsx"; filename*=UTF-8''${encodeURIComponent('黄麟村安置点-台账-2026-11-28.xlsx')}`
		);
	});
});
