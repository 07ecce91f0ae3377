// The Create Webhook wizard's finer points: step 2 without blank gaps at any width, Generate for a JWT
// secret, Verify with Signature and no secret keeps the secret it signed with, Cancel asks before
// throwing a filled form away.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { Webhook as SignatureVerifier } from 'standardwebhooks';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type ReceivedRequest, type Receiver } from '../helpers/receiver.ts';
import { createWebhook } from './fixtures.ts';
import { browserSkipReason, ensureUiBuilt, launchBrowser, openSession, screenshot, SCREENSHOT_DIR, signIn, unexpectedConsoleErrors } from './harness.ts';

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
  height: number;
}

/** The label and control boxes of the form item labelled `label`. */
async function itemBoxes(page: Page, label: string): Promise<{ label: Box; control: Box }> {
  const item = page.locator('.ant-form-item:visible').filter({ has: page.locator('.ant-form-item-label label', { hasText: new RegExp(`^${label}$`) }) });
  const box = async (selector: string): Promise<Box> => {
    const found = await item.locator(selector).first().boundingBox();
    assert.ok(found, `${label}: ${selector} is laid out`);
    return { top: found.y, bottom: found.y + found.height, left: found.x, right: found.x + found.width, height: found.height };
  };
  return { label: await box('.ant-form-item-label'), control: await box('.ant-form-item-control') };
}

/** Does `secret` verify this request's Standard Webhooks signature? Throws if not. */
function verifySignature(secret: string, request: ReceivedRequest): void {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  new SignatureVerifier(secret).verify(request.body, headers);
}

async function pickAuth(page: Page, name: string): Promise<void> {
  await page.locator('label').filter({ has: page.getByRole('radio', { name }) }).click();
}

async function fillEndpoint(page: Page, name: string, url: string): Promise<void> {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('URL', { exact: true }).fill(url);
}

