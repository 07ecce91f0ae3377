// A webhook's `rate_limit_per_second` (API.md §9) in one process: a token bucket that holds at
// most one second's worth of tries and refills continuously. Several processes (PostgreSQL)
// each take an equal share of the rate, so that their sum stays within the limit.
// Pure: time comes in as an argument.

export class TokenBucket {
  #tokens: number;
  #at: number;
  #perSecond: number;

  constructor(perSecond: number, nowMs: number) {
    this.#perSecond = perSecond;
    this.#tokens = capacity(perSecond);
    this.#at = nowMs;
  }

  get perSecond(): number {
    return this.#perSecond;
  }

  /** A new rate (the webhook changed, or the number of live processes did): keeps what is banked, within the new size. */
  setRate(perSecond: number, nowMs: number): void {
    if (perSecond === this.#perSecond) return;
    this.#refill(nowMs);
    this.#perSecond = perSecond;
    this.#tokens = Math.min(this.#tokens, capacity(perSecond));
  }

  /** Takes one try's token if there is one. */
  tryTake(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** How long until a token is there (0: now). */
  waitMs(nowMs: number): number {
    this.#refill(nowMs);
    if (this.#tokens >= 1) return 0;
    return Math.ceil(((1 - this.#tokens) / this.#perSecond) * 1000);
  }

  #refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.#at);
    this.#at = Math.max(this.#at, nowMs);
    this.#tokens = Math.min(capacity(this.#perSecond), this.#tokens + (elapsed / 1000) * this.#perSecond);
  }
}

/** One second's worth, and at least one try (a share below 1/s still sends, one at a time). */
function capacity(perSecond: number): number {
  return Math.max(1, perSecond);
}

/** This process's share of a webhook's limit when `processes` live processes send for it. */
export function rateShare(limitPerSecond: number, processes: number): number {
  return limitPerSecond / Math.max(1, Math.floor(processes));
}
