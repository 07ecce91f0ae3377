// The docs work from a clone: every relative link in README.md, ARCHITECTURE.md and docs/*.md
// names a file inside the repository that exists (and an anchor that a heading there makes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/herald.ts';

const DOCS = ['README.md', 'ARCHITECTURE.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));
}

describe('docs links', () => {
  it('point only at files inside the repository that exist', () => {
    for (const doc of DOCS) {
      const text = readFileSync(join(ROOT, doc), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#');
        const file = path ? resolve(ROOT, dirname(doc), path) : join(ROOT, doc);
        assert.ok(!relative(ROOT, file).startsWith('..'), `${doc}: ${target} leaves the repository`);
        assert.ok(existsSync(file), `${doc}: ${target} does not exist`);
        if (anchor && file.endsWith('.md')) assert.ok(anchorsIn(file).has(anchor), `${doc}: ${target} has no such heading`);
      }
    }
  });

  it('keep the contract in the repository as docs/api.md', () => {
    const contract = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
    assert.match(contract, /^# Herald public contract/);
    assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /\]\(docs\/api\.md\)/);
  });
});
