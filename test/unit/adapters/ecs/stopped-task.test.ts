import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import {
  parseTaskStateChangeEvent,
  stoppedContainerOf,
} from '../../../../functions/adapters/aws/ecs/stopped-task';
import type { ContainerExit } from '../../../../functions/ports/container-runner';
import {
  type DetailChanges,
  IDENTITY_ENV,
  IMAGE,
  IMAGE_DIGEST,
  TASK_ARN,
  taskStateChangeEvent,
} from './task-state-change-events';

const key = {
  dagId: 'movielens_ranking',
  runId: 'scheduled__2026-11-20T00:00:00+00:00',
  taskId: 'rank_movies',
  mapIndex: -1,
};
const ran = { image: IMAGE, imageDigest: IMAGE_DIGEST, runtime: 'ecs-fargate' };

describe('parseTaskStateChangeEvent', () => {
  it.each<[name: string, changes: DetailChanges, exit: ContainerExit]>([
    [
      'success',
      { exitCode: 0 },
      { exitCode: 0, outOfMemory: false, stoppedReason: 'Essential container in task exited', ...ran },
    ],
    [
      'failed with exit code 3',
      { exitCode: 3 },
      { exitCode: 3, outOfMemory: false, stoppedReason: 'Essential container in task exited', ...ran },
    ],
    [
      'out of memory',
      { exitCode: 137, containerReason: 'OutOfMemoryError: Container killed due to memory usage' },
      {
        exitCode: 137,
        outOfMemory: true,
        stoppedReason:
          'Essential container in task exited (OutOfMemoryError: Container killed due to memory usage)',
        ...ran,
      },
    ],
    [
      'killed (137) without a memory mention is not out of memory',
      { exitCode: 137, stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' },
      { exitCode: 137, outOfMemory: false, stoppedReason: 'Task stopped by user', ...ran },
    ],
    [
      'never started: the image could not be pulled',
      {
        started: false,
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ' +
          '111122223333.dkr.ecr.eu-west-1.amazonaws.com/updraft-env:5d41402abc4b: not found',
        containerReason: 'CannotPullContainerError: pull image manifest has been retried 7 time(s)',
      },
      {
        exitCode: null,
        outOfMemory: false,
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ' +
          '111122223333.dkr.ecr.eu-west-1.amazonaws.com/updraft-env:5d41402abc4b: not found',
        image: IMAGE,
        runtime: 'ecs-fargate',
      },
    ],
  ])('%s', (_name, changes, exit) => {
    expect(parseTaskStateChangeEvent(taskStateChangeEvent(changes), 'task')).toEqual({
      taskArn: TASK_ARN,
      key,
      tryNumber: 2,
      exit,
      stoppedAt: '2026-11-21T10:42:06.937Z',
    });
  });

  it('reads a mapped attempt', () => {
    const environment = IDENTITY_ENV.map((entry) =>
      entry.name === 'UPDRAFT_MAP_INDEX' ? { ...entry, value: '4' } : entry,
    );
    expect(
      parseTaskStateChangeEvent(taskStateChangeEvent({ exitCode: 0, environment }), 'task')?.key,
    ).toEqual({
      ...key,
      mapIndex: 4,
    });
  });

  it.each<[name: string, event: unknown]>([
    [
      'a task that is still running',
      taskStateChangeEvent({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }),
    ],
    ['a task Updraft did not start (no identity)', taskStateChangeEvent({ exitCode: 0, environment: [] })],
    [
      'an identity with a malformed try number',
      taskStateChangeEvent({
        exitCode: 0,
        environment: IDENTITY_ENV.map((entry) =>
          entry.name === 'UPDRAFT_TRY_NUMBER' ? { ...entry, value: 'two' } : entry,
        ),
      }),
    ],
    [
      'another event type',
      { ...taskStateChangeEvent({ exitCode: 0 }), 'detail-type': 'ECS Container Instance State Change' },
    ],
    ['another source', { ...taskStateChangeEvent({ exitCode: 0 }), source: 'aws.batch' }],
    ['not an object', 'ECS Task State Change'],
    [
      'a detail without a task ARN',
      { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: {} },
    ],
  ])('ignores %s', (_name, event) => {
    expect(parseTaskStateChangeEvent(event, 'task')).toBeUndefined();
  });

  it('ignores the identity of another container', () => {
    expect(parseTaskStateChangeEvent(taskStateChangeEvent({ exitCode: 0 }), 'sidecar')).toBeUndefined();
  });
});

describe('stoppedContainerOf', () => {
  it('reads a DescribeTasks task (Date timestamps)', () => {
    const task: Task = {
      taskArn: TASK_ARN,
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      stoppedAt: new Date('2026-11-21T10:42:06.937Z'),
      overrides: { containerOverrides: [{ name: 'task', environment: IDENTITY_ENV }] },
      containers: [{ name: 'task', exitCode: 1, image: IMAGE }],
    };
    expect(stoppedContainerOf(task, 'task')).toEqual({
      taskArn: TASK_ARN,
      key,
      tryNumber: 2,
      exit: {
        exitCode: 1,
        outOfMemory: false,
        stoppedReason: 'Essential container in task exited',
        image: IMAGE,
        runtime: 'ecs-fargate',
      },
      stoppedAt: '2026-11-21T10:42:06.937Z',
    });
  });

  it('reports an exit 137 whose task reason mentions memory as out of memory', () => {
    const task: Task = {
      taskArn: TASK_ARN,
      lastStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited: memory limit exceeded',
      overrides: { containerOverrides: [{ name: 'task', environment: IDENTITY_ENV }] },
      containers: [{ name: 'task', exitCode: 137 }],
    };
    expect(stoppedContainerOf(task, 'task')?.exit.outOfMemory).toBe(true);
  });

  it('reports a task that failed to start as exitCode null, whatever exit code the container shows', () => {
    const task: Task = {
      taskArn: TASK_ARN,
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'Task failed to start',
      overrides: { containerOverrides: [{ name: 'task', environment: IDENTITY_ENV }] },
      containers: [
        {
          name: 'task',
          exitCode: 128,
          reason: 'CannotStartContainerError: exec: "rank": executable file not found in $PATH',
        },
      ],
    };
    expect(stoppedContainerOf(task, 'task')?.exit).toEqual({
      exitCode: null,
      outOfMemory: false,
      stoppedReason:
        'Task failed to start (CannotStartContainerError: exec: "rank": executable file not found in $PATH)',
      runtime: 'ecs-fargate',
    });
  });

  it('reports a stopped task without an exit code as exitCode null', () => {
    const task: Task = {
      taskArn: TASK_ARN,
      lastStatus: 'STOPPED',
      stopCode: 'SpotInterruption',
      stoppedReason: 'Your Spot Task was interrupted.',
      overrides: { containerOverrides: [{ name: 'task', environment: IDENTITY_ENV }] },
      containers: [{ name: 'task' }],
    };
    expect(stoppedContainerOf(task, 'task')?.exit).toEqual({
      exitCode: null,
      outOfMemory: false,
      stoppedReason: 'Your Spot Task was interrupted.',
      runtime: 'ecs-fargate',
    });
  });
});
