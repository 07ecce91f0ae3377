// What happens to a delivery after one attempt: a pure function of the try's verdict (see
// classifyAttempt) and the webhook's current policy.
import type { Verdict } from './attempt.ts';
import type { RetryPolicy } from './webhook.ts';

export type NextStep =
  | { status: 'success' }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'failed' };

/**
 * `roundTries` counts the tries of the current round including the one just made; a round allows
 * 1 + policy.attempts tries, spaced by delaySeconds. A permanent failure (blocked target, 410 Gone)
 * ends the delivery at once, whatever the policy allows.
 */
export function nextStep(verdict: Verdict, roundTries: number, policy: RetryPolicy, nowMs: number): NextStep {
  if (verdict === 'delivered') return { status: 'success' };
  if (verdict === 'retryable' && roundTries < 1 + policy.attempts) {
    return { status: 'pending', nextAttemptAt: nowMs + policy.delaySeconds * 1000 };
  }
  return { status: 'failed' };
}
