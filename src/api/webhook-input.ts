// Webhook bodies (create, patch, unsaved test) → a Webhook, or one field error per bad field.
// The route schema has already checked shapes and ranges; this checks meaning.
import { randomBytes } from 'node:crypto';
import { findEventType } from '../catalog/index.ts';
import { validationError, type FieldError } from '../domain/errors.ts';
import { checkFilter } from '../domain/filter.ts';
import type { AutoDisablePolicy } from '../domain/health.ts';
import type { WebhookId } from '../domain/ids.ts';
import { DEFAULT_RETRY, RESERVED_HEADER, type Webhook, type WebhookAuth } from '../domain/webhook.ts';
import { checkTarget } from '../net/target-guard.ts';
import type { WebhookIn, WebhookPatch } from './schemas.ts';

export interface InputContext {
  allowPrivateTargets: boolean;
  nowMs: number;
  /** Auth of the saved webhook being edited: same-type auth without secrets keeps these. */
  currentAuth?: WebhookAuth;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const MAX_HEADERS = 20;

export function generateSignatureSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function generateJwtSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Create: every field from the body, defaults for the rest. */
export async function webhookFromInput(id: WebhookId, input: Partial<WebhookIn>, ctx: InputContext): Promise<Webhook> {
  const errors: FieldError[] = [];
  const webhook: Webhook = {
    id,
    name: checkName(input.name ?? '', errors),
    url: await checkUrl(input.url ?? '', ctx, errors),
    method: 'POST',
    description: input.description ?? null,
    enabled: input.enabled ?? true,
    auth: checkAuth(input.auth ?? { type: 'none' }, ctx.currentAuth, errors),
    eventTypes: checkEventTypes(input.event_types ?? [], errors),
    filter: checkFilterField(input.filter ?? null, errors),
    retry: {
      attempts: input.retry?.attempts ?? DEFAULT_RETRY.attempts,
      delaySeconds: input.retry?.delay_seconds ?? DEFAULT_RETRY.delaySeconds,
      timeoutSeconds: input.retry?.timeout_seconds ?? DEFAULT_RETRY.timeoutSeconds,
      backoff: input.retry?.backoff ?? DEFAULT_RETRY.backoff,
      maxDelaySeconds: input.retry?.max_delay_seconds ?? DEFAULT_RETRY.maxDelaySeconds,
    },
    rateLimitPerSecond: input.rate_limit_per_second ?? null,
    headers: checkHeaders(input.headers ?? {}, errors),
    ordering: input.ordering ?? 'none',
    supersede: [],
    autoDisable: autoDisableFrom(input.auto_disable ?? null),
    createdAt: ctx.nowMs,
    updatedAt: ctx.nowMs,
  };
  webhook.supersede = checkSupersede(input.supersede ?? [], webhook.eventTypes, errors);
  if (errors.length > 0) throw validationError(errors);
  return webhook;
}

/** Patch: top-level fields replace, retry merges field by field, auth is replaced whole (as if new). */
export async function applyPatch(current: Webhook, patch: WebhookPatch, ctx: InputContext): Promise<Webhook> {
  const errors: FieldError[] = [];
  const has = (key: keyof WebhookPatch) => Object.prototype.hasOwnProperty.call(patch, key) && patch[key] !== undefined;
  const next: Webhook = {
    ...current,
    name: has('name') ? checkName(patch.name!, errors) : current.name,
    url: has('url') ? await checkUrl(patch.url!, ctx, errors) : current.url,
    description: has('description') ? (patch.description ?? null) : current.description,
    enabled: has('enabled') ? patch.enabled! : current.enabled,
    auth: has('auth') ? checkAuth(patch.auth!, undefined, errors) : current.auth,
    eventTypes: has('event_types') ? checkEventTypes(patch.event_types!, errors) : current.eventTypes,
    filter: Object.prototype.hasOwnProperty.call(patch, 'filter') ? checkFilterField(patch.filter ?? null, errors) : current.filter,
    retry: {
      attempts: patch.retry?.attempts ?? current.retry.attempts,
      delaySeconds: patch.retry?.delay_seconds ?? current.retry.delaySeconds,
      timeoutSeconds: patch.retry?.timeout_seconds ?? current.retry.timeoutSeconds,
      backoff: patch.retry?.backoff ?? current.retry.backoff,
      maxDelaySeconds: patch.retry?.max_delay_seconds ?? current.retry.maxDelaySeconds,
    },
    rateLimitPerSecond: Object.prototype.hasOwnProperty.call(patch, 'rate_limit_per_second')
      ? (patch.rate_limit_per_second ?? null)
      : current.rateLimitPerSecond,
    headers: has('headers') ? checkHeaders(patch.headers!, errors) : current.headers,
    ordering: has('ordering') ? patch.ordering! : current.ordering,
    autoDisable: Object.prototype.hasOwnProperty.call(patch, 'auto_disable') ? autoDisableFrom(patch.auto_disable ?? null) : current.autoDisable,
    updatedAt: ctx.nowMs,
  };
  // A patch that narrows event_types must not leave supersede naming types no longer subscribed.
  next.supersede = checkSupersede(has('supersede') ? patch.supersede! : current.supersede, next.eventTypes, errors);
  if (errors.length > 0) throw validationError(errors);
  return next;
}

/** The route schema checked the ranges (a 400 naming auto_disable.after_failures or .after_hours). */
function autoDisableFrom(input: WebhookIn['auto_disable'] | null): AutoDisablePolicy | null {
  if (!input) return null;
  return { afterFailures: input.after_failures, afterHours: input.after_hours ?? 0 };
}

function checkName(name: string, errors: FieldError[]): string {
  if (name.trim().length === 0) errors.push({ field: 'name', message: 'name must contain a visible character' });
  return name;
}

async function checkUrl(raw: string, ctx: InputContext, errors: FieldError[]): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    errors.push({ field: 'url', message: `url must be an absolute http or https URL such as https://crm.example.com/hooks (got "${raw.slice(0, 100)}")` });
    return raw;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    errors.push({ field: 'url', message: `url must use http or https (got "${url.protocol.replace(':', '')}")` });
  } else if (url.username || url.password) {
    errors.push({ field: 'url', message: 'url must not carry a user name or password; use auth {"type": "basic"} instead' });
  } else if (!ctx.allowPrivateTargets) {
    const blocked = await checkTarget(url);
    if (blocked) errors.push({ field: 'url', message: `url is not allowed: ${blocked}` });
  }
  return raw;
}

