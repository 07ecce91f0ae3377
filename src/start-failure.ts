// A start that fails says so in one line, `herald: <what> (<how to fix>)`, not a stack dump
// (main.ts logs the stack at debug level).
import { ConfigError, redactUrl, type Config } from './config.ts';

type StartError = Error & { code?: string; syscall?: string; hostname?: string; address?: string; port?: number; path?: string };

/** The one line for stderr, without the `herald: ` prefix. */
export function describeStartFailure(error: unknown, config: Pick<Config, 'port' | 'host' | 'databaseUrl'>): string {
  return oneLine(explain(error, config));
}

function explain(error: unknown, config: Pick<Config, 'port' | 'host' | 'databaseUrl'>): string {
  if (error instanceof ConfigError) return error.message;
  const e = (error instanceof Error ? error : new Error(String(error))) as StartError;
  const database = redactUrl(config.databaseUrl);
  const isPostgres = config.databaseUrl.startsWith('postgres');
  const where = `${config.host}:${config.port}`;
  if (e.syscall === 'listen' || e.code === 'EADDRINUSE') {
    if (e.code === 'EADDRINUSE') return `port ${config.port} on ${config.host} is already in use (stop the process that holds it, or choose another port with PORT or --port)`;
    if (e.code === 'EACCES') return `no permission to listen on ${where} (use a port above 1023 with PORT or --port)`;
    if (e.code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: this machine has no such address (set HOST or --host to one of its addresses, e.g. 127.0.0.1 or 0.0.0.0)`;
  }
  if (e.code === 'ENOTFOUND' && e.hostname === config.host) return `cannot listen on ${where}: the host name does not resolve (set HOST or --host to an address, e.g. 127.0.0.1)`;
  if (isPostgres) {
    if (e.code === 'ECONNREFUSED' || e.code === 'ETIMEDOUT' || e.code === 'EHOSTUNREACH') return `cannot reach PostgreSQL at ${database} (start the server, or fix HERALD_DATABASE_URL)`;
    if (e.code === 'ENOTFOUND') return `cannot resolve the PostgreSQL host of ${database} (fix HERALD_DATABASE_URL)`;
    if (e.code === '28P01' || e.code === '28000') return `PostgreSQL refused the login: ${e.message} (fix the user or password in HERALD_DATABASE_URL)`;
    if (e.code === '3D000') return `${e.message} on the PostgreSQL server (create it, e.g. createdb, or fix HERALD_DATABASE_URL)`;
  }
  if (/in use by another Herald process/.test(e.message)) return `${e.message} (stop the other process, or point HERALD_DATABASE_URL at another file)`;
  if (e.code === 'SQLITE_CANTOPEN' || /unable to open database/i.test(e.message)) {
    return `cannot open the SQLite database ${database} (check that its folder is writable, or set HERALD_DATABASE_URL)`;
  }
  if (e.code === 'EACCES' || e.code === 'EROFS') return `${e.message} (check the permissions of the data folder of ${database})`;
  return `could not start: ${e.message} (HERALD_LOG_LEVEL=debug logs the stack)`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
