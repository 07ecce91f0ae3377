// One HTTP try: POST the exact body, no redirects, a hard deadline, at most 4 KiB of the answer
// kept. The sender only observes (status, deadline, transport error); classifyAttempt() judges.
// Nothing a receiver does makes it throw. abortAll() cuts every try in flight short (shutdown).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { BLOCKED_TARGET_CODE, classifyAttempt, type AttemptResult, type Observation } from '../domain/attempt.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { blockedMessage, isLocalName, isPrivateAddress } from '../net/target-guard.ts';
import { signatureHeader } from './sign.ts';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /**
   * Standard Webhooks secrets: the sender adds `webhook-signature` over `webhook-id`,
   * `webhook-timestamp` and the body (so that signing runs where the sending does).
   */
  signWith?: string[];
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
  /** The abort of every try in flight: its deadline or abortAll() ends it (one signal per try). */
  readonly #inFlight = new Set<AbortController>();
  #isShutDown = false;
  /** host and the guard's verdict per URL: a webhook's URL is parsed once, not per try. */
  readonly #targets = new Map<string, { host: string; blocked: string | null }>();

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
    const { host, blocked } = this.#target(req.url);
    const finish = (observation: Observation, statusCode: number | null, responseBody: string | null, retryAfter: string | null = null): AttemptResult => ({
      ...classifyAttempt(observation, host),
      statusCode,
      responseBody,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      retryAfter,
    });
    if (this.#isShutDown) return null;
    if (blocked) return finish({ kind: 'failure', code: BLOCKED_TARGET_CODE, message: blocked }, null, null);

    const abort = new AbortController();
    let isPastDeadline = false;
    const timer = setTimeout(() => {
      isPastDeadline = true;
      abort.abort();
    }, req.timeoutMs);
    this.#inFlight.add(abort);
    try {
      const response = await request(req.url, {
        method: 'POST',
        headers: req.signWith ? { ...req.headers, 'webhook-signature': signed(req, req.signWith) } : req.headers,
        body: req.body,
        dispatcher: this.#agent,
        signal: abort.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const responseBody = await readCapped(response.body);
      const { location, 'retry-after': retryAfter } = response.headers;
      return finish(
        { kind: 'response', statusCode: response.statusCode, location: location === undefined ? null : String(location) },
        response.statusCode,
        responseBody,
        retryAfter === undefined ? null : String(retryAfter),
      );
    } catch (error) {
      if (this.#isShutDown) return null;
      if (isPastDeadline) return finish({ kind: 'deadline', timeoutMs: req.timeoutMs }, null, null);
      return finish(failureOf(error), null, null);
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(abort);
    }
  }

  abortAll(): void {
    this.#isShutDown = true;
    for (const abort of this.#inFlight) abort.abort();
  }

  #target(url: string): { host: string; blocked: string | null } {
    let target = this.#targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
      const blocked = !this.options.allowPrivateTargets && isIP(hostname) && isPrivateAddress(hostname) ? blockedMessage(hostname) : null;
      target = { host: parsed.host, blocked };
      if (this.#targets.size >= 10_000) this.#targets.clear();
      this.#targets.set(url, target);
    }
    return target;
  }

  async close(): Promise<void> {
    this.abortAll();
    await this.#agent.close();
  }
}

function signed(req: SendRequest, secrets: string[]): string {
  return signatureHeader(secrets, req.headers['webhook-id'], Number(req.headers['webhook-timestamp']), req.body);
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
