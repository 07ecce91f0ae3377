// With HERALD_ALLOW_PRIVATE_TARGETS=false (the default) private targets are refused when a webhook
// is saved and blocked again at connect time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, deliveriesOf, deliveryDetail, sendEvent } from '../helpers/fixtures.ts';

const PRIVATE_URLS = [
  'http://127.0.0.1/hook',
  'http://localhost:8080/hook',
  'http://api.localhost/hook',
  'http://2130706433/hook', // 127.0.0.1 as a decimal
  'http://0x7f000001/hook', // hex
  'http://0177.0.0.1/hook', // octal
  'http://127.1/hook',
  'http://[::1]/hook',
  'http://[::ffff:127.0.0.1]/hook', // IPv4-mapped IPv6
  'http://[::ffff:a9fe:a9fe]/hook', // 169.254.169.254 mapped, hex form
  'http://10.1.2.3/hook',
  'http://172.16.0.1/hook',
  'http://192.168.1.1/hook',
  'http://169.254.169.254/latest/meta-data',
  'http://100.64.0.1/hook', // CGNAT
  'http://0.0.0.0/hook',
  'http://[::]/hook',
  'http://224.0.0.1/hook',
  'http://255.255.255.255/hook',
  'http://[fe80::1]/hook',
  'http://[fd00::1]/hook',
];

describe('SSRF guard', () => {
  let h: Herald;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    h = await startHerald({ env: { HERALD_ALLOW_PRIVATE_TARGETS: 'false' } });
  });
  after(async () => {
    await h.stop();
    await receiver.close();
  });

  it('refuses private, loopback and special addresses in every notation at create', async () => {
    for (const url of PRIVATE_URLS) {
      const response = await h.api('POST', '/v1/webhooks', { name: `ssrf ${url}`, url, event_types: ['user.created'] });
      assert.equal(response.status, 400, `${url} → ${response.status}`);
      assert.equal(response.body.error.code, 'validation_error');
      const detail = response.body.error.details.find((d: any) => d.field === 'url');
      assert.ok(detail, `${url}: details name url`);
      assert.match(detail.message, /HERALD_ALLOW_PRIVATE_TARGETS/);
    }
    const list = await h.api('GET', '/v1/webhooks');
    assert.equal(list.body.data.length, 0, 'nothing was saved');
  });

  it('refuses a name that resolves to a private address', async () => {
    const name = hostname();
    const answers = await lookup(name, { all: true }).catch(() => []);
    if (!answers.some((a) => a.address.startsWith('127.') || a.address === '::1')) return; // this machine's name is public
    const response = await h.api('POST', '/v1/webhooks', { name: 'by hostname', url: `http://${name}:9/x`, event_types: ['user.created'] });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.details[0].field, 'url');
  });

  it('refuses private targets at update and in the unsaved test', async () => {
    const patch = await h.api('POST', '/v1/webhooks/test', { url: 'http://127.0.0.1:1/x' });
    assert.equal(patch.status, 400);
    assert.equal(patch.body.error.details[0].field, 'url');
    const created = await h.api('POST', '/v1/webhooks', { name: 'public', url: 'https://93.184.215.14/hook', event_types: ['user.created'] });
    assert.equal(created.status, 201);
    const updated = await h.api('PATCH', `/v1/webhooks/${created.body.id}`, { url: 'http://[::ffff:10.0.0.1]/x' });
    assert.equal(updated.status, 400);
    assert.equal(updated.body.error.details[0].field, 'url');
    const unchanged = await h.api('GET', `/v1/webhooks/${created.body.id}`);
    assert.equal(unchanged.body.url, 'https://93.184.215.14/hook');
    await h.api('DELETE', `/v1/webhooks/${created.body.id}`);
  });

  it('blocks at delivery time a target saved while private targets were allowed', async () => {
    const permissive = await startHerald({ env: { HERALD_ALLOW_PRIVATE_TARGETS: 'true' } });
    let webhookId: string;
    try {
      // Retries allowed: a blocked target is a permanent failure, so none are made.
      webhookId = (await createWebhook(permissive, { url: receiver.url.replace('127.0.0.1', hostname()), retry: { attempts: 3, delay_seconds: 1 } })).id;
      await createWebhook(permissive, { url: receiver.url, name: 'literal', retry: { attempts: 3, delay_seconds: 1 } });
    } finally {
      await permissive.stop();
    }
    const strict = await startHerald({ dataDir: permissive.dataDir, env: { HERALD_ALLOW_PRIVATE_TARGETS: 'false' } });
    try {
      const accepted = await sendEvent(strict);
      const rows = await eventually(async () => {
        const list = await deliveriesOf(strict, accepted.event_id);
        return list.length === 2 && list.every((d) => d.status === 'failed') && list;
      }, 10_000, 'both deliveries to be blocked');
      for (const row of rows) {
        assert.equal(row.status_code, null);
        assert.match(row.error, /blocked/);
        assert.equal(row.attempts, 1, 'blocked is permanent: no retries');
        const detail = await deliveryDetail(strict, row.id);
        assert.deepEqual(detail.attempt_log.map((a: any) => a.outcome), ['blocked']);
      }
      assert.ok(rows.some((r) => r.webhook_id === webhookId));
      assert.equal(receiver.requests.length, 0, 'nothing reached the private receiver');
    } finally {
      await strict.stop();
    }
  });
});
