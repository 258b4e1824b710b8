import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NonRetryableTaskError } from '../core/task-errors';
import type { OperatorInvocation, OperatorResult } from '../ports/task-runner';

/**
 * Airflow's BashOperator: runs `bash -c command` with the task's env overlaid on the worker's,
 * streams stdout/stderr to the task log, pushes the last stdout line as XCom, ends skipped on a
 * `skipOnExitCode` code (99 by default) and fails on any other non-zero exit.
 */
export async function runBash(inv: OperatorInvocation): Promise<OperatorResult> {
  if (inv.task.operator.kind !== 'bash') throw new Error('runBash called for a non-bash task');
  const { command, env, cwd, skipOnExitCode } = inv.task.operator;
  const child = spawn('bash', ['-c', command], {
    env: { ...process.env, ...env },
    ...(cwd !== undefined && { cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: inv.context.signal,
  });
  let lastLine = '';
  const stdout = createInterface({ input: child.stdout });
  stdout.on('line', (line) => {
    inv.context.log.info(line);
    if (line.trim() !== '') lastLine = line;
  });
  createInterface({ input: child.stderr }).on('line', (line) => inv.context.log.warn(line));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', (error) =>
        error.name === 'AbortError' ? resolve({ code: null, signal: 'SIGTERM' }) : reject(error),
      );
      child.on('close', (code, signal) => resolve({ code, signal }));
    },
  );
  if (exit.code === 0) return { kind: 'done', value: lastLine };
  if (exit.code !== null && skipOnExitCode.includes(exit.code)) {
    return { kind: 'skipped', reason: `bash command exited with ${exit.code} (skip_on_exit_code)` };
  }
  if (exit.code === 127) throw new NonRetryableTaskError(`bash command not found (exit 127): ${command}`);
  throw new Error(
    exit.code === null
      ? `bash command killed by ${exit.signal}`
      : `bash command failed with exit code ${exit.code}`,
  );
}
