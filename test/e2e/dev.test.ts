import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const TOKEN = 'dev-e2e-token';
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `updraft dev` as a user would, and resolves once its banner names the API URL. */
async function startDev(
  home: string,
  dags: string,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bin/updraft.ts',
      'dev',
      '--dags-folder',
      dags,
      '--home',
      home,
      '--port',
      '0',
      '--tick-seconds',
      '1',
    ],
    {
      env: { ...process.env, UPDRAFT_API_TOKEN: TOKEN },
    },
  );
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 30 s:\n${output}`)), 30_000);
    const check = () => {
      const found = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`updraft dev exited ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** Runs the real CLI against the dev server, as a second terminal would. */
function cli(url: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/updraft.ts', ...args, '--api-url', url], {
      env: { ...process.env, UPDRAFT_API_TOKEN: TOKEN },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const api = (url: string, route: string, init: RequestInit = {}) =>
  fetch(`${url}/api/v1${route}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });

async function runState(url: string, dagId: string, runId: string, until: (state: string) => boolean) {
  let state = '';
  for (let i = 0; i < 150 && !until(state); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await api(url, `/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`);
    state = response.ok ? ((await response.json()) as { state: string }).state : '';
  }
  return state;
}

describe('updraft dev as a child process', () => {
  it('runs a triggered DAG, prints state changes, serves logs, and resumes after SIGKILL', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'updraft-dev-'));
    const dags = path.join(home, 'dags');
    await cp('test/fixtures/dags/runtime', dags, { recursive: true });
    await writeFile(
      path.join(dags, 'slow.dag.ts'),
      `import { dag, task } from 'updraft';
const first = task('first', () => 1);
const slow = task('slow', async (_ctx, n: number) => { await new Promise((r) => setTimeout(r, 3000)); return n + 1; });
export default dag({ dagId: 'slow_chain' }, () => { slow(first()); });
`,
    );
    try {
      let dev = await startDev(home, dags);
      expect(dev.output()).toContain('rt_linear');
      const triggered = await cli(dev.url, [
        'trigger',
        'rt_linear',
        '--run-id',
        'e2e',
        '--conf',
        '{"from":"cli"}',
      ]);
      expect(triggered.code, triggered.stderr).toBe(0);
      const shown = await cli(dev.url, ['runs', 'show', 'rt_linear', 'e2e', '--wait']);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/report\s+.*success/);
      expect(dev.output()).toMatch(/rt_linear e2e {2}report .*success.* \(try 1\)/);
      const logs = await cli(dev.url, ['logs', 'rt_linear', 'e2e', 'extract']);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toMatch(/INFO - extracting for/);

      // A broken edit is reported with file and line; the previous bundle keeps running.
      const linear = path.join(dags, 'linear.dag.ts');
      const source = await readFile(linear, 'utf8');
      await writeFile(linear, `${source}\nexport const broken = ;\n`);
      for (let i = 0; i < 100 && !dev.output().includes('the previous bundle keeps running'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(dev.output()).toMatch(/error: linear\.dag\.ts: does not compile: linear\.dag\.ts:\d+:\d+/);
      await writeFile(linear, source);

      // Kill the process while `slow` runs, then start again on the same data folder.
      await api(dev.url, '/dags/slow_chain/dagRuns', {
        method: 'POST',
        body: JSON.stringify({ dag_run_id: 'killed' }),
      });
      for (let i = 0; i < 100 && !/slow_chain killed {2}slow .*running/.test(dev.output()); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      dev.child.kill('SIGKILL');
      await new Promise((resolve) => dev.child.once('exit', resolve));
      dev = await startDev(home, dags);
      expect(dev.output()).toContain('1 interrupted task(s) will run again');
      expect(await runState(dev.url, 'slow_chain', 'killed', (s) => s === 'success' || s === 'failed')).toBe(
        'success',
      );
      const slow = (await (
        await api(dev.url, '/dags/slow_chain/dagRuns/killed/taskInstances/slow')
      ).json()) as { try_number: number };
      expect(slow.try_number).toBe(2);
      const earlier = await api(dev.url, '/dags/rt_linear/dagRuns/e2e');
      expect(((await earlier.json()) as { state: string }).state).toBe('success');
      dev.child.kill('SIGTERM');
      await new Promise((resolve) => dev.child.once('exit', resolve));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 120_000);
});
