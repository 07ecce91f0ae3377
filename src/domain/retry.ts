// What happens to a delivery after one attempt: a pure function of the try's verdict (see
// classifyAttempt), the webhook's current policy, the receiver's Retry-After, the time and a
// random source (jitter). API.md §4 (retry policy) and §9 (backoff, back-pressure).
import type { Verdict } from './attempt.ts';
import type { RetryPolicy } from './webhook.ts';

export type NextStep =
  | { status: 'success' }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'failed' };

/** A receiver's Retry-After is honoured up to this (API.md §9: at most 24 h). */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/** Exponential waits are spread by ±20 %. */
export const JITTER = 0.2;

/** A number in [0, 1), like Math.random. */
export type Random = () => number;

export interface StepContext {
  nowMs: number;
  /** The try's Retry-After header (429/503 only), raw; unparseable values are ignored. */
  retryAfter?: string | null;
  random?: Random;
}

/**
 * `roundTries` counts the tries of the current round including the one just made; a round allows
 * 1 + policy.attempts tries. A permanent failure (blocked target, 410 Gone) ends the delivery at
 * once, whatever the policy allows. The wait before the next try is the longer of the policy's
 * delay and the receiver's Retry-After.
 */
export function nextStep(verdict: Verdict, roundTries: number, policy: RetryPolicy, context: StepContext): NextStep {
  if (verdict === 'delivered') return { status: 'success' };
  if (verdict === 'retryable' && roundTries < 1 + policy.attempts) {
    const policyMs = retryDelayMs(policy, roundTries, context.random ?? Math.random);
    const askedMs = parseRetryAfter(context.retryAfter ?? null, context.nowMs) ?? 0;
    return { status: 'pending', nextAttemptAt: context.nowMs + Math.max(policyMs, askedMs) };
  }
  return { status: 'failed' };
}

/**
 * The wait before retry n (1 = the first retry) under the policy, in ms. fixed: delay_seconds,
 * exactly (API.md §4). exponential: delay_seconds × 2^(n-1), at most max_delay_seconds, then
 * spread by ±20 % jitter.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: Random): number {
  const baseMs = policy.delaySeconds * 1000;
  if (policy.backoff !== 'exponential') return baseMs;
  const exponent = Math.min(Math.max(retry - 1, 0), 40); // 2^40 × anything ≥ 1 s is far past the cap
  const cappedMs = Math.min(baseMs * 2 ** exponent, policy.maxDelaySeconds * 1000);
  const spread = 1 - JITTER + 2 * JITTER * clampUnit(random());
  return Math.round(cappedMs * spread);
}

/**
 * A Retry-After header → how long to wait in ms, or null when there is nothing usable. Accepts
 * delay-seconds (digits, optionally with a fraction, which some receivers send) and an HTTP date
 * (IMF-fixdate, or anything Date.parse reads as an absolute date). A date in the past means 0;
 * negative numbers, garbage and empty values are ignored; anything longer than 24 h is capped.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '' || text.length > 100) return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Math.round(Number(text) * 1000), MAX_RETRY_AFTER_MS);
  // A date needs a letter (a month or a weekday): plain "-5" or "12abc" is garbage, not a date.
  if (!/[A-Za-z]{3}/.test(text)) return null;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return null;
  return Math.min(Math.max(at - nowMs, 0), MAX_RETRY_AFTER_MS);
}

function clampUnit(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 1 : x;
}
