// The store contract on the embedded SQLite adapter (a real file in a temp dir).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SqliteDatabase from 'better-sqlite3';
import { storeContract } from './contract.ts';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
  const store = await openSqliteStore(join(dir, "herald.db"));
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite file: incremental auto-vacuum (retention reuses freed space)', () => {
  const autoVacuum = (path: string) => {
    const db = new SqliteDatabase(path, { readonly: true });
    try {
      return Number(db.pragma('auto_vacuum', { simple: true }));
    } finally {
      db.close();
    }
  };

  it('is on in a new file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
    const path = join(dir, 'herald.db');
    const store = await openSqliteStore(path);
    await store.close();
    assert.equal(autoVacuum(path), 2, 'INCREMENTAL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is switched on (one VACUUM) in a small file created without it, keeping its rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
    const path = join(dir, 'herald.db');
    const old = new SqliteDatabase(path);
    old.exec("CREATE TABLE keepsake (x TEXT); INSERT INTO keepsake VALUES ('still here')");
    old.close();
    assert.equal(autoVacuum(path), 0);
    const store = await openSqliteStore(path);
    await store.close();
    assert.equal(autoVacuum(path), 2);
    const db = new SqliteDatabase(path, { readonly: true });
    assert.deepEqual(db.prepare('SELECT x FROM keepsake').all(), [{ x: 'still here' }]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
