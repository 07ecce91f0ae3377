// Starts baseline (f) the way herald-process.ts starts Herald: a fresh Redis of its own (see
// redis-server.ts) and the BullMQ dispatcher (bullmq-dispatcher.ts) as a child process, handed to
// the scenarios as a `StartHeralds`, so that (f) runs the very same scenario code as (b).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startChild } from '../child.ts';
import { httpProcess, type StartHeralds } from '../herald-process.ts';
import { startRedis, type AppendFsync } from './redis-server.ts';

const API_KEY = 'bench-api-key-0123456789';
const DISPATCHER = fileURLToPath(new URL('./bullmq-dispatcher.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** "BullMQ 6.7.0", from the installed package. */
export function bullmqVersion(): string {
  const read = (name: string) => JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  return `BullMQ ${read('bullmq')} (ioredis ${read('ioredis')})`;
}

export interface BullmqOptions {
  appendfsync: AppendFsync;
  concurrency: number;
  /** Called with the Redis server's version once it runs. */
  onRedisVersion?: (version: string) => void;
}

export function bullmqStarter(options: BullmqOptions): StartHeralds {
  return async (processCount) => {
    if (processCount !== 1) throw new Error('the BullMQ baseline runs one dispatcher process');
    const redis = await startRedis(options.appendfsync);
    options.onRedisVersion?.(redis.version);
    const child = startChild('the BullMQ dispatcher', process.execPath, ['--import', 'tsx', DISPATCHER], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', REDIS_PORT: String(redis.port), HERALD_API_KEY: API_KEY, HERALD_WEBHOOK_CONCURRENCY: String(options.concurrency) },
    });
    const stop = async () => {
      if (!child.hasExited()) {
        const code = await child.stop(30_000);
        if (code !== 0) console.error(`bench: the BullMQ dispatcher ${child.pid} exited with ${code}\n${child.output().slice(-2000)}`);
      }
      await redis.stop();
    };
    let port: number;
    try {
      port = await child.waitFor((output) => {
        const match = /listening on port (\d+)/.exec(output);
        return match ? Number(match[1]) : undefined;
      }, 60_000);
    } catch (error) {
      await stop();
      throw error;
    }
    const dispatcher = httpProcess(`http://127.0.0.1:${port}`, API_KEY, child.pid!);
    return {
      processes: [dispatcher],
      cpuPids: { dispatcher: dispatcher.pid, redis: redis.pid },
      beginMeasure: async () => {},
      endMeasure: async () => {},
      stop,
    };
  };
}
