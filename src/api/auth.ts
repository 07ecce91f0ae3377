// Authentication and authorisation in one hook (API.md §8): the bearer key resolved to its scopes
// and tenant (tenancy/key-ring.ts), the per-key rate limit, the scope each route declares in its
// config (`config: { scope }`), and the tenant the request acts in (`request.tenant`).
import type { FastifyInstance } from 'fastify';
import { AppError, validationError } from '../domain/errors.ts';
import { DEFAULT_TENANT, type TenantId } from '../domain/ids.ts';
import { allows, type RouteScope } from '../domain/scopes.ts';
import { chooseTenant, type KeyRing, type Principal } from '../tenancy/key-ring.ts';
import { sendError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a /v1 route needs; a /v1 route without one is admin-only (and fails the route-table test). */
    scope?: RouteScope;
  }
  interface FastifyRequest {
    /** The tenant this request acts in (every store call takes it). */
    tenant: TenantId;
    /** Who is calling (set on every authenticated /v1 request). */
    principal: Principal;
  }
  interface FastifyInstance {
    /** Every route as registered, with the scope it declares (the route-table test walks it). */
    routeTable: RouteEntry[];
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  scope: RouteScope | undefined;
}

/** Counts requests per key and fixed one-minute window; true while under the limit. */
export interface RateLimiter {
  hit(key: string, windowStartMs: number): Promise<number>;
}

export class MemoryRateLimiter implements RateLimiter {
  #window = 0;
  #counts = new Map<string, number>();

  async hit(key: string, windowStartMs: number): Promise<number> {
    if (windowStartMs !== this.#window) {
      this.#window = windowStartMs;
      this.#counts.clear();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count;
  }
}

export interface AuthOptions {
  keys: KeyRing;
  rateLimitPerMinute?: number;
  rateLimiter: RateLimiter;
}

export const TENANT_HEADER = 'herald-tenant';

const isV1 = (path: string) => path.startsWith('/v1/') || path === '/v1';

/** Call before any route is registered: the route table is collected as routes are added. */
export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.decorateRequest('tenant', DEFAULT_TENANT);
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      table.push({ method: method.toUpperCase(), url: route.url, scope: (route.config as { scope?: RouteScope } | undefined)?.scope });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    // The route the router matched, not the raw URL: "/%76%31/webhooks" and "http://host/v1/webhooks"
    // reach /v1 routes too. Unmatched paths fall back to the raw URL (an unknown /v1 path is a 401).
    const routeUrl = request.routeOptions.url;
    const path = routeUrl ?? request.url;
    if (!isV1(path)) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const principal = match ? await options.keys.authenticate(match[1]) : null;
    if (!principal) {
      return sendError(reply, new AppError('unauthorized', 'Send an API key as "Authorization: Bearer <key>" (HERALD_API_KEY, a key made with POST /v1/api-keys that is not revoked, or a portal session token that has not expired).'));
    }
    request.principal = principal;

    if (options.rateLimitPerMinute !== undefined) {
      const now = Date.now();
      const windowStart = now - (now % 60_000);
      const count = await options.rateLimiter.hit(principal.rateKey, windowStart);
      if (count > options.rateLimitPerMinute) {
        reply.header('retry-after', String(Math.ceil((windowStart + 60_000 - now) / 1000)));
        return sendError(reply, new AppError('rate_limited', `More than ${options.rateLimitPerMinute} requests this minute with this key; retry after the time in the Retry-After header.`));
      }
    }

    // An unmatched path has no scope to check: it answers 404 (or 405) below.
    if (routeUrl !== undefined) {
      const required = request.routeOptions.config.scope ?? 'admin';
      if (!allows(principal.scopes, required)) {
        return sendError(reply, new AppError('forbidden', `This key has scope ${principal.scopes.join(', ')}; ${request.method} ${routeUrl} needs ${required === 'tenant' ? 'a key of this tenant' : `scope ${required}`} (or admin).`));
      }
    }

    const header = request.headers[TENANT_HEADER];
    const choice = chooseTenant(principal, typeof header === 'string' ? header : undefined);
    if (!choice.ok) {
      if (choice.reason === 'other_tenant') {
        return sendError(reply, new AppError('forbidden', `This key acts in tenant "${principal.tenantId}" only; leave out the Herald-Tenant header or send "${principal.tenantId}".`));
      }
      return sendError(reply, validationError([{ field: 'Herald-Tenant', message: 'Herald-Tenant must be a tenant id matching ^[a-z0-9][a-z0-9_-]{0,62}$ (or be left out for "default")' }]));
    }
    if (choice.mustExist && !(await options.keys.tenantExists(choice.tenant))) {
      return sendError(reply, new AppError('not_found', `No tenant with id "${choice.tenant}" (Herald-Tenant); GET /v1/tenants lists them.`));
    }
    request.tenant = choice.tenant;
  });
}
