// CPU profiles of a running Herald process over the inspector protocol, so that a profile covers
// only the measured window (not start-up or warm-up). Herald runs with --inspect=127.0.0.1:0.
import { WebSocket } from 'undici';

export interface Profiler {
  start(): Promise<void>;
  /** Stops and returns the V8 CPU profile (the .cpuprofile JSON). */
  stop(): Promise<unknown>;
  close(): void;
}

export async function connectProfiler(webSocketUrl: string): Promise<Profiler> {
  const socket = new WebSocket(webSocketUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${webSocketUrl}`)), { once: true });
  });
  const waiting = new Map<number, (result: any) => void>();
  let nextId = 1;
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<any>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 500 });
  return {
    start: () => call('Profiler.start').then(() => undefined),
    stop: () => call('Profiler.stop').then((result) => result.profile),
    close: () => socket.close(),
  };
}
