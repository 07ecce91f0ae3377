// Everything a client can get wrong at the HTTP level, sent to a real Herald process over raw
// sockets (bytes fetch refuses to send) and with fetch: every 4xx must be the contract's error
// shape (API.md section 2) with the status its code stands for, nothing may answer 5xx, and the
// process must be healthy afterwards. A seeded generator adds random mutations of valid requests
// (HERALD_FUZZ_SEED=<n> replays a run; the seed is printed).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertErrorShape } from '../helpers/error-contract.ts';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { openRaw, rawRequest, type RawResponse } from '../helpers/raw-http.ts';

let h: Herald;
let port: number;
let webhookId: string;
let AUTH: string;

before(async () => {
  h = await startHerald();
  port = Number(new URL(h.baseUrl).port);
  AUTH = `authorization: Bearer ${h.apiKey}\r\n`;
  const created = await h.api('POST', '/v1/webhooks', { name: 'fuzz target', url: 'http://127.0.0.1:9/hook', event_types: ['reward.awarded'] });
  assert.equal(created.status, 201, created.text);
  webhookId = created.body.id;
});
after(async () => {
  await h?.stop();
});

interface Outcome {
  what: string;
  response: RawResponse | null;
  closed: boolean;
}

/** Sends bytes; waits for an answer; if none comes, half-closes (the server then sees the end). */
async function exchange(what: string, bytes: string | Buffer, waitMs = 1500): Promise<Outcome> {
  const connection = openRaw(port);
  await connection.write(bytes);
  const wait = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref());
  let response = await Promise.race([connection.response(), wait(waitMs)]);
  if (!response && !connection.isClosed()) {
    connection.socket.end();
    response = await Promise.race([connection.response(), wait(5000)]);
  }
  if (response?.headers.connection === 'close') await Promise.race([connection.closed, wait(3000)]);
  const closed = connection.isClosed();
  connection.socket.destroy();
  return { what, response, closed };
}

/** The checks every answer gets. */
function check(outcome: Outcome): void {
  const { what, response } = outcome;
  if (!response) return;
  assert.ok(response.status < 500, `${what} → ${response.status} ${response.text.slice(0, 300)}`);
  if (response.status >= 400) assertErrorShape(response, what);
}

async function sendAll(cases: Array<[string, string | Buffer]>, parallel = 8): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < cases.length; i += parallel) {
    const batch = cases.slice(i, i + parallel);
    outcomes.push(...(await Promise.all(batch.map(([what, bytes]) => exchange(what, bytes)))));
    const alive = await fetch(h.baseUrl + '/healthz').then((r) => r.status === 200, () => false);
    assert.ok(alive, `Herald stopped answering after:\n${batch.map(([what]) => what).join('\n')}\n${h.logs().slice(-3000)}`);
  }
  for (const outcome of outcomes) check(outcome);
  if (process.env.HERALD_FUZZ_VERBOSE) {
    for (const o of outcomes) console.log(`${o.response?.status ?? (o.closed ? 'closed' : '-')}\t${o.response?.body?.error?.code ?? ''}\t${o.what.slice(0, 90)}`);
  }
  return outcomes;
}

function statusOf(outcomes: Outcome[], what: string): number | undefined {
  return outcomes.find((o) => o.what === what)?.response?.status;
}

const post = (path: string, body: string, headers = '', encoding: BufferEncoding = 'utf8') =>
  `POST ${path} HTTP/1.1\r\nhost: h\r\n${AUTH}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body, encoding)}\r\n${headers}\r\n${body}`;
const get = (path: string, headers = '') => `GET ${path} HTTP/1.1\r\nhost: h\r\n${AUTH}${headers}\r\n`;

