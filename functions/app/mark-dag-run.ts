import type { DagSpec } from '../core/model';
import type { DagRunRecord } from '../core/records';
import { isFinished, TaskState } from '../core/states';
import { StaleTransitionError } from '../ports/errors';
import type { RunStore } from '../ports/run-store';

/**
 * Marks a run success or failed by hand (Airflow's `set_dag_run_state_to_success/failed`):
 * success marks every unfinished task instance success; failed fails the running ones and
 * skips the rest. Instances that change meanwhile are left as they are (conditional writes).
 */
export async function markDagRun(
  deps: { store: RunStore; clock: { now(): string } },
  dag: DagSpec,
  run: DagRunRecord,
  state: 'success' | 'failed',
): Promise<DagRunRecord> {
  const now = deps.clock.now();
  const instances = await deps.store.listTaskInstances(run.dagId, run.runId);
  const byTask = new Map(instances.map((i) => [`${i.taskId}#${i.mapIndex}`, i]));
  const keys = [
    ...instances.map((i) => ({ taskId: i.taskId, mapIndex: i.mapIndex })),
    ...dag.tasks
      .filter((t) => !instances.some((i) => i.taskId === t.taskId))
      .map((t) => ({ taskId: t.taskId, mapIndex: -1 })),
  ];
  for (const { taskId, mapIndex } of keys) {
    const current = byTask.get(`${taskId}#${mapIndex}`);
    const from = current?.state ?? TaskState.None;
    if (isFinished(from)) continue;
    const to =
      state === 'success'
        ? TaskState.Success
        : from === TaskState.Running
          ? TaskState.Failed
          : TaskState.Skipped;
    try {
      await deps.store.updateTaskInstance(
        { dagId: run.dagId, runId: run.runId, taskId, mapIndex },
        { state: from, tryNumber: current?.tryNumber ?? 0 },
        { state: to, endDate: now, reason: `run marked ${state} by hand` },
      );
    } catch (error) {
      if (!(error instanceof StaleTransitionError)) throw error;
    }
  }
  if (run.state === state) return run;
  return deps.store.updateRun(run.dagId, run.runId, run.state, {
    state,
    endDate: now,
    reason: `marked ${state} by hand`,
  });
}
