// Starts bench/receiver.ts as a child process and talks to it over IPC. Times the receiver reports
// are converted to this process's clock (see `clockOffsetMs`).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { now, sleep } from './clock.ts';

export interface PathSummary {
  requests: number;
  unique: number;
  signed: number;
  verified: number;
  badSignatures: number;
}

export interface ReceiverSummary {
  requests: number;
  firstAt: number;
  lastAt: number;
  paths: Record<string, PathSummary>;
}

export interface Receiver {
  pid: number;
  url(path: string): string;
  /** Receiver clock minus ours, measured over IPC; already subtracted from every time returned. */
  clockOffsetMs: number;
  reset(): Promise<void>;
  /** From now on, note the first arrival time of each webhook-id (perPath: of each "<path> <webhook-id>"). */
  recordArrivals(options?: { perPath?: boolean }): Promise<void>;
  /** Lets the receiver verify a sample of the signatures arriving on `path`. */
  setSecret(path: string, secret: string): Promise<void>;
  summary(): Promise<ReceiverSummary>;
  /** webhook-id → arrival time (our clock). */
  arrivals(): Promise<Map<string, number>>;
  /** Resolves with the arrival time (our clock) of the last request once `count` have arrived. */
  waitForRequests(count: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const child = fork(fileURLToPath(new URL('./receiver.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting = new Map<number, (message: any) => void>();
  let nextId = 1;
  child.on('message', (message: { id: number }) => {
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const port = await new Promise<number>((resolve, reject) => {
    waiting.set(0, (message) => resolve(message.port));
    void exited.then(() => reject(new Error('the receiver exited before it listened')));
  });
  const ask = <T>(type: string, fields: object = {}): Promise<T> =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ id, type, ...fields });
    });

  const clockOffsetMs = await measureClockOffset(() => ask<{ at: number }>('clock').then((m) => m.at));
  const summary = async (): Promise<ReceiverSummary> => {
    const s = await ask<ReceiverSummary>('summary');
    return { ...s, firstAt: s.firstAt - clockOffsetMs, lastAt: s.lastAt - clockOffsetMs };
  };

  return {
    pid: child.pid!,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    clockOffsetMs,
    reset: () => ask('reset').then(() => undefined),
    recordArrivals: (options = {}) => ask('record-arrivals', { perPath: options.perPath === true }).then(() => undefined),
    setSecret: (path, secret) => ask('secret', { path, secret }).then(() => undefined),
    summary,
    async arrivals() {
      const { arrivals } = await ask<{ arrivals: Record<string, number> }>('arrivals');
      return new Map(Object.entries(arrivals).map(([id, at]) => [id, at - clockOffsetMs]));
    },
    async waitForRequests(count, timeoutMs) {
      const deadline = now() + timeoutMs;
      for (;;) {
        const got = await ask<{ requests: number; lastAt: number }>('total');
        if (got.requests >= count) return got.lastAt - clockOffsetMs;
        if (now() > deadline) throw new Error(`the receiver got ${got.requests} of ${count} requests within ${timeoutMs} ms`);
        await sleep(5);
      }
    },
    async stop() {
      child.disconnect();
      await exited;
    },
  };
}

/**
 * Both processes read the same wall clock, but each derives its high-resolution time from its own
 * start, so the two can disagree by a fraction of a millisecond or more. Ask the receiver for its time
 * a number of times and keep the answer with the shortest round trip (NTP's trick).
 */
async function measureClockOffset(remoteNow: () => Promise<number>): Promise<number> {
  let best = { roundTripMs: Infinity, offsetMs: 0 };
  for (let i = 0; i < 50; i++) {
    const sent = now();
    const remote = await remoteNow();
    const back = now();
    if (back - sent < best.roundTripMs) best = { roundTripMs: back - sent, offsetMs: remote - (sent + back) / 2 };
  }
  return best.offsetMs;
}
