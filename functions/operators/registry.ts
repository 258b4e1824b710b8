import { assertNever } from '../core/assert-never';
import { NonRetryableTaskError } from '../core/task-errors';
import type { OperatorInvocation, OperatorResult, OperatorRunner } from '../ports/task-runner';
import { runBash } from './bash-operator';
import { runBranch, runFunction, runShortCircuit } from './function-operators';
import { runSensor } from './sensor-operator';

/**
 * Operators this runtime executes in process. Container, Lambda-invoke, HTTP and
 * trigger-DAG-run tasks are declared in the SDK and serialized; they need the AWS runtime
 * pieces of later milestones, so here they fail with a reason that says so instead of pretending.
 */
export const runOperator: OperatorRunner = async (inv: OperatorInvocation): Promise<OperatorResult> => {
  const operator = inv.task.operator;
  switch (operator.kind) {
    case 'function':
      return runFunction(inv);
    case 'branch':
      return runBranch(inv);
    case 'short_circuit':
      return runShortCircuit(inv);
    case 'sensor':
      return runSensor(inv);
    case 'bash':
      return runBash(inv);
    case 'empty':
      return { kind: 'done', value: undefined };
    case 'container':
    case 'lambda_invoke':
    case 'http':
    case 'trigger_dag_run':
      throw new NonRetryableTaskError(
        `operator "${operator.kind}" is declared but cannot run in this runtime yet (it needs the AWS runtime or local-mode executors)`,
      );
    default:
      return assertNever(operator, 'operator');
  }
};
