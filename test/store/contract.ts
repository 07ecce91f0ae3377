// The store contract: what every adapter must do, written against the Store port only.
// Each adapter's test file calls storeContract() with a way to open a fresh, empty store.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { newDeliveryId, newWebhookId, type DeliveryId } from '../../src/domain/ids.ts';
import { DEFAULT_RETRY } from '../../src/domain/webhook.ts';
import { lifecycleContract } from './contract-lifecycle.ts';
import { NameTakenError, type AttemptRecord, type NewEvent, type Store, type WebhookRow } from '../../src/store/ports.ts';

export interface OpenedForTest {
  store: Store;
  close(): Promise<void>;
}

export function webhookRow(overrides: Partial<WebhookRow> = {}): WebhookRow {
  const now = Date.now();
  return {
    id: newWebhookId(),
    name: `hook ${Math.random().toString(36).slice(2)}`,
    url: 'http://127.0.0.1:9/hook',
    method: 'POST',
    description: null,
    enabled: true,
    authType: 'none',
    authUsername: null,
    secretHint: null,
    authSealed: null,
    eventTypes: ['reward.awarded'],
    filter: null,
    retry: { ...DEFAULT_RETRY },
    rateLimitPerSecond: null,
    headers: {},
    ordering: 'none',
    supersede: [],
    autoDisable: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

let eventCounter = 0;

export function newEvent(webhookIds: string[], overrides: Partial<NewEvent> = {}, lease?: { owner: string; until: number }): NewEvent {
  const eventId = `00000000-0000-4000-8000-${String(++eventCounter).padStart(12, '0')}`;
  const createdAt = Date.now();
  return {
    eventId,
    eventType: 'reward.awarded',
    userId: null,
    eventTimestamp: new Date(createdAt).toISOString(),
    body: JSON.stringify({ event_id: eventId }),
    createdAt,
    deliveries: webhookIds.map((webhookId) => ({
      id: newDeliveryId(),
      webhookId: webhookId as WebhookRow['id'],
      leaseOwner: lease?.owner ?? null,
      leaseUntil: lease?.until ?? null,
      supersedes: false,
    })),
    ...overrides,
  };
}

function attempt(deliveryId: DeliveryId, webhookId: string, n: number, next: AttemptRecord['next'], statusCode: number | null = 200): AttemptRecord {
  const isSuccess = next.status === 'success';
  return {
    deliveryId,
    webhookId: webhookId as WebhookRow['id'],
    attempt: n,
    result: {
      verdict: isSuccess ? 'delivered' : next.status === 'failed' ? 'permanent' : 'retryable',
      outcome: isSuccess ? 'success' : statusCode === null ? 'timeout' : 'http_error',
      cause: statusCode === null ? 'timeout' : 'status',
      statusCode,
      error: isSuccess ? null : `HTTP ${statusCode}`,
      responseBody: 'ok',
      // Ended now, as a real try (a fixed "ended 5 ms from now" raced the auto-disable check).
      startedAt: Date.now() - 5,
      durationMs: 5,
      retryAfter: null,
    },
    next,
  };
}

export function storeContract(adapter: string, open: () => Promise<OpenedForTest>): void {
  describe(`store contract: ${adapter}`, () => {
    let opened: OpenedForTest;
    let store: Store;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    const claimAll = (owner: string, webhookIds: string[], limit = 100, now = Date.now()) =>
      store.claimDue({ owner, nowMs: now, leaseUntil: now + 60_000, limits: webhookIds.map((id) => ({ webhookId: id as WebhookRow['id'], limit })) });

    it('stores, reads, updates and soft-deletes webhooks, bumping the config revision', async () => {
      const r0 = await store.configRevision();
      const row = webhookRow({ headers: { 'X-A': '1' }, filter: { 'data.x': { $gt: 1 } } });
      await store.insertWebhook(row);
      assert.deepEqual(await store.getWebhook(row.id), row);
      const r1 = await store.configRevision();
      assert.ok(r1 > r0);
      assert.equal(await store.updateWebhook({ ...row, enabled: false, name: 'Renamed' }), true);
      assert.equal((await store.getWebhook(row.id))!.name, 'Renamed');
      assert.ok((await store.configRevision()) > r1);
      assert.equal(await store.deleteWebhook(row.id, Date.now()), true);
      assert.equal(await store.getWebhook(row.id), undefined);
      assert.equal(await store.deleteWebhook(row.id, Date.now()), false);
      assert.equal(await store.updateWebhook(row), false, 'a deleted webhook cannot be updated');
    });

    it('keeps live names unique ignoring case', async () => {
      const row = webhookRow({ name: 'CRM Sync' });
      await store.insertWebhook(row);
      assert.equal(await store.isNameTaken('crm sync'), true);
      assert.equal(await store.isNameTaken('crm sync', row.id), false);
      await assert.rejects(store.insertWebhook(webhookRow({ name: 'crm SYNC' })), NameTakenError);
      await store.deleteWebhook(row.id, Date.now());
      await store.insertWebhook(webhookRow({ name: 'crm sync' }));
    });

    it('lists webhooks newest first with name, date, status and cursor filters', async () => {
      const base = Date.parse('2026-01-01T00:00:00Z');
      const rows = [0, 1, 2, 3].map((i) =>
        webhookRow({ id: newWebhookId(base + i * 86_400_000), name: `Hook ${i} ${i % 2 ? 'odd' : 'even'}`, createdAt: base + i * 86_400_000, enabled: i !== 3 }),
      );
      for (const row of rows) await store.insertWebhook(row);
      const ids = async (q: Parameters<Store['listWebhooks']>[0]) => (await store.listWebhooks(q)).map((r) => r.name);
      assert.deepEqual(await ids({ limit: 10 }), ['Hook 3 odd', 'Hook 2 even', 'Hook 1 odd', 'Hook 0 even']);
      assert.deepEqual(await ids({ limit: 10, nameContains: 'ODD' }), ['Hook 3 odd', 'Hook 1 odd']);
      assert.deepEqual(await ids({ limit: 10, nameContains: '%' }), [], 'LIKE wildcards are literal');
      assert.deepEqual(await ids({ limit: 10, createdFrom: base + 86_400_000, createdTo: base + 2 * 86_400_000 }), ['Hook 2 even', 'Hook 1 odd']);
      assert.deepEqual(await ids({ limit: 2 }), ['Hook 3 odd', 'Hook 2 even']);
      assert.deepEqual(await ids({ limit: 10, beforeId: rows[2].id }), ['Hook 1 odd', 'Hook 0 even']);
      assert.deepEqual(await ids({ limit: 10, status: 'inactive' }), ['Hook 3 odd']);
      assert.deepEqual(await ids({ limit: 10, status: 'active' }), ['Hook 2 even', 'Hook 1 odd', 'Hook 0 even']);
    });

    it('ingests events with their deliveries, idempotently on event id', async () => {
      const a = webhookRow();
      const b = webhookRow();
      await store.insertWebhook(a);
      await store.insertWebhook(b);
      const first = newEvent([a.id, b.id]);
      const [result] = await store.ingest([first]);
      assert.deepEqual(result, { isNew: true, eventId: first.eventId, eventType: 'reward.awarded', deliveries: 2 });
      const repeat = { ...newEvent([a.id]), eventId: first.eventId, eventType: 'badge.awarded' };
      const other = newEvent([a.id]);
      const results = await store.ingest([repeat, other, { ...other, deliveries: [] }]);
      assert.deepEqual(results.map((r) => [r.isNew, r.eventType, r.deliveries]), [
        [false, 'reward.awarded', 2],
        [true, 'reward.awarded', 1],
        [false, 'reward.awarded', 1],
      ]);
      assert.equal((await store.deliveriesOfEvent(first.eventId)).length, 2);
      assert.equal((await store.deliveriesOfEvent(other.eventId)).length, 1);
      const event = await store.getEvent(first.eventId);
      assert.equal(event!.body, first.body);
      assert.equal(await store.countPending(), 3);
    });

    it('claims each due delivery once, even with concurrent claimers', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      await store.ingest(Array.from({ length: 40 }, () => newEvent([w.id])));
      const [x, y] = await Promise.all([claimAll('owner-x', [w.id], 30), claimAll('owner-y', [w.id], 30)]);
      const ids = [...x, ...y].map((d) => d.id);
      assert.equal(ids.length, 40);
      assert.equal(new Set(ids).size, 40, 'no delivery claimed twice');
      assert.deepEqual(await claimAll('owner-z', [w.id]), [], 'leased deliveries are not claimable');
      assert.ok(x.every((d) => d.body.includes(d.eventId) && d.attempts === 0 && d.roundTries === 0));
    });

    it('limits a claim per webhook so one backlog cannot fill it', async () => {
      const slow = webhookRow();
      const fast = webhookRow();
      await store.insertWebhook(slow);
      await store.insertWebhook(fast);
      await store.ingest(Array.from({ length: 20 }, () => newEvent([slow.id])));
      await store.ingest(Array.from({ length: 3 }, () => newEvent([fast.id])));
      const claimed = await store.claimDue({
        owner: 'o',
        nowMs: Date.now(),
        leaseUntil: Date.now() + 60_000,
        limits: [
          { webhookId: slow.id, limit: 5 },
          { webhookId: fast.id, limit: 5 },
        ],
      });
      assert.equal(claimed.filter((d) => d.webhookId === slow.id).length, 5);
      assert.equal(claimed.filter((d) => d.webhookId === fast.id).length, 3);
    });

    it('lets another owner take over a delivery whose lease expired, and only then', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      const now = Date.now();
      await store.ingest([newEvent([w.id], {}, { owner: 'crashed', until: now + 1000 })]);
      assert.deepEqual(await claimAll('rescuer', [w.id], 10, now), []);
      const taken = await claimAll('rescuer', [w.id], 10, now + 1001);
      assert.equal(taken.length, 1);
      await store.recordAttempts('crashed', [attempt(taken[0].id, w.id, 1, { status: 'success' })]);
      const [row] = await store.deliveriesOfEvent(taken[0].eventId);
      assert.equal(row.status, 'pending', 'the old owner cannot change a delivery it no longer holds');
      await store.recordAttempts('rescuer', [attempt(taken[0].id, w.id, 2, { status: 'success' })]);
      assert.equal((await store.deliveriesOfEvent(taken[0].eventId))[0].status, 'success');
    });

    it('does not claim deliveries before their next attempt time', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      await store.ingest([newEvent([w.id])]);
      const [d] = await claimAll('o', [w.id]);
      const later = Date.now() + 10_000;
      await store.recordAttempts('o', [attempt(d.id, w.id, 1, { status: 'pending', nextAttemptAt: later }, 500)]);
      assert.deepEqual(await claimAll('o', [w.id], 10, later - 1), []);
      const again = await claimAll('o', [w.id], 10, later);
      assert.equal(again.length, 1);
      assert.deepEqual([again[0].attempts, again[0].roundTries], [1, 1]);
    });

    it('records attempts in order, final states, and stats', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      await store.ingest([newEvent([w.id]), newEvent([w.id])]);
      const [d1, d2] = await claimAll('o', [w.id]);
      await store.recordAttempts('o', [attempt(d1.id, w.id, 1, { status: 'pending', nextAttemptAt: Date.now() }, 500), attempt(d2.id, w.id, 1, { status: 'success' }, 201)]);
      const [d1again] = await claimAll('o', [w.id]);
      assert.equal(d1again.id, d1.id);
      await store.recordAttempts('o', [attempt(d1.id, w.id, 2, { status: 'failed' }, 502)]);
      const attempts = await store.listAttempts(d1.id);
      assert.deepEqual(attempts.map((a) => [a.attempt, a.statusCode]), [[1, 500], [2, 502]]);
      const one = await store.getDelivery(d1.id);
      assert.deepEqual([one!.status, one!.attempts, one!.statusCode, one!.error, one!.deliveredAt], ['failed', 2, 502, 'HTTP 502', null]);
      const two = await store.getDelivery(d2.id);
      assert.deepEqual([two!.status, two!.statusCode, two!.error], ['success', 201, null]);
      assert.ok(two!.deliveredAt! >= two!.createdAt);
      const stats = (await store.webhookStats([w.id])).get(w.id)!;
      assert.deepEqual([stats.total, stats.succeeded, stats.failed], [2, 1, 1]);
      assert.ok(stats.lastFailureAt! >= stats.lastSuccessAt!);
      assert.deepEqual(await store.listWebhooks({ limit: 10, status: 'failed' }).then((r) => r.map((x) => x.id)), [w.id]);
    });

    it('requeues a finished delivery as a fresh round and takes it out of the stats', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      await store.ingest([newEvent([w.id])]);
      const [d] = await claimAll('o', [w.id]);
      await store.recordAttempts('o', [attempt(d.id, w.id, 1, { status: 'failed' }, 500)]);
      assert.equal(await store.requeueDelivery(d.id, Date.now()), 'requeued');
      assert.equal(await store.requeueDelivery(d.id, Date.now()), 'pending');
      assert.equal(await store.requeueDelivery('dlv_00000000000000000000ZZ', Date.now()), 'not_found');
      const stats = (await store.webhookStats([w.id])).get(w.id)!;
      assert.deepEqual([stats.total, stats.failed], [0, 0]);
      const [again] = await claimAll('o', [w.id]);
      assert.deepEqual([again.attempts, again.roundTries], [1, 0]);
    });

    it('purges old events whose deliveries are all final, with their deliveries and attempts, in batches; keeps pending ones and stats', async () => {
      const w = webhookRow();
      const w2 = webhookRow();
      await store.insertWebhook(w);
      await store.insertWebhook(w2);
      const old = Date.now() - 60_000;
      const finished = [1, 2, 3, 4, 5].map(() => newEvent([w.id], { createdAt: old }));
      const halfPending = newEvent([w.id, w2.id], { createdAt: old });
      const fresh = newEvent([w.id]);
      await store.ingest([...finished, halfPending, fresh]);
      const claimed = await claimAll('o', [w.id]);
      assert.equal(claimed.length, 7);
      await store.recordAttempts('o', claimed.map((d) => attempt(d.id, w.id, 1, { status: 'success' })));
      const before = (await store.webhookStats([w.id])).get(w.id)!;
      assert.equal(before.succeeded, 7);
      const cutoff = Date.now() - 30_000;

      const first = await store.purgeExpired(cutoff, 2);
      assert.deepEqual(first, { events: 2, deliveries: 2, attempts: 2, scanned: 2 }, 'one batch deletes at most the limit');
      const rest = await store.purgeExpired(cutoff, 100);
      assert.deepEqual(rest, { events: 3, deliveries: 3, attempts: 3, scanned: 3 }, 'the event with a pending delivery is not picked');
      assert.deepEqual(await store.purgeExpired(cutoff, 100), { events: 0, deliveries: 0, attempts: 0, scanned: 0 });
      await store.reclaimSpace();

      for (const e of finished) assert.equal(await store.getEvent(e.eventId), undefined, 'old finished event gone');
      const gone = claimed.find((d) => d.eventId === finished[0].eventId)!;
      assert.equal(await store.getDelivery(gone.id), undefined, 'its delivery gone');
      assert.deepEqual(await store.listAttempts(gone.id), [], 'its attempts gone');
      assert.ok(await store.getEvent(halfPending.eventId), 'an event with a pending delivery is kept');
      assert.equal((await store.deliveriesOfEvent(halfPending.eventId)).length, 2, 'with all its deliveries, final or not');
      assert.ok(await store.getEvent(fresh.eventId), 'a recent event is kept');
      const after = (await store.webhookStats([w.id])).get(w.id)!;
      assert.deepEqual(after, before, 'stats are kept');
      assert.equal(await store.countPending(), 1);
    });

    it('fails pending deliveries of a deleted webhook', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      const event = newEvent([w.id]);
      await store.ingest([event]);
      await store.deleteWebhook(w.id, Date.now());
      const [row] = await store.deliveriesOfEvent(event.eventId);
      assert.deepEqual([row.status, row.error, row.webhookName], ['failed', 'webhook deleted', w.name]);
      assert.equal(await store.requeueDelivery(row.id, Date.now()), 'webhook_deleted');
    });

    it('keeps each attempt\'s outcome and reads attempts back in order', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      await store.ingest([newEvent([w.id])]);
      const [d] = await claimAll('o', [w.id]);
      const timedOut = attempt(d.id, w.id, 1, { status: 'pending', nextAttemptAt: Date.now() }, null);
      timedOut.result = { ...timedOut.result, outcome: 'timeout', error: 'no response within 1 s (timeout)', responseBody: null };
      await store.recordAttempts('o', [timedOut]);
      const [again] = await claimAll('o', [w.id]);
      await store.recordAttempts('o', [attempt(again.id, w.id, 2, { status: 'success' }, 200)]);
      const attempts = await store.listAttempts(d.id);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.outcome, a.statusCode, a.error, a.responseBody]),
        [
          [1, 'timeout', null, 'no response within 1 s (timeout)', null],
          [2, 'success', 200, null, 'ok'],
        ],
      );
    });

    it('frees the leases of an owner that stopped beating (PostgreSQL; SQLite has one process)', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      const calm = { intervalMs: 60_000, staleAfterMs: 60_000 };
      const now = Date.now();
      assert.equal(await store.heartbeat('dead', calm), 0);
      assert.equal(await store.heartbeat('alive', calm), 0);
      await store.ingest([newEvent([w.id], {}, { owner: 'dead', until: now + 60_000 }), newEvent([w.id], {}, { owner: 'alive', until: now + 60_000 })]);
      assert.equal(await store.heartbeat('alive', calm), 0, 'nobody is silent for a minute yet');
      assert.deepEqual(await claimAll('rescuer', [w.id]), [], 'both are leased');
      const impatient = { intervalMs: 60_000, staleAfterMs: 0 };
      if (store.kind === 'sqlite') {
        assert.equal(await store.heartbeat('alive', impatient), 0, 'embedded mode frees nothing: a restart drops every lease');
        return;
      }
      // 'dead' stops beating, 'alive' goes on: with staleAfterMs 0, 'dead' is stale as soon as the
      // database clock moves on (its session lock looks alive: both beat through this one store).
      let freed = 0;
      for (let i = 0; i < 100 && freed === 0; i++) freed = await store.heartbeat('alive', impatient);
      assert.equal(freed, 1, "only the silent owner's delivery is freed");
      const taken = await claimAll('rescuer', [w.id]);
      assert.equal(taken.length, 1);
      assert.equal(await store.heartbeat('alive', impatient), 0, 'a removed owner is not freed twice');
      await store.signOff('alive');
      await store.signOff('alive');
    });

    it('releases and renews leases by owner', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      await store.ingest([newEvent([w.id]), newEvent([w.id])]);
      const now = Date.now();
      const mine = await claimAll('o', [w.id], 10, now);
      await store.renewLeases('o', now + 120_000);
      assert.deepEqual(await claimAll('p', [w.id], 10, now + 90_000), [], 'renewed leases hold past the first expiry');
      await store.releaseLeases('o', [mine[0].id]);
      assert.deepEqual((await claimAll('p', [w.id])).map((d) => d.id), [mine[0].id]);
      await store.releaseLeases('o');
      assert.deepEqual((await claimAll('q', [w.id])).map((d) => d.id), [mine[1].id]);
    });

    it('filters deliveries by webhook, status, event type, event id and date, newest first', async () => {
      const a = webhookRow();
      const b = webhookRow();
      await store.insertWebhook(a);
      await store.insertWebhook(b);
      const e1 = newEvent([a.id, b.id]);
      const e2 = newEvent([a.id], { eventType: 'badge.awarded' });
      await store.ingest([e1]);
      await store.ingest([e2]);
      const list = (q: object) => store.listDeliveries({ limit: 50, ...q }).then((rows) => rows.map((r) => `${r.eventId}/${r.webhookId}`));
      assert.equal((await list({})).length, 3);
      assert.deepEqual(await list({ webhookId: b.id }), [`${e1.eventId}/${b.id}`]);
      assert.deepEqual(await list({ eventType: 'badge.awarded' }), [`${e2.eventId}/${a.id}`]);
      assert.deepEqual((await list({ eventId: e1.eventId })).length, 2);
      assert.deepEqual(await list({ status: 'success' }), []);
      assert.deepEqual(await list({ createdFrom: Date.now() + 60_000 }), []);
      const newestFirst = await store.listDeliveries({ limit: 50 });
      assert.equal(newestFirst[0].eventId, e2.eventId);
      const page2 = await store.listDeliveries({ limit: 50, beforeId: newestFirst[0].id });
      assert.equal(page2.length, 2);
    });


    // ---- API.md §10: member-aware delivery ----

    const claimOrdered = (owner: string, webhookId: string, limit = 100, now = Date.now()) =>
      store.claimDue({ owner, nowMs: now, leaseUntil: now + 60_000, limits: [{ webhookId: webhookId as WebhookRow['id'], limit, ordered: true }] });
    const done = (d: { id: DeliveryId; webhookId: string }, n = 1) => attempt(d.id, d.webhookId, n, { status: 'success' });

    it('ordered by member: only the oldest pending delivery of each member is claimable, and only when none is in flight', async () => {
      const w = webhookRow({ ordering: 'member' });
      await store.insertWebhook(w);
      // One batch in request order: a1 a2 b1 a3 (event ids deliberately sort the other way).
      const ids = ['ffffffff-0000-4000-8000-000000000001', 'eeeeeeee-0000-4000-8000-000000000002', 'dddddddd-0000-4000-8000-000000000003', 'cccccccc-0000-4000-8000-000000000004'];
      const users = ['a', 'a', 'b', 'a'];
      const ordered = (e: NewEvent) => ({ ...e, deliveries: e.deliveries.map((d) => ({ ...d, ordered: e.userId !== null })) });
      const batch = ids.map((eventId, i) => ordered(newEvent([w.id], { eventId, userId: users[i] })));
      const anon = newEvent([w.id]);
      await store.ingest([...batch, anon]);
      const event = (id: string) => batch.findIndex((e) => e.deliveries[0].id === id);
      let claimed = await claimOrdered('p1', w.id);
      assert.deepEqual(claimed.map((c) => c.eventId).sort(), [batch[0].eventId, batch[2].eventId, anon.eventId].sort());
      assert.deepEqual(await claimOrdered('p2', w.id), [], 'nothing while each member has one in flight');
      await store.recordAttempts('p1', claimed.filter((c) => event(c.id) !== 0).map((c) => done(c)));
      // a1 fails for now (a retry later): it stays the oldest, a2 must wait for it.
      const a1 = claimed.find((c) => event(c.id) === 0)!;
      await store.recordAttempts('p1', [attempt(a1.id, w.id, 1, { status: 'pending', nextAttemptAt: Date.now() + 60_000 }, 500)]);
      assert.deepEqual(await claimOrdered('p2', w.id), [], "a retry's delay blocks the member's later deliveries");
      claimed = await claimOrdered('p2', w.id, 100, Date.now() + 61_000);
      assert.deepEqual(claimed.map((c) => c.eventId), [batch[0].eventId], 'the retry of a1, not a2');
      await store.recordAttempts('p2', [done(claimed[0], 2)]);
      claimed = await claimOrdered('p2', w.id);
      assert.deepEqual(claimed.map((c) => c.eventId), [batch[1].eventId], 'a2 once a1 is final');
      // A lease given back (no attempt) keeps the turn.
      await store.releaseLeases('p2');
      claimed = await claimOrdered('p3', w.id);
      assert.deepEqual(claimed.map((c) => c.eventId), [batch[1].eventId]);
      await store.recordAttempts('p3', [attempt(claimed[0].id, w.id, 1, { status: 'failed' }, 400)]);
      claimed = await claimOrdered('p3', w.id);
      assert.deepEqual(claimed.map((c) => c.eventId), [batch[3].eventId], 'a failed delivery is final too');
      // The same rows claimed without ordering: anything due goes.
      const u = webhookRow();
      await store.insertWebhook(u);
      await store.ingest([newEvent([u.id], { userId: 'a' }), newEvent([u.id], { userId: 'a' })]);
      assert.equal((await claimAll('p4', [u.id])).length, 2);
    });

    it('ordered by member: a delivery in flight blocks an older one that became pending later (a manual retry)', async () => {
      const w = webhookRow({ ordering: 'member' });
      await store.insertWebhook(w);
      const e1 = newEvent([w.id], { userId: 'm' });
      const e2 = newEvent([w.id], { userId: 'm' });
      await store.ingest([e1, e2]);
      const [c1] = await claimOrdered('p', w.id);
      await store.recordAttempts('p', [done(c1)]);
      const [c2] = await claimOrdered('p', w.id);
      assert.equal(c2.eventId, e2.eventId);
      assert.equal(await store.requeueDelivery(c1.id, Date.now()), 'requeued');
      assert.deepEqual(await claimOrdered('q', w.id), [], 'e1 waits while e2 is in flight');
      await store.recordAttempts('p', [done(c2)]);
      assert.deepEqual((await claimOrdered('q', w.id)).map((c) => c.eventId), [e1.eventId]);
    });

    it('ordered by member: a cancelled delivery is final, so the member\'s next one is claimable; a late result keeps it cancelled', async () => {
      const w = webhookRow({ ordering: 'member' });
      await store.insertWebhook(w);
      const ordered = (e: NewEvent) => ({ ...e, deliveries: e.deliveries.map((d) => ({ ...d, ordered: true })) });
      const [e1, e2, e3] = [1, 2, 3].map(() => ordered(newEvent([w.id], { userId: 'm' })));
      await store.ingest([e1, e2, e3]);
      const [c1] = await claimOrdered('p', w.id);
      assert.equal(c1.eventId, e1.eventId);
      assert.deepEqual(await claimOrdered('q', w.id), [], 'e2 waits while e1 is in flight');
      // Cancelled while its try is in flight: final, so e2 may go now.
      assert.equal(await store.cancelDelivery(c1.id), 'cancelled');
      const [c2] = await claimOrdered('q', w.id);
      assert.equal(c2.eventId, e2.eventId);
      const summary = await store.recordAttempts('p', [done(c1)]);
      assert.equal(summary.queued, 0);
      assert.equal((await store.getDelivery(c1.id))!.status, 'cancelled', 'the late success adds an attempt row only');
      assert.equal((await store.listAttempts(c1.id)).length, 1);
      // A pending one not yet claimed, cancelled: the next after it goes.
      assert.equal(await store.cancelDelivery(e3.deliveries[0].id), 'cancelled');
      await store.recordAttempts('q', [done(c2)]);
      assert.deepEqual(await claimOrdered('q', w.id), []);
      assert.equal((await store.webhookStats([w.id])).get(w.id)!.total, 1, 'only e2 (success) is counted');
      // A manual retry of a cancelled one: pending again, stats untouched.
      assert.equal(await store.requeueDelivery(c1.id, Date.now()), 'requeued');
      assert.deepEqual((await claimOrdered('r', w.id)).map((c) => c.eventId), [e1.eventId]);
      assert.equal((await store.webhookStats([w.id])).get(w.id)!.total, 1);
    });

    it('supersedes older pending, unleased deliveries of the same type and member in the ingest transaction', async () => {
      const w = webhookRow({ eventTypes: ['reward.awarded', 'badge.awarded'], supersede: ['reward.awarded'] });
      const other = webhookRow({ eventTypes: ['reward.awarded'] });
      await store.insertWebhook(w);
      await store.insertWebhook(other);
      const sup = (e: NewEvent) => ({ ...e, deliveries: e.deliveries.map((d) => ({ ...d, supersedes: d.webhookId === w.id })) });
      // In flight: leased at ingest, as this process's own engine takes fresh deliveries.
      const inFlight = sup(newEvent([w.id], { userId: 'm' }, { owner: 'p', until: Date.now() + 60_000 }));
      const old1 = sup(newEvent([w.id, other.id], { userId: 'm' }));
      const badge = newEvent([w.id], { userId: 'm', eventType: 'badge.awarded' });
      const otherMember = sup(newEvent([w.id], { userId: 'n' }));
      await store.ingest([inFlight]);
      await store.ingest([old1]);
      await store.ingest([badge, otherMember]);
      const leased = inFlight.deliveries[0].id;
      assert.equal((await store.getDelivery(leased))!.status, 'pending', 'in flight: not superseded by old1');
      const newer = sup(newEvent([w.id, other.id], { userId: 'm' }));
      const sameBatchA = sup(newEvent([w.id], { userId: 'k' }));
      const sameBatchB = sup(newEvent([w.id], { userId: 'k' }));
      await store.ingest([newer, sameBatchA, sameBatchB]);
      const status = async (id: string) => (await store.getDelivery(id))!.status;
      assert.equal(await status(old1.deliveries[0].id), 'superseded');
      assert.match((await store.getDelivery(old1.deliveries[0].id))!.error ?? '', new RegExp(newer.eventId));
      assert.equal(await status(old1.deliveries[1].id), 'pending', 'a webhook without supersede keeps it');
      assert.equal(await status(leased), 'pending', 'in flight: not superseded');
      assert.equal(await status(badge.deliveries[0].id), 'pending', 'another type');
      assert.equal(await status(otherMember.deliveries[0].id), 'pending', 'another member');
      assert.equal(await status(newer.deliveries[0].id), 'pending');
      assert.equal(await status(sameBatchA.deliveries[0].id), 'superseded', 'within one batch the later one wins');
      assert.equal(await status(sameBatchB.deliveries[0].id), 'pending');
      assert.deepEqual((await store.listDeliveries({ limit: 50, status: 'superseded' })).length, 2);
      assert.equal((await claimAll('q', [w.id])).some((c) => c.id === old1.deliveries[0].id), false, 'never sent again');
      // A manual retry accepts superseded, and does not touch the stats (it was never counted).
      assert.equal(await store.requeueDelivery(old1.deliveries[0].id, Date.now()), 'requeued');
      assert.equal((await store.webhookStats([w.id])).get(w.id), undefined);
    });

    it('finds a member: user_id on deliveries, list filter, events newest first with filters and cursor', async () => {
      const w = webhookRow({ eventTypes: ['reward.awarded', 'badge.awarded'] });
      await store.insertWebhook(w);
      const base = Date.parse('2026-03-01T00:00:00Z');
      const evs = [0, 1, 2, 3].map((i) =>
        newEvent([w.id], { userId: i === 3 ? 'other' : 'jane', createdAt: base + (i < 2 ? 0 : i) * 1000, eventType: i === 2 ? 'badge.awarded' : 'reward.awarded' }),
      );
      await store.ingest(evs);
      const deliveries = await store.listDeliveries({ limit: 50, userId: 'jane' });
      assert.equal(deliveries.length, 3);
      assert.ok(deliveries.every((d) => d.userId === 'jane'));
      const ids = (rows: Array<{ eventId: string }>) => rows.map((r) => r.eventId);
      const sameTime = [evs[1].eventId, evs[0].eventId].sort().reverse();
      assert.deepEqual(ids(await store.listEvents({ limit: 10, userId: 'jane' })), [evs[2].eventId, ...sameTime]);
      assert.deepEqual(ids(await store.listEvents({ limit: 10, eventType: 'badge.awarded' })), [evs[2].eventId]);
      assert.deepEqual(ids(await store.listEvents({ limit: 10, createdFrom: base + 2000, createdTo: base + 2500 })), [evs[2].eventId]);
      const first = await store.listEvents({ limit: 2, userId: 'jane' });
      const last = first[first.length - 1];
      assert.deepEqual(ids(await store.listEvents({ limit: 10, userId: 'jane', before: { createdAt: last.createdAt, eventId: last.eventId } })), [sameTime[1]]);
    });

    it('erases a member: pending cancelled, events, deliveries and attempts deleted, stats kept; late results add nothing', async () => {
      const w = webhookRow();
      await store.insertWebhook(w);
      const doneEvent = newEvent([w.id], { userId: 'erase-me' });
      const pendingEvent = newEvent([w.id], { userId: 'erase-me' });
      const keep = newEvent([w.id], { userId: 'keep' });
      await store.ingest([doneEvent]);
      const [c] = await claimAll('p', [w.id]);
      await store.recordAttempts('p', [done(c)]);
      await store.ingest([pendingEvent, keep]);
      const inFlight = await claimAll('p', [w.id]);
      assert.equal(inFlight.length, 2);
      assert.deepEqual(await store.eraseMember('erase-me'), { events: 2, deliveries: 2 });
      assert.equal(await store.getEvent(doneEvent.eventId), undefined);
      assert.equal(await store.getDelivery(c.id), undefined);
      assert.deepEqual(await store.listAttempts(c.id), []);
      assert.deepEqual(await store.listDeliveries({ limit: 50, userId: 'erase-me' }), []);
      assert.deepEqual(await store.listEvents({ limit: 50, userId: 'erase-me' }), []);
      // The try that was in flight ends now: it must not bring anything back.
      await store.recordAttempts('p', inFlight.map((d) => done(d)));
      assert.equal(await store.getDelivery(pendingEvent.deliveries[0].id), undefined);
      assert.deepEqual(await store.listAttempts(pendingEvent.deliveries[0].id), []);
      assert.equal((await store.getDelivery(keep.deliveries[0].id))!.status, 'success');
      const stats = (await store.webhookStats([w.id])).get(w.id)!;
      assert.equal(stats.succeeded, 2, 'stats are kept (the erased success plus keep)');
      assert.deepEqual(await store.eraseMember('erase-me'), { events: 0, deliveries: 0 });
    });
    lifecycleContract({ store: () => store, claimAll, attempt, webhookRow, newEvent });

    it('keeps the first value of a meta key', async () => {
      assert.equal(await store.ensureMeta('k', 'one'), 'one');
      assert.equal(await store.ensureMeta('k', 'two'), 'one');
      assert.equal(await store.getMeta('k'), 'one');
      assert.equal(await store.getMeta('missing'), undefined);
    });
  });
}
