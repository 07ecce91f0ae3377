// Scale-out on PostgreSQL: several real Herald processes on one database.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.ts';
import { createWebhook, rewardEvent } from '../helpers/fixtures.ts';

const isAvailable = await postgresAvailable();
/** Default lease, heartbeat and poll settings: the takeover time measured below is what users get. */
const CLUSTER_ENV = {};
/** After kill -9, the rest of the run must be delivered within this (default settings). */
const TAKEOVER_BOUND_MS = 15_000;

/** Sends `count` events through the given processes in turn, in batches; returns accepted ids. */
async function ingestThrough(processes: Herald[], count: number, prefix: string): Promise<Set<string>> {
  const accepted = new Set<string>();
  const batches = Math.ceil(count / 100);
  await Promise.all(
    Array.from({ length: batches }, async (_, b) => {
      const target = processes[b % processes.length];
      const events = Array.from({ length: Math.min(100, count - b * 100) }, (_, i) => rewardEvent(`${prefix}-${b}-${i}`));
      try {
        const response = await target.api('POST', '/v1/events/batch', { events });
        if (response.status === 202) for (const item of response.body.data) if (item.status === 202) accepted.add(item.event_id);
      } catch {
        // this process died under the request: nothing it answered, nothing accepted
      }
    }),
  );
  return accepted;
}

function countsById(receiver: Receiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of receiver.requests) counts.set(request.json.event_id, (counts.get(request.json.event_id) ?? 0) + 1);
  return counts;
}

describe('several Herald processes on one PostgreSQL database', { skip: !isAvailable && 'no PostgreSQL server' }, () => {
  let database: TestDatabase;
  let processes: Herald[] = [];
  let receiver: Receiver;

  before(async () => {
    database = await createTestDatabase();
    receiver = await startReceiver();
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await receiver.close();
    await database.drop();
  });

  it('come up together on an empty database (migrations run once)', async () => {
    processes = await Promise.all([0, 1, 2].map(() => startHerald({ databaseUrl: database.url, env: CLUSTER_ENV, timeoutMs: 60_000 })));
    for (const p of processes) assert.equal((await fetch(`${p.baseUrl}/healthz`)).status, 200);
  });

  it('deliver every event exactly once when nothing fails, whichever process accepted it', async () => {
    receiver.respondWith(() => ({ status: 200, delayMs: 2 }));
    const webhook = await createWebhook(processes[0], { url: receiver.url, retry: { attempts: 5, delay_seconds: 1 } });
    const accepted = await ingestThrough(processes, 3000, 'calm');
    assert.equal(accepted.size, 3000);
    await receiver.waitFor(3000, 60_000);
    const counts = countsById(receiver);
    assert.equal(counts.size, 3000);
    for (const id of accepted) assert.equal(counts.get(id), 1, `event ${id} delivered exactly once`);
    await eventually(async () => {
      const s = (await processes[0].api('GET', `/v1/webhooks/${webhook.id}`)).body.stats;
      return s.total === 3000 && s;
    }, 10_000, 'stats to count every delivery');
    const again = await Promise.all(processes.map(async (p) => (await p.api('GET', `/v1/webhooks/${webhook.id}`)).body.stats));
    assert.deepEqual(again[1], again[0], 'every process answers the same stats');
    assert.deepEqual(again[2], again[0]);
    assert.equal(again[0].success_rate, 100);
  });

  it('lose nothing when one process is killed mid-run: the others finish its leased work within 15 s', async (t) => {
    const before = receiver.requests.length;
    receiver.respondWith(() => ({ status: 200, delayMs: 20 }));
    const victim = processes[2];
    const sending = ingestThrough(processes, 2000, 'storm');
    await receiver.waitFor(before + 300, 60_000);
    const killedAt = Date.now();
    await victim.kill();
    const receivedAtKill = new Set(receiver.requests.slice(before).map((r) => r.json.event_id)).size;
    const accepted = await sending;
    assert.ok(receivedAtKill < accepted.size, 'the kill cut a run with work outstanding');
    const survivors = processes.slice(0, 2);
    assert.ok(accepted.size >= 1000, `most events were accepted (${accepted.size})`);
    const received = () => new Set(receiver.requests.slice(before).map((r) => r.json.event_id));
    // Done means: every accepted event arrived, and no delivery is left pending (the victim's
    // leased rows include events whose 202 it never sent; those must be delivered too).
    const isDone = async () => {
      if (![...accepted].every((id) => received().has(id))) return false;
      const list = await survivors[0].api('GET', '/v1/deliveries?status=pending&limit=5');
      return list.status === 200 && list.body.data.length === 0;
    };
    await eventually(isDone, 120_000, 'every accepted event to arrive and no delivery to be left pending');
    const takeoverMs = Date.now() - killedAt;
    const freedAt = survivors
      .flatMap((p) => p.logs().split('\n'))
      .filter((line) => line.includes('freed the leases'))
      .map((line) => JSON.parse(line).time as number);
    const freedMs = freedAt.length > 0 ? Math.min(...freedAt) - killedAt : null;
    t.diagnostic(`takeover: victim's leases freed ${freedMs} ms, all work done ${takeoverMs} ms after kill -9 (${accepted.size} accepted)`);
    console.log(`# takeover after kill -9: ${takeoverMs} ms`);
    assert.ok(takeoverMs <= TAKEOVER_BOUND_MS, `the rest was delivered ${takeoverMs} ms after the kill (bound ${TAKEOVER_BOUND_MS} ms)`);
    const counts = new Map<string, number>();
    for (const r of receiver.requests.slice(before)) counts.set(r.json.event_id, (counts.get(r.json.event_id) ?? 0) + 1);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    // Only deliveries the victim held (at most 2 × its per-webhook concurrency) may arrive twice.
    assert.ok(duplicates <= 128, `duplicates ${duplicates} are bounded by what the killed process held`);
    processes = survivors;
  });

  it('honour a config change made through one process in every other within 2 seconds', async () => {
    const [a, b] = processes;
    const other = await startReceiver();
    try {
      const webhook = await createWebhook(a, { url: receiver.url, event_types: ['badge.awarded'] });
      await eventually(async () => (await b.api('POST', '/v1/events', { event_type: 'badge.awarded', data: {} })).body.deliveries === 1, 2000, 'B to see the new webhook');
      const changedAt = Date.now();
      await a.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: false });
      await eventually(async () => (await b.api('POST', '/v1/events', { event_type: 'badge.awarded', data: {} })).body.deliveries === 0, 2000, 'B to honour the disable');
      assert.ok(Date.now() - changedAt <= 2000);
      await a.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: true, url: other.url });
      const movedAt = Date.now();
      await eventually(async () => {
        await b.api('POST', '/v1/events', { event_type: 'badge.awarded', data: { awarded_badge: { badge_id: 'moved' } } });
        return other.requests.length > 0;
      }, 2000, 'B to send to the new URL');
      assert.ok(Date.now() - movedAt <= 2000);
    } finally {
      await other.close();
    }
  });
});
