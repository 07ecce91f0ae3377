// Prometheus metrics for one process. Created once in main and handed to whoever counts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(countPending: () => Promise<number>) {
  const registry = new Registry();
  // Default metrics under their standard names (process_*, nodejs_*), as dashboards expect them.
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    eventsAccepted: new Counter({
      name: 'herald_events_accepted_total',
      help: 'Events accepted (202), by event type',
      labelNames: ['event_type'],
      registers: [registry],
    }),
    deliveriesFinished: new Counter({
      name: 'herald_deliveries_total',
      help: 'Deliveries that reached a final state, by outcome (success | failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'herald_attempts_total',
      help: 'HTTP attempts, by outcome (success | failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'herald_attempt_duration_seconds',
      help: 'Duration of one HTTP attempt',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'herald_attempts_in_flight',
      help: 'HTTP attempts running now in this process',
      registers: [registry],
    }),
    webhookInflightLimit: new Gauge({
      name: 'herald_webhook_inflight_limit',
      help: 'Tries this process lets be in flight to each webhook now: cut by half on 429/503/timeout, +1 per success, up to HERALD_WEBHOOK_CONCURRENCY',
      labelNames: ['webhook_id'],
      registers: [registry],
    }),
    liveWorkers: new Gauge({
      name: 'herald_live_workers',
      help: 'Delivery processes alive as this one last counted them (PostgreSQL: the owner registry; rate limits are shared among them)',
      registers: [registry],
    }),
    retentionPurged: new Counter({
      name: 'herald_retention_purged_total',
      help: 'Rows deleted by retention (HERALD_RETENTION_DAYS), by table (events | deliveries | attempts)',
      labelNames: ['table'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'herald_queue_depth',
      help: 'Pending deliveries in the store (due or waiting for a retry)',
      registers: [registry],
      async collect() {
        this.set(await countPending());
      },
    }),
  };
}
