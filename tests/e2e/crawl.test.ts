import type { APIRequestContext, Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures';

// Personal data stays masked: signed in as each role, crawl the app from / along its links and
// look for a full 18-character ID number or an 11-digit mobile number in every page and its
// __data.json. Only a reveal (a form the point admin submits with a reason) may show one, and
// the crawler submits no forms, so it must find none.
//
// The charity's pages go further: no public page, and no page an organisation (cishan) or the
// 互助社 (huzhushe) sees, may carry anything of a household helped — the names of its head and
// members, its unit (building, unit, room), or even its masked ID numbers and phones. Which
// households those are, and their words, civil affairs (minzheng) reads from the app: the
// households of every need, and any household the crawled pages' data refer to.

/** A full ID number: region, birth date 19xx/20xx, sequence, check character; not inside a longer digit run. */
const idNumberPattern =
	/(?<![0-9])[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])/g;
/** A mainland mobile number standing alone. */
const mobilePattern = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;
// a uuid's last group is 12 hex characters: "a13812345678" would read as a mobile number
const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
// so would a run of a form's idempotency key, a uuid without its dashes ("cbb18901297948a3…")
const hexPattern = /(?<![0-9a-z])[0-9a-f]{20,}(?![0-9a-z])/gi;

interface Finding {
	url: string;
	kind: 'id number' | 'mobile';
	match: string;
	context: string;
}

/** Full ID numbers and mobile numbers in a text, with a little context around each. */
function findPersonalNumbers(url: string, text: string): Finding[] {
	const clean = text.replace(uuidPattern, '<uuid>').replace(hexPattern, '<hex>');
	const out: Finding[] = [];
	for (const [kind, pattern] of [
		['id number', idNumberPattern],
		['mobile', mobilePattern]
	] as const)
		for (const m of clean.matchAll(pattern))
			out.push({
				url,
				kind,
				match: m[0],
				context: clean.slice(Math.max(0, m.index - 60), m.index + m[0].length + 60)
			});
	return out;
}

test('the patterns find full numbers and pass masked ones, uuids and timestamps', () => {
	const found = (s: string) => findPersonalNumbers('/', s).map((f) => `${f.kind}:${f.match}`);
	expect(found('身份证 360731196407053131，电话 13912345678')).toEqual([
		'id number:360731196407053131',
		'mobile:13912345678'
	]);
	expect(found('"idNumber":"36073120150921231X"')).toEqual(['id number:36073120150921231X']);
	expect(found('3607**********3131 · 139****5678')).toEqual([]);
	// uuids whose groups hold long digit runs, a ms timestamp, a 12-digit region code
	expect(
		found(
			'/households/12345678-1234-4123-8123-a13812345678 c0ffee00-0000-4000-8000-139123456789 1764360000000 /360731000000/'
		)
	).toEqual([]);
	// a longer digit run is not an ID number or a phone
	expect(found('1360731196407053131 139123456789')).toEqual([]);
	// nor a form's key, random hex that may hold a run like 18901297948
	expect(found('name="idempotencyKey" value="cbb18901297948a3b74021b8f9f3c339"')).toEqual([]);
	expect(found('keys:{donation:"0518901297948a3b74021b8f9f3c339d"} 13912345678')).toEqual([
		'mobile:13912345678'
	]);
});

/** Pages per role, at most; and pages of one shape (path with ids, and query keys), at most. */
const maxPages = 150;
const maxPerShape = 6;
const concurrency = 4;

/** The same page with other ids or filter values: one shape. */
function shapeOf(url: URL): string {
	const path = url.pathname.replace(uuidPattern, ':id');
	const keys = [...new Set(url.searchParams.keys())].sort().join('&');
	return keys ? `${path}?${keys}` : path;
}

/** Where SvelteKit serves a page's server data: `/a/b?x=1` → `/a/b/__data.json?x=1`. */
function dataUrlOf(url: URL): string {
	const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
	return `${path}/__data.json${url.search}`;
}

