// API.md §9 timing rules, pure: backoff with a fixed clock and an injected random, Retry-After
// parsing, the rate-limit bucket, and the AIMD in-flight limit with the counters' injected clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RETRY_AFTER_MS, nextStep, parseRetryAfter, retryDelayMs } from '../../src/domain/retry.ts';
import { rateShare, TokenBucket } from '../../src/domain/rate-limit.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../../src/domain/webhook.ts';
import { signalsOverload } from '../../src/domain/attempt.ts';
import { DeliveryCounters } from '../../src/delivery/counters.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const exponential: RetryPolicy = { ...DEFAULT_RETRY, attempts: 10, delaySeconds: 10, backoff: 'exponential', maxDelaySeconds: 60 };
const middle = () => 0.5; // no jitter: 0.8 + 0.4 × 0.5 = 1

describe('backoff', () => {
  it('fixed waits delay_seconds exactly, whatever the random source says', () => {
    const fixed = { ...DEFAULT_RETRY, delaySeconds: 7 };
    for (const r of [0, 0.3, 0.999]) for (const n of [1, 2, 5]) assert.equal(retryDelayMs(fixed, n, () => r), 7000);
  });

  it('exponential doubles per retry up to max_delay_seconds', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(exponential, n, middle)), [10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    assert.equal(retryDelayMs({ ...exponential, maxDelaySeconds: 86_400 }, 200, middle), 86_400_000, 'a huge exponent stays capped');
    assert.equal(retryDelayMs({ ...exponential, delaySeconds: 0 }, 3, middle), 0);
  });

  it('spreads each exponential wait by ±20 %', () => {
    assert.equal(retryDelayMs(exponential, 1, () => 0), 8_000);
    assert.equal(retryDelayMs(exponential, 1, () => 0.999_999), 12_000);
    assert.equal(retryDelayMs(exponential, 4, () => 0), 48_000, 'jitter applies after the cap');
    assert.equal(retryDelayMs(exponential, 1, () => Number.NaN), 8_000, 'a broken random source stays in bounds');
    assert.equal(retryDelayMs(exponential, 1, () => 5), 12_000);
  });

  it('nextStep uses the round try count as the retry number', () => {
    const step = (tries: number) => nextStep('retryable', tries, exponential, { nowMs: NOW, random: middle });
    assert.deepEqual(step(1), { status: 'pending', nextAttemptAt: NOW + 10_000 });
    assert.deepEqual(step(3), { status: 'pending', nextAttemptAt: NOW + 40_000 });
    assert.deepEqual(step(11), { status: 'failed' });
  });
});

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('120', NOW), 120_000);
    assert.equal(parseRetryAfter(' 3 ', NOW), 3_000);
    assert.equal(parseRetryAfter('1.5', NOW), 1_500);
    assert.equal(parseRetryAfter('0', NOW), 0);
    assert.equal(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90_000);
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 12:00:30 GMT', NOW), 30_000);
    assert.equal(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), NOW), 0, 'a date in the past: no wait');
  });

  it('ignores garbage, negative and empty values and caps huge ones at 24 h', () => {
    for (const bad of [null, undefined, '', '   ', '-5', 'soon', '12abc', '1e9', 'NaN', 'Infinity', '0x10', 'x'.repeat(500)]) {
      assert.equal(parseRetryAfter(bad as string | null, NOW), null, `ignored: ${String(bad).slice(0, 20)}`);
    }
    assert.equal(parseRetryAfter('999999999999999999999', NOW), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfter('86401', NOW), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfter('Fri, 01 Dec 2100 00:00:00 GMT', NOW), MAX_RETRY_AFTER_MS);
  });

  it('the next try waits the longer of the policy delay and Retry-After', () => {
    const fixed = { ...DEFAULT_RETRY, delaySeconds: 5 };
    assert.deepEqual(nextStep('retryable', 1, fixed, { nowMs: NOW, retryAfter: '2' }), { status: 'pending', nextAttemptAt: NOW + 5_000 });
    assert.deepEqual(nextStep('retryable', 1, fixed, { nowMs: NOW, retryAfter: '30' }), { status: 'pending', nextAttemptAt: NOW + 30_000 });
    assert.deepEqual(nextStep('retryable', 1, fixed, { nowMs: NOW, retryAfter: 'garbage' }), { status: 'pending', nextAttemptAt: NOW + 5_000 });
    assert.deepEqual(nextStep('retryable', 1, fixed, { nowMs: NOW, retryAfter: '99999999' }), { status: 'pending', nextAttemptAt: NOW + MAX_RETRY_AFTER_MS });
    assert.deepEqual(nextStep('retryable', 4, fixed, { nowMs: NOW, retryAfter: '30' }), { status: 'failed' }, 'no tries left: Retry-After changes nothing');
  });

  it('429, 503 and timeouts signal overload; other failures do not', () => {
    assert.ok(signalsOverload({ outcome: 'http_error', statusCode: 429 }));
    assert.ok(signalsOverload({ outcome: 'http_error', statusCode: 503 }));
    assert.ok(signalsOverload({ outcome: 'timeout', statusCode: null }));
    assert.ok(!signalsOverload({ outcome: 'http_error', statusCode: 500 }));
    assert.ok(!signalsOverload({ outcome: 'network_error', statusCode: null }));
    assert.ok(!signalsOverload({ outcome: 'success', statusCode: 200 }));
  });
});

