import type { ContainerExit } from '../core/container-exit';
import type { EnvironmentSpec } from '../core/model';
import type { TaskInstanceKey } from '../core/records';

/** One container or Python task attempt to run, with its templated command already rendered. */
export interface ContainerLaunch {
  key: TaskInstanceKey;
  tryNumber: number;
  /** The run's bundle version (Python scripts and requirements come from it). */
  bundleVersion: string;
  environment: EnvironmentSpec;
  /** Entrypoint override and arguments (empty command: the image's own entrypoint). */
  command: string[];
  args: string[];
  /** Extra environment variables (already include `UPDRAFT_*` task identity variables). */
  env: Record<string, string>;
  /** Fargate vCPU. */
  cpu: number;
  /** Memory limit of the attempt (escalated memory included). */
  memoryMiB: number;
  /** Command to run as a local process when the image cannot run here. */
  local?: string[];
  /** Python tasks: the script's path inside the bundle. */
  script?: string;
}

export type { ContainerExit } from '../core/container-exit';

/** Output of a running container, line by line. */
export interface ContainerIo {
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** Aborts the container (execution timeout, shutdown). */
  signal: AbortSignal;
}

/**
 * Runs a container task to its end while the attempt waits: local processes (with the memory
 * limit enforced) or Docker. ECS Fargate tasks do not hold the worker: see `ContainerLauncher`.
 */
export interface ContainerRunner {
  run(launch: ContainerLaunch, io: ContainerIo): Promise<ContainerExit>;
}

/** A stopped ECS task as the state-change event or DescribeTasks reports it. */
export interface StoppedContainer {
  taskArn: string;
  /** The attempt it ran, from the `UPDRAFT_*` variables of its overrides. */
  key: TaskInstanceKey;
  tryNumber: number;
  exit: ContainerExit;
  /** When it stopped (ISO). */
  stoppedAt?: string;
}

/** Stops a container task whose attempt was failed without it (execution timeout). */
export interface ContainerStopper {
  stop(taskArn: string, reason: string): Promise<void>;
}

/** Starts container tasks that end on their own (ECS Fargate) and reads their state. */
export interface ContainerLauncher extends ContainerStopper {
  /**
   * Starts the task; resolves with its ARN once ECS accepted it, where its output streams while
   * it runs, and the memory it really got (Fargate rounds up to a size it has).
   */
  start(launch: ContainerLaunch): Promise<{ taskArn: string; output?: string; memoryMiB?: number }>;
  /**
   * Which of `taskArns` have stopped, and which ECS no longer knows (stopped longer ago than it
   * keeps tasks): DescribeTasks, so a lost event never strands a task.
   */
  check(taskArns: string[]): Promise<{ stopped: StoppedContainer[]; missing: string[] }>;
  /** The container's log lines (CloudWatch), oldest first. */
  logLines(taskArn: string): Promise<string[]>;
}
