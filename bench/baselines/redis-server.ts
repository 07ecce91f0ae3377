// A Redis server of the bench's own for one BullMQ run: a child process on a free port with a
// fresh temp directory, the append-only file on and RDB snapshots off, so that what it acknowledges
// is on disk (`always`: fsync before every reply) or at most a second away from it (`everysec`).
// The machine's own Redis on 6379 runs without persistence and is never used.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from '../child.ts';

export type AppendFsync = 'always' | 'everysec';

export interface RedisServer {
  port: number;
  pid: number;
  /** As the server logs it at start, e.g. 7.0.15. */
  version: string;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.HERALD_BENCH_REDIS_SERVER || '/usr/bin/redis-server';

export async function startRedis(appendfsync: AppendFsync): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-redis-'));
  const port = await freePort();
  const child = startChild(
    'redis-server',
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', appendfsync, '--save', '', '--daemonize', 'no', '--logfile', ''],
    {},
  );
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  try {
    await child.waitFor((output) => (output.includes('Ready to accept connections') ? true : undefined), 20_000);
  } catch (error) {
    await child.stop(1_000);
    cleanUp();
    throw error;
  }
  return {
    port,
    pid: child.pid,
    version: /Redis version=(\d+\.\d+\.\d+)/.exec(child.output())?.[1] ?? 'unknown',
    async stop() {
      await child.stop(10_000); // redis-server shuts down cleanly on SIGTERM (no RDB: --save "")
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
