// `npm run bench`: one run on this machine, every Herald figure next to a raw HTTP ceiling measured in
// the same run (the machine is shared and noisy: compare ratios, not absolute figures across runs).
// Prints a Markdown table and writes the same to bench-output/latest.json. Options:
//   --store sqlite|postgres|all   which stores to measure (default sqlite)
//   --processes 1,2,3             Herald processes for the PostgreSQL throughput rows (default 1,2,3)
//   --only a,b,c,d,e,f,g,h        a subset of the scenarios (f: the BullMQ baseline; g: back-pressure
//                                 and retention, issue 10; h: ordering by member on vs off,
//                                 10,000 members × 10 events, issue 11; h is not in the default set)
//   --quick                       about a third of the work
//   --profile                     CPU-profile Herald over each measured window and print where its
//                                 time went (profiles in bench-output/profiles/, for Chrome DevTools)
//   --herald-dir <dir>            the checkout to run (default: this one)
//   --concurrency <n>             per-webhook concurrency, for Herald and the raw ceiling (default
//                                 HERALD_WEBHOOK_CONCURRENCY or 64, Herald's default)
//   --pg-url <url>                PostgreSQL admin URL (default postgres://postgres@127.0.0.1:5432/postgres)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bullmqStarter, bullmqVersion } from './baselines/bullmq-process.ts';
import type { AppendFsync } from './baselines/redis-server.ts';
import { heraldAgent, heraldStarter, postgresAnswers, type StartHeralds, type StoreKind } from './herald-process.ts';
import { formatProfile, summariseProfile, type CpuProfile, type ProfileSummary } from './profile.ts';
import { startReceiver, type Receiver } from './receiver-client.ts';
import { cpuPerDeliveryUs, describeMachine, formatNumber, formatTable, writeJson, type Row } from './report.ts';
import { batchIngest, type IngestResult } from './scenarios/batch-ingest.ts';
import { deliveryThroughput, type ThroughputResult } from './scenarios/delivery-throughput.ts';
import { latencyAtRate, type LatencyResult } from './scenarios/latency.ts';
import { rawCeiling, type RawCeilingResult } from './scenarios/raw-ceiling.ts';
import { healthyUnderOverload, retentionSteadyLoad, type OverloadResult, type RetentionResult } from './scenarios/lifecycle.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT_DIR = join(ROOT, 'bench-output');

const { values: flags } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    processes: { type: 'string', default: '1,2,3' },
    only: { type: 'string', default: 'a,b,c,d,e,f,g' },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'herald-dir': { type: 'string', default: ROOT },
    concurrency: { type: 'string', default: process.env.HERALD_WEBHOOK_CONCURRENCY || '64' },
    'pg-url': { type: 'string', default: process.env.HERALD_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});

const stores: StoreKind[] = flags.store === 'all' ? ['sqlite', 'postgres'] : [flags.store as StoreKind];
if (!stores.every((s) => s === 'sqlite' || s === 'postgres')) throw new Error('--store must be sqlite, postgres or all');
const only = new Set(flags.only.split(','));
const concurrency = Number(flags.concurrency);
const heraldDir = resolve(flags['herald-dir']);
const scale = flags.quick ? 0.3 : 1;
const size = (n: number) => Math.max(100, Math.round((n * scale) / 100) * 100);
const STORE_NAME: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/** Single-event rows (b2, f2): concurrent clients, each POSTing its next event once answered. */
const SINGLE_IN_FLIGHT = 64;
/** Issue 12: Herald ≥ 3× the faster BullMQ variant, per ingest mode. */
const BASELINE_TARGET = 3;
const throughputSize = () => ({ events: size(30_000), warmupEvents: size(3000), timeoutMs: 240_000 });

const log = (message: string) => console.error(`bench: ${message}`);

interface StoreResults {
  store: StoreKind;
  throughput: ThroughputResult[];
  /** b2: single POSTs, one process. */
  singles: ThroughputResult[];
  fanOut: ThroughputResult[];
  latency?: LatencyResult;
  ingest?: IngestResult;
  /** h: the same member load with ordering off, then on. */
  ordering: ThroughputResult[];
  overload?: OverloadResult;
  retention?: RetentionResult;
}

const profiles: Record<string, ProfileSummary[]> = {};

