// API.md §10 on a real Herald and a real receiver: per-member ordering under retries and kill -9,
// and superseding with a failing receiver. Runs on SQLite and (HERALD_TEST_STORE=postgres) PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { assertMemberOrder, startMemberReceiver, type MemberReceiver } from '../helpers/member-receiver.ts';
import { createWebhook, rewardEvent } from '../helpers/fixtures.ts';

const balance = (userId: string, points: number) => ({
  event_type: 'point_balance.user_updated',
  user_id: userId,
  data: { user_balance: { user_id: userId, points_balance: points } },
});

/** Sends each member's events in order (batches in request order, singles in between); returns them per member. */
async function sendInterleaved(h: Herald, members: string[], perMember: number, tag: string): Promise<Map<string, string[]>> {
  const accepted = new Map<string, string[]>(members.map((m) => [m, []]));
  for (let round = 0; round < perMember; round += 2) {
    // Two events per member in one batch, members interleaved: request order is acceptance order.
    const events = members.flatMap((m) => [0, 1].filter((k) => round + k < perMember).map((k) => ({ ...rewardEvent(`${tag}-${round + k}`), user_id: m })));
    const response = await h.api('POST', '/v1/events/batch', { events });
    assert.equal(response.status, 202, response.text);
    response.body.data.forEach((item: any, i: number) => {
      assert.equal(item.status, 202, JSON.stringify(item));
      accepted.get(events[i].user_id)!.push(item.event_id);
    });
  }
  return accepted;
}

describe('ordering by member', () => {
  let h: Herald | undefined;
  let receiver: MemberReceiver;

  before(async () => {
    receiver = await startMemberReceiver();
  });
  after(async () => {
    await h?.stop();
    await receiver.close();
  });

  it('one delivery per member at a time, in acceptance order, with retries (a receiver that fails, then succeeds)', async () => {
    h = await startHerald();
    await createWebhook(h, { url: receiver.url, ordering: 'member', retry: { attempts: 5, delay_seconds: 0, timeout_seconds: 5 } });
    // Every third event fails twice before it succeeds; answers take a little while.
    receiver.answer = (a) => {
      const index = Number(JSON.parse(a.body).data.awarded_reward.reward_id.split('-').pop());
      return { status: index % 3 === 0 && a.nth <= 2 ? 500 : 200, delayMs: 3 + (a.eventId.charCodeAt(0) % 7) };
    };
    const members = Array.from({ length: 12 }, (_, i) => `retry-member-${i}`);
    const accepted = await sendInterleaved(h, members, 8, 'R');
    await receiver.waitForDistinct(12 * 8, 60_000);
    const rows = await eventually(async () => {
      const r = await h!.api('GET', `/v1/deliveries?user_id=${members[0]}`);
      return r.body.data.every((d: any) => d.status === 'success') && r.body.data;
    }, 20_000, 'every delivery of the first member final');
    assertMemberOrder(receiver, accepted);
    assert.ok(receiver.arrivals.some((a) => a.nth === 3), 'retries happened');
    assert.equal(receiver.maxInFlightPerMember(), 1);
    assert.equal(rows.length, 8);
    assert.ok(rows.every((d: any) => d.user_id === members[0]));
    await h.stop();
    h = undefined;
  });

  it('keeps the order across kill -9 and a restart', async () => {
    const before = receiver.arrivals.length;
    receiver.answer = () => ({ status: 200, delayMs: 150 });
    const first = await startHerald({ env: { HERALD_WEBHOOK_CONCURRENCY: '8' } });
    h = first;
    await createWebhook(first, { url: receiver.url, ordering: 'member', retry: { attempts: 10, delay_seconds: 1, timeout_seconds: 5 } });
    const members = Array.from({ length: 6 }, (_, i) => `kill-member-${i}`);
    const accepted = await sendInterleaved(first, members, 8, 'K');
    await eventually(async () => receiver.arrivals.length >= before + 8, 20_000, 'a few arrivals before the kill');
    await first.kill();
    const distinctAtKill = new Set(receiver.arrivals.slice(before).map((a) => a.eventId)).size;
    assert.ok(distinctAtKill < 48, 'the kill left work undone');
    receiver.answer = () => ({ status: 200, delayMs: 5 });
    h = await startHerald({ dataDir: first.dataDir, databaseUrl: first.databaseUrl });
    await eventually(async () => new Set(receiver.arrivals.slice(before).map((a) => a.eventId)).size === 48, 60_000, 'every event after the restart');
    assertMemberOrder(receiver, accepted);
  });
});

describe('superseding', () => {
  let h: Herald;
  let receiver: MemberReceiver;

  before(async () => {
    receiver = await startMemberReceiver();
    h = await startHerald();
  });
  after(async () => {
    await h.stop();
    await receiver.close();
  });

  it('a newer balance ends older pending ones as superseded; the receiver gets the latest, not a replay', async () => {
    let isDown = true;
    receiver.answer = () => ({ status: isDown ? 503 : 200 });
    const webhook = await createWebhook(h, {
      url: receiver.url,
      event_types: ['point_balance.user_updated', 'reward.awarded'],
      supersede: ['point_balance.user_updated'],
      retry: { attempts: 5, delay_seconds: 2, timeout_seconds: 5 },
    });
    assert.deepEqual(webhook.supersede, ['point_balance.user_updated']);
    const send = async (event: object) => {
      const r = await h.api('POST', '/v1/events', event);
      assert.equal(r.status, 202, r.text);
      return r.body.event_id as string;
    };
    const first = await send(balance('jane', 100));
    // Tried once and failed: pending, waiting for its retry (not in flight).
    await eventually(async () => receiver.arrivals.some((a) => a.eventId === first), 10_000, 'the first balance tried');
    const status = async (eventId: string) => (await h.api('GET', `/v1/events/${eventId}`)).body.deliveries[0];
    await eventually(async () => (await status(first)).attempts === 1, 10_000, 'the failed try recorded');
    const reward = await send({ ...rewardEvent('SUP-1'), user_id: 'jane' });
    const second = await send(balance('jane', 200));
    await eventually(async () => (await status(second)).attempts === 1, 10_000, 'the second balance failed once (no longer in flight)');
    const other = await send(balance('john', 5));
    const third = await send(balance('jane', 300));
    isDown = false;
    await eventually(async () => (await status(third)).status === 'success', 20_000, 'the latest balance delivered');
    const first1 = await status(first);
    assert.equal(first1.status, 'superseded');
    assert.equal((await status(second)).status, 'superseded');
    await eventually(async () => (await status(reward)).status === 'success', 20_000, 'another type is not superseded');
    await eventually(async () => (await status(other)).status === 'success', 20_000, 'another member delivered');
    assert.equal(receiver.arrivals.filter((a) => a.eventId === first).length, 1, 'the first was never sent again after its failed try');
    assert.equal(receiver.arrivals.filter((a) => a.eventId === second).length, 1, 'the second was never sent again after its failed try');
    const listed = await h.api('GET', `/v1/deliveries?status=superseded&webhook_id=${webhook.id}`);
    assert.equal(listed.body.data.length, 2);
    // Superseded counts like cancelled: not in the stats.
    const stats = (await h.api('GET', `/v1/webhooks/${webhook.id}`)).body.stats;
    assert.equal(stats.total, 3, JSON.stringify(stats));
    // A manual retry accepts a superseded delivery.
    const retried = await h.api('POST', `/v1/deliveries/${first1.id}/retry`);
    assert.equal(retried.status, 202, retried.text);
    await eventually(async () => (await status(first)).status === 'success', 20_000, 'the retried one delivered');
  });
});
