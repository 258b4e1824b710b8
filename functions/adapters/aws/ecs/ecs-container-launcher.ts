import { createHash } from 'node:crypto';
import {
  type CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  type ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { type FargateSize, fargateSize } from '../../../core/fargate-sizes';
import { formatKey } from '../../../core/records';
import { NonRetryableTaskError } from '../../../core/task-errors';
import type { ContainerLaunch, ContainerLauncher, StoppedContainer } from '../../../ports/container-runner';
import { stoppedContainerOf } from './stopped-task';

/** Where and how `EcsContainerLauncher` runs tasks; every value comes from the stack's outputs. */
export interface EcsContainerLauncherConfig {
  /** Cluster name or ARN. */
  cluster: string;
  /** Subnets and security groups of the tasks' network interfaces (awsvpc). */
  subnets: string[];
  securityGroups: string[];
  /** Public IP on the interface: needed to pull images in public subnets without a NAT gateway. */
  assignPublicIp: boolean;
  /** Task definition ARN per environment hash: one per image the deployment built. */
  taskDefinitions: Record<string, string>;
  /** The container of each task definition that runs the task (its overrides carry the identity). */
  containerName: string;
  /** The awslogs driver's group and stream prefix, to read a task's output. */
  logGroup: string;
  logStreamPrefix: string;
  /**
   * A short-lived URL of a file of a bundle version (a presigned S3 GET): a Python task's script
   * comes from its run's bundle, not from the image, so an upload changes it without a deploy.
   */
  bundleFileUrl?: (bundleVersion: string, path: string) => Promise<string>;
  /** Task role ARN per DAG id (least privilege per pipeline); other DAGs use the task definition's role. */
  taskRoles?: Record<string, string>;
}

/**
 * What a Python task's container runs: fetch the script of the run's bundle from
 * `UPDRAFT_SCRIPT_URL` and run it as `__main__` with the task's arguments (the image holds only
 * the environment's packages and no credentials).
 */
export const SCRIPT_BOOTSTRAP = [
  'import os, runpy, sys, tempfile, urllib.request',
  "path = os.path.join(tempfile.mkdtemp(), 'task.py')",
  "open(path, 'wb').write(urllib.request.urlopen(os.environ['UPDRAFT_SCRIPT_URL']).read())",
  'sys.argv = [path] + sys.argv[1:]',
  "runpy.run_path(path, run_name='__main__')",
].join('\n');

/** DescribeTasks limit: tasks per call. */
export const DESCRIBE_TASKS_CHUNK = 100;
/** GetLogEvents pages read by one `logLines` before it returns what it has. */
const MAX_LOG_PAGES = 1000;
/**
 * Lines copied into the task log at most: a chatty container must not exhaust the scheduler that
 * ends it (the rest stays in CloudWatch, and the copy says where).
 */
export const MAX_COPIED_LINES = 20_000;
/** RunTask's limit on the overrides (command, environment …), in bytes. */
const MAX_OVERRIDES_BYTES = 8192;

/**
 * Container tasks on ECS Fargate: RunTask with the attempt's size, command and `UPDRAFT_*` identity
 * in the overrides (how a stopped task is matched to its attempt), DescribeTasks to find stopped ones
 * when a state-change event was lost, and the awslogs stream for the output.
 */
export class EcsContainerLauncher implements ContainerLauncher {
  constructor(
    private readonly ecs: ECSClient,
    private readonly logs: CloudWatchLogsClient,
    private readonly config: EcsContainerLauncherConfig,
  ) {}

  private scriptUrl(launch: ContainerLaunch): Promise<string> {
    if (!this.config.bundleFileUrl)
      throw new NonRetryableTaskError(
        `task ${formatKey(launch.key)} runs a Python script, but this deployment cannot hand scripts to containers`,
      );
    return this.config.bundleFileUrl(launch.bundleVersion, launch.script!);
  }

  async start(launch: ContainerLaunch): Promise<{ taskArn: string; output: string; memoryMiB: number }> {
    const { environment } = launch;
    const taskDefinition = this.config.taskDefinitions[environment.hash];
    if (!taskDefinition) {
      throw new NonRetryableTaskError(
        `environment "${environment.name}" (hash ${environment.hash}) has no task definition in this ` +
          'deployment: run `cdk deploy` so its image is built',
      );
    }
    const size = sizeOf(launch);
    const script = launch.script === undefined ? undefined : await this.scriptUrl(launch);
    const command = script
      ? ['python', '-c', SCRIPT_BOOTSTRAP, ...launch.args]
      : launch.command.length > 0
        ? [...launch.command, ...launch.args]
        : launch.args;
    const env = { ...launch.env, ...(script && { UPDRAFT_SCRIPT_URL: script }) };
    const overrides = {
      ...(this.config.taskRoles?.[launch.key.dagId] && {
        taskRoleArn: this.config.taskRoles[launch.key.dagId],
      }),
      cpu: String(size.cpuUnits),
      memory: String(size.memoryMiB),
      containerOverrides: [
        {
          name: this.config.containerName,
          ...(command.length > 0 && { command }),
          environment: Object.entries(env).map(([name, value]) => ({ name, value })),
        },
      ],
    };
    const bytes = Buffer.byteLength(JSON.stringify(overrides));
    if (bytes > MAX_OVERRIDES_BYTES)
      throw new NonRetryableTaskError(
        `task ${formatKey(launch.key)}: its command, arguments and environment take ${bytes} bytes, over ECS's ${MAX_OVERRIDES_BYTES}-byte limit for RunTask overrides; pass large inputs through S3 (e.g. an XCom key or path) instead of templated values`,
      );
    const output = await this.ecs.send(
      new RunTaskCommand({
        // The same attempt never starts twice, even when the SDK retries a call whose answer was lost.
        clientToken: createHash('sha256')
          .update(`${formatKey(launch.key)}#${launch.tryNumber}`)
          .digest('hex'),
        cluster: this.config.cluster,
        launchType: 'FARGATE',
        taskDefinition,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: this.config.subnets,
            securityGroups: this.config.securityGroups,
            assignPublicIp: this.config.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        startedBy: 'updraft',
        propagateTags: 'TASK_DEFINITION',
        overrides,
      }),
    );
    // A started task is returned whatever else failed: it runs, so the attempt must track it.
    const taskArn = output.tasks?.[0]?.taskArn;
    if (taskArn)
      return {
        taskArn,
        output: `CloudWatch Logs ${this.config.logGroup}, stream ${this.streamOf(taskArn)}`,
        memoryMiB: size.memoryMiB,
      };
    // Capacity and resource failures pass: the attempt is retryable (a plain Error).
    const reasons = (output.failures ?? []).map(
      (failure) => [failure.reason, failure.detail].filter(Boolean).join(': ') || 'unknown failure',
    );
    throw new Error(
      `ECS did not start ${formatKey(launch.key)} (try ${launch.tryNumber}) on ${taskDefinition}: ` +
        (reasons.length > 0 ? reasons.join('; ') : 'RunTask returned no task'),
    );
  }

  async check(taskArns: string[]): Promise<{ stopped: StoppedContainer[]; missing: string[] }> {
    const { tasks, missing } = await describeTasks(this.ecs, this.config.cluster, taskArns);
    const stopped = tasks
      .map((task) => stoppedContainerOf(task, this.config.containerName))
      .filter((found): found is StoppedContainer => found !== undefined);
    return { stopped, missing };
  }

  async stop(taskArn: string, reason: string): Promise<void> {
    // ECS keeps at most 255 characters of a stop reason.
    await this.ecs.send(
      new StopTaskCommand({ cluster: this.config.cluster, task: taskArn, reason: reason.slice(0, 255) }),
    );
  }

  /** The recognised stopped tasks among `taskArns` (see `check`). */
  async stopped(taskArns: string[]): Promise<StoppedContainer[]> {
    return (await this.check(taskArns)).stopped;
  }

  /** The awslogs stream of a task: `<prefix>/<container>/<task id>`. */
  private streamOf(taskArn: string): string {
    const taskId = taskArn.split('/').at(-1) ?? taskArn;
    return `${this.config.logStreamPrefix}/${this.config.containerName}/${taskId}`;
  }

  async logLines(taskArn: string): Promise<string[]> {
    const logStreamName = this.streamOf(taskArn);
    const lines: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_LOG_PAGES; page++) {
      let output: GetLogEventsCommandOutput;
      try {
        output = await this.logs.send(
          new GetLogEventsCommand({
            logGroupName: this.config.logGroup,
            logStreamName,
            startFromHead: true,
            nextToken: token,
          }),
        );
      } catch (error) {
        // No stream: the container never wrote a line (or never started).
        if ((error as Error).name === 'ResourceNotFoundException') return lines;
        throw error;
      }
      for (const event of output.events ?? []) lines.push(event.message ?? '');
      if (lines.length >= MAX_COPIED_LINES) {
        lines.length = MAX_COPIED_LINES;
        lines.push(
          `[output cut after ${MAX_COPIED_LINES} lines: the rest is in ${this.config.logGroup}, stream ${logStreamName}]`,
        );
        return lines;
      }
      const next = output.nextForwardToken;
      // The end of the stream is the forward token coming back unchanged.
      if (next === undefined || next === token) break;
      token = next;
    }
    return lines;
  }
}

