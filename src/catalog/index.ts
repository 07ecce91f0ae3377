// The event catalog (API.md §3): pure data, no project imports.
import { BADGE_EVENT_TYPES } from './badge.ts';
import { HERALD_EVENT_TYPES } from './herald.ts';
import { JOURNEY_EVENT_TYPES } from './journey.ts';
import { POINT_BALANCE_EVENT_TYPES } from './point-balance.ts';
import { REWARD_EVENT_TYPES } from './reward.ts';
import type { EventTypeDef, Feed } from './types.ts';
import { USER_EVENT_TYPES } from './user.ts';

export type { Envelope, EventTypeDef, Feed, FeedId, JsonSchema } from './types.ts';

export const SCHEMA_VERSION = '1.0.0';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// Freezing the per-feed arrays too, so nothing reachable from this module stays mutable.
export const CATALOG: readonly EventTypeDef[] = deepFreeze(
  deepFreeze([
    USER_EVENT_TYPES,
    BADGE_EVENT_TYPES,
    REWARD_EVENT_TYPES,
    JOURNEY_EVENT_TYPES,
    POINT_BALANCE_EVENT_TYPES,
    HERALD_EVENT_TYPES,
  ]).flat(),
);

const feed = (id: Feed['id'], label: string): Feed => ({
  id,
  label,
  event_types: CATALOG.filter((t) => t.feed === id).map((t) => t.event_type),
});

export const FEEDS: readonly Feed[] = deepFreeze([
  feed('user', 'User'),
  feed('badge', 'Badge'),
  feed('reward', 'Reward'),
  feed('journey', 'Journey'),
  feed('point_balance', 'Point Balance'),
  feed('herald', 'Herald'),
]);

const BY_TYPE: ReadonlyMap<string, EventTypeDef> = new Map(CATALOG.map((t) => [t.event_type, t]));

export function findEventType(eventType: string): EventTypeDef | undefined {
  return BY_TYPE.get(eventType);
}

/** The `herald` feed's types are emitted by Herald only: never accepted from clients (API.md §9). */
export function isOperationalType(eventType: string): boolean {
  return findEventType(eventType)?.feed === 'herald' || eventType.startsWith('herald.');
}