describe('rate limit bucket', () => {
  it('allows one second’s worth at once, then refills at the rate', () => {
    const b = new TokenBucket(5, 0);
    for (let i = 0; i < 5; i++) assert.ok(b.tryTake(0), `token ${i}`);
    assert.equal(b.tryTake(0), false);
    assert.equal(b.waitMs(0), 200);
    assert.equal(b.tryTake(199), false);
    assert.ok(b.tryTake(200));
    assert.ok(b.tryTake(10_000));
    let taken = 0;
    for (let i = 0; i < 100; i++) if (b.tryTake(10_000)) taken++;
    assert.equal(taken, 4, 'never more than one second’s worth banked');
  });

  it('a share below 1/s still sends one at a time; shares split the limit', () => {
    assert.equal(rateShare(10, 4), 2.5);
    assert.equal(rateShare(10, 0), 10);
    const b = new TokenBucket(rateShare(1, 4), 0);
    assert.ok(b.tryTake(0));
    assert.equal(b.waitMs(0), 4_000);
    assert.ok(b.tryTake(4_000));
  });

  it('a new rate keeps what is banked, within the new size', () => {
    const b = new TokenBucket(10, 0);
    b.setRate(2, 0);
    assert.ok(b.tryTake(0) && b.tryTake(0));
    assert.equal(b.tryTake(0), false);
  });
});

describe('AIMD in-flight limit', () => {
  function counters(cap = 16) {
    let nowMs = 1_000;
    const c = new DeliveryCounters(
      { concurrency: 100, webhookConcurrency: cap, maxHeld: 1000, maxHeldPerWebhook: 100, maxUnsettledPerWebhook: 100 },
      () => nowMs,
    );
    return { c, advance: (ms: number) => (nowMs += ms) };
  }

  it('halves on overload (down to 1), grows by one per success up to the cap', () => {
    const { c, advance } = counters(16);
    assert.equal(c.inflightLimit('w'), 16);
    const seen: Array<number | null> = [];
    for (let i = 0; i < 6; i++) {
      const t = c.startTry('w');
      advance(10);
      seen.push(c.feedback('w', t, 'overload'));
      c.endTry('w', t);
      advance(10);
    }
    assert.deepEqual(seen, [8, 4, 2, 1, null, null]);
    assert.equal(c.inflightLimit('w'), 1);
    const t = c.startTry('w');
    assert.equal(c.canStart('w'), false, 'at the limit of 1');
    assert.equal(c.feedback('w', t, 'success'), 2);
    c.endTry('w', t);
    for (let i = 0; i < 20; i++) {
      const s = c.startTry('w');
      c.feedback('w', s, 'success');
      c.endTry('w', s);
    }
    assert.equal(c.inflightLimit('w'), 16, 'back to the cap, not beyond');
  });

  it('one burst of overloads from tries sent under the old limit cuts once', () => {
    const { c, advance } = counters(16);
    const burst = Array.from({ length: 10 }, () => c.startTry('w'));
    advance(50);
    assert.equal(c.feedback('w', burst[0], 'overload'), 8);
    for (const t of burst.slice(1)) assert.equal(c.feedback('w', t, 'overload'), null);
    assert.equal(c.inflightLimit('w'), 8);
    advance(1);
    const later = c.startTry('w');
    advance(50);
    assert.equal(c.feedback('w', later, 'overload'), 4, 'a try sent after the cut cuts again');
  });

  it('at limit 1, paces a receiver that stays overloaded: 100 ms doubling to 1 s, until a success', () => {
    const { c, advance } = counters(2);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      advance(c.pacedForMs('w'));
      assert.ok(c.canStart('w'), `try ${i + 1} may start once its wait is over`);
      const t = c.startTry('w');
      advance(5);
      c.feedback('w', t, 'overload');
      c.endTry('w', t);
      waits.push(c.pacedForMs('w'));
      if (waits[i] > 0) assert.equal(c.canStart('w'), false, 'paced');
    }
    assert.deepEqual(waits, [0, 100, 200, 400, 800, 1000, 1000], 'the first overload cuts 2 → 1; from then on each one paces');
    advance(1000);
    const ok = c.startTry('w');
    c.feedback('w', ok, 'success');
    c.endTry('w', ok);
    assert.equal(c.pacedForMs('w'), 0, 'a success ends the pacing');
    assert.equal(c.inflightLimit('w'), 2);
    assert.equal(c.pacedForMs('other'), 0);
  });

  it('neutral outcomes change nothing; limits are per webhook', () => {
    const { c, advance } = counters(4);
    const a = c.startTry('a');
    const b = c.startTry('b');
    advance(5);
    assert.equal(c.feedback('a', a, 'neutral'), null);
    assert.equal(c.feedback('b', b, 'overload'), 2);
    assert.equal(c.inflightLimit('a'), 4);
    assert.equal(c.inflightLimit('b'), 2);
    c.endTry('b', b);
    assert.equal(c.feedback('b', b, 'success'), null, 'a try already ended gives no feedback');
  });
});
