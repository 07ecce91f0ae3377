// (g) Back-pressure and retention (issue 10).
//
// g1: ten webhooks on one event type, single `POST /v1/events` at a steady rate (open loop). Three
// phases in the same run, each on a fresh Herald: all ten healthy; one of the ten answering 429
// (Retry-After: 1); one of the ten never answering (timeout 1 s). Measured per phase over the nine
// healthy ones: deliveries/s and sent → received latency (p50/p99). The target: the healthy
// nine slow by no more than 10 % against the all-healthy phase.
//
// g2: retention at a steady load: HERALD_RETENTION_DAYS small enough that a purge cycle runs every
// second or so, events at a steady rate; the SQLite file (+ WAL) size is sampled each second. It
// should rise to what the retention window holds and stay there.
import { existsSync, statSync } from 'node:fs';
import { Agent, request } from 'undici';
import { now, percentile, sleep } from '../clock.ts';
import type { HeraldGroup, HeraldProcess, StartHeralds } from '../herald-process.ts';
import { EVENT_TYPE, eventBody } from '../load.ts';
import type { Receiver } from '../receiver-client.ts';

export type OverloadMode = 'healthy' | '429' | 'hang';

export interface OverloadPhase {
  mode: OverloadMode;
  /** Healthy deliveries of measured events per second, from the first send to the last healthy arrival. */
  healthyDeliveriesPerSecond: number;
  healthyDeliveries: number;
  missing: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests the misbehaving webhook got (429s or hung tries). */
  badRequests: number;
  /** Its in-flight limit at the end (herald_webhook_inflight_limit). */
  badInflightLimit: number | null;
}

export interface OverloadResult {
  ratePerSecond: number;
  seconds: number;
  phases: OverloadPhase[];
  /** Worst healthy-webhook slow-down against the all-healthy phase, in % (throughput or p99). */
  worstSlowdownPercent: { throughput: number; p99: number };
}

export interface OverloadOptions {
  ratePerSecond: number;
  seconds: number;
  warmupSeconds: number;
}

const WEBHOOKS = 10;

export async function healthyUnderOverload(startHeralds: StartHeralds, receiver: Receiver, options: OverloadOptions): Promise<OverloadResult> {
  // A short unmeasured phase first: the receiver and this harness are cold at the start of a run,
  // which would otherwise count against whichever phase comes first.
  await phase(startHeralds, receiver, 'healthy', { ...options, seconds: 1, warmupSeconds: 1 });
  const phases: OverloadPhase[] = [];
  for (const mode of ['healthy', '429', 'hang'] as const) phases.push(await phase(startHeralds, receiver, mode, options));
  const base = phases[0];
  const others = phases.slice(1);
  const slow = (f: (p: OverloadPhase) => number, worseIsHigher: boolean) =>
    Math.max(...others.map((p) => (worseIsHigher ? f(p) / f(base) - 1 : 1 - f(p) / f(base)) * 100));
  return {
    ratePerSecond: options.ratePerSecond,
    seconds: options.seconds,
    phases,
    worstSlowdownPercent: { throughput: round1(slow((p) => p.healthyDeliveriesPerSecond, false)), p99: round1(slow((p) => p.p99Ms, true)) },
  };
}

