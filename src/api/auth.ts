// Admin authentication: a bearer key compared by hash, and an optional per-key rate limit.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.ts';
import { matchApiKey } from '../tenancy/api-keys.ts';
import { sendError } from './errors.ts';

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
  /** SHA-256 hex of every accepted key, read on every request (main.ts adds the key it generates at first start once Herald is up). */
  apiKeyHashes: string[];
  rateLimitPerMinute?: number;
  rateLimiter: RateLimiter;
}

export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    // The route the router matched, not the raw URL: "/%76%31/webhooks" and "http://host/v1/webhooks"
    // reach /v1 routes too. Unmatched paths fall back to the raw URL (an unknown /v1 path is a 401).
    const path = request.routeOptions.url ?? request.url;
    if (!path.startsWith('/v1/') && path !== '/v1') return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const hash = match ? matchApiKey(match[1], options.apiKeyHashes) : null;
    if (!hash) {
      return sendError(reply, new AppError('unauthorized', 'Send the admin API key as "Authorization: Bearer <HERALD_API_KEY>".'));
    }
    if (options.rateLimitPerMinute === undefined) return;
    const now = Date.now();
    const windowStart = now - (now % 60_000);
    const count = await options.rateLimiter.hit(hash, windowStart);
    if (count > options.rateLimitPerMinute) {
      reply.header('retry-after', String(Math.ceil((windowStart + 60_000 - now) / 1000)));
      return sendError(reply, new AppError('rate_limited', `More than ${options.rateLimitPerMinute} requests this minute; retry after the time in the Retry-After header.`));
    }
  });
}
