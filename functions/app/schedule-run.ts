import type { DagSpec } from '../core/model';
import { DEFAULT_POOL } from '../core/model';
import { allocate } from '../core/planner/allocate';
import type { PlanLimits } from '../core/planner/commands';
import { planRun } from '../core/planner/plan-run';
import { TaskState } from '../core/states';
import type { Metrics } from '../ports/metrics';
import type { RunStore } from '../ports/run-store';
import type { TaskQueue } from '../ports/task-queue';
import type { ApplyReport } from './apply-commands';
import { applyAndDispatch } from './dispatch';
import { type CallbackDeps, fireAppliedCallbacks } from './fire-callbacks';
import { workerMayQueue } from './pool-fast-path';

/**
 * The worker's mini-scheduler (Airflow's `schedule_downstream_tasks`): right after an attempt
 * ends, plan that run and queue what became ready, so the next task starts now instead of at
 * the next tick. Sibling workers finishing at once race on conditional writes: the join is
 * queued by exactly one of them, and the last to write always sees every upstream finished.
 * Tasks in pools other than `default_pool` (and in a shrunk `default_pool`) are left to the
 * tick, the one writer that admits tasks to pools; within this run `maxActiveTasks` is respected.
 */
export async function scheduleRun(
  deps: {
    store: RunStore;
    queue: TaskQueue;
    clock: { now(): string };
    limits: PlanLimits;
    metrics?: Metrics;
  } & Partial<CallbackDeps>,
  dag: DagSpec,
  dagId: string,
  runId: string,
): Promise<ApplyReport | undefined> {
  const run = await deps.store.getRun(dagId, runId);
  if (run?.state !== 'running') return undefined;
  const instances = await deps.store.listTaskInstances(dagId, runId);
  const needsPast = dag.tasks.some((t) => t.dependsOnPast);
  const previousRun = needsPast ? await deps.store.previousRun(dagId, run.logicalDate) : undefined;
  const previous = previousRun
    ? { run: previousRun, instances: await deps.store.listTaskInstances(dagId, previousRun.runId) }
    : null;
  const now = deps.clock.now();
  const plan = planRun({ dag, run, instances, previous, now, limits: deps.limits });
  const busy = instances.filter((i) => i.state === TaskState.Queued || i.state === TaskState.Running).length;
  const pooled = plan.ready.some((r) => r.pool === DEFAULT_POOL);
  const fast = pooled && (await workerMayQueue(deps.store, DEFAULT_POOL));
  const candidates = plan.ready
    .filter((r) => fast && r.pool === DEFAULT_POOL)
    .map((r) => ({ ...r, logicalDate: run.logicalDate }));
  const queued = allocate(candidates, { dagSlots: new Map([[dagId, dag.maxActiveTasks - busy]]) });
  const report = await applyAndDispatch(deps, [...plan.commands, ...queued.commands], now);
  await fireAppliedCallbacks(deps, report.applied, () => ({ dag, run }));
  return report;
}
