// API.md §10 ordering with three Herald processes on one PostgreSQL database: the store's claim,
// not any process's memory, decides which delivery of a member may go next.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { assertMemberOrder, startMemberReceiver, type MemberReceiver } from '../helpers/member-receiver.ts';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.ts';
import { createWebhook, rewardEvent } from '../helpers/fixtures.ts';

const isAvailable = await postgresAvailable();

describe('ordering by member across three PostgreSQL processes', { skip: !isAvailable && 'no PostgreSQL server' }, () => {
  let database: TestDatabase;
  let processes: Herald[] = [];
  let receiver: MemberReceiver;

  before(async () => {
    database = await createTestDatabase();
    receiver = await startMemberReceiver();
    processes = await Promise.all([0, 1, 2].map(() => startHerald({ databaseUrl: database.url, timeoutMs: 60_000 })));
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await receiver.close();
    await database.drop();
  });

  it('never two of one member at once, acceptance order kept, events accepted by any process; then with one killed', async () => {
    await createWebhook(processes[0], { url: receiver.url, ordering: 'member', retry: { attempts: 5, delay_seconds: 0, timeout_seconds: 5 } });
    // Wait until every process has seen the webhook (config changes reach them by NOTIFY or within 1 s).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    receiver.answer = (a) => ({ status: a.nth === 1 && a.eventId.endsWith('0') ? 500 : 200, delayMs: 2 + (a.eventId.charCodeAt(1) % 10) });
    const members = Array.from({ length: 20 }, (_, i) => `cluster-member-${i}`);
    const accepted = new Map<string, string[]>(members.map((m) => [m, []]));
    // Each round's batch goes to a different process; a member's events are accepted one batch
    // after the other, so acceptance order is well defined.
    for (let round = 0; round < 10; round++) {
      const target = processes[round % (round > 6 ? 2 : 3)];
      const events = members.map((m) => ({ ...rewardEvent(`C-${round}`), user_id: m }));
      const response = await target.api('POST', '/v1/events/batch', { events });
      assert.equal(response.status, 202, response.text);
      response.body.data.forEach((item: any, i: number) => accepted.get(members[i])!.push(item.event_id));
      if (round === 6) await processes[2].kill(); // mid-stream: its leases are taken over
    }
    await receiver.waitForDistinct(200, 90_000);
    assertMemberOrder(receiver, accepted);
    await eventually(async () => {
      const r = await processes[0].api('GET', `/v1/deliveries?user_id=${members[5]}&limit=50`);
      return r.body.data.length === 10 && r.body.data.every((d: any) => d.status === 'success');
    }, 30_000, 'every delivery of a member final');
  });
});
