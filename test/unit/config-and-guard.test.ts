import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { isPrivateAddress, checkTarget } from '../../src/net/target-guard.ts';
import { decodeCursor, encodeCursor, parseDateRange } from '../../src/api/listing.ts';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    assert.deepEqual([c.port, c.host, c.databaseUrl, c.allowPrivateTargets, c.rateLimitPerMinute, c.role], [8080, '127.0.0.1', 'sqlite:./data/herald.db', false, undefined, 'all']);
  });

  it('reads env and mirrors it with CLI flags', () => {
    const c = loadConfig({ PORT: '9000', HERALD_RATE_LIMIT: '120', HERALD_ALLOW_PRIVATE_TARGETS: 'true' }, ['--host', '0.0.0.0']);
    assert.deepEqual([c.port, c.host, c.rateLimitPerMinute, c.allowPrivateTargets], [9000, '0.0.0.0', 120, true]);
  });

  it('names the variable and what is allowed for a bad value', () => {
    assert.throws(() => loadConfig({ PORT: 'abc' }), (e: Error) => e instanceof ConfigError && /PORT/.test(e.message) && /0 to 65535/.test(e.message));
    assert.throws(() => loadConfig({ HERALD_ALLOW_PRIVATE_TARGETS: 'maybe' }), /HERALD_ALLOW_PRIVATE_TARGETS must be true or false/);
    assert.throws(() => loadConfig({ HERALD_DATABASE_URL: 'mysql://x' }), /HERALD_DATABASE_URL/);
    assert.throws(() => loadConfig({ HERALD_DATABASE_URL: 'postgres://localhost/db' }), /HERALD_SECRET_KEY is required/);
    assert.throws(() => loadConfig({ HERALD_SECRET_KEY: 'short' }), /at least 16/);
    assert.throws(() => loadConfig({ HERALD_RATE_LIMIT: '-1' }), /HERALD_RATE_LIMIT/);
    assert.throws(() => loadConfig({}, ['--nope']), /Known flags/);
  });
});

describe('target guard', () => {
  it('knows private, special and public addresses', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.0.1', '169.254.1.1', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd12::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::1]']) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of ['8.8.8.8', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });

  it('checks URL hosts, including names', async () => {
    assert.match((await checkTarget(new URL('http://0x7f.1/')))!, /blocked/);
    assert.match((await checkTarget(new URL('http://LOCALHOST./')))!, /blocked/);
    assert.equal(await checkTarget(new URL('https://8.8.8.8/')), null);
  });
});

describe('list helpers', () => {
  it('parse whole UTC days inclusively and ISO timestamps', () => {
    const errors: { field: string; message: string }[] = [];
    assert.deepEqual(parseDateRange('2026-11-28', '2026-11-28', errors), { from: Date.parse('2026-11-28T00:00:00.000Z'), to: Date.parse('2026-11-28T23:59:59.999Z') });
    assert.deepEqual(parseDateRange('2026-11-28T12:00:00+01:00', undefined, errors), { from: Date.parse('2026-11-28T11:00:00Z'), to: undefined });
    assert.equal(errors.length, 0);
    parseDateRange('2026-02-30', 'yesterday', errors);
    assert.deepEqual(errors.map((e) => e.field), ['start_date', 'end_date']);
  });

  it('round-trip cursors and reject garbage', () => {
    const errors: { field: string; message: string }[] = [];
    const isId = (id: string) => id.startsWith('wh_');
    assert.equal(decodeCursor(encodeCursor('wh_ABC'), isId, errors), 'wh_ABC');
    assert.equal(decodeCursor('garbage!', isId, errors), undefined);
    assert.equal(decodeCursor(encodeCursor('dlv_X'), isId, errors), undefined);
    assert.deepEqual(errors.map((e) => e.field), ['cursor', 'cursor']);
  });
});
