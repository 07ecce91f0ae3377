// Starts Herald as a real child process (`node --import tsx src/main.ts`) on a temp SQLite file
// (or a given database URL) and a free port, and talks to it over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createTestDatabase, type TestDatabase } from './postgres.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `HERALD_TEST_STORE=postgres npm test` runs the integration suites on PostgreSQL instead of SQLite. */
export const TEST_STORE = process.env.HERALD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

const createdDatabases: TestDatabase[] = [];
process.once('beforeExit', async () => {
  for (const database of createdDatabases.splice(0)) await database.drop().catch(() => {});
});

/** Each data directory gets its own database, reused when Herald restarts on that directory. */
async function databaseUrlFor(dataDir: string): Promise<string> {
  if (TEST_STORE === 'sqlite') return `sqlite:${join(dataDir, 'herald.db')}`;
  const file = join(dataDir, 'pg-url');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const database = await createTestDatabase();
  createdDatabases.push(database);
  writeFileSync(file, database.url);
  return database.url;
}

export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
  text: string;
}

export interface Herald {
  baseUrl: string;
  apiKey: string;
  dbPath: string;
  dataDir: string;
  databaseUrl: string;
  process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** SIGTERM and wait for exit (returns the exit code). */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all. */
  kill(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse the data directory of an earlier run (same SQLite file and key file). */
  dataDir?: string;
  databaseUrl?: string;
  apiKey?: string;
  args?: string[];
  /** Extra flags for node itself, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  timeoutMs?: number;
}

export async function startHerald(options: StartOptions = {}): Promise<Herald> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'herald-test-'));
  const dbPath = join(dataDir, 'herald.db');
  const databaseUrl = options.databaseUrl ?? (await databaseUrlFor(dataDir));
  const apiKey = options.apiKey ?? 'test-api-key-0123456789';
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: '0',
    HOST: '127.0.0.1',
    HERALD_DATABASE_URL: databaseUrl,
    HERALD_API_KEY: apiKey,
    HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_LOG_LEVEL: 'info',
    ...options.env,
  };
  if (databaseUrl.startsWith('postgres') && !env.HERALD_SECRET_KEY) env.HERALD_SECRET_KEY = 'test-secret-key-0123456789abcdef';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts', ...(options.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process that is not ready in time is killed, not left running: it would keep the test file alive.
      child.kill('SIGKILL');
      reject(new Error(`Herald did not start within ${options.timeoutMs ?? 60_000} ms:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const check = () => {
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && output.includes('Herald is ready')) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Herald exited with ${code} before it was ready:\n${output}`));
    });
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    apiKey,
    dbPath,
    dataDir,
    databaseUrl,
    process: child,
    logs: () => output,
    async api(method, path, body, headers = {}) {
      const response = await fetch(baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: response.status, body: parsed, headers: response.headers, text };
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls until `check` returns a truthy value (for state reached through the API). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
