import type { DagSpec, Manifest } from '../core/model';
import type { Command, PlanLimits } from '../core/planner/commands';
import { planTick, type RunWithInstances } from '../core/planner/plan-tick';
import { type DagStateRecord, formatKey } from '../core/records';
import type { BundleStore } from '../ports/bundle-store';
import type { Clock } from '../ports/clock';
import type { ContainerStopper } from '../ports/container-runner';
import { StaleTransitionError } from '../ports/errors';
import type { Metrics } from '../ports/metrics';
import type { RunStore } from '../ports/run-store';
import type { TaskQueue } from '../ports/task-queue';
import { awaitCreatedRunsIndexed } from './await-index';
import { applyAndDispatch } from './dispatch';
import { type CallbackDeps, fireAppliedCallbacks } from './fire-callbacks';
import { recordPoolWaits } from './record-pool-waits';

/** Ports and limits of one scheduler tick. */
export interface TickDeps {
  store: RunStore;
  queue: TaskQueue;
  bundles: BundleStore;
  clock: Clock;
  limits: PlanLimits;
  /** Run and attempt metrics; none when unset. */
  metrics?: Metrics;
  /** Renders and sends the callbacks of runs the tick finishes and attempts it ends; none when unset. */
  templates?: CallbackDeps['templates'];
  notifications?: CallbackDeps['notifications'];
  onCallbackError?: CallbackDeps['onCallbackError'];
  /** Variables and connections notifier templates read. */
  secrets?: CallbackDeps['secrets'];
  /** Stops the ECS task of a container attempt the tick fails (execution timeout); none when unset. */
  containerStopper?: ContainerStopper;
}

/** What a tick did, for logs and metrics (counts per command kind). */
export interface TickReport {
  bundleVersion: string | null;
  counts: Partial<Record<Command['kind'], number>>;
  stale: number;
  dispatched: number;
  truncated: boolean;
  notes: number;
  /** Set when the active-runs index had not listed this tick's new runs after INDEX_WAIT (pool counts may lag). */
  indexLagging?: true;
  /** The first waits as `dag/run/task: reason` (pool full, missing pool…), so the tick's log line says why tasks wait. */
  waits?: string[];
}

/** How many waits a report quotes: enough to see a full pool, few enough for one log line. */
export const REPORTED_WAITS = 20;

/**
 * One scheduler tick: load the current manifest (cached by ETag), register new DAGs, read the
 * active runs, plan (create due runs, start queued ones, plan tasks, repair lost messages,
 * retries, timeouts, zombies), apply, and send. Idempotent: overlapping ticks race on
 * conditional writes and the loser's commands come back as stale.
 */
