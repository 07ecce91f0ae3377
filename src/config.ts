// The only reader of process.env and argv: parse, validate, default, freeze. One TypeBox schema
// (SETTINGS) holds every setting with its variable, flag, default and meaning; it validates, and
// drives --help, the start-up summary and the README's configuration table (config-help.ts).
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import Type, { type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';

/** What a setting says about itself beside its JSON Schema keywords. */
export interface SettingMeta {
  env: string;
  /** The CLI flag without `--`; secrets have none (a command line is visible to every user). */
  flag?: string;
  description: string;
  /** The default in words, when it is not one fixed value. */
  defaultText?: string;
  /** What a value must be, when the schema's words are not enough. */
  accepts?: string;
  isSecret?: boolean;
}

const integer = (minimum: number, maximum: number, fallback: number, meta: SettingMeta) =>
  Type.Integer({ minimum, maximum, default: fallback, ...meta });
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const SETTINGS = Type.Object({
  port: integer(0, 65535, 8080, { env: 'PORT', flag: 'port', description: 'HTTP port (0 picks a free one)' }),
  host: Type.String({ minLength: 1, default: '127.0.0.1', env: 'HOST', flag: 'host', description: 'bind address (0.0.0.0 for every interface)', accepts: 'an address or host name' }),
  databaseUrl: Type.String({
    pattern: '^(sqlite:.+|postgres(ql)?://.+)$',
    default: 'sqlite:./data/herald.db',
    env: 'HERALD_DATABASE_URL',
    flag: 'database-url',
    accepts: '"sqlite:<path>" or "postgres://user@host:port/db"',
    description: 'the store: sqlite:<path> is embedded (one process); postgres://user:pass@host:5432/db lets several processes share it',
  }),
  apiKey: Type.Optional(
    Type.String({
      pattern: '^[\\x21-\\x7e]{8,512}$',
      env: 'HERALD_API_KEY',
      isSecret: true,
      accepts: '8 to 512 printable characters without spaces',
      defaultText: 'generated on first start once Herald is up, printed once, only its hash kept in the store',
      description: 'admin bearer token for /v1; when set, it is the only key accepted (this also replaces a lost generated key)',
    }),
  ),
  secretKey: Type.Optional(
    Type.String({
      minLength: 16,
      env: 'HERALD_SECRET_KEY',
      isSecret: true,
      accepts: 'at least 16 characters (generate one with: openssl rand -base64 32)',
      defaultText: 'embedded mode: generated on first start into <database file>.secret-key (mode 0600); PostgreSQL mode: required',
      description: 'encrypts endpoint secrets and passwords at rest (AES-256-GCM); back it up with the database',
    }),
  ),
  publicUrl: Type.Optional(
    Type.String({
      pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
      env: 'HERALD_PUBLIC_URL',
      flag: 'public-url',
      accepts: 'an absolute http(s) URL without query or fragment, e.g. https://herald.example.com',
      defaultText: "none: the request's own host",
      description: 'where browsers reach Herald; portal session URLs (POST /v1/tenants/{id}/portal-sessions) are made on it',
    }),
  ),
  portalFrameAncestors: Type.String({
    pattern: "^[^;,'\"]*$",
    default: '',
    env: 'HERALD_PORTAL_FRAME_ANCESTORS',
    flag: 'portal-frame-ancestors',
    accepts: 'origins separated by spaces (e.g. "https://backoffice.example.com https://*.example.org"), without ; , or quotes',
    defaultText: "none: only Herald's own pages may frame the UI",
    description: "origins allowed to embed the admin UI in an iframe (a platform's back office showing a portal session); sent on UI pages as Content-Security-Policy: frame-ancestors 'self' <origins>",
  }),
  allowPrivateTargets: Type.Boolean({
    default: false,
    env: 'HERALD_ALLOW_PRIVATE_TARGETS',
    flag: 'allow-private-targets',
    description:
      'true lets endpoint URLs reach loopback, private, link-local, CGNAT, multicast and other non-public addresses (needed for a receiver on this machine); only the words true and false are taken (yes, no, 1, 0 are refused)',
  }),
  rateLimitPerMinute: Type.Union([Type.Literal('off'), Type.Integer({ minimum: 0, maximum: 1_000_000 })], {
    default: 'off',
    env: 'HERALD_RATE_LIMIT',
    flag: 'rate-limit',
    accepts: 'off, or a whole number from 1 to 1000000 (0 is off too)',
    description: 'requests per minute per API key on /v1; over it: 429 rate_limited with Retry-After',
  }),
  role: Type.Enum(['all', 'api', 'worker'], {
    default: 'all',
    env: 'HERALD_ROLE',
    flag: 'role',
    description: 'all (API and delivery workers), api (no delivery workers) or worker (delivery only; serves just /healthz and /metrics)',
  }),
  logLevel: Type.Enum([...LOG_LEVELS], { default: 'info', env: 'HERALD_LOG_LEVEL', flag: 'log-level', description: 'the least severe log lines written' }),
  logFormat: Type.Enum(['pretty', 'json'], {
    env: 'HERALD_LOG_FORMAT',
    flag: 'log-format',
    defaultText: 'pretty when stdout is a terminal, else json',
    description: 'pretty: one readable line per entry; json: one JSON object per line (pino), for log collectors',
  }),
  concurrency: integer(1, 10_000, 512, { env: 'HERALD_CONCURRENCY', flag: 'concurrency', description: 'HTTP attempts in flight per process' }),
  webhookConcurrency: integer(1, 10_000, 64, {
    env: 'HERALD_WEBHOOK_CONCURRENCY',
    flag: 'webhook-concurrency',
    description: 'attempts in flight per webhook per process (one slow receiver cannot starve the others)',
  }),
  deliveryThreads: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 64,
      env: 'HERALD_DELIVERY_THREADS',
      flag: 'delivery-threads',
      defaultText: 'os.availableParallelism() - 1, at least 1',
      description:
        'worker threads that send the HTTP attempts (connect, write, read and classify the answer) beside the main thread, which keeps the API, ingestion and scheduling; 0 sends on the main thread',
    }),
  ),
  leaseSeconds: integer(5, 3600, 60, {
    env: 'HERALD_LEASE_SECONDS',
    flag: 'lease-seconds',
    description:
      'how long a claimed delivery stays reserved without renewal (renewed every third of it). The backstop only: on PostgreSQL every process beats a heartbeat every 2 s, and a killed process (its database session gone, a beat missed) has its leases freed by the others within about 5 s, a silent one (no beat for 8 s, e.g. a lost machine) within about 10 s; in embedded mode a restart drops every lease at once',
  }),
  pollIntervalMs: integer(10, 60_000, 1000, {
    env: 'HERALD_POLL_INTERVAL_MS',
    flag: 'poll-interval-ms',
    description: 'how often workers look for due retries when nothing wakes them',
  }),
  retentionDays: Type.Number({
    minimum: 0,
    maximum: 36_500,
    default: 30,
    env: 'HERALD_RETENTION_DAYS',
    flag: 'retention-days',
    accepts: 'a number of days from 0 to 36500, decimals allowed (0.5 is 12 hours)',
    description:
      'events accepted longer ago than this whose deliveries are all final are deleted with their deliveries and attempt logs, in small background batches (webhook stats stay); 0 keeps everything',
  }),
  shutdownGraceSeconds: integer(0, 600, 10, {
    env: 'HERALD_SHUTDOWN_GRACE_SECONDS',
    flag: 'shutdown-grace-seconds',
    description:
      'on SIGTERM/SIGINT, how long attempts in flight may finish; the rest are then aborted, record no attempt and stay due (sent again after the restart or by another process), and the process exits 0',
  }),
});

