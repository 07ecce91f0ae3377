// The Webhooks list and the Audit Logs are a live view: a delivery that fails turns its webhook Failed
// and appears in the Audit Logs without any click; polling pauses while the browser tab is hidden.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, sendEvent, waitForFinalDeliveries } from './fixtures.ts';
import { browserSkipReason, ensureUiBuilt, launchBrowser, openSession, SCREENSHOT_DIR, signIn, unexpectedConsoleErrors } from './harness.ts';

function webhookRow(page: Page, name: string) {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
}

function statusCell(page: Page, name: string, status: string) {
  return webhookRow(page, name).getByRole('cell', { name: status, exact: true });
}

const isWebhookListFetch = (request: Request) => request.method() === 'GET' && new URL(request.url()).pathname === '/v1/webhooks';

/** What a browser reports when the user switches to another tab (headless Chromium is always "visible"). */
async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  // A script string, not a function: tsx would wrap the arrow functions in a helper the page lacks.
  await page.evaluate(`{
    const state = ${JSON.stringify(state)};
    Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return state; } });
    Object.defineProperty(document, 'hidden', { configurable: true, get() { return state === 'hidden'; } });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }`);
}

describe('admin UI: live monitoring', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let receiver: Receiver;
  let browser: Browser;

  before(async () => {
    await ensureUiBuilt();
    [herald, receiver, browser] = await Promise.all([startHerald(), startReceiver(), launchBrowser()]);
    receiver.respondWith(() => ({ status: 500, body: '{"error":"receiver down"}' }));
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await herald?.stop();
    console.log(`UI screenshots: ${SCREENSHOT_DIR}`);
  });

  it('a webhook turns Failed on the open Webhooks tab without any click', async () => {
    const webhook = await createWebhook(herald, { name: 'Live hook', url: `${receiver.url}/live`, event_types: ['reward.awarded'] });
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await statusCell(page, 'Live hook', 'Active').waitFor();

    await sendEvent(herald, 'reward.awarded', 'member@example.com');
    await waitForFinalDeliveries(herald, webhook.id, 1);
    await statusCell(page, 'Live hook', 'Failed').waitFor();
    assert.equal(await webhookRow(page, 'Live hook').getByRole('cell', { name: '0.0%', exact: true }).count(), 1);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('going back to the Webhooks tab shows the status reached meanwhile', async () => {
    const webhook = await createWebhook(herald, { name: 'Tab hook', url: `${receiver.url}/tab`, event_types: ['badge.awarded'] });
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await statusCell(page, 'Tab hook', 'Active').waitFor();
    await page.getByRole('tab', { name: 'Audit Logs' }).click();
    await page.getByRole('tab', { name: 'Audit Logs', selected: true }).waitFor();

    const eventId = await sendEvent(herald, 'badge.awarded', 'member@example.com');
    await waitForFinalDeliveries(herald, webhook.id, 1);
    // The Audit Logs tab shows the new delivery by itself, failed.
    await page.getByRole('row').filter({ hasText: eventId }).getByText('Failed', { exact: true }).waitFor();

    const refetched = page.waitForRequest(isWebhookListFetch);
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await refetched;
    await statusCell(page, 'Tab hook', 'Failed').waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('a new delivery appears on the open Audit Logs tab, failed, without Search', async () => {
    const webhook = await createWebhook(herald, { name: 'Audit hook', url: `${receiver.url}/audit`, event_types: ['user.created'] });
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto(`/audit-logs?webhook_id=${webhook.id}`);
    await page.getByText('No deliveries match these filters').waitFor();

    const eventId = await sendEvent(herald, 'user.created', 'member@example.com');
    const row = page.getByRole('row').filter({ hasText: eventId });
    await row.waitFor();
    await row.getByText('Failed', { exact: true }).waitFor();
    assert.match(await row.innerText(), /500/);
    await waitForFinalDeliveries(herald, webhook.id, 1);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('polls only while the page is visible, and refreshes at once when it is shown again', async () => {
    const webhook = await createWebhook(herald, { name: 'Hidden hook', url: `${receiver.url}/hidden`, event_types: ['journey.completed'] });
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await statusCell(page, 'Hidden hook', 'Active').waitFor();
    // Two polls in a row while visible: polling is on, and this is its interval.
    await page.waitForRequest(isWebhookListFetch);
    const firstPollAt = Date.now();
    await page.waitForRequest(isWebhookListFetch);
    const intervalMs = Date.now() - firstPollAt;

    await setVisibility(page, 'hidden');
    const fetchesWhileHidden: string[] = [];
    page.on('request', (request) => {
      if (isWebhookListFetch(request)) fetchesWhileHidden.push(request.url());
    });
    await sendEvent(herald, 'journey.completed', 'member@example.com');
    await waitForFinalDeliveries(herald, webhook.id, 1);
    // Polling would have fetched at least twice in this window; a hidden page fetches nothing.
    await assert.rejects(page.waitForRequest(isWebhookListFetch, { timeout: 2 * intervalMs + 1_000 }), /Timeout/);
    assert.deepEqual(fetchesWhileHidden, []);
    assert.equal(await statusCell(page, 'Hidden hook', 'Active').count(), 1, 'no refresh while hidden');

    const refreshed = page.waitForRequest(isWebhookListFetch, { timeout: intervalMs / 2 });
    await setVisibility(page, 'visible');
    await refreshed;
    await statusCell(page, 'Hidden hook', 'Failed').waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });
});
