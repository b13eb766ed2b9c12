import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

// scripts/e2e.js builds and starts the app, then runs this with E2E_BASE_URL and CHROMIUM_PATH set.
const baseURL = process.env.E2E_BASE_URL ?? 'http://localhost:4173';
const executablePath =
	process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.test.ts',
	outputDir: 'test-results/e2e',
	forbidOnly: !!process.env.CI,
	retries: 0,
	workers: 2,
	timeout: 30_000,
	globalTimeout: 40 * 60_000,
	expect: { timeout: 10_000 },
	reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
	metadata: { engine: process.env.E2E_ENGINE ?? 'unknown' },
	use: {
		baseURL,
		locale: 'zh-CN',
		timezoneId: 'Asia/Shanghai',
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-dev-shm-usage',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				'--disable-quic'
			]
		}
	},
	projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }]
});
