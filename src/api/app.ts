// buildApi(deps): the whole HTTP surface. It never listens; main.ts (or a test) does.
import Fastify, { LogController } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VERSION } from '../version.ts';
import { installAuth } from './auth.ts';
import { KeyRing } from '../tenancy/key-ring.ts';
import type { Api, ApiDeps } from './deps.ts';
import { installErrorHandling, installJsonParser } from './errors.ts';
import { installHttpEdge } from './http-edge.ts';
import { resolveHttpLimits, serverOptions } from './http-limits.ts';
import { bodyAjv, queryAjv } from './validation.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { eventTypeRoutes } from './routes/event-types.ts';
import { eventRoutes } from './routes/events.ts';
import { memberRoutes } from './routes/members.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { uiRoutes } from './ui-routes.ts';

export type { Api, ApiDeps, TestSender } from './deps.ts';

export async function buildApi(deps: ApiDeps): Promise<Api> {
  const limits = resolveHttpLimits(deps.httpLimits);
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    forceCloseConnections: 'idle',
    ...serverOptions(limits),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));
  installJsonParser(app);
  installErrorHandling(app);
  installHttpEdge(app, limits);
  if (deps.isWorkerOnly) {
    opsRoutes(app, deps);
    return app;
  }
  const keys = new KeyRing(deps.store, deps.apiKeyHashes, 1000, deps.portalTokens);
  app.addHook('onClose', async () => keys.close());
  installAuth(app, { keys, rateLimitPerMinute: deps.rateLimitPerMinute, rateLimiter: deps.rateLimiter });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: VERSION,
        description:
          'Webhook delivery for the loyalty platform. Every /v1 route needs "Authorization: Bearer <key>": HERALD_API_KEY (scope admin) or a key ' +
          'made with POST /v1/api-keys (scopes manage, read, ingest in one tenant). An admin key acts in the tenant named by the Herald-Tenant ' +
          'header (default "default"); a tenant key always acts in its own tenant. Each operation names the scope it needs (x-herald-scope).',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'HERALD_API_KEY or a key from POST /v1/api-keys (hk_…)' } },
      },
      security: [{ apiKey: [] }],
    },
    // Documentation only (validation is the auth hook's): the scope and the Herald-Tenant header.
    transform: ({ schema, url, route }) => {
      if (!url.startsWith('/v1/') || schema === undefined) return { schema, url };
      const scope = (route.config as { scope?: string } | undefined)?.scope ?? 'admin';
      const isTenantRoute = scope !== 'admin';
      const headers = isTenantRoute
        ? {
            type: 'object',
            properties: {
              'Herald-Tenant': {
                type: 'string',
                pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
                description: 'Admin keys: the tenant to act in (default "default"; unknown → 404). Tenant keys: leave out, or their own tenant (another → 403).',
              },
            },
          }
        : undefined;
      return { schema: { ...schema, ...(headers ? { headers } : {}), 'x-herald-scope': scope } as typeof schema, url };
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  opsRoutes(app, deps);
  eventTypeRoutes(app);
  webhookRoutes(app, deps);
  eventRoutes(app, deps);
  deliveryRoutes(app, deps);
  tenantRoutes(app, { ...deps, onAccessChanged: () => keys.invalidate() });
  memberRoutes(app, deps);
  await uiRoutes(app, deps.uiDir, deps.portalFrameAncestors);
  return app;
}

function opsRoutes(app: Api, deps: ApiDeps): void {
  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async (_request, reply) =>
    deps.isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }),
  );
  app.get('/metrics', hide, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  if (!deps.isWorkerOnly) app.get('/openapi.json', hide, async () => app.swagger());
}
