// API.md §9 in the admin UI: health in the webhook list (failing since, failures in a row, the
// Auto-disabled badge) while the spec's Status column stays as defined; Recover from a row; Cancel
// in the delivery drawer; Cancelled in the Audit Logs filter and tags.
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

function row(page: Page, name: string) {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
}

async function cellText(page: Page, name: string, column: string): Promise<string> {
  const headers = (await page.getByRole('columnheader').allInnerTexts()).map((text) => text.trim());
  const index = headers.indexOf(column);
  assert.ok(index >= 0, `no column ${column} in ${headers.join(' | ')}`);
  return (await row(page, name).getByRole('cell').nth(index).innerText()).trim();
}

describe('admin UI: health, Recover and Cancel', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let receiver: Receiver;
  let browser: Browser;
  let isDown = true;
  let flaky: any;
  let wobbly: any;

  before(async () => {
    await ensureUiBuilt();
    [herald, receiver, browser] = await Promise.all([startHerald(), startReceiver(), launchBrowser()]);
    receiver.respondWith((request) => (isDown && request.json?.user_id === FAILING_USER ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }));
    flaky = await createWebhook(herald, { name: 'Flaky CRM', url: `${receiver.url}/flaky`, event_types: ['badge.awarded'], auto_disable: { after_failures: 2, after_hours: 0 } });
    wobbly = await createWebhook(herald, { name: 'Wobbly CRM', url: `${receiver.url}/wobbly`, event_types: ['reward.awarded'] });
    await sendEvent(herald, 'badge.awarded', FAILING_USER);
    await sendEvent(herald, 'badge.awarded', FAILING_USER);
    await sendEvent(herald, 'reward.awarded', FAILING_USER);
    await waitForFinalDeliveries(herald, flaky.id, 2);
    await waitForFinalDeliveries(herald, wobbly.id, 1);
    await waitUntil('the auto-disable', async () => (await herald.api('GET', `/v1/webhooks/${flaky.id}`)).body.enabled === false);
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await herald?.stop();
    console.log(`UI screenshots: ${SCREENSHOT_DIR}`);
  });

  it('shows failures in a row, failing since and the Auto-disabled badge; Status stays as the spec says', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await row(page, 'Flaky CRM').waitFor();
    assert.equal(await cellText(page, 'Flaky CRM', 'Status'), 'Inactive');
    assert.equal(await cellText(page, 'Wobbly CRM', 'Status'), 'Failed');
    assert.match(await cellText(page, 'Flaky CRM', 'Last Failure'), /2 failed in a row\s+since \d{2}-\d{2} \d{2}:\d{2}/);
    assert.match(await cellText(page, 'Wobbly CRM', 'Last Failure'), /1 failed in a row/);
    const badge = row(page, 'Flaky CRM').getByText('Auto-disabled', { exact: true });
    await badge.waitFor();
    assert.match((await badge.getAttribute('aria-label')) ?? '', /2 deliveries in a row failed/);
    assert.equal(await row(page, 'Wobbly CRM').getByText('Auto-disabled').count(), 0);
    await screenshot(page, 'webhooks-list-health', { forDocs: true });

    // Enabling resets health: the badge and the failure count go.
    await row(page, 'Flaky CRM').getByRole('switch', { name: 'Enable Flaky CRM' }).click();
    await badge.waitFor({ state: 'detached' });
    await waitUntil('health to reset in the row', async () => !/failed in a row/.test(await cellText(page, 'Flaky CRM', 'Last Failure')));
    assert.deepEqual((await herald.api('GET', `/v1/webhooks/${flaky.id}`)).body.health, { consecutive_failures: 0, failing_since: null, disabled_reason: null });
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Recover re-sends the failed deliveries of a window, from the row', async () => {
    isDown = false;
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await row(page, 'Wobbly CRM').getByRole('button', { name: 'Recover Wobbly CRM' }).click();
    const dialog = page.getByRole('dialog', { name: 'Recover Wobbly CRM' });
    await dialog.getByLabel('Start time').fill(localMinute(Date.now() - 10 * 60_000));
    await dialog.getByRole('checkbox').check();
    await screenshot(page, 'webhooks-recover');
    await dialog.getByRole('button', { name: 'Recover', exact: true }).click();
    await dialog.getByText('1 deliveries queued.').waitFor();
    const [delivery] = await waitForFinalDeliveries(herald, wobbly.id, 1);
    assert.equal(delivery.status, 'success');
    assert.equal(delivery.attempts, 2);

    // A start after the end is refused in the form; the API is not called. In a fresh dialog: the
    // list's refresh after a recover can remount the row and close the first one (README: not yet).
    if (await dialog.isVisible()) await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await row(page, 'Wobbly CRM').getByRole('button', { name: 'Recover Wobbly CRM' }).click();
    await dialog.getByLabel('Start time').fill(localMinute(Date.now() - 10 * 60_000));
    await dialog.getByLabel('End time (optional, default now)').fill(localMinute(Date.now() - 60 * 60_000));
    assert.equal(await dialog.getByRole('button', { name: 'Recover', exact: true }).isDisabled(), true);
    await dialog.getByText('The end must not be before the start.').waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Cancel in the drawer ends a pending delivery (with a confirm); Audit Logs filter and tag show Cancelled', async () => {
    isDown = true;
    const slow = await createWebhook(herald, { name: 'Slow retries', url: `${receiver.url}/slow`, event_types: ['user.created'], retry: { attempts: 5, delay_seconds: 3600, timeout_seconds: 5 } });
    const eventId = await sendEvent(herald, 'user.created', FAILING_USER);
    const pending = await waitUntil('the first try to fail', async () => {
      const [d] = (await herald.api('GET', `/v1/deliveries?event_id=${eventId}`)).body.data;
      return d && d.attempts === 1 && d.status === 'pending' && d;
    });

    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto(`/audit-logs?delivery=${pending.id}`);
    const drawer = page.getByRole('dialog');
    await drawer.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    // The confirm must be gone before it is opened again (a click during its closing animation
    // could land on the fading one).
    await page.getByRole('button', { name: 'Keep it' }).waitFor({ state: 'hidden' });
    assert.equal((await herald.api('GET', `/v1/deliveries/${pending.id}`)).body.status, 'pending', 'Keep it changes nothing');
    await drawer.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel delivery' }).click();
    await waitUntil('the delivery to be cancelled', async () => (await herald.api('GET', `/v1/deliveries/${pending.id}`)).body.status === 'cancelled');
    await drawer.locator('.ant-descriptions').getByText('Cancelled', { exact: true }).waitFor();
    await drawer.getByRole('button', { name: 'Cancel', exact: true }).waitFor({ state: 'detached' });
    assert.equal((await herald.api('GET', `/v1/deliveries/${pending.id}`)).body.status, 'cancelled');
    await screenshot(page, 'audit-logs-drawer-cancelled');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    await pickOption(page, 'Status', 'Cancelled');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'cancelled');
    const cancelledRow = page.getByRole('row').filter({ hasText: eventId });
    await cancelledRow.getByText('Cancelled', { exact: true }).waitFor();
    assert.equal(await page.getByRole('row').filter({ hasText: 'Slow retries' }).count(), 1);
    const stats = (await herald.api('GET', `/v1/webhooks/${slow.id}`)).body.stats;
    assert.deepEqual([stats.total, stats.failed], [0, 0]);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });
});

/** The value a datetime-local input takes, in the browser's (and this process's) local time. */
function localMinute(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
