// The delivery engine: claim → prepare (sign) → send → record, with a global concurrency bound
// and a per-webhook cap so one slow receiver cannot starve the others.
//
// Work reaches it three ways: handed over by this process's ingestion right after commit (the
// rows are already leased to us: no claim round-trip), claimed from the store when woken (a hint
// from ingestion, a config change or a database notification), and claimed by a poll timer that
// finds retries and everything the hints missed. Correctness never depends on a hint.
import { nextStep } from '../domain/retry.ts';
import type { Webhook } from '../domain/webhook.ts';
import type { WebhookDirectory } from '../webhooks/directory.ts';
import type { AttemptRecord, ClaimedDelivery, Store } from '../store/ports.ts';
import type { Metrics } from '../metrics.ts';
import { prepareRequest } from './prepare.ts';
import type { Outcome, Sender } from './sender.ts';
import { Recorder } from './recorder.ts';

export interface EngineOptions {
  owner: string;
  concurrency: number;
  webhookConcurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
}

export interface EngineLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Tries sent but not yet recorded, per unit of per-webhook concurrency (see #unsettled). */
const UNSETTLED_PER_SLOT = 2;

export class DeliveryEngine {
  readonly #queues = new Map<string, ClaimedDelivery[]>();
  /** Per webhook: reserved at ingest + queued + in flight. */
  readonly #held = new Map<string, number>();
  readonly #active = new Map<string, number>();
  /**
   * Per webhook: tries sent whose outcome is not written yet. A crash re-sends exactly these, so
   * they are capped (UNSETTLED_PER_SLOT × webhookConcurrency): a slow store slows sending rather
   * than widening the window of duplicates.
   */
  readonly #unsettled = new Map<string, number>();
  readonly #recorder: Recorder;
  #totalHeld = 0;
  #inFlight = 0;
  #isRunning = false;
  #isClaiming = false;
  /** A wake-up arrived while a claim ran: claim again right after it. */
  #isClaimRequested = false;
  #claimTimer: NodeJS.Timeout | null = null;
  #claimAt = Infinity;
  #renewTimer: NodeJS.Timeout | null = null;
  #idle: Array<() => void> = [];
  /** Webhooks whose last claim came back full: claim again once half their room is free. */
  readonly #hasBacklog = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly directory: WebhookDirectory,
    private readonly sender: Sender,
    private readonly metrics: Metrics,
    private readonly log: EngineLog,
    private readonly options: EngineOptions,
  ) {
    this.#recorder = new Recorder(store, options.owner, log, (records) => this.#afterRecorded(records));
    directory.onChange(() => this.wake());
  }

  get owner(): string {
    return this.options.owner;
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /** Deliveries held (queued or in flight) per webhook: enough to hand over a whole ingest batch. */
  get #maxHeldPerWebhook(): number {
    return this.options.webhookConcurrency * 16;
  }

  get #maxHeld(): number {
    return this.options.concurrency * 8;
  }

  start(): void {
    this.#isRunning = true;
    this.#renewTimer = setInterval(() => void this.#renewLeases(), this.options.leaseMs / 3);
    this.#renewTimer.unref();
    this.wake();
  }

  /** A hint that due work may exist now. */
  wake(): void {
    this.#scheduleClaim(Date.now());
  }

  // ---- LocalDispatch: fresh deliveries handed over by ingestion ----

  tryReserve(webhookId: string): boolean {
    if (!this.#isRunning || this.#totalHeld >= this.#maxHeld) return false;
    if ((this.#held.get(webhookId) ?? 0) >= this.#maxHeldPerWebhook) return false;
    this.#adjustHeld(webhookId, 1);
    return true;
  }

  unreserve(webhookId: string): void {
    this.#adjustHeld(webhookId, -1);
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
      void this.#claim();
    }, Math.max(0, atMs - Date.now()));
  }

  async #claim(): Promise<void> {
    if (this.#isClaiming) {
      this.#isClaimRequested = true;
      return;
    }
    this.#isClaiming = true;
    try {
      await this.directory.fresh();
      const limits = this.#claimLimits();
      const now = Date.now();
      const claimed = await this.store.claimDue({
        owner: this.options.owner,
        nowMs: now,
        leaseUntil: now + this.options.leaseMs,
        limits,
      });
      for (const d of claimed) this.#adjustHeld(d.webhookId, 1);
      this.deliver(claimed);
      const got = new Map<string, number>();
      for (const d of claimed) got.set(d.webhookId, (got.get(d.webhookId) ?? 0) + 1);
      for (const l of limits) if ((got.get(l.webhookId) ?? 0) >= l.limit) this.#hasBacklog.add(l.webhookId);
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'claiming due deliveries failed');
    } finally {
      this.#isClaiming = false;
      const isRequested = this.#isClaimRequested;
      this.#isClaimRequested = false;
      this.#scheduleClaim(Date.now() + (isRequested ? 0 : this.options.pollIntervalMs));
    }
  }

  /** Room per webhook, with the process-wide room shared fairly among the webhooks that have any. */
  #claimLimits(): Array<{ webhookId: Webhook['id']; limit: number }> {
    const budget = this.#maxHeld - this.#totalHeld;
    const withRoom = this.directory
      .enabledIds()
      .map((id) => ({ webhookId: id as Webhook['id'], room: this.#maxHeldPerWebhook - (this.#held.get(id) ?? 0) }))
      .filter((w) => w.room > 0);
    if (budget <= 0 || withRoom.length === 0) return [];
    const share = Math.max(1, Math.floor(budget / withRoom.length));
    return withRoom.map((w) => ({ webhookId: w.webhookId, limit: Math.min(w.room, share) }));
  }

  // ---- sending ----

  #pump(): void {
    let isProgressing = true;
    while (isProgressing && this.#inFlight < this.options.concurrency) {
      isProgressing = false;
      for (const [webhookId, queue] of this.#queues) {
        if (this.#inFlight >= this.options.concurrency) break;
        if ((this.#active.get(webhookId) ?? 0) >= this.options.webhookConcurrency) continue;
        if ((this.#unsettled.get(webhookId) ?? 0) >= UNSETTLED_PER_SLOT * this.options.webhookConcurrency) continue;
        const delivery = queue.shift()!;
        if (queue.length === 0) this.#queues.delete(webhookId);
        void this.#run(delivery);
        isProgressing = true;
      }
    }
  }

  async #run(delivery: ClaimedDelivery): Promise<void> {
    const webhook = this.directory.get(delivery.webhookId);
    if (!this.#isRunning || !webhook || !webhook.enabled) {
      this.#recorder.release(delivery.id);
      this.#adjustHeld(delivery.webhookId, -1);
      return;
    }
    this.#inFlight++;
    this.#active.set(webhook.id, (this.#active.get(webhook.id) ?? 0) + 1);
    this.#adjustUnsettled(webhook.id, 1);
    this.metrics.inFlight.inc();
    try {
      const outcome = await this.#attempt(webhook, delivery);
      this.#record(webhook, delivery, outcome);
    } catch (error) {
      // A bug or a signing failure: give the delivery back; it will be claimed again.
      this.log.error({ delivery_id: delivery.id, err: (error as Error).message }, 'attempt crashed');
      this.#recorder.release(delivery.id);
      this.#adjustUnsettled(webhook.id, -1);
    } finally {
      this.#inFlight--;
      this.#active.set(webhook.id, this.#active.get(webhook.id)! - 1);
      this.metrics.inFlight.dec();
      this.#adjustHeld(delivery.webhookId, -1);
      this.#pump();
      if (this.#hasBacklog.has(webhook.id) && (this.#held.get(webhook.id) ?? 0) <= this.#maxHeldPerWebhook / 2) {
        this.#hasBacklog.delete(webhook.id);
        this.wake();
      }
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #attempt(webhook: Webhook, delivery: ClaimedDelivery): Promise<Outcome> {
    return this.sender.send(await prepareRequest(webhook, delivery.eventId, delivery.body, Date.now()));
  }

  #record(webhook: Webhook, delivery: ClaimedDelivery, outcome: Outcome): void {
    const next = nextStep(outcome.isSuccess, delivery.roundTries + 1, webhook.retry, Date.now());
    const label = outcome.isSuccess ? 'success' : 'failed';
    this.metrics.attempts.inc({ outcome: label });
    this.metrics.attemptDuration.observe(outcome.durationMs / 1000);
    if (next.status !== 'pending') this.metrics.deliveriesFinished.inc({ outcome: label });
    this.#recorder.add({
      deliveryId: delivery.id,
      webhookId: webhook.id,
      attempt: {
        attempt: delivery.attempts + 1,
        startedAt: outcome.startedAt,
        durationMs: outcome.durationMs,
        statusCode: outcome.statusCode,
        error: outcome.error,
        responseBody: outcome.responseBody,
      },
      next,
    });
  }

  #afterRecorded(records: AttemptRecord[]): void {
    for (const r of records) {
      this.#adjustUnsettled(r.webhookId, -1);
      if (r.next.status === 'pending') this.#scheduleClaim(r.next.nextAttemptAt);
    }
    this.#pump();
  }

  #adjustUnsettled(webhookId: string, delta: number): void {
    const count = (this.#unsettled.get(webhookId) ?? 0) + delta;
    if (count === 0) this.#unsettled.delete(webhookId);
    else this.#unsettled.set(webhookId, count);
  }

  #adjustHeld(webhookId: string, delta: number): void {
    this.#held.set(webhookId, (this.#held.get(webhookId) ?? 0) + delta);
    this.#totalHeld += delta;
  }

  async #renewLeases(): Promise<void> {
    try {
      await this.store.renewLeases(this.options.owner, Date.now() + this.options.leaseMs);
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'renewing leases failed');
    }
  }

  /** Stop claiming, let in-flight attempts finish (up to graceMs), record them, give back the rest. */
  async stop(graceMs: number): Promise<void> {
    this.#isRunning = false;
    if (this.#claimTimer) clearTimeout(this.#claimTimer);
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    const queued = [...this.#queues.values()].flat();
    this.#queues.clear();
    for (const d of queued) this.#adjustHeld(d.webhookId, -1);
    if (this.#inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.#idle.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
      ]);
    }
    await this.#recorder.drain();
    await this.store.releaseLeases(this.options.owner);
    this.log.info({ released: queued.length, unfinished: this.#inFlight }, 'delivery engine stopped');
  }
}
