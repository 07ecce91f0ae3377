// Writes attempt outcomes in groups: every record made while one write runs goes into the next
// transaction together. A failed write is retried; a crash before it only means a re-send.
import type { DeliveryId } from '../domain/ids.ts';
import type { AttemptRecord, RecordSummary, Store } from '../store/ports.ts';

/** A group this size is written at once, without the pause. */
const FULL_GROUP = 256;
const GROUP_PAUSE_MS = 5;

export interface RecorderLog {
  error(obj: object, msg: string): void;
}

export class Recorder {
  #records: AttemptRecord[] = [];
  #releases: DeliveryId[] = [];
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #retryDelayMs = 100;

  constructor(
    private readonly store: Pick<Store, 'recordAttempts' | 'releaseLeases'>,
    private readonly owner: string,
    private readonly log: RecorderLog,
    private readonly onRecorded: (records: AttemptRecord[], summary: RecordSummary) => void,
    /**
     * Written at once from this many records: the engine stops sending to a webhook whose
     * unrecorded tries reach a cap, so a group must not wait for more records than that allows.
     */
    private readonly fullGroup = FULL_GROUP,
  ) {}

  add(record: AttemptRecord): void {
    this.#records.push(record);
    // Outcomes are written in groups: after a short pause, or at once when a group is full.
    // The receiver already has the event, so the pause costs no delivery latency.
    this.#schedule(this.#records.length >= this.fullGroup ? 0 : GROUP_PAUSE_MS);
  }

  /** Give a delivery back without an attempt (its webhook was disabled meanwhile, or the try was aborted). */
  release(id: DeliveryId): void {
    this.#releases.push(id);
    this.#schedule();
  }

  get pendingCount(): number {
    return this.#records.length + this.#releases.length;
  }

  /** Resolves once everything added so far is written (or the store keeps failing). */
  async drain(): Promise<void> {
    for (let round = 0; round < 50 && (this.pendingCount > 0 || this.#flushing); round++) {
      if (this.#flushing) await this.#flushing;
      else await this.#flush();
    }
  }

  #schedule(delayMs = 0): void {
    if (this.#flushing) return;
    if (this.#timer && delayMs > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#flush();
    }, delayMs);
  }

  #flush(): Promise<void> {
    this.#flushing = this.#write().finally(() => {
      this.#flushing = null;
      if (this.pendingCount > 0) this.#schedule(this.#records.length >= this.fullGroup ? 0 : GROUP_PAUSE_MS);
    });
    return this.#flushing;
  }

  async #write(): Promise<void> {
    const records = this.#records.splice(0);
    const releases = this.#releases.splice(0);
    try {
      const summary = records.length > 0 ? await this.store.recordAttempts(this.owner, records) : null;
      if (releases.length > 0) await this.store.releaseLeases(this.owner, releases);
      this.#retryDelayMs = 100;
      if (summary) this.onRecorded(records, summary);
    } catch (error) {
      this.log.error({ err: error, records: records.length }, 'could not record attempts; will retry');
      this.#records.unshift(...records);
      this.#releases.unshift(...releases);
      this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, 5000);
      await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs).unref());
    }
  }
}
