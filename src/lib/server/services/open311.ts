import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import {
	openStatuses,
	requestNumber,
	requestStatuses,
	type RequestStatus
} from '$lib/services/workflow';
import { db, schema } from '../db';
import type { Failure } from '../failure';

// Open311 GeoReport v2, read only (https://wiki.open311.org/GeoReport_v2): city dashboards read
// the catalogue and the requests without logging in. Public by construction: the queries select
// only the catalogue, the status, the times and the settlement — never the household, the people,
// or anything typed in free text (description, outcome, notes, ratings).

/** Requests in one answer, as the spec's usual cap. */
export const maxRows = 1000;
/** The spec's window: the last 90 days by default, and never a wider span. */
export const maxSpanDays = 90;
const maxIds = 100;
const maxCodes = 50;
const dayMs = 86_400_000;

/** A bad parameter (400) or an unknown jurisdiction or request (404), with the words for the client. */
export type Open311Failure = Failure<'invalid' | 'not_found'> & { description: string };
export type Open311Result<T> = { ok: true; data: T } | Open311Failure;

/** One entry of GET services.json. */
export interface Open311Service {
	service_code: string;
	service_name: string;
	description: string;
	metadata: false;
	type: 'realtime';
	keywords: string;
	group: string;
	// not in the spec: codes repeat across counties, this says whose catalogue it is
	jurisdiction_id: string;
}

/** One entry of GET requests.json. */
export interface Open311Request {
	service_request_id: string;
	status: 'open' | 'closed';
	status_notes: string;
	service_name: string;
	service_code: string;
	description: string;
	agency_responsible: string;
	service_notice: string;
	requested_datetime: string;
	updated_datetime: string;
	expected_datetime: string;
	address: string;
	address_id: null;
	zipcode: null;
	lat: null;
	long: null;
	media_url: null;
}

/** The fixed public words for each state: the feed never carries what staff typed. */
export const publicStatusNotes: Record<RequestStatus, string> = {
	submitted: '已提交',
	accepted: '已受理',
	in_progress: '办理中',
	waiting_origin: '等待迁出地办理',
	waiting_resident: '等待补充材料',
	done: '已办结',
	rejected: '不予办理',
	withdrawn: '已撤回'
};

const closedStatuses = requestStatuses.filter(
	(s) => !(openStatuses as readonly string[]).includes(s)
);

// ---------------------------------------------------------------------------------------------
// Parameters

/** An instant of a query: `dateOnly` when the client gave a calendar day (Asia/Shanghai). */
type Instant = { at: Date; dateOnly: boolean };

const absentIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const list = <T extends z.ZodType<unknown, string>>(name: string, max: number, item: T) =>
	z
		.string()
		.transform((s) =>
			s
				.split(',')
				.map((x) => x.trim())
				.filter(Boolean)
		)
		.pipe(z.array(item).max(max, `${name} 最多 ${max} 个`));

const w3Time = (name: string) =>
	z
		.string()
		.trim()
		// an unencoded '+' in a query string arrives as a space: '…T08:00:00 08:00'
		.transform((s) => s.replace(/[ +](\d{2}):?(\d{2})$/, '+$1:$2'))
		.pipe(
			z.union([z.iso.datetime({ offset: true, local: true }), z.iso.date()], {
				error: `${name} 应为 ISO 8601 时间，如 2024-01-01T00:00:00+08:00 或 2024-01-01`
			})
		)
		.transform((s): Instant => {
			const dateOnly = s.length === 10;
			// a day, or a time without an offset, is China Standard Time (no daylight saving since 1991)
			const text = dateOnly
				? `${s}T00:00:00+08:00`
				: /(Z|[+-]\d{2}:\d{2})$/.test(s)
					? s
					: s + '+08:00';
			return { at: new Date(text), dateOnly };
		});

const jurisdictionId = z
	.string()
	.trim()
	.regex(/^\d{12}$/, 'jurisdiction_id 应为 12 位行政区划代码');

const serviceCode = z.string().max(64, 'service_code 过长');

