// `npm run docs:config`: rewrites the README's configuration table from the settings schema
// (src/config.ts). test/unit/config.test.ts fails while the README's table differs from it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withConfigTable } from '../src/config-help.ts';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(readme, withConfigTable(readFileSync(readme, 'utf8')));
console.log('README.md: configuration table updated from src/config.ts');
