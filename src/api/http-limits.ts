// How long a client may take and how much it may hold: timeouts, connection caps, header size,
// the lingering close and the body budget. Defaults here; each one is an option of buildApi.
import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';
import type { BodyBudgetLimits } from './body-budget.ts';
import { createClientErrorHandler, type ClientErrorLimits } from './client-errors.ts';
import type { LingerLimits } from './early-close.ts';
import { createFrameworkErrorHandler } from './errors.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface HttpLimits extends ClientErrorLimits, LingerLimits, BodyBudgetLimits {
  /** The request line and headers must arrive within this (slowloris); else `408`. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this; else `408` and the connection closes. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection with no traffic at all is closed after this (0: never); longer than the slowest route. */
  connectionTimeoutMs: number;
  /** Open connections per process; more are refused at once (0: no cap). */
  maxConnections: number;
  /** Requests per keep-alive connection before Herald asks the client to reconnect (0: no limit). */
  maxRequestsPerSocket: number;
  /** Request line plus headers; more is `431`. */
  maxHeaderBytes: number;
  /** Characters of one path parameter; more is `414`. */
  maxParamLength: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  // A test send (POST /v1/webhooks/{id}/test) may wait 120 s for the receiver without any traffic.
  connectionTimeoutMs: 180_000,
  maxConnections: 4096,
  maxRequestsPerSocket: 0,
  maxHeaderBytes: 16 * KiB,
  maxParamLength: 1000,
  lingerMs: 10_000,
  lingerMaxBytes: 64 * MiB,
  bodyBudgetBytes: 48 * MiB,
  smallBodyReserveBytes: 8 * MiB,
  smallBodyBytes: 256 * KiB,
  overloadRetryAfterSeconds: 1,
});

/** The defaults with `overrides` applied, checked: a wrong value is a bug of the caller, so it throws. */
export function resolveHttpLimits(overrides: Partial<HttpLimits> = {}): HttpLimits {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS };
  for (const [name, value] of Object.entries(overrides) as Array<[keyof HttpLimits, number | undefined]>) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_HTTP_LIMITS)) throw new Error(`unknown HTTP limit "${name}"`);
    if (!Number.isInteger(value) || value < 0) throw new Error(`HTTP limit ${name} must be a whole number >= 0 (got ${value})`);
    limits[name] = value;
  }
  for (const name of ['headersTimeoutMs', 'requestTimeoutMs', 'maxHeaderBytes', 'maxParamLength', 'lingerMs', 'bodyBudgetBytes', 'overloadRetryAfterSeconds'] as const) {
    if (limits[name] === 0) throw new Error(`HTTP limit ${name} must be above 0`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new Error('HTTP limit headersTimeoutMs must not exceed requestTimeoutMs');
  if (limits.smallBodyReserveBytes >= limits.bodyBudgetBytes) throw new Error('HTTP limit smallBodyReserveBytes must be below bodyBudgetBytes');
  return Object.freeze(limits);
}

/** The part of the Fastify constructor options that come from the limits. */
export function serverOptions(limits: HttpLimits): FastifyHttpOptions<Server> {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the two timeouts on this interval (30 s by default, far coarser than they are).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
      maxHeaderSize: limits.maxHeaderBytes,
      // Node would answer a missing Host with an empty 400; an onRequest hook answers it in our shape.
      requireHostHeader: false,
    },
    routerOptions: { maxParamLength: limits.maxParamLength },
    // Our own 503 in the error shape (see http-edge.ts) instead of fastify's body.
    return503OnClosing: false,
    clientErrorHandler: createClientErrorHandler(limits),
    frameworkErrors: createFrameworkErrorHandler(limits),
  };
}
