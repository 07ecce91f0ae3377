// Secrets and passwords are encrypted in the database file, never echoed, never logged; the key
// file is private; a wrong HERALD_SECRET_KEY is refused at start.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startHerald, ROOT, TEST_STORE, type Herald } from '../helpers/herald.ts';
import { dumpDatabase } from '../helpers/postgres.ts';
import { createWebhook } from '../helpers/fixtures.ts';

const JWT_SECRET = 'jwt-secret-that-must-not-leak-4242';
const PASSWORD = 'basic-password-that-must-not-leak-4242';
const SIGNATURE_SECRET = `whsec_${Buffer.from('signature-secret-must-not-leak!!').toString('base64')}`;

/** The database's content as an attacker with the files (SQLite) or a dump (PostgreSQL) sees it. */
async function storedBytes(h: Herald): Promise<Buffer> {
  if (TEST_STORE === 'postgres') return Buffer.from(await dumpDatabase(h.databaseUrl));
  const files = [h.dbPath, `${h.dbPath}-wal`].filter(existsSync);
  assert.ok(files.length > 0);
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

describe('secrets at rest', () => {
  let h: Herald;

  before(async () => {
    h = await startHerald();
  });
  after(async () => {
    await h.stop();
  });

  it('keeps secrets out of responses, the database file and the logs', async () => {
    const jwt = await createWebhook(h, { url: 'http://127.0.0.1:9/a', auth: { type: 'jwt', secret: JWT_SECRET } });
    const basic = await createWebhook(h, { url: 'http://127.0.0.1:9/b', auth: { type: 'basic', username: 'crm-user', password: PASSWORD } });
    const signature = await createWebhook(h, { url: 'http://127.0.0.1:9/c', auth: { type: 'signature', secret: SIGNATURE_SECRET } });
    assert.deepEqual(jwt.auth, { type: 'jwt', secret_hint: `…${JWT_SECRET.slice(-4)}` });
    assert.deepEqual(basic.auth, { type: 'basic', username: 'crm-user' });
    assert.deepEqual(signature.auth, { type: 'signature', secret_hint: `…${SIGNATURE_SECRET.slice(-4)}` });
    const rotated = await h.api('POST', `/v1/webhooks/${signature.id}/secret/rotate`);
    const list = await h.api('GET', '/v1/webhooks');
    for (const secret of [JWT_SECRET, PASSWORD, SIGNATURE_SECRET, rotated.body.secret]) {
      assert.ok(!list.text.includes(secret), 'no secret in the list response');
    }
    await h.stop();
    const stored = await storedBytes(h);
    for (const secret of [JWT_SECRET, PASSWORD, SIGNATURE_SECRET, rotated.body.secret, SIGNATURE_SECRET.slice(6)]) {
      assert.equal(stored.indexOf(secret), -1, 'secret found in plaintext in the database');
    }
    assert.notEqual(stored.indexOf('crm-user'), -1, 'the test reads the real data (the user name is stored plainly)');
    for (const secret of [JWT_SECRET, PASSWORD, SIGNATURE_SECRET, rotated.body.secret]) {
      assert.ok(!h.logs().includes(secret), 'secret found in the logs');
    }
    h = await startHerald({ dataDir: h.dataDir });
    const readBack = await h.api('GET', `/v1/webhooks/${jwt.id}/secret`);
    assert.equal(readBack.body.secret, JWT_SECRET, 'secrets survive a restart (the key file is reused)');
  });

  it('refuses a second process on the same SQLite file', { skip: TEST_STORE !== 'sqlite' }, async () => {
    await assert.rejects(startHerald({ dataDir: h.dataDir }), /in use by another Herald process/);
  });

  it('writes the generated key file with mode 0600', { skip: TEST_STORE !== 'sqlite' && 'PostgreSQL mode requires HERALD_SECRET_KEY' }, () => {
    const mode = statSync(`${h.dbPath}.secret-key`).mode & 0o777;
    assert.equal(mode, 0o600);
  });

  it('refuses to start with a different HERALD_SECRET_KEY than the database was made with', async () => {
    await h.stop();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HERALD_DATABASE_URL: h.databaseUrl, HERALD_SECRET_KEY: 'a-completely-different-key-123456', HERALD_API_KEY: 'whatever-key' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /HERALD_SECRET_KEY does not match/);
  });
});
