// The README's curl walk-through, run as written: its `sh` blocks are taken from README.md, the
// Herald and receiver lines start a real Herald (fresh store, generated key) and the real receiver
// (`npm run receiver`), and the rest runs in bash. Each curl's answer status must be the one the
// README's `# → <status>` comment after it says, so the README cannot drift from what Herald does.
// The only rewrites: the printed key goes into `KEY=hk_…`, and the ports 8080 and 9000 become
// free ones (other Herald processes may hold those on a shared machine).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ROOT, startHerald, type Herald } from '../helpers/herald.ts';

interface Walkthrough {
  heraldEnv: Record<string, string>;
  receiverLine: string;
  script: string;
  expected: { status: number; isRepeated: boolean; text: string }[];
}

const ENV_PREFIX = /^((?:[A-Z_]+=\S+ )*)/;

function readWalkthrough(): Walkthrough {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## A walk-through with curl');
  assert.ok(start >= 0, 'README.md has the walk-through section');
  const rest = readme.slice(start + 3);
  const section = rest.slice(0, rest.search(/^## /m));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const commands = (block: string) => block.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
  const heraldBlock = blocks.find((b) => commands(b).some((c) => c.endsWith('npm start')));
  const receiverBlock = blocks.find((b) => commands(b).some((c) => c.endsWith('npm run receiver')));
  assert.ok(heraldBlock && receiverBlock, 'the walk-through starts Herald and the receiver');
  const heraldLine = commands(heraldBlock).find((c) => c.endsWith('npm start'))!;
  const heraldEnv = Object.fromEntries(
    ENV_PREFIX.exec(heraldLine)![1]
      .trim()
      .split(' ')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
  const script = blocks.filter((b) => b !== heraldBlock && b !== receiverBlock).join('\n');
  const expected = [...script.matchAll(/^# → (\d{3})(.*)$/gm)].map((m) => ({
    status: Number(m[1]),
    isRepeated: /asked again until/.test(m[2]),
    text: m[0],
  }));
  return { heraldEnv, receiverLine: commands(receiverBlock).find((c) => c.endsWith('npm run receiver'))!, script, expected };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(command: string, env: Record<string, string>): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const child = spawn('bash', ['-c', command], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), PATH: `${dirname(process.execPath)}:${process.env.PATH}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, sh and node stop together
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

describe('README walk-through', () => {
  const walkthrough = readWalkthrough();
  let herald: Herald;
  let receiver: ReturnType<typeof run>;
  let receiverPort: number;

  before(async () => {
    receiverPort = await freePort();
    receiver = run(walkthrough.receiverLine, { RECEIVER_PORT: String(receiverPort) });
    const deadline = Date.now() + 30_000;
    while (!receiver.output().stdout.includes('receiver listening on')) {
      assert.ok(Date.now() < deadline && receiver.child.exitCode === null, `the receiver did not start:\n${JSON.stringify(receiver.output())}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // As on a fresh clone: no HERALD_API_KEY (a key is generated and printed), private targets
    // refused unless the README's own Herald line allows them.
    herald = await startHerald({ apiKey: '', env: { HERALD_API_KEY: '', HERALD_ALLOW_PRIVATE_TARGETS: 'false', ...walkthrough.heraldEnv } });
  });
  after(async () => {
    await herald?.stop();
    if (receiver && receiver.child.exitCode === null) process.kill(-receiver.child.pid!, 'SIGTERM');
    await receiver?.exited;
  });

  it('runs top to bottom, each answer with the status the README shows', async () => {
    assert.ok(walkthrough.expected.length >= 10, 'the README shows the status of each step');
    const key = /HERALD_API_KEY=(\S+)/.exec(herald.logs())?.[1];
    assert.ok(key, 'Herald printed a key on first start');
    const heraldPort = new URL(herald.baseUrl).port;
    let script = walkthrough.script;
    for (const [from, to] of [
      [/^KEY=hk_…$/m, `KEY=${key}`],
      [/127\.0\.0\.1:8080/g, `127.0.0.1:${heraldPort}`],
      [/127\.0\.0\.1:9000/g, `127.0.0.1:${receiverPort}`],
    ] as const) {
      assert.match(script, from, `the walk-through has ${from}`);
      script = script.replace(from, to);
    }
    // Every curl also reports its status on stderr, for the comparison below (this -w comes last,
    // so it replaces the README's -w '\n' and prints that newline itself).
    const prelude = "set -eu\ncurl() { command curl \"$@\" -w '\\n%{stderr}STATUS %{http_code} %{method} %{url_effective}\\n'; }\n";
    const bash = run(`${prelude}${script}`, {});
    const timer = setTimeout(() => process.kill(-bash.child.pid!, 'SIGKILL'), 120_000);
    const code = await bash.exited;
    clearTimeout(timer);
    const { stdout, stderr } = bash.output();
    assert.equal(code, 0, `the walk-through failed:\n${stdout}\n${stderr}`);

    const answers = [...stderr.matchAll(/^STATUS (\d{3}) (\S+) (\S+)$/gm)].map((m) => ({ status: Number(m[1]), request: `${m[2]} ${m[3]}` }));
    let next = 0;
    for (const step of walkthrough.expected) {
      const answer = answers[next];
      assert.ok(answer, `no request for "${step.text}"`);
      assert.equal(answer.status, step.status, `"${step.text}": ${answer.request} answered ${answer.status}\n${stdout}`);
      next++;
      while (step.isRepeated && answers[next]?.request === answer.request && answers[next].status === step.status) next++;
    }
    assert.equal(next, answers.length, `requests without a status in the README: ${answers.slice(next).map((a) => a.request).join(', ')}`);
    assert.match(stdout, /^wh_\w+$/m);
    assert.match(stdout, /^dlv_\w+$/m);

    const received = receiver.output().stdout;
    assert.match(received, /--> POST \/hooks\/crm /);
    assert.match(received, /--> POST \/hooks\/esp\/fail [\s\S]*<-- 500[\s\S]*--> POST \/hooks\/esp /, 'the failed delivery, then its resend to the fixed URL');
    assert.match(received, /signature: verified/);
    assert.doesNotMatch(received, /signature: REFUSED|not checked/);
  });
});
