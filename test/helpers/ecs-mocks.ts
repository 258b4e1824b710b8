import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { EcsContainerLauncherConfig } from '../../functions/adapters/aws/ecs/ecs-container-launcher';
import { type DetailChanges, taskStateChangeEvent } from '../unit/adapters/ecs/task-state-change-events';

/** The launcher configuration the fake deployment has: one task definition per environment hash given. */
export function ecsConfig(taskDefinitions: Record<string, string>): EcsContainerLauncherConfig {
  return {
    cluster: 'updraft',
    subnets: ['subnet-0a1b2c3d'],
    securityGroups: ['sg-0123456789abcdef0'],
    assignPublicIp: false,
    taskDefinitions,
    // The container name of the recorded events (task-state-change-events.ts).
    containerName: 'task',
    logGroup: '/updraft/containers',
    logStreamPrefix: 'updraft',
  };
}

/** How a fake ECS task ends: its container's exit, the reasons ECS gives, and what it printed. */
export interface TaskEnd {
  exitCode?: number;
  stoppedReason?: string;
  containerReason?: string;
  stopCode?: string;
  lines?: string[];
}

/** One RunTask the fake ECS accepted. */
export interface StartedTask {
  taskArn: string;
  input: RunTaskCommandInput;
}

/**
 * ECS and CloudWatch Logs behind aws-sdk-client-mock, behaving as a cluster would: RunTask starts a
 * task (a fresh ARN), `stop` ends it (DescribeTasks reports it STOPPED from then on, its output goes to
 * the awslogs stream) and returns the `ECS Task State Change` event EventBridge would deliver.
 */
export function fakeEcs() {
  const ecsClient = new ECSClient({ region: 'eu-west-1' });
  const logsClient = new CloudWatchLogsClient({ region: 'eu-west-1' });
  const ecs = mockClient(ecsClient);
  const logs = mockClient(logsClient);
  const started: StartedTask[] = [];
  const stoppedTasks = new Map<string, Task>();
  const output = new Map<string, string[]>();
  /** Tasks ECS no longer knows (stopped longer ago than its retention): DescribeTasks says MISSING. */
  const forgotten = new Set<string>();

  ecs.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => {
    const id = (started.length + 1).toString(16).padStart(32, '0');
    const taskArn = `arn:aws:ecs:eu-west-1:111122223333:task/updraft/${id}`;
    started.push({ taskArn, input });
    return { tasks: [{ taskArn, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' }], failures: [] };
  });
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => {
    const arns = input.tasks ?? [];
    return {
      tasks: arns
        .filter((taskArn) => !forgotten.has(taskArn))
        .map(
          (taskArn) =>
            stoppedTasks.get(taskArn) ?? {
              taskArn,
              lastStatus: 'RUNNING',
              desiredStatus: 'RUNNING',
              overrides: startedTask(taskArn).input.overrides,
            },
        ),
      failures: arns.filter((arn) => forgotten.has(arn)).map((arn) => ({ arn, reason: 'MISSING' })),
    };
  });
  logs.on(GetLogEventsCommand).callsFake((input: { logStreamName?: string; nextToken?: string }) => {
    const taskId = input.logStreamName?.split('/').at(-1) ?? '';
    const lines = output.get(taskId);
    if (!lines)
      throw new ResourceNotFoundException({
        message: 'The specified log stream does not exist.',
        $metadata: {},
      });
    // One page, then the forward token comes back unchanged: the end of the stream.
    if (input.nextToken) return { events: [], nextForwardToken: input.nextToken };
    return {
      events: lines.map((message, i) => ({ timestamp: 1_763_721_600_000 + i, message })),
      nextForwardToken: 'f/00000000000000000000000000000000000000000000000000000001',
    };
  });

  function startedTask(taskArn: string): StartedTask {
    const task = started.find((t) => t.taskArn === taskArn);
    if (!task) throw new Error(`no task ${taskArn} was started`);
    return task;
  }

  /**
   * Ends a started task: DescribeTasks sees it stopped, its lines are in its log stream, and the
   * returned event is the one ECS sends (its overrides echo what RunTask asked for).
   */
  function stop(taskArn: string, end: TaskEnd = {}): Record<string, unknown> {
    const task = startedTask(taskArn);
    const override = task.input.overrides?.containerOverrides?.[0];
    const changes: DetailChanges = {
      exitCode: end.exitCode ?? 0,
      environment: (override?.environment ?? []).map((e) => ({ name: e.name ?? '', value: e.value ?? '' })),
      ...(end.stoppedReason !== undefined && { stoppedReason: end.stoppedReason }),
      ...(end.containerReason !== undefined && { containerReason: end.containerReason }),
      ...(end.stopCode !== undefined && { stopCode: end.stopCode }),
    };
    const event = taskStateChangeEvent(changes);
    const detail = event.detail as Record<string, unknown> & { containers: Record<string, unknown>[] };
    detail.taskArn = taskArn;
    detail.taskDefinitionArn = task.input.taskDefinition;
    for (const container of detail.containers) container.taskArn = taskArn;
    event.resources = [taskArn];
    if (end.lines) output.set(taskArn.split('/').at(-1)!, end.lines);
    // DescribeTasks answers with the same task, its timestamps as dates (the SDK's shape).
    stoppedTasks.set(taskArn, {
      ...(detail as Task),
      stoppedAt: new Date(detail.stoppedAt as string),
      createdAt: new Date(detail.createdAt as string),
    });
    return event;
  }

  return {
    ecs,
    logs,
    ecsClient,
    logsClient,
    started,
    stop,
    /** ECS forgets a task: DescribeTasks answers MISSING for it from now on. */
    forget: (taskArn: string) => {
      startedTask(taskArn);
      forgotten.add(taskArn);
    },
    /** The RunTask inputs so far, oldest first. */
    runTaskInputs: () => ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input),
    describeTasksCalls: () => ecs.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input),
    /** Forgets every call and task (a fresh cluster for the next test). */
    restore: () => {
      ecs.restore();
      logs.restore();
    },
  };
}
