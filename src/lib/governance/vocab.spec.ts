import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	canMeetingStep,
	canVersionStep,
	capKeys,
	capsFor,
	checkCaps,
	decisionStages,
	decisionStatuses,
	meetingStatuses,
	meetingSteps,
	nextStage,
	quorumMet,
	quorumNeeded,
	quorumRules,
	resolutionPasses,
	stagePasses,
	versionStatuses,
	versionSteps,
	votedStages,
	type Cap,
	type CeremonyFigures,
	type DecisionStage,
	type MeetingStatus,
	type MeetingStep,
	type VersionStatus,
	type VersionStep
} from './vocab';

/** Every status reachable from `start` by the steps, and the steps taken on the way. */
function walk<S extends string, T extends string>(
	steps: Record<T, { from: readonly S[]; to: S }>,
	start: S
): { reachable: Set<S>; paths: T[][] } {
	const reachable = new Set<S>([start]);
	const paths: T[][] = [];
	const go = (status: S, path: T[]) => {
		const out = (Object.keys(steps) as T[]).filter((t) => steps[t].from.includes(status));
		if (out.length === 0) paths.push(path);
		for (const t of out) {
			reachable.add(steps[t].to);
			go(steps[t].to, [...path, t]);
		}
	};
	go(start, []);
	return { reachable, paths };
}

describe('rule versions', () => {
	// the whole table, written out: a change to the machine must change this test
	const legal: Record<VersionStep, VersionStatus[]> = {
		openConsultation: ['draft'],
		adopt: ['consultation'],
		supersede: ['adopted'],
		withdraw: ['draft', 'consultation']
	};
	const target: Record<VersionStep, VersionStatus> = {
		openConsultation: 'consultation',
		adopt: 'adopted',
		supersede: 'superseded',
		withdraw: 'withdrawn'
	};

	it.each(Object.keys(legal) as VersionStep[])(
		'%s is allowed from exactly its statuses and leads where it says',
		(step) => {
			for (const status of versionStatuses)
				expect(canVersionStep(step, status), `${step} from ${status}`).toBe(
					legal[step].includes(status)
				);
			expect(versionSteps[step].to).toBe(target[step]);
		}
	);

	it('every path from a draft ends withdrawn or superseded; those two are final', () => {
		const { reachable, paths } = walk(versionSteps, 'draft' as VersionStatus);
		expect([...reachable].sort()).toEqual([...versionStatuses].sort());
		expect(paths.map((p) => p.join(' → ')).sort()).toEqual(
			['withdraw', 'openConsultation → withdraw', 'openConsultation → adopt → supersede'].sort()
		);
		for (const end of ['withdrawn', 'superseded'] as const)
			for (const step of Object.keys(versionSteps) as VersionStep[])
				expect(canVersionStep(step, end)).toBe(false);
	});

	it('a draft is never adopted without consultation, and nothing goes back to draft', () => {
		expect(canVersionStep('adopt', 'draft')).toBe(false);
		expect(Object.values(versionSteps).map((s): string => s.to)).not.toContain('draft');
		// an adopted version is only ever superseded, never withdrawn
		expect(canVersionStep('withdraw', 'adopted')).toBe(false);
	});
});

describe('meetings', () => {
	const legal: Record<MeetingStep, MeetingStatus[]> = {
		open: ['scheduled'],
		close: ['in_session'],
		cancel: ['scheduled']
	};

	it.each(Object.keys(legal) as MeetingStep[])(
		'%s is allowed from exactly its statuses',
		(step) => {
			for (const status of meetingStatuses)
				expect(canMeetingStep(step, status), `${step} from ${status}`).toBe(
					legal[step].includes(status)
				);
		}
	);

	it('every path from scheduled ends closed or cancelled, and nothing leaves those', () => {
		const { reachable, paths } = walk(meetingSteps, 'scheduled' as MeetingStatus);
		expect([...reachable].sort()).toEqual([...meetingStatuses].sort());
		expect(paths.map((p) => p.join(' → ')).sort()).toEqual(['cancel', 'open → close'].sort());
		for (const end of ['closed', 'cancelled'] as const)
			for (const step of Object.keys(meetingSteps) as MeetingStep[])
				expect(canMeetingStep(step, end)).toBe(false);
		// a meeting in session cannot be cancelled: it closes with its minutes
		expect(canMeetingStep('cancel', 'in_session')).toBe(false);
	});
});

