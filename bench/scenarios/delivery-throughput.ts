// (b), (c), the PostgreSQL process rows and the BullMQ baseline (f): events ingested by the batch
// API (or, with `ingest: 'single'`, one `POST /v1/events` each from `inFlight` concurrent clients),
// one event type subscribed by `webhooks` webhooks (signature auth), timed from the first request
// sent to the last delivery the receiver got.
import { now, sleep } from '../clock.ts';
import type { CpuUse } from '../cpu.ts';
import type { StartHeralds } from '../herald-process.ts';
import { batchBodies, createWebhooks, eventBodies, sendBatches, sendEvents } from '../load.ts';
import type { Receiver } from '../receiver-client.ts';
import { beginWindow } from '../window.ts';

export interface ThroughputOptions {
  processes: number;
  webhooks: number;
  events: number;
  warmupEvents: number;
  timeoutMs: number;
  /** Default 'batch': 1000 events a request, 2 requests in flight per process. */
  ingest?: 'batch' | 'single';
  /** Single events: concurrent clients (default 64). */
  inFlight?: number;
  /** Row g (API.md §10): events spread over this many members (user_id), and the webhook's ordering. */
  members?: number;
  ordering?: 'none' | 'member';
}

export interface ThroughputResult {
  ingest: 'batch' | 'single';
  inFlight?: number;
  ordering?: 'none' | 'member';
  members?: number;
  processes: number;
  webhooks: number;
  events: number;
  deliveries: number;
  seconds: number;
  deliveriesPerSecond: number;
  /** When the last batch was answered, from the start. */
  ingestSeconds: number;
  /** Receiver requests beyond one per (webhook, event): retries or duplicates. */
  extraRequests: number;
  signaturesChecked: number;
  badSignatures: number;
  cpu?: CpuUse;
}

export async function deliveryThroughput(startHeralds: StartHeralds, receiver: Receiver, tag: string, options: ThroughputOptions): Promise<ThroughputResult> {
  const group = await startHeralds(options.processes);
  try {
    const paths = await createWebhooks(group.processes[0], receiver, options.webhooks, tag, options.ordering ? { ordering: options.ordering } : {});
    // Warm up on the same processes: JIT, prepared statements, the connection pools to the receiver.
    await receiver.reset();
    const ingest = options.ingest ?? 'batch';
    const inFlight = options.inFlight ?? 64;
    const send = (count: number, firstIndex: number) => {
      if (ingest === 'batch') {
        const bodies = batchBodies(count, firstIndex, options.members);
        return () => sendBatches(group.processes, bodies);
      }
      const bodies = eventBodies(count, firstIndex);
      return () => sendEvents(group.processes, bodies, inFlight);
    };
    await send(options.warmupEvents, 1e9)();
    await receiver.waitForRequests(options.warmupEvents * options.webhooks, options.timeoutMs);
    await sleep(200);

    const sendMeasured = send(options.events, 0);
    const deliveries = options.events * options.webhooks;
    await receiver.reset();
    const window = await beginWindow(receiver, group);
    const t0 = now();
    await sendMeasured();
    const ingestDone = now();
    const lastAt = await receiver.waitForRequests(deliveries, options.timeoutMs);
    const cpu = await window.end();
    await sleep(200); // let stragglers (duplicates) show up in the counts
    const summary = await receiver.summary();
    const missing = paths.filter((p) => summary.paths[p]?.unique !== options.events);
    if (missing.length > 0) {
      throw new Error(`${missing.length} webhooks did not get exactly ${options.events} distinct events, e.g. ${missing[0]}: ${JSON.stringify(summary.paths[missing[0]])}`);
    }
    const stats = paths.map((p) => summary.paths[p]);
    const signaturesChecked = stats.reduce((sum, s) => sum + s.verified + s.badSignatures, 0);
    const badSignatures = stats.reduce((sum, s) => sum + s.badSignatures, 0);
    if (signaturesChecked === 0 || badSignatures > 0) throw new Error(`signatures: ${badSignatures} of the ${signaturesChecked} checked did not verify`);
    const seconds = (lastAt - t0) / 1000;
    return {
      ingest,
      inFlight: ingest === 'single' ? inFlight : undefined,
      ordering: options.ordering,
      members: options.members,
      processes: options.processes,
      webhooks: options.webhooks,
      events: options.events,
      deliveries,
      seconds,
      deliveriesPerSecond: deliveries / seconds,
      ingestSeconds: (ingestDone - t0) / 1000,
      extraRequests: summary.requests - deliveries,
      signaturesChecked,
      badSignatures,
      cpu,
    };
  } finally {
    await group.stop();
  }
}
