import { beforeAll, describe, expect, it } from 'vitest';
import { requestNumber, requestStatuses } from '$lib/services/workflow';
import { useTestDatabase } from '../../../../tests/db';
import {
	createCategory,
	createCounty,
	createHousehold,
	createServiceRequest,
	createSettlement,
	createUser,
	type County,
	type Household,
	type Member,
	type ServiceCategory,
	type User
} from '../../../../tests/factories';
import { db, schema } from '../db';
import {
	findRequests,
	getRequest,
	getServiceDefinition,
	listRequests,
	listServices,
	maxRows,
	parseRequestsQuery,
	publicStatusNotes,
	respond,
	shanghaiTime,
	type Open311Request,
	type Open311Result
} from './open311';
import { GET as getServicesRoute } from '../../../routes/api/open311/v2/services.json/+server';
import { GET as getServiceRoute } from '../../../routes/api/open311/v2/services/[code].json/+server';
import { GET as getRequestsRoute } from '../../../routes/api/open311/v2/requests.json/+server';
import { GET as getRequestRoute } from '../../../routes/api/open311/v2/requests/[id].json/+server';

// The public Open311 feed: the catalogue and the requests, with nothing that names a person.

useTestDatabase();

const dayMs = 86_400_000;
const q = (s: Record<string, string> = {}) => new URLSearchParams(s);
const daysAgo = (n: number) => new Date(Date.now() - n * dayMs);

