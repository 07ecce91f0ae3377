// What one HTTP try means. The sender reports what it saw (an Observation); classifyAttempt()
// alone decides what that is worth: delivered, worth retrying, or a permanent failure, with the
// cause and the message the audit log shows. AttemptResult is the one shape a try's outcome has
// from the sender through the retry step and the store to the API.

/** API.md §9: the `outcome` of each `attempt_log` entry. */
export const ATTEMPT_OUTCOMES = ['success', 'http_error', 'timeout', 'network_error', 'blocked'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** What the retry step does with a try: stop happy, try again per the policy, or stop failed. */
export type Verdict = 'delivered' | 'retryable' | 'permanent';

/** The finer reason behind an outcome. */
export type AttemptCause =
  | 'status'
  | 'timeout'
  | 'dns'
  | 'refused'
  | 'reset'
  | 'tls'
  | 'invalid_response'
  | 'blocked'
  | 'other';

/** The code the sender gives a target refused by the private-address guard. */
export const BLOCKED_TARGET_CODE = 'HERALD_BLOCKED_TARGET';

/** What the sender saw of one try, before any judgement. */
export type Observation =
  | { kind: 'response'; statusCode: number; location?: string | null }
  | { kind: 'deadline'; timeoutMs: number }
  /** A transport failure: `code` as Node or undici name it (ECONNREFUSED, UND_ERR_SOCKET, …). */
  | { kind: 'failure'; code: string; message: string };

export interface Classification {
  verdict: Verdict;
  outcome: AttemptOutcome;
  cause: AttemptCause;
  /** Why the try failed, in words; null after a success. */
  error: string | null;
}

/** One HTTP try: what the sender returns, the retry step reads, the store keeps and the API shows. */
export interface AttemptResult extends Classification {
  statusCode: number | null;
  /** The first 4 KiB of the answer, or null without one. */
  responseBody: string | null;
  startedAt: number;
  durationMs: number;
  /** The Retry-After header of a 429 or 503 answer, as sent (parseRetryAfter reads it); else null. */
  retryAfter: string | null;
}

/** A try as the store gives it back (verdict and cause are not stored; the outcome is). */
export type RecordedAttempt = Omit<AttemptResult, 'verdict' | 'cause' | 'retryAfter'> & {
  /** 1, 2, … across every round of its delivery. */
  attempt: number;
};

/** Status codes that say "slow down": they carry Retry-After and cut the in-flight limit. */
export const OVERLOAD_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Back-pressure (API.md §9): did this try say the receiver is overloaded (429, 503, timeout)? */
export function signalsOverload(result: Pick<AttemptResult, 'outcome' | 'statusCode'>): boolean {
  return result.outcome === 'timeout' || (result.statusCode !== null && OVERLOAD_STATUSES.has(result.statusCode));
}

/** Status codes that say "never send this again": the delivery ends failed at once. */
const PERMANENT_STATUSES = new Set([410]);

export function classifyAttempt(observation: Observation, host: string): Classification {
  switch (observation.kind) {
    case 'response':
      return classifyStatus(observation.statusCode, observation.location ?? null);
    case 'deadline':
      return failed('retryable', 'timeout', 'timeout', `no response within ${observation.timeoutMs / 1000} s (timeout)`);
    case 'failure':
      return classifyFailure(observation.code, observation.message, host);
  }
}

function classifyStatus(status: number, location: string | null): Classification {
  if (status >= 200 && status < 300) return { verdict: 'delivered', outcome: 'success', cause: 'status', error: null };
  if (PERMANENT_STATUSES.has(status)) {
    return failed('permanent', 'http_error', 'status', `HTTP ${status}: the receiver says this endpoint is gone; not retried`);
  }
  if (status >= 300 && status < 400) {
    const to = location ? ` to ${location.slice(0, 200)}` : '';
    return failed('retryable', 'http_error', 'status', `HTTP ${status}: redirect${to} not followed`);
  }
  return failed('retryable', 'http_error', 'status', `HTTP ${status}: the receiver did not answer with a 2xx status`);
}

function classifyFailure(code: string, message: string, host: string): Classification {
  const network = (cause: AttemptCause, text: string) => failed('retryable', 'network_error', cause, text);
  switch (code) {
    case BLOCKED_TARGET_CODE:
      return failed('permanent', 'blocked', 'blocked', message);
    case 'ECONNREFUSED':
      return network('refused', `connection refused by ${host}`);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return network('reset', `connection closed by ${host} before a complete response (${code})`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return network('dns', `DNS lookup failed for ${host} (${code})`);
    case 'UND_ERR_CONNECT_TIMEOUT':
      return failed('retryable', 'timeout', 'timeout', `could not connect to ${host} in time (connect timeout)`);
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return failed('retryable', 'timeout', 'timeout', `no response from ${host} in time (timeout)`);
  }
  if (code.startsWith('HPE_')) return network('invalid_response', `invalid HTTP response from ${host}: ${message || code}`);
  if (/^ERR_(TLS|SSL)_|CERT|SELF_SIGNED/.test(code) || /certificate/i.test(message)) {
    return network('tls', `TLS error with ${host}: ${message}`);
  }
  return network('other', `request to ${host} failed: ${message}${code ? ` (${code})` : ''}`);
}

function failed(verdict: Exclude<Verdict, 'delivered'>, outcome: AttemptOutcome, cause: AttemptCause, error: string): Classification {
  return { verdict, outcome, cause, error };
}