export async function schedulerTick(deps: TickDeps): Promise<TickReport> {
  const now = deps.clock.now();
  const manifest = await deps.bundles.currentManifest();
  const dags = manifest?.dags ?? [];
  const dagStates = await registerDags(deps.store, dags);
  const activeRuns = await deps.store.listActiveRuns();
  const runDags = await pinnedDags(
    deps.bundles,
    manifest,
    activeRuns.map((r) => r.bundleVersion),
  );
  const active: RunWithInstances[] = await Promise.all(
    activeRuns.map(async (run) => ({
      run,
      instances: await deps.store.listTaskInstances(run.dagId, run.runId),
    })),
  );
  const recentFinished = await previousRuns(deps.store, [...runDags.values()].flat(), active);
  // Read after the instances: a pool resized meanwhile is seen at its newer size (ARCHITECTURE.md, "Pools").
  const pools = new Map((await deps.store.listPools()).map((p) => [p.name, p.slots]));
  const plan = planTick({
    dags,
    dagStates,
    active,
    recentFinished,
    runDags,
    bundleVersion: manifest?.version ?? 'none',
    pools,
    now,
    limits: deps.limits,
  });
  const report = await applyAndDispatch(deps, plan.commands, now);
  await fireAppliedCallbacks(deps, report.applied, (dagId, runId) => {
    const run = activeRuns.find((r) => r.dagId === dagId && r.runId === runId);
    const dag = run && runDags.get(run.bundleVersion)?.find((d) => d.dagId === dagId);
    return run && dag ? { dag, run } : undefined;
  });
  await advanceCursors(deps.store, plan.commands, dagStates);
  await recordPoolWaits(
    deps.store,
    plan.notes,
    (dagId, runId) => active.find((r) => r.run.dagId === dagId && r.run.runId === runId)?.instances ?? [],
  );
  const indexed = await awaitCreatedRunsIndexed(deps.store, report.applied);
  const counts: TickReport['counts'] = {};
  for (const command of report.applied) counts[command.kind] = (counts[command.kind] ?? 0) + 1;
  return {
    bundleVersion: manifest?.version ?? null,
    counts,
    stale: report.stale.length,
    dispatched: report.dispatch.length,
    truncated: plan.truncated,
    notes: plan.notes.length,
    ...(!indexed && { indexLagging: true }),
    ...(plan.notes.length > 0 && {
      waits: plan.notes.slice(0, REPORTED_WAITS).map((n) => `${formatKey(n.key)}: ${n.reason}`),
    }),
  };
}

/** Creates the DAG items of DAGs seen for the first time (paused if `isPausedUponCreation`). */
async function registerDags(store: RunStore, dags: readonly DagSpec[]): Promise<Map<string, DagStateRecord>> {
  const states = await store.getDagStates(dags.map((d) => d.dagId));
  for (const dag of dags.filter((d) => !states.has(d.dagId))) {
    const state = { dagId: dag.dagId, isPaused: dag.isPausedUponCreation };
    await store.putDagStateIfAbsent(state);
    states.set(dag.dagId, state);
  }
  return states;
}

/** DAGs of every bundle version an active run is pinned to (immutable, so cached by the store). */
async function pinnedDags(bundles: BundleStore, current: Manifest | undefined, versions: readonly string[]) {
  const byVersion = new Map<string, readonly DagSpec[]>();
  if (current) byVersion.set(current.version, current.dags);
  for (const version of new Set(versions)) {
    if (!byVersion.has(version)) byVersion.set(version, (await bundles.manifest(version)).dags);
  }
  return byVersion;
}

/** The previous run (with instances) of each active run whose DAG uses depends_on_past. */
async function previousRuns(store: RunStore, specs: readonly DagSpec[], active: readonly RunWithInstances[]) {
  const needs = new Set(specs.filter((d) => d.tasks.some((t) => t.dependsOnPast)).map((d) => d.dagId));
  const found: RunWithInstances[] = [];
  for (const { run } of active.filter((a) => needs.has(a.run.dagId))) {
    const previous = await store.previousRun(run.dagId, run.logicalDate);
    if (previous && !active.some((a) => a.run.runId === previous.runId && a.run.dagId === previous.dagId)) {
      found.push({ run: previous, instances: await store.listTaskInstances(previous.dagId, previous.runId) });
    }
  }
  return found;
}

/**
 * Moves each DAG's cursor past the runs this tick created. A run that already existed (stale
 * create) still moves the cursor: some tick created it, and the cursor must not lag behind.
 */
async function advanceCursors(
  store: RunStore,
  commands: readonly Command[],
  states: Map<string, DagStateRecord>,
) {
  // Applied or stale alike: either way the run for this interval exists now.
  for (const command of commands) {
    if (command.kind !== 'create_run') continue;
    const state = states.get(command.dagId);
    try {
      await store.advanceDagCursor(command.dagId, state?.lastAutomatedDataInterval, command.dataInterval);
      if (state) state.lastAutomatedDataInterval = command.dataInterval;
    } catch (error) {
      if (!(error instanceof StaleTransitionError)) throw error;
    }
  }
}