/** The attempt's Fargate size; a size Fargate has not fails the attempt for good (a retry asks the same). */
function sizeOf(launch: ContainerLaunch): FargateSize {
  try {
    return fargateSize(launch.cpu, launch.memoryMiB);
  } catch (error) {
    throw new NonRetryableTaskError(`${formatKey(launch.key)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The tasks among `taskArns` that ECS no longer knows (DescribeTasks failure `MISSING`: stopped longer
 * ago than its retention, or never started). `stopped()` cannot report them (the attempt's identity
 * lives in the task's overrides), so the caller fails the attempts it recorded with these ARNs.
 */
export async function missingTasks(ecs: ECSClient, cluster: string, taskArns: string[]): Promise<string[]> {
  return (await describeTasks(ecs, cluster, taskArns)).missing;
}

/**
 * DescribeTasks in chunks of `DESCRIBE_TASKS_CHUNK`. Failures other than MISSING are left out (the
 * task reads as not stopped yet) rather than thrown, so one odd task cannot block the others.
 */
async function describeTasks(
  ecs: ECSClient,
  cluster: string,
  taskArns: string[],
): Promise<{ tasks: Task[]; missing: string[] }> {
  const tasks: Task[] = [];
  const missing: string[] = [];
  for (let start = 0; start < taskArns.length; start += DESCRIBE_TASKS_CHUNK) {
    const chunk = taskArns.slice(start, start + DESCRIBE_TASKS_CHUNK);
    const output = await ecs.send(new DescribeTasksCommand({ cluster, tasks: chunk }));
    tasks.push(...(output.tasks ?? []));
    for (const failure of output.failures ?? []) {
      if (failure.reason === 'MISSING' && failure.arn) missing.push(failure.arn);
    }
  }
  return { tasks, missing };
}
