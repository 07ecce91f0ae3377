// The HTTP edge in front of the routes: connection cap, the answers Node would give on its own,
// shutdown, Host and Content-Encoding checks, the body budget, `100 Continue` only for a body
// that will be read, and the close of a connection whose body was answered before it was read.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.ts';
import { BodyBudget, installBodyBudget } from './body-budget.ts';
import { installServerAnswers } from './client-errors.ts';
import { hasBody, hasUnreadBody, lingerAfterAnswer } from './early-close.ts';
import { sendError } from './errors.ts';
import type { HttpLimits } from './http-limits.ts';

/** Install before the auth hook: these hooks answer first. Returns the budget (for metrics and tests). */
export function installHttpEdge(app: FastifyInstance, limits: HttpLimits): BodyBudget {
  const server = app.server;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  installServerAnswers(server);
  // Without this listener Node sends "100 Continue" before any hook ran, so a client would send a
  // body that is then refused; the preParsing hook below sends it once the body will be read.
  server.on('checkContinue', (request, response) => server.emit('request', request, response));

  let isClosing = false;
  app.addHook('preClose', async () => {
    isClosing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (isClosing) {
      reply.header('connection', 'close').header('retry-after', '5');
      return sendError(reply, new AppError('unavailable', 'Herald is shutting down; retry in a few seconds (on another process, or on this one once it has restarted).'));
    }
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      return sendError(reply, new AppError('bad_request', 'HTTP/1.1 requires a Host header; send one, e.g. "Host: herald.example.com".'));
    }
  });

  // Synchronous on purpose: an answer sent from an async hook must be on its way (reply.sent)
  // when that hook returns, or fastify would go on to read the body.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (hasUnreadBody(request.raw)) {
      reply.header('connection', 'close');
      lingerAfterAnswer(request.raw, limits);
    }
    done(null, payload);
  });

  app.addHook('preParsing', async (request, reply, payload) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity' && hasBody(request.raw)) {
      return sendError(reply, new AppError('unsupported_media_type', `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send the body uncompressed, without a Content-Encoding header.`));
    }
    return payload;
  });
  const budget = new BodyBudget(limits);
  installBodyBudget(app, budget, limits, sendError);
  app.addHook('preParsing', async (request, reply, payload) => {
    const response = reply.raw as typeof reply.raw & { _expect_continue?: boolean; _sent100?: boolean };
    if (!response._expect_continue || response._sent100 || !hasUnreadBody(request.raw)) return payload;
    // A declared length over the route's limit is answered 413 without reading: no invitation to send it.
    if (!(Number(request.headers['content-length']) > request.routeOptions.bodyLimit)) response.writeContinue();
    return payload;
  });
  return budget;
}