/** Same-origin links of a page that a crawler may follow: no sign-out, no files. */
function linksOf(html: string, base: URL): URL[] {
	const out: URL[] = [];
	for (const [tag] of html.matchAll(/<a\b[^>]*>/gi)) {
		if (/\sdownload(?:[\s=>]|$)/i.test(tag)) continue;
		const href = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
		const raw = href && (href[1] ?? href[2] ?? href[3]);
		if (!raw || /^(mailto|tel|javascript):/i.test(raw)) continue;
		let url: URL;
		try {
			url = new URL(raw.replaceAll('&amp;', '&'), base);
		} catch {
			continue;
		}
		url.hash = '';
		if (url.origin !== base.origin) continue;
		if (/^\/logout\/?$/.test(url.pathname)) continue;
		// files, not pages (the ledger export answers a spreadsheet)
		if (/\.(xlsx|xls|csv)$/i.test(url.pathname) || /\/export\/?$/.test(url.pathname)) continue;
		out.push(url);
	}
	return out;
}

/** The public ledgers' CSV exports linked from a page: files, but words the public reads. */
function publicCsvOf(html: string, base: URL): URL[] {
	const out: URL[] = [];
	for (const [, raw] of html.matchAll(/<a\b[^>]*\shref="([^"]+\.csv)"/gi)) {
		const url = new URL(raw.replaceAll('&amp;', '&'), base);
		if (url.origin === base.origin && url.pathname.startsWith('/public/')) out.push(url);
	}
	return out;
}

interface CrawlResult {
	pages: string[];
	findings: Finding[];
	/** 5xx answers */
	failures: string[];
	/** links that lead nowhere for this user (404), worth a look */
	notFound: string[];
	shapes: Map<string, number>;
	/** what each page, its data and each public CSV said, when asked to keep them */
	texts: { url: string; text: string }[];
}

interface CrawlOptions {
	/** where to start besides / (the menu's pages, the public ones) */
	starts?: string[];
	/** start at `starts` only, not at / too (a crawl of one part of the app) */
	startsOnly?: boolean;
	/** pages of one shape, at most */
	perShape?: number;
	/** keep every text for a later look (and fetch the public CSV exports) */
	keep?: boolean;
}

/**
 * A GET, sent again once when the connection was reset: a kept-alive connection the server closed
 * (after its keep-alive timeout) just as the client reused it, which a busy machine makes likely.
 */
async function getOnce(request: APIRequestContext, path: string, maxRedirects: number) {
	try {
		return await request.get(path, { maxRedirects });
	} catch (err) {
		if (!/ECONNRESET|socket hang up/.test(String(err))) throw err;
		return request.get(path, { maxRedirects });
	}
}

/** Breadth-first from /, a few requests at a time; every page's HTML and __data.json is checked. */
async function crawl(
	request: APIRequestContext,
	baseURL: string,
	options: CrawlOptions = {}
): Promise<CrawlResult> {
	const origin = new URL(baseURL);
	const perShape = options.perShape ?? maxPerShape;
	const seen = new Set<string>();
	const shapes = new Map<string, number>();
	const queue: URL[] = [];
	const files = new Map<string, URL>();
	const result: CrawlResult = {
		pages: [],
		findings: [],
		failures: [],
		notFound: [],
		shapes,
		texts: []
	};
	const enqueue = (url: URL) => {
		const key = url.pathname + url.search;
		if (seen.has(key) || seen.size >= maxPages) return;
		const shape = shapeOf(url);
		if ((shapes.get(shape) ?? 0) >= perShape) return;
		seen.add(key);
		shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
		queue.push(url);
	};
	const visit = async (url: URL) => {
		const path = url.pathname + url.search;
		const [page, data] = await Promise.all([
			getOnce(request, path, 5),
			getOnce(request, dataUrlOf(url), 0)
		]);
		result.pages.push(path);
		const html = await page.text();
		const json = await data.text();
		if (page.status() >= 500) result.failures.push(`${path}: ${page.status()}`);
		if (page.status() === 404) result.notFound.push(path);
		if (data.status() >= 500) result.failures.push(`${dataUrlOf(url)}: ${data.status()}`);
		result.findings.push(...findPersonalNumbers(path, html));
		result.findings.push(...findPersonalNumbers(dataUrlOf(url), json));
		if (options.keep)
			result.texts.push({ url: path, text: html }, { url: dataUrlOf(url), text: json });
		if ((page.headers()['content-type'] ?? '').includes('text/html')) {
			const here = new URL(page.url(), origin);
			for (const link of linksOf(html, here)) enqueue(link);
			if (options.keep) for (const file of publicCsvOf(html, here)) files.set(file.pathname, file);
		}
	};
	if (!options.startsOnly) enqueue(new URL('/', origin));
	for (const start of options.starts ?? []) enqueue(new URL(start, origin));
	while (queue.length > 0) {
		const wave = queue.splice(0, concurrency);
		await Promise.all(wave.map(visit));
	}
	for (const file of files.values()) {
		const res = await request.get(file.pathname);
		const text = await res.text();
		if (res.status() >= 500) result.failures.push(`${file.pathname}: ${res.status()}`);
		result.pages.push(file.pathname);
		result.findings.push(...findPersonalNumbers(file.pathname, text));
		result.texts.push({ url: file.pathname, text });
	}
	return result;
}

