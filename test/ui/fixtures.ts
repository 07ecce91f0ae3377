// API-side set-up for the UI tests: webhooks, events and deliveries created through the real REST API.
import assert from 'node:assert/strict';
import type { Herald } from '../helpers/herald.ts';
import { waitUntil } from './harness.ts';

/** Receivers in these tests answer 500 to events for this user, 200 to everything else. */
export const FAILING_USER = 'fail@example.com';

export async function createWebhook(herald: Herald, body: Record<string, unknown>): Promise<any> {
  const created = await herald.api('POST', '/v1/webhooks', {
    method: 'POST',
    auth: { type: 'none' },
    event_types: ['reward.awarded'],
    retry: { attempts: 0, delay_seconds: 0, timeout_seconds: 5 },
    ...body,
  });
  assert.equal(created.status, 201, `create webhook: ${JSON.stringify(created.body)}`);
  return created.body;
}

const examples = new Map<string, Record<string, unknown>>();

async function exampleData(herald: Herald, eventType: string): Promise<Record<string, unknown>> {
  if (!examples.size) {
    const catalog = await herald.api('GET', '/v1/event-types');
    assert.equal(catalog.status, 200);
    for (const entry of catalog.body.data) examples.set(entry.event_type, entry.example.data);
  }
  const data = examples.get(eventType);
  assert.ok(data, `no example for ${eventType}`);
  return data;
}

export async function sendEvent(herald: Herald, eventType: string, userId: string): Promise<string> {
  const sent = await herald.api('POST', '/v1/events', {
    event_type: eventType,
    user_id: userId,
    data: await exampleData(herald, eventType),
  });
  assert.equal(sent.status, 202, `send event: ${JSON.stringify(sent.body)}`);
  return sent.body.event_id;
}

/** Wait until the webhook has `count` deliveries and none is pending; returns them newest first. */
export async function waitForFinalDeliveries(herald: Herald, webhookId: string, count: number): Promise<any[]> {
  return waitUntil(`${count} final deliveries for ${webhookId}`, async () => {
    const list = await herald.api('GET', `/v1/deliveries?webhook_id=${webhookId}`);
    const rows: any[] = list.body?.data ?? [];
    return rows.length === count && rows.every((row) => row.status !== 'pending') ? rows : undefined;
  });
}
