// Request authentication per webhook auth type. Pure apart from jose's async API: time comes in.
import { createHash, createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import type { WebhookAuth } from '../domain/webhook.ts';

export interface SignInput {
  webhookId: string;
  eventId: string;
  timestampSeconds: number;
  body: string;
  nowMs: number;
}

/** Standard Webhooks: base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the decoded secret. */
export function standardSignature(secret: string, eventId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${eventId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The secrets a signature-auth request is signed with now: the current one, and the previous one until it expires. */
export function signingSecrets(auth: Extract<WebhookAuth, { type: 'signature' }>, nowMs: number): string[] {
  return auth.previousSecret && (auth.previousSecretExpiresAt ?? 0) > nowMs ? [auth.secret, auth.previousSecret] : [auth.secret];
}

/** The `webhook-signature` header: one `v1,` signature per secret, space-separated. */
export function signatureHeader(secrets: readonly string[], eventId: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => standardSignature(secret, eventId, timestampSeconds, body)).join(' ');
}

export async function authHeaders(auth: WebhookAuth, input: SignInput): Promise<Record<string, string>> {
  switch (auth.type) {
    case 'none':
      return {};
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'signature':
      return { 'webhook-signature': signatureHeader(signingSecrets(auth, input.nowMs), input.eventId, input.timestampSeconds, input.body) };
    case 'jwt':
      return { authorization: `Bearer ${await jwtFor(auth.secret, input)}` };
  }
}

const encoder = new TextEncoder();

function jwtFor(secret: string, input: SignInput): Promise<string> {
  const bodySha256 = createHash('sha256').update(input.body).digest('base64url');
  return new SignJWT({ body_sha256: bodySha256 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('herald')
    .setSubject(input.webhookId)
    .setJti(input.eventId)
    .setIssuedAt(input.timestampSeconds)
    .setExpirationTime(input.timestampSeconds + 300)
    .sign(encoder.encode(secret));
}
