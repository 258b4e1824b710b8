import { describe, expect, it } from 'vitest';
import type { OperatorSpec } from '../../../functions/core/model';
import { bash, container, dag, group, image, python, pythonEnv } from '../../../functions/sdk';
import type { EnvironmentDeclaration } from '../../../functions/sdk/environments';
import { definitionError, specOf, taskOf } from './helpers';

const pandas = pythonEnv('pandas-2', { python: '3.12', requirements: 'envs/pandas2/requirements.txt' });
const tool = image('my-tool', { directory: 'images/my-tool' });
const alpine = image('alpine', { uri: 'public.ecr.aws/docker/library/alpine:3.20' });

describe('pythonEnv() and image(): declarations', () => {
  it.each<[name: string, declared: unknown, expected: EnvironmentDeclaration]>([
    [
      'python environment',
      pandas,
      { kind: 'python', name: 'pandas-2', python: '3.12', requirements: 'envs/pandas2/requirements.txt' },
    ],
    [
      'windows separators become /',
      pythonEnv('w', { python: '3.9', requirements: 'envs\\w\\reqs.txt' }),
      { kind: 'python', name: 'w', python: '3.9', requirements: 'envs/w/reqs.txt' },
    ],
    ['image from a Dockerfile folder', tool, { kind: 'image', name: 'my-tool', directory: 'images/my-tool' }],
    [
      'image from a registry',
      alpine,
      { kind: 'image', name: 'alpine', uri: 'public.ecr.aws/docker/library/alpine:3.20' },
    ],
    [
      'image pinned by digest on a registry port',
      image('pinned', { uri: `registry.local:5000/team/tool:1.2@sha256:${'a'.repeat(64)}` }),
      { kind: 'image', name: 'pinned', uri: `registry.local:5000/team/tool:1.2@sha256:${'a'.repeat(64)}` },
    ],
    [
      'longest name (63 characters)',
      image(`a${'b'.repeat(62)}`, { uri: 'alpine' }),
      { kind: 'image', name: `a${'b'.repeat(62)}`, uri: 'alpine' },
    ],
  ])('%s', (_name, declared, expected) => {
    expect(declared).toEqual(expected);
  });
});

