// The engine's bookkeeping in one place: how many deliveries it holds, how many tries are in
// flight, how many were sent but are not recorded yet, per webhook and in total, and the limits
// that decide whether one more may be held or started. Time comes from the injected clock.
//
// Back-pressure (API.md §9) is an AIMD limit per webhook on the tries in flight: a try that says
// the receiver is overloaded (429, 503, timeout) halves it (down to 1), a success raises it by one
// (up to HERALD_WEBHOOK_CONCURRENCY). Tries that started before the last cut were sent under the
// old limit: their overload signals do not cut again, so one burst of 429s halves once, not 64 times.
// At 1, a receiver that keeps answering 429 at once would still get a try per round trip (hundreds
// a second), so there the tries are also paced: after each overload at limit 1 the next try waits
// a probe interval that doubles from 100 ms up to 1 s; a success ends the pacing.
import type { Clock } from '../domain/clock.ts';

export interface CounterLimits {
  /** Tries in flight at once, in total (HERALD_CONCURRENCY). */
  concurrency: number;
  /** Tries in flight at once per webhook (HERALD_WEBHOOK_CONCURRENCY). */
  webhookConcurrency: number;
  /** Deliveries held (reserved, queued or in flight) in total. */
  maxHeld: number;
  /** Deliveries held per webhook: enough to take a whole ingest batch. */
  maxHeldPerWebhook: number;
  /**
   * Tries sent but not yet recorded, per webhook. A crash re-sends exactly these, so a slow store
   * slows sending rather than widening the window of duplicates.
   */
  maxUnsettledPerWebhook: number;
}

/** Pacing at limit 1: the first probe interval and its ceiling. */
export const FIRST_PROBE_MS = 100;
export const MAX_PROBE_MS = 1_000;

/** What one try tells the in-flight limit. */
export type TrySignal = 'overload' | 'success' | 'neutral';

export class DeliveryCounters {
  readonly #held = new Map<string, number>();
  readonly #active = new Map<string, number>();
  readonly #unsettled = new Map<string, number>();
  /** The AIMD in-flight limit of each webhook below its cap (absent: the cap). */
  readonly #limit = new Map<string, number>();
  /** When each webhook's limit was last cut. */
  readonly #cutAt = new Map<string, number>();
  /** Webhooks at limit 1 still overloaded: their probe interval and when the next try may start. */
  readonly #probe = new Map<string, { intervalMs: number; nextAt: number }>();
  /** Start time of every try in flight, by try number. */
  readonly #startedAt = new Map<number, number>();
  #lastTry = 0;
  #totalHeld = 0;

  constructor(
    readonly limits: CounterLimits,
    private readonly clock: Clock,
  ) {}

  /** The engine's only source of time. */
  now(): number {
    return this.clock();
  }

  get totalHeld(): number {
    return this.#totalHeld;
  }

  get inFlight(): number {
    return this.#startedAt.size;
  }

  held(webhookId: string): number {
    return this.#held.get(webhookId) ?? 0;
  }

  unsettled(webhookId: string): number {
    return this.#unsettled.get(webhookId) ?? 0;
  }

  // ---- holding: reserved at ingest, queued, or in flight ----

  canHold(webhookId: string): boolean {
    return this.#totalHeld < this.limits.maxHeld && this.held(webhookId) < this.limits.maxHeldPerWebhook;
  }

  /** How many due deliveries to claim per webhook: each its own room, the total room shared fairly. */
  claimLimits(webhookIds: readonly string[]): Array<{ webhookId: string; limit: number }> {
    const budget = this.limits.maxHeld - this.#totalHeld;
    const withRoom = webhookIds
      .map((webhookId) => ({ webhookId, room: this.limits.maxHeldPerWebhook - this.held(webhookId) }))
      .filter((w) => w.room > 0);
    if (budget <= 0 || withRoom.length === 0) return [];
    const share = Math.max(1, Math.floor(budget / withRoom.length));
    return withRoom.map((w) => ({ webhookId: w.webhookId, limit: Math.min(w.room, share) }));
  }

