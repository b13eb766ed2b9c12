// 台账导入导出: the commands around the ledger module — preview an upload against the register,
// import a previewed batch in one transaction, export the register of a settlement.
import { error } from '@sveltejs/kit';
import { createHash, randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import {
	headRelation,
	isZeroEmployment,
	type HouseholdTag,
	type Member
} from '$lib/schemas/household';
import { can, requirePermission, type Actor, type Permission } from '../access';
import { raiseRegisterFlag } from '../activities/risks';
import * as audit from '../audit';
import { db, schema, type Executor } from '../db';
import {
	buildExport,
	ledgerColumns,
	parseLedger,
	type LedgerError,
	type LedgerHousehold,
	type LedgerMember,
	type RegisterHousehold
} from './ledger';
import { isUuid, residentValues } from './shared';

/** Uploads larger than this are refused before parsing. */
export const maxImportBytes = 10 * 1024 * 1024;

export type PlanAction = 'create' | 'update' | 'unchanged';

/** What a preview found: rows read, households that will import and how, rows with errors. */
export interface ImportCounts {
	rows: number;
	/** households without any error: what a confirmation imports */
	households: number;
	householdsRejected: number;
	rowsWithErrors: number;
	/** members of the households that will import */
	members: number;
	create: number;
	update: number;
	unchanged: number;
}

/** What a confirmation did. */
export interface ImportResult {
	created: number;
	updated: number;
	unchanged: number;
	membersCreated: number;
	membersUpdated: number;
	membersUnchanged: number;
}

/** One household of a batch, as the preview lists it. */
export interface PreviewHousehold {
	row: number;
	building: string;
	unitNo: string;
	room: string;
	headName: string;
	members: number;
	action: PlanAction;
}

type BatchHousehold = LedgerHousehold & { action: PlanAction };

export type Failure<F extends string = string> = { ok: false; reason: F; message: string };

const header = (key: (typeof ledgerColumns)[number]['key']) =>
	ledgerColumns.find((c) => c.key === key)!.header;
const columnOrder = new Map<string, number>(ledgerColumns.map((c, i) => [c.header, i]));

const otherMemberMessage = '同户其他成员有错误';

/** `3栋2单元502`: how people write a unit address. */
export function unitLabel(h: { building: string; unitNo: string; room: string }) {
	return `${h.building}${h.unitNo}${h.room}`;
}

const unitKey = (h: { building: string; unitNo: string; room: string }) =>
	`${h.building}\u0000${h.unitNo}\u0000${h.room}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

interface SettlementRef {
	id: string;
	name: string;
	regionPath: string;
}

/**
 * The settlement for a command: 404 when it is missing or outside what the actor may see,
 * then the permission over it (`kind` decides 404 or 403).
 */
async function settlementFor(
	actor: Actor,
	settlementId: string,
	permission: Permission,
	kind: 'read' | 'write',
	executor: Executor = db()
): Promise<SettlementRef> {
	const { settlement } = schema;
	const [s] = isUuid(settlementId)
		? await executor
				.select({ id: settlement.id, name: settlement.name, regionPath: settlement.regionPath })
				.from(settlement)
				.where(eq(settlement.id, settlementId))
		: [];
	const resource = s ? { settlementId: s.id, regionPath: s.regionPath } : {};
	requirePermission(actor, 'settlement.read', resource, 'read');
	// a global grant passes the check on an empty resource: a missing settlement is still 404
	if (!s) error(404, '页面不存在');
	requirePermission(actor, permission, resource, kind);
	return s;
}

/** The settlement of the import page, with what else the actor may do there; 404 or 403 as the commands. */
export async function getImportSettlement(actor: Actor, settlementId: string) {
	const s = await settlementFor(actor, settlementId, 'household.import', 'read');
	const resource = { settlementId: s.id, regionPath: s.regionPath };
	return {
		...s,
		canExport: can(actor, 'household.export', resource),
		canReveal: can(actor, 'household.export', resource) && can(actor, 'person.reveal', resource)
	};
}

/** The settlement of the export form; 404 unless the actor may export and see full values there. */
export async function getRevealSettlement(actor: Actor, settlementId: string) {
	const s = await settlementFor(actor, settlementId, 'household.export', 'read');
	requirePermission(
		actor,
		'person.reveal',
		{ settlementId: s.id, regionPath: s.regionPath },
		'read'
	);
	return s;
}

// ---------------------------------------------------------------------------
// the plan: what the register holds for the households of a ledger

interface ExistingHousehold {
	id: string;
	building: string;
	unitNo: string;
	room: string;
	headName: string;
	originTownship: string;
	originVillage: string;
	movedInOn: string | null;
	tags: HouseholdTag[];
	zeroEmployment: boolean;
}

type ExistingMember = typeof schema.resident.$inferSelect;

type Step =
	| { action: 'create'; h: LedgerHousehold }
	| {
			action: 'update' | 'unchanged';
			h: LedgerHousehold;
			existing: ExistingHousehold;
			householdChanged: boolean;
			inserts: LedgerMember[];
			updates: { id: string; member: LedgerMember }[];
			unchangedMembers: number;
			/** every active member after the import: the file's and those only in the register */
			after: Pick<Member, 'birthDate' | 'laborAbility' | 'employment'>[];
	  };

interface Plan {
	/** errors the register adds to the file's own */
	errors: LedgerError[];
	steps: Step[];
	/** households refused because of the register */
	rejected: number;
}

const memberFields = [
	'name',
	'relation',
	'gender',
	'birthDate',
	'phone',
	'schooling',
	'health',
	'disabilityLevel',
	'laborAbility',
	'employment',
	'employer',
	'job',
	'publicPost',
	'training'
] as const;

/** A ledger member as the resident row stores it. */
function memberRow(m: Member) {
	return { ...residentValues(m), relation: m.relation, isHead: m.relation === headRelation };
}

function sameMember(existing: ExistingMember, m: Member): boolean {
	const row = memberRow(m);
	if (existing.isHead !== row.isHead) return false;
	return memberFields.every((f) => (existing[f] ?? null) === (row[f] ?? null));
}

function sameHousehold(existing: ExistingHousehold, h: LedgerHousehold): boolean {
	return (
		existing.originTownship === h.originTownship &&
		existing.originVillage === h.originVillage &&
		existing.movedInOn === h.movedInOn &&
		existing.tags.length === h.tags.length &&
		existing.tags.every((t) => h.tags.includes(t))
	);
}

const headOf = (h: LedgerHousehold) =>
	h.members.find((m) => m.relation === headRelation) ?? h.members[0];

/**
 * Checks the households of a ledger against the register and decides what happens to each:
 * a known unit (when the settlement has its housing stock), no ID number active in another
 * household, no other household at the address. Reads only.
 */
async function planImport(
	executor: Executor,
	settlement: SettlementRef,
	households: readonly LedgerHousehold[],
	options: { lock?: boolean } = {}
): Promise<Plan> {
	const { household, resident, dwelling, settlement: settlementTable } = schema;
	const errorsOf = new Map<number, LedgerError[]>(); // by household index
	const fail = (i: number, e: LedgerError) => {
		const list = errorsOf.get(i);
		if (list) list.push(e);
		else errorsOf.set(i, [e]);
	};

	// looked up by building (an index range each), then cut to the file's addresses here: a list
	// of (building, unit, room) values is slow to plan, PGlite fails on a few hundred of them, and
	// a join against the file's addresses gets a nested loop over the settlement when the
	// planner's statistics lag behind a large import
	const wanted = new Set(households.map(unitKey));
	const buildings = [...new Set(households.map((h) => h.building))];

	// 1. the housing stock, when the settlement has one
	const [anyDwelling] = await executor
		.select({ id: dwelling.id })
		.from(dwelling)
		.where(eq(dwelling.settlementId, settlement.id))
		.limit(1);
	if (anyDwelling) {
		const known = new Set<string>();
		for (const list of chunks(buildings, 1000)) {
			const rows = await executor
				.select({ building: dwelling.building, unitNo: dwelling.unitNo, room: dwelling.room })
				.from(dwelling)
				.where(and(eq(dwelling.settlementId, settlement.id), inArray(dwelling.building, list)));
			for (const r of rows) if (wanted.has(unitKey(r))) known.add(unitKey(r));
		}
		households.forEach((h, i) => {
			if (!known.has(unitKey(h)))
				fail(i, {
					row: headOf(h).row,
					column: header('room'),
					message: `安置点没有这个房号：${unitLabel(h)}`
				});
		});
	}

	// 2. who lives at these addresses now
	const atUnit = new Map<string, ExistingHousehold>();
	for (const list of chunks(buildings, 1000)) {
		const query = executor
			.select({
				id: household.id,
				building: household.building,
				unitNo: household.unitNo,
				room: household.room,
				headName: household.headName,
				originTownship: household.originTownship,
				originVillage: household.originVillage,
				movedInOn: household.movedInOn,
				tags: household.tags,
				zeroEmployment: household.zeroEmployment
			})
			.from(household)
			.where(
				and(
					eq(household.settlementId, settlement.id),
					eq(household.status, 'active'),
					inArray(household.building, list)
				)
			);
		// confirming locks the households it may update, as a clerk editing their members does
		const rows = options.lock ? await query.for('update') : await query;
		for (const r of rows) if (wanted.has(unitKey(r))) atUnit.set(unitKey(r), r);
	}
	const target = new Map<number, ExistingHousehold>();
	households.forEach((h, i) => {
		const existing = atUnit.get(unitKey(h));
		if (!existing) return;
		if (existing.headName === h.headName) target.set(i, existing);
		else
			fail(i, {
				row: headOf(h).row,
				column: header('headName'),
				message: `该房号（${unitLabel(h)}）已登记户主为“${existing.headName}”的另一户，请核对`
			});
	});

	// 3. the members of the households that will be updated
	const membersOf = new Map<string, ExistingMember[]>();
	for (const ids of chunks(
		[...target.values()].map((e) => e.id),
		5000
	)) {
		const rows = await executor
			.select()
			.from(resident)
			.where(and(inArray(resident.householdId, ids), eq(resident.status, 'active')));
		for (const r of rows) {
			const list = membersOf.get(r.householdId);
			if (list) list.push(r);
			else membersOf.set(r.householdId, [r]);
		}
	}

	// 4. ID numbers active in another household, in this settlement or any other
	const where = new Map<string, { householdId: string; settlementName: string; unit: string }>();
	const allIds = households.flatMap((h) => h.members.map((m) => m.idNumber));
	for (const ids of chunks(allIds, 5000)) {
		const rows = await executor
			.select({
				idNumber: resident.idNumber,
				householdId: resident.householdId,
				settlementId: household.settlementId,
				settlementName: settlementTable.name,
				building: household.building,
				unitNo: household.unitNo,
				room: household.room
			})
			.from(resident)
			.innerJoin(household, eq(household.id, resident.householdId))
			.innerJoin(settlementTable, eq(settlementTable.id, household.settlementId))
			.where(
				and(
					inArray(resident.idNumber, ids),
					eq(resident.status, 'active'),
					eq(household.status, 'active')
				)
			);
		for (const r of rows)
			where.set(r.idNumber, {
				householdId: r.householdId,
				settlementName: r.settlementName,
				// only the actor's own settlement's address is named
				unit: r.settlementId === settlement.id ? unitLabel(r) : ''
			});
	}
	households.forEach((h, i) => {
		const own = target.get(i);
		for (const m of h.members) {
			const found = where.get(m.idNumber);
			if (!found || found.householdId === own?.id) continue;
			fail(i, {
				row: m.row,
				column: header('idNumber'),
				message: `该身份证号已在${found.settlementName}${found.unit ? `（${found.unit}）` : ''}登记`
			});
		}
		// the register's head must be the file's head: else the household would get two
		if (own) {
			const registeredHead = membersOf.get(own.id)?.find((r) => r.isHead);
			const head = headOf(h);
			if (registeredHead && registeredHead.idNumber !== head.idNumber)
				fail(i, {
					row: head.row,
					column: header('idNumber'),
					message: '户主的身份证号与花名册中该户户主的不一致，请核对'
				});
		}
	});

	// 5. what each household without errors becomes
	const errors: LedgerError[] = [];
	const steps: Step[] = [];
	households.forEach((h, i) => {
		const problems = errorsOf.get(i);
		if (problems) {
			const rows = new Set(problems.map((e) => e.row));
			errors.push(...problems);
			for (const m of h.members)
				if (!rows.has(m.row)) errors.push({ row: m.row, message: otherMemberMessage });
			return;
		}
		const existing = target.get(i);
		if (!existing) {
			steps.push({ action: 'create', h });
			return;
		}
		const current = membersOf.get(existing.id) ?? [];
		const byId = new Map(current.map((r) => [r.idNumber, r]));
		const inserts: LedgerMember[] = [];
		const updates: { id: string; member: LedgerMember }[] = [];
		let unchangedMembers = 0;
		for (const m of h.members) {
			const r = byId.get(m.idNumber);
			if (!r) inserts.push(m);
			else if (!sameMember(r, m)) updates.push({ id: r.id, member: m });
			else unchangedMembers++;
		}
		const inFile = new Set(h.members.map((m) => m.idNumber));
		const after = [
			...h.members,
			...current
				.filter((r) => !inFile.has(r.idNumber))
				.map((r) => ({
					birthDate: r.birthDate,
					laborAbility: r.laborAbility as Member['laborAbility'],
					employment: r.employment as Member['employment']
				}))
		];
		const householdChanged = !sameHousehold(existing, h);
		steps.push({
			action: householdChanged || inserts.length || updates.length ? 'update' : 'unchanged',
			h,
			existing,
			householdChanged,
			inserts,
			updates,
			unchangedMembers,
			after
		});
	});
	return { errors, steps, rejected: errorsOf.size };
}

/** The file's errors and the register's, by row and then column, and the rows they fall on. */
function mergeErrors(a: readonly LedgerError[], b: readonly LedgerError[]) {
	const order = (e: LedgerError) => (e.column ? (columnOrder.get(e.column) ?? 99) : 100);
	const all = [...a, ...b].sort((x, y) => x.row - y.row || order(x) - order(y));
	// a row refused for the register's reason also carries the filler line from the other pass
	const out: LedgerError[] = [];
	const real = new Set(all.filter((e) => e.message !== otherMemberMessage).map((e) => e.row));
	const seen = new Set<string>();
	for (const e of all) {
		if (e.message === otherMemberMessage && real.has(e.row)) continue;
		const key = `${e.row}|${e.column ?? ''}|${e.message}`;
		if (seen.has(key)) continue;
		seen.add(key);
		out.push(e);
	}
	return { errors: out, rows: new Set(out.map((e) => e.row)).size };
}

// ---------------------------------------------------------------------------
// commands

export type PreviewOutcome =
	{ ok: true; batchId: string; counts: ImportCounts; errors: LedgerError[] } | Failure<'file'>;

/**
 * Reads an uploaded ledger and checks it against the register; stores the result as a batch
 * to confirm. Writes nothing to the register. 404 outside scope, 403 without household.import;
 * a file that cannot be read as a whole is `{ ok: false, reason: 'file' }` with the reason.
 */
export async function previewImport(
	actor: Actor,
	settlementId: string,
	file: { name: string; bytes: Uint8Array },
	options: { maxRows?: number } = {}
): Promise<PreviewOutcome> {
	const s = await settlementFor(actor, settlementId, 'household.import', 'write');
	const name = file.name.trim().slice(0, 200) || 'ledger';
	if (file.bytes.length > maxImportBytes)
		return {
			ok: false,
			reason: 'file',
			message: `文件超过 ${maxImportBytes / 1024 / 1024} MB，请拆分成几个文件分批导入`
		};
	if (!/\.(xlsx|csv|txt)$/i.test(name))
		return {
			ok: false,
			reason: 'file',
			message: '请上传 .xlsx 或 .csv 格式的台账（旧版 .xls 请在 Excel 中另存为 .xlsx）'
		};
	const parsed = await parseLedger(file.bytes, name, { maxRows: options.maxRows });
	if (parsed.fileError) return { ok: false, reason: 'file', message: parsed.fileError };

	const plan = await planImport(db(), s, parsed.households);
	const { errors, rows } = mergeErrors(parsed.errors, plan.errors);
	const payload: BatchHousehold[] = plan.steps.map((st) => ({ ...st.h, action: st.action }));
	const count = (a: PlanAction) => plan.steps.filter((st) => st.action === a).length;
	const counts: ImportCounts = {
		rows: parsed.counts.rows,
		households: payload.length,
		householdsRejected: parsed.counts.householdsRejected + plan.rejected,
		rowsWithErrors: rows,
		members: payload.reduce((n, h) => n + h.members.length, 0),
		create: count('create'),
		update: count('update'),
		unchanged: count('unchanged')
	};
	const sha256 = createHash('sha256').update(file.bytes).digest('hex');
	const batchId = await db().transaction(async (tx) => {
		// a parsed ledger holds people's data: a week after upload it is dropped (a preview then lapses)
		const { importBatch } = schema;
		await tx
			.update(importBatch)
			.set({
				payload: [],
				status: sql`case when ${importBatch.status} = 'previewed' then 'discarded' else ${importBatch.status} end`
			})
			.where(
				and(
					eq(importBatch.settlementId, s.id),
					sql`${importBatch.createdAt} < now() - interval '7 days'`,
					sql`jsonb_array_length(${importBatch.payload}) > 0`
				)
			);
		const [batch] = await tx
			.insert(schema.importBatch)
			.values({
				settlementId: s.id,
				createdBy: actor.id,
				fileName: name,
				fileSha256: sha256,
				payload,
				errors,
				counts: { ...counts }
			})
			.returning({ id: schema.importBatch.id });
		await audit.record(tx, {
			actor,
			action: 'household.import.preview',
			entity: 'import_batch',
			entityId: batch.id,
			scopePath: s.regionPath,
			summary: { settlementId: s.id, ...counts }
		});
		return batch.id;
	});
	return { ok: true, batchId, counts, errors };
}

export type ConfirmOutcome =
	| { ok: true; batchId: string; result: ImportResult; alreadyImported: boolean }
	| (Failure<'discarded' | 'stale' | 'busy'> & { errors?: LedgerError[] });

/**
 * Imports a previewed batch in one transaction: a household at the same address with the same
 * head is updated in place (members matched by ID number), any other is added. A batch imports
 * once; a second confirmation returns the first one's result. If the register changed since the
 * preview so that a household no longer fits, nothing is written (`stale`).
 */
export async function confirmImport(actor: Actor, batchId: string): Promise<ConfirmOutcome> {
	const { importBatch, household, resident } = schema;
	const [ref] = isUuid(batchId)
		? await db()
				.select({ settlementId: importBatch.settlementId })
				.from(importBatch)
				.where(eq(importBatch.id, batchId))
		: [];
	if (!ref) {
		requirePermission(actor, 'household.import', {}, 'read');
		error(404, '页面不存在');
	}
	const s = await settlementFor(actor, ref.settlementId, 'household.import', 'write');

	const run = () =>
		db().transaction(async (tx): Promise<ConfirmOutcome> => {
			// one confirmation at a time per batch: the second waits here, then sees 'imported'
			const [batch] = await tx
				.select({
					status: importBatch.status,
					payload: importBatch.payload,
					result: importBatch.result
				})
				.from(importBatch)
				.where(eq(importBatch.id, batchId))
				.for('update');
			if (batch.status === 'imported')
				return {
					ok: true,
					batchId,
					result: batch.result as unknown as ImportResult,
					alreadyImported: true
				};
			if (batch.status !== 'previewed')
				return { ok: false, reason: 'discarded', message: '这批台账已作废，请重新上传' };
			// writes to a settlement's addresses take its row lock (as the register's commands do), so
			// the checks below see what a concurrent import or clerk committed before us
			await tx.execute(sql`select id from settlement where id = ${s.id} for update`);

			const households = (batch.payload as BatchHousehold[]).map(({ action: _action, ...h }) => h);
			const plan = await planImport(tx, s, households, { lock: true });
			if (plan.errors.length)
				return {
					ok: false,
					reason: 'stale',
					message: '预览之后花名册有了变化，部分户已不能导入，请重新上传台账',
					errors: mergeErrors([], plan.errors).errors
				};

			const now = new Date();
			const result: ImportResult = {
				created: 0,
				updated: 0,
				unchanged: 0,
				membersCreated: 0,
				membersUpdated: 0,
				membersUnchanged: 0
			};
			// new rows go in a thousand at a time, households before their members
			let newHouseholds: (typeof household.$inferInsert)[] = [];
			let newMembers: (typeof resident.$inferInsert)[] = [];
			const flush = async (atLeast: number) => {
				if (newHouseholds.length < atLeast && newMembers.length < atLeast) return;
				if (newHouseholds.length) await tx.insert(household).values(newHouseholds);
				for (const list of chunks(newMembers, 1000)) await tx.insert(resident).values(list);
				newHouseholds = [];
				newMembers = [];
			};
			for (const step of plan.steps) {
				if (step.action === 'create') {
					const id = randomUUID();
					const h = step.h;
					newHouseholds.push({
						id,
						settlementId: s.id,
						building: h.building,
						unitNo: h.unitNo,
						room: h.room,
						headName: h.headName,
						originTownship: h.originTownship,
						originVillage: h.originVillage,
						movedInOn: h.movedInOn,
						tags: h.tags,
						zeroEmployment: isZeroEmployment(h.members, now)
					});
					for (const m of h.members) newMembers.push({ householdId: id, ...memberRow(m) });
					result.created++;
					result.membersCreated += h.members.length;
					await flush(1000);
					continue;
				}
				result.membersUnchanged += step.unchangedMembers;
				if (step.action === 'unchanged') {
					result.unchanged++;
					continue;
				}
				const { h, existing } = step;
				await tx
					.update(household)
					.set({
						originTownship: h.originTownship,
						originVillage: h.originVillage,
						movedInOn: h.movedInOn,
						tags: h.tags,
						zeroEmployment: isZeroEmployment(step.after, now),
						updatedAt: now
					})
					.where(eq(household.id, existing.id));
				// the household became zero-employment: the register rule raises its risk flag
				if (!existing.zeroEmployment && isZeroEmployment(step.after, now))
					await raiseRegisterFlag(tx, { householdId: existing.id, rule: 'zero_employment' });
				for (const m of step.inserts)
					newMembers.push({ householdId: existing.id, ...memberRow(m) });
				for (const { id, member } of step.updates)
					await tx
						.update(resident)
						.set({ ...memberRow(member), updatedAt: now })
						.where(eq(resident.id, id));
				result.updated++;
				result.membersCreated += step.inserts.length;
				result.membersUpdated += step.updates.length;
			}
			await flush(0);

			await tx
				.update(importBatch)
				.set({ status: 'imported', result: { ...result }, importedAt: now })
				.where(eq(importBatch.id, batchId));
			await audit.record(tx, {
				actor,
				action: 'household.import',
				entity: 'import_batch',
				entityId: batchId,
				scopePath: s.regionPath,
				summary: { settlementId: s.id, ...result }
			});
			return { ok: true, batchId, result, alreadyImported: false };
		});

	try {
		return await run();
	} catch (e) {
		// another confirmation (or import) holds the lock past lock_timeout, or another writer
		// took an address between our check and insert: nothing was written either way
		const code = pgCode(e);
		if (code === '55P03' || code === '40P01')
			return { ok: false, reason: 'busy', message: '这批台账正在导入，请稍候刷新页面查看结果' };
		if (code === '23505')
			return {
				ok: false,
				reason: 'stale',
				message: '预览之后花名册有了变化，部分户已不能导入，请重新上传台账'
			};
		throw e;
	}
}

/** The SQLSTATE of a database error; drizzle wraps the driver's error as the cause. */
function pgCode(e: unknown): string | null {
	for (let err = e; err instanceof Error; err = err.cause) {
		const code = (err as { code?: unknown }).code;
		if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
	}
	return null;
}

// ---------------------------------------------------------------------------
// reads

/** One batch with its counts, the first `errorLimit` errors and the first `householdLimit` households. */
export async function getImportBatch(
	actor: Actor,
	batchId: string,
	options: { errorLimit?: number; householdLimit?: number } = {}
) {
	const { importBatch, user } = schema;
	const errorLimit = options.errorLimit ?? 2000;
	const householdLimit = options.householdLimit ?? 50;
	const [ref] = isUuid(batchId)
		? await db()
				.select({ settlementId: importBatch.settlementId })
				.from(importBatch)
				.where(eq(importBatch.id, batchId))
		: [];
	if (!ref) {
		requirePermission(actor, 'household.import', {}, 'read');
		error(404, '页面不存在');
	}
	const s = await settlementFor(actor, ref.settlementId, 'household.import', 'read');
	const [row] = await db()
		.select({
			id: importBatch.id,
			fileName: importBatch.fileName,
			status: importBatch.status,
			counts: importBatch.counts,
			result: importBatch.result,
			createdAt: importBatch.createdAt,
			importedAt: importBatch.importedAt,
			createdByName: user.displayName,
			errorCount: sql<number>`jsonb_array_length(${importBatch.errors})`,
			errors: sql<
				LedgerError[]
			>`(select coalesce(jsonb_agg(e order by i), '[]'::jsonb) from jsonb_array_elements(${importBatch.errors}) with ordinality as t(e, i) where i <= ${errorLimit})`,
			households: sql<
				PreviewHousehold[]
			>`(select coalesce(jsonb_agg(jsonb_build_object('row', (e->'members'->0->>'row')::int, 'building', e->>'building', 'unitNo', e->>'unitNo', 'room', e->>'room', 'headName', e->>'headName', 'members', jsonb_array_length(e->'members'), 'action', e->>'action') order by i), '[]'::jsonb) from jsonb_array_elements(${importBatch.payload}) with ordinality as t(e, i) where i <= ${householdLimit})`
		})
		.from(importBatch)
		.leftJoin(user, eq(user.id, importBatch.createdBy))
		.where(eq(importBatch.id, batchId));
	return {
		...row,
		counts: row.counts as unknown as ImportCounts,
		result: row.result as unknown as ImportResult | null,
		settlement: { id: s.id, name: s.name }
	};
}

/** The settlement's latest batches, newest first. */
export async function listImportBatches(actor: Actor, settlementId: string, limit = 10) {
	const s = await settlementFor(actor, settlementId, 'household.import', 'read');
	const { importBatch, user } = schema;
	const rows = await db()
		.select({
			id: importBatch.id,
			fileName: importBatch.fileName,
			status: importBatch.status,
			counts: importBatch.counts,
			result: importBatch.result,
			createdAt: importBatch.createdAt,
			createdByName: user.displayName
		})
		.from(importBatch)
		.leftJoin(user, eq(user.id, importBatch.createdBy))
		.where(eq(importBatch.settlementId, s.id))
		.orderBy(desc(importBatch.createdAt))
		.limit(Math.min(limit, 50));
	return rows.map((r) => ({
		...r,
		counts: r.counts as unknown as ImportCounts,
		result: r.result as unknown as ImportResult | null
	}));
}

// ---------------------------------------------------------------------------
// export

export const exportPageSize = 1000;

export type ExportOutcome =
	| {
			ok: true;
			file: Buffer;
			fileName: string;
			/** for the Content-Disposition fallback */
			asciiFileName: string;
			households: number;
			members: number;
			revealed: boolean;
	  }
	| Failure<'reason_required'>;

/** Today in Asia/Shanghai as YYYY-MM-DD. */
function shanghaiDate(at = new Date()): string {
	return new Intl.DateTimeFormat('en-CA', {
		timeZone: 'Asia/Shanghai',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(at);
}

/**
 * The settlement's register (active households and members) as .xlsx in the template's layout.
 * ID numbers and phones are masked unless `reveal` is asked, the actor holds person.reveal there
 * (403 otherwise) and gives a reason. 404 without household.export. Audited, a reveal separately.
 */
export async function exportRegister(
	actor: Actor,
	settlementId: string,
	options: { reveal?: boolean; reason?: string; pageSize?: number } = {}
): Promise<ExportOutcome> {
	const s = await settlementFor(actor, settlementId, 'household.export', 'read');
	const reveal = options.reveal === true;
	const reason = options.reason?.trim() ?? '';
	if (reveal) {
		requirePermission(
			actor,
			'person.reveal',
			{ settlementId: s.id, regionPath: s.regionPath },
			'write'
		);
		if (reason.length < 2)
			return { ok: false, reason: 'reason_required', message: '请填写查看完整信息的理由' };
		if (reason.length > 200)
			return { ok: false, reason: 'reason_required', message: '理由最多 200 个字' };
	}
	const { household, resident } = schema;
	const pageSize = options.pageSize ?? exportPageSize;
	const register: RegisterHousehold[] = [];
	let members = 0;
	await db().transaction(
		async (tx) => {
			// keyset pages in one snapshot: a large settlement is never one query
			let after: { building: string; unitNo: string; room: string; id: string } | null = null;
			for (;;) {
				const page: (typeof household.$inferSelect)[] = await tx
					.select()
					.from(household)
					.where(
						and(
							eq(household.settlementId, s.id),
							eq(household.status, 'active'),
							after
								? sql`(${household.building}, ${household.unitNo}, ${household.room}, ${household.id}) > (${after.building}, ${after.unitNo}, ${after.room}, ${after.id}::uuid)`
								: undefined
						)
					)
					.orderBy(
						asc(household.building),
						asc(household.unitNo),
						asc(household.room),
						asc(household.id)
					)
					.limit(pageSize);
				if (page.length === 0) break;
				const people = await tx
					.select()
					.from(resident)
					.where(
						and(
							inArray(
								resident.householdId,
								page.map((h) => h.id)
							),
							eq(resident.status, 'active')
						)
					)
					.orderBy(
						asc(resident.householdId),
						sql`${resident.isHead} desc`,
						asc(resident.birthDate)
					);
				const byHousehold = new Map<string, Member[]>();
				for (const r of people) {
					const list = byHousehold.get(r.householdId) ?? [];
					list.push(registerMember(r));
					byHousehold.set(r.householdId, list);
				}
				for (const h of page) {
					const list = byHousehold.get(h.id) ?? [];
					members += list.length;
					register.push({
						building: h.building,
						unitNo: h.unitNo,
						room: h.room,
						originTownship: h.originTownship,
						originVillage: h.originVillage,
						movedInOn: h.movedInOn ?? '',
						tags: h.tags,
						members: list
					});
				}
				if (page.length < pageSize) break;
				const last = page[page.length - 1];
				after = { building: last.building, unitNo: last.unitNo, room: last.room, id: last.id };
			}
			const summary = {
				settlementId: s.id,
				households: register.length,
				members,
				revealed: reveal
			};
			await audit.record(tx, {
				actor,
				action: 'household.export',
				entity: 'settlement',
				entityId: s.id,
				scopePath: s.regionPath,
				summary
			});
			if (reveal)
				await audit.record(tx, {
					actor,
					action: 'person.reveal',
					entity: 'settlement',
					entityId: s.id,
					scopePath: s.regionPath,
					summary: { ...summary, reason, what: 'household.export' }
				});
		},
		{ isolationLevel: 'repeatable read' }
	);
	const file = await buildExport(register, { reveal });
	return {
		ok: true,
		file,
		fileName: `${s.name}-台账-${shanghaiDate()}.xlsx`,
		asciiFileName: `ledger-${shanghaiDate()}.xlsx`,
		households: register.length,
		members,
		revealed: reveal
	};
}

/** A resident row as the ledger writes it; what the register lacks stays blank. */
function registerMember(r: typeof schema.resident.$inferSelect): Member {
	return {
		name: r.name,
		relation: r.relation,
		idNumber: r.idNumber,
		gender: r.gender,
		birthDate: r.birthDate,
		phone: r.phone ?? undefined,
		schooling: (r.schooling ?? '') as Member['schooling'],
		health: (r.health ?? '') as Member['health'],
		disabilityLevel: r.disabilityLevel ?? undefined,
		laborAbility: (r.laborAbility ?? '') as Member['laborAbility'],
		employment: (r.employment ?? '') as Member['employment'],
		employer: r.employer ?? undefined,
		job: r.job ?? undefined,
		publicPost: r.publicPost ?? undefined,
		training: r.training ?? undefined
	};
}

/** `attachment; filename="…"; filename*=UTF-8''…` — an ASCII fallback and the real name (RFC 5987/6266). */
export function contentDisposition(fileName: string, fallback = 'ledger.xlsx'): string {
	const ascii = /^[\x20-\x7e]+$/.test(fileName) ? fileName.replace(/["\\]/g, '_') : fallback;
	const encoded = encodeURIComponent(fileName).replace(
		/['()*]/g,
		(c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()
	);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
