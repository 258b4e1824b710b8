import { NonRetryableTaskError } from '../core/task-errors';
import type { DagRunTrigger } from '../ports/dag-run-trigger';
import type { OperatorInvocation, OperatorResult } from '../ports/task-runner';
import { abortableSleep } from './abortable-sleep';

/** XCom keys Airflow's TriggerDagRunOperator pushes (2.x names). */
export const TRIGGER_XCOM = {
  runId: 'trigger_run_id',
  logicalDate: 'trigger_execution_date_iso',
} as const;

/**
 * Airflow's TriggerDagRunOperator: creates a run of `triggerDagId` (refused like the API:
 * unknown DAG, invalid conf, duplicate run id or logical date), pushes its run id, and with
 * `waitForCompletion` polls its state every `pokeIntervalSeconds` until it reaches an allowed
 * state (success) or a failed state (failure naming the run). The wait happens inside this
 * attempt and ends with the attempt's signal (execution timeout). `reset_dag_run` is not supported.
 */
export async function runTriggerDagRun(
  inv: OperatorInvocation,
  dagRuns: DagRunTrigger,
): Promise<OperatorResult> {
  const op = inv.task.operator;
  if (op.kind !== 'trigger_dag_run') throw new Error('runTriggerDagRun called for another operator');
  const { log, signal } = inv.context;
  const result = await dagRuns.trigger({
    dagId: op.triggerDagId,
    conf: op.conf,
    ...(op.triggerRunId !== undefined && { runId: op.triggerRunId }),
    ...(op.logicalDate !== undefined && { logicalDate: op.logicalDate }),
  });
  // A refusal repeats identically on retry (same DAG, conf and run id), so retrying is pointless.
  if (!result.ok)
    throw new NonRetryableTaskError(`cannot trigger DAG "${op.triggerDagId}": ${result.reason}`);
  const { runId } = result;
  log.info(`triggered DAG "${op.triggerDagId}" run "${runId}" (logical date ${result.logicalDate})`);
  const done: OperatorResult = {
    kind: 'done',
    value: runId,
    xcoms: { [TRIGGER_XCOM.runId]: runId, [TRIGGER_XCOM.logicalDate]: result.logicalDate },
  };
  if (!op.waitForCompletion) return done;
  for (;;) {
    log.info(
      `waiting for DAG "${op.triggerDagId}" run "${runId}" to reach ${op.allowedStates.join('/')}; next check in ${op.pokeIntervalSeconds}s`,
    );
    await abortableSleep(op.pokeIntervalSeconds * 1000, signal);
    const state = await dagRuns.runState(op.triggerDagId, runId);
    if (state === undefined)
      throw new Error(
        `triggered DAG "${op.triggerDagId}" run "${runId}" no longer exists (deleted while waiting)`,
      );
    if (op.failedStates.includes(state))
      throw new Error(`triggered DAG "${op.triggerDagId}" run "${runId}" ended ${state} (failedStates)`);
    if (op.allowedStates.includes(state)) {
      log.info(`DAG "${op.triggerDagId}" run "${runId}" is ${state}`);
      return done;
    }
  }
}
