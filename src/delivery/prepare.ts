// The request for one try: the exact stored body, Herald's headers, the webhook's own headers
// and its authentication. Shared by deliveries and test sends.
import type { Webhook } from '../domain/webhook.ts';
import { USER_AGENT } from '../version.ts';
import { authHeaders } from './sign.ts';
import type { SendRequest } from './sender.ts';

export async function prepareRequest(webhook: Webhook, eventId: string, body: string, nowMs: number): Promise<SendRequest> {
  const timestampSeconds = Math.floor(nowMs / 1000);
  const auth = await authHeaders(webhook.auth, { webhookId: webhook.id, eventId, timestampSeconds, body, nowMs });
  return {
    url: webhook.url,
    body,
    timeoutMs: webhook.retry.timeoutSeconds * 1000,
    headers: {
      ...webhook.headers,
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': eventId,
      'webhook-timestamp': String(timestampSeconds),
      ...auth,
    },
  };
}
