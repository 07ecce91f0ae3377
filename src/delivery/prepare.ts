// The request for one try: the exact stored body, Herald's headers, the webhook's own headers
// and its authentication. Shared by deliveries and test sends.
import type { Webhook } from '../domain/webhook.ts';
import { USER_AGENT } from '../version.ts';
import { authHeaders, signingSecrets } from './sign.ts';
import type { SendRequest } from './sender.ts';

export async function prepareRequest(webhook: Webhook, eventId: string, body: string, nowMs: number): Promise<SendRequest> {
  const timestampSeconds = Math.floor(nowMs / 1000);
  // Standard Webhooks signatures are made by the sender (in a delivery thread when there are some).
  const signWith = webhook.auth.type === 'signature' ? signingSecrets(webhook.auth, nowMs) : undefined;
  const auth = signWith ? {} : await authHeaders(webhook.auth, { webhookId: webhook.id, eventId, timestampSeconds, body, nowMs });
  return {
    url: webhook.url,
    body,
    timeoutMs: webhook.retry.timeoutSeconds * 1000,
    ...(signWith ? { signWith } : {}),
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
