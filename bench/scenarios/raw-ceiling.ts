// (a) The raw ceiling: undici POSTing the same envelope Herald would send (1 KiB of data) straight to
// the receiver, `concurrency` requests outstanding, no store and no signing: what one sender process
// can push through this receiver on this machine, measured the same way as Herald's runs.
import { Agent, request } from 'undici';
import { now } from '../clock.ts';
import type { CpuUse } from '../cpu.ts';
import { eventBody } from '../load.ts';
import type { Receiver } from '../receiver-client.ts';
import { beginWindow } from '../window.ts';

export interface RawCeilingResult {
  requests: number;
  concurrency: number;
  bodyBytes: number;
  seconds: number;
  requestsPerSecond: number;
  cpu?: CpuUse;
}

export async function rawCeiling(receiver: Receiver, options: { concurrency: number; requests: number; warmupRequests: number }): Promise<RawCeilingResult> {
  const agent = new Agent({ connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const envelope = { event_id: crypto.randomUUID(), event_timestamp: new Date().toISOString(), schema_version: '1.0.0', ...eventBody(0) };
  const body = JSON.stringify(envelope);
  const url = receiver.url('/raw');
  let sequence = 0;
  const send = async () => {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Herald-bench',
        // The same header shape as Herald's: the receiver does the same bookkeeping per request.
        'webhook-id': `raw-${sequence++}`,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      },
    });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`receiver answered ${response.statusCode}`);
  };
  const run = async (count: number) => {
    let started = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (started++ < count) await send();
      }),
    );
  };
  try {
    await run(options.warmupRequests);
    await receiver.reset();
    const window = await beginWindow(receiver);
    const t0 = now();
    await run(options.requests);
    const lastAt = await receiver.waitForRequests(options.requests, 10_000);
    const cpu = await window.end();
    const seconds = (lastAt - t0) / 1000;
    return { requests: options.requests, concurrency: options.concurrency, bodyBytes: Buffer.byteLength(body), seconds, requestsPerSecond: options.requests / seconds, cpu };
  } finally {
    await agent.close();
  }
}
