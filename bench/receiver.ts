// The benchmark's receiver, run as its own process (see receiver-client.ts): a node:http server that
// answers 200 at once and counts what arrives, per path and per webhook-id. The raw ceiling and every
// Herald run hit this same server, so its own cost is the same on both sides of each ratio.
//
// Commands arrive over IPC ({id, type, ...}) and are answered with {id, ...}.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { now } from './clock.ts';

/** One in this many signed requests is verified, so that signing is checked without costing much. */
const VERIFY_EVERY = 100;

interface PathStats {
  requests: number;
  ids: Set<string>;
  signed: number;
  verified: number;
  badSignatures: number;
}

let paths = new Map<string, PathStats>();
let requests = 0;
let firstAt = 0;
let lastAt = 0;
let arrivals: Map<string, number> | null = null;
/** Arrivals keyed by "<path> <webhook-id>" rather than webhook-id (fan-out latency per webhook). */
let arrivalsPerPath = false;
const secrets = new Map<string, Buffer>();

function statsFor(path: string): PathStats {
  let stats = paths.get(path);
  if (!stats) paths.set(path, (stats = { requests: 0, ids: new Set(), signed: 0, verified: 0, badSignatures: 0 }));
  return stats;
}

function checkSignature(req: IncomingMessage, body: Buffer, key: Buffer): boolean {
  const id = req.headers['webhook-id'];
  const timestamp = req.headers['webhook-timestamp'];
  const header = req.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof header !== 'string') return false;
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  return header.split(' ').some((part) => {
    const given = Buffer.from(part.replace(/^v1,/, ''), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = now();
    const path = req.url ?? '/';
    const stats = statsFor(path);
    requests++;
    if (firstAt === 0) firstAt = at;
    lastAt = at;
    stats.requests++;
    const id = req.headers['webhook-id'];
    if (typeof id === 'string') {
      stats.ids.add(id);
      const key = arrivalsPerPath ? `${path} ${id}` : id;
      if (arrivals && !arrivals.has(key)) arrivals.set(key, at);
    }
    if (req.headers['webhook-signature'] !== undefined) {
      stats.signed++;
      const key = secrets.get(path);
      if (key && stats.signed % VERIFY_EVERY === 1) {
        if (checkSignature(req, Buffer.concat(chunks), key)) stats.verified++;
        else stats.badSignatures++;
      }
    }
    // Misbehaving receivers for the back-pressure row (g): /overload/429/… and /overload/hang/….
    if (path.startsWith('/overload/429/')) {
      res.writeHead(429, { 'content-type': 'text/plain', 'content-length': '4', 'retry-after': '1' });
      return void res.end('slow');
    }
    if (path.startsWith('/overload/hang/')) return; // never answers; Herald's timeout ends the try
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

type Command =
  | { id: number; type: 'reset' }
  | { id: number; type: 'record-arrivals'; perPath?: boolean }
  | { id: number; type: 'secret'; path: string; secret: string }
  | { id: number; type: 'total' }
  | { id: number; type: 'summary' }
  | { id: number; type: 'arrivals' }
  | { id: number; type: 'clock' };

process.on('message', (command: Command) => {
  const reply = (fields: object) => process.send!({ id: command.id, ...fields });
  switch (command.type) {
    case 'reset':
      paths = new Map();
      requests = 0;
      firstAt = 0;
      lastAt = 0;
      arrivals = null;
      arrivalsPerPath = false;
      return reply({});
    case 'record-arrivals':
      arrivals = new Map();
      arrivalsPerPath = command.perPath === true;
      return reply({});
    case 'secret':
      secrets.set(command.path, Buffer.from(command.secret.replace(/^whsec_/, ''), 'base64'));
      return reply({});
    case 'total':
      return reply({ requests, firstAt, lastAt });
    case 'summary':
      return reply({
        requests,
        firstAt,
        lastAt,
        paths: Object.fromEntries(
          [...paths].map(([path, s]) => [path, { requests: s.requests, unique: s.ids.size, signed: s.signed, verified: s.verified, badSignatures: s.badSignatures }]),
        ),
      });
    case 'arrivals':
      return reply({ arrivals: Object.fromEntries(arrivals ?? []) });
    case 'clock':
      return reply({ at: now() });
  }
});

process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send!({ id: 0, port: (server.address() as { port: number }).port }));
