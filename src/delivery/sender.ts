// One HTTP try: POST the exact body, no redirects, a hard deadline, at most 4 KiB of the answer
// kept. The result is a value; nothing a receiver does makes this throw.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { blockedMessage, isLocalName, isPrivateAddress } from '../net/target-guard.ts';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface Outcome {
  isSuccess: boolean;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  startedAt: number;
  durationMs: number;
}

export interface Sender {
  send(request: SendRequest): Promise<Outcome>;
  close(): Promise<void>;
}

const KEPT_BODY_BYTES = 4096;
const READ_BODY_BYTES = 64 * 1024;

class BlockedTargetError extends Error {
  readonly code = 'HERALD_BLOCKED_TARGET';
}

/** dns.lookup that refuses private answers, so a name cannot re-point after it was checked. */
function guardedLookup(hostname: string, options: any, callback: any): void {
  if (isLocalName(hostname)) return callback(new BlockedTargetError(blockedMessage(hostname)));
  dnsLookup(hostname, options, (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
    if (error) return callback(error);
    const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
    const bad = addresses.find(isPrivateAddress);
    if (bad) return callback(new BlockedTargetError(blockedMessage(hostname, bad)));
    callback(null, address, family);
  });
}

export class HttpSender implements Sender {
  readonly #agent: Agent;

  constructor(
    private readonly options: { allowPrivateTargets: boolean; connectionsPerOrigin: number },
  ) {
    this.#agent = new Agent({
      connections: options.connectionsPerOrigin,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      connect: options.allowPrivateTargets ? { timeout: 10_000 } : { timeout: 10_000, lookup: guardedLookup },
    });
  }

  async send(req: SendRequest): Promise<Outcome> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const finish = (fields: Omit<Outcome, 'startedAt' | 'durationMs'>): Outcome => ({
      ...fields,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
    });
    const blocked = this.#blockedLiteral(req.url);
    if (blocked) return finish({ isSuccess: false, statusCode: null, error: blocked, responseBody: null });

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), req.timeoutMs);
    try {
      const response = await request(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: this.#agent,
        signal: deadline.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const responseBody = await readCapped(response.body);
      const status = response.statusCode;
      const isSuccess = status >= 200 && status < 300;
      return finish({ isSuccess, statusCode: status, error: isSuccess ? null : statusError(status, response.headers), responseBody });
    } catch (error) {
      const message = deadline.signal.aborted ? `no response within ${req.timeoutMs / 1000} s (timeout)` : describe(error, req.url);
      return finish({ isSuccess: false, statusCode: null, error: message, responseBody: null });
    } finally {
      clearTimeout(timer);
    }
  }

  #blockedLiteral(url: string): string | null {
    if (this.options.allowPrivateTargets) return null;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return isIP(host) && isPrivateAddress(host) ? blockedMessage(host) : null;
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/** Reads up to 64 KiB (so the connection can be reused), keeps the first 4 KiB as text. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let readBytes = 0;
  try {
    for await (const chunk of body) {
      readBytes += chunk.length;
      if (keptBytes < KEPT_BODY_BYTES) {
        const part = chunk.subarray(0, KEPT_BODY_BYTES - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      if (readBytes >= READ_BODY_BYTES) break;
    }
  } catch {
    // A body cut short or too slow still leaves the status as the answer.
  } finally {
    if (readBytes >= READ_BODY_BYTES) body.destroy();
  }
  return Buffer.concat(kept).toString('utf8');
}

function statusError(status: number, headers: Record<string, string | string[] | undefined>): string {
  if (status >= 300 && status < 400) {
    const location = headers.location ? ` to ${String(headers.location).slice(0, 200)}` : '';
    return `HTTP ${status}: redirect${location} not followed`;
  }
  return `HTTP ${status}: the receiver did not answer with a 2xx status`;
}

function describe(error: unknown, url: string): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const host = new URL(url).host;
  if (code === 'HERALD_BLOCKED_TARGET' || e.cause?.code === 'HERALD_BLOCKED_TARGET') return e.message ?? e.cause!.message!;
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection closed by ${host} before a complete response (${code})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed for ${host} (${code})`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `could not connect to ${host} in time (connect timeout)`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `no response from ${host} in time (timeout)`;
  }
  if (code.startsWith('HPE_')) return `invalid HTTP response from ${host}: ${e.message ?? code}`;
  if (code.startsWith('ERR_TLS') || /certificate/i.test(e.message ?? '')) return `TLS error with ${host}: ${e.message}`;
  return `request to ${host} failed: ${e.message ?? String(error)}${code ? ` (${code})` : ''}`;
}