describe('malformed requests over raw sockets', () => {
  it('request lines and paths: every 4xx in the contract shape, with the expected status', async () => {
    const id = 'wh_' + 'a'.repeat(1100);
    const cases: Array<[string, string]> = [
      ['bad percent-encoding in a path', get('/v1/webhooks/%E0%A4%A')],
      ['a lone %', get('/v1/webhooks/%')],
      ['%zz', get('/v1/webhooks/%zz')],
      ['overlong UTF-8', get('/v1/webhooks/%C0%AF')],
      ['%00 in an id', get('/v1/webhooks/wh_%00')],
      ['an id of 300 characters', get(`/v1/webhooks/wh_${'b'.repeat(300)}`)],
      ['an id of 1100 characters', get(`/v1/webhooks/${id}`)],
      ['an id of 1100 characters, deeper', get(`/v1/webhooks/${id}/secret`)],
      ['a path of 10 KiB', get(`/v1/${'x'.repeat(10 * 1024)}`)],
      ['a path of 20 KiB', get(`/v1/${'x'.repeat(20 * 1024)}`)],
      ['an invalid method', `G@T /v1/webhooks HTTP/1.1\r\nhost: h\r\n\r\n`],
      ['an unknown method', `BREW /v1/webhooks HTTP/1.1\r\nhost: h\r\n${AUTH}\r\n`],
      ['lower-case method', `get /v1/webhooks HTTP/1.1\r\nhost: h\r\n\r\n`],
      ['no HTTP version', `GET /v1/webhooks\r\nhost: h\r\n\r\n`],
      ['HTTP/1.2', `GET /v1/webhooks HTTP/1.2\r\nhost: h\r\n\r\n`],
      ['HTTP/3.0', `GET /v1/webhooks HTTP/3.0\r\nhost: h\r\n\r\n`],
      ['a space in the path', `GET /v1/web hooks HTTP/1.1\r\nhost: h\r\n\r\n`],
      ['a control character in the path', `GET /v1/\x01webhooks HTTP/1.1\r\nhost: h\r\n\r\n`],
      ['raw UTF-8 in the path', `GET /v1/webhooks/wh_é HTTP/1.1\r\nhost: h\r\n${AUTH}\r\n`],
      ['asterisk-form', `OPTIONS * HTTP/1.1\r\nhost: h\r\n\r\n`],
      ['PUT on a collection', `PUT /v1/webhooks HTTP/1.1\r\nhost: h\r\n${AUTH}content-length: 0\r\n\r\n`],
      ['PATCH on events', `PATCH /v1/events HTTP/1.1\r\nhost: h\r\n${AUTH}content-length: 0\r\n\r\n`],
      ['DELETE on event types', `DELETE /v1/event-types HTTP/1.1\r\nhost: h\r\n${AUTH}\r\n`],
      ['TRACE', `TRACE /v1/webhooks HTTP/1.1\r\nhost: h\r\n${AUTH}\r\n`],
      ['OPTIONS', `OPTIONS /v1/webhooks/${'wh_x'} HTTP/1.1\r\nhost: h\r\n${AUTH}\r\n`],
      ['QUERY without a content type', `QUERY /v1/webhooks HTTP/1.1\r\nhost: h\r\n${AUTH}content-length: 2\r\n\r\n{}`],
      ['CONNECT', `CONNECT crm.example.com:443 HTTP/1.1\r\nhost: crm.example.com:443\r\n\r\n`],
      ['HTTP/2 preface', `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`],
      ['a dot segment', get('/v1/./webhooks')],
      ['an encoded dot-dot', get('/v1/webhooks/%2e%2e/%2e%2e/package.json')],
      ['an encoded slash', get('/v1/webhooks%2Fwh_x')],
      ['a trailing slash', get('/v1/webhooks/')],
      ['double slashes', get('//v1//webhooks')],
      ['upper-case path', get('/V1/WEBHOOKS')],
      ['a bad percent-encoding in the query', get('/v1/webhooks?name=%E0%A4%A')],
      ['limit=abc', get('/v1/webhooks?limit=abc')],
      ['limit=0', get('/v1/deliveries?limit=0')],
      ['limit=501', get('/v1/deliveries?limit=501')],
      ['limit twice', get('/v1/deliveries?limit=1&limit=2')],
      ['a garbage cursor', get('/v1/deliveries?cursor=%%%garbage')],
      ['status=nope', get('/v1/webhooks?status=nope')],
      ['start_date=yesterday', get('/v1/deliveries?start_date=yesterday')],
      ['a __proto__ query key', get('/v1/webhooks?__proto__=1&constructor=2')],
      ['an event id that is no UUID', get('/v1/events/not-a-uuid')],
      ['a delivery id of another kind', get(`/v1/deliveries/${'wh_x'}`)],
      ['a range outside a static file', `GET /docs/static/swagger-ui.css HTTP/1.1\r\nhost: h\r\nrange: bytes=99999999-\r\n\r\n`],
      ['a failing If-Match on a static file', `GET /docs/static/swagger-ui.css HTTP/1.1\r\nhost: h\r\nif-match: "nope"\r\n\r\n`],
      ['a dot-dot below /docs', `GET /docs/static/../../../package.json HTTP/1.1\r\nhost: h\r\n\r\n`],
    ];
    const outcomes = await sendAll(cases);
    assert.equal(statusOf(outcomes, 'bad percent-encoding in a path'), 400);
    assert.equal(statusOf(outcomes, 'an id of 300 characters'), 404);
    assert.equal(statusOf(outcomes, 'an id of 1100 characters'), 414);
    assert.equal(statusOf(outcomes, 'a path of 20 KiB'), 431);
    assert.equal(statusOf(outcomes, 'an invalid method'), 400);
    assert.equal(statusOf(outcomes, 'PUT on a collection'), 405);
    assert.equal(statusOf(outcomes, 'CONNECT'), 405);
    assert.equal(statusOf(outcomes, 'a range outside a static file'), 416);
    const put = outcomes.find((o) => o.what === 'PUT on a collection')!.response!;
    assert.equal(put.headers.allow, 'GET, HEAD, POST');
    for (const outcome of outcomes) assert.ok(outcome.response || outcome.closed, `${outcome.what}: neither an answer nor a close`);
  });

  it('headers and framing: every 4xx in the contract shape, with the expected status', async () => {
    const body = '{"event_type":"user.created","data":{}}';
    const head = (headers: string) => `POST /v1/events HTTP/1.1\r\nhost: h\r\n${AUTH}content-type: application/json\r\n${headers}\r\n`;
    const cases: Array<[string, string]> = [
      ['no Host', `GET /v1/webhooks HTTP/1.1\r\n${AUTH}\r\n`],
      ['two Hosts', `GET /v1/webhooks HTTP/1.1\r\nhost: a\r\nhost: b\r\n${AUTH}\r\n`],
      ['a header without a colon', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nbroken\r\n\r\n`],
      ['a space in a header name', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nx bad: 1\r\n\r\n`],
      ['a space before the colon', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nx-bad : 1\r\n\r\n`],
      ['NUL in a header value', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nx-bad: a\x00b\r\n\r\n`],
      ['an obsolete folded header', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nx-a: 1\r\n  folded\r\n\r\n`],
      ['bare LF line ends', `GET /v1/webhooks HTTP/1.1\nhost: h\n\n`],
      ['a header of 20 KiB', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nx-big: ${'a'.repeat(20 * 1024)}\r\n\r\n`],
      ['3000 headers', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\n${Array.from({ length: 3000 }, (_, i) => `x-${i}: 1\r\n`).join('')}\r\n`],
      ['Authorization with a tab', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nauthorization: Bearer\t${h.apiKey}x\r\n\r\n`],
      ['Authorization of 8 KiB', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nauthorization: Bearer ${'k'.repeat(8 * 1024)}\r\n\r\n`],
      ['Content-Length -1', head('content-length: -1\r\n') + body],
      ['Content-Length 1e3', head('content-length: 1e3\r\n') + body],
      ['Content-Length 0x10', head('content-length: 0x10\r\n') + body],
      ['Content-Length with a space inside', head('content-length: 3 9\r\n') + body],
      ['two different Content-Length', head(`content-length: ${body.length}\r\ncontent-length: 5\r\n`) + body],
      ['Content-Length and chunked', head(`content-length: ${body.length}\r\ntransfer-encoding: chunked\r\n`) + body],
      ['Transfer-Encoding gzip', head('transfer-encoding: gzip\r\n') + body],
      ['Transfer-Encoding chunked, gzip', head('transfer-encoding: chunked, gzip\r\n') + body],
      ['Transfer-Encoding identity', head('transfer-encoding: identity\r\n') + body],
      ['a chunk size that is not hex', head('transfer-encoding: chunked\r\n') + `zz\r\n${body}\r\n0\r\n\r\n`],
      ['a chunk longer than it says', head('transfer-encoding: chunked\r\n') + `2\r\n${body}\r\n0\r\n\r\n`],
      ['a chunk extension of 20 KiB', head('transfer-encoding: chunked\r\n') + `${body.length.toString(16)};x=${'e'.repeat(20 * 1024)}\r\n${body}\r\n0\r\n\r\n`],
      ['a body shorter than its Content-Length', head(`content-length: ${body.length + 50}\r\n`) + body],
      ['a body longer than its Content-Length', head('content-length: 5\r\n') + body],
      ['a chunked body without its last chunk', head('transfer-encoding: chunked\r\n') + `${body.length.toString(16)}\r\n${body}\r\n`],
      ['Content-Encoding gzip', head(`content-length: ${body.length}\r\ncontent-encoding: gzip\r\n`) + body],
      ['Content-Encoding br on a webhook', `POST /v1/webhooks HTTP/1.1\r\nhost: h\r\n${AUTH}content-type: application/json\r\ncontent-encoding: br\r\ncontent-length: 2\r\n\r\n{}`],
      ['Expect: fish', head(`content-length: ${body.length}\r\nexpect: fish\r\n`) + body],
      ['Expect: 100-continue without a key', `POST /v1/events HTTP/1.1\r\nhost: h\r\nexpect: 100-continue\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n`],
      ['Upgrade: websocket', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n`],
      ['Upgrade: h2c', `GET /v1/webhooks HTTP/1.1\r\nhost: h\r\nconnection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`],
      ['no content type', `POST /v1/events HTTP/1.1\r\nhost: h\r\n${AUTH}content-length: ${body.length}\r\n\r\n${body}`],
      ['content type ;;;', post('/v1/events', body).replace('content-type: application/json', 'content-type: ;;;')],
      ['content type application/jsonx', post('/v1/events', body).replace('content-type: application/json', 'content-type: application/jsonx')],
      ['content type text/json', post('/v1/events', body).replace('content-type: application/json', 'content-type: text/json')],
      ['content type multipart', post('/v1/events', body).replace('content-type: application/json', 'content-type: multipart/form-data; boundary=x')],
      ['two content types', post('/v1/events', body, 'content-type: text/plain\r\n')],
      ['a key in the query instead', `GET /v1/webhooks?api_key=${h.apiKey} HTTP/1.1\r\nhost: h\r\n\r\n`],
    ];
    const outcomes = await sendAll(cases);
    assert.equal(statusOf(outcomes, 'no Host'), 400);
    assert.equal(statusOf(outcomes, 'a header of 20 KiB'), 431);
    assert.equal(statusOf(outcomes, 'Transfer-Encoding gzip'), 400);
    assert.equal(statusOf(outcomes, 'Content-Length and chunked'), 400);
    assert.equal(statusOf(outcomes, 'Content-Encoding gzip'), 415);
    assert.equal(statusOf(outcomes, 'Expect: fish'), 417);
    assert.equal(statusOf(outcomes, 'a body shorter than its Content-Length'), 400);
    assert.equal(statusOf(outcomes, 'Expect: 100-continue without a key'), 401);
    const expectOutcome = outcomes.find((o) => o.what === 'Expect: 100-continue without a key')!;
    assert.ok(expectOutcome.closed, 'a refused request whose body was not sent is closed');
  });

  it('bodies: every 4xx in the contract shape, naming the field where there is one', async () => {
    const deep = '{"a":'.repeat(100) + '1' + '}'.repeat(100);
    const bodies: Array<[string, string, string]> = [
      ['empty', '/v1/events', ''],
      ['only whitespace', '/v1/events', '   \n '],
      ['null', '/v1/events', 'null'],
      ['an array', '/v1/events', '[]'],
      ['a string', '/v1/events', '"event"'],
      ['a number too large', '/v1/events', '1e309'],
      ['a byte-order mark', '/v1/events', '\ufeff{"event_type":"user.created","data":{}}'],
      ['invalid UTF-8', '/v1/events', '{"event_type":"user.created","data":{"x":"\xff\xfe"}}'],
      ['nested 100 deep', '/v1/events', `{"event_type":"user.created","data":${deep}}`],
      ['__proto__', '/v1/events', '{"event_type":"user.created","data":{"__proto__":{"x":1}}}'],
      ['constructor key', '/v1/webhooks', '{"name":"x","url":"https://e.com","event_types":["user.created"],"constructor":{"prototype":{}}}'],
      ['data of the wrong type', '/v1/events', '{"event_type":"user.created","data":"x"}'],
      ['an unknown event type', '/v1/events', '{"event_type":"nope.nope","data":{}}'],
      ['a herald.* event type', '/v1/events', '{"event_type":"herald.webhook.failing","data":{}}'],
      ['event_id no UUID', '/v1/events', '{"event_type":"user.created","data":{},"event_id":"x"}'],
      ['event_timestamp garbage', '/v1/events', '{"event_type":"user.created","data":{},"event_timestamp":"soon"}'],
      ['user_id a number', '/v1/events', '{"event_type":"user.created","data":{},"user_id":5}'],
      ['batch of nothing', '/v1/events/batch', '{"events":[]}'],
      ['batch not an array', '/v1/events/batch', '{"events":{}}'],
      ['batch of 1001', '/v1/events/batch', JSON.stringify({ events: Array.from({ length: 1001 }, () => ({ event_type: 'user.created', data: {} })) })],
      ['webhook without anything', '/v1/webhooks', '{}'],
      ['webhook with every field wrong', '/v1/webhooks', '{"name":5,"url":"ftp://x","method":"GET","enabled":"yes","auth":{"type":"magic"},"event_types":["x"],"filter":{"$where":"1"},"retry":{"attempts":99},"headers":{"Host":"x"}}'],
      ['webhook with a private URL', '/v1/webhooks', '{"name":"p","url":"http://169.254.169.254/latest","event_types":["user.created"]}'],
      ['test of an unknown type', `/v1/webhooks/${webhookId}/test`, '{"event_type":"nope"}'],
      ['a body of 300 KiB on a webhook', '/v1/webhooks', JSON.stringify({ name: 'x', description: 'd'.repeat(300 * 1024) })],
      ['a body of 2 MiB on an event', '/v1/events', JSON.stringify({ event_type: 'user.created', data: { pad: 'p'.repeat(2 * 1024 * 1024) } })],
    ];
    const cases: Array<[string, string | Buffer]> = bodies.map(([what, path, body]) => [what, what === 'invalid UTF-8' ? Buffer.from(post(path, body, '', 'latin1'), 'latin1') : post(path, body)]);
    cases.push(['PATCH with every field wrong', post(`/v1/webhooks/${webhookId}`, '{"enabled":"no","retry":{"attempts":-1}}').replace('POST', 'PATCH')]);
    const outcomes = await sendAll(cases);
    assert.equal(statusOf(outcomes, 'a body of 2 MiB on an event'), 413);
    assert.equal(statusOf(outcomes, 'webhook with every field wrong'), 400);
    const wrong = outcomes.find((o) => o.what === 'webhook with every field wrong')!.response!;
    const fields = wrong.body.error.details.map((d: { field: string }) => d.field);
    for (const field of ['name', 'url', 'method', 'enabled', 'auth.type', 'retry.attempts']) assert.ok(fields.some((f: string) => f === field || f.startsWith(`${field}.`)), `details should name ${field}: ${wrong.text}`);
  });
});

