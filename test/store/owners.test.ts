// PostgreSQL owner registry across real store instances (one per "process"): a store whose
// database session ended is dead after one missed beat, whatever the stale threshold; one whose
// session lives on is dead only once it is stale.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/open.ts';
import { DEFAULT_TENANT, newWebhookId } from '../../src/domain/ids.ts';
import { eventually } from '../helpers/herald.ts';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.ts';
import { newEvent, webhookRow } from './contract.ts';

const hasPostgres = await postgresAvailable();

describe('lease owners on PostgreSQL', { skip: !hasPostgres && 'no PostgreSQL server' }, () => {
  let database: TestDatabase;
  let alive: PostgresStore;

  before(async () => {
    database = await createTestDatabase();
    alive = await openPostgresStore(database.url);
  });
  after(async () => {
    await alive?.close();
    await database?.drop();
  });

  const pendingCount = async () => {
    const rows = await alive.listDeliveries(DEFAULT_TENANT, { limit: 50, status: 'pending' });
    return rows.length;
  };

  it("frees a killed process's leases after one missed beat, long before it is stale", async () => {
    const w = webhookRow({ id: newWebhookId() });
    await alive.insertWebhook(DEFAULT_TENANT, w);
    const victim = await openPostgresStore(database.url);
    const timing = { intervalMs: 100, staleAfterMs: 600_000 };
    await victim.heartbeat('victim', timing);
    await alive.heartbeat('alive', timing);
    await victim.ingest([newEvent([w.id], {}, { owner: 'victim', until: Date.now() + 600_000 })]);
    assert.equal(await pendingCount(), 1);
    assert.equal(await alive.heartbeat('alive', timing), 0, 'the victim beat just now and its session lives');
    // The process dies: its database sessions end (as with kill -9), the liveness lock with them.
    await victim.close();
    const freed = await eventually(async () => alive.heartbeat('alive', timing), 5_000, 'the victim to be found dead');
    assert.equal(freed, 1);
    const claimed = await alive.claimDue({ owner: 'alive', nowMs: Date.now(), leaseUntil: Date.now() + 60_000, limits: [{ webhookId: w.id, limit: 10 }] });
    assert.equal(claimed.length, 1, 'the freed delivery can be claimed at once');
  });

  it('keeps the leases of a process whose session lives, until it is stale', async () => {
    const w = webhookRow({ id: newWebhookId() });
    await alive.insertWebhook(DEFAULT_TENANT, w);
    const sleeper = await openPostgresStore(database.url);
    try {
      const timing = { intervalMs: 20, staleAfterMs: 600_000 };
      await sleeper.heartbeat('sleeper', timing);
      await sleeper.ingest([newEvent([w.id], {}, { owner: 'sleeper', until: Date.now() + 600_000 })]);
      // Well past 1.5 beats without a beat, but its session (and lock) are there: alive.
      const waitUntil = Date.now() + 200;
      await eventually(async () => Date.now() > waitUntil, 2_000, 'a few missed beats');
      assert.equal(await alive.heartbeat('alive', timing), 0);
      const stale = { intervalMs: 20, staleAfterMs: 100 };
      assert.equal(await alive.heartbeat('alive', stale), 1, 'stale after staleAfterMs, session or not');
    } finally {
      await sleeper.close();
    }
  });
});
