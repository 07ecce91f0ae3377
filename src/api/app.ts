// buildApi(deps): the whole HTTP surface. It never listens; main.ts (or a test) does.
import Fastify, { LogController } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VERSION } from '../version.ts';
import { installAuth } from './auth.ts';
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
  installAuth(app, { apiKeyHashes: deps.apiKeyHashes, rateLimitPerMinute: deps.rateLimitPerMinute, rateLimiter: deps.rateLimiter });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: VERSION,
        description: 'Webhook delivery for the loyalty platform. Every /v1 route needs "Authorization: Bearer <HERALD_API_KEY>".',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  opsRoutes(app, deps);
  eventTypeRoutes(app);
  webhookRoutes(app, deps);
  eventRoutes(app, deps);
  deliveryRoutes(app, deps);
  memberRoutes(app, deps);
  await uiRoutes(app, deps.uiDir);
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
