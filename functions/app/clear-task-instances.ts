import { allDownstream, allUpstream, buildGraph, topologicalOrder } from '../core/graph';
import type { DagSpec } from '../core/model';
import type { DagRunRecord, TaskInstanceKey, TaskInstanceRecord } from '../core/records';
import { POKE_STATE_RESET } from '../core/sensor';
import { DagRunState, isRunFinished, TaskState } from '../core/states';
import { BundleNotFoundError, type BundleStore } from '../ports/bundle-store';
import type { Clock } from '../ports/clock';
import { StaleTransitionError } from '../ports/errors';
import type { RunStore } from '../ports/run-store';

/** A task to clear: every map index of `taskId`, or only `mapIndex` (Airflow's `[task_id, map_index]`). */
export interface TaskSelector {
  taskId: string;
  mapIndex?: number;
}

/** What to clear in each run (Airflow's `ClearTaskInstances` form, run selection aside). */
export interface ClearOptions {
  /** Undefined: every task of the DAG. */
  taskIds?: readonly TaskSelector[];
  /** Only `failed` and `upstream_failed` instances. */
  onlyFailed: boolean;
  /** Only `running` instances. */
  onlyRunning: boolean;
  /** Also every task upstream (transitively) of the selected ones. */
  includeUpstream: boolean;
  /** Also every task downstream (transitively) of the selected ones. */
  includeDownstream: boolean;
  /** Queue finished runs again so the scheduler re-runs the cleared instances. */
  resetDagRuns: boolean;
}

/** One run with what the decisions need: its pinned DAG and its stored task instances. */
export interface RunSnapshot {
  run: DagRunRecord;
  dag: DagSpec;
  instances: readonly TaskInstanceRecord[];
}

/** An instance to reset to `none`, with the state and try number the write expects. */
export interface InstanceClear {
  key: TaskInstanceKey;
  run: DagRunRecord;
  from: TaskState;
  tryNumber: number;
  /** A sensor's poke count read, when it has one: the clear expects it and resets the poke state. */
  pokeCount?: number;
}

/** The decisions of a clear; only `applyClear` writes them. */
export interface ClearPlan {
  instances: InstanceClear[];
  /** Finished runs to queue again, with the state they are expected in. */
  runs: { run: DagRunRecord; from: DagRunState }[];
}

/**
 * Decides which instances a clear resets, in each run's topological order then map index.
 * Instances without a record (or already `none`) have nothing to reset and are left out.
 */
export function planClear(snapshots: readonly RunSnapshot[], options: ClearOptions): ClearPlan {
  const plan: ClearPlan = { instances: [], runs: [] };
  for (const { run, dag, instances } of snapshots) {
    const selected = selectTasks(dag, options);
    const order = topologicalOrder(buildGraph(dag.tasks));
    const rank = new Map(order.map((id, i) => [id, i]));
    const chosen = instances
      .filter((ti) => {
        const only = selected.get(ti.taskId);
        if (only === undefined) return false;
        if (only !== 'all' && !only.has(ti.mapIndex)) return false;
        return ti.state !== TaskState.None && matchesStateFilter(ti.state, options);
      })
      .sort((a, b) => rank.get(a.taskId)! - rank.get(b.taskId)! || a.mapIndex - b.mapIndex);
    for (const ti of chosen) {
      const key = { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex };
      plan.instances.push({
        key,
        run,
        from: ti.state,
        tryNumber: ti.tryNumber,
        ...(ti.pokeCount !== undefined && { pokeCount: ti.pokeCount }),
      });
    }
    if (options.resetDagRuns && chosen.length > 0 && isRunFinished(run.state)) {
      plan.runs.push({ run, from: run.state });
    }
  }
  return plan;
}

