import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { formatKey } from '../../core/records';
import type { ContainerExit, ContainerIo, ContainerLaunch } from '../../ports/container-runner';
import { MemoryWatchdog } from './memory-watchdog';

/** A process to start, and what to report about it. */
export interface Plan {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  runtime: 'process' | 'docker';
  image?: string;
  imageDigest?: string;
  /** Docker's name for the container: killing the client alone would leave the container running. */
  container?: string;
}

/** A Python traceback's last line when the interpreter ran out of memory (rlimit, cgroup). */
const MEMORY_ERROR = /^(\w+\.)*MemoryError\b/;

/**
 * Runs a planned process as a container would run: its own process group (the limit, the abort
 * and the final cleanup reach every descendant), output line by line, resident memory watched
 * and the group killed past the limit (exit 137, as on Fargate), SIGTERM then SIGKILL on abort.
 */
export async function superviseProcess(
  launch: ContainerLaunch,
  plan: Plan,
  io: ContainerIo,
  options: { pollIntervalMs?: number; killGraceMs?: number } = {},
): Promise<ContainerExit> {
  const [command, ...rest] = plan.argv as [string, ...string[]];
  // Its own process group, so the limit, the abort and the final cleanup reach every descendant.
  const child = spawn(command, rest, {
    detached: true,
    cwd: plan.cwd,
    env: plan.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'command not found' : String(error);
    throw new Error(
      `task ${formatKey(launch.key)} cannot start "${command}" (${reason}); check the task's command and that the program is installed`,
      { cause: error },
    );
  }
  const pgid = child.pid!;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // Already gone.
    }
  };
  let memoryError = false;
  const pipe = (stream: Readable, name: 'stdout' | 'stderr') =>
    new Promise<void>((resolve) => {
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on('line', (line) => {
        if (name === 'stderr' && MEMORY_ERROR.test(line.trim())) memoryError = true;
        io.onLine(name, line);
      });
      lines.once('close', resolve);
    });
  const output = Promise.all([pipe(child.stdout, 'stdout'), pipe(child.stderr, 'stderr')]);
  // Docker enforces its own --memory; the client's group says nothing about the container's memory.
  const watchdog =
    plan.runtime === 'process'
      ? new MemoryWatchdog({ pgid, limitMiB: launch.memoryMiB, intervalMs: options.pollIntervalMs })
      : undefined;
  let grace: NodeJS.Timeout | undefined;
  const abort = () => {
    killGroup('SIGTERM');
    grace = setTimeout(() => {
      killGroup('SIGKILL');
      if (plan.container)
        spawn('docker', ['rm', '-f', plan.container], { stdio: 'ignore' }).on('error', () => {});
    }, options.killGraceMs ?? 5000);
  };
  watchdog?.start();
  if (io.signal.aborted) abort();
  else io.signal.addEventListener('abort', abort, { once: true });
  try {
    const [code, signal] = await exited;
    // Like a container, the task ends with its main process: leftover children go too.
    killGroup('SIGKILL');
    await output;
    const killed = watchdog?.outOfMemory ?? false;
    // No sample before a quick exit: better no figure than a false 0.
    const peak = watchdog?.peakMiB ? Math.round(watchdog.peakMiB) : undefined;
    return {
      exitCode: killed ? 137 : code,
      ...(killed ? { signal: 'SIGKILL' } : signal ? { signal } : {}),
      // A MemoryError the script caught and survived (exit 0) is not an out-of-memory end.
      outOfMemory: killed || (memoryError && code !== 0) || (plan.runtime === 'docker' && code === 137),
      ...(peak !== undefined ? { peakMemoryMiB: peak } : {}),
      ...(killed
        ? {
            stoppedReason: `OutOfMemoryError: killed at ${peak} MiB, over its ${launch.memoryMiB} MiB limit`,
          }
        : {}),
      ...(plan.image ? { image: plan.image } : {}),
      ...(plan.imageDigest ? { imageDigest: plan.imageDigest } : {}),
      runtime: plan.runtime,
    };
  } finally {
    watchdog?.stop();
    clearTimeout(grace);
    io.signal.removeEventListener('abort', abort);
    killGroup('SIGKILL');
  }
}