// ---------------------------------------------------------------------------------------------
// What a household helped must never show: its words, as civil affairs reads them from the app

/** A page's server data: SvelteKit's __data.json, each node unflattened (devalue's format). */
function pageData(json: string): unknown[] {
	let parsed: { type?: string; nodes?: ({ type: string; data?: unknown[] } | null)[] };
	try {
		// streamed promises follow on later lines; the nodes are on the first
		parsed = JSON.parse(json.split('\n')[0]);
	} catch {
		return [];
	}
	return (parsed.nodes ?? []).flatMap((node) =>
		node?.type === 'data' && Array.isArray(node.data) ? [unflatten(node.data)] : []
	);
}

/** devalue's flat array back into values: objects, arrays, and special types as their raw value. */
function unflatten(values: unknown[]): unknown {
	const done = new Map<number, unknown>();
	const hydrate = (i: number): unknown => {
		if (i < 0) return undefined;
		if (done.has(i)) return done.get(i);
		const v = values[i];
		if (Array.isArray(v)) {
			if (typeof v[0] === 'string') {
				// ["Date", iso], ["Set", …], ["Map", …], ["null", key, i, …]: enough for a look
				const out: Record<string, unknown> = {};
				done.set(i, out);
				if (v[0] === 'null')
					for (let k = 1; k + 1 < v.length; k += 2) out[String(v[k])] = hydrate(v[k + 1] as number);
				else out.value = v.slice(1);
				return out;
			}
			const out: unknown[] = [];
			done.set(i, out);
			for (const k of v as number[]) out.push(hydrate(k));
			return out;
		}
		if (v && typeof v === 'object') {
			const out: Record<string, unknown> = {};
			done.set(i, out);
			for (const [key, k] of Object.entries(v as Record<string, number>)) out[key] = hydrate(k);
			return out;
		}
		done.set(i, v);
		return v;
	};
	return hydrate(0);
}

/** Every value under a key of this name, anywhere in the data. */
function valuesOf(data: unknown, key: string, out = new Set<unknown>(), seen = new Set<unknown>()) {
	if (!data || typeof data !== 'object' || seen.has(data)) return out;
	seen.add(data);
	for (const [k, v] of Object.entries(data)) {
		if (k === key && v !== undefined && v !== null) out.add(v);
		valuesOf(v, key, out, seen);
	}
	return out;
}

/** The households the pages' data refer to (a 互助社's members, say). */
function householdIdsIn(texts: { url: string; text: string }[]): string[] {
	const ids = new Set<string>();
	for (const t of texts)
		if (t.url.includes('__data.json'))
			for (const v of valuesOf(pageData(t.text), 'householdId'))
				if (typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v)) ids.add(v);
	return [...ids];
}

interface Mark {
	household: string;
	kind: 'name' | 'unit' | 'id number (masked)' | 'phone (masked)';
	text: string;
}

/** A few requests at a time, in order. */
async function inTurn<T, R>(items: T[], fn: (item: T) => Promise<R>, n = 6): Promise<R[]> {
	const out: R[] = [];
	for (let i = 0; i < items.length; i += n)
		out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
	return out;
}

