// One HTTP try: POST the exact body, no redirects, a hard deadline, at most 4 KiB of the answer
// kept. The sender only observes (status, deadline, transport error); classifyAttempt() judges.
// Nothing a receiver does makes it throw. abortAll() cuts every try in flight short (shutdown).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { BLOCKED_TARGET_CODE, OVERLOAD_STATUSES, classifyAttempt, type AttemptResult, type Observation } from '../domain/attempt.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { blockedMessage, isLocalName, isPrivateAddress } from '../net/target-guard.ts';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface Sender {
  /** One try. Null when abortAll() cut it short: that is no try, and there is nothing to record. */
  send(request: SendRequest): Promise<AttemptResult | null>;
  /** Aborts every try in flight and any started later (shutdown after the grace period). */
  abortAll(): void;
  close(): Promise<void>;
}

const KEPT_BODY_BYTES = 4096;
const READ_BODY_BYTES = 64 * 1024;

class BlockedTargetError extends Error {
  readonly code = BLOCKED_TARGET_CODE;
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
  /** Joined with each request's own deadline: aborting it ends every try in flight. */
  readonly #shutdown = new AbortController();

  constructor(
    private readonly options: { allowPrivateTargets: boolean; connectionsPerOrigin: number; clock?: Clock },
  ) {
    this.#agent = new Agent({
      connections: options.connectionsPerOrigin,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      connect: options.allowPrivateTargets ? { timeout: 10_000 } : { timeout: 10_000, lookup: guardedLookup },
    });
  }

  async send(req: SendRequest): Promise<AttemptResult | null> {
    const startedAt = (this.options.clock ?? systemClock)();
    const t0 = performance.now();
    const host = new URL(req.url).host;
    const finish = (observation: Observation, statusCode: number | null, responseBody: string | null, retryAfter: string | null = null): AttemptResult => ({
      ...classifyAttempt(observation, host),
      statusCode,
      responseBody,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      retryAfter,
    });
    if (this.#shutdown.signal.aborted) return null;
    const blocked = this.#blockedLiteral(req.url);
    if (blocked) return finish({ kind: 'failure', code: BLOCKED_TARGET_CODE, message: blocked }, null, null);

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), req.timeoutMs);
    try {
      const response = await request(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: this.#agent,
        signal: AbortSignal.any([deadline.signal, this.#shutdown.signal]),
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const responseBody = await readCapped(response.body);
      const location = response.headers.location;
      const retryAfter = OVERLOAD_STATUSES.has(response.statusCode) ? headerText(response.headers['retry-after']) : null;
      return finish({ kind: 'response', statusCode: response.statusCode, location: location === undefined ? null : String(location) }, response.statusCode, responseBody, retryAfter);
    } catch (error) {
      if (this.#shutdown.signal.aborted) return null;
      if (deadline.signal.aborted) return finish({ kind: 'deadline', timeoutMs: req.timeoutMs }, null, null);
      return finish(failureOf(error), null, null);
    } finally {
      clearTimeout(timer);
    }
  }

  abortAll(): void {
    this.#shutdown.abort();
  }

  #blockedLiteral(url: string): string | null {
    if (this.options.allowPrivateTargets) return null;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return isIP(host) && isPrivateAddress(host) ? blockedMessage(host) : null;
  }

  async close(): Promise<void> {
    this.abortAll();
    await this.#agent.close();
  }
}

/** One header's value as text (the first, if sent several times), or null. */
function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return (Array.isArray(value) ? value[0] : value)?.slice(0, 200) ?? null;
}

/** The code and message of a transport error (undici wraps some in `cause`). */
function failureOf(error: unknown): Observation {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const source = e.cause && (e.cause.code === BLOCKED_TARGET_CODE || !e.code) ? e.cause : e;
  return { kind: 'failure', code: source.code ?? '', message: source.message ?? String(error) };
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
