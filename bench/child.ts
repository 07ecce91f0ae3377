// A child process the bench starts (Herald, the BullMQ dispatcher, redis-server): its recent output
// kept for error messages, a wait for a line that says it is ready, and a stop that escalates.
import { spawn, type SpawnOptions } from 'node:child_process';

export interface Child {
  pid: number;
  /** The last 20,000 characters of stdout and stderr together. */
  output(): string;
  exited: Promise<number | null>;
  hasExited(): boolean;
  /**
   * Resolves with what `ready` finds in the output once it finds something; rejects when the child
   * exits first or `timeoutMs` pass.
   */
  waitFor<T>(ready: (output: string) => T | undefined, timeoutMs: number): Promise<T>;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves with the exit code. */
  stop(killAfterMs: number): Promise<number | null>;
}

export function startChild(name: string, command: string, args: string[], options: Omit<SpawnOptions, 'stdio'>): Child {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    waitFor: (ready, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} was not ready within ${timeoutMs / 1000} s:\n${output}`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          settle();
        };
        const check = () => {
          const found = ready(output);
          if (found !== undefined) finish(() => resolve(found));
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        void exited.then((code) => finish(() => reject(new Error(`${name} exited with ${code} before it was ready:\n${output}`))));
        check();
      }),
    async stop(killAfterMs) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
