// One error shape for everything the API answers, including what the framework raises: schema
// validation, body parsing and limits, unknown routes and methods, and the routing errors fastify
// answers before any hook runs (bad percent-encoding, over-long path parameters).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, codeForStatus, HTTP_STATUS, validationError } from '../domain/errors.ts';
import { hasUnreadBody, lingerAfterAnswer, type LingerLimits } from './early-close.ts';
import { RouteMethods } from './route-methods.ts';
import { toFieldErrors } from './validation.ts';

export const MAX_JSON_DEPTH = 64;

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return reply.code(error.status).type('application/json').send(JSON.stringify(body));
}

const FRAMING = 'one Content-Length with the exact byte count, or "Transfer-Encoding: chunked" alone';

/** fastify's request-time error codes → our code and a message naming the fix. */
const FRAMEWORK_ERRORS: Record<string, AppError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: new AppError('unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".'),
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: new AppError('unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: new AppError('bad_request', `The body is not as long as its Content-Length header says; send ${FRAMING}.`),
  FST_ERR_CTP_INVALID_JSON_BODY: new AppError('invalid_json', 'The body is not valid JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: new AppError('invalid_json', 'The body is empty but "Content-Type: application/json" says it is JSON; send a JSON body or no Content-Type.'),
  FST_ERR_INVALID_URL: new AppError('bad_request', 'The request target is not a valid URL path; send a path such as /v1/webhooks.'),
};

/** Messages for statuses a plugin (e.g. @fastify/static) raises without one of our codes. */
const STATUS_MESSAGES: Record<number, string> = {
  404: 'Nothing is served at this path. See /docs for the API.',
  405: 'This method is not served at this path. See /docs for the API.',
  412: 'A precondition header (If-Match, If-Unmodified-Since) does not hold; send the request without it.',
  416: 'The Range header asks for bytes the file does not have; ask for a range within the file, or send no Range header.',
};

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Any error raised while handling a request → the AppError answered (null: an internal error). */
export function toAppError(error: FastifyError, request: FastifyRequest): AppError | null {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const details = toFieldErrors(error.validation as any);
    return new AppError('validation_error', `Invalid request: check ${details.map((d) => d.field).join(', ')}.`, details);
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new AppError('payload_too_large', `The request body is larger than this route accepts (${formatBytes(request.routeOptions.bodyLimit)}); send less, e.g. split a batch.`);
  }
  const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
  if (known) return known;
  if (isClientGone(error)) return new AppError('bad_request', 'The connection ended before the whole body arrived; send the whole body.');
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  // @fastify/static refuses paths such as /docs/static/../x with a bare 403: nothing is served there.
  const code = codeForStatus(status) ?? (status === 403 ? 'not_found' : undefined);
  if (!code || code === 'bad_request') {
    return new AppError('bad_request', 'The request cannot be served as sent; check its request line, headers and body against /docs.');
  }
  return new AppError(code, STATUS_MESSAGES[HTTP_STATUS[code]] ?? `${truncate(error.message)}; see /docs for the API.`);
}

/** True for errors that only say the client went away while sending its body. */
function isClientGone(error: FastifyError): boolean {
  return error.code === 'ECONNRESET' || error.code === 'ECONNABORTED' || error.message === 'aborted';
}

export function installErrorHandling(app: FastifyInstance): void {
  const routes = new RouteMethods();
  app.addHook('onRoute', (route) => routes.add(route.method, route.url));

  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toAppError(error, request);
    if (answer) return sendError(reply, answer);
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new AppError('internal_error', 'Something went wrong on our side; it has been logged.'));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = routes.allowed(path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, new AppError('method_not_allowed', `${request.method} is not served at ${truncate(path)}; use ${allowed.join(', ')}. See /docs for the API.`));
    }
    return sendError(reply, new AppError('not_found', `No route ${request.method} ${truncate(path)}. See /docs for the API.`));
  });
}

export interface FrameworkErrorLimits extends LingerLimits {
  maxParamLength: number;
}

/**
 * fastify's `frameworkErrors` option: errors of routing, raised before any hook (so before the
 * hook that closes a connection whose body is not read: done here).
 */
export function createFrameworkErrorHandler(limits: FrameworkErrorLimits) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (hasUnreadBody(request.raw)) {
      reply.header('connection', 'close');
      lingerAfterAnswer(request.raw, limits);
    }
    const path = truncate(request.raw.url?.split('?')[0] ?? '');
    if (error.code === 'FST_ERR_BAD_URL') {
      void sendError(reply, new AppError('bad_request', `The path ${path} is not valid percent-encoding; write each byte of a reserved or non-ASCII character as %XX (its UTF-8 bytes), e.g. %20 for a space.`));
      return;
    }
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH' && path.startsWith('/v1/members/')) {
      // API.md §10: an over-long user_id in the erasure path is bad input (400), not a bad URL.
      void sendError(reply, validationError([{ field: 'user_id', message: `user_id in the path must be 1 to 1000 characters (URL-encoded), the user_id the events were sent with` }]));
      return;
    }
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
      void sendError(reply, new AppError('uri_too_long', `A segment of the path ${path} is longer than ${limits.maxParamLength} characters; no Herald id is that long: check the URL.`));
      return;
    }
    const answer = toAppError(error, request);
    if (!answer) request.log.error({ err: error }, 'unhandled routing error');
    void sendError(reply, answer ?? new AppError('internal_error', 'Something went wrong on our side; it has been logged.'));
  };
}

/** JSON bodies only; an empty body is no body; deeper than 64 levels or "__proto__" keys are refused. */
export function installJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json\s*(;.*)?$/i, { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim().length === 0) return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return done(new AppError('invalid_json', `The body is not valid JSON: ${(error as Error).message}.`), undefined);
    }
    const problem = structureProblem(value);
    if (problem) return done(problem, undefined);
    done(null, value);
  });
}

/** A node met while walking a body; its path is built only when a problem is found. */
interface Visit {
  node: unknown;
  depth: number;
  parent: Visit | null;
  key: string | number;
}

function structureProblem(root: unknown): AppError | null {
  const stack: Visit[] = [{ node: root, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { node, depth } = visit;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) return new AppError('invalid_json', `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels; flatten it.`);
    // Only objects and arrays are visited (leaves cannot be too deep or carry __proto__): on the
    // ingest hot path most nodes are leaves, and each visit is an allocation.
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        if (item !== null && typeof item === 'object') stack.push({ node: item, depth: depth + 1, parent: visit, key: i });
      }
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) {
      const field = pathOf(visit) || 'body';
      return validationError([{ field, message: `${field} uses the key "__proto__", which is not allowed` }]);
    }
    for (const key in node) {
      if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
      const value: unknown = (node as Record<string, unknown>)[key];
      if (value !== null && typeof value === 'object') stack.push({ node: value, depth: depth + 1, parent: visit, key });
    }
  }
  return null;
}

/** "a.b[2].c" for the visit of body.a.b[2].c; "" for the body itself. */
function pathOf(visit: Visit): string {
  const keys: Array<string | number> = [];
  for (let v: Visit | null = visit; v?.parent; v = v.parent) keys.unshift(v.key);
  return keys.reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key), '');
}
