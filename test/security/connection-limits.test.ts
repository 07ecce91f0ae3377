// Hostile clients cannot hold connections or memory: timeouts cut slow headers and trickled
// bodies, a request refused before its body is closed instead of read, the connection cap holds,
// the body budget answers 503 at once, and shutdown answers 503 in the error shape. The API runs
// in this process (test/helpers/in-process-api.ts) so that each test can pick small limits.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { HttpLimits } from '../../src/api/http-limits.ts';
import { assertErrorShape } from '../helpers/error-contract.ts';
import { startInProcessApi, type InProcessApi } from '../helpers/in-process-api.ts';
import { openRaw, type RawConnection } from '../helpers/raw-http.ts';
import { startReceiver } from '../helpers/receiver.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const servers: InProcessApi[] = [];
after(async () => {
  const errors = servers.flatMap((s) => s.logs().split('\n').filter((line) => /"level":(50|60)/.test(line)));
  for (const server of servers.splice(0)) await server.close();
  assert.deepEqual(errors, [], 'no error was logged');
});

async function server(limits: Partial<HttpLimits>): Promise<InProcessApi> {
  const started = await startInProcessApi(limits);
  servers.push(started);
  return started;
}

/** Waits for the connection to close, failing after `guardMs` (a guard against hanging, not a timing check). */
async function closedWithin(connection: RawConnection, guardMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'open'>((resolve) => (timer = setTimeout(() => resolve('open'), guardMs)));
  const result = await Promise.race([connection.closed.then(() => 'closed' as const), guard]);
  clearTimeout(timer);
  assert.equal(result, 'closed', `${what}: the connection is still open after ${guardMs} ms`);
}

function trickle(connection: RawConnection, everyMs: number, byte = ' '): { stop(): number } {
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    void connection.write(byte);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return sent;
    },
  };
}

