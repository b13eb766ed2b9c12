import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	canStep,
	clockStatuses,
	eventKinds,
	isOpen,
	openStatuses,
	requestNumber,
	requestStatuses,
	stepEvent,
	stepNames,
	steps,
	stepsFrom,
	type RequestStatus,
	type Step
} from '$lib/services/workflow';

// The workflow of a service request as data: the table of steps read back as a matrix, and the
// properties the commands rely on (closed is final, the clock stops only while waiting for the resident).

/**
 * Which step may be taken from which state, written out by hand from the issue: submitted →
 * accepted → in progress → waiting for the origin place → done, or rejected, or withdrawn.
 */
const matrix: Record<RequestStatus, Step[]> = {
	submitted: ['accept', 'reject', 'withdraw'],
	accepted: ['start', 'askOrigin', 'askResident', 'complete', 'reject', 'withdraw'],
	in_progress: ['askOrigin', 'askResident', 'complete', 'reject', 'withdraw'],
	waiting_origin: ['originReplied', 'askResident', 'reject', 'withdraw'],
	waiting_resident: ['residentReplied', 'reject', 'withdraw'],
	done: [],
	rejected: [],
	withdrawn: []
};

const cells = requestStatuses.flatMap((status) =>
	stepNames.map((step) => ({ status, step, allowed: matrix[status].includes(step) }))
);

describe('the steps table', () => {
	it.each(cells)('$step from $status: $allowed', ({ status, step, allowed }) => {
		expect(canStep(step, status)).toBe(allowed);
	});

	it('offers the steps of a state in the order of the table', () => {
		for (const status of requestStatuses)
			expect(stepsFrom(status), status).toEqual(
				stepNames.filter((s) => matrix[status].includes(s))
			);
	});

	it('has 21 legal moves and 51 refused ones', () => {
		expect(cells.filter((c) => c.allowed)).toHaveLength(21);
		expect(cells.filter((c) => !c.allowed)).toHaveLength(51);
	});

	it('leads each step to the state the issue names', () => {
		expect(Object.fromEntries(stepNames.map((s) => [s, steps[s].to]))).toEqual({
			accept: 'accepted',
			start: 'in_progress',
			askOrigin: 'waiting_origin',
			originReplied: 'in_progress',
			askResident: 'waiting_resident',
			residentReplied: 'in_progress',
			complete: 'done',
			reject: 'rejected',
			withdraw: 'withdrawn'
		});
	});

	it('never leaves a closed state and never goes back to submitted', () => {
		for (const status of ['done', 'rejected', 'withdrawn'] as const) {
			expect(isOpen(status)).toBe(false);
			expect(stepsFrom(status)).toEqual([]);
		}
		const targets: RequestStatus[] = stepNames.map((s) => steps[s].to);
		expect(targets).not.toContain('submitted');
	});

	it('refuses done → in progress by every step that leads to in progress', () => {
		const toInProgress = stepNames.filter((s) => steps[s].to === 'in_progress');
		expect(toInProgress).toEqual(['start', 'originReplied', 'residentReplied']);
		for (const s of toInProgress) expect(canStep(s, 'done')).toBe(false);
	});

	it('lets every open state be rejected or withdrawn, and reach done', () => {
		const reachable = (from: RequestStatus) => {
			const seen = new Set<RequestStatus>([from]);
			const queue = [from];
			for (let next = queue.shift(); next; next = queue.shift())
				for (const s of stepsFrom(next)) {
					const to = steps[s].to;
					if (seen.has(to)) continue;
					seen.add(to);
					queue.push(to);
				}
			return seen;
		};
		for (const status of openStatuses) {
			expect(canStep('reject', status), status).toBe(true);
			expect(canStep('withdraw', status), status).toBe(true);
			expect(reachable(status).has('done'), status).toBe(true);
		}
		// and every state is reachable from a new request
		expect([...reachable('submitted')].sort()).toEqual([...requestStatuses].sort());
	});
});

describe('states', () => {
	it('is open exactly for the five working states', () => {
		expect(requestStatuses.filter(isOpen)).toEqual([
			'submitted',
			'accepted',
			'in_progress',
			'waiting_origin',
			'waiting_resident'
		]);
		expect([...openStatuses]).toEqual(requestStatuses.filter(isOpen));
	});

	it('stops the clock only while waiting for the resident', () => {
		expect(openStatuses.filter((s) => !(clockStatuses as readonly string[]).includes(s))).toEqual([
			'waiting_resident'
		]);
	});

	it('walks of legal steps stay in known states and end nowhere once closed', () => {
		fc.assert(
			fc.property(fc.array(fc.nat(), { maxLength: 30 }), (choices) => {
				let status: RequestStatus = 'submitted';
				for (const choice of choices) {
					const open = stepsFrom(status);
					if (open.length === 0) {
						expect(isOpen(status)).toBe(false);
						break;
					}
					const step = open[choice % open.length];
					expect(canStep(step, status)).toBe(true);
					status = steps[step].to;
					expect(requestStatuses).toContain(status);
				}
			}),
			{ numRuns: 300 }
		);
	});
});

describe('stepEvent', () => {
	it('gives each step its own timeline event', () => {
		const events = stepNames.map((s) => stepEvent[s]);
		expect(new Set(events).size).toBe(stepNames.length);
		for (const e of events) expect(eventKinds).toContain(e);
		expect(stepEvent.complete).toBe('done');
		expect(stepEvent.withdraw).toBe('withdrawn');
	});
});

describe('requestNumber', () => {
	it('is FW and eight digits, from a number or a bigint', () => {
		expect(requestNumber(1)).toBe('FW00000001');
		expect(requestNumber(123)).toBe('FW00000123');
		expect(requestNumber(12345678n)).toBe('FW12345678');
	});

	it('keeps every digit past eight rather than cutting the number', () => {
		expect(requestNumber(123456789)).toBe('FW123456789');
		fc.assert(
			fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
				const s = requestNumber(n);
				expect(s).toMatch(/^FW\d{8,}$/);
				expect(Number(s.slice(2))).toBe(n);
			})
		);
	});
});
