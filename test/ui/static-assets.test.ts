// How Herald serves the built admin UI: split into chunks, precompressed (br, gzip), hashed assets
// cached for a year, index.html never cached. Plain HTTP against a real Herald; no browser needed.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { ensureUiBuilt } from './harness.ts';

const MAX_CHUNK_BYTES = 600 * 1024;
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** GET without any automatic decoding, so the test sees the bytes on the wire. */
function get(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('admin UI: static files', () => {
  let herald: Herald;
  let scripts: string[] = [];

  before(async () => {
    await ensureUiBuilt();
    herald = await startHerald();
    const html = (await get(herald.baseUrl, '/webhooks')).body.toString('utf8');
    scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1]);
  });

  after(async () => {
    await herald?.stop();
  });

  it('serves index.html uncached, naming several JS chunks, none over 600 KB', async () => {
    for (const path of ['/', '/webhooks', '/audit-logs?status=failed']) {
      const page = await get(herald.baseUrl, path);
      assert.equal(page.status, 200, path);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.equal(page.headers['cache-control'], 'no-cache', path);
    }
    assert.ok(scripts.length >= 4, `expected several JS chunks, got ${scripts.join(', ')}`);
    for (const script of scripts) {
      const chunk = await get(herald.baseUrl, script);
      assert.equal(chunk.status, 200, script);
      assert.equal(chunk.headers['content-encoding'], undefined, `${script} without Accept-Encoding`);
      assert.ok(chunk.body.length <= MAX_CHUNK_BYTES, `${script} is ${chunk.body.length} bytes, over ${MAX_CHUNK_BYTES}`);
    }
  });

  it('sends hashed assets brotli- or gzip-compressed, cached as immutable', async () => {
    assert.ok(scripts.length, 'index.html names its scripts');
    for (const script of scripts) {
      const plain = await get(herald.baseUrl, script);
      assert.equal(plain.headers['cache-control'], IMMUTABLE, script);

      const br = await get(herald.baseUrl, script, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(br.status, 200);
      assert.equal(br.headers['content-encoding'], 'br', script);
      assert.match(String(br.headers['content-type']), /javascript/);
      assert.equal(br.headers['cache-control'], IMMUTABLE);
      assert.match(String(br.headers.vary), /accept-encoding/i);
      assert.ok(br.body.length < plain.body.length, `${script}: ${br.body.length} compressed vs ${plain.body.length}`);
      assert.ok(brotliDecompressSync(br.body).equals(plain.body), `${script}: the .br copy is the same file`);

      const gzip = await get(herald.baseUrl, script, { 'accept-encoding': 'gzip' });
      assert.equal(gzip.headers['content-encoding'], 'gzip', script);
      assert.equal(gzip.headers['cache-control'], IMMUTABLE);
      assert.ok(gunzipSync(gzip.body).equals(plain.body), `${script}: the .gz copy is the same file`);
    }
    const css = (await get(herald.baseUrl, '/webhooks')).body.toString('utf8').match(/href="(\/assets\/[^"]+\.css)"/)?.[1];
    assert.ok(css, 'index.html links a stylesheet');
    const style = await get(herald.baseUrl, css, { 'accept-encoding': 'br' });
    assert.equal(style.headers['content-encoding'], 'br');
    assert.match(String(style.headers['content-type']), /text\/css/);
  });

  it('compresses index.html too, and keeps it uncached', async () => {
    const plain = await get(herald.baseUrl, '/sign-in');
    const br = await get(herald.baseUrl, '/sign-in', { 'accept-encoding': 'br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['cache-control'], 'no-cache');
    assert.ok(brotliDecompressSync(br.body).equals(plain.body));
  });

  it('answers 404 for an asset that does not exist', async () => {
    assert.equal((await get(herald.baseUrl, '/assets/no-such-chunk.js')).status, 404);
    assert.equal((await get(herald.baseUrl, '/assets/no-such-chunk.js', { 'accept-encoding': 'br' })).status, 404);
  });
});
