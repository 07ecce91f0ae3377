// Lists (API.md section 2): newest first, limit, cursor; GET /v1/webhooks and GET /v1/deliveries filters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { ISO_UTC, assertInvalid, listAll, webhookBody } from './support.ts';

let h: Herald;
let r: Receiver;
let ok: any; // answers 200
let failing: any; // answers 500
let disabled: any;
const events: any[] = [];

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const names = (items: any[]) => items.map((item) => item.name);

before(async () => {
  h = await startHerald();
  r = await startReceiver();
  r.respondWith((req) => (req.url.includes('fail') ? { status: 500, body: 'nope' } : { status: 200, body: 'ok' }));
  const create = async (body: Record<string, unknown>) => {
    const response = await h.api('POST', '/v1/webhooks', body);
    assert.equal(response.status, 201, response.text);
    return response.body;
  };
  ok = await create(webhookBody(r.url, { name: 'Alpha CRM', event_types: ['reward.awarded', 'user.created'], retry: { attempts: 0 } }));
  failing = await create(webhookBody(`${r.url}?fail=1`, { name: 'Beta ESP', event_types: ['reward.awarded'], retry: { attempts: 0 } }));
  disabled = await create(webhookBody(r.url, { name: 'alphabet OMS', enabled: false }));
  const quiet = { event_types: ['journey.abandoned'] }; // no event of that type is sent
  await create(webhookBody(r.url, { name: '100% Club', ...quiet }));
  await create(webhookBody(r.url, { name: 'snake_case hook', ...quiet }));
  for (let i = 0; i < 50; i++) await create(webhookBody(r.url, { name: `bulk ${String(i).padStart(2, '0')}`, ...quiet }));
  for (const body of [
    { event_type: 'reward.awarded', data: { awarded_reward: { reward_id: 'R-1' } } },
    { event_type: 'user.created', data: {} },
    { event_type: 'reward.awarded', data: { awarded_reward: { reward_id: 'R-2' } } },
  ]) {
    const response = await h.api('POST', '/v1/events', body);
    assert.equal(response.status, 202, response.text);
    events.push(response.body);
  }
  // 5 deliveries: 3 to ok (success), 2 to failing (failed)
  await eventually(async () => {
    const rows = await listAll(h, '/v1/deliveries');
    return rows.length === 5 && rows.every((row) => row.status !== 'pending');
  }, 15_000, 'all deliveries final');
});
after(async () => {
  await r?.close();
  await h?.stop();
});

describe('GET /v1/webhooks paging', () => {
  it('lists newest first, 50 by default, with a next_cursor', async () => {
    const response = await h.api('GET', '/v1/webhooks');
    assert.equal(response.status, 200);
    assert.equal(response.body.data.length, 50);
    assert.equal(typeof response.body.next_cursor, 'string');
    assert.equal(response.body.data[0].name, 'bulk 49');
    assert.equal(response.body.data[1].name, 'bulk 48');
    const all = names(await listAll(h, '/v1/webhooks'));
    assert.equal(all.length, 55);
    assert.deepEqual(all.slice(-5), ['snake_case hook', '100% Club', 'alphabet OMS', 'Beta ESP', 'Alpha CRM']);
  });

  it('walks every page with limit and cursor, without gaps or repeats', async () => {
    const whole = (await listAll(h, '/v1/webhooks')).map((w) => w.id);
    const paged = (await listAll(h, '/v1/webhooks', 7)).map((w) => w.id);
    assert.deepEqual(paged, whole);
    const last = await h.api('GET', '/v1/webhooks?limit=55');
    assert.equal(last.body.data.length, 55);
    assert.equal(last.body.next_cursor, null);
    assert.equal((await h.api('GET', '/v1/webhooks?limit=1')).body.data.length, 1);
    assert.equal((await h.api('GET', '/v1/webhooks?limit=500')).body.data.length, 55);
  });

  for (const limit of ['0', '501', '-1', 'abc', '1.5']) {
    it(`limit=${limit} → 400 naming limit`, async () => {
      assertInvalid(await h.api('GET', `/v1/webhooks?limit=${limit}`), 'limit');
      assertInvalid(await h.api('GET', `/v1/deliveries?limit=${limit}`), 'limit');
    });
  }

  for (const cursor of ['garbage', 'eyJiZWZvcmUiOjF9', '%00%01', 'x'.repeat(300)]) {
    it(`cursor=${cursor.slice(0, 20)} → 400 naming cursor`, async () => {
      assertInvalid(await h.api('GET', `/v1/webhooks?cursor=${cursor}`), 'cursor');
      assertInvalid(await h.api('GET', `/v1/deliveries?cursor=${cursor}`), 'cursor');
    });
  }
});

