// The measured window of a scenario: CPU use of every process involved and, under --profile,
// Herald's CPU profiles cover exactly this span.
import { measureCpu, type CpuUse } from './cpu.ts';
import type { HeraldGroup } from './herald-process.ts';
import type { Receiver } from './receiver-client.ts';

export interface Window {
  end(): Promise<CpuUse | undefined>;
}

export async function beginWindow(receiver: Receiver, group?: HeraldGroup): Promise<Window> {
  const pids: Record<string, number> = { receiver: receiver.pid, harness: process.pid };
  if (group?.cpuPids) Object.assign(pids, group.cpuPids);
  else group?.processes.forEach((p, i) => (pids[group.processes.length === 1 ? 'herald' : `herald ${i + 1}`] = p.pid));
  await group?.beginMeasure();
  const cpu = measureCpu(pids);
  return {
    async end() {
      const use = cpu.stop();
      await group?.endMeasure();
      return use;
    },
  };
}
