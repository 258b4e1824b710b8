import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { EnvironmentSpec } from '../../core/model';
import { formatKey } from '../../core/records';
import { NonRetryableTaskError } from '../../core/task-errors';
import type {
  ContainerExit,
  ContainerIo,
  ContainerLaunch,
  ContainerRunner,
} from '../../ports/container-runner';
import { MemoryWatchdog } from './memory-watchdog';
import { type PipOptions, PythonEnvironments } from './python-environments';

/** How local mode runs container and Python tasks. */
export interface LocalContainerRunnerOptions {
  /** Where Python venvs are kept, one folder per environment hash (e.g. `.updraft/envs`). */
  envsDir: string;
  /** The unpacked bundle folder of a bundle version (scripts and requirements come from it). */
  bundleDir(version: string): Promise<string>;
  /** Where pip finds packages (offline wheel folders). */
  pip?: PipOptions;
  /** Whether a Docker engine answers (default: `docker info` succeeds, probed once). */
  dockerAvailable?: () => Promise<boolean>;
  /** Memory sampling period in milliseconds (default 100). */
  pollIntervalMs?: number;
  /** The DAGs folder, to build Dockerfile-folder images (their paths are relative to it). */
  dagsFolder?: string;
  /** Milliseconds between SIGTERM and SIGKILL when a task is aborted (default 5000). */
  killGraceMs?: number;
}

/** A process to start, and what to report about it. */
interface Plan {
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
 * Local mode's stand-in for Fargate: Python tasks run in their environment's venv, images run in
 * Docker when an engine answers (or as their `local` command), and the memory limit is enforced
 * on the whole process group so an out-of-memory end reads exactly like Fargate's.
 */
export class LocalContainerRunner implements ContainerRunner {
  private readonly environments: PythonEnvironments;
  private readonly images = new Map<string, Promise<string>>();
  private docker: Promise<boolean> | undefined;

  constructor(private readonly options: LocalContainerRunnerOptions) {
    this.environments = new PythonEnvironments(options.envsDir, { pip: options.pip });
  }

  /** Runs one attempt to its end; throws only when it cannot start. */
  async run(launch: ContainerLaunch, io: ContainerIo): Promise<ContainerExit> {
    const env = launch.environment;
    const plan =
      env.kind === 'python'
        ? await this.pythonPlan(launch, env, await this.options.bundleDir(launch.bundleVersion), io)
        : await this.imagePlan(launch, env, io);
    if (plan.argv.length === 0)
      throw new Error(
        `task ${formatKey(launch.key)} has nothing to run in environment "${env.name}": give it a command or a script`,
      );
    return this.supervise(launch, plan, io);
  }

  private async pythonPlan(
    launch: ContainerLaunch,
    env: Extract<EnvironmentSpec, { kind: 'python' }>,
    bundleDir: string,
    io: ContainerIo,
  ): Promise<Plan> {
    const requirements = path.join(bundleDir, 'envs', env.hash, 'requirements.txt');
    const venv = await this.environments.ensure(env, requirements, (line) =>
      io.onLine('stderr', `[env ${env.name}] ${line}`),
    );
    const info = await this.environments.info(venv);
    const base = { ...process.env, ...launch.env };
    return {
      argv: launch.script
        ? [`${venv}/bin/python`, path.join(bundleDir, launch.script), ...launch.args]
        : [...launch.command, ...launch.args],
      env: { ...base, PATH: `${venv}/bin${path.delimiter}${base.PATH ?? ''}`, VIRTUAL_ENV: venv },
      cwd: launch.script ? bundleDir : process.cwd(),
      runtime: 'process',
      image: `${info.interpreter} (Python ${info.pythonVersion})`,
      imageDigest: env.hash,
    };
  }

  private async imagePlan(
    launch: ContainerLaunch,
    env: Extract<EnvironmentSpec, { kind: 'image' }>,
    io: ContainerIo,
  ): Promise<Plan> {
    if (launch.local) {
      const argv = [...launch.local, ...launch.args];
      // In the image's folder, where its files are, as they are in the image.
      const folder =
        'directory' in env && this.options.dagsFolder
          ? path.join(this.options.dagsFolder, env.directory)
          : undefined;
      return {
        argv,
        env: { ...process.env, ...launch.env },
        cwd: folder ?? process.cwd(),
        runtime: 'process',
        image: argv[0],
        imageDigest: env.hash,
      };
    }
    if (!(await this.dockerAvailable()))
      throw new NonRetryableTaskError(
        `task ${formatKey(launch.key)}: image "${env.name}" cannot run here (no Docker engine); give the task a \`local\` command, or install Docker`,
      );
    const image = 'uri' in env ? env.uri : await this.buildImage(env, io);
    const vars = Object.entries(launch.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    const limits = ['--memory', `${launch.memoryMiB}m`, '--cpus', String(launch.cpu)];
    const container = `updraft-${randomBytes(6).toString('hex')}`;
    return {
      argv: [
        'docker',
        'run',
        '--rm',
        '--name',
        container,
        ...limits,
        ...vars,
        image,
        ...launch.command,
        ...launch.args,
      ],
      container,
      env: process.env,
      cwd: process.cwd(),
      runtime: 'docker',
      image,
      imageDigest: env.hash,
    };
  }

  private dockerAvailable(): Promise<boolean> {
    this.docker ??= this.options.dockerAvailable
      ? this.options.dockerAvailable()
      : exitCodeOf(spawn('docker', ['info'], { stdio: 'ignore' })).then(
          (code) => code === 0,
          () => false,
        );
    return this.docker;
  }

  /** Builds a Dockerfile folder once per content hash, as deploy time does for ECR. */
  private buildImage(
    env: { name: string; directory: string; hash: string },
    io: ContainerIo,
  ): Promise<string> {
    const { dagsFolder } = this.options;
    if (!dagsFolder)
      throw new Error(
        `image "${env.name}" is a Dockerfile folder (${env.directory}); pass dagsFolder to LocalContainerRunner so it can build it`,
      );
    let build = this.images.get(env.hash);
    if (!build) {
      const tag = `updraft-env-${env.hash}`;
      const child = spawn('docker', ['build', '-t', tag, path.resolve(dagsFolder, env.directory)]);
      for (const stream of [child.stdout, child.stderr])
        createInterface({ input: stream }).on('line', (line) =>
          io.onLine('stderr', `[image ${env.name}] ${line}`),
        );
      build = exitCodeOf(child).then((code) => {
        if (code === 0) return tag;
        throw new Error(
          `image "${env.name}" failed to build (docker build exited with code ${code}); check ${env.directory}/Dockerfile`,
        );
      });
      build.catch(() => this.images.delete(env.hash));
      this.images.set(env.hash, build);
    }
    return build;
  }

  private async supervise(launch: ContainerLaunch, plan: Plan, io: ContainerIo): Promise<ContainerExit> {
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
        ? new MemoryWatchdog({ pgid, limitMiB: launch.memoryMiB, intervalMs: this.options.pollIntervalMs })
        : undefined;
    let grace: NodeJS.Timeout | undefined;
    const abort = () => {
      killGroup('SIGTERM');
      grace = setTimeout(() => {
        killGroup('SIGKILL');
        if (plan.container)
          spawn('docker', ['rm', '-f', plan.container], { stdio: 'ignore' }).on('error', () => {});
      }, this.options.killGraceMs ?? 5000);
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
        outOfMemory: killed || memoryError || (plan.runtime === 'docker' && code === 137),
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
}

/** Resolves with a child's exit code (null when signalled); rejects when it cannot start. */
function exitCodeOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
}
