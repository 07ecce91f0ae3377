// The settings schema (src/config.ts) and what is made from it: validation cases, --help, the
// summary and the README's table; one-line start failures; the pretty log format; API key checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ConfigError, configSummary, defaultDeliveryThreads, loadConfig, settingList, wantsHelp } from '../../src/config.ts';
import { configTable, usage, withConfigTable } from '../../src/config-help.ts';
import { prettyLine } from '../../src/log.ts';
import { describeStartFailure } from '../../src/start-failure.ts';
import { generateApiKey, hashApiKey, matchApiKey } from '../../src/tenancy/api-keys.ts';

const refuses = (env: Record<string, string>, message: RegExp, argv: string[] = []) =>
  assert.throws(() => loadConfig(env, argv), (e: Error) => e instanceof ConfigError && message.test(e.message), `${JSON.stringify(env)} ${argv}`);

describe('config schema', () => {
  it('defaults every setting', () => {
    const c = loadConfig({});
    assert.deepEqual(
      { ...c },
      {
        port: 8080,
        portalFrameAncestors: '',
        host: '127.0.0.1',
        databaseUrl: 'sqlite:./data/herald.db',
        allowPrivateTargets: false,
        rateLimitPerMinute: undefined,
        role: 'all',
        logLevel: 'info',
        logFormat: 'json',
        concurrency: 512,
        webhookConcurrency: 64,
        deliveryThreads: defaultDeliveryThreads(),
        leaseSeconds: 60,
        pollIntervalMs: 1000,
        retentionDays: 30,
        shutdownGraceSeconds: 10,
      },
    );
    assert.ok(Object.isFrozen(c));
  });

  it('sizes the delivery threads from the cores unless told; 0 sends on the main thread', () => {
    assert.equal(defaultDeliveryThreads(), Math.max(1, availableParallelism() - 1));
    assert.equal(loadConfig({ HERALD_DELIVERY_THREADS: '0' }).deliveryThreads, 0);
    assert.equal(loadConfig({}, ['--delivery-threads', '3']).deliveryThreads, 3);
    refuses({ HERALD_DELIVERY_THREADS: '65' }, /HERALD_DELIVERY_THREADS must be a whole number from 0 to 64 \(got "65"\)/);
  });

  it('defaults the log format to pretty on a terminal, json elsewhere; the variable wins', () => {
    assert.equal(loadConfig({}, [], { isTty: true }).logFormat, 'pretty');
    assert.equal(loadConfig({}, [], { isTty: false }).logFormat, 'json');
    assert.equal(loadConfig({ HERALD_LOG_FORMAT: 'json' }, [], { isTty: true }).logFormat, 'json');
    assert.equal(loadConfig({}, ['--log-format', 'pretty']).logFormat, 'pretty');
  });

  it('has a flag for every setting but the secrets, and a flag overrides its variable', () => {
    for (const { meta } of settingList()) assert.equal(meta.flag === undefined, meta.isSecret === true, meta.env);
    const c = loadConfig({ HERALD_LEASE_SECONDS: '30' }, ['--lease-seconds', '90', '--poll-interval-ms', '50', '--shutdown-grace-seconds', '0', '--role', 'worker']);
    assert.deepEqual([c.leaseSeconds, c.pollIntervalMs, c.shutdownGraceSeconds, c.role], [90, 50, 0, 'worker']);
    refuses({}, /Unknown option '--api-key'.*Known flags: --port/, ['--api-key', 'x']);
  });

  it('takes booleans as the words true and false only', () => {
    assert.equal(loadConfig({ HERALD_ALLOW_PRIVATE_TARGETS: 'true' }).allowPrivateTargets, true);
    assert.equal(loadConfig({ HERALD_ALLOW_PRIVATE_TARGETS: 'false' }).allowPrivateTargets, false);
    for (const value of ['yes', 'no', '1', '0', 'TRUE', 'on']) {
      refuses({ HERALD_ALLOW_PRIVATE_TARGETS: value }, new RegExp(`^HERALD_ALLOW_PRIVATE_TARGETS must be true or false \\(got "${value}"\\)$`));
    }
  });

  it('reads the rate limit as off, 0 (off) or a number of requests', () => {
    assert.equal(loadConfig({ HERALD_RATE_LIMIT: 'off' }).rateLimitPerMinute, undefined);
    assert.equal(loadConfig({ HERALD_RATE_LIMIT: '0' }).rateLimitPerMinute, undefined);
    assert.equal(loadConfig({ HERALD_RATE_LIMIT: '120' }).rateLimitPerMinute, 120);
    for (const value of ['-1', '1.5', 'many', '1000001']) refuses({ HERALD_RATE_LIMIT: value }, /^HERALD_RATE_LIMIT must be off, or a whole number from 1 to 1000000/);
  });

  it('reads HERALD_RETENTION_DAYS as a number of days, decimals allowed, 0 keeping everything', () => {
    assert.equal(loadConfig({}).retentionDays, 30);
    assert.equal(loadConfig({ HERALD_RETENTION_DAYS: '0' }).retentionDays, 0);
    assert.equal(loadConfig({ HERALD_RETENTION_DAYS: '0.00002' }).retentionDays, 0.00002);
    assert.equal(loadConfig({ HERALD_RETENTION_DAYS: '.5' }).retentionDays, 0.5);
    assert.equal(loadConfig({}, ['--retention-days', '7']).retentionDays, 7);
    for (const value of ['-1', 'forever', '1e3', '36501', '1,5']) {
      refuses({ HERALD_RETENTION_DAYS: value }, /^HERALD_RETENTION_DAYS must be a number of days from 0 to 36500, decimals allowed/);
    }
  });

  it('checks every integer against its range, and treats an empty variable as unset', () => {
    refuses({ HERALD_LEASE_SECONDS: '4' }, /^HERALD_LEASE_SECONDS must be a whole number from 5 to 3600 \(got "4"\)$/);
    refuses({ HERALD_POLL_INTERVAL_MS: '1e3' }, /^HERALD_POLL_INTERVAL_MS must be a whole number from 10 to 60000/);
    refuses({ HERALD_SHUTDOWN_GRACE_SECONDS: '601' }, /HERALD_SHUTDOWN_GRACE_SECONDS must be a whole number from 0 to 600/);
    refuses({ HERALD_CONCURRENCY: '0' }, /HERALD_CONCURRENCY must be a whole number from 1 to 10000/);
    refuses({ PORT: ' 80' }, /PORT must be a whole number from 0 to 65535/);
    assert.equal(loadConfig({ PORT: '', HERALD_ROLE: '' }).port, 8080);
  });

  it('names each bad variable once, with what it accepts', () => {
    refuses({ HERALD_ROLE: 'boss' }, /^HERALD_ROLE must be one of all, api, worker \(got "boss"\)$/);
    refuses({ HERALD_LOG_LEVEL: 'loud' }, /^HERALD_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent/);
    refuses({ HERALD_DATABASE_URL: 'mysql://x' }, /^HERALD_DATABASE_URL must be "sqlite:<path>" or "postgres:\/\/user@host:port\/db" \(got "mysql:\/\/x"\)$/);
    refuses({ PORT: 'x', HERALD_ROLE: 'y' }, /^PORT must be .*; HERALD_ROLE must be one of/);
    refuses({ HERALD_DATABASE_URL: 'postgres://localhost/db' }, /HERALD_SECRET_KEY is required/);
  });

  it('never repeats a secret in an error, nor a database password', () => {
    refuses({ HERALD_SECRET_KEY: 'short' }, /^HERALD_SECRET_KEY must be at least 16 characters \(generate one with: openssl rand -base64 32\)$/);
    refuses({ HERALD_API_KEY: 'has space inside' }, /^HERALD_API_KEY must be 8 to 512 printable characters without spaces$/);
    refuses({ HERALD_DATABASE_URL: 'mysql://u:hunter2@db/x' }, /got "mysql:\/\/u:\*\*\*@db\/x"/);
  });

  it('summarises every setting, keyed by its variable, secrets only by source', () => {
    const config = loadConfig({ HERALD_API_KEY: 'abcdefgh-secret', HERALD_SECRET_KEY: '0123456789abcdef-x', HERALD_DATABASE_URL: 'postgres://u:hunter2@db:5432/x' });
    const summary = configSummary(config, { apiKey: 'configured', secretKey: 'configured' });
    assert.deepEqual(Object.keys(summary), settingList().map(({ meta }) => meta.env.replace(/^HERALD_/, '').toLowerCase()));
    assert.equal(summary.database_url, 'postgres://u:***@db:5432/x');
    assert.equal(summary.rate_limit, 'off');
    assert.ok(!JSON.stringify(summary).includes('abcdefgh-secret') && !JSON.stringify(summary).includes('0123456789abcdef-x'));
  });

  it('makes --help and the README table from the same schema', () => {
    assert.ok(wantsHelp(['--help']) && wantsHelp(['-h']) && !wantsHelp(['--port', '1']));
    const text = usage();
    const table = configTable();
    for (const { meta } of settingList()) {
      assert.ok(text.includes(meta.env) && table.includes(`\`${meta.env}\``), meta.env);
      assert.ok(text.includes(meta.description.slice(0, 30)), `${meta.env}: meaning in --help`);
    }
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.equal(withConfigTable(readme), readme, 'README.md configuration table is out of date: run npm run docs:config');
  });
});