function data<T>(result: Open311Result<T>): T {
	if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.description}`);
	return result.data;
}

/** A county with one settlement, a household of three and a filer: each test gets its own. */
async function place(city?: County['city']) {
	const county = await createCounty(city);
	const settlement = await createSettlement(county);
	const household = await createHousehold(settlement, { members: 3 });
	const { user } = await createUser({ household, displayName: '居民账号显示名' });
	return { county, settlement, household, user };
}

describe('listServices', () => {
	let a: County;
	let b: County;
	let hukouA: ServiceCategory;
	let urgentA: ServiceCategory;

	beforeAll(async () => {
		a = await createCounty();
		b = await createCounty(a.city);
		hukouA = await createCategory(a, {
			code: 'hukou',
			name: '户籍迁移',
			description: '户口迁入安置点',
			materials: ['户口簿', '身份证', '安置协议'],
			sortOrder: 1
		});
		urgentA = await createCategory(a, {
			code: 'jinan',
			name: '临时救助',
			urgent: true,
			sortOrder: 2
		});
		await createCategory(a, { code: 'retired', name: '已停办事项', active: false });
		await createCategory(b, { code: 'hukou', name: '户口迁移（乙县）' });
	});

	it('lists the active catalogue with the GeoReport fields', async () => {
		const services = data(await listServices(q({ jurisdiction_id: a.code })));
		expect(services).toEqual([
			{
				service_code: 'hukou',
				service_name: '户籍迁移',
				description: '户口迁入安置点',
				metadata: false,
				type: 'realtime',
				keywords: '户口簿,身份证,安置协议',
				group: '一站式服务',
				jurisdiction_id: a.code
			},
			expect.objectContaining({ service_code: 'jinan', group: '急难' })
		]);
		expect(urgentA.urgent).toBe(true);
	});

	it('keeps each county to its own catalogue; without jurisdiction_id lists them all', async () => {
		const inB = data(await listServices(q({ jurisdiction_id: b.code })));
		expect(inB.map((s) => [s.service_code, s.service_name, s.jurisdiction_id])).toEqual([
			['hukou', '户口迁移（乙县）', b.code]
		]);
		const all = data(await listServices(q()));
		const ours = all.filter((s) => [a.code, b.code].includes(s.jurisdiction_id));
		expect(ours.map((s) => `${s.jurisdiction_id}:${s.service_code}`).sort()).toEqual(
			[`${a.code}:hukou`, `${a.code}:jinan`, `${b.code}:hukou`].sort()
		);
		expect(all.some((s) => s.service_code === 'retired')).toBe(false);
		// the city above both counties sees both catalogues
		const city = data(await listServices(q({ jurisdiction_id: a.city.code })));
		expect(city.filter((s) => s.service_code === 'hukou')).toHaveLength(2);
	});

	it('fails on a malformed jurisdiction_id (400) and an unknown one (404)', async () => {
		expect(await listServices(q({ jurisdiction_id: '3607' }))).toMatchObject({
			ok: false,
			reason: 'invalid'
		});
		expect(await listServices(q({ jurisdiction_id: '999999999999' }))).toMatchObject({
			ok: false,
			reason: 'not_found'
		});
	});

	it('answers a service definition with no attributes, and 404 for a retired or unknown code', async () => {
		expect(data(await getServiceDefinition(hukouA.code, q({ jurisdiction_id: a.code })))).toEqual({
			service_code: 'hukou',
			attributes: []
		});
		expect(await getServiceDefinition('jinan', q({ jurisdiction_id: b.code }))).toMatchObject({
			reason: 'not_found'
		});
		expect(await getServiceDefinition('retired', q())).toMatchObject({ reason: 'not_found' });
	});
});

describe('listRequests', () => {
	let p: Awaited<ReturnType<typeof place>>;
	let category: ServiceCategory;

	beforeAll(async () => {
		p = await place();
		category = await createCategory(p.county, {
			code: 'dibao',
			name: '低保申请',
			timeLimitDays: 20
		});
	});

	it('maps every state to open or closed with its fixed public words', async () => {
		const made = [];
		for (const status of requestStatuses)
			made.push(
				await createServiceRequest(p.household, category, p.user, {
					status,
					outcome: status === 'done' ? '已为其办理，经办人张三' : null
				})
			);
		const rows = data(await listRequests(q({ jurisdiction_id: p.county.code })));
		expect(rows.map((r) => r.service_request_id)).toEqual(
			made.map((m) => requestNumber(m.no)).reverse()
		);
		const byNo = new Map(rows.map((r) => [r.service_request_id, r]));
		const expected = {
			submitted: ['open', '已提交'],
			accepted: ['open', '已受理'],
			in_progress: ['open', '办理中'],
			waiting_origin: ['open', '等待迁出地办理'],
			waiting_resident: ['open', '等待补充材料'],
			done: ['closed', '已办结'],
			rejected: ['closed', '不予办理'],
			withdrawn: ['closed', '已撤回']
		};
		for (const m of made) {
			const row = byNo.get(requestNumber(m.no))!;
			expect([row.status, row.status_notes]).toEqual(expected[m.status]);
			expect(row.status_notes).toBe(publicStatusNotes[m.status]);
		}
	});

	it('gives each row the GeoReport fields: the category, the settlement, times in +08:00', async () => {
		const submittedAt = new Date('2026-01-05T01:30:00Z');
		const made = await createServiceRequest(p.household, category, p.user, {
			status: 'accepted',
			submittedAt,
			updatedAt: new Date('2026-01-06T08:00:00Z'),
			dueOn: '2026-02-03'
		});
		const [row] = data(await getRequest(requestNumber(made.no)));
		expect(row).toEqual({
			service_request_id: requestNumber(made.no),
			status: 'open',
			status_notes: '已受理',
			service_name: '低保申请',
			service_code: 'dibao',
			description: '低保申请',
			agency_responsible: p.settlement.name,
			service_notice: '办理时限 20 个工作日',
			requested_datetime: '2026-01-05T09:30:00+08:00',
			updated_datetime: '2026-01-06T16:00:00+08:00',
			expected_datetime: '2026-02-03T17:30:00+08:00',
			address: p.settlement.address,
			address_id: null,
			zipcode: null,
			lat: null,
			long: null,
			media_url: null
		} satisfies Open311Request);
		expect(shanghaiTime(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01T00:00:00+08:00');
	});
});

describe('no personal data', () => {
	let p: Awaited<ReturnType<typeof place>>;
	let staff: User;
	let secrets: string[];
	let no: number;

	beforeAll(async () => {
		p = await place();
		({ user: staff } = await createUser({
			displayName: '窗口经办人李四',
			username: 'lisi_window'
		}));
		const category = await createCategory(p.county, { code: 'yiliao', name: '医疗救助' });
		const [head, spouse] = p.household.members;
		const free = {
			description: `户主${head.name}住${p.household.building}${p.household.unitNo}${p.household.room}，身份证${head.idNumber}`,
			outcome: `已办结，由${staff.displayName}电话${spouse.phone}告知`,
			consentNote: `${spouse.name}签字同意代办`,
			originAsk: '请迁出地核实低保档案（私密说明）',
			originOffice: '某乡镇民政所私密联系人',
			ratingComment: '评价里写了邻居王五的名字'
		};
		const req = await createServiceRequest(p.household, category, p.user, {
			...free,
			residentId: spouse.id,
			contactPhone: spouse.phone,
			status: 'done',
			proxy: true,
			consentMethod: 'paper_signature',
			assigneeId: staff.id,
			rating: 5
		});
		await db().insert(schema.serviceEvent).values({
			requestId: req.id,
			actorId: staff.id,
			actorName: staff.displayName,
			kind: 'note',
			internal: true,
			note: '内部备注：家中有精神病人'
		});
		no = req.no;
		secrets = [
			...p.household.members.flatMap((m: Member) => [m.name, m.idNumber, m.phone ?? '']),
			p.household.headName,
			...Object.values(free),
			staff.displayName,
			staff.username,
			p.user.displayName,
			p.user.username,
			'内部备注',
			// the unit of a household: no building or unit appears anywhere in the feed
			'栋',
			'单元'
		].filter(Boolean);
	});

	it('leaves out names, ID numbers, phones, the unit and every free text', async () => {
		const inCounty = data(await listRequests(q({ jurisdiction_id: p.county.code })));
		const one = data(await getRequest(requestNumber(no)));
		expect(inCounty).toHaveLength(1);
		expect(one).toHaveLength(1);
		const text = JSON.stringify([
			inCounty,
			one,
			await listRequests(q({ jurisdiction_id: p.county.code, status: 'closed' })),
			await listRequests(q()),
			await listServices(q({ jurisdiction_id: p.county.code }))
		]);
		for (const secret of secrets) expect(text, secret).not.toContain(secret);
		// and the route's bytes
		const body = await (
			await getRequestsRoute(
				event(`/api/open311/v2/requests.json?jurisdiction_id=${p.county.code}`)
			)
		).text();
		for (const secret of secrets) expect(body, secret).not.toContain(secret);
		expect(body).toContain(p.settlement.name);
	});
});

describe('filters', () => {
	let a: Awaited<ReturnType<typeof place>>;
	let b: Awaited<ReturnType<typeof place>>;
	let catA: ServiceCategory;
	let otherCatA: ServiceCategory;
	let catB: ServiceCategory;
	const at: Record<string, number> = {};

	beforeAll(async () => {
		a = await place();
		b = await place(a.county.city);
		catA = await createCategory(a.county, { code: 'jiuye' });
		otherCatA = await createCategory(a.county, { code: 'zhufang' });
		catB = await createCategory(b.county, { code: 'jiuye' });
		const make = async (
			name: string,
			who: { household: Household; user: User },
			cat: ServiceCategory,
			input: Parameters<typeof createServiceRequest>[3]
		) => (at[name] = (await createServiceRequest(who.household, cat, who.user, input)).no);
		await make('old', a, catA, { submittedAt: daysAgo(100), status: 'done' });
		await make('day', a, catA, { submittedAt: new Date('2025-06-30T15:59:59Z') });
		await make('dayEnd', a, catA, { submittedAt: new Date('2025-07-01T15:59:59.500Z') });
		await make('nextDay', a, catA, { submittedAt: new Date('2025-07-01T16:00:00Z') });
		await make('recentOpen', a, catA, { submittedAt: daysAgo(3), status: 'in_progress' });
		await make('recentClosed', a, catA, { submittedAt: daysAgo(2), status: 'rejected' });
		await make('otherCode', a, otherCatA, { submittedAt: daysAgo(1) });
		await make('inB', b, catB, { submittedAt: daysAgo(1) });
	});

	const nos = (rows: Open311Request[]) => rows.map((r) => Number(r.service_request_id.slice(2)));
	const names = (...keys: string[]) => keys.map((k) => at[k]).sort((x, y) => y - x);

	it('reads the last 90 days by default, and any 90 days asked for', async () => {
		const all = nos(data(await listRequests(q({ jurisdiction_id: a.county.code }))));
		expect(all).toEqual(names('recentOpen', 'recentClosed', 'otherCode'));
		const then = nos(
			data(
				await listRequests(
					q({ jurisdiction_id: a.county.code, start_date: daysAgo(101).toISOString() })
				)
			)
		);
		expect(then).toEqual(names('old'));
	});

	it('takes a day for end_date as the whole day in China Standard Time', async () => {
		const rows = data(
			await listRequests(
				q({
					jurisdiction_id: a.county.code,
					start_date: '2025-07-01',
					end_date: '2025-07-01'
				})
			)
		);
		expect(nos(rows)).toEqual(names('dayEnd'));
		// a time is inclusive, and an unencoded '+' (read as a space) still means +08:00
		const upTo = data(
			await listRequests(
				q({
					jurisdiction_id: a.county.code,
					start_date: '2025-06-30T23:59:59 08:00',
					end_date: '2025-07-02T00:00:00+08:00'
				})
			)
		);
		expect(nos(upTo)).toEqual(names('day', 'dayEnd', 'nextDay'));
	});

	it('filters on status, service_code and jurisdiction_id', async () => {
		const j = a.county.code;
		expect(nos(data(await listRequests(q({ jurisdiction_id: j, status: 'open' }))))).toEqual(
			names('recentOpen', 'otherCode')
		);
		expect(nos(data(await listRequests(q({ jurisdiction_id: j, status: 'closed' }))))).toEqual(
			names('recentClosed')
		);
		const both = new URLSearchParams([
			['jurisdiction_id', j],
			['status', 'open'],
			['status', 'closed']
		]);
		expect(nos(data(await listRequests(both)))).toEqual(
			names('recentOpen', 'recentClosed', 'otherCode')
		);
		expect(
			nos(data(await listRequests(q({ jurisdiction_id: j, service_code: 'zhufang' }))))
		).toEqual(names('otherCode'));
		// the same code in two counties: the jurisdiction tells them apart, the city holds both
		expect(nos(data(await listRequests(q({ jurisdiction_id: b.county.code }))))).toEqual(
			names('inB')
		);
		const city = nos(
			data(await listRequests(q({ jurisdiction_id: a.county.city.code, service_code: 'jiuye' })))
		);
		expect(city).toEqual(names('inB', 'recentOpen', 'recentClosed'));
	});

	it('finds requests by receipt number whatever their date, and ignores the other filters', async () => {
		const ids = [at.old, at.inB].map(requestNumber).join(',');
		const rows = data(await listRequests(q({ service_request_id: ids, status: 'open' })));
		expect(nos(rows)).toEqual(names('old', 'inB'));
		expect(data(await getRequest(requestNumber(at.old)))).toHaveLength(1);
		expect(await getRequest('FW99999999')).toMatchObject({ ok: false, reason: 'not_found' });
		expect(await getRequest('12')).toMatchObject({ ok: false, reason: 'invalid' });
	});

	it.each([
		[{ start_date: 'yesterday' }, 'start_date'],
		[{ end_date: '2025-02-30' }, 'end_date'],
		[{ start_date: '2025-01-01', end_date: '2025-06-01' }, '90'],
		[{ start_date: '2025-03-01', end_date: '2025-02-01' }, 'start_date'],
		[{ status: 'pending' }, 'status'],
		[{ service_request_id: 'FW0001,abc' }, 'service_request_id'],
		[{ service_request_id: '123' }, 'service_request_id'],
		[{ jurisdiction_id: 'abc' }, 'jurisdiction_id']
	])('fails on bad parameters %o', async (params, words) => {
		const result = await listRequests(q(params));
		expect(result).toMatchObject({ ok: false, reason: 'invalid' });
		expect(!result.ok && result.description).toContain(words);
	});

	it('answers 404 for an unknown jurisdiction', async () => {
		expect(await listRequests(q({ jurisdiction_id: '999999999998' }))).toMatchObject({
			reason: 'not_found'
		});
	});

	it('keeps the span at 90 days when only one end is given', () => {
		const from = parseRequestsQuery(q({ start_date: '2025-01-01T00:00:00Z' }));
		expect(data(from)).toMatchObject({
			from: new Date('2025-01-01T00:00:00Z'),
			to: new Date('2025-04-01T00:00:00Z')
		});
		const now = new Date('2025-05-01T00:00:00Z');
		expect(data(parseRequestsQuery(q(), now))).toMatchObject({
			from: new Date('2025-01-31T00:00:00Z'),
			to: now
		});
	});
});

describe('the cap', () => {
	it('answers at most 1000 rows, newest first', async () => {
		const p = await place();
		const category = await createCategory(p.county);
		const first = await createServiceRequest(p.household, category, p.user);
		const { id: _id, no: _no, ...values } = first;
		await db()
			.insert(schema.serviceRequest)
			.values(Array.from({ length: maxRows + 4 }, () => values));
		const rows = data(await listRequests(q({ jurisdiction_id: p.county.code })));
		expect(rows).toHaveLength(maxRows);
		const got = rows.map((r) => Number(r.service_request_id.slice(2)));
		expect(got).toEqual([...got].sort((x, y) => y - x));
		expect(got).not.toContain(first.no);
		const byIds = await findRequests({ nos: [first.no] });
		expect(data(byIds)).toHaveLength(1);
	});
});

describe('the routes', () => {
	let p: Awaited<ReturnType<typeof place>>;
	let no: number;

	beforeAll(async () => {
		p = await place();
		const category = await createCategory(p.county, { code: 'luhu' });
		no = (await createServiceRequest(p.household, category, p.user)).no;
	});

	const expectHeaders = (res: Response) => {
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(res.headers.get('access-control-allow-origin')).toBe('*');
		expect(res.headers.get('cache-control')).toBe('public, max-age=60');
	};

	it('answer JSON with CORS and a short public cache', async () => {
		const list = await getRequestsRoute(
			event(`/api/open311/v2/requests.json?jurisdiction_id=${p.county.code}`)
		);
		expect(list.status).toBe(200);
		expectHeaders(list);
		expect((await list.json()).map((r: Open311Request) => r.service_request_id)).toEqual([
			requestNumber(no)
		]);

		const one = await getRequestRoute(
			event(`/api/open311/v2/requests/${requestNumber(no)}.json`, { id: requestNumber(no) })
		);
		expect(one.status).toBe(200);
		expect(await one.json()).toHaveLength(1);

		const services = await getServicesRoute(
			event(`/api/open311/v2/services.json?jurisdiction_id=${p.county.code}`)
		);
		expectHeaders(services);
		expect((await services.json())[0]).toMatchObject({ service_code: 'luhu' });

		const definition = await getServiceRoute(
			event(`/api/open311/v2/services/luhu.json`, { code: 'luhu' })
		);
		expect(await definition.json()).toEqual({ service_code: 'luhu', attributes: [] });
	});

	it('answer 400 and 404 as GeoReport error lists', async () => {
		const bad = await getRequestsRoute(event('/api/open311/v2/requests.json?start_date=soon'));
		expect(bad.status).toBe(400);
		expectHeaders(bad);
		expect(await bad.json()).toEqual([{ code: 400, description: expect.any(String) }]);

		const notFw = await getRequestRoute(event('/api/open311/v2/requests/42.json', { id: '42' }));
		expect(notFw.status).toBe(400);

		const missing = await getRequestRoute(
			event('/api/open311/v2/requests/FW99999990.json', { id: 'FW99999990' })
		);
		expect(missing.status).toBe(404);
		expect(await missing.json()).toEqual([{ code: 404, description: expect.any(String) }]);

		expect(respond({ ok: false, reason: 'invalid', description: 'x' }).status).toBe(400);
	});
});

/** The little of a RequestEvent the Open311 handlers read. */
function event(path: string, params: Record<string, string> = {}) {
	return { url: new URL(path, 'http://localhost'), params } as never;
}
