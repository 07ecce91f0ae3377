// buildApi(deps): the whole HTTP surface. It never listens; main.ts (or a test) does.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SecretBox } from '../domain/secret-box.ts';
import type { Sender } from '../delivery/sender.ts';
import type { Ingestor } from '../ingest/ingestor.ts';
import type { Metrics } from '../metrics.ts';
import type { Store } from '../store/ports.ts';
import type { WebhookDirectory } from '../webhooks/directory.ts';
import { VERSION } from '../version.ts';
import { installAuth, type RateLimiter } from './auth.ts';
import { installErrorHandling, installJsonParser } from './errors.ts';
import { installHttpEdge } from './http-edge.ts';
import { resolveHttpLimits, serverOptions, type HttpLimits } from './http-limits.ts';
import { bodyAjv, queryAjv } from './validation.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { eventTypeRoutes } from './routes/event-types.ts';
import { eventRoutes } from './routes/events.ts';
import { webhookRoutes } from './routes/webhooks.ts';

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ApiDeps {
  /** A worker-only process serves /healthz and /metrics and nothing else. */
  isWorkerOnly?: boolean;
  store: Store;
  directory: WebhookDirectory;
  ingestor: Ingestor;
  box: SecretBox;
  sender: Sender;
  metrics: Metrics;
  logger: FastifyBaseLogger;
  apiKeyHashes: string[];
  allowPrivateTargets: boolean;
  rateLimitPerMinute?: number;
  rateLimiter: RateLimiter;
  /** A delivery was made due again by hand: wake the engine. */
  onRequeued: () => void;
  isReady: () => boolean;
  uiDir?: string;
  /** Timeouts, connection caps and the body budget; DEFAULT_HTTP_LIMITS where left out. */
  httpLimits?: Partial<HttpLimits>;
}

const UI_PATHS = ['/', '/webhooks', '/webhooks/*', '/audit-logs', '/audit-logs/*', '/sign-in'];

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

async function uiRoutes(app: Api, uiDir: string | undefined): Promise<void> {
  const hide = { schema: { hide: true } };
  if (!uiDir || !existsSync(join(uiDir, 'index.html'))) {
    const page = '<!doctype html><title>Herald</title><p>The admin UI is not built. Run <code>npm run build:ui</code> (npm start does it) and restart.</p>';
    for (const path of UI_PATHS) app.get(path, hide, async (_request, reply) => reply.type('text/html').send(page));
    return;
  }
  await app.register(fastifyStatic, { root: uiDir, index: false, wildcard: false, prefix: '/', serve: true });
  for (const path of UI_PATHS) app.get(path, hide, async (_request, reply) => reply.sendFile('index.html', { maxAge: 0 }));
}
