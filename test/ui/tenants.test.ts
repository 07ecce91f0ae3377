// API.md §8 in the admin UI: the admin's tenant switcher, the Tenants and API Keys pages, and
// portal sessions (one tenant, no switcher, read sessions without write buttons, the ended state).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TenantId } from '../../src/domain/ids.ts';
import { PortalTokens } from '../../src/tenancy/portal-tokens.ts';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { rewardEvent } from '../helpers/fixtures.ts';
import { browserSkipReason, ensureUiBuilt, launchBrowser, openSession, pickOption, screenshot, signIn, unexpectedConsoleErrors, waitUntil } from './harness.ts';

const SECRET = 'ui-portal-secret-key-0123456789ab';

describe('admin UI: tenants, API keys and portal sessions', { skip: browserSkipReason() }, () => {
  let herald: Herald;
  let browser: Browser;

  const api = (method: string, path: string, body?: unknown, tenant?: string) => herald.api(method, path, body, tenant ? { 'herald-tenant': tenant } : {});

  before(async () => {
    await ensureUiBuilt();
    [herald, browser] = await Promise.all([startHerald({ env: { HERALD_SECRET_KEY: SECRET } }), launchBrowser()]);
    for (const [id, name] of [['brand-a', 'Brand A'], ['brand-b', 'Brand B']]) {
      const made = await api('POST', '/v1/tenants', { id, name });
      assert.equal(made.status, 201, made.text);
      const hook = await api('POST', '/v1/webhooks', { name: `Hook of ${name}`, url: `https://${id}.example.com/hook`, event_types: ['reward.awarded'] }, id);
      assert.equal(hook.status, 201, hook.text);
    }
  });

  after(async () => {
    await browser?.close();
    await herald?.stop();
  });

  const rowNames = (page: Page) => page.locator('section[aria-label="Webhooks"] .ant-table-tbody tr.ant-table-row').allInnerTexts();

  it('an admin switches tenants and sees only that tenant\'s webhooks; the choice survives a reload', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.getByText('No webhooks yet. Create one').waitFor();
    await pickOption(page, 'Tenant', 'Brand A \\(brand-a\\)');
    await page.getByText('Hook of Brand A').waitFor();
    assert.deepEqual((await rowNames(page)).filter((t) => t.includes('Hook of')).length, 1);
    assert.ok(!(await page.getByText('Hook of Brand B').isVisible()));
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.tenant')), 'brand-a');
    await screenshot(page, 'tenant-switcher', { forDocs: true });

    await page.reload();
    await page.getByText('Hook of Brand A').waitFor();
    await pickOption(page, 'Tenant', 'Brand B \\(brand-b\\)');
    await page.getByText('Hook of Brand B').waitFor();
    assert.ok(!(await page.getByText('Hook of Brand A').isVisible()));
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('Tenants page: creates, renames, and shows why a tenant with webhooks cannot be deleted', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.getByRole('tab', { name: 'Tenants' }).click();
    await page.waitForURL(/\/tenants$/);
    await page.getByRole('button', { name: 'Create Tenant' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Id', exact: true }).fill('brand-c');
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Brand C');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('cell', { name: 'Brand C' }).waitFor();
    assert.equal((await api('GET', '/v1/tenants/brand-c')).body.name, 'Brand C');

    await page.getByRole('button', { name: 'Rename brand-c' }).click();
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Brand C renamed');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Brand C renamed' }).waitFor();
    assert.equal((await api('GET', '/v1/tenants/brand-c')).body.name, 'Brand C renamed');

    await page.getByRole('button', { name: 'Delete brand-a' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
    const refusal = page.locator('.ant-modal-confirm');
    await refusal.locator('.ant-modal-confirm-title', { hasText: 'Tenant brand-a was not deleted' }).waitFor();
    await refusal.getByText('still has webhooks').waitFor();
    await screenshot(page, 'tenant-delete-refused');
    await page.getByRole('button', { name: 'OK' }).click();
    assert.equal((await api('GET', '/v1/tenants/brand-a')).status, 200);

    await page.getByRole('button', { name: 'Delete brand-c' }).click();
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('cell', { name: 'Brand C renamed' }).waitFor({ state: 'detached' });
    assert.equal((await api('GET', '/v1/tenants/brand-c')).status, 404);
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors, [409]), []);
    await context.close();
  });

  it('API Keys page: the new key is shown once with a copy button, works, and stops working once revoked', async () => {
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await signIn(page, herald.apiKey);
    await page.getByRole('tab', { name: 'API Keys' }).click();
    await page.waitForURL(/\/api-keys$/);
    await page.getByRole('button', { name: 'Create API Key' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Name', exact: true }).fill('Brand B CRM');
    await page.getByLabel(/^manage/).uncheck();
    await page.getByLabel(/^read/).check();
    await pickOption(page, 'Key tenant', 'Brand B \\(brand-b\\)');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const shown = page.getByTestId('new-api-key');
    await shown.waitFor();
    const key = (await shown.innerText()).trim();
    assert.match(key, /^hk_/);
    await page.getByText('Herald shows it only once').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Copy key' }).or(page.locator('.ant-typography-copy')).first().isVisible(), 'a copy button');
    await screenshot(page, 'api-key-created', { forDocs: true });

    const asKey = await herald.api('GET', '/v1/webhooks', undefined, { authorization: `Bearer ${key}` });
    assert.equal(asKey.status, 200, asKey.text);
    assert.deepEqual(asKey.body.data.map((w: { name: string }) => w.name), ['Hook of Brand B']);

    await page.getByRole('button', { name: 'I have copied the key' }).click();
    const row = page.locator('tr', { hasText: 'Brand B CRM' });
    await row.waitFor();
    assert.ok(!(await page.content()).includes(key), 'the key is not shown again');

    await page.getByRole('button', { name: 'Revoke Brand B CRM' }).click();
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Revoked Brand B CRM.').waitFor();
    await row.waitFor({ state: 'detached' });
    await eventually(async () => (await herald.api('GET', '/v1/webhooks', undefined, { authorization: `Bearer ${key}` })).status === 401, 3_000, 'the revoked key refused');
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('a portal session URL opens one tenant, with no switcher and no admin pages, and leaves no token in the address bar', async () => {
    const made = await api('POST', '/v1/tenants/brand-a/portal-sessions', {});
    assert.equal(made.status, 201, made.text);
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await page.goto(made.body.url);
    await page.getByText('Hook of Brand A').waitFor();
    assert.equal(new URL(page.url()).hash, '');
    assert.equal(new URL(page.url()).pathname, '/webhooks');
    assert.equal(await page.getByRole('combobox', { name: 'Tenant' }).count(), 0, 'no tenant switcher');
    assert.equal(await page.getByRole('tab', { name: 'Tenants' }).count(), 0);
    assert.equal(await page.getByRole('tab', { name: 'API Keys' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
    await page.getByLabel('Tenant').filter({ hasText: 'brand-a' }).waitFor();
    assert.ok(!(await page.getByText('Hook of Brand B').isVisible()));
    await page.getByRole('button', { name: 'Create Webhook' }).waitFor();
    await page.getByRole('switch', { name: 'Enable Hook of Brand A' }).waitFor();
    await screenshot(page, 'portal-session', { forDocs: true });
    // A reload stays in the session (sessionStorage).
    await page.reload();
    await page.getByText('Hook of Brand A').waitFor();
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('a read session has no write buttons', async () => {
    const event = await api('POST', '/v1/events', rewardEvent('REW-READ'), 'brand-a');
    assert.equal(event.status, 202, event.text);
    const eventId: string = event.body.event_id;
    const made = await api('POST', '/v1/tenants/brand-a/portal-sessions', { scopes: ['read'] });
    assert.equal(made.status, 201, made.text);
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await page.goto(made.body.url);
    await page.getByText('Hook of Brand A').waitFor();
    await page.getByRole('button', { name: 'Logs Hook of Brand A' }).waitFor();
    for (const name of ['Create Webhook', 'Edit Hook of Brand A', 'Test Hook of Brand A', 'Delete Hook of Brand A', 'Recover Hook of Brand A']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} button`);
    }
    assert.equal(await page.getByRole('switch').count(), 0, 'no Enable toggles');
    await page.getByText('read only').waitFor();
    await screenshot(page, 'portal-read-session');
    // The delivery drawer has neither Resend nor Cancel.
    await page.getByRole('tab', { name: 'Audit Logs' }).click();
    await page.getByRole('button', { name: `Details of event ${eventId}` }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Envelope', { exact: true }).waitFor();
    assert.equal(await drawer.getByRole('button', { name: 'Resend' }).count(), 0, 'no Resend');
    assert.equal(await drawer.getByRole('button', { name: 'Cancel' }).count(), 0, 'no Cancel');
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors), []);
    await context.close();
  });

  it('an expired session shows "Your session has ended", not the sign-in form', async () => {
    const expiresAtMs = Date.now() + 3_000;
    const token = await new PortalTokens(SECRET).sign({ tenant: 'brand-b' as TenantId, scopes: ['manage'], expiresAtMs });
    const { page, context, consoleErrors } = await openSession(browser, herald.baseUrl);
    await page.goto(`/#portal=${token}`);
    await page.getByText('Hook of Brand B').waitFor();
    // The token's exp is in whole seconds: wait until it has passed, then use the UI.
    await waitUntil('the session to expire', async () => Date.now() > Math.floor(expiresAtMs / 1000) * 1000 + 200, 10_000);
    await page.getByRole('tab', { name: 'Audit Logs' }).click();
    await page.getByText('Your session has ended').waitFor();
    assert.equal(await page.getByLabel('API key').count(), 0, 'no sign-in form');
    await page.reload();
    await page.getByText('Your session has ended').waitFor();
    await screenshot(page, 'portal-session-ended');
    assert.deepEqual(unexpectedConsoleErrors(consoleErrors, [401]), []);
    await context.close();
  });
});
