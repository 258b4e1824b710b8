import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagSpec, EnvironmentSpec, TaskSpec } from '../../../functions/core/model';
import { buildBundle } from '../../../scripts/bundle';
import { resolveEnvironments } from '../../../scripts/bundle/environments';
import { dagSpec, taskSpec } from '../../helpers/specs';

let root: string;
let count = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'updraft-envs-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A fresh DAGs folder holding `files` (relative path → content). */
async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(root, `dags-${++count}`);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

const PANDAS: EnvironmentSpec = {
  kind: 'python',
  name: 'pandas',
  python: '3.12',
  requirements: 'envs/pandas/requirements.txt',
  hash: '',
};
const TOOL: EnvironmentSpec = { kind: 'image', name: 'tool', directory: 'images/tool', hash: '' };
const ALPINE: EnvironmentSpec = { kind: 'image', name: 'alpine', uri: 'alpine:3.20', hash: '' };

/** A container task of environment `env`, with `script` for a python() task. */
function containerTask(taskId: string, env: string, script?: string): TaskSpec {
  return taskSpec(taskId, {
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
  });
}

/** DAG `d` declaring `environments`, with one task per environment. */
function specWith(environments: EnvironmentSpec[], tasks?: TaskSpec[]): DagSpec {
  return dagSpec('d', {
    environments,
    tasks: tasks ?? environments.map((e, i) => containerTask(`t${i}`, e.name)),
  });
}

const BASE = {
  'envs/pandas/requirements.txt': 'pandas==2.2.2\nnumpy==2.0.0\n',
  'envs/pandas/wheels/mylib-1.0-py3-none-any.whl': 'wheel-v1',
  'images/tool/Dockerfile': 'FROM alpine:3.20\nRUN echo hi\n',
  'images/tool/entry.sh': 'echo run\n',
};

/** The hash `resolveEnvironments` gives `env` in a folder of `files`. */
async function hashOf(files: Record<string, string>, env: EnvironmentSpec): Promise<string> {
  const resolved = await resolveEnvironments(await folder(files), specWith([env]));
  expect(resolved.problems).toEqual([]);
  const hash = resolved.spec.environments?.[0]?.hash ?? '';
  expect(hash).toMatch(/^[0-9a-f]{16}$/);
  return hash;
}

describe('resolveEnvironments: content hashes', () => {
  it.each<[name: string, env: EnvironmentSpec]>([
    ['python', PANDAS],
    ['image folder', TOOL],
    ['image uri', ALPINE],
  ])('%s: the same inputs in another folder give the same hash', async (_name, env) => {
    expect(await hashOf(BASE, env)).toBe(await hashOf(BASE, env));
  });

  /** `BASE` with `changes` applied; a null content removes the file. */
  const edit = (changes: Record<string, string | null>): Record<string, string> =>
    Object.fromEntries(
      Object.entries({ ...BASE, ...changes }).filter((e): e is [string, string] => e[1] !== null),
    );

  it.each<
    [name: string, env: EnvironmentSpec, changes: Record<string, string | null>, changed?: EnvironmentSpec]
  >([
    ['a wheel byte', PANDAS, { 'envs/pandas/wheels/mylib-1.0-py3-none-any.whl': 'wheel-v2' }],
    ['a new wheel', PANDAS, { 'envs/pandas/wheels/other-1.0-py3-none-any.whl': 'w' }],
    ['a removed wheel', PANDAS, { 'envs/pandas/wheels/mylib-1.0-py3-none-any.whl': null }],
    ['a requirements line', PANDAS, { 'envs/pandas/requirements.txt': 'pandas==2.2.3\nnumpy==2.0.0\n' }],
    ['a constraints file next to it', PANDAS, { 'envs/pandas/constraints.txt': 'numpy<3\n' }],
    ['the python version', PANDAS, {}, { ...PANDAS, python: '3.11' }],
    ['a Dockerfile byte', TOOL, { 'images/tool/Dockerfile': 'FROM alpine:3.20\nRUN echo ho\n' }],
    ['another file of the build context', TOOL, { 'images/tool/entry.sh': 'echo run!\n' }],
    [
      'a file renamed in the build context',
      TOOL,
      { 'images/tool/entry.sh': null, 'images/tool/start.sh': BASE['images/tool/entry.sh'] },
    ],
    ['the image uri', ALPINE, {}, { ...ALPINE, uri: 'alpine:3.21' }],
  ])('%s changes the hash', async (_name, env, changes, changed) => {
    expect(await hashOf(edit(changes), changed ?? env)).not.toBe(await hashOf(BASE, env));
  });

  it.each<
    [name: string, env: EnvironmentSpec, changes: Record<string, string | null>, changed?: EnvironmentSpec]
  >([
    ['the environment name', PANDAS, {}, { ...PANDAS, name: 'renamed' }],
    ['a file of another environment', PANDAS, { 'images/tool/Dockerfile': 'FROM scratch\n' }],
    ['a DAG file', TOOL, { 'etl.dag.ts': 'export {}\n' }],
    [
      // The bundle knows it as requirements.txt whatever it is called in the DAGs folder.
      'the requirements file name',
      PANDAS,
      { 'envs/pandas/requirements.txt': null, 'envs/pandas/reqs.in': BASE['envs/pandas/requirements.txt'] },
      { ...PANDAS, requirements: 'envs/pandas/reqs.in' },
    ],
  ])('%s does not change the hash', async (_name, env, changes, changed) => {
    expect(await hashOf(edit(changes), changed ?? env)).toBe(await hashOf(BASE, env));
  });
});

