// Keeps this process's claim on its work: renews its leases (every third of HERALD_LEASE_SECONDS)
// and beats its owner heartbeat. On PostgreSQL the beat also frees the leases of processes that
// went silent (kill -9, a lost machine), so their deliveries are taken over within seconds; the
// lease expiry stays as the backstop.
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../store/ports.ts';

/** How often a process says it is alive (and looks for dead ones). */
export const HEARTBEAT_INTERVAL_MS = 2_000;
/**
 * Silent this long (4 beats missed), a process counts as dead even while its database session
 * seems alive (a lost machine). A killed process is found sooner: its session ends with it.
 */
export const OWNER_STALE_MS = 8_000;

export type LeaseStore = Pick<Store, 'renewLeases' | 'releaseLeases' | 'heartbeat' | 'signOff' | 'countLiveOwners'>;

export interface LeaseKeeperOptions {
  owner: string;
  leaseMs: number;
  heartbeatIntervalMs?: number;
  ownerStaleMs?: number;
}

export interface LeaseKeeperLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class LeaseKeeper {
  readonly #timers: NodeJS.Timeout[] = [];
  /** Renewals and beats still running (awaited by stop, so the store is not closed under them). */
  readonly #running = new Set<Promise<void>>();
  #isBeating = false;

  constructor(
    private readonly store: LeaseStore,
    private readonly options: LeaseKeeperOptions,
    private readonly clock: Clock,
    private readonly log: LeaseKeeperLog,
    /** Leases of a dead process were freed: there is work to claim. */
    private readonly onFreed: () => void,
    /** After each beat: how many processes are alive (rate limits are shared among them). */
    private readonly onLiveOwners: (count: number) => void = () => {},
  ) {}

  /** Registers this owner (before it holds anything), then keeps beating and renewing. */
  async start(): Promise<void> {
    await this.#beat(true);
    const every = (ms: number, work: () => Promise<void>) => {
      const timer = setInterval(() => this.#track(work()), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS, () => this.#beat(false));
    every(this.options.leaseMs / 3, () => this.#renew());
  }

  /** Stops beating and renewing; resolves once nothing of it runs any more. */
  async stop(): Promise<void> {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    await Promise.all(this.#running);
  }

  /** Graceful end: every lease of this owner is given back and the owner leaves the registry. */
  async giveUp(): Promise<void> {
    await this.store.releaseLeases(this.options.owner);
    await this.store.signOff(this.options.owner);
  }

  async #beat(isFirst: boolean): Promise<void> {
    if (this.#isBeating) return; // the last beat is still waiting for the database
    this.#isBeating = true;
    try {
      const freed = await this.store.heartbeat(this.options.owner, {
        intervalMs: this.options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
        staleAfterMs: this.options.ownerStaleMs ?? OWNER_STALE_MS,
      });
      if (freed > 0) {
        this.log.info({ freed }, 'freed the leases of a process that stopped answering; taking over its deliveries');
        this.onFreed();
      }
      this.onLiveOwners(await this.store.countLiveOwners(this.options.ownerStaleMs ?? OWNER_STALE_MS));
    } catch (error) {
      if (isFirst) throw error;
      this.log.error({ err: error }, 'owner heartbeat failed');
    } finally {
      this.#isBeating = false;
    }
  }

  async #renew(): Promise<void> {
    try {
      await this.store.renewLeases(this.options.owner, this.clock() + this.options.leaseMs);
    } catch (error) {
      this.log.error({ err: error }, 'renewing leases failed');
    }
  }

  #track(work: Promise<void>): void {
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work));
  }
}
