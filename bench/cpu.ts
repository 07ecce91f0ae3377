// CPU use over a measured window, from /proc (Linux; elsewhere the figures are left out): how many
// cores each process used on average, the main thread apart, and how busy the whole machine was.
// It tells a bottleneck in Herald's one JavaScript thread from a machine that is simply full.
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CpuUse {
  /**
   * Average cores used per process name; `<name> main thread` is its JavaScript thread alone and
   * `<name> busiest other thread` the busiest of the rest (a worker thread, GC, libuv's pool).
   */
  cores: Record<string, number>;
  /** Busy share of all cores, 0..1. */
  machineBusy: number;
  /** Cores busy outside the named processes: a database server, other tenants of the machine. */
  otherCores: number;
}

const TICKS_PER_SECOND = 100;

function ticksOf(statPath: string): number {
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function processTicks(pid: number): { all: number; main: number; threads: Map<string, number> } {
  let all = 0;
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ticks = ticksOf(`/proc/${pid}/task/${tid}/stat`);
      all += ticks;
      threads.set(tid, ticks);
    } catch {
      // the thread ended meanwhile
    }
  }
  return { all, main: threads.get(String(pid)) ?? 0, threads };
}

function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - values[3] - values[4], total };
}

/** Starts measuring the named processes; `stop()` returns their average use since. */
export function measureCpu(processes: Record<string, number>): { stop(): CpuUse | undefined } {
  try {
    const startedAt = performance.now();
    const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, processTicks(pid)]));
    const machineBefore = machineTicks();
    return {
      stop() {
        try {
          const seconds = (performance.now() - startedAt) / 1000;
          const cores: Record<string, number> = {};
          for (const [name, pid] of Object.entries(processes)) {
            const after = processTicks(pid);
            cores[name] = round((after.all - before[name].all) / TICKS_PER_SECOND / seconds);
            cores[`${name} main thread`] = round((after.main - before[name].main) / TICKS_PER_SECOND / seconds);
            let busiest = 0;
            for (const [tid, ticks] of after.threads) {
              if (tid !== String(pid)) busiest = Math.max(busiest, ticks - (before[name].threads.get(tid) ?? 0));
            }
            cores[`${name} busiest other thread`] = round(busiest / TICKS_PER_SECOND / seconds);
          }
          const machineAfter = machineTicks();
          const busy = (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total);
          const named = Object.entries(cores).filter(([name]) => !name.endsWith(' thread')).reduce((sum, [, c]) => sum + c, 0);
          return { cores, machineBusy: round(busy), otherCores: round(Math.max(0, busy * cpus().length - named)) };
        } catch {
          return undefined;
        }
      },
    };
  } catch {
    return { stop: () => undefined };
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

