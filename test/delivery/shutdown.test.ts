// Graceful stop with a try in flight to a receiver that never answers: after
// HERALD_SHUTDOWN_GRACE_SECONDS the try is aborted, nothing is recorded for it, its lease is given
// back, the store closes cleanly and the process exits 0; after a restart the delivery is sent
// again (at-least-once) and succeeds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, deliveriesOf, deliveryDetail, sendEvent } from '../helpers/fixtures.ts';

/** pino levels: 50 error, 60 fatal. */
function errorLines(logs: string): string[] {
  return logs.split('\n').filter((line) => {
    try {
      return JSON.parse(line).level >= 50;
    } catch {
      return false;
    }
  });
}

describe('graceful stop with a try in flight', () => {
  let receiver: Receiver;
  let h: Herald | undefined;

  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await h?.stop();
    await receiver.close();
  });

  it('aborts the hanging try after the grace period, exits 0, and sends it again after a restart', async (t) => {
    const env = { HERALD_SHUTDOWN_GRACE_SECONDS: '1' };
    receiver.respondWith(() => ({ hang: true }));
    const first = await startHerald({ env });
    h = first;
    await createWebhook(first, { url: receiver.url, retry: { attempts: 3, delay_seconds: 1, timeout_seconds: 60 } });
    const accepted = await sendEvent(first);
    await receiver.waitFor(1);

    const stoppedAt = Date.now();
    const code = await first.stop();
    const stopMs = Date.now() - stoppedAt;
    t.diagnostic(`stopped ${stopMs} ms after SIGTERM (grace 1 s, webhook timeout 60 s)`);
    assert.equal(code, 0, `exit code 0 (logs:\n${first.logs()})`);
    assert.ok(stopMs < 15_000, `stopped in ${stopMs} ms, long before the 60 s timeout`);
    assert.deepEqual(errorLines(first.logs()), [], 'nothing logged at error or fatal level');

    receiver.respondWith(() => ({ status: 200, body: 'ok' }));
    h = await startHerald({ dataDir: first.dataDir, env });
    const restarted = h;
    await receiver.waitFor(2, 20_000);
    const [done] = await eventually(async () => {
      const rows = await deliveriesOf(restarted, accepted.event_id);
      return rows.length === 1 && rows[0].status === 'success' && rows;
    }, 20_000, 'the delivery to be sent again and succeed');
    const detail = await deliveryDetail(restarted, done.id);
    assert.deepEqual(
      detail.attempt_log.map((a: any) => [a.attempt, a.status_code]),
      [[1, 200]],
      'the aborted try left no attempt behind',
    );
    assert.equal(receiver.requests[1].json.event_id, accepted.event_id);
  });
});
