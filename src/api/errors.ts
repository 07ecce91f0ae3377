// One error shape for everything the API answers, including what the framework raises.
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS, validationError, type ErrorCode } from '../domain/errors.ts';
import { toFieldErrors } from './validation.ts';

export const MAX_JSON_DEPTH = 64;

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return reply.code(error.status).type('application/json').send(JSON.stringify(body));
}

const FRAMEWORK_ERRORS: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'The request body is larger than this route accepts'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['invalid_json', 'The Content-Length header does not match the body.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'The body is not valid JSON.'],
};

const LIMIT_HINTS: Record<string, string> = {
  '/v1/events': '1 MiB',
  '/v1/events/batch': '16 MiB',
};

const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

function drain(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MAX_MS);
    raw.on('data', onData);
    raw.on('end', done);
    raw.on('error', done);
    raw.resume();
  });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) return sendError(reply, error);
    if (error.validation) {
      const details = toFieldErrors(error.validation as any);
      return sendError(reply, new AppError('validation_error', `Invalid request: check ${details.map((d) => d.field).join(', ')}.`, details));
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) {
      const [code, message] = known;
      if (code !== 'payload_too_large') return sendError(reply, new AppError(code, message));
      // Read (and drop) the rest of the body first: a client still sending when the answer
      // comes and the connection closes sees a broken pipe instead of the 413.
      await drain(request.raw);
      const limit = LIMIT_HINTS[request.routeOptions.url ?? ''] ?? '256 KiB';
      return sendError(reply, new AppError(code, `${message} (${limit}); send less.`));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = (Object.entries(HTTP_STATUS).find(([, s]) => s === status)?.[0] ?? 'validation_error') as ErrorCode;
      return sendError(reply, new AppError(code, error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new AppError('internal_error', 'Something went wrong on our side; it has been logged.'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}. See /docs for the API.`)),
  );
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
    if (Array.isArray(node)) {
      node.forEach((item, i) => stack.push({ node: item, depth: depth + 1, parent: visit, key: i }));
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) {
      const field = pathOf(visit) || 'body';
      return validationError([{ field, message: `${field} uses the key "__proto__", which is not allowed` }]);
    }
    for (const [key, value] of Object.entries(node)) stack.push({ node: value, depth: depth + 1, parent: visit, key });
  }
  return null;
}

/** "a.b[2].c" for the visit of body.a.b[2].c; "" for the body itself. */
function pathOf(visit: Visit): string {
  const keys: Array<string | number> = [];
  for (let v: Visit | null = visit; v?.parent; v = v.parent) keys.unshift(v.key);
  return keys.reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key), '');
}