/** The households of every need, from civil affairs' list of the county's needs and each need's page. */
async function needHouseholds(minzheng: APIRequestContext): Promise<string[]> {
	const needIds: string[] = [];
	for (let before: unknown = undefined, page = 0; page < 20; page++) {
		const res = await minzheng.get(
			`/charity/needs/__data.json${before ? `?before=${before}` : ''}`
		);
		expect(res.status(), 'civil affairs reads the needs list').toBe(200);
		const nodes = pageData(await res.text());
		const list = nodes.flatMap((d) => [...valuesOf(d, 'needs')])[0] as
			{ rows: { id: string }[]; next: unknown } | undefined;
		needIds.push(...(list?.rows ?? []).map((r) => r.id));
		before = list?.next;
		if (!before) break;
	}
	expect(needIds.length, 'the demo needs').toBeGreaterThan(30);
	const households = await inTurn(needIds, async (id) => {
		const res = await minzheng.get(`/charity/needs/${id}/__data.json`);
		const need = pageData(await res.text()).flatMap((d) => [...valuesOf(d, 'need')])[0] as
			{ householdId?: string } | undefined;
		return need?.householdId;
	});
	return [...new Set(households.filter((h): h is string => !!h))];
}

/** A household's marks: every member's name, the unit, the masked ID numbers and phones. */
async function householdMarks(minzheng: APIRequestContext, householdId: string): Promise<Mark[]> {
	const res = await minzheng.get(`/households/${householdId}/__data.json`);
	if (res.status() !== 200) return [];
	const h = pageData(await res.text()).flatMap((d) => [...valuesOf(d, 'household')])[0] as
		| {
				headName: string;
				building: string;
				unitNo: string;
				room: string;
				members: { name: string; idNumber: string; phone: string }[];
		  }
		| undefined;
	if (!h?.members) return [];
	const marks: Mark[] = [
		{ household: householdId, kind: 'unit', text: `${h.building}${h.unitNo}${h.room}` }
	];
	for (const name of [h.headName, ...h.members.map((m) => m.name)])
		if (Array.from(name).length >= 2)
			marks.push({ household: householdId, kind: 'name', text: name });
	for (const m of h.members) {
		if (m.idNumber)
			marks.push({ household: householdId, kind: 'id number (masked)', text: m.idNumber });
		if (m.phone) marks.push({ household: householdId, kind: 'phone (masked)', text: m.phone });
	}
	return marks;
}

// per worker: the needs' households and each household's marks, read once
let needHouseholdsOnce: Promise<string[]> | undefined;
const marksOnce = new Map<string, Promise<Mark[]>>();

async function marksFor(minzheng: APIRequestContext, extra: string[]): Promise<Mark[]> {
	needHouseholdsOnce ??= needHouseholds(minzheng);
	const ids = [...new Set([...(await needHouseholdsOnce), ...extra])];
	const lists = await inTurn(ids, (id) => {
		if (!marksOnce.has(id)) marksOnce.set(id, householdMarks(minzheng, id));
		return marksOnce.get(id)!;
	});
	return lists.flat();
}

interface Leak {
	url: string;
	kind: Mark['kind'];
	match: string;
	context: string;
}

/** Where the texts carry a mark: one pass over each text, the marks looked up by their first two characters. */
function findMarks(texts: { url: string; text: string }[], marks: Mark[]): Leak[] {
	const byStart = new Map<string, Mark[]>();
	for (const m of marks) {
		const key = m.text.slice(0, 2);
		byStart.set(key, [...(byStart.get(key) ?? []), m]);
	}
	const out: Leak[] = [];
	for (const { url, text } of texts) {
		// "3栋 2单元 502" is the same unit: look at the words without their spaces
		const squeezed = text.replace(/\s+/g, '');
		for (let i = 0; i < squeezed.length - 1; i++) {
			const candidates = byStart.get(squeezed.slice(i, i + 2));
			if (!candidates) continue;
			for (const m of candidates)
				if (squeezed.startsWith(m.text, i))
					out.push({
						url,
						kind: m.kind,
						match: m.text,
						context: squeezed.slice(Math.max(0, i - 40), i + m.text.length + 40)
					});
		}
	}
	return out;
}

test('the data reader finds households in devalue-flattened page data', () => {
	const json = JSON.stringify({
		type: 'data',
		nodes: [
			{ type: 'skip' },
			{
				type: 'data',
				data: [
					{ rows: 1, when: 5 },
					[2],
					{ householdId: 3, name: 4 },
					'ab12cd34-0000-4000-8000-000000000001',
					'刘**',
					['Date', '2026-01-01T00:00:00.000Z']
				]
			}
		]
	});
	const [data] = pageData(json);
	expect(data).toEqual({
		rows: [{ householdId: 'ab12cd34-0000-4000-8000-000000000001', name: '刘**' }],
		when: { value: ['2026-01-01T00:00:00.000Z'] }
	});
	expect(householdIdsIn([{ url: '/x/__data.json', text: json }])).toEqual([
		'ab12cd34-0000-4000-8000-000000000001'
	]);
	const marks: Mark[] = [
		{ household: 'h', kind: 'name', text: '刘德华' },
		{ household: 'h', kind: 'unit', text: '3栋2单元502' }
	];
	expect(
		findMarks([{ url: '/', text: '<td>刘**</td> 3栋 2单元 502 住户刘德华' }], marks).map(
			(l) => l.match
		)
	).toEqual(['3栋2单元502', '刘德华']);
	expect(findMarks([{ url: '/', text: '刘德 华 3栋2单元 ' }], marks.slice(1))).toEqual([]);
});

