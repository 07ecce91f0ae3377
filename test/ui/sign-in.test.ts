// Sign-in, the two tabs and their URLs, the back button, and the way back to sign-in after a 401.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startHerald, type Herald } from '../helpers/herald.ts';
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

describe('admin UI: sign-in and navigation', { skip: browserSkipReason() }, () => {
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

  it('rejects a wrong key with a message, then signs in with the right one', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await page.goto('/');
    await page.waitForURL(/\/sign-in\?next=%2Fwebhooks$/);
    await page.getByLabel('API key').fill('not-the-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That API key was not accepted' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.apiKey')), null);
    await screenshot(page, 'sign-in-wrong-key');

    await page.getByLabel('API key').fill(herald.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Webhooks', selected: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/webhooks');
    // Nothing created yet: the empty state says what to do next.
    await page.getByText('No webhooks yet. Create one').waitFor();
    await screenshot(page, 'webhooks-empty');

    // The key lasts for the browser session: a reload stays signed in.
    await page.reload();
    await page.getByRole('tab', { name: 'Webhooks', selected: true }).waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors, [401]), []);
    await context.close();
  });

  it('switches tabs through the URL, and the back button returns', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.getByRole('tab', { name: 'Audit Logs' }).click();
    await page.waitForURL(/\/audit-logs$/);
    await page.getByRole('tab', { name: 'Audit Logs', selected: true }).waitFor();
    await page.getByText('No deliveries yet.').waitFor();
    await screenshot(page, 'audit-logs-empty');

    await page.goBack();
    await page.waitForURL(/\/webhooks$/);
    await page.getByRole('tab', { name: 'Webhooks', selected: true }).waitFor();
    await page.goForward();
    await page.getByRole('tab', { name: 'Audit Logs', selected: true }).waitFor();

    // A bookmarked page opens directly.
    await page.goto('/audit-logs?status=failed');
    await page.getByRole('tab', { name: 'Audit Logs', selected: true }).waitFor();
    await page.getByText('No deliveries match these filters').waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('returns to sign-in with a message when the API answers 401 later', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    // The key stops working (e.g. it was rotated): the next API call gets a 401.
    await page.evaluate(() => sessionStorage.setItem('herald.apiKey', 'rotated-away'));
    await page.getByRole('tab', { name: 'Audit Logs' }).click();
    await page.getByText('Herald did not accept the API key').waitFor();
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/audit-logs');

    // Signing in again goes back to where the user was.
    await page.getByLabel('API key').fill(herald.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Audit Logs', selected: true }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.apiKey')), null);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors, [401]), []);
    await context.close();
  });
});
