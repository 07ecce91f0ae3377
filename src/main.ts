// Composition root: config → store → keys → engine → API. The only place that wires adapters.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError, configSummary, wantsHelp, type Config } from './config.ts';
import { usage } from './config-help.ts';
import { createLogger, type Logger } from './log.ts';
import { describeStartFailure } from './start-failure.ts';
import { openStore, type OpenedStore } from './store/open.ts';
import { resolveSecretKey, prepareAdminKeys } from './keys.ts';
import { SecretBox, KEY_CHECK_PLAINTEXT } from './domain/secret-box.ts';
import { createMetrics } from './metrics.ts';
import { WebhookDirectory } from './webhooks/directory.ts';
import { HttpSender } from './delivery/sender.ts';
import { ThreadedSender } from './delivery/threads/pool.ts';
import { DeliveryEngine } from './delivery/engine.ts';
import { ExampleSender } from './delivery/test-send.ts';
import { Ingestor } from './ingest/ingestor.ts';
import { HealthSweep, HEALTH_SWEEP_INTERVAL_MS } from './maintenance/health-sweep.ts';
import { buildApi } from './api/app.ts';
import { PortalTokens } from './tenancy/portal-tokens.ts';
import type { Api } from './api/deps.ts';
import { MemoryRateLimiter } from './api/auth.ts';
import { RetentionJob } from './maintenance/retention.ts';

export interface Herald {
  api: Api;
  stop(): Promise<void>;
}

export async function startHerald(config: Config, log: Logger): Promise<Herald> {
  const opened: OpenedStore = await openStore(config.databaseUrl);
  const { store } = opened;
  const secretKey = await resolveSecretKey(config, opened, log);
  const box = new SecretBox(secretKey.key);
  await checkSecretKey(store, box);
  const adminKeys = await prepareAdminKeys(config, store, log);
  log.info(configSummary(config, { apiKey: adminKeys.source, secretKey: secretKey.source }), 'starting Herald');

  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const metrics = createMetrics(() => store.countPending());
  const directory = new WebhookDirectory(store, box, log);
  await directory.fresh();
  const http = { allowPrivateTargets: config.allowPrivateTargets, connectionsPerOrigin: config.concurrency };
  const sender = config.deliveryThreads > 0 ? new ThreadedSender({ ...http, threads: config.deliveryThreads }, log) : new HttpSender(http);
  // Test sends have their own sender, so a stop can cut them short without touching deliveries.
  const testHttp = new HttpSender({ allowPrivateTargets: config.allowPrivateTargets, connectionsPerOrigin: 4 });

  const runsWorkers = config.role !== 'api';
  const engine = runsWorkers
    ? new DeliveryEngine(store, directory, sender, metrics, log, {
        owner,
        concurrency: config.concurrency,
        webhookConcurrency: config.webhookConcurrency,
        leaseMs: config.leaseSeconds * 1000,
        pollIntervalMs: config.pollIntervalMs,
      })
    : null;
  // Deliveries nobody holds yet: wake this process's engine and (PostgreSQL) every other one.
  const wakeWorkers = () => {
    engine?.wake();
    opened.notifyWork?.();
  };
  opened.onWork?.(() => engine?.wake());
  opened.onConfigChange?.(() => void directory.invalidate());
  const ingestor = new Ingestor(store, directory, metrics, engine, wakeWorkers);
  const healthSweep = new HealthSweep(store, {
    intervalMs: HEALTH_SWEEP_INTERVAL_MS,
    onQueued: wakeWorkers,
    onDisabled: () => void directory.invalidate().catch((err) => log.error({ err }, 'could not reload webhooks')),
    log,
  });

  let isReady = false;
  const api = await buildApi({
    isWorkerOnly: config.role === 'worker',
    store,
    directory,
    ingestor,
    box,
    testSender: new ExampleSender(testHttp),
    metrics,
    logger: log,
    apiKeyHashes: adminKeys.hashes,
    portalTokens: new PortalTokens(secretKey.key),
    publicUrl: config.publicUrl,
    portalFrameAncestors: config.portalFrameAncestors,
    allowPrivateTargets: config.allowPrivateTargets,
    rateLimitPerMinute: config.rateLimitPerMinute,
    rateLimiter: opened.rateLimiter ?? new MemoryRateLimiter(),
    onRequeued: wakeWorkers,
    isReady: () => isReady,
    uiDir: fileURLToPath(new URL('../ui/dist', import.meta.url)),
  });
  await api.listen({ port: config.port, host: config.host });
  await adminKeys.generateIfMissing();
  await engine?.start();
  const retention = new RetentionJob(store, log, {
    retentionDays: config.retentionDays,
    onPurged: (table, count) => metrics.retentionPurged.inc({ table }, count),
  });
  for (const table of ['events', 'deliveries', 'attempts']) metrics.retentionPurged.inc({ table }, 0);
  retention.start();
  healthSweep.start();
  isReady = true;
  log.info({ owner, role: config.role }, 'Herald is ready');

  return {
    api,
    async stop() {
      const graceMs = config.shutdownGraceSeconds * 1000;
      isReady = false;
      // Requests in flight get the grace period; a test send still waiting then is cut short.
      const cutTestSends = setTimeout(() => testHttp.abortAll(), graceMs);
      await api.close();
      clearTimeout(cutTestSends);
      await healthSweep.stop();
      // Tries in flight get the grace period, then are aborted and stay due (nothing recorded).
      await engine?.stop(graceMs);
      await retention.stop();
      await Promise.all([sender.close(), testHttp.close()]);
      await store.close();
      log.info('Herald stopped');
    },
  };
}

async function checkSecretKey(store: OpenedStore['store'], box: SecretBox): Promise<void> {
  const sealed = await store.ensureMeta('secret_key_check', box.seal(KEY_CHECK_PLAINTEXT));
  try {
    if (box.open(sealed) === KEY_CHECK_PLAINTEXT) return;
  } catch {
    // reported below
  }
  throw new ConfigError('HERALD_SECRET_KEY does not match the key this database was created with; start with the original key.');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(usage());
    process.exit(0);
  }
  let config: Config;
  try {
    config = loadConfig(process.env, argv, { isTty: process.stdout.isTTY === true });
  } catch (error) {
    process.stderr.write(`herald: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel, { format: config.logFormat });
  let herald: Herald;
  try {
    herald = await startHerald(config, log);
  } catch (error) {
    // One line for the person at the terminal; the stack only for whoever asked for debug logs.
    log.debug({ err: error }, 'Herald could not start');
    process.stderr.write(`herald: ${describeStartFailure(error, config)}\n`);
    process.exit(1);
  }
  let isStopping = false;
  const shutdown = (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    log.info({ signal }, 'shutting down');
    herald.stop().then(
      () => process.exit(0),
      (error) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