function report(result: CrawlResult) {
	const shapes = [...result.shapes.entries()].map(([shape, n]) => `${shape} ×${n}`).join(', ');
	const missing = result.notFound.length ? `; 404: ${result.notFound.join(', ')}` : '';
	return `${result.pages.length} pages: ${shapes}${missing}`;
}

test.describe('no full ID number or mobile number on any page', () => {
	test.describe.configure({ mode: 'parallel' });

	const roles = [
		'admin',
		'minzheng',
		'zongdianzhang',
		'dianzhang',
		'guanliyuan',
		'shegong',
		'cishan',
		'huzhushe',
		'jumin'
	] as const;

	// the organisations' and the public's crawls keep what they read, for the households' words
	const charityStarts = [
		'/charity/needs',
		'/charity/matching',
		'/charity/offers',
		'/charity/funds',
		'/charity/aid-cases',
		'/charity/organizations'
	];
	const publicStarts = ['/public/needs', '/public/funds', '/public/rules', '/public/decisions'];
	const organisations: Record<string, CrawlOptions> = {
		cishan: { starts: [...charityStarts, ...publicStarts], perShape: 40, keep: true },
		huzhushe: { starts: [...charityStarts, ...publicStarts], perShape: 40, keep: true }
	};

	/** No page read carries a name, unit or masked number of a household helped. */
	async function expectNoHouseholdWords(
		result: CrawlResult,
		signIn: (username: string) => Promise<Page>,
		testInfo: TestInfo
	) {
		const minzheng = await signIn('minzheng');
		const referred = householdIdsIn(result.texts);
		const marks = await marksFor(minzheng.context().request, referred);
		const households = new Set(marks.map((m) => m.household)).size;
		testInfo.annotations.push({
			type: 'households',
			description: `${households} households (${referred.length} referred to by these pages), ${marks.length} names, units and masked numbers; ${result.texts.length} texts read`
		});
		expect(households, 'the households of the demo needs').toBeGreaterThan(30);
		const leaks = findMarks(result.texts, marks);
		expect(leaks, "a household's name, unit or masked number on these pages").toEqual([]);
	}

	for (const username of roles) {
		test(`signed in as ${username}`, async ({ signIn, baseURL }, testInfo) => {
			test.setTimeout(120_000);
			const page = await signIn(username);
			const options = organisations[username];
			const result = await crawl(page.context().request, baseURL!, options);
			testInfo.annotations.push({
				type: 'crawled',
				description: report(result)
			});
			// signed in, the menu leads somewhere: the crawl is not stuck on the home page
			expect(result.pages.length, report(result)).toBeGreaterThan(2);
			expect(result.findings, 'full personal numbers on these pages').toEqual([]);
			expect(result.failures, 'server errors').toEqual([]);
			if (options) await expectNoHouseholdWords(result, signIn, testInfo);
		});
	}

	test('signed out', async ({ request, baseURL, signIn }, testInfo) => {
		test.setTimeout(120_000);
		const result = await crawl(request, baseURL!, {
			starts: publicStarts,
			perShape: 60,
			keep: true
		});
		testInfo.annotations.push({
			type: 'crawled',
			description: report(result)
		});
		expect(result.findings, 'full personal numbers on these pages').toEqual([]);
		expect(result.failures, 'server errors').toEqual([]);
		// every public need and fund page was read, and the ledgers' CSV
		const shapes = [...result.shapes.keys()];
		for (const shape of [
			'/public/needs',
			'/public/needs/:id',
			'/public/funds',
			'/public/funds/:id'
		])
			expect(shapes, shape).toContain(shape);
		expect(result.pages.filter((p) => p.endsWith('.csv')).length).toBeGreaterThanOrEqual(2);
		await expectNoHouseholdWords(result, signIn, testInfo);
	});
});

