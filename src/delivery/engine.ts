// The delivery engine: claim → prepare (sign) → send → classify → record, with a global
// concurrency bound and a per-webhook cap so one slow receiver cannot starve the others.
//
// Work reaches it three ways: handed over by this process's ingestion right after commit (the
// rows are already leased to us: no claim round-trip), claimed from the store when woken (a hint
// from ingestion, a config change, a database notification, a dead process's freed leases), and
// claimed by a poll timer that finds retries and everything the hints missed. Correctness never
// depends on a hint. Counting and limits live in counters.ts, leases in lease-keeper.ts, writes
// in recorder.ts.
//
// Back-pressure (API.md §9): each webhook's tries in flight follow an AIMD limit (counters.ts),
// a webhook with rate_limit_per_second starts at most its share of that many tries a second
// (a token bucket per webhook; on PostgreSQL the share is the limit divided by the live
// processes the owner registry counts), and a 429/503's Retry-After pushes that delivery's next
// try back (domain/retry.ts).
import { signalsOverload, type AttemptResult } from '../domain/attempt.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { nextStep, type Random } from '../domain/retry.ts';
import { rateShare, TokenBucket } from '../domain/rate-limit.ts';
import type { Webhook } from '../domain/webhook.ts';
import type { WebhookDirectory } from '../webhooks/directory.ts';
import type { AttemptRecord, ClaimedDelivery, RecordSummary, Store } from '../store/ports.ts';
import type { Metrics } from '../metrics.ts';
import { DeliveryCounters } from './counters.ts';
import { LeaseKeeper, type LeaseStore } from './lease-keeper.ts';
import { prepareRequest } from './prepare.ts';
import { Recorder } from './recorder.ts';
import type { Sender } from './sender.ts';

export interface EngineOptions {
  owner: string;
  concurrency: number;
  webhookConcurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  clock?: Clock;
  heartbeatIntervalMs?: number;
  ownerStaleMs?: number;
  /** Jitter source for exponential backoff (tests pass a fixed one). */
  random?: Random;
}

export interface EngineLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The store operations the engine needs. */
export type EngineStore = Pick<Store, 'claimDue' | 'recordAttempts'> & LeaseStore;

/** Tries sent but not yet recorded, per unit of per-webhook concurrency. */
const UNSETTLED_PER_SLOT = 2;
/** After the grace period the tries left are aborted; this is how long they get to unwind. */
const ABORT_UNWIND_MS = 5_000;

export class DeliveryEngine {
  readonly #queues = new Map<string, ClaimedDelivery[]>();
  readonly #counters: DeliveryCounters;
  readonly #recorder: Recorder;
  readonly #leases: LeaseKeeper;
  #isRunning = false;
  /** The claim running now, if any (stop() waits for it). */
  #claiming: Promise<void> | null = null;
  /** A wake-up arrived while a claim ran: claim again right after it. */
  #isClaimRequested = false;
  #claimTimer: NodeJS.Timeout | null = null;
  #claimAt = Infinity;
  #idle: Array<() => void> = [];
  /** Webhooks whose last claim came back full: claim again once half their room is free. */
  readonly #hasBacklog = new Set<string>();
  /** rate_limit_per_second buckets, for the webhooks that have one. */
  readonly #buckets = new Map<string, TokenBucket>();
  /** Processes sending now (PostgreSQL: live lease owners), among which rate limits are shared. */
  #processes = 1;
  /** A pump waits for a rate-limited webhook's next token. */
  #pumpTimer: NodeJS.Timeout | null = null;
  #pumpAt = Infinity;
  /** Webhooks whose in-flight limit gauge has been set. */
  readonly #gauged = new Set<string>();

