// The delivery threads (src/delivery/threads/): the same Sender contract as HttpSender, with the
// HTTP work in worker threads. Real threads, a real receiver on 127.0.0.1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { standardSignature } from '../../src/delivery/sign.ts';
import { ThreadedSender } from '../../src/delivery/threads/pool.ts';
import { decode, encode, type RequestBatch } from '../../src/delivery/threads/wire.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';

const errors: object[] = [];
const log = { error: (obj: object) => void errors.push(obj) };
const request = (url: string, overrides: { body?: string; timeoutMs?: number; headers?: Record<string, string> } = {}) => ({
  url,
  body: overrides.body ?? '{"n":1}',
  timeoutMs: overrides.timeoutMs ?? 10_000,
  headers: { 'content-type': 'application/json', ...overrides.headers },
});

describe('delivery threads', () => {
  let receiver: Receiver;
  let sender: ThreadedSender;

  before(async () => {
    receiver = await startReceiver();
    sender = new ThreadedSender({ allowPrivateTargets: true, connectionsPerOrigin: 16, threads: 2 }, log);
  });
  after(async () => {
    await sender.close();
    await receiver.close();
  });

  it('carries a batch of requests and results as one JSON text, unchanged', () => {
    const batch: RequestBatch = [[7, request('http://127.0.0.1:1/x', { body: 'é"\n', headers: { a: 'b' } })]];
    assert.deepEqual(decode(encode(batch)), batch);
  });

  it('sends the exact body and headers, and reports status, answer and Retry-After like HttpSender', async () => {
    receiver.respondWith((req) => (req.json?.n === 2 ? { status: 503, body: 'busy', headers: { 'retry-after': '7' } } : { status: 200, body: 'fine' }));
    const before = receiver.requests.length;
    const [ok, busy] = await Promise.all([
      sender.send(request(receiver.url, { headers: { 'webhook-id': 'evt_1' } })),
      sender.send(request(receiver.url, { body: '{"n":2}' })),
    ]);
    assert.equal(ok?.verdict, 'delivered');
    assert.equal(ok?.statusCode, 200);
    assert.equal(ok?.responseBody, 'fine');
    assert.equal(ok?.retryAfter, null);
    assert.equal(busy?.verdict, 'retryable');
    assert.equal(busy?.outcome, 'http_error');
    assert.equal(busy?.statusCode, 503);
    assert.equal(busy?.retryAfter, '7');
    const got = receiver.requests.slice(before);
    assert.deepEqual(got.map((r) => r.body).sort(), ['{"n":1}', '{"n":2}']);
    assert.equal(got.find((r) => r.body === '{"n":1}')?.headers['webhook-id'], 'evt_1');
  });

  it('signs in the thread: webhook-signature over the id, timestamp and exact body, one per secret', async () => {
    receiver.respondWith(() => ({ status: 200 }));
    const secrets = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'];
    const before = receiver.requests.length;
    const body = '{"signed":"é"}';
    const result = await sender.send({ ...request(receiver.url, { body, headers: { 'webhook-id': 'evt_s', 'webhook-timestamp': '1614265330' } }), signWith: secrets });
    assert.equal(result?.verdict, 'delivered');
    const expected = secrets.map((s) => standardSignature(s, 'evt_s', 1614265330, body)).join(' ');
    assert.equal(receiver.requests[before].headers['webhook-signature'], expected);
  });

  it('spreads many tries over the threads and answers every one', async () => {
    receiver.respondWith(() => ({ status: 200, body: 'ok', delayMs: 5 }));
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => sender.send(request(receiver.url, { body: `{"i":${i}}` }))));
    assert.equal(results.filter((r) => r?.verdict === 'delivered').length, 200);
    assert.deepEqual(errors, []);
  });

  it('keeps 4 KiB of a huge answer, and reports a connection closed without one', async () => {
    receiver.respondWith((req) => (req.json?.n === 4 ? { reset: true } : { status: 500, body: 'é'.repeat(1024 * 1024) }));
    const [huge, reset] = await Promise.all([sender.send(request(receiver.url)), sender.send(request(receiver.url, { body: '{"n":4}' }))]);
    assert.equal(huge?.statusCode, 500);
    assert.equal(Buffer.byteLength(huge?.responseBody ?? ''), 4096);
    assert.equal(reset?.outcome, 'network_error');
    assert.equal(reset?.statusCode, null);
  });

  it('follows no redirect and keeps the deadline inside the thread', async () => {
    receiver.respondWith((req) => (req.json?.n === 3 ? { hang: true } : { status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } }));
    const [redirect, late] = await Promise.all([
      sender.send(request(receiver.url)),
      sender.send(request(receiver.url, { body: '{"n":3}', timeoutMs: 300 })),
    ]);
    assert.equal(redirect?.statusCode, 302);
    assert.match(redirect?.error ?? '', /redirect to http:\/\/127\.0\.0\.1:9\/elsewhere not followed/);
    assert.equal(late?.outcome, 'timeout');
    assert.ok((late?.durationMs ?? 0) >= 250 && (late?.durationMs ?? 0) < 5_000, `timed out after ${late?.durationMs} ms`);
  });
});

describe('delivery threads: the private-address guard', () => {
  it('refuses a private target inside the thread, as HttpSender does', async () => {
    const guarded = new ThreadedSender({ allowPrivateTargets: false, connectionsPerOrigin: 4, threads: 1 }, log);
    try {
      const literal = await guarded.send(request('http://127.0.0.1:9/hook'));
      assert.equal(literal?.outcome, 'blocked');
      assert.equal(literal?.verdict, 'permanent');
      const named = await guarded.send(request('http://localhost:9/hook'));
      assert.equal(named?.outcome, 'blocked');
    } finally {
      await guarded.close();
    }
  });
});

describe('delivery threads: stopping', () => {
  it('abortAll() ends tries in flight in the threads with null (no try), and every later one', async () => {
    const receiver = await startReceiver();
    receiver.respondWith(() => ({ hang: true }));
    const sender = new ThreadedSender({ allowPrivateTargets: true, connectionsPerOrigin: 4, threads: 2 }, log);
    try {
      const inFlight = [sender.send(request(receiver.url)), sender.send(request(receiver.url))];
      await receiver.waitFor(2);
      sender.abortAll();
      assert.deepEqual(await Promise.all(inFlight), [null, null]);
      assert.equal(await sender.send(request(receiver.url)), null);
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  it('close() stops the threads even with a try still hanging', async () => {
    const receiver = await startReceiver();
    receiver.respondWith(() => ({ hang: true }));
    const sender = new ThreadedSender({ allowPrivateTargets: true, connectionsPerOrigin: 4, threads: 1 }, log);
    const hanging = sender.send(request(receiver.url));
    await receiver.waitFor(1);
    await sender.close();
    assert.equal(await hanging, null);
    await receiver.close();
  });
});
