import type {
	Cap,
	Clause,
	CouncilKind,
	MemberRole,
	PointItem,
	QuorumRule
} from '$lib/governance/vocab';
import { db, schema } from '$lib/server/db';
import type { Settlement } from './factories';
import { sequence } from './factories';

// Builders for the councils, meetings and ceremonies specs: rows written straight to the tables
// (the commands under test are exercised on their own).

/** A council of a settlement, written straight to the table. */
export async function makeCouncil(
	settlement: Pick<Settlement, 'id' | 'regionPath'>,
	kind: CouncilKind = 'deliberation',
	quorumRule: QuorumRule = 'majority'
) {
	const [row] = await db()
		.insert(schema.council)
		.values({
			settlementId: settlement.id,
			regionPath: settlement.regionPath,
			kind,
			name: `${kind}-${sequence()}`,
			quorumRule
		})
		.returning();
	return row;
}

/** A member serving from 2020 to 2099 unless told; with an account when `userId` is given. */
export async function makeMember(
	council: { id: string },
	input: {
		userId?: string | null;
		residentId?: string | null;
		role?: MemberRole;
		termStart?: string;
		termEnd?: string;
		endedOn?: string | null;
		name?: string;
	} = {}
) {
	const [row] = await db()
		.insert(schema.councilMember)
		.values({
			councilId: council.id,
			name: input.name ?? `成员${sequence()}`,
			userId: input.userId ?? null,
			residentId: input.residentId ?? null,
			role: input.role ?? 'member',
			termStart: input.termStart ?? '2020-01-01',
			termEnd: input.termEnd ?? '2099-12-31',
			endedOn: input.endedOn ?? null
		})
		.returning();
	return row;
}

/**
 * A rule of a settlement with one version in `status` (adopted unless told), its clauses, caps
 * and point items, as the rules capability would leave it.
 */
export async function makeRuleVersion(
	settlement: Pick<Settlement, 'id' | 'regionPath'>,
	input: {
		title?: string;
		kind?: 'covenant' | 'ceremony_articles' | 'points_list';
		status?: 'draft' | 'consultation' | 'adopted' | 'superseded' | 'withdrawn';
		clauses?: Clause[];
		caps?: Cap[];
		pointItems?: PointItem[];
		adoptedOn?: string;
		versionNo?: number;
		ruleId?: string;
	} = {}
) {
	let ruleId = input.ruleId;
	if (!ruleId) {
		const [rule] = await db()
			.insert(schema.rule)
			.values({
				settlementId: settlement.id,
				regionPath: settlement.regionPath,
				kind: input.kind ?? 'ceremony_articles',
				title: input.title ?? `红白理事会章程${sequence()}`
			})
			.returning();
		ruleId = rule.id;
	}
	const status = input.status ?? 'adopted';
	const [version] = await db()
		.insert(schema.ruleVersion)
		.values({
			ruleId,
			settlementId: settlement.id,
			regionPath: settlement.regionPath,
			versionNo: input.versionNo ?? 1,
			status,
			clauses: input.clauses ?? [],
			caps: input.caps ?? [],
			pointItems: input.pointItems ?? [],
			adoptedOn: status === 'adopted' ? (input.adoptedOn ?? '2025-01-01') : null
		})
		.returning();
	return version;
}
