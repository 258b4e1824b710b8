import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EcsContainerLauncher,
  type EcsContainerLauncherConfig,
  MAX_COPIED_LINES,
  missingTasks,
  SCRIPT_BOOTSTRAP,
} from '../../../../functions/adapters/aws/ecs/ecs-container-launcher';
import type { EnvironmentSpec } from '../../../../functions/core/model';
import type { ContainerLaunch } from '../../../../functions/ports/container-runner';
import { IDENTITY_ENV, TASK_ARN } from './task-state-change-events';

const ecsClient = new ECSClient({ region: 'eu-west-1' });
const logsClient = new CloudWatchLogsClient({ region: 'eu-west-1' });
const ecs = mockClient(ecsClient);
const logs = mockClient(logsClient);

const environment: EnvironmentSpec = {
  kind: 'image',
  name: 'ranking',
  directory: 'environments/ranking',
  hash: '5d41402abc4b',
};
const config: EcsContainerLauncherConfig = {
  cluster: 'updraft',
  subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
  securityGroups: ['sg-0123456789abcdef0'],
  assignPublicIp: false,
  taskDefinitions: {
    '5d41402abc4b': 'arn:aws:ecs:eu-west-1:111122223333:task-definition/updraft-env-5d41402abc4b:3',
  },
  containerName: 'task',
  logGroup: '/updraft/containers',
  logStreamPrefix: 'updraft',
};
const launcher = new EcsContainerLauncher(ecsClient, logsClient, config);

