// DeliveryCounters: what the engine holds and sends, and the limits on both.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryCounters, type CounterLimits } from '../../src/delivery/counters.ts';

const LIMITS: CounterLimits = { concurrency: 3, webhookConcurrency: 2, maxHeld: 10, maxHeldPerWebhook: 4, maxUnsettledPerWebhook: 3 };

function counters(limits: Partial<CounterLimits> = {}) {
  let nowMs = 1_000;
  const c = new DeliveryCounters({ ...LIMITS, ...limits }, () => nowMs);
  return { c, advance: (ms: number) => (nowMs += ms) };
}

describe('DeliveryCounters', () => {
  it('holds up to the per-webhook and the total limit', () => {
    const { c } = counters();
    for (let i = 0; i < 4; i++) {
      assert.ok(c.canHold('a'));
      c.hold('a');
    }
    assert.equal(c.canHold('a'), false, 'per-webhook limit');
    c.hold('b', 4);
    c.hold('c', 2);
    assert.equal(c.totalHeld, 10);
    assert.equal(c.canHold('d'), false, 'total limit');
    c.unhold('a');
    assert.ok(c.canHold('a'));
    assert.equal(c.held('a'), 3);
  });

  it('shares the claim budget fairly among webhooks with room', () => {
    const { c } = counters({ maxHeld: 9, maxHeldPerWebhook: 5 });
    c.hold('full', 5);
    assert.deepEqual(c.claimLimits(['full', 'x', 'y']), [
      { webhookId: 'x', limit: 2 },
      { webhookId: 'y', limit: 2 },
    ]);
    c.hold('x', 4);
    assert.deepEqual(c.claimLimits(['full', 'x', 'y']), [], 'no budget left');
    assert.deepEqual(counters().c.claimLimits([]), []);
    const tight = counters({ maxHeld: 2, maxHeldPerWebhook: 5 }).c;
    assert.deepEqual(tight.claimLimits(['a', 'b', 'c']).map((l) => l.limit), [1, 1, 1], 'at least one each');
  });

  it('starts tries within the global, per-webhook and unsettled limits', () => {
    const { c } = counters();
    const a1 = c.startTry('a');
    c.startTry('a');
    assert.equal(c.canStart('a'), false, 'per-webhook concurrency');
    assert.ok(c.canStart('b'));
    c.startTry('b');
    assert.equal(c.inFlight, 3);
    assert.equal(c.hasFreeSlot, false);
    assert.equal(c.canStart('c'), false, 'global concurrency');
    c.endTry('a', a1);
    assert.equal(c.inFlight, 2);
    assert.ok(c.canStart('a'));
    c.endTry('a', a1);
    assert.equal(c.inFlight, 2, 'ending a try twice changes nothing');
  });

  it('stops a webhook while too many of its sent tries are unrecorded', () => {
    const { c } = counters({ concurrency: 10, webhookConcurrency: 10 });
    for (let i = 0; i < 3; i++) c.endTry('a', c.startTry('a'));
    assert.equal(c.inFlight, 0);
    assert.equal(c.unsettled('a'), 3);
    assert.equal(c.canStart('a'), false, 'three sent, none recorded');
    c.settle('a');
    assert.ok(c.canStart('a'));
    assert.equal(c.unsettled('a'), 2);
  });

  it('tells the time and the age of the oldest try in flight from the injected clock', () => {
    const { c, advance } = counters();
    assert.equal(c.now(), 1_000);
    assert.equal(c.oldestInFlightMs(), null);
    const first = c.startTry('a');
    advance(250);
    c.startTry('b');
    advance(100);
    assert.equal(c.now(), 1_350);
    assert.equal(c.oldestInFlightMs(), 350);
    c.endTry('a', first);
    assert.equal(c.oldestInFlightMs(), 100);
  });
});
