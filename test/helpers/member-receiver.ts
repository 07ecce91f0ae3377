// A real HTTP receiver that watches per-member ordering (API.md §10): how many requests of each
// member (envelope user_id) are open at once, and in which order each member's events arrive.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import assert from 'node:assert/strict';

export interface MemberArrival {
  userId: string;
  eventId: string;
  eventType: string;
  /** 1 for the first time this event arrived, 2 for the next, … */
  nth: number;
  body: string;
}

export interface MemberReceiver {
  url: string;
  arrivals: MemberArrival[];
  /** Most requests of one member open at the same moment, over the receiver's life. */
  maxInFlightPerMember(): number;
  /** Members seen with two requests open at once (should be none). */
  overlaps: string[];
  /** The answer to each arrival; default 200 after `delayMs`. */
  answer: (arrival: MemberArrival) => { status: number; delayMs?: number };
  /** Event ids of this member, first arrivals only, in arrival order. */
  firstArrivals(userId: string): string[];
  waitForDistinct(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startMemberReceiver(): Promise<MemberReceiver> {
  const open = new Map<string, number>();
  const seen = new Map<string, number>();
  const sockets = new Set<Socket>();
  let max = 0;
  let waiters: Array<() => void> = [];
  const self: MemberReceiver = {
    url: '',
    arrivals: [],
    overlaps: [],
    maxInFlightPerMember: () => max,
    answer: () => ({ status: 200, delayMs: 5 }),
    firstArrivals: (userId) => self.arrivals.filter((a) => a.userId === userId && a.nth === 1).map((a) => a.eventId),
    async waitForDistinct(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (seen.size < count) {
        const left = deadline - Date.now();
        assert.ok(left > 0, `expected ${count} distinct events, got ${seen.size}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const envelope = JSON.parse(body);
      const userId = String(envelope.user_id);
      const nth = (seen.get(envelope.event_id) ?? 0) + 1;
      seen.set(envelope.event_id, nth);
      const arrival: MemberArrival = { userId, eventId: envelope.event_id, eventType: envelope.event_type, nth, body };
      self.arrivals.push(arrival);
      const now = (open.get(userId) ?? 0) + 1;
      open.set(userId, now);
      if (now > 1) self.overlaps.push(userId);
      max = Math.max(max, now);
      let isClosed = false;
      // Closed once: answered, or the sender went away (kill -9) before the answer.
      const close = () => {
        if (isClosed) return;
        isClosed = true;
        open.set(userId, open.get(userId)! - 1);
      };
      res.on('close', close);
      const { status, delayMs } = self.answer(arrival);
      setTimeout(() => {
        // Counted closed before the answer leaves: the next try may follow at once.
        close();
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status < 300 ? 'ok' : 'no');
      }, delayMs ?? 0);
      for (const w of waiters.splice(0)) w();
    });
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return self;
}

/** Every member's first arrivals follow acceptance order, and no event comes back after a later one. */
export function assertMemberOrder(receiver: MemberReceiver, accepted: Map<string, string[]>): void {
  assert.deepEqual(receiver.overlaps, [], 'never two requests of one member open at once');
  for (const [userId, eventIds] of accepted) {
    const arrivals = receiver.arrivals.filter((a) => a.userId === userId).map((a) => eventIds.indexOf(a.eventId));
    for (let i = 1; i < arrivals.length; i++) {
      assert.ok(arrivals[i] >= arrivals[i - 1], `member ${userId}: event #${arrivals[i]} arrived after #${arrivals[i - 1]} (${arrivals.join(',')})`);
    }
    assert.deepEqual(receiver.firstArrivals(userId), eventIds, `member ${userId}: every event, in acceptance order`);
  }
}
