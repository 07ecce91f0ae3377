// Loading, refusal and date-range states of the two lists: the spinner alone while loading (no "nothing
// here yet" under it), the API's own reason when it refuses a request, and date pickers that do not offer
// an End Date before the Start Date.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, Route } from 'playwright-core';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { browserSkipReason, ensureUiBuilt, launchBrowser, openSession, screenshot, SCREENSHOT_DIR, signIn, unexpectedConsoleErrors } from './harness.ts';

/** Holds the browser's requests to `pathname` (they reach the real server only when released). */
async function holdRequests(page: Page, pathname: string): Promise<{ held: Promise<void>; release: () => Promise<void> }> {
  const routes: Route[] = [];
  let isReleased = false;
  let markHeld!: () => void;
  const held = new Promise<void>((resolve) => (markHeld = resolve));
  await page.route(
    (url) => url.pathname === pathname,
    async (route) => {
      if (isReleased) return route.continue();
      routes.push(route);
      markHeld();
    },
  );
  return {
    held,
    release: async () => {
      isReleased = true;
      await Promise.all(routes.splice(0).map((route) => route.continue()));
    },
  };
}

function day(offsetDays: number): string {
  const date = new Date();
  date.setDate(date.getDate() + offsetDays);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

describe('admin UI: loading, refusals and date ranges', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let browser: Browser;

  before(async () => {
    await ensureUiBuilt();
    [herald, browser] = await Promise.all([startHerald(), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await herald?.stop();
    console.log(`UI screenshots: ${SCREENSHOT_DIR}`);
  });

  for (const list of [
    { tab: 'Webhooks', path: '/webhooks', api: '/v1/webhooks', empty: 'No webhooks yet' },
    { tab: 'Audit Logs', path: '/audit-logs', api: '/v1/deliveries', empty: 'No deliveries yet' },
  ]) {
    it(`${list.tab}: while the first page loads, only the spinner shows`, async () => {
      const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
      await signIn(page, herald.apiKey);
      const gate = await holdRequests(page, list.api);
      await page.goto(list.path);
      await gate.held;
      const table = page.locator('.ant-table-wrapper');
      try {
        await table.locator('.ant-spin-spinning').waitFor();
        await screenshot(page, `${list.path.slice(1)}-loading`);
        assert.equal(await page.getByText(list.empty).count(), 0, `"${list.empty}" under the spinner`);
        assert.equal(await table.getByText('No data').count(), 0);
      } finally {
        await gate.release();
      }
      // Nothing created on this server yet: the real empty state follows.
      await page.getByText(list.empty).waitFor();
      assert.equal(await table.locator('.ant-spin-spinning').count(), 0);
      assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
      await context.close();
    });

    it(`${list.tab}: a request the API refuses shows the API's own reason`, async () => {
      const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
      await signIn(page, herald.apiKey);
      // A hand-edited or old link: End Date before Start Date reaches the API, which refuses it.
      await page.goto(`${list.path}?start_date=${day(0)}&end_date=${day(-3)}`);
      const alert = page.getByRole('alert').filter({ hasText: 'Could not load' });
      await alert.waitFor();
      const text = await alert.innerText();
      assert.match(text, /end_date must not be before start_date/, 'the reason from the API details');
      assert.match(text, /Invalid request: check end_date/, "the API's message");
      assert.doesNotMatch(text, /server log/, 'a refusal is not a server problem');
      await screenshot(page, `${list.path.slice(1)}-refused`);
      await alert.getByRole('button', { name: 'Clear filters' }).click();
      await page.waitForURL((url) => url.pathname === list.path && url.search === '');
      await page.getByText(list.empty).waitFor();
      assert.deepEqual(unexpectedConsoleErrors(consoleErrors, [400]), []);
      await context.close();
    });
  }

  it('the date pickers do not offer an End Date before the Start Date, nor a Start Date after the End Date', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    const startDate = page.getByLabel('Start Date');
    const endDate = page.getByLabel('End Date');
    await startDate.click();
    await startDate.fill(day(0));
    await startDate.press('Enter');

    await endDate.click();
    const calendar = page.locator('.ant-picker-dropdown:visible');
    await calendar.waitFor();
    const cell = (date: string) => calendar.locator(`td[title="${date}"]`);
    // Today's month is open; yesterday may sit in the previous month's tail, shown on the same page or not.
    assert.match(String(await cell(day(0)).getAttribute('class')), /ant-picker-cell-in-view/);
    assert.doesNotMatch(String(await cell(day(0)).getAttribute('class')), /disabled/, 'the Start Date itself can end the range');
    if (await cell(day(-1)).count()) assert.match(String(await cell(day(-1)).getAttribute('class')), /ant-picker-cell-disabled/);
    assert.doesNotMatch(String(await cell(day(1)).first().getAttribute('class')), /disabled/);
    await screenshot(page, 'webhooks-end-date-picker');
    // Typed by hand, an earlier day is not taken either (Enter submits the filters without it).
    await endDate.fill(day(-1));
    await endDate.press('Enter');
    assert.equal(await endDate.inputValue(), '');
    await page.waitForURL((url) => url.searchParams.get('start_date') === day(0));
    assert.equal(new URL(page.url()).searchParams.get('end_date'), null);

    await endDate.click();
    await endDate.fill(day(2));
    await endDate.press('Enter');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('start_date') === day(0) && url.searchParams.get('end_date') === day(2));
    await startDate.click();
    await calendar.waitFor();
    if (await cell(day(3)).count()) assert.match(String(await cell(day(3)).first().getAttribute('class')), /ant-picker-cell-disabled/);
    assert.doesNotMatch(String(await cell(day(2)).first().getAttribute('class')), /disabled/);
    await startDate.press('Escape');
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });
});
