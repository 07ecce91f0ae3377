import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CATALOG, FEEDS, SCHEMA_VERSION, findEventType } from '../src/catalog/index.ts';

// ajv and ajv-formats are CommonJS: under NodeNext the default import is typed as the module
// object (export on `.default`); at runtime it may be the export itself, which also has `.default`.
const interop = <T>(mod: { default: T }): T => mod.default ?? (mod as unknown as T);
const Ajv2020 = interop(Ajv2020Module);
const addFormats = interop(addFormatsModule);

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);

const validate = (eventType: string, data: unknown) => {
  const def = findEventType(eventType);
  assert.ok(def, `unknown event type ${eventType}`);
  const fn = ajv.compile(def.schema);
  return { ok: fn(data), errors: fn.errors };
};

const API_TYPES = [
  'user.created',
  'user.updated',
  'badge.awarded',
  'reward.awarded',
  'reward.expired',
  'reward.low_coupon_alert',
  'journey.in_progress',
  'journey.completed',
  'journey.abandoned',
  'point_balance.user_updated',
  'point_balance.group_updated',
  // API.md §9: the sixth feed, Herald's own operational events.
  'herald.webhook.failing',
  'herald.webhook.disabled',
  'herald.delivery.exhausted',
];

test('catalog holds exactly the 14 API.md event types (11 of §3, 3 of §9), in order', () => {
  assert.deepEqual(
    CATALOG.map((t) => t.event_type),
    API_TYPES,
  );
  for (const t of CATALOG) {
    assert.equal(`${t.feed}.${t.event}`, t.event_type);
    assert.ok(t.description.length > 20, `${t.event_type} has a description`);
    assert.equal(findEventType(t.event_type), t);
  }
});

test('feeds have the spec labels and their event types', () => {
  assert.deepEqual(
    FEEDS.map((f) => [f.id, f.label, f.event_types]),
    [
      ['user', 'User', ['user.created', 'user.updated']],
      ['badge', 'Badge', ['badge.awarded']],
      ['reward', 'Reward', ['reward.awarded', 'reward.expired', 'reward.low_coupon_alert']],
      ['journey', 'Journey', ['journey.in_progress', 'journey.completed', 'journey.abandoned']],
      ['point_balance', 'Point Balance', ['point_balance.user_updated', 'point_balance.group_updated']],
      ['herald', 'Herald', ['herald.webhook.failing', 'herald.webhook.disabled', 'herald.delivery.exhausted']],
    ],
  );
});

test('every example is a full envelope whose data validates against its schema', () => {
  const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const ids = new Set<string>();
  for (const t of CATALOG) {
    const ex = t.example;
    assert.equal(ex.event_type, t.event_type);
    assert.match(ex.event_id, uuidV4, `${t.event_type} event_id`);
    ids.add(ex.event_id);
    assert.match(ex.event_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(ex.schema_version, SCHEMA_VERSION);
    assert.ok(ex.user_id === null || typeof ex.user_id === 'string');
    const { ok, errors } = validate(t.event_type, ex.data);
    assert.ok(ok, `${t.event_type}: ${JSON.stringify(errors)}`);
  }
  assert.equal(ids.size, CATALOG.length, 'event_ids are distinct');
});

test('every example fills every property its schema names', () => {
  const check = (schema: Record<string, any>, value: unknown, path: string) => {
    if (!schema.properties) return;
    assert.ok(value && typeof value === 'object', `${path} is an object`);
    for (const [key, sub] of Object.entries<Record<string, any>>(schema.properties)) {
      assert.ok(key in (value as object), `${path}.${key} present in example`);
      check(sub, (value as Record<string, unknown>)[key], `${path}.${key}`);
    }
  };
  for (const t of CATALOG) check(t.schema, t.example.data, t.event_type);
});

test('a named field of the wrong type fails validation', () => {
  const r = validate('reward.awarded', { awarded_reward: { reward_id: 5 } });
  assert.equal(r.ok, false);
  assert.equal(r.errors?.[0]?.instancePath, '/awarded_reward/reward_id');
  assert.equal(validate('badge.awarded', { awarded_badge: { is_expired: 'no' } }).ok, false);
  assert.equal(validate('badge.awarded', { awarded_badge: { awarded_at: 'yesterday' } }).ok, false);
  assert.equal(validate('reward.low_coupon_alert', { coupon_inventory: { remaining_coupons: 1.5 } }).ok, false);
});

test('missing fields and unknown extra fields are accepted', () => {
  assert.ok(validate('reward.awarded', {}).ok);
  assert.ok(validate('reward.awarded', { awarded_reward: { reward_id: 'REW-1', extra: { x: 1 } }, other: true }).ok);
  assert.ok(validate('reward.awarded', { awarded_reward: { note: null } }).ok);
  assert.ok(validate('badge.awarded', { awarded_badge: { expiry_date: null } }).ok);
});

test('no schema contains required or additionalProperties: false', () => {
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    assert.ok(!('required' in obj), `${path} has required`);
    assert.notEqual(obj.additionalProperties, false, `${path} has additionalProperties: false`);
    for (const [k, v] of Object.entries(obj)) walk(v, `${path}.${k}`);
  };
  for (const t of CATALOG) walk(t.schema, t.event_type);
});

test('every schema property has a description', () => {
  const walk = (schema: Record<string, any>, path: string) => {
    for (const [key, sub] of Object.entries<Record<string, any>>(schema.properties ?? {})) {
      assert.equal(typeof sub.description, 'string', `${path}.${key} description`);
      walk(sub, `${path}.${key}`);
    }
  };
  for (const t of CATALOG) walk(t.schema, t.event_type);
});

test('findEventType returns undefined for unknown types', () => {
  assert.equal(findEventType('nope'), undefined);
  assert.equal(findEventType('reward'), undefined);
});

test('everything exported is deeply frozen', () => {
  assert.ok(Object.isFrozen(CATALOG) && Object.isFrozen(FEEDS));
  const reward = findEventType('reward.awarded')!;
  assert.ok(Object.isFrozen(reward.schema.properties));
  assert.ok(Object.isFrozen((reward.example.data as any).awarded_reward));
  assert.ok(Object.isFrozen(FEEDS[0].event_types));
  assert.throws(() => {
    (reward as any).event_type = 'x';
  }, TypeError);
});