describe('GET /v1/webhooks filters', () => {
  it('name is a case-insensitive substring', async () => {
    assert.deepEqual(names(await listAll(h, '/v1/webhooks?name=ALPHA')).sort(), ['Alpha CRM', 'alphabet OMS']);
    assert.deepEqual(names(await listAll(h, '/v1/webhooks?name=crm')), ['Alpha CRM']);
    assert.deepEqual(names(await listAll(h, '/v1/webhooks?name=no-such-name')), []);
  });

  it('name treats % and _ literally', async () => {
    assert.deepEqual(names(await listAll(h, '/v1/webhooks?name=%25')), ['100% Club']);
    assert.deepEqual(names(await listAll(h, '/v1/webhooks?name=_')), ['snake_case hook']);
  });

  it('status selects active, inactive or failed webhooks', async () => {
    await eventually(async () => (await h.api('GET', `/v1/webhooks/${failing.id}`)).body.status === 'failed', 10_000, 'failed status');
    assert.deepEqual(names(await listAll(h, '/v1/webhooks?status=inactive')), ['alphabet OMS']);
    assert.deepEqual(names(await listAll(h, '/v1/webhooks?status=failed')), ['Beta ESP']);
    const active = names(await listAll(h, '/v1/webhooks?status=active'));
    assert.equal(active.length, 53);
    assert.ok(active.includes('Alpha CRM') && !active.includes('Beta ESP') && !active.includes('alphabet OMS'));
  });

  it('start_date / end_date filter created_at, whole UTC days inclusive or ISO timestamps', async () => {
    assert.equal((await listAll(h, `/v1/webhooks?start_date=${day(0)}`)).length, 55);
    assert.equal((await listAll(h, `/v1/webhooks?end_date=${day(0)}`)).length, 55);
    assert.equal((await listAll(h, `/v1/webhooks?start_date=${day(0)}&end_date=${day(0)}`)).length, 55);
    assert.equal((await listAll(h, `/v1/webhooks?end_date=${day(-1)}`)).length, 0);
    assert.equal((await listAll(h, `/v1/webhooks?start_date=${day(1)}`)).length, 0);
    const bulk10 = (await listAll(h, '/v1/webhooks?name=bulk 10'))[0];
    const from = await listAll(h, `/v1/webhooks?start_date=${encodeURIComponent(bulk10.created_at)}`);
    assert.ok(from.some((w) => w.id === bulk10.id), 'start_date is inclusive');
    assert.ok(!from.some((w) => w.id === ok.id), 'older webhooks are left out');
    const to = await listAll(h, `/v1/webhooks?end_date=${encodeURIComponent(ok.created_at)}`);
    assert.ok(to.some((w) => w.id === ok.id) && !to.some((w) => w.id === bulk10.id));
  });

  it('filters combine, and page', async () => {
    const all = await listAll(h, '/v1/webhooks?name=BULK&status=active', 4);
    assert.equal(all.length, 50);
    assert.equal(new Set(all.map((w) => w.id)).size, 50);
    assert.deepEqual(names(await listAll(h, '/v1/webhooks?name=alpha&status=active')), ['Alpha CRM']);
  });

  const BAD: Array<[string, string]> = [
    ['status=broken', 'status'],
    ['start_date=yesterday', 'start_date'],
    ['start_date=2026-13-45', 'start_date'],
    ['end_date=2026-02-30', 'end_date'],
    ['end_date=12/01/2026', 'end_date'],
  ];
  for (const [query, field] of BAD) {
    it(`${query} → 400 naming ${field}`, async () => {
      assertInvalid(await h.api('GET', `/v1/webhooks?${query}`), field);
    });
  }
});

describe('GET /v1/deliveries', () => {
  it('rows carry the documented fields, newest first', async () => {
    const rows = await listAll(h, '/v1/deliveries');
    assert.equal(rows.length, 5);
    for (const row of rows) {
      for (const key of ['id', 'webhook_id', 'webhook_name', 'event_id', 'event_type', 'status', 'status_code', 'error', 'attempts', 'delivered_at', 'created_at']) {
        assert.ok(key in row, `row lacks ${key}: ${JSON.stringify(row)}`);
      }
      assert.match(row.created_at, ISO_UTC);
      assert.equal(row.attempts, 1);
      if (row.webhook_id === ok.id) {
        assert.equal(row.status, 'success');
        assert.equal(row.status_code, 200);
        assert.equal(row.error, null);
        assert.match(row.delivered_at, ISO_UTC);
        assert.equal(row.webhook_name, 'Alpha CRM');
      } else {
        assert.equal(row.status, 'failed');
        assert.equal(row.status_code, 500);
        assert.equal(typeof row.error, 'string');
        assert.ok(row.error.length > 0);
        assert.equal(row.delivered_at, null);
      }
    }
    const eventOrder = [...new Set(rows.map((row) => row.event_id))];
    assert.deepEqual(eventOrder, events.map((e) => e.event_id).reverse(), 'newest event first');
  });

  it('filters by webhook_id, status, event_type, event_id and dates', async () => {
    const count = async (query: string) => (await listAll(h, `/v1/deliveries?${query}`)).length;
    assert.equal(await count(`webhook_id=${ok.id}`), 3);
    assert.equal(await count(`webhook_id=${failing.id}`), 2);
    assert.equal(await count(`webhook_id=${disabled.id}`), 0);
    assert.equal(await count('status=success'), 3);
    assert.equal(await count('status=failed'), 2);
    assert.equal(await count('status=pending'), 0);
    assert.equal(await count('event_type=user.created'), 1);
    assert.equal(await count('event_type=reward.awarded'), 4);
    assert.equal(await count(`event_id=${events[0].event_id}`), 2);
    assert.equal(await count(`event_id=${events[0].event_id}&status=failed&webhook_id=${failing.id}`), 1);
    assert.equal(await count(`start_date=${day(0)}&end_date=${day(0)}`), 5);
    assert.equal(await count(`end_date=${day(-1)}`), 0);
    assert.equal(await count(`start_date=${day(1)}`), 0);
    assert.equal(await count(`start_date=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`), 0);
    const paged = await listAll(h, '/v1/deliveries', 2);
    assert.deepEqual(paged.map((row) => row.id), (await listAll(h, '/v1/deliveries')).map((row) => row.id));
  });

  const BAD: Array<[string, string]> = [
    ['status=done', 'status'],
    ['event_id=not-a-uuid', 'event_id'],
    ['event_type=reward.stolen', 'event_type'],
    ['start_date=soon', 'start_date'],
    ['end_date=2026-00-10', 'end_date'],
  ];
  for (const [query, field] of BAD) {
    it(`${query} → 400 naming ${field}`, async () => {
      assertInvalid(await h.api('GET', `/v1/deliveries?${query}`), field);
    });
  }
});
