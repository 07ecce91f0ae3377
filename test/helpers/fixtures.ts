// Small builders shared by the integration tests.
import assert from 'node:assert/strict';
import type { Herald } from './herald.ts';

let counter = 0;

export async function createWebhook(h: Herald, body: Record<string, unknown>): Promise<any> {
  const response = await h.api('POST', '/v1/webhooks', {
    name: `webhook ${++counter} ${Math.random().toString(36).slice(2, 8)}`,
    event_types: ['reward.awarded'],
    ...body,
  });
  assert.equal(response.status, 201, `create webhook: ${response.text}`);
  return response.body;
}

export function rewardEvent(rewardId = 'REW-1', extra: Record<string, unknown> = {}) {
  return {
    event_type: 'reward.awarded',
    user_id: 'john.new@example.com',
    data: { awarded_reward: { reward_id: rewardId, member_id: 'john.new@example.com', awarded_by: 'Journey' } },
    ...extra,
  };
}

export async function sendEvent(h: Herald, event: Record<string, unknown> = rewardEvent()): Promise<any> {
  const response = await h.api('POST', '/v1/events', event);
  assert.equal(response.status, 202, `send event: ${response.text}`);
  return response.body;
}

/** The deliveries of one event, as the audit log shows them. */
export async function deliveriesOf(h: Herald, eventId: string): Promise<any[]> {
  const response = await h.api('GET', `/v1/deliveries?event_id=${eventId}`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

export async function deliveryDetail(h: Herald, id: string): Promise<any> {
  const response = await h.api('GET', `/v1/deliveries/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.body;
}
