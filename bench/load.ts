// What the harness sends: ~1 KiB reward events, webhooks pointing at the receiver, batches.
import type { HeraldProcess } from './herald-process.ts';
import type { Receiver } from './receiver-client.ts';

export const EVENT_TYPE = 'reward.awarded';
export const DATA_BYTES = 1024;

/** A reward.awarded event whose `data` serialises to DATA_BYTES bytes. */
export function eventBody(i: number, eventId?: string, members?: number): Record<string, unknown> {
  const award = {
    transaction_id: `00000000-0000-4000-8000-${String(i % 1e12).padStart(12, '0')}`,
    reward_id: `REW-${i % 100}`,
    // With `members`, event i belongs to member i mod members (each member's events spread over batches).
    member_id: `member-${members ? i % members : i}@example.com`,
    note: '',
    awarded_by: 'Journey',
    journey_id: '6ab8391a-250c-473b-a1bc-828a3de66390',
    awarded_at: '2026-11-28T12:00:00Z',
  };
  award.note = 'x'.repeat(Math.max(0, DATA_BYTES - JSON.stringify({ awarded_reward: award }).length));
  return {
    event_type: EVENT_TYPE,
    ...(eventId ? { event_id: eventId } : {}),
    user_id: award.member_id,
    data: { awarded_reward: award },
  };
}

/** Webhook i posts to /hook/<tag>/<i>; the receiver learns each secret to check a sample of signatures. */
export async function createWebhooks(herald: HeraldProcess, receiver: Receiver, count: number, tag: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = `/hook/${tag}/${i}`;
    const created = await herald.api('POST', '/v1/webhooks', {
      name: `bench ${tag} ${i}`,
      url: receiver.url(path),
      event_types: [EVENT_TYPE],
      auth: { type: 'signature' },
      ...extra,
    });
    if (created.status !== 201) throw new Error(`create webhook: ${created.status} ${JSON.stringify(created.body)}`);
    const secret = await herald.api('GET', `/v1/webhooks/${created.body.id}/secret`);
    if (secret.status === 200) await receiver.setSecret(path, secret.body.secret);
    paths.push(path);
  }
  return paths;
}

/** Serialised `POST /v1/events/batch` bodies, 1000 events each (built before any clock starts). */
export function batchBodies(events: number, firstIndex: number, members?: number): string[] {
  return Array.from({ length: Math.ceil(events / 1000) }, (_, b) =>
    JSON.stringify({
      events: Array.from({ length: Math.min(1000, events - b * 1000) }, (_, i) => eventBody(firstIndex + b * 1000 + i, undefined, members)),
    }),
  );
}

/**
 * Sends the batches with `inFlightPerProcess` requests outstanding on each process (round robin);
 * resolves when every batch was answered 202 with every event accepted.
 */
export async function sendBatches(processes: HeraldProcess[], bodies: string[], inFlightPerProcess = 2): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(bodies.length, processes.length * inFlightPerProcess) }, async (_, lane) => {
    const herald = processes[lane % processes.length];
    for (let b = next++; b < bodies.length; b = next++) {
      const response = await herald.api('POST', '/v1/events/batch', bodies[b]);
      if (response.status !== 202) throw new Error(`batch: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
      const rejected = (response.body.data as Array<{ status: number }>).filter((item) => item.status !== 202);
      if (rejected.length > 0) throw new Error(`batch: ${rejected.length} events not accepted, e.g. ${JSON.stringify(rejected[0])}`);
    }
  });
  await Promise.all(lanes);
}

/** Serialised `POST /v1/events` bodies, one event each (built before any clock starts). */
export function eventBodies(events: number, firstIndex: number): string[] {
  return Array.from({ length: events }, (_, i) => JSON.stringify(eventBody(firstIndex + i)));
}

/**
 * Sends single events from `inFlight` concurrent clients (a closed loop: each sends its next event
 * when the last one was answered), spread round robin over the processes; resolves when every event
 * was answered 202.
 */
export async function sendEvents(processes: HeraldProcess[], bodies: string[], inFlight: number): Promise<void> {
  let next = 0;
  const clients = Array.from({ length: Math.min(bodies.length, inFlight) }, async (_, client) => {
    const herald = processes[client % processes.length];
    for (let i = next++; i < bodies.length; i = next++) {
      const response = await herald.api('POST', '/v1/events', bodies[i]);
      if (response.status !== 202) throw new Error(`event: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
    }
  });
  await Promise.all(clients);
}
