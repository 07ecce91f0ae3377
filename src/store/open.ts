// Picks the store adapter from HERALD_DATABASE_URL.
import type { Store } from './ports.ts';
import { openSqliteStore } from './sqlite/open.ts';
import { CHANNELS, openPostgresStore } from './postgres/open.ts';

export interface OpenedStore {
  store: Store;
  /** Embedded mode: the database file (the secret key file lives beside it). */
  sqlitePath?: string;
  /** Tell worker processes that deliveries are due (a hint; polling finds them anyway). */
  notifyWork?: () => void;
  onWork?: (listener: () => void) => void;
  onConfigChange?: (listener: () => void) => void;
  rateLimiter?: { hit(key: string, windowStartMs: number): Promise<number> };
}

export async function openStore(databaseUrl: string): Promise<OpenedStore> {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    const store = await openSqliteStore(path);
    await store.releaseAllLeases();
    return { store, sqlitePath: path };
  }
  const store = await openPostgresStore(databaseUrl);
  return {
    store,
    notifyWork: () => void store.notifyWork().catch(() => {}),
    onWork: (listener) => store.notifier.on(CHANNELS.work, listener),
    onConfigChange: (listener) => store.notifier.on(CHANNELS.config, listener),
    rateLimiter: store,
  };
}
