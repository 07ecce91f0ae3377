// Scopes of API keys (API.md §8), as pure rules: which scope a route needs, what a set of granted
// scopes allows, and which combinations a key may be created with.

export const SCOPES = ['admin', 'manage', 'read', 'ingest'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * What a route declares it needs. `tenant` is "any valid key acting in this tenant" (a tenant's
 * own keys may read their tenant, whatever their scope).
 */
export type RouteScope = Scope | 'tenant';

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/**
 * Whether keys with `granted` scopes may call a route needing `required`. `admin` may do
 * everything; `manage` every tenant route (so also `read` and `ingest` ones); `read` only read
 * routes; `ingest` only ingestion.
 */
export function allows(granted: readonly Scope[], required: RouteScope): boolean {
  if (granted.includes('admin')) return true;
  if (required === 'admin') return false;
  if (required === 'tenant') return granted.length > 0;
  if (granted.includes('manage')) return true;
  return granted.includes(required);
}

/**
 * The problem with a key's scopes and tenant, or null when they go together: `admin` keys act in
 * every tenant and must not name one; the other scopes act in one tenant and must name it.
 */
export function scopeProblem(scopes: readonly string[], hasTenant: boolean): { field: 'scopes' | 'tenant_id'; message: string } | null {
  if (scopes.length === 0) return { field: 'scopes', message: `scopes must name at least one of ${SCOPES.join(', ')}` };
  const unknown = scopes.find((s) => !isScope(s));
  if (unknown !== undefined) return { field: 'scopes', message: `scope "${unknown.slice(0, 40)}" is unknown; use ${SCOPES.join(', ')}` };
  const isAdmin = scopes.includes('admin');
  if (isAdmin && hasTenant) return { field: 'tenant_id', message: 'an admin key acts in every tenant: leave tenant_id out, or choose manage, read or ingest' };
  if (!isAdmin && !hasTenant) return { field: 'tenant_id', message: 'manage, read and ingest keys act in one tenant: name it in tenant_id' };
  return null;
}
