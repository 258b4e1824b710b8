import type { JsonValue } from '../core/model';
import { NonRetryableTaskError } from '../core/task-errors';
import type { OperatorInvocation, OperatorResult } from '../ports/task-runner';

/** TaskFlow function task: the return value is the XCom. */
export async function runFunction(inv: OperatorInvocation): Promise<OperatorResult> {
  const value = await callTask(inv);
  return { kind: 'done', value: value as JsonValue | undefined };
}

/** Branch: the returned task id(s) are followed; the planner skips the other direct downstream tasks. */
export async function runBranch(inv: OperatorInvocation): Promise<OperatorResult> {
  const value = await callTask(inv);
  const chosen = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (!chosen.every((id) => typeof id === 'string')) {
    throw new NonRetryableTaskError(
      `branch "${inv.task.taskId}" must return a task id, a list of task ids, or null; got ${JSON.stringify(value)}`,
    );
  }
  return { kind: 'done', value: chosen as string[], followTaskIds: chosen as string[] };
}

/** Short-circuit: a falsy result skips downstream (Airflow's ShortCircuitOperator). */
export async function runShortCircuit(inv: OperatorInvocation): Promise<OperatorResult> {
  const value = await callTask(inv);
  inv.context.log.info(
    value ? 'condition is truthy: downstream tasks proceed' : 'condition is falsy: skipping downstream tasks',
  );
  return { kind: 'done', value: value as JsonValue, shortCircuited: !value };
}

/** Calls the task's function with the context and its inputs. */
export async function callTask(inv: OperatorInvocation): Promise<unknown> {
  if (!inv.callable) {
    throw new NonRetryableTaskError(
      `task "${inv.task.taskId}" has no function in its bundle; rebuild and upload the DAG bundle`,
    );
  }
  return inv.callable(inv.context, ...inv.inputs);
}
