import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: the CLI runs from here, as `npx updraft` would. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Fixture DAG folders, one per scenario. */
export const FIXTURES = path.join('test', 'fixtures', 'dags');

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process (`node --import tsx bin/updraft.ts …`) from the repo root. */
export function runCli(args: readonly string[]): Promise<CliRun> {
  const env = { ...process.env };
  delete env.UPDRAFT_DEBUG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/updraft.ts', ...args], {
      cwd: REPO_ROOT,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The folder of one fixture scenario, relative to the repo root. */
export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}