const eventHead = (s: InProcessApi, path: string, length: number | 'chunked', extra = '') =>
  `POST ${path} HTTP/1.1\r\nhost: h\r\nauthorization: Bearer ${s.apiKey}\r\ncontent-type: application/json\r\n` +
  `${length === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${length}`}\r\n${extra}\r\n`;

describe('timeouts', () => {
  it('a body trickled slower than the request timeout is cut: 408 request_timeout, then the connection closes', async () => {
    const s = await server({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
    const connection = openRaw(s.port);
    await connection.write(eventHead(s, '/v1/events', 1000) + '{"event_type":"user.created","data":{"pad":"');
    const sender = trickle(connection, 100, 'x');
    await closedWithin(connection, 15_000, 'trickled body');
    const sent = sender.stop();
    assert.ok(sent < 1000, 'the body was cut before it was complete');
    const response = await connection.response();
    assert.ok(response, `no answer before the close: ${connection.received()}`);
    assert.equal(assertErrorShape(response, 'trickled body').code, 'request_timeout');
  });

  it('headers sent one line at a time (slowloris) are cut by the headers timeout', async () => {
    const s = await server({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
    const connection = openRaw(s.port);
    await connection.write('GET /v1/webhooks HTTP/1.1\r\nhost: h\r\n');
    const sender = trickle(connection, 100, 'x-a: b\r\n');
    await closedWithin(connection, 15_000, 'slow headers');
    sender.stop();
    const response = await connection.response();
    assert.ok(response, `no answer before the close: ${connection.received()}`);
    assert.equal(assertErrorShape(response, 'slow headers').code, 'request_timeout');
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const s = await server({ keepAliveTimeoutMs: 1000 });
    const connection = openRaw(s.port);
    await connection.write('GET /healthz HTTP/1.1\r\nhost: h\r\n\r\n');
    assert.equal((await connection.response())?.status, 200);
    await closedWithin(connection, 15_000, 'idle keep-alive');
  });
});

describe('a request answered before its body is read', () => {
  it('without an API key and with 1 GiB declared: 401, then the connection closes without waiting for the body', async () => {
    const s = await server({ requestTimeoutMs: 60_000, headersTimeoutMs: 30_000 });
    const connection = openRaw(s.port);
    await connection.write(`POST /v1/events/batch HTTP/1.1\r\nhost: h\r\ncontent-type: application/json\r\ncontent-length: ${1024 * MiB}\r\nexpect: 100-continue\r\n\r\n`);
    await closedWithin(connection, 10_000, 'unauthenticated 1 GiB');
    const responses = connection.responses();
    assert.deepEqual(responses.map((r) => r.status), [401], 'one answer, and no "100 Continue" for a refused body');
    assert.equal(responses[0].headers.connection, 'close');
    assertErrorShape(responses[0], 'unauthenticated 1 GiB');
  });

  it('a client that ignores the close and keeps trickling is cut after the linger time', async () => {
    const s = await server({ lingerMs: 1500, requestTimeoutMs: 60_000, headersTimeoutMs: 30_000 });
    const connection = openRaw(s.port, { allowHalfOpen: true });
    await connection.write(`POST /v1/events HTTP/1.1\r\nhost: h\r\ncontent-type: application/json\r\ncontent-length: ${MiB}\r\n\r\n`);
    const sender = trickle(connection, 50, 'x');
    await closedWithin(connection, 15_000, 'half-open trickle after 401');
    sender.stop();
    assert.equal((await connection.response())?.status, 401);
  });

  it('with the key and a body over the route limit: 413 at once, readable by a client that keeps writing', async () => {
    const s = await server({});
    const connection = openRaw(s.port);
    const body = Buffer.alloc(20 * MiB, 'x');
    await connection.write(eventHead(s, '/v1/events', body.length));
    const written = connection.write(body);
    const response = await connection.response();
    assert.ok(response, `no answer: ${connection.received().slice(0, 200)}`);
    assert.equal(assertErrorShape(response, '20 MiB to /v1/events').code, 'payload_too_large');
    assert.match(response.body.error.message, /1 MiB/);
    await closedWithin(connection, 20_000, '413');
    assert.equal(await written, true, 'the whole body could be written: the server read and dropped it instead of resetting');
  });
});

describe('Expect: 100-continue', () => {
  it('"100 Continue" only for a body that will be read: with the key and within the limit', async () => {
    const s = await server({});
    const body = '{"event_type":"user.created","data":{}}';
    const invited = openRaw(s.port);
    await invited.write(eventHead(s, '/v1/events', body.length, 'expect: 100-continue\r\n'));
    for (let i = 0; i < 200 && !invited.received().includes('100 Continue'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.match(invited.received(), /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    await invited.write(body);
    assert.equal((await invited.response())?.status, 202);
    invited.socket.destroy();

    const tooLarge = openRaw(s.port);
    await tooLarge.write(eventHead(s, '/v1/events', 2 * MiB, 'expect: 100-continue\r\n'));
    await closedWithin(tooLarge, 10_000, 'a declared body over the limit');
    assert.deepEqual(tooLarge.responses().map((r) => r.status), [413]);
  });
});

describe('connection cap', () => {
  it('connections beyond maxConnections are refused at once; once the held ones go, clients are served', async () => {
    const s = await server({ maxConnections: 4 });
    const held = Array.from({ length: 4 }, () => openRaw(s.port));
    await Promise.all(held.map((c) => new Promise((resolve) => c.socket.once('connect', resolve))));
    // The server counts a connection once it accepted it: wait until all four are counted.
    for (let i = 0; i < 100 && (await new Promise<number>((resolve) => s.api.server.getConnections((_e, n) => resolve(n)))) < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const refused = openRaw(s.port);
    await refused.write('GET /healthz HTTP/1.1\r\nhost: h\r\n\r\n');
    await closedWithin(refused, 10_000, 'a fifth connection');
    assert.equal(refused.responses().length, 0, 'a refused connection gets no answer');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = await fetch(`${s.baseUrl}/healthz`).then((r) => r.status, () => 0);
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(status, 200);
  });
});

describe('body budget', () => {
  const batch = (size: number) => {
    const ids: string[] = [];
    const events: unknown[] = [];
    const pad = 'p'.repeat(16 * KiB);
    while (JSON.stringify({ events }).length < size - 20 * KiB) {
      const id = randomUUID();
      ids.push(id);
      events.push({ event_type: 'user.created', event_id: id, data: { pad } });
    }
    return { ids, body: Buffer.from(JSON.stringify({ events })) };
  };

  it('a large body that does not fit gets 503 overloaded with Retry-After at once; small bodies and GETs still pass; nothing is lost', async () => {
    const s = await server({ bodyBudgetBytes: 3 * MiB, smallBodyReserveBytes: MiB });
    const holder = batch(1.5 * MiB);
    const holding = openRaw(s.port);
    const holderSeen = new Promise((resolve) => s.api.server.once('request', resolve));
    await holding.write(eventHead(s, '/v1/events/batch', holder.body.length));
    await holderSeen;
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve)); // its hooks ran
    // The holder's 1.5 MiB are taken; another 1.5 MiB does not fit under 3 - 1 MiB.
    const second = openRaw(s.port);
    await second.write(eventHead(s, '/v1/events/batch', holder.body.length));
    const refused = await Promise.race([second.response(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000))]);
    assert.ok(refused, 'a second large body was never refused');
    assert.equal(assertErrorShape(refused, 'second large body').code, 'overloaded');
    assert.equal(refused.headers['retry-after'], '1');

    // A chunked body takes the budget as it arrives: refused once it outgrows the room.
    const chunked = openRaw(s.port);
    await chunked.write(eventHead(s, '/v1/events/batch', 'chunked'));
    const part = holder.body.subarray(0, 700 * KiB);
    await chunked.write(Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]));
    const chunkedAnswer = await chunked.response();
    assert.ok(chunkedAnswer, `no answer to the chunked body: ${chunked.received().slice(0, 200)}`);
    assert.equal(assertErrorShape(chunkedAnswer, 'chunked body over the budget').code, 'overloaded');

    // Small bodies use the reserve; GETs are not counted at all.
    const list = await fetch(`${s.baseUrl}/v1/webhooks`, { headers: { authorization: `Bearer ${s.apiKey}` } });
    assert.equal(list.status, 200);
    const one = await fetch(`${s.baseUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' }, body: '{"event_type":"user.created","data":{}}' });
    assert.equal(one.status, 202, await one.text());

    // The holder sends its body and is accepted; every event of it is stored.
    await holding.write(holder.body);
    const accepted = await holding.response();
    assert.equal(accepted?.status, 202, accepted?.text.slice(0, 300));
    assert.ok(accepted!.body.data.every((item: { status: number }) => item.status === 202));
    for (const id of [holder.ids[0], holder.ids[holder.ids.length - 1]]) {
      const event = await fetch(`${s.baseUrl}/v1/events/${id}`, { headers: { authorization: `Bearer ${s.apiKey}` } });
      assert.equal(event.status, 200);
    }
    // Its bytes are given back: the same size fits again.
    const again = batch(1.5 * MiB);
    const retry = await fetch(`${s.baseUrl}/v1/events/batch`, { method: 'POST', headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' }, body: again.body });
    assert.equal(retry.status, 202, (await retry.text()).slice(0, 300));
  });
});

describe('shutdown', () => {
  it('a request arriving while the server closes gets 503 unavailable in the error shape', async () => {
    const s = await server({});
    const receiver = await startReceiver();
    try {
      receiver.respondWith(() => ({ status: 200, delayMs: 1500 }));
      const connection = openRaw(s.port);
      const body = JSON.stringify({ url: receiver.url, event_types: ['user.created'] });
      await connection.write(eventHead(s, '/v1/webhooks/test', Buffer.byteLength(body))+ body);
      await receiver.waitFor(1);
      const closing = s.api.close();
      await connection.write(`GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nauthorization: Bearer ${s.apiKey}\r\n\r\n`);
      await closedWithin(connection, 15_000, 'closing server');
      await closing;
      const responses = connection.responses();
      assert.equal(responses.length, 2, connection.received());
      assert.equal(responses[0].status, 200, responses[0].text);
      assert.equal(assertErrorShape(responses[1], 'request during shutdown').code, 'unavailable');
    } finally {
      await receiver.close();
    }
  });
});
