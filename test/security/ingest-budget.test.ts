// Concurrent large batches within the documented limits cannot blow up a real Herald process:
// bodies beyond the memory budget get `503 overloaded` with Retry-After at once (before a byte of
// their body was sent), nothing that got a 202 is lost, an unrelated GET still answers during the
// storm, and the process's peak RSS (VmHWM) stays under RSS_BOUND_MIB. Also: a client that keeps
// writing a body past the limit reads its 413 (or 401), not a broken pipe.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertErrorShape } from '../helpers/error-contract.ts';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { openRaw, type RawResponse } from '../helpers/raw-http.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Peak RSS allowed for the Herald process through the whole storm (it starts at ~150 MiB). */
const RSS_BOUND_MIB = 700;
const BATCHES_PER_WAVE = 16;
const WAVES = 2;
/** How long a client waits after its headers for an early answer before it sends its body. */
const EARLY_ANSWER_MS = 1500;

let h: Herald;
let port: number;

before(async () => {
  h = await startHerald();
  port = Number(new URL(h.baseUrl).port);
});
after(async () => {
  await h?.stop();
});

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  return kib / 1024;
}

/** A batch of 1000 events of ~16 kB each: about 15.4 MiB, under the 16 MiB limit. */
function largeBatch(): { ids: string[]; body: Buffer } {
  const pad = 'p'.repeat(16_000);
  const ids = Array.from({ length: 1000 }, () => randomUUID());
  const body = Buffer.from(JSON.stringify({ events: ids.map((id) => ({ event_type: 'user.created', event_id: id, data: { pad } })) }));
  assert.ok(body.length > 15 * MiB && body.length < 16 * MiB, `batch of ${body.length} bytes`);
  return { ids, body };
}

interface Sent {
  ids: string[];
  response: RawResponse | null;
  /** The answer came before any byte of the body was sent. */
  isEarly: boolean;
}

async function sendBatch(batch: { ids: string[]; body: Buffer }): Promise<Sent> {
  const connection = openRaw(port);
  await connection.write(
    `POST /v1/events/batch HTTP/1.1\r\nhost: h\r\nauthorization: Bearer ${h.apiKey}\r\ncontent-type: application/json\r\ncontent-length: ${batch.body.length}\r\n\r\n`,
  );
  const wait = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref());
  const early = await Promise.race([connection.response(), wait(EARLY_ANSWER_MS)]);
  if (early) {
    connection.socket.destroy();
    return { ids: batch.ids, response: early, isEarly: true };
  }
  void connection.write(batch.body);
  const response = await Promise.race([connection.response(), wait(180_000)]);
  connection.socket.destroy();
  return { ids: batch.ids, response, isEarly: false };
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await run(items[next++]);
  }));
}

describe('a storm of large batches', () => {
  it(`${WAVES} waves of ${BATCHES_PER_WAVE} concurrent 15 MiB batches: 503 + Retry-After beyond the budget, nothing accepted is lost, GETs answer, peak RSS < ${RSS_BOUND_MIB} MiB`, async () => {
    const pid = h.process.pid!;
    const startRss = peakRssMiB(pid);
    const sent: Sent[] = [];
    for (let wave = 0; wave < WAVES; wave++) {
      const batches = Array.from({ length: BATCHES_PER_WAVE }, largeBatch);
      const storm = Promise.all(batches.map(sendBatch));
      // While the admitted batches are read, parsed and committed, the admin API answers.
      await new Promise((resolve) => setTimeout(resolve, EARLY_ANSWER_MS + 200));
      const list = await fetch(`${h.baseUrl}/v1/webhooks`, { headers: { authorization: `Bearer ${h.apiKey}` }, signal: AbortSignal.timeout(5000) });
      assert.equal(list.status, 200, 'GET /v1/webhooks during the storm');
      sent.push(...(await storm));
    }

    const peak = peakRssMiB(pid);
    const count = (status: number) => sent.filter((s) => s.response?.status === status).length;
    console.log(`# storm: ${count(202)} batches accepted, ${count(503)} refused; VmHWM ${startRss.toFixed(0)} MiB at start, ${peak.toFixed(0)} MiB after`);
    assert.ok(peak < RSS_BOUND_MIB, `peak RSS ${peak.toFixed(0)} MiB, bound ${RSS_BOUND_MIB} MiB`);

    const unanswered = sent.filter((s) => !s.response);
    assert.equal(unanswered.length, 0, `${unanswered.length} batches got no answer`);
    const refused = sent.filter((s) => s.response!.status === 503);
    const accepted = sent.filter((s) => s.response!.status === 202);
    assert.equal(refused.length + accepted.length, sent.length, `other answers: ${sent.filter((s) => ![202, 503].includes(s.response!.status)).map((s) => s.response!.text.slice(0, 200)).join('\n')}`);
    assert.ok(refused.length > 0, 'no batch was refused: the budget did not hold');
    assert.ok(accepted.length > 0, 'no batch was accepted');
    for (const s of refused) {
      assert.equal(assertErrorShape(s.response!, '503 during the storm').code, 'overloaded');
      assert.match(s.response!.headers['retry-after'] ?? '', /^\d+$/, 'Retry-After in seconds');
    }
    assert.ok(refused.some((s) => s.isEarly), 'a refused batch was answered only after it sent its body');
    for (const s of accepted) assert.ok(s.response!.body.data.every((item: { status: number }) => item.status === 202));

    const ids = accepted.flatMap((s) => s.ids);
    const missing: string[] = [];
    await inParallel(ids, 16, async (id) => {
      const response = await fetch(`${h.baseUrl}/v1/events/${id}`, { headers: { authorization: `Bearer ${h.apiKey}` } });
      if (response.status !== 200) missing.push(`${id}: ${response.status}`);
      await response.arrayBuffer();
    });
    assert.deepEqual(missing, [], `${missing.length} of ${ids.length} accepted events are not readable`);
  });
});

describe('a client that keeps writing past the limit', () => {
  for (const [what, auth, status] of [['with the key', true, 413], ['without a key', false, 401]] as const) {
    it(`${what}: 20 MiB to /v1/events reads its ${status}`, async () => {
      const connection = openRaw(port);
      const body = Buffer.alloc(20 * MiB, 'x');
      await connection.write(
        `POST /v1/events HTTP/1.1\r\nhost: h\r\n${auth ? `authorization: Bearer ${h.apiKey}\r\n` : ''}content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
      );
      const written = connection.write(body);
      const response = await connection.response();
      assert.ok(response, `connection closed without an answer: ${connection.received().slice(0, 200)}`);
      assert.equal(response.status, status, response.text);
      assertErrorShape(response, `20 MiB ${what}`);
      assert.equal(await written, true, 'the client could write its whole body (no EPIPE)');
      // Closed once the body is read and dropped: not kept alive (72 s) for a next request.
      const closed = await Promise.race([connection.closed.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000).unref())]);
      assert.ok(closed, 'the connection was not closed after the refused body');
    });
  }
});
