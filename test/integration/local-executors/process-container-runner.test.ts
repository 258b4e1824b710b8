import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalContainerRunner } from '../../../functions/adapters/local/process-container-runner';
import {
  type PythonEnvironmentSpec,
  PythonEnvironments,
} from '../../../functions/adapters/local/python-environments';
import type { EnvironmentSpec } from '../../../functions/core/model';
import type { ContainerIo, ContainerLaunch } from '../../../functions/ports/container-runner';
import { writeWheel } from '../../helpers/wheels';

const root = mkdtempSync(path.join(tmpdir(), 'updraft-local-exec-'));
const wheels = path.join(root, 'wheels');
const bundle = path.join(root, 'bundle');
const envsDir = path.join(root, 'envs');
mkdirSync(wheels);
writeWheel(wheels, 'mylib', '1.0');
writeWheel(wheels, 'mylib', '2.0');
mkdirSync(path.join(bundle, 'scripts'), { recursive: true });
writeFileSync(path.join(bundle, 'scripts/report.py'), 'import mylib\nprint(mylib.__version__)\n');

/** A python environment whose bundle copy of the requirements holds `requirements`. */
function pythonEnv(name: string, hash: string, requirements: string, python = '3.11'): PythonEnvironmentSpec {
  mkdirSync(path.join(bundle, 'envs', hash), { recursive: true });
  writeFileSync(path.join(bundle, 'envs', hash, 'requirements.txt'), `${requirements}\n`);
  return { kind: 'python', name, python, requirements: `envs/${name}.txt`, hash };
}

const oldLib = pythonEnv('old-lib', 'a1a1a1a1', 'mylib==1.0');
const newLib = pythonEnv('new-lib', 'b2b2b2b2', 'mylib==2.0');
const tool: EnvironmentSpec = { kind: 'image', name: 'tool', uri: 'example.com/tool:1', hash: 'c3c3c3c3' };

const runner = new LocalContainerRunner({
  envsDir,
  bundleDir: async () => bundle,
  pip: { findLinks: [wheels] },
  dockerAvailable: async () => false,
  killGraceMs: 500,
});

function launch(environment: EnvironmentSpec, overrides: Partial<ContainerLaunch> = {}): ContainerLaunch {
  return {
    key: { dagId: 'dag', runId: 'run', taskId: 'task', mapIndex: -1 },
    tryNumber: 1,
    bundleVersion: 'v1',
    environment,
    command: [],
    args: [],
    env: {},
    cpu: 0.25,
    memoryMiB: 1024,
    ...overrides,
  };
}

/** Collects output; with `abortAfter`, aborts once that many stdout lines arrived (the process is ready). */
function capture(abortAfter?: number) {
  const controller = new AbortController();
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const io: ContainerIo = {
    onLine: (stream, line) => {
      lines[stream].push(line);
      if (stream === 'stdout' && lines.stdout.length === abortAfter) controller.abort();
    },
    signal: controller.signal,
  };
  return { lines, io };
}

