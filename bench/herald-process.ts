// Starts Herald as real child processes (`node --import tsx src/main.ts`), one store per group:
// a temp SQLite file (one process) or a fresh PostgreSQL database (any number of processes).
// Scenarios receive a `StartHeralds` function and never know which store is behind it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Agent, request } from 'undici';
import { startChild } from './child.ts';
import { connectProfiler, type Profiler } from './inspector.ts';

export type StoreKind = 'sqlite' | 'postgres';

export interface HeraldProcess {
  baseUrl: string;
  apiKey: string;
  pid: number;
  /** JSON API call; `body` may be a pre-serialised string. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export interface HeraldGroup {
  processes: HeraldProcess[];
  /** Embedded mode: the SQLite file (its size is measured by the retention row). */
  sqlitePath?: string;
  /** The processes whose CPU the measured window reports, by name; default: the Herald processes. */
  cpuPids?: Record<string, number>;
  /** Mark the measured window: under `onProfile`, each process is CPU-profiled for just that window. */
  beginMeasure(): Promise<void>;
  endMeasure(): Promise<void>;
  stop(): Promise<void>;
}

export type StartHeralds = (processCount: number) => Promise<HeraldGroup>;

export interface HeraldOptions {
  store: StoreKind;
  /** The checkout to run (its src/main.ts and node_modules). */
  heraldDir: string;
  env: Record<string, string>;
  /** Extra flags for node. */
  nodeArgs: string[];
  postgresAdminUrl: string;
  /** When set, every process is profiled over the measured window and its profile handed here. */
  onProfile?: (pid: number, profile: unknown) => void;
}

const API_KEY = 'bench-api-key-0123456789';
const SECRET_KEY = 'bench-secret-key-0123456789abcdef';
/** One pool for every call the harness makes to Herald. */
export const heraldAgent = new Agent({ connections: 128, keepAliveTimeout: 30_000 });

export function heraldStarter(options: HeraldOptions): StartHeralds {
  return async (processCount) => {
    if (options.store === 'sqlite' && processCount !== 1) throw new Error('embedded SQLite runs one process');
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
    const database = options.store === 'postgres' ? await createDatabase(options.postgresAdminUrl) : undefined;
    const databaseUrl = database?.url ?? `sqlite:${join(dataDir, 'herald.db')}`;
    const stops: Array<() => Promise<void>> = [];
    const processes: HeraldProcess[] = [];
    const profilers: Array<{ pid: number; profiler: Profiler }> = [];
    const stop = async () => {
      for (const p of profilers) p.profiler.close();
      await Promise.all(stops.map((s) => s()));
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    };
    try {
      // One at a time: each runs the (idempotent) migrations before it listens.
      for (let i = 0; i < processCount; i++) {
        const started = await startOne(options, databaseUrl);
        stops.push(started.stop);
        processes.push(started.herald);
        if (started.inspectorUrl) profilers.push({ pid: started.herald.pid, profiler: await connectProfiler(started.inspectorUrl) });
      }
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      processes,
      sqlitePath: database ? undefined : join(dataDir, 'herald.db'),
      stop,
      beginMeasure: async () => {
        await Promise.all(profilers.map((p) => p.profiler.start()));
      },
      endMeasure: async () => {
        for (const p of profilers) options.onProfile?.(p.pid, await p.profiler.stop());
      },
    };
  };
}

interface StartedProcess {
  herald: HeraldProcess;
  inspectorUrl?: string;
  stop: () => Promise<void>;
}

async function startOne(options: HeraldOptions, databaseUrl: string): Promise<StartedProcess> {
  const inspect = options.onProfile ? ['--inspect=127.0.0.1:0'] : [];
  const child = startChild('Herald', process.execPath, [...inspect, ...options.nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: options.heraldDir,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      HERALD_DATABASE_URL: databaseUrl,
      HERALD_API_KEY: API_KEY,
      HERALD_SECRET_KEY: SECRET_KEY,
      HERALD_ALLOW_PRIVATE_TARGETS: 'true',
      HERALD_LOG_LEVEL: 'info', // the start-up lines carry the port; request logging is off
      ...options.env,
    },
  });
  const stop = async () => {
    if (child.hasExited()) return;
    const code = await child.stop(30_000);
    if (code !== 0) console.error(`bench: Herald ${child.pid} exited with ${code}\n${child.output().slice(-2000)}`);
  };
  try {
    const port = await child.waitFor((output) => {
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      return match && output.includes('Herald is ready') ? Number(match[1]) : undefined;
    }, 60_000);
    const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(child.output())?.[1];
    if (options.onProfile && !inspectorUrl) throw new Error(`Herald ${child.pid} did not open an inspector:\n${child.output()}`);
    return { herald: httpProcess(`http://127.0.0.1:${port}`, API_KEY, child.pid), stop, inspectorUrl };
  } catch (error) {
    await child.stop(5_000);
    throw error;
  }
}

/** The harness's handle on a process serving Herald's API (Herald, or a baseline speaking the same API). */
export function httpProcess(baseUrl: string, apiKey: string, pid: number): HeraldProcess {
  return {
    baseUrl,
    apiKey,
    pid,
    async api(method, path, body) {
      const response = await request(baseUrl + path, {
        method: method as 'GET',
        dispatcher: heraldAgent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.body.text();
      return { status: response.statusCode, body: text ? JSON.parse(text) : undefined };
    },
  };
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `herald_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** True when a PostgreSQL server answers at `adminUrl`. */
export async function postgresAnswers(adminUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
