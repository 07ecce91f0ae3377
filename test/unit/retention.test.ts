// RetentionJob's rules with an injected clock and a scripted store: interval, batch sizing, and a
// cycle that purges batch after batch, stops when done or when another process holds the lock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BATCH_BUDGET_MS, DAY_MS, nextBatchSize, purgeIntervalMs, RetentionJob, type RetentionStore } from '../../src/maintenance/retention.ts';
import type { PurgeCounts } from '../../src/store/ports.ts';

const quiet = { info() {}, error() {} };

describe('retention rules', () => {
  it('purges every half retention, between 0.5 s and 60 s', () => {
    assert.equal(purgeIntervalMs(30), 60_000);
    assert.equal(purgeIntervalMs(0.00002), (0.00002 * DAY_MS) / 2);
    assert.equal(purgeIntervalMs(0.000001), 500);
  });

  it('sizes batches to the 50 ms budget', () => {
    assert.equal(nextBatchSize(500, BATCH_BUDGET_MS + 1), 250, 'too slow: halve');
    assert.equal(nextBatchSize(20, 500), 20, 'never below 20');
    assert.equal(nextBatchSize(500, 5), 1000, 'quick: double');
    assert.equal(nextBatchSize(4000, 1), 5000, 'never above 5000');
    assert.equal(nextBatchSize(500, 30), 500, 'about right: keep');
  });

  it('runs batches until one comes back short, counts per table, reclaims space once', async () => {
    const calls: Array<{ beforeMs: number; limit: number }> = [];
    let reclaimed = 0;
    let left = 1120; // old rows in the table
    const store: RetentionStore = {
      async purgeExpired(beforeMs, limit) {
        calls.push({ beforeMs, limit });
        const n = Math.min(limit, left);
        left -= n;
        return { events: n, deliveries: 2 * n, attempts: 3 * n, scanned: n } satisfies PurgeCounts;
      },
      async reclaimSpace() {
        reclaimed++;
      },
    };
    const purged: Record<string, number> = {};
    const job = new RetentionJob(store, quiet, { retentionDays: 1, clock: () => 10 * DAY_MS, onPurged: (t, n) => (purged[t] = (purged[t] ?? 0) + n) });
    const total = await job.runCycle();
    assert.deepEqual(total, { events: 1120, deliveries: 2240, attempts: 3360, scanned: 1120 });
    assert.deepEqual(purged, { events: 1120, deliveries: 2240, attempts: 3360 });
    assert.ok(calls.every((c) => c.beforeMs === 9 * DAY_MS), 'cut-off = now - retention');
    assert.deepEqual(calls.map((c) => c.limit), [500, 1000], 'a quick batch doubles the next; a short one ends the cycle');
    assert.equal(reclaimed, 1);
  });

  it('stops when another process purges, and does nothing at 0 days', async () => {
    let calls = 0;
    const store: RetentionStore = {
      async purgeExpired() {
        calls++;
        return null;
      },
      async reclaimSpace() {
        throw new Error('nothing was purged');
      },
    };
    const total = await new RetentionJob(store, quiet, { retentionDays: 1 }).runCycle();
    assert.deepEqual([calls, total.events], [1, 0]);
    const off = new RetentionJob(store, quiet, { retentionDays: 0 });
    assert.equal(off.isEnabled, false);
    off.start();
    await off.stop();
    assert.equal(calls, 1);
  });
});