describe('pythonEnv() and image(): every error names the field', () => {
  const req = { python: '3.12', requirements: 'envs/x/requirements.txt' };
  it.each<[name: string, declare: () => unknown, field: string, message: RegExp]>([
    ['empty name', () => pythonEnv('', req), 'environment', /pythonEnv name must be 1-63 .*got ""/],
    ['name starting with "-"', () => image('-x', { uri: 'alpine' }), 'environment', /image name .*got "-x"/],
    ['name with a space', () => pythonEnv('my env', req), 'environment', /got "my env"/],
    ['name of 64 characters', () => image('a'.repeat(64), { uri: 'alpine' }), 'environment', /1-63/],
    ['name not a string', () => pythonEnv(42 as never, req), 'environment', /got 42/],
    [
      'python as a full version',
      () => pythonEnv('x', { ...req, python: '3.12.1' }),
      'python',
      /python must be a version like "3.12", got "3.12.1"/,
    ],
    ['python 2', () => pythonEnv('x', { ...req, python: '2.7' }), 'python', /got "2.7"/],
    ['python as a number', () => pythonEnv('x', { ...req, python: 3.12 as never }), 'python', /got 3.12/],
    ['no options', () => pythonEnv('x', undefined as never), 'python', /got undefined/],
    [
      'absolute requirements',
      () => pythonEnv('x', { ...req, requirements: '/etc/requirements.txt' }),
      'requirements',
      /environment "x": requirements must be a path inside the DAGs folder, got "\/etc\/requirements.txt"/,
    ],
    [
      'requirements leaving the DAGs folder',
      () => pythonEnv('x', { ...req, requirements: 'envs/../../requirements.txt' }),
      'requirements',
      /inside the DAGs folder/,
    ],
    [
      'requirements leaving with a backslash',
      () => pythonEnv('x', { ...req, requirements: '..\\requirements.txt' }),
      'requirements',
      /inside the DAGs folder/,
    ],
    ['empty requirements', () => pythonEnv('x', { ...req, requirements: '' }), 'requirements', /got ""/],
    ['absolute directory', () => image('x', { directory: '/images/x' }), 'directory', /got "\/images\/x"/],
    ['directory leaving', () => image('x', { directory: '../images' }), 'directory', /got "..\/images"/],
    ['no image options', () => image('x', undefined as never), 'directory', /got undefined/],
    ['uri with a space', () => image('x', { uri: 'my image' }), 'uri', /uri must be an image reference/],
    ['uri with a scheme', () => image('x', { uri: 'https://ecr/x' }), 'uri', /got "https:\/\/ecr\/x"/],
    ['uri with a short digest', () => image('x', { uri: 'alpine@sha256:abc' }), 'uri', /image reference/],
    ['uri not a string', () => image('x', { uri: 7 as never }), 'uri', /got 7/],
  ])('%s', (_name, declare, field, message) => {
    const error = definitionError(declare);
    expect(error.details.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('a name error suggests a valid declaration', () => {
    expect(definitionError(() => image('', { uri: 'alpine' })).details.fix).toBe("image('pandas-2', …)");
  });
});

/** The operator, executor and DAG environments when `build` declares task `x`. */
function declared(build: () => unknown) {
  const spec = specOf(dag({ dagId: 'd' }, build));
  const { operator, executor } = taskOf(spec, 'x');
  return { operator, executor, environments: spec.environments };
}

describe('container() and python(): operator specs and environments', () => {
  it.each<
    [name: string, build: () => unknown, operator: OperatorSpec, environments: EnvironmentDeclaration[]]
  >([
    [
      'python() with defaults',
      () => python({ taskId: 'x', environment: pandas, script: 'python/report.py' }),
      {
        kind: 'container',
        environment: 'pandas-2',
        command: [],
        args: [],
        env: {},
        cpu: 0.25,
        script: 'python/report.py',
      },
      [pandas],
    ],
    [
      'python() with every option, executor forced to ecs',
      () =>
        python({
          taskId: 'x',
          environment: pandas,
          script: 'report.py',
          args: ['{{ ds }}'],
          env: { A: '1' },
          cpu: 1,
          local: ['python3', 'report.py'],
          executor: 'lambda',
        }),
      {
        kind: 'container',
        environment: 'pandas-2',
        command: [],
        args: ['{{ ds }}'],
        env: { A: '1' },
        cpu: 1,
        local: ['python3', 'report.py'],
        script: 'report.py',
      },
      [pandas],
    ],
    [
      'container() with an image() environment',
      () => container({ taskId: 'x', image: tool, command: ['run'] }),
      { kind: 'container', environment: 'my-tool', command: ['run'], args: [], env: {}, cpu: 0.25 },
      [tool],
    ],
    [
      'container() with a URI string becomes a uri environment named after it',
      () => container({ taskId: 'x', image: 'public.ecr.aws/docker/library/python:3.12-slim' }),
      {
        kind: 'container',
        environment: 'public.ecr.aws-docker-library-python-3.12-slim',
        command: [],
        args: [],
        env: {},
        cpu: 0.25,
      },
      [
        {
          kind: 'image',
          name: 'public.ecr.aws-docker-library-python-3.12-slim',
          uri: 'public.ecr.aws/docker/library/python:3.12-slim',
        },
      ],
    ],
  ])('%s', (_name, build, operator, environments) => {
    const result = declared(build);
    expect(result.operator).toEqual(operator);
    expect(result.executor).toBe('ecs');
    expect(result.environments).toEqual(environments.map((e) => ({ ...e, hash: '' })));
  });

  it('lists each environment once per DAG, in first-use order, with an empty hash', () => {
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        python({ taskId: 'a', environment: pandas, script: 'a.py' });
        container({ taskId: 'b', image: alpine });
        group('g', () => python({ taskId: 'c', environment: pandas, script: 'c.py' }));
        // Declared again with the same settings: the same environment.
        python({
          taskId: 'd',
          environment: pythonEnv('pandas-2', {
            python: '3.12',
            requirements: 'envs/pandas2/requirements.txt',
          }),
          script: 'd.py',
        });
        container({ taskId: 'e', image: 'public.ecr.aws/docker/library/alpine:3.20' });
      }),
    );
    expect(spec.environments?.map((e) => [e.name, e.hash])).toEqual([
      ['pandas-2', ''],
      ['alpine', ''],
      ['public.ecr.aws-docker-library-alpine-3.20', ''],
    ]);
    expect(taskOf(spec, 'g.c').operator).toMatchObject({ environment: 'pandas-2', script: 'c.py' });
  });

  // Names derived from URIs are cut at 63 characters: two tags of one long ECR repository must
  // still be two environments, not a "declared twice" error the author never wrote.
  it('two long registry URIs differing after 63 characters stay two environments', () => {
    const repo = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/analytics/feature-builder';
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        container({ taskId: 'a', image: `${repo}:v1` });
        container({ taskId: 'b', image: `${repo}:v2` });
      }),
    );
    const names = spec.environments?.map((e) => e.name) ?? [];
    expect(new Set(names).size).toBe(2);
    expect(names.every((n) => n.length <= 63)).toBe(true);
    expect(taskOf(spec, 'a').operator).not.toEqual(taskOf(spec, 'b').operator);
  });

  it('a DAG without container tasks has no environments field', () => {
    const spec = specOf(dag({ dagId: 'd' }, () => bash({ taskId: 'x', command: 'true' })));
    expect(spec).not.toHaveProperty('environments');
  });

  it('environments belong to the DAG that uses them', () => {
    const a = specOf(dag({ dagId: 'a' }, () => container({ taskId: 'x', image: tool })));
    const b = specOf(dag({ dagId: 'b' }, () => container({ taskId: 'x', image: alpine })));
    expect(a.environments?.map((e) => e.name)).toEqual(['my-tool']);
    expect(b.environments?.map((e) => e.name)).toEqual(['alpine']);
  });
});