/** Steps 2 and 3 with one event type, then Save; returns the saved webhook as the API shows it. */
async function finishAndSave(page: Page, herald: Herald, name: string): Promise<any> {
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('checkbox', { name: /reward\.awarded/ }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Save' }).click();
  const dialog = page.getByRole('dialog').filter({ hasText: `Secret for ${name}` });
  await dialog.waitFor();
  const shown = (await dialog.getByLabel('Webhook secret').innerText()).trim();
  await dialog.getByRole('button', { name: 'Done' }).click();
  const found = await herald.api('GET', `/v1/webhooks?name=${encodeURIComponent(name)}`);
  assert.equal(found.body.data.length, 1);
  return { webhook: found.body.data[0], shown };
}

describe('admin UI: wizard polish', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let receiver: Receiver;
  let browser: Browser;

  before(async () => {
    await ensureUiBuilt();
    [herald, receiver, browser] = await Promise.all([startHerald(), startReceiver(), launchBrowser()]);
    receiver.respondWith(() => ({ status: 200, body: '{"ok":true}' }));
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await herald?.stop();
    console.log(`UI screenshots: ${SCREENSHOT_DIR}`);
  });

  for (const width of [480, 1440]) {
    it(`step 2 has no blank gap under "Event Types" or "Filter" at ${width} px`, async () => {
      const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
      await page.setViewportSize({ width, height: 900 });
      await signIn(page, herald.apiKey);
      await page.goto('/webhooks/new');
      await fillEndpoint(page, 'Layout hook', `${receiver.url}/layout`);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('checkbox', { name: 'All Badge events' }).waitFor();

      const events = await itemBoxes(page, 'Event Types');
      const filter = await itemBoxes(page, 'Filter');
      for (const [name, item] of [['Event Types', events], ['Filter', filter]] as const) {
        // A label is one line of text (about 30 px with its padding), and its control follows right under it.
        assert.ok(item.label.height <= 40, `${name} label is ${item.label.height} px high at ${width} px`);
        const gap = item.control.top - item.label.bottom;
        assert.ok(gap >= -1 && gap <= 8, `${name}: ${gap} px between label and control at ${width} px`);
      }
      // The first feed sits right under the Event Types label.
      const firstFeed = await page.locator('.feed-card').first().boundingBox();
      assert.ok(firstFeed && firstFeed.y - events.label.bottom <= 8, `first feed ${firstFeed?.y} vs label bottom ${events.label.bottom}`);
      if (width >= 1200) {
        assert.ok(filter.label.left > events.control.right, 'wide: the filter is beside the event types');
      } else {
        assert.ok(filter.label.top > events.control.bottom, 'narrow: the filter is under the event types');
      }
      await screenshot(page, `wizard-event-subscriptions-${width}`, { fullPage: true });
      assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
      await context.close();
    });
  }

  it('Generate fills a JWT secret; Verify signs with it and Save keeps it', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto('/webhooks/new');
    await fillEndpoint(page, 'JWT hook', `${receiver.url}/jwt`);
    await pickAuth(page, 'JWT');
    // Next asks for the secret and says how to get one.
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Enter the JWT secret, or press Generate.').waitFor();
    await page.getByRole('button', { name: 'Generate' }).click();
    const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Generate' }).click();
    assert.notEqual(await page.getByLabel('Secret', { exact: true }).inputValue(), secret, 'each press makes a new secret');
    const kept = await page.getByLabel('Secret', { exact: true }).inputValue();

    const before = receiver.requests.length;
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Verified', { exact: true }).waitFor();
    assert.equal(receiver.requests.length, before + 1);
    const token = String(receiver.requests.at(-1)?.headers.authorization).replace(/^Bearer /, '');
    await jwtVerify(token, new TextEncoder().encode(kept), { issuer: 'herald' });

    const { webhook, shown } = await finishAndSave(page, herald, 'JWT hook');
    assert.equal(webhook.auth.type, 'jwt');
    assert.equal(shown, kept);
    assert.equal((await herald.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body.secret, kept);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Verify with Signature and no secret generates one, signs with it, shows it, and Save keeps it', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto('/webhooks/new');
    await fillEndpoint(page, 'Signed hook', `${receiver.url}/signed`);
    await pickAuth(page, 'Signature');
    assert.equal(await page.getByLabel('Secret', { exact: true }).inputValue(), '');

    const before = receiver.requests.length;
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Verified', { exact: true }).waitFor();
    const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ + base64 of 32 random bytes');
    assert.equal(receiver.requests.length, before + 1);
    assert.doesNotThrow(() => verifySignature(secret, receiver.requests.at(-1)!), 'the receiver verifies with the secret in the form');
    await screenshot(page, 'wizard-verify-generated-secret', { fullPage: true });

    // Verify again: the same secret, not a new one.
    await page.getByRole('button', { name: 'Verify' }).click();
    await receiver.waitFor(before + 2);
    await page.getByText('Verified', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Secret', { exact: true }).inputValue(), secret);
    assert.doesNotThrow(() => verifySignature(secret, receiver.requests.at(-1)!));

    const { webhook, shown } = await finishAndSave(page, herald, 'Signed hook');
    assert.equal(webhook.auth.type, 'signature');
    assert.equal(shown, secret);
    assert.equal((await herald.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body.secret, secret);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Verify while editing a Signature webhook keeps the saved secret and adds none to the form', async () => {
    const saved = await createWebhook(herald, { name: 'Saved signature', url: `${receiver.url}/saved`, auth: { type: 'signature' } });
    const secret = (await herald.api('GET', `/v1/webhooks/${saved.id}/secret`)).body.secret;
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto(`/webhooks/${saved.id}/edit`);
    await page.getByLabel('Name', { exact: true }).waitFor();
    const before = receiver.requests.length;
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Verified', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Secret', { exact: true }).inputValue(), '');
    assert.doesNotThrow(() => verifySignature(secret, receiver.requests[before]));
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Cancel leaves an untouched wizard at once, and asks before discarding a filled one', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.goto('/webhooks/new');
    await page.getByLabel('Name', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(/\/webhooks$/);
    assert.equal(await page.getByRole('dialog').count(), 0);

    await page.goto('/webhooks/new');
    await fillEndpoint(page, 'Half done', `${receiver.url}/half`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    const confirm = page.getByRole('dialog').filter({ hasText: 'Discard this new webhook?' });
    await confirm.waitFor();
    await screenshot(page, 'wizard-cancel-confirm');
    await confirm.getByRole('button', { name: 'Keep editing' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.match(page.url(), /\/webhooks\/new$/);
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Half done');

    await page.getByRole('button', { name: 'Cancel' }).click();
    await confirm.getByRole('button', { name: 'Discard' }).click();
    await page.waitForURL(/\/webhooks$/);
    assert.equal((await herald.api('GET', '/v1/webhooks?name=Half%20done')).body.data.length, 0);

    // Editing: unchanged leaves at once; a change asks.
    const saved = await createWebhook(herald, { name: 'Edit me', url: `${receiver.url}/edit` });
    await page.goto(`/webhooks/${saved.id}/edit`);
    await page.getByLabel('Name', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(/\/webhooks$/);
    await page.goto(`/webhooks/${saved.id}/edit`);
    await page.getByLabel('Description').fill('changed');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').filter({ hasText: 'Discard your changes to Edit me?' }).getByRole('button', { name: 'Discard' }).click();
    await page.waitForURL(/\/webhooks$/);
    assert.equal((await herald.api('GET', `/v1/webhooks/${saved.id}`)).body.description ?? null, null);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });
});
