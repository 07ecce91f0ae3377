// Herald's API in this test process, listening on 127.0.0.1:0 over a real store (a temp SQLite
// file, or PostgreSQL with HERALD_TEST_STORE=postgres), with HTTP limits of the test's choosing
// (e.g. a 2 s request timeout). No delivery workers: for tests of the HTTP edge itself.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApi, type Api } from '../../src/api/app.ts';
import { MemoryRateLimiter } from '../../src/api/auth.ts';
import { hashApiKey } from '../../src/tenancy/api-keys.ts';
import { PortalTokens } from '../../src/tenancy/portal-tokens.ts';
import type { HttpLimits } from '../../src/api/http-limits.ts';
import { HttpSender } from '../../src/delivery/sender.ts';
import { ExampleSender } from '../../src/delivery/test-send.ts';
import { SecretBox } from '../../src/domain/secret-box.ts';
import { Ingestor } from '../../src/ingest/ingestor.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { openStore } from '../../src/store/open.ts';
import { WebhookDirectory } from '../../src/webhooks/directory.ts';
import { TEST_STORE } from './herald.ts';
import { createTestDatabase } from './postgres.ts';

export interface InProcessApi {
  api: Api;
  port: number;
  baseUrl: string;
  apiKey: string;
  /** Log lines written so far (JSON, one per line). */
  logs(): string;
  close(): Promise<void>;
}

export async function startInProcessApi(httpLimits: Partial<HttpLimits> = {}): Promise<InProcessApi> {
  const database = TEST_STORE === 'postgres' ? await createTestDatabase() : undefined;
  const databaseUrl = database?.url ?? `sqlite:${join(mkdtempSync(join(tmpdir(), 'herald-edge-')), 'herald.db')}`;
  const opened = await openStore(databaseUrl);
  const store = opened.store;
  let output = '';
  const logger = createLogger('info', { destination: new Writable({ write: (chunk, _encoding, done) => { output += chunk; done(); } }) });
  const box = new SecretBox('test-secret-key-0123456789abcdef');
  const metrics = createMetrics(() => store.countPending());
  const directory = new WebhookDirectory(store, box, logger);
  const sender = new HttpSender({ allowPrivateTargets: true, connectionsPerOrigin: 8 });
  const apiKey = 'edge-test-key-0123456789';
  const api = await buildApi({
    store,
    directory,
    ingestor: new Ingestor(store, directory, metrics, null),
    box,
    testSender: new ExampleSender(sender),
    metrics,
    logger,
    apiKeyHashes: [hashApiKey(apiKey)],
    portalTokens: new PortalTokens('test-secret-key-0123456789abcdef'),
    allowPrivateTargets: true,
    rateLimiter: new MemoryRateLimiter(),
    onRequeued: () => {},
    isReady: () => true,
    httpLimits,
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const port = (api.server.address() as { port: number }).port;
  return {
    api,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    logs: () => output,
    async close() {
      if (api.server.listening) await api.close();
      await sender.close();
      await store.close();
      await database?.drop().catch(() => {});
    },
  };
}
