// A Redis server of the bench's own for one BullMQ run: a child process on a free port with a
// fresh temp directory, the append-only file on and RDB snapshots off, so that what it acknowledges
// is on disk (`always`: fsync before every reply) or at most a second away from it (`everysec`).
// The machine's own Redis on 6379 runs without persistence and is never used.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type AppendFsync = 'always' | 'everysec';

export interface RedisServer {
  port: number;
  pid: number;
  /** `redis-server --version`'s number, e.g. 7.0.15. */
  version: string;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.HERALD_BENCH_REDIS_SERVER || '/usr/bin/redis-server';

export async function startRedis(appendfsync: AppendFsync): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-redis-'));
  const port = await freePort();
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', appendfsync, '--save', '', '--daemonize', 'no', '--logfile', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within 20 s:\n${output}`)), 20_000);
      const check = () => {
        if (!output.includes('Ready to accept connections')) return;
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    cleanUp();
    throw error;
  }
  return {
    port,
    pid: child.pid!,
    version: /v=(\d+\.\d+\.\d+)/.exec(output)?.[1] ?? /Redis version=(\d+\.\d+\.\d+)/.exec(output)?.[1] ?? 'unknown',
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM'); // redis-server shuts down cleanly on SIGTERM (no RDB: --save "")
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      cleanUp();
    },
  };
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