/** Task id → the map indexes to clear ('all' for every one). Unknown task ids select nothing. */
function selectTasks(dag: DagSpec, options: ClearOptions): Map<string, 'all' | Set<number>> {
  const known = new Set(dag.tasks.map((t) => t.taskId));
  if (!options.taskIds) return new Map([...known].map((id) => [id, 'all' as const]));
  const graph = buildGraph(dag.tasks);
  const selected = new Map<string, 'all' | Set<number>>();
  const relatives = new Set<string>();
  for (const { taskId, mapIndex } of options.taskIds) {
    if (!known.has(taskId)) continue;
    const current = selected.get(taskId);
    if (mapIndex === undefined) selected.set(taskId, 'all');
    else if (current !== 'all') selected.set(taskId, (current ?? new Set<number>()).add(mapIndex));
    if (options.includeUpstream) for (const id of allUpstream(graph, taskId)) relatives.add(id);
    if (options.includeDownstream) for (const id of allDownstream(graph, taskId)) relatives.add(id);
  }
  // Relatives are cleared at every map index, as Airflow's partial_subset does.
  for (const id of relatives) selected.set(id, 'all');
  return selected;
}

function matchesStateFilter(state: TaskState, options: ClearOptions): boolean {
  if (options.onlyFailed && state !== TaskState.Failed && state !== TaskState.UpstreamFailed) return false;
  if (options.onlyRunning && state !== TaskState.Running) return false;
  return true;
}

/** What a clear did (or, in a dry run, would do). */
export interface ClearResult {
  /** Instances reset to `none` (a dry run: the ones that would be). */
  cleared: InstanceClear[];
  /** Runs queued again. */
  resetRuns: DagRunRecord[];
  /** Instances or runs that changed between the read and the write, left as they were. */
  stale: string[];
  /** Runs that could not be considered, with why (their bundle version is gone). */
  skippedRuns: { runId: string; reason: string }[];
}

/**
 * Writes a plan: each instance `<state> → none` conditional on the state and try number read,
 * then each finished run `→ queued`. Instances first: a run queued before its instances were
 * cleared could be planned, found finished and closed again. A running instance is cleared too;
 * its worker's final write then loses its condition and the result is discarded.
 */
export async function applyClear(
  store: RunStore,
  plan: ClearPlan,
  now: string,
): Promise<Pick<ClearResult, 'cleared' | 'resetRuns' | 'stale'>> {
  const result: Pick<ClearResult, 'cleared' | 'resetRuns' | 'stale'> = {
    cleared: [],
    resetRuns: [],
    stale: [],
  };
  const clearedRuns = new Set<string>();
  for (const clear of plan.instances) {
    try {
      const pokes = clear.pokeCount;
      await store.updateTaskInstance(
        clear.key,
        { state: clear.from, tryNumber: clear.tryNumber, ...(pokes !== undefined && { pokeCount: pokes }) },
        {
          state: TaskState.None,
          reason: `cleared (was ${clear.from}, try ${clear.tryNumber})`,
          // The next try of a sensor pokes afresh: its timeout runs from its own first poke.
          ...(pokes !== undefined && POKE_STATE_RESET),
        },
      );
      result.cleared.push(clear);
      clearedRuns.add(clear.key.runId);
    } catch (error) {
      if (!(error instanceof StaleTransitionError)) throw error;
      result.stale.push(error.message);
    }
  }
  for (const { run, from } of plan.runs) {
    if (!clearedRuns.has(run.runId)) continue;
    try {
      const count = result.cleared.filter((c) => c.key.runId === run.runId).length;
      const reason = `cleared ${count} task instance${count === 1 ? '' : 's'}; queued again (was ${from})`;
      result.resetRuns.push(
        await store.updateRun(run.dagId, run.runId, from, {
          state: DagRunState.Queued,
          queuedAt: now,
          reason,
        }),
      );
    } catch (error) {
      if (!(error instanceof StaleTransitionError)) throw error;
      result.stale.push(error.message);
    }
  }
  return result;
}

/**
 * Airflow's clear over the given runs of one DAG: reads each run's instances and pinned DAG,
 * decides, then (unless `dryRun`) writes. Runs whose bundle version is gone are skipped.
 */
