import type { DagSpec } from '../model';
import type { Problem } from './problem';

/** Lambda's memory ceiling: an escalation past it cannot find a worker. */
const LAMBDA_MAX_MEMORY_MIB = 10_240;

/**
 * Container and Python tasks name a declared environment of the right kind, environment names
 * are unique, and out-of-memory escalation stays within what the task's executor can give.
 */
export function checkEnvironments(spec: DagSpec): Omit<Problem, 'file' | 'dagId'>[] {
  const problems: Omit<Problem, 'file' | 'dagId'>[] = [];
  const byName = new Map((spec.environments ?? []).map((e) => [e.name, e]));
  if (byName.size !== (spec.environments ?? []).length)
    problems.push({
      field: 'environments',
      message: 'two environments share a name',
      fix: 'give each environment its own name',
    });
  for (const task of spec.tasks) {
    const policy = task.onOutOfMemory;
    if (policy && policy.maxMemoryMiB <= task.memoryMiB)
      problems.push({
        taskId: task.taskId,
        field: 'onOutOfMemory.maxMemoryMiB',
        message: `${policy.maxMemoryMiB} must be above the task's memoryMiB ${task.memoryMiB}`,
      });
    if (policy && task.executor === 'lambda' && policy.maxMemoryMiB > LAMBDA_MAX_MEMORY_MIB)
      problems.push({
        taskId: task.taskId,
        field: 'onOutOfMemory.maxMemoryMiB',
        message: `${policy.maxMemoryMiB} MiB exceeds Lambda's ${LAMBDA_MAX_MEMORY_MIB} MiB limit`,
        fix: "lower it, or set executor: 'ecs'",
      });
    const operator = task.operator;
    if (operator.kind !== 'container') continue;
    const env = byName.get(operator.environment);
    if (!env)
      problems.push({
        taskId: task.taskId,
        field: 'environment',
        message: `environment "${operator.environment}" is not declared in the DAG`,
        fix: 'pass an environment made with pythonEnv() or image()',
      });
    else if (operator.script !== undefined && env.kind !== 'python')
      problems.push({
        taskId: task.taskId,
        field: 'environment',
        message: `a Python script needs a pythonEnv(), but "${env.name}" is an image`,
        fix: 'use container() for images, python() with a pythonEnv()',
      });
  }
  return problems;
}
