import { describe, expect, it } from 'vitest';
import type { EnvironmentSpec, TaskSpec } from '../../../functions/core/model';
import { checkEnvironments } from '../../../functions/core/validation/environment-fields';
import { validateDags } from '../../../functions/core/validation/validate-dag';
import { dagSpec, taskSpec } from '../../helpers/specs';

const PY: EnvironmentSpec = {
  kind: 'python',
  name: 'py',
  python: '3.12',
  requirements: 'envs/py/requirements.txt',
  hash: '0123456789abcdef',
};
const IMG: EnvironmentSpec = { kind: 'image', name: 'img', uri: 'alpine:3.20', hash: 'fedcba9876543210' };
const DIR: EnvironmentSpec = {
  kind: 'image',
  name: 'dir',
  directory: 'images/dir',
  hash: '00000000000000aa',
};

/** A container task `x` in environment `env`; `script` makes it a python() task. */
function containerTask(env: string, script?: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return taskSpec('x', {
    executor: 'ecs',
    operator: {
      kind: 'container',
      environment: env,
      command: [],
      args: [],
      env: {},
      cpu: 0.25,
      ...(script !== undefined && { script }),
    },
    ...overrides,
  });
}

type Row = [name: string, tasks: TaskSpec[], environments: EnvironmentSpec[] | undefined, problems: object[]];

describe('checkEnvironments', () => {
  it.each<Row>([
    ['no container tasks, no environments', [taskSpec('x')], undefined, []],
    ['container in a declared image', [containerTask('img')], [IMG], []],
    ['container in a Dockerfile image', [containerTask('dir')], [DIR], []],
    ['python script in a python environment', [containerTask('py', 'scripts/r.py')], [PY], []],
    // A container may run any image, including a Python environment's own image.
    ['container command in a python environment', [containerTask('py')], [PY], []],
    [
      'undeclared environment',
      [containerTask('missing')],
      [IMG],
      [
        {
          taskId: 'x',
          field: 'environment',
          message: 'environment "missing" is not declared in the DAG',
          fix: expect.stringContaining('pythonEnv() or image()'),
        },
      ],
    ],
    [
      'a DAG without environments at all',
      [containerTask('img')],
      undefined,
      [{ taskId: 'x', field: 'environment', message: expect.stringContaining('"img" is not declared') }],
    ],
    [
      'python script in an image environment',
      [containerTask('img', 'scripts/r.py')],
      [IMG],
      [
        {
          taskId: 'x',
          field: 'environment',
          message: 'a Python script needs a pythonEnv(), but "img" is an image',
        },
      ],
    ],
    [
      'python script in a Dockerfile image',
      [containerTask('dir', 'scripts/r.py')],
      [DIR],
      [{ taskId: 'x', field: 'environment', message: expect.stringContaining('"dir" is an image') }],
    ],
    [
      'two environments sharing a name',
      [containerTask('py')],
      [PY, { ...IMG, name: 'py' }],
      [{ field: 'environments', message: 'two environments share a name' }],
    ],
    [
      'onOutOfMemory max equal to memory',
      [containerTask('img', undefined, { memoryMiB: 2048, onOutOfMemory: { maxMemoryMiB: 2048 } })],
      [IMG],
      [
        {
          taskId: 'x',
          field: 'onOutOfMemory.maxMemoryMiB',
          message: "2048 must be above the task's memoryMiB 2048",
        },
      ],
    ],
    [
      'onOutOfMemory max below memory',
      [taskSpec('x', { memoryMiB: 2048, onOutOfMemory: { maxMemoryMiB: 1024 } })],
      undefined,
      [
        {
          taskId: 'x',
          field: 'onOutOfMemory.maxMemoryMiB',
          message: expect.stringContaining('1024 must be above'),
        },
      ],
    ],
    [
      'onOutOfMemory max above memory',
      [containerTask('img', undefined, { memoryMiB: 512, onOutOfMemory: { maxMemoryMiB: 4096 } })],
      [IMG],
      [],
    ],
    [
      'lambda escalation up to 10240 MiB',
      [taskSpec('x', { executor: 'lambda', memoryMiB: 1024, onOutOfMemory: { maxMemoryMiB: 10_240 } })],
      undefined,
      [],
    ],
    [
      'lambda escalation past 10240 MiB',
      [taskSpec('x', { executor: 'lambda', memoryMiB: 1024, onOutOfMemory: { maxMemoryMiB: 10_241 } })],
      undefined,
      [
        {
          taskId: 'x',
          field: 'onOutOfMemory.maxMemoryMiB',
          message: "10241 MiB exceeds Lambda's 10240 MiB limit",
          fix: "lower it, or set executor: 'ecs'",
        },
      ],
    ],
    [
      'ecs escalation past 10240 MiB',
      [containerTask('img', undefined, { memoryMiB: 8192, onOutOfMemory: { maxMemoryMiB: 30_720 } })],
      [IMG],
      [],
    ],
    [
      'every problem of a task at once',
      [
        containerTask('gone', undefined, {
          executor: 'lambda',
          memoryMiB: 16_384,
          onOutOfMemory: { maxMemoryMiB: 12_288 },
        }),
      ],
      [],
      [
        { field: 'onOutOfMemory.maxMemoryMiB', message: expect.stringContaining('must be above') },
        { field: 'onOutOfMemory.maxMemoryMiB', message: expect.stringContaining("Lambda's") },
        { field: 'environment', message: expect.stringContaining('not declared') },
      ],
    ],
  ])('%s', (_name, tasks, environments, problems) => {
    const spec = dagSpec('d', { tasks, ...(environments && { environments }) });
    const found = checkEnvironments(spec);
    expect(found).toEqual(problems.map((problem) => expect.objectContaining(problem)));
  });

  it('validateDags places the problems at the DAG file and id', () => {
    const spec = dagSpec('d', { tasks: [containerTask('missing')], environments: [IMG] });
    expect(validateDags([spec])).toContainEqual(
      expect.objectContaining({ file: 'd.dag.ts', dagId: 'd', taskId: 'x', field: 'environment' }),
    );
  });
});
