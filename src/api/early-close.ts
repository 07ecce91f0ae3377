// An answer sent before the request body was read (401, 403, 413, 415, 503, ...) closes the
// connection instead of waiting for a body nobody will use: the client is told
// "Connection: close", gets our FIN right after the answer, and the connection is gone as soon as
// the client closes its side. Until then ("lingering close", as nginx and Apache do it) whatever
// the client still sends is read and dropped for at most `lingerMs` and `lingerMaxBytes`: closing
// with unread bytes would make the kernel send a reset, and a client still writing its body would
// then see EPIPE / ECONNRESET instead of the answer.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface LingerLimits {
  lingerMs: number;
  lingerMaxBytes: number;
}

const LINGERING = Symbol('herald.lingering');
const CHECK_INTERVAL_MS = 100;

type LingerSocket = Socket & { [LINGERING]?: boolean; destroySoon?: () => void };

/** True once the answer went out and the connection only waits for the client to go away. */
export function isLingering(socket: Socket): boolean {
  return (socket as LingerSocket)[LINGERING] === true;
}

/** The request says it has a body (chunked, or a Content-Length above 0). */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The request has a body that has not been read to its end. */
export function hasUnreadBody(request: IncomingMessage): boolean {
  return !request.complete && hasBody(request);
}

/**
 * Close the connection after the answer now being sent, reading and dropping the rest of the body
 * meanwhile. Call before the answer's headers are written: the caller adds "Connection: close".
 * Node's HTTP server ends a "Connection: close" exchange with `socket.destroySoon()`, which drops
 * the socket as soon as the answer is flushed; on this socket it lingers instead.
 */
export function lingerAfterAnswer(request: IncomingMessage, limits: LingerLimits): void {
  const socket = request.socket as LingerSocket;
  if (socket[LINGERING] !== undefined || socket.destroyed) return;
  socket[LINGERING] = false;
  socket.destroySoon = () => {
    socket[LINGERING] = true;
    const startBytes = socket.bytesRead;
    const deadline = setTimeout(() => socket.destroy(), limits.lingerMs);
    const check = setInterval(() => {
      if (socket.bytesRead - startBytes > limits.lingerMaxBytes) closeWhenFlushed(socket);
    }, CHECK_INTERVAL_MS);
    deadline.unref();
    check.unref();
    socket.once('close', () => {
      clearTimeout(deadline);
      clearInterval(check);
    });
    socket.end(); // our FIN: the client's stack closes its side once it has sent what it had
    // Node keeps parsing (and dropping) the body; once it has all arrived there is nothing to wait for.
    if (request.complete) closeWhenFlushed(socket);
    else request.once('end', () => closeWhenFlushed(socket));
    request.resume();
  };
}

/** Destroy once the answer has been handed to the kernel (destroy() would drop a pending write). */
function closeWhenFlushed(socket: Socket): void {
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}
