import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { EnvironmentSpec } from '../../core/model';
import { formatKey } from '../../core/records';
import { NonRetryableTaskError } from '../../core/task-errors';
import type {
  ContainerExit,
  ContainerIo,
  ContainerLaunch,
  ContainerRunner,
} from '../../ports/container-runner';
import { type PipOptions, PythonEnvironments } from './python-environments';
import { type Plan, superviseProcess } from './supervise-process';

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
    return superviseProcess(launch, plan, io, this.options);
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
}

/** Resolves with a child's exit code (null when signalled); rejects when it cannot start. */
function exitCodeOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
}
