// (e) Ingestion alone: batches of 1000 events with no webhook subscribed, so nothing is queued.
import { now } from '../clock.ts';
import type { CpuUse } from '../cpu.ts';
import type { StartHeralds } from '../herald-process.ts';
import { batchBodies, sendBatches } from '../load.ts';
import type { Receiver } from '../receiver-client.ts';
import { beginWindow } from '../window.ts';

export interface IngestResult {
  processes: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  cpu?: CpuUse;
}

export async function batchIngest(startHeralds: StartHeralds, receiver: Receiver, options: { processes: number; events: number; warmupEvents: number }): Promise<IngestResult> {
  const group = await startHeralds(options.processes);
  try {
    await sendBatches(group.processes, batchBodies(options.warmupEvents, 1e9));
    const bodies = batchBodies(options.events, 0);
    const window = await beginWindow(receiver, group);
    const t0 = now();
    await sendBatches(group.processes, bodies);
    const seconds = (now() - t0) / 1000;
    const cpu = await window.end();
    return { processes: options.processes, events: options.events, seconds, eventsPerSecond: options.events / seconds, cpu };
  } finally {
    await group.stop();
  }
}
