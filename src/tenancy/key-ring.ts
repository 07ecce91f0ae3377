// Who is calling: a bearer key resolved to its scopes and tenant (API.md §8). The admin key
// (HERALD_API_KEY or the generated one) acts in every tenant; every other key is a row of the
// store, kept here by hash. The ring is reloaded when the store's access revision moves, which
// is checked at most `maxStalenessMs` apart (1 s): a key revoked by any process is refused by
// every process within about a second. `last_used_at` is written in batches, at most once a
// minute per key. Imports only domain/; the store comes in as the AccessSource port.
import { timingSafeEqual } from 'node:crypto';
import { DEFAULT_TENANT, isTenantId, type TenantId } from '../domain/ids.ts';
import type { Scope } from '../domain/scopes.ts';
import { hashApiKey, matchApiKey } from './api-keys.ts';
import { looksLikeJwt, type PortalTokens } from './portal-tokens.ts';

export interface KeyRecord {
  id: string;
  scopes: Scope[];
  tenantId: TenantId | null;
  keyHash: string;
  revokedAt: number | null;
}

/** What the ring needs from the store (the Store port has all of it). */
export interface AccessSource {
  accessRevision(): Promise<number>;
  activeApiKeys(): Promise<KeyRecord[]>;
  listTenants(query: { afterId?: string; limit: number }): Promise<Array<{ id: TenantId }>>;
  touchApiKeys(ids: string[], nowMs: number): Promise<void>;
}

export interface Principal {
  kind: 'admin' | 'key' | 'portal';
  /** The api_keys row; null for the admin key of HERALD_API_KEY and for portal sessions. */
  keyId: string | null;
  scopes: Scope[];
  /** The tenant a tenant key is bound to; null for admin keys (they choose with Herald-Tenant). */
  tenantId: TenantId | null;
  /** What HERALD_RATE_LIMIT counts by: the key's hash. */
  rateKey: string;
  /** When a portal session ends (ms since the epoch); null for keys. */
  expiresAt: number | null;
}

export type TenantChoice =
  | { ok: true; tenant: TenantId; mustExist: boolean }
  | { ok: false; reason: 'malformed' | 'other_tenant' };

/**
 * The tenant a request acts in: a tenant key's own (a Herald-Tenant naming another is refused),
 * else the Herald-Tenant header, else `default`.
 */
export function chooseTenant(principal: Principal, header: string | undefined): TenantChoice {
  if (principal.tenantId !== null) {
    if (header !== undefined && header !== principal.tenantId) return { ok: false, reason: 'other_tenant' };
    return { ok: true, tenant: principal.tenantId, mustExist: false };
  }
  if (header === undefined) return { ok: true, tenant: DEFAULT_TENANT, mustExist: false };
  if (!isTenantId(header)) return { ok: false, reason: 'malformed' };
  return { ok: true, tenant: header, mustExist: true };
}

const TOUCH_EVERY_MS = 60_000;
const FLUSH_AFTER_MS = 1_000;
const TENANT_PAGE = 1_000;

export class KeyRing {
  #byHash = new Map<string, KeyRecord>();
  #tenants = new Set<string>();
  #revision = -1;
  #checkedAt = 0;
  #loading: Promise<void> | null = null;
  #touchedAt = new Map<string, number>();
  #toTouch = new Set<string>();
  #flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly source: AccessSource,
    /** SHA-256 hex of the admin keys; read live (the generated key is added after start). */
    private readonly adminHashes: readonly string[],
    private readonly maxStalenessMs = 1000,
    /** Portal session tokens: checked by signature, no lookup (a deleted tenant's are refused). */
    private readonly portal: PortalTokens | null = null,
  ) {}

  /** The caller of `key`, or null when no live key matches. */
  async authenticate(key: string, nowMs = Date.now()): Promise<Principal | null> {
    const admin = matchApiKey(key, this.adminHashes);
    if (admin) return { kind: 'admin', keyId: null, scopes: ['admin'], tenantId: null, rateKey: admin, expiresAt: null };
    const hash = hashApiKey(key);
    if (this.portal && looksLikeJwt(key)) {
      const claims = await this.portal.verify(key);
      if (!claims || !(await this.tenantExists(claims.tenant, nowMs))) return null;
      return { kind: 'portal', keyId: null, scopes: claims.scopes, tenantId: claims.tenant, rateKey: hash, expiresAt: claims.expiresAtMs };
    }
    await this.#fresh(nowMs);
    let record = this.#find(hash);
    // Made a moment ago by another process? The revision says so at once.
    if (!record && (await this.#recheck())) record = this.#find(hash);
    if (!record) return null;
    this.#touch(record.id, nowMs);
    return { kind: 'key', keyId: record.id, scopes: record.scopes, tenantId: record.tenantId, rateKey: record.keyHash, expiresAt: null };
  }

  /** Whether a tenant exists (checked against the store when this ring has not seen it). */
  async tenantExists(id: string, nowMs = Date.now()): Promise<boolean> {
    await this.#fresh(nowMs);
    if (this.#tenants.has(id)) return true;
    return (await this.#recheck()) && this.#tenants.has(id);
  }

  /** After a change made by this process: reload now. */
  async invalidate(): Promise<void> {
    this.#revision = -1;
    this.#checkedAt = 0;
    await this.#fresh(Date.now());
  }

  /** Writes the pending last_used_at updates. */
  async close(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    await this.#flush().catch(() => {});
  }

  #find(hash: string): KeyRecord | undefined {
    const record = this.#byHash.get(hash);
    if (!record) return undefined;
    // The map is indexed by hash; the final check is constant-time all the same.
    return timingSafeEqual(Buffer.from(record.keyHash, 'hex'), Buffer.from(hash, 'hex')) ? record : undefined;
  }

  async #fresh(nowMs: number): Promise<void> {
    if (nowMs - this.#checkedAt < this.maxStalenessMs) return;
    await this.#load();
  }

  /** Checks the revision now; true when the ring was reloaded. */
  async #recheck(): Promise<boolean> {
    const before = this.#revision;
    await this.#load();
    return this.#revision !== before;
  }

  async #load(): Promise<void> {
    this.#loading ??= this.#reload().finally(() => {
      this.#loading = null;
    });
    await this.#loading;
  }

  async #reload(): Promise<void> {
    const checkedAt = Date.now();
    const revision = await this.source.accessRevision();
    if (revision !== this.#revision) {
      const keys = await this.source.activeApiKeys();
      const tenants = new Set<string>();
      for (let afterId: string | undefined; ; ) {
        const page = await this.source.listTenants({ afterId, limit: TENANT_PAGE });
        for (const t of page) tenants.add(t.id);
        if (page.length < TENANT_PAGE) break;
        afterId = page[page.length - 1].id;
      }
      this.#byHash = new Map(keys.filter((k) => k.revokedAt === null).map((k) => [k.keyHash, k]));
      this.#tenants = tenants;
      this.#revision = revision;
    }
    this.#checkedAt = checkedAt;
  }

  #touch(id: string, nowMs: number): void {
    const last = this.#touchedAt.get(id);
    if (last !== undefined && nowMs - last < TOUCH_EVERY_MS) return;
    this.#touchedAt.set(id, nowMs);
    this.#toTouch.add(id);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = null;
      void this.#flush().catch(() => {});
    }, FLUSH_AFTER_MS).unref();
  }

  async #flush(): Promise<void> {
    if (this.#toTouch.size === 0) return;
    const ids = [...this.#toTouch];
    this.#toTouch.clear();
    await this.source.touchApiKeys(ids, Date.now());
  }
}