async function phase(startHeralds: StartHeralds, receiver: Receiver, mode: OverloadMode, options: OverloadOptions): Promise<OverloadPhase> {
  const group = await startHeralds(1);
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  try {
    const herald = group.processes[0];
    const healthyPaths: string[] = [];
    let badPath: string | null = null;
    let badId: string | null = null;
    for (let i = 0; i < WEBHOOKS; i++) {
      const isBad = mode !== 'healthy' && i === WEBHOOKS - 1;
      const path = isBad ? `/overload/${mode}/g-${i}` : `/hook/g-${mode}/${i}`;
      const created = await herald.api('POST', '/v1/webhooks', {
        name: `bench g ${mode} ${i}`,
        url: receiver.url(path),
        event_types: [EVENT_TYPE],
        retry: { attempts: 3, delay_seconds: 1, timeout_seconds: 1 },
      });
      if (created.status !== 201) throw new Error(`create webhook: ${created.status} ${JSON.stringify(created.body)}`);
      if (isBad) {
        badPath = path;
        badId = created.body.id;
      } else if (i < WEBHOOKS - 1) healthyPaths.push(path); // the same nine in every phase
    }
    await receiver.reset();
    await receiver.recordArrivals({ perPath: true });

    const warmup = Math.round(options.ratePerSecond * options.warmupSeconds);
    const total = warmup + Math.round(options.ratePerSecond * options.seconds);
    const ids = Array.from({ length: total }, () => crypto.randomUUID());
    const bodies = ids.map((id, i) => JSON.stringify(eventBody(i, id)));
    const sentAt = new Float64Array(total);
    const failures: string[] = [];
    const pending: Promise<void>[] = [];
    const intervalMs = 1000 / options.ratePerSecond;
    const t0 = now() + 5;
    for (let next = 0; next < total; ) {
      const t = now();
      while (next < total && t0 + next * intervalMs <= t) {
        const i = next++;
        sentAt[i] = now();
        pending.push(post(agent, herald, bodies[i]).catch((error) => void failures.push((error as Error).message)));
      }
      await sleep(Math.max(0, Math.min(1, t0 + next * intervalMs - now())));
    }
    await Promise.all(pending);
    if (failures.length > 0) throw new Error(`${failures.length} events were not accepted, e.g. ${failures[0]}`);

    // Every healthy (path, event) of the measured events, or give up after 30 s.
    const expected = healthyPaths.length * (total - warmup);
    const deadline = now() + 30_000;
    let arrivals = await receiver.arrivals();
    const countMeasured = () => {
      let n = 0;
      for (const path of healthyPaths) for (let i = warmup; i < total; i++) if (arrivals.has(`${path} ${ids[i]}`)) n++;
      return n;
    };
    while (countMeasured() < expected && now() < deadline) {
      await sleep(200);
      arrivals = await receiver.arrivals();
    }
    const latencies: number[] = [];
    let lastAt = 0;
    for (const path of healthyPaths) {
      for (let i = warmup; i < total; i++) {
        const at = arrivals.get(`${path} ${ids[i]}`);
        if (at === undefined) continue;
        latencies.push(at - sentAt[i]);
        lastAt = Math.max(lastAt, at);
      }
    }
    latencies.sort((a, b) => a - b);
    const summary = await receiver.summary();
    return {
      mode,
      healthyDeliveriesPerSecond: round1(latencies.length / ((lastAt - sentAt[warmup]) / 1000)),
      healthyDeliveries: latencies.length,
      missing: expected - latencies.length,
      p50Ms: round1(percentile(latencies, 50)),
      p99Ms: round1(percentile(latencies, 99)),
      badRequests: badPath ? (summary.paths[badPath]?.requests ?? 0) : 0,
      badInflightLimit: badId ? await inflightLimit(herald, badId) : null,
    };
  } finally {
    await agent.close();
    await group.stop();
  }
}