describe('container() and python(): errors', () => {
  it.each<[name: string, build: () => unknown, expected: Record<string, unknown>, message: RegExp]>([
    [
      'python() with a non-.py script',
      () => python({ taskId: 'x', environment: pandas, script: 'report.sh' }),
      { taskId: 'x', field: 'script' },
      /script must be a \.py path inside the DAGs folder, got "report.sh"/,
    ],
    [
      'python() with an absolute script',
      () => python({ taskId: 'x', environment: pandas, script: '/opt/report.py' }),
      { taskId: 'x', field: 'script' },
      /got "\/opt\/report.py"/,
    ],
    [
      'python() with a script outside the DAGs folder',
      () => python({ taskId: 'x', environment: pandas, script: '../report.py' }),
      { taskId: 'x', field: 'script' },
      /got "..\/report.py"/,
    ],
    [
      'python() without an environment',
      () => python({ taskId: 'x', environment: undefined as never, script: 'r.py' }),
      { taskId: 'x', field: 'environment' },
      /needs an environment made with pythonEnv\(\) or image\(\)/,
    ],
    [
      'container() with an environment that is a plain name',
      () => container({ taskId: 'x', image: { name: 'tool' } as never }),
      { taskId: 'x', field: 'environment' },
      /needs an environment/,
    ],
    [
      'the same name declared twice with different settings',
      () => {
        python({ taskId: 'a', environment: pandas, script: 'a.py' });
        python({
          taskId: 'b',
          environment: pythonEnv('pandas-2', {
            python: '3.11',
            requirements: 'envs/pandas2/requirements.txt',
          }),
          script: 'b.py',
        });
      },
      { dagId: 'd', taskId: 'b', field: 'environment' },
      /environment name "pandas-2" is declared twice with different settings/,
    ],
    [
      'an image and a Python environment sharing a name',
      () => {
        container({ taskId: 'a', image: image('shared', { uri: 'alpine' }) });
        python({
          taskId: 'b',
          environment: pythonEnv('shared', { python: '3.12', requirements: 'envs/s/requirements.txt' }),
          script: 'b.py',
        });
      },
      { taskId: 'b', field: 'environment' },
      /"shared" is declared twice/,
    ],
  ])('%s', (_name, build, expected, message) => {
    const error = definitionError(() => dag({ dagId: 'd' }, build));
    expect(error.details).toMatchObject(expected);
    expect(error.message).toMatch(message);
  });
});

