// The Webhooks tab: columns for a webhook with real deliveries, the Enable toggle, filters and the back
// button, and the row actions (Test, Logs, Delete).
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
  screenshot,
  SCREENSHOT_DIR,
  signIn,
  unexpectedConsoleErrors,
  waitUntil,
} from './harness.ts';

const COLUMNS = ['Name', 'URL', 'Method', 'Status', 'Success Rate', 'Last Success', 'Last Failure', 'Create Date', 'Enable', 'Actions'];

function row(page: Page, name: string) {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
}

/** The text of the cell under a column header, for one row. */
async function cellText(page: Page, name: string, column: string): Promise<string> {
  const headers = await page.getByRole('columnheader').allInnerTexts();
  const index = headers.map((text) => text.trim()).indexOf(column);
  assert.ok(index >= 0, `no column ${column} in ${headers.join(' | ')}`);
  return (await row(page, name).getByRole('cell').nth(index).innerText()).trim();
}

describe('admin UI: Webhooks list', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let receiver: Receiver;
  let browser: Browser;
  let webhook: any;

  before(async () => {
    await ensureUiBuilt();
    [herald, receiver, browser] = await Promise.all([startHerald(), startReceiver(), launchBrowser()]);
    receiver.respondWith((request) =>
      request.json?.user_id === FAILING_USER ? { status: 500, body: '{"error":"receiver down"}' } : { status: 200, body: 'ok' },
    );
    webhook = await createWebhook(herald, { name: 'CRM sync', url: `${receiver.url}/crm` });
    // Two successes, then one failure: the most recent try failed, so the status is Failed; 2 of 3 = 66.7%.
    await sendEvent(herald, 'reward.awarded', 'ok-1@example.com');
    await sendEvent(herald, 'reward.awarded', 'ok-2@example.com');
    await waitForFinalDeliveries(herald, webhook.id, 2);
    await sendEvent(herald, 'reward.awarded', FAILING_USER);
    await waitForFinalDeliveries(herald, webhook.id, 3);
    webhook = (await herald.api('GET', `/v1/webhooks/${webhook.id}`)).body;
    assert.equal(webhook.stats.total, 3);
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await herald?.stop();
    console.log(`UI screenshots: ${SCREENSHOT_DIR}`);
  });

  it('shows every column for a webhook that has deliveries', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await row(page, 'CRM sync').waitFor();

    const headers = (await page.getByRole('columnheader').allInnerTexts()).map((text) => text.trim());
    assert.deepEqual(headers, COLUMNS);
    assert.equal(await cellText(page, 'CRM sync', 'URL'), `${receiver.url}/crm`);
    assert.equal(await cellText(page, 'CRM sync', 'Method'), 'POST');
    assert.equal(await cellText(page, 'CRM sync', 'Status'), 'Failed');
    assert.equal(await cellText(page, 'CRM sync', 'Success Rate'), '66.7%');
    assert.match(await cellText(page, 'CRM sync', 'Last Success'), /^\d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}$/);
    // Local time on the page, the UTC ISO value on hover.
    const times = row(page, 'CRM sync').locator('time');
    assert.deepEqual(await times.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime'))), [
      new Date(webhook.stats.last_success_at).toISOString(),
      new Date(webhook.stats.last_failure_at).toISOString(),
      new Date(webhook.created_at).toISOString(),
    ]);
    assert.equal(await times.first().getAttribute('title'), `${new Date(webhook.stats.last_success_at).toISOString()} (UTC)`);
    const toggle = row(page, 'CRM sync').getByRole('switch');
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    for (const action of ['Edit', 'Test', 'Logs', 'Delete']) await row(page, 'CRM sync').getByRole('button', { name: action }).waitFor();
    await screenshot(page, 'webhooks-list', { forDocs: true });
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('flips the Enable toggle; the API and the Status column follow', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    const toggle = row(page, 'CRM sync').getByRole('switch', { name: 'Enable CRM sync' });
    await toggle.click();
    await row(page, 'CRM sync').getByRole('cell', { name: 'Inactive', exact: true }).waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');
    const disabled = await herald.api('GET', `/v1/webhooks/${webhook.id}`);
    assert.equal(disabled.body.enabled, false);
    assert.equal(disabled.body.status, 'inactive');
    await screenshot(page, 'webhooks-list-disabled');

    await toggle.click();
    await row(page, 'CRM sync').getByRole('cell', { name: 'Failed', exact: true }).waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    assert.equal((await herald.api('GET', `/v1/webhooks/${webhook.id}`)).body.enabled, true);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('filters by name on Search, keeps filters in the URL, and Back undoes them', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await row(page, 'CRM sync').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('no such webhook');
    // Typing alone does not filter: Search applies.
    assert.equal(await row(page, 'CRM sync').count(), 1);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No webhooks match these filters').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('name'), 'no such webhook');

    await page.goBack();
    await row(page, 'CRM sync').waitFor();
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), '');

    await page.getByLabel('Name', { exact: true }).fill('crm');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    await page.waitForURL(/name=crm/);
    await row(page, 'CRM sync').waitFor();

    // Dates are local calendar days: created today, so a Start Date of tomorrow finds nothing, today finds it.
    const day = (offsetDays: number) => {
      const date = new Date();
      date.setDate(date.getDate() + offsetDays);
      return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    };
    const startDate = page.getByLabel('Start Date');
    await startDate.click();
    await startDate.fill(day(1));
    await startDate.press('Enter');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('start_date') === day(1));
    await page.getByText('No webhooks match these filters').waitFor();
    await page.getByLabel('End Date').click();
    await page.getByLabel('End Date').fill(day(0));
    await page.getByLabel('End Date').press('Enter');
    // Enter submits the filters; an End Date before the Start Date is not taken (see page-states.test.ts).
    assert.equal(await page.getByLabel('End Date').inputValue(), '');
    assert.equal(new URL(page.url()).searchParams.get('end_date'), null);
    await startDate.click();
    await startDate.fill(day(0));
    await startDate.press('Enter');
    await page.getByLabel('End Date').click();
    await page.getByLabel('End Date').fill(day(0));
    await page.getByLabel('End Date').press('Enter');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('start_date') === day(0) && url.searchParams.get('end_date') === day(0));
    await row(page, 'CRM sync').waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Test sends an example event and shows the result', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    const before = receiver.requests.length;
    await row(page, 'CRM sync').getByRole('button', { name: 'Test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Test CRM sync' });
    await dialog.getByRole('button', { name: 'Send test event' }).click();
    await dialog.getByText('Verified', { exact: true }).waitFor();
    await dialog.getByText('The endpoint answered HTTP 200').waitFor();
    assert.equal(receiver.requests.length, before + 1);
    assert.equal(receiver.requests.at(-1)?.json?.event_type, 'reward.awarded');
    await screenshot(page, 'webhooks-test-result');
    await dialog.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Logs opens the Audit Logs filtered to the webhook', async () => {
    const other = await createWebhook(herald, { name: 'Other hook', url: `${receiver.url}/other`, event_types: ['badge.awarded'] });
    await sendEvent(herald, 'badge.awarded', 'badge@example.com');
    await waitForFinalDeliveries(herald, other.id, 1);

    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await row(page, 'CRM sync').getByRole('button', { name: 'Logs' }).click();
    await page.waitForURL((url) => url.pathname === '/audit-logs' && url.searchParams.get('webhook_id') === webhook.id);
    await page.getByRole('tab', { name: 'Audit Logs', selected: true }).waitFor();
    const rows = page.getByRole('row').filter({ hasText: 'reward.awarded' });
    await waitUntil('3 CRM sync rows', async () => (await rows.count()) === 3);
    assert.equal(await page.getByRole('row').filter({ hasText: 'Other hook' }).count(), 0);
    await page.getByRole('combobox', { name: 'Select Webhook' }).waitFor();
    assert.match(await page.locator('.filters').innerText(), /CRM sync/);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Delete asks for confirmation, then removes the webhook', async () => {
    await createWebhook(herald, { name: 'Short-lived', url: `${receiver.url}/gone` });
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await row(page, 'Short-lived').getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('tooltip').filter({ hasText: 'Delete Short-lived?' });
    await confirm.waitFor();
    // Nothing happens before the confirmation.
    assert.equal((await herald.api('GET', '/v1/webhooks?name=Short-lived')).body.data.length, 1);
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row(page, 'Short-lived').waitFor({ state: 'detached' });
    assert.equal((await herald.api('GET', '/v1/webhooks?name=Short-lived')).body.data.length, 0);
    await row(page, 'CRM sync').waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });
});
