// The two keys Herald needs at start: the secret key (encrypts endpoint secrets) and the admin
// API key (only its hash is kept).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/ports.ts';
import { generateApiKey, hashApiKey } from './api/auth.ts';

/** HERALD_SECRET_KEY, or (embedded mode) the key file beside the SQLite file, made on first start. */
export async function resolveSecretKey(config: Config, opened: { sqlitePath?: string }, log: Logger): Promise<string> {
  if (config.secretKey) return config.secretKey;
  if (!opened.sqlitePath || opened.sqlitePath === ':memory:') return randomBytes(32).toString('base64');
  const path = `${opened.sqlitePath}.secret-key`;
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  log.info({ path }, 'generated HERALD_SECRET_KEY into a key file (mode 0600); back it up with the database');
  return key;
}

/** The hashes of the keys /v1 accepts: HERALD_API_KEY's, else the stored one (generated once). */
export async function resolveApiKeyHashes(config: Config, store: Store): Promise<string[]> {
  if (config.apiKey) return [hashApiKey(config.apiKey)];
  const stored = await store.getMeta('api_key_hash');
  if (stored) return [stored];
  const key = generateApiKey();
  const kept = await store.ensureMeta('api_key_hash', hashApiKey(key));
  if (kept === hashApiKey(key)) {
    process.stdout.write(
      [
        '',
        '=====================================================================',
        ' Herald generated an admin API key. It is shown only this once;',
        ' only its hash is stored. Use it as "Authorization: Bearer <key>".',
        `   HERALD_API_KEY=${key}`,
        '=====================================================================',
        '',
      ].join('\n') + '\n',
    );
  }
  return [kept];
}
