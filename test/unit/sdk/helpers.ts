import { expect } from 'vitest';
import type { DagSpec, TaskSpec } from '../../../functions/core/model';
import { type Dag, DagDefinitionError } from '../../../functions/sdk';

/** Where the SDK tests pretend their DAGs live. */
export const LOCATION = { fileloc: 'test.dag.ts', module: 'code/test.dag.mjs' };

/** Serializes a DAG at LOCATION. */
export function specOf(dag: Dag): DagSpec {
  return dag.toSpec(LOCATION);
}

/** One task of a serialized DAG, by id (fails the test when missing). */
export function taskOf(spec: DagSpec, taskId: string): TaskSpec {
  const found = spec.tasks.find((t) => t.taskId === taskId);
  if (!found) throw new Error(`no task "${taskId}" in ${spec.tasks.map((t) => t.taskId).join(', ')}`);
  return found;
}

/** `{ taskId: upstream[] }` for every task, in declaration order. */
export function edgesOf(spec: DagSpec): Record<string, string[]> {
  return Object.fromEntries(spec.tasks.map((t) => [t.taskId, t.upstream]));
}

/** Runs `fn` and returns the DagDefinitionError it throws (fails the test otherwise). */
export function definitionError(fn: () => unknown): DagDefinitionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DagDefinitionError);
    return error as DagDefinitionError;
  }
  throw new Error('expected a DagDefinitionError, nothing was thrown');
}
