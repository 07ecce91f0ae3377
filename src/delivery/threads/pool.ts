// The delivery threads behind the Sender port: N worker threads, each running an HttpSender of
// its own (thread.ts), so that HTTP sending, reading answers and classifying them run beside the
// main thread, which keeps the API, ingestion and scheduling. A try goes to the thread with the
// fewest tries in flight; requests are posted once per microtask and results come back once per
// turn of each thread's loop, as JSON text (wire.ts). The engine cannot tell this from HttpSender.
import { Worker } from 'node:worker_threads';
import type { AttemptResult } from '../../domain/attempt.ts';
import type { Sender, SendRequest } from '../sender.ts';
import { decode, encode, type FromThread, type HttpOptions, type RequestBatch, type ResultBatch, type ToThread } from './wire.ts';

export interface PoolLog {
  error(obj: object, msg: string): void;
}

interface Pending {
  resolve(result: AttemptResult | null): void;
  reject(error: Error): void;
}

class DeliveryThread {
  readonly pending = new Map<number, Pending>();
  outbox: RequestBatch = [];
  #worker: Worker;
  #isClosing = false;
  #closed: Promise<void> | null = null;

  constructor(
    private readonly options: HttpOptions,
    private readonly log: PoolLog,
  ) {
    this.#worker = this.#start();
  }

  #start(): Worker {
    const worker = new Worker(new URL('./thread-entry.mjs', import.meta.url), { workerData: this.options });
    worker.on('message', (message: FromThread) => {
      if (message.type !== 'results') return;
      for (const [id, result] of decode<ResultBatch>(message.batch)) {
        const waiter = this.pending.get(id);
        this.pending.delete(id);
        waiter?.resolve(result);
      }
    });
    // A thread that dies mid-try leaves those tries unknown: they fail (the engine gives their
    // deliveries back, to be sent again) and a new thread takes its place.
    const lost = (why: string) => {
      if (this.#isClosing) return;
      const error = new Error(`a delivery thread stopped (${why}); its tries in flight are sent again later`);
      this.log.error({ err: error, tries: this.pending.size }, 'delivery thread stopped');
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
      this.outbox = [];
      this.#worker = this.#start();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => {
      if (worker === this.#worker) lost(`exit code ${code}`);
    });
    return worker;
  }

  post(message: ToThread): void {
    this.#worker.postMessage(message);
  }

  flush(): void {
    if (this.outbox.length === 0) return;
    const batch = encode(this.outbox);
    this.outbox = [];
    this.post({ type: 'send', batch });
  }

  /** Lets the thread close its agent, then waits for it to exit. Tries still unanswered end as aborted. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#isClosing = true;
      const worker = this.#worker;
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      timer.unref();
      worker.once('exit', () => {
        clearTimeout(timer);
        for (const waiter of this.pending.values()) waiter.resolve(null);
        this.pending.clear();
        resolve();
      });
      this.flush();
      this.post({ type: 'close' });
    });
    return this.#closed;
  }
}

export class ThreadedSender implements Sender {
  readonly #threads: DeliveryThread[];
  #nextId = 1;
  #isFlushScheduled = false;
  #isAborted = false;

  constructor(options: HttpOptions & { threads: number }, log: PoolLog) {
    if (options.threads < 1) throw new Error('ThreadedSender needs at least one thread');
    const http: HttpOptions = { allowPrivateTargets: options.allowPrivateTargets, connectionsPerOrigin: options.connectionsPerOrigin };
    this.#threads = Array.from({ length: options.threads }, () => new DeliveryThread(http, log));
  }

  get threadCount(): number {
    return this.#threads.length;
  }

  send(request: SendRequest): Promise<AttemptResult | null> {
    if (this.#isAborted) return Promise.resolve(null);
    const thread = this.#leastBusy();
    const id = this.#nextId++;
    thread.outbox.push([id, request]);
    if (!this.#isFlushScheduled) {
      this.#isFlushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return new Promise((resolve, reject) => thread.pending.set(id, { resolve, reject }));
  }

  abortAll(): void {
    this.#isAborted = true;
    this.#flush();
    for (const thread of this.#threads) thread.post({ type: 'abort' });
  }

  async close(): Promise<void> {
    this.#isAborted = true;
    await Promise.all(this.#threads.map((t) => t.close()));
  }

  #flush(): void {
    this.#isFlushScheduled = false;
    for (const thread of this.#threads) thread.flush();
  }

  #leastBusy(): DeliveryThread {
    let best = this.#threads[0];
    let bestLoad = best.pending.size;
    for (let i = 1; i < this.#threads.length; i++) {
      const load = this.#threads[i].pending.size;
      if (load < bestLoad) {
        best = this.#threads[i];
        bestLoad = load;
      }
    }
    return best;
  }
}
