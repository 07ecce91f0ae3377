// Small assertions shared by the black-box API tests (test/api/*.test.ts).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { ApiResponse, Herald } from '../helpers/herald.ts';

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `{"error": {"code", "message", "details"?}}` with the given HTTP status and code. */
export function assertError(response: ApiResponse, status: number, code: string): void {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status}: ${response.text}`);
  assert.equal(typeof response.body, 'object', `error body is not JSON: ${response.text}`);
  assert.equal(response.body?.error?.code, code, response.text);
  assert.equal(typeof response.body.error.message, 'string', response.text);
  assert.ok(response.body.error.message.length > 0, 'error.message is empty');
  if (response.body.error.details !== undefined) assert.ok(Array.isArray(response.body.error.details), 'details is not an array');
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
}

/** A 400 validation_error whose details name each of `fields` (one entry per bad field). */
export function assertInvalid(response: ApiResponse, ...fields: string[]): void {
  assertError(response, 400, 'validation_error');
  const details = response.body.error.details;
  assert.ok(Array.isArray(details) && details.length > 0, `validation_error without details: ${response.text}`);
  for (const entry of details) {
    assert.equal(typeof entry.field, 'string', `details entry without field: ${JSON.stringify(entry)}`);
  }
  const named = details.map((entry: { field: string }) => entry.field);
  for (const field of fields) {
    assert.ok(named.includes(field), `details should name "${field}", named ${JSON.stringify(named)}: ${response.text}`);
  }
}

/** Every item of every page of a list route (following next_cursor). */
export async function listAll(h: Herald, path: string, limit = 500): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const response = await h.api('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(response.status, 200, response.text);
    items.push(...response.body.data);
    cursor = response.body.next_cursor;
    if (cursor === null) return items;
  }
  throw new Error('more than 1000 pages');
}

/** Ids of all webhooks, as the list shows them. */
export async function webhookIds(h: Herald): Promise<string[]> {
  return (await listAll(h, '/v1/webhooks')).map((webhook) => webhook.id);
}

let counter = 0;
/** A valid create body with a unique name. */
export function webhookBody(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: `hook ${++counter} ${Math.random().toString(36).slice(2, 8)}`, url, event_types: ['reward.awarded'], ...extra };
}

/** Raw request with the API key but any body / content type. */
export function raw(h: Herald, method: string, path: string, body: string | undefined, contentType?: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${h.apiKey}` };
  if (contentType) headers['content-type'] = contentType;
  return fetch(h.baseUrl + path, { method, headers, body });
}

/** Turns a fetch Response into the helper's ApiResponse shape. */
export async function asApiResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, body, headers: response.headers, text };
}

/**
 * Send a large JSON body over a plain socket. A server may answer 413 as soon as it sees the
 * Content-Length and close the connection while the client is still writing; the client then gets
 * EPIPE / ECONNRESET and may lose the answer (fetch and node:http usually do). So this sends the
 * headers first and the body only if no answer has come within `bodyAfterMs`.
 */
export function sendLarge(h: Herald, method: string, path: string, body: string, bodyAfterMs = 3000): Promise<ApiResponse> {
  const { hostname, port } = new URL(h.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const bytes = Buffer.from(body, 'utf8');
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return;
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers = new Headers();
      for (const line of head.slice(1)) headers.append(line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim());
      const length = Number(headers.get('content-length') ?? NaN);
      const rest = all.subarray(split + 4);
      if (!(rest.length >= length)) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = rest.subarray(0, length).toString('utf8');
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      resolve({ status: Number(head[0].split(' ')[1]), body: parsed, headers, text });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      finish();
    });
    socket.on('error', () => {}); // EPIPE / ECONNRESET while writing: the answer may be in already
    socket.on('close', () => {
      clearTimeout(timer);
      finish();
      if (!done) reject(new Error(`connection closed without a complete answer: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`));
    });
    socket.write(
      `${method} ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nauthorization: Bearer ${h.apiKey}\r\n` +
        `content-type: application/json\r\ncontent-length: ${bytes.length}\r\nconnection: close\r\n\r\n`,
    );
    timer = setTimeout(() => socket.write(bytes), bodyAfterMs);
  });
}
