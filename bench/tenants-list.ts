// List latency with many tenants (issue 9's closing figure): 1,000 tenants × 20 webhooks, then
// GET /v1/webhooks in one tenant (admin key + Herald-Tenant, and a tenant's own read key),
// p50/p99 over N requests on one keep-alive connection. Real HTTP on 127.0.0.1, real store.
//   node --import tsx bench/tenants-list.ts [--store sqlite|postgres] [--tenants 1000] [--webhooks 20] [--requests 2000]
// PostgreSQL: HERALD_BENCH_PG_URL (an empty database; default: a fresh one on 127.0.0.1:5432).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Agent, request } from 'undici';
import { buildApi } from '../src/api/app.ts';
import { MemoryRateLimiter } from '../src/api/auth.ts';
import { HttpSender } from '../src/delivery/sender.ts';
import { ExampleSender } from '../src/delivery/test-send.ts';
import { newWebhookId, type TenantId } from '../src/domain/ids.ts';
import { SecretBox } from '../src/domain/secret-box.ts';
import { DEFAULT_RETRY } from '../src/domain/webhook.ts';
import { Ingestor } from '../src/ingest/ingestor.ts';
import { createLogger } from '../src/log.ts';
import { createMetrics } from '../src/metrics.ts';
import { openStore } from '../src/store/open.ts';
import { toColumns } from '../src/store/sql/webhooks.ts';
import { hashApiKey } from '../src/tenancy/api-keys.ts';
import { PortalTokens } from '../src/tenancy/portal-tokens.ts';
import { WebhookDirectory } from '../src/webhooks/directory.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    tenants: { type: 'string', default: '1000' },
    webhooks: { type: 'string', default: '20' },
    requests: { type: 'string', default: '2000' },
  },
});
const TENANTS = Number(values.tenants);
const PER_TENANT = Number(values.webhooks);
const REQUESTS = Number(values.requests);

