// kill -9 at a bad moment loses no accepted event: every 202 reaches the receiver (at least once)
// after a restart on the same SQLite file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, rewardEvent } from '../helpers/fixtures.ts';

describe('durability', () => {
  let receiver: Receiver;
  let h: Herald | undefined;

  before(async () => {
    receiver = await startReceiver();
    receiver.respondWith(() => ({ status: 200, delayMs: 300 }));
  });
  after(async () => {
    await h?.stop();
    await receiver.close();
  });

  it('delivers every accepted event after kill -9 and a restart', async () => {
    // A slow receiver and few connections: a backlog builds, so the kill cuts real work.
    const first = await startHerald({ env: { HERALD_WEBHOOK_CONCURRENCY: '4' } });
    h = first;
    await createWebhook(first, { url: receiver.url, retry: { attempts: 10, delay_seconds: 1, timeout_seconds: 5 } });

    const accepted = new Set<string>();
    let isKilled = false;
    const sendLoop = async (worker: number) => {
      for (let i = 0; !isKilled; i++) {
        try {
          const batch = Array.from({ length: 5 }, (_, j) => rewardEvent(`REW-${worker}-${i}-${j}`));
          const response = await first.api('POST', '/v1/events/batch', { events: batch });
          if (response.status !== 202) continue;
          for (const item of response.body.data) if (item.status === 202) accepted.add(item.event_id);
        } catch {
          return; // the server died under us: this request was never answered, so never accepted
        }
      }
    };
    const senders = Array.from({ length: 4 }, (_, worker) => sendLoop(worker));
    await receiver.waitFor(8, 20_000);
    isKilled = true;
    await first.kill();
    await Promise.all(senders);
    assert.ok(accepted.size >= 20, `enough events were accepted before the kill (${accepted.size})`);
    const receivedBeforeRestart = new Set(receiver.requests.map((r) => r.json.event_id)).size;
    assert.ok(receivedBeforeRestart < accepted.size, 'the kill left work undone (otherwise the test proves nothing)');

    h = await startHerald({ dataDir: first.dataDir, env: { HERALD_WEBHOOK_CONCURRENCY: '16' } });
    const received = () => new Set(receiver.requests.map((r) => r.json.event_id));
    const deadline = Date.now() + 60_000;
    while ([...accepted].some((id) => !received().has(id))) {
      assert.ok(Date.now() < deadline, `every accepted event arrives: missing ${[...accepted].filter((id) => !received().has(id)).length}`);
      await receiver.waitFor(receiver.requests.length + 1, 60_000);
    }
    for (const id of accepted) assert.ok(received().has(id));
  });
});