describe('resolveEnvironments: bundle files', () => {
  it('copies the requirements folder under envs/<hash>/ and scripts under scripts/', async () => {
    const dir = await folder({ ...BASE, 'python/report.py': 'print(1)\n' });
    const spec = specWith(
      [PANDAS, TOOL, ALPINE],
      [
        containerTask('report', 'pandas', 'python/report.py'),
        containerTask('tool', 'tool'),
        containerTask('alpine', 'alpine'),
      ],
    );
    const resolved = await resolveEnvironments(dir, spec);
    expect(resolved.problems).toEqual([]);
    const [pandas, tool, alpine] = resolved.spec.environments ?? [];
    expect(pandas).toEqual({ ...PANDAS, hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(tool).toEqual({ ...TOOL, hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(alpine).toEqual({ ...ALPINE, hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(new Set([pandas?.hash, tool?.hash, alpine?.hash]).size).toBe(3);
    // Images are built (or pulled) at deploy time: only Python environments and scripts travel.
    const text = Object.fromEntries([...resolved.files].map(([k, v]) => [k, Buffer.from(v).toString()]));
    expect(text).toEqual({
      [`envs/${pandas?.hash}/requirements.txt`]: BASE['envs/pandas/requirements.txt'],
      [`envs/${pandas?.hash}/wheels/mylib-1.0-py3-none-any.whl`]: 'wheel-v1',
      'scripts/python/report.py': 'print(1)\n',
    });
    expect(resolved.spec.tasks.map((t) => t.operator)).toEqual([
      expect.objectContaining({ kind: 'container', script: 'scripts/python/report.py' }),
      spec.tasks[1]?.operator,
      spec.tasks[2]?.operator,
    ]);
    // The input spec is left alone.
    expect(spec.environments?.[0]?.hash).toBe('');
  });

  it('bundles a requirements file of another name as requirements.txt', async () => {
    const dir = await folder({ 'envs/p/reqs.in': 'attrs==23.2.0\n' });
    const env: EnvironmentSpec = { ...PANDAS, requirements: 'envs/p/reqs.in' };
    const resolved = await resolveEnvironments(dir, specWith([env]));
    const hash = resolved.spec.environments?.[0]?.hash;
    expect([...resolved.files.keys()]).toEqual([`envs/${hash}/requirements.txt`]);
    expect(Buffer.from(resolved.files.get(`envs/${hash}/requirements.txt`)!).toString()).toBe(
      'attrs==23.2.0\n',
    );
  });

  // The declared file must be what pip installs, even when a stray requirements.txt sits next to it.
  it('a requirements.txt next to a differently named requirements file does not replace it', async () => {
    const dir = await folder({
      'envs/p/reqs.in': 'attrs==23.2.0\n',
      'envs/p/requirements.txt': 'stale==0.0.1\n',
    });
    const env: EnvironmentSpec = { ...PANDAS, requirements: 'envs/p/reqs.in' };
    const resolved = await resolveEnvironments(dir, specWith([env]));
    const hash = resolved.spec.environments?.[0]?.hash;
    expect(Buffer.from(resolved.files.get(`envs/${hash}/requirements.txt`)!).toString()).toBe(
      'attrs==23.2.0\n',
    );
  });
});

describe('resolveEnvironments: problems name the file, DAG, task, field and path', () => {
  it.each<[name: string, files: Record<string, string>, spec: DagSpec, expected: object, message: RegExp]>([
    [
      'requirements file at the DAGs folder root',
      { 'requirements.txt': 'x==1\n' },
      specWith([{ ...PANDAS, requirements: 'requirements.txt' }]),
      { field: 'environments.pandas', fix: expect.stringContaining('requirements') },
      /requirements file "requirements.txt" must be in a folder of its own/,
    ],
    [
      'missing requirements file',
      {},
      specWith([PANDAS]),
      { field: 'environments.pandas' },
      /requirements file "envs\/pandas\/requirements.txt" not found at .*envs\/pandas\/requirements.txt/,
    ],
    [
      'requirements path that is a folder',
      { 'envs/pandas/requirements.txt/x': '' },
      specWith([PANDAS]),
      { field: 'environments.pandas' },
      /not found at/,
    ],
    [
      'missing image folder',
      {},
      specWith([TOOL]),
      { field: 'environments.tool', fix: expect.stringContaining('Dockerfile') },
      /image folder "images\/tool" not found at .*images\/tool/,
    ],
    [
      'image folder without a Dockerfile',
      { 'images/tool/entry.sh': '' },
      specWith([TOOL]),
      { field: 'environments.tool' },
      /image folder "images\/tool" has no Dockerfile \(looked in .*images\/tool\)/,
    ],
    [
      'image directory that is a file',
      { 'images/tool': 'FROM x' },
      specWith([TOOL]),
      { field: 'environments.tool' },
      /image folder "images\/tool" not found/,
    ],
    [
      'missing script',
      BASE,
      specWith([PANDAS], [containerTask('report', 'pandas', 'python/report.py')]),
      { taskId: 'report', field: 'script', fix: expect.stringContaining('relative to the DAGs folder') },
      /script "python\/report.py" not found at .*python\/report.py/,
    ],
  ])('%s', async (_name, files, spec, expected, message) => {
    const resolved = await resolveEnvironments(await folder(files), spec);
    expect(resolved.problems).toHaveLength(1);
    expect(resolved.problems[0]).toMatchObject({
      file: 'd.dag.ts',
      dagId: 'd',
      message: expect.stringMatching(message),
      fix: expect.any(String),
      ...expected,
    });
    // Nothing is bundled for what failed: only files of the environments that resolved.
    const resolvedDirs = (resolved.spec.environments ?? [])
      .filter((e) => e.hash !== '')
      .map((e) => `envs/${e.hash}/`);
    for (const file of resolved.files.keys())
      expect(
        resolvedDirs.some((dir) => file.startsWith(dir)),
        file,
      ).toBe(true);
  });

  it('keeps resolving the other environments and tasks after a problem', async () => {
    const dir = await folder({ ...BASE, 'ok.py': '' });
    const resolved = await resolveEnvironments(
      dir,
      specWith(
        [{ ...PANDAS, name: 'gone', requirements: 'envs/gone/requirements.txt' }, PANDAS],
        [containerTask('a', 'gone', 'missing.py'), containerTask('b', 'pandas', 'ok.py')],
      ),
    );
    expect(resolved.problems.map((p) => p.field)).toEqual(['environments.gone', 'script']);
    expect(resolved.spec.environments?.map((e) => e.name)).toEqual(['pandas']);
    expect(resolved.spec.tasks.map((t) => t.operator.kind === 'container' && t.operator.script)).toEqual([
      'missing.py',
      'scripts/ok.py',
    ]);
    expect(resolved.files.has('scripts/ok.py')).toBe(true);
  });
});

const DAG = (dagId: string, env: string, script: string, extra = '') => `
import { container, dag, image, python, pythonEnv } from 'updraft';

const env = pythonEnv('${env}', { python: '3.12', requirements: 'envs/${env}/requirements.txt' });

export default dag({ dagId: '${dagId}' }, () => {
  const a = python({ taskId: 'a', environment: env, script: '${script}' });
  const b = container({ taskId: 'b', image: image('tool', { directory: 'images/tool' }) });
  const c = container({ taskId: 'c', image: 'alpine:3.20' });
  a.then(b).then(c);
  ${extra}
});
`;

describe('buildBundle with environments', () => {
  it('writes hashed environments into the manifest and their files into the bundle', async () => {
    const dir = await folder({
      ...BASE,
      'envs/good/requirements.txt': 'requests==2.32.3\n',
      'python/good.py': 'print("good")\n',
      'good.dag.ts': DAG('good', 'good', 'python/good.py'),
    });
    const built = await buildBundle({ dagsFolder: dir });
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    const [good] = built.manifest.dags;
    expect(good?.environments?.map((e) => [e.kind, e.name])).toEqual([
      ['python', 'good'],
      ['image', 'tool'],
      ['image', 'alpine-3.20'],
    ]);
    for (const env of good?.environments ?? []) expect(env.hash).toMatch(/^[0-9a-f]{16}$/);
    const pythonHash = good?.environments?.[0]?.hash;
    expect(good?.tasks.find((t) => t.taskId === 'a')?.operator).toMatchObject({
      environment: 'good',
      script: 'scripts/python/good.py',
    });
    expect([...built.files.keys()].filter((f) => !f.startsWith('code/')).sort()).toEqual(
      [`envs/${pythonHash}/requirements.txt`, 'scripts/python/good.py'].sort(),
    );
    expect(Buffer.from(built.files.get('scripts/python/good.py')!).toString()).toBe('print("good")\n');

    // Same folder, same bundle version; a requirements change is a new version.
    const again = await buildBundle({ dagsFolder: dir });
    expect(again.ok && again.manifest.version).toBe(built.manifest.version);
    await writeFile(path.join(dir, 'envs/good/requirements.txt'), 'requests==2.32.4\n');
    const changed = await buildBundle({ dagsFolder: dir });
    if (!changed.ok) throw new Error(JSON.stringify(changed.problems));
    expect(changed.manifest.dags[0]?.environments?.[0]?.hash).not.toBe(pythonHash);
    expect(changed.manifest.version).not.toBe(built.manifest.version);
  });

  it('with skipInvalid, bundles only the environment files of the DAGs it keeps', async () => {
    const dir = await folder({
      ...BASE,
      'envs/good/requirements.txt': 'requests==2.32.3\n',
      'envs/bad/requirements.txt': 'flask==3.0.0\n',
      'python/good.py': 'print("good")\n',
      'python/bad.py': 'print("bad")\n',
      'good.dag.ts': DAG('good', 'good', 'python/good.py'),
      // A cycle makes the file invalid after its environments resolved.
      'bad.dag.ts': DAG('bad', 'bad', 'python/bad.py', 'c.then(a);'),
    });
    const strict = await buildBundle({ dagsFolder: dir });
    expect(strict.ok).toBe(false);
    const built = await buildBundle({ dagsFolder: dir, skipInvalid: true });
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    expect(built.manifest.dags.map((d) => d.dagId)).toEqual(['good']);
    expect(built.problems.map((p) => [p.file, p.dagId])).toContainEqual(['bad.dag.ts', 'bad']);
    const bundled = [...built.files.keys()].filter((f) => !f.startsWith('code/'));
    const goodHash = built.manifest.dags[0]?.environments?.[0]?.hash;
    expect(bundled.sort()).toEqual([`envs/${goodHash}/requirements.txt`, 'scripts/python/good.py'].sort());
  });

  const DOCKERFILE = { 'images/tool/Dockerfile': 'FROM alpine\n' };
  it.each<[name: string, files: Record<string, string>, expected: object]>([
    [
      'missing requirements',
      { ...DOCKERFILE, 'python/good.py': '' },
      { file: 'good.dag.ts', dagId: 'good', field: 'environments.good' },
    ],
    [
      'missing script',
      { ...DOCKERFILE, 'envs/good/requirements.txt': 'x==1\n' },
      { file: 'good.dag.ts', dagId: 'good', taskId: 'a', field: 'script' },
    ],
    [
      'missing Dockerfile',
      { 'envs/good/requirements.txt': 'x==1\n', 'python/good.py': '', 'images/tool/entry.sh': '' },
      { file: 'good.dag.ts', dagId: 'good', field: 'environments.tool' },
    ],
  ])('fails on %s with a located problem', async (_name, files, expected) => {
    const dir = await folder({ ...files, 'good.dag.ts': DAG('good', 'good', 'python/good.py') });
    const built = await buildBundle({ dagsFolder: dir });
    expect(built.ok).toBe(false);
    expect(built.problems).toContainEqual(expect.objectContaining(expected));
  });
});
