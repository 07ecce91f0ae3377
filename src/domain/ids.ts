// Prefixed, time-sortable ids: `wh_` + 10 chars of time + 12 chars of randomness (Crockford base32).
// Sorting ids as strings sorts them by creation time, so "newest first" is ORDER BY id DESC.
import { randomBytes } from 'node:crypto';

export type WebhookId = string & { readonly __brand: 'WebhookId' };
export type DeliveryId = string & { readonly __brand: 'DeliveryId' };
export type EventId = string & { readonly __brand: 'EventId' };
/** A tenant (API.md §8): the platform's own brand or site id, or a generated `tn_…`. */
export type TenantId = string & { readonly __brand: 'TenantId' };
export type ApiKeyId = string & { readonly __brand: 'ApiKeyId' };

/** The tenant that always exists: everything done without choosing a tenant happens in it. */
export const DEFAULT_TENANT = 'default' as TenantId;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 12;

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return [...randomBytes(RANDOM_LENGTH)].map((b) => b % 32);
}

/** Monotonic within one process: ids made in the same millisecond still sort in order. */
function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] < 31) {
      next[i]++;
      return next;
    }
    next[i] = 0;
  }
  return freshRandom();
}

function sortableId(nowMs: number): string {
  if (nowMs <= lastTime) {
    lastRandom = increment(lastRandom);
    nowMs = lastTime;
  } else {
    lastTime = nowMs;
    lastRandom = freshRandom();
  }
  return encodeTime(nowMs) + lastRandom.map((d) => ALPHABET[d]).join('');
}

export function newWebhookId(nowMs = Date.now()): WebhookId {
  return `wh_${sortableId(nowMs)}` as WebhookId;
}

export function newDeliveryId(nowMs = Date.now()): DeliveryId {
  return `dlv_${sortableId(nowMs)}` as DeliveryId;
}

/** Tenant ids are lowercase (`^[a-z0-9][a-z0-9_-]{0,62}$`), so the generated one is too. */
export function newTenantId(nowMs = Date.now()): TenantId {
  return `tn_${sortableId(nowMs).toLowerCase()}` as TenantId;
}

export function newApiKeyId(nowMs = Date.now()): ApiKeyId {
  return `key_${sortableId(nowMs)}` as ApiKeyId;
}

/** The smallest id suffix of a given time: every id made at or after `ms` sorts >= this. */
export function idFloor(prefix: 'wh_' | 'dlv_', ms: number): string {
  return `${prefix}${encodeTime(Math.max(0, ms))}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function isWebhookId(value: string): value is WebhookId {
  return /^wh_[0-9A-Z]{22}$/.test(value);
}

export function isDeliveryId(value: string): value is DeliveryId {
  return /^dlv_[0-9A-Z]{22}$/.test(value);
}

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function isTenantId(value: string): value is TenantId {
  return TENANT_ID.test(value);
}

export function isApiKeyId(value: string): value is ApiKeyId {
  return /^key_[0-9A-Z]{22}$/.test(value);
}