/** The receipt number FW00000123 → 123. */
const receiptNumber = z
	.string()
	.trim()
	.regex(/^FW\d{8,15}$/, 'service_request_id 应为受理编号，如 FW00000123')
	.transform((s) => Number(s.slice(2)))
	.refine(
		(n) => n > 0 && Number.isSafeInteger(n),
		'service_request_id 应为受理编号，如 FW00000123'
	);

const statusParam = z.enum(['open', 'closed'], { error: 'status 只能是 open 或 closed' });

/** GET services.json */
export const servicesQuerySchema = z.object({
	jurisdiction_id: z.preprocess(absentIfEmpty, jurisdictionId.optional())
});

/** GET requests.json: every parameter optional, lists comma separated (or repeated). */
export const requestsQuerySchema = z.object({
	jurisdiction_id: z.preprocess(absentIfEmpty, jurisdictionId.optional()),
	service_request_id: z.preprocess(
		absentIfEmpty,
		list('service_request_id', maxIds, receiptNumber).optional()
	),
	service_code: z.preprocess(absentIfEmpty, list('service_code', maxCodes, serviceCode).optional()),
	start_date: z.preprocess(absentIfEmpty, w3Time('start_date').optional()),
	end_date: z.preprocess(absentIfEmpty, w3Time('end_date').optional()),
	status: z.preprocess(absentIfEmpty, list('status', 8, statusParam).optional())
});
const requestsParamNames = Object.keys(requestsQuerySchema.shape);

/** The query a request list runs: either some receipt numbers, or a window with filters. */
export type RequestsQuery =
	| { nos: number[] }
	| {
			nos?: undefined;
			from: Date;
			// exclusive when the client named a day (the whole day counts), inclusive for a time
			to: Date;
			toExclusive: boolean;
			jurisdictionId?: string;
			codes?: string[];
			statuses?: RequestStatus[];
	  };

function invalid(description: string): Open311Failure {
	return { ok: false, reason: 'invalid', description };
}

function notFound(description: string): Open311Failure {
	return { ok: false, reason: 'not_found', description };
}

/** The known parameters of a query string; a repeated one is read as a comma list. */
function paramsOf(params: URLSearchParams, names: string[]) {
	const out: Record<string, string> = {};
	for (const name of names) if (params.has(name)) out[name] = params.getAll(name).join(',');
	return out;
}

function firstMessage(error: z.ZodError): string {
	return error.issues[0]?.message ?? '参数错误';
}

/** Reads requests.json's query string; fails with the first bad parameter's words. */
export function parseRequestsQuery(
	params: URLSearchParams,
	now: Date = new Date()
): Open311Result<RequestsQuery> {
	const parsed = requestsQuerySchema.safeParse(paramsOf(params, requestsParamNames));
	if (!parsed.success) return invalid(firstMessage(parsed.error));
	const q = parsed.data;
	// the spec: service_request_id overrides all other arguments
	if (q.service_request_id?.length) return { ok: true, data: { nos: q.service_request_id } };

	const span = maxSpanDays * dayMs;
	const endOf = (e: Instant) => (e.dateOnly ? new Date(e.at.getTime() + dayMs) : e.at);
	let from: Date, to: Date, toExclusive: boolean;
	if (q.start_date && q.end_date) {
		from = q.start_date.at;
		to = endOf(q.end_date);
		toExclusive = q.end_date.dateOnly;
	} else if (q.start_date) {
		from = q.start_date.at;
		to = new Date(from.getTime() + span);
		toExclusive = false;
	} else if (q.end_date) {
		to = endOf(q.end_date);
		toExclusive = q.end_date.dateOnly;
		from = new Date(to.getTime() - span);
	} else {
		to = now;
		toExclusive = false;
		from = new Date(now.getTime() - span);
	}
	if (from.getTime() > to.getTime()) return invalid('start_date 不能晚于 end_date');
	if (to.getTime() - from.getTime() > span)
		return invalid(`start_date 与 end_date 相隔不能超过 ${maxSpanDays} 天`);

	const wanted = new Set(q.status ?? []);
	const statuses =
		wanted.size === 1 ? (wanted.has('open') ? [...openStatuses] : [...closedStatuses]) : undefined;
	return {
		ok: true,
		data: {
			from,
			to,
			toExclusive,
			jurisdictionId: q.jurisdiction_id,
			codes: q.service_code?.length ? q.service_code : undefined,
			statuses
		}
	};
}

