// The request for one try: the exact stored body, Herald's headers, the webhook's own headers
// and its authentication. Shared by deliveries and test sends.
import type { Webhook } from '../domain/webhook.ts';
import { USER_AGENT } from '../version.ts';
import { authHeaders } from './sign.ts';
import type { Outcome, SendRequest, Sender } from './sender.ts';

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

export interface TestResult {
  verified: boolean;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** One try now, no retries, nothing stored: the Test and Verify buttons. */
export async function testSend(sender: Sender, webhook: Webhook, eventId: string, body: string): Promise<TestResult> {
  const outcome: Outcome = await sender.send(await prepareRequest(webhook, eventId, body, Date.now()));
  return {
    verified: outcome.isSuccess,
    status_code: outcome.statusCode,
    error: outcome.error,
    duration_ms: outcome.durationMs,
  };
}
