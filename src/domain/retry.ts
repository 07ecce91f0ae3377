// What happens to a delivery after one attempt: a pure function of the outcome and the policy.
import type { RetryPolicy } from './webhook.ts';

export type NextStep =
  | { status: 'success' }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'failed' };

/**
 * `roundTries` counts the tries of the current round including the one just made; a round allows
 * 1 + policy.attempts tries, spaced by delaySeconds.
 */
export function nextStep(isSuccess: boolean, roundTries: number, policy: RetryPolicy, nowMs: number): NextStep {
  if (isSuccess) return { status: 'success' };
  if (roundTries < 1 + policy.attempts) return { status: 'pending', nextAttemptAt: nowMs + policy.delaySeconds * 1000 };
  return { status: 'failed' };
}
