// Shared set-up for the admin UI browser tests: build the UI, launch Debian's Chromium, open pages
// that record console errors, take screenshots, and wait for conditions (never fixed sleeps).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-output', 'screenshots');
const DOCS_SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `false` when the browser tests can run; otherwise why they are skipped. */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH) || process.env.HERALD_REQUIRE_BROWSER === '1') return false;
  return `Chromium not found at ${CHROMIUM_PATH}, so the UI tests are skipped (apt-get install -y chromium; HERALD_REQUIRE_BROWSER=1 makes this a failure)`;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`HERALD_REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

// ---------------------------------------------------------------- UI build

const UI_DIR = path.join(REPO_ROOT, 'ui');
const BUILT_INDEX = path.join(UI_DIR, 'dist', 'index.html');
const BUILD_LOCK = path.join(REPO_ROOT, 'test-output', 'ui-build.lock');

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function isBuildFresh(): boolean {
  return existsSync(BUILT_INDEX) && statSync(BUILT_INDEX).mtimeMs >= newestSourceMs(UI_DIR);
}

/**
 * Build ui/dist with `npm run build:ui` unless it is newer than every UI source. Test files run in
 * parallel processes, so one build at a time: a lock directory (mkdir is atomic) guards it.
 */
export async function ensureUiBuilt(): Promise<void> {
  mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  const giveUpAt = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // A lock older than the longest build belongs to a crashed run.
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > 120_000) rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > giveUpAt) throw new Error(`Timed out waiting for the UI build lock ${BUILD_LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (!isBuildFresh()) execFileSync('npm', ['run', 'build:ui'], { cwd: REPO_ROOT, stdio: 'pipe' });
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- pages

export interface UiSession {
  context: BrowserContext;
  page: Page;
  /** console.error messages and uncaught page errors, in order. */
  consoleErrors: string[];
}

export async function openSession(browser: Browser, baseUrl: string): Promise<UiSession> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  return { context, page, consoleErrors };
}

/**
 * Chromium logs every non-2xx fetch as "Failed to load resource: ... status of 409": a test that provokes
 * such an answer on purpose passes its status codes here; anything else is a failure.
 */
export function unexpectedConsoleErrors(errors: string[], expectedStatuses: number[] = []): string[] {
  return errors.filter(
    (text) => !expectedStatuses.some((status) => text.includes(`the server responded with a status of ${status}`)),
  );
}

export async function signIn(page: Page, apiKey: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: 'Webhooks', selected: true }).waitFor();
}

/** Choose an option of an antd Select by its visible text (antd's role=option list is only for screen readers). */
export async function pickOption(page: Page, selectLabel: string, optionText: string): Promise<void> {
  await page.getByRole('combobox', { name: selectLabel }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: new RegExp(`^${optionText}$`) }).click();
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
}

/** Screenshot into test-output/screenshots; with HERALD_UPDATE_DOCS_SCREENSHOTS=1 also into docs/screenshots. */
export async function screenshot(page: Page, name: string, options: { forDocs?: boolean; fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Let antd's enter/leave motions end (a drawer caught mid-slide makes a poor picture). Click ripples
  // (.ant-wave) do not matter, and a picture is an artifact, not an assertion: after 5 s take it anyway.
  await page
    .waitForFunction(
      () => !document.querySelector(':is([class*="-appear-active"], [class*="-enter-active"], [class*="-leave-active"]):not(.ant-wave)'),
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => undefined);
  await page.screenshot({ path: file, animations: 'disabled', fullPage: options.fullPage ?? false });
  if (options.forDocs && process.env.HERALD_UPDATE_DOCS_SCREENSHOTS === '1') {
    mkdirSync(DOCS_SCREENSHOT_DIR, { recursive: true });
    copyFileSync(file, path.join(DOCS_SCREENSHOT_DIR, `${name}.png`));
  }
  return file;
}

/** Poll `check` until it returns a value other than undefined/false, or fail with `what`. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > giveUpAt) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
