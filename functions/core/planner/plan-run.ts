import { assertNever } from '../assert-never';
import { buildGraph, leaves, type TaskGraph, topologicalOrder } from '../graph';
import type { DagSpec, TaskSpec } from '../model';
import type { DagRunRecord, TaskInstanceKey, TaskInstanceRecord } from '../records';
import { decideRunState } from '../rules/run-state';
import { evaluateTriggerRule } from '../rules/trigger-rules';
import { countUpstream } from '../rules/upstream-counts';
import { isFinished, TaskState } from '../states';
import type { PlanLimits } from './commands';
import { forcedSkipReason } from './forced-skips';
import { checkInFlight } from './in-flight';
import { expansionFor } from './mapping';
import { markReady, type RunPlan } from './ready';
import { type InstanceView, isUnexpanded, RunView } from './run-view';

/** Everything the planner needs to decide about one run; `now` is ISO UTC. */
export interface RunPlanInput {
  dag: DagSpec;
  run: DagRunRecord;
  instances: readonly TaskInstanceRecord[];
  /** The previous run (by logical date) and its instances; null when there is none (depends_on_past). */
  previous: { run: DagRunRecord; instances: readonly TaskInstanceRecord[] } | null;
  now: string;
  limits: PlanLimits;
}

/**
 * Plans one running run (Airflow's `DagRun.task_instance_scheduling_decisions` + `update_state`),
 * walking tasks in topological order so a failure or skip cascades through the DAG in one pass.
 */
export function planRun(input: RunPlanInput): RunPlan {
  const { dag, run, now } = input;
  const plan: RunPlan = { commands: [], ready: [], notes: [] };
  const view = new RunView(dag, input.instances);
  if (timedOut(input)) return planTimeout(input, view, plan);
  const graph = buildGraph(dag.tasks);
  const specs = new Map(dag.tasks.map((t) => [t.taskId, t]));
  // Airflow never declares a deadlock while a depends_on_past task is unfinished (`should_schedule`):
  // the run waits until someone clears or fixes the previous run.
  let waitingOnPast = false;
  for (const taskId of topologicalOrder(graph)) {
    const task = specs.get(taskId)!;
    for (const instance of [...view.instances(taskId)]) {
      const key: TaskInstanceKey = {
        dagId: dag.dagId,
        runId: run.runId,
        taskId,
        mapIndex: instance.mapIndex,
      };
      if (instance.state === TaskState.None || instance.state === TaskState.Scheduled) {
        const outcome = planPending({ input, graph, view, task, instance, key, plan });
        waitingOnPast ||= outcome === 'waiting_on_past';
      } else if (!isFinished(instance.state)) {
        checkInFlight({ task, instance, key, run, now, limits: input.limits, plan, view });
      }
    }
  }
  const decision = decideRunState({
    leafTaskIds: new Set(leaves(graph)),
    instances: view.all(),
    anyRunnable: plan.ready.length > 0 || waitingOnPast,
  });
  if (decision.state !== 'running') {
    plan.commands.push({
      kind: 'finish_run',
      dagId: dag.dagId,
      runId: run.runId,
      state: decision.state,
      reason: decision.reason,
    });
  }
  return plan;
}

interface PendingArgs {
  input: RunPlanInput;
  graph: TaskGraph;
  view: RunView;
  task: TaskSpec;
  instance: InstanceView;
  key: TaskInstanceKey;
  plan: RunPlan;
}