type AuthInput = NonNullable<WebhookIn['auth']>;

function checkAuth(input: AuthInput, current: WebhookAuth | undefined, errors: FieldError[]): WebhookAuth {
  const same = current?.type === input.type ? current : undefined;
  switch (input.type) {
    case 'none':
      return { type: 'none' };
    case 'basic': {
      const username = input.username ?? (same?.type === 'basic' ? same.username : undefined);
      const password = input.password ?? (same?.type === 'basic' ? same.password : undefined);
      if (!username) errors.push({ field: 'auth.username', message: 'auth.username is required for basic auth' });
      else if (username.includes(':')) errors.push({ field: 'auth.username', message: 'auth.username must not contain ":"' });
      if (!password) errors.push({ field: 'auth.password', message: 'auth.password is required for basic auth' });
      return { type: 'basic', username: username ?? '', password: password ?? '' };
    }
    case 'jwt': {
      const secret = input.secret ?? (same?.type === 'jwt' ? same.secret : undefined);
      if (!secret) errors.push({ field: 'auth.secret', message: 'auth.secret is required for jwt auth (the HS256 key; 32+ random characters advised)' });
      return { type: 'jwt', secret: secret ?? '' };
    }
    case 'signature': {
      if (input.secret === undefined) {
        return same?.type === 'signature' ? same : { type: 'signature', secret: generateSignatureSecret() };
      }
      if (!isSignatureSecret(input.secret)) {
        errors.push({
          field: 'auth.secret',
          message: 'auth.secret must be "whsec_" followed by the base64 of 24 to 64 random bytes; omit it to have one generated',
        });
      }
      return { type: 'signature', secret: input.secret };
    }
  }
}

export function isSignatureSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

function checkEventTypes(types: string[], errors: FieldError[]): string[] {
  const unknown = types.filter((t) => !findEventType(t));
  if (unknown.length > 0) {
    errors.push({
      field: 'event_types',
      message: `event_types has unknown types: ${unknown.map((t) => JSON.stringify(t)).join(', ')}; GET /v1/event-types lists the valid ones`,
    });
  }
  return [...new Set(types)];
}

/** API.md §10: supersede lists some of the webhook's own event types. */
function checkSupersede(types: string[], eventTypes: string[], errors: FieldError[]): string[] {
  const unknown = types.filter((t) => !findEventType(t));
  const unsubscribed = types.filter((t) => findEventType(t) && !eventTypes.includes(t));
  if (unknown.length > 0) {
    errors.push({
      field: 'supersede',
      message: `supersede has unknown types: ${unknown.map((t) => JSON.stringify(t)).join(', ')}; list some of the webhook's event_types`,
    });
  }
  if (unsubscribed.length > 0) {
    errors.push({
      field: 'supersede',
      message: `supersede names types the webhook does not subscribe to: ${unsubscribed.map((t) => JSON.stringify(t)).join(', ')}; add them to event_types or remove them from supersede`,
    });
  }
  return [...new Set(types)];
}

function checkFilterField(filter: Record<string, unknown> | null, errors: FieldError[]): Record<string, unknown> | null {
  if (filter === null) return null;
  errors.push(...checkFilter(filter));
  return Object.keys(filter).length === 0 ? null : filter;
}

function checkHeaders(headers: Record<string, string>, errors: FieldError[]): Record<string, string> {
  const names = Object.keys(headers);
  if (names.length > MAX_HEADERS) errors.push({ field: 'headers', message: `headers may have at most ${MAX_HEADERS} entries` });
  const seen = new Set<string>();
  for (const name of names) {
    const field = `headers.${name}`;
    if (!HEADER_NAME.test(name)) errors.push({ field, message: `${field}: "${name}" is not a valid header name` });
    else if (RESERVED_HEADER.test(name)) errors.push({ field, message: `${field}: "${name}" is reserved; Herald sets it itself` });
    else if (seen.has(name.toLowerCase())) errors.push({ field, message: `${field}: "${name}" appears twice (header names ignore case)` });
    else if (/[\r\n\0]/.test(headers[name])) errors.push({ field, message: `${field}: the value must not contain line breaks` });
    seen.add(name.toLowerCase());
  }
  return headers;
}