function launchOf(changes: Partial<ContainerLaunch> = {}): ContainerLaunch {
  return {
    key: {
      dagId: 'movielens_ranking',
      runId: 'scheduled__2026-11-20T00:00:00+00:00',
      taskId: 'rank_movies',
      mapIndex: -1,
    },
    tryNumber: 2,
    bundleVersion: 'b-1',
    environment,
    command: ['python', '-m', 'ranking'],
    args: ['--top', '10'],
    env: Object.fromEntries(IDENTITY_ENV.map((entry) => [entry.name, entry.value])),
    cpu: 0.5,
    memoryMiB: 3000,
    ...changes,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

beforeEach(() => {
  ecs.reset();
  logs.reset();
});

describe('EcsContainerLauncher.start', () => {
  it('runs the environment task definition on Fargate with the attempt in its overrides', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    expect(await launcher.start(launchOf())).toEqual({
      taskArn: TASK_ARN,
      // The awslogs stream the container writes to, for tailing before it stops.
      output: 'CloudWatch Logs /updraft/containers, stream updraft/task/3f2c9a1b7d6e4c0f9a8b5e4d3c2b1a09',
      memoryMiB: 3072,
    });
    expect(ecs.commandCalls(RunTaskCommand)[0]!.args[0].input).toEqual({
      // One per attempt (key and try): an SDK retry of a lost answer cannot start a second task.
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      cluster: 'updraft',
      launchType: 'FARGATE',
      taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/updraft-env-5d41402abc4b:3',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
          securityGroups: ['sg-0123456789abcdef0'],
          assignPublicIp: 'DISABLED',
        },
      },
      startedBy: 'updraft',
      propagateTags: 'TASK_DEFINITION',
      overrides: {
        cpu: '512',
        memory: '3072',
        containerOverrides: [
          {
            name: 'task',
            command: ['python', '-m', 'ranking', '--top', '10'],
            environment: IDENTITY_ENV,
          },
        ],
      },
    });
  });

  it.each<[name: string, command: string[], args: string[], expected: string[] | undefined]>([
    ['arguments alone keep the image entrypoint', [], ['--top', '10'], ['--top', '10']],
    ['no command and no arguments: the image defaults', [], [], undefined],
    ['a command without arguments', ['bash', '-c', 'echo hi'], [], ['bash', '-c', 'echo hi']],
  ])('%s', async (_name, command, args, expected) => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    await launcher.start(launchOf({ command, args }));
    const override = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides?.containerOverrides?.[0];
    expect(override?.command).toEqual(expected);
    expect(override && 'command' in override).toBe(expected !== undefined);
  });

  it('rounds the size up to a valid Fargate combination and assigns a public IP when asked', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const publicLauncher = new EcsContainerLauncher(ecsClient, logsClient, {
      ...config,
      assignPublicIp: true,
    });
    await publicLauncher.start(launchOf({ cpu: 0.25, memoryMiB: 9000 }));
    const input = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect([input.overrides?.cpu, input.overrides?.memory]).toEqual(['2048', '9216']);
    expect(input.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
  });

  it("runs a DAG's containers with its own task role, and other DAGs' with the task definition's", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const role = 'arn:aws:iam::111122223333:role/movielens-containers';
    const scoped = new EcsContainerLauncher(ecsClient, logsClient, {
      ...config,
      taskRoles: { movielens_ranking: role },
    });
    await scoped.start(launchOf());
    await scoped.start(launchOf({ key: { dagId: 'other', runId: 'r', taskId: 't', mapIndex: -1 } }));
    const [mine, other] = ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input.overrides);
    expect(mine?.taskRoleArn).toBe(role);
    expect(other).not.toHaveProperty('taskRoleArn');
  });

  it('runs a Python script from a URL of its bundle file, not from the image', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const urls: string[] = [];
    const withScripts = new EcsContainerLauncher(ecsClient, logsClient, {
      ...config,
      bundleFileUrl: async (version, file) => {
        urls.push(`${version}/${file}`);
        return `https://bucket.s3.amazonaws.com/bundles/${version}/${file}?X-Amz-Signature=abc`;
      },
    });
    await withScripts.start(launchOf({ command: [], script: 'scripts/python/rank.py' }));
    const override = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides?.containerOverrides?.[0];
    expect(urls).toEqual(['b-1/scripts/python/rank.py']);
    expect(override?.command).toEqual(['python', '-c', SCRIPT_BOOTSTRAP, '--top', '10']);
    expect(override?.environment).toContainEqual({
      name: 'UPDRAFT_SCRIPT_URL',
      value: 'https://bucket.s3.amazonaws.com/bundles/b-1/scripts/python/rank.py?X-Amz-Signature=abc',
    });
    // Without a way to hand scripts over, a Python task fails instead of running the image's default.
    const error = await rejectionOf(
      launcher.start(launchOf({ command: [], script: 'scripts/python/rank.py' })),
    );
    expect(error.name).toBe('NonRetryableTaskError');
  });

  it('asks with the same client token for the same attempt, another for the next try', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    await launcher.start(launchOf());
    await launcher.start(launchOf());
    await launcher.start(launchOf({ tryNumber: 3 }));
    const tokens = ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('refuses overrides over the 8 KiB RunTask takes, naming the fix, without retrying', async () => {
    const error = await rejectionOf(launcher.start(launchOf({ args: ['x'.repeat(9000)] })));
    expect(error.name).toBe('NonRetryableTaskError');
    expect(error.message).toMatch(
      /over ECS's 8192-byte limit for RunTask overrides; pass large inputs through S3/,
    );
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('stops a task with the reason, cut to what ECS keeps', async () => {
    ecs.on(StopTaskCommand).resolves({});
    await launcher.stop(TASK_ARN, `execution_timeout: ${'x'.repeat(300)}`);
    const input = ecs.commandCalls(StopTaskCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ cluster: config.cluster, task: TASK_ARN });
    expect(input.reason).toHaveLength(255);
  });

  it('refuses an environment this deployment has no task definition for, without retrying', async () => {
    const launch = launchOf({ environment: { ...environment, name: 'scoring', hash: 'ffff0000' } });
    const error = await rejectionOf(launcher.start(launch));
    expect(error.name).toBe('NonRetryableTaskError');
    expect(error.message).toBe(
      'environment "scoring" (hash ffff0000) has no task definition in this deployment: ' +
        'run `cdk deploy` so its image is built',
    );
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('refuses a size Fargate does not have, without retrying', async () => {
    const error = await rejectionOf(launcher.start(launchOf({ cpu: 4, memoryMiB: 200_000 })));
    expect(error.name).toBe('NonRetryableTaskError');
    expect(error.message).toContain('rank_movies: no Fargate size has 4 vCPU and 200000 MiB');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('throws a retryable error with the reasons when ECS could not place the task', async () => {
    ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [{ arn: config.taskDefinitions['5d41402abc4b'], reason: 'RESOURCE:MEMORY' }],
    });
    const error = await rejectionOf(launcher.start(launchOf()));
    expect(error.name).toBe('Error');
    expect(error.message).toContain(
      'ECS did not start movielens_ranking/scheduled__2026-11-20T00:00:00+00:00/rank_movies (try 2)',
    );
    expect(error.message).toContain('RESOURCE:MEMORY');
  });

  it('names the capacity failure detail', async () => {
    ecs.on(RunTaskCommand).resolves({
      failures: [{ reason: 'Capacity is unavailable at this time.', detail: 'eu-west-1a' }],
    });
    await expect(launcher.start(launchOf())).rejects.toThrow(
      'Capacity is unavailable at this time.: eu-west-1a',
    );
  });
});

describe('EcsContainerLauncher.stopped', () => {
  const stoppedTask = (taskArn: string): Task => ({
    taskArn,
    lastStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    overrides: { containerOverrides: [{ name: 'task', environment: IDENTITY_ENV }] },
    containers: [{ name: 'task', exitCode: 0 }],
  });
  const arns = Array.from(
    { length: 150 },
    (_, index) => `arn:aws:ecs:eu-west-1:111122223333:task/updraft/t${index}`,
  );

  it('describes the tasks in chunks of 100 and keeps the stopped Updraft ones', async () => {
    ecs.on(DescribeTasksCommand).callsFake(async (input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn, index) =>
        index % 2 === 0 ? stoppedTask(arn) : { ...stoppedTask(arn), lastStatus: 'RUNNING' },
      ),
    }));
    const stopped = await launcher.stopped(arns);
    const calls = ecs.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => [input.cluster, input.tasks?.length])).toEqual([
      ['updraft', 100],
      ['updraft', 50],
    ]);
    expect(calls.flatMap((input) => input.tasks)).toEqual(arns);
    expect(stopped).toHaveLength(75);
    expect(stopped[0]).toMatchObject({ taskArn: arns[0], tryNumber: 2, exit: { exitCode: 0 } });
  });

  it('makes no call for no tasks', async () => {
    expect(await launcher.stopped([])).toEqual([]);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  it('leaves out tasks ECS no longer knows; missingTasks names them', async () => {
    ecs.on(DescribeTasksCommand).callsFake(async (input: { tasks: string[] }) => ({
      tasks: input.tasks.filter((arn) => !arn.endsWith('/t3')).map(stoppedTask),
      failures: input.tasks.filter((arn) => arn.endsWith('/t3')).map((arn) => ({ arn, reason: 'MISSING' })),
    }));
    const stopped = await launcher.stopped(arns.slice(0, 5));
    expect(stopped.map((task) => task.taskArn)).toEqual([arns[0], arns[1], arns[2], arns[4]]);
    expect(await missingTasks(ecsClient, 'updraft', arns)).toEqual([arns[3]]);
  });
});