describe('decisions: nextStage', () => {
	it('walks the six stages in order, then nothing', () => {
		const recorded: DecisionStage[] = [];
		for (const stage of decisionStages) {
			expect(nextStage(recorded, 'in_progress')).toBe(stage);
			recorded.push(stage);
		}
		expect(nextStage(recorded, 'in_progress')).toBeNull();
		expect(nextStage(recorded, 'completed')).toBeNull();
	});

	it('for every recorded prefix: only the following stage, and never once finished or failed', () => {
		for (let k = 0; k <= decisionStages.length; k++) {
			const prefix = decisionStages.slice(0, k);
			expect(nextStage(prefix, 'in_progress')).toBe(decisionStages[k] ?? null);
			expect(nextStage(prefix, 'failed')).toBeNull();
			expect(nextStage(prefix, 'completed')).toBeNull();
			// the stage that would skip one ahead, and each stage already recorded, are not it
			for (const other of decisionStages)
				if (other !== decisionStages[k]) expect(nextStage(prefix, 'in_progress')).not.toBe(other);
		}
	});

	it('answers null for any record out of order: skipped, repeated or swapped stages', () => {
		const wrong: DecisionStage[][] = [
			['committees'],
			['proposal', 'party_members'],
			['proposal', 'proposal'],
			['committees', 'proposal'],
			['proposal', 'committees', 'representatives'],
			['proposal', 'committees', 'party_members', 'resolution_public'],
			['result_public'],
			['proposal', 'committees', 'party_members', 'representatives', 'result_public']
		];
		for (const recorded of wrong)
			expect(nextStage(recorded, 'in_progress'), `${recorded}`).toBeNull();
	});

	it('is null for every sequence that is not a prefix of the order, whatever the status', () => {
		fc.assert(
			fc.property(
				fc.array(fc.constantFrom(...decisionStages), { maxLength: 8 }),
				fc.constantFrom(...decisionStatuses),
				(recorded, status) => {
					const isPrefix = recorded.every((s, i) => s === decisionStages[i]);
					const next = nextStage(recorded, status);
					if (!isPrefix || status !== 'in_progress') expect(next).toBeNull();
					else expect(next).toBe(decisionStages[recorded.length] ?? null);
				}
			),
			{ numRuns: 500 }
		);
	});

	it('votes on the party members’ review and the representatives’ resolution only', () => {
		expect([...votedStages]).toEqual(['party_members', 'representatives']);
	});
});

describe('stagePasses and resolutionPasses: more than half of those present', () => {
	it('at the edges', () => {
		expect(stagePasses(0, 0)).toBe(false);
		expect(stagePasses(1, 1)).toBe(true);
		expect(stagePasses(1, 2)).toBe(false);
		expect(stagePasses(2, 3)).toBe(true);
		expect(stagePasses(5, 10)).toBe(false);
		expect(stagePasses(6, 10)).toBe(true);
		expect(resolutionPasses(0, 0)).toBe(false);
		expect(resolutionPasses(3, 5)).toBe(true);
		expect(resolutionPasses(2, 4)).toBe(false);
		expect(resolutionPasses(3, 4)).toBe(true);
	});

	it('is exactly votesFor * 2 > present for any present above 0', () => {
		fc.assert(
			fc.property(fc.nat(10_000), fc.integer({ min: 1, max: 10_000 }), (votes, present) => {
				expect(stagePasses(votes, present)).toBe(votes * 2 > present);
				expect(resolutionPasses(votes, present)).toBe(votes * 2 > present);
			})
		);
	});
});