async function post(agent: Agent, herald: HeraldProcess, body: string): Promise<void> {
  const response = await request(`${herald.baseUrl}/v1/events`, {
    method: 'POST',
    dispatcher: agent,
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${herald.apiKey}` },
  });
  await response.body.text();
  if (response.statusCode !== 202) throw new Error(`event: ${response.statusCode}`);
}

async function metricsText(herald: HeraldProcess): Promise<string> {
  const response = await request(`${herald.baseUrl}/metrics`);
  return response.body.text();
}

async function inflightLimit(herald: HeraldProcess, webhookId: string): Promise<number | null> {
  const match = new RegExp(`herald_webhook_inflight_limit\\{webhook_id="${webhookId}"\\} (\\d+)`).exec(await metricsText(herald));
  return match ? Number(match[1]) : null;
}

// ---- g2: retention ----

export interface RetentionOptions {
  retentionDays: number;
  ratePerSecond: number;
  seconds: number;
}

export interface RetentionResult {
  retentionDays: number;
  ratePerSecond: number;
  seconds: number;
  events: number;
  /** Rows purged over the run (herald_retention_purged_total). */
  purged: { events: number; deliveries: number; attempts: number };
  /** Database file size each second, KiB (and the WAL beside it). */
  sizesKiB: number[];
  walKiB: number[];
  /**
   * The database file at the middle and at the end of the run, KiB; growth between them, %. The
   * WAL beside it is reused after each checkpoint (Herald checkpoints after each purge, SQLite
   * every 4000 pages): its size is the largest burst of writes between two checkpoints.
   */
  midKiB: number;
  endKiB: number;
  growthPercent: number;
  maxWalKiB: number;
  /** The database file if nothing were purged: its end size × events / events still kept (an extrapolation). */
  withoutRetentionKiB: number;
}

export async function retentionSteadyLoad(
  startHeralds: StartHeralds,
  receiver: Receiver,
  options: RetentionOptions,
): Promise<RetentionResult> {
  const kept = await steadyLoad(startHeralds, receiver, options);
  const kib = (bytes: number) => Math.round(bytes / 1024);
  const mid = kept.db[Math.floor(kept.db.length / 2)];
  const end = kept.db[kept.db.length - 1];
  const stillKept = Math.max(1, kept.events - kept.purged.events);
  return {
    retentionDays: options.retentionDays,
    ratePerSecond: options.ratePerSecond,
    seconds: options.seconds,
    events: kept.events,
    purged: kept.purged,
    sizesKiB: kept.db.map(kib),
    walKiB: kept.wal.map(kib),
    midKiB: kib(mid),
    endKiB: kib(end),
    growthPercent: round1((end / mid - 1) * 100),
    maxWalKiB: kib(Math.max(...kept.wal)),
    withoutRetentionKiB: kib((end * kept.events) / stillKept),
  };
}

async function steadyLoad(startHeralds: StartHeralds, receiver: Receiver, options: RetentionOptions) {
  const group: HeraldGroup = await startHeralds(1);
  const agent = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  try {
    const herald = group.processes[0];
    const file = group.sqlitePath;
    if (!file) throw new Error('the retention row measures the SQLite file');
    const created = await herald.api('POST', '/v1/webhooks', { name: 'bench g2', url: receiver.url('/hook/g2/0'), event_types: [EVENT_TYPE] });
    if (created.status !== 201) throw new Error(`create webhook: ${created.status}`);
    const bytes = (path: string) => (existsSync(path) ? statSync(path).size : 0);
    const db: number[] = [];
    const wal: number[] = [];
    const sample = () => {
      db.push(bytes(file));
      wal.push(bytes(`${file}-wal`));
    };
    const total = Math.round(options.ratePerSecond * options.seconds);
    const intervalMs = 1000 / options.ratePerSecond;
    const t0 = now() + 5;
    const pending: Promise<void>[] = [];
    let nextSample = t0 + 1000;
    for (let next = 0; next < total; ) {
      const t = now();
      while (next < total && t0 + next * intervalMs <= t) pending.push(post(agent, herald, JSON.stringify(eventBody(next++))));
      if (t >= nextSample) {
        sample();
        nextSample += 1000;
      }
      await sleep(Math.max(0, Math.min(1, t0 + next * intervalMs - now())));
    }
    await Promise.all(pending);
    sample();
    const text = await metricsText(herald);
    const purged = (table: string) => Number(new RegExp(`herald_retention_purged_total\\{table="${table}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { events: total, db, wal, purged: { events: purged('events'), deliveries: purged('deliveries'), attempts: purged('attempts') } };
  } finally {
    await agent.close();
    await group.stop();
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