/** Starts Herald for one scenario; under --profile, the measured window's profiles are kept. */
function starter(store: StoreKind, label: string, env: Record<string, string> = {}): StartHeralds {
  const name = `${store}-${label}`;
  const profileDir = join(OUTPUT_DIR, 'profiles', name);
  if (flags.profile) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  return heraldStarter({
    store,
    heraldDir,
    env: { HERALD_WEBHOOK_CONCURRENCY: String(concurrency), ...env },
    nodeArgs: [],
    postgresAdminUrl: flags['pg-url'],
    onProfile: flags.profile
      ? (pid, profile) => {
          const file = join(profileDir, `herald-${pid}.cpuprofile`);
          writeFileSync(file, JSON.stringify(profile));
          (profiles[name] ??= []).push(summariseProfile(file, profile as CpuProfile));
        }
      : undefined,
  });
}

async function measure<T>(store: StoreKind, label: string, run: (start: StartHeralds) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  log(`${STORE_NAME[store]}: ${label}`);
  const started = Date.now();
  const result = await run(starter(store, label, env));
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(result).slice(0, 400)}`);
  return result;
}

async function measureStore(store: StoreKind, receiver: Receiver): Promise<StoreResults> {
  const results: StoreResults = { store, throughput: [], singles: [], fanOut: [], ordering: [] };
  const timeoutMs = 240_000;
  if (only.has('b')) {
    const counts = store === 'sqlite' ? [1] : flags.processes.split(',').map(Number);
    for (const processes of counts) {
      results.throughput.push(
        await measure(store, `b-${processes}p`, (start) =>
          deliveryThroughput(start, receiver, `b${processes}`, { processes, webhooks: 1, ...throughputSize() }),
        ),
      );
    }
    results.singles.push(
      await measure(store, 'b2', (start) =>
        deliveryThroughput(start, receiver, 'b2', { processes: 1, webhooks: 1, ingest: 'single', inFlight: SINGLE_IN_FLIGHT, ...throughputSize() }),
      ),
    );
  }
  if (only.has('c')) {
    for (const [webhooks, events] of [[10, 3000], [100, 1000]]) {
      results.fanOut.push(
        await measure(store, `c-${webhooks}w`, (start) =>
          deliveryThroughput(start, receiver, `c${webhooks}`, { processes: 1, webhooks, events: size(events), warmupEvents: size(events / 10), timeoutMs }),
        ),
      );
    }
  }
  if (only.has('d')) {
    results.latency = await measure(store, 'd', (start) =>
      latencyAtRate(start, receiver, 'd', { processes: 1, ratePerSecond: 1000, seconds: flags.quick ? 4 : 10, warmupSeconds: 4 }),
    );
  }
  if (only.has('h')) {
    // API.md §10: 10 events for each of 10,000 members (a tenth of the events in --quick).
    const events = size(100_000);
    for (const ordering of ['none', 'member'] as const) {
      results.ordering.push(
        await measure(store, `h-${ordering}`, (start) =>
          deliveryThroughput(start, receiver, `h${ordering}`, { processes: 1, webhooks: 1, events, warmupEvents: size(3000), members: events / 10, ordering, timeoutMs: 600_000 }),
        ),
      );
    }
  }
  if (only.has('e')) {
    results.ingest = await measure(store, 'e', (start) => batchIngest(start, receiver, { processes: 1, events: size(30_000), warmupEvents: size(3000) }));
  }
  if (only.has('g')) {
    results.overload = await measure(store, 'g1', (start) =>
      healthyUnderOverload(start, receiver, { ratePerSecond: 100, seconds: flags.quick ? 3 : 4, warmupSeconds: 2 }),
    );
    if (store === 'sqlite') {
      // 0.00002 days ≈ 1.7 s: a purge cycle every ~0.9 s, so 16 s of load is ~18 cycles.
      const load = { retentionDays: 0.00002, ratePerSecond: 300, seconds: flags.quick ? 8 : 16 };
      results.retention = await measure(store, 'g2', (start) => retentionSteadyLoad(start, receiver, load), {
        HERALD_RETENTION_DAYS: String(load.retentionDays),
      });
    }
  }
  return results;
}

interface BaselineResult {
  appendfsync: AppendFsync;
  redisVersion: string;
  batch: ThroughputResult;
  single: ThroughputResult;
}

/** (f) The BullMQ dispatcher on a Redis of its own, for each fsync policy: the same load as b and b2. */
async function measureBaseline(receiver: Receiver): Promise<BaselineResult[]> {
  const results: BaselineResult[] = [];
  for (const appendfsync of ['always', 'everysec'] as const) {
    let redisVersion = 'unknown';
    const start = bullmqStarter({ appendfsync, concurrency, onRedisVersion: (v) => (redisVersion = v) });
    const run = async (label: string, ingest: 'batch' | 'single') => {
      log(`BullMQ, appendfsync ${appendfsync}: ${label}`);
      const started = Date.now();
      const result = await deliveryThroughput(start, receiver, `${label}-${appendfsync}`, { processes: 1, webhooks: 1, ingest, inFlight: SINGLE_IN_FLIGHT, ...throughputSize() });
      log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(result).slice(0, 400)}`);
      return result;
    };
    const batch = await run('f1', 'batch');
    const single = await run('f2', 'single');
    results.push({ appendfsync, redisVersion, batch, single });
  }
  return results;
}