describe('onOutOfMemory', () => {
  /** The serialized memory fields of task `x` declared with `options` (and the DAG's `defaults`). */
  function memoryOf(options: object, defaults: object = {}) {
    const spec = specOf(
      dag({ dagId: 'd', defaultArgs: defaults }, () => container({ taskId: 'x', image: alpine, ...options })),
    );
    const { memoryMiB, onOutOfMemory } = taskOf(spec, 'x');
    return { memoryMiB, ...(onOutOfMemory && { onOutOfMemory }) };
  }

  it.each<[name: string, options: object, defaults: object, expected: object]>([
    ['absent: no policy', {}, {}, { memoryMiB: 1024 }],
    [
      'retryWithMoreMemory false: no policy',
      { onOutOfMemory: { retryWithMoreMemory: false, maxMemoryMiB: 8192 } },
      {},
      { memoryMiB: 1024 },
    ],
    [
      'on: only the max is kept',
      { memoryMiB: 256, onOutOfMemory: { retryWithMoreMemory: true, maxMemoryMiB: 1024 } },
      {},
      { memoryMiB: 256, onOutOfMemory: { maxMemoryMiB: 1024 } },
    ],
    [
      'from defaultArgs, checked against the task memory',
      { memoryMiB: 2048 },
      { onOutOfMemory: { retryWithMoreMemory: true, maxMemoryMiB: 4096 } },
      { memoryMiB: 2048, onOutOfMemory: { maxMemoryMiB: 4096 } },
    ],
    [
      'a max that is not a doubling of memory is allowed (the last step is capped)',
      { memoryMiB: 1024, onOutOfMemory: { retryWithMoreMemory: true, maxMemoryMiB: 1025 } },
      {},
      { memoryMiB: 1024, onOutOfMemory: { maxMemoryMiB: 1025 } },
    ],
  ])('%s', (_name, options, defaults, expected) => {
    expect(memoryOf(options, defaults)).toEqual(expected);
  });

  it.each<[name: string, options: object, shown: string]>([
    [
      'max equal to memory',
      { memoryMiB: 1024, onOutOfMemory: { retryWithMoreMemory: true, maxMemoryMiB: 1024 } },
      '1024',
    ],
    [
      'max below the default memory',
      { onOutOfMemory: { retryWithMoreMemory: true, maxMemoryMiB: 512 } },
      '512',
    ],
    [
      'max not a whole number',
      { memoryMiB: 512, onOutOfMemory: { retryWithMoreMemory: true, maxMemoryMiB: 2048.5 } },
      '2048.5',
    ],
    ['max missing', { onOutOfMemory: { retryWithMoreMemory: true } }, 'undefined'],
    [
      'max as a string',
      { memoryMiB: 512, onOutOfMemory: { retryWithMoreMemory: true, maxMemoryMiB: '4096' } },
      '"4096"',
    ],
  ])('rejects %s', (_name, options, shown) => {
    const error = definitionError(() =>
      specOf(dag({ dagId: 'd' }, () => container({ taskId: 'x', image: alpine, ...options }))),
    );
    expect(error.details).toMatchObject({ dagId: 'd', taskId: 'x', field: 'onOutOfMemory.maxMemoryMiB' });
    expect(error.message).toContain(`got ${shown}`);
    expect(error.details.fix).toMatch(/maxMemoryMiB: \d+/);
  });
});
