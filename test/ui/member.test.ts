// API.md §10 in the admin UI: Ordering and Supersede in the wizard's step 3; in the Audit Logs the
// Member filter, the Superseded status, the member field in the drawer and the member timeline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, sendEvent } from './fixtures.ts';
import { browserSkipReason, ensureUiBuilt, launchBrowser, openSession, screenshot, signIn, unexpectedConsoleErrors, waitUntil } from './harness.ts';

const MEMBER = 'timeline@example.com';

async function currentStep(page: Page): Promise<string> {
  return (await page.locator('.ant-steps-item-process .ant-steps-item-title').innerText()).trim();
}

describe('admin UI: member-aware delivery', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let receiver: Receiver;
  let browser: Browser;

  before(async () => {
    await ensureUiBuilt();
    [herald, receiver, browser] = await Promise.all([startHerald(), startReceiver(), launchBrowser()]);
    receiver.respondWith((request) => (request.json?.user_id === MEMBER ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await herald?.stop();
  });

  it('the wizard sets Ordering per member and Supersede from the selected types, each with its help', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto('/webhooks/new');
    await page.getByLabel('Name', { exact: true }).fill('Ordered CRM');
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/ordered`);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('checkbox', { name: /reward\.awarded/ }).check();
    await page.getByRole('checkbox', { name: /point_balance\.user_updated/ }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    assert.equal(await currentStep(page), 'Securities & Retries');
    assert.ok(await page.getByRole('radio', { name: 'None' }).isChecked(), 'ordering defaults to None');
    await page.getByText(/one delivery per user_id at a time/).waitFor();
    await page.getByText(/gets the latest value, not a replay/).waitFor();
    await page.locator('label').filter({ has: page.getByRole('radio', { name: 'Per member' }) }).click();
    // Supersede offers exactly the types picked in step 2.
    await page.getByRole('combobox', { name: 'Supersede' }).click();
    const offered = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
    await offered.first().waitFor();
    // The list renders while the dropdown opens: read it once it has settled (two options, or the
    // wrong ones after the timeout, which fails below).
    const texts = await waitUntil('the Supersede options', async () => {
      const shown = (await offered.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
      return shown.length >= 2 && shown;
    }, 10_000).catch(async () => (await offered.allInnerTexts()).map((t) => t.trim()));
    assert.deepEqual([...texts].sort(), ['point_balance.user_updated', 'reward.awarded']);
    await offered.filter({ hasText: /^point_balance\.user_updated$/ }).click();
    await page.keyboard.press('Escape');
    await screenshot(page, 'wizard-ordering-supersede');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/webhooks$/);
    const found = await herald.api('GET', '/v1/webhooks?name=Ordered%20CRM');
    assert.equal(found.body.data.length, 1);
    assert.equal(found.body.data[0].ordering, 'member');
    assert.deepEqual(found.body.data[0].supersede, ['point_balance.user_updated']);
    // Edit is prefilled with both.
    await page.goto(`/webhooks/${found.body.data[0].id}/edit`);
    await page.getByLabel('Name', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    assert.ok(await page.getByRole('radio', { name: 'Per member' }).isChecked());
    assert.match(await page.locator('.ant-form-item').filter({ hasText: 'Supersede' }).innerText(), /point_balance\.user_updated/);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('filters the Audit Logs by member, shows Superseded, and opens the member timeline from a row', async () => {
    const webhook = await createWebhook(herald, {
      name: 'Balances',
      url: `${receiver.url}/balances`,
      event_types: ['point_balance.user_updated', 'reward.awarded'],
      supersede: ['point_balance.user_updated'],
      retry: { attempts: 3, delay_seconds: 600, timeout_seconds: 5 },
    });
    const older = await sendEvent(herald, 'point_balance.user_updated', MEMBER);
    await waitUntil('the first balance tried', async () => (await herald.api('GET', `/v1/events/${older}`)).body.deliveries[0]?.attempts >= 1);
    const newer = await sendEvent(herald, 'point_balance.user_updated', MEMBER);
    const other = await sendEvent(herald, 'reward.awarded', 'someone@example.com');
    await waitUntil('the older balance superseded', async () => (await herald.api('GET', `/v1/events/${older}`)).body.deliveries[0]?.status === 'superseded');

    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto(`/audit-logs?webhook_id=${webhook.id}`);
    await page.getByRole('row').filter({ hasText: other }).waitFor();
    await page.getByLabel('Member').fill(MEMBER);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('user_id') === MEMBER);
    await page.getByRole('row').filter({ hasText: other }).waitFor({ state: 'detached' });
    const olderRow = page.getByRole('row').filter({ hasText: older });
    await olderRow.getByText('Superseded', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Details of event ${newer}` }).waitFor();

    await olderRow.getByRole('button', { name: `Details of event ${older}` }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText(MEMBER, { exact: true }).waitFor();
    await drawer.getByRole('button', { name: 'Member timeline' }).click();
    await page.waitForURL((url) => url.searchParams.get('member') === MEMBER);
    const timeline = page.getByRole('dialog').filter({ hasText: `Member ${MEMBER}` });
    await timeline.locator(`[data-event-id="${newer}"]`).waitFor();
    const text = await timeline.innerText();
    assert.ok(text.indexOf(newer) < text.indexOf(older), 'newest first');
    assert.match(await timeline.locator(`[data-event-id="${older}"]`).innerText(), /Balances\s+Superseded/);
    assert.equal(await timeline.locator(`[data-event-id="${other}"]`).count(), 0, 'only this member');
    await screenshot(page, 'member-timeline');
    // A delivery in the timeline opens its drawer.
    await timeline.getByRole('button', { name: `Delivery to Balances of event ${newer}` }).click();
    await page.getByRole('dialog').filter({ hasText: 'Attempts' }).waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });
});
