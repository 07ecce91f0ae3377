// Baseline (f): the webhook dispatcher a competent Node developer would write in an afternoon with
// BullMQ, run as its own process like Herald. It speaks the part of Herald's API the bench uses:
//   POST /v1/webhooks               register a receiver URL (signature auth, secret generated)
//   GET  /v1/webhooks/:id/secret    read it back (the bench's receiver checks a sample)
//   POST /v1/events                 one event   → 202 once its jobs are in Redis (queue.add resolved)
//   POST /v1/events/batch           ≤ 1000      → 202 once every job is in Redis (queue.addBulk resolved)
// One job per (event, subscribed webhook), carrying the envelope bytes that will be sent. A Worker
// (concurrency HERALD_WEBHOOK_CONCURRENCY, default 64) POSTs them through one undici Agent, signed the
// Standard Webhooks way, with 4 attempts on a fixed back-off; completed jobs are removed.
//
// What it leaves out makes it faster than Herald, not slower: webhooks live in memory, events are
// not checked against a catalog schema, and no delivery log or attempt history is kept.
// Env: PORT, REDIS_PORT, HERALD_API_KEY, HERALD_WEBHOOK_CONCURRENCY.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Queue, Worker, type Job } from 'bullmq';
import { Agent, request } from 'undici';

interface Webhook {
  id: string;
  url: string;
  eventTypes: Set<string>;
  /** The decoded signing key; `secret` is its `whsec_` form. */
  key: Buffer;
  secret: string;
}

interface DeliveryJob {
  webhookId: string;
  eventId: string;
  body: string;
}

const port = Number(process.env.PORT ?? 0);
const redisPort = Number(process.env.REDIS_PORT ?? 6379);
const apiKey = process.env.HERALD_API_KEY ?? '';
const concurrency = Number(process.env.HERALD_WEBHOOK_CONCURRENCY ?? 64);
const USER_AGENT = 'bullmq-dispatcher/bench';
const TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const webhooks = new Map<string, Webhook>();
const connection = { host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: null };
const queue = new Queue<DeliveryJob>('deliveries', {
  connection,
  defaultJobOptions: { attempts: 4, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: true, removeOnFail: { count: 10_000 } },
});
const agent = new Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 4_000, connect: { timeout: 10_000 } });

