import type { InputSpec, JsonValue, TaskSpec } from '../core/model';
import type { TaskInstanceKey, TaskInstanceRecord } from '../core/records';
import { RETURN_VALUE_KEY } from '../core/task-context';
import { NonRetryableTaskError } from '../core/task-errors';
import type { RunStore } from '../ports/run-store';
import type { XComStore } from '../ports/xcom-store';

/**
 * Resolves a task's positional inputs for one instance: literals as written, upstream XComs
 * pulled (a mapped upstream yields the list of its results in map-index order), and for a
 * mapped instance the element at its map index prepended (the `expand` argument).
 */
export async function resolveInputs(
  deps: { store: RunStore; xcom: XComStore },
  task: TaskSpec,
  key: TaskInstanceKey,
): Promise<unknown[]> {
  // One read of the run's instances for all XCom inputs, and none when every input is a literal.
  let instances: Promise<TaskInstanceRecord[]> | undefined;
  const runInstances = () => {
    instances ??= deps.store.listTaskInstances(key.dagId, key.runId);
    return instances;
  };
  const resolve = (input: InputSpec) => resolveOne(deps, key, input, runInstances);
  const inputs = await Promise.all(task.inputs.map(resolve));
  if (!task.mapped) return inputs;
  const list = await resolve(task.mapped.over);
  if (!Array.isArray(list) || key.mapIndex < 0 || key.mapIndex >= list.length) {
    throw new NonRetryableTaskError(
      `mapped instance ${key.mapIndex} of "${task.taskId}" has no element in its expand input (length ${Array.isArray(list) ? list.length : 'n/a'})`,
    );
  }
  return [list[key.mapIndex], ...inputs];
}

async function resolveOne(
  deps: { store: RunStore; xcom: XComStore },
  key: TaskInstanceKey,
  input: InputSpec,
  runInstances: () => Promise<TaskInstanceRecord[]>,
): Promise<JsonValue> {
  if (input.kind === 'literal') return input.value;
  const instances = (await runInstances())
    .filter((ti) => ti.taskId === input.taskId)
    .sort((a, b) => a.mapIndex - b.mapIndex);
  const mapped = instances.filter((ti) => ti.mapIndex >= 0);
  if (mapped.length > 0) {
    const values = await Promise.all(
      mapped.filter((ti) => ti.state === 'success').map((ti) => deps.xcom.pull(ti, input.key)),
    );
    return values.map((v) => v ?? null);
  }
  const value = await deps.xcom.pull({ ...key, taskId: input.taskId, mapIndex: -1 }, input.key);
  if (value !== undefined) return value;
  // Airflow resolves a missing return value to None (a skipped or void upstream); other keys must exist.
  if (input.key === RETURN_VALUE_KEY) return null;
  throw new NonRetryableTaskError(`upstream "${input.taskId}" pushed no XCom "${input.key}"`);
}
