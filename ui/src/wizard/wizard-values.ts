// The wizard's form values, and how they become the API's webhook body (and back).
import type { AuthType, Backoff, Ordering, Webhook, WebhookAuthIn, WebhookIn } from '../api/types';

export interface HeaderRow {
  name: string;
  value: string;
}

export interface WizardValues {
  name: string;
  method: 'POST';
  url: string;
  description?: string;
  auth: { type: AuthType; secret?: string; username?: string; password?: string };
  event_types: string[];
  filter_text?: string;
  retry: { attempts: number; delay_seconds: number; timeout_seconds: number; backoff: Backoff; max_delay_seconds: number };
  /** Empty: no limit. */
  rate_limit_per_second?: number | null;
  headers: HeaderRow[];
  enabled: boolean;
  ordering: Ordering;
  supersede: string[];
}

/** The API's defaults (API.md section 4). */
export const DEFAULT_VALUES: WizardValues = {
  name: '',
  method: 'POST',
  url: '',
  description: '',
  auth: { type: 'none' },
  event_types: [],
  filter_text: '',
  retry: { attempts: 3, delay_seconds: 30, timeout_seconds: 15, backoff: 'fixed', max_delay_seconds: 3600 },
  rate_limit_per_second: null,
  headers: [],
  enabled: true,
  ordering: 'none',
  supersede: [],
};

export const RETRY_LIMITS = {
  attempts: { min: 0, max: 10 },
  delay_seconds: { min: 0, max: 86400 },
  timeout_seconds: { min: 1, max: 120 },
  max_delay_seconds: { min: 1, max: 86400 },
};

export const RATE_LIMIT = { min: 1, max: 10000 };

export function fromWebhook(webhook: Webhook): WizardValues {
  return {
    name: webhook.name,
    method: 'POST',
    url: webhook.url,
    description: webhook.description ?? '',
    auth: { type: webhook.auth.type, username: webhook.auth.username ?? '' },
    event_types: [...webhook.event_types],
    filter_text: webhook.filter && Object.keys(webhook.filter).length ? JSON.stringify(webhook.filter, null, 2) : '',
    retry: { ...webhook.retry, backoff: webhook.retry.backoff ?? 'fixed', max_delay_seconds: webhook.retry.max_delay_seconds ?? 3600 },
    rate_limit_per_second: webhook.rate_limit_per_second ?? null,
    headers: Object.entries(webhook.headers ?? {}).map(([name, value]) => ({ name, value })),
    enabled: webhook.enabled,
    ordering: webhook.ordering ?? 'none',
    supersede: [...(webhook.supersede ?? [])],
  };
}

export function parseFilter(text: string | undefined): Record<string, unknown> | undefined {
  if (!text || !text.trim()) return undefined;
  return JSON.parse(text) as Record<string, unknown>;
}

function authBody(auth: WizardValues['auth']): WebhookAuthIn {
  switch (auth.type) {
    case 'jwt':
      return { type: 'jwt', secret: auth.secret ?? '' };
    case 'basic':
      return { type: 'basic', username: auth.username ?? '', password: auth.password ?? '' };
    case 'signature':
      return auth.secret ? { type: 'signature', secret: auth.secret } : { type: 'signature' };
    default:
      return { type: 'none' };
  }
}

function headersBody(rows: HeaderRow[] | undefined): Record<string, string> {
  return Object.fromEntries((rows ?? []).filter((row) => row?.name).map((row) => [row.name.trim(), row.value ?? '']));
}

/** POST /v1/webhooks: what was entered, leaving out empty optional fields so the API's defaults apply. */
export function toCreateBody(values: WizardValues): WebhookIn {
  const body: WebhookIn = {
    name: values.name.trim(),
    url: values.url.trim(),
    method: 'POST',
    enabled: values.enabled,
    auth: authBody(values.auth),
    event_types: values.event_types,
    retry: { ...values.retry },
  };
  if (values.ordering === 'member') body.ordering = 'member';
  const supersede = supersedeOf(values);
  if (supersede.length) body.supersede = supersede;
  if (values.rate_limit_per_second) body.rate_limit_per_second = values.rate_limit_per_second;
  if (values.description?.trim()) body.description = values.description.trim();
  const filter = parseFilter(values.filter_text);
  if (filter) body.filter = filter;
  const headers = headersBody(values.headers);
  if (Object.keys(headers).length) body.headers = headers;
  return body;
}

/** Did the user change authentication? Secrets are never echoed, so "unchanged" means: same type, nothing typed. */
export function isAuthChanged(values: WizardValues, original: Webhook): boolean {
  const auth = values.auth;
  if (auth.type !== original.auth.type) return true;
  if (auth.secret || auth.password) return true;
  return auth.type === 'basic' && (auth.username ?? '') !== (original.auth.username ?? '');
}

/**
 * Editing keeps a secret unless one is typed: leave out empty secret/password, and the API keeps the saved
 * one when the type is unchanged.
 */
export function authPatch(auth: WizardValues['auth']): WebhookAuthIn {
  const body: Record<string, string> = { type: auth.type };
  if (auth.type === 'basic' && auth.username) body.username = auth.username;
  if (auth.type === 'basic' && auth.password) body.password = auth.password;
  if ((auth.type === 'jwt' || auth.type === 'signature') && auth.secret) body.secret = auth.secret;
  return body as WebhookAuthIn;
}

/** PATCH /v1/webhooks/{id}: every editable field; `auth` only when it changed (the API replaces it whole). */
export function toPatchBody(values: WizardValues, original: Webhook): Partial<WebhookIn> {
  const body: Partial<WebhookIn> = {
    name: values.name.trim(),
    url: values.url.trim(),
    method: 'POST',
    description: values.description?.trim() ? values.description.trim() : null,
    enabled: values.enabled,
    event_types: values.event_types,
    retry: { ...values.retry },
    rate_limit_per_second: values.rate_limit_per_second || null,
    headers: headersBody(values.headers),
    ordering: values.ordering ?? 'none',
    supersede: supersedeOf(values),
  };
  const filter = parseFilter(values.filter_text);
  if (filter) body.filter = filter;
  else if (original.filter) body.filter = null;
  if (isAuthChanged(values, original)) body.auth = authPatch(values.auth);
  return body;
}

/** Supersede names only types still selected in step 2 (unselecting a type drops it here too). */
export function supersedeOf(values: WizardValues): string[] {
  return (values.supersede ?? []).filter((type) => values.event_types.includes(type));
}

function randomBase64(byteCount: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(byteCount));
  return btoa(String.fromCharCode(...bytes));
}

/** 32 random bytes as `whsec_<base64>`, the Standard Webhooks secret format. */
export function generateSigningSecret(): string {
  return `whsec_${randomBase64(32)}`;
}

/** 32 random bytes as base64url (43 characters): an HS256 key, as Herald's API would make one. */
export function generateJwtSecret(): string {
  return randomBase64(32).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Has the user changed anything? Empty strings, null and missing fields count as the same. */
export function isFormChanged(current: unknown, initial: unknown): boolean {
  return JSON.stringify(comparable(current)) !== JSON.stringify(comparable(initial));
}

function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => [key, comparable(item)] as const)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries);
  }
  return value === '' || value === null ? undefined : value;
}
