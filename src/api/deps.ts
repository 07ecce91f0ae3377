// What buildApi() is given, and the Api type the routes register on. Its own file so that app.ts
// and routes/* do not import each other.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AttemptResult } from '../domain/attempt.ts';
import type { SecretBox } from '../domain/secret-box.ts';
import type { Webhook } from '../domain/webhook.ts';
import type { Ingestor } from '../ingest/ingestor.ts';
import type { Metrics } from '../metrics.ts';
import type { Store } from '../store/ports.ts';
import type { PortalTokens } from '../tenancy/portal-tokens.ts';
import type { WebhookDirectory } from '../webhooks/directory.ts';
import type { RateLimiter } from './auth.ts';
import type { HttpLimits } from './http-limits.ts';

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** One try of a catalog example now, nothing stored: the Test and Verify buttons. main.ts wires it. */
export interface TestSender {
  /** `eventType` is in the catalog (the route checked). */
  sendTest(webhook: Webhook, eventType: string): Promise<AttemptResult>;
}

export interface ApiDeps {
  /** A worker-only process serves /healthz and /metrics and nothing else. */
  isWorkerOnly?: boolean;
  store: Store;
  directory: WebhookDirectory;
  ingestor: Ingestor;
  box: SecretBox;
  testSender: TestSender;
  metrics: Metrics;
  logger: FastifyBaseLogger;
  apiKeyHashes: string[];
  /** Signs and checks portal session tokens (key derived from HERALD_SECRET_KEY). */
  portalTokens: PortalTokens;
  /** HERALD_PUBLIC_URL: portal URLs are made on it (else on the request's host). */
  publicUrl?: string;
  /** HERALD_PORTAL_FRAME_ANCESTORS: origins that may frame the UI, space-separated. */
  portalFrameAncestors?: string;
  allowPrivateTargets: boolean;
  rateLimitPerMinute?: number;
  rateLimiter: RateLimiter;
  /** A delivery was made due again by hand (or a cancel let an ordered member's next one go): wake the engine. */
  onRequeued: () => void;
  isReady: () => boolean;
  uiDir?: string;
  /** Timeouts, connection caps and the body budget; DEFAULT_HTTP_LIMITS where left out. */
  httpLimits?: Partial<HttpLimits>;
}