type Settings = Static<typeof SETTINGS>;
export type SettingName = keyof Settings;
export type Role = Settings['role'];
export type Config = Readonly<
  Omit<Settings, 'rateLimitPerMinute' | 'deliveryThreads'> & { rateLimitPerMinute: number | undefined; deliveryThreads: number }
>;

/** HERALD_DELIVERY_THREADS when unset: every core but the main thread's, at least one. */
export function defaultDeliveryThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Every setting in declaration order, with its schema and what it says about itself. */
export function settingList(): { name: SettingName; schema: TSchema; meta: SettingMeta }[] {
  return Object.entries(SETTINGS.properties).map(([name, schema]) => ({
    name: name as SettingName,
    schema: schema as TSchema,
    meta: schema as unknown as SettingMeta,
  }));
}

export interface LoadOptions {
  /** Whether stdout is a terminal: the default HERALD_LOG_FORMAT is pretty there, json elsewhere. */
  isTty?: boolean;
}

export function loadConfig(env: Env = process.env, argv: string[] = [], options: LoadOptions = {}): Config {
  const merged: Env = { ...env, ...flagsToEnv(argv) };
  const raw: Record<string, unknown> = {};
  for (const { name, schema, meta } of settingList()) {
    const text = merged[meta.env];
    if (text !== undefined && text !== '') raw[name] = fromText(schema, text);
  }
  raw.logFormat ??= options.isTty ? 'pretty' : 'json';
  const settings = Value.Default(SETTINGS, raw) as Record<string, unknown>;
  const problems = invalidSettings(settings, merged);
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  const checked = settings as Settings;
  if (checked.secretKey === undefined && checked.databaseUrl.startsWith('postgres')) {
    throw new ConfigError(
      'HERALD_SECRET_KEY is required with a PostgreSQL database: every process must share it (generate one with: openssl rand -base64 32)',
    );
  }
  const rate = checked.rateLimitPerMinute;
  return Object.freeze({
    ...checked,
    rateLimitPerMinute: rate === 'off' || rate === 0 ? undefined : rate,
    deliveryThreads: checked.deliveryThreads ?? defaultDeliveryThreads(),
  });
}