// Activities, care visits and risk monitoring: each staff member's crawl of those pages reaches
// every kind of page they may read, with no full number on any; a resident reads the
// settlement's activities but never a visit, a risk flag or a report.
test.describe('activities, care visits and risk flags', () => {
	test.describe.configure({ mode: 'parallel' });

	const starts = [
		'/activities',
		'/visits',
		'/visits?tab=overdue',
		'/visits/targets',
		'/risks',
		'/risks/reports',
		'/risks/duplicates'
	];
	const pointPages = [
		'/activities',
		'/activities/:id',
		'/visits',
		'/visits/:id',
		'/risks',
		'/risks/:id',
		'/risks/reports'
	];
	/** the shapes each role's crawl must reach */
	const reach: Record<string, string[]> = {
		shegong: pointPages,
		// the 点长 reads what the point admin reads (the same grants over these pages)
		guanliyuan: [...pointPages, '/visits/targets', '/risks/duplicates'],
		// county staff read the rates and the overdue, and a visit only from its page's address
		minzheng: [...pointPages.filter((p) => p !== '/visits/:id'), '/risks/duplicates']
	};

	for (const [username, shapes] of Object.entries(reach)) {
		test(`signed in as ${username}`, async ({ signIn, baseURL }, testInfo) => {
			test.setTimeout(120_000);
			const page = await signIn(username);
			const result = await crawl(page.context().request, baseURL!, {
				starts,
				startsOnly: true,
				perShape: 3
			});
			testInfo.annotations.push({ type: 'crawled', description: report(result) });
			expect(result.findings, 'full personal numbers on these pages').toEqual([]);
			expect(result.failures, 'server errors').toEqual([]);
			const seen = [...result.shapes.keys()];
			for (const shape of shapes) expect(seen, `${username} reads ${shape}`).toContain(shape);
			for (const shape of shapes)
				expect(
					result.notFound.filter((p) => shapeOf(new URL(p, baseURL)) === shape),
					`${username} finds ${shape}`
				).toEqual([]);
		});
	}

	test('signed in as jumin', async ({ signIn, baseURL }, testInfo) => {
		test.setTimeout(120_000);
		const page = await signIn('jumin');
		const request = page.context().request;
		for (const path of [
			'/visits',
			'/visits/targets',
			'/risks',
			'/risks/reports',
			'/risks/duplicates',
			'/risks/new'
		]) {
			const res = await request.get(path, { maxRedirects: 0 });
			expect(res.status(), path).toBe(404);
			// the page's data answers the error, not the data
			const data = await request.get(dataUrlOf(new URL(path, baseURL)), { maxRedirects: 0 });
			const body = await data.text();
			expect(body, `${path} data`).toContain('"type":"error"');
			expect(body, `${path} data`).toContain('"status":404');
		}
		const result = await crawl(request, baseURL!, {
			starts: ['/activities'],
			startsOnly: true,
			perShape: 10
		});
		testInfo.annotations.push({ type: 'crawled', description: report(result) });
		expect(result.findings, 'full personal numbers on these pages').toEqual([]);
		expect(result.failures, 'server errors').toEqual([]);
		const seen = [...result.shapes.keys()];
		expect(seen).toContain('/activities/:id');
		const read = result.pages.filter(
			(p) => /^\/(visits|risks)/.test(p) && !result.notFound.includes(p)
		);
		expect(read, 'a visit or risk page read by a resident').toEqual([]);
	});
});

