// The event catalog: GET /v1/event-types (API.md section 3) and how ingestion uses its schemas.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { assertInvalid } from './support.ts';

const CATALOG: Record<string, string[]> = {
  user: ['user.created', 'user.updated'],
  badge: ['badge.awarded'],
  reward: ['reward.awarded', 'reward.expired', 'reward.low_coupon_alert'],
  journey: ['journey.in_progress', 'journey.completed', 'journey.abandoned'],
  point_balance: ['point_balance.user_updated', 'point_balance.group_updated'],
  // API.md §9: Herald's own operational events (clients cannot send them).
  herald: ['herald.webhook.failing', 'herald.webhook.disabled', 'herald.delivery.exhausted'],
};
const ALL_TYPES = Object.values(CATALOG).flat();

let h: Herald;
let types: any[];
/** The types a client may send: every feed but herald. */
let clientTypes: any[];

before(async () => {
  h = await startHerald();
  const response = await h.api('GET', '/v1/event-types');
  assert.equal(response.status, 200, response.text);
  types = response.body.data;
  clientTypes = types.filter((t) => t.feed !== 'herald');
});
after(async () => {
  await h?.stop();
});

/** Dotted paths of every typed leaf property of a JSON Schema, with its type(s). */
function leaves(schema: any, prefix = 'data'): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  for (const [key, sub] of Object.entries<any>(schema?.properties ?? {})) {
    const path = `${prefix}.${key}`;
    const typeList = [sub.type].flat().filter(Boolean);
    if (typeList.includes('object') && sub.properties) out.push(...leaves(sub, path));
    else if (typeList.length > 0) out.push([path, typeList]);
  }
  return out;
}

/** A value that contradicts every type in `typeList`. */
function wrongValueFor(typeList: string[]): unknown {
  if (!typeList.includes('object')) return { wrong: true };
  return 12345;
}

function setPath(target: any, path: string, value: unknown): void {
  const parts = path.split('.').slice(1);
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts[parts.length - 1]] = value;
}

describe('GET /v1/event-types', () => {
  it('lists exactly the 14 catalog types (11 of section 3, 3 herald types of section 9) with their feed and event', () => {
    assert.deepEqual(types.map((t) => t.event_type).sort(), [...ALL_TYPES].sort());
    for (const type of types) {
      const [feed, event] = [type.event_type.slice(0, type.event_type.indexOf('.')), type.event_type.slice(type.event_type.indexOf('.') + 1)];
      assert.equal(type.feed, feed, type.event_type);
      assert.equal(type.event, event, type.event_type);
      assert.ok(CATALOG[feed].includes(type.event_type));
    }
  });

  it('gives every type a description, an object schema for data, and a full example envelope', () => {
    for (const type of types) {
      assert.equal(typeof type.description, 'string');
      assert.ok(type.description.length > 10, `${type.event_type} description`);
      assert.equal(type.schema?.type, 'object', `${type.event_type} schema is the JSON Schema of data`);
      assert.ok(leaves(type.schema).length > 0, `${type.event_type} schema names no field`);
      const example = type.example;
      assert.equal(example.event_type, type.event_type);
      assert.match(example.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      assert.ok(!Number.isNaN(Date.parse(example.event_timestamp)), `${type.event_type} event_timestamp`);
      assert.equal(typeof example.schema_version, 'string');
      assert.ok('user_id' in example, `${type.event_type} example lacks user_id`);
      assert.equal(typeof example.data, 'object');
      assert.ok(example.data !== null && !Array.isArray(example.data));
    }
  });

  it('carries the spec sample for reward.awarded', () => {
    const example = types.find((t) => t.event_type === 'reward.awarded').example;
    assert.equal(typeof example.data.awarded_reward.reward_id, 'string');
    assert.equal(typeof example.data.awarded_reward.member_id, 'string');
  });

  it('needs the API key', async () => {
    assert.equal((await fetch(h.baseUrl + '/v1/event-types')).status, 401);
  });
});

describe('ingestion against the catalog schemas', () => {
  it('accepts every example data as is, and an empty data object for every type', async () => {
    for (const type of clientTypes) {
      const full = await h.api('POST', '/v1/events', { event_type: type.event_type, data: type.example.data });
      assert.equal(full.status, 202, `${type.event_type}: ${full.text}`);
      const empty = await h.api('POST', '/v1/events', { event_type: type.event_type, data: {} });
      assert.equal(empty.status, 202, `${type.event_type} with {}: ${empty.text}`);
    }
  });

  it('keeps fields the schema does not name', async () => {
    const data = { awarded_reward: { reward_id: 'R', custom: { deep: [1, 2] } }, tenant: 'acme' };
    const response = await h.api('POST', '/v1/events', { event_type: 'reward.awarded', data });
    assert.equal(response.status, 202);
    assert.deepEqual((await h.api('GET', `/v1/events/${response.body.event_id}`)).body.data, data);
  });

  it('rejects a named field of the wrong type, naming its path, for every field of every type', async () => {
    const wronglyAccepted: string[] = [];
    for (const type of clientTypes) {
      for (const [path, typeList] of leaves(type.schema)) {
        const data = structuredClone(type.example.data);
        setPath(data, path, wrongValueFor(typeList));
        const response = await h.api('POST', '/v1/events', { event_type: type.event_type, data });
        if (response.status === 202) wronglyAccepted.push(`${type.event_type} ${path}`);
        else assertInvalid(response, path);
      }
    }
    assert.deepEqual(wronglyAccepted, []);
  });

  it('accepts null only where the schema allows it', async () => {
    const wronglyAccepted: string[] = [];
    for (const type of clientTypes) {
      for (const [path, typeList] of leaves(type.schema)) {
        const data = structuredClone(type.example.data);
        setPath(data, path, null);
        const response = await h.api('POST', '/v1/events', { event_type: type.event_type, data });
        if (typeList.includes('null')) assert.equal(response.status, 202, `${type.event_type} ${path}: ${response.text}`);
        else if (response.status === 202) wronglyAccepted.push(`${type.event_type} ${path}`);
        else assertInvalid(response, path);
      }
    }
    assert.deepEqual(wronglyAccepted, []);
  });
});

describe('the herald feed', () => {
  it('is listed as a feed with its three types', async () => {
    const response = await h.api('GET', '/v1/event-types');
    const feed = response.body.feeds.find((f: any) => f.id === 'herald');
    assert.deepEqual(feed?.event_types, CATALOG.herald);
    const failing = types.find((t) => t.event_type === 'herald.webhook.failing');
    assert.deepEqual(Object.keys(failing.example.data).sort(), ['consecutive_failures', 'delivery_id', 'error', 'event_id', 'webhook_id', 'webhook_name']);
  });

  it('cannot be sent by clients, alone or in a batch (400 naming event_type)', async () => {
    for (const type of CATALOG.herald.concat(['herald.anything'])) {
      const response = await h.api('POST', '/v1/events', { event_type: type, data: {} });
      assertInvalid(response, 'event_type');
      assert.match(response.body.error.details[0].message, /herald/);
    }
    const batch = await h.api('POST', '/v1/events/batch', { events: [{ event_type: 'herald.webhook.failing', data: {} }, { event_type: 'user.created', data: {} }] });
    assert.ok(batch.status < 300, batch.text);
    assert.deepEqual(batch.body.data.map((r: any) => r.status), [400, 202]);
  });
});
