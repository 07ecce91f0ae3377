// Migration 002_attempt_outcome on a database made by 001 with attempts already in it: old rows get
// an outcome inferred from what they kept (API.md §9), on both stores.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { openPostgresStore } from '../../src/store/postgres/open.ts';
import type { Store } from '../../src/store/ports.ts';
import { DEFAULT_TENANT, type TenantId } from '../../src/domain/ids.ts';
import { createTestDatabase, postgresAvailable } from '../helpers/postgres.ts';

const hasPostgres = await postgresAvailable();
const INIT = (store: string) => readFileSync(new URL(`../../src/store/${store}/migrations/001_init.sql`, import.meta.url), 'utf8');
const DELIVERY = 'dlv_01M8HCNEC1FKH7MF766KT6AB';
const EVENT = '00000000-0000-4000-8000-000000000042';
const T = DEFAULT_TENANT;
/** Rows from before migration 004 (tenants): they must land in the tenant `default`. */
const OLD_EVENT = `INSERT INTO events (event_id, event_type, user_id, event_timestamp, body, delivery_count, created_at) VALUES ('${EVENT}', 'reward.awarded', NULL, '2026-01-01T00:00:00.000Z', '{}', 1, 1000)`;
const OLD_DELIVERY = `INSERT INTO deliveries (id, event_id, webhook_id, event_type, status, attempts, round_tries, created_at) VALUES ('${DELIVERY}', '${EVENT}', 'wh_01M8HCNEC1FKH7MF766KT6AB', 'reward.awarded', 'failed', 10, 10, 1000)`;

/** [status_code, error, expected outcome] of attempts 1, 2, … */
const OLD_ROWS: Array<[number | null, string | null, string]> = [
  [200, null, 'success'],
  [204, null, 'success'],
  [500, 'HTTP 500: the receiver did not answer with a 2xx status', 'http_error'],
  [302, 'HTTP 302: redirect to /x not followed', 'http_error'],
  [null, 'no response within 15 s (timeout)', 'timeout'],
  [null, 'could not connect to a.example in time (connect timeout)', 'timeout'],
  [null, 'blocked: 10.0.0.1 is a private, loopback or otherwise non-public address (set …)', 'blocked'],
  [null, 'connection refused by a.example', 'network_error'],
  [null, 'DNS lookup failed for a.example (ENOTFOUND)', 'network_error'],
  [null, null, 'network_error'],
];

const INSERT = 'INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, response_body) VALUES ';

async function assertBackFilled(store: Store): Promise<void> {
  assert.equal((await store.getEvent(T, EVENT))?.eventId, EVENT, 'an old event is in the tenant default');
  assert.equal(await store.getEvent('other' as TenantId, EVENT), undefined);
  assert.deepEqual(await store.listAttempts('other' as TenantId, DELIVERY), [], 'attempts belong to their delivery\'s tenant');
  const attempts = await store.listAttempts(T, DELIVERY);
  assert.deepEqual(
    attempts.map((a) => [a.statusCode, a.error, a.outcome]),
    OLD_ROWS,
  );
}

describe('migration 002_attempt_outcome back-fills old attempts', () => {
  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-migrate-'));
    const path = join(dir, 'herald.db');
    try {
      const old = new SqliteDatabase(path);
      old.exec(INIT('sqlite'));
      old.exec("CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL); INSERT INTO schema_migrations VALUES ('001_init.sql', 0)");
      old.exec(OLD_EVENT);
      old.exec(OLD_DELIVERY);
      const insert = old.prepare(`${INSERT} (?, ?, ?, ?, ?, ?, ?)`);
      OLD_ROWS.forEach(([status, error], i) => insert.run(DELIVERY, i + 1, 1000 + i, 5, status, error, null));
      old.close();
      const store = await openSqliteStore(path);
      try {
        await assertBackFilled(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL', { skip: !hasPostgres && 'no PostgreSQL server' }, async () => {
    const database = await createTestDatabase();
    try {
      const old = new pg.Client({ connectionString: database.url });
      await old.connect();
      await old.query(INIT('postgres'));
      await old.query("CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL); INSERT INTO schema_migrations VALUES ('001_init.sql', 0)");
      await old.query(OLD_EVENT);
      await old.query(OLD_DELIVERY);
      for (const [i, [status, error]] of OLD_ROWS.entries()) {
        await old.query(`${INSERT} ($1, $2, $3, $4, $5, $6, $7)`, [DELIVERY, i + 1, 1000 + i, 5, status, error, null]);
      }
      await old.end();
      const store = await openPostgresStore(database.url);
      try {
        await assertBackFilled(store);
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});