// Governance: each role's crawl of the governance pages reaches every kind of page it may read,
// with no full number on any; a resident never reads a decision's record (only what was made
// public); and what the public reads of the rules and decisions carries nothing of a household
// that filed a wedding or funeral, earns points or sits on a council.
test.describe('governance pages', () => {
	test.describe.configure({ mode: 'parallel' });

	const starts = [
		'/governance',
		'/governance/rules',
		'/governance/councils',
		'/governance/decisions',
		'/governance/ceremonies',
		'/points',
		'/points/ledger',
		'/points/shop',
		'/points/appeals',
		'/points/redemptions'
	];
	const pointPages = [
		'/governance/rules',
		'/governance/rules/:id',
		'/governance/councils/:id',
		'/governance/meetings/:id',
		'/governance/decisions',
		'/governance/decisions/:id',
		'/governance/ceremonies',
		'/governance/ceremonies/:id',
		'/points',
		'/points/shop'
	];
	/** the pages (paths, whatever their query) each role's crawl must read */
	const reach: Record<string, string[]> = {
		guanliyuan: [...pointPages, '/points/ledger', '/points/households/:id', '/points/entries/:id'],
		dianzhang: [...pointPages, '/points/ledger', '/points/appeals', '/points/appeals/:id'],
		shegong: [...pointPages, '/points/households/:id'],
		minzheng: [
			'/governance/rules',
			'/governance/rules/:id',
			'/governance/decisions',
			'/governance/decisions/:id',
			'/governance/ceremonies',
			'/governance/ceremonies/:id'
		],
		jumin: [
			'/governance/rules',
			'/governance/rules/:id',
			'/governance/councils',
			'/governance/councils/:id',
			'/governance/meetings/:id',
			'/governance/ceremonies',
			'/points',
			'/points/shop',
			'/points/entries/:id'
		]
	};
	const pathOf = (shape: string) => shape.split('?')[0];

	for (const [username, paths] of Object.entries(reach)) {
		test(`signed in as ${username}`, async ({ signIn, baseURL }, testInfo) => {
			test.setTimeout(120_000);
			const page = await signIn(username);
			const result = await crawl(page.context().request, baseURL!, {
				starts,
				startsOnly: true,
				perShape: 4
			});
			testInfo.annotations.push({ type: 'crawled', description: report(result) });
			expect(result.findings, 'full personal numbers on these pages').toEqual([]);
			expect(result.failures, 'server errors').toEqual([]);
			const read = result.pages.filter((p) => !result.notFound.includes(p));
			const readPaths = new Set(read.map((p) => pathOf(shapeOf(new URL(p, baseURL)))));
			for (const path of paths) expect([...readPaths], `${username} reads ${path}`).toContain(path);
			if (username === 'jumin')
				expect(
					read.filter((p) => p.startsWith('/governance/decisions')),
					"a decision's record read by a resident"
				).toEqual([]);
		});
	}

	test('signed out, the public rules and decisions carry nothing of the households governance records', async ({
		request,
		baseURL,
		signIn
	}, testInfo) => {
		test.setTimeout(180_000);
		// the households the point's staff see in the ceremonies, the points ledger and the appeals,
		// and the residents on its councils
		const staff = await signIn('guanliyuan');
		const records = await crawl(staff.context().request, baseURL!, {
			starts: [
				'/governance/ceremonies',
				'/points/ledger',
				'/points/appeals',
				'/governance/councils'
			],
			startsOnly: true,
			perShape: 20,
			keep: true
		});
		const households = householdIdsIn(records.texts);
		expect(households.length, 'households in the governance records').toBeGreaterThan(10);
		const minzheng = (await signIn('minzheng')).context().request;
		const marks = (await inTurn(households, (id) => householdMarks(minzheng, id))).flat();
		const seated = new Set<string>();
		for (const t of records.texts)
			if (t.url.includes('__data.json'))
				for (const list of valuesOf(pageData(t.text), 'members'))
					for (const member of Array.isArray(list) ? list : [])
						if (
							(member?.linkedResident || member?.residentId) &&
							Array.from(String(member.name ?? '')).length >= 2
						)
							seated.add(member.name);
		expect(seated.size, 'residents on the councils').toBeGreaterThan(10);
		for (const name of seated) marks.push({ household: 'council', kind: 'name', text: name });

		const result = await crawl(request, baseURL!, {
			starts: ['/public/rules', '/public/decisions'],
			startsOnly: true,
			perShape: 60,
			keep: true
		});
		testInfo.annotations.push({
			type: 'crawled',
			description: `${report(result)}; ${households.length} households and ${seated.size} council members looked for`
		});
		expect(result.findings, 'full personal numbers on these pages').toEqual([]);
		expect(result.failures, 'server errors').toEqual([]);
		const shapes = [...result.shapes.keys()].map(pathOf);
		for (const shape of ['/public/rules', '/public/rules/:id', '/public/decisions/:id'])
			expect(shapes, shape).toContain(shape);
		const leaks = findMarks(result.texts, marks);
		expect(
			leaks,
			"a household's name, unit or masked number on the public rules and decisions"
		).toEqual([]);
	});
});