describe('quorum', () => {
	it('at the edges', () => {
		expect(quorumMet('majority', 0, 0)).toBe(false);
		expect(quorumMet('majority', 1, 0)).toBe(false);
		expect(quorumMet('majority', 1, 1)).toBe(true);
		expect(quorumMet('majority', 1, 2)).toBe(false);
		expect(quorumMet('majority', 2, 3)).toBe(true);
		expect(quorumMet('majority', 3, 6)).toBe(false);
		expect(quorumMet('majority', 4, 7)).toBe(true);
		expect(quorumMet('two_thirds', 2, 3)).toBe(true);
		expect(quorumMet('two_thirds', 3, 5)).toBe(false);
		expect(quorumMet('two_thirds', 4, 5)).toBe(true);
		expect(quorumMet('two_thirds', 6, 9)).toBe(true);
		expect(quorumMet('two_thirds', 5, 9)).toBe(false);
		expect(quorumNeeded('majority', 1)).toBe(1);
		expect(quorumNeeded('majority', 6)).toBe(4);
		expect(quorumNeeded('majority', 7)).toBe(4);
		expect(quorumNeeded('two_thirds', 3)).toBe(2);
		expect(quorumNeeded('two_thirds', 5)).toBe(4);
		expect(quorumNeeded('two_thirds', 9)).toBe(6);
	});

	it('quorumNeeded is the fewest present that quorumMet accepts', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(...quorumRules),
				fc.integer({ min: 1, max: 1000 }),
				(rule, serving) => {
					const need = quorumNeeded(rule, serving);
					expect(need).toBeGreaterThanOrEqual(1);
					expect(need).toBeLessThanOrEqual(serving);
					expect(quorumMet(rule, need, serving)).toBe(true);
					expect(quorumMet(rule, need - 1, serving)).toBe(false);
				}
			)
		);
	});

	it('more present never loses a quorum; two thirds is never easier than a majority', () => {
		fc.assert(
			fc.property(fc.nat(500), fc.nat(500), fc.nat(20), (present, serving, more) => {
				for (const rule of quorumRules)
					if (quorumMet(rule, present, serving))
						expect(quorumMet(rule, present + more, serving)).toBe(true);
				if (quorumMet('two_thirds', present, serving))
					expect(quorumMet('majority', present, serving)).toBe(true);
			})
		);
	});
});