  constructor(
    private readonly store: EngineStore,
    private readonly directory: WebhookDirectory,
    private readonly sender: Sender,
    private readonly metrics: Metrics,
    private readonly log: EngineLog,
    private readonly options: EngineOptions,
  ) {
    const clock = options.clock ?? systemClock;
    this.#counters = new DeliveryCounters(
      {
        concurrency: options.concurrency,
        webhookConcurrency: options.webhookConcurrency,
        maxHeld: options.concurrency * 8,
        maxHeldPerWebhook: options.webhookConcurrency * 16,
        maxUnsettledPerWebhook: UNSETTLED_PER_SLOT * options.webhookConcurrency,
      },
      clock,
    );
    // Half the per-webhook cap of unrecorded tries: a webhook at full speed never waits for the pause.
    const fullGroup = Math.max(1, Math.min(256, (UNSETTLED_PER_SLOT * options.webhookConcurrency) / 2));
    this.#recorder = new Recorder(store, options.owner, log, (records, summary) => this.#afterRecorded(records, summary), fullGroup);
    this.#leases = new LeaseKeeper(store, options, clock, log, () => this.wake(), (n) => {
      this.#processes = Math.max(1, n);
      metrics.liveWorkers.set(this.#processes);
    });
    directory.onChange(() => this.wake());
  }

  get owner(): string {
    return this.options.owner;
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /** Registers this process as a lease owner, then starts claiming. */
  async start(): Promise<void> {
    await this.#leases.start();
    this.#isRunning = true;
    this.wake();
  }

  /** A hint that due work may exist now. */
  wake(): void {
    this.#scheduleClaim(this.#counters.now());
  }

  // ---- LocalDispatch: fresh deliveries handed over by ingestion ----

  tryReserve(webhookId: string): boolean {
    if (!this.#isRunning || !this.#counters.canHold(webhookId)) return false;
    this.#counters.hold(webhookId);
    return true;
  }

  unreserve(webhookId: string): void {
    this.#counters.unhold(webhookId);
  }

  deliver(deliveries: ClaimedDelivery[]): void {
    for (const delivery of deliveries) {
      const queue = this.#queues.get(delivery.webhookId);
      if (queue) queue.push(delivery);
      else this.#queues.set(delivery.webhookId, [delivery]);
    }
    this.#pump();
  }

  // ---- claiming ----

  #scheduleClaim(atMs: number): void {
    if (!this.#isRunning || atMs >= this.#claimAt) return;
    if (this.#claimTimer) clearTimeout(this.#claimTimer);
    this.#claimAt = atMs;
    this.#claimTimer = setTimeout(() => {
      this.#claimTimer = null;
      this.#claimAt = Infinity;
      this.#claim();
    }, Math.max(0, atMs - this.#counters.now()));
  }

  #claim(): void {
    if (this.#claiming) {
      this.#isClaimRequested = true;
      return;
    }
    this.#claiming = this.#claimDue().finally(() => {
      this.#claiming = null;
      const isRequested = this.#isClaimRequested;
      this.#isClaimRequested = false;
      this.#scheduleClaim(this.#counters.now() + (isRequested ? 0 : this.options.pollIntervalMs));
    });
  }

  async #claimDue(): Promise<void> {
    try {
      await this.directory.fresh(this.#counters.now());
      const limits = this.#counters.claimLimits(this.directory.enabledIds()).map((l) => ({
        webhookId: l.webhookId as Webhook['id'],
        limit: this.#rateCappedClaim(l.webhookId, l.limit),
        ordered: this.directory.get(l.webhookId)?.ordering === 'member',
      }));
      const now = this.#counters.now();
      const claimed = await this.store.claimDue({ owner: this.options.owner, nowMs: now, leaseUntil: now + this.options.leaseMs, limits });
      for (const d of claimed) this.#counters.hold(d.webhookId);
      this.deliver(claimed);
      const got = new Map<string, number>();
      for (const d of claimed) got.set(d.webhookId, (got.get(d.webhookId) ?? 0) + 1);
      for (const l of limits) if ((got.get(l.webhookId) ?? 0) >= l.limit) this.#hasBacklog.add(l.webhookId);
    } catch (error) {
      this.log.error({ err: error }, 'claiming due deliveries failed');
    }
  }

  // ---- sending ----

  /** Starts tries round-robin over the webhooks with queued work, within the limits. */
  #pump(): void {
    let isProgressing = true;
    let waitMs = Infinity;
    while (isProgressing && this.#counters.hasFreeSlot) {
      isProgressing = false;
      for (const [webhookId, queue] of this.#queues) {
        if (!this.#counters.hasFreeSlot) break;
        if (!this.#counters.canStart(webhookId)) {
          const pacedMs = this.#counters.pacedForMs(webhookId);
          if (pacedMs > 0) waitMs = Math.min(waitMs, pacedMs);
          continue;
        }
        const rateWaitMs = this.#takeRateToken(webhookId);
        if (rateWaitMs > 0) {
          waitMs = Math.min(waitMs, rateWaitMs);
          continue;
        }
        const delivery = queue.shift()!;
        if (queue.length === 0) this.#queues.delete(webhookId);
        void this.#run(delivery);
        isProgressing = true;
      }
    }
    if (waitMs !== Infinity) this.#schedulePump(this.#counters.now() + waitMs);
  }

  /** 0 when the webhook may start a try now (its token is taken), else ms until it may. */
  #takeRateToken(webhookId: string): number {
    const limit = this.directory.get(webhookId)?.rateLimitPerSecond ?? null;
    if (limit === null) {
      this.#buckets.delete(webhookId);
      return 0;
    }
    const now = this.#counters.now();
    const share = rateShare(limit, this.#processes);
    let bucket = this.#buckets.get(webhookId);
    if (!bucket) this.#buckets.set(webhookId, (bucket = new TokenBucket(share, now)));
    else bucket.setRate(share, now);
    return bucket.tryTake(now) ? 0 : Math.max(1, bucket.waitMs(now));
  }

  /** A rate-limited webhook claims about two seconds' worth of its share, not a whole backlog. */
  #rateCappedClaim(webhookId: string, limit: number): number {
    const rate = this.directory.get(webhookId)?.rateLimitPerSecond ?? null;
    if (rate === null) return limit;
    return Math.min(limit, Math.max(1, Math.ceil(2 * rateShare(rate, this.#processes))));
  }

  #schedulePump(atMs: number): void {
    if (atMs >= this.#pumpAt) return;
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    this.#pumpAt = atMs;
    this.#pumpTimer = setTimeout(() => {
      this.#pumpTimer = null;
      this.#pumpAt = Infinity;
      this.#pump();
    }, Math.max(0, atMs - this.#counters.now()));
  }

  async #run(delivery: ClaimedDelivery): Promise<void> {
    const webhook = this.directory.get(delivery.webhookId);
    if (!this.#isRunning || !webhook || !webhook.enabled) {
      this.#recorder.release(delivery.id);
      this.#counters.unhold(delivery.webhookId);
      return;
    }
    const tryNumber = this.#counters.startTry(webhook.id);
    this.metrics.inFlight.inc();
    try {
      const result = await this.#send(webhook, delivery);
      if (result) {
        this.#adapt(webhook.id, tryNumber, result);
        this.#record(webhook, delivery, result);
      }
      else this.#giveBack(delivery); // aborted at shutdown: no try happened, the delivery stays due
    } catch (error) {
      // A bug or a signing failure: give the delivery back; it will be claimed again.
      this.log.error({ delivery_id: delivery.id, err: error }, 'attempt crashed');
      this.#giveBack(delivery);
    } finally {
      this.#counters.endTry(webhook.id, tryNumber);
      this.metrics.inFlight.dec();
      this.#counters.unhold(delivery.webhookId);
      this.#afterTry(webhook.id);
    }
  }

  async #send(webhook: Webhook, delivery: ClaimedDelivery): Promise<AttemptResult | null> {
    return this.sender.send(await prepareRequest(webhook, delivery.eventId, delivery.body, this.#counters.now()));
  }

  /** AIMD: an overloaded receiver gets fewer tries at once, a healthy one more (up to the cap). */
  #adapt(webhookId: Webhook['id'], tryNumber: number, result: AttemptResult): void {
    const signal = result.verdict === 'delivered' ? 'success' : signalsOverload(result) ? 'overload' : 'neutral';
    const limit = this.#counters.feedback(webhookId, tryNumber, signal);
    if (limit !== null || !this.#gauged.has(webhookId)) {
      this.#gauged.add(webhookId);
      this.metrics.webhookInflightLimit.set({ webhook_id: webhookId }, limit ?? this.#counters.inflightLimit(webhookId));
    }
  }

  #record(webhook: Webhook, delivery: ClaimedDelivery, result: AttemptResult): void {
    const next = nextStep(result.verdict, delivery.roundTries + 1, webhook.retry, {
      nowMs: this.#counters.now(),
      retryAfter: result.retryAfter,
      random: this.options.random,
    });
    const label = result.verdict === 'delivered' ? 'success' : 'failed';
    this.metrics.attempts.inc({ outcome: label });
    this.metrics.attemptDuration.observe(result.durationMs / 1000);
    if (next.status !== 'pending') this.metrics.deliveriesFinished.inc({ outcome: label });
    this.#recorder.add({ deliveryId: delivery.id, webhookId: webhook.id, attempt: delivery.attempts + 1, result, next });
  }

  /** Back to the store without an attempt: the lease is released, the delivery stays due. */
  #giveBack(delivery: ClaimedDelivery): void {
    this.#recorder.release(delivery.id);
    this.#counters.settle(delivery.webhookId);
  }

  #afterTry(webhookId: string): void {
    this.#pump();
    if (this.#hasBacklog.has(webhookId) && this.#counters.held(webhookId) <= this.#counters.limits.maxHeldPerWebhook / 2) {
      this.#hasBacklog.delete(webhookId);
      this.wake();
    }
    if (this.#counters.inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  #afterRecorded(records: AttemptRecord[], summary: RecordSummary): void {
    let isTurnOver = false;
    for (const r of records) {
      this.#counters.settle(r.webhookId);
      if (r.next.status === 'pending') this.#scheduleClaim(r.next.nextAttemptAt);
      // Ordered by member: a final result lets that member's next delivery go; claim it now.
      else isTurnOver ||= this.directory.get(r.webhookId)?.ordering === 'member';
    }
    // Auto-disabled webhooks stop at once here (others see the config revision move);
    // herald.* deliveries were queued unheld: claim them.
    if (summary.disabled.length > 0) this.directory.invalidate().catch((err) => this.log.error({ err }, 'could not reload webhooks after an auto-disable'));
    if (isTurnOver || summary.queued > 0) this.wake();
    this.#pump();
  }

  // ---- stopping ----

  /**
   * Stops claiming and lets tries in flight finish for up to graceMs; then aborts the rest (they
   * leave no attempt and stay due: at-least-once). Records what finished, gives back every lease.
   */
  async stop(graceMs: number): Promise<void> {
    this.#isRunning = false;
    if (this.#claimTimer) clearTimeout(this.#claimTimer);
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    await this.#leases.stop();
    await this.#claiming;
    const queued = [...this.#queues.values()].flat();
    this.#queues.clear();
    for (const d of queued) this.#counters.unhold(d.webhookId);
    let aborted = 0;
    if (!(await this.#whenIdle(graceMs))) {
      aborted = this.#counters.inFlight;
      this.log.warn(
        { aborted, oldest_in_flight_ms: this.#counters.oldestInFlightMs(), grace_ms: graceMs },
        'tries still in flight after the shutdown grace period are aborted; their deliveries stay due and are sent again',
      );
      this.sender.abortAll();
      await this.#whenIdle(ABORT_UNWIND_MS);
    }
    await this.#recorder.drain();
    await this.#leases.giveUp();
    this.log.info({ released: queued.length, aborted, unfinished: this.#counters.inFlight }, 'delivery engine stopped');
  }

  /** True once no try is in flight, false if that takes longer than timeoutMs. */
  #whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#counters.inFlight === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
