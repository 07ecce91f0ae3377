// (d) Latency at a steady rate: single `POST /v1/events` requests, one webhook (signature auth).
// Three instants per event, all on this process's clock (the receiver's times are corrected by the
// measured clock offset):
//   sent      just before the request is handed to undici,
//   accepted  when the 202 response (its headers) came back,
//   received  when the receiver had read the whole delivery.
// "accepted → received" is the delivery latency proper; "sent → received" adds the ingest round trip.
// A delivery can reach the receiver before the 202 reaches us: such an event counts as 0 ms.
import { Agent, request } from 'undici';
import { now, percentile, sleep } from '../clock.ts';
import type { CpuUse } from '../cpu.ts';
import type { HeraldProcess, StartHeralds } from '../herald-process.ts';
import { createWebhooks, eventBody } from '../load.ts';
import type { Receiver } from '../receiver-client.ts';
import { beginWindow } from '../window.ts';

export interface LatencyOptions {
  processes: number;
  ratePerSecond: number;
  seconds: number;
  warmupSeconds: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LatencyResult {
  processes: number;
  targetRatePerSecond: number;
  /** Events per second actually sent during the measured window. */
  sentRatePerSecond: number;
  measuredEvents: number;
  /** Measured events the receiver never got (should be 0). */
  lostEvents: number;
  /** Share of measured events the receiver got before their 202 reached the sender. */
  receivedBeforeAcceptedPercent: number;
  acceptedToReceivedMs: Percentiles;
  sentToReceivedMs: Percentiles;
  sentToAcceptedMs: Percentiles;
  clockOffsetMs: number;
  /** How late the sender itself was against each event's due time (a busy harness shows here). */
  sendLagMs: Percentiles;
  /** The slowest events (sent → received): when they were sent (seconds into the measured window). */
  slowest: Array<{ atSeconds: number; ms: number }>;
  /** sent → received per second (negative: the warm-up), so that a stall shows as one bad second. */
  perSecond: Array<{ second: number; p50: number; p99: number; max: number }>;
  cpu?: CpuUse;
}

export async function latencyAtRate(startHeralds: StartHeralds, receiver: Receiver, tag: string, options: LatencyOptions): Promise<LatencyResult> {
  const group = await startHeralds(options.processes);
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  try {
    await createWebhooks(group.processes[0], receiver, 1, tag);
    await receiver.reset();
    await receiver.recordArrivals();

    const warmupEvents = Math.round(options.ratePerSecond * options.warmupSeconds);
    const total = warmupEvents + Math.round(options.ratePerSecond * options.seconds);
    const ids = Array.from({ length: total }, () => crypto.randomUUID());
    const bodies = ids.map((id, i) => JSON.stringify(eventBody(i, id)));
    const sentAt = new Float64Array(total);
    const dueAt = new Float64Array(total);
    const acceptedAt = new Float64Array(total);
    const failures: string[] = [];

    const post = async (herald: HeraldProcess, i: number) => {
      sentAt[i] = now();
      try {
        const response = await request(`${herald.baseUrl}/v1/events`, {
          method: 'POST',
          dispatcher: agent,
          body: bodies[i],
          headers: { 'content-type': 'application/json', authorization: `Bearer ${herald.apiKey}` },
        });
        acceptedAt[i] = now();
        await response.body.text();
        if (response.statusCode !== 202) failures.push(`event ${i}: ${response.statusCode}`);
      } catch (error) {
        failures.push(`event ${i}: ${(error as Error).message}`);
      }
    };

    // Open-loop sender: each event has a due time; every timer tick sends whatever is due, whether or
    // not earlier requests have been answered.
    const intervalMs = 1000 / options.ratePerSecond;
    const pending: Promise<void>[] = [];
    const window = await beginWindow(receiver, group); // (includes the warm-up seconds)
    const t0 = now() + 5;
    let next = 0;
    while (next < total) {
      const t = now();
      while (next < total && t0 + next * intervalMs <= t) {
        dueAt[next] = t0 + next * intervalMs;
        pending.push(post(group.processes[next % group.processes.length], next));
        next++;
      }
      await sleep(Math.max(0, Math.min(1, t0 + next * intervalMs - now())));
    }
    await Promise.all(pending);
    if (failures.length > 0) throw new Error(`${failures.length} events were not accepted, e.g. ${failures[0]}`);
    const sentRatePerSecond = ((total - warmupEvents - 1) * 1000) / (sentAt[total - 1] - sentAt[warmupEvents]);

    await receiver.waitForRequests(total, 60_000).catch(() => undefined);
    const cpu = await window.end();
    const arrivals = await receiver.arrivals();
    const fromAccepted: number[] = [];
    const fromSent: number[] = [];
    const sentToAccepted: number[] = [];
    const sendLag: number[] = [];
    const bySlowness: Array<{ atSeconds: number; ms: number }> = [];
    let lostEvents = 0;
    let receivedBeforeAccepted = 0;
    for (let i = warmupEvents; i < total; i++) {
      sendLag.push(sentAt[i] - dueAt[i]);
      const receivedAt = arrivals.get(ids[i]);
      if (receivedAt === undefined) {
        lostEvents++;
        continue;
      }
      if (receivedAt < acceptedAt[i]) receivedBeforeAccepted++;
      fromAccepted.push(Math.max(0, receivedAt - acceptedAt[i]));
      fromSent.push(receivedAt - sentAt[i]);
      bySlowness.push({ atSeconds: Math.round((sentAt[i] - sentAt[warmupEvents]) / 10) / 100, ms: Math.round((receivedAt - sentAt[i]) * 10) / 10 });
      sentToAccepted.push(acceptedAt[i] - sentAt[i]);
    }
    return {
      processes: options.processes,
      targetRatePerSecond: options.ratePerSecond,
      sentRatePerSecond,
      measuredEvents: total - warmupEvents,
      lostEvents,
      receivedBeforeAcceptedPercent: Math.round((receivedBeforeAccepted / Math.max(1, fromSent.length)) * 1000) / 10,
      acceptedToReceivedMs: summarise(fromAccepted),
      sentToReceivedMs: summarise(fromSent),
      sentToAcceptedMs: summarise(sentToAccepted),
      clockOffsetMs: receiver.clockOffsetMs,
      sendLagMs: summarise(sendLag),
      perSecond: perSecond(
        Array.from(ids, (id, i) => ({ atSeconds: (sentAt[i] - sentAt[warmupEvents]) / 1000, ms: (arrivals.get(id) ?? NaN) - sentAt[i] })).filter((s) => !Number.isNaN(s.ms)),
      ),
      slowest: bySlowness.sort((a, b) => b.ms - a.ms).slice(0, 20),
      cpu,
    };
  } finally {
    await agent.close();
    await group.stop();
  }
}

function perSecond(samples: Array<{ atSeconds: number; ms: number }>): LatencyResult['perSecond'] {
  const seconds = new Map<number, number[]>();
  for (const s of samples) {
    const second = Math.floor(s.atSeconds);
    seconds.set(second, [...(seconds.get(second) ?? []), s.ms]);
  }
  return [...seconds].map(([second, values]) => {
    const p = summarise(values);
    return { second, p50: Math.round(p.p50 * 10) / 10, p99: Math.round(p.p99 * 10) / 10, max: Math.round(p.max * 10) / 10 };
  });
}

function summarise(values: number[]): Percentiles {
  const sorted = values.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}