/** One sentence per bad setting: the variable, what it accepts, and (not for secrets) what it got. */
function invalidSettings(settings: Record<string, unknown>, env: Env): string[] {
  const bad = new Set([...Value.Errors(SETTINGS, settings)].map((e) => e.instancePath.split('/')[1]));
  return settingList()
    .filter(({ name }) => bad.has(name))
    .map(({ name, schema, meta }) => {
      const got = meta.isSecret ? '' : ` (got "${shown(name, env[meta.env] ?? '')}")`;
      return `${meta.env} must be ${accepted(schema)}${got}`;
    });
}

/** What a setting accepts, in words: its own `accepts`, else read from the schema. */
export function accepted(schema: TSchema): string {
  const s = schema as TSchema & Record<string, any>;
  if (s.accepts) return s.accepts;
  if (s.type === 'integer') return `a whole number from ${s.minimum} to ${s.maximum}`;
  if (s.type === 'number') return `a number from ${s.minimum} to ${s.maximum}`;
  if (s.type === 'boolean') return 'true or false';
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(', ')}`;
  if (s.const !== undefined) return String(s.const);
  if (Array.isArray(s.anyOf)) return s.anyOf.map(accepted).join(' or ');
  return 'text';
}

/** Env text → the JSON type the schema wants; anything else is left as text for the check to refuse. */
function fromText(schema: TSchema, text: string): unknown {
  const s = schema as TSchema & Record<string, any>;
  const wantsInteger = s.type === 'integer' || (Array.isArray(s.anyOf) && s.anyOf.some((o: any) => o.type === 'integer'));
  if (wantsInteger && /^\d+$/.test(text)) return Number(text);
  if (s.type === 'number' && /^\d+(\.\d+)?$|^\.\d+$/.test(text)) return Number(text);
  if (s.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function shown(name: SettingName, text: string): string {
  return name === 'databaseUrl' ? redactUrl(text) : text.slice(0, 100);
}

export interface KeySources {
  apiKey: string;
  secretKey: string;
}

/** Every setting for the start-up log, keyed like its variable (HERALD_LEASE_SECONDS → lease_seconds); secrets only by where they came from. */
export function configSummary(config: Config, sources: KeySources): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const { name, meta } of settingList()) {
    const key = meta.env.replace(/^HERALD_/, '').toLowerCase();
    const value = config[name];
    if (name === 'apiKey' || name === 'secretKey') summary[key] = sources[name];
    else if (name === 'databaseUrl') summary[key] = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : redactUrl(config.databaseUrl);
    else summary[key] = value ?? 'off';
  }
  return summary;
}

export function redactUrl(url: string): string {
  if (!url.includes('@')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(hidden: it may hold a password)';
  }
}

/** Whether the command line asks for usage (`--help` or `-h`). */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function flagsToEnv(argv: string[]): Env {
  const byFlag = new Map(settingList().flatMap(({ meta }) => (meta.flag ? [[meta.flag, meta.env] as const] : [])));
  const options = Object.fromEntries([...byFlag.keys()].map((flag) => [flag, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    const known = [...byFlag.keys()].map((f) => `--${f}`).join(', ');
    throw new ConfigError(`${(error as Error).message.replace(/\.? To specify.*$/s, '')}. Known flags: ${known} (--help explains each)`);
  }
  const out: Env = {};
  for (const [flag, value] of Object.entries(values)) if (typeof value === 'string') out[byFlag.get(flag)!] = value;
  return out;
}
