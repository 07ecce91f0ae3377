// One HTTP try: POST the exact body, no redirects, a hard deadline, at most 4 KiB of the answer
// kept. The sender only observes (status, deadline, transport error); classifyAttempt() judges.
// Nothing a receiver does makes it throw. abortAll() cuts every try in flight short (shutdown).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { BLOCKED_TARGET_CODE, OVERLOAD_STATUSES, classifyAttempt, type AttemptResult, type Observation } from '../domain/attempt.ts';
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

interface Target {
  host: string;
  origin: string;
  path: string;
  /** Why the guard refuses this URL's IP literal, or null. */
  blocked: string | null;
}

export class HttpSender implements Sender {
  readonly #agent: Agent;
  /** Every try in flight: its deadline or abortAll() ends it. */
  readonly #inFlight = new Set<Exchange>();
  #isShutDown = false;
  /** A webhook's URL is parsed (and its IP literal checked) once, not per try. */
  readonly #targets = new Map<string, Target>();

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

  send(req: SendRequest): Promise<AttemptResult | null> {
    if (this.#isShutDown) return Promise.resolve(null);
    const startedAt = (this.options.clock ?? systemClock)();
    const t0 = performance.now();
    const target = this.#target(req.url);
    const finish = (observation: Observation, statusCode: number | null, responseBody: string | null, retryAfter: string | null): AttemptResult => ({
      ...classifyAttempt(observation, target.host),
      statusCode,
      responseBody,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      retryAfter,
    });
    if (target.blocked) return Promise.resolve(finish({ kind: 'failure', code: BLOCKED_TARGET_CODE, message: target.blocked }, null, null, null));

    return new Promise((resolve) => {
      const exchange = new Exchange(req.timeoutMs, (outcome) => {
        this.#inFlight.delete(exchange);
        switch (outcome.kind) {
          case 'answer':
            return resolve(
              finish(
                { kind: 'response', statusCode: outcome.statusCode, location: outcome.location },
                outcome.statusCode,
                outcome.body,
                // Only an overloaded receiver's Retry-After means anything to the retry step.
                OVERLOAD_STATUSES.has(outcome.statusCode) ? outcome.retryAfter?.slice(0, 200) ?? null : null,
              ),
            );
          case 'aborted':
            return resolve(null);
          case 'deadline':
            return resolve(finish({ kind: 'deadline', timeoutMs: req.timeoutMs }, null, null, null));
          case 'error':
            return resolve(finish(failureOf(outcome.error), null, null, null));
        }
      });
      this.#inFlight.add(exchange);
      this.#agent.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: 'POST',
          headers: req.signWith ? { ...req.headers, 'webhook-signature': signed(req, req.signWith) } : req.headers,
          body: req.body,
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        },
        exchange,
      );
    });
  }

  abortAll(): void {
    this.#isShutDown = true;
    for (const exchange of this.#inFlight) exchange.cut('aborted');
  }

  #target(url: string): Target {
    let target = this.#targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
      const blocked = !this.options.allowPrivateTargets && isIP(hostname) && isPrivateAddress(hostname) ? blockedMessage(hostname) : null;
      target = { host: parsed.host, origin: parsed.origin, path: `${parsed.pathname}${parsed.search}`, blocked };
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

type ExchangeOutcome =
  | { kind: 'answer'; statusCode: number; location: string | null; retryAfter: string | null; body: string }
  | { kind: 'aborted' | 'deadline' }
  | { kind: 'error'; error: unknown };

/**
 * One HTTP exchange as an undici dispatch handler (no promise, stream or AbortSignal per try):
 * it keeps the status, Location, Retry-After and the first 4 KiB of the answer, reads up to
 * 64 KiB (so the connection can be reused) and stops there. Once the status has arrived it is
 * the answer, whatever happens to the rest of the body. Settles exactly once.
 */
class Exchange {
  #abort: ((reason: Error) => void) | null = null;
  /** Cut short before undici connected it: abort as soon as it does. */
  #cutReason: Error | null = null;
  #isSettled = false;
  #statusCode = 0;
  #location: string | null = null;
  #retryAfter: string | null = null;
  #kept: Buffer[] = [];
  #keptBytes = 0;
  #readBytes = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(
    timeoutMs: number,
    private readonly settle: (outcome: ExchangeOutcome) => void,
  ) {
    this.#timer = setTimeout(() => this.cut('deadline'), timeoutMs);
  }

  /** The deadline passed or the sender is shutting down. */
  cut(kind: 'aborted' | 'deadline'): void {
    if (this.#isSettled) return;
    const reason = new Error(kind === 'deadline' ? 'deadline' : 'aborted');
    if (this.#statusCode !== 0) this.#answer();
    else this.#done({ kind });
    if (this.#abort) this.#abort(reason);
    else this.#cutReason = reason;
  }

  onConnect(abort: (reason: Error) => void): void {
    if (this.#cutReason) abort(this.#cutReason);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null): boolean {
    if (statusCode < 200) return true; // 1xx: informational, the real answer follows
    this.#statusCode = statusCode;
    if (rawHeaders) {
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const name = rawHeaders[i];
        if (name.length !== 8 && name.length !== 11) continue;
        const lower = name.toString().toLowerCase();
        if (lower === 'location') this.#location ??= rawHeaders[i + 1].toString();
        else if (lower === 'retry-after') this.#retryAfter ??= rawHeaders[i + 1].toString();
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#readBytes += chunk.length;
    if (this.#keptBytes < KEPT_BODY_BYTES) {
      const part = chunk.subarray(0, KEPT_BODY_BYTES - this.#keptBytes);
      this.#kept.push(part);
      this.#keptBytes += part.length;
    }
    if (this.#readBytes >= READ_BODY_BYTES) {
      this.#answer();
      this.#abort?.(new Error('answer too large: the rest is not read'));
    }
    return true;
  }

  onComplete(): void {
    this.#answer();
  }

  onError(error: unknown): void {
    // A body cut short or too slow still leaves the status as the answer.
    if (this.#statusCode !== 0) this.#answer();
    else this.#done({ kind: 'error', error });
  }

  onUpgrade(): void {
    this.#done({ kind: 'error', error: new Error('the receiver switched protocols') });
  }

  #answer(): void {
    if (this.#isSettled) return;
    const body = this.#kept.length === 1 ? this.#kept[0].toString('utf8') : Buffer.concat(this.#kept).toString('utf8');
    this.#done({ kind: 'answer', statusCode: this.#statusCode, location: this.#location, retryAfter: this.#retryAfter, body });
  }

  #done(outcome: ExchangeOutcome): void {
    if (this.#isSettled) return;
    this.#isSettled = true;
    clearTimeout(this.#timer);
    this.settle(outcome);
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
