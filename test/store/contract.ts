// The store contract: what every adapter must do, written against the Store port only.
// Each adapter's test file calls storeContract() with a way to open a fresh, empty store.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TENANT, newDeliveryId, newWebhookId, type ApiKeyId, type DeliveryId, type TenantId } from '../../src/domain/ids.ts';
import type { Scope } from '../../src/domain/scopes.ts';
import { DEFAULT_RETRY } from '../../src/domain/webhook.ts';
import { lifecycleContract } from './contract-lifecycle.ts';
import { NameTakenError, TenantTakenError, type AttemptRecord, type NewEvent, type Store, type WebhookRow } from '../../src/store/ports.ts';

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

/** The tenant of every row unless a test says otherwise. */
const T = DEFAULT_TENANT;

let eventCounter = 0;

export function newEvent(webhookIds: string[], overrides: Partial<NewEvent> = {}, lease?: { owner: string; until: number }): NewEvent {
  const eventId = `00000000-0000-4000-8000-${String(++eventCounter).padStart(12, '0')}`;
  const createdAt = Date.now();
  return {
    tenantId: T as TenantId,
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
      await store.insertWebhook(T, row);
      assert.deepEqual(await store.getWebhook(T, row.id), row);
      const r1 = await store.configRevision();
      assert.ok(r1 > r0);
      assert.equal(await store.updateWebhook(T, { ...row, enabled: false, name: 'Renamed' }), true);
      assert.equal((await store.getWebhook(T, row.id))!.name, 'Renamed');
      assert.ok((await store.configRevision()) > r1);
      assert.equal(await store.deleteWebhook(T, row.id, Date.now()), true);
      assert.equal(await store.getWebhook(T, row.id), undefined);
      assert.equal(await store.deleteWebhook(T, row.id, Date.now()), false);
      assert.equal(await store.updateWebhook(T, row), false, 'a deleted webhook cannot be updated');
    });

    it('keeps live names unique ignoring case', async () => {
      const row = webhookRow({ name: 'CRM Sync' });
      await store.insertWebhook(T, row);
      assert.equal(await store.isNameTaken(T, 'crm sync'), true);
      assert.equal(await store.isNameTaken(T, 'crm sync', row.id), false);
      await assert.rejects(store.insertWebhook(T, webhookRow({ name: 'crm SYNC' })), NameTakenError);
      await store.deleteWebhook(T, row.id, Date.now());
      await store.insertWebhook(T, webhookRow({ name: 'crm sync' }));
    });

    it('lists webhooks newest first with name, date, status and cursor filters', async () => {
      const base = Date.parse('2026-01-01T00:00:00Z');
      const rows = [0, 1, 2, 3].map((i) =>
        webhookRow({ id: newWebhookId(base + i * 86_400_000), name: `Hook ${i} ${i % 2 ? 'odd' : 'even'}`, createdAt: base + i * 86_400_000, enabled: i !== 3 }),
      );
      for (const row of rows) await store.insertWebhook(T, row);
      const ids = async (q: Parameters<Store['listWebhooks']>[1]) => (await store.listWebhooks(T, q)).map((r) => r.name);
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
      await store.insertWebhook(T, a);
      await store.insertWebhook(T, b);
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
      assert.equal((await store.deliveriesOfEvent(T, first.eventId)).length, 2);
      assert.equal((await store.deliveriesOfEvent(T, other.eventId)).length, 1);
      const event = await store.getEvent(T, first.eventId);
      assert.equal(event!.body, first.body);
      assert.equal(await store.countPending(), 3);
    });

    it('claims each due delivery once, even with concurrent claimers', async () => {
      const w = webhookRow();
      await store.insertWebhook(T, w);
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
      await store.insertWebhook(T, slow);
      await store.insertWebhook(T, fast);
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
      await store.insertWebhook(T, w);
      const now = Date.now();
      await store.ingest([newEvent([w.id], {}, { owner: 'crashed', until: now + 1000 })]);
      assert.deepEqual(await claimAll('rescuer', [w.id], 10, now), []);
      const taken = await claimAll('rescuer', [w.id], 10, now + 1001);
      assert.equal(taken.length, 1);
      await store.recordAttempts('crashed', [attempt(taken[0].id, w.id, 1, { status: 'success' })]);
      const [row] = await store.deliveriesOfEvent(T, taken[0].eventId);
      assert.equal(row.status, 'pending', 'the old owner cannot change a delivery it no longer holds');
      await store.recordAttempts('rescuer', [attempt(taken[0].id, w.id, 2, { status: 'success' })]);
      assert.equal((await store.deliveriesOfEvent(T, taken[0].eventId))[0].status, 'success');
    });

    it('does not claim deliveries before their next attempt time', async () => {
      const w = webhookRow();
      await store.insertWebhook(T, w);
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
      await store.insertWebhook(T, w);
      await store.ingest([newEvent([w.id]), newEvent([w.id])]);
      const [d1, d2] = await claimAll('o', [w.id]);
      await store.recordAttempts('o', [attempt(d1.id, w.id, 1, { status: 'pending', nextAttemptAt: Date.now() }, 500), attempt(d2.id, w.id, 1, { status: 'success' }, 201)]);
      const [d1again] = await claimAll('o', [w.id]);
      assert.equal(d1again.id, d1.id);
      await store.recordAttempts('o', [attempt(d1.id, w.id, 2, { status: 'failed' }, 502)]);
      const attempts = await store.listAttempts(T, d1.id);
      assert.deepEqual(attempts.map((a) => [a.attempt, a.statusCode]), [[1, 500], [2, 502]]);
      const one = await store.getDelivery(T, d1.id);
      assert.deepEqual([one!.status, one!.attempts, one!.statusCode, one!.error, one!.deliveredAt], ['failed', 2, 502, 'HTTP 502', null]);
      const two = await store.getDelivery(T, d2.id);
      assert.deepEqual([two!.status, two!.statusCode, two!.error], ['success', 201, null]);
      assert.ok(two!.deliveredAt! >= two!.createdAt);
      const stats = (await store.webhookStats(T, [w.id])).get(w.id)!;
      assert.deepEqual([stats.total, stats.succeeded, stats.failed], [2, 1, 1]);
      assert.ok(stats.lastFailureAt! >= stats.lastSuccessAt!);
      assert.deepEqual(await store.listWebhooks(T, { limit: 10, status: 'failed' }).then((r) => r.map((x) => x.id)), [w.id]);
    });

    it('requeues a finished delivery as a fresh round and takes it out of the stats', async () => {
      const w = webhookRow();
      await store.insertWebhook(T, w);
      await store.ingest([newEvent([w.id])]);
      const [d] = await claimAll('o', [w.id]);
      await store.recordAttempts('o', [attempt(d.id, w.id, 1, { status: 'failed' }, 500)]);
      assert.equal(await store.requeueDelivery(T, d.id, Date.now()), 'requeued');
      assert.equal(await store.requeueDelivery(T, d.id, Date.now()), 'pending');
      assert.equal(await store.requeueDelivery(T, 'dlv_00000000000000000000ZZ', Date.now()), 'not_found');
      const stats = (await store.webhookStats(T, [w.id])).get(w.id)!;
      assert.deepEqual([stats.total, stats.failed], [0, 0]);
      const [again] = await claimAll('o', [w.id]);
      assert.deepEqual([again.attempts, again.roundTries], [1, 0]);
    });

    it('purges old events whose deliveries are all final, with their deliveries and attempts, in batches; keeps pending ones and stats', async () => {
      const w = webhookRow();
      const w2 = webhookRow();
      await store.insertWebhook(T, w);
      await store.insertWebhook(T, w2);
      const old = Date.now() - 60_000;
      const finished = [1, 2, 3, 4, 5].map(() => newEvent([w.id], { createdAt: old }));
      const halfPending = newEvent([w.id, w2.id], { createdAt: old });
      const fresh = newEvent([w.id]);
      await store.ingest([...finished, halfPending, fresh]);
      const claimed = await claimAll('o', [w.id]);
      assert.equal(claimed.length, 7);
      await store.recordAttempts('o', claimed.map((d) => attempt(d.id, w.id, 1, { status: 'success' })));
      const before = (await store.webhookStats(T, [w.id])).get(w.id)!;
      assert.equal(before.succeeded, 7);
      const cutoff = Date.now() - 30_000;

      const first = await store.purgeExpired(cutoff, 2);
      assert.deepEqual(first, { events: 2, deliveries: 2, attempts: 2, scanned: 2 }, 'one batch deletes at most the limit');
      const rest = await store.purgeExpired(cutoff, 100);
      assert.deepEqual(rest, { events: 3, deliveries: 3, attempts: 3, scanned: 3 }, 'the event with a pending delivery is not picked');
      assert.deepEqual(await store.purgeExpired(cutoff, 100), { events: 0, deliveries: 0, attempts: 0, scanned: 0 });
      await store.reclaimSpace();

      for (const e of finished) assert.equal(await store.getEvent(T, e.eventId), undefined, 'old finished event gone');
      const gone = claimed.find((d) => d.eventId === finished[0].eventId)!;
      assert.equal(await store.getDelivery(T, gone.id), undefined, 'its delivery gone');
      assert.deepEqual(await store.listAttempts(T, gone.id), [], 'its attempts gone');
      assert.ok(await store.getEvent(T, halfPending.eventId), 'an event with a pending delivery is kept');
      assert.equal((await store.deliveriesOfEvent(T, halfPending.eventId)).length, 2, 'with all its deliveries, final or not');
      assert.ok(await store.getEvent(T, fresh.eventId), 'a recent event is kept');
      const after = (await store.webhookStats(T, [w.id])).get(w.id)!;
      assert.deepEqual(after, before, 'stats are kept');
      assert.equal(await store.countPending(), 1);
    });

    it('fails pending deliveries of a deleted webhook', async () => {
      const w = webhookRow();
      await store.insertWebhook(T, w);
      const event = newEvent([w.id]);
      await store.ingest([event]);
      await store.deleteWebhook(T, w.id, Date.now());
      const [row] = await store.deliveriesOfEvent(T, event.eventId);
      assert.deepEqual([row.status, row.error, row.webhookName], ['failed', 'webhook deleted', w.name]);
      assert.equal(await store.requeueDelivery(T, row.id, Date.now()), 'webhook_deleted');
    });

    it('keeps each attempt\'s outcome and reads attempts back in order', async () => {
      const w = webhookRow();
      await store.insertWebhook(T, w);
      await store.ingest([newEvent([w.id])]);
      const [d] = await claimAll('o', [w.id]);
      const timedOut = attempt(d.id, w.id, 1, { status: 'pending', nextAttemptAt: Date.now() }, null);
      timedOut.result = { ...timedOut.result, outcome: 'timeout', error: 'no response within 1 s (timeout)', responseBody: null };
      await store.recordAttempts('o', [timedOut]);
      const [again] = await claimAll('o', [w.id]);
      await store.recordAttempts('o', [attempt(again.id, w.id, 2, { status: 'success' }, 200)]);
      const attempts = await store.listAttempts(T, d.id);
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
      await store.insertWebhook(T, w);
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
      await store.insertWebhook(T, w);
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
      await store.insertWebhook(T, a);
      await store.insertWebhook(T, b);
      const e1 = newEvent([a.id, b.id]);
      const e2 = newEvent([a.id], { eventType: 'badge.awarded' });
      await store.ingest([e1]);
      await store.ingest([e2]);
      const list = (q: object) => store.listDeliveries(T, { limit: 50, ...q }).then((rows) => rows.map((r) => `${r.eventId}/${r.webhookId}`));
      assert.equal((await list({})).length, 3);
      assert.deepEqual(await list({ webhookId: b.id }), [`${e1.eventId}/${b.id}`]);
      assert.deepEqual(await list({ eventType: 'badge.awarded' }), [`${e2.eventId}/${a.id}`]);
      assert.deepEqual((await list({ eventId: e1.eventId })).length, 2);
      assert.deepEqual(await list({ status: 'success' }), []);
      assert.deepEqual(await list({ createdFrom: Date.now() + 60_000 }), []);
      const newestFirst = await store.listDeliveries(T, { limit: 50 });
      assert.equal(newestFirst[0].eventId, e2.eventId);
      const page2 = await store.listDeliveries(T, { limit: 50, beforeId: newestFirst[0].id });
      assert.equal(page2.length, 2);
    });


    // ---- API.md §10: member-aware delivery ----

    const claimOrdered = (owner: string, webhookId: string, limit = 100, now = Date.now()) =>
      store.claimDue({ owner, nowMs: now, leaseUntil: now + 60_000, limits: [{ webhookId: webhookId as WebhookRow['id'], limit, ordered: true }] });
    const done = (d: { id: DeliveryId; webhookId: string }, n = 1) => attempt(d.id, d.webhookId, n, { status: 'success' });

    it('ordered by member: only the oldest pending delivery of each member is claimable, and only when none is in flight', async () => {
      const w = webhookRow({ ordering: 'member' });
      await store.insertWebhook(T, w);
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
      await store.insertWebhook(T, u);
      await store.ingest([newEvent([u.id], { userId: 'a' }), newEvent([u.id], { userId: 'a' })]);
      assert.equal((await claimAll('p4', [u.id])).length, 2);
    });

    it('ordered by member: a delivery in flight blocks an older one that became pending later (a manual retry)', async () => {
      const w = webhookRow({ ordering: 'member' });
      await store.insertWebhook(T, w);
      const e1 = newEvent([w.id], { userId: 'm' });
      const e2 = newEvent([w.id], { userId: 'm' });
      await store.ingest([e1, e2]);
      const [c1] = await claimOrdered('p', w.id);
      await store.recordAttempts('p', [done(c1)]);
      const [c2] = await claimOrdered('p', w.id);
      assert.equal(c2.eventId, e2.eventId);
      assert.equal(await store.requeueDelivery(T, c1.id, Date.now()), 'requeued');
      assert.deepEqual(await claimOrdered('q', w.id), [], 'e1 waits while e2 is in flight');
      await store.recordAttempts('p', [done(c2)]);
      assert.deepEqual((await claimOrdered('q', w.id)).map((c) => c.eventId), [e1.eventId]);
    });

    it('ordered by member: a cancelled delivery is final, so the member\'s next one is claimable; a late result keeps it cancelled', async () => {
      const w = webhookRow({ ordering: 'member' });
      await store.insertWebhook(T, w);
      const ordered = (e: NewEvent) => ({ ...e, deliveries: e.deliveries.map((d) => ({ ...d, ordered: true })) });
      const [e1, e2, e3] = [1, 2, 3].map(() => ordered(newEvent([w.id], { userId: 'm' })));
      await store.ingest([e1, e2, e3]);
      const [c1] = await claimOrdered('p', w.id);
      assert.equal(c1.eventId, e1.eventId);
      assert.deepEqual(await claimOrdered('q', w.id), [], 'e2 waits while e1 is in flight');
      // Cancelled while its try is in flight: final, so e2 may go now.
      assert.equal(await store.cancelDelivery(T, c1.id), 'cancelled');
      const [c2] = await claimOrdered('q', w.id);
      assert.equal(c2.eventId, e2.eventId);
      const summary = await store.recordAttempts('p', [done(c1)]);
      assert.equal(summary.queued, 0);
      assert.equal((await store.getDelivery(T, c1.id))!.status, 'cancelled', 'the late success adds an attempt row only');
      assert.equal((await store.listAttempts(T, c1.id)).length, 1);
      // A pending one not yet claimed, cancelled: the next after it goes.
      assert.equal(await store.cancelDelivery(T, e3.deliveries[0].id), 'cancelled');
      await store.recordAttempts('q', [done(c2)]);
      assert.deepEqual(await claimOrdered('q', w.id), []);
      assert.equal((await store.webhookStats(T, [w.id])).get(w.id)!.total, 1, 'only e2 (success) is counted');
      // A manual retry of a cancelled one: pending again, stats untouched.
      assert.equal(await store.requeueDelivery(T, c1.id, Date.now()), 'requeued');
      assert.deepEqual((await claimOrdered('r', w.id)).map((c) => c.eventId), [e1.eventId]);
      assert.equal((await store.webhookStats(T, [w.id])).get(w.id)!.total, 1);
    });

    it('supersedes older pending, unleased deliveries of the same type and member in the ingest transaction', async () => {
      const w = webhookRow({ eventTypes: ['reward.awarded', 'badge.awarded'], supersede: ['reward.awarded'] });
      const other = webhookRow({ eventTypes: ['reward.awarded'] });
      await store.insertWebhook(T, w);
      await store.insertWebhook(T, other);
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
      assert.equal((await store.getDelivery(T, leased))!.status, 'pending', 'in flight: not superseded by old1');
      const newer = sup(newEvent([w.id, other.id], { userId: 'm' }));
      const sameBatchA = sup(newEvent([w.id], { userId: 'k' }));
      const sameBatchB = sup(newEvent([w.id], { userId: 'k' }));
      await store.ingest([newer, sameBatchA, sameBatchB]);
      const status = async (id: string) => (await store.getDelivery(T, id))!.status;
      assert.equal(await status(old1.deliveries[0].id), 'superseded');
      assert.match((await store.getDelivery(T, old1.deliveries[0].id))!.error ?? '', new RegExp(newer.eventId));
      assert.equal(await status(old1.deliveries[1].id), 'pending', 'a webhook without supersede keeps it');
      assert.equal(await status(leased), 'pending', 'in flight: not superseded');
      assert.equal(await status(badge.deliveries[0].id), 'pending', 'another type');
      assert.equal(await status(otherMember.deliveries[0].id), 'pending', 'another member');
      assert.equal(await status(newer.deliveries[0].id), 'pending');
      assert.equal(await status(sameBatchA.deliveries[0].id), 'superseded', 'within one batch the later one wins');
      assert.equal(await status(sameBatchB.deliveries[0].id), 'pending');
      assert.deepEqual((await store.listDeliveries(T, { limit: 50, status: 'superseded' })).length, 2);
      assert.equal((await claimAll('q', [w.id])).some((c) => c.id === old1.deliveries[0].id), false, 'never sent again');
      // A manual retry accepts superseded, and does not touch the stats (it was never counted).
      assert.equal(await store.requeueDelivery(T, old1.deliveries[0].id, Date.now()), 'requeued');
      assert.equal((await store.webhookStats(T, [w.id])).get(w.id), undefined);
    });

    it('finds a member: user_id on deliveries, list filter, events newest first with filters and cursor', async () => {
      const w = webhookRow({ eventTypes: ['reward.awarded', 'badge.awarded'] });
      await store.insertWebhook(T, w);
      const base = Date.parse('2026-03-01T00:00:00Z');
      const evs = [0, 1, 2, 3].map((i) =>
        newEvent([w.id], { userId: i === 3 ? 'other' : 'jane', createdAt: base + (i < 2 ? 0 : i) * 1000, eventType: i === 2 ? 'badge.awarded' : 'reward.awarded' }),
      );
      await store.ingest(evs);
      const deliveries = await store.listDeliveries(T, { limit: 50, userId: 'jane' });
      assert.equal(deliveries.length, 3);
      assert.ok(deliveries.every((d) => d.userId === 'jane'));
      const ids = (rows: Array<{ eventId: string }>) => rows.map((r) => r.eventId);
      const sameTime = [evs[1].eventId, evs[0].eventId].sort().reverse();
      assert.deepEqual(ids(await store.listEvents(T, { limit: 10, userId: 'jane' })), [evs[2].eventId, ...sameTime]);
      assert.deepEqual(ids(await store.listEvents(T, { limit: 10, eventType: 'badge.awarded' })), [evs[2].eventId]);
      assert.deepEqual(ids(await store.listEvents(T, { limit: 10, createdFrom: base + 2000, createdTo: base + 2500 })), [evs[2].eventId]);
      const first = await store.listEvents(T, { limit: 2, userId: 'jane' });
      const last = first[first.length - 1];
      assert.deepEqual(ids(await store.listEvents(T, { limit: 10, userId: 'jane', before: { createdAt: last.createdAt, eventId: last.eventId } })), [sameTime[1]]);
    });

    it('erases a member: pending cancelled, events, deliveries and attempts deleted, stats kept; late results add nothing', async () => {
      const w = webhookRow();
      await store.insertWebhook(T, w);
      const doneEvent = newEvent([w.id], { userId: 'erase-me' });
      const pendingEvent = newEvent([w.id], { userId: 'erase-me' });
      const keep = newEvent([w.id], { userId: 'keep' });
      await store.ingest([doneEvent]);
      const [c] = await claimAll('p', [w.id]);
      await store.recordAttempts('p', [done(c)]);
      await store.ingest([pendingEvent, keep]);
      const inFlight = await claimAll('p', [w.id]);
      assert.equal(inFlight.length, 2);
      assert.deepEqual(await store.eraseMember(T, 'erase-me'), { events: 2, deliveries: 2 });
      assert.equal(await store.getEvent(T, doneEvent.eventId), undefined);
      assert.equal(await store.getDelivery(T, c.id), undefined);
      assert.deepEqual(await store.listAttempts(T, c.id), []);
      assert.deepEqual(await store.listDeliveries(T, { limit: 50, userId: 'erase-me' }), []);
      assert.deepEqual(await store.listEvents(T, { limit: 50, userId: 'erase-me' }), []);
      // The try that was in flight ends now: it must not bring anything back.
      await store.recordAttempts('p', inFlight.map((d) => done(d)));
      assert.equal(await store.getDelivery(T, pendingEvent.deliveries[0].id), undefined);
      assert.deepEqual(await store.listAttempts(T, pendingEvent.deliveries[0].id), []);
      assert.equal((await store.getDelivery(T, keep.deliveries[0].id))!.status, 'success');
      const stats = (await store.webhookStats(T, [w.id])).get(w.id)!;
      assert.equal(stats.succeeded, 2, 'stats are kept (the erased success plus keep)');
      assert.deepEqual(await store.eraseMember(T, 'erase-me'), { events: 0, deliveries: 0 });
    });
    lifecycleContract({ store: () => store, claimAll, attempt, webhookRow, newEvent });

    it('keeps the first value of a meta key', async () => {
      assert.equal(await store.ensureMeta('k', 'one'), 'one');
      assert.equal(await store.ensureMeta('k', 'two'), 'one');
      assert.equal(await store.getMeta('k'), 'one');
      assert.equal(await store.getMeta('missing'), undefined);
    });

    it('has the tenant default from the start, and keeps tenants with ids of their own', async () => {
      assert.equal((await store.getTenant('default'))?.id, 'default');
      const r0 = await store.accessRevision();
      await store.insertTenant({ id: 'brand-b' as TenantId, name: 'Brand B', createdAt: 1000 });
      await store.insertTenant({ id: 'brand-a' as TenantId, name: 'Brand A', createdAt: 2000 });
      assert.ok((await store.accessRevision()) > r0, 'a new tenant moves the access revision');
      await assert.rejects(store.insertTenant({ id: 'brand-a' as TenantId, name: 'again', createdAt: 3000 }), TenantTakenError);
      assert.deepEqual((await store.listTenants({ limit: 10 })).map((t) => t.id), ['brand-a', 'brand-b', 'default']);
      assert.deepEqual((await store.listTenants({ afterId: 'brand-a', limit: 1 })).map((t) => t.id), ['brand-b']);
      assert.equal((await store.renameTenant('brand-a', 'Renamed'))?.name, 'Renamed');
      assert.equal(await store.renameTenant('nope', 'x'), undefined);
    });

    it('isolates tenants: rows of another tenant are not found, listed, counted or fanned out to', async () => {
      const A = 'tenant-a' as TenantId;
      const B = 'tenant-b' as TenantId;
      await store.insertTenant({ id: A, name: 'A', createdAt: Date.now() });
      await store.insertTenant({ id: B, name: 'B', createdAt: Date.now() });
      const wa = webhookRow({ name: 'Same name' });
      const wb = webhookRow({ name: 'same NAME' });
      await store.insertWebhook(A, wa);
      await store.insertWebhook(B, wb); // names are unique per tenant only
      await assert.rejects(store.insertWebhook(A, webhookRow({ name: 'SAME name' })), NameTakenError);
      assert.equal(await store.isNameTaken(A, 'same name'), true);
      assert.equal(await store.isNameTaken(T, 'same name'), false);
      assert.equal(await store.getWebhook(B, wa.id), undefined);
      assert.equal(await store.updateWebhook(B, { ...wa, name: 'stolen' }), false);
      assert.equal(await store.deleteWebhook(B, wa.id, Date.now()), false);
      assert.deepEqual((await store.listWebhooks(A, { limit: 10 })).map((w) => w.id), [wa.id]);
      assert.deepEqual((await store.listWebhooks(T, { limit: 10 })).map((w) => w.id), []);
      const all = await store.allWebhooks();
      assert.deepEqual(all.map((w) => [w.id, w.tenantId]).sort(), [[wa.id, A], [wb.id, B]].sort());

      // The same event id in two tenants: two events, each with its own deliveries.
      const ea = newEvent([wa.id], { tenantId: A });
      const eb = newEvent([wb.id], { tenantId: B, eventId: ea.eventId, body: '{"tenant":"b"}' });
      const results = await store.ingest([ea, eb, newEvent([], { tenantId: A, eventId: ea.eventId })]);
      assert.deepEqual(results.map((r) => r.isNew), [true, true, false]);
      assert.equal((await store.getEvent(B, ea.eventId))?.body, '{"tenant":"b"}');
      assert.equal(await store.getEvent(T, ea.eventId), undefined);
      assert.deepEqual((await store.deliveriesOfEvent(A, ea.eventId)).map((d) => d.webhookId), [wa.id]);
      assert.deepEqual((await store.listDeliveries(B, { limit: 10 })).map((d) => d.webhookId), [wb.id]);
      const da = ea.deliveries[0].id;
      assert.equal(await store.getDelivery(B, da), undefined);
      assert.equal((await store.getDelivery(A, da))?.body, ea.body);
      assert.equal(await store.requeueDelivery(B, da, Date.now()), 'not_found');

      // Claims are tenant-agnostic; each claimed delivery names its tenant and carries its own body.
      const claimed = await claimAll('o1', [wa.id, wb.id]);
      assert.deepEqual(claimed.map((c) => [c.tenantId, c.body]).sort(), [[A, ea.body], [B, eb.body]].sort());
      await store.recordAttempts('o1', claimed.map((c) => attempt(c.id, c.webhookId, 1, { status: 'success' })));
      assert.equal((await store.listAttempts(A, da)).length, 1);
      assert.deepEqual(await store.listAttempts(B, da), []);
      assert.equal((await store.webhookStats(A, [wa.id])).get(wa.id)?.succeeded, 1);
      assert.equal((await store.webhookStats(B, [wa.id])).size, 0, 'stats of another tenant\'s webhook are not shown');
    });

    it('emits herald.* events into the tenant of the failing webhook only (§8 and §9)', async () => {
      const A = 'herald-a' as TenantId;
      const B = 'herald-b' as TenantId;
      await store.insertTenant({ id: A, name: 'A', createdAt: Date.now() });
      await store.insertTenant({ id: B, name: 'B', createdAt: Date.now() });
      const heraldTypes = ['herald.webhook.failing', 'herald.delivery.exhausted'];
      const failing = webhookRow();
      const subA = webhookRow({ eventTypes: heraldTypes });
      const subB = webhookRow({ eventTypes: heraldTypes });
      await store.insertWebhook(A, failing);
      await store.insertWebhook(A, subA);
      await store.insertWebhook(B, subB);
      const event = newEvent([failing.id], { tenantId: A });
      await store.ingest([event]);
      const [d] = await claimAll('o', [failing.id]);
      const summary = await store.recordAttempts('o', [attempt(d.id, failing.id, 1, { status: 'failed' }, 503)]);
      assert.equal(summary.queued, 2);
      assert.deepEqual((await store.listDeliveries(A, { webhookId: subA.id, limit: 10 })).map((r) => r.eventType).sort(), [...heraldTypes].sort());
      assert.deepEqual(await store.listDeliveries(B, { limit: 10 }), [], 'nothing reached the other tenant');
      const claimed = await claimAll('o2', [subA.id, subB.id]);
      assert.ok(claimed.length === 2 && claimed.every((c) => c.tenantId === A && c.webhookId === subA.id));
    });

    it('cancels and recovers only in the tenant (§8 and §9)', async () => {
      const A = 'life-a' as TenantId;
      await store.insertTenant({ id: A, name: 'A', createdAt: Date.now() });
      const w = webhookRow();
      await store.insertWebhook(A, w);
      const event = newEvent([w.id], { tenantId: A });
      await store.ingest([event]);
      const id = event.deliveries[0].id;
      assert.equal(await store.cancelDelivery(T, id), 'not_found');
      assert.equal((await store.getDelivery(A, id))?.status, 'pending');
      const window = { since: 0, until: Date.now() + 1000, includeMissed: true, nowMs: Date.now(), limit: 100 };
      assert.deepEqual(await store.recoverDeliveries(T, w.id, window), { status: 'not_found' });
      assert.equal(await store.cancelDelivery(A, id), 'cancelled');
      // An event of the same type in another tenant is not "missed" by this webhook.
      await store.ingest([newEvent([], { tenantId: T })]);
      assert.deepEqual(await store.recoverDeliveries(A, w.id, window), { status: 'ok', deliveries: 0 });
      assert.deepEqual(await store.webhookHealth(T, [w.id]), new Map());
      assert.equal((await store.webhookHealth(A, [w.id])).size, 1);
    });

    it('lists events and erases members only in the tenant (§8 and §10)', async () => {
      const A = 'member-a' as TenantId;
      const B = 'member-b' as TenantId;
      await store.insertTenant({ id: A, name: 'A', createdAt: Date.now() });
      await store.insertTenant({ id: B, name: 'B', createdAt: Date.now() });
      const wa = webhookRow();
      const wb = webhookRow();
      await store.insertWebhook(A, wa);
      await store.insertWebhook(B, wb);
      // Member X in both tenants, with the same event id once: two members, two events.
      const a1 = newEvent([wa.id], { tenantId: A, userId: 'x' });
      const a2 = newEvent([wa.id], { tenantId: A, userId: 'x' });
      const b1 = newEvent([wb.id], { tenantId: B, userId: 'x', eventId: a1.eventId });
      await store.ingest([a1, a2, b1]);
      const ids = (rows: Array<{ eventId: string }>) => rows.map((r) => r.eventId).sort();
      assert.deepEqual(ids(await store.listEvents(A, { limit: 10 })), [a1.eventId, a2.eventId].sort());
      assert.deepEqual(ids(await store.listEvents(B, { limit: 10 })), [b1.eventId]);
      assert.deepEqual(ids(await store.listEvents(B, { limit: 10, userId: 'x' })), [b1.eventId]);
      assert.deepEqual(await store.listEvents(T, { limit: 10, userId: 'x' }), []);
      const [claimedA] = await claimAll('m', [wa.id]);
      await store.recordAttempts('m', [attempt(claimedA.id, wa.id, 1, { status: 'success' })]);

      assert.deepEqual(await store.eraseMember(T, 'x'), { events: 0, deliveries: 0 }, 'no member x in default');
      assert.deepEqual(await store.eraseMember(B, 'x'), { events: 1, deliveries: 1 });
      assert.deepEqual(await store.listEvents(B, { limit: 10 }), []);
      assert.equal(await store.getDelivery(B, b1.deliveries[0].id), undefined);
      // Tenant A's member x (one event with B's event id) is untouched, attempts included.
      assert.deepEqual(ids(await store.listEvents(A, { limit: 10, userId: 'x' })), [a1.eventId, a2.eventId].sort());
      assert.equal((await store.deliveriesOfEvent(A, a1.eventId)).length, 1);
      assert.equal((await store.listDeliveries(A, { limit: 10, userId: 'x' })).length, 2);
      assert.equal((await store.listAttempts(A, claimedA.id)).length, 1);
      const pendingA = [a1, a2].map((e) => e.deliveries[0].id).find((id) => id !== claimedA.id)!;
      assert.equal((await store.getDelivery(A, pendingA))?.status, 'pending', 'A\'s pending delivery was not cancelled');
    });

    it('purges by (tenant, event id): an old event never takes another tenant\'s event of the same id with it (§8 and §9)', async () => {
      const A = 'purge-a' as TenantId;
      await store.insertTenant({ id: A, name: 'A', createdAt: Date.now() });
      const wa = webhookRow();
      const wt = webhookRow();
      await store.insertWebhook(A, wa);
      await store.insertWebhook(T, wt);
      const old = newEvent([wa.id], { tenantId: A, createdAt: Date.now() - 60_000 });
      const recent = newEvent([wt.id], { tenantId: T, eventId: old.eventId });
      await store.ingest([old, recent]);
      const claimed = await claimAll('r', [wa.id, wt.id]);
      assert.equal(claimed.length, 2);
      await store.recordAttempts('r', claimed.map((c) => attempt(c.id, c.webhookId, 1, { status: 'success' })));
      assert.deepEqual(await store.purgeExpired(Date.now() - 30_000, 100), { events: 1, deliveries: 1, attempts: 1, scanned: 1 });
      assert.equal(await store.getEvent(A, old.eventId), undefined);
      assert.ok(await store.getEvent(T, recent.eventId), 'the recent event of the same id in another tenant is kept');
      assert.equal((await store.getDelivery(T, recent.deliveries[0].id))?.status, 'success');
      assert.equal((await store.listAttempts(T, recent.deliveries[0].id)).length, 1);
    });

    it('deletes a tenant without webhooks with its events and deliveries, revoking its keys; never one with webhooks', async () => {
      const A = 'gone' as TenantId;
      await store.insertTenant({ id: A, name: 'Gone', createdAt: Date.now() });
      const w = webhookRow();
      await store.insertWebhook(A, w);
      const e = newEvent([w.id], { tenantId: A });
      await store.ingest([e]);
      await store.insertApiKey({ id: 'key_01M8HCNEC1FKH7MF766KT6AA' as ApiKeyId, name: 'k', scopes: ['read'], tenantId: A, keyHash: 'a'.repeat(64), createdAt: 1, lastUsedAt: null, revokedAt: null });
      assert.equal(await store.deleteTenant(A, Date.now()), 'has_webhooks');
      await store.deleteWebhook(A, w.id, Date.now());
      const r0 = await store.accessRevision();
      assert.equal(await store.deleteTenant(A, Date.now()), 'deleted');
      assert.ok((await store.accessRevision()) > r0);
      assert.equal(await store.getTenant(A), undefined);
      assert.equal(await store.getEvent(A, e.eventId), undefined);
      assert.deepEqual(await store.listDeliveries(A, { limit: 10 }), []);
      assert.deepEqual(await store.activeApiKeys(), []);
      assert.equal((await store.findApiKeyByHash('a'.repeat(64)))?.revokedAt !== null, true);
      assert.equal(await store.deleteTenant(A, Date.now()), 'not_found');
    });

    it('keeps API keys by hash: lists without revoked ones, revokes once, marks use', async () => {
      const key = (n: number, tenantId: TenantId | null) => ({
        id: `key_01M8HCNEC1FKH7MF766KT6A${n}` as ApiKeyId,
        name: `k${n}`,
        scopes: (tenantId ? ['read'] : ['admin']) as Scope[],
        tenantId,
        keyHash: String(n).repeat(64),
        createdAt: n,
        lastUsedAt: null,
        revokedAt: null,
      });
      await store.insertApiKey(key(1, null));
      await store.insertApiKey(key(2, T));
      await store.insertApiKey(key(3, T));
      assert.deepEqual((await store.listApiKeys({ limit: 10 })).map((k) => k.id), [key(3, T).id, key(2, T).id, key(1, null).id]);
      assert.deepEqual((await store.listApiKeys({ tenantId: T, limit: 10, beforeId: key(3, T).id })).map((k) => k.name), ['k2']);
      assert.deepEqual((await store.findApiKeyByHash('2'.repeat(64)))?.scopes, ['read']);
      const r0 = await store.accessRevision();
      assert.equal(await store.revokeApiKey(key(2, T).id, 5), true);
      assert.ok((await store.accessRevision()) > r0, 'a revocation moves the access revision');
      assert.equal(await store.revokeApiKey(key(2, T).id, 6), false);
      assert.deepEqual((await store.activeApiKeys()).map((k) => k.name).sort(), ['k1', 'k3']);
      await store.touchApiKeys([key(3, T).id], 4242);
      assert.equal((await store.findApiKeyByHash('3'.repeat(64)))?.lastUsedAt, 4242);
    });
  });
}
