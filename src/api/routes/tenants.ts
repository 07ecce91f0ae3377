// /v1/tenants and /v1/api-keys (API.md §8): the admin's routes for programs (brands) and the
// keys their back offices and event producers use. A tenant's own keys may read their tenant.
import Type from 'typebox';
import { AppError, notFound, validationError, type FieldError } from '../../domain/errors.ts';
import { DEFAULT_TENANT, isApiKeyId, isTenantId, newApiKeyId, newTenantId, type TenantId } from '../../domain/ids.ts';
import { scopeProblem, type Scope } from '../../domain/scopes.ts';
import { TenantTakenError, type ApiKeyRow, type TenantRow } from '../../store/ports.ts';
import { generateApiKey, hashApiKey } from '../../tenancy/api-keys.ts';
import type { Api, ApiDeps } from '../deps.ts';
import { decodeCursor, page } from '../listing.ts';
import { iso, isoOrNull } from '../presenters.ts';
import { errorsFor } from '../openapi.ts';
import { ApiKeyCreatedOut, ApiKeyIn, ApiKeyListQuery, ApiKeyOut, IdParams, MeOut, Page, PortalSessionIn, PortalSessionOut, TenantIn, TenantListQuery, TenantOut, TenantPatch } from '../schemas.ts';
import { PORTAL_SCOPES, PORTAL_TTL, type PortalScope } from '../../tenancy/portal-tokens.ts';

const tenantTags = ['Tenants'];
const keyTags = ['API keys'];
const admin = { scope: 'admin' } as const;

const tenantOut = (t: TenantRow) => ({ id: t.id, name: t.name, created_at: iso(t.createdAt) });

const apiKeyOut = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  tenant_id: k.tenantId,
  created_at: iso(k.createdAt),
  last_used_at: isoOrNull(k.lastUsedAt),
});

const malformedTenant = (field: string, value: string): FieldError => ({
  field,
  message: `${field} must match ^[a-z0-9][a-z0-9_-]{0,62}$ (lowercase letters, digits, "_" and "-"; got "${value.slice(0, 70)}")`,
});

