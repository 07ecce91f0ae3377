// A real HTTP receiver on 127.0.0.1 whose answers a test scripts: status, body, delay, hang, reset.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  receivedAt: number;
}

export interface Answer {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Never answer (the connection stays open until Herald gives up). */
  hang?: boolean;
  /** Close the connection without an answer. */
  reset?: boolean;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  respondWith(fn: (req: ReceivedRequest) => Answer): void;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hook'): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(1000);
  const sockets = new Set<Socket>();
  let answer: (req: ReceivedRequest) => Answer = () => ({ status: 200, body: 'ok' });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = undefined;
      try {
        json = JSON.parse(body);
      } catch {
        // not JSON: keep the text
      }
      const received: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json, receivedAt: Date.now() };
      requests.push(received);
      events.emit('request');
      reply(res, answer(received));
    });
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function reply(res: ServerResponse, a: Answer): void {
    if (a.hang) return;
    const send = () => {
      if (a.reset) return void res.socket?.destroy();
      res.writeHead(a.status ?? 200, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    };
    if (a.delayMs) setTimeout(send, a.delayMs);
    else send();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    respondWith(fn) {
      answer = fn;
    },
    waitFor(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('request', check);
          reject(new Error(`receiver got ${requests.length} requests, expected ${count} within ${timeoutMs} ms`));
        }, timeoutMs);
        function check() {
          if (requests.length < count) return;
          clearTimeout(timer);
          events.off('request', check);
          resolve();
        }
        events.on('request', check);
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
