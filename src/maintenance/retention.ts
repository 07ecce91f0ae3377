// Retention (API.md §9, HERALD_RETENTION_DAYS): in the background, at start and then at least
// once a minute, events accepted longer ago than the retention whose deliveries are all final
// are deleted with their deliveries and attempt logs. Each batch is one short transaction sized
// to hold the writer for at most ~50 ms (the size adapts to what the last batch took), with a
// pause between batches so ingestion goes first. On PostgreSQL one process purges at a time
// (an advisory lock per batch); SQLite hands the freed pages back after each cycle.
// Webhook stats live in their own table and are kept.
import type { Clock } from '../domain/clock.ts';
import { systemClock } from '../domain/clock.ts';
import type { PurgeCounts, Store } from '../store/ports.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Every cycle starts at most this long after the last one ended. */
export const MAX_INTERVAL_MS = 60_000;
const MIN_INTERVAL_MS = 500;
/** The writer time one batch may take. */
export const BATCH_BUDGET_MS = 50;
const FIRST_BATCH = 500;
const MIN_BATCH = 20;
const MAX_BATCH = 5000;
/** Between batches: ingestion's transactions get the writer. */
const PAUSE_BETWEEN_BATCHES_MS = 10;
/** A cycle that keeps finding work stops after this long and lets the next one continue. */
const MAX_CYCLE_MS = 20_000;

export type RetentionStore = Pick<Store, 'purgeExpired' | 'reclaimSpace'>;

export interface RetentionLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RetentionOptions {
  retentionDays: number;
  clock?: Clock;
  /** Counts what was deleted, by table (herald_retention_purged_total). */
  onPurged?: (table: 'events' | 'deliveries' | 'attempts', count: number) => void;
}

/** How often to purge: half the retention (so a row outlives it by at most that), 0.5-60 s. */
export function purgeIntervalMs(retentionDays: number): number {
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, (retentionDays * DAY_MS) / 2));
}

/** The next batch size from the last one's size and duration: aims at half the budget. */
export function nextBatchSize(size: number, tookMs: number): number {
  if (tookMs > BATCH_BUDGET_MS) return Math.max(MIN_BATCH, Math.floor(size / 2));
  if (tookMs < BATCH_BUDGET_MS / 4) return Math.min(MAX_BATCH, size * 2);
  return size;
}

export class RetentionJob {
  #timer: NodeJS.Timeout | null = null;
  #cycle: Promise<void> | null = null;
  #isStopped = false;
  #batch = FIRST_BATCH;
  /** The longest batch so far (ms), for the log and tests. */
  longestBatchMs = 0;
  cycles = 0;

  constructor(
    private readonly store: RetentionStore,
    private readonly log: RetentionLog,
    private readonly options: RetentionOptions,
  ) {}

  get isEnabled(): boolean {
    return this.options.retentionDays > 0;
  }

  /** Runs a first cycle now (in the background) and then every interval. */
  start(): void {
    if (!this.isEnabled) return;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#isStopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#cycle;
  }

  /** One whole purge: batch after batch until nothing old is left (or the cycle runs long). */
  async runCycle(): Promise<PurgeCounts> {
    const clock = this.options.clock ?? systemClock;
    const total: PurgeCounts = { events: 0, deliveries: 0, attempts: 0, scanned: 0 };
    const started = clock();
    const beforeMs = started - this.options.retentionDays * DAY_MS;
    while (!this.#isStopped) {
      const t0 = performance.now();
      const counts = await this.store.purgeExpired(beforeMs, this.#batch);
      const tookMs = performance.now() - t0;
      if (counts === null) break; // another process is purging
      this.longestBatchMs = Math.max(this.longestBatchMs, tookMs);
      for (const table of ['events', 'deliveries', 'attempts'] as const) {
        total[table] += counts[table];
        if (counts[table] > 0) this.options.onPurged?.(table, counts[table]);
      }
      total.scanned += counts.scanned;
      const isLast = counts.scanned < this.#batch || counts.events === 0;
      this.#batch = nextBatchSize(this.#batch, tookMs);
      if (isLast || clock() - started > MAX_CYCLE_MS) break;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_BATCHES_MS));
    }
    if (total.events + total.deliveries + total.attempts > 0) {
      await this.store.reclaimSpace();
      this.log.info({ ...total, longest_batch_ms: Math.round(this.longestBatchMs) }, 'retention: deleted old finished events');
    }
    this.cycles++;
    return total;
  }

  #schedule(delayMs: number): void {
    if (this.#isStopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#cycle = this.runCycle()
        .then(
          () => undefined,
          (error) => this.log.error({ err: error }, 'retention: purge failed; trying again at the next interval'),
        )
        .finally(() => {
          this.#cycle = null;
          this.#schedule(purgeIntervalMs(this.options.retentionDays));
        });
    }, delayMs);
    this.#timer.unref();
  }
}
