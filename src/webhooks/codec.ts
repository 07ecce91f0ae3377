// Between the Webhook the code works with and the WebhookRow the store keeps: secrets sealed.
import type { SecretBox } from '../domain/secret-box.ts';
import { secretHint, type Webhook, type WebhookAuth } from '../domain/webhook.ts';
import type { WebhookRow } from '../store/ports.ts';

interface SealedSecrets {
  secret?: string;
  password?: string;
  previousSecret?: string;
  previousSecretExpiresAt?: number;
}

export function toWebhookRow(webhook: Webhook, box: SecretBox): WebhookRow {
  const { auth } = webhook;
  const secrets: SealedSecrets | null =
    auth.type === 'none'
      ? null
      : auth.type === 'basic'
        ? { password: auth.password }
        : auth.type === 'jwt'
          ? { secret: auth.secret }
          : { secret: auth.secret, previousSecret: auth.previousSecret, previousSecretExpiresAt: auth.previousSecretExpiresAt };
  return {
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    method: webhook.method,
    description: webhook.description,
    enabled: webhook.enabled,
    authType: auth.type,
    authUsername: auth.type === 'basic' ? auth.username : null,
    secretHint: secretHint(auth),
    authSealed: secrets ? box.seal(JSON.stringify(secrets)) : null,
    eventTypes: webhook.eventTypes,
    filter: webhook.filter,
    retry: webhook.retry,
    rateLimitPerSecond: webhook.rateLimitPerSecond,
    headers: webhook.headers,
    ordering: webhook.ordering,
    supersede: webhook.supersede,
    autoDisable: webhook.autoDisable,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
  };
}

export function fromWebhookRow(row: WebhookRow, box: SecretBox): Webhook {
  const secrets: SealedSecrets = row.authSealed ? JSON.parse(box.open(row.authSealed)) : {};
  let auth: WebhookAuth;
  switch (row.authType) {
    case 'basic':
      auth = { type: 'basic', username: row.authUsername ?? '', password: secrets.password ?? '' };
      break;
    case 'jwt':
      auth = { type: 'jwt', secret: secrets.secret ?? '' };
      break;
    case 'signature':
      auth = {
        type: 'signature',
        secret: secrets.secret ?? '',
        ...(secrets.previousSecret
          ? { previousSecret: secrets.previousSecret, previousSecretExpiresAt: secrets.previousSecretExpiresAt }
          : {}),
      };
      break;
    default:
      auth = { type: 'none' };
  }
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    method: row.method,
    description: row.description,
    enabled: row.enabled,
    auth,
    eventTypes: row.eventTypes,
    filter: row.filter,
    retry: row.retry,
    rateLimitPerSecond: row.rateLimitPerSecond,
    headers: row.headers,
    ordering: row.ordering,
    supersede: row.supersede,
    autoDisable: row.autoDisable,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
