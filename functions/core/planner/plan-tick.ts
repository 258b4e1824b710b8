import { type DagSpec, DEFAULT_POOL } from '../model';
import { poolUsage } from '../pool-usage';
import { DEFAULT_POOL_SLOTS } from '../pools';
import type { DagRunRecord, DagStateRecord, TaskInstanceRecord } from '../records';
import { runIdFor } from '../run-id';
import { DagRunState, TaskState } from '../states';
import { timetableFor } from '../timetables';
import type { DataInterval } from '../timetables/types';
import { allocate, type Budget, type Candidate } from './allocate';
import type { Command, Note, PlanLimits } from './commands';
import { planRun } from './plan-run';
import { slaMisses } from './sla';

/** A run with its task instances. */
export interface RunWithInstances {
  run: DagRunRecord;
  instances: readonly TaskInstanceRecord[];
}

/** What one scheduler tick knows; `now` is ISO UTC. */
export interface TickInput {
  dags: readonly DagSpec[];
  /** Scheduler state per DAG id; a DAG missing here is new (paused if `isPausedUponCreation`). */
  dagStates: ReadonlyMap<string, DagStateRecord>;
  /** Every queued or running run, with its task instances. */
  active: readonly RunWithInstances[];
  /** Latest finished run per DAG, for depends_on_past (optional). */
  recentFinished?: readonly RunWithInstances[];
  /** DAGs of older bundle versions that active runs are pinned to (version → DAGs); current if absent. */
  runDags?: ReadonlyMap<string, readonly DagSpec[]>;
  /** Bundle version new runs are pinned to. */
  bundleVersion: string;
  /** Pool sizes by name (the tick reads them from the store); omit to run without pools. `default_pool` is 128 if not given. */
  pools?: ReadonlyMap<string, number>;
  now: string;
  limits: PlanLimits;
}

/** What the tick decided, in apply order, bounded by `limits.maxCommands`. */
export interface TickPlan {
  commands: Command[];
  notes: Note[];
  /** True when commands were cut at the limit; the next tick continues. */
  truncated: boolean;
}

const ACTIVE_TASK_STATES: ReadonlySet<TaskState> = new Set([TaskState.Queued, TaskState.Running]);

/**
 * The scheduling brain (Airflow's SchedulerJob loop, pure): create due scheduled runs, start
 * queued runs within `maxActiveRuns`, plan every running run, then queue ready tasks within
 * `maxActiveTasks` and pool slots.
 */
export function planTick(input: TickInput): TickPlan {
  const commands: Command[] = [];
  const notes: Note[] = [];
  const candidates: Candidate[] = [];
  const current = new Map(input.dags.map((d) => [d.dagId, d]));
  const dagIds = [...new Set([...current.keys(), ...input.active.map((r) => r.run.dagId)])].sort();
  for (const dagId of dagIds) {
    const dag = current.get(dagId);
    const state = input.dagStates.get(dagId) ?? { dagId, isPaused: dag?.isPausedUponCreation ?? false };
    // Airflow does not schedule anything of a paused DAG, not even the tasks of its running runs.
    if (state.isPaused) continue;
    const active = input.active.filter((r) => r.run.dagId === dagId);
    const created = dag ? createDueRuns(dag, state, active.length, input) : [];
    commands.push(...created.map((c) => c.command));
    const all = [...active, ...created.map((c) => ({ run: c.run, instances: [] }))].sort((a, b) =>
      a.run.logicalDate.localeCompare(b.run.logicalDate),
    );
    let running = all.filter((r) => r.run.state === DagRunState.Running).length;
    const history = [...(input.recentFinished ?? []).filter((r) => r.run.dagId === dagId), ...all];
    for (const entry of all) {
      // A run keeps the DAG definition of the bundle it started with, even if the DAG changed or left.
      const spec = pinnedSpec(input, entry.run) ?? dag;
      if (!spec) {
        notes.push({
          key: { dagId, runId: entry.run.runId, taskId: '', mapIndex: -1 },
          reason: `bundle ${entry.run.bundleVersion} of this run is not loaded`,
        });
        continue;
      }
      let run = entry.run;
      if (run.state === DagRunState.Queued) {
        if (running >= spec.maxActiveRuns) continue;
        running++;
        commands.push({
          kind: 'start_run',
          dagId,
          runId: run.runId,
          reason: `max_active_runs ${spec.maxActiveRuns} allows it`,
        });
        run = { ...run, state: DagRunState.Running, startDate: input.now };
      }
      const plan = planRun({
        dag: spec,
        run,
        instances: entry.instances,
        previous: previousOf(run, history),
        now: input.now,
        limits: input.limits,
      });
      commands.push(...plan.commands, ...slaMisses(spec, run, entry.instances, input.now));
      notes.push(...plan.notes);
      candidates.push(...plan.ready.map((r) => ({ ...r, logicalDate: run.logicalDate })));
    }
  }
  const allocation = allocate(candidates, budgetFor(input));
  commands.push(...allocation.commands);
  notes.push(...allocation.notes);
  const truncated = commands.length > input.limits.maxCommands;
  return { commands: commands.slice(0, input.limits.maxCommands), notes, truncated };
}