/** Decides about an instance that has not started: skip, upstream_failed, wait, expand, or ready. */
function planPending(args: PendingArgs): 'waiting_on_past' | undefined {
  const { input, graph, view, task, instance, key, plan } = args;
  const from = instance.state;
  const decide = (kind: 'skip_task' | 'mark_upstream_failed', state: TaskState, reason: string) => {
    plan.commands.push({ kind, key, from, reason });
    view.setState(task.taskId, instance.mapIndex, state);
  };
  const forced = forcedSkipReason(input.dag, graph, view, task);
  if (forced) {
    decide('skip_task', TaskState.Skipped, forced);
    return undefined;
  }
  const states = graph.upstreamOf(task.taskId).flatMap((id) => view.instances(id).map((i) => i.state));
  const rule = evaluateTriggerRule(task.triggerRule, countUpstream(states), { mapIndex: instance.mapIndex });
  switch (rule.kind) {
    case 'skip':
    case 'removed':
      decide('skip_task', TaskState.Skipped, rule.reason);
      return undefined;
    case 'upstream_failed':
      decide('mark_upstream_failed', TaskState.UpstreamFailed, rule.reason);
      return undefined;
    case 'wait':
      plan.notes.push({ key, reason: rule.reason });
      return undefined;
    case 'run':
      break;
    default:
      assertNever(rule);
  }
  const past = dependsOnPast(task, input);
  if (past) {
    plan.notes.push({ key, reason: past.reason });
    return 'waiting_on_past';
  }
  if (isUnexpanded(task, view.instances(task.taskId))) {
    const expansion = expansionFor(task, view, input.limits.maxMapLength);
    if (expansion.kind === 'fail') {
      plan.commands.push({
        kind: 'fail_task',
        key,
        from,
        tryNumber: 0,
        outcome: 'failed',
        reason: expansion.reason,
      });
      view.setState(task.taskId, instance.mapIndex, TaskState.Failed);
      return undefined;
    }
    if (expansion.count === 0) {
      decide('skip_task', TaskState.Skipped, expansion.reason);
      return undefined;
    }
    const { dagId, runId, taskId } = key; // not `...key`: the command has no mapIndex
    plan.commands.push({
      kind: 'expand_task',
      dagId,
      runId,
      taskId,
      count: expansion.count,
      reason: expansion.reason,
    });
    for (const mapped of view.expand(task.taskId, expansion.count)) {
      markReady(plan, view, task, { ...key, mapIndex: mapped.mapIndex }, TaskState.None, 1, rule.reason);
    }
    return undefined;
  }
  markReady(plan, view, task, key, from, (instance.record?.tryNumber ?? 0) + 1, rule.reason);
  return undefined;
}

/**
 * Airflow's PrevDagrunDep (2.7+): with depends_on_past, every instance of the task in the previous
 * run (all map indexes) must have succeeded or been skipped. Not per map index: an unexpanded
 * mapped task is index -1 here but 0..n in the previous run.
 */
function dependsOnPast(task: TaskSpec, input: RunPlanInput): { reason: string } | undefined {
  if (!task.dependsOnPast || input.previous === null) return undefined;
  const previous = input.previous.instances.filter((i) => i.taskId === task.taskId);
  const blocking = previous.find((i) => i.state !== TaskState.Success && i.state !== TaskState.Skipped);
  if (previous.length > 0 && !blocking) return undefined;
  const state = blocking?.state ?? TaskState.None;
  return {
    reason: `depends_on_past: "${task.taskId}" is ${state} in the previous run ${input.previous.run.runId}`,
  };
}

function timedOut(input: RunPlanInput): boolean {
  const limit = input.dag.dagrunTimeoutSeconds;
  const start = input.run.startDate;
  return (
    limit !== undefined && start !== undefined && Date.parse(start) + limit * 1000 < Date.parse(input.now)
  );
}

/** Airflow's dagrun_timeout: the run fails and its unfinished task instances are skipped. */
function planTimeout(input: RunPlanInput, view: RunView, plan: RunPlan): RunPlan {
  const reason = `dagrun_timeout: run exceeded ${input.dag.dagrunTimeoutSeconds}s`;
  for (const instance of view.all().filter((i) => !isFinished(i.state))) {
    const key = {
      dagId: input.dag.dagId,
      runId: input.run.runId,
      taskId: instance.taskId,
      mapIndex: instance.mapIndex,
    };
    plan.commands.push({ kind: 'skip_task', key, from: instance.state, reason });
  }
  plan.commands.push({
    kind: 'finish_run',
    dagId: input.dag.dagId,
    runId: input.run.runId,
    state: 'failed',
    reason,
  });
  return plan;
}
