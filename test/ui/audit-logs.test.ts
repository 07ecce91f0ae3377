// The Audit Logs tab: a success and a failure with status code and error, filters, the detail drawer
// (envelope and every attempt) and Resend, which adds a new attempt.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, FAILING_USER, sendEvent, waitForFinalDeliveries } from './fixtures.ts';
import {
  browserSkipReason,
  ensureUiBuilt,
  launchBrowser,
  openSession,
  pickOption,
  screenshot,
  SCREENSHOT_DIR,
  signIn,
  unexpectedConsoleErrors,
  waitUntil,
} from './harness.ts';

const COLUMNS = ['Webhook Name', 'Event ID', 'Event Type', 'Status', 'Status Code', 'Error', 'Attempts', 'Delivered At', 'Created At'];

function rowOf(page: Page, eventId: string) {
  return page.getByRole('row').filter({ hasText: eventId });
}

async function cells(page: Page, eventId: string): Promise<Record<string, string>> {
  const headers = (await page.getByRole('columnheader').allInnerTexts()).map((text) => text.trim());
  const values = (await rowOf(page, eventId).getByRole('cell').allInnerTexts()).map((text) => text.trim());
  return Object.fromEntries(headers.map((header, index) => [header, values[index]]));
}

describe('admin UI: Audit Logs', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let receiver: Receiver;
  let browser: Browser;
  let webhook: any;
  let okEvent = '';
  let failedEvent = '';
  let isReceiverDown = true;

  before(async () => {
    await ensureUiBuilt();
    [herald, receiver, browser] = await Promise.all([startHerald(), startReceiver(), launchBrowser()]);
    receiver.respondWith((request) =>
      isReceiverDown && request.json?.user_id === FAILING_USER
        ? { status: 500, body: '{"error":"inventory service down"}' }
        : { status: 200, body: '{"received":true}' },
    );
    webhook = await createWebhook(herald, { name: 'Rewards to CRM', url: `${receiver.url}/rewards` });
    okEvent = await sendEvent(herald, 'reward.awarded', 'member@example.com');
    failedEvent = await sendEvent(herald, 'reward.awarded', FAILING_USER);
    await waitForFinalDeliveries(herald, webhook.id, 2);
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await herald?.stop();
    console.log(`UI screenshots: ${SCREENSHOT_DIR}`);
  });

  it('lists a success and a failure with status code and error', async () => {
    const deliveries = (await herald.api('GET', `/v1/deliveries?webhook_id=${webhook.id}`)).body.data;
    const failed = deliveries.find((row: any) => row.event_id === failedEvent);
    const succeeded = deliveries.find((row: any) => row.event_id === okEvent);
    assert.equal(failed.status, 'failed');
    assert.equal(succeeded.status, 'success');

    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.getByRole('tab', { name: 'Audit Logs' }).click();
    await rowOf(page, failedEvent).waitFor();
    await rowOf(page, okEvent).waitFor();
    assert.deepEqual((await page.getByRole('columnheader').allInnerTexts()).map((t) => t.trim()), COLUMNS);

    const ok = await cells(page, okEvent);
    assert.equal(ok['Webhook Name'], 'Rewards to CRM');
    assert.equal(ok['Event ID'], okEvent);
    assert.equal(ok['Status'], 'Success');
    assert.equal(ok['Status Code'], '200');
    assert.equal(ok['Error'], '—');
    assert.match(ok['Delivered At'], /^\d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}$/);
    assert.match(ok['Created At'], /^\d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}$/);

    const bad = await cells(page, failedEvent);
    assert.equal(bad['Status'], 'Failed');
    assert.equal(bad['Status Code'], '500');
    assert.ok(failed.error, 'the API gives an error for a failed delivery');
    assert.equal(bad['Error'], failed.error);
    assert.equal(bad['Delivered At'], '—');
    const createdAt = rowOf(page, failedEvent).locator('time');
    assert.equal(await createdAt.getAttribute('title'), `${new Date(failed.created_at).toISOString()} (UTC)`);
    await screenshot(page, 'audit-logs');

    // A click anywhere on the row opens its details.
    await rowOf(page, okEvent).getByRole('cell', { name: 'Rewards to CRM' }).click();
    await page.getByRole('dialog').getByRole('list', { name: 'Attempts' }).waitFor();
    assert.match(await page.getByRole('dialog').getByRole('list', { name: 'Attempts' }).innerText(), /Status Code\s*200/);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('filters by webhook and status on Search, in the URL', async () => {
    const other = await createWebhook(herald, { name: 'Badges only', url: `${receiver.url}/badges`, event_types: ['badge.awarded'] });
    const badgeEvent = await sendEvent(herald, 'badge.awarded', 'member@example.com');
    await waitForFinalDeliveries(herald, other.id, 1);

    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto('/audit-logs');
    await rowOf(page, badgeEvent).waitFor();
    await pickOption(page, 'Select Webhook', 'Rewards to CRM');
    await pickOption(page, 'Status', 'Failed');
    // Nothing applies before Search.
    assert.equal(await rowOf(page, badgeEvent).count(), 1);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('webhook_id') === webhook.id && url.searchParams.get('status') === 'failed');
    await rowOf(page, badgeEvent).waitFor({ state: 'detached' });
    await rowOf(page, failedEvent).waitFor();
    assert.equal(await rowOf(page, okEvent).count(), 0);
    assert.equal(await page.getByRole('row').filter({ hasText: 'reward.awarded' }).count(), 1);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('opens a delivery in a drawer with the envelope and every attempt, and Resend adds an attempt', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto(`/audit-logs?webhook_id=${webhook.id}`);
    // Keyboard only: Tab from the filters to the failed delivery's Event ID (focus visible), Enter opens it.
    const details = rowOf(page, failedEvent).getByRole('button', { name: `Details of event ${failedEvent}` });
    await details.waitFor();
    await page.getByLabel('Event ID').focus();
    for (let presses = 0; presses < 30 && !(await details.evaluate((node) => node === document.activeElement)); presses++) {
      await page.keyboard.press('Tab');
    }
    assert.ok(await details.evaluate((node) => node === document.activeElement), 'Tab reaches the Event ID button');
    assert.notEqual(await details.evaluate((node) => getComputedStyle(node).outlineStyle), 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Envelope', { exact: true }).waitFor();
    assert.ok(new URL(page.url()).searchParams.get('delivery'), 'the open delivery is in the URL');

    const envelope = JSON.parse(await drawer.getByLabel('Envelope', { exact: true }).innerText());
    assert.equal(envelope.event_id, failedEvent);
    assert.equal(envelope.event_type, 'reward.awarded');
    assert.equal(envelope.user_id, FAILING_USER);
    assert.equal(typeof envelope.data, 'object');

    const attempts = drawer.getByRole('list', { name: 'Attempts' }).getByRole('listitem');
    assert.equal(await attempts.count(), 1);
    const first = await attempts.first().innerText();
    assert.match(first, /Attempt 1/);
    assert.match(first, /Status Code\s*500/);
    assert.match(first, /\d+ ms/);
    assert.match(first, /inventory service down/);
    await screenshot(page, 'audit-logs-drawer-failed', { forDocs: true });

    // The receiver recovers; Resend starts a new round and a second attempt appears.
    isReceiverDown = false;
    await drawer.getByRole('button', { name: 'Resend' }).click();
    await attempts.nth(1).waitFor();
    await waitUntil('the second attempt to finish', async () => /Status Code\s*200/.test(await attempts.nth(1).innerText()));
    assert.match(await attempts.nth(1).innerText(), /Attempt 2/);
    await drawer.locator('.ant-descriptions').getByText('Success', { exact: true }).waitFor();
    const detail = await herald.api('GET', `/v1/deliveries/${new URL(page.url()).searchParams.get('delivery')}`);
    assert.equal(detail.body.status, 'success');
    assert.equal(detail.body.attempt_log.length, 2);
    await screenshot(page, 'audit-logs-drawer-resent');

    // Closing the drawer is a history step too; the row now shows the success.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    assert.equal(new URL(page.url()).searchParams.get('delivery'), null);
    await rowOf(page, failedEvent).getByText('Success', { exact: true }).waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });
});
