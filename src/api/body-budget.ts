// A memory budget for request bodies being read, parsed and ingested. A body takes its declared
// Content-Length from the budget before a byte of it is read (a chunked body takes what it has
// read so far, chunk by chunk) and gives it back when its answer has gone. A body that does not
// fit is answered `503 overloaded` with Retry-After at once, instead of queueing and letting
// concurrent large batches grow the process by gigabytes. Requests without a body (GETs) never
// wait for it, and a slice of the budget is kept for small bodies (webhook edits, single events)
// so that the admin API keeps working while large batches fill the rest.
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';

export interface BodyBudgetLimits {
  /** Body bytes all requests together may hold while being read, parsed and ingested. */
  bodyBudgetBytes: number;
  /** Part of the budget only bodies of at most `smallBodyBytes` may use. */
  smallBodyReserveBytes: number;
  smallBodyBytes: number;
  /** Seconds the 503 asks the client to wait before it retries. */
  overloadRetryAfterSeconds: number;
}

export class BodyBudget {
  #usedBytes = 0;

  constructor(private readonly limits: BodyBudgetLimits) {}

  get usedBytes(): number {
    return this.#usedBytes;
  }

  /**
   * Takes `bytes` for a body that will then hold `totalBytes`, or returns false. A body larger than
   * the whole budget is let in only while nothing else is held, so that every size the routes
   * accept can get through.
   */
  tryTake(bytes: number, totalBytes = bytes): boolean {
    const { bodyBudgetBytes, smallBodyReserveBytes, smallBodyBytes } = this.limits;
    const ceiling = totalBytes <= smallBodyBytes ? bodyBudgetBytes : bodyBudgetBytes - smallBodyReserveBytes;
    if (this.#usedBytes + bytes > ceiling && this.#usedBytes > 0) return false;
    this.#usedBytes += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#usedBytes = Math.max(0, this.#usedBytes - bytes);
  }
}

function overloaded(limits: BodyBudgetLimits): AppError {
  const mib = Math.round(limits.bodyBudgetBytes / (1024 * 1024));
  return new AppError('overloaded', `Herald is already reading as many request bodies as its memory budget allows (${mib} MiB); retry after the seconds in Retry-After, or send smaller batches.`);
}

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'TRACE']);

/** A route's body limit (fastify's default where the route sets none). */
function bodyLimitOf(request: FastifyRequest): number {
  return request.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY;
}

/**
 * preParsing: take the body's bytes from the budget or answer 503. `send` writes the error answer
 * (the error handler's shape, and the early close of a body not read).
 */
export function installBodyBudget(app: FastifyInstance, budget: BodyBudget, limits: BodyBudgetLimits, send: (reply: FastifyReply, error: AppError) => FastifyReply): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    if (BODYLESS_METHODS.has(request.method)) return payload; // fastify never reads their body
    const headers = request.raw.headers;
    const isChunked = headers['transfer-encoding'] !== undefined;
    const declaredBytes = Number(headers['content-length'] ?? 0);
    if (!isChunked && !(declaredBytes > 0)) return payload;
    if (declaredBytes > bodyLimitOf(request)) return payload; // the body parser answers 413 before reading
    if (isChunked) return countChunks(payload, budget, limits, bodyLimitOf(request), reply);
    if (!budget.tryTake(declaredBytes)) {
      reply.header('retry-after', String(limits.overloadRetryAfterSeconds));
      return send(reply, overloaded(limits));
    }
    reply.raw.once('close', () => budget.give(declaredBytes));
    return payload;
  });
}

/** A chunked body: each chunk is taken from the budget as it arrives; one that does not fit fails the body. */
function countChunks(payload: NodeJS.ReadableStream, budget: BodyBudget, limits: BodyBudgetLimits, limitBytes: number, reply: FastifyReply): Transform {
  let takenBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (takenBytes + chunk.length > limitBytes) return callback(null, chunk); // the body parser answers 413
      if (!budget.tryTake(chunk.length, takenBytes + chunk.length)) {
        reply.header('retry-after', String(limits.overloadRetryAfterSeconds));
        payload.unpipe(counter);
        payload.resume(); // drop the rest; the answer closes the connection
        return callback(overloaded(limits));
      }
      takenBytes += chunk.length;
      callback(null, chunk);
    },
  });
  reply.raw.once('close', () => budget.give(takenBytes));
  // The body parser listens for errors only while it reads; after that one must not crash the process.
  counter.on('error', () => {});
  payload.on('error', (error) => counter.destroy(error));
  return payload.pipe(counter);
}
