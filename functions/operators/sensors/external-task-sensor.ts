import type { OperatorSpec } from '../../core/model';
import { SkipTaskError } from '../../core/task-errors';
import type { ExternalRunState, RunLookup } from '../../ports/run-lookup';
import type { OperatorInvocation, OperatorResult } from '../../ports/task-runner';
import { type PokeOutcome, runPokes } from '../sensor-operator';

type ExternalSpec = Extract<OperatorSpec, { kind: 'external_task_sensor' }>;

/** What the external run's state means: met, failed (a failed state), or not yet. */
export type ExternalDecision =
  | { kind: 'met' }
  | { kind: 'failed'; state: string }
  | { kind: 'wait'; why: string };

/**
 * Airflow's ExternalTaskSensor: met when every instance of the external task (each map index) or
 * the external run is in `allowedStates`; failed as soon as one is in `failedStates`; a missing
 * run or any other state is "not yet".
 */
export function decideExternal(
  spec: Pick<ExternalSpec, 'allowedStates' | 'failedStates'>,
  found: ExternalRunState,
): ExternalDecision {
  if (!found.found) return { kind: 'wait', why: 'no run at that logical date yet' };
  const failed = found.states.find((state) => spec.failedStates.includes(state));
  if (failed !== undefined) return { kind: 'failed', state: failed };
  const waiting = found.states.filter((state) => !spec.allowedStates.includes(state));
  if (waiting.length === 0) return { kind: 'met' };
  return { kind: 'wait', why: `run ${found.runId} is ${[...new Set(waiting)].join(', ')}` };
}

/** The external run's logical date: this run's minus `executionDeltaSeconds` (Airflow's `execution_delta`). */
export function externalLogicalDate(logicalDate: string, executionDeltaSeconds: number): string {
  return new Date(Date.parse(logicalDate) - executionDeltaSeconds * 1000).toISOString();
}

/** Waits for a task (or the whole run) of another DAG at the same logical date, shifted by the delta. */
export function runExternalTaskSensor(inv: OperatorInvocation, runs: RunLookup): Promise<OperatorResult> {
  const spec = inv.task.operator;
  if (spec.kind !== 'external_task_sensor')
    throw new Error('runExternalTaskSensor called for another operator');
  return runPokes(inv, spec.sensor, () => pokeExternal(inv, spec, runs));
}

async function pokeExternal(
  inv: OperatorInvocation,
  spec: ExternalSpec,
  runs: RunLookup,
): Promise<PokeOutcome> {
  const at = externalLogicalDate(inv.context.logicalDate, spec.executionDeltaSeconds);
  const what = `${spec.externalDagId}${spec.externalTaskId ? `.${spec.externalTaskId}` : ''} at ${at}`;
  const decision = decideExternal(spec, await runs.stateAt(spec.externalDagId, at, spec.externalTaskId));
  switch (decision.kind) {
    case 'met':
      return { met: true };
    case 'wait':
      return { met: false, why: `waiting for ${what}: ${decision.why}` };
    case 'failed': {
      const reason = `${what} is ${decision.state}, one of failedStates`;
      // Airflow: an AirflowException (retries apply: the external task may be cleared), a skip with soft_fail.
      if (spec.sensor.softFail) throw new SkipTaskError(reason);
      throw new Error(`${reason}; clear it (and then this task) to run it again`);
    }
  }
}
