// npm run bench's ledger step: a county ledger of N households (~4 members each) imported into one
// settlement through previewImport + confirmImport, in this process, on PostgreSQL. Prints one
// JSON line of figures. Two phases, so the peak memory (VmHWM) is the import's alone:
//
//   tsx scripts/bench/ledger-import.ts make <file.xlsx> <households>
//   tsx scripts/bench/ledger-import.ts run <file.xlsx> <databaseUrl> <settlementId> <username>
//
// `run` first adds the file's flats to the settlement's housing stock (buildings named L<n>栋,
// which the demo and the volume steps never use), as a new block would be registered before its
// ledger comes in; then it previews, confirms, and imports the same file once more.
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { makeIdNumber } from '../../src/lib/id-number';
import type { Member } from '../../src/lib/schemas/household';
import { loadGrants, type Actor } from '../../src/lib/server/access';
import { openConnection, schema, useConnection } from '../../src/lib/server/db';
import { confirmImport, previewImport } from '../../src/lib/server/settlements/import';
import {
	buildExport,
	parseLedger,
	type RegisterHousehold
} from '../../src/lib/server/settlements/ledger';

const [mode, file, ...rest] = process.argv.slice(2);

const flatOf = (i: number) => ({
	building: `L${1 + Math.floor(i / 200)}栋`,
	unitNo: `${1 + (Math.floor(i / 100) % 2)}单元`,
	room: `${1 + Math.floor((i % 100) / 4)}0${1 + (i % 4)}`
});

/** N households of 1–7 members (mean 4), with ID numbers of a county no other data uses (360782). */
function ledger(households: number): RegisterHousehold[] {
	const sizes = [4, 3, 5, 2, 6, 4, 1, 7, 4, 4];
	const out: RegisterHousehold[] = [];
	let person = 0;
	for (let i = 0; i < households; i++) {
		const members: Member[] = [];
		for (let k = 0; k < sizes[i % sizes.length]; k++, person++) {
			// (birth day, sequence) is unique for up to 15,000 × 500 people
			const birthDate = new Date(Date.UTC(1950, 0, 1) + (person % 15_000) * 86_400_000)
				.toISOString()
				.slice(0, 10);
			const gender = person % 2 ? 'male' : 'female';
			const working = k < 2 && i % 7 !== 0;
			members.push({
				name: `导入${person}`,
				relation: k === 0 ? '户主' : k === 1 ? '配偶' : '其他',
				gender,
				birthDate,
				idNumber: makeIdNumber(
					'360782',
					birthDate,
					Math.floor(person / 15_000) * 2 + (gender === 'male' ? 1 : 0),
					gender
				),
				phone: k < 2 ? `137${String(person).padStart(8, '0')}` : undefined,
				schooling: '初中',
				health: '健康',
				laborAbility: '普通劳动力',
				employment: working ? '务工' : '未就业',
				employer: working ? '于都县某服装厂' : undefined
			});
		}
		out.push({
			...flatOf(i),
			originTownship: '禾丰镇',
			originVillage: '大坪村',
			movedInOn: '2019-06-18',
			tags: i % 3 ? ['lifted_out'] : ['monitored', 'subsistence'],
			members
		});
	}
	return out;
}

function vm(key: 'VmHWM' | 'VmRSS'): number | undefined {
	const m = readFileSync('/proc/self/status', 'utf8').match(
		new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')
	);
	return m ? Number(m[1]) * 1024 : undefined;
}

async function make(households: number) {
	const bytes = await buildExport(ledger(households), { reveal: true });
	await writeFile(file, bytes);
	console.info(JSON.stringify({ households, bytes: bytes.length }));
}

async function run(databaseUrl: string, settlementId: string, username: string) {
	const connection = await openConnection(databaseUrl);
	useConnection(connection);
	try {
		const db = connection.db;
		const [user] = await db.select().from(schema.user).where(eq(schema.user.username, username));
		if (!user) throw new Error(`no user ${username}`);
		const actor: Actor = {
			id: user.id,
			username: user.username,
			displayName: user.displayName,
			householdId: user.householdId,
			grants: await loadGrants(user.id)
		};
		const bytes = new Uint8Array(await readFile(file));
		const maxRows = 100_000;

		let peakHeap = 0;
		const sampler = setInterval(() => {
			peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
		}, 25);
		const phaseHeap: Record<string, number> = {};
		let phase = 0;
		// seconds of one phase, and its peak heap (after a collection, when --expose-gc is on)
		const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
			(globalThis as { gc?: () => void }).gc?.();
			const before = peakHeap;
			peakHeap = process.memoryUsage().heapUsed;
			const t = performance.now();
			const r = await fn();
			const s = (performance.now() - t) / 1000;
			phaseHeap[++phase] = Math.round(Math.max(peakHeap, process.memoryUsage().heapUsed) / 1048576);
			peakHeap = Math.max(before, peakHeap);
			return [r, s];
		};

		const [parsed, parseS] = await time(() => parseLedger(bytes, 'ledger.xlsx', { maxRows }));
		if (parsed.fileError) throw new Error(parsed.fileError);
		const flats = parsed.households.map((h) => ({
			settlementId,
			building: h.building,
			unitNo: h.unitNo,
			room: h.room
		}));
		for (let i = 0; i < flats.length; i += 2000)
			await db
				.insert(schema.dwelling)
				.values(flats.slice(i, i + 2000))
				.onConflictDoNothing();

		const file1 = { name: '台账.xlsx', bytes };
		const [preview, previewS] = await time(() =>
			previewImport(actor, settlementId, file1, { maxRows })
		);
		if (!preview.ok) throw new Error(preview.message);
		const [confirmed, confirmS] = await time(() => confirmImport(actor, preview.batchId));
		if (!confirmed.ok) throw new Error(confirmed.message);
		const [again, againPreviewS] = await time(() =>
			previewImport(actor, settlementId, file1, { maxRows })
		);
		if (!again.ok) throw new Error(again.message);
		const [againConfirmed, againConfirmS] = await time(() => confirmImport(actor, again.batchId));
		if (!againConfirmed.ok) throw new Error(againConfirmed.message);
		clearInterval(sampler);
		console.info(
			JSON.stringify({
				rows: parsed.counts.rows,
				households: preview.counts.households,
				errors: preview.errors.length,
				parseS,
				previewS,
				confirmS,
				result: confirmed.result,
				reimport: {
					previewS: againPreviewS,
					confirmS: againConfirmS,
					result: againConfirmed.result
				},
				peakRss: vm('VmHWM'),
				peakHeap,
				phaseHeapMb: phaseHeap
			})
		);
	} finally {
		await connection.close();
	}
}

if (mode === 'make') await make(Number(rest[0]));
else if (mode === 'run') await run(rest[0], rest[1], rest[2]);
else {
	console.error(
		'usage: ledger-import.ts make <file> <households> | run <file> <url> <settlementId> <username>'
	);
	process.exit(2);
}
