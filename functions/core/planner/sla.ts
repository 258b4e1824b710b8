import type { DagSpec } from '../model';
import type { DagRunRecord, TaskInstanceRecord } from '../records';
import { TaskState } from '../states';
import type { Command } from './commands';

/** States that meet an SLA: the task got done (Airflow counts success and skipped). */
const MET: ReadonlySet<TaskState> = new Set([TaskState.Success, TaskState.Skipped]);

/**
 * SLA misses of one run (Airflow 2's SLA): for a scheduled run, a task with `sla` that has not
 * succeeded `sla` seconds after the data interval ends is recorded once per instance. Manual and
 * backfill runs have no SLA, as in Airflow. An instance not created yet counts as `none`.
 */
export function slaMisses(
  dag: DagSpec,
  run: DagRunRecord,
  instances: readonly TaskInstanceRecord[],
  now: string,
): Command[] {
  if (run.runType !== 'scheduled') return [];
  const commands: Command[] = [];
  const nowMs = Date.parse(now);
  for (const task of dag.tasks) {
    if (task.slaSeconds === undefined) continue;
    const deadlineMs = Date.parse(run.dataIntervalEnd) + task.slaSeconds * 1000;
    if (nowMs < deadlineMs) continue;
    const deadline = new Date(deadlineMs).toISOString();
    const own = instances.filter((i) => i.taskId === task.taskId);
    const pending: { mapIndex: number; state: TaskState; tryNumber: number; missed: boolean }[] =
      own.length > 0
        ? own.map((i) => ({
            mapIndex: i.mapIndex,
            state: i.state,
            tryNumber: i.tryNumber,
            missed: i.slaMissedAt !== undefined,
          }))
        : [{ mapIndex: -1, state: TaskState.None, tryNumber: 0, missed: false }];
    for (const ti of pending) {
      if (ti.missed || MET.has(ti.state)) continue;
      commands.push({
        kind: 'record_sla_miss',
        key: { dagId: dag.dagId, runId: run.runId, taskId: task.taskId, mapIndex: ti.mapIndex },
        from: ti.state,
        tryNumber: ti.tryNumber,
        deadline,
        reason: `sla missed: not done ${task.slaSeconds}s after the data interval end (deadline ${deadline}); ${ti.state}`,
      });
    }
  }
  return commands;
}
