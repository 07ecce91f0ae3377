// `npm test`: every test/**/*.test.ts under node:test (Node 20's --test does not expand globs),
// then the integration suites (API, delivery, security, operations) once more on PostgreSQL:
// one parametrised suite, two stores. Pass file paths to run only those on SQLite:
//   npm test -- test/api/events-ingest.test.ts
// HERALD_TEST_STORE=postgres npm test -- <files> runs given files on PostgreSQL.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PARAMETRISED = ['test/api', 'test/delivery', 'test/security', 'test/ops'];

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'helpers' ? [] : find(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

function run(files, env) {
  if (files.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.HERALD_TEST_CONCURRENCY ?? 2}`, ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  return result.status ?? 1;
}

function postgresIsUp() {
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import pg from 'pg';
    const c = new pg.Client({ connectionString: process.env.HERALD_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', connectionTimeoutMillis: 3000 });
    c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));`], { cwd: root });
  return probe.status === 0;
}

const given = process.argv.slice(2);
if (given.length > 0) process.exit(run(given, {}));

const all = find(join(root, 'test')).sort();
let status = run(all, { HERALD_TEST_STORE: 'sqlite' });
if (postgresIsUp()) {
  console.log('\n# The integration suites again, on PostgreSQL\n');
  const parametrised = all.filter((file) => PARAMETRISED.some((dir) => file.startsWith(`${dir}/`)));
  status = run(parametrised, { HERALD_TEST_STORE: 'postgres' }) || status;
} else if (process.env.HERALD_REQUIRE_POSTGRES === '1') {
  console.error('PostgreSQL is required (HERALD_REQUIRE_POSTGRES=1) but not reachable on 127.0.0.1:5432');
  status = 1;
} else {
  console.warn('# PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL pass is skipped');
}
process.exit(status);
