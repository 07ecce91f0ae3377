// The two keys Herald needs at start: the secret key (encrypts endpoint secrets) and the admin
// API key (only its hash is kept).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/ports.ts';
import { generateApiKey, hashApiKey } from './tenancy/api-keys.ts';

export interface SecretKey {
  key: string;
  /** For the start-up summary: where the key came from. */
  source: 'configured' | 'key file' | 'generated into key file' | 'random, for this in-memory database';
}

/** HERALD_SECRET_KEY, or (embedded mode) the key file beside the SQLite file, made on first start. */
export async function resolveSecretKey(config: Config, opened: { sqlitePath?: string }, log: Logger): Promise<SecretKey> {
  if (config.secretKey) return { key: config.secretKey, source: 'configured' };
  if (!opened.sqlitePath || opened.sqlitePath === ':memory:') {
    return { key: randomBytes(32).toString('base64'), source: 'random, for this in-memory database' };
  }
  const path = `${opened.sqlitePath}.secret-key`;
  try {
    return { key: readFileSync(path, 'utf8').trim(), source: 'key file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  log.info({ path }, 'generated HERALD_SECRET_KEY into a key file (mode 0600); back it up with the database');
  return { key, source: 'generated into key file' };
}

export interface AdminKeys {
  /** The hashes /v1 accepts. Live: generateIfMissing() adds the generated key's hash. */
  readonly hashes: string[];
  /** For the start-up summary. */
  readonly source: 'configured' | 'stored (hash)' | 'none yet: generated and printed once Herald is up' | 'not used (worker role)';
  /**
   * Call once Herald listens: with no configured or stored key, generate one, store its hash and
   * print it once. A start that fails earlier stores nothing, so no key is lost unseen.
   */
  generateIfMissing(): Promise<void>;
}

/** HERALD_API_KEY's hash, else the stored one; a missing key is generated only after listen. */
export async function prepareAdminKeys(config: Config, store: Store, log: Logger, out: NodeJS.WritableStream = process.stdout): Promise<AdminKeys> {
  const idle = async () => {};
  if (config.role === 'worker') return { hashes: [], source: 'not used (worker role)', generateIfMissing: idle };
  if (config.apiKey) return { hashes: [hashApiKey(config.apiKey)], source: 'configured', generateIfMissing: idle };
  const stored = await store.getMeta('api_key_hash');
  if (stored) return { hashes: [stored], source: 'stored (hash)', generateIfMissing: idle };
  const hashes: string[] = [];
  return {
    hashes,
    source: 'none yet: generated and printed once Herald is up',
    async generateIfMissing() {
      const key = generateApiKey();
      const kept = await store.ensureMeta('api_key_hash', hashApiKey(key));
      hashes.push(kept);
      if (kept === hashApiKey(key)) out.write(keyBanner(key));
      else log.info('another Herald process generated the admin API key first and printed it; this one accepts it too');
    },
  };
}

function keyBanner(key: string): string {
  return [
    '',
    '=====================================================================',
    ' Herald generated an admin API key. It is shown only this once;',
    ' only its hash is stored. Use it as "Authorization: Bearer <key>".',
    `   HERALD_API_KEY=${key}`,
    ' Lost it? Restart with HERALD_API_KEY set to a key of your own',
    ' (8-512 printable characters): it is accepted instead.',
    '=====================================================================',
    '',
    '',
  ].join('\n');
}
