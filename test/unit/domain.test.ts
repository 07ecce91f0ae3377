import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextStep } from '../../src/domain/retry.ts';
import { DEFAULT_RETRY, successRate, webhookStatus, EMPTY_STATS } from '../../src/domain/webhook.ts';
import { idFloor, isDeliveryId, isUuid, isWebhookId, newDeliveryId, newWebhookId } from '../../src/domain/ids.ts';
import { SecretBox } from '../../src/domain/secret-box.ts';
import { checkFilter, compileFilter } from '../../src/domain/filter.ts';

describe('retry timing', () => {
  const policy = { ...DEFAULT_RETRY, attempts: 2, delaySeconds: 30, timeoutSeconds: 15 };
  it('retries after delaySeconds until 1 + attempts tries, then fails', () => {
    assert.deepEqual(nextStep('retryable', 1, policy, { nowMs: 1000 }), { status: 'pending', nextAttemptAt: 31_000 });
    assert.deepEqual(nextStep('retryable', 2, policy, { nowMs: 1000 }), { status: 'pending', nextAttemptAt: 31_000 });
    assert.deepEqual(nextStep('retryable', 3, policy, { nowMs: 1000 }), { status: 'failed' });
    assert.deepEqual(nextStep('delivered', 3, policy, { nowMs: 1000 }), { status: 'success' });
    assert.deepEqual(nextStep('retryable', 1, { ...policy, attempts: 0 }, { nowMs: 0 }), { status: 'failed' });
  });

  it('ends a permanent failure at once, whatever tries the policy has left', () => {
    assert.deepEqual(nextStep('permanent', 1, policy, { nowMs: 1000 }), { status: 'failed' });
    assert.deepEqual(nextStep('permanent', 1, { ...policy, attempts: 10 }, { nowMs: 1000 }), { status: 'failed' });
  });
});

describe('status and success rate', () => {
  it('follow API.md §4', () => {
    assert.equal(webhookStatus(false, { ...EMPTY_STATS, lastFailureAt: 5 }), 'inactive');
    assert.equal(webhookStatus(true, EMPTY_STATS), 'active');
    assert.equal(webhookStatus(true, { ...EMPTY_STATS, lastSuccessAt: 4, lastFailureAt: 5 }), 'failed');
    assert.equal(webhookStatus(true, { ...EMPTY_STATS, lastSuccessAt: 6, lastFailureAt: 5 }), 'active');
    assert.equal(successRate(EMPTY_STATS), null);
    assert.equal(successRate({ ...EMPTY_STATS, total: 3, succeeded: 2, failed: 1 }), 66.7);
    assert.equal(successRate({ ...EMPTY_STATS, total: 8, succeeded: 7, failed: 1 }), 87.5);
  });
});

describe('ids', () => {
  it('are prefixed and sort by creation time', () => {
    const a = newWebhookId(1_000);
    const b = newWebhookId(1_000);
    const c = newWebhookId(2_000);
    assert.ok(isWebhookId(a) && !isWebhookId(`x${a}`));
    assert.ok(a < b && b < c, 'monotonic within one millisecond');
    assert.ok(isDeliveryId(newDeliveryId()));
    assert.ok(idFloor('wh_', 2_000) <= c && idFloor('wh_', 2_001) > c);
    assert.ok(isUuid('8ab4bda7-7296-4b5e-b0d9-6039773c2dc3'));
    assert.ok(!isUuid('8ab4bda7-7296-4b5e-b0d9-6039773c2dc'));
  });
});

describe('secret box', () => {
  it('round-trips, uses a fresh nonce, and refuses another key or tampering', () => {
    const box = new SecretBox('first-key-0123456789');
    const sealed = box.seal('whsec_abc');
    assert.equal(box.open(sealed), 'whsec_abc');
    assert.notEqual(box.seal('whsec_abc'), sealed);
    assert.ok(!sealed.includes('whsec_abc'));
    assert.throws(() => new SecretBox('second-key-0123456789').open(sealed));
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.throws(() => box.open(tampered));
  });
});

describe('payload filters', () => {
  it('evaluate allowed operators on the envelope', () => {
    const match = compileFilter({ 'data.awarded_reward.reward_id': { $in: ['REW-1', 'REW-2'] }, user_id: { $regex: '^john', $options: 'i' } });
    assert.equal(match({ user_id: 'John', data: { awarded_reward: { reward_id: 'REW-2' } } }), true);
    assert.equal(match({ user_id: 'John', data: { awarded_reward: { reward_id: 'REW-3' } } }), false);
    assert.equal(compileFilter({ $or: [{ 'data.n': { $gte: 10 } }, { 'data.flag': { $exists: true } }] })({ data: { flag: 1 } }), true);
    assert.equal(compileFilter({ 'data.n': { $not: { $lt: 5 } } })({ data: { n: 7 } }), true);
  });

  it('refuse code execution, prototype keys, unknown operators and dangerous regexes', () => {
    assert.match(checkFilter({ $where: 'this.x == 1' })[0].message, /\$where/);
    assert.match(checkFilter(JSON.parse('{"__proto__": {"x": 1}}'))[0].message, /__proto__/);
    assert.match(checkFilter({ 'data.constructor.prototype': 1 })[0].message, /forbidden/);
    assert.match(checkFilter({ x: { $function: 'f' } })[0].message, /\$function/);
    assert.match(checkFilter({ x: { $regex: '(a+)+$' } })[0].message, /nested quantifier/);
    assert.match(checkFilter({ x: { $regex: 'a'.repeat(201) } })[0].message, /longer/);
    assert.match(checkFilter({ x: { $regex: '(' } })[0].message, /not a valid/);
    assert.equal(checkFilter([] as unknown as object)[0].field, 'filter');
    assert.deepEqual(checkFilter({ 'data.x': { $eq: 1 } }), []);
    assert.throws(() => compileFilter({ $where: 'true' }));
  });
});
