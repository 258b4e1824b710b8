import { assertNever } from '../core/assert-never';
import { NonRetryableTaskError } from '../core/task-errors';
import type { DagRunTrigger } from '../ports/dag-run-trigger';
import type { FunctionInvoker } from '../ports/function-invoker';
import type { ObjectStorage } from '../ports/object-storage';
import type { QueryEngine } from '../ports/query-engine';
import type { RunLookup } from '../ports/run-lookup';
import type { OperatorInvocation, OperatorResult, OperatorRunner } from '../ports/task-runner';
import { runBash } from './bash-operator';
import { type ContainerExecution, runContainer } from './container-operator';
import { runBranch, runFunction, runShortCircuit } from './function-operators';
import { DEFAULT_XCOM_LIMIT_BYTES, runHttp } from './http-operator';
import { runLambdaInvoke } from './lambda-invoke-operator';
import { runS3 } from './s3-operators';
import { runSensor } from './sensor-operator';
import { runAthenaQuery } from './sensors/athena-query';
import { runExternalTaskSensor } from './sensors/external-task-sensor';
import { runHttpSensor } from './sensors/http-sensor';
import { runS3KeySensor } from './sensors/s3-key-sensor';
import { runTriggerDagRun } from './trigger-dag-run-operator';

/** What operators that reach outside the attempt use; a runtime leaves out what it cannot offer. */
export interface OperatorServices {
  /** Buckets for the S3 operators. */
  objectStorage?: ObjectStorage;
  /** Runs of other DAGs for trigger_dag_run. */
  dagRuns?: DagRunTrigger;
  /** Other DAGs' runs by logical date, for external_task_sensor. */
  runLookup?: RunLookup;
  /** AWS Lambda, for lambda_invoke (none in local mode and `dags test`). */
  functions?: FunctionInvoker;
  /** Amazon Athena, for athena_query (none in local mode and `dags test`). */
  queryEngine?: QueryEngine;
  /** Largest response the http operator keeps as XCom, in bytes. Default 16 MiB (the XCom stores' limit). */
  xcomLimitBytes?: number;
  /** Container and Python tasks: local processes, or ECS Fargate tasks. */
  containers?: ContainerExecution;
  /** Why services are missing here, appended to the failure (e.g. "`updraft dags test` runs one DAG run"). */
  missingHint?: string;
}

/** The operator runner of one runtime; an operator whose service is missing fails naming that service. */
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
      case 's3_key_sensor':
        if (!services.objectStorage) throw missing(inv, 'object storage (S3)');
        return runS3KeySensor(inv, services.objectStorage);
      case 'http_sensor':
        return runHttpSensor(inv);
      case 'external_task_sensor':
        if (!services.runLookup) throw missing(inv, "other DAGs' runs");
        return runExternalTaskSensor(inv, services.runLookup);
      case 'athena_query':
        // Not `missing()`: its hint may suggest local mode, which has no Athena either.
        if (!services.queryEngine)
          throw new NonRetryableTaskError(
            `task "${inv.task.taskId}" (athena_query) needs Amazon Athena, which local mode and \`dags test\` do not have; ` +
              'run it in an AWS deployment (stack prop `athena`), or try the SQL in the Athena console',
          );
        return runAthenaQuery(inv, services.queryEngine);
      case 'lambda_invoke':
        if (!services.functions) throw missing(inv, 'AWS Lambda (to invoke functions)');
        return runLambdaInvoke(inv, services.functions);
      case 'container':
        if (!services.containers)
          throw missing(inv, 'a container executor (ECS Fargate: deploy with `containerTasks` on)');
        return runContainer(inv, services.containers);
      default:
        return assertNever(operator, 'operator');
    }
  };
}