describe('start failures', () => {
  const config = { port: 8080, host: '127.0.0.1', databaseUrl: 'postgres://herald:pw@db:5432/herald' };
  const withCode = (code: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(`${code} happened\n    at somewhere`), { code, ...fields });

  it('say what failed and how to fix it, in one line without secrets', () => {
    const cases: [unknown, RegExp][] = [
      [withCode('EADDRINUSE', { syscall: 'listen' }), /^port 8080 on 127.0.0.1 is already in use \(.*PORT or --port\)$/],
      [withCode('EACCES', { syscall: 'listen' }), /^no permission to listen on 127.0.0.1:8080 \(/],
      [withCode('EADDRNOTAVAIL', { syscall: 'listen' }), /HOST or --host/],
      [withCode('ECONNREFUSED'), /^cannot reach PostgreSQL at postgres:\/\/herald:\*\*\*@db:5432\/herald \(start the server, or fix HERALD_DATABASE_URL\)$/],
      [withCode('3D000'), /\(create it, e\.g\. createdb/],
      [new ConfigError('HERALD_SECRET_KEY does not match'), /^HERALD_SECRET_KEY does not match$/],
      [new Error('boom\nat line 2'), /^could not start: boom at line 2 \(HERALD_LOG_LEVEL=debug logs the stack\)$/],
    ];
    for (const [error, expected] of cases) {
      const line = describeStartFailure(error, config);
      assert.match(line, expected);
      assert.ok(!line.includes('\n') && !line.includes('pw@'), line);
    }
  });
});

describe('pretty logs', () => {
  it('print time, level, message and fields on one line, an error stack below', () => {
    const time = Date.parse('2026-11-28T12:34:56.789Z');
    assert.equal(
      prettyLine({ level: 30, time, service: 'herald', pid: 1, hostname: 'h', msg: 'Herald is ready', role: 'all', owner: 'vm:1 x', count: 3 }),
      '12:34:56.789 INFO  Herald is ready role=all owner="vm:1 x" count=3',
    );
    const line = prettyLine({ level: 50, time, msg: 'failed', err: { message: 'm', stack: 'Error: m\n    at f' } });
    assert.equal(line, '12:34:56.789 ERROR failed\n    Error: m\n        at f');
  });
});

describe('api keys', () => {
  it('match a key against hashes in constant time, and refuse any other', () => {
    const key = generateApiKey();
    assert.match(key, /^hk_[A-Za-z0-9_-]{32}$/);
    const hashes = [hashApiKey('another-key'), hashApiKey(key)];
    assert.equal(matchApiKey(key, hashes), hashApiKey(key));
    assert.equal(matchApiKey(`${key}x`, hashes), null);
    assert.equal(matchApiKey(key, []), null);
    assert.equal(matchApiKey(key, ['not-hex']), null);
  });
});