/** A small deterministic generator: mulberry32. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('generated mutations of valid requests', () => {
  const seed = Number(process.env.HERALD_FUZZ_SEED ?? Date.now() % 1_000_000);

  it(`raw requests (seed ${seed}): no 5xx, every 4xx in the contract shape`, async () => {
    const next = random(seed);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    const junk = () => String.fromCharCode(...Array.from({ length: 1 + Math.floor(next() * 6) }, () => Math.floor(next() * 256)));
    const methods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'QUERY', 'G\x00T', 'POST ', ''];
    const paths = ['/v1/webhooks', `/v1/webhooks/${webhookId}`, `/v1/webhooks/${webhookId}/test`, '/v1/events', '/v1/events/batch', '/v1/deliveries', '/v1/event-types', '/healthz', '/docs', '/openapi.json', '/v1/events/8ab4bda7-7296-4b5e-b0d9-6039773c2dc3'];
    const bodies = ['{"event_type":"user.created","data":{}}', '{"events":[{"event_type":"user.created","data":{}}]}', '{"name":"n","url":"https://e.com","event_types":["user.created"]}', '{"enabled":false}', ''];
    const mutate = (text: string): string => {
      if (text.length === 0 || next() < 0.3) return text + junk();
      const at = Math.floor(next() * text.length);
      const kind = next();
      if (kind < 0.4) return text.slice(0, at) + junk() + text.slice(at + 1);
      if (kind < 0.7) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4));
      return text.slice(0, at) + '%' + junk() + text.slice(at);
    };
    const cases: Array<[string, Buffer]> = [];
    for (let i = 0; i < 240; i++) {
      let method = pick(methods);
      let path = pick(paths);
      let body = pick(bodies);
      const headers: string[] = ['host: h', AUTH.trim(), 'content-type: application/json'];
      const part = Math.floor(next() * 5);
      if (part === 0) method = mutate(method);
      if (part === 1) path = mutate(path);
      if (part === 2) body = mutate(body);
      if (part === 3) headers[Math.floor(next() * headers.length)] = mutate(headers[Math.floor(next() * headers.length)]);
      if (part === 4) headers.push(pick(['transfer-encoding: chunked', `content-length: ${Math.floor(next() * 100)}`, 'expect: 100-continue', 'content-encoding: gzip', `x-${junk()}: ${junk()}`]));
      const framing = headers.some((line) => /^(transfer-encoding|content-length)/i.test(line)) ? '' : `content-length: ${Buffer.byteLength(body, 'latin1')}\r\n`;
      const text = `${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n${framing}\r\n${body}`;
      cases.push([`#${i} ${JSON.stringify(text.slice(0, 160))}`, Buffer.from(text, 'latin1')]);
    }
    const outcomes = await sendAll(cases, 12);
    const answered = outcomes.filter((o) => o.response).length;
    assert.ok(answered > cases.length / 2, `only ${answered} of ${cases.length} were answered`);
  });

  it(`fetch requests (seed ${seed}): no 5xx, every 4xx in the contract shape`, async () => {
    const next = random(seed + 1);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    const values: unknown[] = [null, true, 0, -1, 1.5, 1e21, '', 'x', 'x'.repeat(2000), [], [1], {}, { $gt: 1 }, { __proto__: null }, '2026-13-45', '../../etc', '<script>'];
    const fields: Record<string, string[]> = {
      '/v1/events': ['event_type', 'data', 'user_id', 'event_id', 'event_timestamp'],
      '/v1/webhooks': ['name', 'url', 'method', 'description', 'enabled', 'auth', 'event_types', 'filter', 'retry', 'headers'],
      '/v1/webhooks/test': ['url', 'auth', 'event_types', 'event_type', 'headers', 'id'],
    };
    const queries = ['limit', 'cursor', 'status', 'start_date', 'end_date', 'webhook_id', 'event_type', 'event_id', 'name'];
    let v: unknown;
    for (let i = 0; i < 150; i++) {
      const what = `fetch #${i}`;
      let response: Response;
      if (next() < 0.35) {
        const path = pick(['/v1/webhooks', '/v1/deliveries']);
        const query = Array.from({ length: 1 + Math.floor(next() * 3) }, () => `${pick(queries)}=${encodeURIComponent(typeof (v = pick(values)) === 'string' ? v : JSON.stringify(v))}`).join('&');
        response = await fetch(`${h.baseUrl}${path}?${query}`, { headers: { authorization: `Bearer ${h.apiKey}` } });
        const text = await response.text();
        check({ what: `${what} GET ${path}?${query}`, response: { status: response.status, headers: Object.fromEntries(response.headers), text, body: undefined }, closed: false });
        continue;
      }
      const path = pick(Object.keys(fields));
      const body: Record<string, unknown> = path === '/v1/events' ? { event_type: 'user.created', data: {} } : { name: `n${i}`, url: 'http://127.0.0.1:9/h', event_types: ['user.created'] };
      for (let k = 0; k < 1 + Math.floor(next() * 3); k++) body[pick(fields[path])] = pick(values);
      const method = pick(['POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
      const contentType = pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', 'application/octet-stream']);
      response = await fetch(h.baseUrl + path, { method, headers: { authorization: `Bearer ${h.apiKey}`, 'content-type': contentType }, body: JSON.stringify(body) });
      const text = await response.text();
      check({ what: `${what} ${method} ${path} ${contentType} ${JSON.stringify(body).slice(0, 200)}`, response: { status: response.status, headers: Object.fromEntries(response.headers), text, body: undefined }, closed: false });
    }
  });
});

describe('after the fuzzing', () => {
  it('the process is healthy, answers normally and logged no internal error', async () => {
    assert.equal(h.process.exitCode, null);
    // A fresh connection first, then fetch's pooled one: a hang shows which of them it is.
    const timed = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      const guard = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within 15 s`)), 15_000).unref());
      const result = await Promise.race([run(), guard]);
      console.log(`# ${what}: ${Date.now() - started} ms`);
      return result;
    };
    const raw = await timed('GET /healthz on a new connection', () => rawRequest(port, 'GET /healthz HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n'));
    assert.equal(raw.response?.status, 200);
    assert.equal((await timed('GET /healthz with fetch', () => fetch(h.baseUrl + '/healthz'))).status, 200);
    const created = await timed('POST /v1/webhooks', () => h.api('POST', '/v1/webhooks', { name: 'after the fuzz', url: 'http://127.0.0.1:9/hook', event_types: ['user.created'] }));
    assert.equal(created.status, 201, created.text);
    const read = await timed('GET /v1/webhooks/{id}', () => h.api('GET', `/v1/webhooks/${created.body.id}`));
    assert.equal(read.status, 200, read.text);
    assert.doesNotMatch(h.logs(), /"statusCode":5\d\d|unhandled error|"level":50/);
  });
});