/** Whether `pid` has ended (zombies count: PID 1 may not reap them), waiting out the kernel's exit path. */
async function ended(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    try {
      if (/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return true;
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('LocalContainerRunner with Python environments', () => {
  it('runs two environments pinning different versions of one library side by side', {
    timeout: 120_000,
  }, async () => {
    const first = capture();
    const second = capture();
    const script = { script: 'scripts/report.py' };
    const [one, two] = await Promise.all([
      runner.run(launch(oldLib, script), first.io),
      runner.run(launch(newLib, script), second.io),
    ]);
    expect(first.lines.stdout).toEqual(['1.0']);
    expect(second.lines.stdout).toEqual(['2.0']);
    expect(one).toMatchObject({
      exitCode: 0,
      outOfMemory: false,
      runtime: 'process',
      imageDigest: 'a1a1a1a1',
    });
    expect(one.image).toContain(path.join(envsDir, 'a1a1a1a1', 'bin/python'));
    expect(two.exitCode).toBe(0);
    expect(first.lines.stderr.some((line) => line.startsWith('[env old-lib] '))).toBe(true);
    expect(readdirSync(envsDir).sort()).toEqual(['a1a1a1a1', 'b2b2b2b2']);
    // Built elsewhere and moved: its scripts must point at the final folder.
    const pip = readFileSync(path.join(envsDir, 'a1a1a1a1/bin/pip'), 'utf8').split('\n')[0];
    expect(pip).toMatch(new RegExp(`^#!${path.join(envsDir, 'a1a1a1a1/bin/python')}[0-9.]*$`));
  });

  it('lets two processes race to build one environment, keeping one venv', { timeout: 120_000 }, async () => {
    const env = pythonEnv('raced', 'f6f6f6f6', 'mylib==1.0');
    const requirements = path.join(bundle, 'envs/f6f6f6f6/requirements.txt');
    const logs: string[][] = [[], []];
    const dirs = await Promise.all(
      logs.map((log) =>
        new PythonEnvironments(envsDir, { pip: { findLinks: [wheels] } }).ensure(env, requirements, (line) =>
          log.push(line),
        ),
      ),
    );
    expect(dirs).toEqual([path.join(envsDir, 'f6f6f6f6'), path.join(envsDir, 'f6f6f6f6')]);
    expect(logs.flat().filter((line) => line.includes('built concurrently elsewhere'))).toHaveLength(1);
    expect(readdirSync(envsDir).filter((entry) => entry.startsWith('f6f6f6f6'))).toEqual(['f6f6f6f6']);
  });

  it('reuses a built venv: no pip output the second time, nor in another process', {
    timeout: 60_000,
  }, async () => {
    const again = capture();
    await runner.run(launch(oldLib, { script: 'scripts/report.py' }), again.io);
    expect(again.lines).toEqual({ stdout: ['1.0'], stderr: [] });
    const log: string[] = [];
    const elsewhere = new PythonEnvironments(envsDir, { pip: { findLinks: [wheels] } });
    const requirements = path.join(bundle, 'envs/b2b2b2b2/requirements.txt');
    expect(await elsewhere.ensure(newLib, requirements, (line) => log.push(line))).toBe(
      path.join(envsDir, 'b2b2b2b2'),
    );
    expect(log).toEqual([]);
  });

  it('puts the venv first on PATH for a plain command', { timeout: 60_000 }, async () => {
    const out = capture();
    const command = ['python', '-c', 'import mylib, os; print(mylib.__version__, os.environ["VIRTUAL_ENV"])'];
    const exit = await runner.run(launch(newLib, { command }), out.io);
    expect(exit.exitCode).toBe(0);
    expect(out.lines.stdout).toEqual([`2.0 ${path.join(envsDir, 'b2b2b2b2')}`]);
  });

  it('fails a bad requirement clearly and leaves no half-built folder', { timeout: 120_000 }, async () => {
    const missing = pythonEnv('broken', 'd4d4d4d4', 'nothere==9', '3.99');
    const out = capture();
    const attempt = runner.run(launch(missing, { script: 'scripts/report.py' }), out.io);
    await expect(attempt).rejects.toThrow(
      /"broken" \(d4d4d4d4\) failed to build: pip install exited with code 1/,
    );
    await expect(attempt).rejects.toThrow(/nothere[\s\S]*find-links/);
    expect(out.lines.stderr.some((line) => line.includes('declares Python 3.99'))).toBe(true);
    expect(readdirSync(envsDir).filter((entry) => entry.startsWith('d4d4d4d4'))).toEqual([]);
  });
});

describe('LocalContainerRunner memory limit', () => {
  const allocate = (mib: number) =>
    `b = bytearray(${mib} * 1024 * 1024)\nimport time\ntime.sleep(2)\nprint("done")`;

  it('kills a process over its limit like Fargate does (exit 137)', { timeout: 60_000 }, async () => {
    const out = capture();
    const exit = await runner.run(
      launch(tool, { local: ['python3', '-c', allocate(400)], memoryMiB: 128 }),
      out.io,
    );
    expect(exit).toMatchObject({ exitCode: 137, signal: 'SIGKILL', outOfMemory: true, runtime: 'process' });
    expect(exit.peakMemoryMiB).toBeGreaterThanOrEqual(128);
    expect(exit.stoppedReason).toMatch(/OutOfMemoryError/);
    expect(out.lines.stdout).toEqual([]);
  });

  it('sums the whole process group, not just the main process', { timeout: 60_000 }, async () => {
    const child = `python3 -c 'b = bytearray(100 * 1024 * 1024); import time; time.sleep(3)'`;
    const local = ['sh', '-c', `${child} & ${child} & wait`];
    const exit = await runner.run(launch(tool, { local, memoryMiB: 160 }), capture().io);
    expect(exit).toMatchObject({ exitCode: 137, outOfMemory: true });
  });

  it('lets a process under its limit finish and reports its peak', { timeout: 60_000 }, async () => {
    const out = capture();
    const exit = await runner.run(
      launch(tool, { local: ['python3', '-c', allocate(400)], memoryMiB: 1024 }),
      out.io,
    );
    expect(exit).toMatchObject({ exitCode: 0, outOfMemory: false, image: 'python3' });
    expect(exit.peakMemoryMiB).toBeGreaterThanOrEqual(400);
    expect(out.lines.stdout).toEqual(['done']);
  });

  it('counts a Python MemoryError as out of memory', async () => {
    const exit = await runner.run(
      launch(tool, { local: ['python3', '-c', 'raise MemoryError()'] }),
      capture().io,
    );
    expect(exit).toMatchObject({ exitCode: 1, outOfMemory: true });
  });

  it('does not count a MemoryError the script caught and survived', async () => {
    const survive =
      'import traceback\ntry:\n    raise MemoryError()\nexcept MemoryError:\n    traceback.print_exc()\nprint("recovered")';
    const out = capture();
    const exit = await runner.run(launch(tool, { local: ['python3', '-c', survive] }), out.io);
    expect(out.lines.stderr.at(-1)).toBe('MemoryError');
    expect(exit).toMatchObject({ exitCode: 0, outOfMemory: false });
  });
});

describe('LocalContainerRunner process handling', () => {
  it('aborts the whole group: SIGTERM first', { timeout: 30_000 }, async () => {
    const out = capture(2);
    const local = ['sh', '-c', 'echo $$; sleep 30 & echo $!; wait'];
    const exit = await runner.run(launch(tool, { local }), out.io);
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGTERM', outOfMemory: false });
    expect(out.lines.stdout).toHaveLength(2);
    for (const pid of out.lines.stdout) expect(await ended(Number(pid))).toBe(true);
  });

  it('aborts with SIGKILL after the grace period when SIGTERM is ignored', { timeout: 30_000 }, async () => {
    const local = ['sh', '-c', 'trap "" TERM; echo ready; sleep 30'];
    const exit = await runner.run(launch(tool, { local }), capture(1).io);
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('kills children left behind when the main process exits', async () => {
    const out = capture();
    const exit = await runner.run(launch(tool, { local: ['sh', '-c', 'sleep 30 & echo $!'] }), out.io);
    expect(exit.exitCode).toBe(0);
    expect(await ended(Number(out.lines.stdout[0]))).toBe(true);
  });

  it('refuses an image without a local command when no Docker engine runs', async () => {
    const attempt = runner.run(launch(tool, { command: ['run'] }), capture().io);
    await expect(attempt).rejects.toMatchObject({ name: 'NonRetryableTaskError' });
    await expect(attempt).rejects.toThrow(
      /image "tool" cannot run here \(no Docker engine\); give the task a `local` command, or install Docker/,
    );
  });

  it('names the task and the command when the program does not exist', async () => {
    const attempt = runner.run(launch(tool, { local: ['no-such-program-xyz'] }), capture().io);
    await expect(attempt).rejects.toThrow(
      /task dag\/run\/task cannot start "no-such-program-xyz" \(command not found\)/,
    );
  });

  it('names the task when there is nothing to run', async () => {
    await expect(runner.run(launch(newLib), capture().io)).rejects.toThrow(
      /task dag\/run\/task has nothing to run/,
    );
  });

  it('needs the DAGs folder to build a Dockerfile-folder image', async () => {
    const docker = new LocalContainerRunner({
      envsDir,
      bundleDir: async () => bundle,
      dockerAvailable: async () => true,
    });
    const image: EnvironmentSpec = { kind: 'image', name: 'etl', directory: 'images/etl', hash: 'e5e5e5e5' };
    await expect(docker.run(launch(image), capture().io)).rejects.toThrow(/pass dagsFolder/);
    expect(existsSync(path.join(envsDir, 'e5e5e5e5'))).toBe(false);
  });

  it('runs an image with Docker when an engine answers (a stand-in docker echoes its arguments)', async () => {
    const bin = path.join(root, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\nprintf \'%s\\n\' "$@"\n', { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    try {
      const docker = new LocalContainerRunner({
        envsDir,
        bundleDir: async () => bundle,
        dockerAvailable: async () => true,
        dagsFolder: root,
      });
      const overrides = { command: ['cmd'], args: ['arg'], env: { A: '1' }, cpu: 0.5, memoryMiB: 512 };
      const out = capture();
      const exit = await docker.run(launch(tool, overrides), out.io);
      expect(exit).toMatchObject({
        exitCode: 0,
        runtime: 'docker',
        image: 'example.com/tool:1',
        outOfMemory: false,
      });
      expect(out.lines.stdout).toEqual([
        'run',
        '--rm',
        '--name',
        expect.stringMatching(/^updraft-[0-9a-f]+$/),
        ...['--memory', '512m', '--cpus', '0.5', '-e', 'A=1', 'example.com/tool:1', 'cmd', 'arg'],
      ]);
      const folder: EnvironmentSpec = {
        kind: 'image',
        name: 'etl',
        directory: 'images/etl',
        hash: 'e5e5e5e5',
      };
      const built = capture();
      await docker.run(launch(folder), built.io);
      expect(built.lines.stderr).toEqual([
        '[image etl] build',
        '[image etl] -t',
        '[image etl] updraft-env-e5e5e5e5',
        `[image etl] ${path.join(root, 'images/etl')}`,
      ]);
      expect(built.lines.stdout.at(-1)).toBe('updraft-env-e5e5e5e5');
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