describe('checkCaps', () => {
	const wedding = (over: Partial<CeremonyFigures> = {}): CeremonyFigures => ({
		kind: 'wedding',
		tables: 10,
		guests: 100,
		bridePriceFen: 2_000_000,
		banquetDays: null,
		...over
	});
	const funeral = (over: Partial<CeremonyFigures> = {}): CeremonyFigures => ({
		kind: 'funeral',
		tables: 10,
		guests: 100,
		bridePriceFen: null,
		banquetDays: 2,
		...over
	});
	const caps = (ruleVersionId: string, ...list: Cap[]) => ({ ruleVersionId, caps: list });

	it('no caps, no breach; at the cap is within it; one over is a breach with its clause', () => {
		expect(checkCaps(wedding(), [])).toEqual([]);
		const v = caps('v1', { key: 'bride_price', limit: 2_000_000, clauseNo: 5 });
		expect(checkCaps(wedding(), [v])).toEqual([]);
		expect(checkCaps(wedding({ bridePriceFen: 2_000_001 }), [v])).toEqual([
			{ key: 'bride_price', limit: 2_000_000, value: 2_000_001, clauseNo: 5, ruleVersionId: 'v1' }
		]);
	});

	it('a cap of zero makes anything above zero a breach', () => {
		const v = caps('v', { key: 'bride_price', limit: 0, clauseNo: 1 });
		expect(checkCaps(wedding({ bridePriceFen: 0 }), [v])).toEqual([]);
		expect(checkCaps(wedding({ bridePriceFen: 1 }), [v])).toHaveLength(1);
	});

	it('weddings are held to wedding caps and funerals to funeral caps; guests to both', () => {
		const v = caps(
			'v',
			{ key: 'wedding_tables', limit: 5, clauseNo: 1 },
			{ key: 'funeral_tables', limit: 5, clauseNo: 2 },
			{ key: 'funeral_banquet_days', limit: 1, clauseNo: 3 },
			{ key: 'guests', limit: 50, clauseNo: 4 },
			{ key: 'bride_price', limit: 1, clauseNo: 6 }
		);
		expect(checkCaps(wedding(), [v]).map((b) => b.key)).toEqual([
			'bride_price',
			'wedding_tables',
			'guests'
		]);
		expect(checkCaps(funeral(), [v]).map((b) => b.key)).toEqual([
			'funeral_tables',
			'funeral_banquet_days',
			'guests'
		]);
		expect(capsFor('wedding')).not.toContain('funeral_tables');
		expect(capsFor('funeral')).not.toContain('bride_price');
	});

	it('a figure left out (null) is not checked', () => {
		const v = caps('v', { key: 'bride_price', limit: 1, clauseNo: 1 });
		expect(checkCaps(wedding({ bridePriceFen: null }), [v])).toEqual([]);
		const d = caps('v', { key: 'funeral_banquet_days', limit: 0, clauseNo: 1 });
		expect(checkCaps(funeral({ banquetDays: null }), [d])).toEqual([]);
	});

	it('when two adopted versions cap one thing, the stricter counts, with its clause', () => {
		const loose = caps('loose', { key: 'wedding_tables', limit: 20, clauseNo: 3 });
		const strict = caps('strict', { key: 'wedding_tables', limit: 8, clauseNo: 7 });
		expect(checkCaps(wedding({ tables: 10 }), [loose, strict])).toEqual([
			{ key: 'wedding_tables', limit: 8, value: 10, clauseNo: 7, ruleVersionId: 'strict' }
		]);
		expect(checkCaps(wedding({ tables: 10 }), [strict, loose])).toHaveLength(1);
		expect(checkCaps(wedding({ tables: 8 }), [loose, strict])).toEqual([]);
	});

	it('breaches exactly the caps under the declared figure, whatever the caps', () => {
		const cap = fc.record({
			key: fc.constantFrom(...capKeys),
			limit: fc.nat(50),
			clauseNo: fc.integer({ min: 1, max: 20 })
		});
		fc.assert(
			fc.property(
				fc.record({
					kind: fc.constantFrom('wedding' as const, 'funeral' as const),
					tables: fc.nat(60),
					guests: fc.nat(60),
					bridePriceFen: fc.option(fc.nat(60), { nil: null }),
					banquetDays: fc.option(fc.nat(60), { nil: null })
				}),
				fc.array(fc.array(cap, { maxLength: 5 }), { maxLength: 3 }),
				(figures, versions) => {
					const adopted = versions.map((list, i) => caps(`v${i}`, ...list));
					const breaches = checkCaps(figures, adopted);
					for (const key of capKeys) {
						const limits = adopted.flatMap((v) => v.caps.filter((c) => c.key === key));
						const value =
							key === 'bride_price'
								? figures.bridePriceFen
								: key === 'funeral_banquet_days'
									? figures.banquetDays
									: key === 'guests'
										? figures.guests
										: figures.tables;
						const applies = capsFor(figures.kind).includes(key) && value !== null;
						const strictest = Math.min(...limits.map((c) => c.limit));
						const found = breaches.filter((b) => b.key === key);
						if (applies && limits.length > 0 && value! > strictest) {
							expect(found).toHaveLength(1);
							expect(found[0].limit).toBe(strictest);
							expect(found[0].value).toBe(value);
						} else expect(found).toEqual([]);
					}
				}
			),
			{ numRuns: 300 }
		);
	});
});
