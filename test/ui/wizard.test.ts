// The Create Webhook wizard end to end: Verify against a real receiver (signature checked), Save, and the
// API shows exactly what was entered; an API validation error appears beside its field; Edit is prefilled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Webhook as SignatureVerifier } from 'standardwebhooks';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import {
  browserSkipReason,
  ensureUiBuilt,
  launchBrowser,
  openSession,
  screenshot,
  SCREENSHOT_DIR,
  signIn,
  unexpectedConsoleErrors,
} from './harness.ts';

const FILTER = { 'data.awarded_reward.reward_id': { $in: ['REW-1', 'REW-2'] } };

function formItem(page: Page, label: string) {
  return page.locator('.ant-form-item').filter({ has: page.getByLabel(label, { exact: true }) });
}

async function currentStep(page: Page): Promise<string> {
  return (await page.locator('.ant-steps-item-process .ant-steps-item-title').innerText()).trim();
}

describe('admin UI: Create Webhook wizard', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let receiver: Receiver;
  let browser: Browser;
  let generatedSecret = '';
  let receiverStatus = 200;

  before(async () => {
    await ensureUiBuilt();
    [herald, receiver, browser] = await Promise.all([startHerald(), startReceiver(), launchBrowser()]);
    receiver.respondWith(() => ({ status: receiverStatus, body: receiverStatus === 200 ? '{"ok":true}' : 'down for maintenance' }));
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await herald?.stop();
    console.log(`UI screenshots: ${SCREENSHOT_DIR}`);
  });

  it('creates a webhook through all three steps; the API shows exactly what was entered', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.getByRole('button', { name: 'Create Webhook' }).first().click();
    await page.waitForURL(/\/webhooks\/new$/);
    assert.deepEqual(
      (await page.locator('.ant-steps-item-title').allInnerTexts()).map((t) => t.trim()),
      ['Endpoint Details', 'Event Subscriptions', 'Securities & Retries'],
    );
    assert.equal(await currentStep(page), 'Endpoint Details');

    // Next validates the step first.
    await page.getByRole('button', { name: 'Next' }).click();
    await formItem(page, 'Name').getByText('Enter a name for this webhook.').waitFor();
    assert.equal(await currentStep(page), 'Endpoint Details');

    // Step 1: Endpoint Details, Signature with a generated secret, Verify.
    await page.getByLabel('Name', { exact: true }).fill('Wizard hook');
    assert.match(await page.locator('.ant-form-item').filter({ hasText: 'Method' }).first().innerText(), /POST/);
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/wizard`);
    await page.getByLabel('Description').fill('Created by the UI test');
    // antd draws radio buttons over a zero-size input: click its label, as a user does.
    await page.locator('label').filter({ has: page.getByRole('radio', { name: 'Signature' }) }).click();
    assert.ok(await page.getByRole('radio', { name: 'Signature' }).isChecked());
    await page.getByRole('button', { name: 'Generate' }).click();
    generatedSecret = await page.getByLabel('Secret', { exact: true }).inputValue();
    assert.match(generatedSecret, /^whsec_[A-Za-z0-9+/]+=*$/);
    // A receiver that fails: the status code is shown, not "Verified".
    receiverStatus = 503;
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Not verified: HTTP 503').waitFor();
    assert.equal(await page.getByText('Verified', { exact: true }).count(), 0);
    receiverStatus = 200;
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Verified', { exact: true }).waitFor();
    // The receiver got signed example events, verifiable with the secret shown in the form.
    assert.equal(receiver.requests.length, 2);
    const tested = receiver.requests[1];
    const headers = Object.fromEntries(Object.entries(tested.headers).map(([k, v]) => [k, String(v)]));
    assert.doesNotThrow(() => new SignatureVerifier(generatedSecret).verify(tested.body, headers));
    await screenshot(page, 'wizard-endpoint-verified', { forDocs: true, fullPage: true });

    // Step 2: Event Subscriptions.
    await page.getByRole('button', { name: 'Next' }).click();
    assert.equal(await currentStep(page), 'Event Subscriptions');
    for (const feed of ['User', 'Badge', 'Reward', 'Journey', 'Point Balance']) {
      await page.getByRole('checkbox', { name: `All ${feed} events` }).waitFor();
    }
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Select at least one event type.').waitFor();
    await page.getByRole('checkbox', { name: 'All Badge events' }).check();
    assert.ok(await page.getByRole('checkbox', { name: /badge\.awarded/ }).isChecked());
    await page.getByRole('checkbox', { name: /reward\.awarded/ }).check();
    await page.getByLabel('Example payload for badge.awarded').waitFor();
    await page.getByLabel('Filter').fill('{"data.awarded_reward": ');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('The filter is not valid JSON.').waitFor();
    assert.equal(await currentStep(page), 'Event Subscriptions');
    await page.getByLabel('Filter').fill(JSON.stringify(FILTER));
    await screenshot(page, 'wizard-event-subscriptions');

    // Step 3: Securities & Retries, with the API's defaults prefilled.
    await page.getByRole('button', { name: 'Next' }).click();
    assert.equal(await currentStep(page), 'Securities & Retries');
    assert.equal(await page.getByLabel('Retry Attempts').inputValue(), '3');
    assert.equal(await page.getByLabel('Retry Delay').inputValue(), '30');
    assert.equal(await page.getByLabel('Request Timeout').inputValue(), '15');
    await page.getByLabel('Retry Attempts').fill('5');
    await page.getByLabel('Retry Delay').fill('10');
    await page.getByLabel('Request Timeout').fill('20');
    // Back-pressure options (API.md §9), defaults first.
    assert.ok(await page.getByRole('radio', { name: 'Fixed' }).isChecked(), 'backoff defaults to Fixed');
    assert.equal(await page.getByLabel('Max Delay').inputValue(), '3600');
    assert.equal(await page.getByLabel('Rate Limit').inputValue(), '', 'no rate limit by default');
    await page.getByText(/doubles it after each failed try/).waitFor();
    await page.getByText(/Empty: no limit/).waitFor();
    await page.locator('label').filter({ has: page.getByRole('radio', { name: 'Exponential' }) }).click();
    assert.ok(await page.getByRole('radio', { name: 'Exponential' }).isChecked());
    await page.getByLabel('Max Delay').fill('600');
    await page.getByLabel('Rate Limit').fill('25');
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 1 name').fill('X-Source');
    await page.getByLabel('Header 1 value').fill('loyalty');
    const enable = page.getByRole('switch', { name: 'Enable' });
    assert.equal(await enable.getAttribute('aria-checked'), 'true');

    // Back and forth loses nothing.
    await page.getByRole('button', { name: 'Back' }).click();
    assert.ok(await page.getByRole('checkbox', { name: /reward\.awarded/ }).isChecked());
    await page.getByRole('button', { name: 'Back' }).click();
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Wizard hook');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    assert.equal(await page.getByLabel('Retry Attempts').inputValue(), '5');
    await screenshot(page, 'wizard-securities-retries');

    await page.getByRole('button', { name: 'Save' }).click();
    // The secret is shown once, with a copy button.
    const secretDialog = page.getByRole('dialog').filter({ hasText: 'Secret for Wizard hook' });
    await secretDialog.getByText(generatedSecret).waitFor();
    await secretDialog.getByRole('button', { name: /copy/i }).waitFor();
    await screenshot(page, 'wizard-secret-shown');
    await secretDialog.getByRole('button', { name: 'Done' }).click();
    await page.waitForURL(/\/webhooks$/);
    await page.getByRole('cell', { name: 'Wizard hook', exact: true }).waitFor();

    const found = await herald.api('GET', '/v1/webhooks?name=Wizard%20hook');
    assert.equal(found.body.data.length, 1);
    const saved = await herald.api('GET', `/v1/webhooks/${found.body.data[0].id}`);
    assert.equal(saved.status, 200);
    const webhook = saved.body;
    assert.equal(webhook.name, 'Wizard hook');
    assert.equal(webhook.url, `${receiver.url}/wizard`);
    assert.equal(webhook.method, 'POST');
    assert.equal(webhook.description, 'Created by the UI test');
    assert.equal(webhook.enabled, true);
    assert.equal(webhook.auth.type, 'signature');
    assert.equal(webhook.auth.secret_hint, `…${generatedSecret.slice(-4)}`);
    assert.deepEqual([...webhook.event_types].sort(), ['badge.awarded', 'reward.awarded']);
    assert.deepEqual(webhook.filter, FILTER);
    assert.deepEqual(webhook.retry, { attempts: 5, delay_seconds: 10, timeout_seconds: 20, backoff: 'exponential', max_delay_seconds: 600 });
    assert.equal(webhook.rate_limit_per_second, 25);
    assert.deepEqual(webhook.headers, { 'X-Source': 'loyalty' });
    assert.equal((await herald.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body.secret, generatedSecret);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('shows an API validation error (duplicate name, 409) beside its field, keeping what was typed', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto('/webhooks/new');
    await page.getByLabel('Name', { exact: true }).fill('WIZARD HOOK');
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/second`);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('checkbox', { name: /user\.created/ }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Retry Attempts').fill('1');
    await page.getByRole('switch', { name: 'Enable' }).click();
    assert.equal(await page.getByRole('switch', { name: 'Enable' }).getAttribute('aria-checked'), 'false');
    await page.getByRole('button', { name: 'Save' }).click();

    // The wizard goes back to the step holding the field, and the API's message sits under it.
    const name = formItem(page, 'Name');
    await name.locator('.ant-form-item-explain-error').waitFor();
    assert.equal(await currentStep(page), 'Endpoint Details');
    assert.notEqual((await name.locator('.ant-form-item-explain-error').innerText()).trim(), '');
    assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('URL', { exact: true }).inputValue(), `${receiver.url}/second`);
    await screenshot(page, 'wizard-duplicate-name');
    assert.equal((await herald.api('GET', '/v1/webhooks?name=wizard')).body.data.length, 1);

    // Fixing the field and saving again works, with the rest as typed.
    await page.getByLabel('Name', { exact: true }).fill('Second hook');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    assert.equal(await page.getByLabel('Retry Attempts').inputValue(), '1');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Second hook', exact: true }).waitFor();
    const second = (await herald.api('GET', '/v1/webhooks?name=Second%20hook')).body.data[0];
    assert.deepEqual(second.event_types, ['user.created']);
    assert.equal(second.retry.attempts, 1);
    assert.equal(second.auth.type, 'none');
    assert.equal(second.enabled, false);
    assert.equal(second.status, 'inactive');
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors, [409]), []);
    await context.close();
  });

  it('shows a URL the API refuses (private target) beside the URL field, from Verify and from Save', async () => {
    const strict = await startHerald({ env: { HERALD_ALLOW_PRIVATE_TARGETS: 'false' } });
    try {
      const { page, context, consoleErrors } = await openSession(browser, strict.baseUrl);
      await signIn(page, strict.apiKey);
      await page.goto('/webhooks/new');
      await page.getByLabel('Name', { exact: true }).fill('Loopback');
      await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/private`);
      await page.getByRole('button', { name: 'Verify' }).click();
      const urlError = formItem(page, 'URL').locator('.ant-form-item-explain-error');
      await urlError.waitFor();
      assert.match(await urlError.innerText(), /127\.0\.0\.1/);

      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('checkbox', { name: /user\.updated/ }).check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Save' }).click();
      await urlError.waitFor();
      assert.equal(await currentStep(page), 'Endpoint Details');
      assert.equal((await strict.api('GET', '/v1/webhooks')).body.data.length, 0);
      assert.deepEqual(unexpectedConsoleErrors(consoleErrors, [400]), []);
      await context.close();
    } finally {
      await strict.stop();
    }
  });

  it('Edit opens the same wizard prefilled and saves changes without touching the secret', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    const wizardRow = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Wizard hook', exact: true }) });
    await wizardRow.getByRole('button', { name: 'Edit' }).click();
    await page.waitForURL(/\/webhooks\/wh_[^/]+\/edit$/);
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Wizard hook');
    assert.equal(await page.getByLabel('URL', { exact: true }).inputValue(), `${receiver.url}/wizard`);
    assert.ok(await page.getByRole('radio', { name: 'Signature' }).isChecked());
    assert.equal(await page.getByLabel('Secret', { exact: true }).inputValue(), '');
    await page.getByRole('button', { name: 'Next' }).click();
    assert.ok(await page.getByRole('checkbox', { name: /reward\.awarded/ }).isChecked());
    assert.equal(await page.getByRole('checkbox', { name: /user\.created/ }).isChecked(), false);
    await page.getByRole('button', { name: 'Next' }).click();
    assert.equal(await page.getByLabel('Retry Attempts').inputValue(), '5');
    assert.ok(await page.getByRole('radio', { name: 'Exponential' }).isChecked(), 'the edit form shows the backoff');
    assert.equal(await page.getByLabel('Max Delay').inputValue(), '600');
    assert.equal(await page.getByLabel('Rate Limit').inputValue(), '25');
    await page.getByLabel('Retry Attempts').fill('2');
    await page.getByLabel('Rate Limit').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/webhooks$/);
    await wizardRow.waitFor();

    const webhook = (await herald.api('GET', '/v1/webhooks?name=Wizard%20hook')).body.data[0];
    assert.deepEqual(webhook.retry, { attempts: 2, delay_seconds: 10, timeout_seconds: 20, backoff: 'exponential', max_delay_seconds: 600 });
    assert.equal(webhook.rate_limit_per_second, null, 'an emptied rate limit is removed');
    assert.deepEqual(webhook.headers, { 'X-Source': 'loyalty' });
    assert.equal((await herald.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body.secret, generatedSecret);
    // No new secret, so no secret dialog.
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });
});