  hold(webhookId: string, count = 1): void {
    adjust(this.#held, webhookId, count);
    this.#totalHeld += count;
  }

  unhold(webhookId: string, count = 1): void {
    this.hold(webhookId, -count);
  }

  // ---- tries ----

  canStart(webhookId: string): boolean {
    return (
      this.inFlight < this.limits.concurrency &&
      (this.#active.get(webhookId) ?? 0) < this.inflightLimit(webhookId) &&
      this.pacedForMs(webhookId) === 0 &&
      this.unsettled(webhookId) < this.limits.maxUnsettledPerWebhook
    );
  }

  get hasFreeSlot(): boolean {
    return this.inFlight < this.limits.concurrency;
  }

  /** A try begins: in flight, and unsettled until settle(). Returns its number for endTry(). */
  startTry(webhookId: string): number {
    const tryNumber = ++this.#lastTry;
    this.#startedAt.set(tryNumber, this.clock());
    adjust(this.#active, webhookId, 1);
    adjust(this.#unsettled, webhookId, 1);
    return tryNumber;
  }

  /** Tries this webhook may have in flight now: its AIMD limit, 1 to HERALD_WEBHOOK_CONCURRENCY. */
  inflightLimit(webhookId: string): number {
    return this.#limit.get(webhookId) ?? this.limits.webhookConcurrency;
  }

  /** 0 when the webhook's pacing (limit 1, still overloaded) lets a try start now, else ms to wait. */
  pacedForMs(webhookId: string): number {
    const probe = this.#probe.get(webhookId);
    return probe ? Math.max(0, probe.nextAt - this.clock()) : 0;
  }

  /**
   * Feeds a finished try (call it before endTry) into its webhook's AIMD limit. Returns the new
   * limit when it changed, else null.
   */
  feedback(webhookId: string, tryNumber: number, signal: TrySignal): number | null {
    const startedAt = this.#startedAt.get(tryNumber);
    if (startedAt === undefined || signal === 'neutral') return null;
    const current = this.inflightLimit(webhookId);
    let next: number;
    if (signal === 'success') {
      this.#probe.delete(webhookId);
      next = Math.min(this.limits.webhookConcurrency, current + 1);
    } else {
      if (current === 1) this.#pace(webhookId);
      const cutAt = this.#cutAt.get(webhookId);
      if (cutAt !== undefined && startedAt < cutAt) return null; // sent under the old limit
      next = Math.max(1, Math.floor(current / 2));
      this.#cutAt.set(webhookId, this.clock());
    }
    if (next === current) return null;
    if (next >= this.limits.webhookConcurrency) this.#limit.delete(webhookId);
    else this.#limit.set(webhookId, next);
    return next;
  }

  #pace(webhookId: string): void {
    const last = this.#probe.get(webhookId);
    const intervalMs = last ? Math.min(MAX_PROBE_MS, last.intervalMs * 2) : FIRST_PROBE_MS;
    this.#probe.set(webhookId, { intervalMs, nextAt: this.clock() + intervalMs });
  }

  /** The try's HTTP exchange is over (its outcome may still be unrecorded). */
  endTry(webhookId: string, tryNumber: number): void {
    if (!this.#startedAt.delete(tryNumber)) return;
    adjust(this.#active, webhookId, -1);
  }

  /** The try's outcome is written (or the delivery was given back without one). */
  settle(webhookId: string): void {
    adjust(this.#unsettled, webhookId, -1);
  }

  /** How long the oldest try in flight has been running, or null when none is. */
  oldestInFlightMs(): number | null {
    let oldest = Infinity;
    for (const at of this.#startedAt.values()) oldest = Math.min(oldest, at);
    return oldest === Infinity ? null : this.clock() - oldest;
  }
}

function adjust(counts: Map<string, number>, key: string, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
}
