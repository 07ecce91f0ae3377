// API.md §9 back-pressure and backoff with real receivers: Retry-After on 429/503 (seconds and
// HTTP date; absurd values neither stall nor crash), exponential backoff within its jitter
// bounds, the AIMD in-flight limit in /metrics (429, 503, hangs), and rate_limit_per_second.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, deliveriesOf, deliveryDetail, sendEvent } from '../helpers/fixtures.ts';

/** A claim may start a little after its due time on a busy machine; never before. */
const EARLY_MS = 60;
const LATE_MS = 1500;

describe('back-pressure and backoff', () => {
  let h: Herald;
  const receivers: Receiver[] = [];

  before(async () => {
    h = await startHerald({ env: { HERALD_WEBHOOK_CONCURRENCY: '8', HERALD_POLL_INTERVAL_MS: '5000' } });
  });
  after(async () => {
    await h.stop();
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }

  const gaps = (r: Receiver) => r.requests.slice(1).map((req, i) => req.receivedAt - r.requests[i].receivedAt);

  async function finished(eventId: string, webhookId: string) {
    return eventually(async () => {
      const row = (await deliveriesOf(h, eventId)).find((d) => d.webhook_id === webhookId);
      return row && row.status !== 'pending' && row;
    }, 20_000, 'the delivery to finish');
  }

  async function inflightLimit(webhookId: string): Promise<number | null> {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const match = new RegExp(`herald_webhook_inflight_limit\\{webhook_id="${webhookId}"\\} (\\d+)`).exec(text);
    return match ? Number(match[1]) : null;
  }

  it('waits the Retry-After seconds of a 429 before the next try, even with delay_seconds 0', async () => {
    const r = await receiver();
    r.respondWith(() => (r.requests.length === 1 ? { status: 429, headers: { 'Retry-After': '2' }, body: 'slow down' } : { status: 200 }));
    const webhook = await createWebhook(h, { url: r.url, retry: { attempts: 2, delay_seconds: 0 } });
    const accepted = await sendEvent(h);
    const delivery = await finished(accepted.event_id, webhook.id);
    assert.equal(delivery.status, 'success');
    assert.equal(r.requests.length, 2);
    const [gap] = gaps(r);
    assert.ok(gap >= 2000 - EARLY_MS && gap < 2000 + LATE_MS, `second try ${gap} ms after the 429 (Retry-After: 2)`);
    const detail = await deliveryDetail(h, delivery.id);
    assert.deepEqual(detail.attempt_log.map((a: any) => [a.status_code, a.outcome]), [[429, 'http_error'], [200, 'success']]);
  });

  it('reads an HTTP-date Retry-After on a 503', async () => {
    const r = await receiver();
    let retryAt = 0;
    r.respondWith(() => {
      if (r.requests.length > 1) return { status: 200 };
      retryAt = (Math.floor(Date.now() / 1000) + 3) * 1000; // whole seconds, as HTTP dates are
      return { status: 503, headers: { 'Retry-After': new Date(retryAt).toUTCString() } };
    });
    const webhook = await createWebhook(h, { url: r.url, retry: { attempts: 1, delay_seconds: 0 } });
    const accepted = await sendEvent(h);
    assert.equal((await finished(accepted.event_id, webhook.id)).status, 'success');
    const second = r.requests[1].receivedAt;
    assert.ok(second >= retryAt - EARLY_MS && second < retryAt + LATE_MS, `second try at ${second - retryAt} ms from the Retry-After date`);
  });

  it('a Retry-After shorter than the policy delay changes nothing: the longer wait wins', async () => {
    const r = await receiver();
    r.respondWith(() => (r.requests.length === 1 ? { status: 429, headers: { 'Retry-After': '0' } } : { status: 200 }));
    const webhook = await createWebhook(h, { url: r.url, retry: { attempts: 1, delay_seconds: 2 } });
    const accepted = await sendEvent(h);
    await finished(accepted.event_id, webhook.id);
    const [gap] = gaps(r);
    assert.ok(gap >= 2000 - EARLY_MS, `second try ${gap} ms later (delay_seconds: 2)`);
  });

  it('garbage and negative Retry-After values are ignored; a huge one is capped and stalls nothing else', async () => {
    const garbage = await receiver();
    const values = ['soon', '-30', '', '1e9', 'Thu, 99 Foo 20x6'];
    garbage.respondWith((req) => {
      const n = garbage.requests.indexOf(req);
      return n < values.length ? { status: 429, headers: { 'Retry-After': values[n] } } : { status: 200 };
    });
    const g = await createWebhook(h, { url: garbage.url, retry: { attempts: values.length, delay_seconds: 0 } });
    const huge = await receiver();
    huge.respondWith(() => ({ status: 503, headers: { 'Retry-After': '99999999999999999999' } }));
    const hw = await createWebhook(h, { url: huge.url, retry: { attempts: 3, delay_seconds: 0 } });
    const accepted = await sendEvent(h);
    const done = await finished(accepted.event_id, g.id);
    assert.equal(done.status, 'success', 'retried at once despite absurd Retry-After values');
    assert.equal(garbage.requests.length, values.length + 1);
    await huge.waitFor(1);
    const capped = (await deliveriesOf(h, accepted.event_id)).find((d) => d.webhook_id === hw.id);
    assert.deepEqual([capped.status, capped.attempts], ['pending', 1], 'the huge Retry-After keeps the delivery waiting (at most 24 h)');
    const health = await fetch(`${h.baseUrl}/healthz`);
    assert.equal(health.status, 200, 'Herald is fine');
  });

  it('spaces exponential retries delay × 2^(n-1), capped at max_delay_seconds, within ±20 % jitter', async () => {
    const r = await receiver();
    r.respondWith(() => ({ status: 500 }));
    const webhook = await createWebhook(h, { url: r.url, retry: { attempts: 3, delay_seconds: 1, backoff: 'exponential', max_delay_seconds: 2 } });
    const accepted = await sendEvent(h);
    assert.equal((await finished(accepted.event_id, webhook.id)).status, 'failed');
    assert.equal(r.requests.length, 4);
    const expected = [1000, 2000, 2000];
    gaps(r).forEach((gap, i) => {
      assert.ok(gap >= expected[i] * 0.8 - EARLY_MS && gap <= expected[i] * 1.2 + LATE_MS, `retry ${i + 1}: ${gap} ms, expected ${expected[i]} ±20 %`);
    });
  });

  it('halves the in-flight limit on 429s down to 1, raises it again as tries succeed (/metrics)', async () => {
    const r = await receiver();
    let overloaded = true;
    r.respondWith(() => (overloaded ? { status: 429, delayMs: 20 } : { status: 200 }));
    const webhook = await createWebhook(h, { url: r.url, retry: { attempts: 0 } });
    for (let i = 0; i < 6; i++) {
      await sendEvent(h);
      await r.waitFor(i + 1);
      await eventually(async () => (await inflightLimit(webhook.id)) !== null, 5_000, 'the gauge');
    }
    const low = await eventually(async () => {
      const limit = await inflightLimit(webhook.id);
      return limit !== null && limit <= 1 && limit;
    }, 10_000, 'the limit to reach 1');
    assert.equal(low, 1);
    overloaded = false;
    for (let i = 0; i < 10; i++) {
      const accepted = await sendEvent(h);
      await finished(accepted.event_id, webhook.id);
    }
    assert.equal(await inflightLimit(webhook.id), 8, 'back to HERALD_WEBHOOK_CONCURRENCY');
  });

  it('while a receiver answers 503 at most the cut limit of tries is in flight; a hanging one is cut too', async () => {
    const r = await receiver();
    let inFlight = 0;
    let most = 0;
    r.respondWith(() => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => inFlight--, 150);
      return { status: 503, delayMs: 150 };
    });
    const webhook = await createWebhook(h, { url: r.url, retry: { attempts: 0 } });
    await sendEvent(h);
    await r.waitFor(1);
    await eventually(async () => (await inflightLimit(webhook.id)) === 4, 5_000, 'the first cut');
    most = 0;
    const batch = Array.from({ length: 16 }, () => ({ event_type: 'reward.awarded', data: {} }));
    assert.equal((await h.api('POST', '/v1/events/batch', { events: batch })).status, 202);
    await r.waitFor(17, 20_000);
    assert.ok(most <= 4, `at most the cut limit (4) in flight at once, saw ${most}`);

    const hanging = await receiver();
    hanging.respondWith(() => ({ hang: true }));
    const slow = await createWebhook(h, { url: hanging.url, retry: { attempts: 0, timeout_seconds: 1 } });
    await sendEvent(h);
    await eventually(async () => (await inflightLimit(slow.id)) === 4, 10_000, 'a timeout to cut the limit');
  });

  it('starts at most rate_limit_per_second tries a second (one second’s worth at once)', async () => {
    const r = await receiver();
    const webhook = await createWebhook(h, { url: r.url, rate_limit_per_second: 5 });
    const batch = Array.from({ length: 20 }, () => ({ event_type: 'reward.awarded', data: {} }));
    assert.equal((await h.api('POST', '/v1/events/batch', { events: batch })).status, 202);
    await r.waitFor(20, 20_000);
    // The bucket allows at most 5 + 5·T starts in any T seconds. Arrivals add the network's delay,
    // which varies (the first ones open connections, and on a busy machine a stalled event loop
    // delivers several at once), so each bound allows 500 ms of slack.
    const times = r.requests.map((req) => req.receivedAt).sort((a, b) => a - b);
    for (const windowMs of [1000, 2000]) {
      const bound = 5 + Math.floor((5 * (windowMs + 500)) / 1000);
      for (const t of times) {
        const inWindow = times.filter((o) => o >= t && o < t + windowMs).length;
        assert.ok(inWindow <= bound, `${inWindow} tries within ${windowMs} ms (at most ${bound})`);
      }
    }
    // After the first burst, one token per 200 ms: tries 6 to 20 span at least 14 × 200 ms.
    // (500 ms of slack for a late sixth arrival on a busy machine; no limit at all takes ~0.1 s.)
    assert.ok(times[19] - times[5] >= 14 * 200 - 500, `tries 6-20 took ${times[19] - times[5]} ms (at 5/s: ≈ 2,800 ms, at least 2,300)`);
    assert.equal(webhook.rate_limit_per_second, 5);
  });
});
