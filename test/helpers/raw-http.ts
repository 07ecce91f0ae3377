// HTTP/1.1 over a plain socket, for requests fetch refuses to send (bad request lines, broken
// framing, oversized headers, trickled bodies) and for watching when the server closes.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
}

/** Parses every complete response in `bytes` (1xx included); `isClosed` lets a body run to the end. */
export function parseResponses(bytes: Buffer, isClosed: boolean): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const split = rest.indexOf('\r\n\r\n');
    if (split < 0) break;
    const lines = rest.subarray(0, split).toString('latin1').split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let body: Buffer;
    let after = rest.subarray(split + 4);
    if (status < 200 || status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (after.length < length) break;
      body = after.subarray(0, length);
      after = after.subarray(length);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const decoded = decodeChunked(after);
      if (!decoded) break;
      [body, after] = decoded;
    } else {
      if (!isClosed) break;
      body = after;
      after = Buffer.alloc(0);
    }
    const text = body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    responses.push({ status, headers, text, body: parsed });
    rest = after;
  }
  return responses;
}

function decodeChunked(bytes: Buffer): [Buffer, Buffer] | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) {
      const end = bytes.indexOf('\r\n\r\n', lineEnd);
      return end < 0 ? null : [Buffer.concat(parts), bytes.subarray(end + 4)];
    }
    if (bytes.length < lineEnd + 2 + size + 2) return null;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

export interface RawConnection {
  socket: Socket;
  /** Resolves with the first final (non-1xx) response, or null if the connection closed first. */
  response(): Promise<RawResponse | null>;
  /** Resolves when the server (or anyone) closed the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
  /** Every response received so far. */
  responses(): RawResponse[];
  /** Bytes received, as latin1 (for messages). */
  received(): string;
  /** Write, resolving once the kernel took it (false if the connection is gone). */
  write(bytes: string | Buffer): Promise<boolean>;
}

/** `allowHalfOpen`: keep our side open after the server's FIN, as a hostile client would. */
export function openRaw(port: number, options: { allowHalfOpen?: boolean } = {}): RawConnection {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? false });
  const chunks: Buffer[] = [];
  let isClosed = false;
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((wake) => wake());
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    notify();
  });
  socket.on('error', () => {}); // EPIPE / ECONNRESET: what matters is what was received
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      notify();
      resolve();
    }),
  );
  const all = () => parseResponses(Buffer.concat(chunks), isClosed);
  return {
    socket,
    closed,
    isClosed: () => isClosed,
    responses: all,
    received: () => Buffer.concat(chunks).toString('latin1'),
    response() {
      return new Promise((resolve) => {
        const check = () => {
          const final = all().find((r) => r.status >= 200);
          if (final) return resolve(final);
          if (isClosed) return resolve(null);
          waiters.push(check);
        };
        check();
      });
    },
    write(bytes) {
      if (socket.destroyed || !socket.writable) return Promise.resolve(false);
      return new Promise((resolve) => socket.write(bytes, (error) => resolve(!error)));
    },
  };
}

/** Sends `bytes` on a fresh connection; the first final response (null: closed without one). */
export async function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<{ response: RawResponse | null; connection: RawConnection }> {
  const connection = openRaw(port);
  await connection.write(bytes);
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  const response = await Promise.race([connection.response(), timer]);
  if (response === 'timeout') {
    connection.socket.destroy();
    throw new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(bytes.toString().slice(0, 200))}; got ${JSON.stringify(connection.received().slice(0, 300))}`);
  }
  return { response, connection };
}
