import { assertNever } from '../core/assert-never';
import { NonRetryableTaskError } from '../core/task-errors';
import type { DagRunTrigger } from '../ports/dag-run-trigger';
import type { ObjectStorage } from '../ports/object-storage';
import type { OperatorInvocation, OperatorResult, OperatorRunner } from '../ports/task-runner';
import { runBash } from './bash-operator';
import { runBranch, runFunction, runShortCircuit } from './function-operators';
import { DEFAULT_XCOM_LIMIT_BYTES, runHttp } from './http-operator';
import { runS3 } from './s3-operators';
import { runSensor } from './sensor-operator';
import { runTriggerDagRun } from './trigger-dag-run-operator';

/** What operators that reach outside the attempt use; a runtime leaves out what it cannot offer. */
export interface OperatorServices {
  /** Buckets for the S3 operators. */
  objectStorage?: ObjectStorage;
  /** Runs of other DAGs for trigger_dag_run. */
  dagRuns?: DagRunTrigger;
  /** Largest response the http operator keeps as XCom, in bytes. Default 16 MiB (the XCom stores' limit). */
  xcomLimitBytes?: number;
  /** Why services are missing here, appended to the failure (e.g. "`updraft dags test` runs one DAG run"). */
  missingHint?: string;
}

/**
 * The operator runner of one runtime. Container and Lambda-invoke tasks are declared in the
 * SDK and serialized but need executors of later milestones, so they fail with a reason that
 * says so instead of pretending; an operator whose service is missing fails naming that service.
 */
export function createOperatorRunner(services: OperatorServices = {}): OperatorRunner {
  const missing = (inv: OperatorInvocation, what: string) =>
    new NonRetryableTaskError(
      `task "${inv.task.taskId}" (${inv.task.operator.kind}) needs ${what}, which is not configured in this runtime` +
        (services.missingHint ? `: ${services.missingHint}` : ''),
    );
  return async (inv: OperatorInvocation): Promise<OperatorResult> => {
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
      case 'http':
        return runHttp(inv, services.xcomLimitBytes ?? DEFAULT_XCOM_LIMIT_BYTES);
      case 'trigger_dag_run':
        if (!services.dagRuns) throw missing(inv, 'a DAG-run trigger');
        return runTriggerDagRun(inv, services.dagRuns);
      case 's3_copy':
      case 's3_delete':
      case 's3_list':
      case 's3_put':
        if (!services.objectStorage) throw missing(inv, 'object storage (S3)');
        return runS3(inv, services.objectStorage);
      case 'container':
      case 'lambda_invoke':
        throw new NonRetryableTaskError(
          `operator "${operator.kind}" is declared but cannot run in this runtime yet (it needs the AWS runtime or local-mode executors)`,
        );
      default:
        return assertNever(operator, 'operator');
    }
  };
}
