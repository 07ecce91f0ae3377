// Answers Node's HTTP server gives on its own, before fastify sees a request: a request line or
// headers the parser refuses, headers too large, a request that took too long, CONNECT, an
// unknown Expect. They get the contract's error shape too, written straight to the socket.
import type { Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from '../domain/errors.ts';
import { isLingering } from './early-close.ts';

/** What the socket-level answers need to know to name the limit in their message. */
export interface ClientErrorLimits {
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

const FRAMING = 'Check the request framing: one Content-Length with the exact byte count, or "Transfer-Encoding: chunked" alone.';

/** llhttp's error codes → what the client sent wrong and how to fix it. */
const PARSER_ERRORS: Record<string, string> = {
  HPE_INVALID_METHOD: 'The request method is not one HTTP knows; use GET, POST, PATCH or DELETE.',
  HPE_INVALID_URL: 'The request target is not a valid path; percent-encode spaces, control and non-ASCII characters.',
  HPE_INVALID_VERSION: 'The HTTP version is not supported; send HTTP/1.1.',
  HPE_INVALID_CONSTANT: 'The request line is not "METHOD /path HTTP/1.1"; fix the request line.',
  HPE_INVALID_HEADER_TOKEN: 'A header name or value holds a character HTTP does not allow; remove control characters and spaces from header names.',
  HPE_UNEXPECTED_SPACE: 'A header line has a space where none is allowed (e.g. before the colon); remove it.',
  HPE_INVALID_CONTENT_LENGTH: `Content-Length must be one non-negative decimal number. ${FRAMING}`,
  HPE_UNEXPECTED_CONTENT_LENGTH: `The request has both Content-Length and Transfer-Encoding, or two different Content-Length values. ${FRAMING}`,
  HPE_INVALID_TRANSFER_ENCODING: `Transfer-Encoding must be "chunked" (compressed transfer codings are not accepted). ${FRAMING}`,
  HPE_INVALID_CHUNK_SIZE: 'A chunk size of the chunked body is not a hexadecimal number; fix the chunked encoding.',
  HPE_STRICT: 'The request breaks the HTTP/1.1 syntax; fix the request line, headers and body framing.',
  HPE_CR_EXPECTED: 'Every line of the request line and headers must end with CRLF ("\\r\\n").',
  HPE_LF_EXPECTED: 'Every line of the request line and headers must end with CRLF ("\\r\\n").',
  HPE_INVALID_EOF_STATE: 'The connection ended in the middle of the request; send the whole request.',
  HPE_PAUSED_H2_UPGRADE: 'HTTP/2 is not served on this port; send HTTP/1.1.',
};

/** The answer to an error Node's HTTP server raised on a connection. */
export function clientErrorAnswer(error: NodeJS.ErrnoException, limits: ClientErrorLimits): AppError {
  const code = error.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new AppError('header_too_large', `The request line and headers exceed ${limits.maxHeaderBytes} bytes; send a shorter URL and fewer or shorter headers.`);
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return new AppError('payload_too_large', 'The chunk extensions of the chunked body are too long; send chunks without extensions.');
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
    return new AppError('request_timeout', `The request did not arrive in time (headers within ${seconds(limits.headersTimeoutMs)}, the whole request within ${seconds(limits.requestTimeoutMs)}); send it faster, or send smaller batches.`);
  }
  const message = PARSER_ERRORS[code] ?? 'The request is not valid HTTP/1.1; fix the request line, headers and body framing.';
  return new AppError('bad_request', message);
}

/** A complete HTTP/1.1 answer with the error body, for writing straight to a socket. */
export function rawErrorResponse(error: AppError, extraHeaders: Record<string, string> = {}): string {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...extraHeaders };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n${head}\r\n${body}`;
}

/** fastify's clientErrorHandler: answer in the contract's shape (unless an answer already started), then close. */
export function createClientErrorHandler(limits: ClientErrorLimits): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || socket.destroyed) return;
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !isLingering(socket) && !inFlight?.headersSent) {
      socket.write(rawErrorResponse(clientErrorAnswer(error, limits)));
    }
    socket.destroy();
  };
}

/** CONNECT (Herald is no proxy) and an Expect other than 100-continue: Node would answer without a body. */
export function installServerAnswers(server: Server): void {
  server.on('connect', (_request, socket: Socket) => {
    socket.on('error', () => {});
    socket.end(rawErrorResponse(new AppError('method_not_allowed', 'CONNECT is not supported: Herald is not a proxy. Send GET, POST, PATCH or DELETE to a route of /docs.'), { allow: 'GET, HEAD, POST, PATCH, DELETE' }));
  });
  server.on('checkExpectation', (_request, response) => {
    const body = JSON.stringify({ error: { code: 'expectation_failed', message: 'Herald understands only "Expect: 100-continue"; remove the Expect header.' } });
    response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    response.end(body);
  });
}