export function tenantRoutes(app: Api, deps: ApiDeps & { onAccessChanged: () => Promise<void> }): void {
  const { store } = deps;

  app.post(
    '/v1/tenants',
    { config: admin, schema: { tags: tenantTags, operationId: 'createTenant', summary: 'Create a tenant (a program or brand)', body: TenantIn, response: { 201: TenantOut, ...errorsFor('body', 'conflict') } } },
    async (request, reply) => {
      const id = request.body.id ?? newTenantId();
      if (!isTenantId(id)) throw validationError([malformedTenant('id', id)]);
      const row: TenantRow = { id, name: request.body.name, createdAt: Date.now() };
      try {
        await store.insertTenant(row);
      } catch (error) {
        if (error instanceof TenantTakenError) {
          throw new AppError('conflict', `A tenant with id "${id}" already exists; choose another id.`, [{ field: 'id', message: `id "${id}" is taken` }]);
        }
        throw error;
      }
      await deps.onAccessChanged();
      return reply.code(201).send(tenantOut(row));
    },
  );

  app.get(
    '/v1/tenants',
    { config: admin, schema: { tags: tenantTags, operationId: 'listTenants', summary: 'List tenants by id', querystring: TenantListQuery, response: { 200: Page(TenantOut), ...errorsFor('query') } } },
    async (request) => {
      const problems: FieldError[] = [];
      const afterId = decodeCursor(request.query.cursor, isTenantId, problems);
      if (problems.length > 0) throw validationError(problems);
      const limit = request.query.limit ?? 50;
      const rows = await store.listTenants({ afterId, limit: limit + 1 });
      return page(rows, limit, tenantOut);
    },
  );

  /** The tenant, when this caller may see it: a tenant key sees only its own (others are 404). */
  async function visibleTenant(principalTenant: TenantId | null, id: string): Promise<TenantRow> {
    if (principalTenant !== null && principalTenant !== id) throw notFound('tenant', id);
    const row = isTenantId(id) ? await store.getTenant(id) : undefined;
    if (!row) throw notFound('tenant', id);
    return row;
  }

  app.get(
    '/v1/tenants/:id',
    { config: { scope: 'tenant' }, schema: { tags: tenantTags, operationId: 'getTenant', summary: "Read a tenant (admin, or the tenant's own keys)", params: IdParams, response: { 200: TenantOut, ...errorsFor('id') } } },
    async (request) => tenantOut(await visibleTenant(request.principal.tenantId, request.params.id)),
  );

  app.patch(
    '/v1/tenants/:id',
    { config: admin, schema: { tags: tenantTags, operationId: 'updateTenant', summary: 'Rename a tenant', params: IdParams, body: TenantPatch, response: { 200: TenantOut, ...errorsFor('id', 'body') } } },
    async (request) => {
      await visibleTenant(null, request.params.id);
      const row = await store.renameTenant(request.params.id, request.body.name);
      if (!row) throw notFound('tenant', request.params.id);
      return tenantOut(row);
    },
  );

  app.delete(
    '/v1/tenants/:id',
    {
      config: admin,
      schema: { tags: tenantTags, operationId: 'deleteTenant', summary: 'Delete a tenant with its events and deliveries, revoking its keys (409 while it has webhooks)', params: IdParams, response: { 204: Type.Null(), ...errorsFor('id', 'conflict') } },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (id === DEFAULT_TENANT) throw new AppError('conflict', 'The tenant "default" always exists and cannot be deleted.');
      const result = isTenantId(id) ? await store.deleteTenant(id, Date.now()) : 'not_found';
      if (result === 'not_found') throw notFound('tenant', id);
      if (result === 'has_webhooks') throw new AppError('conflict', `Tenant "${id}" still has webhooks; delete them first (DELETE /v1/webhooks/{id} with "Herald-Tenant: ${id}").`);
      await deps.onAccessChanged();
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/api-keys',
    { config: admin, schema: { tags: keyTags, operationId: 'createApiKey', summary: 'Create an API key; the key is shown only in this answer', body: ApiKeyIn, response: { 201: ApiKeyCreatedOut, ...errorsFor('body', 'lookup') } } },
    async (request, reply) => {
      const { name, scopes, tenant_id: tenantId } = request.body;
      const unique = [...new Set(scopes)];
      const problem = scopeProblem(unique, tenantId !== undefined);
      if (problem) throw validationError([problem]);
      if (tenantId !== undefined) {
        if (!isTenantId(tenantId)) throw validationError([malformedTenant('tenant_id', tenantId)]);
        if (!(await store.getTenant(tenantId))) throw notFound('tenant', tenantId);
      }
      const key = generateApiKey();
      const row: ApiKeyRow = {
        id: newApiKeyId(),
        name,
        scopes: unique as Scope[],
        tenantId: (tenantId ?? null) as TenantId | null,
        keyHash: hashApiKey(key),
        createdAt: Date.now(),
        lastUsedAt: null,
        revokedAt: null,
      };
      await store.insertApiKey(row);
      await deps.onAccessChanged();
      return reply.code(201).send({ ...apiKeyOut(row), key });
    },
  );

  app.get(
    '/v1/api-keys',
    { config: admin, schema: { tags: keyTags, operationId: 'listApiKeys', summary: 'List API keys (without the keys), newest first', querystring: ApiKeyListQuery, response: { 200: Page(ApiKeyOut), ...errorsFor('query') } } },
    async (request) => {
      const q = request.query;
      const problems: FieldError[] = [];
      const beforeId = decodeCursor(q.cursor, isApiKeyId, problems);
      if (q.tenant_id !== undefined && !isTenantId(q.tenant_id)) problems.push(malformedTenant('tenant_id', q.tenant_id));
      if (problems.length > 0) throw validationError(problems);
      const limit = q.limit ?? 50;
      const rows = await store.listApiKeys({ tenantId: q.tenant_id as TenantId | undefined, beforeId, limit: limit + 1 });
      return page(rows, limit, apiKeyOut);
    },
  );

  app.delete(
    '/v1/api-keys/:id',
    { config: admin, schema: { tags: keyTags, operationId: 'deleteApiKey', summary: 'Revoke an API key (every process refuses it within 2 s)', params: IdParams, response: { 204: Type.Null(), ...errorsFor('id') } } },
    async (request, reply) => {
      const { id } = request.params;
      if (!isApiKeyId(id) || !(await store.revokeApiKey(id, Date.now()))) throw notFound('API key', id);
      await deps.onAccessChanged();
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/tenants/:id/portal-sessions',
    {
      config: admin,
      schema: {
        tags: tenantTags,
        operationId: 'createPortalSession',
        summary: "Make a portal session: a token and a URL opening the UI signed in to this tenant only (for the platform's back office)",
        params: IdParams,
        body: PortalSessionIn,
        response: { 201: PortalSessionOut, ...errorsFor('id', 'body') },
      },
    },
    async (request, reply) => {
      const tenant = await visibleTenant(null, request.params.id);
      const body = request.body ?? {};
      const problems: FieldError[] = [];
      const scopes = body.scopes ?? ['manage'];
      const isPortalScopes = scopes.length === 1 && (PORTAL_SCOPES as readonly string[]).includes(scopes[0]);
      if (!isPortalScopes) problems.push({ field: 'scopes', message: 'scopes must be ["manage"] or ["read"] (or be left out for ["manage"])' });
      const ttl = body.ttl_seconds ?? PORTAL_TTL.default;
      if (ttl < PORTAL_TTL.min || ttl > PORTAL_TTL.max) {
        problems.push({ field: 'ttl_seconds', message: `ttl_seconds must be from ${PORTAL_TTL.min} to ${PORTAL_TTL.max} (got ${ttl})` });
      }
      if (problems.length > 0) throw validationError(problems);
      const expiresAtMs = Math.floor((Date.now() + ttl * 1000) / 1000) * 1000;
      const token = await deps.portalTokens.sign({ tenant: tenant.id, scopes: scopes as PortalScope[], expiresAtMs });
      const base = (deps.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
      // A fragment never reaches a server, so the token stays out of access logs.
      return reply.code(201).send({ token, url: `${base}/#portal=${token}`, expires_at: iso(expiresAtMs) });
    },
  );

  app.get(
    '/v1/me',
    { config: { scope: 'tenant' }, schema: { tags: keyTags, operationId: 'getMe', summary: 'Who is calling: the kind of credential, its scopes, its tenant and (portal sessions) when it ends', response: { 200: MeOut, ...errorsFor() } } },
    async (request) => {
      const p = request.principal;
      return { kind: p.kind, scopes: p.scopes, tenant_id: p.tenantId, expires_at: p.expiresAt === null ? null : iso(p.expiresAt) };
    },
  );
}