/**
 * Per ingest mode, what Herald's b and b2 rows are held against: the faster BullMQ variant's
 * deliveries/s and the lower CPU time per delivery of the two.
 */
type BaselineBest = Partial<Record<'batch' | 'single', { deliveriesPerSecond: number; cpuUs?: number }>>;

function bestOf(baseline: BaselineResult[]): BaselineBest {
  const best: BaselineBest = {};
  for (const mode of ['batch', 'single'] as const) {
    const runs = baseline.map((b) => b[mode]);
    if (runs.length === 0) continue;
    const cpuUs = runs.map((t) => cpuPerDeliveryUs(t.cpu, t.deliveriesPerSecond)).filter((us) => us !== undefined);
    best[mode] = { deliveriesPerSecond: Math.max(...runs.map((t) => t.deliveriesPerSecond)), cpuUs: cpuUs.length > 0 ? Math.min(...cpuUs) : undefined };
  }
  return best;
}

function againstBaseline(t: ThroughputResult, best: BaselineBest): Pick<Row, 'vsBaseline' | 'vsBaselineCpu' | 'baselineTarget' | 'baselineIsMet'> {
  const baseline = best[t.ingest];
  if (baseline === undefined) return {};
  const ratio = t.deliveriesPerSecond / baseline.deliveriesPerSecond;
  const cpuUs = cpuPerDeliveryUs(t.cpu, t.deliveriesPerSecond);
  return {
    vsBaseline: ratio,
    vsBaselineCpu: baseline.cpuUs !== undefined && cpuUs !== undefined ? baseline.cpuUs / cpuUs : undefined,
    baselineTarget: `≥ ${BASELINE_TARGET}× (f)`,
    baselineIsMet: ratio >= BASELINE_TARGET,
  };
}

/** ", 12 extra requests": receiver requests beyond one per delivery (retries, duplicates), when any. */
const extras = (t: ThroughputResult) => (t.extraRequests > 0 ? `, ${formatNumber(t.extraRequests)} extra requests (retries or duplicates)` : '');

function baselineRows(baseline: BaselineResult[], ceiling: number | undefined): Row[] {
  const who = (b: BaselineResult) => `${bullmqVersion()} + Redis ${b.redisVersion} (AOF, appendfsync ${b.appendfsync})`;
  return baseline.flatMap((b) => [
    {
      id: 'f1',
      scenario: `${who(b)}: batch ingest → 1 webhook (signature), ${formatNumber(b.batch.events)} events${extras(b.batch)}`,
      value: b.batch.deliveriesPerSecond,
      unit: 'deliveries/s',
      ratio: ceiling ? b.batch.deliveriesPerSecond / ceiling : undefined,
      cpu: b.batch.cpu,
    },
    {
      id: 'f2',
      scenario: `${who(b)}: single POSTs, ${b.single.inFlight} in flight → 1 webhook (signature), ${formatNumber(b.single.events)} events${extras(b.single)}`,
      value: b.single.deliveriesPerSecond,
      unit: 'deliveries/s',
      ratio: ceiling ? b.single.deliveriesPerSecond / ceiling : undefined,
      cpu: b.single.cpu,
    },
  ]);
}