// ---------------------------------------------------------------------------------------------
// Queries

/** The region a jurisdiction_id names, by its 12-digit code (a unique index). */
async function jurisdictionPath(code: string): Promise<string | null> {
	const [row] = await db()
		.select({ path: schema.region.path })
		.from(schema.region)
		.where(eq(schema.region.code, code));
	return row?.path ?? null;
}

/** The active catalogue entries that apply in a region: its own and its ancestors', and those below it. */
function catalogueIn(path: string): SQL {
	const c = schema.serviceCategory;
	return or(sql`${path} like ${c.regionPath} || '%'`, sql`${c.regionPath} like ${path + '%'}`)!;
}

/** GET services.json: the active catalogue, of one jurisdiction or of all. Fails on a bad or unknown jurisdiction_id. */
export async function listServices(
	params: URLSearchParams
): Promise<Open311Result<Open311Service[]>> {
	const parsed = servicesQuerySchema.safeParse(paramsOf(params, ['jurisdiction_id']));
	if (!parsed.success) return invalid(firstMessage(parsed.error));
	const code = parsed.data.jurisdiction_id;
	const path = code ? await jurisdictionPath(code) : null;
	if (code && !path) return notFound(`jurisdiction_id ${code} 不存在`);

	const c = schema.serviceCategory;
	const rows = await db()
		.select({
			code: c.code,
			name: c.name,
			description: c.description,
			materials: c.materials,
			urgent: c.urgent,
			regionCode: schema.region.code
		})
		.from(c)
		.innerJoin(schema.region, eq(schema.region.id, c.regionId))
		.where(and(eq(c.active, true), path ? catalogueIn(path) : undefined))
		.orderBy(asc(schema.region.code), asc(c.sortOrder), asc(c.name))
		// a catalogue is tens of entries a county
		.limit(5000);
	return {
		ok: true,
		data: rows.map((r) => ({
			service_code: r.code,
			service_name: r.name,
			description: r.description,
			metadata: false,
			type: 'realtime',
			keywords: r.materials.join(','),
			group: r.urgent ? '急难' : '一站式服务',
			jurisdiction_id: r.regionCode
		}))
	};
}

/**
 * GET services/[code].json: the definition of a service, which has no attributes (metadata is
 * false everywhere). Fails when no active service has that code (in the jurisdiction, if given).
 */
export async function getServiceDefinition(
	serviceCode: string,
	params: URLSearchParams
): Promise<Open311Result<{ service_code: string; attributes: [] }>> {
	const parsed = servicesQuerySchema.safeParse(paramsOf(params, ['jurisdiction_id']));
	if (!parsed.success) return invalid(firstMessage(parsed.error));
	const code = parsed.data.jurisdiction_id;
	const path = code ? await jurisdictionPath(code) : null;
	if (code && !path) return notFound(`jurisdiction_id ${code} 不存在`);
	if (!serviceCode || serviceCode.length > 64) return notFound('service_code 不存在');

	const c = schema.serviceCategory;
	const [row] = await db()
		.select({ id: c.id })
		.from(c)
		.where(and(eq(c.code, serviceCode), eq(c.active, true), path ? catalogueIn(path) : undefined))
		.limit(1);
	if (!row) return notFound(`service_code ${serviceCode} 不存在`);
	return { ok: true, data: { service_code: serviceCode, attributes: [] } };
}

/** GET requests.json: newest first, at most 1000. Fails on a bad parameter or an unknown jurisdiction_id. */
export async function listRequests(
	params: URLSearchParams,
	now: Date = new Date()
): Promise<Open311Result<Open311Request[]>> {
	const parsed = parseRequestsQuery(params, now);
	if (!parsed.ok) return parsed;
	return findRequests(parsed.data);
}

