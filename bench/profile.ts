// Summarises a V8 CPU profile (taken from Herald under `--profile`): where the time went, by
// function (self and inclusive), by area (a package, a file of ours, node internals, GC, idle) and by
// the innermost function of ours on the stack.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  selfByFunction: ProfileEntry[];
  inclusiveByFunction: ProfileEntry[];
  selfByArea: ProfileEntry[];
  /** Time charged to the innermost frame of our own code (src/) on the stack: what each of our functions costs, libraries included. */
  byOurFrame: ProfileEntry[];
}

export function summariseProfile(file: string, profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  const ours = new Map<string, number>();
  let totalMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const leaf = byId.get(profile.samples[i])!;
    add(self, functionKey(leaf), ms);
    add(areas, area(leaf.callFrame.url, leaf.callFrame.functionName), ms);
    const seen = new Set<string>();
    let ourFrame: string | undefined;
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id)!;
      const key = functionKey(node);
      if (ourFrame === undefined && isOurs(node.callFrame.url)) ourFrame = key;
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, ms);
      }
    }
    add(ours, ourFrame ?? `(not under src/) ${area(leaf.callFrame.url, leaf.callFrame.functionName)}`, ms);
  }
  const rank = (m: Map<string, number>, skip: (name: string) => boolean = () => false) =>
    [...m]
      .filter(([name]) => !skip(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Math.round((ms / totalMs) * 1000) / 10 }));
  // Roots and the event loop's own frames include everything: leave them out of the inclusive list.
  const isFrame = (name: string) => /^\((root|program|idle|garbage collector)\)/.test(name) || /^\(anonymous\) node:internal\/(modules|main)/.test(name) || name.startsWith('processTicksAndRejections') || name.startsWith('listOnTimeout') || name.startsWith('processTimers');
  return { file, totalMs: Math.round(totalMs), selfByFunction: rank(self), inclusiveByFunction: rank(inclusive, isFrame), selfByArea: rank(areas), byOurFrame: rank(ours) };
}

function isOurs(url: string): boolean {
  return url.includes('/src/') && !url.includes('node_modules/');
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  return url ? `${name} ${shortUrl(url)}:${lineNumber + 1}` : name;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const src = url.indexOf('/src/');
  return src >= 0 ? url.slice(src + 1) : url;
}

export function formatProfile(summary: ProfileSummary, top = 15): string {
  const list = (title: string, entries: ProfileEntry[]) =>
    [`  ${title}:`, ...entries.slice(0, top).map((e) => `    ${String(e.percent).padStart(5)}%  ${String(e.ms).padStart(6)} ms  ${e.name}`)].join('\n');
  return [
    `${summary.file} (${summary.totalMs} ms sampled)`,
    list('self time by area', summary.selfByArea),
    list('self time by function', summary.selfByFunction),
    list('inclusive time by function', summary.inclusiveByFunction),
    list('time by innermost function of ours (src/) on the stack', summary.byOurFrame),
  ].join('\n');
}
