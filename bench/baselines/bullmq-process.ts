// Starts baseline (f) the way herald-process.ts starts Herald: a fresh Redis of its own (see
// redis-server.ts) and the BullMQ dispatcher (bullmq-dispatcher.ts) as a child process, handed to
// the scenarios as a `StartHeralds`, so that (f) runs the very same scenario code as (b).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
    const child = spawn(process.execPath, ['--import', 'tsx', DISPATCHER], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', REDIS_PORT: String(redis.port), HERALD_API_KEY: API_KEY, HERALD_WEBHOOK_CONCURRENCY: String(options.concurrency) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
    child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stop = async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const code = await exited;
        clearTimeout(timer);
        if (code !== 0) console.error(`bench: the BullMQ dispatcher ${child.pid} exited with ${code}\n${output.slice(-2000)}`);
      }
      await redis.stop();
    };
    let port: number;
    try {
      port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the BullMQ dispatcher did not start within 60 s:\n${output}`)), 60_000);
        const check = () => {
          const match = /listening on port (\d+)/.exec(output);
          if (!match) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(Number(match[1]));
        };
        child.stdout.on('data', check);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`the BullMQ dispatcher exited with ${code} before it listened:\n${output}`));
        });
      });
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