describe('EcsContainerLauncher.logLines', () => {
  it('copies at most MAX_COPIED_LINES lines and says where the rest is', async () => {
    let page = 0;
    logs.on(GetLogEventsCommand).callsFake(() => {
      page++;
      return {
        events: Array.from({ length: 10_000 }, (_, i) => ({ message: `p${page} ${i}` })),
        nextForwardToken: `f/${page}`,
      };
    });
    const lines = await launcher.logLines(TASK_ARN);
    expect(lines).toHaveLength(MAX_COPIED_LINES + 1);
    expect(lines.at(-1)).toBe(
      `[output cut after ${MAX_COPIED_LINES} lines: the rest is in /updraft/containers, stream updraft/task/3f2c9a1b7d6e4c0f9a8b5e4d3c2b1a09]`,
    );
    expect(page).toBe(MAX_COPIED_LINES / 10_000);
  });

  const stream = 'updraft/task/3f2c9a1b7d6e4c0f9a8b5e4d3c2b1a09';

  it('reads the awslogs stream from the head until the forward token repeats', async () => {
    logs
      .on(GetLogEventsCommand, { logStreamName: stream, nextToken: undefined })
      .resolves({
        events: [{ message: 'loading ratings' }, { message: 'ranking 9742 movies' }],
        nextForwardToken: 'f/1',
      })
      .on(GetLogEventsCommand, { logStreamName: stream, nextToken: 'f/1' })
      .resolves({ events: [], nextForwardToken: 'f/2' })
      .on(GetLogEventsCommand, { logStreamName: stream, nextToken: 'f/2' })
      .resolves({ events: [{ message: 'wrote top 10' }], nextForwardToken: 'f/3' })
      .on(GetLogEventsCommand, { logStreamName: stream, nextToken: 'f/3' })
      .resolves({ events: [], nextForwardToken: 'f/3' });
    expect(await launcher.logLines(TASK_ARN)).toEqual([
      'loading ratings',
      'ranking 9742 movies',
      'wrote top 10',
    ]);
    const calls = logs.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(4);
    expect(calls[0]).toEqual({
      logGroupName: '/updraft/containers',
      logStreamName: stream,
      startFromHead: true,
      nextToken: undefined,
    });
  });

  it('returns no lines when the container never logged', async () => {
    logs
      .on(GetLogEventsCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }),
      );
    expect(await launcher.logLines(TASK_ARN)).toEqual([]);
  });

  it('passes other errors on', async () => {
    logs
      .on(GetLogEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(launcher.logLines(TASK_ARN)).rejects.toThrow('Rate exceeded');
  });
});