function createDueRuns(dag: DagSpec, state: DagStateRecord, activeCount: number, input: TickInput) {
  const timetable = timetableFor(dag.schedule, dag.timezone);
  if (!timetable.periodic) return [];
  const restriction = {
    catchup: dag.catchup,
    ...(dag.startDate !== undefined && { earliest: dag.startDate }),
    ...(dag.endDate !== undefined && { latest: dag.endDate }),
  };
  const created: { run: DagRunRecord; command: Command }[] = [];
  let last: DataInterval | null = state.lastAutomatedDataInterval ?? null;
  while (created.length < input.limits.maxRunsPerDag && activeCount + created.length < dag.maxActiveRuns) {
    const info = timetable.nextRun(last, restriction, input.now);
    if (!info || Date.parse(info.runAfter) > Date.parse(input.now)) break;
    const runId = runIdFor('scheduled', info.logicalDate);
    const run: DagRunRecord = {
      dagId: dag.dagId,
      runId,
      runType: 'scheduled',
      state: DagRunState.Queued,
      logicalDate: info.logicalDate,
      dataIntervalStart: info.dataInterval.start,
      dataIntervalEnd: info.dataInterval.end,
      runAfter: info.runAfter,
      conf: {},
      bundleVersion: input.bundleVersion,
      externalTrigger: false,
      queuedAt: input.now,
    };
    const reason = `data interval [${info.dataInterval.start}, ${info.dataInterval.end}) is complete`;
    created.push({
      run,
      command: {
        kind: 'create_run',
        dagId: dag.dagId,
        runId,
        logicalDate: info.logicalDate,
        dataInterval: info.dataInterval,
        runAfter: info.runAfter,
        bundleVersion: input.bundleVersion,
        reason,
      },
    });
    last = info.dataInterval;
  }
  return created;
}

/** The DAG as of the bundle version the run is pinned to, when that bundle's DAGs were given. */
function pinnedSpec(input: Pick<TickInput, 'runDags'>, run: DagRunRecord): DagSpec | undefined {
  return input.runDags?.get(run.bundleVersion)?.find((d) => d.dagId === run.dagId);
}

/** The run with the latest logical date before this one (Airflow's previous DagRun), or null. */
function previousOf(run: DagRunRecord, history: readonly RunWithInstances[]): RunWithInstances | null {
  let best: RunWithInstances | null = null;
  for (const entry of history) {
    if (entry.run.logicalDate >= run.logicalDate || entry.run.runId === run.runId) continue;
    if (!best || entry.run.logicalDate > best.run.logicalDate) best = entry;
  }
  return best;
}

/**
 * Free slots per DAG and pool, from the instances currently queued or running in every active
 * run (paused DAGs included: their running tasks still hold slots). An instance counts against
 * the pool of the DAG version its run is pinned to, which is the pool it was queued in.
 */
export function budgetFor(input: Pick<TickInput, 'dags' | 'active' | 'pools' | 'runDags'>): Budget {
  const specs = new Map(input.dags.map((d) => [d.dagId, d]));
  const dagSlots = new Map(input.dags.map((d) => [d.dagId, d.maxActiveTasks]));
  const pools = input.pools ? new Map(input.pools) : undefined;
  if (pools && !pools.has(DEFAULT_POOL)) pools.set(DEFAULT_POOL, DEFAULT_POOL_SLOTS);
  const poolSlots = pools ? new Map(pools) : undefined;
  for (const { instances } of input.active) {
    for (const ti of instances) {
      if (ACTIVE_TASK_STATES.has(ti.state)) dagSlots.set(ti.dagId, (dagSlots.get(ti.dagId) ?? 0) - 1);
    }
  }
  // The same count the API shows as occupied_slots.
  const usage = poolUsage(input.active, (run) => pinnedSpec(input, run) ?? specs.get(run.dagId));
  for (const [pool, held] of usage) {
    if (poolSlots?.has(pool)) poolSlots.set(pool, poolSlots.get(pool)! - held.queued - held.running);
  }
  return { dagSlots, ...(poolSlots && { poolSlots }), ...(pools && { poolSizes: pools }) };
}