function rowsFor(results: StoreResults, ceiling: number | undefined, best: BaselineBest): Row[] {
  const name = STORE_NAME[results.store];
  const rows: Row[] = [];
  const vs = (value: number) => (ceiling ? value / ceiling : undefined);
  for (const t of results.throughput) {
    const who = results.store === 'sqlite' ? name : `${name}, ${t.processes} process${t.processes > 1 ? 'es' : ''}`;
    const ratio = vs(t.deliveriesPerSecond);
    rows.push({
      id: 'b',
      scenario: `${who}: batch ingest → 1 webhook (signature), ${formatNumber(t.events)} events${extras(t)}`,
      value: t.deliveriesPerSecond,
      unit: 'deliveries/s',
      ratio,
      target: '≥ 50% of (a)',
      isMet: ratio === undefined ? undefined : ratio >= 0.5,
      ...againstBaseline(t, best),
      cpu: t.cpu,
    });
  }
  for (const t of results.singles) {
    rows.push({
      id: 'b2',
      scenario: `${name}: single POSTs, ${t.inFlight} in flight → 1 webhook (signature), ${formatNumber(t.events)} events${extras(t)}`,
      value: t.deliveriesPerSecond,
      unit: 'deliveries/s',
      ratio: vs(t.deliveriesPerSecond),
      ...againstBaseline(t, best),
      cpu: t.cpu,
    });
  }
  for (const t of results.fanOut) {
    rows.push({
      id: 'c',
      scenario: `${name}: fan-out, 1 event type → ${t.webhooks} webhooks, ${formatNumber(t.events)} events`,
      value: t.deliveriesPerSecond,
      unit: 'deliveries/s',
      ratio: vs(t.deliveriesPerSecond),
      cpu: t.cpu,
    });
  }
  const l = results.latency;
  if (l) {
    const at = `at ${formatNumber(l.sentRatePerSecond)} events/s sent (${formatNumber(l.measuredEvents)} events${l.lostEvents ? `, ${l.lostEvents} never arrived` : ''})`;
    rows.push(
      { id: 'd', scenario: `${name}: latency accepted → received, p50, ${at}; ${l.receivedBeforeAcceptedPercent}% arrived before their 202 (counted as 0 ms)`, value: l.acceptedToReceivedMs.p50, unit: 'ms', target: '≤ 5 ms', isMet: l.acceptedToReceivedMs.p50 <= 5, cpu: l.cpu },
      { id: 'd', scenario: `${name}: latency accepted → received, p99`, value: l.acceptedToReceivedMs.p99, unit: 'ms', target: '≤ 25 ms', isMet: l.acceptedToReceivedMs.p99 <= 25 && l.lostEvents === 0 },
      {
        id: 'd',
        scenario: `${name}: latency sent → received, p50 / p99 (sent → 202: p50 ${formatNumber(l.sentToAcceptedMs.p50, 1)}, p99 ${formatNumber(l.sentToAcceptedMs.p99, 1)} ms)`,
        value: l.sentToReceivedMs.p50,
        unit: 'ms',
        display: `${formatNumber(l.sentToReceivedMs.p50, 1)} / ${formatNumber(l.sentToReceivedMs.p99, 1)} ms`,
      },
    );
  }
  const off = results.ordering.find((t) => t.ordering === 'none');
  for (const t of results.ordering) {
    const ratio = off && t.ordering === 'member' ? t.deliveriesPerSecond / off.deliveriesPerSecond : undefined;
    rows.push({
      id: 'h',
      scenario: `${name}: ordering ${t.ordering === 'member' ? 'by member' : 'off'}, ${formatNumber(t.members ?? 0)} members × ${formatNumber(t.events / (t.members ?? 1))} events → 1 webhook (signature)${ratio === undefined ? '' : `; ${formatNumber(ratio * 100)}% of ordering off`}${extras(t)}`,
      value: t.deliveriesPerSecond,
      unit: 'deliveries/s',
      ratio: vs(t.deliveriesPerSecond),
      cpu: t.cpu,
    });
  }
  if (results.ingest) {
    rows.push({ id: 'e', scenario: `${name}: batch ingest, nothing subscribed, ${formatNumber(results.ingest.events)} events`, value: results.ingest.eventsPerSecond, unit: 'events/s', cpu: results.ingest.cpu });
  }
  const o = results.overload;
  if (o) {
    const [healthy, ...bad] = o.phases;
    const describe = (p: (typeof o.phases)[number]) =>
      `${formatNumber(p.healthyDeliveriesPerSecond)} deliveries/s, p50 ${formatNumber(p.p50Ms, 1)} / p99 ${formatNumber(p.p99Ms, 1)} ms${p.missing ? `, ${p.missing} missing` : ''}`;
    rows.push({
      id: 'g1',
      scenario: `${name}: 10 webhooks, single POSTs at ${o.ratePerSecond} events/s for ${o.seconds} s, all healthy: ${describe(healthy)}`,
      value: healthy.healthyDeliveriesPerSecond,
      unit: 'deliveries/s',
    });
    for (const p of bad) {
      const what = p.mode === '429' ? 'answers 429 (Retry-After: 1)' : 'hangs (timeout 1 s)';
      const slowdown = Math.max(1 - p.healthyDeliveriesPerSecond / healthy.healthyDeliveriesPerSecond, p.p99Ms / healthy.p99Ms - 1) * 100;
      rows.push({
        id: 'g1',
        scenario: `${name}: the same, 1 of 10 ${what} (${p.badRequests} requests to it, in-flight limit ${p.badInflightLimit ?? '?'}): the 9 healthy ${describe(p)}; worse than all-healthy by ${formatNumber(Math.max(0, slowdown), 1)}%`,
        value: p.healthyDeliveriesPerSecond,
        unit: 'deliveries/s',
        target: 'healthy ≤ 10% slower',
        isMet: slowdown <= 10 && p.missing === 0,
      });
    }
  }
  const g2 = results.retention;
  if (g2) {
    rows.push({
      id: 'g2',
      scenario: `${name}: retention ${g2.retentionDays} days (≈ ${formatNumber(g2.retentionDays * 86_400, 1)} s) at ${g2.ratePerSecond} events/s for ${g2.seconds} s, ${formatNumber(g2.purged.events)} of ${formatNumber(g2.events)} events purged: database file at half time ${formatNumber(g2.midKiB)} KiB, at the end ${formatNumber(g2.endKiB)} KiB (${g2.growthPercent}%), WAL at most ${formatNumber(g2.maxWalKiB)} KiB; kept for ever ≈ ${formatNumber(g2.withoutRetentionKiB)} KiB`,
      value: g2.endKiB,
      unit: 'KiB',
      target: 'flat (≤ 10% growth)',
      isMet: g2.growthPercent <= 10,
    });
  }
  return rows;
}

