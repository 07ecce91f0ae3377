// The benchmark's output: one Markdown table (pasteable into the README) and the same as JSON.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { percentile } from './clock.ts';
import type { CpuUse } from './cpu.ts';

export interface Row {
  id: string;
  scenario: string;
  value: number;
  unit: string;
  /** Shown instead of `value unit` when set. */
  display?: string;
  /** Of the raw ceiling (a). */
  ratio?: number;
  target?: string;
  isMet?: boolean;
  /** Of the faster BullMQ baseline (f) with the same ingest mode. */
  vsBaseline?: number;
  /** The same baseline's CPU time per delivery over this row's (above 1: Herald uses less). */
  vsBaselineCpu?: number;
  baselineTarget?: string;
  baselineIsMet?: boolean;
  cpu?: CpuUse;
}

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverage: number[];
  /** 4 KiB write + fsync in the temp directory (where the SQLite file lives), at the start. */
  fsyncMs: { p50: number; p99: number };
  herald: string;
}

export function describeMachine(heraldDir: string): Machine {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    fsyncMs: probeFsync(),
    herald: describeCheckout(heraldDir),
  };
}

function probeFsync(): { p50: number; p99: number } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-fsync-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      writeSync(fd, block);
      fsyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)) };
}

function describeCheckout(dir: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src', 'package.json');
    return dirty ? `${commit} + uncommitted changes in src/` : commit;
  } catch {
    return `${dir} (not a git checkout)`;
  }
}

const number = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function formatTable(machine: Machine, command: string, rows: Row[]): string {
  const lines = [
    `Herald benchmark, ${machine.date}`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average at start ${machine.loadAverage.join(' ')}, fsync p50 ${machine.fsyncMs.p50} ms / p99 ${machine.fsyncMs.p99} ms`,
    `herald: ${machine.herald}`,
    `command: ${command}`,
    '',
    '| | scenario | result | vs (a) | vs (f) | target | | CPU cores used: Herald or the BullMQ dispatcher (main thread / busiest other thread) + Redis · receiver · load generator · other · machine busy · CPU per delivery of Herald or dispatcher + Redis |',
    '|---|---|--:|--:|--:|---|---|---|',
    ...rows.map((r) => {
      const result = r.display ?? `${number(r.value, r.unit === 'ms' ? 1 : 0)} ${r.unit}`;
      const ratio = r.ratio === undefined ? '' : `${Math.round(r.ratio * 100)}%`;
      const cpuRatio = r.vsBaselineCpu === undefined ? '' : ` (CPU ${number(r.vsBaselineCpu, 2)}×)`;
      const vsBaseline = r.vsBaseline === undefined ? '' : `${number(r.vsBaseline, 2)}×${cpuRatio}`;
      const verdict = (isMet: boolean | undefined) => (isMet === undefined ? [] : [isMet ? 'pass' : '**miss**']);
      const targets = [r.target, r.baselineTarget].filter((t) => t !== undefined).join(' · ');
      const verdicts = [...verdict(r.isMet), ...verdict(r.baselineIsMet)].join(' · ');
      return `| ${r.id} | ${r.scenario} | ${result} | ${ratio} | ${vsBaseline} | ${targets} | ${verdicts} | ${formatCpu(r.cpu)}${formatCpuPerDelivery(r)} |`;
    }),
  ];
  return lines.join('\n');
}

function formatCpu(cpu: CpuUse | undefined): string {
  if (!cpu) return '';
  const names = Object.keys(cpu.cores).filter((n) => (n.startsWith('herald') || n === 'dispatcher') && !n.endsWith(' thread'));
  const herald = names
    .map((n) => `${cpu.cores[n].toFixed(2)} (${cpu.cores[`${n} main thread`].toFixed(2)} / ${cpu.cores[`${n} busiest other thread`].toFixed(2)})`)
    .join(' + ');
  const redis = cpu.cores.redis === undefined ? '' : ` + Redis ${cpu.cores.redis.toFixed(2)}`;
  return `${herald || '–'}${redis} · ${cpu.cores.receiver.toFixed(2)} · ${cpu.cores.harness.toFixed(2)} · ${cpu.otherCores.toFixed(2)} · ${Math.round(cpu.machineBusy * 100)}%`;
}

/** Herald's (or the dispatcher's plus Redis's) CPU time per delivery: the figure the shared machine's noise disturbs least. */
export function cpuPerDeliveryUs(cpu: CpuUse | undefined, deliveriesPerSecond: number): number | undefined {
  if (!cpu || !(deliveriesPerSecond > 0)) return undefined;
  const cores = Object.entries(cpu.cores)
    .filter(([name]) => (name.startsWith('herald') || name === 'dispatcher' || name === 'redis') && !name.endsWith(' thread'))
    .reduce((sum, [, c]) => sum + c, 0);
  return (cores * 1e6) / deliveriesPerSecond;
}

function formatCpuPerDelivery(row: Row): string {
  const us = row.unit === 'deliveries/s' ? cpuPerDeliveryUs(row.cpu, row.value) : undefined;
  return us === undefined ? '' : ` · ${number(us)} µs`;
}

export function writeJson(path: string, content: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
}

export { number as formatNumber };
