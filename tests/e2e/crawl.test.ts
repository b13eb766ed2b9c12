import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './fixtures';

// Personal data stays masked: signed in as each role, crawl the app from / along its links and
// look for a full 18-character ID number or an 11-digit mobile number in every page and its
// __data.json. Only a reveal (a form the point admin submits with a reason) may show one, and
// the crawler submits no forms, so it must find none.

/** A full ID number: region, birth date 19xx/20xx, sequence, check character; not inside a longer digit run. */
const idNumberPattern =
	/(?<![0-9])[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])/g;
/** A mainland mobile number standing alone. */
const mobilePattern = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;
// a uuid's last group is 12 hex characters: "a13812345678" would read as a mobile number
const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

interface Finding {
	url: string;
	kind: 'id number' | 'mobile';
	match: string;
	context: string;
}

/** Full ID numbers and mobile numbers in a text, with a little context around each. */
function findPersonalNumbers(url: string, text: string): Finding[] {
	const clean = text.replace(uuidPattern, '<uuid>');
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

interface CrawlResult {
	pages: string[];
	findings: Finding[];
	/** 5xx answers */
	failures: string[];
	/** links that lead nowhere for this user (404), worth a look */
	notFound: string[];
	shapes: Map<string, number>;
}

/** Breadth-first from /, a few requests at a time; every page's HTML and __data.json is checked. */
async function crawl(request: APIRequestContext, baseURL: string): Promise<CrawlResult> {
	const origin = new URL(baseURL);
	const seen = new Set<string>();
	const shapes = new Map<string, number>();
	const queue: URL[] = [];
	const result: CrawlResult = { pages: [], findings: [], failures: [], notFound: [], shapes };
	const enqueue = (url: URL) => {
		const key = url.pathname + url.search;
		if (seen.has(key) || seen.size >= maxPages) return;
		const shape = shapeOf(url);
		if ((shapes.get(shape) ?? 0) >= maxPerShape) return;
		seen.add(key);
		shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
		queue.push(url);
	};
	const visit = async (url: URL) => {
		const path = url.pathname + url.search;
		const [page, data] = await Promise.all([
			request.get(path, { maxRedirects: 5 }),
			request.get(dataUrlOf(url), { maxRedirects: 0 })
		]);
		result.pages.push(path);
		const html = await page.text();
		if (page.status() >= 500) result.failures.push(`${path}: ${page.status()}`);
		if (page.status() === 404) result.notFound.push(path);
		if (data.status() >= 500) result.failures.push(`${dataUrlOf(url)}: ${data.status()}`);
		result.findings.push(...findPersonalNumbers(path, html));
		result.findings.push(...findPersonalNumbers(dataUrlOf(url), await data.text()));
		if ((page.headers()['content-type'] ?? '').includes('text/html'))
			for (const link of linksOf(html, new URL(page.url(), origin))) enqueue(link);
	};
	enqueue(new URL('/', origin));
	while (queue.length > 0) {
		const wave = queue.splice(0, concurrency);
		await Promise.all(wave.map(visit));
	}
	return result;
}

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

	for (const username of roles) {
		test(`signed in as ${username}`, async ({ signIn, baseURL }, testInfo) => {
			test.setTimeout(120_000);
			const page = await signIn(username);
			const result = await crawl(page.context().request, baseURL!);
			testInfo.annotations.push({
				type: 'crawled',
				description: report(result)
			});
			// signed in, the menu leads somewhere: the crawl is not stuck on the home page
			expect(result.pages.length, report(result)).toBeGreaterThan(2);
			expect(result.findings, 'full personal numbers on these pages').toEqual([]);
			expect(result.failures, 'server errors').toEqual([]);
		});
	}

	test('signed out', async ({ request, baseURL }, testInfo) => {
		const result = await crawl(request, baseURL!);
		testInfo.annotations.push({
			type: 'crawled',
			description: report(result)
		});
		expect(result.findings, 'full personal numbers on these pages').toEqual([]);
		expect(result.failures, 'server errors').toEqual([]);
	});
});
