// Starting Herald as a user does: --help, bad settings, the start-up summary, a start that fails
// (one line on stderr, exit 1), and the admin key generated on first start only once Herald is up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startHerald, TEST_STORE } from '../helpers/herald.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { settingList } from '../../src/config.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx src/main.ts` to its exit (for starts that must fail, and --help). */
function runToExit(env: Record<string, string>, args: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), HERALD_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

function summaryOf(logs: string): Record<string, unknown> {
  const line = logs.split('\n').find((l) => l.includes('"msg":"starting Herald"'));
  assert.ok(line, `a start-up summary line in:\n${logs}`);
  return JSON.parse(line);
}

const printedKeys = (logs: string) => [...logs.matchAll(/HERALD_API_KEY=(\S+)/g)].map((m) => m[1]);

describe('start-up', () => {
  it('--help prints every variable with its flag, default and meaning, and exits 0', async () => {
    const run = await runToExit({}, ['--help']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: npm start -- /);
    for (const { meta } of settingList()) {
      const block = run.stdout.slice(run.stdout.indexOf(`  ${meta.env}`));
      assert.ok(run.stdout.includes(`  ${meta.env}`), `${meta.env} is listed`);
      if (meta.flag) assert.ok(block.startsWith(`  ${meta.env}, --${meta.flag} `), `${meta.env} shows --${meta.flag}`);
      assert.match(block.split(/\n {2}\S/)[0], /\n {6}default: \S/, `${meta.env} shows its default`);
    }
    assert.match(run.stdout, /HERALD_LEASE_SECONDS, --lease-seconds <n>\n(?: {6}.*\n)*? {6}accepts: a whole number from 5 to 3600\n {6}default: 60\n/);
  });

  it('a bad value: exit 1 and one line naming the variable and what it accepts', async () => {
    for (const [env, expected] of [
      [{ PORT: 'eighty' }, /^herald: PORT must be a whole number from 0 to 65535 \(got "eighty"\)$/],
      [{ HERALD_ALLOW_PRIVATE_TARGETS: 'yes' }, /^herald: HERALD_ALLOW_PRIVATE_TARGETS must be true or false \(got "yes"\)$/],
    ] as const) {
      const run = await runToExit(env);
      assert.equal(run.code, 1, JSON.stringify(env));
      assert.match(run.stderr.trimEnd(), expected);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, `one line: ${run.stderr}`);
    }
  });

  it('the start-up summary lists every setting, secrets only by where they came from', async () => {
    const h = await startHerald({ env: { HERALD_LOG_FORMAT: 'json', HERALD_LEASE_SECONDS: '30' } });
    try {
      const summary = summaryOf(h.logs());
      for (const { meta } of settingList()) {
        const key = meta.env.replace(/^HERALD_/, '').toLowerCase();
        assert.ok(key in summary, `the summary has ${key}`);
      }
      assert.equal(summary.lease_seconds, 30);
      assert.equal(summary.poll_interval_ms, 1000);
      assert.equal(summary.shutdown_grace_seconds, 10);
      assert.equal(summary.log_level, 'info');
      assert.equal(summary.log_format, 'json');
      assert.equal(summary.api_key, 'configured');
      assert.ok(!h.logs().includes(h.apiKey), 'the key itself is never logged');
    } finally {
      await h.stop();
    }
  });

  describe('first start', () => {
    let portHolder: Server;
    let takenPort: number;
    let database: TestDatabase | undefined;
    let dataDir: string;
    let databaseUrl: string;

    before(async () => {
      portHolder = createServer();
      await new Promise<void>((resolve) => portHolder.listen(0, '127.0.0.1', resolve));
      takenPort = (portHolder.address() as { port: number }).port;
      dataDir = mkdtempSync(join(tmpdir(), 'herald-first-start-'));
      database = TEST_STORE === 'postgres' ? await createTestDatabase() : undefined;
      databaseUrl = database?.url ?? `sqlite:${join(dataDir, 'herald.db')}`;
    });
    after(async () => {
      await new Promise((resolve) => portHolder.close(resolve));
      await database?.drop();
    });

    it('a start that cannot listen exits 1 with one line and stores no key; the next start prints one that works, a restart prints none', async () => {
      const secretKey: Record<string, string> = TEST_STORE === 'postgres' ? { HERALD_SECRET_KEY: 'test-secret-key-0123456789abcdef' } : {};
      const failed = await runToExit({ PORT: String(takenPort), HOST: '127.0.0.1', HERALD_DATABASE_URL: databaseUrl, HERALD_API_KEY: '', ...secretKey });
      assert.equal(failed.code, 1, failed.stderr);
      assert.equal(
        failed.stderr.trimEnd(),
        `herald: port ${takenPort} on 127.0.0.1 is already in use (stop the process that holds it, or choose another port with PORT or --port)`,
      );
      assert.deepEqual(printedKeys(failed.stdout), [], 'no key was printed by the failed start');
      assert.equal(summaryOf(failed.stdout).api_key, 'none yet: generated and printed once Herald is up');

      const first = await startHerald({ dataDir, databaseUrl, env: { HERALD_API_KEY: '', ...secretKey } });
      let key: string;
      try {
        const keys = printedKeys(first.logs());
        assert.equal(keys.length, 1, 'the key is printed once');
        key = keys[0];
        const ok = await fetch(`${first.baseUrl}/v1/webhooks`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(ok.status, 200, 'the printed key works: the failed start stored none of its own');
        const wrong = await fetch(`${first.baseUrl}/v1/webhooks`, { headers: { authorization: 'Bearer test-api-key-0123456789' } });
        assert.equal(wrong.status, 401);
      } finally {
        await first.stop();
      }

      const again = await startHerald({ dataDir, databaseUrl, env: { HERALD_API_KEY: '', ...secretKey } });
      try {
        assert.deepEqual(printedKeys(again.logs()), [], 'a restart prints no key');
        assert.equal(summaryOf(again.logs()).api_key, 'stored (hash)');
        const ok = await fetch(`${again.baseUrl}/v1/webhooks`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(ok.status, 200);
      } finally {
        await again.stop();
      }
    });
  });
});
