// The time part of auto-disable (API.md §9): "checked whenever a delivery fails (the recorder does
// that) and at least once a minute" (this). Every process runs it; the store's conditional update
// makes sure a webhook is disabled, and its herald.webhook.disabled emitted, once.
import type { RecordSummary, Store } from '../store/ports.ts';

export interface HealthSweepOptions {
  intervalMs: number;
  /** Herald deliveries were queued, held by nobody: wake the engines. */
  onQueued: () => void;
  /** Webhooks were disabled: reload the directory. */
  onDisabled: () => void;
  log: { error(obj: object, msg: string): void };
  now?: () => number;
}

export const HEALTH_SWEEP_INTERVAL_MS = 30_000;

export class HealthSweep {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<RecordSummary | null> | null = null;

  constructor(
    private readonly store: Pick<Store, 'autoDisableDue'>,
    private readonly options: HealthSweepOptions,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.#timer.unref();
  }

  /** One sweep now (also what the timer runs); null when the store failed (logged). */
  runOnce(): Promise<RecordSummary | null> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #sweep(): Promise<RecordSummary | null> {
    try {
      const summary = await this.store.autoDisableDue((this.options.now ?? Date.now)());
      if (summary.disabled.length > 0) this.options.onDisabled();
      if (summary.queued > 0) this.options.onQueued();
      return summary;
    } catch (err) {
      this.options.log.error({ err }, 'auto-disable sweep failed; will try again');
      return null;
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
