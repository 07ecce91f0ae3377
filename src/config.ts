// The only reader of process.env and argv: parse, validate, default, freeze.
import { parseArgs } from 'node:util';

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly apiKey: string | undefined;
  readonly secretKey: string | undefined;
  readonly allowPrivateTargets: boolean;
  readonly rateLimitPerMinute: number | undefined;
  readonly role: Role;
  readonly logLevel: string;
  readonly concurrency: number;
  readonly webhookConcurrency: number;
  readonly leaseSeconds: number;
  readonly pollIntervalMs: number;
  readonly shutdownGraceSeconds: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** CLI flags mirror env variables: --port 8080 is PORT=8080. */
const FLAGS: Record<string, string> = {
  port: 'PORT',
  host: 'HOST',
  'database-url': 'HERALD_DATABASE_URL',
  'allow-private-targets': 'HERALD_ALLOW_PRIVATE_TARGETS',
  'rate-limit': 'HERALD_RATE_LIMIT',
  role: 'HERALD_ROLE',
  'log-level': 'HERALD_LOG_LEVEL',
  concurrency: 'HERALD_CONCURRENCY',
  'webhook-concurrency': 'HERALD_WEBHOOK_CONCURRENCY',
};

export function loadConfig(env: Env = process.env, argv: string[] = []): Config {
  const merged: Env = { ...env, ...flagsToEnv(argv) };
  const databaseUrl = text(merged, 'HERALD_DATABASE_URL', 'sqlite:./data/herald.db');
  if (!/^sqlite:.+/.test(databaseUrl) && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    throw new ConfigError(
      `HERALD_DATABASE_URL must be "sqlite:<path>" or "postgres://user@host:port/db" (got "${databaseUrl}")`,
    );
  }
  const secretKey = merged.HERALD_SECRET_KEY || undefined;
  if (secretKey !== undefined && secretKey.length < 16) {
    throw new ConfigError('HERALD_SECRET_KEY must be at least 16 characters (generate one with: openssl rand -base64 32)');
  }
  if (secretKey === undefined && databaseUrl.startsWith('postgres')) {
    throw new ConfigError(
      'HERALD_SECRET_KEY is required with a PostgreSQL database: every process must share it (generate one with: openssl rand -base64 32)',
    );
  }
  const apiKey = merged.HERALD_API_KEY || undefined;
  if (apiKey !== undefined && !/^[\x21-\x7e]{8,512}$/.test(apiKey)) {
    throw new ConfigError('HERALD_API_KEY must be 8 to 512 printable characters without spaces');
  }
  const rateLimit = text(merged, 'HERALD_RATE_LIMIT', 'off');
  return Object.freeze({
    port: integer(merged, 'PORT', 8080, 0, 65535),
    host: text(merged, 'HOST', '127.0.0.1'),
    databaseUrl,
    apiKey,
    secretKey,
    allowPrivateTargets: boolean(merged, 'HERALD_ALLOW_PRIVATE_TARGETS', false),
    rateLimitPerMinute: rateLimit === 'off' || rateLimit === '0' ? undefined : integer(merged, 'HERALD_RATE_LIMIT', 0, 1, 1_000_000),
    role: oneOf(merged, 'HERALD_ROLE', ['all', 'api', 'worker'] as const, 'all'),
    logLevel: oneOf(merged, 'HERALD_LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info'),
    concurrency: integer(merged, 'HERALD_CONCURRENCY', 512, 1, 10_000),
    webhookConcurrency: integer(merged, 'HERALD_WEBHOOK_CONCURRENCY', 64, 1, 10_000),
    leaseSeconds: integer(merged, 'HERALD_LEASE_SECONDS', 60, 5, 3600),
    pollIntervalMs: integer(merged, 'HERALD_POLL_INTERVAL_MS', 1000, 10, 60_000),
    shutdownGraceSeconds: integer(merged, 'HERALD_SHUTDOWN_GRACE_SECONDS', 10, 0, 600),
  });
}

/** One line per setting for the start-up log; secrets only as configured or not. */
export function configSummary(config: Config): Record<string, unknown> {
  return {
    port: config.port,
    host: config.host,
    database: config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : redactUrl(config.databaseUrl),
    api_key: config.apiKey ? 'configured' : 'from store',
    secret_key: config.secretKey ? 'configured' : 'from key file',
    allow_private_targets: config.allowPrivateTargets,
    rate_limit_per_minute: config.rateLimitPerMinute ?? 'off',
    role: config.role,
    concurrency: config.concurrency,
    webhook_concurrency: config.webhookConcurrency,
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable)';
  }
}

function flagsToEnv(argv: string[]): Env {
  const options = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Known flags: ${Object.keys(FLAGS).map((f) => `--${f}`).join(', ')}`);
  }
  const out: Env = {};
  for (const [flag, value] of Object.entries(values)) if (typeof value === 'string') out[FLAGS[flag]] = value;
  return out;
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}