async function databaseUrl(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (values.store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'herald-tenants-bench-'));
    return { url: `sqlite:${join(dir, 'herald.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (process.env.HERALD_BENCH_PG_URL) return { url: process.env.HERALD_BENCH_PG_URL, cleanup: async () => {} };
  const name = `herald_bench_tenants_${process.pid}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    cleanup: async () => {
      const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Tenants, webhooks and one read key per tenant, written in bulk (the API would take minutes). */
function seedRows(now: number) {
  const tenants: Array<{ id: string; name: string; created_at: number }> = [];
  const webhooks: Array<Record<string, unknown>> = [];
  for (let t = 0; t < TENANTS; t++) {
    const tenant = `brand-${String(t).padStart(4, '0')}` as TenantId;
    tenants.push({ id: tenant, name: `Brand ${t}`, created_at: now });
    for (let w = 0; w < PER_TENANT; w++) {
      const row = {
        id: newWebhookId(now - (TENANTS * PER_TENANT - (t * PER_TENANT + w))),
        name: `hook ${w}`,
        url: `https://receiver.example/${tenant}/${w}`,
        method: 'POST' as const,
        description: null,
        enabled: true,
        authType: 'none' as const,
        authUsername: null,
        secretHint: null,
        authSealed: null,
        eventTypes: ['reward.awarded'],
        filter: null,
        retry: { ...DEFAULT_RETRY },
        headers: {},
        autoDisable: null,
        rateLimitPerSecond: null,
        ordering: 'none' as const,
        supersede: [],
        createdAt: now,
        updatedAt: now,
      };
      webhooks.push({ ...toColumns(tenant, row), deleted_at: null });
    }
  }
  return { tenants, webhooks };
}

function insertSql(table: string, rows: Array<Record<string, unknown>>, placeholder: (i: number) => string) {
  const columns = Object.keys(rows[0]);
  let n = 0;
  const tuples = rows.map(() => `(${columns.map(() => placeholder(++n)).join(', ')})`);
  return { text: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params: rows.flatMap((r) => columns.map((c) => r[c])) };
}

async function seed(url: string): Promise<void> {
  const { tenants, webhooks } = seedRows(Date.now());
  const chunk = 400;
  if (url.startsWith('sqlite:')) {
    const db = new SqliteDatabase(url.slice('sqlite:'.length));
    db.transaction(() => {
      for (const [table, rows] of [['tenants', tenants], ['webhooks', webhooks]] as const) {
        for (let i = 0; i < rows.length; i += chunk) {
          const { text, params } = insertSql(table, rows.slice(i, i + chunk), () => '?');
          db.prepare(text).run(...(params as unknown[]));
        }
      }
      db.prepare("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key IN ('config_revision', 'access_revision')").run();
    })();
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  for (const [table, rows] of [['tenants', tenants], ['webhooks', webhooks]] as const) {
    for (let i = 0; i < rows.length; i += chunk) {
      const { text, params } = insertSql(table, rows.slice(i, i + chunk), (n) => `$${n}`);
      await client.query(text, params);
    }
  }
  await client.query("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key IN ('config_revision', 'access_revision')");
  await client.query('COMMIT');
  await client.end();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const database = await databaseUrl();
  // Migrate first (the store does on open), then seed, then serve.
  await (await openStore(database.url)).store.close();
  const seedStart = Date.now();
  await seed(database.url);
  const seedMs = Date.now() - seedStart;

  const opened = await openStore(database.url);
  const { store } = opened;
  const box = new SecretBox('bench-secret-key-0123456789abcdef');
  const logger = createLogger('warn', { destination: new Writable({ write: (_c, _e, done) => done() }) });
  const metrics = createMetrics(() => store.countPending());
  const directory = new WebhookDirectory(store, box, logger);
  const sender = new HttpSender({ allowPrivateTargets: true, connectionsPerOrigin: 4 });
  const apiKey = 'bench-admin-key-0123456789';
  const api = await buildApi({
    store,
    directory,
    ingestor: new Ingestor(store, directory, metrics, null),
    box,
    testSender: new ExampleSender(sender),
    metrics,
    logger,
    apiKeyHashes: [hashApiKey(apiKey)],
    portalTokens: new PortalTokens('bench-secret-key-0123456789abcdef'),
    allowPrivateTargets: true,
    rateLimiter: new MemoryRateLimiter(),
    onRequeued: () => {},
    isReady: () => true,
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  const agent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const response = await request(base + path, { method: method as 'GET', headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, dispatcher: agent });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text);
  };
  const target = `brand-${String(Math.floor(TENANTS / 2)).padStart(4, '0')}`;
  const readKey = (await call('POST', '/v1/api-keys', { authorization: `Bearer ${apiKey}` }, { name: 'bench', scopes: ['read'], tenant_id: target })).key as string;

  const measure = async (label: string, headers: Record<string, string>) => {
    const warm = Math.min(200, REQUESTS);
    for (let i = 0; i < warm; i++) await call('GET', '/v1/webhooks', headers);
    const times: number[] = [];
    let listed = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const start = process.hrtime.bigint();
      const page = await call('GET', '/v1/webhooks', headers);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      listed = page.data.length;
    }
    times.sort((a, b) => a - b);
    console.log(`${label.padEnd(34)} p50 ${percentile(times, 50).toFixed(2)} ms   p99 ${percentile(times, 99).toFixed(2)} ms   (${listed} webhooks per page)`);
  };

  console.log(`store ${values.store}: ${TENANTS} tenants × ${PER_TENANT} webhooks (${TENANTS * PER_TENANT} in all, seeded in ${seedMs} ms), ${REQUESTS} requests each`);
  await measure(`admin key, Herald-Tenant ${target}`, { authorization: `Bearer ${apiKey}`, 'herald-tenant': target });
  await measure(`tenant read key (${target})`, { authorization: `Bearer ${readKey}` });
  await measure('admin key, default (empty)', { authorization: `Bearer ${apiKey}` });

  await agent.close();
  await api.close();
  await sender.close();
  await store.close();
  await database.cleanup();
}

await main();