/** One try: sign the exact bytes, POST, read the answer; a non-2xx throws so that BullMQ retries. */
async function deliver(job: Job<DeliveryJob>): Promise<void> {
  const { webhookId, eventId, body } = job.data;
  const webhook = webhooks.get(webhookId);
  if (!webhook) throw new Error(`webhook ${webhookId} is gone`);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', webhook.key).update(`${eventId}.${timestamp}.${body}`).digest('base64');
  const response = await request(webhook.url, {
    method: 'POST',
    dispatcher: agent,
    body,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': eventId,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
  });
  await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}`);
}

const worker = new Worker<DeliveryJob>('deliveries', deliver, { connection, concurrency });
let failedAttempts = 0;
worker.on('failed', () => failedAttempts++);
worker.on('error', (error) => console.error(`worker: ${error.message}`));

type Answer = { status: number; body: unknown };
const fail = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

/** An accepted event: its envelope bytes and one job per subscribed webhook. */
function toJobs(input: unknown): { eventId: string; eventType: string; jobs: DeliveryJob[] } | string {
  if (typeof input !== 'object' || input === null) return 'an event must be a JSON object';
  const event = input as Record<string, unknown>;
  if (typeof event.event_type !== 'string') return 'event_type must be a string';
  if (typeof event.data !== 'object' || event.data === null) return 'data must be an object';
  if (event.event_id !== undefined && typeof event.event_id !== 'string') return 'event_id must be a string';
  const eventId = ((event.event_id as string | undefined) ?? randomUUID()).toLowerCase();
  const envelope = {
    event_id: eventId,
    event_type: event.event_type,
    event_timestamp: typeof event.event_timestamp === 'string' ? event.event_timestamp : new Date().toISOString(),
    schema_version: '1.0.0',
    user_id: typeof event.user_id === 'string' ? event.user_id : null,
    data: event.data,
  };
  const body = JSON.stringify(envelope);
  const jobs = [...webhooks.values()].filter((w) => w.eventTypes.has(envelope.event_type)).map((w) => ({ webhookId: w.id, eventId, body }));
  return { eventId, eventType: envelope.event_type, jobs };
}

async function postEvent(input: unknown): Promise<Answer> {
  const event = toJobs(input);
  if (typeof event === 'string') return fail(400, 'validation_error', event);
  if (event.jobs.length === 1) await queue.add('deliver', event.jobs[0]);
  else if (event.jobs.length > 1) await queue.addBulk(event.jobs.map((data) => ({ name: 'deliver', data })));
  return { status: 202, body: { event_id: event.eventId, event_type: event.eventType, deliveries: event.jobs.length } };
}

async function postBatch(input: unknown): Promise<Answer> {
  const events = (input as { events?: unknown })?.events;
  if (!Array.isArray(events) || events.length < 1 || events.length > 1000) return fail(400, 'validation_error', 'events must be an array of 1 to 1000 events');
  const accepted = events.map(toJobs);
  const jobs = accepted.flatMap((e) => (typeof e === 'string' ? [] : e.jobs));
  if (jobs.length > 0) await queue.addBulk(jobs.map((data) => ({ name: 'deliver', data })));
  const data = accepted.map((e) =>
    typeof e === 'string' ? { status: 400, error: { code: 'validation_error', message: e } } : { status: 202, event_id: e.eventId, event_type: e.eventType, deliveries: e.jobs.length },
  );
  return { status: 202, body: { data } };
}

function postWebhook(input: unknown): Answer {
  const fields = input as { url?: unknown; event_types?: unknown };
  if (typeof fields?.url !== 'string' || !Array.isArray(fields.event_types)) return fail(400, 'validation_error', 'url and event_types are required');
  const key = randomBytes(24);
  const webhook: Webhook = { id: `wh_${randomUUID()}`, url: fields.url, eventTypes: new Set(fields.event_types as string[]), key, secret: `whsec_${key.toString('base64')}` };
  webhooks.set(webhook.id, webhook);
  return { status: 201, body: { id: webhook.id, url: webhook.url, event_types: [...webhook.eventTypes] } };
}

async function route(req: IncomingMessage, body: string): Promise<Answer> {
  if (req.headers.authorization !== `Bearer ${apiKey}`) return fail(401, 'unauthorized', 'send Authorization: Bearer <api key>');
  const path = req.url ?? '/';
  const secret = /^\/v1\/webhooks\/([^/]+)\/secret$/.exec(path);
  if (req.method === 'GET' && secret) {
    const webhook = webhooks.get(secret[1]);
    return webhook ? { status: 200, body: { secret: webhook.secret } } : fail(404, 'not_found', `no webhook ${secret[1]}`);
  }
  if (req.method !== 'POST') return fail(404, 'not_found', `no route ${req.method} ${path}`);
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    return fail(400, 'validation_error', 'the body is not JSON');
  }
  if (path === '/v1/events') return postEvent(input);
  if (path === '/v1/events/batch') return postBatch(input);
  if (path === '/v1/webhooks') return postWebhook(input);
  return fail(404, 'not_found', `no route POST ${path}`);
}

function send(res: ServerResponse, answer: Answer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (bytes > MAX_BODY_BYTES) return send(res, fail(413, 'payload_too_large', `at most ${MAX_BODY_BYTES} bytes`));
    route(req, Buffer.concat(chunks).toString('utf8')).then(
      (answer) => send(res, answer),
      (error: Error) => {
        console.error(`ingest: ${error.message}`);
        send(res, fail(500, 'internal_error', 'the job could not be queued'));
      },
    );
  });
});
server.keepAliveTimeout = 60_000;

async function shutDown(): Promise<void> {
  server.close();
  await worker.close();
  await queue.close();
  await agent.close();
  console.error(`bullmq-dispatcher: stopped; ${failedAttempts} failed attempts`);
  process.exit(0);
}
process.once('SIGTERM', () => void shutDown());
process.once('SIGINT', () => void shutDown());

await queue.waitUntilReady();
await worker.waitUntilReady();
server.listen(port, '127.0.0.1', () => console.log(`bullmq-dispatcher listening on port ${(server.address() as { port: number }).port}`));
