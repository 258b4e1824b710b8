import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { EnvironmentSpec } from '../../core/model';

/** A declared Python environment. */
export type PythonEnvironmentSpec = Extract<EnvironmentSpec, { kind: 'python' }>;

/** Where pip finds packages: folders of wheels, and whether the package index is off. */
export interface PipOptions {
  /** Folders passed as `--find-links` (offline machines, private wheels). */
  findLinks?: string[];
  /** With `findLinks`, skip the package index (default true; false keeps the index as well). */
  noIndex?: boolean;
}

/** What a built environment runs with, stored in its ready marker. */
export interface PythonEnvironmentInfo {
  interpreter: string;
  pythonVersion: string;
}

/** Marks a finished venv: a folder without it is never used. */
const READY = '.updraft-ready';

/**
 * Python virtual environments in local mode, one folder per environment hash, built once: tasks
 * of the same environment share it, and two environments pinning different versions of a library
 * never see each other's packages.
 */
export class PythonEnvironments {
  private readonly builds = new Map<string, Promise<string>>();

  constructor(
    private readonly envsDir: string,
    private readonly options: { pip?: PipOptions } = {},
  ) {}

  /** The venv folder of `env`, built from `requirementsFile` unless it already exists. */
  ensure(env: PythonEnvironmentSpec, requirementsFile: string, log: (line: string) => void): Promise<string> {
    let build = this.builds.get(env.hash);
    if (!build) {
      build = this.build(env, requirementsFile, log);
      // A failed build is forgotten so that a retry (fixed index, new wheels) can try again.
      build.catch(() => this.builds.delete(env.hash));
      this.builds.set(env.hash, build);
    }
    return build;
  }

  /** The interpreter and Python version of a venv that `ensure` returned. */
  async info(venvDir: string): Promise<PythonEnvironmentInfo> {
    return JSON.parse(await readFile(path.join(venvDir, READY), 'utf8')) as PythonEnvironmentInfo;
  }

  private async build(env: PythonEnvironmentSpec, requirementsFile: string, log: (line: string) => void) {
    const dir = path.resolve(this.envsDir, env.hash);
    if (await exists(path.join(dir, READY))) return dir;
    if (!(await exists(requirementsFile)))
      throw new Error(
        `Python environment "${env.name}" (${env.hash}): requirements file ${requirementsFile} is missing; rebuild the DAG bundle`,
      );
    await mkdir(this.envsDir, { recursive: true });
    const temp = `${dir}.building-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      const base = await this.interpreter(env, log);
      log(`creating venv with ${base.command} (Python ${base.version})`);
      await this.step(env, 'venv creation', [base.command, '-m', 'venv', temp], log);
      await this.step(env, 'pip install', [`${temp}/bin/python`, ...this.pipArgs(requirementsFile)], log);
      await relocate(temp, dir);
      const info: PythonEnvironmentInfo = { interpreter: `${dir}/bin/python`, pythonVersion: base.version };
      await writeFile(path.join(temp, READY), JSON.stringify(info));
      try {
        await rename(temp, dir);
      } catch (error) {
        // Another process finished the same environment first: its venv is as good as ours.
        if (!(await exists(path.join(dir, READY))))
          throw new Error(`${dir} exists but is not a finished Python environment; delete it and run again`, {
            cause: error,
          });
        log(`environment ${env.hash} was built concurrently elsewhere; using that one`);
      }
      return dir;
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  private pipArgs(requirementsFile: string): string[] {
    const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirementsFile];
    const findLinks = this.options.pip?.findLinks ?? [];
    if (findLinks.length > 0 && this.options.pip?.noIndex !== false) args.push('--no-index');
    for (const folder of findLinks) args.push('--find-links', folder);
    return args;
  }

  /** `python<version>` when it runs here, else `python3` with a warning: local runs may differ from the cloud's. */
  private async interpreter(env: PythonEnvironmentSpec, log: (line: string) => void) {
    const declared = `python${env.python}`;
    const exact = await pythonVersion(declared);
    if (exact) return { command: declared, version: exact };
    const fallback = await pythonVersion('python3');
    if (!fallback)
      throw new Error(
        `Python environment "${env.name}" (${env.hash}): neither ${declared} nor python3 runs here; install Python ${env.python}`,
      );
    if (!fallback.startsWith(`${env.python}.`) && fallback !== env.python)
      log(
        `warning: environment declares Python ${env.python} but ${declared} is not on PATH; using python3 (Python ${fallback})`,
      );
    return { command: 'python3', version: fallback };
  }

  /** Runs one build step, streaming its output; a failure names the environment, the exit code and the fix. */
  private async step(env: PythonEnvironmentSpec, what: string, argv: string[], log: (line: string) => void) {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    createInterface({ input: child.stdout }).on('line', log);
    createInterface({ input: child.stderr }).on('line', (line) => {
      log(line);
      tail.push(line);
      if (tail.length > 5) tail.shift();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode) => resolve(exitCode));
    }).catch((error: Error) => {
      throw new Error(
        `Python environment "${env.name}" (${env.hash}): cannot run ${argv[0]}: ${error.message}`,
        {
          cause: error,
        },
      );
    });
    if (code === 0) return;
    throw new Error(
      [
        `Python environment "${env.name}" (${env.hash}) failed to build: ${what} exited with code ${code}.`,
        ...tail.map((line) => `  ${line}`),
        "Check the environment's requirements (names and pinned versions), the package index it can reach, and the pip find-links configuration (pip.findLinks, PIP_* variables).",
      ].join('\n'),
    );
  }
}

/** The `major.minor.micro` version `command` reports, or undefined when it does not run. */
function pythonVersion(command: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? out.trim() : undefined));
  });
}

/** Points the venv's scripts (pip entry points, activate) at its final folder: they embed the build path. */
async function relocate(temp: string, dir: string): Promise<void> {
  const bin = path.join(temp, 'bin');
  for (const entry of await readdir(bin, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(bin, entry.name);
    const text = await readFile(file, 'latin1');
    if (text.includes(temp)) await writeFile(file, text.split(temp).join(dir), 'latin1');
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
