// The house rules on imports (ARCHITECTURE.md, "Code map and dependency direction"), checked on
// every file of src/: a rule nobody checks slips.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [relative(SRC, path)] : [];
  });
}

/** Every module a file imports or re-exports (static and dynamic), resolved against src/ when relative. */
export function importsOf(file: string, text: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gms,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /new\s+URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const target = match[1];
      found.add(target.startsWith('.') ? normalize(join(dirname(file), target)) : target);
    }
  }
  return [...found];
}

const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file, readFileSync(join(SRC, file), 'utf8'))]));
const ours = (target: string) => !target.startsWith('node:') && !target.startsWith('..') && graph.has(target);
const under = (folder: string) => (path: string) => path.startsWith(`${folder}/`);
/** The store adapters and the one module that picks between them. */
const isAdapter = (path: string) => under('store/sqlite')(path) || under('store/postgres')(path) || path === 'store/open.ts';

function violations(from: (file: string) => boolean, to: (target: string) => boolean): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    if (!from(file)) continue;
    for (const target of targets) if (ours(target) && to(target)) found.push(`${file} → ${target}`);
  }
  return found;
}

describe('dependency rules', () => {
  it('reads the imports of src/ (the check itself sees imports, type imports and re-exports)', () => {
    assert.ok(graph.size > 50, `found ${graph.size} files`);
    assert.ok(graph.get('main.ts')!.includes('store/open.ts'));
    assert.deepEqual(
      importsOf('api/x.ts', "import type { A } from '../delivery/a.ts';\nexport { B } from './b.ts';\nconst c = await import('../store/open.ts');\nimport {\n  D,\n} from '../domain/d.ts';"),
      ['delivery/a.ts', 'api/b.ts', 'domain/d.ts', 'store/open.ts'],
    );
  });

  it('api/ imports neither delivery/ nor a store adapter', () => {
    assert.deepEqual(violations(under('api'), (t) => under('delivery')(t) || isAdapter(t)), []);
  });

  it('delivery/ imports neither api/ nor a store adapter', () => {
    assert.deepEqual(violations(under('delivery'), (t) => under('api')(t) || isAdapter(t)), []);
  });

  it('maintenance/ imports only domain/ and the store ports', () => {
    assert.deepEqual(violations(under('maintenance'), (t) => !under('maintenance')(t) && !under('domain')(t) && t !== 'store/ports.ts'), []);
  });

  it('domain/ and catalog/ import nothing of ours outside themselves', () => {
    assert.deepEqual(violations(under('domain'), (t) => !under('domain')(t)), []);
    assert.deepEqual(violations(under('catalog'), (t) => !under('catalog')(t)), []);
  });

  it('only main.ts (and the adapters among themselves) import an adapter', () => {
    assert.deepEqual(violations((f) => f !== 'main.ts' && !isAdapter(f), isAdapter), []);
  });
});

describe('import cycles', () => {
  it('src/ has none (e.g. app.ts and routes/* share types through api/deps.ts)', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) if (ours(target)) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(cycles, []);
  });
});
