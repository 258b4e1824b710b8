import type { DagSpec } from './model';
import type { DagRunRecord, TaskInstanceRecord } from './records';
import { TaskState } from './states';

/** Slots one pool's instances hold: queued ones (sent, not started) and running ones. */
export interface PoolUsage {
  queued: number;
  running: number;
}

/**
 * Slots each pool's queued and running instances hold, weighted by `poolSlots` (Airflow's
 * occupied slots). `specOf` gives the DAG a run is pinned to: its pool is the one the instance
 * was queued in. Instances whose task is missing from that DAG count nowhere.
 */
export function poolUsage(
  active: readonly { run: DagRunRecord; instances: readonly TaskInstanceRecord[] }[],
  specOf: (run: DagRunRecord) => DagSpec | undefined,
): Map<string, PoolUsage> {
  const usage = new Map<string, PoolUsage>();
  for (const { run, instances } of active) {
    const tasks = new Map(specOf(run)?.tasks.map((t) => [t.taskId, t]));
    for (const ti of instances) {
      if (ti.state !== TaskState.Queued && ti.state !== TaskState.Running) continue;
      const task = tasks.get(ti.taskId);
      if (!task) continue;
      const slots = usage.get(task.pool) ?? { queued: 0, running: 0 };
      if (ti.state === TaskState.Queued) slots.queued += task.poolSlots;
      else slots.running += task.poolSlots;
      usage.set(task.pool, slots);
    }
  }
  return usage;
}