async function main(): Promise<void> {
  const machine = describeMachine(heraldDir);
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  if (stores.includes('postgres') && !(await postgresAnswers(flags['pg-url']))) throw new Error(`no PostgreSQL server answers at ${flags['pg-url']}`);
  const receiver = await startReceiver();
  log(`receiver clock offset ${receiver.clockOffsetMs.toFixed(3)} ms`);
  const wantsCeiling = only.has('a') || only.has('b') || only.has('c') || only.has('f');
  const ceilingOptions = { concurrency, requests: size(30_000), warmupRequests: size(10_000) };
  const ceilings: RawCeilingResult[] = [];
  const results: StoreResults[] = [];
  let baseline: BaselineResult[] = [];
  try {
    if (wantsCeiling) {
      log('(a) raw ceiling, before');
      ceilings.push(await rawCeiling(receiver, ceilingOptions));
      log(`  ${formatNumber(ceilings[0].requestsPerSecond)} req/s`);
    }
    for (const store of stores) results.push(await measureStore(store, receiver));
    if (only.has('f')) baseline = await measureBaseline(receiver);
    if (wantsCeiling) {
      log('(a) raw ceiling, after');
      ceilings.push(await rawCeiling(receiver, ceilingOptions));
      log(`  ${formatNumber(ceilings[1].requestsPerSecond)} req/s`);
    }
  } finally {
    await receiver.stop();
    await heraldAgent.close();
  }

  // The ceiling is the better of the two measurements, so that ratios are not flattered by a slow one.
  const ceiling = ceilings.length ? Math.max(...ceilings.map((c) => c.requestsPerSecond)) : undefined;
  const rows: Row[] = [];
  if (ceiling !== undefined) {
    rows.push({
      id: 'a',
      scenario: `raw ceiling: undici → receiver, ${ceilings[0].bodyBytes}-byte envelope (1 KiB data), concurrency ${concurrency} (before / after: ${ceilings.map((c) => formatNumber(c.requestsPerSecond)).join(' / ')})`,
      value: ceiling,
      unit: 'requests/s',
      cpu: ceilings.find((c) => c.requestsPerSecond === ceiling)?.cpu,
    });
  }
  const best = bestOf(baseline);
  for (const r of results) rows.push(...rowsFor(r, ceiling, best));
  rows.push(...baselineRows(baseline, ceiling));

  const table = formatTable(machine, command, rows);
  console.log(table);
  for (const [label, summaries] of Object.entries(profiles)) {
    for (const summary of summaries) console.log(`\nprofile ${label}: ${formatProfile(summary)}`);
  }
  const outputFile = join(OUTPUT_DIR, 'latest.json');
  writeJson(outputFile, { machine, command, concurrency, rows, details: { ceilings, results, baseline }, profiles: flags.profile ? profiles : undefined, table });
  log(`wrote ${outputFile}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
