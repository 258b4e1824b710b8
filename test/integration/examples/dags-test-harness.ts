import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCli } from '../cli/run-cli';

// The book's pipelines in dags/, each run end to end by the real CLI (`updraft dags test`: the real
// bundler, planner and task code), then checked by their task states, logs and the files they wrote.

/** What `updraft dags test --json` prints. */
export interface TestJson {
  dag_id: string;
  dag_run_id: string;
  state: string;
  task_instances: { task_id: string; map_index: number; state: string; try_number: number }[];
}

/** One successful example run. */
export interface Example {
  json: TestJson;
  /** Task log lines (`[task #try] message`): with `--json` they go to stderr. */
  logs: string;
  /** The run's working directory. */
  dir: string;
}

/** Gives the calling test file its own examples folder for all its tests; returns a getter for it. */
export function useExamplesDir(): () => string {
  let examplesDir = '';
  const previousEnv = process.env.UPDRAFT_EXAMPLES_DIR;
  beforeAll(async () => {
    examplesDir = await mkdtemp(path.join(tmpdir(), 'updraft-book-examples-'));
    // runCli passes process.env on to the CLI: the DAGs write under this folder, not the shared tmp one.
    process.env.UPDRAFT_EXAMPLES_DIR = examplesDir;
  });
  afterAll(async () => {
    if (previousEnv === undefined) delete process.env.UPDRAFT_EXAMPLES_DIR;
    else process.env.UPDRAFT_EXAMPLES_DIR = previousEnv;
    await rm(examplesDir, { recursive: true, force: true });
  });
  return () => examplesDir;
}

/** `updraft dags test <dagId> … --json`, expected to succeed; the run's folder is `<examples>/<dagId>/<runId>`. */
export async function dagsTest(dagId: string, ...extra: string[]): Promise<Example> {
  const run = await runCli(['dags', 'test', dagId, ...extra, '--json']);
  expect(run.code, run.stderr).toBe(0);
  const json = JSON.parse(run.stdout) as TestJson;
  expect(json.dag_id).toBe(dagId);
  expect(json.state).toBe('success');
  return {
    json,
    logs: run.stderr,
    dir: path.join(process.env.UPDRAFT_EXAMPLES_DIR!, dagId, json.dag_run_id),
  };
}

/** Task id → state of a run. */
export const statesOf = (json: TestJson) =>
  Object.fromEntries(json.task_instances.map((t) => [t.task_id, t.state]));
/** A JSON file's content. */
export const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;
/** Whether `file` can be read. */
export const exists = (file: string) =>
  readFile(file).then(
    () => true,
    () => false,
  );
