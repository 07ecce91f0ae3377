// Builds the admin UI (ui/ → ui/dist) when the build is missing or older than its sources.
// Runs before `npm start`; a failed build is reported and the API starts anyway.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ui = join(root, 'ui');
const built = join(ui, 'dist', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(join(ui, 'index.html'))) process.exit(0);
const sources = Math.max(newestMtime(ui), statSync(join(root, 'package-lock.json')).mtimeMs);
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);

console.error('herald: building the admin UI (ui/ → ui/dist) ...');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const result = spawnSync(process.execPath, [vite, 'build', '--config', join(ui, 'vite.config.ts'), '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) console.error('herald: the UI build failed; the API starts without the admin UI.');
