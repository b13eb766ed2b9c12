// shared by server and client: the states of a service request and the steps between them

export const requestStatuses = [
	'submitted',
	'accepted',
	'in_progress',
	'waiting_origin',
	'waiting_resident',
	'done',
	'rejected',
	'withdrawn'
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** Still being worked on (the queue); the rest are closed. */
export const openStatuses = [
	'submitted',
	'accepted',
	'in_progress',
	'waiting_origin',
	'waiting_resident'
] as const satisfies readonly RequestStatus[];
/** The clock runs in these; it stops while waiting for the resident (补充材料). */
export const clockStatuses = [
	'submitted',
	'accepted',
	'in_progress',
	'waiting_origin'
] as const satisfies readonly RequestStatus[];

export function isOpen(status: RequestStatus): boolean {
	return (openStatuses as readonly string[]).includes(status);
}

/** The steps staff or the resident take; each moves a request from some states to one. */
export const steps = {
	accept: { from: ['submitted'], to: 'accepted' },
	start: { from: ['accepted'], to: 'in_progress' },
	askOrigin: { from: ['accepted', 'in_progress'], to: 'waiting_origin' },
	originReplied: { from: ['waiting_origin'], to: 'in_progress' },
	askResident: { from: ['accepted', 'in_progress', 'waiting_origin'], to: 'waiting_resident' },
	residentReplied: { from: ['waiting_resident'], to: 'in_progress' },
	complete: { from: ['accepted', 'in_progress'], to: 'done' },
	reject: {
		from: ['submitted', 'accepted', 'in_progress', 'waiting_origin', 'waiting_resident'],
		to: 'rejected'
	},
	withdraw: {
		from: ['submitted', 'accepted', 'in_progress', 'waiting_origin', 'waiting_resident'],
		to: 'withdrawn'
	}
} as const satisfies Record<string, { from: readonly RequestStatus[]; to: RequestStatus }>;
export type Step = keyof typeof steps;
export const stepNames = Object.keys(steps) as Step[];

/** Whether `step` may be taken from `status`. */
export function canStep(step: Step, status: RequestStatus): boolean {
	return (steps[step].from as readonly RequestStatus[]).includes(status);
}

/** The steps open from a status, in the order a page offers them. */
export function stepsFrom(status: RequestStatus): Step[] {
	return stepNames.filter((s) => canStep(s, status));
}

export const consentMethods = ['paper_signature', 'in_person', 'phone'] as const;
export type ConsentMethod = (typeof consentMethods)[number];

export const eventKinds = [
	'submitted',
	'accepted',
	'started',
	'origin_asked',
	'origin_replied',
	'resident_asked',
	'resident_replied',
	'done',
	'rejected',
	'withdrawn',
	'assigned',
	'note',
	'rated',
	'escalated'
] as const;
export type EventKind = (typeof eventKinds)[number];

/** The event a step writes to the timeline. */
export const stepEvent: Record<Step, EventKind> = {
	accept: 'accepted',
	start: 'started',
	askOrigin: 'origin_asked',
	originReplied: 'origin_replied',
	askResident: 'resident_asked',
	residentReplied: 'resident_replied',
	complete: 'done',
	reject: 'rejected',
	withdraw: 'withdrawn'
};

/** The receipt number shown to people: FW and eight digits. */
export function requestNumber(no: number | bigint): string {
	return 'FW' + String(no).padStart(8, '0');
}