export async function clearTaskInstances(
  deps: { store: RunStore; bundles: BundleStore; clock: Clock },
  runs: readonly DagRunRecord[],
  options: ClearOptions & { dryRun: boolean },
): Promise<ClearResult> {
  const snapshots: RunSnapshot[] = [];
  const skippedRuns: ClearResult['skippedRuns'] = [];
  for (const run of runs) {
    let dag: DagSpec | undefined;
    try {
      dag = (await deps.bundles.manifest(run.bundleVersion)).dags.find((d) => d.dagId === run.dagId);
    } catch (error) {
      if (!(error instanceof BundleNotFoundError)) throw error;
    }
    if (!dag) {
      skippedRuns.push({
        runId: run.runId,
        reason: `bundle ${run.bundleVersion} of the run has no DAG ${run.dagId}`,
      });
      continue;
    }
    snapshots.push({ run, dag, instances: await deps.store.listTaskInstances(run.dagId, run.runId) });
  }
  const plan = planClear(snapshots, options);
  if (options.dryRun) {
    return { cleared: plan.instances, resetRuns: plan.runs.map((r) => r.run), stale: [], skippedRuns };
  }
  return { ...(await applyClear(deps.store, plan, deps.clock.now())), skippedRuns };
}

/** Logical dates of the runs to clear, both ends inclusive; a missing end is open. */
export interface RunWindow {
  start?: string;
  end?: string;
}

/** Which runs a clear covers: a named run, a logical-date range, or every run of the DAG. */
export interface RunSelection {
  named?: DagRunRecord;
  startDate?: string;
  endDate?: string;
  /** With `named`: also every earlier run (Airflow drops the window's start). */
  includePast: boolean;
  /** With `named`: also every later run (Airflow drops the window's end). */
  includeFuture: boolean;
}

/**
 * The runs to clear, as Airflow's API derives them: a named run's logical date (widened by
 * include_past / include_future), else start_date..end_date, else every run (capped, see selectRuns).
 */
export async function runsToClear(
  store: RunStore,
  dagId: string,
  selection: RunSelection,
): Promise<DagRunRecord[]> {
  const { named, includePast, includeFuture } = selection;
  if (named && !includePast && !includeFuture) return [named];
  const start = named ? named.logicalDate : selection.startDate;
  const end = named ? named.logicalDate : selection.endDate;
  return selectRuns(store, dagId, {
    ...(start && !includePast && { start }),
    ...(end && !includeFuture && { end }),
  });
}

/** Most runs one clear considers; see `selectRuns`. */
export const MAX_CLEAR_RUNS = 100;
const SCAN_PAGES = 10;

/**
 * The newest runs of a DAG inside `window`, newest first. Capped at MAX_CLEAR_RUNS runs among
 * the newest SCAN_PAGES × 100: a clear is one synchronous API call (API Gateway gives it 29 s)
 * and each run costs a read of its instances and, unless a dry run, a write per instance.
 * Airflow has no cap; clear older runs by naming them (dag_run_id) or by a date window.
 */
export async function selectRuns(store: RunStore, dagId: string, window: RunWindow): Promise<DagRunRecord[]> {
  const start = window.start === undefined ? undefined : Date.parse(window.start);
  const end = window.end === undefined ? undefined : Date.parse(window.end);
  const selected: DagRunRecord[] = [];
  for (let pageIndex = 0; pageIndex < SCAN_PAGES; pageIndex++) {
    const { runs, total } = await store.listRuns(dagId, {
      order: 'desc',
      limit: 100,
      offset: pageIndex * 100,
    });
    for (const run of runs) {
      const at = Date.parse(run.logicalDate);
      if (start !== undefined && at < start) return selected; // newest first: the rest are older still
      if (end !== undefined && at > end) continue;
      selected.push(run);
      if (selected.length === MAX_CLEAR_RUNS) return selected;
    }
    if ((pageIndex + 1) * 100 >= total || runs.length === 0) break;
  }
  return selected;
}
