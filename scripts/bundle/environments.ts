import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DagSpec, EnvironmentSpec, TaskSpec } from '../../functions/core/model';
import type { Problem } from '../../functions/core/validation/problem';
import { compareStrings, toPosix } from './paths';

/** Hex characters kept of an environment's sha256: its id in venv folders and task definitions. */
const HASH_LENGTH = 16;

/** Bundle folder of Python scripts: `python/report.py` → `scripts/python/report.py`. */
export const SCRIPTS_DIR = 'scripts';

/** The requirements file's name inside an environment's bundle folder (`envs/<hash>/`). */
export const REQUIREMENTS_FILE = 'requirements.txt';

/** What resolving a DAG's environments produced: the DAG with hashes, files to bundle, problems. */
export interface ResolvedEnvironments {
  spec: DagSpec;
  files: Map<string, Uint8Array>;
  problems: Problem[];
}

/**
 * Reads what defines each environment a DAG declares (requirements file, Dockerfile folder, image
 * URI) into its content hash, and copies into the bundle what runs need from it: requirements
 * (`envs/<hash>/requirements.txt`) and the Python scripts of `python()` tasks (`scripts/…`).
 * Same inputs, same hash: an unchanged environment keeps its venv and its image.
 */
export async function resolveEnvironments(dagsFolder: string, spec: DagSpec): Promise<ResolvedEnvironments> {
  const files = new Map<string, Uint8Array>();
  const problems: Problem[] = [];
  const where = { file: spec.fileloc, dagId: spec.dagId };
  const environments: EnvironmentSpec[] = [];
  for (const env of spec.environments ?? []) {
    try {
      const { hash, copy } = await hashEnvironment(dagsFolder, env);
      environments.push({ ...env, hash });
      for (const [rel, bytes] of copy ?? []) files.set(`envs/${hash}/${rel}`, bytes);
    } catch (error) {
      problems.push({
        ...where,
        field: `environments.${env.name}`,
        message: (error as Error).message,
        fix: fixFor(env),
      });
    }
  }
  const tasks: TaskSpec[] = [];
  for (const task of spec.tasks) {
    const operator = task.operator;
    if (operator.kind !== 'container' || operator.script === undefined) {
      tasks.push(task);
      continue;
    }
    const source = path.join(dagsFolder, operator.script);
    try {
      const bundled = `${SCRIPTS_DIR}/${toPosix(operator.script)}`;
      files.set(bundled, await readFile(source));
      tasks.push({ ...task, operator: { ...operator, script: bundled } });
    } catch {
      problems.push({
        ...where,
        taskId: task.taskId,
        field: 'script',
        message: `script ${JSON.stringify(operator.script)} not found at ${source}`,
        fix: 'give the path relative to the DAGs folder',
      });
      tasks.push(task);
    }
  }
  return { spec: { ...spec, tasks, ...(spec.environments && { environments }) }, files, problems };
}

/**
 * A Python environment is its interpreter version plus the requirements file's folder: pip reads
 * `--find-links wheels` relative to the file, so local wheels and constraints files travel with
 * it (into the bundle, the venv build and the image build alike).
 */
async function hashEnvironment(
  dagsFolder: string,
  env: EnvironmentSpec,
): Promise<{ hash: string; copy?: Map<string, Uint8Array> }> {
  const hash = createHash('sha256');
  if (env.kind === 'python') {
    const file = path.join(dagsFolder, env.requirements);
    await readFile(file).catch(() => {
      throw new Error(`requirements file ${JSON.stringify(env.requirements)} not found at ${file}`);
    });
    const folder = path.dirname(file);
    // Its whole folder travels with it: at the DAGs folder's root that would be every DAG.
    if (path.resolve(folder) === path.resolve(dagsFolder))
      throw new Error(`requirements file ${JSON.stringify(env.requirements)} must be in a folder of its own`);
    const copy = new Map<string, Uint8Array>();
    hash.update(`python\0${env.python}\0`);
    for (const rel of await listFiles(folder)) {
      const bytes = await readFile(path.join(folder, rel));
      // The requirements file is known by one name in the bundle, whatever it is called here.
      const name = path.join(folder, rel) === file ? REQUIREMENTS_FILE : rel;
      // A stray requirements.txt beside a differently named declared file must not replace it.
      if (path.join(folder, rel) !== file && rel === REQUIREMENTS_FILE) continue;
      copy.set(name, bytes);
    }
    for (const [name, bytes] of [...copy].sort(([a], [b]) => compareStrings(a, b)))
      hash.update(`${name}\0${bytes.byteLength}\0`).update(bytes);
    return { hash: digest(hash), copy };
  }
  if ('uri' in env) return { hash: digest(hash.update(`image-uri\0${env.uri}`)) };
  const folder = path.join(dagsFolder, env.directory);
  const entries = await listFiles(folder).catch(() => {
    throw new Error(`image folder ${JSON.stringify(env.directory)} not found at ${folder}`);
  });
  if (!entries.includes('Dockerfile'))
    throw new Error(`image folder ${JSON.stringify(env.directory)} has no Dockerfile (looked in ${folder})`);
  hash.update('image-dir\0');
  for (const rel of entries) {
    const bytes = await readFile(path.join(folder, rel));
    hash.update(`${rel}\0${bytes.byteLength}\0`).update(bytes);
  }
  return { hash: digest(hash) };
}

/** Every file under `folder` (relative, `/`-separated, sorted): the Docker build context. */
async function listFiles(folder: string): Promise<string[]> {
  if (!(await stat(folder)).isDirectory()) throw new Error('not a folder');
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => toPosix(path.relative(folder, path.join(e.parentPath, e.name))))
    .sort(compareStrings);
}

function digest(hash: ReturnType<typeof createHash>): string {
  return hash.digest('hex').slice(0, HASH_LENGTH);
}

function fixFor(env: EnvironmentSpec): string {
  if (env.kind === 'python')
    return 'give `requirements` relative to the DAGs folder (e.g. "envs/pandas2/requirements.txt")';
  return 'give `directory` relative to the DAGs folder, holding a Dockerfile';
}
