import type { DagSpec, JsonValue } from '../core/model';
import { allocate } from '../core/planner/allocate';
import { DEFAULT_PLAN_LIMITS } from '../core/planner/commands';
import { planRun } from '../core/planner/plan-run';
import type { DagRunRecord, TaskInstanceRecord } from '../core/records';
import { runIdFor } from '../core/run-id';
import { DagRunState, isRunFinished, TaskState } from '../core/states';
import { timetableFor } from '../core/timetables';
import { resolveParams } from '../core/validation/params';
import type { Clock } from '../ports/clock';
import { applyCommands } from './apply-commands';
import { type AttemptDeps, executeAttempt } from './execute-attempt';

/** A clock `dags test` can move forward, so retry delays pass without real waiting. */
export interface AdjustableClock extends Clock {
  advanceTo(iso: string): void;
}

/** Options of one test run (Airflow's `airflow dags test <dag_id> [logical_date]`). */
export interface DagTestOptions {
  dag: DagSpec;
  bundleVersion: string;
  /** Logical date; defaults to the clock's now. */
  logicalDate?: string;
  conf?: Record<string, JsonValue>;
}

/** The finished run and its task instances. */
export type DagTestResult =
  | { ok: true; run: DagRunRecord; instances: TaskInstanceRecord[] }
  | { ok: false; problem: string };

const MAX_ROUNDS = 10_000;

/**
 * Runs one DAG run to completion in process with the real planner and real task code: plan,
 * apply, execute every dispatched attempt, repeat. Pools and concurrency limits are ignored,
 * as in Airflow's `dags test`; waits for retries advance the clock instead of sleeping.
 */
export async function runDagTest(
  deps: AttemptDeps & { clock: AdjustableClock },
  options: DagTestOptions,
): Promise<DagTestResult> {
  const { dag } = options;
  const conf = options.conf ?? {};
  const params = resolveParams(dag.params, conf);
  if (!params.ok)
    return { ok: false, problem: `invalid conf for DAG "${dag.dagId}": ${params.problems.join('; ')}` };
  const logicalDate = options.logicalDate ?? deps.clock.now();
  const interval = timetableFor(dag.schedule, dag.timezone).inferManualDataInterval(logicalDate);
  const now = deps.clock.now();
  const run: DagRunRecord = {
    dagId: dag.dagId,
    runId: runIdFor('manual', logicalDate),
    runType: 'manual',
    state: DagRunState.Running,
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    runAfter: now,
    conf,
    bundleVersion: options.bundleVersion,
    externalTrigger: true,
    queuedAt: now,
    startDate: now,
  };
  await deps.store.createRun(run);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const current = (await deps.store.getRun(dag.dagId, run.runId))!;
    const instances = await deps.store.listTaskInstances(dag.dagId, run.runId);
    if (isRunFinished(current.state)) return { ok: true, run: current, instances };
    const at = deps.clock.now();
    const plan = planRun({
      dag,
      run: current,
      instances,
      previous: null,
      now: at,
      limits: DEFAULT_PLAN_LIMITS,
    });
    const queued = allocate(
      plan.ready.map((r) => ({ ...r, logicalDate })),
      { dagSlots: new Map() },
    );
    const report = await applyCommands(deps.store, [...plan.commands, ...queued.commands], at);
    for (const dispatch of report.dispatch) {
      await executeAttempt(deps, { dag, run: current, key: dispatch.key, tryNumber: dispatch.tryNumber });
    }
    if (report.applied.length === 0) advanceToNextWake(deps.clock, instances);
  }
  return { ok: false, problem: `DAG "${dag.dagId}" did not finish within ${MAX_ROUNDS} planning rounds` };
}

/** Nothing happened this round: jump to the earliest retry or reschedule time, or fail loudly. */
function advanceToNextWake(clock: AdjustableClock, instances: readonly TaskInstanceRecord[]): void {
  const wakes = instances
    .filter((ti) => ti.state === TaskState.UpForRetry || ti.state === TaskState.UpForReschedule)
    .map((ti) => ti.nextRetryAt)
    .filter((t): t is string => t !== undefined)
    .sort();
  if (wakes.length === 0)
    throw new Error('dags test made no progress and nothing is waiting; this is a planner bug');
  clock.advanceTo(wakes[0]!);
}