/** GET requests/[id].json: one request by its receipt number, as a one-element list. */
export async function getRequest(id: string): Promise<Open311Result<Open311Request[]>> {
	const no = receiptNumber.safeParse(id);
	if (!no.success) return invalid(firstMessage(no.error));
	const found = await findRequests({ nos: [no.data] });
	if (!found.ok) return found;
	if (!found.data.length) return notFound(`service_request_id ${id.trim()} 不存在`);
	return found;
}

/** The requests a parsed query selects; the only query of the feed on the request table. */
export async function findRequests(query: RequestsQuery): Promise<Open311Result<Open311Request[]>> {
	const r = schema.serviceRequest;
	const c = schema.serviceCategory;
	const s = schema.settlement;
	const where: (SQL | undefined)[] = [];
	if (query.nos) {
		// the unique index on no
		where.push(inArray(r.no, query.nos));
	} else {
		where.push(
			gte(r.submittedAt, query.from),
			query.toExclusive ? lt(r.submittedAt, query.to) : lte(r.submittedAt, query.to)
		);
		if (query.jurisdictionId) {
			const path = await jurisdictionPath(query.jurisdictionId);
			if (!path) return notFound(`jurisdiction_id ${query.jurisdictionId} 不存在`);
			// region_path is copied onto each request and indexed with (region_path, no)
			where.push(sql`${r.regionPath} like ${path + '%'}`);
		}
		if (query.codes)
			where.push(
				inArray(r.categoryId, db().select({ id: c.id }).from(c).where(inArray(c.code, query.codes)))
			);
		if (query.statuses) where.push(inArray(r.status, query.statuses));
	}
	// only public columns are read: nothing of the household, the people or the free text
	const rows = await db()
		.select({
			no: r.no,
			status: r.status,
			submittedAt: r.submittedAt,
			updatedAt: r.updatedAt,
			dueOn: r.dueOn,
			code: c.code,
			categoryName: c.name,
			timeLimitDays: c.timeLimitDays,
			settlementName: s.name,
			settlementAddress: s.address
		})
		.from(r)
		.innerJoin(c, eq(c.id, r.categoryId))
		.innerJoin(s, eq(s.id, r.settlementId))
		.where(and(...where))
		// newest first by the identity column: a backward walk of the unique index, stopped by the limit
		.orderBy(desc(r.no))
		.limit(maxRows);
	return {
		ok: true,
		data: rows.map((row) => ({
			service_request_id: requestNumber(row.no),
			status: (openStatuses as readonly string[]).includes(row.status) ? 'open' : 'closed',
			status_notes: publicStatusNotes[row.status],
			service_name: row.categoryName,
			service_code: row.code,
			description: row.categoryName,
			agency_responsible: row.settlementName,
			service_notice: `办理时限 ${row.timeLimitDays} 个工作日`,
			requested_datetime: shanghaiTime(row.submittedAt),
			updated_datetime: shanghaiTime(row.updatedAt),
			// the office closes at 17:30 on the due day
			expected_datetime: `${row.dueOn}T17:30:00+08:00`,
			address: row.settlementAddress,
			address_id: null,
			zipcode: null,
			lat: null,
			long: null,
			media_url: null
		}))
	};
}

/** An instant as ISO 8601 in China Standard Time: 2024-05-01T09:30:00+08:00. */
export function shanghaiTime(at: Date): string {
	return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00';
}

// ---------------------------------------------------------------------------------------------
// HTTP

const headers = {
	'Content-Type': 'application/json; charset=utf-8',
	'Access-Control-Allow-Origin': '*',
	'Cache-Control': 'public, max-age=60'
};

/** The HTTP answer: the data, or the GeoReport error list `[{ code, description }]` with 400 or 404. */
export function respond<T>(result: Open311Result<T>): Response {
	if (result.ok) return new Response(JSON.stringify(result.data), { status: 200, headers });
	const status = result.reason === 'not_found' ? 404 : 400;
	return new Response(JSON.stringify([{ code: status, description: result.description }]), {
		status,
		headers
	});
}
